// Exact IEEE 754 rounding on BigInt significands (SDM Vol. 1 §4.8.4 rounding control, §4.9.1.4-4.9.1.6 overflow,
// underflow and inexact; x86 detects tininess after rounding). Slow path shared by SSE (binary32/64) and x87
// (64-bit significand with precision control): callers hand over the exact result as sign * m * 2^e (+ sticky).
import { Rc, Xf } from './env.js';

/** Result of roundPack: value = sig * 2^exp, or an infinity. */
export class Rounded {
  sig = 0n;
  exp = 0;
  inf = false;
  /** Magnitude was rounded up (x87 C1). */
  up = false;
  flags = 0;
  /** Tiny (after rounding) result. */
  tiny = false;
  /** Unmasked overflow/underflow: sig/exp hold the p-bit result with unbounded exponent (x87 wraps it). */
  unbounded = false;
}

export const RND = new Rounded();

/** Number of significant bits of m > 0. */
export function bitLength(m: bigint): number {
  let n = 0;
  let x = m;
  while (x >= 0x100000000n) {
    x >>= 32n;
    n += 32;
  }
  return n + (32 - Math.clz32(Number(x)));
}

let roundedUp = false;
let inexactBits = false;

/** Drop the low `s` bits of m (s >= 1) rounding per rc; sticky = nonzero bits below m. */
function roundShift(m: bigint, s: number, sticky: boolean, rc: Rc, sign: number): bigint {
  if (s <= 0) {
    inexactBits = sticky;
    roundedUp = false;
    return m << BigInt(-s);
  }
  const bs = BigInt(s);
  let q = m >> bs;
  const rem = m & ((1n << bs) - 1n);
  const inexact = rem !== 0n || sticky;
  let up = false;
  if (inexact) {
    switch (rc) {
      case Rc.Nearest: {
        const half = 1n << (bs - 1n);
        up = rem > half || (rem === half && (sticky || (q & 1n) === 1n));
        break;
      }
      case Rc.Up:
        up = sign === 0;
        break;
      case Rc.Down:
        up = sign !== 0;
        break;
      default:
        up = false;
    }
  }
  if (up) q += 1n;
  inexactBits = inexact;
  roundedUp = up;
  return q;
}

/**
 * Round sign * (m + sticky) * 2^e to a p-bit significand with normal exponents emin..emax (of the leading bit).
 * m > 0; when sticky is set m must carry at least p + 2 bits. `mask` = the exception mask bits (MXCSR >> 7 or the
 * x87 CW low bits): unmasked underflow reports tiny exact results and skips flush-to-zero.
 * Masked overflow gives infinity or the largest finite value per rc.
 */
export function roundPack(
  sign: number, m: bigint, e: number, sticky: boolean, p: number, emin: number, emax: number, rc: Rc, ftz: boolean, mask: number,
): Rounded {
  const r = RND;
  r.inf = false;
  r.tiny = false;
  r.unbounded = false;
  const n = bitLength(m);
  let s1 = n - p;
  let q = roundShift(m, s1, sticky, rc, sign);
  const inexact1 = inexactBits;
  let up = roundedUp;
  if (q >> BigInt(p) !== 0n) {
    q >>= 1n;
    s1 += 1;
  }
  const lead = e + s1 + p - 1; // exponent of the leading bit after rounding with unbounded exponent
  if (lead > emax) {
    const om = (mask & Xf.OE) !== 0;
    r.flags = Xf.OE | (om || inexact1 ? Xf.PE : 0);
    const toInf = rc === Rc.Nearest || (rc === Rc.Up && sign === 0) || (rc === Rc.Down && sign !== 0);
    if (!om) {
      // Unmasked: the caller may want the rounded significand (x87 biased result); keep it.
      r.unbounded = true;
      r.sig = q;
      r.exp = e + s1;
      r.up = up;
      return r;
    }
    if (toInf) {
      r.inf = true;
      r.sig = 0n;
      r.up = true;
    } else {
      r.sig = (1n << BigInt(p)) - 1n;
      r.exp = emax - p + 1;
      r.up = false;
    }
    return r;
  }
  if (lead < emin) {
    r.tiny = true;
    const um = (mask & Xf.UE) !== 0;
    if (!um) {
      r.flags = Xf.UE | (inexact1 ? Xf.PE : 0);
      r.unbounded = true;
      r.sig = q;
      r.exp = e + s1;
      r.up = up;
      return r;
    }
    if (ftz) {
      r.flags = Xf.UE | Xf.PE;
      r.sig = 0n;
      r.exp = 0;
      r.up = false;
      return r;
    }
    const lsb = emin - p + 1;
    const q2 = roundShift(m, lsb - e, sticky, rc, sign);
    r.flags = inexactBits ? Xf.UE | Xf.PE : 0;
    r.sig = q2;
    r.exp = lsb;
    r.up = roundedUp;
    return r;
  }
  r.flags = inexact1 ? Xf.PE : 0;
  r.sig = q;
  r.exp = e + s1;
  r.up = up;
  return r;
}

// ---- exact operations on finite non-zero operands (sign, m, e) -------------------------------------------------

export class Exact {
  sign = 0;
  m = 0n;
  e = 0;
  sticky = false;
}
export const EX = new Exact();

/** a + b exactly (b's sign already flipped for subtraction). m = 0 means an exact zero (sign left to the caller). */
export function exactAdd(sa: number, ma: bigint, ea: number, sb: number, mb: bigint, eb: number): Exact {
  const e = Math.min(ea, eb);
  const A = ma << BigInt(ea - e);
  const B = mb << BigInt(eb - e);
  let sum = sa ? -A : A;
  sum += sb ? -B : B;
  EX.sign = sum < 0n ? 1 : 0;
  EX.m = sum < 0n ? -sum : sum;
  EX.e = e;
  EX.sticky = false;
  return EX;
}

export function exactMul(sa: number, ma: bigint, ea: number, sb: number, mb: bigint, eb: number): Exact {
  EX.sign = sa ^ sb;
  EX.m = ma * mb;
  EX.e = ea + eb;
  EX.sticky = false;
  return EX;
}

/** a / b with at least `bits` + 2 quotient bits and a sticky remainder bit. */
export function exactDiv(sa: number, ma: bigint, ea: number, sb: number, mb: bigint, eb: number, bits: number): Exact {
  const k = Math.max(0, bits + 3 - (bitLength(ma) - bitLength(mb)));
  const num = ma << BigInt(k);
  const q = num / mb;
  EX.sign = sa ^ sb;
  EX.m = q;
  EX.e = ea - eb - k;
  EX.sticky = q * mb !== num;
  return EX;
}

/** Integer square root (floor) of n >= 0. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** sqrt(m * 2^e) for m > 0 with at least `bits` + 2 result bits and a sticky bit. */
export function exactSqrt(m: bigint, e: number, bits: number): Exact {
  let k = Math.max(0, 2 * (bits + 3) - bitLength(m));
  if (((e - k) & 1) !== 0) k++;
  const n = m << BigInt(k);
  const r = isqrt(n);
  EX.sign = 0;
  EX.m = r;
  EX.e = (e - k) / 2;
  EX.sticky = r * r !== n;
  return EX;
}
