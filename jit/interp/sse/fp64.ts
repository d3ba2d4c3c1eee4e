// Binary64 lane arithmetic for SSE2 (SDM Vol. 1 §4.8 real numbers, §4.8.3.5 NaN rules table 4-7, §11.5.2 SIMD FP
// exceptions): correctly rounded + - * / sqrt in every MXCSR rounding mode with exact exception flags. Fast path:
// native round-to-nearest plus an error-free transformation (TwoSum / Dekker TwoProduct) for the inexact flag and
// directed rounding; BigInt slow path (softfloat.ts) for tiny, huge and overflowing results.
import { fenv, Rc, Xf, MX_FTZ } from './env.js';
import { roundPack, exactAdd, exactMul, exactDiv, exactSqrt, Rounded } from './softfloat.js';

const cvF = new Float64Array(1);
const cvI = new Int32Array(cvF.buffer);

/** Result of the last lane operation: [lo, hi] of the binary64 bit pattern. */
export const R64 = new Int32Array(2);

export const enum FOp {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
}

const MIN_NORMAL = 2.2250738585072014e-308; // 2^-1022
const LOW = 1.1434870707251218e-289; // 2^-960: below this, error terms may underflow
const HIGH = 1.1235582092889474e307; // 2^1020
const SPLIT_LIMIT = 3.3480762842780954e299; // 2^995: Veltkamp splitting cannot overflow below this
const SPLITTER = 134217729; // 2^27 + 1

export function bitsToF64(lo: number, hi: number): number {
  cvI[0] = lo;
  cvI[1] = hi;
  return cvF[0];
}

/** Store a non-NaN double into R64. */
export function putF64(x: number): void {
  cvF[0] = x;
  R64[0] = cvI[0];
  R64[1] = cvI[1];
}

export function isNaN64(lo: number, hi: number): boolean {
  return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0;
}
export function isSNaN64(lo: number, hi: number): boolean {
  return isNaN64(lo, hi) && (hi & 0x80000) === 0;
}
export function isDenormal64(lo: number, hi: number): boolean {
  return (hi & 0x7ff00000) === 0 && ((hi & 0xfffff) | lo) !== 0;
}

export function defaultNaN64(): void {
  R64[0] = 0;
  R64[1] = 0xfff80000 | 0;
}

/** NaN operand rule for SSE: first NaN operand wins, quieted; IE if either is a signalling NaN. */
function propagateNaN(aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  const an = isNaN64(aLo, aHi);
  const bn = isNaN64(bLo, bHi);
  if (!an && !bn) return false;
  if ((an && (aHi & 0x80000) === 0) || (bn && (bHi & 0x80000) === 0)) fenv.flags |= Xf.IE;
  if (an) {
    R64[0] = aLo;
    R64[1] = aHi | 0x80000;
  } else {
    R64[0] = bLo;
    R64[1] = bHi | 0x80000;
  }
  return true;
}

/** Error of the rounded product p = fl(a*b): a*b - p exactly (Dekker; operands within the split limits). */
function prodErr(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** Neighbour of a finite non-zero double towards +inf (dir > 0) or -inf (dir < 0). */
function step(x: number, dir: number): number {
  cvF[0] = x;
  let lo = cvI[0] >>> 0;
  let hi = cvI[1];
  // Moving away from zero increments the magnitude bits.
  if ((x > 0) === (dir > 0)) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi++;
  } else {
    if (lo === 0) hi--;
    lo = (lo - 1) >>> 0;
  }
  cvI[0] = lo;
  cvI[1] = hi;
  return cvF[0];
}

/** Apply a directed rounding mode to the round-to-nearest result r given the sign of (exact - r). */
function directed(r: number, err: number): number {
  switch (fenv.rc) {
    case Rc.Up:
      return err > 0 ? step(r, 1) : r;
    case Rc.Down:
      return err < 0 ? step(r, -1) : r;
    case Rc.Zero:
      return (r > 0 && err < 0) || (r < 0 && err > 0) ? step(r, r > 0 ? -1 : 1) : r;
    default:
      return r;
  }
}

function ftz(): boolean {
  return (fenv.mx & MX_FTZ) !== 0;
}

/** Encode a rounded binary64 result into R64. */
export function pack64(sign: number, r: Rounded): void {
  fenv.flags |= r.flags;
  const sh = sign << 31;
  if (r.inf) {
    R64[0] = 0;
    R64[1] = sh | 0x7ff00000;
    return;
  }
  let sig = r.sig;
  if (sig === 0n) {
    R64[0] = 0;
    R64[1] = sh;
    return;
  }
  let biased: number;
  if (sig >= 1n << 52n) {
    biased = r.exp + 52 + 1023;
    sig -= 1n << 52n;
    if (biased >= 0x7ff) {
      // Only reachable for unmasked overflow (no result is written then): saturate the pattern.
      R64[0] = 0;
      R64[1] = sh | 0x7ff00000;
      return;
    }
    if (biased <= 0) biased = 0; // unmasked underflow (not written)
  } else biased = 0;
  R64[0] = Number(sig & 0xffffffffn) | 0;
  R64[1] = sh | (biased << 20) | Number(sig >> 32n);
}

