// Stack instructions (SDM Vol. 2 PUSH, POP, PUSHF/POPF, ENTER, LEAVE, PUSHA/POPA; Vol. 1 §6.2): operand size from
// the instruction, stack-pointer width from the mode (64-bit) or SS.B. Pushes commit RSP only after the store.
import { S } from '../slots.js';
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { OpKind, RegClass } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { Flag, SEG_SEL, Pending } from '../../../machine/cpu/state.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import { getFlags, setFlags } from '../flags.js';
import { IntOp, addrOf, readSrc, writeReg, wrSize, push, pop, peek, spPlus, setSp, stackLin, SP_LO, SP_HI, pairToNum, numLo, numHi } from './common.js';
import { loadSegment } from '../../../machine/cpu/segments.js';

const BP = S.RBP << 1;

// ---- PUSH / POP --------------------------------------------------------------------------------------------------

const push64r: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const r = ins.o0.reg << 1;
  push(cpu, 8, s[r], s[r | 1]);
};

const pushGeneric: Handler = (cpu, ins) => {
  const o = ins.o0;
  const size = ins.osize;
  if (o.kind === OpKind.Reg && o.rc === RegClass.Seg) {
    push(cpu, size, cpu.i32[SEG_SEL(o.reg)] & 0xffff, 0);
    return;
  }
  // PUSH RSP pushes the value before the push; immediates arrive sign-extended to the operand size.
  const v = readSrc(cpu, ins, o, size);
  push(cpu, size, v, cpu.hi);
};

const pop64r: Handler = (cpu, ins) => {
  const v = pop(cpu, 8);
  const r = ins.o0.reg << 1;
  cpu.i32[r] = v;
  cpu.i32[r | 1] = cpu.hi;
};

const popGeneric: Handler = (cpu, ins) => {
  const o = ins.o0;
  const size = ins.osize;
  if (o.kind === OpKind.Reg && o.rc === RegClass.Seg) {
    const sel = peek(cpu, size) & 0xffff;
    loadSegment(cpu, o.reg, sel);
    setSp(cpu, spPlus(cpu, size));
    if (o.reg === 2) cpu.i32[S.INT_SHADOW] = 1; // POP SS inhibits interrupts for one instruction
    return;
  }
  const v = peek(cpu, size);
  const hi = cpu.hi;
  if (o.kind === OpKind.Mem) {
    // The destination address is computed with the incremented stack pointer; undo that if the store faults.
    const s = cpu.i32;
    const oldLo = s[SP_LO], oldHi = s[SP_HI];
    setSp(cpu, spPlus(cpu, size));
    try {
      wrSize(cpu, addrOf(cpu, ins, o, true), size, v, hi);
    } catch (e) {
      s[SP_LO] = oldLo;
      s[SP_HI] = oldHi;
      throw e;
    }
    return;
  }
  setSp(cpu, spPlus(cpu, size));
  writeReg(cpu, o, size, v, hi); // POP RSP: the popped value wins
};

// ---- PUSHF / POPF --------------------------------------------------------------------------------------------------

const pushf: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const size = ins.osize;
  if ((s[S.FLAGS] & Flag.VM) !== 0 && ((s[S.FLAGS] >>> 12) & 3) !== 3) cpu.fault(Vec.GP, 0);
  const f = getFlags(s) & ~(Flag.VM | Flag.RF); // the image never shows VM or RF
  push(cpu, size, size === 2 ? f & 0xffff : f, 0);
};

/** Bits POPF may change at CPL 0 (everything architecturally writable except VM, VIF, VIP; RF is cleared). */
const POPF_MASK = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.TF | Flag.IF | Flag.DF | Flag.OF |
  Flag.IOPL | Flag.NT | Flag.AC | Flag.ID;

const popf: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const size = ins.osize;
  const old = getFlags(s);
  const iopl = (old >>> 12) & 3;
  if ((old & Flag.VM) !== 0 && iopl !== 3) cpu.fault(Vec.GP, 0);
  const v = peek(cpu, size);
  let mask = POPF_MASK;
  const cpl = s[S.CPL];
  if ((old & Flag.VM) !== 0) mask &= ~Flag.IOPL; // virtual-8086 with IOPL 3: IOPL is not writable
  else if (cpl > 0) {
    mask &= ~Flag.IOPL;
    if (cpl > iopl) mask &= ~Flag.IF;
  }
  if (size === 2) mask &= 0xffff;
  setSp(cpu, spPlus(cpu, size));
  setFlags(s, ((old & ~mask) | (v & mask)) & ~Flag.RF);
  // Setting IF may make a pending interrupt deliverable, setting TF arms single-step: ask for a check at the
  // boundary (machine/cpu/interrupts.ts).
  if ((s[S.FLAGS] & ~old & (Flag.IF | Flag.TF)) !== 0) s[S.PENDING] |= Pending.Interrupt;
};

// ---- ENTER / LEAVE ---------------------------------------------------------------------------------------------

/** Width-aware read/write of rBP as the stack-address register. */
function getBp(cpu: Cpu): number {
  const s = cpu.i32;
  const ss = s[S.STACK_SIZE];
  return ss === 8 ? pairToNum(s[BP], s[BP | 1]) : ss === 4 ? s[BP] >>> 0 : s[BP] & 0xffff;
}

