// Integer arithmetic and logic (SDM Vol. 2: ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC NEG NOT): every size and
// form, lazy flags. 32- and 64-bit register/immediate/memory shapes get specialised handlers (prepare).
import { S } from '../slots.js';
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { OpKind, RegClass } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { Flag } from '../../../machine/cpu/state.js';
import { LazyOp, lazy32, lazy64, getCF, keepCF } from '../flags.js';
import { IntOp, addrOf, rmwCheck, readSrc, rdSize, wrSize, writeReg, TWO32, readDest, dest } from './common.js';
import { markAlu, markIncDec } from '../fast-ops.js';

/** ALU operation kinds in opcode order (00 ADD, 08 OR, 10 ADC, 18 SBB, 20 AND, 28 SUB, 30 XOR, 38 CMP), then TEST. */
export const enum K {
  ADD = 0,
  OR = 1,
  ADC = 2,
  SBB = 3,
  AND = 4,
  SUB = 5,
  XOR = 6,
  CMP = 7,
  TEST = 8,
}

// ---- kernels: compute, record lazy flags, return the result --------------------------------------------------

/** 32-bit operation on int32 operands. */
export function alu4(s: Int32Array, k: number, a: number, b: number): number {
  let r: number;
  switch (k) {
    case K.ADD:
      r = (a + b) | 0;
      lazy32(s, LazyOp.Add, 4, r, a, b);
      return r;
    case K.OR:
      r = a | b;
      lazy32(s, LazyOp.Logic, 4, r, a, b);
      return r;
    case K.ADC: {
      const c = getCF(s);
      r = (a + b + c) | 0;
      s[S.LZ_CIN] = c;
      lazy32(s, LazyOp.Adc, 4, r, a, b);
      return r;
    }
    case K.SBB: {
      const c = getCF(s);
      r = (a - b - c) | 0;
      s[S.LZ_CIN] = c;
      lazy32(s, LazyOp.Sbb, 4, r, a, b);
      return r;
    }
    case K.AND:
    case K.TEST:
      r = a & b;
      lazy32(s, LazyOp.Logic, 4, r, a, b);
      return r;
    case K.XOR:
      r = a ^ b;
      lazy32(s, LazyOp.Logic, 4, r, a, b);
      return r;
    default: // SUB, CMP
      r = (a - b) | 0;
      lazy32(s, LazyOp.Sub, 4, r, a, b);
      return r;
  }
}

/** 8/16-bit operation on zero-extended operands; returns the zero-extended result. */
export function aluSmall(s: Int32Array, k: number, size: number, a: number, b: number): number {
  const m = size === 1 ? 0xff : 0xffff;
  let r: number;
  switch (k) {
    case K.ADD:
      r = (a + b) & m;
      lazy32(s, LazyOp.Add, size, r, a, b);
      return r;
    case K.OR:
      r = a | b;
      lazy32(s, LazyOp.Logic, size, r, a, b);
      return r;
    case K.ADC: {
      const c = getCF(s);
      r = (a + b + c) & m;
      s[S.LZ_CIN] = c;
      lazy32(s, LazyOp.Adc, size, r, a, b);
      return r;
    }
    case K.SBB: {
      const c = getCF(s);
      r = (a - b - c) & m;
      s[S.LZ_CIN] = c;
      lazy32(s, LazyOp.Sbb, size, r, a, b);
      return r;
    }
    case K.AND:
    case K.TEST:
      r = a & b;
      lazy32(s, LazyOp.Logic, size, r, a, b);
      return r;
    case K.XOR:
      r = a ^ b;
      lazy32(s, LazyOp.Logic, size, r, a, b);
      return r;
    default:
      r = (a - b) & m;
      lazy32(s, LazyOp.Sub, size, r, a, b);
      return r;
  }
}

