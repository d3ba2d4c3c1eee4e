// SSE/SSE2/SSE3/SSE4.1 floating-point arithmetic, comparison and rounding instructions (SDM Vol. 2: ADDPS..SUBSD,
// MIN/MAX, SQRT, RCP/RSQRT, HADD/HSUB/ADDSUB, DPPS/DPPD, ROUNDxx, CMPxx, (U)COMISx).
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { Flag, ARITH_FLAGS } from '../../../machine/cpu/state.js';
import { getFlags, setFlags } from '../flags.js';
import { fenv, Xf, Rc, sseCheck, beginFp, commitFp, endStage } from './env.js';
import { X, Y, Z, loadXmm, storeXmm, loadSrc, immOf } from './access.js';
import { FOp, R64, arith64, sqrt64, minmax64, cmp64, isNaN64, isDenormal64, bitsToF64, putF64 } from './fp64.js';
import { R32, arith32, sqrt32, minmax32, cmp32, isNaN32, isDenormal32, bitsToF32, f32Bits } from './fp32.js';

export type OpTable = [string, Handler][];

/** Load destination (X) and source (Y) of a two-operand SSE instruction, with the m128 alignment rule. */
function operands(cpu: Cpu, ins: Instr): void {
  sseCheck(cpu);
  loadSrc(cpu, ins, ins.o1, Y, true);
  loadXmm(cpu, ins.o0.reg, X);
  beginFp(cpu);
}

function packed32(op: FOp): Handler {
  return (cpu, ins) => {
    operands(cpu, ins);
    for (let i = 0; i < 4; i++) {
      arith32(op, X[i], Y[i]);
      Z[i] = R32[0];
    }
    commitFp(cpu);
    storeXmm(cpu, ins.o0.reg, Z);
  };
}

function scalar32(op: FOp): Handler {
  return (cpu, ins) => {
    operands(cpu, ins);
    arith32(op, X[0], Y[0]);
    commitFp(cpu);
    X[0] = R32[0];
    storeXmm(cpu, ins.o0.reg, X);
  };
}

function packed64(op: FOp): Handler {
  return (cpu, ins) => {
    operands(cpu, ins);
    arith64(op, X[0], X[1], Y[0], Y[1]);
    Z[0] = R64[0];
    Z[1] = R64[1];
    arith64(op, X[2], X[3], Y[2], Y[3]);
    Z[2] = R64[0];
    Z[3] = R64[1];
    commitFp(cpu);
    storeXmm(cpu, ins.o0.reg, Z);
  };
}

function scalar64(op: FOp): Handler {
  return (cpu, ins) => {
    operands(cpu, ins);
    arith64(op, X[0], X[1], Y[0], Y[1]);
    commitFp(cpu);
    X[0] = R64[0];
    X[1] = R64[1];
    storeXmm(cpu, ins.o0.reg, X);
  };
}

function minmaxP32(isMax: boolean): Handler {
  return (cpu, ins) => {
    operands(cpu, ins);
    for (let i = 0; i < 4; i++) {
      minmax32(isMax, X[i], Y[i]);
      Z[i] = R32[0];
    }
    commitFp(cpu);
    storeXmm(cpu, ins.o0.reg, Z);
  };
}

function minmaxS32(isMax: boolean): Handler {
  return (cpu, ins) => {
    operands(cpu, ins);
    minmax32(isMax, X[0], Y[0]);
    commitFp(cpu);
    X[0] = R32[0];
    storeXmm(cpu, ins.o0.reg, X);
  };
}

function minmaxP64(isMax: boolean): Handler {
  return (cpu, ins) => {
    operands(cpu, ins);
    minmax64(isMax, X[0], X[1], Y[0], Y[1]);
    Z[0] = R64[0];
    Z[1] = R64[1];
    minmax64(isMax, X[2], X[3], Y[2], Y[3]);
    Z[2] = R64[0];
    Z[3] = R64[1];
    commitFp(cpu);
    storeXmm(cpu, ins.o0.reg, Z);
  };
}

function minmaxS64(isMax: boolean): Handler {
  return (cpu, ins) => {
    operands(cpu, ins);
    minmax64(isMax, X[0], X[1], Y[0], Y[1]);
    commitFp(cpu);
    X[0] = R64[0];
    X[1] = R64[1];
    storeXmm(cpu, ins.o0.reg, X);
  };
}

// ---- square root -----------------------------------------------------------------------------------------------