function setBp(cpu: Cpu, v: number): void {
  const s = cpu.i32;
  const ss = s[S.STACK_SIZE];
  if (ss === 8) {
    s[BP] = numLo(v);
    s[BP | 1] = numHi(v);
  } else if (ss === 4) {
    s[BP] = v | 0;
    if (s[S.CODE_BITS] === 64) s[BP | 1] = 0;
  } else s[BP] = (s[BP] & ~0xffff) | (v & 0xffff);
}

function wrapStack(cpu: Cpu, v: number): number {
  const ss = cpu.i32[S.STACK_SIZE];
  return ss === 8 ? v : ss === 4 ? ((v % 4294967296) + 4294967296) % 4294967296 : v & 0xffff;
}

const enter: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const size = ins.osize;
  const alloc = ins.o0.imm & 0xffff;
  const level = ins.o1.imm & 31;
  const sp0 = s[SP_LO], sp0h = s[SP_HI], bp0 = s[BP], bp0h = s[BP | 1];
  try {
    const bpv = s[BP], bph = s[BP | 1];
    push(cpu, size, size === 2 ? bpv & 0xffff : bpv, bph);
    const frame = spPlus(cpu, 0);
    if (level > 0) {
      let bp = getBp(cpu);
      for (let i = 1; i < level; i++) {
        bp = wrapStack(cpu, bp - size);
        const lin = stackLin(cpu, bp, size, false);
        const v = size === 8 ? cpu.rd64(lin) : size === 4 ? cpu.rd32(lin) : cpu.rd16(lin);
        push(cpu, size, v, size === 8 ? cpu.hi : 0);
      }
      push(cpu, size, numLo(frame), numHi(frame));
    }
    // The final allocation must itself be a valid stack address for the next access; SDM checks the new RSP.
    const newSp = wrapStack(cpu, spPlus(cpu, 0) - alloc);
    if (s[S.CODE_BITS] === 64) stackLin(cpu, newSp, 1, true);
    setBp(cpu, frame);
    setSp(cpu, newSp);
  } catch (e) {
    if (e instanceof CpuFault) {
      s[SP_LO] = sp0;
      s[SP_HI] = sp0h;
      s[BP] = bp0;
      s[BP | 1] = bp0h;
    }
    throw e;
  }
};

const leave: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const size = ins.osize;
  const bp = getBp(cpu);
  const lin = stackLin(cpu, bp, size, false);
  const v = size === 8 ? cpu.rd64(lin) : size === 4 ? cpu.rd32(lin) : cpu.rd16(lin);
  const hi = size === 8 ? cpu.hi : 0;
  setSp(cpu, wrapStack(cpu, bp + size));
  if (size === 8) {
    s[BP] = v;
    s[BP | 1] = hi;
  } else if (size === 4) {
    s[BP] = v;
    s[BP | 1] = 0;
  } else s[BP] = (s[BP] & ~0xffff) | (v & 0xffff);
};

// ---- PUSHA / POPA (16/32-bit modes) --------------------------------------------------------------------------

const pusha: Handler = (cpu, ins) => {
  const s = cpu.i32;
  const size = ins.osize;
  const sp0 = s[SP_LO], sp0h = s[SP_HI];
  try {
    for (let r = 0; r < 8; r++) {
      const v = r === 4 ? sp0 : s[r << 1];
      push(cpu, size, size === 2 ? v & 0xffff : v, 0);
    }
  } catch (e) {
    s[SP_LO] = sp0;
    s[SP_HI] = sp0h;
    throw e;
  }
};

const POPA_VALS = new Int32Array(8);
const popa: Handler = (cpu, ins) => {
  const size = ins.osize;
  for (let k = 0; k < 8; k++) {
    POPA_VALS[7 - k] = peek(cpu, size, k * size);
  }
  const s = cpu.i32;
  for (let r = 0; r < 8; r++) {
    if (r === 4) continue; // the saved SP is discarded
    if (size === 4) s[r << 1] = POPA_VALS[r];
    else s[r << 1] = (s[r << 1] & ~0xffff) | (POPA_VALS[r] & 0xffff);
  }
  setSp(cpu, spPlus(cpu, 8 * size));
};

export const ops: IntOp[] = [
  {
    names: ['PUSH'],
    h: pushGeneric,
    prepare: (ins: Instr) => (ins.osize === 8 && ins.o0.kind === OpKind.Reg && ins.o0.rc === RegClass.Gpr ? push64r : pushGeneric),
  },
  {
    names: ['POP'],
    h: popGeneric,
    prepare: (ins: Instr) => (ins.osize === 8 && ins.o0.kind === OpKind.Reg && ins.o0.rc === RegClass.Gpr ? pop64r : popGeneric),
  },
  { names: ['PUSHF', 'PUSHFD', 'PUSHFQ'], h: pushf },
  { names: ['POPF', 'POPFD', 'POPFQ'], h: popf, endsBlock: true },
  { names: ['ENTER'], h: enter },
  { names: ['LEAVE'], h: leave },
  { names: ['PUSHA', 'PUSHAD'], h: pusha },
  { names: ['POPA', 'POPAD'], h: popa },
];
