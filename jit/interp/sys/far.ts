// Far control transfers (SDM Vol. 2 JMP/CALL far, RET far, IRET/IRETD/IRETQ pseudocode; Vol. 3 §5.8 call gates and
// privilege changes, §6.14.3 64-bit IRET). Every check and every stack access happens before state changes.
// Not implemented: task switches (JMP/CALL to a TSS or task gate, IRET with NT = 1 outside long mode) and
// virtual-8086 mode (IRET to VM = 1) raise #GP with an explanatory detail.
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { OpKind } from '../../decoder/instr.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import {
  CPL, CR0, EFER, FLAGS, RIP_F, SEG_SEL, SEG_LIMIT, SEG_ATTR, SEG_BASE_F, STACK_SIZE, CODE_BITS, GPR_LO, RSP,
  PENDING, NMI_BLOCKED, NMI_PENDING, Cr0, Efer, Flag, Pending,
} from '../../../machine/cpu/state.js';
import {
  CS, SS, Attr, fetchDescriptor, dLo, dHi, dBaseHi, descDpl, descPresent, descType, descLimit, descBase, markAccessed, loadCs,
  setSegmentCache, setNullSegment, setRealSegment, updateModes, nullInvalidDataSegments,
} from '../../../machine/cpu/segments.js';
import { checkInnerStack, legacyTssStack, tss64Stack, tssSs } from '../../../machine/cpu/interrupts.js';
import { frame, pops, getRsp, setSp } from '../../../machine/cpu/stack.js';
import { Mn } from '../../decoder/tables.gen.js';
import { defineOp } from '../interpreter.js';
import { operandAddress } from '../operands.js';
import { getFlags, setFlags } from '../flags.js';
import { isCanonical, lo32, hi32, TWO32 } from './common.js';

const gp = (code: number, detail?: string): never => {
  throw new CpuFault(Vec.GP, code, detail);
};

const NO_TASKS = 'task switching (TSS / task gate targets) is not implemented';

// ---- far pointer operand -------------------------------------------------------------------------------------------

let fpOff = 0;
let fpSel = 0;

/** Read a ptr16:16/32 immediate or an m16:16/32/64 memory operand into fpOff / fpSel. */
function readFarPointer(cpu: Cpu, ins: Instr): void {
  const o = ins.o0;
  const size = ins.osize;
  if (o.kind === OpKind.Far) {
    fpOff = size === 2 ? o.imm & 0xffff : o.imm >>> 0;
    fpSel = o.immHi & 0xffff;
    return;
  }
  const lin = operandAddress(cpu, ins, o, false);
  if (size === 8) {
    const lo = cpu.rd64(lin);
    fpOff = cpu.hi * TWO32 + (lo >>> 0);
  } else fpOff = size === 4 ? cpu.rd32(lin) >>> 0 : cpu.rd16(lin);
  fpSel = cpu.rd16(cpu.i32[CODE_BITS] === 64 ? lin + size : (lin + size) % TWO32);
}

const isLong = (cpu: Cpu): boolean => (cpu.i32[EFER] & Efer.LMA) !== 0;
const isReal = (cpu: Cpu): boolean => (cpu.i32[CR0] & Cr0.PE) === 0;

/** #GP(0) unless `rip` is a valid offset in the code segment described by (lo, hi). */
function checkTarget(cpu: Cpu, rip: number, lo: number, hi: number): void {
  if (isLong(cpu) && (hi & 0x200000) !== 0) {
    if (!isCanonical(rip)) gp(0);
  } else if (rip < 0 || rip > descLimit(lo, hi)) gp(0);
}

/** Truncate a target offset to the operand size outside 64-bit code. */
function targetOffset(off: number, osize: number): number {
  return osize === 2 ? off & 0xffff : osize === 4 ? off >>> 0 : off;
}

// ---- real mode ------------------------------------------------------------------------------------------------------

function realFar(cpu: Cpu, ins: Instr, call: boolean): void {
  const s = cpu.i32;
  const off = targetOffset(fpOff, ins.osize);
  if (off > (s[SEG_LIMIT(CS)] >>> 0)) gp(0);
  if (call) {
    frame.begin(cpu.f64[SEG_BASE_F(SS)], s[SEG_LIMIT(SS)], s[SEG_ATTR(SS)], s[STACK_SIZE], s[GPR_LO(RSP)], true, Vec.SS, 0);
    frame.push(ins.osize, s[SEG_SEL(CS)]);
    frame.push(ins.osize, cpu.f64[RIP_F]);
    frame.write(cpu);
    setSp(cpu, frame.sp, s[STACK_SIZE]);
  }
  setRealSegment(cpu, CS, fpSel);
  cpu.f64[RIP_F] = off;
  updateModes(cpu);
}