/** 64-bit operation on (lo, hi) pairs; returns lo, high half in cpu.hi. */
export function alu8(cpu: Cpu, k: number, aLo: number, aHi: number, bLo: number, bHi: number): number {
  const s = cpu.i32;
  let lo: number, hi: number, op: LazyOp;
  switch (k) {
    case K.ADD: {
      const t = (aLo >>> 0) + (bLo >>> 0);
      hi = (aHi + bHi + (t >= TWO32 ? 1 : 0)) | 0;
      lo = t | 0;
      op = LazyOp.Add;
      break;
    }
    case K.ADC: {
      const c = getCF(s);
      const t = (aLo >>> 0) + (bLo >>> 0) + c;
      hi = (aHi + bHi + (t >= TWO32 ? 1 : 0)) | 0;
      lo = t | 0;
      s[S.LZ_CIN] = c;
      op = LazyOp.Adc;
      break;
    }
    case K.SBB: {
      const c = getCF(s);
      const t = (aLo >>> 0) - (bLo >>> 0) - c;
      hi = (aHi - bHi - (t < 0 ? 1 : 0)) | 0;
      lo = t | 0;
      s[S.LZ_CIN] = c;
      op = LazyOp.Sbb;
      break;
    }
    case K.OR:
      lo = aLo | bLo;
      hi = aHi | bHi;
      op = LazyOp.Logic;
      break;
    case K.AND:
    case K.TEST:
      lo = aLo & bLo;
      hi = aHi & bHi;
      op = LazyOp.Logic;
      break;
    case K.XOR:
      lo = aLo ^ bLo;
      hi = aHi ^ bHi;
      op = LazyOp.Logic;
      break;
    default: {
      const t = (aLo >>> 0) - (bLo >>> 0);
      hi = (aHi - bHi - (t < 0 ? 1 : 0)) | 0;
      lo = t | 0;
      op = LazyOp.Sub;
    }
  }
  lazy64(s, op, lo, hi, aLo, aHi, bLo, bHi);
  cpu.hi = hi;
  return lo;
}

// ---- shapes ---------------------------------------------------------------------------------------------------

/** Whether kind k writes its destination (CMP and TEST do not). */
const writes = (k: number): boolean => k < K.CMP;

