// Segmentation (SDM Vol. 3 §3.4 segment selectors and descriptors, §3.5 system descriptors, §5.5-5.8 privilege
// checks; Vol. 2 MOV/POP Sreg pseudocode): descriptor fetch, segment-register loads, and the derived mode slots
// (CODE_BITS, STACK_SIZE, CPL) that every CS/SS/CR0/EFER change keeps in sync.
import { Cpu, Access } from './cpu.js';
import { CpuFault, Vec } from './fault.js';
import {
  CPL, CR0, EFER, CODE_BITS, STACK_SIZE, SEG_SEL, SEG_LIMIT, SEG_ATTR, SEG_BASE_F, GDTR_LIMIT, GDTR_BASE_F,
  SEG_LDTR, Cr0, Efer,
} from './state.js';

export const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

const TWO32 = 4294967296;

/** Attribute bits (descriptor high dword bits 8..23, shifted right by 8). */
export const enum Attr {
  Accessed = 0x1,
  Writable = 0x2, // data: writable; code: readable
  ExpandDown = 0x4, // data; code: conforming
  Code = 0x8,
  S = 0x10, // code/data (not system)
  P = 0x80,
  L = 0x2000,
  DB = 0x4000,
  G = 0x8000,
}

/** Attributes of a real-mode / freshly reset segment: present, writable, accessed data, DPL 0. */
export const REAL_ATTR = 0x93;

// ---- the last fetched descriptor (module scratch; callers copy what they need before fetching another) ----------
export let dLo = 0;
export let dHi = 0;
/** Upper 32 bits of the base of a 16-byte system descriptor (long mode). */
export let dBaseHi = 0;
/** Linear address of the last fetched descriptor (for the accessed / busy bits). */
export let dAddr = 0;

export const descBase = (lo: number, hi: number): number => ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
export function descLimit(lo: number, hi: number): number {
  const l = (lo & 0xffff) | (hi & 0xf0000);
  return (hi & 0x800000) !== 0 ? ((l << 12) | 0xfff) >>> 0 : l;
}
export const descAttr = (hi: number): number => (hi >>> 8) & 0xf0ff;
export const descDpl = (hi: number): number => (hi >>> 13) & 3;
export const descPresent = (hi: number): boolean => (hi & 0x8000) !== 0;
/** Descriptor type including the S bit: 0x10..0x1F code/data, 0x00..0x0F system. */
export const descType = (hi: number): number => (hi >>> 8) & 0x1f;

export const isLongMode = (cpu: Cpu): boolean => (cpu.i32[EFER] & Efer.LMA) !== 0;
export const is64 = (cpu: Cpu): boolean => cpu.i32[CODE_BITS] === 64;
export const isProtected = (cpu: Cpu): boolean => (cpu.i32[CR0] & Cr0.PE) !== 0;

// ---- implicit supervisor-mode memory accesses (descriptor tables, TSS, IDT) -----------------------------------

function sysLin(cpu: Cpu, lin: number): number {
  return (cpu.i32[EFER] & Efer.LMA) !== 0 ? lin : lin >>> 0 === lin ? lin : ((lin % TWO32) + TWO32) % TWO32;
}

export function sysRead32(cpu: Cpu, lin: number): number {
  return cpu.rdSlow(sysLin(cpu, lin), 4, true);
}

export function sysRead16(cpu: Cpu, lin: number): number {
  return cpu.rdSlow(sysLin(cpu, lin), 2, true);
}

/** Supervisor write of 1, 2 or 4 bytes (descriptor accessed/busy bits); page-straddling writes go byte by byte. */
export function sysWrite(cpu: Cpu, lin: number, size: number, v: number): void {
  lin = sysLin(cpu, lin);
  if ((lin & 0xfff) + size > 0x1000) {
    const p0 = cpu.mmu.translate(cpu, lin, Access.Write, true);
    const p1 = cpu.mmu.translate(cpu, lin + size - 1, Access.Write, true);
    const first = 0x1000 - (lin & 0xfff);
    for (let k = 0; k < size; k++) cpu.physWrite(k < first ? p0 + k : p1 + k - first, 1, (v >>> (8 * k)) & 0xff);
    return;
  }
  cpu.physWrite(cpu.mmu.translate(cpu, lin, Access.Write, true), size, v);
}

// ---- descriptor fetch -------------------------------------------------------------------------------------------

/**
 * Fetch the 8-byte descriptor for `sel` (GDT or LDT by TI) into dLo/dHi; with `wide` also the upper half of a
 * 16-byte system descriptor (dBaseHi; #GP(sel) when its type field is not 0). Returns false when the selector
 * points beyond the table limit (or at the LDT with no LDT loaded): the caller raises its own fault.
 */
