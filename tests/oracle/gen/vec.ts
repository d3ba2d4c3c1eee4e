// XMM operand helpers for the SSE oracle generators: integer/float lane values (NaN, inf, denormal...), m128 operands.
import { VEC } from '../abi.js';
import type { CaseBuilder } from './builder.js';
import { Rng, value } from './rng.js';

const F64_SPECIAL = [
  0x0000_0000_0000_0000n, 0x8000_0000_0000_0000n, 0x3ff0_0000_0000_0000n, 0xbff0_0000_0000_0000n,
  0x3fe0_0000_0000_0000n, 0x3ff8_0000_0000_0000n, 0x4004_0000_0000_0000n, 0xc004_0000_0000_0000n,
  0x400c_0000_0000_0000n, 0xbfe0_0000_0000_0000n, 0x7ff0_0000_0000_0000n, 0xfff0_0000_0000_0000n,
  0x7ff8_0000_0000_0000n, 0xfff8_0000_0000_0000n, 0x7ff8_dead_beef_0001n, 0x7ff0_0000_0000_0001n,
  0xfff4_0000_0000_1234n, 0x0000_0000_0000_0001n, 0x800f_ffff_ffff_ffffn, 0x000f_ffff_ffff_ffffn,
  0x0010_0000_0000_0000n, 0x8010_0000_0000_0000n, 0x7fef_ffff_ffff_ffffn, 0xffef_ffff_ffff_ffffn,
  0x41e0_0000_0000_0000n, 0x41df_ffff_ffe0_0000n, 0x41df_ffff_ffc0_0000n, 0xc1e0_0000_0000_0000n,
  0xc1e0_0000_0020_0000n, 0x43e0_0000_0000_0000n, 0xc3e0_0000_0000_0000n, 0x41f0_0000_0000_0000n,
  0x3fd5_5555_5555_5555n, 0x4009_21fb_5444_2d18n, 0x3ca0_0000_0000_0000n, 0x3690_0000_0000_0000n,
];
const F32_SPECIAL = [
  0x0000_0000, 0x8000_0000, 0x3f80_0000, 0xbf80_0000, 0x3f00_0000, 0x3fc0_0000, 0x4020_0000, 0xc020_0000,
  0x4060_0000, 0xbf00_0000, 0x7f80_0000, 0xff80_0000, 0x7fc0_0000, 0xffc0_0000, 0x7fc0_1234, 0x7f80_0001,
  0xffa0_0042, 0x0000_0001, 0x807f_ffff, 0x007f_ffff, 0x0080_0000, 0x8080_0000, 0x7f7f_ffff, 0xff7f_ffff,
  0x4f00_0000, 0x4eff_ffff, 0xcf00_0000, 0xcf00_0001, 0x5f00_0000, 0xdf00_0000, 0x4f80_0000, 0x3eaa_aaab,
  0x4049_0fdb, 0x3380_0000, 0x1e3c_e508,
];

/** A float bit pattern: specials (zeros, NaNs, infinities, denormals, int edges), simple halves, or random. */
export function floatBits(rng: Rng, bits: 32 | 64): bigint {
  const r = rng.below(10);
  if (r < 5) return bits === 64 ? rng.pick(F64_SPECIAL) : BigInt(rng.pick(F32_SPECIAL));
  if (r < 7) {
    const x = rng.range(-80, 80) / 4; // ties and exact values for rounding tests
    const dv = new DataView(new ArrayBuffer(8));
    if (bits === 64) {
      dv.setFloat64(0, x, true);
      return dv.getBigUint64(0, true);
    }
    dv.setFloat32(0, x, true);
    return BigInt(dv.getUint32(0, true));
  }
  if (r < 8) {
    // random sign and mantissa with an exponent near the edges (denormal/overflow range)
    const exp = bits === 64 ? rng.pick([0, 1, 2, 0x3fe, 0x3ff, 0x43e, 0x7fd, 0x7fe]) : rng.pick([0, 1, 2, 0x7e, 0x7f, 0x9e, 0xfd, 0xfe]);
    const mant = bits === 64 ? rng.u64() & ((1n << 52n) - 1n) : BigInt(rng.u32() & 0x7f_ffff);
    const sign = rng.chance(0.5) ? 1n : 0n;
    return bits === 64 ? (sign << 63n) | (BigInt(exp) << 52n) | mant : (sign << 31n) | (BigInt(exp) << 23n) | mant;
  }
  return bits === 64 ? rng.u64() : BigInt(rng.u32());
}

function putLane(x: Uint8Array, lane: number, laneBits: number, v: bigint): void {
  const bytes = laneBits / 8;
  for (let i = 0; i < bytes; i++) x[lane * bytes + i] = Number((v >> BigInt(8 * i)) & 0xffn);
}

/** 16 bytes of integer lanes drawn from the boundary pools of the lane width. */
export function intVector(rng: Rng, laneBits: number): Uint8Array {
  const x = new Uint8Array(16);
  for (let l = 0; l < 128 / laneBits; l++) putLane(x, l, laneBits, value(rng, laneBits));
  return x;
}

export function floatVector(rng: Rng, laneBits: 32 | 64): Uint8Array {
  const x = new Uint8Array(16);
  for (let l = 0; l < 128 / laneBits; l++) putLane(x, l, laneBits, floatBits(rng, laneBits));
  return x;
}

/** Distinct XMM register numbers. */
export function xmmRegs(rng: Rng, n: number): number[] {
  const all = [...Array(16).keys()];
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(all.splice(rng.below(all.length), 1)[0]!);
  return out;
}

/**
 * A memory operand of `bytes` holding `content`. For 16-byte operands of instructions that demand alignment
 * (`needsAlign`), 5% of cases are deliberately misaligned and must raise #GP.
 */
export function vecMem(b: CaseBuilder, content: Uint8Array, ptr: string, needsAlign: boolean): string {
  const bytes = content.length;
  let offset = b.memOffset(bytes, 1) & ~15;
  if (bytes === 16 && b.rng.chance(0.05)) {
    offset += b.rng.range(1, 15);
    if (needsAlign) b.expectFault = VEC.GP;
  } else if (bytes < 16 && b.rng.chance(0.3)) {
    offset += b.rng.range(1, 15); // scalar loads have no alignment rule
  }
  b.scatter(offset, bytes);
  b.poke(offset, content);
  return `${ptr} ptr ${b.addr(offset)}`;
}

/** A random MXCSR: rounding mode, DAZ/FTZ, sticky flags; `unmaskP` of the time some exceptions unmasked. */
export function randomMxcsr(b: CaseBuilder, unmaskP: number): void {
  const rng = b.rng;
  let m = 0x1f80 | (rng.below(4) << 13);
  if (rng.chance(0.25)) m |= 0x40; // DAZ
  if (rng.chance(0.25)) m |= 0x8000; // FTZ
  if (rng.chance(0.15)) m |= rng.below(64); // sticky exception flags already set
  if (rng.chance(unmaskP)) {
    m &= ~(rng.range(1, 63) << 7);
    b.expectFault = 'any'; // #XM if an unmasked exception occurs
  }
  b.mxcsr = m;
}