const sqrtps: Handler = (cpu, ins) => {
  operands(cpu, ins);
  for (let i = 0; i < 4; i++) {
    sqrt32(Y[i]);
    Z[i] = R32[0];
  }
  commitFp(cpu);
  storeXmm(cpu, ins.o0.reg, Z);
};
const sqrtss: Handler = (cpu, ins) => {
  operands(cpu, ins);
  sqrt32(Y[0]);
  commitFp(cpu);
  X[0] = R32[0];
  storeXmm(cpu, ins.o0.reg, X);
};
const sqrtpd: Handler = (cpu, ins) => {
  operands(cpu, ins);
  sqrt64(Y[0], Y[1]);
  Z[0] = R64[0];
  Z[1] = R64[1];
  sqrt64(Y[2], Y[3]);
  Z[2] = R64[0];
  Z[3] = R64[1];
  commitFp(cpu);
  storeXmm(cpu, ins.o0.reg, Z);
};
const sqrtsd: Handler = (cpu, ins) => {
  operands(cpu, ins);
  sqrt64(Y[0], Y[1]);
  commitFp(cpu);
  X[0] = R64[0];
  X[1] = R64[1];
  storeXmm(cpu, ins.o0.reg, X);
};

// ---- reciprocal approximations --------------------------------------------------------------------------------

/**
 * RCPSS/RSQRTSS lane: the SDM only bounds the relative error by 1.5 * 2^-12 and implementations differ; we return
 * the exact value truncated to 12 fraction bits. Denormal inputs act as zeros, tiny results flush to zero, no flags.
 */
function approx(x: number, rsqrt: boolean): number {
  if ((x & 0x7f800000) === 0x7f800000) {
    if ((x & 0x7fffff) !== 0) return x | 0x400000; // NaN: quieted, no IE
    if (rsqrt) return x < 0 ? 0xffc00000 | 0 : 0; // rsqrt(-inf) = default NaN, rsqrt(+inf) = +0
    return x & 0x80000000; // 1/inf = 0
  }
  if ((x & 0x7f800000) === 0) return (x & 0x80000000) | 0x7f800000; // zero or denormal: infinity of that sign
  const v = bitsToF32(x);
  if (rsqrt && v < 0) return 0xffc00000 | 0;
  const r = rsqrt ? 1 / Math.sqrt(v) : 1 / v;
  if (Math.abs(r) < 1.1754943508222875e-38) return x & 0x80000000;
  const bits = f32Bits(Math.fround(r));
  return bits & ~0x7ff; // keep 12 fraction bits
}

function approxP(rsqrt: boolean): Handler {
  return (cpu, ins) => {
    sseCheck(cpu);
    loadSrc(cpu, ins, ins.o1, Y, true);
    for (let i = 0; i < 4; i++) Z[i] = approx(Y[i], rsqrt);
    storeXmm(cpu, ins.o0.reg, Z);
  };
}
function approxS(rsqrt: boolean): Handler {
  return (cpu, ins) => {
    sseCheck(cpu);
    loadSrc(cpu, ins, ins.o1, Y, true);
    loadXmm(cpu, ins.o0.reg, X);
    X[0] = approx(Y[0], rsqrt);
    storeXmm(cpu, ins.o0.reg, X);
  };
}

// ---- horizontal and alternating (SSE3) --------------------------------------------------------------------------

function hps(op: FOp): Handler {
  return (cpu, ins) => {
    operands(cpu, ins);
    arith32(op, X[0], X[1]);
    Z[0] = R32[0];
    arith32(op, X[2], X[3]);
    Z[1] = R32[0];
    arith32(op, Y[0], Y[1]);
    Z[2] = R32[0];
    arith32(op, Y[2], Y[3]);
    Z[3] = R32[0];
    commitFp(cpu);
    storeXmm(cpu, ins.o0.reg, Z);
  };
}

function hpd(op: FOp): Handler {
  return (cpu, ins) => {
    operands(cpu, ins);
    arith64(op, X[0], X[1], X[2], X[3]);
    Z[0] = R64[0];
    Z[1] = R64[1];
    arith64(op, Y[0], Y[1], Y[2], Y[3]);
    Z[2] = R64[0];
    Z[3] = R64[1];
    commitFp(cpu);
    storeXmm(cpu, ins.o0.reg, Z);
  };
}

