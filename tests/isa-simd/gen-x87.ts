// Extra oracle generators for the x87 FPU (SDM Vol. 1 ch. 8): FSCALE, FXTRACT, FPREM/FPREM1, FXCH, FCMOVcc,
// FBLD/FBSTP, integer stores at the range edges, precision control with tiny and huge results, stack faults,
// FNSTENV/FNSAVE/FRSTOR images, and the control instructions. Results are stored to memory or read via FNSTSW.
import { DATA_BASE, FULL_MASK, type CaseSpec } from '../oracle/abi.js';
import { CaseBuilder, regName } from '../oracle/gen/builder.js';
import { Rng } from '../oracle/gen/rng.js';
import { floatBits } from '../oracle/gen/vec.js';

/** FSW bits compared: exceptions, SF, ES, C0..C3 where the sequence defines them (set per case), TOP. */
const FSW_BASIC = 0x3aff;
const FSW_ALL = 0x7fff;

/** An 80-bit value: normal numbers around `centre`, specials, denormals, sometimes unsupported encodings. */
function ext(rng: Rng, centre = 0x3fff, spread = 70): Uint8Array {
  const b = new Uint8Array(10);
  const k = rng.below(12);
  let exp: number;
  let mant = rng.u64() | (1n << 63n);
  if (k < 7) exp = centre + rng.range(-spread, spread);
  else if (k === 7) exp = rng.pick([0, 1, 2]);
  else if (k === 8) exp = rng.pick([0x7ffe, 0x7ffd]);
  else if (k === 9) {
    exp = 0x7fff;
    mant = rng.chance(0.3) ? 1n << 63n : mant;
  } else if (k === 10) {
    exp = 0;
    mant = 0n;
  } else exp = rng.range(0, 0x7fff);
  if (exp === 0 && mant !== 0n) mant &= ~(1n << 63n);
  if (rng.chance(0.3)) mant &= ~((1n << BigInt(rng.range(8, 60))) - 1n) | (1n << 63n);
  for (let i = 0; i < 8; i++) b[i] = Number((mant >> BigInt(8 * i)) & 0xffn);
  const se = exp | (rng.chance(0.4) ? 0x8000 : 0);
  b[8] = se & 0xff;
  b[9] = se >> 8;
  return b;
}

function i80(v: number): Uint8Array {
  const b = new Uint8Array(10);
  const dv = new DataView(b.buffer);
  dv.setFloat64(0, v, true);
  const bits = dv.getBigUint64(0, true);
  if (v === 0) return b;
  const e = Number((bits >> 52n) & 0x7ffn);
  const m = ((bits & ((1n << 52n) - 1n)) | (1n << 52n)) << 11n;
  for (let i = 0; i < 8; i++) b[i] = Number((m >> BigInt(8 * i)) & 0xffn);
  const se = (e - 1023 + 16383) | (v < 0 ? 0x8000 : 0);
  b[8] = se & 0xff;
  b[9] = se >> 8;
  return b;
}

function bcd(rng: Rng): Uint8Array {
  const b = new Uint8Array(10);
  const digits = rng.range(0, 18);
  for (let i = 0; i < 9; i++) {
    const lo = 2 * i < digits ? rng.below(10) : 0;
    const hi = 2 * i + 1 < digits ? rng.below(10) : 0;
    b[i] = (hi << 4) | lo;
  }
  b[9] = rng.chance(0.5) ? 0x80 : 0;
  return b;
}