function makeShapes(k: number): { generic: Handler; prepare: (ins: Instr) => Handler } {
  const w = writes(k);
  const rr4: Handler = (cpu, ins) => {
    const s = cpu.i32;
    const d = ins.o0.reg << 1;
    const r = alu4(s, k, s[d], s[ins.o1.reg << 1]);
    if (w) {
      s[d] = r;
      s[d | 1] = 0;
    }
  };
  const ri4: Handler = (cpu, ins) => {
    const s = cpu.i32;
    const d = ins.o0.reg << 1;
    const r = alu4(s, k, s[d], ins.o1.imm);
    if (w) {
      s[d] = r;
      s[d | 1] = 0;
    }
  };
  const rm4: Handler = (cpu, ins) => {
    const s = cpu.i32;
    const b = cpu.rd32(addrOf(cpu, ins, ins.o1, false));
    const d = ins.o0.reg << 1;
    const r = alu4(s, k, s[d], b);
    if (w) {
      s[d] = r;
      s[d | 1] = 0;
    }
  };
  const mr4: Handler = w
    ? (cpu, ins) => {
        const lin = addrOf(cpu, ins, ins.o0, true);
        rmwCheck(cpu, lin, 4);
        cpu.wr32(lin, alu4(cpu.i32, k, cpu.rd32(lin), cpu.i32[ins.o1.reg << 1]));
      }
    : (cpu, ins) => {
        alu4(cpu.i32, k, cpu.rd32(addrOf(cpu, ins, ins.o0, false)), cpu.i32[ins.o1.reg << 1]);
      };
  const mi4: Handler = w
    ? (cpu, ins) => {
        const lin = addrOf(cpu, ins, ins.o0, true);
        rmwCheck(cpu, lin, 4);
        cpu.wr32(lin, alu4(cpu.i32, k, cpu.rd32(lin), ins.o1.imm));
      }
    : (cpu, ins) => {
        alu4(cpu.i32, k, cpu.rd32(addrOf(cpu, ins, ins.o0, false)), ins.o1.imm);
      };
  const rr8: Handler = (cpu, ins) => {
    const s = cpu.i32;
    const d = ins.o0.reg << 1;
    const b = ins.o1.reg << 1;
    const r = alu8(cpu, k, s[d], s[d | 1], s[b], s[b | 1]);
    if (w) {
      s[d] = r;
      s[d | 1] = cpu.hi;
    }
  };
  const ri8: Handler = (cpu, ins) => {
    const s = cpu.i32;
    const d = ins.o0.reg << 1;
    const r = alu8(cpu, k, s[d], s[d | 1], ins.o1.imm, ins.o1.immHi);
    if (w) {
      s[d] = r;
      s[d | 1] = cpu.hi;
    }
  };
  const rm8: Handler = (cpu, ins) => {
    const s = cpu.i32;
    const bLo = cpu.rd64(addrOf(cpu, ins, ins.o1, false));
    const d = ins.o0.reg << 1;
    const r = alu8(cpu, k, s[d], s[d | 1], bLo, cpu.hi);
    if (w) {
      s[d] = r;
      s[d | 1] = cpu.hi;
    }
  };
  const mr8: Handler = (cpu, ins) => {
    const s = cpu.i32;
    const lin = addrOf(cpu, ins, ins.o0, w);
    if (w) rmwCheck(cpu, lin, 8);
    const aLo = cpu.rd64(lin);
    const b = ins.o1.reg << 1;
    const r = alu8(cpu, k, aLo, cpu.hi, s[b], s[b | 1]);
    if (w) cpu.wr64(lin, r, cpu.hi);
  };
  const mi8: Handler = (cpu, ins) => {
    const lin = addrOf(cpu, ins, ins.o0, w);
    if (w) rmwCheck(cpu, lin, 8);
    const aLo = cpu.rd64(lin);
    const r = alu8(cpu, k, aLo, cpu.hi, ins.o1.imm, ins.o1.immHi);
    if (w) cpu.wr64(lin, r, cpu.hi);
  };
  // Every size and operand kind (8/16-bit forms, AH..BH, anything the shapes above do not cover).
  const generic: Handler = (cpu, ins) => {
    const o0 = ins.o0;
    const size = o0.size;
    const s = cpu.i32;
    if (o0.kind === OpKind.Mem) {
      const lin = addrOf(cpu, ins, o0, w);
      if (w) rmwCheck(cpu, lin, size);
      const a = rdSize(cpu, lin, size);
      const aHi = cpu.hi;
      const b = readSrc(cpu, ins, ins.o1, size);
      if (size === 8) {
        const r = alu8(cpu, k, a, aHi, b, cpu.hi);
        if (w) cpu.wr64(lin, r, cpu.hi);
      } else {
        const r = size === 4 ? alu4(s, k, a, b) : aluSmall(s, k, size, a, b);
        if (w) wrSize(cpu, lin, size, r, 0);
      }
      return;
    }
    const a = readSrc(cpu, ins, o0, size);
    const aHi = cpu.hi;
    const b = readSrc(cpu, ins, ins.o1, size);
    let r: number;
    if (size === 8) r = alu8(cpu, k, a, aHi, b, cpu.hi);
    else r = size === 4 ? alu4(s, k, a, b) : aluSmall(s, k, size, a, b);
    if (w) writeReg(cpu, o0, size, r, cpu.hi);
  };
  const prepare = (ins: Instr): Handler => {
    const o0 = ins.o0, o1 = ins.o1;
    const size = o0.size;
    if (size !== 4 && size !== 8) return generic;
    const gpr1 = o1.kind === OpKind.Reg && o1.rc === RegClass.Gpr;
    if (o0.kind === OpKind.Reg) {
      if (o1.kind === OpKind.Imm) return size === 4 ? ri4 : ri8;
      if (gpr1) return size === 4 ? rr4 : rr8;
      if (o1.kind === OpKind.Mem) return size === 4 ? rm4 : rm8;
    } else if (o0.kind === OpKind.Mem) {
      if (o1.kind === OpKind.Imm) return size === 4 ? mi4 : mi8;
      if (gpr1) return size === 4 ? mr4 : mr8;
    }
    return generic;
  };
  markAlu(k, 8, rr8, ri8);
  return { generic, prepare };
}


