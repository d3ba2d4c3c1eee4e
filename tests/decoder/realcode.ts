// Real x86-64 machine code for decoder tests and benchmarks: a slice of the running node binary's ELF .text section.
import { closeSync, openSync, readSync } from 'node:fs';

/** Returns up to `max` bytes of node's .text (ELF64 x86-64) and its virtual address, or null on other hosts. */
export function nodeText(max: number): { bytes: Uint8Array; addr: number } | null {
  let fd = -1;
  try {
    fd = openSync(process.execPath, 'r');
    const hdr = Buffer.alloc(64);
    readSync(fd, hdr, 0, 64, 0);
    if (hdr.readUInt32BE(0) !== 0x7f454c46 || hdr[4] !== 2 || hdr.readUInt16LE(18) !== 62) return null;
    const shoff = Number(hdr.readBigUInt64LE(40));
    const shentsize = hdr.readUInt16LE(58);
    const shnum = hdr.readUInt16LE(60);
    const shstrndx = hdr.readUInt16LE(62);
    const sh = Buffer.alloc(shentsize * shnum);
    readSync(fd, sh, 0, sh.length, shoff);
    const strOff = Number(sh.readBigUInt64LE(shstrndx * shentsize + 24));
    const strSize = Number(sh.readBigUInt64LE(shstrndx * shentsize + 32));
    const names = Buffer.alloc(strSize);
    readSync(fd, names, 0, strSize, strOff);
    for (let i = 0; i < shnum; i++) {
      const b = i * shentsize;
      const nameOff = sh.readUInt32LE(b);
      const end = names.indexOf(0, nameOff);
      if (names.toString('latin1', nameOff, end) !== '.text') continue;
      const addr = Number(sh.readBigUInt64LE(b + 16));
      const off = Number(sh.readBigUInt64LE(b + 24));
      const size = Math.min(max, Number(sh.readBigUInt64LE(b + 32)));
      const bytes = new Uint8Array(size);
      readSync(fd, bytes, 0, size, off);
      return { bytes, addr };
    }
    return null;
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
