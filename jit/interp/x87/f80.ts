// x87 double-extended values (SDM Vol. 1 §4.2.2 and §8.2: 80-bit format with explicit integer bit; Table 8-3
// unsupported encodings; §4.8.3.5 / Table 4-7 x87 NaN propagation): classification, exact conversions to and from
// binary32/binary64/integers, and correctly rounded arithmetic under the control word's precision and rounding
// control. BigInt arithmetic is acceptable here: x87 is a cold path.
import { Rc } from '../sse/env.js';
import { roundPack, exactAdd, exactMul, exactDiv, exactSqrt, bitLength, Rounded } from '../sse/softfloat.js';

/** x87 exception bits (FSW 0..6, also the CW mask bits 0..5). */
export const enum Fx {
  IE = 1,
  DE = 2,
  ZE = 4,
  OE = 8,
  UE = 16,
  PE = 32,
  SF = 64,
  ES = 128,
  C0 = 0x100,
  C1 = 0x200,
  C2 = 0x400,
  C3 = 0x4000,
  B = 0x8000,
}

export const enum Cls {
  Zero = 0,
  Normal = 1,
  Denormal = 2, // includes pseudo-denormals (exponent 0, integer bit set)
  Inf = 3,
  NaN = 4,
  Bad = 5, // unnormal, pseudo-infinity, pseudo-NaN: invalid operands
}

/** An 80-bit value: significand halves (lo, hi as int32) and sign+exponent (16 bits). */
export class F80 {
  lo = 0;
  hi = 0;
  se = 0;
  set(lo: number, hi: number, se: number): this {
    this.lo = lo | 0;
    this.hi = hi | 0;
    this.se = se & 0xffff;
    return this;
  }
  copy(o: F80): this {
    this.lo = o.lo;
    this.hi = o.hi;
    this.se = o.se;
    return this;
  }
}

export const INDEFINITE_HI = 0xc0000000 | 0;
export const INDEFINITE_SE = 0xffff;

export function setIndefinite(v: F80): F80 {
  return v.set(0, INDEFINITE_HI, INDEFINITE_SE);
}

export function classify(v: F80): Cls {
  const e = v.se & 0x7fff;
  if (e === 0) return (v.lo | v.hi) === 0 ? Cls.Zero : Cls.Denormal;
  if (v.hi >= 0) return Cls.Bad; // integer bit clear
  if (e === 0x7fff) return (v.hi & 0x7fffffff) === 0 && v.lo === 0 ? Cls.Inf : Cls.NaN;
  return Cls.Normal;
}

export function isSNaN(v: F80): boolean {
  return classify(v) === Cls.NaN && (v.hi & 0x40000000) === 0;
}

export const signOf = (v: F80): number => (v.se >>> 15) & 1;

/** Significand as BigInt. */
export function sigOf(v: F80): bigint {
  return (BigInt(v.hi >>> 0) << 32n) | BigInt(v.lo >>> 0);
}

/** Exponent of the significand's unit bit for a finite value: value = sig * 2^expOf. */
export function expOf(v: F80): number {
  const e = v.se & 0x7fff;
  return (e === 0 ? 1 : e) - 16383 - 63;
}

/** x87 NaN rule (Table 4-7): SNaN -> IE; QNaN beats SNaN; between two of a kind the larger significand (then +). */
export function pickNaN(a: F80, b: F80, out: F80): number {
  const an = classify(a) === Cls.NaN;
  const bn = classify(b) === Cls.NaN;
  const as = an && (a.hi & 0x40000000) === 0;
  const bs = bn && (b.hi & 0x40000000) === 0;
  let r: F80;
  if (!bn) r = a;
  else if (!an) r = b;
  else if (as !== bs) r = as ? b : a;
  else {
    const ah = a.hi & 0x3fffffff;
    const bh = b.hi & 0x3fffffff;
    if (ah !== bh) r = ah > bh ? a : b;
    else if (a.lo >>> 0 !== b.lo >>> 0) r = a.lo >>> 0 > b.lo >>> 0 ? a : b;
    else r = signOf(a) <= signOf(b) ? a : b;
  }
  out.set(r.lo, r.hi | 0x40000000, r.se);
  return as || bs ? Fx.IE : 0;
}

