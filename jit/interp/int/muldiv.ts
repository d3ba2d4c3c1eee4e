// Multiply and divide (SDM Vol. 2 MUL, IMUL (1/2/3 operands), DIV, IDIV) without BigInt: 32x32 products from 16-bit
// partial products, 64x64 from four 32x32, 128/64 division by 16-bit chunks (small divisors) or shift-subtract.
// Flags on the AMD reference host: MUL/IMUL set CF=OF and keep SF ZF AF PF; DIV/IDIV keep CF OF, set AF, clear
// SF ZF PF (measured; see flags.ts policy).
import { S } from '../slots.js';
import type { Cpu } from '../../../machine/cpu/cpu.js';
import { OpKind } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { Flag } from '../../../machine/cpu/state.js';
import { Vec } from '../../../machine/cpu/fault.js';
import { putFlags } from '../flags.js';
import { IntOp, readSrc, writeReg, TWO32 } from './common.js';

const AX = S.RAX << 1, DX = S.RDX << 1;
const CFOF = Flag.CF | Flag.OF;
const DIV_FLAGS = Flag.SF | Flag.ZF | Flag.PF | Flag.AF;

// Scratch results (no allocation): product words / quotient and remainder pairs.
let W0 = 0, W1 = 0, W2 = 0, W3 = 0;
let QLO = 0, QHI = 0, RLO = 0, RHI = 0;

/** Unsigned 32x32 -> 64: W0 (lo) and W1 (hi) as int32. a, b are taken as uint32. */
function mulU32(a: number, b: number): void {
  a >>>= 0;
  b >>>= 0;
  const t1 = (a & 0xffff) * b; // < 2^48
  const t2 = (a >>> 16) * b; // < 2^48
  const t2lo = t2 % 65536;
  const low = t2lo * 65536 + t1; // < 2^49, exact
  const lowHi = Math.floor(low / TWO32);
  W0 = (low - lowHi * TWO32) | 0;
  W1 = (Math.floor(t2 / 65536) + lowHi) | 0;
}

/** Unsigned 64x64 -> 128 into W0..W3. */
function mulU64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  mulU32(aLo, bLo);
  const p0l = W0 >>> 0, p0h = W1 >>> 0;
  mulU32(aLo, bHi);
  const p1l = W0 >>> 0, p1h = W1 >>> 0;
  mulU32(aHi, bLo);
  const p2l = W0 >>> 0, p2h = W1 >>> 0;
  mulU32(aHi, bHi);
  const p3l = W0 >>> 0, p3h = W1 >>> 0;
  const s1 = p0h + p1l + p2l;
  const c1 = Math.floor(s1 / TWO32);
  const s2 = p1h + p2h + p3l + c1;
  const c2 = Math.floor(s2 / TWO32);
  W0 = p0l | 0;
  W1 = s1 | 0;
  W2 = s2 | 0;
  W3 = (p3h + c2) | 0;
}

/** Signed 64x64 -> 128 into W0..W3 (unsigned product, high half corrected for negative operands). */
function mulS64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  mulU64(aLo, aHi, bLo, bHi);
  let h0 = W2 >>> 0, h1 = W3;
  if (aHi < 0) {
    const t = h0 - (bLo >>> 0);
    h1 = (h1 - bHi - (t < 0 ? 1 : 0)) | 0;
    h0 = t >>> 0;
  }
  if (bHi < 0) {
    const t = h0 - (aLo >>> 0);
    h1 = (h1 - aHi - (t < 0 ? 1 : 0)) | 0;
    h0 = t >>> 0;
  }
  W2 = h0 | 0;
  W3 = h1;
}

/** (nHi:nLo) / d for uint32 words with nHi < d: quotient (uint32) in QLO, remainder in RLO. */
function divSmall(nHi: number, nLo: number, d: number): void {
  let t = nHi * 65536 + (nLo >>> 16);
  const q1 = Math.floor(t / d);
  t = (t - q1 * d) * 65536 + (nLo & 0xffff);
  const q0 = Math.floor(t / d);
  RLO = t - q0 * d;
  QLO = q1 * 65536 + q0;
}

/**
 * Unsigned 128/64 division (n3:n2:n1:n0 by dHi:dLo, all uint32 words). Returns false when the quotient does not fit
 * in 64 bits (or d = 0). Quotient in QLO/QHI, remainder in RLO/RHI (uint32 numbers).
 */
