// SSE4.2 packed string comparisons (SDM Vol. 2 §4.1 "Imm8 control byte operation for PCMPESTRI/PCMPESTRM/
// PCMPISTRI/PCMPISTRM": source format, aggregation, polarity, output selection; Table 4-7 invalid-element overrides).
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { ARITH_FLAGS, Flag } from '../../../machine/cpu/state.js';
import { getFlags, setFlags } from '../flags.js';
import { getGpr, setGpr } from '../operands.js';
import { sseCheck } from './env.js';
import { X, Y, Z, XB, YB, XUW, YUW, ZB, ZUW, loadXmm, storeXmm, loadSrc, immOf } from './access.js';
import type { OpTable } from './fp-arith.js';

/** Element k of a source (XB/YB or XUW/YUW) in the format of imm8[1:0]. */
function elem(bytes: Uint8Array, words: Uint16Array, imm: number, k: number): number {
  switch (imm & 3) {
    case 0:
      return bytes[k];
    case 1:
      return words[k];
    case 2:
      return (bytes[k] << 24) >> 24;
    default:
      return (words[k] << 16) >> 16;
  }
}

/** Explicit length: |reg| saturated to the element count (64-bit variants use RAX/RDX). */
function explicitLength(cpu: Cpu, r: number, wide: boolean, n: number): number {
  const lo = getGpr(cpu, r, wide ? 8 : 4);
  if (wide) {
    const hi = cpu.hi;
    if (hi < 0) return hi !== -1 || lo === 0 || -lo >>> 0 > n ? n : -lo >>> 0; // |negative| >= 2^32 saturates
    return hi !== 0 || lo >>> 0 > n ? n : lo >>> 0;
  }
  const a = Math.abs(lo);
  return a > n ? n : a;
}

function implicitLength(bytes: Uint8Array, words: Uint16Array, imm: number, n: number): number {
  for (let k = 0; k < n; k++) if (((imm & 1) === 0 ? bytes[k] : words[k]) === 0) return k;
  return n;
}

/** IntRes2 of the string comparison of X (first operand) against Y (second) with lengths la, lb. */
function compare(imm: number, la: number, lb: number, n: number): number {
  const agg = (imm >> 2) & 3;
  let res = 0;
  for (let j = 0; j < n; j++) {
    let r = 0;
    switch (agg) {
      case 0: // equal any: is Y[j] one of X[0..la)?
        if (j < lb) for (let i = 0; i < la; i++) if (elem(XB, XUW, imm, i) === elem(YB, YUW, imm, j)) r = 1;
        break;
      case 1: // ranges: X holds (low, high) pairs
        if (j < lb) {
          const v = elem(YB, YUW, imm, j);
          for (let i = 0; i + 1 < la; i += 2) if (elem(XB, XUW, imm, i) <= v && v <= elem(XB, XUW, imm, i + 1)) r = 1;
        }
        break;
      case 2: // equal each: both invalid compare true, one invalid false
        if (j >= la && j >= lb) r = 1;
        else if (j < la && j < lb) r = elem(XB, XUW, imm, j) === elem(YB, YUW, imm, j) ? 1 : 0;
        break;
      default: {
        // equal ordered: does X (the needle, length la) start at Y[j]? An exhausted needle matches.
        r = 1;
        for (let k = 0; k < n - j && k < la; k++) {
          if (j + k >= lb || elem(XB, XUW, imm, k) !== elem(YB, YUW, imm, j + k)) {
            r = 0;
            break;
          }
        }
      }
    }
    res |= r << j;
  }
  const all = (1 << n) - 1;
  switch ((imm >> 4) & 3) {
    case 1:
      return ~res & all;
    case 3:
      return (res ^ ((1 << lb) - 1)) & all; // negate only the valid elements of the second operand
    default:
      return res;
  }
}

function run(cpu: Cpu, ins: Instr, explicit: boolean, wide: boolean, index: boolean): void {
  sseCheck(cpu);
  loadSrc(cpu, ins, ins.o1, Y, false);
  loadXmm(cpu, ins.o0.reg, X);
  const imm = immOf(ins);
  const n = (imm & 1) === 0 ? 16 : 8;
  const la = explicit ? explicitLength(cpu, 0, wide, n) : implicitLength(XB, XUW, imm, n);
  const lb = explicit ? explicitLength(cpu, 2, wide, n) : implicitLength(YB, YUW, imm, n);
  const r = compare(imm, la, lb, n);
  if (index) {
    let k = n;
    if (r !== 0) k = (imm & 0x40) !== 0 ? 31 - Math.clz32(r) : 31 - Math.clz32(r & -r);
    setGpr(cpu, 1, 4, k);
  } else {
    Z[0] = Z[1] = Z[2] = Z[3] = 0;
    if ((imm & 0x40) === 0) Z[0] = r;
    else if (n === 16) for (let k = 0; k < 16; k++) ZB[k] = (r >> k) & 1 ? 0xff : 0;
    else for (let k = 0; k < 8; k++) ZUW[k] = (r >> k) & 1 ? 0xffff : 0;
    storeXmm(cpu, 0, Z);
  }
  const s = cpu.i32;
  const f = (r !== 0 ? Flag.CF : 0) | (lb < n ? Flag.ZF : 0) | (la < n ? Flag.SF : 0) | ((r & 1) !== 0 ? Flag.OF : 0);
  setFlags(s, (getFlags(s) & ~ARITH_FLAGS) | f);
}

function op(explicit: boolean, wide: boolean, index: boolean): Handler {
  return (cpu, ins) => run(cpu, ins, explicit, wide, index);
}

export const STRING_OPS: OpTable = [
  ['PCMPESTRI', op(true, false, true)], ['PCMPESTRI64', op(true, true, true)],
  ['PCMPESTRM', op(true, false, false)], ['PCMPESTRM64', op(true, true, false)],
  ['PCMPISTRI', op(false, false, true)], ['PCMPISTRM', op(false, false, false)],
];
