// BareMetal boot image loader, emulator side of the 64-bit "UEFI-style" entry (docs/boot-protocol.md; the image
// header is firmware/abi/abi.json group "image"): image at its load address, Multiboot v1 information (§3.3) with a
// memory map, identity paging of 0-4 GiB (SDM Vol. 3 §4.5, 2 MiB pages), flat GDT, long mode, EAX = 0x2BADB002,
// RBX = information pointer, interrupts off. Also: recognising a BareMetal kernel and replacing image sections.
import { UserError } from '../errors.js';
import type { PhysMemory } from '../memory/phys.js';
import { EntryState, DESC_NULL, DESC_CODE64, DESC_DATA32 } from './entry.js';
import { memoryMap, MemoryRange, BOOT_LOADER_NAME } from './multiboot.js';
import { Cr0, Cr4, Efer } from '../cpu/state.js';
import * as abi from '../abi.js';

/**
 * Where the emulator puts its hand-off structures: 0x80000-0x87FFF. The loader writes nothing there before it has
 * left these page tables for its own (first thing after its GDT copy to 0x1000) and parsed the information
 * structure; afterwards the range is ordinary RAM (the loader's final page directories cover it).
 */
export const BM_GDT = 0x80000; // null, 0x08 64-bit code, 0x10 data
export const BM_PML4 = 0x81000;
export const BM_PDPT = 0x82000;
export const BM_PD = 0x83000; // four page directories, one per GiB: 0x83000-0x86FFF
export const BM_INFO = 0x87000; // Multiboot information (0x80 bytes), then the memory map and the loader name
export const BM_AREA_END = 0x88000;
/** RSP at entry (the loader's far return pushes 16 bytes before it switches to its own stack). */
export const BM_STACK_TOP = 0x80000;

const PAGE_2M_FLAGS = abi.PAGE_2M_FLAGS; // present, writable, 2 MiB page
const MBI_SIZE = 0x80;
const MBI_FLAG_LOADER_NAME = 1 << 9;
const SIGNATURE = new TextEncoder().encode(abi.KERNEL_SIGNATURE);
const SECTION_COUNT = 4;

export interface ImageSection {
  offset: number;
  size: number;
  dest: number;
}

/** A parsed build/bmjit.img (or any image in that format). */
export interface BootImage {
  bytes: Uint8Array;
  size: number;
  /** File offsets of the Multiboot (32-bit) and 64-bit entries. */
  entry32: number;
  entry64: number;
  /** Loader, kernel, payload, program bundle (abi IMG_SECT_*). */
  sections: ImageSection[];
}

const u32 = (b: Uint8Array, off: number): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);

function setU32(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(off, v >>> 0, true);
}

function setU64(b: Uint8Array, off: number, v: number): void {
  setU32(b, off, v % 4294967296);
  setU32(b, off + 4, Math.floor(v / 4294967296));
}

export function isBootImage(bytes: Uint8Array): boolean {
  if (bytes.length < abi.IMG_HEADER_SIZE) return false;
  for (let i = 0; i < abi.IMG_MAGIC.length; i++) if (bytes[abi.IMG_HDR_MAGIC + i] !== abi.IMG_MAGIC.charCodeAt(i)) return false;
  return true;
}