const addsubps: Handler = (cpu, ins) => {
  operands(cpu, ins);
  for (let i = 0; i < 4; i++) {
    arith32((i & 1) === 0 ? FOp.Sub : FOp.Add, X[i], Y[i]);
    Z[i] = R32[0];
  }
  commitFp(cpu);
  storeXmm(cpu, ins.o0.reg, Z);
};

const addsubpd: Handler = (cpu, ins) => {
  operands(cpu, ins);
  arith64(FOp.Sub, X[0], X[1], Y[0], Y[1]);
  Z[0] = R64[0];
  Z[1] = R64[1];
  arith64(FOp.Add, X[2], X[3], Y[2], Y[3]);
  Z[2] = R64[0];
  Z[3] = R64[1];
  commitFp(cpu);
  storeXmm(cpu, ins.o0.reg, Z);
};

// ---- dot products (SSE4.1) --------------------------------------------------------------------------------------

const T = new Int32Array(4);

/** DPPS/DPPD: multiply stage, then pairwise sums, each stage rounded (SDM DPPS operation). */
const dpps: Handler = (cpu, ins) => {
  operands(cpu, ins);
  const imm = immOf(ins);
  for (let i = 0; i < 4; i++) {
    if ((imm & (0x10 << i)) !== 0) {
      arith32(FOp.Mul, X[i], Y[i]);
      T[i] = R32[0];
    } else T[i] = 0;
  }
  let carried = endStage(cpu, 0);
  arith32(FOp.Add, T[0], T[1]);
  const t2 = R32[0];
  arith32(FOp.Add, T[2], T[3]);
  const t3 = R32[0];
  carried = endStage(cpu, carried);
  arith32(FOp.Add, t2, t3);
  const sum = R32[0];
  commitFp(cpu, carried);
  for (let i = 0; i < 4; i++) Z[i] = (imm & (1 << i)) !== 0 ? sum : 0;
  storeXmm(cpu, ins.o0.reg, Z);
};

const dppd: Handler = (cpu, ins) => {
  operands(cpu, ins);
  const imm = immOf(ins);
  if ((imm & 0x10) !== 0) {
    arith64(FOp.Mul, X[0], X[1], Y[0], Y[1]);
    T[0] = R64[0];
    T[1] = R64[1];
  } else T[0] = T[1] = 0;
  if ((imm & 0x20) !== 0) {
    arith64(FOp.Mul, X[2], X[3], Y[2], Y[3]);
    T[2] = R64[0];
    T[3] = R64[1];
  } else T[2] = T[3] = 0;
  const carried = endStage(cpu, 0);
  arith64(FOp.Add, T[0], T[1], T[2], T[3]);
  commitFp(cpu, carried);
  const lo = R64[0];
  const hi = R64[1];
  Z[0] = imm & 1 ? lo : 0;
  Z[1] = imm & 1 ? hi : 0;
  Z[2] = imm & 2 ? lo : 0;
  Z[3] = imm & 2 ? hi : 0;
  storeXmm(cpu, ins.o0.reg, Z);
};

// ---- ROUNDPS/PD/SS/SD (SSE4.1) ---------------------------------------------------------------------------------

const TWO52 = 4503599627370496;

/** Round x (finite, non-NaN) to an integral value in mode rc, keeping the sign of zero. */
export function roundIntegral(x: number, rc: Rc): number {
  switch (rc) {
    case Rc.Nearest: {
      const a = Math.abs(x);
      if (a >= TWO52) return x;
      const r = a + TWO52 - TWO52;
      return x < 0 || Object.is(x, -0) ? -r : r;
    }
    case Rc.Down:
      return Math.floor(x);
    case Rc.Up:
      return Math.ceil(x);
    default:
      return Math.trunc(x);
  }
}

function roundMode(imm: number): Rc {
  return (imm & 4) !== 0 ? fenv.rc : ((imm & 3) as Rc);
}

function round32lane(x: number, imm: number): number {
  if (isNaN32(x)) {
    if ((x & 0x400000) === 0) fenv.flags |= Xf.IE;
    return x | 0x400000;
  }
  // ROUNDxx reports no denormal-operand exception (DAZ still applies).
  if (isDenormal32(x) && fenv.daz) return x & 0x80000000;
  const v = bitsToF32(x);
  const r = roundIntegral(v, roundMode(imm));
  if (r !== v && (imm & 8) === 0) fenv.flags |= Xf.PE;
  return f32Bits(r);
}

