// SSE/SSE2 conversions (SDM Vol. 2 CVTxx2yy, CVTTxx2yy; Vol. 1 §4.8.3.7 integer indefinite, §11.5.2 exceptions):
// float<->float with rounding and NaN quieting, integer->float rounding per MXCSR.RC, float->integer with RC or
// truncation and the integer indefinite value (IE) for NaN/out-of-range inputs. MMX forms use MMX registers.
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { OpKind } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { fenv, Xf, Rc, sseCheck, mmxCheck, beginFp, commitFp } from './env.js';
import { X, Y, Z, loadXmm, storeXmm, loadSrc, storeMmx, mmxEnter } from './access.js';
import { R64, isNaN64, isDenormal64, bitsToF64, putF64 } from './fp64.js';
import { R32, isNaN32, isDenormal32, bitsToF32, f32Bits, round32 } from './fp32.js';
import { roundPack } from './softfloat.js';
import { pack64 } from './fp64.js';
import { roundIntegral } from './fp-arith.js';
import { setGpr } from '../operands.js';
import type { OpTable } from './fp-arith.js';

const TWO32 = 4294967296;
const TWO63 = 9223372036854775808;
const MIN_NORMAL32 = 1.1754943508222875e-38;
const MAX32 = 3.4028234663852886e38;

// ---- float <-> float --------------------------------------------------------------------------------------------

/** binary32 bits -> binary64 into R64 (exact; SNaN quieted with IE, denormal DE or DAZ). */
export function f32to64(x: number): void {
  if (isNaN32(x)) {
    if ((x & 0x400000) === 0) fenv.flags |= Xf.IE;
    R64[1] = (x & 0x80000000) | 0x7ff80000 | ((x & 0x3fffff) >>> 3);
    R64[0] = x << 29;
    return;
  }
  if (isDenormal32(x)) {
    if (fenv.daz) {
      R64[0] = 0;
      R64[1] = x & 0x80000000;
      return;
    }
    fenv.flags |= Xf.DE;
  }
  putF64(bitsToF32(x));
}

function step32(x: number, dir: number): number {
  const b = f32Bits(x) + ((x > 0) === (dir > 0) ? 1 : -1);
  return bitsToF32(b);
}

/** Apply the MXCSR rounding mode to r = fround(exact) given the sign of (exact - r). */
function directed32(r: number, err: number): number {
  switch (fenv.rc) {
    case Rc.Up:
      return err > 0 ? step32(r, 1) : r;
    case Rc.Down:
      return err < 0 ? step32(r, -1) : r;
    case Rc.Zero:
      return (r > 0 && err < 0) || (r < 0 && err > 0) ? step32(r, r > 0 ? -1 : 1) : r;
    default:
      return r;
  }
}

/** Round an exactly known double value to binary32 into R32 (no NaN). */
function doubleTo32(v: number): void {
  if (v === 0 || Math.abs(v) === Infinity) {
    R32[0] = f32Bits(v);
    return;
  }
  let r = Math.fround(v);
  const m = Math.abs(r);
  if (m > MIN_NORMAL32 && m < MAX32) {
    const d = v - r;
    if (d !== 0) {
      fenv.flags |= Xf.PE;
      if (fenv.rc !== Rc.Nearest) r = directed32(r, d);
    }
    R32[0] = f32Bits(r);
    return;
  }
  // Tiny or overflowing: exact BigInt rounding from the double's bits.
  const s = v < 0 ? 1 : 0;
  let a = Math.abs(v);
  let e = 0;
  while (a < 4503599627370496) {
    a *= 2;
    e--;
  }
  while (a >= 9007199254740992) {
    a /= 2;
    e++;
  }
  round32(s, BigInt(a), e, false);
}

/** binary64 bits -> binary32 into R32. */
export function f64to32(lo: number, hi: number): void {
  if (isNaN64(lo, hi)) {
    if ((hi & 0x80000) === 0) fenv.flags |= Xf.IE;
    R32[0] = (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29);
    return;
  }
  if (isDenormal64(lo, hi)) {
    if (fenv.daz) {
      R32[0] = hi & 0x80000000;
      return;
    }
    fenv.flags |= Xf.DE;
  }
  doubleTo32(bitsToF64(lo, hi));
}

