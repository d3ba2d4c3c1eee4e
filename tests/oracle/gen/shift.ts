// Oracle cases: SHL/SAL/SHR/SAR/ROL/ROR/RCL/RCR by 1, CL and imm8; SHLD/SHRD by imm8 and CL.
import type { CaseSpec } from '../abi.js';
import { doubleShiftDefined, rotateDefined, shiftDefined } from '../flags.js';
import { CaseBuilder, regName, SIZES, type Reg, type Size } from './builder.js';
import { Rng, shiftCount, value } from './rng.js';

const SHIFTS = ['shl', 'sal', 'shr', 'sar'] as const;
const ROTATES = ['rol', 'ror', 'rcl', 'rcr'] as const;
const RCX = 1;

export function genShift(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    const double = rng.chance(0.25);
    const how = rng.pick(['1', 'cl', 'imm', 'imm'] as const);
    const cnt = how === '1' ? 1 : shiftCount(rng);
    if (how === 'cl') {
      b.take(RCX);
      // only CL counts: keep junk in the rest of RCX
      b.setReg({ idx: RCX, size: 8, high: false }, BigInt(cnt));
    }
    const countText = how === 'cl' ? 'cl' : String(cnt);
    const toMem = rng.chance(0.3);
    let asm: string;
    if (double) {
      const op = rng.pick(['shld', 'shrd'] as const);
      const size = rng.pick([16, 32, 64] as const);
      const rule = doubleShiftDefined(size, cnt);
      const src = b.reg(size);
      b.setReg(src, value(rng, size));
      if (toMem && rule.resultDefined) {
        const m = b.memOperand(size, value(rng, size));
        asm = `${op} ${m.text}, ${regName(src)}, ${countText}`;
      } else {
        const d = b.reg(size);
        b.setReg(d, value(rng, size));
        if (!rule.resultDefined) b.undefinedGprs |= 1 << d.idx;
        asm = `${op} ${regName(d)}, ${regName(src)}, ${countText}`;
      }
      b.flagsDefined = rule.flags;
    } else {
      const rotate = rng.chance(0.5);
      const op = rotate ? rng.pick(ROTATES) : rng.pick(SHIFTS);
      const size: Size = rng.pick(SIZES);
      const legacy = size === 8 && rng.chance(0.3);
      b.flagsDefined = rotate ? rotateDefined(size, cnt) : shiftDefined(op as (typeof SHIFTS)[number], size, cnt);
      let dst: string;
      if (toMem) {
        dst = b.memOperand(size, value(rng, size), { legacy }).text;
      } else {
        const d: Reg = b.reg(size, { legacy, highP: legacy ? 0.6 : 0 });
        b.setReg(d, value(rng, size));
        dst = regName(d);
      }
      asm = `${op} ${dst}, ${countText}`;
    }
    out.push(b.spec(`shift/${n}: ${asm}`, asm));
  }
  return out;
}
