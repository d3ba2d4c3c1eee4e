// x87 transcendental instructions (SDM Vol. 2: F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS).
// APPROXIMATE: computed in binary64 with the JavaScript Math library and widened back, so results carry about 53
// correct bits instead of the 64-bit hardware results; PE is always reported for inexact-looking results and
// C1 is cleared. Operand-range rules (C2 for |x| >= 2^63), NaN, infinity and invalid cases follow the SDM.
import type { Handler } from '../../cache/code-cache.js';
import { F80, Fx, Cls, classify, pickNaN, setIndefinite, toDouble, fromDouble, expOf, sigOf } from './f80.js';
import { enter, finish, isEmpty, getST, setST, pop, underflow, unmasked, preFault, xst, push, setCC } from './fpu.js';
import { bitLength } from '../sse/softfloat.js';
import type { OpTable } from '../sse/fp-arith.js';

const A = new F80();
const B = new F80();
const R = new F80();
const R2 = new F80();

/** Deliver a binary64 result (NaN -> indefinite with IE). */
function result(x: number, out: F80): void {
  if (x !== x) {
    xst.flags |= Fx.IE;
    setIndefinite(out);
    return;
  }
  fromDouble(x, out);
  if (x !== 0 && Math.abs(x) !== Infinity) xst.flags |= Fx.PE;
}

/** True when |v| >= 2^63 (out of range for the trigonometric instructions). */
function tooBig(v: F80): boolean {
  return classify(v) !== Cls.Zero && expOf(v) + bitLength(sigOf(v)) - 1 >= 63;
}

function preCheck(v: F80): boolean {
  const c = classify(v);
  if (c === Cls.Bad) {
    xst.flags |= Fx.IE;
    setIndefinite(R);
    return false;
  }
  if (c === Cls.NaN) {
    xst.flags |= pickNaN(v, v, R);
    return false;
  }
  if (c === Cls.Denormal) xst.flags |= Fx.DE;
  return true;
}

/** ST(0) = f(ST(0)) (F2XM1, FSIN, FCOS). */
function unaryST(f: (x: number) => number, trig: boolean): Handler {
  return (cpu, ins) => {
    enter(cpu, ins);
    const s = cpu.i32;
    if (isEmpty(s, 0)) {
      underflow(R);
      if (unmasked(s, Fx.IE)) return finish(cpu);
      setST(s, 0, R);
      return finish(cpu);
    }
    getST(s, 0, A);
    if (trig && classify(A) !== Cls.NaN && tooBig(A) && classify(A) !== Cls.Inf) {
      setCC(s, 0, 1, 0, 0);
      return finish(cpu);
    }
    if (preCheck(A)) {
      const x = toDouble(A);
      if (trig && Math.abs(x) === Infinity) {
        xst.flags |= Fx.IE;
        setIndefinite(R);
      } else if (x === 0) fromDouble(f(x), R); // exact: +-0 or cos(0) = 1
      else result(f(x), R);
    }
    if (preFault(s)) return finish(cpu);
    setST(s, 0, R);
    if (trig) setCC(s, 0, 0, 0, 0);
    xst.c1 = 0;
    finish(cpu);
  };
}

/** ST(1) = f(ST(1), ST(0)), pop (FYL2X, FYL2XP1, FPATAN). */
function binaryPop(f: (y: number, x: number) => number): Handler {
  return (cpu, ins) => {
    enter(cpu, ins);
    const s = cpu.i32;
    if (isEmpty(s, 0) || isEmpty(s, 1)) {
      underflow(R);
      if (unmasked(s, Fx.IE)) return finish(cpu);
    } else {
      getST(s, 0, A);
      getST(s, 1, B);
      const ca = classify(A);
      const cb = classify(B);
      if (ca === Cls.Bad || cb === Cls.Bad) {
        xst.flags |= Fx.IE;
        setIndefinite(R);
      } else if (ca === Cls.NaN || cb === Cls.NaN) xst.flags |= pickNaN(A, B, R);
      else {
        if (ca === Cls.Denormal || cb === Cls.Denormal) xst.flags |= Fx.DE;
        result(f(toDouble(B), toDouble(A)), R);
      }
    }
    if (preFault(s)) return finish(cpu);
    setST(s, 1, R);
    pop(s);
    xst.c1 = 0;
    finish(cpu);
  };
}

