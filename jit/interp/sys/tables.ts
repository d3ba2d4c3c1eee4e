// Descriptor-table registers and selector inspection (SDM Vol. 2 LGDT/LIDT, SGDT/SIDT, LLDT, SLDT, LTR, STR,
// VERR/VERW, LAR, LSL, ARPL; Vol. 3 §3.5.1 system descriptor types, §7.2.2 TSS descriptor busy bit).
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr, Operand } from '../../decoder/instr.js';
import { OpKind } from '../../decoder/instr.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import {
  CODE_BITS, CPL, GDTR_BASE_F, GDTR_LIMIT, IDTR_BASE_F, IDTR_LIMIT, SEG_LDTR, SEG_TR, SEG_SEL, SEG_BASE_F,
  SEG_LIMIT, SEG_ATTR,
} from '../../../machine/cpu/state.js';
import {
  fetchDescriptor, dLo, dHi, dBaseHi, dAddr, descBase, descLimit, descAttr, descDpl, descPresent, descType,
  setNullSegment, sysWrite, isLongMode,
} from '../../../machine/cpu/segments.js';
import { Mn } from '../../decoder/tables.gen.js';
import { defineOp } from '../interpreter.js';
import { operandAddress, setGpr, writeOp } from '../operands.js';
import { requireCpl0, requireProtected, setZF, isCanonical, lo32, hi32, TWO32 } from './common.js';

// ---- GDTR / IDTR -----------------------------------------------------------------------------------------------

function loadTableRegister(cpu: Cpu, ins: Instr, baseIdx: number, limitIdx: number): void {
  requireCpl0(cpu);
  const lin = operandAddress(cpu, ins, ins.o0, false);
  const limit = cpu.rd16(lin);
  let base: number;
  if (cpu.i32[CODE_BITS] === 64) {
    const lo = cpu.rd64(lin + 2);
    base = cpu.hi * TWO32 + (lo >>> 0);
    if (!isCanonical(base)) throw new CpuFault(Vec.GP, 0);
  } else {
    base = cpu.rd32((lin + 2) % TWO32) >>> 0;
    if (ins.osize === 2) base &= 0xffffff;
  }
  cpu.i32[limitIdx] = limit;
  cpu.f64[baseIdx] = base;
}

function storeTableRegister(cpu: Cpu, ins: Instr, baseIdx: number, limitIdx: number): void {
  const lin = operandAddress(cpu, ins, ins.o0, true);
  const base = cpu.f64[baseIdx];
  const long = cpu.i32[CODE_BITS] === 64;
  cpu.probeWrite(lin, long ? 10 : 6);
  cpu.wr16(lin, cpu.i32[limitIdx]);
  // 16- and 32-bit operand sizes both store the full 32-bit base on current processors.
  if (long) cpu.wr64(lin + 2, lo32(base), hi32(base));
  else cpu.wr32((lin + 2) % TWO32, lo32(base));
}

defineOp(Mn.LGDT, (cpu, ins) => loadTableRegister(cpu, ins, GDTR_BASE_F, GDTR_LIMIT));
defineOp(Mn.LIDT, (cpu, ins) => loadTableRegister(cpu, ins, IDTR_BASE_F, IDTR_LIMIT));
defineOp(Mn.SGDT, (cpu, ins) => storeTableRegister(cpu, ins, GDTR_BASE_F, GDTR_LIMIT));
defineOp(Mn.SIDT, (cpu, ins) => storeTableRegister(cpu, ins, IDTR_BASE_F, IDTR_LIMIT));

// ---- LDTR / TR ---------------------------------------------------------------------------------------------------

/** 16-bit selector source operand (register low word or memory word). */
function selectorOf(cpu: Cpu, ins: Instr, o: Operand): number {
  if (o.kind === OpKind.Reg) return cpu.i32[o.reg << 1] & 0xffff;
  return cpu.rd16(operandAddress(cpu, ins, o, false));
}

/** Store a selector: 16 bits to memory, zero-extended to the operand size in a register. */
function storeSelector(cpu: Cpu, ins: Instr, sel: number): void {
  const o = ins.o0;
  if (o.kind === OpKind.Mem) writeOp(cpu, ins, o, sel);
  else setGpr(cpu, o.reg, o.size, sel & 0xffff, 0);
}

/** Base of the last fetched system descriptor (64 bits in long mode: #GP(sel) when not canonical). */
function systemBase(cpu: Cpu, sel: number): number {
  if (!isLongMode(cpu)) return descBase(dLo, dHi);
  const b = dBaseHi * TWO32 + descBase(dLo, dHi); // dBaseHi is signed: the sum is the canonical value if any
  if (!isCanonical(b)) throw new CpuFault(Vec.GP, sel & 0xfffc);
  return b;
}

defineOp(Mn.LLDT, (cpu, ins) => {
  requireProtected(cpu);
  requireCpl0(cpu);
  const sel = selectorOf(cpu, ins, ins.o0);
  if ((sel & 0xfffc) === 0) {
    setNullSegment(cpu, SEG_LDTR, sel);
    return;
  }
  const err = sel & 0xfffc;
  if ((sel & 4) !== 0 || !fetchDescriptor(cpu, sel, isLongMode(cpu))) throw new CpuFault(Vec.GP, err);
  if (descType(dHi) !== 0x02) throw new CpuFault(Vec.GP, err);
  if (!descPresent(dHi)) throw new CpuFault(Vec.NP, err);
  const base = systemBase(cpu, sel);
  const s = cpu.i32;
  s[SEG_SEL(SEG_LDTR)] = sel;
  cpu.f64[SEG_BASE_F(SEG_LDTR)] = base;
  s[SEG_LIMIT(SEG_LDTR)] = descLimit(dLo, dHi) | 0;
  s[SEG_ATTR(SEG_LDTR)] = descAttr(dHi);
});

