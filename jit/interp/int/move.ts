// Data movement (SDM Vol. 2 MOV (incl. moffs, imm64, from Sreg), MOVZX/MOVSX/MOVSXD, LEA, XCHG, XADD, CMPXCHG,
// CMPXCHG8B/16B, CBW/CWDE/CDQE, CWD/CDQ/CQO, CMOVcc, SETcc, XLAT).
import { S } from '../slots.js';
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr, Operand } from '../../decoder/instr.js';
import { OpKind, RegClass, REG_NONE, REG_RIP } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { Flag, SEG_SEL } from '../../../machine/cpu/state.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import { loadSegment } from '../../../machine/cpu/segments.js';
import { putFlags, testCond } from '../flags.js';
import { linearAddress } from '../operands.js';
import { IntOp, addrOf, rmwCheck, readSrc, rdSize, wrSize, writeReg, numLo, numHi, TWO32, addrReg, readDest, dest } from './common.js';
import { alu4, aluSmall, alu8, K } from './alu.js';
import { markMov, markLea, markCmov } from '../fast-ops.js';

const AX = S.RAX << 1, CX = S.RCX << 1, DX = S.RDX << 1, BX = S.RBX << 1;

// ---- MOV ---------------------------------------------------------------------------------------------------------

const movRR4: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  s[d] = s[ins.o1.reg << 1];
  s[d | 1] = 0;
};
const movRR8: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const d = ins.o0.reg << 1, b = ins.o1.reg << 1;
  s[d] = s[b];
  s[d | 1] = s[b | 1];
};
const movRI4: Handler = (cpu, ins) => {
  const d = ins.o0.reg << 1;
  cpu.i32[d] = ins.o1.imm;
  cpu.i32[d | 1] = 0;
};
const movRI8: Handler = (cpu, ins) => {
  const d = ins.o0.reg << 1;
  cpu.i32[d] = ins.o1.imm;
  cpu.i32[d | 1] = ins.o1.immHi;
};
const movRM4: Handler = (cpu, ins) => {
  const v = cpu.rd32(addrOf(cpu, ins, ins.o1, false));
  const d = ins.o0.reg << 1;
  cpu.i32[d] = v;
  cpu.i32[d | 1] = 0;
};
const movRM8: Handler = (cpu, ins) => {
  const v = cpu.rd64(addrOf(cpu, ins, ins.o1, false));
  const d = ins.o0.reg << 1;
  cpu.i32[d] = v;
  cpu.i32[d | 1] = cpu.hi;
};
const movMR4: Handler = (cpu, ins) => {
  cpu.wr32(addrOf(cpu, ins, ins.o0, true), cpu.i32[ins.o1.reg << 1]);
};
const movMR8: Handler = (cpu, ins) => {
  const b = ins.o1.reg << 1;
  cpu.wr64(addrOf(cpu, ins, ins.o0, true), cpu.i32[b], cpu.i32[b | 1]);
};
const movMI4: Handler = (cpu, ins) => {
  cpu.wr32(addrOf(cpu, ins, ins.o0, true), ins.o1.imm);
};
const movMI8: Handler = (cpu, ins) => {
  cpu.wr64(addrOf(cpu, ins, ins.o0, true), ins.o1.imm, ins.o1.immHi);
};