export function fetchDescriptor(cpu: Cpu, sel: number, wide = false): boolean {
  const s = cpu.i32;
  const idx = sel & 0xfff8;
  let base: number, limit: number;
  if ((sel & 4) !== 0) {
    if ((s[SEG_ATTR(SEG_LDTR)] & Attr.P) === 0 || (s[SEG_SEL(SEG_LDTR)] & 0xfffc) === 0) return false;
    base = cpu.f64[SEG_BASE_F(SEG_LDTR)];
    limit = s[SEG_LIMIT(SEG_LDTR)] >>> 0;
  } else {
    base = cpu.f64[GDTR_BASE_F];
    limit = s[GDTR_LIMIT] & 0xffff;
  }
  if (idx + (wide ? 15 : 7) > limit) return false;
  dAddr = base + idx;
  dLo = sysRead32(cpu, dAddr);
  dHi = sysRead32(cpu, dAddr + 4);
  dBaseHi = 0;
  if (wide) {
    dBaseHi = sysRead32(cpu, dAddr + 8);
    const top = sysRead32(cpu, dAddr + 12);
    if ((top & 0x1f00) !== 0) throw new CpuFault(Vec.GP, sel & 0xfffc);
  }
  return true;
}

/** Set the accessed bit of the last fetched code/data descriptor if it is clear (a locked write on hardware). */
export function markAccessed(cpu: Cpu): void {
  if ((dHi & 0x100) === 0) {
    dHi |= 0x100;
    sysWrite(cpu, dAddr + 5, 1, (dHi >>> 8) & 0xff);
  }
}

// ---- segment-register cache ---------------------------------------------------------------------------------------

/** Load a segment register's hidden part from descriptor words. */
export function setSegmentCache(cpu: Cpu, seg: number, sel: number, lo: number, hi: number): void {
  const s = cpu.i32;
  s[SEG_SEL(seg)] = sel & 0xffff;
  cpu.f64[SEG_BASE_F(seg)] = descBase(lo, hi);
  s[SEG_LIMIT(seg)] = descLimit(lo, hi) | 0;
  s[SEG_ATTR(seg)] = descAttr(hi);
}

/** A null selector: unusable segment (accesses #GP outside 64-bit mode). Intel clears the base. */
export function setNullSegment(cpu: Cpu, seg: number, sel: number): void {
  const s = cpu.i32;
  s[SEG_SEL(seg)] = sel & 0xffff;
  cpu.f64[SEG_BASE_F(seg)] = 0;
  s[SEG_LIMIT(seg)] = 0;
  s[SEG_ATTR(seg)] = seg === SS ? (sel & 3) << 5 : 0;
}

/** Real-mode / VM86-style load: base = selector * 16; the limit is kept (so "unreal mode" works as on hardware). */
export function setRealSegment(cpu: Cpu, seg: number, sel: number): void {
  const s = cpu.i32;
  s[SEG_SEL(seg)] = sel & 0xffff;
  cpu.f64[SEG_BASE_F(seg)] = (sel & 0xffff) << 4;
  s[SEG_ATTR(seg)] = (s[SEG_ATTR(seg)] & (Attr.DB | Attr.G)) | REAL_ATTR;
  if (seg === CS) s[SEG_ATTR(seg)] = REAL_ATTR; // a real-mode CS load gives 16-bit code
}

/**
 * Recompute CODE_BITS and STACK_SIZE from CR0.PE, EFER.LMA, CS.L/D and SS.B (and CPL = 0 in real mode). Called
 * after every change to CS, SS, CR0 or EFER.
 */
export function updateModes(cpu: Cpu): void {
  const s = cpu.i32;
  if ((s[CR0] & Cr0.PE) === 0) {
    s[CODE_BITS] = 16;
    s[STACK_SIZE] = 2;
    if (s[CPL] !== 0) cpu.setCpl(0);
    return;
  }
  const cs = s[SEG_ATTR(CS)];
  if ((s[EFER] & Efer.LMA) !== 0 && (cs & Attr.L) !== 0) {
    s[CODE_BITS] = 64;
    s[STACK_SIZE] = 8;
  } else {
    s[CODE_BITS] = (cs & Attr.DB) !== 0 ? 32 : 16;
    s[STACK_SIZE] = (s[SEG_ATTR(SS)] & Attr.DB) !== 0 ? 4 : 2;
  }
}