// ---- packing rounded results ----------------------------------------------------------------------------------

/**
 * Store a Rounded result (from roundPack with emin -16382, emax 16383) into out. Unmasked overflow/underflow
 * results (only produced when the CW mask bit is clear) get the exponent wrapped by 24576 (§8.5.4/§8.5.5).
 */
export function packRounded(sign: number, r: Rounded, out: F80): void {
  if (r.inf) {
    out.set(0, 0x80000000, (sign << 15) | 0x7fff);
    return;
  }
  const sig = r.sig;
  if (sig === 0n) {
    out.set(0, 0, sign << 15);
    return;
  }
  const bl = bitLength(sig);
  const lead = r.exp + bl - 1;
  let s64: bigint;
  let biased: number;
  if (lead >= -16382 || r.unbounded) {
    s64 = sig << BigInt(64 - bl);
    biased = lead + 16383;
    if (biased > 0x7ffe) biased -= 24576;
    else if (biased < 1) biased += 24576;
  } else {
    s64 = sig << BigInt(r.exp + 16445);
    biased = 0;
  }
  out.set(Number(s64 & 0xffffffffn), Number(s64 >> 32n), (sign << 15) | (biased & 0x7fff));
}

// ---- arithmetic ---------------------------------------------------------------------------------------------------

export const enum Op {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
}

/** Flags and C1 of the last operation. */
export const res = { flags: 0, up: false };

export function precisionBits(cw: number): number {
  const pc = (cw >>> 8) & 3;
  return pc === 0 ? 24 : pc === 2 ? 53 : 64;
}

function roundTo(sign: number, m: bigint, e: number, sticky: boolean, p: number, cw: number, out: F80): void {
  const r = roundPack(sign, m, e, sticky, p, -16382, 16383, ((cw >>> 10) & 3) as Rc, false, cw & 0x3f);
  res.flags |= r.flags;
  res.up = r.up;
  packRounded(sign, r, out);
}

/** Round an exact value sign * m * 2^e to the destination precision p (flags into res). */
export function roundExact(sign: number, m: bigint, e: number, sticky: boolean, p: number, cw: number, out: F80): void {
  res.flags = 0;
  if (m === 0n && !sticky) {
    out.set(0, 0, sign << 15);
    res.up = false;
    return;
  }
  roundTo(sign, m, e, sticky, p, cw, out);
}

/**
 * a op b for x87 arithmetic (FADD/FSUB/FMUL/FDIV and variants), precision from CW.PC. Operands must not be
 * empty registers (the caller handles stack faults). Result into out, flags in res.
 */