/** Decompose a finite non-zero double (bits) into sign, integer significand and exponent; returns the sign. */
let dM = 0n;
let dE = 0;
function decompose(lo: number, hi: number): number {
  const ex = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo >>> 0);
  if (ex === 0) {
    dM = frac;
    dE = -1074;
  } else {
    dM = frac | (1n << 52n);
    dE = ex - 1075;
  }
  return hi >>> 31;
}

function slow(op: FOp | 4, a: number, b: number): void {
  cvF[0] = a;
  const sa = decompose(cvI[0], cvI[1]);
  const ma = dM;
  const ea = dE;
  let ex;
  if (op === 4) ex = exactSqrt(ma, ea, 53);
  else {
    cvF[0] = b;
    let sb = decompose(cvI[0], cvI[1]);
    const mb = dM;
    const eb = dE;
    if (op === FOp.Sub) sb ^= 1;
    if (op <= FOp.Sub) ex = exactAdd(sa, ma, ea, sb, mb, eb);
    else if (op === FOp.Mul) ex = exactMul(sa, ma, ea, sb, mb, eb);
    else ex = exactDiv(sa, ma, ea, sb, mb, eb, 53);
  }
  if (ex.m === 0n) {
    putF64(fenv.rc === Rc.Down ? -0 : 0);
    return;
  }
  pack64(ex.sign, roundPack(ex.sign, ex.m, ex.e, ex.sticky, 53, -1022, 1023, fenv.rc, ftz(), fenv.mx >>> 7));
}

/** Flush a tiny exact result (FTZ also applies to exact denormal results) or pass it to roundPack. */
function tinyExact(x: number): void {
  slow(FOp.Add, x, 0 * x);
}

/** ADD/SUB/MUL/DIV on binary64 lanes; result in R64, flags in fenv. */
export function arith64(op: FOp, aLo: number, aHi: number, bLo: number, bHi: number): void {
  if ((aHi & 0x7ff00000) === 0x7ff00000 || (bHi & 0x7ff00000) === 0x7ff00000) {
    if (propagateNaN(aLo, aHi, bLo, bHi)) return;
  }
  let den = false;
  if ((aHi & 0x7ff00000) === 0 && ((aHi & 0xfffff) | aLo) !== 0) {
    if (fenv.daz) {
      aLo = 0;
      aHi &= 0x80000000;
    } else den = true;
  }
  if ((bHi & 0x7ff00000) === 0 && ((bHi & 0xfffff) | bLo) !== 0) {
    if (fenv.daz) {
      bLo = 0;
      bHi &= 0x80000000;
    } else den = true;
  }
  const a = bitsToF64(aLo, aHi);
  const b = bitsToF64(bLo, bHi);
  let r: number;
  switch (op) {
    case FOp.Add:
    case FOp.Sub: {
      const bb = op === FOp.Add ? b : -b;
      r = a + bb;
      if (r !== r) break; // inf - inf
      if (den) fenv.flags |= Xf.DE;
      const m = Math.abs(r);
      if (m > MIN_NORMAL && m < HIGH && Math.abs(a) < HIGH && Math.abs(b) < HIGH) {
        const v = r - a;
        const err = a - (r - v) + (bb - v);
        if (err !== 0) {
          fenv.flags |= Xf.PE;
          if (fenv.rc !== Rc.Nearest) r = directed(r, err);
        }
        putF64(r);
        return;
      }
      if (r === 0) {
        // Equal-signed zeros keep their sign; otherwise (opposite zeros, x + -x) +0, or -0 when rounding down.
        const bothNeg = Object.is(a, -0) && Object.is(bb, -0);
        const bothPos = Object.is(a, 0) && Object.is(bb, 0);
        putF64(bothNeg || (!bothPos && fenv.rc === Rc.Down) ? -0 : 0);
        return;
      }
      if (m === Infinity && (a === r || bb === r)) {
        putF64(r);
        return;
      }
      if (m < MIN_NORMAL) {
        // A sum in the subnormal range is always exact, but FTZ and unmasked underflow still see it as tiny.
        if (ftz() || (fenv.mx & (Xf.UE << 7)) === 0) tinyExact(r);
        else putF64(r);
        return;
      }
      slow(op, a, b);
      return;
    }
    case FOp.Mul: {
      r = a * b;
      if (r !== r) break; // 0 * inf
      if (den) fenv.flags |= Xf.DE;
      if (a === 0 || b === 0 || Math.abs(a) === Infinity || Math.abs(b) === Infinity) {
        putF64(r);
        return;
      }
      const m = Math.abs(r);
      if (m > LOW && m < HIGH && Math.abs(a) < SPLIT_LIMIT && Math.abs(b) < SPLIT_LIMIT) {
        const err = prodErr(a, b, r);
        if (err !== 0) {
          fenv.flags |= Xf.PE;
          if (fenv.rc !== Rc.Nearest) r = directed(r, err);
        }
        putF64(r);
        return;
      }
      slow(op, a, b);
      return;
    }
    default: {
      r = a / b;
      if (r !== r) break; // 0/0, inf/inf
      if (b === 0) {
        if (Math.abs(a) !== Infinity) fenv.flags |= Xf.ZE;
        putF64(r);
        return;
      }
      if (den) fenv.flags |= Xf.DE;
      if (a === 0 || Math.abs(a) === Infinity || Math.abs(b) === Infinity) {
        putF64(r);
        return;
      }
      const m = Math.abs(r);
      const ab = Math.abs(b);
      if (m > LOW && m < SPLIT_LIMIT && Math.abs(a) > LOW && Math.abs(a) < HIGH && ab < SPLIT_LIMIT && ab > LOW) {
        const p = r * b;
        const rem = a - p - prodErr(r, b, p);
        if (rem !== 0) {
          fenv.flags |= Xf.PE;
          if (fenv.rc !== Rc.Nearest) r = directed(r, b > 0 ? rem : -rem);
        }
        putF64(r);
        return;
      }
      slow(op, a, b);
      return;
    }
  }
  fenv.flags |= Xf.IE;
  defaultNaN64();
}

