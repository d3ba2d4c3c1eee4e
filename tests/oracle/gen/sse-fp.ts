// Oracle cases: SSE/SSE2 floating point (arith, min/max, sqrt, cmp, comis/ucomis, cvt*, logic, moves) under random MXCSR.
import type { CaseSpec } from '../abi.js';
import { CaseBuilder, regName } from './builder.js';
import { Rng, value } from './rng.js';
import { floatBits, floatVector, intVector, randomMxcsr, vecMem, xmmRegs } from './vec.js';

type Kind = 'ss' | 'sd' | 'ps' | 'pd';
const KINDS: readonly Kind[] = ['ss', 'sd', 'ps', 'pd'];
const laneOf = (k: Kind): 32 | 64 => (k === 'ss' || k === 'ps' ? 32 : 64);
const memPtr = (k: Kind): string => (k === 'ss' ? 'dword' : k === 'sd' ? 'qword' : 'xmmword');

function memContent(rng: Rng, k: Kind): Uint8Array {
  const v = floatVector(rng, laneOf(k));
  return k === 'ss' ? v.slice(0, 4) : k === 'sd' ? v.slice(0, 8) : v;
}

function arith(b: CaseBuilder, rng: Rng): string {
  const k = rng.pick(KINDS);
  const op = rng.pick(['add', 'sub', 'mul', 'div', 'min', 'max', 'sqrt', 'cmp', 'and', 'andn', 'or', 'xor', 'unpckl', 'unpckh', 'shuf']);
  // logic/unpack/shuffle exist only as packed forms
  const packedOnly = ['and', 'andn', 'or', 'xor', 'unpckl', 'unpckh', 'shuf'].includes(op);
  const kind: Kind = packedOnly && (k === 'ss' || k === 'sd') ? (k === 'ss' ? 'ps' : 'pd') : k;
  const [d, s] = xmmRegs(rng, 2) as [number, number];
  b.xmm[d] = floatVector(rng, laneOf(kind));
  const imm = op === 'cmp' ? `, ${rng.range(0, 7)}` : op === 'shuf' ? `, ${rng.range(0, 255)}` : '';
  const name = `${op}${kind}`;
  if (rng.chance(0.3)) return `${name} xmm${d}, ${vecMem(b, memContent(rng, kind), memPtr(kind), true)}${imm}`;
  b.xmm[s] = rng.chance(0.1) ? b.xmm[d]!.slice() : floatVector(rng, laneOf(kind));
  return `${name} xmm${d}, xmm${s}${imm}`;
}

function compareFlags(b: CaseBuilder, rng: Rng): string {
  const op = rng.pick(['comiss', 'ucomiss', 'comisd', 'ucomisd']);
  const lane = op.endsWith('ss') ? 32 : 64;
  const [d, s] = xmmRegs(rng, 2) as [number, number];
  b.xmm[d] = floatVector(rng, lane);
  const src = rng.chance(0.15) ? b.xmm[d]!.slice() : floatVector(rng, lane);
  if (rng.chance(0.3)) return `${op} xmm${d}, ${vecMem(b, src.slice(0, lane / 8), lane === 32 ? 'dword' : 'qword', false)}`;
  b.xmm[s] = src;
  return `${op} xmm${d}, xmm${s}`;
}

