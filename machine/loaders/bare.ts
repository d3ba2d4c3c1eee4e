// Flat-binary boot path (`bmjit bare`): copy the image to RAM and enter it in 64-bit long mode with an identity map
// of the low 4 GiB in 2 MiB pages (SDM Vol. 3 §4.5 4-level paging, §9.8.5 initializing IA-32e mode).
import { UserError } from '../errors.js';
import type { PhysMemory } from '../memory/phys.js';
import { EntryState, DESC_NULL, DESC_CODE64, DESC_DATA32 } from './entry.js';
import { Cr0, Cr4, Efer } from '../cpu/state.js';

/** Fixed places of the structures the bare loader builds (documented in docs/architecture.md and the README). */
export const BARE_GDT = 0x1000; // null, 0x08 64-bit code, 0x10 data
export const BARE_PML4 = 0x2000;
export const BARE_PDPT = 0x3000;
export const BARE_PD = 0x4000; // four page directories, 0x4000..0x7FFF, one per GiB
export const BARE_AREA_END = 0x8000;
export const BARE_STACK_TOP = 0x9f000; // RSP at entry; grows down towards 0x8000

const PTE_P = 1, PTE_RW = 2, PTE_PS = 0x80;

export interface BareOptions {
  loadAddr: number;
  entry: number;
}

export function loadBare(ram: PhysMemory, bytes: Uint8Array, opts: BareOptions, name = 'image'): EntryState {
  const { loadAddr, entry } = opts;
  const end = loadAddr + bytes.length;
  if (bytes.length === 0) throw new UserError(`${name} is empty`);
  if (loadAddr < BARE_AREA_END && end > BARE_GDT) {
    throw new UserError(`${name}: load range [0x${loadAddr.toString(16)}, 0x${end.toString(16)}) overlaps the loader's tables at [0x1000, 0x8000)`);
  }
  if (ram.ramOffset(loadAddr) < 0 || ram.ramOffset(end - 1) < 0 || (loadAddr < ram.lowSize && end > ram.lowSize)) {
    throw new UserError(`${name}: load range [0x${loadAddr.toString(16)}, 0x${end.toString(16)}) is not in RAM`);
  }
  if (entry >= 0x1_0000_0000) throw new UserError(`entry 0x${entry.toString(16)} is outside the identity-mapped low 4 GiB`);
  ram.writeBytes(loadAddr, bytes);

  const tables = new Uint8Array(BARE_AREA_END - BARE_GDT);
  const dv = new DataView(tables.buffer);
  const at = (phys: number) => phys - BARE_GDT;
  [DESC_NULL, DESC_CODE64, DESC_DATA32].forEach((d, i) => dv.setBigUint64(at(BARE_GDT) + i * 8, d, true));
  dv.setUint32(at(BARE_PML4), BARE_PDPT | PTE_P | PTE_RW, true);
  for (let g = 0; g < 4; g++) {
    dv.setUint32(at(BARE_PDPT) + g * 8, (BARE_PD + g * 0x1000) | PTE_P | PTE_RW, true);
    for (let e = 0; e < 512; e++) {
      const phys = g * 0x4000_0000 + e * 0x20_0000;
      dv.setUint32(at(BARE_PD) + g * 0x1000 + e * 8, (phys | PTE_P | PTE_RW | PTE_PS) >>> 0, true);
    }
  }
  ram.writeBytes(BARE_GDT, tables);

  return {
    mode: 'long64',
    rip: entry,
    gprs: { 4: BARE_STACK_TOP },
    cs: 0x08,
    ds: 0x10,
    gdtBase: BARE_GDT,
    gdtLimit: 3 * 8 - 1,
    cr0: (Cr0.PE | Cr0.MP | Cr0.ET | Cr0.NE | Cr0.WP | Cr0.PG) >>> 0,
    cr3: BARE_PML4,
    cr4: Cr4.PAE | Cr4.PGE | Cr4.OSFXSR | Cr4.OSXMMEXCPT,
    efer: Efer.SCE | Efer.LME | Efer.LMA | Efer.NXE,
    rflags: 0x2,
  };
}
