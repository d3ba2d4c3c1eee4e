// Oracle cases: SSE2 integer (padd*/psub*/pmul*/pcmp*/pack*/punpck*/pshuf*/shifts/pmovmskb/pmin*/movd/movq/pinsrw/pextrw).
import type { CaseSpec } from '../abi.js';
import { CaseBuilder, regName } from './builder.js';
import { Rng, shiftCount, value } from './rng.js';
import { intVector, vecMem, xmmRegs } from './vec.js';

/** Two-operand xmm, xmm/m128 instructions and the lane width their interesting values should use. */
const BINARY: readonly (readonly [string, number])[] = [
  ['paddb', 8], ['paddw', 16], ['paddd', 32], ['paddq', 64], ['paddsb', 8], ['paddsw', 16], ['paddusb', 8], ['paddusw', 16],
  ['psubb', 8], ['psubw', 16], ['psubd', 32], ['psubq', 64], ['psubsb', 8], ['psubsw', 16], ['psubusb', 8], ['psubusw', 16],
  ['pmullw', 16], ['pmulhw', 16], ['pmulhuw', 16], ['pmuludq', 32], ['pmaddwd', 16], ['pavgb', 8], ['pavgw', 16], ['psadbw', 8],
  ['pcmpeqb', 8], ['pcmpeqw', 16], ['pcmpeqd', 32], ['pcmpgtb', 8], ['pcmpgtw', 16], ['pcmpgtd', 32],
  ['packsswb', 16], ['packssdw', 32], ['packuswb', 16],
  ['punpcklbw', 8], ['punpcklwd', 16], ['punpckldq', 32], ['punpcklqdq', 64],
  ['punpckhbw', 8], ['punpckhwd', 16], ['punpckhdq', 32], ['punpckhqdq', 64],
  ['pand', 64], ['pandn', 64], ['por', 64], ['pxor', 64], ['pminub', 8], ['pmaxub', 8], ['pminsw', 16], ['pmaxsw', 16],
];
const SHIFT_LANE: Readonly<Record<string, number>> = {
  psllw: 16, pslld: 32, psllq: 64, psrlw: 16, psrld: 32, psrlq: 64, psraw: 16, psrad: 32,
};

function binary(b: CaseBuilder, rng: Rng, op: string, lane: number): string {
  const [d, s] = xmmRegs(rng, 2) as [number, number];
  b.xmm[d] = intVector(rng, lane);
  // equal lanes make pcmpeq/pminu/psubus interesting
  const src = rng.chance(0.2) ? b.xmm[d]!.slice() : intVector(rng, lane);
  if (rng.chance(0.3)) return `${op} xmm${d}, ${vecMem(b, src, 'xmmword', true)}`;
  b.xmm[s] = src;
  return `${op} xmm${d}, xmm${s}`;
}

function shift(b: CaseBuilder, rng: Rng): string {
  const op = rng.pick(Object.keys(SHIFT_LANE));
  const [d, s] = xmmRegs(rng, 2) as [number, number];
  b.xmm[d] = intVector(rng, SHIFT_LANE[op]!);
  const form = rng.below(3);
  if (form === 0) return `${op} xmm${d}, ${shiftCount(rng)}`;
  // count = the whole low quadword of the source: small, or huge (everything shifted out)
  const cnt = new Uint8Array(16);
  const c = rng.chance(0.8) ? BigInt(shiftCount(rng)) : value(rng, 64);
  for (let i = 0; i < 8; i++) cnt[i] = Number((c >> BigInt(8 * i)) & 0xffn);
  cnt.set(rng.bytes(8), 8);
  if (form === 1) return `${op} xmm${d}, ${vecMem(b, cnt, 'xmmword', true)}`;
  b.xmm[s] = cnt;
  return `${op} xmm${d}, xmm${s}`;
}

function moves(b: CaseBuilder, rng: Rng): string {
  const [x, y] = xmmRegs(rng, 2) as [number, number];
  const k = rng.below(12);
  const gsize = rng.chance(0.5) ? 32 : 64;
  const op = gsize === 32 ? 'movd' : 'movq';
  if (k < 2) {
    const r = b.reg(gsize);
    b.setReg(r, value(rng, gsize));
    return k === 0 ? `${op} xmm${x}, ${regName(r)}` : `${op} ${regName(r)}, xmm${x}`;
  }
  if (k === 2) return `${op} xmm${x}, ${b.memOperand(gsize, value(rng, gsize)).text}`;
  if (k === 3) return `${op} ${b.memOperand(gsize, value(rng, gsize)).text}, xmm${x}`;
  if (k === 4) return `movq xmm${x}, xmm${y}`;
  if (k === 5) {
    const aligned = rng.chance(0.5);
    return `${aligned ? 'movdqa' : 'movdqu'} xmm${x}, ${vecMem(b, rng.bytes(16), 'xmmword', aligned)}`;
  }
  if (k === 6) {
    const aligned = rng.chance(0.5);
    return `${aligned ? 'movdqa' : 'movdqu'} ${vecMem(b, rng.bytes(16), 'xmmword', aligned)}, xmm${x}`;
  }
  if (k === 7) {
    const r = b.reg(32);
    b.setReg(r, value(rng, 32));
    return `pinsrw xmm${x}, ${regName(r)}, ${rng.range(0, 255)}`;
  }
  if (k === 8) return `pinsrw xmm${x}, ${b.memOperand(16, value(rng, 16)).text}, ${rng.range(0, 255)}`;
  if (k === 9) return `pextrw ${regName(b.reg(rng.chance(0.5) ? 32 : 64))}, xmm${x}, ${rng.range(0, 255)}`;
  if (k === 10) {
    b.xmm[x] = intVector(rng, 8);
    return `pmovmskb ${regName(b.reg(rng.chance(0.5) ? 32 : 64))}, xmm${x}`;
  }
  const op2 = rng.pick(['pshufd', 'pshuflw', 'pshufhw']);
  if (rng.chance(0.3)) return `${op2} xmm${x}, ${vecMem(b, intVector(rng, 16), 'xmmword', true)}, ${rng.range(0, 255)}`;
  return `${op2} xmm${x}, xmm${y}, ${rng.range(0, 255)}`;
}

export function genSseInt(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    const k = rng.below(10);
    let asm: string;
    if (k < 6) {
      const [op, lane] = rng.pick(BINARY);
      asm = binary(b, rng, op, lane);
    } else if (k < 8) {
      asm = rng.chance(0.25) ? `${rng.pick(['pslldq', 'psrldq'])} xmm${rng.below(16)}, ${rng.range(0, 20)}` : shift(b, rng);
    } else asm = moves(b, rng);
    out.push(b.spec(`sse-int/${n}: ${asm}`, asm));
  }
  return out;
}