// Top-level 32-bit register/immediate forms of the common ALU ops: the hottest handlers of integer loops get
// their own code (no closure context, no kind switch), so the block loop can run them at full speed.
function addRR4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = s[ins.o1.reg << 1];
  const r = (a + b) | 0;
  lazy32(s, LazyOp.Add, 4, r, a, b);
  s[d] = r;
  s[d | 1] = 0;
}
function addRI4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = ins.o1.imm;
  const r = (a + b) | 0;
  lazy32(s, LazyOp.Add, 4, r, a, b);
  s[d] = r;
  s[d | 1] = 0;
}
function subRR4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = s[ins.o1.reg << 1];
  const r = (a - b) | 0;
  lazy32(s, LazyOp.Sub, 4, r, a, b);
  s[d] = r;
  s[d | 1] = 0;
}
function subRI4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = ins.o1.imm;
  const r = (a - b) | 0;
  lazy32(s, LazyOp.Sub, 4, r, a, b);
  s[d] = r;
  s[d | 1] = 0;
}
function cmpRR4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = s[ins.o1.reg << 1];
  const r = (a - b) | 0;
  lazy32(s, LazyOp.Sub, 4, r, a, b);
}
function cmpRI4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = ins.o1.imm;
  const r = (a - b) | 0;
  lazy32(s, LazyOp.Sub, 4, r, a, b);
}
function andRR4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = s[ins.o1.reg << 1];
  const r = a & b;
  lazy32(s, LazyOp.Logic, 4, r, a, b);
  s[d] = r;
  s[d | 1] = 0;
}
function andRI4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = ins.o1.imm;
  const r = a & b;
  lazy32(s, LazyOp.Logic, 4, r, a, b);
  s[d] = r;
  s[d | 1] = 0;
}
function orRR4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = s[ins.o1.reg << 1];
  const r = a | b;
  lazy32(s, LazyOp.Logic, 4, r, a, b);
  s[d] = r;
  s[d | 1] = 0;
}
function orRI4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = ins.o1.imm;
  const r = a | b;
  lazy32(s, LazyOp.Logic, 4, r, a, b);
  s[d] = r;
  s[d | 1] = 0;
}
function xorRR4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = s[ins.o1.reg << 1];
  const r = a ^ b;
  lazy32(s, LazyOp.Logic, 4, r, a, b);
  s[d] = r;
  s[d | 1] = 0;
}
function xorRI4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = ins.o1.imm;
  const r = a ^ b;
  lazy32(s, LazyOp.Logic, 4, r, a, b);
  s[d] = r;
  s[d | 1] = 0;
}
function testRR4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = s[ins.o1.reg << 1];
  const r = a & b;
  lazy32(s, LazyOp.Logic, 4, r, a, b);
}
function testRI4(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  const a = s[d];
  const b = ins.o1.imm;
  const r = a & b;
  lazy32(s, LazyOp.Logic, 4, r, a, b);
}

const FAST4: Readonly<Record<number, readonly [Handler, Handler]>> = {
  [K.ADD]: [addRR4, addRI4],
  [K.SUB]: [subRR4, subRI4],
  [K.CMP]: [cmpRR4, cmpRI4],
  [K.AND]: [andRR4, andRI4],
  [K.OR]: [orRR4, orRI4],
  [K.XOR]: [xorRR4, xorRI4],
  [K.TEST]: [testRR4, testRI4],
};

function aluOp(name: string, k: number): IntOp {
  const { generic, prepare } = makeShapes(k);
  const fast = FAST4[k];
  if (fast === undefined) return { names: [name], h: generic, prepare };
  const [rr, ri] = fast;
  markAlu(k, 4, rr, ri);
  const prep = (ins: Instr): Handler => {
    const o0 = ins.o0, o1 = ins.o1;
    if (o0.kind === OpKind.Reg && o0.rc === RegClass.Gpr && o0.size === 4) {
      if (o1.kind === OpKind.Imm) return ri;
      if (o1.kind === OpKind.Reg && o1.rc === RegClass.Gpr) return rr;
    }
    return prepare(ins);
  };
  return { names: [name], h: generic, prepare: prep };
}

// ---- INC DEC NEG NOT ------------------------------------------------------------------------------------------

const NO_CF = S.ARITH_FLAGS & ~Flag.CF;

