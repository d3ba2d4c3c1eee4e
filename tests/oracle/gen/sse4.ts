// Oracle cases: SSE3/SSSE3/SSE4.1/SSE4.2 subset (pshufb, palignr, pmulld, pmin/pmax, blends, ptest, round*, pmovzx/sx, pextr/pinsr...).
import { FULL_MASK, type CaseSpec } from '../abi.js';
import { CaseBuilder, regName } from './builder.js';
import { Rng, value } from './rng.js';
import { floatVector, intVector, randomMxcsr, vecMem, xmmRegs } from './vec.js';

/** xmm, xmm/m128 instructions: [mnemonic, lane width for values ('f32'/'f64' = float lanes), immediate range max]. */
const OPS: readonly (readonly [string, number | 'f32' | 'f64', number])[] = [
  // SSE3
  ['addsubps', 'f32', -1], ['addsubpd', 'f64', -1], ['haddps', 'f32', -1], ['haddpd', 'f64', -1], ['hsubps', 'f32', -1],
  ['hsubpd', 'f64', -1], ['movddup', 'f64', -1], ['movshdup', 'f32', -1], ['movsldup', 'f32', -1],
  // SSSE3
  ['pshufb', 8, -1], ['palignr', 8, 40], ['phaddw', 16, -1], ['phaddd', 32, -1], ['phaddsw', 16, -1], ['phsubw', 16, -1],
  ['phsubd', 32, -1], ['phsubsw', 16, -1], ['pmaddubsw', 8, -1], ['pmulhrsw', 16, -1], ['pabsb', 8, -1], ['pabsw', 16, -1],
  ['pabsd', 32, -1], ['psignb', 8, -1], ['psignw', 16, -1], ['psignd', 32, -1],
  // SSE4.1
  ['pmulld', 32, -1], ['pmuldq', 32, -1], ['pminsb', 8, -1], ['pminsd', 32, -1], ['pminuw', 16, -1], ['pminud', 32, -1],
  ['pmaxsb', 8, -1], ['pmaxsd', 32, -1], ['pmaxuw', 16, -1], ['pmaxud', 32, -1], ['pblendw', 16, 255], ['blendps', 'f32', 15],
  ['blendpd', 'f64', 3], ['pcmpeqq', 64, -1], ['packusdw', 32, -1], ['phminposuw', 16, -1], ['mpsadbw', 8, 7],
  ['dpps', 'f32', 255], ['dppd', 'f64', 255], ['insertps', 'f32', 255],
  ['roundps', 'f32', 15], ['roundpd', 'f64', 15], ['roundss', 'f32', 15], ['roundsd', 'f64', 15],
  // SSE4.2
  ['pcmpgtq', 64, -1],
];
const PMOV = ['bw', 'bd', 'bq', 'wd', 'wq', 'dq'];
/** Source bytes read by pmovzx/pmovsx per form (memory operand width). */
const PMOV_BYTES: Readonly<Record<string, number>> = { bw: 8, bd: 4, bq: 2, wd: 8, wq: 4, dq: 8 };
const PTR_OF: Readonly<Record<number, string>> = { 2: 'word', 4: 'dword', 8: 'qword', 16: 'xmmword' };

function vector(rng: Rng, lanes: number | 'f32' | 'f64'): Uint8Array {
  return typeof lanes === 'number' ? intVector(rng, lanes) : floatVector(rng, lanes === 'f32' ? 32 : 64);
}

function table(b: CaseBuilder, rng: Rng): string {
  const [op, lanes, immMax] = rng.pick(OPS);
  const [d, s] = xmmRegs(rng, 2) as [number, number];
  b.xmm[d] = vector(rng, lanes);
  const imm = immMax >= 0 ? `, ${rng.range(0, immMax)}` : '';
  // scalar forms read only 32/64 bits from memory (no alignment rule); movddup reads 64; insertps 32
  const memBytes = op === 'roundss' || op === 'insertps' ? 4 : op === 'roundsd' || op === 'movddup' ? 8 : 16;
  const src = rng.chance(0.1) ? b.xmm[d]!.slice() : vector(rng, lanes);
  if (rng.chance(0.3)) return `${op} xmm${d}, ${vecMem(b, src.slice(0, memBytes), PTR_OF[memBytes]!, memBytes === 16)}${imm}`;
  b.xmm[s] = src;
  return `${op} xmm${d}, xmm${s}${imm}`;
}

function special(b: CaseBuilder, rng: Rng): string {
  const [d, s] = xmmRegs(rng, 2) as [number, number];
  const k = rng.below(7);
  if (k === 0) {
    // PTEST sets ZF and CF, clears the rest
    b.flagsDefined = FULL_MASK;
    b.xmm[d] = intVector(rng, 64);
    b.xmm[s] = rng.chance(0.3) ? new Uint8Array(16) : rng.chance(0.3) ? b.xmm[d]!.map((x) => ~x & 0xff) : intVector(rng, 64);
    return `ptest xmm${d}, xmm${s}`;
  }
  if (k === 1) {
    // variable blends use XMM0 as the selector
    const [x, y] = xmmRegs(rng, 3).filter((r) => r !== 0) as [number, number];
    b.xmm[0] = intVector(rng, 8);
    const op = rng.pick(['pblendvb', 'blendvps', 'blendvpd']);
    return `${op} xmm${x}, xmm${y}, xmm0`;
  }
  if (k === 2) {
    const form = rng.pick(PMOV);
    const op = `${rng.pick(['pmovzx', 'pmovsx'])}${form}`;
    const bytes = PMOV_BYTES[form]!;
    if (rng.chance(0.3)) return `${op} xmm${d}, ${vecMem(b, intVector(rng, 8).slice(0, bytes), PTR_OF[bytes]!, false)}`;
    b.xmm[s] = intVector(rng, 8 << (['bw', 'bd', 'bq'].includes(form) ? 0 : form === 'dq' ? 2 : 1));
    return `${op} xmm${d}, xmm${s}`;
  }
  if (k === 3) {
    // extracts to a register or memory
    const [op, size, immMax] = rng.pick([['pextrb', 8, 255], ['pextrw', 16, 255], ['pextrd', 32, 255], ['pextrq', 64, 255], ['extractps', 32, 255]] as const);
    const imm = rng.range(0, immMax);
    if (rng.chance(0.4)) return `${op} ${b.memOperand(size, value(rng, size)).text}, xmm${s}, ${imm}`;
    const rsize = size === 64 ? 64 : 32;
    return `${op} ${regName(b.reg(rsize))}, xmm${s}, ${imm}`;
  }
  if (k === 4) {
    const [op, size] = rng.pick([['pinsrb', 8], ['pinsrd', 32], ['pinsrq', 64]] as const);
    const imm = rng.range(0, 255);
    if (rng.chance(0.4)) return `${op} xmm${d}, ${b.memOperand(size, value(rng, size)).text}, ${imm}`;
    const r = b.reg(size === 64 ? 64 : 32);
    b.setReg(r, value(rng, size === 64 ? 64 : 32));
    return `${op} xmm${d}, ${regName(r)}, ${imm}`;
  }
  if (k === 5) return `lddqu xmm${d}, ${vecMem(b, rng.bytes(16), 'xmmword', false)}`;
  return `movntdqa xmm${d}, ${vecMem(b, rng.bytes(16), 'xmmword', true)}`;
}

export function genSse4(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    randomMxcsr(b, 0.03);
    const asm = rng.chance(0.7) ? table(b, rng) : special(b, rng);
    out.push(b.spec(`sse4/${n}: ${asm} (mxcsr 0x${b.mxcsr.toString(16)})`, asm));
  }
  return out;
}