function round64lane(lo: number, hi: number, imm: number): void {
  if (isNaN64(lo, hi)) {
    if ((hi & 0x80000) === 0) fenv.flags |= Xf.IE;
    R64[0] = lo;
    R64[1] = hi | 0x80000;
    return;
  }
  if (isDenormal64(lo, hi) && fenv.daz) {
    R64[0] = 0;
    R64[1] = hi & 0x80000000;
    return;
  }
  const v = bitsToF64(lo, hi);
  const r = roundIntegral(v, roundMode(imm));
  if (r !== v && (imm & 8) === 0) fenv.flags |= Xf.PE;
  putF64(r);
}

const roundps: Handler = (cpu, ins) => {
  operands(cpu, ins);
  const imm = immOf(ins);
  for (let i = 0; i < 4; i++) Z[i] = round32lane(Y[i], imm);
  commitFp(cpu);
  storeXmm(cpu, ins.o0.reg, Z);
};
const roundss: Handler = (cpu, ins) => {
  operands(cpu, ins);
  const r = round32lane(Y[0], immOf(ins));
  commitFp(cpu);
  X[0] = r;
  storeXmm(cpu, ins.o0.reg, X);
};
const roundpd: Handler = (cpu, ins) => {
  operands(cpu, ins);
  const imm = immOf(ins);
  round64lane(Y[0], Y[1], imm);
  Z[0] = R64[0];
  Z[1] = R64[1];
  round64lane(Y[2], Y[3], imm);
  Z[2] = R64[0];
  Z[3] = R64[1];
  commitFp(cpu);
  storeXmm(cpu, ins.o0.reg, Z);
};
const roundsd: Handler = (cpu, ins) => {
  operands(cpu, ins);
  round64lane(Y[0], Y[1], immOf(ins));
  commitFp(cpu);
  X[0] = R64[0];
  X[1] = R64[1];
  storeXmm(cpu, ins.o0.reg, X);
};

// ---- comparisons -------------------------------------------------------------------------------------------------

const cmpps: Handler = (cpu, ins) => {
  operands(cpu, ins);
  const p = immOf(ins) & 7;
  for (let i = 0; i < 4; i++) Z[i] = cmp32(p, X[i], Y[i]) ? -1 : 0;
  commitFp(cpu);
  storeXmm(cpu, ins.o0.reg, Z);
};
const cmpss: Handler = (cpu, ins) => {
  operands(cpu, ins);
  const r = cmp32(immOf(ins) & 7, X[0], Y[0]) ? -1 : 0;
  commitFp(cpu);
  X[0] = r;
  storeXmm(cpu, ins.o0.reg, X);
};
const cmppd: Handler = (cpu, ins) => {
  operands(cpu, ins);
  const p = immOf(ins) & 7;
  Z[0] = Z[1] = cmp64(p, X[0], X[1], Y[0], Y[1]) ? -1 : 0;
  Z[2] = Z[3] = cmp64(p, X[2], X[3], Y[2], Y[3]) ? -1 : 0;
  commitFp(cpu);
  storeXmm(cpu, ins.o0.reg, Z);
};
const cmpsd: Handler = (cpu, ins) => {
  operands(cpu, ins);
  const r = cmp64(immOf(ins) & 7, X[0], X[1], Y[0], Y[1]) ? -1 : 0;
  commitFp(cpu);
  X[0] = X[1] = r;
  storeXmm(cpu, ins.o0.reg, X);
};

/** (U)COMISS/(U)COMISD: ZF,PF,CF = 111 unordered, 000 greater, 001 less, 100 equal; OF, SF, AF cleared. */
function comis(cpu: Cpu, rel: number): void {
  commitFp(cpu);
  const s = cpu.i32;
  const f = getFlags(s) & ~ARITH_FLAGS;
  setFlags(s, f | rel);
}
const UNORD = Flag.ZF | Flag.PF | Flag.CF;

function comiss(signalQuiet: boolean): Handler {
  return (cpu, ins) => {
    operands(cpu, ins);
    const a = X[0];
    const b = Y[0];
    let rel: number;
    if (isNaN32(a) || isNaN32(b)) {
      if (signalQuiet || (isNaN32(a) && (a & 0x400000) === 0) || (isNaN32(b) && (b & 0x400000) === 0)) fenv.flags |= Xf.IE;
      rel = UNORD;
    } else {
      const x = cmpValue32(a);
      const y = cmpValue32(b);
      rel = x > y ? 0 : x < y ? Flag.CF : Flag.ZF;
    }
    comis(cpu, rel);
  };
}