const movGeneric: Handler = (cpu, ins) => {
  const d = ins.o0, src = ins.o1;
  if (src.kind === OpKind.Reg && src.rc === RegClass.Seg) {
    // MOV r/m, Sreg: the selector, zero-extended into 32/64-bit registers, a 16-bit store to memory.
    const sel = cpu.i32[SEG_SEL(src.reg)] & 0xffff;
    if (d.kind === OpKind.Mem) cpu.wr16(addrOf(cpu, ins, d, true), sel);
    else writeReg(cpu, d, d.size, sel, 0);
    return;
  }
  if (d.kind === OpKind.Reg && d.rc === RegClass.Seg) {
    const sel = readSrc(cpu, ins, src, 2) & 0xffff;
    loadSegment(cpu, d.reg, sel);
    if (d.reg === 2) cpu.i32[S.INT_SHADOW] = 1; // MOV SS inhibits interrupts for one instruction
    return;
  }
  if ((d.kind === OpKind.Reg && d.rc > RegClass.Seg) || (src.kind === OpKind.Reg && src.rc > RegClass.Seg)) {
    // MOV CRn/DRn: a system instruction, bound per decoder form by jit/interp/sys (defineForm).
    throw new CpuFault(Vec.UD, -1, 'MOV to/from control or debug register without a system handler');
  }
  const size = d.size;
  const v = readSrc(cpu, ins, src, size);
  if (d.kind === OpKind.Mem) wrSize(cpu, addrOf(cpu, ins, d, true), size, v, cpu.hi);
  else writeReg(cpu, d, size, v, cpu.hi);
};

markMov(movRR4, movRR8, movRI4, movRI8, movRM4, movRM8, movMR4, movMR8, movMI4);

function prepareMov(ins: Instr): Handler {
  const d = ins.o0, src = ins.o1;
  const size = d.size;
  if (size !== 4 && size !== 8) return movGeneric;
  const gprS = src.kind === OpKind.Reg && src.rc === RegClass.Gpr;
  if (d.kind === OpKind.Reg && d.rc === RegClass.Gpr) {
    if (gprS) return size === 4 ? movRR4 : movRR8;
    if (src.kind === OpKind.Imm) return size === 4 ? movRI4 : movRI8;
    if (src.kind === OpKind.Mem) return size === 4 ? movRM4 : movRM8;
  } else if (d.kind === OpKind.Mem) {
    if (gprS) return size === 4 ? movMR4 : movMR8;
    if (src.kind === OpKind.Imm) return size === 4 ? movMI4 : movMI8;
  }
  return movGeneric;
}

/** MOVZX / MOVSX / MOVSXD: source of o1.size extended to o0.size. */
function makeExtend(signed: boolean): Handler {
  return (cpu, ins) => {
    const d = ins.o0, src = ins.o1;
    const ss = src.size;
    let v = readSrc(cpu, ins, src, ss);
    let hi = 0;
    if (signed) {
      if (ss === 1) v = (v << 24) >> 24;
      else if (ss === 2) v = (v << 16) >> 16;
      hi = v >> 31;
    }
    if (d.size === 2) v &= 0xffff;
    writeReg(cpu, d, d.size, v, hi);
  };
}

const movzxR4M1: Handler = (cpu, ins) => {
  const v = cpu.rd8(addrOf(cpu, ins, ins.o1, false));
  const d = ins.o0.reg << 1;
  cpu.i32[d] = v;
  cpu.i32[d | 1] = 0;
};

// ---- LEA -----------------------------------------------------------------------------------------------------------

/** Exact effective-address arithmetic: returns lo, hi in cpu.hi (64-bit sum of base + index*scale + disp). */
function eaPair(cpu: Cpu, ins: Instr, o: Operand): number {
  const s = cpu.i32;
  if (o.base === REG_RIP) {
    const t = cpu.f64[S.RIP_F] + o.disp;
    cpu.hi = numHi(t);
    return numLo(t);
  }
  let lo = o.disp >>> 0;
  let hi = o.dispHi !== 0 ? o.dispHi : o.disp < 0 ? -1 : 0;
  if (o.base !== REG_NONE) {
    lo += s[o.base << 1] >>> 0;
    hi += s[(o.base << 1) | 1];
  }
  if (o.index !== REG_NONE) {
    lo += (s[o.index << 1] >>> 0) * o.scale;
    hi += Math.imul(s[(o.index << 1) | 1], o.scale);
  }
  const c = Math.floor(lo / TWO32);
  cpu.hi = (hi + c) | 0;
  return lo | 0;
}