defineOp(Mn.LTR, (cpu, ins) => {
  requireProtected(cpu);
  requireCpl0(cpu);
  const sel = selectorOf(cpu, ins, ins.o0);
  const err = sel & 0xfffc;
  if (err === 0) throw new CpuFault(Vec.GP, 0);
  const long = isLongMode(cpu);
  if ((sel & 4) !== 0 || !fetchDescriptor(cpu, sel, long)) throw new CpuFault(Vec.GP, err);
  const t = descType(dHi);
  // An available TSS: 32/64-bit (9) or, outside long mode, 16-bit (1).
  if (t !== 0x09 && (long || t !== 0x01)) throw new CpuFault(Vec.GP, err);
  if (!descPresent(dHi)) throw new CpuFault(Vec.NP, err);
  const base = systemBase(cpu, sel);
  const lo = dLo, hi = dHi | 0x200; // busy
  sysWrite(cpu, dAddr + 5, 1, (hi >>> 8) & 0xff);
  const s = cpu.i32;
  s[SEG_SEL(SEG_TR)] = sel;
  cpu.f64[SEG_BASE_F(SEG_TR)] = base;
  s[SEG_LIMIT(SEG_TR)] = descLimit(lo, hi) | 0;
  s[SEG_ATTR(SEG_TR)] = descAttr(hi);
});

defineOp(Mn.SLDT, (cpu, ins) => {
  requireProtected(cpu);
  storeSelector(cpu, ins, cpu.i32[SEG_SEL(SEG_LDTR)]);
});

defineOp(Mn.STR, (cpu, ins) => {
  requireProtected(cpu);
  storeSelector(cpu, ins, cpu.i32[SEG_SEL(SEG_TR)]);
});

// ---- selector inspection ----------------------------------------------------------------------------------------

/**
 * Fetch the descriptor for LAR/LSL/VERR/VERW and apply the common visibility rule: not null, inside its table, and
 * (unless conforming code) DPL >= max(CPL, RPL). Returns false when the instruction must report ZF = 0.
 */
function visible(cpu: Cpu, sel: number): boolean {
  if ((sel & 0xfffc) === 0 || !fetchDescriptor(cpu, sel)) return false;
  const conforming = (descType(dHi) & 0x1c) === 0x1c;
  const dpl = descDpl(dHi);
  return conforming || (dpl >= cpu.i32[CPL] && dpl >= (sel & 3));
}

// System descriptor types LAR / LSL accept (SDM Vol. 2 LAR, LSL tables).
const LAR_LEGACY = new Set([1, 2, 3, 4, 5, 9, 11, 12]);
const LAR_LONG = new Set([2, 9, 11, 12]);
const LSL_LEGACY = new Set([1, 2, 3, 9, 11]);
const LSL_LONG = new Set([2, 9, 11]);

defineOp(Mn.LAR, (cpu, ins) => {
  requireProtected(cpu);
  const sel = selectorOf(cpu, ins, ins.o1);
  let ok = visible(cpu, sel);
  if (ok && (descType(dHi) & 0x10) === 0) ok = (isLongMode(cpu) ? LAR_LONG : LAR_LEGACY).has(descType(dHi));
  if (ok) {
    const size = ins.o0.size;
    setGpr(cpu, ins.o0.reg, size, size === 2 ? dHi & 0xff00 : dHi & 0x00ffff00, 0);
  }
  setZF(cpu, ok);
});

defineOp(Mn.LSL, (cpu, ins) => {
  requireProtected(cpu);
  const sel = selectorOf(cpu, ins, ins.o1);
  let ok = visible(cpu, sel);
  if (ok && (descType(dHi) & 0x10) === 0) ok = (isLongMode(cpu) ? LSL_LONG : LSL_LEGACY).has(descType(dHi));
  if (ok) {
    const size = ins.o0.size;
    const limit = descLimit(dLo, dHi);
    setGpr(cpu, ins.o0.reg, size, size === 2 ? limit & 0xffff : limit | 0, 0);
  }
  setZF(cpu, ok);
});

defineOp(Mn.VERR, (cpu, ins) => {
  requireProtected(cpu);
  const sel = selectorOf(cpu, ins, ins.o0);
  // Readable: any data segment or readable code.
  setZF(cpu, visible(cpu, sel) && (descType(dHi) & 0x10) !== 0 && (descType(dHi) & 0x0a) !== 0x08);
});

defineOp(Mn.VERW, (cpu, ins) => {
  requireProtected(cpu);
  const sel = selectorOf(cpu, ins, ins.o0);
  // Writable data only.
  setZF(cpu, visible(cpu, sel) && (descType(dHi) & 0x1a) === 0x12);
});

defineOp(Mn.ARPL, (cpu, ins) => {
  requireProtected(cpu);
  const o = ins.o0;
  const lin = o.kind === OpKind.Mem ? operandAddress(cpu, ins, o, true) : 0;
  const dst = o.kind === OpKind.Mem ? cpu.rd16(lin) : cpu.i32[o.reg << 1] & 0xffff;
  const src = cpu.i32[ins.o1.reg << 1] & 3;
  if ((dst & 3) < src) {
    const v = (dst & ~3) | src;
    if (o.kind === OpKind.Mem) cpu.wr16(lin, v);
    else setGpr(cpu, o.reg, 2, v);
    setZF(cpu, true);
  } else setZF(cpu, false);
});
