// x87 comparisons, classification and conditional moves (SDM Vol. 2: FCOM/FCOMP/FCOMPP, FUCOM/FUCOMP/FUCOMPP,
// FICOM/FICOMP, FTST, FXAM, FCOMI/FCOMIP/FUCOMI/FUCOMIP, FCMOVcc).
import type { Handler } from '../../cache/code-cache.js';
import { OpKind } from '../../decoder/instr.js';
import { Flag, ARITH_FLAGS } from '../../../machine/cpu/state.js';
import { getFlags, setFlags, testCond } from '../flags.js';
import { F80, Fx, Cls, classify, compare, signOf } from './f80.js';
import { enter, finish, isEmpty, getST, setST, pop, underflow, unmasked, xst, setCC, phys } from './fpu.js';
import { readFloat, readInt } from './mem.js';
import { FPU_TAG } from '../../../machine/cpu/state.js';
import type { OpTable } from '../sse/fp-arith.js';

const A = new F80();
const B = new F80();

const GT = 0, LT = 1, EQ = 2, UN = 3;

/** Compare A with B: QNaN operands raise IE only for the ordered (non-U) forms; DE for denormals. */
function relation(quiet: boolean): number {
  const ca = classify(A);
  const cb = classify(B);
  if (ca === Cls.Bad || cb === Cls.Bad) {
    xst.flags |= Fx.IE;
    return UN;
  }
  if (ca === Cls.NaN || cb === Cls.NaN) {
    const snan = (ca === Cls.NaN && (A.hi & 0x40000000) === 0) || (cb === Cls.NaN && (B.hi & 0x40000000) === 0);
    if (!quiet || snan) xst.flags |= Fx.IE;
    return UN;
  }
  if (ca === Cls.Denormal || cb === Cls.Denormal) xst.flags |= Fx.DE;
  const c = compare(A, B);
  return c > 0 ? GT : c < 0 ? LT : EQ;
}

/** Operands of a compare: ST(0) against memory (float or integer), ST(i), or +0.0 (FTST). Returns false if empty. */
function operands(cpu: Parameters<Handler>[0], ins: Parameters<Handler>[1], int: boolean, ftst: boolean): boolean {
  const s = cpu.i32;
  let empty = isEmpty(s, 0);
  if (ftst) B.set(0, 0, 0);
  else if (ins.o0.kind === OpKind.Mem) {
    if (int) readInt(cpu, ins, ins.o0, B);
    else xst.flags |= readFloat(cpu, ins, ins.o0, B);
  } else {
    const i = ins.o1.kind === OpKind.Reg ? ins.o1.reg : ins.o0.kind === OpKind.Reg && ins.nops === 1 ? ins.o0.reg : 1;
    empty = empty || isEmpty(s, i);
    if (!empty) getST(s, i, B);
  }
  if (empty) {
    xst.flags = 0;
    underflow();
    return false;
  }
  getST(s, 0, A);
  return true;
}

/** FCOM family: C3,C2,C0 = 000 >, 001 <, 100 =, 111 unordered; C1 = 0; pops 0, 1 or 2 times. */
function fcom(quiet: boolean, pops: number, int = false, ftst = false): Handler {
  return (cpu, ins) => {
    enter(cpu, ins);
    const s = cpu.i32;
    const rel = operands(cpu, ins, int, ftst) ? relation(quiet) : UN;
    // The comparison result is delivered even with an unmasked IE/DE (observed); the pops are not done then.
    setCC(s, rel === EQ || rel === UN ? 1 : 0, rel === UN ? 1 : 0, 0, rel === LT || rel === UN ? 1 : 0);
    xst.c1 = 0;
    if (!unmasked(s, xst.flags & (Fx.IE | Fx.DE))) for (let k = 0; k < pops; k++) pop(s);
    finish(cpu);
  };
}

/** FCOMI family: ZF,PF,CF like (U)COMISS; OF, SF, AF cleared; C1 = 0. */
function fcomi(quiet: boolean, popAfter: boolean): Handler {
  return (cpu, ins) => {
    enter(cpu, ins);
    const s = cpu.i32;
    const rel = operands(cpu, ins, false, false) ? relation(quiet) : UN;
    const f = rel === GT ? 0 : rel === LT ? Flag.CF : rel === EQ ? Flag.ZF : Flag.ZF | Flag.PF | Flag.CF;
    setFlags(s, (getFlags(s) & ~ARITH_FLAGS) | f);
    xst.c1 = 0;
    if (popAfter && !unmasked(s, xst.flags & (Fx.IE | Fx.DE))) pop(s);
    finish(cpu);
  };
}

/** FXAM: C3,C2,C0 = class (unsupported 000, NaN 001, normal 010, inf 011, zero 100, empty 101, denormal 110). */
const fxam: Handler = (cpu, ins) => {
  enter(cpu, ins);
  const s = cpu.i32;
  getST(s, 0, A);
  let c3 = 0, c2 = 0, c0 = 0;
  if (((s[FPU_TAG] >> phys(s, 0)) & 1) === 0) {
    c3 = 1;
    c0 = 1;
  } else {
    switch (classify(A)) {
      case Cls.Bad:
        break;
      case Cls.NaN:
        c0 = 1;
        break;
      case Cls.Normal:
        c2 = 1;
        break;
      case Cls.Inf:
        c2 = 1;
        c0 = 1;
        break;
      case Cls.Zero:
        c3 = 1;
        break;
      default:
        c3 = 1;
        c2 = 1;
    }
  }
  setCC(s, c3, c2, signOf(A), c0);
  finish(cpu);
};

const fcmov: Handler = (cpu, ins) => {
  enter(cpu, ins);
  const s = cpu.i32;
  const i = ins.o1.reg;
  if (isEmpty(s, 0) || isEmpty(s, i)) {
    underflow(A);
    if (unmasked(s, Fx.IE)) return finish(cpu);
    setST(s, 0, A);
    return finish(cpu);
  }
  if (testCond(s, ins.cond)) {
    getST(s, i, A);
    setST(s, 0, A);
  }
  xst.c1 = 0;
  finish(cpu);
};

export const X87_COMPARE_OPS: OpTable = [
  ['FCOM', fcom(false, 0)], ['FCOMP', fcom(false, 1)], ['FCOMPP', fcom(false, 2)],
  ['FUCOM', fcom(true, 0)], ['FUCOMP', fcom(true, 1)], ['FUCOMPP', fcom(true, 2)],
  ['FICOM', fcom(false, 0, true)], ['FICOMP', fcom(false, 1, true)], ['FTST', fcom(false, 0, false, true)],
  ['FCOMI', fcomi(false, false)], ['FCOMIP', fcomi(false, true)],
  ['FUCOMI', fcomi(true, false)], ['FUCOMIP', fcomi(true, true)],
  ['FXAM', fxam],
  ['FCMOVB', fcmov], ['FCMOVE', fcmov], ['FCMOVBE', fcmov], ['FCMOVU', fcmov],
  ['FCMOVNB', fcmov], ['FCMOVNE', fcmov], ['FCMOVNBE', fcmov], ['FCMOVNU', fcmov],
];