// ---- integer -> float -------------------------------------------------------------------------------------------

/** Signed 64-bit integer (lo, hi) -> binary64 into R64, rounded per MXCSR. */
function i64to64(lo: number, hi: number): void {
  if (hi >= -0x200000 && hi < 0x200000) {
    putF64(hi * TWO32 + (lo >>> 0)); // |v| < 2^53: exact
    return;
  }
  const neg = hi < 0;
  let m = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
  if (neg) m = -m;
  pack64(neg ? 1 : 0, roundPack(neg ? 1 : 0, m, 0, false, 53, -1022, 1023, fenv.rc, false, 0x3f));
}

function i64to32(lo: number, hi: number): void {
  if (hi >= -0x200000 && hi < 0x200000) {
    doubleTo32(hi * TWO32 + (lo >>> 0));
    return;
  }
  const neg = hi < 0;
  let m = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
  if (neg) m = -m;
  round32(neg ? 1 : 0, m, 0, false);
}

// ---- float -> integer -------------------------------------------------------------------------------------------

/**
 * Convert a double value (already exactly the source lane, NaN excluded by the caller) to a signed integer of
 * `bits` (32 or 64) with rounding mode rc; out-of-range gives the integer indefinite and IE. Result in OUT.
 */
const OUT = new Int32Array(2);
function toInt(v: number, rc: Rc, bits: number): void {
  const r = roundIntegral(v, rc);
  const ok = bits === 32 ? r >= -2147483648 && r <= 2147483647 : r >= -TWO63 && r < TWO63;
  if (!ok) {
    fenv.flags |= Xf.IE;
    OUT[0] = bits === 32 ? 0x80000000 | 0 : 0;
    OUT[1] = bits === 32 ? 0 : 0x80000000 | 0;
    return;
  }
  if (r !== v) fenv.flags |= Xf.PE;
  if (bits === 32) {
    OUT[0] = r | 0;
    OUT[1] = 0;
  } else {
    const h = Math.floor(r / TWO32);
    OUT[0] = (r - h * TWO32) | 0;
    OUT[1] = h | 0;
  }
}

function indefinite(bits: number): void {
  fenv.flags |= Xf.IE;
  OUT[0] = bits === 32 ? 0x80000000 | 0 : 0;
  OUT[1] = bits === 32 ? 0 : 0x80000000 | 0;
}

/** Float lane (binary32 bits) to integer; conversions to integer never report DE (DAZ still applies). */
function cvt32toInt(x: number, rc: Rc, bits: number): void {
  if (isNaN32(x) || (x & 0x7fffffff) === 0x7f800000) return indefinite(bits);
  toInt(isDenormal32(x) && fenv.daz ? 0 : bitsToF32(x), rc, bits);
}

function cvt64toInt(lo: number, hi: number, rc: Rc, bits: number): void {
  if ((hi & 0x7ff00000) === 0x7ff00000) return indefinite(bits);
  toInt(isDenormal64(lo, hi) && fenv.daz ? 0 : bitsToF64(lo, hi), rc, bits);
}

// ---- handlers ---------------------------------------------------------------------------------------------------

function begin(cpu: Cpu, ins: Instr, aligned: boolean): void {
  sseCheck(cpu);
  loadSrc(cpu, ins, ins.o1, Y, aligned);
  beginFp(cpu);
}

const cvtss2sd: Handler = (cpu, ins) => {
  begin(cpu, ins, true);
  f32to64(Y[0]);
  commitFp(cpu);
  loadXmm(cpu, ins.o0.reg, X);
  X[0] = R64[0];
  X[1] = R64[1];
  storeXmm(cpu, ins.o0.reg, X);
};

