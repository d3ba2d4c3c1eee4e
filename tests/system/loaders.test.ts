// Boot loaders against the Multiboot 0.6.96 spec and QEMU's `-kernel` rules: header search, a.out kludge, ELF32
// program headers, boot information, entry state; the bare long-mode loader's tables. No CPU execution involved.
import { describe, it, expect, beforeAll, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { createMachine } from '../../machine/index.js';
import { UserError } from '../../machine/errors.js';
import { findMultibootHeader, MB_GDT_ADDR } from '../../machine/loaders/multiboot.js';
import { BARE_PML4 } from '../../machine/loaders/bare.js';
import { buildKernel } from './build.js';
import { mbHeader } from './helpers.js';

// These tests start node processes and run guest code: allow for a loaded 2-core CI machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const MiB = 1024 * 1024;
let paging: Uint8Array;
let modes: Uint8Array;

beforeAll(() => {
  paging = new Uint8Array(readFileSync(buildKernel('paging')));
  modes = new Uint8Array(readFileSync(buildKernel('modes')));
});

function u32(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset).getUint32(off, true);
}

function cstring(m: ReturnType<typeof createMachine>, addr: number): string {
  const bytes = m.readMemory(addr, 256);
  return new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0)));
}

describe('Multiboot header search', () => {
  it('finds a 4-byte aligned header with a valid checksum', () => {
    const img = new Uint8Array(64);
    img.set(mbHeader(3), 8);
    expect(findMultibootHeader(img)?.offset).toBe(8);
  });
  it('ignores a bad checksum, a misaligned header and one past the first 8192 bytes', () => {
    const bad = new Uint8Array(64);
    bad.set(mbHeader(3, undefined, true), 8);
    expect(findMultibootHeader(bad)).toBeUndefined();
    const odd = new Uint8Array(64);
    odd.set(mbHeader(3), 6);
    expect(findMultibootHeader(odd)).toBeUndefined();
    const far = new Uint8Array(9000);
    far.set(mbHeader(3), 8192);
    expect(findMultibootHeader(far)).toBeUndefined();
  });
});

describe('loadMultiboot (a.out kludge image)', () => {
  it('loads the image at load_addr, zeroes bss and enters 32-bit protected mode as §3.2 requires', () => {
    const m = createMachine({ memory: '256M' });
    m.writeMemory(0x101000, new Uint8Array(0x4000).fill(0xcc)); // garbage where bss will be
    const k = m.loadMultiboot(paging, 'paging.bin arg1', 'paging.bin');
    expect(k.imageStart).toBe(0x100000);
    expect(Array.from(m.readMemory(0x100000, paging.length))).toEqual(Array.from(paging));
    expect(m.readMemory(k.imageEnd - 0x10, 0x10).every((b) => b === 0)).toBe(true);
    expect(m.readMemory(paging.length + 0x100000, 16).every((b) => b === 0)).toBe(true);
    const r = m.getRegisters();
    expect(r.rax).toBe(0x2badb002n);
    expect(r.rbx).toBe(BigInt(k.infoAddr));
    expect(Number(r.cr0) & 0x80000001).toBe(1); // PE on, PG off
    expect(Number(r.rflags) & 0x20200).toBe(0); // IF = 0, VM = 0
    expect(r.cs.selector).toBe(0x08);
    expect(r.cs.base).toBe(0n);
    expect(r.cs.limit).toBe(0xffffffff);
    expect(r.cs.attr & 0x4000).toBe(0x4000); // 32-bit code
    for (const s of [r.ds, r.es, r.ss, r.fs, r.gs]) {
      expect(s.base).toBe(0n);
      expect(s.limit).toBe(0xffffffff);
      expect(s.attr & 0x4008).toBe(0x4000); // 32-bit data, not code
    }
    expect(r.codeBits).toBe(32);
    expect(r.rip).toBe(BigInt(u32(paging, 28))); // entry_addr of the header
    expect(r.gdtr.base).toBe(BigInt(MB_GDT_ADDR));
  });

  it('builds the boot information: memory sizes, mmap, command line and loader name', () => {
    const m = createMachine({ memory: '256M' });
    const k = m.loadMultiboot(paging, '/some/kernel console=ttyS0');
    const mbi = m.readMemory(k.infoAddr, 0x80);
    const flags = u32(mbi, 0);
    expect(flags & 0x24d).toBe(0x24d); // mem, cmdline, mods, mmap, loader name
    expect(u32(mbi, 4)).toBe(640);
    expect(u32(mbi, 8)).toBe(256 * 1024 - 1024);
    expect(cstring(m, u32(mbi, 16))).toBe('/some/kernel console=ttyS0');
    expect(u32(mbi, 20)).toBe(0);
    expect(cstring(m, u32(mbi, 64))).toBe('bmjit');
    const len = u32(mbi, 44);
    const mm = m.readMemory(u32(mbi, 48), len);
    const entries: Array<[number, number, number]> = [];
    for (let o = 0; o < len; ) {
      const size = u32(mm, o);
      expect(size).toBe(20);
      const dv = new DataView(mm.buffer, mm.byteOffset + o);
      entries.push([Number(dv.getBigUint64(4, true)), Number(dv.getBigUint64(12, true)), dv.getUint32(20, true)]);
      o += size + 4;
    }
    expect(entries[0]).toEqual([0, 0x9fc00, 1]);
    expect(entries).toContainEqual([0x100000, 256 * MiB - 0x100000, 1]);
    const ram = entries.filter((e) => e[2] === 1).reduce((a, e) => a + e[1], 0);
    expect(ram).toBe(0x9fc00 + 256 * MiB - 0x100000);
    // The boot information itself lives in RAM that the map reports usable, after the image.
    expect(k.infoAddr).toBeGreaterThanOrEqual(k.imageEnd);
    expect(k.infoAddr % 4096).toBe(0);
  });

  it('reports RAM above 4 GiB when memory exceeds the PCI hole', () => {
    const m = createMachine({ memory: '3G' });
    const k = m.loadMultiboot(paging);
    const mbi = m.readMemory(k.infoAddr, 0x80);
    expect(u32(mbi, 8)).toBe(0xb0000000 / 1024 - 1024);
    const mm = m.readMemory(u32(mbi, 48), u32(mbi, 44));
    const last = new DataView(mm.buffer, mm.byteOffset + mm.length - 24);
    expect(Number(last.getBigUint64(4, true))).toBe(0x100000000);
    expect(Number(last.getBigUint64(12, true))).toBe(3 * 1024 * MiB - 0xb0000000);
  });

  it('rejects bad kludge addresses and images outside RAM with one-line user errors', () => {
    const m = createMachine({ memory: '16M' });
    const img = new Uint8Array(4096);
    img.set(mbHeader(0x10003, { header: 0x100000, load: 0x100010, loadEnd: 0, bssEnd: 0, entry: 0x100020 }));
    expect(() => m.loadMultiboot(img)).toThrow(/header_addr is below load_addr/);
    img.set(mbHeader(0x10003, { header: 0x2000000, load: 0x2000000, loadEnd: 0, bssEnd: 0, entry: 0x2000020 }));
    expect(() => m.loadMultiboot(img)).toThrow(UserError);
    expect(() => m.loadMultiboot(img)).toThrow(/not in usable RAM/);
    img.set(mbHeader(0x10003, { header: 0x100000, load: 0x100000, loadEnd: 0x100100, bssEnd: 0x100080, entry: 0x100020 }));
    expect(() => m.loadMultiboot(img)).toThrow(/bss_end_addr/);
    expect(() => m.loadMultiboot(new Uint8Array(100))).toThrow(/no Multiboot header/);
  });
});