/** Validate the image header and section table; every problem is a one-line UserError naming `name`. */
export function parseBootImage(bytes: Uint8Array, name = 'boot image'): BootImage {
  if (!isBootImage(bytes)) throw new UserError(`${name}: not a bmjit boot image (no ${abi.IMG_MAGIC} header)`);
  const version = u32(bytes, abi.IMG_HDR_VERSION);
  if (version !== abi.IMG_FORMAT_VERSION) throw new UserError(`${name}: image format version ${version}, expected ${abi.IMG_FORMAT_VERSION} (rebuild with npm run build:guest)`);
  const size = u32(bytes, abi.IMG_HDR_IMAGE_SIZE);
  if (size > bytes.length || size < abi.IMG_LOADER_OFFSET) throw new UserError(`${name}: header says ${size} bytes, the file has ${bytes.length}`);
  if (u32(bytes, abi.IMG_HDR_LOAD_ADDRESS) !== abi.IMG_LOAD_ADDRESS) {
    throw new UserError(`${name}: load address 0x${u32(bytes, abi.IMG_HDR_LOAD_ADDRESS).toString(16)}, expected 0x${abi.IMG_LOAD_ADDRESS.toString(16)}`);
  }
  const entry32 = u32(bytes, abi.IMG_HDR_ENTRY32);
  const entry64 = u32(bytes, abi.IMG_HDR_ENTRY64);
  const sections: ImageSection[] = [];
  for (let i = 0; i < SECTION_COUNT; i++) {
    const rec = abi.IMG_HDR_SECTIONS + i * abi.IMG_SECT_RECORD_SIZE;
    const s = { offset: u32(bytes, rec + abi.IMG_SECT_OFFSET), size: u32(bytes, rec + abi.IMG_SECT_SIZE), dest: u32(bytes, rec + abi.IMG_SECT_DEST) };
    if (s.size > 0 && s.offset + s.size > size) throw new UserError(`${name}: section ${i} [${s.offset}, +${s.size}) is outside the image`);
    sections.push(s);
  }
  const loader = sections[abi.IMG_SECT_LOADER];
  if (loader.offset !== abi.IMG_LOADER_OFFSET || loader.size === 0) throw new UserError(`${name}: the loader section must start at file offset 0x${abi.IMG_LOADER_OFFSET.toString(16)}`);
  for (const [what, off] of [['64-bit', entry64], ['Multiboot', entry32]] as const) {
    if (off < loader.offset || off >= loader.offset + loader.size) throw new UserError(`${name}: the ${what} entry (file offset 0x${off.toString(16)}) is not in the loader`);
  }
  return { bytes, size, entry32, entry64, sections };
}

/**
 * A BareMetal kernel: a flat 64-bit binary that starts with a jump (EB rel8 or E9 rel32) over the ASCII signature
 * BAREMETAL (at offset 3 in ours: EB xx 90; upstream places it right after its jump too).
 */
export function isBareMetalKernel(bytes: Uint8Array): boolean {
  if (bytes.length < 16 || (bytes[0] !== 0xeb && bytes[0] !== 0xe9)) return false;
  const first = bytes[0] === 0xeb ? 2 : 5;
  for (let at = first; at <= first + 1; at++) {
    let ok = true;
    for (let i = 0; i < SIGNATURE.length && ok; i++) ok = bytes[at + i] === SIGNATURE[i];
    if (ok) return true;
  }
  return false;
}

export interface SectionReplacements {
  kernel?: Uint8Array;
  kernelName?: string;
  payload?: Uint8Array;
  payloadName?: string;
}

/**
 * A copy of `img` whose kernel and/or payload sections hold other bytes: the replacements are appended at aligned
 * offsets and the section table (and the Multiboot load_end_addr) updated; the loader code is untouched.
 */
export function replaceSections(img: BootImage, r: SectionReplacements): Uint8Array {
  const parts: Array<[number, Uint8Array, number, string]> = [];
  if (r.kernel !== undefined) {
    const n = r.kernelName ?? 'kernel';
    if (!isBareMetalKernel(r.kernel)) throw new UserError(`${n}: not a BareMetal kernel (it must start with a jump over the signature ${abi.KERNEL_SIGNATURE})`);
    parts.push([abi.IMG_SECT_KERNEL, r.kernel, abi.KERNEL_MAX_SIZE, n]);
  }
  if (r.payload !== undefined) parts.push([abi.IMG_SECT_PAYLOAD, r.payload, abi.PAYLOAD_MAX_SIZE, r.payloadName ?? 'payload']);
  for (const [, data, max, n] of parts) {
    if (data.length === 0) throw new UserError(`${n} is empty`);
    if (data.length > max) throw new UserError(`${n} is ${data.length} bytes; at most ${max} (0x${max.toString(16)}) fit at its load address`);
  }
  const up = (n: number) => Math.ceil(n / abi.IMG_ALIGN) * abi.IMG_ALIGN;
  let size = up(img.size);
  const placed = parts.map(([idx, data]) => {
    const at = size;
    size = up(at + data.length);
    return { idx, data, at };
  });
  const out = new Uint8Array(size);
  out.set(img.bytes.subarray(0, img.size));
  for (const p of placed) {
    out.set(p.data, p.at);
    const rec = abi.IMG_HDR_SECTIONS + p.idx * abi.IMG_SECT_RECORD_SIZE;
    setU32(out, rec + abi.IMG_SECT_OFFSET, p.at);
    setU32(out, rec + abi.IMG_SECT_SIZE, p.data.length);
  }
  setU32(out, abi.IMG_HDR_IMAGE_SIZE, size);
  setU32(out, abi.IMG_HDR_MULTIBOOT + 20, abi.IMG_LOAD_ADDRESS + size); // load_end_addr of the a.out kludge
  return out;
}