const lea: Handler = (cpu, ins) => {
  const d = ins.o0;
  const m = ins.o1;
  let lo = eaPair(cpu, ins, m);
  let hi = cpu.hi;
  if (ins.asize === 4) hi = 0;
  else if (ins.asize === 2) {
    lo &= 0xffff;
    hi = 0;
  }
  writeReg(cpu, d, d.size, d.size === 2 ? lo & 0xffff : lo, hi);
};

// 64-bit register LEA with base and/or index (no RIP, no 67h): the common address-arithmetic case.
const lea8: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const o = ins.o1;
  let lo = o.disp >>> 0;
  let hi = o.disp < 0 ? -1 : 0;
  if (o.base !== REG_NONE) {
    lo += s[o.base << 1] >>> 0;
    hi += s[(o.base << 1) | 1];
  }
  if (o.index !== REG_NONE) {
    lo += (s[o.index << 1] >>> 0) * o.scale;
    hi += Math.imul(s[(o.index << 1) | 1], o.scale);
  }
  const d = ins.o0.reg << 1;
  s[d] = lo | 0;
  s[d | 1] = (hi + Math.floor(lo / TWO32)) | 0;
};

const lea4: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const o = ins.o1;
  let v = o.disp;
  if (o.base !== REG_NONE) v += s[o.base << 1];
  if (o.index !== REG_NONE) v += Math.imul(s[o.index << 1], o.scale);
  const d = ins.o0.reg << 1;
  s[d] = v | 0;
  s[d | 1] = 0;
};

markLea(lea4, lea8);

function prepareLea(ins: Instr): Handler {
  const m = ins.o1;
  if (m.base === REG_RIP || m.dispHi !== 0) return lea;
  if (ins.o0.size === 8 && ins.asize === 8) return lea8;
  if (ins.o0.size === 4 && ins.asize !== 2) return lea4;
  return lea;
}

// ---- XCHG XADD CMPXCHG ---------------------------------------------------------------------------------------------

const xchg: Handler = (cpu, ins) => {
  let a = ins.o0, b = ins.o1;
  if (a.kind !== OpKind.Mem && b.kind === OpKind.Mem) {
    const t = a;
    a = b;
    b = t;
  }
  const size = a.size;
  const vb = readSrc(cpu, ins, b, size);
  const vbHi = cpu.hi;
  if (a.kind === OpKind.Mem) {
    const lin = addrOf(cpu, ins, a, true);
    rmwCheck(cpu, lin, size);
    const va = rdSize(cpu, lin, size);
    const vaHi = cpu.hi;
    wrSize(cpu, lin, size, vb, vbHi);
    writeReg(cpu, b, size, va, vaHi);
    return;
  }
  const va = readSrc(cpu, ins, a, size);
  const vaHi = cpu.hi;
  writeReg(cpu, a, size, vb, vbHi);
  writeReg(cpu, b, size, va, vaHi);
};

const xadd: Handler = (cpu, ins) => {
  const d = ins.o0, src = ins.o1;
  const size = d.size;
  const s = cpu.i32;
  const b = readSrc(cpu, ins, src, size);
  const bHi = cpu.hi;
  const a = readDest(cpu, ins, d, size);
  const lin = dest.lin;
  const aHi = cpu.hi;
  let r: number, rHi = 0;
  if (size === 8) {
    r = alu8(cpu, K.ADD, a, aHi, b, bHi);
    rHi = cpu.hi;
  } else r = size === 4 ? alu4(s, K.ADD, a, b) : aluSmall(s, K.ADD, size, a, b);
  if (d.kind === OpKind.Mem) {
    wrSize(cpu, lin, size, r, rHi);
    writeReg(cpu, src, size, a, aHi);
  } else {
    writeReg(cpu, src, size, a, aHi);
    writeReg(cpu, d, size, r, rHi);
  }
};

