// Oracle cases: integer ALU (ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC NEG NOT), 8/16/32/64-bit, reg/mem/imm.
import type { CaseSpec } from '../abi.js';
import { familyDefined } from '../flags.js';
import { CaseBuilder, immText, regName, SIZES, type Size } from './builder.js';
import { Rng, signed, value } from './rng.js';

const BINARY = ['add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor', 'cmp', 'test'] as const;
const UNARY = ['inc', 'dec', 'neg', 'not'] as const;
const NO_LOCK = new Set(['cmp', 'test']);

/** An immediate the instruction can encode: 64-bit operations take a sign-extended imm32. */
function immFor(rng: Rng, size: Size): bigint {
  if (rng.chance(0.3)) return BigInt(rng.range(-128, 127)); // the sign-extended imm8 encodings
  const v = value(rng, size === 64 ? 32 : size);
  return size === 64 ? signed(v, 32) : v;
}

export function genAlu(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    const size = rng.pick(SIZES);
    const unary = rng.chance(0.25);
    const op = unary ? rng.pick(UNARY) : rng.pick(BINARY);
    // AH..BH cannot be encoded together with REX, so such a case keeps every register below 8
    const legacy = size === 8 && rng.chance(0.3);
    const highP = legacy ? 0.6 : 0;
    b.flagsDefined = familyDefined(op);
    const a = value(rng, size);
    let asm: string;
    if (unary) {
      if (rng.chance(0.6)) {
        const d = b.reg(size, { legacy, highP });
        b.setReg(d, a);
        asm = `${op} ${regName(d)}`;
      } else {
        const m = b.memOperand(size, a, { legacy });
        asm = `${rng.chance(0.2) ? 'lock ' : ''}${op} ${m.text}`;
      }
    } else {
      const form = rng.pick(['rr', 'rr', 'ri', 'rm', 'mr', 'mi'] as const);
      const bv = value(rng, size);
      if (form === 'rr') {
        const d = b.reg(size, { legacy, highP });
        // same register on both sides now and then (xor eax, eax; sub rcx, rcx; ...)
        const s = rng.chance(0.08) ? d : b.reg(size, { legacy, highP });
        b.setReg(d, a);
        if (s !== d) b.setReg(s, bv);
        asm = `${op} ${regName(d)}, ${regName(s)}`;
      } else if (form === 'ri' || form === 'mi') {
        const imm = immFor(rng, size);
        if (form === 'ri') {
          const d = b.reg(size, { legacy, highP });
          b.setReg(d, a);
          asm = `${op} ${regName(d)}, ${immText(imm, size)}`;
        } else {
          const m = b.memOperand(size, a, { legacy });
          const lock = !NO_LOCK.has(op) && rng.chance(0.2) ? 'lock ' : '';
          asm = `${lock}${op} ${m.text}, ${immText(imm, size)}`;
        }
      } else {
        const r = b.reg(size, { legacy, highP });
        if (form === 'rm' && op !== 'test') {
          b.setReg(r, a);
          const m = b.memOperand(size, bv, { legacy });
          asm = `${op} ${regName(r)}, ${m.text}`;
        } else {
          b.setReg(r, bv);
          const m = b.memOperand(size, a, { legacy });
          const lock = !NO_LOCK.has(op) && rng.chance(0.2) ? 'lock ' : '';
          asm = `${lock}${op} ${m.text}, ${regName(r)}`;
        }
      }
    }
    out.push(b.spec(`alu/${n}: ${asm}`, asm));
  }
  return out;
}