// ---- protected / long mode JMP and CALL -------------------------------------------------------------------------

/** Checks for a direct far JMP/CALL to a code segment (left in dLo/dHi); returns nothing, throws on violation. */
function checkDirectCode(cpu: Cpu, sel: number): void {
  const cpl = cpu.i32[CPL];
  const t = descType(dHi);
  const dpl = descDpl(dHi);
  if ((t & 0x04) !== 0) {
    if (dpl > cpl) gp(sel & 0xfffc);
  } else if ((sel & 3) > cpl || dpl !== cpl) gp(sel & 0xfffc);
  if (isLong(cpu) && (dHi & 0x200000) !== 0 && (dHi & 0x400000) !== 0) gp(sel & 0xfffc);
  if (!descPresent(dHi)) throw new CpuFault(Vec.NP, sel & 0xfffc);
}

/** Push the return CS:rIP on the current stack (same privilege). */
function pushReturn(cpu: Cpu, size: number): void {
  const s = cpu.i32;
  const rip = cpu.f64[RIP_F];
  if (s[CODE_BITS] === 64) frame.begin(0, 0, 0, 8, getRsp(cpu), s[CPL] < 3, Vec.SS, 0);
  else frame.begin(cpu.f64[SEG_BASE_F(SS)], s[SEG_LIMIT(SS)], s[SEG_ATTR(SS)], s[STACK_SIZE], s[GPR_LO(RSP)], s[CPL] < 3, Vec.SS, 0);
  frame.push(size, s[SEG_SEL(CS)], 0);
  frame.push(size, lo32(rip), hi32(rip));
}

function protectedFar(cpu: Cpu, ins: Instr, call: boolean): void {
  const s = cpu.i32;
  const sel = fpSel;
  if ((sel & 0xfffc) === 0) gp(0);
  if (!fetchDescriptor(cpu, sel)) gp(sel & 0xfffc);
  const t = descType(dHi);
  if ((t & 0x18) === 0x18) {
    // Code segment.
    checkDirectCode(cpu, sel);
    const lo = dLo, hi = dHi;
    const off = (hi & 0x200000) !== 0 && isLong(cpu) ? fpOff : targetOffset(fpOff, ins.osize);
    checkTarget(cpu, off, lo, hi);
    if (call) pushReturn(cpu, ins.osize);
    fetchDescriptor(cpu, sel);
    markAccessed(cpu);
    if (call) {
      frame.write(cpu);
      setSp(cpu, frame.sp, s[STACK_SIZE]);
    }
    loadCs(cpu, sel, lo, hi | 0x100, s[CPL]);
    cpu.f64[RIP_F] = off;
    return;
  }
  if ((t & 0x10) !== 0) gp(sel & 0xfffc); // data segment
  switch (t) {
    case 0x0c:
      return callGate(cpu, ins, sel, call, isLong(cpu) ? 64 : 32);
    case 0x04:
      if (isLong(cpu)) gp(sel & 0xfffc);
      return callGate(cpu, ins, sel, call, 16);
    case 0x05:
    case 0x01:
    case 0x09:
      if (isLong(cpu)) gp(sel & 0xfffc);
      gp(sel & 0xfffc, NO_TASKS);
      break;
    default:
      gp(sel & 0xfffc);
  }
}

