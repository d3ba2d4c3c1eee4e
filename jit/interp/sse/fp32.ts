// Binary32 lane arithmetic for SSE (SDM Vol. 1 §4.8, §11.5.2): + - * / sqrt computed in binary64 (exact for * and
// innocuous double rounding for the others, since 53 >= 2*24+2), rounded with Math.fround; the exact error sign
// from the double computation drives the inexact flag and directed rounding. Tiny/overflowing results take the
// BigInt path (softfloat.ts).
import { fenv, Rc, Xf, MX_FTZ } from './env.js';
import { roundPack, exactAdd, exactMul, exactDiv, exactSqrt, Rounded } from './softfloat.js';
import { FOp } from './fp64.js';

const cvF = new Float32Array(1);
const cvI = new Int32Array(cvF.buffer);

/** Result bits of the last binary32 lane operation. */
export const R32 = new Int32Array(1);

const MIN_NORMAL = 1.1754943508222875e-38; // 2^-126
const MAX = 3.4028234663852886e38;

export function bitsToF32(x: number): number {
  cvI[0] = x;
  return cvF[0];
}

/** Bits of a double that is exactly a binary32 value (not NaN). */
export function f32Bits(x: number): number {
  cvF[0] = x;
  return cvI[0];
}

export function isNaN32(x: number): boolean {
  return (x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0;
}
export function isDenormal32(x: number): boolean {
  return (x & 0x7f800000) === 0 && (x & 0x7fffff) !== 0;
}
export const DEFAULT_NAN32 = 0xffc00000 | 0;

function propagateNaN(a: number, b: number): boolean {
  const an = isNaN32(a);
  const bn = isNaN32(b);
  if (!an && !bn) return false;
  if ((an && (a & 0x400000) === 0) || (bn && (b & 0x400000) === 0)) fenv.flags |= Xf.IE;
  R32[0] = an ? a | 0x400000 : b | 0x400000;
  return true;
}

function step(x: number, dir: number): number {
  cvF[0] = x;
  cvI[0] += (x > 0) === (dir > 0) ? 1 : -1;
  return cvF[0];
}

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

export function pack32(sign: number, r: Rounded): void {
  fenv.flags |= r.flags;
  const sh = sign << 31;
  if (r.inf) {
    R32[0] = sh | 0x7f800000;
    return;
  }
  let sig = Number(r.sig);
  if (sig === 0) {
    R32[0] = sh;
    return;
  }
  let biased = 0;
  if (sig >= 0x800000) {
    biased = r.exp + 23 + 127;
    sig -= 0x800000;
    if (biased >= 0xff) {
      R32[0] = sh | 0x7f800000; // unmasked overflow only (not written)
      return;
    }
    if (biased <= 0) biased = 0;
  }
  R32[0] = sh | (biased << 23) | sig;
}

let dM = 0n;
let dE = 0;
function decompose(x: number): number {
  const bits = f32Bits(x);
  const ex = (bits >>> 23) & 0xff;
  if (ex === 0) {
    dM = BigInt(bits & 0x7fffff);
    dE = -149;
  } else {
    dM = BigInt((bits & 0x7fffff) | 0x800000);
    dE = ex - 150;
  }
  return bits >>> 31;
}

/** Round an exact result sign*m*2^e (+sticky) to binary32 into R32. */
export function round32(sign: number, m: bigint, e: number, sticky: boolean): void {
  pack32(sign, roundPack(sign, m, e, sticky, 24, -126, 127, fenv.rc, (fenv.mx & MX_FTZ) !== 0, fenv.mx >>> 7));
}

function slow(op: FOp | 4, a: number, b: number): void {
  const sa = decompose(a);
  const ma = dM;
  const ea = dE;
  let ex;
  if (op === 4) ex = exactSqrt(ma, ea, 24);
  else {
    let sb = decompose(b);
    const mb = dM;
    const eb = dE;
    if (op === FOp.Sub) sb ^= 1;
    if (op <= FOp.Sub) ex = exactAdd(sa, ma, ea, sb, mb, eb);
    else if (op === FOp.Mul) ex = exactMul(sa, ma, ea, sb, mb, eb);
    else ex = exactDiv(sa, ma, ea, sb, mb, eb, 24);
  }
  if (ex.m === 0n) {
    R32[0] = fenv.rc === Rc.Down ? 0x80000000 | 0 : 0;
    return;
  }
  round32(ex.sign, ex.m, ex.e, ex.sticky);
}

/** Finish a lane whose binary64 value s approximates the exact result with exact residual sign `res`. */
function finish(s: number, res: number, op: FOp | 4, a: number, b: number): void {
  let r = Math.fround(s);
  const m = Math.abs(r);
  if (m > MIN_NORMAL && m < MAX) {
    const d = s - r; // exact (Sterbenz)
    const err = d !== 0 ? d : res;
    if (err !== 0) {
      fenv.flags |= Xf.PE;
      if (fenv.rc !== Rc.Nearest) r = directed(r, err);
    }
    R32[0] = f32Bits(r);
    return;
  }
  slow(op, a, b);
}

/** Read a binary32 lane applying DAZ; sets `den` when a denormal operand is seen (DAZ clear). */
let den = false;
function operand(x: number): number {
  if ((x & 0x7f800000) === 0 && (x & 0x7fffff) !== 0) {
    if (fenv.daz) return x < 0 ? -0 : 0;
    den = true;
  }
  return bitsToF32(x);
}

/** ADD/SUB/MUL/DIV on binary32 lanes; result in R32. */
export function arith32(op: FOp, ai: number, bi: number): void {
  if (((ai & 0x7f800000) === 0x7f800000 || (bi & 0x7f800000) === 0x7f800000) && propagateNaN(ai, bi)) return;
  den = false;
  const a = operand(ai);
  const b = operand(bi);
  switch (op) {
    case FOp.Add:
    case FOp.Sub: {
      const bb = op === FOp.Add ? b : -b;
      const s = a + bb;
      if (s !== s) break;
      if (den) fenv.flags |= Xf.DE;
      if (s === 0) {
        // Equal-signed zeros keep their sign; otherwise (opposite zeros, x + -x) +0, or -0 when rounding down.
        const bothNeg = Object.is(a, -0) && Object.is(bb, -0);
        const bothPos = Object.is(a, 0) && Object.is(bb, 0);
        R32[0] = bothNeg || (!bothPos && fenv.rc === Rc.Down) ? 0x80000000 | 0 : 0;
        return;
      }
      if (Math.abs(s) === Infinity) {
        R32[0] = f32Bits(s); // an infinite operand (finite floats cannot overflow a double sum)
        return;
      }
      const v = s - a;
      finish(s, a - (s - v) + (bb - v), op, a, b);
      return;
    }
    case FOp.Mul: {
      const s = a * b;
      if (s !== s) break;
      if (den) fenv.flags |= Xf.DE;
      if (s === 0 || Math.abs(s) === Infinity) {
        R32[0] = f32Bits(s); // zero or infinite operand: exact
        return;
      }
      finish(s, 0, op, a, b);
      return;
    }
    default: {
      const s = a / b;
      if (s !== s) break;
      if (b === 0) {
        if (Math.abs(a) !== Infinity) fenv.flags |= Xf.ZE;
        R32[0] = f32Bits(s);
        return;
      }
      if (den) fenv.flags |= Xf.DE;
      if (s === 0 || Math.abs(s) === Infinity) {
        R32[0] = f32Bits(s);
        return;
      }
      const r = Math.fround(s);
      const rem = a - r * b; // exact: r*b has at most 48 bits and lies within 2^-23 of a
      const m = Math.abs(r);
      if (m > MIN_NORMAL && m < MAX) {
        const err = b > 0 ? rem : -rem;
        let x = r;
        if (err !== 0) {
          fenv.flags |= Xf.PE;
          if (fenv.rc !== Rc.Nearest) x = directed(r, err);
        }
        R32[0] = f32Bits(x);
        return;
      }
      slow(op, a, b);
      return;
    }
  }
  fenv.flags |= Xf.IE;
  R32[0] = DEFAULT_NAN32;
}

export function sqrt32(ai: number): void {
  if (isNaN32(ai)) {
    if ((ai & 0x400000) === 0) fenv.flags |= Xf.IE;
    R32[0] = ai | 0x400000;
    return;
  }
  den = false;
  const a = operand(ai);
  if (a < 0) {
    fenv.flags |= Xf.IE;
    R32[0] = DEFAULT_NAN32;
    return;
  }
  if (den) fenv.flags |= Xf.DE;
  if (a === 0 || a === Infinity) {
    R32[0] = f32Bits(a);
    return;
  }
  let r = Math.fround(Math.sqrt(a));
  const rem = a - r * r; // exact (48-bit square close to a)
  if (rem !== 0) {
    fenv.flags |= Xf.PE;
    if (fenv.rc !== Rc.Nearest) r = directed(r, rem);
  }
  R32[0] = f32Bits(r);
}

export function minmax32(isMax: boolean, ai: number, bi: number): void {
  // DAZ applies to the returned operand even when the other one is a NaN.
  if (fenv.daz) {
    if (isDenormal32(ai)) ai &= 0x80000000;
    if (isDenormal32(bi)) bi &= 0x80000000;
  }
  if (isNaN32(ai) || isNaN32(bi)) {
    fenv.flags |= Xf.IE;
    R32[0] = bi;
    return;
  }
  if (isDenormal32(ai) || isDenormal32(bi)) fenv.flags |= Xf.DE;
  const a = bitsToF32(ai);
  const b = bitsToF32(bi);
  R32[0] = (isMax ? a > b : a < b) ? ai : bi;
}

export function laneValue32(x: number): number {
  if ((x & 0x7f800000) === 0 && (x & 0x7fffff) !== 0) {
    if (fenv.daz) return 0;
    fenv.flags |= Xf.DE;
  }
  return bitsToF32(x);
}

export function cmp32(pred: number, ai: number, bi: number): boolean {
  const an = isNaN32(ai);
  const bn = isNaN32(bi);
  if (an || bn) {
    const signalling = (an && (ai & 0x400000) === 0) || (bn && (bi & 0x400000) === 0);
    const relational = (pred & 3) === 1 || (pred & 3) === 2;
    if (signalling || relational) fenv.flags |= Xf.IE;
    return pred === 3 || pred === 4 || pred === 5 || pred === 6;
  }
  const a = laneValue32(ai);
  const b = laneValue32(bi);
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
