// ELF executable reader (System V gABI "ELF header", "Program header", "Symbol table"; ELF32 and ELF64, little
// endian): the pieces a boot loader needs — class, machine, entry, PT_LOAD segments — plus function symbols.
import { UserError } from '../errors.js';

export const EM_386 = 3;
export const EM_X86_64 = 62;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;

export interface ElfSegment {
  /** Physical load address (p_paddr), which is what a Multiboot loader honours. */
  paddr: number;
  vaddr: number;
  /** Bytes present in the file (p_filesz); the rest up to memSize is zero-filled. */
  data: Uint8Array;
  memSize: number;
}

export interface ElfImage {
  bits: 32 | 64;
  machine: number;
  entry: number;
  segments: ElfSegment[];
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

function u64(dv: DataView, off: number): number {
  const v = dv.getBigUint64(off, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new UserError(`ELF value 0x${v.toString(16)} is out of range`);
  return Number(v);
}

/** Parse an ELF executable; `what` names the file in error messages. */
export function parseElf(bytes: Uint8Array, what = 'image'): ElfImage {
  if (!isElf(bytes)) throw new UserError(`${what} is not an ELF file`);
  if (bytes.length < 52) throw new UserError(`${what}: truncated ELF header`);
  const cls = bytes[4];
  if (cls !== 1 && cls !== 2) throw new UserError(`${what}: bad ELF class ${cls}`);
  if (bytes[5] !== 1) throw new UserError(`${what}: not a little-endian ELF file`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const is64 = cls === 2;
  if (is64 && bytes.length < 64) throw new UserError(`${what}: truncated ELF header`);
  const machine = dv.getUint16(18, true);
  const entry = is64 ? u64(dv, 24) : dv.getUint32(24, true);
  const phoff = is64 ? u64(dv, 32) : dv.getUint32(28, true);
  const phentsize = dv.getUint16(is64 ? 54 : 42, true);
  const phnum = dv.getUint16(is64 ? 56 : 44, true);
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (p + (is64 ? 56 : 32) > bytes.length) throw new UserError(`${what}: program header ${i} is outside the file`);
    if (dv.getUint32(p, true) !== PT_LOAD) continue;
    const offset = is64 ? u64(dv, p + 8) : dv.getUint32(p + 4, true);
    const vaddr = is64 ? u64(dv, p + 16) : dv.getUint32(p + 8, true);
    const paddr = is64 ? u64(dv, p + 24) : dv.getUint32(p + 12, true);
    const filesz = is64 ? u64(dv, p + 32) : dv.getUint32(p + 16, true);
    const memsz = is64 ? u64(dv, p + 40) : dv.getUint32(p + 20, true);
    if (offset + filesz > bytes.length) throw new UserError(`${what}: segment ${i} extends past the end of the file`);
    if (memsz < filesz) throw new UserError(`${what}: segment ${i} has p_memsz < p_filesz`);
    if (memsz === 0) continue;
    segments.push({ paddr, vaddr, data: bytes.subarray(offset, offset + filesz), memSize: memsz });
  }
  return { bits: is64 ? 64 : 32, machine, entry, segments };
}

/** FUNC and OBJECT/NOTYPE symbols with a non-zero value from .symtab, as [address, name] (for traces). */
export function elfSymbols(bytes: Uint8Array): Array<[number, string]> {
  if (!isElf(bytes) || bytes.length < 52) return [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const is64 = bytes[4] === 2;
  const out: Array<[number, string]> = [];
  try {
    const shoff = is64 ? u64(dv, 40) : dv.getUint32(32, true);
    const shentsize = dv.getUint16(is64 ? 58 : 46, true);
    const shnum = dv.getUint16(is64 ? 60 : 48, true);
    const sh = (i: number) => {
      const b = shoff + i * shentsize;
      return {
        type: dv.getUint32(b + 4, true),
        offset: is64 ? u64(dv, b + 24) : dv.getUint32(b + 16, true),
        size: is64 ? u64(dv, b + 32) : dv.getUint32(b + 20, true),
        link: dv.getUint32(is64 ? b + 40 : b + 24, true),
        entsize: is64 ? u64(dv, b + 56) : dv.getUint32(b + 36, true),
      };
    };
    const dec = new TextDecoder();
    for (let i = 0; i < shnum; i++) {
      const s = sh(i);
      if (s.type !== SHT_SYMTAB || s.entsize === 0) continue;
      const str = sh(s.link);
      for (let k = 0; k < s.size / s.entsize; k++) {
        const e = s.offset + k * s.entsize;
        const nameOff = dv.getUint32(e, true);
        const info = is64 ? bytes[e + 4] : bytes[e + 12];
        const value = is64 ? u64(dv, e + 8) : dv.getUint32(e + 4, true);
        const type = info & 15;
        if (type > 2 || value === 0 || nameOff === 0) continue; // NOTYPE, OBJECT, FUNC only
        let end = str.offset + nameOff;
        while (end < bytes.length && bytes[end] !== 0) end++;
        const name = dec.decode(bytes.subarray(str.offset + nameOff, end));
        if (name !== '' && !name.startsWith('.')) out.push([value, name]);
      }
    }
  } catch {
    return out; // a malformed section table only costs the symbols
  }
  return out;
}
