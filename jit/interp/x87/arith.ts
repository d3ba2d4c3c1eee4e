// x87 arithmetic (SDM Vol. 2: FADD/FADDP/FIADD, FSUB/FSUBP/FISUB, FSUBR/FSUBRP/FISUBR, FMUL/FMULP/FIMUL,
// FDIV/FDIVP/FIDIV, FDIVR/FDIVRP/FIDIVR, FSQRT, FCHS, FABS, FRNDINT, FSCALE, FXTRACT, FPREM, FPREM1).
import type { Handler } from '../../cache/code-cache.js';
import { OpKind } from '../../decoder/instr.js';
import { FPU_CW } from '../../../machine/cpu/state.js';
import { Rc } from '../sse/env.js';
import { bitLength } from '../sse/softfloat.js';
import {
  F80, Fx, Op, Cls, arith, sqrt, res, classify, signOf, sigOf, expOf, pickNaN, setIndefinite, toIntegral,
  fromInt, roundExact,
} from './f80.js';
import { enter, finish, isEmpty, getST, setST, pop, underflow, unmasked, preFault, xst, push, setCC } from './fpu.js';
import { readFloat, readInt } from './mem.js';
import type { OpTable } from '../sse/fp-arith.js';

const A = new F80();
const B = new F80();
const R = new F80();

/**
 * Two-operand arithmetic. Memory forms: ST(0) = ST(0) op mem. Register forms: o0 = o0 op o1 (ST indices).
 * `rev` swaps the operands (FSUBR, FDIVR); `int` reads an integer memory operand; `popAfter` for the P forms.
 */
function binary(op: Op, rev: boolean, int: boolean, popAfter: boolean): Handler {
  return (cpu, ins) => {
    enter(cpu, ins);
    const s = cpu.i32;
    let dst = 0;
    let empty: boolean;
    let denSrc = false;
    if (ins.o0.kind === OpKind.Mem) {
      if (int) readInt(cpu, ins, ins.o0, B);
      else denSrc = readFloat(cpu, ins, ins.o0, B) !== 0;
      empty = isEmpty(s, 0);
      if (!empty) getST(s, 0, A);
    } else {
      dst = ins.o0.kind === OpKind.Reg ? ins.o0.reg : 1;
      const src = ins.o1.kind === OpKind.Reg ? ins.o1.reg : 0;
      empty = isEmpty(s, dst) || isEmpty(s, src);
      if (!empty) {
        getST(s, dst, A);
        getST(s, src, B);
      }
    }
    if (empty) {
      xst.flags = 0;
      underflow(R);
    } else {
      if (rev) arith(op, B, A, s[FPU_CW], R, denSrc);
      else arith(op, A, B, s[FPU_CW], R, denSrc);
      xst.flags |= res.flags;
      xst.c1 = res.up ? 1 : 0;
    }
    if (preFault(s)) {
      finish(cpu);
      return;
    }
    setST(s, dst, R);
    if (popAfter) pop(s);
    finish(cpu);
  };
}

/** One-operand ST(0) operations that may raise exceptions (FSQRT, FRNDINT). */
function unary(f: (cw: number) => void): Handler {
  return (cpu, ins) => {
    enter(cpu, ins);
    const s = cpu.i32;
    if (isEmpty(s, 0)) underflow(R);
    else {
      getST(s, 0, A);
      f(s[FPU_CW]);
    }
    if (preFault(s)) {
      finish(cpu);
      return;
    }
    setST(s, 0, R);
    finish(cpu);
  };
}

const fsqrt = unary((cw) => {
  sqrt(A, cw, R);
  xst.flags |= res.flags;
  xst.c1 = res.up ? 1 : 0;
});

const frndint = unary((cw) => {
  const c = classify(A);
  if (c === Cls.Bad) {
    xst.flags |= Fx.IE;
    setIndefinite(R);
    return;
  }
  if (c === Cls.NaN) {
    xst.flags |= pickNaN(A, A, R);
    return;
  }
  if (c === Cls.Inf || c === Cls.Zero) {
    R.copy(A);
    return;
  }
  if (c === Cls.Denormal) xst.flags |= Fx.DE;
  if (expOf(A) >= 0) {
    R.copy(A); // already integral
    return;
  }
  const v = toIntegral(A, ((cw >>> 10) & 3) as Rc);
  xst.flags |= res.flags;
  xst.c1 = res.up ? 1 : 0;
  if (v === 0n) R.set(0, 0, signOf(A) << 15);
  else {
    fromInt(v as bigint, R);
  }
});