export function arith(op: Op, a: F80, b: F80, cw: number, out: F80, denormalSource = false): void {
  res.flags = 0;
  res.up = false;
  const ca = classify(a);
  const cb = classify(b);
  if (ca === Cls.Bad || cb === Cls.Bad) {
    res.flags = Fx.IE;
    setIndefinite(out);
    return;
  }
  if (ca === Cls.NaN || cb === Cls.NaN) {
    res.flags = pickNaN(a, b, out);
    return;
  }
  const sa = signOf(a);
  let sb = signOf(b);
  const rc = ((cw >>> 10) & 3) as Rc;
  if (op === Op.Sub) sb ^= 1;
  // A denormal m32/m64 source was normalised on conversion: its DE still counts, after the NaN checks.
  const den = denormalSource || ca === Cls.Denormal || cb === Cls.Denormal;
  switch (op) {
    case Op.Add:
    case Op.Sub:
      if (ca === Cls.Inf || cb === Cls.Inf) {
        if (ca === Cls.Inf && cb === Cls.Inf && sa !== sb) {
          res.flags = Fx.IE;
          setIndefinite(out);
          return;
        }
        if (den) res.flags |= Fx.DE;
        out.set(0, 0x80000000, ((ca === Cls.Inf ? sa : sb) << 15) | 0x7fff);
        return;
      }
      if (den) res.flags |= Fx.DE;
      if (ca === Cls.Zero && cb === Cls.Zero) {
        out.set(0, 0, (sa === sb ? sa : rc === Rc.Down ? 1 : 0) << 15);
        return;
      }
      {
        const ex = exactAdd(sa, sigOf(a), expOf(a), sb, sigOf(b), expOf(b));
        if (ex.m === 0n) {
          out.set(0, 0, (rc === Rc.Down ? 1 : 0) << 15);
          return;
        }
        roundTo(ex.sign, ex.m, ex.e, false, precisionBits(cw), cw, out);
      }
      return;
    case Op.Mul: {
      const s = sa ^ sb;
      if ((ca === Cls.Inf && cb === Cls.Zero) || (ca === Cls.Zero && cb === Cls.Inf)) {
        res.flags = Fx.IE;
        setIndefinite(out);
        return;
      }
      if (den) res.flags |= Fx.DE;
      if (ca === Cls.Inf || cb === Cls.Inf) {
        out.set(0, 0x80000000, (s << 15) | 0x7fff);
        return;
      }
      if (ca === Cls.Zero || cb === Cls.Zero) {
        out.set(0, 0, s << 15);
        return;
      }
      const ex = exactMul(sa, sigOf(a), expOf(a), sb, sigOf(b), expOf(b));
      roundTo(s, ex.m, ex.e, false, precisionBits(cw), cw, out);
      return;
    }
    default: {
      const s = sa ^ sb;
      if ((ca === Cls.Inf && cb === Cls.Inf) || (ca === Cls.Zero && cb === Cls.Zero)) {
        res.flags = Fx.IE;
        setIndefinite(out);
        return;
      }
      if (cb === Cls.Zero) {
        // Division by zero reports ZE only, even with a denormal dividend (observed).
        if (ca !== Cls.Inf) res.flags |= Fx.ZE;
        out.set(0, 0x80000000, (s << 15) | 0x7fff);
        return;
      }
      if (den) res.flags |= Fx.DE;
      if (ca === Cls.Inf) {
        out.set(0, 0x80000000, (s << 15) | 0x7fff);
        return;
      }
      if (ca === Cls.Zero || cb === Cls.Inf) {
        out.set(0, 0, s << 15);
        return;
      }
      const p = precisionBits(cw);
      const ex = exactDiv(sa, sigOf(a), expOf(a), sb, sigOf(b), expOf(b), p);
      roundTo(s, ex.m, ex.e, ex.sticky, p, cw, out);
    }
  }
}

export function sqrt(a: F80, cw: number, out: F80): void {
  res.flags = 0;
  res.up = false;
  const c = classify(a);
  if (c === Cls.Bad) {
    res.flags = Fx.IE;
    setIndefinite(out);
    return;
  }
  if (c === Cls.NaN) {
    res.flags = pickNaN(a, a, out);
    return;
  }
  if (c === Cls.Zero) {
    out.copy(a);
    return;
  }
  if (signOf(a) === 1) {
    res.flags = Fx.IE;
    setIndefinite(out);
    return;
  }
  if (c === Cls.Inf) {
    out.copy(a);
    return;
  }
  if (c === Cls.Denormal) res.flags |= Fx.DE;
  const p = precisionBits(cw);
  const ex = exactSqrt(sigOf(a), expOf(a), p);
  roundTo(0, ex.m, ex.e, ex.sticky, p, cw, out);
}

// ---- conversions --------------------------------------------------------------------------------------------------

/** binary32 bits -> 80-bit (exact). SNaNs stay signalling (the consumer raises IE); returns DE for denormals. */
export function fromF32(x: number, out: F80): number {
  const s = (x >>> 31) << 15;
  const e = (x >>> 23) & 0xff;
  const f = x & 0x7fffff;
  if (e === 0xff) {
    out.set(0, 0x80000000 | (f << 8), s | 0x7fff);
    return 0;
  }
  if (e === 0) {
    if (f === 0) {
      out.set(0, 0, s);
      return 0;
    }
    const bl = 32 - Math.clz32(f);
    out.set(0, f << (32 - bl), s | (bl - 150 + 16383));
    return Fx.DE;
  }
  out.set(0, 0x80000000 | (f << 8), s | (e - 127 + 16383));
  return 0;
}

