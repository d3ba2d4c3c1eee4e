// Extra oracle generators for SSE floating point (SDM Vol. 1 §4.8, §11.5): operands aimed at the rounding,
// overflow and underflow boundaries (tininess after rounding, FTZ/DAZ, directed modes), unmasked exceptions, and
// conversions at the integer-range and precision edges. Complements tests/oracle/gen/sse-fp.ts.
import type { CaseSpec } from '../oracle/abi.js';
import { CaseBuilder, regName } from '../oracle/gen/builder.js';
import { Rng, value } from '../oracle/gen/rng.js';
import { floatBits, randomMxcsr, vecMem, xmmRegs } from '../oracle/gen/vec.js';

type Lane = 32 | 64;
const P = { 32: 24, 64: 53 } as const;
const BIAS = { 32: 127, 64: 1023 } as const;
const EMAX = { 32: 127, 64: 1023 } as const;

/** A float with the given sign, unbiased exponent (clamped into the encodable range) and random significand. */
export function fmake(rng: Rng, lane: Lane, sign: number, exp: number, sigKind = rng.below(4)): bigint {
  const fb = P[lane] - 1;
  let frac: bigint;
  if (sigKind === 0) frac = 0n; // power of two
  else if (sigKind === 1) frac = (1n << BigInt(fb)) - 1n; // all ones
  else if (sigKind === 2) frac = BigInt(rng.range(0, 7)) << BigInt(fb - 3); // few bits: exact ties/products
  else frac = lane === 64 ? rng.u64() & ((1n << 52n) - 1n) : BigInt(rng.u32() & 0x7fffff);
  let biased = exp + BIAS[lane];
  if (biased <= 0) {
    // Denormal: shift the implicit one into the fraction.
    const sh = 1 - biased;
    frac = sh > fb + 1 ? 1n : ((frac | (1n << BigInt(fb))) >> BigInt(sh)) || 1n;
    biased = 0;
  }
  if (biased >= 2 * BIAS[lane] + 1) biased = 2 * BIAS[lane];
  return (BigInt(sign) << BigInt(lane - 1)) | (BigInt(biased) << BigInt(fb)) | frac;
}

function put(x: Uint8Array, lane: Lane, i: number, v: bigint): void {
  const n = lane / 8;
  for (let k = 0; k < n; k++) x[i * n + k] = Number((v >> BigInt(8 * k)) & 0xffn);
}

/** Bits of sign * m * 2^e for m in [1, 2) (a double that is exact in the lane format), e in the normal range. */
function compose(lane: Lane, sign: number, m: number, e: number): bigint {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, m, true);
  const frac = dv.getBigUint64(0, true) & ((1n << 52n) - 1n);
  const f = lane === 64 ? frac : frac >> 29n;
  return (BigInt(sign) << BigInt(lane - 1)) | (BigInt(e + BIAS[lane]) << BigInt(P[lane] - 1)) | f;
}

/**
 * Operands whose exact product or quotient lies within a few ulps of 2^t: the rounding decides whether the result
 * is tiny / overflows (tininess after rounding, RC-dependent overflow to MAX or infinity).
 */
function nearPow2(rng: Rng, lane: Lane, op: 'mul' | 'div'): [bigint, bigint] {
  const emin = 1 - BIAS[lane];
  const emax = EMAX[lane];
  const p = P[lane];
  const t = rng.pick([emin, emin, emin - 1, emin - p, emin - p - 1, emax + 1, emax + 1]);
  const rnd = lane === 32 ? Math.fround : (x: number): number => x;
  const ulp = 2 ** (1 - p);
  const sa = rng.below(2);
  const sb = rng.below(2);
  // Split t between the operands so both stay normal.
  const ea = Math.max(emin, Math.min(emax, Math.trunc(t / 2) + rng.range(-3, 3)));
  if (op === 'mul') {
    const ma = rnd(1 + rng.below(1 << 20) / (1 << 20));
    let mb = rnd(2 / ma + rng.range(-2, 2) * ulp);
    let eb = t - 1 - ea;
    if (mb >= 2) {
      mb /= 2;
      eb++;
    }
    if (mb < 1) {
      mb *= 2;
      eb--;
    }
    return [compose(lane, sa, ma, ea), compose(lane, sb, mb, Math.max(emin, Math.min(emax, eb)))];
  }
  const mb = rnd(1 + rng.below(1 << 19) / (1 << 20));
  const ma = rnd(mb + rng.range(-3, 3) * ulp);
  const eb = Math.max(emin, Math.min(emax, ea - t));
  return [compose(lane, sa, ma, Math.max(emin, Math.min(emax, t + eb))), compose(lane, sb, mb, eb)];
}