export function genX87Ext(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    b.fswMask = FSW_BASIC;
    const pc = rng.pick([0, 2, 3, 3]);
    b.fcw = 0x7f | (pc << 8) | (rng.below(4) << 10);
    const off = rng.range(0x100, 0xd00) & ~15;
    b.scatter(off, 0x100, 0);
    const bi = b.freeIdx();
    b.setGpr(bi, BigInt(DATA_BASE + off));
    const base = regName({ idx: bi, size: 64, high: false });
    const at = (k: number): string => `[${base} + ${k}]`;
    const lines: string[] = [];
    const k = rng.below(13);
    const ld = (slot: number, v: Uint8Array): string => {
      b.poke(off + slot, v);
      return `fld tbyte ptr ${at(slot)}`;
    };
    if (k === 0) {
      // FSCALE with small, fractional, negative and huge scale factors
      const sc = rng.chance(0.7) ? i80(rng.range(-70, 70) + (rng.chance(0.3) ? rng.below(100) / 100 : 0)) : ext(rng, 0x4000 + rng.range(0, 16), 3);
      lines.push(ld(0, sc), ld(16, ext(rng, rng.pick([0x3fff, 1, 0x7ffe]), 40)), 'fscale', `fstp tbyte ptr ${at(64)}`, `fstp tbyte ptr ${at(80)}`);
    } else if (k === 1) {
      lines.push(ld(0, ext(rng, 0x3fff, 20000)), 'fxtract', `fstp tbyte ptr ${at(64)}`, `fstp tbyte ptr ${at(80)}`);
    } else if (k === 2) {
      // partial remainders: exponent differences from 0 to beyond 64 (C2 = incomplete), quotient bits in C0/C3/C1
      const eb = 0x3fff + rng.range(-10, 10);
      const ea = eb + rng.pick([0, 1, 2, 5, 30, 62, 63, 64, 65, 90, 130, rng.range(-3, 200)]);
      const a = ext(rng, ea, 0);
      lines.push(ld(0, ext(rng, eb, 0)), ld(16, a), rng.pick(['fprem', 'fprem1']), 'fnstsw ax', `fstp tbyte ptr ${at(64)}`, `fstp tbyte ptr ${at(80)}`);
      b.take(0);
      b.fswMask = FSW_ALL;
    } else if (k === 3) {
      // FXCH / FCMOVcc with flags from a compare
      const r1 = b.reg(64);
      const r2 = b.reg(64);
      b.setReg(r1, BigInt(rng.range(-2, 2)));
      b.setReg(r2, BigInt(rng.range(-2, 2)));
      const cc = rng.pick(['b', 'e', 'be', 'u', 'nb', 'ne', 'nbe', 'nu']);
      lines.push(ld(0, ext(rng)), ld(16, ext(rng)), ld(32, ext(rng)), `cmp ${regName(r1)}, ${regName(r2)}`);
      lines.push(rng.chance(0.5) ? `fcmov${cc} st(0), st(${rng.range(1, 2)})` : `fxch st(${rng.range(1, 2)})`);
      lines.push(`fstp tbyte ptr ${at(64)}`, `fstp tbyte ptr ${at(80)}`, `fstp tbyte ptr ${at(96)}`);
    } else if (k === 4) {
      // packed BCD round trip, and FBSTP of arbitrary values (incl. out-of-range -> BCD indefinite)
      if (rng.chance(0.5)) lines.push(`fbld tbyte ptr ${at(0)}`, 'fld st(0)', 'fadd st(0), st(0)', `fbstp tbyte ptr ${at(64)}`, `fbstp tbyte ptr ${at(80)}`);
      else lines.push(ld(0, ext(rng, 0x3fff + rng.range(0, 60), 3)), `fbstp tbyte ptr ${at(64)}`);
      b.poke(off, bcd(rng));
    } else if (k === 5) {
      // integer stores at the range edges in every rounding mode
      const size = rng.pick([16, 32, 64]);
      const lim = 2 ** (size - 1);
      const v = rng.pick([lim - 0.5, lim - 1, lim, -lim - 0.5, -lim, -lim + 0.5, -lim - 1, 0.5, -0.5, 1.5, 2.5, -2.5]);
      lines.push(ld(0, i80(v)), `${rng.pick(size === 64 ? ['fistp', 'fisttp'] : ['fistp', 'fisttp', 'fist'])} ${size === 16 ? 'word' : size === 32 ? 'dword' : 'qword'} ptr ${at(64)}`);
    } else if (k === 6) {
      // precision control on tiny and huge results (denormal rounding at the reduced precision)
      b.fcw = 0x7f | (rng.pick([0, 2]) << 8) | (rng.below(4) << 10);
      const e = rng.pick([1, 30, 60, 0x7ffe]);
      lines.push(ld(0, ext(rng, e, 3)), ld(16, ext(rng, rng.pick([0x3fff - 40, 0x3fff, 0x3fff + 40]), 3)), rng.pick(['fmul st(0), st(1)', 'fdiv st(0), st(1)', 'fdivr st(0), st(1)', 'fadd st(0), st(1)', 'fsqrt']));
      lines.push(`fstp tbyte ptr ${at(64)}`, `fstp tbyte ptr ${at(80)}`);
    } else if (k === 7) {
      // stack overflow (9 pushes) and underflow (operations on an empty stack), masked responses
      if (rng.chance(0.5)) {
        for (let i = 0; i < 9; i++) lines.push(rng.pick(['fld1', 'fldz', 'fldpi']));
        lines.push(`fstp tbyte ptr ${at(64)}`, `fstp tbyte ptr ${at(80)}`, 'fninit');
      } else {
        lines.push(rng.pick(['fadd st(0), st(1)', 'fchs', 'fsqrt', 'fxch st(3)', 'fst st(2)', 'fcom st(1)']), `fstp tbyte ptr ${at(64)}`);
        if (rng.chance(0.5)) lines.push(`fistp dword ptr ${at(80)}`);
      }
    } else if (k === 8) {
      // loads and stores of every special through every format
      const src = rng.pick(['dword', 'qword', 'tbyte']);
      const dst = rng.pick(['dword', 'qword', 'tbyte']);
      if (src === 'tbyte') b.poke(off, ext(rng, rng.pick([0x3fff, 0x3f80, 0x3c00, 0x407f, 0x43ff]), 200));
      else b.pokeInt(off, floatBits(rng, src === 'dword' ? 32 : 64), src === 'dword' ? 4 : 8);
      lines.push(`fld ${src} ptr ${at(0)}`, dst === 'tbyte' ? `fld st(0)\nfstp tbyte ptr ${at(64)}` : `fst ${dst} ptr ${at(64)}`, `fstp tbyte ptr ${at(80)}`);
    } else if (k === 9) {
      // control instructions
      lines.push(ld(0, ext(rng)), ld(16, ext(rng)), 'fdecstp', 'ffree st(1)', 'fincstp', 'fincstp', `fstp tbyte ptr ${at(64)}`);
      lines.push('fnstsw ax', rng.pick(['fnclex', 'fwait', 'fnop', 'fdecstp']), `fnstsw word ptr ${at(96)}`);
      b.take(0);
    } else if (k === 10) {
      // FNSTENV / FNSAVE images (FDS differs: Linux DS = 0x2b vs flat 0 here; it is cleared before the comparison)
      lines.push(ld(0, ext(rng)), ld(16, ext(rng)), rng.pick(['fadd st(0), st(1)', 'fcom st(1)', 'fxam']));
      if (rng.chance(0.5)) {
        lines.push(`fnstenv [${base} + 64]`, `mov word ptr [${base} + 64 + 24], 0`, `fldenv [${base} + 64]`);
      } else {
        // every register in use: FNSAVE stores empty registers too, whose stale contents differ between runs
        for (let i = 0; i < 6; i++) lines.push(rng.pick(['fld1', 'fldz', 'fldpi', 'fldln2']));
        lines.push(`fnsave [${base} + 128]`, `mov word ptr [${base} + 128 + 24], 0`, 'fld1', `frstor [${base} + 128]`, `fstp tbyte ptr ${at(64)}`);
      }
      b.fswMask = FSW_ALL;
    } else if (k === 11) {
      // integer operands and compares
      b.pokeInt(off + 32, BigInt(rng.range(-40000, 40000)), 2);
      b.pokeInt(off + 40, BigInt(rng.u32() >> rng.range(0, 31)) * (rng.chance(0.5) ? -1n : 1n), 4);
      lines.push(ld(0, ext(rng, 0x400a, 12)), rng.pick([`ficom word ptr ${at(32)}`, `ficomp dword ptr ${at(40)}`, 'ftst', 'fxam']), 'fnstsw ax', `fstp tbyte ptr ${at(64)}`);
      b.take(0);
      b.fswMask = FSW_ALL;
    } else {
      // FCOMI family on specials (EFLAGS), FUCOMPP
      lines.push(ld(0, ext(rng)), ld(16, rng.chance(0.2) ? ext(rng, 0, 0) : ext(rng)));
      if (rng.chance(0.5)) {
        b.flagsDefined = FULL_MASK;
        lines.push(`${rng.pick(['fcomi', 'fucomi', 'fcomip', 'fucomip'])} st(0), st(1)`, `fstp tbyte ptr ${at(64)}`);
      } else {
        lines.push(rng.pick(['fucompp', 'fcompp', 'fucomp st(1)']), 'fnstsw ax');
        b.take(0);
        b.fswMask = FSW_ALL;
      }
    }
    const asm = lines.join('\n');
    out.push(b.spec(`x87-ext/${n}: ${lines.join('; ')} (fcw 0x${b.fcw.toString(16)})`, asm));
  }
  return out;
}