function divU128(n3: number, n2: number, n1: number, n0: number, dLo: number, dHi: number): boolean {
  if (dHi === 0) {
    if (dLo === 0 || n3 !== 0 || n2 >= dLo) return false;
    divSmall(n2, n1, dLo);
    const qh = QLO;
    divSmall(RLO, n0, dLo);
    QHI = qh;
    RHI = 0;
    return true;
  }
  // High 64 bits must be below the divisor.
  if (n3 > dHi || (n3 === dHi && n2 >= dLo)) return false;
  // Shift-subtract over the 64 low dividend bits (the slow path: 64-bit divisors only).
  let rh = n3, rl = n2, qh = 0, ql = 0;
  for (let i = 63; i >= 0; i--) {
    const bit = i >= 32 ? (n1 >>> (i - 32)) & 1 : (n0 >>> i) & 1;
    const out = rh >>> 31;
    rh = ((rh << 1) | (rl >>> 31)) >>> 0;
    rl = ((rl << 1) | bit) >>> 0;
    if (out !== 0 || rh > dHi || (rh === dHi && rl >= dLo)) {
      const t = rl - dLo;
      rh = (rh - dHi - (t < 0 ? 1 : 0)) >>> 0;
      rl = t >>> 0;
      if (i >= 32) qh |= 1 << (i - 32);
      else ql |= 1 << i;
    }
  }
  QLO = ql >>> 0;
  QHI = qh >>> 0;
  RLO = rl;
  RHI = rh;
  return true;
}

/** Negate a 128-bit value given as four uint32 words into W0..W3 (uint32). */
function neg128(a0: number, a1: number, a2: number, a3: number): void {
  let t = (~a0 >>> 0) + 1;
  W0 = t >>> 0;
  t = (~a1 >>> 0) + (t >= TWO32 ? 1 : 0);
  W1 = t >>> 0;
  t = (~a2 >>> 0) + (t >= TWO32 ? 1 : 0);
  W2 = t >>> 0;
  t = (~a3 >>> 0) + (t >= TWO32 ? 1 : 0);
  W3 = t >>> 0;
}

// ---- MUL / IMUL ------------------------------------------------------------------------------------------------

const mul: Handler = (cpu, ins) => {
  const size = ins.o0.size;
  const b = readSrc(cpu, ins, ins.o0, size);
  const bHi = cpu.hi;
  const s = cpu.i32;
  let ovf: boolean;
  if (size === 1) {
    const p = (s[AX] & 0xff) * b;
    s[AX] = (s[AX] & ~0xffff) | p;
    ovf = p > 0xff;
  } else if (size === 2) {
    const p = (s[AX] & 0xffff) * b;
    s[AX] = (s[AX] & ~0xffff) | (p & 0xffff);
    s[DX] = (s[DX] & ~0xffff) | (p >>> 16);
    ovf = p > 0xffff;
  } else if (size === 4) {
    mulU32(s[AX], b);
    s[AX] = W0;
    s[AX | 1] = 0;
    s[DX] = W1;
    s[DX | 1] = 0;
    ovf = W1 !== 0;
  } else {
    mulU64(s[AX], s[AX | 1], b, bHi);
    s[AX] = W0;
    s[AX | 1] = W1;
    s[DX] = W2;
    s[DX | 1] = W3;
    ovf = (W2 | W3) !== 0;
  }
  putFlags(s, CFOF, ovf ? CFOF : 0);
};

