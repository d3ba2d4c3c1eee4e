// Flag-register and miscellaneous integer instructions (SDM Vol. 2 NOP, LAHF, SAHF, CLC, STC, CMC, CLD, STD) and the
// BCD/ASCII adjusts of 16/32-bit modes (AAA, AAS, AAM, AAD, DAA, DAS; undefined flags as documented per handler).
import { S } from '../slots.js';
import type { Handler } from '../../cache/code-cache.js';
import { Flag } from '../../../machine/cpu/state.js';
import { Vec } from '../../../machine/cpu/fault.js';
import { getFlags, putFlags, getCF, getAF, PARITY } from '../flags.js';
import { IntOp } from './common.js';

const AX = S.RAX << 1;
const LAHF_BITS = Flag.SF | Flag.ZF | Flag.AF | Flag.PF | Flag.CF;

const nop: Handler = () => {};

const lahf: Handler = (cpu) => {
  const s = cpu.i32;
  const f = (getFlags(s) & LAHF_BITS) | 2;
  s[AX] = (s[AX] & ~0xff00) | (f << 8);
};

const sahf: Handler = (cpu) => {
  const s = cpu.i32;
  putFlags(s, LAHF_BITS, (s[AX] >>> 8) & LAHF_BITS);
};

const clc: Handler = (cpu) => putFlags(cpu.i32, Flag.CF, 0);
const stc: Handler = (cpu) => putFlags(cpu.i32, Flag.CF, Flag.CF);
const cmc: Handler = (cpu) => putFlags(cpu.i32, Flag.CF, getCF(cpu.i32) ^ 1);
const cld: Handler = (cpu) => {
  cpu.i32[S.FLAGS] &= ~Flag.DF;
};
const std: Handler = (cpu) => {
  cpu.i32[S.FLAGS] |= Flag.DF;
};

// ---- BCD / ASCII adjust ------------------------------------------------------------------------------------------
// Not testable on the 64-bit host oracle (invalid in 64-bit mode). SF, ZF, PF follow the final AL everywhere;
// the SDM-undefined OF is cleared, AAM's AF and CF are cleared, AAD's OF/AF/CF come from the 8-bit addition
// AL + AH*imm8 that the instruction performs (the commonly reported hardware behaviour).

function szp(v: number): number {
  v &= 0xff;
  return (v === 0 ? Flag.ZF : 0) | (v & 0x80) | PARITY[v];
}

const ARITH = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.OF;

/** AAA (inc = 1) / AAS (inc = -1). */
function makeAsciiAdjust(inc: number): Handler {
  return (cpu) => {
    const s = cpu.i32;
    let ax = s[AX] & 0xffff;
    let f: number;
    if ((ax & 0x0f) > 9 || getAF(s) !== 0) {
      ax = inc > 0 ? (ax + 0x106) & 0xffff : (ax - 6) & 0xffff;
      if (inc < 0) ax = (ax & 0xff) | ((((ax >>> 8) - 1) & 0xff) << 8);
      f = Flag.AF | Flag.CF;
    } else f = 0;
    const al = ax & 0x0f;
    s[AX] = (s[AX] & ~0xffff) | (ax & 0xff00) | al;
    putFlags(s, ARITH, f | szp(al));
  };
}

const aam: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const base = ins.o0.imm & 0xff;
  if (base === 0) cpu.fault(Vec.DE);
  const al = s[AX] & 0xff;
  const q = Math.floor(al / base), r = al % base;
  s[AX] = (s[AX] & ~0xffff) | (q << 8) | r;
  putFlags(s, ARITH, szp(r));
};

const aad: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const base = ins.o0.imm & 0xff;
  const al = s[AX] & 0xff, ah = (s[AX] >>> 8) & 0xff;
  const b = (ah * base) & 0xff;
  const sum = al + b;
  const r = sum & 0xff;
  s[AX] = (s[AX] & ~0xffff) | r;
  const cf = sum > 0xff ? Flag.CF : 0;
  const af = (al ^ b ^ r) & 0x10 ? Flag.AF : 0;
  const of = ((al ^ r) & (b ^ r) & 0x80) !== 0 ? Flag.OF : 0;
  putFlags(s, ARITH, szp(r) | cf | af | of);
};

/** DAA (add = true) / DAS per the SDM pseudocode; OF is cleared. */
function makeDecimalAdjust(add: boolean): Handler {
  return (cpu) => {
    const s = cpu.i32;
    const f0 = getFlags(s);
    const oldAl = s[AX] & 0xff;
    const oldCf = f0 & Flag.CF;
    let al = oldAl;
    let cf = 0, af = 0;
    if ((al & 0x0f) > 9 || (f0 & Flag.AF) !== 0) {
      const t = add ? al + 6 : al - 6;
      al = t & 0xff;
      cf = oldCf | (t > 0xff || t < 0 ? 1 : 0);
      af = Flag.AF;
    }
    if (oldAl > 0x99 || oldCf !== 0) {
      al = (add ? al + 0x60 : al - 0x60) & 0xff;
      cf = 1;
    }
    s[AX] = (s[AX] & ~0xff) | al;
    putFlags(s, ARITH, szp(al) | af | cf);
  };
}

export const ops: IntOp[] = [
  { names: ['NOP', 'PAUSE', 'RESERVEDNOP', 'ENDBR32', 'ENDBR64'], h: nop },
  { names: ['LAHF'], h: lahf },
  { names: ['SAHF'], h: sahf },
  { names: ['CLC'], h: clc },
  { names: ['STC'], h: stc },
  { names: ['CMC'], h: cmc },
  { names: ['CLD'], h: cld },
  { names: ['STD'], h: std },
  { names: ['AAA'], h: makeAsciiAdjust(1) },
  { names: ['AAS'], h: makeAsciiAdjust(-1) },
  { names: ['AAM'], h: aam },
  { names: ['AAD'], h: aad },
  { names: ['DAA'], h: makeDecimalAdjust(true) },
  { names: ['DAS'], h: makeDecimalAdjust(false) },
];