/** JMP/CALL through a call gate (16/32-bit legacy gates, 64-bit gates in long mode). */
function callGate(cpu: Cpu, ins: Instr, gateSel: number, call: boolean, kind: 16 | 32 | 64): void {
  const s = cpu.i32;
  const cpl = s[CPL];
  const gLo = dLo, gHi = dHi;
  const gdpl = descDpl(gHi);
  if (gdpl < cpl || gdpl < (gateSel & 3)) gp(gateSel & 0xfffc);
  if (!descPresent(gHi)) throw new CpuFault(Vec.NP, gateSel & 0xfffc);
  let target = kind === 16 ? gLo & 0xffff : ((gLo & 0xffff) | (gHi & 0xffff0000)) >>> 0;
  if (kind === 64) {
    // Upper half of a 16-byte gate: offset 63:32, and a type field that must read 0.
    fetchDescriptor(cpu, gateSel, true);
    target = dBaseHi * TWO32 + target;
  }
  const csSel = gLo >>> 16;
  if ((csSel & 0xfffc) === 0) gp(0);
  if (!fetchDescriptor(cpu, csSel)) gp(csSel & 0xfffc);
  const csLo = dLo, csHi = dHi;
  const dpl = descDpl(csHi);
  if ((descType(csHi) & 0x18) !== 0x18 || dpl > cpl) gp(csSel & 0xfffc);
  if (kind === 64 && ((csHi & 0x200000) === 0 || (csHi & 0x400000) !== 0)) gp(csSel & 0xfffc);
  const conforming = (descType(csHi) & 0x04) !== 0;
  if (!call && !conforming && dpl !== cpl) gp(csSel & 0xfffc);
  if (!descPresent(csHi)) throw new CpuFault(Vec.NP, csSel & 0xfffc);
  checkTarget(cpu, target, csLo, csHi);
  const inner = call && !conforming && dpl < cpl;
  const w = kind === 64 ? 8 : kind === 32 ? 4 : 2;
  let ssSel = 0, ssLo = 0, ssHi = 0;
  if (!call) {
    // JMP: no stack change.
  } else if (!inner) {
    pushReturn(cpu, w);
  } else if (kind === 64) {
    const rsp = tss64Stack(cpu, 4 + 8 * dpl, 0);
    if (!isCanonical(rsp)) throw new CpuFault(Vec.SS, 0);
    frame.begin(0, 0, 0, 8, rsp, true, Vec.SS, 0);
    frame.push(8, s[SEG_SEL(SS)], 0);
    frame.push(8, s[GPR_LO(RSP)], s[GPR_LO(RSP) + 1]);
    frame.push(8, s[SEG_SEL(CS)], 0);
    const rip = cpu.f64[RIP_F];
    frame.push(8, lo32(rip), hi32(rip));
  } else {
    const sp = legacyTssStack(cpu, dpl, 0);
    ssSel = tssSs;
    checkInnerStack(cpu, ssSel, dpl, 0);
    ssLo = dLo;
    ssHi = dHi;
    const ssAttr = (ssHi >>> 8) & 0xf0ff;
    // Parameters come from the caller's stack, which must hold them (#SS(0) otherwise).
    const count = gHi & 0x1f;
    const params = new Int32Array(count);
    pops.begin(cpu, s[STACK_SIZE]);
    for (let k = 0; k < count; k++) params[k] = pops.pop(cpu, w);
    frame.begin(descBase(ssLo, ssHi), descLimit(ssLo, ssHi), ssAttr, (ssAttr & Attr.DB) !== 0 ? 4 : 2, sp, dpl < 3, Vec.SS, ssSel & 0xfffc);
    frame.push(w, s[SEG_SEL(SS)]);
    frame.push(w, s[GPR_LO(RSP)]);
    for (let k = count - 1; k >= 0; k--) frame.push(w, params[k]);
    frame.push(w, s[SEG_SEL(CS)]);
    frame.push(w, cpu.f64[RIP_F]);
  }
  fetchDescriptor(cpu, csSel);
  markAccessed(cpu);
  if (inner && kind !== 64) {
    fetchDescriptor(cpu, ssSel);
    markAccessed(cpu);
  }
  if (call) frame.write(cpu);
  // Commit.
  if (inner) {
    if (kind === 64) setNullSegment(cpu, SS, dpl);
    else setSegmentCache(cpu, SS, ssSel, ssLo, ssHi | 0x100);
    updateModes(cpu);
  }
  const newCpl = inner ? dpl : cpl;
  if (call) setSp(cpu, frame.sp, kind === 64 ? 8 : inner ? ((ssHi >>> 8) & Attr.DB ? 4 : 2) : s[STACK_SIZE]);
  loadCs(cpu, csSel, csLo, csHi | 0x100, newCpl);
  cpu.f64[RIP_F] = target;
}

function farTransfer(call: boolean): (cpu: Cpu, ins: Instr) => void {
  return (cpu, ins) => {
    readFarPointer(cpu, ins);
    if (isReal(cpu)) realFar(cpu, ins, call);
    else protectedFar(cpu, ins, call);
  };
}

defineOp(Mn.JMP_FAR, farTransfer(false), { endsBlock: true });
defineOp(Mn.CALL_FAR, farTransfer(true), { endsBlock: true });

// ---- returns ----------------------------------------------------------------------------------------------------------

/** Checks on the CS popped by RETF/IRET (left in dLo/dHi). Returns its RPL, the new CPL. */
function checkReturnCs(cpu: Cpu, sel: number): number {
  if ((sel & 0xfffc) === 0) gp(0);
  if (!fetchDescriptor(cpu, sel)) gp(sel & 0xfffc);
  const rpl = sel & 3;
  const dpl = descDpl(dHi);
  if ((descType(dHi) & 0x18) !== 0x18 || rpl < cpu.i32[CPL]) gp(sel & 0xfffc);
  if ((descType(dHi) & 0x04) !== 0 ? dpl > rpl : dpl !== rpl) gp(sel & 0xfffc);
  if (isLong(cpu) && (dHi & 0x200000) !== 0 && (dHi & 0x400000) !== 0) gp(sel & 0xfffc);
  if (!descPresent(dHi)) throw new CpuFault(Vec.NP, sel & 0xfffc);
  return rpl;
}