const cvtsd2ss: Handler = (cpu, ins) => {
  begin(cpu, ins, true);
  f64to32(Y[0], Y[1]);
  commitFp(cpu);
  loadXmm(cpu, ins.o0.reg, X);
  X[0] = R32[0];
  storeXmm(cpu, ins.o0.reg, X);
};

const cvtps2pd: Handler = (cpu, ins) => {
  begin(cpu, ins, true);
  f32to64(Y[0]);
  Z[0] = R64[0];
  Z[1] = R64[1];
  f32to64(Y[1]);
  Z[2] = R64[0];
  Z[3] = R64[1];
  commitFp(cpu);
  storeXmm(cpu, ins.o0.reg, Z);
};

const cvtpd2ps: Handler = (cpu, ins) => {
  begin(cpu, ins, true);
  f64to32(Y[0], Y[1]);
  Z[0] = R32[0];
  f64to32(Y[2], Y[3]);
  Z[1] = R32[0];
  Z[2] = Z[3] = 0;
  commitFp(cpu);
  storeXmm(cpu, ins.o0.reg, Z);
};

/** CVTSI2SS/CVTSI2SD: the source is a 32- or 64-bit general register or memory operand. */
function cvtsi2s(double: boolean): Handler {
  return (cpu, ins) => {
    begin(cpu, ins, false);
    const wide = ins.o1.size === 8;
    const lo = Y[0];
    const hi = wide ? Y[1] : lo >> 31;
    if (double) i64to64(lo, hi);
    else i64to32(lo, hi);
    commitFp(cpu);
    loadXmm(cpu, ins.o0.reg, X);
    if (double) {
      X[0] = R64[0];
      X[1] = R64[1];
    } else X[0] = R32[0];
    storeXmm(cpu, ins.o0.reg, X);
  };
}

/** CVT(T)SS2SI / CVT(T)SD2SI to a 32- or 64-bit general register. */
function cvts2si(double: boolean, trunc: boolean): Handler {
  return (cpu, ins) => {
    begin(cpu, ins, false);
    const bits = ins.o0.size === 8 ? 64 : 32;
    const rc = trunc ? Rc.Zero : fenv.rc;
    if (double) cvt64toInt(Y[0], Y[1], rc, bits);
    else cvt32toInt(Y[0], rc, bits);
    commitFp(cpu);
    setGpr(cpu, ins.o0.reg, bits === 64 ? 8 : 4, OUT[0], OUT[1]);
  };
}

const cvtdq2ps: Handler = (cpu, ins) => {
  begin(cpu, ins, true);
  for (let i = 0; i < 4; i++) {
    doubleTo32(Y[i]);
    Z[i] = R32[0];
  }
  commitFp(cpu);
  storeXmm(cpu, ins.o0.reg, Z);
};

const cvtdq2pd: Handler = (cpu, ins) => {
  begin(cpu, ins, true);
  const a = Y[0];
  const b = Y[1];
  putF64(a);
  Z[0] = R64[0];
  Z[1] = R64[1];
  putF64(b);
  Z[2] = R64[0];
  Z[3] = R64[1];
  storeXmm(cpu, ins.o0.reg, Z);
};

function cvtps2dq(trunc: boolean): Handler {
  return (cpu, ins) => {
    begin(cpu, ins, true);
    const rc = trunc ? Rc.Zero : fenv.rc;
    for (let i = 0; i < 4; i++) {
      cvt32toInt(Y[i], rc, 32);
      Z[i] = OUT[0];
    }
    commitFp(cpu);
    storeXmm(cpu, ins.o0.reg, Z);
  };
}

function cvtpd2dq(trunc: boolean): Handler {
  return (cpu, ins) => {
    begin(cpu, ins, true);
    const rc = trunc ? Rc.Zero : fenv.rc;
    cvt64toInt(Y[0], Y[1], rc, 32);
    Z[0] = OUT[0];
    cvt64toInt(Y[2], Y[3], rc, 32);
    Z[1] = OUT[0];
    Z[2] = Z[3] = 0;
    commitFp(cpu);
    storeXmm(cpu, ins.o0.reg, Z);
  };
}