/** FCHS / FABS: sign manipulation only, no exceptions besides stack underflow; C1 = 0. */
function signOp(abs: boolean): Handler {
  return (cpu, ins) => {
    enter(cpu, ins);
    const s = cpu.i32;
    xst.c1 = 0;
    if (isEmpty(s, 0)) {
      underflow(R);
      if (unmasked(s, Fx.IE)) {
        finish(cpu);
        return;
      }
    } else {
      getST(s, 0, R);
      R.se = abs ? R.se & 0x7fff : R.se ^ 0x8000;
    }
    setST(s, 0, R);
    finish(cpu);
  };
}

/** FSCALE: ST(0) * 2^trunc(ST(1)), exact except for overflow/underflow rounding (no precision control). */
const fscale: Handler = (cpu, ins) => {
  enter(cpu, ins);
  const s = cpu.i32;
  if (isEmpty(s, 0) || isEmpty(s, 1)) underflow(R);
  else {
    getST(s, 0, A);
    getST(s, 1, B);
    scale(s[FPU_CW]);
  }
  if (preFault(s)) {
    finish(cpu);
    return;
  }
  setST(s, 0, R);
  finish(cpu);
};

function scale(cw: number): void {
  const ca = classify(A);
  const cb = classify(B);
  if (ca === Cls.Bad || cb === Cls.Bad) {
    xst.flags |= Fx.IE;
    setIndefinite(R);
    return;
  }
  if (ca === Cls.NaN || cb === Cls.NaN) {
    xst.flags |= pickNaN(A, B, R);
    return;
  }
  if (ca === Cls.Denormal || cb === Cls.Denormal) xst.flags |= Fx.DE;
  if (cb === Cls.Inf) {
    const neg = signOf(B) === 1;
    if ((ca === Cls.Zero && !neg) || (ca === Cls.Inf && neg)) {
      xst.flags |= Fx.IE;
      setIndefinite(R);
    } else if (ca === Cls.Zero || ca === Cls.Inf) R.copy(A);
    else if (neg) R.set(0, 0, signOf(A) << 15);
    else R.set(0, 0x80000000, (signOf(A) << 15) | 0x7fff);
    return;
  }
  if (ca === Cls.Zero || ca === Cls.Inf) {
    R.copy(A);
    return;
  }
  // trunc(ST1), clamped: anything beyond +-2^20 overflows or underflows every finite value anyway.
  let n = 0;
  if (cb !== Cls.Zero) {
    const e = expOf(B);
    const m = sigOf(B);
    const t = e >= 0 ? 1n << 40n : m >> BigInt(Math.min(-e, 127));
    n = t > 1n << 20n ? 1 << 20 : Number(t);
    if (signOf(B)) n = -n;
  }
  roundExact(signOf(A), sigOf(A), expOf(A) + n, false, 64, cw, R);
  xst.flags |= res.flags;
  xst.c1 = res.up ? 1 : 0;
}

/** FXTRACT: ST(0) = significand (exponent 0x3FFF), then push... the exponent goes below it. */
const fxtract: Handler = (cpu, ins) => {
  enter(cpu, ins);
  const s = cpu.i32;
  if (isEmpty(s, 0)) {
    underflow(R);
    if (unmasked(s, Fx.IE)) return finish(cpu);
    setST(s, 0, R);
    push(cpu, R);
    return finish(cpu);
  }
  getST(s, 0, A);
  const c = classify(A);
  if (c === Cls.Bad) {
    xst.flags |= Fx.IE;
    setIndefinite(B);
    setIndefinite(R);
  } else if (c === Cls.NaN) {
    xst.flags |= pickNaN(A, A, R);
    B.copy(R);
  } else if (c === Cls.Zero) {
    xst.flags |= Fx.ZE;
    B.set(0, 0x80000000, 0xffff); // -inf
    R.copy(A);
  } else if (c === Cls.Inf) {
    B.set(0, 0x80000000, 0x7fff);
    R.copy(A);
  } else {
    if (c === Cls.Denormal) xst.flags |= Fx.DE;
    const m = sigOf(A);
    const bl = bitLength(m);
    fromInt(BigInt(expOf(A) + bl - 1), B);
    const s64 = m << BigInt(64 - bl);
    R.set(Number(s64 & 0xffffffffn), Number(s64 >> 32n), (signOf(A) << 15) | 0x3fff);
  }
  if (preFault(s)) return finish(cpu);
  setST(s, 0, B);
  push(cpu, R);
  finish(cpu);
};

/**
 * FPREM / FPREM1: partial remainder with C2 = incomplete and C0,C3,C1 = Q2,Q1,Q0. When the exponent difference D
 * is 64 or more, the reduction is partial by 2^(D-N) with N = 32 + (D mod 32).
 */
