// Oracle cases for the bulk paths of REP MOVS/STOS: long runs (up to ~3 KiB) across the data area's page boundary,
// forward/backward, overlapping source and destination at every distance, and runs into the unmapped guard (#PF).
import { DATA_BASE, DATA_SIZE, DF, FULL_MASK, VEC, type CaseSpec } from '../oracle/abi.js';
import { CaseBuilder } from '../oracle/gen/builder.js';
import { Rng, value } from '../oracle/gen/rng.js';

const RAX = 0, RCX = 1, RSI = 6, RDI = 7;
const SUFFIX: Readonly<Record<number, string>> = { 1: 'b', 2: 'w', 4: 'd', 8: 'q' };

export function genStringBulk(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    for (const r of [RAX, RCX, RSI, RDI]) b.take(r);
    b.flagsDefined = FULL_MASK;
    const op = rng.pick(['movs', 'movs', 'stos'] as const);
    const e = rng.pick([1, 2, 4, 8]);
    const down = rng.chance(0.25);
    b.rflags = (b.rflags & ~DF) | (down ? DF : 0);
    const elems = rng.range(2, Math.floor(3000 / e));
    const bytes = elems * e;
    const fault = rng.chance(0.1);
    let src: number, dst: number;
    if (fault) {
      // Run off the end (or the start, going down) of the data area.
      dst = down ? rng.range(0, 64) * e : DATA_SIZE - rng.range(1, 64) * e;
      src = rng.range(0x400, 0x800);
      b.expectFault = VEC.PF;
    } else {
      const lo = down ? bytes : 0;
      const hi = down ? DATA_SIZE - e : DATA_SIZE - bytes;
      src = rng.range(lo, hi);
      dst = op === 'movs' && rng.chance(0.5) ? Math.min(hi, Math.max(lo, src + rng.range(-20, 20) * (rng.chance(0.5) ? 1 : e))) : rng.range(lo, hi);
      if (rng.chance(0.6)) {
        src &= ~(e - 1);
        dst &= ~(e - 1);
      }
    }
    b.poke(0, rng.bytes(DATA_SIZE));
    b.setGpr(RSI, BigInt(DATA_BASE + src));
    b.setGpr(RDI, BigInt(DATA_BASE + dst));
    b.setGpr(RCX, BigInt(elems));
    b.setGpr(RAX, rng.chance(0.3) ? 0n : value(rng, 64));
    const asm = `rep ${op}${SUFFIX[e]}`;
    out.push(b.spec(`string-bulk/${n}: ${asm} (DF=${down ? 1 : 0}, ${elems} x ${e}, src +0x${src.toString(16)}, dst +0x${dst.toString(16)})`, asm));
  }
  return out;
}