/** Operand pair (a, b) for `op` with the exact result steered to an interesting exponent range. */
function pair(rng: Rng, lane: Lane, op: string): [bigint, bigint] {
  const emin = 1 - BIAS[lane];
  const emax = EMAX[lane];
  const p = P[lane];
  const s = (): number => rng.below(2);
  const scen = rng.below(9);
  if (scen === 7) return [floatBits(rng, lane), floatBits(rng, lane)];
  if (scen === 8 && (op === 'mul' || op === 'div')) return nearPow2(rng, lane, op);
  // target exponent of the result: around underflow (incl. deep denormal), around overflow, or ordinary
  const target =
    scen < 3 ? emin + rng.range(-p - 2, 2) : scen < 5 ? emax + rng.range(-1, 1) : rng.range(-4, 4);
  if (op === 'mul') {
    const ea = rng.range(Math.max(emin - p, target - emax), Math.min(emax, target - emin + p));
    return [fmake(rng, lane, s(), ea), fmake(rng, lane, s(), target - ea)];
  }
  if (op === 'div') {
    const ea = rng.range(Math.max(emin - p, target + emin - p), Math.min(emax, target + emax));
    return [fmake(rng, lane, s(), ea), fmake(rng, lane, s(), ea - target)];
  }
  if (op === 'sqrt') return [fmake(rng, lane, rng.chance(0.1) ? 1 : 0, scen < 3 ? emin + rng.range(-p, 3) : rng.range(-8, 8) + (scen < 5 ? emax - 1 : 0)), 0n];
  // add/sub/min/max/cmp: close magnitudes (cancellation into the subnormal range), or far apart (sticky rounding)
  const ea = scen < 3 ? emin + rng.range(-p, 2) : scen < 5 ? emax - rng.range(0, 1) : rng.range(-10, 10);
  const gap = rng.pick([0, 0, 1, p - 1, p, p + 1, p + 2, rng.range(0, 2 * p)]);
  return [fmake(rng, lane, s(), ea), fmake(rng, lane, s(), ea - gap)];
}

const ARITH = ['add', 'sub', 'mul', 'div', 'sqrt', 'min', 'max', 'cmp'];

/** Packed/scalar arithmetic with boundary operands, every rounding mode, DAZ/FTZ and some unmasked exceptions. */
export function genFpEdge(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    randomMxcsr(b, 0.12);
    const kind = rng.pick(['ss', 'sd', 'ps', 'pd'] as const);
    const lane: Lane = kind === 'ss' || kind === 'ps' ? 32 : 64;
    const roll = rng.below(10);
    const [d, s] = xmmRegs(rng, 2) as [number, number];
    const x = rng.bytes(16);
    const y = rng.bytes(16);
    let asm: string;
    if (roll < 8) {
      const op = rng.pick(ARITH);
      for (let i = 0; i < 128 / lane; i++) {
        const [a, c] = pair(rng, lane, op);
        put(x, lane, i, a);
        put(y, lane, i, op === 'sqrt' ? a : c);
      }
      const imm = op === 'cmp' ? `, ${rng.range(0, 7)}` : '';
      b.xmm[d] = x;
      const mnem = `${op}${kind}`;
      if (rng.chance(0.25)) {
        const bytes = kind === 'ss' ? 4 : kind === 'sd' ? 8 : 16;
        asm = `${mnem} xmm${d}, ${vecMem(b, y.slice(0, bytes), bytes === 4 ? 'dword' : bytes === 8 ? 'qword' : 'xmmword', true)}${imm}`;
      } else {
        b.xmm[s] = y;
        asm = `${mnem} xmm${d}, xmm${s}${imm}`;
      }
    } else {
      // horizontal / alternating / dot-product forms mix lanes of both operands
      const op = rng.pick(lane === 32 ? ['haddps', 'hsubps', 'addsubps', 'dpps'] : ['haddpd', 'hsubpd', 'addsubpd', 'dppd']);
      for (let i = 0; i < 128 / lane; i++) {
        const [a, c] = pair(rng, lane, op === 'dpps' || op === 'dppd' ? 'mul' : 'add');
        put(x, lane, i, a);
        put(y, lane, i, c);
      }
      b.xmm[d] = x;
      b.xmm[s] = y;
      asm = `${op} xmm${d}, xmm${s}${op.startsWith('dp') ? `, ${rng.range(0, 255)}` : ''}`;
    }
    out.push(b.spec(`fp-edge/${n}: ${asm} (mxcsr 0x${b.mxcsr.toString(16)})`, asm));
  }
  return out;
}

