// Oracle cases: CMOVcc, SETcc and Jcc for all 16 conditions (and their aliases) over all CF/PF/ZF/SF/OF combinations.
import { AF, CF, OF, PF, SF, ZF, type CaseSpec } from '../abi.js';
import { CaseBuilder, regName } from './builder.js';
import { Rng, value } from './rng.js';

/** Condition mnemonics by tttn; each row lists the aliases GAS accepts. */
export const CONDITIONS: readonly (readonly string[])[] = [
  ['o'], ['no'], ['b', 'c', 'nae'], ['ae', 'nb', 'nc'], ['e', 'z'], ['ne', 'nz'], ['be', 'na'], ['a', 'nbe'],
  ['s'], ['ns'], ['p', 'pe'], ['np', 'po'], ['l', 'nge'], ['ge', 'nl'], ['le', 'ng'], ['g', 'nle'],
];

const COMBO_BITS = [CF, PF, ZF, SF, OF];

export function genCond(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    // walk the 16 x 32 grid in order first so small counts still see every condition/flag pairing
    const grid = n % 512;
    const tttn = grid & 15;
    const combo = n < 512 ? grid >> 4 : rng.below(32);
    let fl = rng.chance(0.5) ? AF : 0;
    COMBO_BITS.forEach((bit, i) => {
      if ((combo >> i) & 1) fl |= bit;
    });
    b.rflags = fl;
    const cc = rng.pick(CONDITIONS[tttn]!);
    const kind = rng.pick(['cmov', 'cmov', 'set', 'j'] as const);
    let asm: string;
    if (kind === 'cmov') {
      const size = rng.pick([16, 32, 64] as const);
      const d = b.reg(size);
      b.setReg(d, value(rng, size));
      if (rng.chance(0.3)) {
        asm = `cmov${cc} ${regName(d)}, ${b.memOperand(size, value(rng, size)).text}`;
      } else {
        const s = b.reg(size);
        b.setReg(s, value(rng, size));
        asm = `cmov${cc} ${regName(d)}, ${regName(s)}`;
      }
    } else if (kind === 'set') {
      if (rng.chance(0.3)) {
        asm = `set${cc} ${b.memOperand(8, value(rng, 8)).text}`;
      } else {
        const d = b.reg(8, { legacy: rng.chance(0.3), highP: 0.5 });
        asm = `set${cc} ${regName(d)}`;
      }
    } else {
      const r = b.reg(32);
      asm = `j${cc} 1f\nmov ${regName(r)}, 1\n1:`;
    }
    out.push(b.spec(`cond/${n}: ${asm.replace(/\n/g, '; ')} (flags 0x${fl.toString(16)})`, asm));
  }
  return out;
}
