// Oracle cases: MOVS/STOS/LODS/CMPS/SCAS b/w/d/q with REP/REPE/REPNE, DF=0/1, RCX=0, overlap, addr32, #PF mid-string.
import { DATA_BASE, DATA_SIZE, DF, VEC, type CaseSpec } from '../abi.js';
import { CaseBuilder } from './builder.js';
import { mask, Rng, value } from './rng.js';

const RAX = 0;
const RCX = 1;
const RSI = 6;
const RDI = 7;
const SUFFIX: Readonly<Record<number, string>> = { 1: 'b', 2: 'w', 4: 'd', 8: 'q' };

/** Sets a pointer register: full 64 bits, or with addr32 the low 32 bits under junk (only ESI/EDI are used). */
function setPtr(b: CaseBuilder, idx: number, offset: number, addr32: boolean): void {
  const v = BigInt(DATA_BASE + offset);
  if (addr32) b.setReg({ idx, size: 32, high: false }, v);
  else b.setGpr(idx, v);
}

function writeElem(b: CaseBuilder, off: number, v: bigint, e: number): void {
  if (off >= 0 && off + e <= DATA_SIZE) b.pokeInt(off, v, e);
}

function faultCase(b: CaseBuilder, rng: Rng): string {
  const e = rng.pick([1, 2, 4, 8]);
  const op = rng.pick(['movs', 'stos'] as const);
  const down = rng.chance(0.5);
  const k = rng.range(1, 10);
  // Run off either end of the data area into the unmapped guard: #PF in the middle of the string.
  const dst = down ? (k - 1) * e : DATA_SIZE - k * e;
  setPtr(b, RDI, dst, false);
  setPtr(b, RSI, 0x800 + rng.range(0, 64) * e, false);
  b.scatter(0x800, 0x400, 0);
  b.setGpr(RCX, BigInt(k + rng.range(1, 20)));
  b.rflags = (b.rflags & ~DF) | (down ? DF : 0);
  b.expectFault = VEC.PF;
  return `rep ${op}${SUFFIX[e]}`;
}

export function genString(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    for (const r of [RAX, RCX, RSI, RDI]) b.take(r);
    if (rng.chance(0.05)) {
      const asm = faultCase(b, rng);
      out.push(b.spec(`string/${n}: ${asm} (runs off the data area)`, asm));
      continue;
    }
    const op = rng.pick(['movs', 'stos', 'lods', 'cmps', 'scas'] as const);
    const e = rng.pick([1, 2, 4, 8]);
    const compare = op === 'cmps' || op === 'scas';
    const prefix = rng.pick(compare ? ['', 'repe', 'repne', 'repe', 'repne'] : ['', 'rep', 'rep']);
    const down = rng.chance(0.5);
    const addr32 = rng.chance(0.15);
    b.rflags = (b.rflags & ~DF) | (down ? DF : 0);
    const elems = prefix === '' ? 1 : rng.chance(0.15) ? 0 : rng.range(1, 40);
    if (prefix !== '') {
      if (addr32) b.setReg({ idx: RCX, size: 32, high: false }, BigInt(elems));
      else b.setGpr(RCX, BigInt(elems));
    }
    const span = (elems + 2) * e;
    const src = rng.range(0x300, 0x1d00) & ~(rng.chance(0.7) ? e - 1 : 0);
    let dst = rng.range(0x300, 0x1d00) & ~(rng.chance(0.7) ? e - 1 : 0);
    if (op === 'movs' && rng.chance(0.3)) dst = src + rng.range(-4, 4) * e + rng.range(0, e - 1); // overlapping copy
    setPtr(b, RSI, src, addr32);
    setPtr(b, RDI, dst, addr32);
    b.scatter(src - span, 2 * span, 0);
    b.scatter(dst - span, 2 * span, 0);
    const step = down ? -e : e;
    const acc = value(rng, 64);
    b.setGpr(RAX, acc);
    const accE = acc & mask(8 * e);
    if (op === 'cmps') {
      // destination = copy of the source, then one planted difference (REPE) or one planted match (REPNE)
      const stop = rng.range(0, elems + 1);
      for (let j = 0; j <= elems; j++) {
        const v = value(rng, 8 * e);
        writeElem(b, src + j * step, v, e);
        const same = prefix === 'repne' ? j === stop : j !== stop;
        writeElem(b, dst + j * step, same ? v : v ^ (1n << BigInt(rng.below(8 * e))), e);
      }
    } else if (op === 'scas') {
      const stop = rng.range(0, elems + 1);
      for (let j = 0; j <= elems; j++) {
        const same = prefix === 'repne' ? j === stop : j !== stop;
        writeElem(b, dst + j * step, same ? accE : accE ^ (1n << BigInt(rng.below(8 * e))), e);
      }
    }
    const asm = `${addr32 ? 'addr32 ' : ''}${prefix ? prefix + ' ' : ''}${op}${SUFFIX[e]}`;
    out.push(b.spec(`string/${n}: ${asm} (DF=${down ? 1 : 0}, count ${prefix ? elems : '-'})`, asm));
  }
  return out;
}
