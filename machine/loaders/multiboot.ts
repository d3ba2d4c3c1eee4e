// Multiboot v1 loader (Multiboot Specification 0.6.96 §3.1 OS image format, §3.2 machine state, §3.3 boot
// information), matching what `qemu-system-x86_64 -kernel` accepts: ELF32 via program headers, or any image via
// the a.out kludge addresses; ELF64 only with the kludge.
import { UserError } from '../errors.js';
import { parseElf, isElf, EM_X86_64 } from './elf.js';
import type { PhysMemory } from '../memory/phys.js';
import { HIGH_RAM_BASE } from '../memory/phys.js';
import { EntryState, DESC_NULL, DESC_CODE32, DESC_DATA32, DESC_CODE16, DESC_DATA16 } from './entry.js';
import { Cr0 } from '../cpu/state.js';

export const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
const HEADER_SEARCH = 8192;
const FLAG_AOUT_KLUDGE = 1 << 16;
const FLAG_VIDEO_MODE = 1 << 2;

/** Where the loader puts its own structures (documented in docs/architecture.md). */
export const MB_GDT_ADDR = 0x500; // flat GDT: 0x08 code32, 0x10 data32, 0x18 code16, 0x20 data16
export const MB_STACK_TOP = 0x7c00; // ESP at entry (the spec leaves ESP undefined; the OS must set its own)

/** Boot information flags we provide (§3.3): mem_*, cmdline, mods (none), mmap, boot_loader_name. */
export const MBI_FLAGS = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9);
export const BOOT_LOADER_NAME = 'bmjit';

export const enum E820 {
  Ram = 1,
  Reserved = 2,
  Acpi = 3,
  Nvs = 4,
}

export interface MemoryRange {
  base: number;
  length: number;
  type: E820;
}

export interface MultibootHeader {
  offset: number; // file offset of the magic
  flags: number;
  headerAddr: number;
  loadAddr: number;
  loadEndAddr: number;
  bssEndAddr: number;
  entryAddr: number;
}

export interface LoadedKernel {
  entry: EntryState;
  /** Physical address of the Multiboot information structure (EBX at entry). */
  infoAddr: number;
  /** [start, end) of the loaded image including bss. */
  imageStart: number;
  imageEnd: number;
  header: MultibootHeader;
  warnings: string[];
}

/** Find the Multiboot header: 4-byte aligned, entirely inside the first 8192 bytes, with a valid checksum. */
export function findMultibootHeader(bytes: Uint8Array): MultibootHeader | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const limit = Math.min(bytes.length - 12, HEADER_SEARCH - 48);
  for (let i = 0; i <= limit; i += 4) {
    if (dv.getUint32(i, true) !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = dv.getUint32(i + 4, true);
    const sum = (MULTIBOOT_HEADER_MAGIC + flags + dv.getUint32(i + 8, true)) >>> 0;
    if (sum !== 0) continue;
    const field = (k: number) => (i + k + 4 <= bytes.length ? dv.getUint32(i + k, true) : 0);
    return {
      offset: i,
      flags,
      headerAddr: field(12),
      loadAddr: field(16),
      loadEndAddr: field(20),
      bssEndAddr: field(24),
      entryAddr: field(28),
    };
  }
  return undefined;
}

/** The e820-style map the machine reports (RAM below the PCI hole and above 4 GiB, legacy holes reserved). */
export function memoryMap(ram: PhysMemory, extraReserved: readonly MemoryRange[] = []): MemoryRange[] {
  const map: MemoryRange[] = [
    { base: 0, length: 0x9fc00, type: E820.Ram },
    { base: 0x9fc00, length: 0x400, type: E820.Reserved }, // EBDA
    { base: 0xf0000, length: 0x10000, type: E820.Reserved }, // BIOS area (ACPI RSDP search range)
    { base: 0x100000, length: ram.lowSize - 0x100000, type: E820.Ram },
  ];
  map.push(...extraReserved);
  if (ram.size > ram.lowSize) map.push({ base: HIGH_RAM_BASE, length: ram.size - ram.lowSize, type: E820.Ram });
  return map.sort((a, b) => a.base - b.base);
}