/** Checks on the SS popped when returning to an outer level (left in dLo/dHi). Returns false for an allowed null SS. */
function checkReturnSs(cpu: Cpu, sel: number, rpl: number, nullOk: boolean): boolean {
  if ((sel & 0xfffc) === 0) {
    if (nullOk) return false;
    gp(0);
  }
  if (!fetchDescriptor(cpu, sel)) gp(sel & 0xfffc);
  if ((sel & 3) !== rpl || (descType(dHi) & 0x1a) !== 0x12 || descDpl(dHi) !== rpl) gp(sel & 0xfffc);
  if (!descPresent(dHi)) throw new CpuFault(Vec.SS, sel & 0xfffc);
  return true;
}

/** Pops a value of `size` as a number (size 8: signed 64-bit). */
function popNum(cpu: Cpu, size: number): number {
  const lo = pops.pop(cpu, size);
  return size === 8 ? cpu.hi * TWO32 + (lo >>> 0) : size === 4 ? lo >>> 0 : lo;
}

/** Stack-pointer arithmetic wrap at the current stack-address size. */
function spAdd(sp: number, n: number, asz: number): number {
  return asz === 8 ? sp + n : asz === 4 ? (sp + n) >>> 0 : (sp + n) & 0xffff;
}

defineOp(
  Mn.RETF,
  (cpu, ins) => {
    const s = cpu.i32;
    const size = ins.osize;
    const imm = ins.o0.kind === OpKind.Imm ? ins.o0.imm & 0xffff : 0;
    const asz = s[STACK_SIZE];
    pops.begin(cpu, asz);
    const rawOff = popNum(cpu, size);
    const csSel = pops.pop(cpu, size) & 0xffff;
    if (isReal(cpu)) {
      const off = targetOffset(rawOff, size);
      if (off > (s[SEG_LIMIT(CS)] >>> 0)) gp(0);
      setSp(cpu, spAdd(pops.sp, imm, asz), asz);
      setRealSegment(cpu, CS, csSel);
      cpu.f64[RIP_F] = off;
      updateModes(cpu);
      return;
    }
    const rpl = checkReturnCs(cpu, csSel);
    const csLo = dLo, csHi = dHi;
    const to64 = isLong(cpu) && (csHi & 0x200000) !== 0;
    const off = to64 ? rawOff : targetOffset(rawOff, size);
    if (rpl === s[CPL]) {
      checkTarget(cpu, off, csLo, csHi);
      fetchDescriptor(cpu, csSel);
      markAccessed(cpu);
      setSp(cpu, spAdd(pops.sp, imm, asz), asz);
      loadCs(cpu, csSel, csLo, csHi | 0x100, rpl);
      cpu.f64[RIP_F] = off;
      return;
    }
    // Return to an outer privilege level: the caller's SS:rSP sits above the released parameters.
    pops.skip(imm);
    const newSp = popNum(cpu, size);
    const ssSel = pops.pop(cpu, size) & 0xffff;
    const hasSs = checkReturnSs(cpu, ssSel, rpl, to64 && rpl !== 3);
    const ssLo = dLo, ssHi = dHi;
    checkTarget(cpu, off, csLo, csHi);
    fetchDescriptor(cpu, csSel);
    markAccessed(cpu);
    if (hasSs) {
      fetchDescriptor(cpu, ssSel);
      markAccessed(cpu);
    }
    loadCs(cpu, csSel, csLo, csHi | 0x100, rpl);
    if (hasSs) setSegmentCache(cpu, SS, ssSel, ssLo, ssHi | 0x100);
    else setNullSegment(cpu, SS, ssSel);
    updateModes(cpu);
    const nsz = s[STACK_SIZE];
    setSp(cpu, spAdd(nsz === 8 ? newSp : nsz === 4 ? newSp >>> 0 : newSp & 0xffff, imm, nsz), nsz);
    cpu.f64[RIP_F] = off;
    nullInvalidDataSegments(cpu);
  },
  { endsBlock: true },
);

// ---- IRET -------------------------------------------------------------------------------------------------------------

