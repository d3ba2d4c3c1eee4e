// x87 loads and stores (SDM Vol. 2: FLD, FST, FSTP, FILD, FIST, FISTP, FISTTP, FBLD, FBSTP, FLD1, FLDZ, FLDPI,
// FLDL2E, FLDL2T, FLDLG2, FLDLN2): conversions round per CW.RC (precision control does not apply to stores);
// stack faults and invalid conversions follow the masked/unmasked responses of §8.5.1.
import type { Handler } from '../../cache/code-cache.js';
import { OpKind } from '../../decoder/instr.js';
import { FPU_CW } from '../../../machine/cpu/state.js';
import { Rc } from '../sse/env.js';
import { operandAddress } from '../operands.js';
import { F80, Fx, toIeee, OUT64, res, toIntegral, fromInt, isSNaN } from './f80.js';
import { enter, finish, isEmpty, getST, setST, pop, underflow, unmasked, xst, push } from './fpu.js';
import { readFloat, readInt, write80, writeInt } from './mem.js';
import type { OpTable } from '../sse/fp-arith.js';

const V = new F80();

const fld: Handler = (cpu, ins) => {
  enter(cpu, ins);
  const s = cpu.i32;
  const o = ins.o0;
  xst.c1 = 0;
  if (o.kind === OpKind.Mem) {
    xst.flags |= readFloat(cpu, ins, o, V);
    if (o.size !== 10 && isSNaN(V)) {
      xst.flags |= Fx.IE;
      V.hi |= 0x40000000;
    }
  } else if (isEmpty(s, o.reg)) underflow(V);
  else getST(s, o.reg, V);
  // An unmasked SNaN load is suppressed; an unmasked denormal operand still loads (observed on hardware).
  if (unmasked(s, xst.flags & Fx.IE)) return finish(cpu);
  push(cpu, V);
  finish(cpu);
};

function fst(popAfter: boolean): Handler {
  return (cpu, ins) => {
    enter(cpu, ins);
    const s = cpu.i32;
    const o = ins.o0;
    const empty = isEmpty(s, 0);
    if (empty) underflow(V);
    else getST(s, 0, V);
    if (o.kind === OpKind.Reg) {
      xst.c1 = 0;
      if (empty && unmasked(s, Fx.IE)) return finish(cpu);
      setST(s, o.reg, V);
      if (popAfter) pop(s);
      return finish(cpu);
    }
    const lin = operandAddress(cpu, ins, o, true);
    if (o.size === 10) {
      xst.c1 = 0;
      if (empty && unmasked(s, Fx.IE)) return finish(cpu);
      write80(cpu, lin, V);
    } else {
      xst.flags |= toIeee(V, o.size === 8, s[FPU_CW]);
      xst.c1 = res.up ? 1 : 0;
      if (unmasked(s, xst.flags & (Fx.IE | Fx.OE | Fx.UE))) {
        // Nothing is stored: no inexact result is reported either (observed: PE and C1 clear).
        if ((xst.flags & Fx.IE) === 0 || !unmasked(s, Fx.IE)) xst.flags &= ~Fx.PE;
        xst.c1 = 0;
        return finish(cpu);
      }
      if (o.size === 8) cpu.wr64(lin, OUT64[0], OUT64[1]);
      else cpu.wr32(lin, OUT64[0]);
    }
    if (popAfter) pop(s);
    finish(cpu);
  };
}

const fild: Handler = (cpu, ins) => {
  enter(cpu, ins);
  readInt(cpu, ins, ins.o0, V);
  xst.c1 = 0;
  push(cpu, V);
  finish(cpu);
};

const INT_MIN: Record<number, bigint> = { 2: -32768n, 4: -2147483648n, 8: -9223372036854775808n };

/** FIST/FISTP/FISTTP: round (or truncate) to an integer; NaN, infinity or out-of-range give the indefinite. */
function fist(popAfter: boolean, trunc: boolean): Handler {
  return (cpu, ins) => {
    enter(cpu, ins);
    const s = cpu.i32;
    const o = ins.o0;
    const lin = operandAddress(cpu, ins, o, true);
    const min = INT_MIN[o.size];
    let v: bigint;
    if (isEmpty(s, 0)) {
      underflow();
      v = min;
    } else {
      getST(s, 0, V);
      const r = toIntegral(V, trunc ? Rc.Zero : (((s[FPU_CW] >>> 10) & 3) as Rc));
      if (r === null || r < min || r > -min - 1n) {
        xst.flags |= Fx.IE;
        xst.c1 = 0;
        v = min;
      } else {
        v = r;
        xst.flags |= res.flags;
        xst.c1 = res.up ? 1 : 0;
      }
    }
    if (unmasked(s, xst.flags & Fx.IE)) return finish(cpu);
    writeInt(cpu, lin, o.size, v);
    if (popAfter) pop(s);
    finish(cpu);
  };
}