/** INC (d = 1) or DEC (d = -1) of any operand. */
function makeIncDec(d: number): { generic: Handler; prepare: (ins: Instr) => Handler } {
  const op = d > 0 ? LazyOp.Inc : LazyOp.Dec;
  // The hottest shape (loop counters): the record written in place, CF pinned only when it is still lazy.
  const r4: Handler = (cpu, ins) => {
    const s = cpu.i32;
    const i = ins.o0.reg << 1;
    const a = s[i];
    const r = (a + d) | 0;
    if (s[S.FLAGS_LAZY] & Flag.CF) keepCF(s);
    s[S.LZ_OP] = op;
    s[S.LZ_SIZE] = 4;
    s[S.LZ_RES_LO] = r;
    s[S.LZ_A_LO] = a;
    s[S.FLAGS_LAZY] = NO_CF;
    s[i] = r;
    s[i | 1] = 0;
  };
  const r8: Handler = (cpu, ins) => {
    const s = cpu.i32;
    const i = ins.o0.reg << 1;
    const aLo = s[i], aHi = s[i | 1];
    const t = (aLo >>> 0) + d;
    const hi = (aHi + (t >= TWO32 ? 1 : t < 0 ? -1 : 0)) | 0;
    keepCF(s);
    lazy64(s, op, t | 0, hi, aLo, aHi, 1, 0, NO_CF);
    s[i] = t | 0;
    s[i | 1] = hi;
  };
  const generic: Handler = (cpu, ins) => {
    const o = ins.o0;
    const size = o.size;
    const s = cpu.i32;
    const a = readDest(cpu, ins, o, size);
    const lin = dest.lin;
    const aHi = cpu.hi;
    let r: number, hi = 0;
    if (size === 8) {
      const t = (a >>> 0) + d;
      hi = (aHi + (t >= TWO32 ? 1 : t < 0 ? -1 : 0)) | 0;
      r = t | 0;
    } else r = size === 4 ? (a + d) | 0 : (a + d) & (size === 1 ? 0xff : 0xffff);
    if (o.kind === OpKind.Mem) wrSize(cpu, lin, size, r, hi);
    keepCF(s);
    if (size === 8) lazy64(s, op, r, hi, a, aHi, 1, 0, NO_CF);
    else lazy32(s, op, size, r, a, 1, NO_CF);
    if (o.kind !== OpKind.Mem) writeReg(cpu, o, size, r, hi);
  };
  markIncDec(d > 0, 4, r4);
  markIncDec(d > 0, 8, r8);
  const prepare = (ins: Instr): Handler => {
    const o = ins.o0;
    if (o.kind === OpKind.Reg && o.rc === RegClass.Gpr) {
      if (o.size === 4) return r4;
      if (o.size === 8) return r8;
    }
    return generic;
  };
  return { generic, prepare };
}

/** NEG (flags as SUB 0, x) and NOT (no flags). */
function makeNegNot(neg: boolean): Handler {
  return (cpu, ins) => {
    const o = ins.o0;
    const size = o.size;
    const s = cpu.i32;
    const a = readDest(cpu, ins, o, size);
    const lin = dest.lin;
    const aHi = cpu.hi;
    let r: number, hi = 0;
    if (size === 8) {
      if (neg) {
        r = -a | 0;
        hi = (~aHi + (a === 0 ? 1 : 0)) | 0;
      } else {
        r = ~a;
        hi = ~aHi;
      }
    } else {
      const m = size === 1 ? 0xff : size === 2 ? 0xffff : -1;
      r = (neg ? -a : ~a) & m;
    }
    if (o.kind === OpKind.Mem) wrSize(cpu, lin, size, r, hi);
    else writeReg(cpu, o, size, r, hi);
    if (neg) {
      if (size === 8) lazy64(s, LazyOp.Sub, r, hi, 0, 0, a, aHi);
      else lazy32(s, LazyOp.Sub, size, r, 0, a);
    }
  };
}

const inc = makeIncDec(1);
const dec = makeIncDec(-1);

export const ops: IntOp[] = [
  aluOp('ADD', K.ADD),
  aluOp('OR', K.OR),
  aluOp('ADC', K.ADC),
  aluOp('SBB', K.SBB),
  aluOp('AND', K.AND),
  aluOp('SUB', K.SUB),
  aluOp('XOR', K.XOR),
  aluOp('CMP', K.CMP),
  aluOp('TEST', K.TEST),
  { names: ['INC'], h: inc.generic, prepare: inc.prepare },
  { names: ['DEC'], h: dec.generic, prepare: dec.prepare },
  { names: ['NEG'], h: makeNegNot(true) },
  { names: ['NOT'], h: makeNegNot(false) },
];