/** Integer values near the conversion boundaries of a float format. */
function intEdge(rng: Rng, bits: 32 | 64): bigint {
  const k = rng.below(6);
  if (k === 0) return value(rng, bits);
  const e = rng.pick([23, 24, 25, 31, 52, 53, 54, 62, 63].filter((x) => x < bits));
  let v = (1n << BigInt(e)) + BigInt(rng.range(-3, 3));
  if (k === 2) v |= BigInt(rng.range(0, 3)); // low bits for rounding
  if (k === 3) v = (rng.u64() >> BigInt(64 - e - 1)) | 1n; // odd values with e+1 bits: ties and sticky bits
  if (k === 4) v = ((rng.u64() >> BigInt(64 - e)) << 1n) | 1n;
  return BigInt.asUintN(bits, rng.chance(0.5) ? -v : v);
}

/** Float values near integer-range and rounding boundaries (x.5 ties, 2^31, 2^63, denormals, NaN, inf). */
function floatEdge(rng: Rng, lane: Lane): bigint {
  const k = rng.below(5);
  if (k === 0) return floatBits(rng, lane);
  const dv = new DataView(new ArrayBuffer(8));
  let x: number;
  if (k === 1) x = rng.pick([2147483647.5, 2147483648, 2147483647, 2147483646.5, -2147483648.5, -2147483648, -2147483649, 9223372036854775807, -9223372036854775808, 9.2233720368547748e18, -9.2233720368547758e18]);
  else if (k === 2) x = (rng.range(-40, 40) + 0.5) * (rng.chance(0.5) ? 1 : 2 ** rng.range(-3, 3));
  else if (k === 3) x = (rng.chance(0.5) ? -1 : 1) * 2 ** rng.range(-160, 70) * (1 + rng.below(1000) / 1000);
  else return fmake(rng, lane, rng.below(2), lane === 32 ? rng.range(-150, -120) : rng.range(-1080, -1015));
  if (lane === 64) {
    dv.setFloat64(0, x, true);
    return dv.getBigUint64(0, true);
  }
  dv.setFloat32(0, x, true);
  return BigInt(dv.getUint32(0, true));
}

/** Conversions at the edges: int<->float rounding, float->int range/NaN, float<->float tiny/huge/NaN payloads. */
export function genCvtEdge(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    randomMxcsr(b, 0.08);
    const [d, s] = xmmRegs(rng, 2) as [number, number];
    const k = rng.below(4);
    let asm: string;
    if (k === 0) {
      const op = rng.pick(['cvtsi2ss', 'cvtsi2sd']);
      const size = rng.chance(0.6) ? 64 : 32;
      const v = intEdge(rng, size);
      if (rng.chance(0.3)) asm = `${op} xmm${d}, ${b.memOperand(size, v).text}`;
      else {
        const r = b.reg(size);
        b.setReg(r, v);
        asm = `${op} xmm${d}, ${regName(r)}`;
      }
    } else if (k === 1) {
      const op = rng.pick(['cvtss2si', 'cvttss2si', 'cvtsd2si', 'cvttsd2si']);
      const lane: Lane = op.includes('ss') ? 32 : 64;
      const r = b.reg(rng.chance(0.5) ? 32 : 64);
      const x = new Uint8Array(16);
      put(x, lane, 0, floatEdge(rng, lane));
      if (rng.chance(0.3)) asm = `${op} ${regName(r)}, ${vecMem(b, x.slice(0, lane / 8), lane === 32 ? 'dword' : 'qword', false)}`;
      else {
        b.xmm[s] = x;
        asm = `${op} ${regName(r)}, xmm${s}`;
      }
    } else {
      const ops = [
        ['cvtps2dq', 32], ['cvttps2dq', 32], ['cvtpd2dq', 64], ['cvttpd2dq', 64], ['cvtpd2ps', 64], ['cvtsd2ss', 64],
        ['cvtss2sd', 32], ['cvtps2pd', 32], ['cvtdq2ps', 0], ['cvtdq2pd', 0],
      ] as const;
      const [op, lane] = rng.pick(ops);
      const x = new Uint8Array(16);
      if (lane === 0) for (let i = 0; i < 4; i++) put(x, 32, i, intEdge(rng, 32));
      else for (let i = 0; i < 128 / lane; i++) put(x, lane, i, rng.chance(0.5) ? floatEdge(rng, lane) : fmake(rng, lane, rng.below(2), lane === 64 ? rng.pick([-150, -149, -127, -126, -125, 127, 128, 129]) + rng.range(-1, 1) : rng.range(-140, 130)));
      b.xmm[s] = x;
      asm = `${op} xmm${d}, xmm${s}`;
    }
    out.push(b.spec(`cvt-edge/${n}: ${asm} (mxcsr 0x${b.mxcsr.toString(16)})`, asm));
  }
  return out;
}