export interface BareMetalBoot {
  entry: EntryState;
  /** Physical address of the Multiboot information structure (RBX at entry). */
  infoAddr: number;
  /** [IMG_LOAD_ADDRESS, imageEnd) holds the image. */
  imageEnd: number;
  image: BootImage;
}

/**
 * Put `bytes` (a boot image) at its load address and build the hand-off structures; returns the 64-bit entry state
 * for the bootstrap processor. RAM must be freshly reset (the caller resets the machine first).
 */
export function loadBareMetal(ram: PhysMemory, bytes: Uint8Array, extraReserved: readonly MemoryRange[] = [], name = 'boot image'): BareMetalBoot {
  const image = parseBootImage(bytes, name);
  const imageEnd = abi.IMG_LOAD_ADDRESS + image.size;
  // The loader refuses less than 6 MiB of usable RAM (programs live from PROGRAM_PHYS_ADDRESS up): say so here.
  const need = Math.max(imageEnd, abi.PROGRAM_PHYS_ADDRESS + 0x200000);
  if (ram.lowSize < need) throw new UserError(`the BareMetal system needs at least ${Math.ceil(need / 0x100000)} MiB of RAM (this machine has ${ram.size / 0x100000} MiB)`);
  ram.writeBytes(abi.IMG_LOAD_ADDRESS, bytes.subarray(0, image.size));

  const area = new Uint8Array(BM_AREA_END - BM_GDT);
  const at = (phys: number) => phys - BM_GDT;
  const dv = new DataView(area.buffer);
  [DESC_NULL, DESC_CODE64, DESC_DATA32].forEach((d, i) => dv.setBigUint64(at(BM_GDT) + i * 8, d, true));
  setU32(area, at(BM_PML4), BM_PDPT | 3);
  for (let g = 0; g < 4; g++) {
    setU32(area, at(BM_PDPT) + g * 8, (BM_PD + g * 0x1000) | 3);
    for (let e = 0; e < 512; e++) setU64(area, at(BM_PD) + g * 0x1000 + e * 8, g * 0x4000_0000 + e * 0x20_0000 + PAGE_2M_FLAGS);
  }

  // Multiboot v1 information: mem_lower/mem_upper, memory map, boot loader name.
  const map = memoryMap(ram, extraReserved);
  const mmapAddr = BM_INFO + MBI_SIZE;
  const nameAddr = mmapAddr + map.length * 24;
  const loaderName = new TextEncoder().encode(BOOT_LOADER_NAME + '\0');
  if (nameAddr + loaderName.length > BM_AREA_END) throw new UserError(`the memory map has too many entries (${map.length})`);
  const info = at(BM_INFO);
  setU32(area, info + abi.MBI_FLAGS, abi.MBI_FLAG_MEM | abi.MBI_FLAG_MMAP | MBI_FLAG_LOADER_NAME);
  setU32(area, info + abi.MBI_MEM_LOWER, 640);
  setU32(area, info + abi.MBI_MEM_UPPER, Math.floor(ram.lowSize / 1024) - 1024);
  setU32(area, info + abi.MBI_MMAP_LENGTH, map.length * 24);
  setU32(area, info + abi.MBI_MMAP_ADDR, mmapAddr);
  setU32(area, info + 64, nameAddr);
  map.forEach((r, i) => {
    const o = at(mmapAddr) + i * 24;
    setU32(area, o, 20); // entry size, not counting this field
    setU64(area, o + 4, r.base);
    setU64(area, o + 12, r.length);
    setU32(area, o + 20, r.type);
  });
  area.set(loaderName, at(nameAddr));
  ram.writeBytes(BM_GDT, area);

  return {
    entry: {
      mode: 'long64',
      rip: abi.IMG_LOAD_ADDRESS + image.entry64,
      gprs: { 0: abi.MULTIBOOT_BOOTLOADER_MAGIC, 3: BM_INFO, 4: BM_STACK_TOP },
      cs: 0x08,
      ds: 0x10,
      gdtBase: BM_GDT,
      gdtLimit: 3 * 8 - 1,
      cr0: (Cr0.PE | Cr0.MP | Cr0.ET | Cr0.NE | Cr0.WP | Cr0.PG) >>> 0,
      cr3: BM_PML4,
      cr4: Cr4.PAE | Cr4.OSFXSR | Cr4.OSXMMEXCPT,
      efer: Efer.LME | Efer.LMA,
      rflags: 0x2,
    },
    infoAddr: BM_INFO,
    imageEnd,
    image,
  };
}