describe('loadMultiboot (ELF32)', () => {
  it('loads PT_LOAD segments at their physical addresses and enters at e_entry', () => {
    const m = createMachine();
    const k = m.loadMultiboot(modes);
    const dv = new DataView(modes.buffer, modes.byteOffset);
    const phoff = dv.getUint32(28, true);
    const phnum = dv.getUint16(44, true);
    let checked = 0;
    for (let i = 0; i < phnum; i++) {
      const p = phoff + i * 32;
      if (dv.getUint32(p, true) !== 1 || dv.getUint32(p + 16, true) === 0) continue;
      const off = dv.getUint32(p + 4, true);
      const paddr = dv.getUint32(p + 12, true);
      const filesz = dv.getUint32(p + 16, true);
      expect(Array.from(m.readMemory(paddr, filesz))).toEqual(Array.from(modes.subarray(off, off + filesz)));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2); // .text and the real-mode code stored after it
    expect(m.getRegisters().rip).toBe(BigInt(dv.getUint32(24, true)));
    expect(k.header.flags & 0x10000).toBe(0);
  });

  it('refuses an x86-64 ELF without a.out kludge addresses, as QEMU does', () => {
    const elf = new Uint8Array(8192);
    elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    new DataView(elf.buffer).setUint16(18, 62, true);
    elf.set(mbHeader(3), 64);
    expect(() => createMachine().loadMultiboot(elf)).toThrow(/x86-64 ELF/);
  });
});

describe('loadBare', () => {
  it('identity-maps the low 4 GiB with 2 MiB pages and enters 64-bit mode', () => {
    const m = createMachine({ memory: '64M' });
    const prog = new Uint8Array([0x90, 0x90, 0xf4]);
    m.loadBare(prog, 0x200000, 0x200001);
    const r = m.getRegisters();
    expect(r.rip).toBe(0x200001n);
    expect(r.codeBits).toBe(64);
    expect(r.rsp).toBe(0x9f000n);
    expect(r.cr3).toBe(BigInt(BARE_PML4));
    expect(Number(r.efer) & 0x500).toBe(0x500);
    expect(Array.from(m.readMemory(0x200000, 3))).toEqual([0x90, 0x90, 0xf4]);
    // The CPU's own page walk over the loader's tables: linear == physical everywhere in RAM.
    m.writeMemory(0x3ff_fff0, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]));
    for (const a of [0x0, 0x1000, 0x200000, 0x3ff_fff0, 0x1234567]) {
      expect(Array.from(m.readLinear(a, 16))).toEqual(Array.from(m.readMemory(a, 16)));
    }
  });

  it('rejects loads over its tables or outside RAM', () => {
    const m = createMachine({ memory: '16M' });
    expect(() => m.loadBare(new Uint8Array(16), 0x3000, 0x3000)).toThrow(/overlaps the loader's tables/);
    expect(() => m.loadBare(new Uint8Array(16), 0x2000000, 0x2000000)).toThrow(/not in RAM/);
  });
});
