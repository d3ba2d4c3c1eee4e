// Oracle cases: x87 basics through memory (fld/fild/fst/fistp/fisttp, + - * /, sqrt/abs/chs/rndint, fcomi/fucomi,
// fcom+fnstsw, constants, fldcw/fnstcw) under every RC/PC setting; results are stored back so they can be compared.
import { DATA_BASE, FULL_MASK, type CaseSpec } from '../abi.js';
import { CaseBuilder, regName } from './builder.js';
import { Rng, value } from './rng.js';
import { floatBits } from './vec.js';

/** FSW bits compared: exception flags, SF, ES, C1 and TOP (C0/C2/C3 are undefined after arithmetic). */
export const X87_FSW_MASK = 0x3aff;

const ARITH = ['add', 'sub', 'subr', 'mul', 'div', 'divr'];

function f80(rng: Rng): Uint8Array {
  const b = new Uint8Array(10);
  const exp = rng.pick([0, 0, 1, 0x3ffe, 0x3fff, 0x4000, 0x401e, 0x403e, 0x7ffe, 0x7fff, rng.range(0, 0x7fff)]);
  let mant = rng.u64();
  if (rng.chance(0.3)) mant &= 0xffff_ffff_0000_0000n;
  // explicit integer bit: set for normals; clear for zero/denormals; now and then a wrong one (unsupported format)
  const intBit = exp !== 0;
  mant = intBit !== rng.chance(0.03) ? mant | (1n << 63n) : mant & ~(1n << 63n);
  if (exp === 0 && rng.chance(0.3)) mant = 0n;
  for (let i = 0; i < 8; i++) b[i] = Number((mant >> BigInt(8 * i)) & 0xffn);
  const se = exp | (rng.chance(0.5) ? 0x8000 : 0);
  b[8] = se & 0xff;
  b[9] = se >> 8;
  return b;
}

/** One operand in memory at `off`; returns the load instruction. */
function load(b: CaseBuilder, rng: Rng, base: string, scratch: number, off: number): string {
  const k = rng.below(6);
  const at = `[${base} + ${off}]`;
  if (k === 0) {
    b.pokeInt(scratch + off, floatBits(rng, 32), 4);
    return `fld dword ptr ${at}`;
  }
  if (k <= 2) {
    b.pokeInt(scratch + off, floatBits(rng, 64), 8);
    return `fld qword ptr ${at}`;
  }
  if (k === 3) {
    b.poke(scratch + off, f80(rng));
    return `fld tbyte ptr ${at}`;
  }
  const size = rng.pick([16, 32, 64]);
  b.pokeInt(scratch + off, value(rng, size), size / 8);
  return `fild ${size === 16 ? 'word' : size === 32 ? 'dword' : 'qword'} ptr ${at}`;
}

function store(rng: Rng, base: string): string {
  const k = rng.below(8);
  const at = `[${base} + 64]`;
  if (k < 3) return `fstp qword ptr ${at}`;
  if (k < 5) return `fstp dword ptr ${at}`;
  if (k < 6) return `fstp tbyte ptr ${at}`;
  const size = rng.pick([16, 32, 64]);
  const p = size === 16 ? 'word' : size === 32 ? 'dword' : 'qword';
  return `${rng.chance(0.7) ? 'fistp' : 'fisttp'} ${p} ptr ${at}`;
}

export function genX87(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    b.fswMask = X87_FSW_MASK;
    const pc = rng.pick([0, 2, 3, 3]);
    b.fcw = 0x7f | (pc << 8) | (rng.below(4) << 10);
    if (rng.chance(0.03)) {
      b.fcw &= ~rng.range(1, 63); // unmasked exceptions: a #MF may follow
      b.expectFault = 'any';
    }
    const scratch = rng.range(0x100, 0xe00) & ~15;
    b.scatter(scratch, 96, 0);
    const baseIdx = b.freeIdx();
    b.setGpr(baseIdx, BigInt(DATA_BASE + scratch));
    const base = regName({ idx: baseIdx, size: 64, high: false });
    const lines: string[] = [];
    const k = rng.below(10);
    if (k < 4) {
      lines.push(load(b, rng, base, scratch, 0), load(b, rng, base, scratch, 16));
      const op = rng.pick(ARITH);
      const form = rng.below(4);
      if (form === 0) lines.push(`f${op} st(0), st(1)`);
      else if (form === 1) lines.push(`f${op} st(1), st(0)`, 'fstp st(0)');
      else if (form === 2) lines.push(`f${op}p st(1), st(0)`);
      else {
        lines.push('fstp st(0)');
        const kind = rng.pick(['qword', 'dword', 'iword', 'idword']);
        const off = 32;
        if (kind.startsWith('i')) {
          const size = kind === 'iword' ? 16 : 32;
          b.pokeInt(scratch + off, value(rng, size), size / 8);
          lines.push(`fi${op} ${kind.slice(1)} ptr [${base} + ${off}]`);
        } else {
          b.pokeInt(scratch + off, floatBits(rng, kind === 'qword' ? 64 : 32), kind === 'qword' ? 8 : 4);
          lines.push(`f${op} ${kind} ptr [${base} + ${off}]`);
        }
      }
      lines.push(store(rng, base));
      if (form === 0) lines.push('fstp st(0)');
    } else if (k < 6) {
      lines.push(load(b, rng, base, scratch, 0), rng.pick(['fsqrt', 'fabs', 'fchs', 'frndint']), store(rng, base));
    } else if (k < 8) {
      // compares: EFLAGS from FCOMI/FUCOMI, or C0/C2/C3 via FNSTSW AX
      lines.push(load(b, rng, base, scratch, 0), load(b, rng, base, scratch, 16));
      if (rng.chance(0.5)) {
        b.flagsDefined = FULL_MASK;
        const op = rng.pick(['fcomi', 'fucomi', 'fcomip', 'fucomip']);
        lines.push(`${op} st(0), st(1)`, op.endsWith('p') ? 'fstp st(0)' : 'fcompp');
      } else {
        b.take(0);
        lines.push(rng.pick(['fcom st(1)', 'fucom st(1)', 'ftst', 'fxam']), 'fnstsw ax', 'fcompp');
      }
    } else if (k < 9) {
      lines.push(rng.pick(['fld1', 'fldz', 'fldpi', 'fldl2t', 'fldl2e', 'fldlg2', 'fldln2']), store(rng, base));
    } else {
      // control word through memory: load a new one, operate, read it back
      const cw = 0x7f | (rng.pick([0, 2, 3]) << 8) | (rng.below(4) << 10);
      b.pokeInt(scratch + 48, BigInt(cw), 2);
      lines.push(`fldcw word ptr [${base} + 48]`, load(b, rng, base, scratch, 0), store(rng, base), `fnstcw word ptr [${base} + 50]`);
    }
    const asm = lines.join('\n');
    out.push(b.spec(`x87/${n}: ${lines.join('; ')} (fcw 0x${b.fcw.toString(16)})`, asm));
  }
  return out;
}