function put32(u8: Uint8Array, off: number, v: number): void {
  new DataView(u8.buffer, u8.byteOffset).setUint32(off, v >>> 0, true);
}

function put64(u8: Uint8Array, off: number, v: number): void {
  const dv = new DataView(u8.buffer, u8.byteOffset);
  dv.setUint32(off, v >>> 0, true);
  dv.setUint32(off + 4, Math.floor(v / 4294967296), true);
}

function checkRam(ram: PhysMemory, start: number, end: number, what: string): void {
  if (end > 0x1_0000_0000) throw new UserError(`${what} [0x${start.toString(16)}, 0x${end.toString(16)}) is above 4 GiB`);
  if (start < 0x500 || end > ram.lowSize || (start < 0x100000 && end > 0x9fc00)) {
    throw new UserError(`${what} [0x${start.toString(16)}, 0x${end.toString(16)}) is not in usable RAM (RAM ends at 0x${ram.lowSize.toString(16)})`);
  }
}

/**
 * Load a Multiboot v1 kernel into RAM and return the entry state. `cmdline` is passed verbatim (QEMU passes
 * "<kernel path> <append>"). `name` is used in error messages.
 */
export function loadMultiboot(ram: PhysMemory, bytes: Uint8Array, cmdline = '', name = 'kernel', extraReserved: readonly MemoryRange[] = []): LoadedKernel {
  const h = findMultibootHeader(bytes);
  if (h === undefined) throw new UserError(`${name}: no Multiboot header in the first 8192 bytes`);
  const warnings: string[] = [];
  if (h.flags & FLAG_VIDEO_MODE) warnings.push('the kernel asks for a video mode; none is set (text mode, as with QEMU)');
  let imageStart: number;
  let imageEnd: number;
  let entryAddr: number;
  const chunks: Array<{ addr: number; data: Uint8Array; memSize: number }> = [];
  if (h.flags & FLAG_AOUT_KLUDGE) {
    if (h.headerAddr < h.loadAddr) throw new UserError(`${name}: Multiboot header_addr is below load_addr`);
    if (h.headerAddr - h.loadAddr > h.offset) throw new UserError(`${name}: Multiboot header_addr/load_addr do not match the header's file offset`);
    const textOffset = h.offset - (h.headerAddr - h.loadAddr);
    let loadSize: number;
    if (h.loadEndAddr !== 0) {
      if (h.loadEndAddr < h.loadAddr) throw new UserError(`${name}: Multiboot load_end_addr is below load_addr`);
      loadSize = h.loadEndAddr - h.loadAddr;
    } else loadSize = bytes.length - textOffset;
    if (textOffset + loadSize > bytes.length) throw new UserError(`${name}: load_end_addr is past the end of the file`);
    let memSize = loadSize;
    if (h.bssEndAddr !== 0) {
      if (h.bssEndAddr < h.loadAddr + loadSize) throw new UserError(`${name}: Multiboot bss_end_addr is below load_end_addr`);
      memSize = h.bssEndAddr - h.loadAddr;
    }
    imageStart = h.loadAddr;
    imageEnd = h.loadAddr + memSize;
    entryAddr = h.entryAddr;
    chunks.push({ addr: h.loadAddr, data: bytes.subarray(textOffset, textOffset + loadSize), memSize });
  } else {
    if (!isElf(bytes)) throw new UserError(`${name}: the Multiboot header has no a.out kludge addresses and the file is not an ELF image`);
    const elf = parseElf(bytes, name);
    if (elf.machine === EM_X86_64 || elf.bits === 64) {
      throw new UserError(`${name}: cannot load an x86-64 ELF image without Multiboot a.out kludge addresses (give a 32-bit one, as QEMU requires)`);
    }
    if (elf.segments.length === 0) throw new UserError(`${name}: the ELF image has no loadable segments`);
    imageStart = Math.min(...elf.segments.map((s) => s.paddr));
    imageEnd = Math.max(...elf.segments.map((s) => s.paddr + s.memSize));
    entryAddr = elf.entry;
    for (const s of elf.segments) chunks.push({ addr: s.paddr, data: s.data, memSize: s.memSize });
  }
  checkRam(ram, imageStart, imageEnd, `${name}: kernel image`);
  for (const c of chunks) {
    ram.writeBytes(c.addr, c.data);
    if (c.memSize > c.data.length) ram.writeBytes(c.addr + c.data.length, new Uint8Array(c.memSize - c.data.length));
  }

  // Boot information after the image, page aligned (as QEMU places it): MBI, mmap, cmdline, loader name.
  const map = memoryMap(ram, extraReserved);
  const enc = new TextEncoder();
  const cmd = enc.encode(cmdline + '\0');
  const loaderName = enc.encode(BOOT_LOADER_NAME + '\0');
  const infoAddr = Math.ceil(imageEnd / 4096) * 4096;
  const mbiSize = 0x80;
  const mmapAddr = infoAddr + mbiSize;
  const mmapLen = map.length * 24;
  const cmdAddr = mmapAddr + mmapLen;
  const nameAddr = cmdAddr + cmd.length;
  const infoEnd = nameAddr + loaderName.length;
  checkRam(ram, infoAddr, infoEnd, `${name}: Multiboot information`);
  const info = new Uint8Array(infoEnd - infoAddr);
  put32(info, 0, MBI_FLAGS);
  put32(info, 4, 640); // mem_lower in KiB (QEMU reports 640)
  put32(info, 8, Math.floor(ram.lowSize / 1024) - 1024); // mem_upper: KiB from 1 MiB to the first hole
  put32(info, 16, cmdAddr);
  put32(info, 20, 0); // mods_count
  put32(info, 24, mmapAddr); // mods_addr (no modules)
  put32(info, 44, mmapLen);
  put32(info, 48, mmapAddr);
  put32(info, 64, nameAddr);
  map.forEach((r, i) => {
    const o = mbiSize + i * 24;
    put32(info, o, 20); // size of the entry, not counting this field
    put64(info, o + 4, r.base);
    put64(info, o + 12, r.length);
    put32(info, o + 20, r.type);
  });
  info.set(cmd, cmdAddr - infoAddr);
  info.set(loaderName, nameAddr - infoAddr);
  ram.writeBytes(infoAddr, info);

  // A flat GDT so the kernel may reload the selectors it entered with before installing its own.
  const gdt = new Uint8Array(40);
  const gdv = new DataView(gdt.buffer);
  [DESC_NULL, DESC_CODE32, DESC_DATA32, DESC_CODE16, DESC_DATA16].forEach((d, i) => gdv.setBigUint64(i * 8, d, true));
  if (imageStart < MB_STACK_TOP && imageEnd > MB_GDT_ADDR) {
    throw new UserError(`${name}: the kernel image overlaps the loader's area [0x${MB_GDT_ADDR.toString(16)}, 0x${MB_STACK_TOP.toString(16)})`);
  }
  ram.writeBytes(MB_GDT_ADDR, gdt);

  return {
    entry: {
      mode: 'protected32',
      rip: entryAddr,
      gprs: { 0: MULTIBOOT_BOOTLOADER_MAGIC, 3: infoAddr, 4: MB_STACK_TOP },
      cs: 0x08,
      ds: 0x10,
      gdtBase: MB_GDT_ADDR,
      gdtLimit: gdt.length - 1,
      cr0: Cr0.PE | Cr0.ET, // paging off; QEMU's option ROM also leaves CD/NW as after reset, which we do not model
      cr3: 0,
      cr4: 0,
      efer: 0,
      rflags: 0x2, // IF=0, VM=0 (§3.2)
    },
    infoAddr,
    imageStart,
    imageEnd,
    header: h,
    warnings,
  };
}