function fprem(ieee: boolean): Handler {
  return (cpu, ins) => {
    enter(cpu, ins);
    const s = cpu.i32;
    if (isEmpty(s, 0) || isEmpty(s, 1)) {
      underflow(R);
      if (unmasked(s, Fx.IE)) return finish(cpu);
      setST(s, 0, R);
      return finish(cpu);
    }
    getST(s, 0, A);
    getST(s, 1, B);
    const ca = classify(A);
    const cb = classify(B);
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    if (ca === Cls.Bad || cb === Cls.Bad || ca === Cls.Inf || cb === Cls.Zero) {
      if (ca === Cls.NaN || cb === Cls.NaN) xst.flags |= pickNaN(A, B, R);
      else {
        xst.flags |= Fx.IE;
        setIndefinite(R);
      }
    } else if (ca === Cls.NaN || cb === Cls.NaN) {
      xst.flags |= pickNaN(A, B, R);
    } else {
      if (ca === Cls.Denormal || cb === Cls.Denormal) xst.flags |= Fx.DE;
      if (ca === Cls.Zero || cb === Cls.Inf) R.copy(A);
      else {
        res.flags = 0;
        const ma = sigOf(A);
        const mb = sigOf(B);
        const ea = expOf(A);
        const eb = expOf(B);
        const la = ea + bitLength(ma) - 1;
        const lb = eb + bitLength(mb) - 1;
        const d = la - lb;
        const sa = signOf(A);
        if (d >= 64) {
          const nbits = 32 + (d % 32);
          // Quotient truncated at weight 2^(d - nbits): remainder keeps A's sign.
          const shift = d - nbits;
          const e0 = Math.min(ea, eb + shift);
          const An = ma << BigInt(ea - e0);
          const Bn = mb << BigInt(eb + shift - e0);
          const q = An / Bn;
          const r = An - q * Bn;
          c2 = 1;
          roundExact(sa, r, e0, false, 64, s[FPU_CW], R);
          if (r === 0n) R.set(0, 0, sa << 15);
        } else {
          const e0 = Math.min(ea, eb);
          const An = ma << BigInt(ea - e0);
          const Bn = mb << BigInt(eb - e0);
          let q = An / Bn;
          let r = An - q * Bn;
          let sign = sa;
          if (ieee) {
            const twice = 2n * r;
            if (twice > Bn || (twice === Bn && (q & 1n) === 1n)) {
              q += 1n;
              r = Bn - r;
              sign ^= 1;
            }
          }
          if (r === 0n) R.set(0, 0, sa << 15);
          else roundExact(sign, r, e0, false, 64, s[FPU_CW], R);
          const qi = Number(q & 7n);
          c0 = (qi >> 2) & 1;
          c3 = (qi >> 1) & 1;
          c1 = qi & 1;
        }
        xst.flags |= res.flags;
      }
    }
    if (preFault(s)) return finish(cpu);
    setST(s, 0, R);
    setCC(s, c3, c2, c1, c0);
    finish(cpu);
  };
}

export const X87_ARITH_OPS: OpTable = [
  ['FADD', binary(Op.Add, false, false, false)], ['FADDP', binary(Op.Add, false, false, true)],
  ['FIADD', binary(Op.Add, false, true, false)],
  ['FSUB', binary(Op.Sub, false, false, false)], ['FSUBP', binary(Op.Sub, false, false, true)],
  ['FISUB', binary(Op.Sub, false, true, false)],
  ['FSUBR', binary(Op.Sub, true, false, false)], ['FSUBRP', binary(Op.Sub, true, false, true)],
  ['FISUBR', binary(Op.Sub, true, true, false)],
  ['FMUL', binary(Op.Mul, false, false, false)], ['FMULP', binary(Op.Mul, false, false, true)],
  ['FIMUL', binary(Op.Mul, false, true, false)],
  ['FDIV', binary(Op.Div, false, false, false)], ['FDIVP', binary(Op.Div, false, false, true)],
  ['FIDIV', binary(Op.Div, false, true, false)],
  ['FDIVR', binary(Op.Div, true, false, false)], ['FDIVRP', binary(Op.Div, true, false, true)],
  ['FIDIVR', binary(Op.Div, true, true, false)],
  ['FSQRT', fsqrt], ['FRNDINT', frndint], ['FCHS', signOp(false)], ['FABS', signOp(true)],
  ['FSCALE', fscale], ['FXTRACT', fxtract], ['FPREM', fprem(false)], ['FPREM1', fprem(true)],
];