// MMX forms (CVTPI2PS/PD, CVT(T)PS2PI, CVT(T)PD2PI): touching an MMX register switches the x87 unit to MMX mode.

function mmxSide(cpu: Cpu): void {
  sseCheck(cpu);
  mmxCheck(cpu);
}

const cvtpi2ps: Handler = (cpu, ins) => {
  mmxSide(cpu);
  loadSrc(cpu, ins, ins.o1, Y, false);
  if (ins.o1.kind === OpKind.Reg) mmxEnter(cpu);
  beginFp(cpu);
  doubleTo32(Y[0]);
  const a = R32[0];
  doubleTo32(Y[1]);
  const b = R32[0];
  commitFp(cpu);
  loadXmm(cpu, ins.o0.reg, X);
  X[0] = a;
  X[1] = b;
  storeXmm(cpu, ins.o0.reg, X);
};

const cvtpi2pd: Handler = (cpu, ins) => {
  mmxSide(cpu);
  loadSrc(cpu, ins, ins.o1, Y, false);
  if (ins.o1.kind === OpKind.Reg) mmxEnter(cpu);
  const a = Y[0];
  const b = Y[1];
  putF64(a);
  Z[0] = R64[0];
  Z[1] = R64[1];
  putF64(b);
  Z[2] = R64[0];
  Z[3] = R64[1];
  storeXmm(cpu, ins.o0.reg, Z);
};

function cvtps2pi(trunc: boolean): Handler {
  return (cpu, ins) => {
    mmxSide(cpu);
    loadSrc(cpu, ins, ins.o1, Y, false);
    beginFp(cpu);
    const rc = trunc ? Rc.Zero : fenv.rc;
    cvt32toInt(Y[0], rc, 32);
    Z[0] = OUT[0];
    cvt32toInt(Y[1], rc, 32);
    Z[1] = OUT[0];
    commitFp(cpu);
    mmxEnter(cpu);
    storeMmx(cpu, ins.o0.reg, Z);
  };
}

function cvtpd2pi(trunc: boolean): Handler {
  return (cpu, ins) => {
    mmxSide(cpu);
    loadSrc(cpu, ins, ins.o1, Y, true);
    beginFp(cpu);
    const rc = trunc ? Rc.Zero : fenv.rc;
    cvt64toInt(Y[0], Y[1], rc, 32);
    Z[0] = OUT[0];
    cvt64toInt(Y[2], Y[3], rc, 32);
    Z[1] = OUT[0];
    commitFp(cpu);
    mmxEnter(cpu);
    storeMmx(cpu, ins.o0.reg, Z);
  };
}


export const CONVERT_OPS: OpTable = [
  ['CVTSS2SD', cvtss2sd], ['CVTSD2SS', cvtsd2ss], ['CVTPS2PD', cvtps2pd], ['CVTPD2PS', cvtpd2ps],
  ['CVTSI2SS', cvtsi2s(false)], ['CVTSI2SD', cvtsi2s(true)],
  ['CVTSS2SI', cvts2si(false, false)], ['CVTTSS2SI', cvts2si(false, true)],
  ['CVTSD2SI', cvts2si(true, false)], ['CVTTSD2SI', cvts2si(true, true)],
  ['CVTDQ2PS', cvtdq2ps], ['CVTDQ2PD', cvtdq2pd],
  ['CVTPS2DQ', cvtps2dq(false)], ['CVTTPS2DQ', cvtps2dq(true)],
  ['CVTPD2DQ', cvtpd2dq(false)], ['CVTTPD2DQ', cvtpd2dq(true)],
  ['CVTPI2PS', cvtpi2ps], ['CVTPI2PD', cvtpi2pd],
  ['CVTPS2PI', cvtps2pi(false)], ['CVTTPS2PI', cvtps2pi(true)],
  ['CVTPD2PI', cvtpd2pi(false)], ['CVTTPD2PI', cvtpd2pi(true)],
];
