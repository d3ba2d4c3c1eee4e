// Seeded PRNG (sfc32 seeded by splitmix32) and "interesting operand" pools for the oracle case generators.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(a: readonly T[]): T {
    return a[this.below(a.length)]!;
  }

  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
}

export const mask = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

/** Two's-complement value of the low `bits` of v. */
export const signed = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);
export const unsigned = (v: bigint, bits: number): bigint => BigInt.asUintN(bits, v);

const POOL_BASE = [
  0n, 1n, 2n, 3n, 7n, 8n, 0x0fn, 0x10n, 0x1fn, 0x20n, 0x3fn, 0x40n,
  0x7fn, 0x80n, 0x81n, 0xfen, 0xffn, 0x100n,
  0x7fffn, 0x8000n, 0x8001n, 0xfffen, 0xffffn, 0x10000n,
  0x7fff_ffffn, 0x8000_0000n, 0x8000_0001n, 0xffff_fffen, 0xffff_ffffn, 0x1_0000_0000n,
  0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0x8000_0000_0000_0001n, 0xffff_ffff_ffff_fffen,
  0xffff_ffff_ffff_ffffn, 0x5555_5555_5555_5555n, 0xaaaa_aaaa_aaaa_aaaan, 0x0f0f_0f0f_0f0f_0f0fn,
  0x0123_4567_89ab_cdefn,
];

const pools = new Map<number, bigint[]>();

/** Boundary values for a width: 0, 1, all-ones, sign bit and its neighbours, byte/word/dword edges... */
export function pool(bits: number): bigint[] {
  let p = pools.get(bits);
  if (!p) {
    p = [...new Set(POOL_BASE.map((v) => unsigned(v, bits)))];
    pools.set(bits, p);
  }
  return p;
}

/** An operand value of `bits` width: boundaries, boundaries +/- a little, small numbers, random of random size. */
export function value(rng: Rng, bits: number): bigint {
  const r = rng.below(100);
  if (r < 40) return rng.pick(pool(bits));
  if (r < 52) return unsigned(rng.pick(pool(bits)) + BigInt(rng.range(-3, 3)), bits);
  if (r < 62) return BigInt(rng.range(0, 64));
  if (r < 75) return unsigned(rng.u64() >> BigInt(rng.below(64)), bits);
  if (r < 80) return unsigned(-(rng.u64() >> BigInt(rng.below(64))), bits);
  return unsigned(rng.u64(), bits);
}

/** Shift/rotate counts: every 0..70 equally often, plus the masking edges and large bytes. */
export function shiftCount(rng: Rng): number {
  return rng.chance(0.85) ? rng.range(0, 70) : rng.pick([63, 64, 65, 95, 96, 127, 128, 129, 192, 255]);
}