export function fromF64(lo: number, hi: number, out: F80): number {
  const s = (hi >>> 31) << 15;
  const e = (hi >>> 20) & 0x7ff;
  const fh = hi & 0xfffff;
  if (e === 0x7ff) {
    out.set(lo << 11, 0x80000000 | (fh << 11) | (lo >>> 21), s | 0x7fff);
    return 0;
  }
  if (e === 0) {
    if ((fh | lo) === 0) {
      out.set(0, 0, s);
      return 0;
    }
    const m = (BigInt(fh) << 32n) | BigInt(lo >>> 0);
    const bl = bitLength(m);
    const s64 = m << BigInt(64 - bl);
    out.set(Number(s64 & 0xffffffffn), Number(s64 >> 32n), s | (bl - 1 - 1074 + 16383));
    return Fx.DE;
  }
  out.set(lo << 11, 0x80000000 | (fh << 11) | (lo >>> 21), s | (e - 1023 + 16383));
  return 0;
}

/** Signed integer value (BigInt) -> 80-bit, exact. */
export function fromInt(v: bigint, out: F80): void {
  if (v === 0n) {
    out.set(0, 0, 0);
    return;
  }
  const neg = v < 0n;
  const m = neg ? -v : v;
  const bl = bitLength(m);
  const s64 = m << BigInt(64 - bl);
  out.set(Number(s64 & 0xffffffffn), Number(s64 >> 32n), ((neg ? 1 : 0) << 15) | (bl - 1 + 16383));
}

/** Double value -> 80-bit (exact). */
const cvF = new Float64Array(1);
const cvI = new Int32Array(cvF.buffer);
export function fromDouble(x: number, out: F80): void {
  cvF[0] = x;
  fromF64(cvI[0], cvI[1], out);
}

/** 80-bit -> nearest double (for the approximate transcendental functions; NaN/inf/zero map directly). */
export function toDouble(v: F80): number {
  const c = classify(v);
  const neg = signOf(v) === 1;
  if (c === Cls.Zero) return neg ? -0 : 0;
  if (c === Cls.Inf) return neg ? -Infinity : Infinity;
  if (c === Cls.NaN || c === Cls.Bad) return NaN;
  const m = ((v.hi >>> 0) * 4294967296 + (v.lo >>> 0)) * 2 ** -63; // rounded to 53 bits (nearest), [0, 2)
  const e = expOf(v) + 63;
  const h = e >> 1;
  const x = m * 2 ** h * 2 ** (e - h); // two steps: neither factor over- or underflows on its own
  return neg ? -x : x;
}

/**
 * 80-bit -> IEEE binary32/64 bits for FST (rounding per CW.RC, no precision control). Writes lo/hi into OUT64
 * (binary32 in OUT64[0]). Returns flags (IE for SNaN/unsupported, OE/UE/PE) and sets res.up.
 */