function convert(b: CaseBuilder, rng: Rng): string {
  const [d, s] = xmmRegs(rng, 2) as [number, number];
  const k = rng.below(4);
  if (k === 0) {
    // integer -> scalar float
    const op = rng.pick(['cvtsi2ss', 'cvtsi2sd']);
    const size = rng.chance(0.5) ? 32 : 64;
    if (rng.chance(0.3)) return `${op} xmm${d}, ${b.memOperand(size, value(rng, size)).text}`;
    const r = b.reg(size);
    b.setReg(r, value(rng, size));
    return `${op} xmm${d}, ${regName(r)}`;
  }
  if (k === 1) {
    // scalar float -> integer, rounding by MXCSR or truncating
    const op = rng.pick(['cvtss2si', 'cvttss2si', 'cvtsd2si', 'cvttsd2si']);
    const lane = op.includes('ss') ? 32 : 64;
    const r = b.reg(rng.chance(0.5) ? 32 : 64);
    b.xmm[s] = floatVector(rng, lane);
    if (rng.chance(0.3)) {
      const m = new Uint8Array(lane / 8);
      const v = floatBits(rng, lane);
      for (let i = 0; i < m.length; i++) m[i] = Number((v >> BigInt(8 * i)) & 0xffn);
      return `${op} ${regName(r)}, ${vecMem(b, m, lane === 32 ? 'dword' : 'qword', false)}`;
    }
    return `${op} ${regName(r)}, xmm${s}`;
  }
  // vector/scalar float <-> float and packed int <-> float; [name, source lanes, source memory width]
  const ops: readonly (readonly [string, 'f32' | 'f64' | 'i32', string])[] = [
    ['cvtss2sd', 'f32', 'dword'], ['cvtsd2ss', 'f64', 'qword'], ['cvtps2pd', 'f32', 'qword'], ['cvtpd2ps', 'f64', 'xmmword'],
    ['cvtdq2ps', 'i32', 'xmmword'], ['cvtps2dq', 'f32', 'xmmword'], ['cvttps2dq', 'f32', 'xmmword'], ['cvtdq2pd', 'i32', 'qword'],
    ['cvtpd2dq', 'f64', 'xmmword'], ['cvttpd2dq', 'f64', 'xmmword'],
  ];
  const [op, src, ptr] = rng.pick(ops);
  const v = src === 'i32' ? intVector(rng, 32) : floatVector(rng, src === 'f32' ? 32 : 64);
  if (rng.chance(0.3)) {
    const bytes = ptr === 'dword' ? 4 : ptr === 'qword' ? 8 : 16;
    return `${op} xmm${d}, ${vecMem(b, v.slice(0, bytes), ptr, true)}`;
  }
  b.xmm[s] = v;
  return `${op} xmm${d}, xmm${s}`;
}

function moves(b: CaseBuilder, rng: Rng): string {
  const [d, s] = xmmRegs(rng, 2) as [number, number];
  const k = rng.below(8);
  if (k < 2) {
    const op = rng.pick(['movss', 'movsd']);
    const bytes = op === 'movss' ? 4 : 8;
    const ptr = bytes === 4 ? 'dword' : 'qword';
    const form = rng.below(3);
    if (form === 0) return `${op} xmm${d}, xmm${s}`;
    const m = vecMem(b, rng.bytes(bytes), ptr, false);
    return form === 1 ? `${op} xmm${d}, ${m}` : `${op} ${m}, xmm${d}`;
  }
  if (k < 4) {
    const op = rng.pick(['movaps', 'movups', 'movapd', 'movupd']);
    const m = vecMem(b, rng.bytes(16), 'xmmword', op.startsWith('mova'));
    return rng.chance(0.5) ? `${op} xmm${d}, ${m}` : `${op} ${m}, xmm${d}`;
  }
  if (k === 4) return `${rng.pick(['movhlps', 'movlhps'])} xmm${d}, xmm${s}`;
  if (k === 5) {
    const op = rng.pick(['movhps', 'movlps', 'movhpd', 'movlpd']);
    const m = vecMem(b, rng.bytes(8), 'qword', false);
    return rng.chance(0.5) ? `${op} xmm${d}, ${m}` : `${op} ${m}, xmm${d}`;
  }
  if (k === 6) {
    b.xmm[s] = floatVector(rng, 32);
    return `${rng.pick(['movmskps', 'movmskpd'])} ${regName(b.reg(rng.chance(0.5) ? 32 : 64))}, xmm${s}`;
  }
  return `${rng.pick(['movaps', 'movapd', 'movups'])} xmm${d}, xmm${s}`;
}

export function genSseFp(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    randomMxcsr(b, 0.05);
    const k = rng.below(10);
    const asm = k < 5 ? arith(b, rng) : k < 6 ? compareFlags(b, rng) : k < 9 ? convert(b, rng) : moves(b, rng);
    out.push(b.spec(`sse-fp/${n}: ${asm} (mxcsr 0x${b.mxcsr.toString(16)})`, asm));
  }
  return out;
}