/** Load CS from descriptor words at privilege `cpl` (selector RPL becomes CPL), then update the derived slots. */
export function loadCs(cpu: Cpu, sel: number, lo: number, hi: number, cpl: number): void {
  setSegmentCache(cpu, CS, (sel & 0xfffc) | cpl, lo, hi);
  if (cpu.i32[CPL] !== cpl) cpu.setCpl(cpl);
  updateModes(cpu);
}

// ---- MOV/POP Sreg, LDS..LGS -----------------------------------------------------------------------------------------

/**
 * Load data/stack segment register `seg` (ES, SS, DS, FS, GS) with `selector`, as MOV Sreg, POP Sreg and LDS/LES/
 * LFS/LGS/LSS do, with every protected-mode check (SDM Vol. 2 MOV). Throws CpuFault (#GP/#SS/#NP with the
 * selector as error code) before changing anything. The caller handles the MOV SS / POP SS interrupt shadow.
 */
export function loadSegment(cpu: Cpu, seg: number, selector: number): void {
  const s = cpu.i32;
  const sel = selector & 0xffff;
  if (seg === CS) throw new CpuFault(Vec.UD, -1, 'CS cannot be loaded by a data-segment load');
  if ((s[CR0] & Cr0.PE) === 0) {
    setRealSegment(cpu, seg, sel);
    if (seg === SS) updateModes(cpu);
    return;
  }
  const cpl = s[CPL];
  const rpl = sel & 3;
  const err = sel & 0xfffc;
  if (seg === SS) {
    if ((sel & 0xfffc) === 0) {
      // Null SS: only in 64-bit mode at CPL < 3 with RPL = CPL.
      if (s[CODE_BITS] !== 64 || cpl === 3 || rpl !== cpl) throw new CpuFault(Vec.GP, 0);
      setNullSegment(cpu, SS, sel);
      return;
    }
    if (!fetchDescriptor(cpu, sel)) throw new CpuFault(Vec.GP, err);
    const t = descType(dHi);
    // Writable data segment (types 0x12/0x13/0x16/0x17) with RPL = DPL = CPL.
    if (rpl !== cpl || (t & 0x1a) !== 0x12 || descDpl(dHi) !== cpl) throw new CpuFault(Vec.GP, err);
    if (!descPresent(dHi)) throw new CpuFault(Vec.SS, err);
    markAccessed(cpu);
    setSegmentCache(cpu, SS, sel, dLo, dHi);
    updateModes(cpu);
    return;
  }
  if ((sel & 0xfffc) === 0) {
    setNullSegment(cpu, seg, sel);
    return;
  }
  if (!fetchDescriptor(cpu, sel)) throw new CpuFault(Vec.GP, err);
  const t = descType(dHi);
  // Data, or readable code.
  if ((t & 0x10) === 0 || (t & 0x1a) === 0x18) throw new CpuFault(Vec.GP, err);
  // Data and non-conforming code: RPL <= DPL and CPL <= DPL.
  if ((t & 0x1c) !== 0x1c) {
    const dpl = descDpl(dHi);
    if (rpl > dpl || cpl > dpl) throw new CpuFault(Vec.GP, err);
  }
  if (!descPresent(dHi)) throw new CpuFault(Vec.NP, err);
  markAccessed(cpu);
  setSegmentCache(cpu, seg, sel, dLo, dHi);
}

/**
 * After a return to an outer privilege level (RETF, IRET): data segment registers that the new CPL may not use are
 * nulled (SDM Vol. 2 RET "return to outer privilege level").
 */
export function nullInvalidDataSegments(cpu: Cpu): void {
  const s = cpu.i32;
  const cpl = s[CPL];
  for (const seg of [ES, DS, FS, GS]) {
    const a = s[SEG_ATTR(seg)];
    const isConformingCode = (a & 0x1c) === 0x1c;
    if ((a & Attr.S) === 0 || (!isConformingCode && ((a >>> 5) & 3) < cpl)) {
      if ((s[SEG_SEL(seg)] & 0xfffc) === 0 && (a & Attr.P) === 0) continue;
      // The selector is kept only for null; hardware loads a null selector here.
      setNullSegment(cpu, seg, 0);
    }
  }
}

/** Load a flat segment (base 0, limit 4 GiB) with fixed attributes: SYSCALL/SYSRET/SYSENTER/SYSEXIT (no GDT read). */
export function setFlatSegment(cpu: Cpu, seg: number, sel: number, attr: number): void {
  const s = cpu.i32;
  s[SEG_SEL(seg)] = sel & 0xffff;
  cpu.f64[SEG_BASE_F(seg)] = 0;
  s[SEG_LIMIT(seg)] = -1;
  s[SEG_ATTR(seg)] = attr;
}