const cmpxchg: Handler = (cpu, ins) => {
  const d = ins.o0, src = ins.o1;
  const size = d.size;
  const s = cpu.i32;
  const nv = readSrc(cpu, ins, src, size);
  const nvHi = cpu.hi;
  const cur = readDest(cpu, ins, d, size);
  const lin = dest.lin;
  const curHi = cpu.hi;
  const accLo = size === 1 ? s[AX] & 0xff : size === 2 ? s[AX] & 0xffff : s[AX];
  const accHi = s[AX | 1];
  let eq: boolean;
  // Flags as CMP accumulator, destination.
  if (size === 8) {
    alu8(cpu, K.CMP, accLo, accHi, cur, curHi);
    eq = accLo === cur && accHi === curHi;
  } else {
    if (size === 4) alu4(s, K.CMP, accLo, cur);
    else aluSmall(s, K.CMP, size, accLo, cur);
    eq = accLo === cur;
  }
  if (eq) {
    if (d.kind === OpKind.Mem) wrSize(cpu, lin, size, nv, nvHi);
    else writeReg(cpu, d, size, nv, nvHi);
  } else {
    if (d.kind === OpKind.Mem) wrSize(cpu, lin, size, cur, curHi); // the locked cycle always writes
    if (size === 1) s[AX] = (s[AX] & ~0xff) | cur;
    else if (size === 2) s[AX] = (s[AX] & ~0xffff) | cur;
    else {
      s[AX] = cur;
      s[AX | 1] = size === 8 ? curHi : 0;
    }
  }
};

/** CMPXCHG8B m64 / CMPXCHG16B m128 (the latter needs 16-byte alignment). Only ZF changes. */
const cmpxchgNb: Handler = (cpu, ins) => {
  const o = ins.o0;
  const wide = ins.osize === 8 || o.size === 16;
  const s = cpu.i32;
  const lin = addrOf(cpu, ins, o, true);
  if (wide) {
    if (lin % 16 !== 0) cpu.fault(Vec.GP, 0);
    rmwCheck(cpu, lin, 16);
    const m0 = cpu.rd64(lin), m1 = cpu.hi;
    const m2 = cpu.rd64(lin + 8), m3 = cpu.hi;
    if (m0 === s[AX] && m1 === s[AX | 1] && m2 === s[DX] && m3 === s[DX | 1]) {
      cpu.wr64(lin, s[BX], s[BX | 1]);
      cpu.wr64(lin + 8, s[CX], s[CX | 1]);
      putFlags(s, Flag.ZF, Flag.ZF);
    } else {
      cpu.wr64(lin, m0, m1);
      cpu.wr64(lin + 8, m2, m3);
      s[AX] = m0;
      s[AX | 1] = m1;
      s[DX] = m2;
      s[DX | 1] = m3;
      putFlags(s, Flag.ZF, 0);
    }
    return;
  }
  rmwCheck(cpu, lin, 8);
  const lo = cpu.rd64(lin), hi = cpu.hi;
  if (lo === s[AX] && hi === s[DX]) {
    cpu.wr64(lin, s[BX], s[CX]);
    putFlags(s, Flag.ZF, Flag.ZF);
  } else {
    cpu.wr64(lin, lo, hi);
    s[AX] = lo;
    s[AX | 1] = 0;
    s[DX] = hi;
    s[DX | 1] = 0;
    putFlags(s, Flag.ZF, 0);
  }
};

// ---- sign extension of the accumulator -------------------------------------------------------------------------

/** CBW / CWDE / CDQE by operand size. */
const cbw: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const sz = ins.osize;
  if (sz === 2) s[AX] = (s[AX] & ~0xffff) | (((s[AX] << 24) >> 24) & 0xffff);
  else if (sz === 4) {
    s[AX] = (s[AX] << 16) >> 16;
    s[AX | 1] = 0;
  } else s[AX | 1] = s[AX] >> 31;
};

/** CWD / CDQ / CQO by operand size. */
const cwd: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const sz = ins.osize;
  if (sz === 2) s[DX] = (s[DX] & ~0xffff) | (((s[AX] << 16) >> 31) & 0xffff);
  else if (sz === 4) {
    s[DX] = s[AX] >> 31;
    s[DX | 1] = 0;
  } else {
    s[DX] = s[AX | 1] >> 31;
    s[DX | 1] = s[DX];
  }
};