/** IMUL with one operand (RDX:RAX = RAX * src). */
function imul1(cpu: Cpu, size: number, b: number, bHi: number): void {
  const s = cpu.i32;
  let ovf: boolean;
  if (size === 1) {
    const p = ((s[AX] << 24) >> 24) * ((b << 24) >> 24);
    s[AX] = (s[AX] & ~0xffff) | (p & 0xffff);
    ovf = p !== (p << 24) >> 24;
  } else if (size === 2) {
    const p = ((s[AX] << 16) >> 16) * ((b << 16) >> 16);
    s[AX] = (s[AX] & ~0xffff) | (p & 0xffff);
    s[DX] = (s[DX] & ~0xffff) | ((p >> 16) & 0xffff);
    ovf = p !== (p << 16) >> 16;
  } else if (size === 4) {
    const a = s[AX];
    const lo = Math.imul(a, b);
    const p = a * b; // inexact beyond 2^53 but only compared against an int32
    mulU32(a, b);
    const hi = (W1 - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
    s[AX] = lo;
    s[AX | 1] = 0;
    s[DX] = hi;
    s[DX | 1] = 0;
    ovf = p !== lo;
  } else {
    mulS64(s[AX], s[AX | 1], b, bHi);
    s[AX] = W0;
    s[AX | 1] = W1;
    s[DX] = W2;
    s[DX | 1] = W3;
    ovf = !(W1 >= 0 ? W2 === 0 && W3 === 0 : W2 === -1 && W3 === -1);
  }
  putFlags(s, CFOF, ovf ? CFOF : 0);
}

/** IMUL in all three forms: 1 operand, dst *= src, dst = src * imm. */
const imul: Handler = (cpu, ins) => {
  const o0 = ins.o0;
  const size = o0.size;
  if (ins.nops <= 1 || ins.o1.kind === OpKind.None) {
    const b = readSrc(cpu, ins, o0, size);
    imul1(cpu, size, b, cpu.hi);
    return;
  }
  let a: number, aHi: number, b: number, bHi: number;
  if (ins.o2.kind !== OpKind.None) {
    a = readSrc(cpu, ins, ins.o1, size);
    aHi = cpu.hi;
    b = readSrc(cpu, ins, ins.o2, size);
    bHi = cpu.hi;
  } else {
    a = readSrc(cpu, ins, o0, size);
    aHi = cpu.hi;
    b = readSrc(cpu, ins, ins.o1, size);
    bHi = cpu.hi;
  }
  const s = cpu.i32;
  let lo: number, hi = 0, ovf: boolean;
  if (size === 2) {
    const p = ((a << 16) >> 16) * ((b << 16) >> 16);
    lo = p & 0xffff;
    ovf = p !== (p << 16) >> 16;
  } else if (size === 4) {
    lo = Math.imul(a, b);
    ovf = a * b !== lo;
  } else {
    mulS64(a, aHi, b, bHi);
    lo = W0;
    hi = W1;
    ovf = !(W1 >= 0 ? W2 === 0 && W3 === 0 : W2 === -1 && W3 === -1);
  }
  writeReg(cpu, o0, size, lo, hi);
  putFlags(s, CFOF, ovf ? CFOF : 0);
};

// Fast 32-bit two-operand register IMUL (common in index arithmetic).
const imulRR4: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d], b = s[ins.o1.reg << 1];
  const lo = Math.imul(a, b);
  s[d] = lo;
  s[d | 1] = 0;
  putFlags(s, CFOF, a * b !== lo ? CFOF : 0);
};

// ---- DIV / IDIV ----------------------------------------------------------------------------------------------------

function divFlags(s: Int32Array): void {
  putFlags(s, DIV_FLAGS, Flag.AF);
}

const div: Handler = (cpu, ins) => {
  const size = ins.o0.size;
  const d = readSrc(cpu, ins, ins.o0, size);
  const dHi = cpu.hi;
  const s = cpu.i32;
  if (size === 1) {
    const n = s[AX] & 0xffff;
    if (d === 0) cpu.fault(Vec.DE);
    const q = Math.floor(n / d);
    if (q > 0xff) cpu.fault(Vec.DE);
    s[AX] = (s[AX] & ~0xffff) | ((n - q * d) << 8) | q;
  } else if (size === 2) {
    const n = (s[DX] & 0xffff) * 65536 + (s[AX] & 0xffff);
    if (d === 0) cpu.fault(Vec.DE);
    const q = Math.floor(n / d);
    if (q > 0xffff) cpu.fault(Vec.DE);
    s[AX] = (s[AX] & ~0xffff) | q;
    s[DX] = (s[DX] & ~0xffff) | (n - q * d);
  } else if (size === 4) {
    const dd = d >>> 0;
    if (dd === 0 || s[DX] >>> 0 >= dd) cpu.fault(Vec.DE);
    divSmall(s[DX] >>> 0, s[AX] >>> 0, dd);
    s[AX] = QLO | 0;
    s[AX | 1] = 0;
    s[DX] = RLO | 0;
    s[DX | 1] = 0;
  } else {
    if (!divU128(s[DX | 1] >>> 0, s[DX] >>> 0, s[AX | 1] >>> 0, s[AX] >>> 0, d >>> 0, dHi >>> 0)) cpu.fault(Vec.DE);
    s[AX] = QLO | 0;
    s[AX | 1] = QHI | 0;
    s[DX] = RLO | 0;
    s[DX | 1] = RHI | 0;
  }
  divFlags(s);
};