function comisd(signalQuiet: boolean): Handler {
  return (cpu, ins) => {
    operands(cpu, ins);
    let rel: number;
    const an = isNaN64(X[0], X[1]);
    const bn = isNaN64(Y[0], Y[1]);
    if (an || bn) {
      if (signalQuiet || (an && (X[1] & 0x80000) === 0) || (bn && (Y[1] & 0x80000) === 0)) fenv.flags |= Xf.IE;
      rel = UNORD;
    } else {
      const x = cmpValue64(X[0], X[1]);
      const y = cmpValue64(Y[0], Y[1]);
      rel = x > y ? 0 : x < y ? Flag.CF : Flag.ZF;
    }
    comis(cpu, rel);
  };
}

function cmpValue32(x: number): number {
  if (isDenormal32(x)) {
    if (fenv.daz) return 0;
    fenv.flags |= Xf.DE;
  }
  return bitsToF32(x);
}
function cmpValue64(lo: number, hi: number): number {
  if (isDenormal64(lo, hi)) {
    if (fenv.daz) return 0;
    fenv.flags |= Xf.DE;
  }
  return bitsToF64(lo, hi);
}

// ---- bitwise logic on FP registers (no FP exceptions) -----------------------------------------------------------

function logic(k: 0 | 1 | 2 | 3): Handler {
  return (cpu, ins) => {
    sseCheck(cpu);
    loadSrc(cpu, ins, ins.o1, Y, true);
    loadXmm(cpu, ins.o0.reg, X);
    for (let i = 0; i < 4; i++) {
      const a = X[i];
      const b = Y[i];
      X[i] = k === 0 ? a & b : k === 1 ? ~a & b : k === 2 ? a | b : a ^ b;
    }
    storeXmm(cpu, ins.o0.reg, X);
  };
}

export const FP_ARITH_OPS: OpTable = [
  ['ADDPS', packed32(FOp.Add)], ['SUBPS', packed32(FOp.Sub)], ['MULPS', packed32(FOp.Mul)], ['DIVPS', packed32(FOp.Div)],
  ['ADDSS', scalar32(FOp.Add)], ['SUBSS', scalar32(FOp.Sub)], ['MULSS', scalar32(FOp.Mul)], ['DIVSS', scalar32(FOp.Div)],
  ['ADDPD', packed64(FOp.Add)], ['SUBPD', packed64(FOp.Sub)], ['MULPD', packed64(FOp.Mul)], ['DIVPD', packed64(FOp.Div)],
  ['ADDSD', scalar64(FOp.Add)], ['SUBSD', scalar64(FOp.Sub)], ['MULSD', scalar64(FOp.Mul)], ['DIVSD', scalar64(FOp.Div)],
  ['MINPS', minmaxP32(false)], ['MAXPS', minmaxP32(true)], ['MINSS', minmaxS32(false)], ['MAXSS', minmaxS32(true)],
  ['MINPD', minmaxP64(false)], ['MAXPD', minmaxP64(true)], ['MINSD', minmaxS64(false)], ['MAXSD', minmaxS64(true)],
  ['SQRTPS', sqrtps], ['SQRTSS', sqrtss], ['SQRTPD', sqrtpd], ['SQRTSD', sqrtsd],
  ['RCPPS', approxP(false)], ['RCPSS', approxS(false)], ['RSQRTPS', approxP(true)], ['RSQRTSS', approxS(true)],
  ['HADDPS', hps(FOp.Add)], ['HSUBPS', hps(FOp.Sub)], ['HADDPD', hpd(FOp.Add)], ['HSUBPD', hpd(FOp.Sub)],
  ['ADDSUBPS', addsubps], ['ADDSUBPD', addsubpd], ['DPPS', dpps], ['DPPD', dppd],
  ['ROUNDPS', roundps], ['ROUNDSS', roundss], ['ROUNDPD', roundpd], ['ROUNDSD', roundsd],
  ['CMPPS', cmpps], ['CMPSS', cmpss], ['CMPPD', cmppd], ['CMPSD_X', cmpsd],
  ['COMISS', comiss(true)], ['UCOMISS', comiss(false)], ['COMISD', comisd(true)], ['UCOMISD', comisd(false)],
  ['ANDPS', logic(0)], ['ANDNPS', logic(1)], ['ORPS', logic(2)], ['XORPS', logic(3)],
  ['ANDPD', logic(0)], ['ANDNPD', logic(1)], ['ORPD', logic(2)], ['XORPD', logic(3)],
];