// ---- packed BCD -------------------------------------------------------------------------------------------------

const fbld: Handler = (cpu, ins) => {
  enter(cpu, ins);
  const lin = operandAddress(cpu, ins, ins.o0, false);
  let v = 0n;
  for (let i = 8; i >= 0; i--) {
    const b = cpu.rd8(lin + i);
    v = v * 100n + BigInt((b >> 4) * 10 + (b & 15));
  }
  const neg = (cpu.rd8(lin + 9) & 0x80) !== 0;
  fromInt(neg ? -v : v, V);
  if (neg && v === 0n) V.se = 0x8000;
  xst.c1 = 0;
  push(cpu, V);
  finish(cpu);
};

const fbstp: Handler = (cpu, ins) => {
  enter(cpu, ins);
  const s = cpu.i32;
  const lin = operandAddress(cpu, ins, ins.o0, true);
  let v: bigint | null = null;
  let neg = false;
  if (isEmpty(s, 0)) underflow();
  else {
    getST(s, 0, V);
    neg = (V.se & 0x8000) !== 0;
    v = toIntegral(V, ((s[FPU_CW] >>> 10) & 3) as Rc);
    if (v !== null && (v >= 10n ** 18n || v <= -(10n ** 18n))) v = null;
    if (v === null) xst.flags |= Fx.IE;
    else {
      xst.flags |= res.flags;
      xst.c1 = res.up ? 1 : 0;
    }
  }
  if (unmasked(s, xst.flags & Fx.IE)) return finish(cpu);
  cpu.probeWrite(lin, 10);
  if (v === null) {
    // BCD indefinite.
    for (let i = 0; i < 7; i++) cpu.wr8(lin + i, 0);
    cpu.wr8(lin + 7, 0xc0);
    cpu.wr8(lin + 8, 0xff);
    cpu.wr8(lin + 9, 0xff);
  } else {
    let m = v < 0n ? -v : v;
    for (let i = 0; i < 9; i++) {
      const d = Number(m % 100n);
      m /= 100n;
      cpu.wr8(lin + i, ((((d / 10) | 0) << 4) | d % 10) & 0xff);
    }
    cpu.wr8(lin + 9, neg ? 0x80 : 0);
  }
  pop(s);
  finish(cpu);
};

// ---- constants: held with extra precision and rounded per CW.RC (no precision exception) --------------------------

function constant(hex96: string, biased: number): Handler {
  const c = BigInt('0x' + hex96);
  const hiPart = c >> 32n;
  const rest = c & 0xffffffffn;
  return (cpu, ins) => {
    enter(cpu, ins);
    const rc = ((cpu.i32[FPU_CW] >>> 10) & 3) as Rc;
    let q = hiPart;
    if ((rc === Rc.Nearest && rest > 0x80000000n) || (rc === Rc.Up && rest !== 0n)) q += 1n;
    if (biased === 0) V.set(0, 0, 0);
    else V.set(Number(q & 0xffffffffn), Number(q >> 32n), biased);
    xst.c1 = 0;
    push(cpu, V);
    finish(cpu);
  };
}

export const X87_LOADSTORE_OPS: OpTable = [
  ['FLD', fld], ['FST', fst(false)], ['FSTP', fst(true)], ['FSTPNCE', fst(true)],
  ['FILD', fild], ['FIST', fist(false, false)], ['FISTP', fist(true, false)], ['FISTTP', fist(true, true)],
  ['FBLD', fbld], ['FBSTP', fbstp],
  ['FLD1', constant('800000000000000000000000', 0x3fff)],
  ['FLDZ', constant('000000000000000000000000', 0)],
  ['FLDPI', constant('c90fdaa22168c234c4c6628b', 0x4000)],
  ['FLDL2E', constant('b8aa3b295c17f0bbbe87fed0', 0x3fff)],
  ['FLDL2T', constant('d49a784bcd1b8afe492bf6ff', 0x4000)],
  ['FLDLG2', constant('9a209a84fbcff7988f8959ac', 0x3ffd)],
  ['FLDLN2', constant('b17217f7d1cf79abc9e3b398', 0x3ffe)],
];
