// Oracle cases: MUL, IMUL (1/2/3 operands), DIV, IDIV at 8/16/32/64 bits, including #DE (zero divisor, overflow).
import { DF, FULL_MASK, VEC, type CaseSpec } from '../abi.js';
import { familyDefined } from '../flags.js';
import { CaseBuilder, immText, regName, SIZES, type Size } from './builder.js';
import { mask, Rng, signed, unsigned, value } from './rng.js';

const RAX = 0;
const RDX = 2;

/** Source operand text (register or memory) holding v; AX/DX stay reserved for the implicit operands. */
function source(b: CaseBuilder, size: Size, v: bigint): string {
  if (b.rng.chance(0.35)) return b.memOperand(size, v).text;
  const r = b.reg(size, { highP: size === 8 ? 0.25 : 0, exclude: [RAX, RDX] });
  b.setReg(r, v);
  return regName(r);
}

function divCase(b: CaseBuilder, rng: Rng, size: Size, op: 'div' | 'idiv'): string {
  const isSigned = op === 'idiv';
  const kind = rng.below(10);
  let divisor = kind === 0 ? 0n : value(rng, size);
  if (divisor === 0n && kind !== 0) divisor = 1n;
  let hi: bigint;
  let lo: bigint;
  if (kind === 1 && isSigned) {
    // the one signed overflow with a small-looking quotient: MIN / -1
    divisor = mask(size);
    hi = mask(size);
    lo = 1n << BigInt(size - 1);
  } else if (kind <= 6 && divisor !== 0n) {
    // a dividend whose quotient fits: q * d + r with |r| < |d| and r carrying the dividend's sign
    const d = isSigned ? signed(divisor, size) : divisor;
    const ad = d < 0n ? -d : d;
    let q = isSigned ? signed(value(rng, size), size) : value(rng, size);
    let r = BigInt(rng.range(0, 1 << 20)) % ad;
    if (isSigned && rng.chance(0.5)) r = -r;
    let dividend = q * d + r;
    if (isSigned && r !== 0n && (dividend < 0n) !== (r < 0n)) {
      q = 0n;
      dividend = r;
    }
    const wide = unsigned(dividend, 2 * size);
    hi = wide >> BigInt(size);
    lo = wide & mask(size);
  } else {
    // random dividend: often a quotient overflow
    hi = rng.chance(0.5) ? value(rng, size) : BigInt(rng.range(0, 3));
    lo = value(rng, size);
  }
  const dividend = (hi << BigInt(size)) | lo;
  if (size === 8) {
    b.setReg({ idx: RAX, size: 16, high: false }, dividend);
  } else {
    b.setReg({ idx: RAX, size, high: false }, lo);
    b.setReg({ idx: RDX, size, high: false }, hi);
  }
  let faults = divisor === 0n;
  if (!faults) {
    if (isSigned) {
      const q = signed(dividend, 2 * size) / signed(divisor, size);
      faults = q < -(1n << BigInt(size - 1)) || q >= 1n << BigInt(size - 1);
    } else {
      faults = dividend / divisor > mask(size);
    }
  }
  if (faults) {
    b.expectFault = VEC.DE;
    b.flagsDefined = FULL_MASK; // a fault commits nothing
  } else {
    b.flagsDefined = DF;
  }
  return `${op} ${source(b, size, divisor)}`;
}

export function genMulDiv(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    b.take(RAX);
    b.take(RDX);
    const size = rng.pick(SIZES);
    const form = rng.pick(['mul', 'imul1', 'imul2', 'imul3', 'div', 'idiv', 'div', 'idiv'] as const);
    let asm: string;
    if (form === 'div' || form === 'idiv') {
      asm = divCase(b, rng, size, form);
    } else if (form === 'mul' || form === 'imul1' || size === 8) {
      const op = form === 'mul' ? 'mul' : 'imul';
      b.flagsDefined = familyDefined(op);
      b.setReg({ idx: RAX, size, high: false }, value(rng, size));
      asm = `${op} ${source(b, size, value(rng, size))}`;
    } else {
      b.flagsDefined = familyDefined('imul');
      const d = b.reg(size, { exclude: [RAX, RDX] });
      b.setReg(d, value(rng, size));
      const src = source(b, size, value(rng, size));
      if (form === 'imul2') {
        asm = `imul ${regName(d)}, ${src}`;
      } else {
        const imm = rng.chance(0.4) ? BigInt(rng.range(-128, 127)) : signed(value(rng, size === 16 ? 16 : 32), size === 16 ? 16 : 32);
        asm = `imul ${regName(d)}, ${src}, ${immText(imm, size)}`;
      }
    }
    out.push(b.spec(`muldiv/${n}: ${asm}`, asm));
  }
  return out;
}
