// Oracle cases: XADD, CMPXCHG (reg/mem, LOCK), CMPXCHG8B/16B (incl. misaligned 16B -> #GP), XCHG.
import { FULL_MASK, VEC, type CaseSpec } from '../abi.js';
import { familyDefined } from '../flags.js';
import { CaseBuilder, regName, SIZES, type Reg } from './builder.js';
import { mask, Rng, value } from './rng.js';

const RAX = 0;
const RCX = 1;
const RDX = 2;
const RBX = 3;

function pairCase(b: CaseBuilder, rng: Rng): string {
  const wide = rng.chance(0.5);
  const half = wide ? 64 : 32;
  const bytes = wide ? 16 : 8;
  for (const r of [RAX, RCX, RDX, RBX]) b.take(r);
  let offset = b.memOffset(bytes, 1);
  if (wide && rng.chance(0.1)) {
    offset += 8; // CMPXCHG16B demands 16-byte alignment
    b.expectFault = VEC.GP;
  }
  const lo = value(rng, half);
  const hi = value(rng, half);
  b.scatter(offset, bytes);
  b.pokeInt(offset, lo, bytes / 2);
  b.pokeInt(offset + bytes / 2, hi, bytes / 2);
  const equal = rng.chance(0.5);
  const flipLo = rng.chance(0.5);
  b.setReg({ idx: RAX, size: half, high: false }, equal || !flipLo ? lo : lo ^ 1n);
  b.setReg({ idx: RDX, size: half, high: false }, equal || flipLo ? hi : hi ^ (1n << BigInt(rng.below(half))));
  b.setReg({ idx: RBX, size: half, high: false }, value(rng, half));
  b.setReg({ idx: RCX, size: half, high: false }, value(rng, half));
  b.flagsDefined = FULL_MASK;
  const m = b.addr(offset);
  return `${rng.chance(0.5) ? 'lock ' : ''}cmpxchg${wide ? '16b xmmword' : '8b qword'} ptr ${m}`;
}

export function genAtomic(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    const kind = rng.pick(['xadd', 'cmpxchg', 'cmpxchg', 'pair', 'xchg'] as const);
    let asm: string;
    if (kind === 'pair') {
      asm = pairCase(b, rng);
    } else {
      const size = rng.pick(SIZES);
      const op = kind;
      b.flagsDefined = familyDefined(op);
      if (op === 'cmpxchg') b.take(RAX);
      const dv = value(rng, size);
      const s: Reg = b.reg(size, { highP: size === 8 ? 0.2 : 0, legacy: size === 8 });
      b.setReg(s, value(rng, size));
      let dst: string;
      let lock = '';
      if (rng.chance(0.6)) {
        dst = b.memOperand(size, dv, { legacy: size === 8 }).text;
        if (op !== 'xchg' && rng.chance(0.5)) lock = 'lock '; // XCHG with memory is locked anyway
      } else {
        const d = b.reg(size, { legacy: size === 8 });
        b.setReg(d, dv);
        dst = regName(d);
      }
      if (op === 'cmpxchg') {
        // half of the time the accumulator matches the destination
        b.setReg({ idx: RAX, size, high: false }, rng.chance(0.5) ? dv : value(rng, size) & mask(size));
      }
      asm = `${lock}${op} ${dst}, ${regName(s)}`;
    }
    out.push(b.spec(`atomic/${n}: ${asm}`, asm));
  }
  return out;
}