const LN2 = Math.LN2;

/** FYL2X: y * log2(x); x < 0 invalid, x = 0 divide-by-zero (unless y = 0: invalid). */
function yl2x(y: number, x: number): number {
  if (x < 0 || (x === 0 && y === 0) || (x === 1 && Math.abs(y) === Infinity) || (Math.abs(x) === Infinity && y === 0)) return NaN;
  if (x === 0) {
    xst.flags |= Fx.ZE;
    return y > 0 ? -Infinity : Infinity;
  }
  return y * (Math.log2(x));
}

function yl2xp1(y: number, x: number): number {
  const v = Math.log1p(x) / LN2;
  if (v !== v || (y === 0 && Math.abs(v) === Infinity) || (Math.abs(y) === Infinity && x === 0)) return NaN;
  return y * v;
}

/** FPTAN: ST(0) = tan, then push 1.0. */
const fptan: Handler = (cpu, ins) => {
  enter(cpu, ins);
  const s = cpu.i32;
  if (isEmpty(s, 0)) {
    underflow(R);
    if (unmasked(s, Fx.IE)) return finish(cpu);
    setST(s, 0, R);
    push(cpu, R2.copy(R));
    return finish(cpu);
  }
  getST(s, 0, A);
  if (classify(A) !== Cls.NaN && classify(A) !== Cls.Inf && tooBig(A)) {
    setCC(s, 0, 1, 0, 0);
    return finish(cpu);
  }
  if (preCheck(A)) {
    const x = toDouble(A);
    if (Math.abs(x) === Infinity) {
      xst.flags |= Fx.IE;
      setIndefinite(R);
    } else if (x === 0) R.copy(A);
    else result(Math.tan(x), R);
  }
  if (preFault(s)) return finish(cpu);
  setST(s, 0, R);
  R2.set(0, 0x80000000, 0x3fff);
  if (classify(R) === Cls.NaN) R2.copy(R);
  push(cpu, R2);
  setCC(s, 0, 0, 0, 0);
  finish(cpu);
};

/** FSINCOS: ST(0) = sin, push cos. */
const fsincos: Handler = (cpu, ins) => {
  enter(cpu, ins);
  const s = cpu.i32;
  if (isEmpty(s, 0)) {
    underflow(R);
    if (unmasked(s, Fx.IE)) return finish(cpu);
    setST(s, 0, R);
    push(cpu, R2.copy(R));
    return finish(cpu);
  }
  getST(s, 0, A);
  if (classify(A) !== Cls.NaN && classify(A) !== Cls.Inf && tooBig(A)) {
    setCC(s, 0, 1, 0, 0);
    return finish(cpu);
  }
  if (preCheck(A)) {
    const x = toDouble(A);
    if (Math.abs(x) === Infinity) {
      xst.flags |= Fx.IE;
      setIndefinite(R);
      R2.copy(R);
    } else if (x === 0) {
      R.copy(A);
      R2.set(0, 0x80000000, 0x3fff);
    } else {
      result(Math.sin(x), R);
      result(Math.cos(x), R2);
    }
  } else R2.copy(R);
  if (preFault(s)) return finish(cpu);
  setST(s, 0, R);
  push(cpu, R2);
  setCC(s, 0, 0, 0, 0);
  finish(cpu);
};

export const X87_TRANSCENDENTAL_OPS: OpTable = [
  ['F2XM1', unaryST((x) => Math.expm1(x * LN2), false)],
  ['FSIN', unaryST(Math.sin, true)],
  ['FCOS', unaryST(Math.cos, true)],
  ['FYL2X', binaryPop(yl2x)],
  ['FYL2XP1', binaryPop(yl2xp1)],
  ['FPATAN', binaryPop((y, x) => Math.atan2(y, x))],
  ['FPTAN', fptan],
  ['FSINCOS', fsincos],
];