const idiv: Handler = (cpu, ins) => {
  const size = ins.o0.size;
  const d = readSrc(cpu, ins, ins.o0, size);
  const dHi = cpu.hi;
  const s = cpu.i32;
  if (size <= 2) {
    const bits = size * 8;
    const sd = (d << (32 - bits)) >> (32 - bits);
    const n = size === 1 ? (s[AX] << 16) >> 16 : ((s[DX] & 0xffff) << 16) | (s[AX] & 0xffff);
    if (sd === 0) cpu.fault(Vec.DE);
    const q = Math.trunc(n / sd);
    const lim = size === 1 ? 0x80 : 0x8000;
    if (q >= lim || q < -lim) cpu.fault(Vec.DE);
    const r = n - q * sd;
    if (size === 1) s[AX] = (s[AX] & ~0xffff) | ((r & 0xff) << 8) | (q & 0xff);
    else {
      s[AX] = (s[AX] & ~0xffff) | (q & 0xffff);
      s[DX] = (s[DX] & ~0xffff) | (r & 0xffff);
    }
    divFlags(s);
    return;
  }
  // 64/32 and 128/64: divide magnitudes, then apply signs and range-check the quotient.
  let n0: number, n1: number, n2: number, n3: number, dl: number, dh: number;
  let nNeg: boolean, dNeg: boolean;
  if (size === 4) {
    nNeg = s[DX] < 0;
    dNeg = d < 0;
    n0 = s[AX] >>> 0;
    n1 = s[DX] >>> 0;
    n2 = nNeg ? 0xffffffff : 0;
    n3 = n2;
    dl = d >>> 0;
    dh = dNeg ? 0xffffffff : 0;
  } else {
    nNeg = s[DX | 1] < 0;
    dNeg = dHi < 0;
    n0 = s[AX] >>> 0;
    n1 = s[AX | 1] >>> 0;
    n2 = s[DX] >>> 0;
    n3 = s[DX | 1] >>> 0;
    dl = d >>> 0;
    dh = dHi >>> 0;
  }
  if (nNeg) {
    neg128(n0, n1, n2, n3);
    n0 = W0;
    n1 = W1;
    n2 = W2;
    n3 = W3;
  }
  if (dNeg) {
    const t = (~dl >>> 0) + 1;
    dl = t >>> 0;
    dh = ((~dh >>> 0) + (t >= TWO32 ? 1 : 0)) >>> 0;
  }
  if ((dl | dh) === 0) cpu.fault(Vec.DE);
  const qNeg = nNeg !== dNeg;
  if (size === 4) {
    // |n| < 2^64 here (n3:n2 = 0 after negation unless n was -2^63... handled by the generic check).
    if (!divU128(n3, n2, n1, n0, dl, dh)) cpu.fault(Vec.DE);
    // The quotient must fit in int32.
    if (QHI !== 0 || QLO > (qNeg ? 0x80000000 : 0x7fffffff)) cpu.fault(Vec.DE);
    const q = qNeg ? -QLO : QLO;
    const r = nNeg ? -RLO : RLO;
    s[AX] = q | 0;
    s[AX | 1] = 0;
    s[DX] = r | 0;
    s[DX | 1] = 0;
  } else {
    if (!divU128(n3, n2, n1, n0, dl, dh)) cpu.fault(Vec.DE);
    if (QHI > (qNeg ? 0x80000000 : 0x7fffffff) || (QHI === 0x80000000 && (!qNeg || QLO !== 0))) cpu.fault(Vec.DE);
    let ql = QLO, qh = QHI, rl = RLO, rh = RHI;
    if (qNeg) {
      const t = (~ql >>> 0) + 1;
      ql = t >>> 0;
      qh = ((~qh >>> 0) + (t >= TWO32 ? 1 : 0)) >>> 0;
    }
    if (nNeg) {
      const t = (~rl >>> 0) + 1;
      rl = t >>> 0;
      rh = ((~rh >>> 0) + (t >= TWO32 ? 1 : 0)) >>> 0;
    }
    s[AX] = ql | 0;
    s[AX | 1] = qh | 0;
    s[DX] = rl | 0;
    s[DX | 1] = rh | 0;
  }
  divFlags(s);
};

export const ops: IntOp[] = [
  { names: ['MUL'], h: mul },
  {
    names: ['IMUL'],
    h: imul,
    prepare: (ins) =>
      ins.o0.kind === OpKind.Reg && ins.o0.size === 4 && ins.o1.kind === OpKind.Reg && ins.o2.kind === OpKind.None ? imulRR4 : imul,
  },
  { names: ['DIV'], h: div },
  { names: ['IDIV'], h: idiv },
];