/** SQRTSD/SQRTPD lane. */
export function sqrt64(lo: number, hi: number): void {
  if (isNaN64(lo, hi)) {
    if ((hi & 0x80000) === 0) fenv.flags |= Xf.IE;
    R64[0] = lo;
    R64[1] = hi | 0x80000;
    return;
  }
  let den = false;
  if (isDenormal64(lo, hi)) {
    if (fenv.daz) {
      lo = 0;
      hi &= 0x80000000;
    } else den = true;
  }
  const a = bitsToF64(lo, hi);
  if (a < 0) {
    fenv.flags |= Xf.IE;
    defaultNaN64();
    return;
  }
  if (den) fenv.flags |= Xf.DE;
  if (a === 0 || a === Infinity) {
    R64[0] = lo;
    R64[1] = hi;
    return;
  }
  if (a > LOW && a < HIGH) {
    let r = Math.sqrt(a);
    const p = r * r;
    const rem = a - p - prodErr(r, r, p);
    if (rem !== 0) {
      fenv.flags |= Xf.PE;
      if (fenv.rc !== Rc.Nearest) r = directed(r, rem);
    }
    putF64(r);
    return;
  }
  slow(4, a, 0);
}

/** MINSD/MAXSD lane: any NaN or equal operands (incl. +-0) give the second operand; NaNs raise IE. */
export function minmax64(isMax: boolean, aLo: number, aHi: number, bLo: number, bHi: number): void {
  // DAZ applies to the returned operand even when the other one is a NaN.
  if (fenv.daz) {
    if (isDenormal64(aLo, aHi)) {
      aLo = 0;
      aHi &= 0x80000000;
    }
    if (isDenormal64(bLo, bHi)) {
      bLo = 0;
      bHi &= 0x80000000;
    }
  }
  if (isNaN64(aLo, aHi) || isNaN64(bLo, bHi)) {
    fenv.flags |= Xf.IE;
    R64[0] = bLo;
    R64[1] = bHi;
    return;
  }
  if (isDenormal64(aLo, aHi) || isDenormal64(bLo, bHi)) fenv.flags |= Xf.DE;
  const a = bitsToF64(aLo, aHi);
  const b = bitsToF64(bLo, bHi);
  if (isMax ? a > b : a < b) {
    R64[0] = aLo;
    R64[1] = aHi;
  } else {
    R64[0] = bLo;
    R64[1] = bHi;
  }
}

/**
 * CMPSD/CMPPD predicate (imm8 0..7; SSE only defines 0..7, AVX's 8..31 are reduced mod 8 by callers that allow
 * them). Returns true/false; flags in fenv. QNaN signals IE for the ordered relational predicates LT/LE/NLT/NLE.
 */
export function cmp64(pred: number, aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  const an = isNaN64(aLo, aHi);
  const bn = isNaN64(bLo, bHi);
  if (an || bn) {
    const signalling = (an && (aHi & 0x80000) === 0) || (bn && (bHi & 0x80000) === 0);
    const relational = (pred & 3) === 1 || (pred & 3) === 2;
    if (signalling || relational) fenv.flags |= Xf.IE;
    // Unordered: EQ LT LE ORD false, UNORD NEQ NLT NLE true.
    return pred === 3 || pred === 4 || pred === 5 || pred === 6;
  }
  const a = laneValue64(aLo, aHi);
  const b = laneValue64(bLo, bHi);
  switch (pred & 7) {
    case 0:
      return a === b;
    case 1:
      return a < b;
    case 2:
      return a <= b;
    case 3:
      return false;
    case 4:
      return a !== b;
    case 5:
      return !(a < b);
    case 6:
      return !(a <= b);
    default:
      return true;
  }
}

/** Value of a non-NaN lane for comparisons: applies DAZ and raises DE for denormals. */
export function laneValue64(lo: number, hi: number): number {
  if ((hi & 0x7ff00000) === 0 && ((hi & 0xfffff) | lo) !== 0) {
    if (fenv.daz) return 0;
    fenv.flags |= Xf.DE;
  }
  return bitsToF64(lo, hi);
}
