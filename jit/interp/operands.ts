// Operand access for the interpreter (SDM Vol. 1 §3.7 operand addressing, §3.3.7 canonical addresses, Vol. 3 §5.3
// limit checking). Shared by every instruction family: registers by size, effective addresses, memory by size.
import { Instr, Operand, OpKind, RegClass, REG_NONE, REG_RIP } from '../decoder/instr.js';
import type { Cpu } from '../../machine/cpu/cpu.js';
import { CODE_BITS, RIP_F, SEG_BASE_F, SEG_LIMIT, SEG_ATTR } from '../../machine/cpu/state.js';
import { Vec } from '../../machine/cpu/fault.js';

const TWO32 = 4294967296;
const CANON = 140737488355328; // 2^47
const SAFE = 4503599627370496; // 2^52: doubles below this add exactly

// ---- general registers ---------------------------------------------------------------------------------------

/** Read GPR `r` (0..15) at `size` bytes, zero-extended; size 4 and 8 return int32 (for 8: low half; high in cpu.hi). */
export function getGpr(cpu: Cpu, r: number, size: number): number {
  const s = cpu.i32;
  switch (size) {
    case 1:
      return s[r << 1] & 0xff;
    case 2:
      return s[r << 1] & 0xffff;
    case 4:
      return s[r << 1];
    default:
      cpu.hi = s[(r << 1) | 1];
      return s[r << 1];
  }
}

/** Write GPR `r` at `size`: 8/16-bit writes merge, 32-bit writes zero the upper half, 64-bit writes take `hi`. */
export function setGpr(cpu: Cpu, r: number, size: number, v: number, hi = 0): void {
  const s = cpu.i32;
  const i = r << 1;
  switch (size) {
    case 1:
      s[i] = (s[i] & ~0xff) | (v & 0xff);
      return;
    case 2:
      s[i] = (s[i] & ~0xffff) | (v & 0xffff);
      return;
    case 4:
      s[i] = v;
      s[i | 1] = 0;
      return;
    default:
      s[i] = v;
      s[i | 1] = hi;
  }
}

/** AH/CH/DH/BH (reg 0..3). */
export function getGpr8Hi(cpu: Cpu, r: number): number {
  return (cpu.i32[r << 1] >>> 8) & 0xff;
}

export function setGpr8Hi(cpu: Cpu, r: number, v: number): void {
  const i = r << 1;
  cpu.i32[i] = (cpu.i32[i] & ~0xff00) | ((v & 0xff) << 8);
}

/** A register as a signed 64-bit number when that is exact (|value| < 2^52), else NaN. */
function regAsNumber(s: Int32Array, r: number): number {
  const hi = s[(r << 1) | 1];
  if (hi >= -0x100000 && hi < 0x100000) return hi * TWO32 + (s[r << 1] >>> 0);
  return NaN;
}

// ---- effective and linear addresses -------------------------------------------------------------------------

/**
 * Offset part of a memory operand (before the segment base), truncated to the address size. For 64-bit addressing
 * the result is the signed interpretation of the 64-bit sum (possibly non-canonical: the caller checks).
 */
export function effectiveOffset(cpu: Cpu, ins: Instr, o: Operand): number {
  const s = cpu.i32;
  const asize = ins.asize;
  if (asize === 8) {
    let sum: number;
    if (o.base === REG_RIP) sum = cpu.f64[RIP_F] + o.disp;
    else {
      // dispHi:disp is a 64-bit pair for moffs and for [disp32] without base or index (then dispHi sign-extends).
      sum = o.dispHi === 0 ? o.disp : o.dispHi * TWO32 + (o.disp >>> 0);
      if (o.base !== REG_NONE) sum += regAsNumber(s, o.base);
      if (o.index !== REG_NONE) sum += regAsNumber(s, o.index) * o.scale;
      if (!(sum > -SAFE && sum < SAFE)) return wideOffset(cpu, o);
    }
    return sum;
  }
  if (asize === 4) {
    let v = o.disp;
    if (o.base === REG_RIP) return (cpu.f64[RIP_F] + o.disp) % TWO32 >>> 0;
    if (o.base !== REG_NONE) v += s[o.base << 1];
    if (o.index !== REG_NONE) v += s[o.index << 1] * o.scale;
    return v >>> 0 === v ? v : (v % TWO32) >>> 0;
  }
  let v = o.disp;
  if (o.base !== REG_NONE) v += s[o.base << 1] & 0xffff;
  if (o.index !== REG_NONE) v += (s[o.index << 1] & 0xffff) * o.scale;
  return v & 0xffff;
}

/** Exact 64-bit address arithmetic in 32-bit halves for huge register values; returns the signed result. */
function wideOffset(cpu: Cpu, o: Operand): number {
  const s = cpu.i32;
  let lo = o.disp >>> 0;
  let hi = o.dispHi + (o.disp < 0 && o.dispHi === 0 ? -1 : 0);
  const add = (aLo: number, aHi: number): void => {
    const l = (lo >>> 0) + (aLo >>> 0);
    hi = (hi + aHi + (l >= TWO32 ? 1 : 0)) | 0;
    lo = l >>> 0;
  };
  if (o.base !== REG_NONE) add(s[o.base << 1], s[(o.base << 1) | 1]);
  if (o.index !== REG_NONE) {
    let iLo = s[o.index << 1];
    let iHi = s[(o.index << 1) | 1];
    for (let k = o.scale; k > 1; k >>= 1) {
      iHi = (iHi << 1) | (iLo >>> 31);
      iLo <<= 1;
    }
    add(iLo, iHi);
  }
  // Non-canonical results stay non-canonical in the returned number (it is only compared against the 2^47 bounds).
  if (hi >= -0x8000 && hi < 0x8000) return hi * TWO32 + lo;
  return hi < 0 ? -Infinity : Infinity;
}