// ---- CMOVcc SETcc ----------------------------------------------------------------------------------------------

const cmov: Handler = (cpu, ins) => {
  const d = ins.o0;
  const size = d.size;
  const v = readSrc(cpu, ins, ins.o1, size); // a memory source is read (and may fault) even when false
  const hi = cpu.hi;
  if (testCond(cpu.i32, ins.cond)) writeReg(cpu, d, size, v, hi);
  else if (size === 4) cpu.i32[(d.reg << 1) | 1] = 0;
};

// Register-to-register CMOVcc (the common form): no operand decoding at run time.
const cmovRR: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const d = ins.o0.reg << 1;
  if (testCond(s, ins.cond)) {
    const b = ins.o1.reg << 1;
    s[d] = s[b];
    s[d | 1] = ins.o0.size === 8 ? s[b | 1] : 0;
  } else if (ins.o0.size === 4) s[d | 1] = 0;
};

markCmov(cmovRR);

const setcc: Handler = (cpu, ins) => {
  const d = ins.o0;
  const v = testCond(cpu.i32, ins.cond) ? 1 : 0;
  if (d.kind === OpKind.Mem) cpu.wr8(addrOf(cpu, ins, d, true), v);
  else writeReg(cpu, d, 1, v, 0);
};

// ---- XLAT ----------------------------------------------------------------------------------------------------------

const xlat: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const as = ins.asize;
  let off = addrReg(s, S.RBX, as) + (s[AX] & 0xff);
  if (as === 4) off = off >>> 0 === off ? off : off - TWO32;
  else if (as === 2) off &= 0xffff;
  const v = cpu.rd8(linearAddress(cpu, ins.seg, off, 1, false));
  s[AX] = (s[AX] & ~0xff) | v;
};

const makeExtendZ = makeExtend(false);

export const ops: IntOp[] = [
  { names: ['MOV'], h: movGeneric, prepare: prepareMov },
  {
    names: ['MOVZX'],
    h: makeExtendZ,
    prepare: (ins) => (ins.o0.size === 4 && ins.o0.kind === OpKind.Reg && ins.o1.kind === OpKind.Mem && ins.o1.size === 1 ? movzxR4M1 : makeExtendZ),
  },
  { names: ['MOVSX', 'MOVSXD'], h: makeExtend(true) },
  { names: ['LEA'], h: lea, prepare: prepareLea },
  { names: ['XCHG'], h: xchg },
  { names: ['XADD'], h: xadd },
  { names: ['CMPXCHG'], h: cmpxchg },
  { names: ['CMPXCHG8B', 'CMPXCHG16B'], h: cmpxchgNb },
  { names: ['CBW', 'CWDE', 'CDQE'], h: cbw },
  { names: ['CWD', 'CDQ', 'CQO'], h: cwd },
  {
    names: ['CMOVO', 'CMOVNO', 'CMOVB', 'CMOVAE', 'CMOVE', 'CMOVNE', 'CMOVBE', 'CMOVA', 'CMOVS', 'CMOVNS', 'CMOVP', 'CMOVNP', 'CMOVL', 'CMOVGE', 'CMOVLE', 'CMOVG', 'CMOVCC'],
    h: cmov,
    prepare: (ins) =>
      ins.o1.kind === OpKind.Reg && ins.o1.rc === RegClass.Gpr && (ins.o0.size === 4 || ins.o0.size === 8) ? cmovRR : cmov,
  },
  {
    names: ['SETO', 'SETNO', 'SETB', 'SETAE', 'SETE', 'SETNE', 'SETBE', 'SETA', 'SETS', 'SETNS', 'SETP', 'SETNP', 'SETL', 'SETGE', 'SETLE', 'SETG', 'SETCC'],
    h: setcc,
  },
  { names: ['XLAT', 'XLATB'], h: xlat },
];

