// Oracle cases: BT/BTS/BTR/BTC (reg, imm, memory with far bit offsets), BSF/BSR/LZCNT/TZCNT/POPCNT, BSWAP, MOVBE, CRC32.
import { DATA_BASE, type CaseSpec } from '../abi.js';
import { familyDefined } from '../flags.js';
import { CaseBuilder, PTR, regName, type Size } from './builder.js';
import { Rng, signed, value } from './rng.js';

const BT = ['bt', 'bts', 'btr', 'btc'] as const;
const SCAN = ['bsf', 'bsr', 'lzcnt', 'tzcnt', 'popcnt'] as const;
const S3: readonly (16 | 32 | 64)[] = [16, 32, 64];

function btCase(b: CaseBuilder, rng: Rng): string {
  const op = rng.pick(BT);
  const size = rng.pick(S3);
  b.flagsDefined = familyDefined(op);
  const form = rng.pick(['rr', 'ri', 'mi', 'mr', 'mr'] as const);
  const lock = op !== 'bt' && rng.chance(0.25) ? 'lock ' : '';
  if (form === 'rr' || form === 'ri') {
    const d = b.reg(size);
    b.setReg(d, value(rng, size));
    if (form === 'ri') return `${op} ${regName(d)}, ${rng.range(0, 255)}`;
    const s = b.reg(size);
    b.setReg(s, value(rng, size));
    return `${op} ${regName(d)}, ${regName(s)}`;
  }
  if (form === 'mi') {
    const m = b.memOperand(size, value(rng, size));
    return `${lock}${op} ${m.text}, ${rng.range(0, 255)}`;
  }
  // Register bit offset into memory: signed, may reach far outside the addressed operand.
  // SDM: the CPU accesses the operand-sized unit at EA + opsize/8 * floor(offset / opsize).
  const bytes = size / 8;
  const base = 0x1000 + rng.range(-64, 64) * bytes;
  let off: bigint;
  for (;;) {
    off = rng.chance(0.4) ? BigInt(rng.range(-2 * size, 3 * size)) : BigInt(rng.range(-0x7800, 0x7800));
    const unit = base + bytes * Number(off >= 0n ? off / BigInt(size) : -((-off + BigInt(size) - 1n) / BigInt(size)));
    if (unit >= 0x40 && unit + bytes <= 0x1fc0) {
      b.scatter(unit, bytes);
      break;
    }
  }
  b.scatter(base, bytes, 64);
  const s = b.reg(size);
  // junk above the operand size is ignored by the CPU, so keep it there
  b.setReg(s, signed(off, size));
  const target = BigInt(DATA_BASE + base);
  const baseReg = b.freeIdx();
  b.setGpr(baseReg, target);
  const baseName = regName({ idx: baseReg, size: 64, high: false });
  return `${lock}${op} ${PTR[size]} ptr [${baseName}], ${regName(s)}`;
}

function scanCase(b: CaseBuilder, rng: Rng): string {
  const op = rng.pick(SCAN);
  const size = rng.pick(S3);
  b.flagsDefined = familyDefined(op);
  let v = value(rng, size);
  if (rng.chance(0.15)) v = 0n;
  const d = b.reg(size);
  b.setReg(d, value(rng, size));
  if ((op === 'bsf' || op === 'bsr') && v === 0n) b.undefinedGprs |= 1 << d.idx; // destination undefined
  let src: string;
  if (rng.chance(0.3)) {
    src = b.memOperand(size, v).text;
  } else {
    const s = b.reg(size);
    b.setReg(s, v);
    src = regName(s);
  }
  return `${op} ${regName(d)}, ${src}`;
}

function crcCase(b: CaseBuilder, rng: Rng): string {
  const dsize = rng.chance(0.7) ? 32 : 64;
  const ssize: Size = dsize === 64 ? rng.pick([8, 64] as const) : rng.pick([8, 16, 32] as const);
  const d = b.reg(dsize);
  b.setReg(d, value(rng, dsize));
  if (rng.chance(0.3)) return `crc32 ${regName(d)}, ${b.memOperand(ssize, value(rng, ssize)).text}`;
  const s = b.reg(ssize, { exclude: [d.idx] });
  b.setReg(s, value(rng, ssize));
  return `crc32 ${regName(d)}, ${regName(s)}`;
}

export function genBitops(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    const kind = rng.below(10);
    let asm: string;
    if (kind < 4) asm = btCase(b, rng);
    else if (kind < 7) asm = scanCase(b, rng);
    else if (kind === 7) {
      const size = rng.pick([32, 64] as const);
      const r = b.reg(size);
      b.setReg(r, value(rng, size));
      asm = `bswap ${regName(r)}`;
    } else if (kind === 8) {
      const size = rng.pick(S3);
      const r = b.reg(size);
      b.setReg(r, value(rng, size));
      const m = b.memOperand(size, value(rng, size));
      asm = rng.chance(0.5) ? `movbe ${regName(r)}, ${m.text}` : `movbe ${m.text}, ${regName(r)}`;
    } else asm = crcCase(b, rng);
    out.push(b.spec(`bitops/${n}: ${asm}`, asm));
  }
  return out;
}