/**
 * Linear address of `size` bytes at segment `seg`, offset `off` (SDM Vol. 3 §3.4, §5.3): 64-bit mode adds only the
 * FS/GS bases and checks canonical form; other modes check the segment limit and wrap at 4 GiB.
 */
export function linearAddress(cpu: Cpu, seg: number, off: number, size: number, write: boolean): number {
  if (cpu.i32[CODE_BITS] === 64) {
    const lin = seg >= 4 ? off + cpu.f64[SEG_BASE_F(seg)] : off;
    if (lin < -CANON || lin >= CANON || lin + size - 1 >= CANON) cpu.fault(seg === 2 ? Vec.SS : Vec.GP, 0);
    return lin;
  }
  return checkedSegment(cpu, seg, off, size, write);
}

/** Protected/real-mode segment checks (type, limit, expand-down) and 32-bit wrap. */
export function checkedSegment(cpu: Cpu, seg: number, off: number, size: number, write: boolean): number {
  const s = cpu.i32;
  const attr = s[SEG_ATTR(seg)];
  const limit = s[SEG_LIMIT(seg)] >>> 0;
  const last = off + size - 1;
  const type = attr & 0xf;
  if ((attr & 0x10) !== 0 && (type & 0xc) === 0x4) {
    // Expand-down data segment: valid offsets are (limit, 0xFFFF or 0xFFFFFFFF].
    const top = attr & 0x4000 ? 0xffffffff : 0xffff;
    if (off <= limit || last > top) cpu.fault(seg === 2 ? Vec.SS : Vec.GP, 0);
  } else if (last > limit) {
    cpu.fault(seg === 2 ? Vec.SS : Vec.GP, 0);
  }
  if (write && (attr & 0x18) === 0x18) cpu.fault(Vec.GP, 0); // code segments are never writable
  // Null or not-present segment. Real-mode and VM86 loads give every segment (CS included) attr 0x93, a present
  // writable data segment, so real mode passes these checks.
  if ((attr & 0x80) === 0) cpu.fault(seg === 2 ? Vec.SS : Vec.GP, 0);
  return (cpu.f64[SEG_BASE_F(seg)] + off) % TWO32 >>> 0;
}

/** Linear address of a memory operand. */
export function operandAddress(cpu: Cpu, ins: Instr, o: Operand, write: boolean): number {
  return linearAddress(cpu, ins.seg, effectiveOffset(cpu, ins, o), o.size || 1, write);
}

// ---- whole operands (GPR, memory, immediate) ------------------------------------------------------------------

/** Read an integer operand of size 1/2/4 (zero-extended; size 4 as int32) or 8 (low half; high in cpu.hi). */
export function readOp(cpu: Cpu, ins: Instr, o: Operand): number {
  const size = o.size;
  switch (o.kind) {
    case OpKind.Reg:
      if (o.rc === RegClass.Gpr) return getGpr(cpu, o.reg, size);
      if (o.rc === RegClass.Gpr8Hi) return getGpr8Hi(cpu, o.reg);
      throw new Error(`readOp: register class ${o.rc} is not an integer operand`);
    case OpKind.Mem: {
      const lin = operandAddress(cpu, ins, o, false);
      if (size === 4) return cpu.rd32(lin);
      if (size === 1) return cpu.rd8(lin);
      if (size === 2) return cpu.rd16(lin);
      return cpu.rd64(lin);
    }
    case OpKind.Imm:
      cpu.hi = o.immHi;
      return size === 1 ? o.imm & 0xff : size === 2 ? o.imm & 0xffff : o.imm;
    default:
      throw new Error(`readOp: operand kind ${o.kind}`);
  }
}

/** Write an integer operand; for size 8 `hi` is the high half. */
export function writeOp(cpu: Cpu, ins: Instr, o: Operand, v: number, hi = 0): void {
  if (o.kind === OpKind.Reg) {
    if (o.rc === RegClass.Gpr) setGpr(cpu, o.reg, o.size, v, hi);
    else setGpr8Hi(cpu, o.reg, v);
    return;
  }
  const lin = operandAddress(cpu, ins, o, true);
  writeMem(cpu, lin, o.size, v, hi);
}

export function readMem(cpu: Cpu, lin: number, size: number): number {
  if (size === 4) return cpu.rd32(lin);
  if (size === 1) return cpu.rd8(lin);
  if (size === 2) return cpu.rd16(lin);
  return cpu.rd64(lin);
}

export function writeMem(cpu: Cpu, lin: number, size: number, v: number, hi = 0): void {
  if (size === 4) cpu.wr32(lin, v);
  else if (size === 1) cpu.wr8(lin, v);
  else if (size === 2) cpu.wr16(lin, v);
  else cpu.wr64(lin, v, hi);
}