export const OUT64 = new Int32Array(2);
export function toIeee(v: F80, double: boolean, cw: number): number {
  const c = classify(v);
  const s = signOf(v);
  res.up = false;
  if (c === Cls.Bad) {
    if (double) {
      OUT64[0] = 0;
      OUT64[1] = 0xfff80000 | 0;
    } else OUT64[0] = 0xffc00000 | 0;
    return Fx.IE;
  }
  if (c === Cls.NaN || c === Cls.Inf) {
    const snan = c === Cls.NaN && (v.hi & 0x40000000) === 0;
    const hi = c === Cls.NaN ? v.hi | 0x40000000 : v.hi;
    if (double) {
      OUT64[1] = (s << 31) | 0x7ff00000 | ((hi >>> 11) & 0xfffff);
      OUT64[0] = (hi << 21) | (v.lo >>> 11);
    } else OUT64[0] = (s << 31) | 0x7f800000 | ((hi >>> 8) & 0x7fffff);
    return snan ? Fx.IE : 0;
  }
  if (c === Cls.Zero) {
    OUT64[0] = double ? 0 : s << 31;
    OUT64[1] = s << 31;
    return 0;
  }
  const p = double ? 53 : 24;
  const r = roundPack(s, sigOf(v), expOf(v), false, p, double ? -1022 : -126, double ? 1023 : 127, ((cw >>> 10) & 3) as Rc, false, cw & 0x3f);
  res.up = r.up;
  const flags = r.flags | (c === Cls.Denormal ? 0 : 0);
  // Pack (masked results only reach the store; unmasked OE/UE leave memory unchanged).
  if (r.inf) {
    OUT64[0] = double ? 0 : (s << 31) | 0x7f800000;
    OUT64[1] = (s << 31) | 0x7ff00000;
    return flags;
  }
  let sig = r.sig;
  if (sig === 0n) {
    OUT64[0] = double ? 0 : s << 31;
    OUT64[1] = s << 31;
    return flags;
  }
  const bl = bitLength(sig);
  let biased = r.exp + bl - 1 + (double ? 1023 : 127);
  if (bl < p) biased = 0; // denormal
  else sig -= 1n << BigInt(p - 1);
  if (double) {
    OUT64[0] = Number(sig & 0xffffffffn) | 0;
    OUT64[1] = (s << 31) | (biased << 20) | Number(sig >> 32n);
  } else OUT64[0] = (s << 31) | (biased << 23) | Number(sig);
  return flags;
}

/**
 * 80-bit -> integer rounded per rc (FIST, FISTTP with rc = Zero, FRNDINT). Returns the rounded integer as BigInt
 * (with sign) or null for NaN/infinity/unsupported. Sets res.flags (PE) and res.up.
 */
export function toIntegral(v: F80, rc: Rc): bigint | null {
  res.flags = 0;
  res.up = false;
  const c = classify(v);
  if (c === Cls.Bad || c === Cls.NaN || c === Cls.Inf) return null;
  if (c === Cls.Zero) return 0n;
  const m = sigOf(v);
  const e = expOf(v);
  const s = signOf(v);
  if (e >= 0) return s ? -(m << BigInt(e)) : m << BigInt(e);
  const sh = BigInt(-e);
  let q = -e >= 130 ? 0n : m >> sh;
  const rem = -e >= 130 ? m : m & ((1n << sh) - 1n);
  if (rem !== 0n) {
    res.flags = Fx.PE;
    let up = false;
    switch (rc) {
      case Rc.Nearest: {
        const half = 1n << (sh - 1n);
        up = rem > half || (rem === half && (q & 1n) === 1n);
        break;
      }
      case Rc.Up:
        up = s === 0;
        break;
      case Rc.Down:
        up = s === 1;
        break;
      default:
        up = false;
    }
    if (up) q += 1n;
    res.up = up;
  }
  return s ? -q : q;
}

/** Compare two non-NaN, supported values: -1, 0, 1. */
export function compare(a: F80, b: F80): number {
  const ca = classify(a);
  const cb = classify(b);
  const sa = signOf(a);
  const sb = signOf(b);
  if (ca === Cls.Zero && cb === Cls.Zero) return 0;
  if (ca === Cls.Zero) return sb ? 1 : -1;
  if (cb === Cls.Zero) return sa ? -1 : 1;
  if (sa !== sb) return sa ? -1 : 1;
  const ea = Math.max(a.se & 0x7fff, 1);
  const eb = Math.max(b.se & 0x7fff, 1);
  let mag: number;
  if (ea !== eb) mag = ea > eb ? 1 : -1;
  else if (a.hi >>> 0 !== b.hi >>> 0) mag = a.hi >>> 0 > b.hi >>> 0 ? 1 : -1;
  else if (a.lo >>> 0 !== b.lo >>> 0) mag = a.lo >>> 0 > b.lo >>> 0 ? 1 : -1;
  else mag = 0;
  return sa ? -mag : mag;
}