/** RFLAGS after IRET from `image` under the privilege rules of the CPL before the return (SDM IRET pseudocode). */
function iretFlags(cpu: Cpu, image: number, size: number, cpl: number): number {
  const old = getFlags(cpu.i32);
  let mask = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.TF | Flag.DF | Flag.OF | Flag.NT;
  if (size !== 2) mask |= Flag.AC | Flag.ID; // RF is dropped: see docs/cpu.md (no instruction breakpoints)
  if (cpl <= ((old >>> 12) & 3)) mask |= Flag.IF;
  if (cpl === 0) {
    mask |= Flag.IOPL;
    if (size !== 2) mask |= Flag.VIF | Flag.VIP;
  }
  return (old & ~mask & ~Flag.RF) | (image & mask);
}

function afterIret(cpu: Cpu, oldFlags: number): void {
  const s = cpu.i32;
  s[NMI_BLOCKED] = 0;
  if ((s[FLAGS] & ~oldFlags & Flag.IF) !== 0 || (s[FLAGS] & Flag.TF) !== 0 || s[NMI_PENDING] !== 0) s[PENDING] |= Pending.Interrupt;
}

function iret(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const size = ins.osize;
  const asz = s[STACK_SIZE];
  const oldFlags = getFlags(s);
  if (isReal(cpu)) {
    pops.begin(cpu, asz);
    const off = popNum(cpu, size);
    const csSel = pops.pop(cpu, size) & 0xffff;
    const image = pops.pop(cpu, size);
    if (off > (s[SEG_LIMIT(CS)] >>> 0)) gp(0);
    setSp(cpu, pops.sp, asz);
    setRealSegment(cpu, CS, csSel);
    cpu.f64[RIP_F] = off;
    // 16-bit: all of FLAGS; 32-bit: everything but VM, VIF, VIP.
    setFlags(s, size === 2 ? (oldFlags & ~0xffff) | (image & 0xffff) : (image & 0x257fd5) | (oldFlags & 0x1a0000));
    updateModes(cpu);
    afterIret(cpu, oldFlags);
    return;
  }
  if ((oldFlags & Flag.NT) !== 0) {
    if (isLong(cpu)) gp(0);
    gp(0, NO_TASKS);
  }
  pops.begin(cpu, asz);
  const rawOff = popNum(cpu, size);
  const csSel = pops.pop(cpu, size) & 0xffff;
  const image = pops.pop(cpu, size);
  const cpl = s[CPL];
  if (!isLong(cpu) && (image & Flag.VM) !== 0 && cpl === 0) gp(0, 'virtual-8086 mode is not implemented');
  const rpl = checkReturnCs(cpu, csSel);
  const csLo = dLo, csHi = dHi;
  const to64 = isLong(cpu) && (csHi & 0x200000) !== 0;
  const off = to64 ? rawOff : targetOffset(rawOff, size);
  // 64-bit mode always pops SS:RSP; otherwise only on a return to an outer level.
  const popStack = s[CODE_BITS] === 64 || rpl > cpl;
  let newSp = 0, ssSel = 0, hasSs = false, ssLo = 0, ssHi = 0;
  if (popStack) {
    newSp = popNum(cpu, size);
    ssSel = pops.pop(cpu, size) & 0xffff;
    hasSs = checkReturnSs(cpu, ssSel, rpl, to64 && rpl !== 3);
    ssLo = dLo;
    ssHi = dHi;
  }
  checkTarget(cpu, off, csLo, csHi);
  fetchDescriptor(cpu, csSel);
  markAccessed(cpu);
  if (hasSs) {
    fetchDescriptor(cpu, ssSel);
    markAccessed(cpu);
  }
  // Commit.
  const nf = iretFlags(cpu, image, size, cpl);
  setFlags(s, size === 2 ? (getFlags(s) & ~0xffff) | (nf & 0xffff) : nf);
  loadCs(cpu, csSel, csLo, csHi | 0x100, rpl);
  if (popStack) {
    if (hasSs) setSegmentCache(cpu, SS, ssSel, ssLo, ssHi | 0x100);
    else setNullSegment(cpu, SS, ssSel);
    updateModes(cpu);
    const nsz = s[STACK_SIZE];
    setSp(cpu, nsz === 8 ? newSp : nsz === 4 ? newSp >>> 0 : newSp & 0xffff, nsz);
  } else setSp(cpu, pops.sp, asz);
  cpu.f64[RIP_F] = off;
  if (rpl > cpl) nullInvalidDataSegments(cpu);
  afterIret(cpu, oldFlags);
}

defineOp(Mn.IRET, iret, { endsBlock: true });
defineOp(Mn.IRETD, iret, { endsBlock: true });
defineOp(Mn.IRETQ, iret, { endsBlock: true });
