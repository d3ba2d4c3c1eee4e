// Interrupt and exception delivery (SDM Vol. 3 §6: real-mode IVT §20.1.4, protected-mode IDT §6.10-6.12,
// 64-bit IDT and IST §6.14, double fault Table 6-5 and shutdown §6.15 #DF) and the SystemHooks the interpreter
// calls: fault delivery and PENDING servicing (external interrupts, NMI, INIT, SIPI).
import { Cpu } from './cpu.js';
import { CpuFault, MachineStop, Vec, HAS_ERROR_CODE } from './fault.js';
import {
  CPL, CR0, EFER, FLAGS, RIP_F, CR2_F, IDTR_BASE_F, IDTR_LIMIT, SEG_SEL, SEG_LIMIT, SEG_ATTR, SEG_BASE_F, SEG_TR,
  PENDING, HALTED, INT_SHADOW, NMI_BLOCKED, NMI_PENDING, SIPI_VECTOR, STACK_SIZE, GPR_LO, RSP, MSR_APIC_BASE, TF_ARMED,
  DR0,
  Pending, Flag, Cr0, Efer,
} from './state.js';
import {
  CS, SS, Attr, fetchDescriptor, dLo, dHi, descDpl, descPresent, descType, markAccessed, loadCs, setSegmentCache,
  setNullSegment, setRealSegment, sysRead32, sysRead16, updateModes, descBase, descLimit,
} from './segments.js';
import { frame, getRsp, setSp } from './stack.js';
import { getFlags, setFlags } from '../../jit/interp/flags.js';
import type { SystemHooks } from '../../jit/interp/interpreter.js';
import { tripleFaultReport, FaultChain } from './triple-fault.js';
import { applyInit, applySipi } from './reset.js';

const TWO32 = 4294967296;
const CANON = 140737488355328;

/** How an event was raised: decides the gate-DPL check, the EXT bit and whether an error code is pushed. */
export const enum EventKind {
  /** Processor exception (fault/trap/abort): EXT = 1, error code pushed for the vectors that have one. */
  Exception = 0,
  /** INT n, INT3, INTO: gate DPL must be >= CPL, EXT = 0, no error code. */
  Software = 1,
  /** External interrupt or NMI: EXT = 1, no error code. */
  External = 2,
  /** INT1 (ICEBP): delivered like a #DB trap (no DPL check, EXT = 1), no error code. */
  Icebp = 3,
}

/** Fault-class exceptions: the pushed RFLAGS image has RF = 1 (SDM Vol. 3 §17.3.1.1). */
const FAULT_CLASS = (v: number): boolean => v === 0 || (v >= 5 && v <= 7) || (v >= 10 && v <= 14) || v === 16 || v === 17 || v === 19 || v === 20;
const CONTRIBUTORY = (v: number): boolean => v === 0 || (v >= 10 && v <= 13);

/**
 * Deliver one event through the IVT/IDT. `retRip` is the RIP to push (the faulting instruction for faults, the next
 * one for traps and interrupts). Every check and every stack slot is validated before state changes; a fault during
 * delivery is thrown as CpuFault with the EXT bit set as the SDM specifies.
 */
export function deliverEvent(cpu: Cpu, vector: number, errorCode: number, kind: EventKind, retRip: number): void {
  const s = cpu.i32;
  if ((s[CR0] & Cr0.PE) === 0) realModeEvent(cpu, vector, retRip);
  else if ((s[EFER] & Efer.LMA) !== 0) longModeEvent(cpu, vector, errorCode, kind, retRip);
  else protectedEvent(cpu, vector, errorCode, kind, retRip);
  // The handler starts with TF = 0: no single-step trap is pending for the interrupted instruction.
  s[TF_ARMED] = 0;
}

function pushedFlags(cpu: Cpu, vector: number, kind: EventKind): number {
  const f = getFlags(cpu.i32);
  return kind === EventKind.Exception && FAULT_CLASS(vector) ? f | Flag.RF : f;
}

function realModeEvent(cpu: Cpu, vector: number, retRip: number): void {
  const s = cpu.i32;
  if (vector * 4 + 3 > (s[IDTR_LIMIT] & 0xffff)) throw new CpuFault(Vec.GP, 0);
  const ent = cpu.f64[IDTR_BASE_F] + vector * 4;
  const ip = sysRead16(cpu, ent);
  const cs = sysRead16(cpu, ent + 2);
  const fl = pushedFlags(cpu, vector, EventKind.Software);
  frame.begin(cpu.f64[SEG_BASE_F(SS)], s[SEG_LIMIT(SS)], s[SEG_ATTR(SS)], 2, s[GPR_LO(RSP)], true, Vec.SS, 0);
  frame.push(2, fl & 0xffff);
  frame.push(2, s[SEG_SEL(CS)]);
  frame.push(2, retRip & 0xffff);
  frame.write(cpu);
  setSp(cpu, frame.sp, 2);
  setFlags(s, fl & ~(Flag.IF | Flag.TF | Flag.AC | Flag.RF));
  setRealSegment(cpu, CS, cs);
  cpu.f64[RIP_F] = ip;
  updateModes(cpu);
}

function gateFault(vector: number, scale: number, ext: number): never {
  throw new CpuFault(Vec.GP, vector * scale + 2 + ext);
}

/** Fetch and check the target code segment of a gate; leaves the descriptor in dLo/dHi. Returns its DPL. */
function gateTargetCs(cpu: Cpu, sel: number, ext: number, long: boolean): number {
  if ((sel & 0xfffc) === 0) throw new CpuFault(Vec.GP, ext);
  if (!fetchDescriptor(cpu, sel)) throw new CpuFault(Vec.GP, (sel & 0xfffc) + ext);
  const dpl = descDpl(dHi);
  if ((descType(dHi) & 0x18) !== 0x18 || dpl > cpu.i32[CPL]) throw new CpuFault(Vec.GP, (sel & 0xfffc) + ext);
  if (long && ((dHi & 0x200000) === 0 || (dHi & 0x400000) !== 0)) throw new CpuFault(Vec.GP, (sel & 0xfffc) + ext);
  if (!descPresent(dHi)) throw new CpuFault(Vec.NP, (sel & 0xfffc) + ext);
  return dpl;
}

/** Read the inner-level stack pointer for `cpl` from a 16/32-bit TSS. Sets tssSs; returns the stack pointer. */
export let tssSs = 0;
export function legacyTssStack(cpu: Cpu, cpl: number, ext: number): number {
  const s = cpu.i32;
  const trSel = s[SEG_SEL(SEG_TR)];
  const type = s[SEG_ATTR(SEG_TR)] & 0xf;
  const base = cpu.f64[SEG_BASE_F(SEG_TR)];
  const limit = s[SEG_LIMIT(SEG_TR)] >>> 0;
  if ((s[SEG_ATTR(SEG_TR)] & Attr.P) === 0) throw new CpuFault(Vec.TS, (trSel & 0xfffc) + ext);
  if ((type & 8) === 0) {
    // 16-bit TSS.
    const off = 2 + 4 * cpl;
    if (off + 3 > limit) throw new CpuFault(Vec.TS, (trSel & 0xfffc) + ext);
    tssSs = sysRead16(cpu, base + off + 2);
    return sysRead16(cpu, base + off);
  }
  const off = 4 + 8 * cpl;
  if (off + 5 > limit) throw new CpuFault(Vec.TS, (trSel & 0xfffc) + ext);
  tssSs = sysRead16(cpu, base + off + 4);
  return sysRead32(cpu, base + off) >>> 0;
}

/**
 * Check a stack segment for an inner-level transfer (SDM Vol. 2 INT / CALL through a call gate): loads it into
 * dLo/dHi; faults are #TS(selector) and #SS(selector) for not-present.
 */
export function checkInnerStack(cpu: Cpu, ss: number, cpl: number, ext: number): void {
  const err = (ss & 0xfffc) + ext;
  if ((ss & 0xfffc) === 0) throw new CpuFault(Vec.TS, ext);
  if (!fetchDescriptor(cpu, ss)) throw new CpuFault(Vec.TS, err);
  if ((ss & 3) !== cpl || descDpl(dHi) !== cpl || (descType(dHi) & 0x1a) !== 0x12) throw new CpuFault(Vec.TS, err);
  if (!descPresent(dHi)) throw new CpuFault(Vec.SS, err);
}

function protectedEvent(cpu: Cpu, vector: number, errorCode: number, kind: EventKind, retRip: number): void {
  const s = cpu.i32;
  const ext = kind === EventKind.Software ? 0 : 1;
  if (vector * 8 + 7 > (s[IDTR_LIMIT] & 0xffff)) gateFault(vector, 8, ext);
  const ga = cpu.f64[IDTR_BASE_F] + vector * 8;
  const gLo = sysRead32(cpu, ga);
  const gHi = sysRead32(cpu, ga + 4);
  const gType = (gHi >>> 8) & 0x1f;
  if (gType !== 0x05 && gType !== 0x06 && gType !== 0x07 && gType !== 0x0e && gType !== 0x0f) gateFault(vector, 8, ext);
  const cpl = s[CPL];
  if (kind === EventKind.Software && descDpl(gHi) < cpl) gateFault(vector, 8, 0);
  if (!descPresent(gHi)) throw new CpuFault(Vec.NP, vector * 8 + 2 + ext);
  if (gType === 0x05) throw new CpuFault(Vec.GP, vector * 8 + 2 + ext, 'task gates (hardware task switching) are not implemented');
  const gate32 = (gType & 8) !== 0;
  const csSel = gLo >>> 16;
  const target = gate32 ? ((gLo & 0xffff) | (gHi & 0xffff0000)) >>> 0 : gLo & 0xffff;
  const dpl = gateTargetCs(cpu, csSel, ext, false);
  const csLo = dLo, csHi = dHi;
  const conforming = (descType(csHi) & 0x1c) === 0x1c;
  const inner = !conforming && dpl < cpl;
  const newCpl = inner ? dpl : cpl;
  if (target > descLimit(csLo, csHi)) throw new CpuFault(Vec.GP, ext);
  const pushErr = kind === EventKind.Exception && HAS_ERROR_CODE(vector) && errorCode >= 0;
  const w = gate32 ? 4 : 2;
  const fl = pushedFlags(cpu, vector, kind);
  const oldSs = s[SEG_SEL(SS)];
  const oldSp = s[GPR_LO(RSP)];
  let ssSel = 0, ssLo = 0, ssHi = 0;
  if (inner) {
    const sp = legacyTssStack(cpu, newCpl, ext);
    ssSel = tssSs;
    checkInnerStack(cpu, ssSel, newCpl, ext);
    ssLo = dLo;
    ssHi = dHi;
    const ssAttr = (ssHi >>> 8) & 0xf0ff;
    frame.begin(descBase(ssLo, ssHi), descLimit(ssLo, ssHi), ssAttr, (ssAttr & Attr.DB) !== 0 ? 4 : 2, sp, newCpl < 3, Vec.SS, (ssSel & 0xfffc) + ext);
    frame.push(w, oldSs);
    frame.push(w, oldSp);
  } else {
    frame.begin(cpu.f64[SEG_BASE_F(SS)], s[SEG_LIMIT(SS)], s[SEG_ATTR(SS)], s[STACK_SIZE], s[GPR_LO(RSP)], newCpl < 3, Vec.SS, ext);
  }
  frame.push(w, fl);
  frame.push(w, s[SEG_SEL(CS)]);
  frame.push(w, retRip);
  if (pushErr) frame.push(w, errorCode);
  // Accessed bits of the new descriptors, then the frame; nothing architectural has changed yet.
  if (inner) {
    fetchDescriptor(cpu, ssSel);
    markAccessed(cpu);
  }
  fetchDescriptor(cpu, csSel);
  markAccessed(cpu);
  frame.write(cpu);
  // Commit.
  if (inner) {
    setSegmentCache(cpu, SS, ssSel, ssLo, ssHi | 0x100);
    updateModes(cpu);
  }
  setSp(cpu, frame.sp, s[STACK_SIZE]);
  loadCs(cpu, csSel, csLo, csHi | 0x100, newCpl);
  cpu.f64[RIP_F] = target;
  let nf = fl & ~(Flag.TF | Flag.NT | Flag.RF | Flag.VM);
  if ((gType & 1) === 0) nf &= ~Flag.IF;
  setFlags(s, nf);
}

function longModeEvent(cpu: Cpu, vector: number, errorCode: number, kind: EventKind, retRip: number): void {
  const s = cpu.i32;
  const ext = kind === EventKind.Software ? 0 : 1;
  if (vector * 16 + 15 > (s[IDTR_LIMIT] & 0xffff)) gateFault(vector, 16, ext);
  const ga = cpu.f64[IDTR_BASE_F] + vector * 16;
  const gLo = sysRead32(cpu, ga);
  const gHi = sysRead32(cpu, ga + 4);
  const gUp = sysRead32(cpu, ga + 8);
  const gType = (gHi >>> 8) & 0x1f;
  if (gType !== 0x0e && gType !== 0x0f) gateFault(vector, 16, ext);
  const cpl = s[CPL];
  if (kind === EventKind.Software && descDpl(gHi) < cpl) gateFault(vector, 16, 0);
  if (!descPresent(gHi)) throw new CpuFault(Vec.NP, vector * 16 + 2 + ext);
  const csSel = gLo >>> 16;
  const target = gUp * TWO32 + (((gLo & 0xffff) | (gHi & 0xffff0000)) >>> 0);
  const ist = gHi & 7;
  const dpl = gateTargetCs(cpu, csSel, ext, true);
  const csLo = dLo, csHi = dHi;
  const conforming = (descType(csHi) & 0x1c) === 0x1c;
  const inner = !conforming && dpl < cpl;
  const newCpl = inner ? dpl : cpl;
  if (target < -CANON || target >= CANON) throw new CpuFault(Vec.GP, ext);
  let rsp: number;
  if (ist !== 0 || inner) rsp = tss64Stack(cpu, ist !== 0 ? 0x24 + 8 * (ist - 1) : 4 + 8 * newCpl, ext);
  else rsp = getRsp(cpu);
  if (rsp < -CANON || rsp >= CANON) throw new CpuFault(Vec.SS, ext);
  rsp -= ((rsp % 16) + 16) % 16; // align down to 16
  const fl = pushedFlags(cpu, vector, kind);
  frame.begin(0, 0, 0, 8, rsp, newCpl < 3, Vec.SS, ext);
  frame.push(8, s[SEG_SEL(SS)], 0);
  frame.push(8, s[GPR_LO(RSP)], s[GPR_LO(RSP) + 1]);
  frame.push(8, fl, 0);
  frame.push(8, s[SEG_SEL(CS)], 0);
  frame.push(8, retRip % TWO32 | 0, Math.floor(retRip / TWO32) | 0);
  if (kind === EventKind.Exception && HAS_ERROR_CODE(vector) && errorCode >= 0) frame.push(8, errorCode, 0);
  fetchDescriptor(cpu, csSel);
  markAccessed(cpu);
  frame.write(cpu);
  // Commit.
  if (inner) setNullSegment(cpu, SS, newCpl);
  setSp(cpu, frame.sp, 8);
  loadCs(cpu, csSel, csLo, csHi | 0x100, newCpl);
  cpu.f64[RIP_F] = target;
  let nf = fl & ~(Flag.TF | Flag.NT | Flag.RF | Flag.VM);
  if ((gType & 1) === 0) nf &= ~Flag.IF;
  setFlags(s, nf);
}

/** Read an 8-byte stack pointer from the 64-bit TSS at `off` (RSPn or ISTn). */
export function tss64Stack(cpu: Cpu, off: number, ext: number): number {
  const s = cpu.i32;
  const trSel = s[SEG_SEL(SEG_TR)];
  if ((s[SEG_ATTR(SEG_TR)] & Attr.P) === 0 || off + 7 > (s[SEG_LIMIT(SEG_TR)] >>> 0)) throw new CpuFault(Vec.TS, (trSel & 0xfffc) + ext);
  const base = cpu.f64[SEG_BASE_F(SEG_TR)];
  const lo = sysRead32(cpu, base + off);
  const hi = sysRead32(cpu, base + off + 4);
  return hi * TWO32 + (lo >>> 0);
}

// ---- exceptions with double-fault and shutdown rules ------------------------------------------------------------

const chain = new FaultChain();

/**
 * Deliver an exception raised at the current RIP, applying SDM Table 6-5: contributory+contributory and
 * #PF+(contributory or #PF) become #DF; any fault while delivering #DF shuts the processor down (triple fault),
 * which stops the machine with a report.
 */
export function raiseException(cpu: Cpu, fault: CpuFault): void {
  let vec = fault.vector;
  let code = fault.errorCode;
  chain.reset(cpu);
  chain.add(vec, code, cpu.f64[CR2_F], fault.detail);
  const rip = cpu.f64[RIP_F];
  for (;;) {
    try {
      deliverEvent(cpu, vec, code, EventKind.Exception, rip);
      return;
    } catch (e) {
      if (!(e instanceof CpuFault)) throw e;
      chain.add(e.vector, e.errorCode, cpu.f64[CR2_F], e.detail);
      if (vec === Vec.DF) {
        cpu.f64[RIP_F] = rip;
        throw new MachineStop('triple-fault', tripleFaultReport(cpu, chain));
      }
      const second = e.vector;
      if ((CONTRIBUTORY(vec) && CONTRIBUTORY(second)) || (vec === Vec.PF && (second === Vec.PF || CONTRIBUTORY(second)))) {
        vec = Vec.DF;
        code = 0;
        chain.add(Vec.DF, 0, cpu.f64[CR2_F]);
      } else {
        vec = second;
        code = e.errorCode;
      }
    }
  }
}

/** Deliver an event that is not an exception (external interrupt, NMI); a fault on the way is delivered instead. */
function deliverAsync(cpu: Cpu, vector: number): void {
  try {
    deliverEvent(cpu, vector, -1, EventKind.External, cpu.f64[RIP_F]);
  } catch (e) {
    if (!(e instanceof CpuFault)) throw e;
    raiseException(cpu, e);
  }
}

// ---- requests from outside the CPU (the machine's VcpuLink implementation calls these) --------------------------

/** An interrupt may have become deliverable (IRR change, EOI, TPR): re-evaluate at the next instruction boundary. */
export function requestInterruptCheck(cpu: Cpu): void {
  cpu.i32[PENDING] |= Pending.Interrupt;
}

export function requestNmi(cpu: Cpu): void {
  cpu.i32[NMI_PENDING] = 1;
  cpu.i32[PENDING] |= Pending.Interrupt;
}

export function requestInit(cpu: Cpu): void {
  cpu.i32[PENDING] |= Pending.Init;
}

/** Startup IPI: honoured only while the CPU waits for SIPI (HALTED = 2). */
export function requestSipi(cpu: Cpu, vector: number): void {
  cpu.i32[SIPI_VECTOR] = vector & 0xff;
  cpu.i32[PENDING] |= Pending.Sipi;
}

export function requestStop(cpu: Cpu): void {
  cpu.i32[PENDING] |= Pending.Stop;
}

/** The SystemHooks the interpreter and the JIT call (one instance serves every vCPU). */
export class SystemCore implements SystemHooks {
  deliverFault(cpu: Cpu, fault: CpuFault): void {
    raiseException(cpu, fault);
  }

  servicePending(cpu: Cpu): boolean {
    const s = cpu.i32;
    const p = s[PENDING];
    if ((p & Pending.Init) !== 0) {
      s[PENDING] &= ~Pending.Init;
      applyInit(cpu, (s[MSR_APIC_BASE] & 0x100) !== 0);
    }
    if ((p & Pending.Sipi) !== 0) {
      s[PENDING] &= ~Pending.Sipi;
      if (s[HALTED] === 2) applySipi(cpu, s[SIPI_VECTOR]);
    }
    if ((s[PENDING] & Pending.Interrupt) !== 0) {
      // Single-step (SDM Vol. 3 §17.3.1.4): a #DB trap after each instruction that began with TF = 1; it is taken
      // before external interrupts (Table 6-2).
      if (s[TF_ARMED] !== 0) {
        s[TF_ARMED] = 0;
        s[DR0 + 12] |= 0x4000; // DR6.BS
        raiseException(cpu, new CpuFault(Vec.DB));
      }
      this.acceptInterrupt(cpu);
      if ((s[FLAGS] & Flag.TF) !== 0 && s[HALTED] === 0) {
        s[TF_ARMED] = 1;
        s[PENDING] |= Pending.Interrupt;
      }
    }
    if ((s[PENDING] & Pending.Stop) !== 0) {
      s[PENDING] &= ~Pending.Stop;
      return false;
    }
    return true;
  }

  /** Interrupt acceptance at an instruction boundary (SDM Vol. 3 §6.8.3, §6.9 priority: NMI before INTR). */
  private acceptInterrupt(cpu: Cpu): void {
    const s = cpu.i32;
    if (s[HALTED] === 2) {
      // Wait-for-SIPI ignores interrupts and NMIs.
      s[PENDING] &= ~Pending.Interrupt;
      return;
    }
    if (s[INT_SHADOW] !== 0) {
      // The instruction after STI / MOV SS runs first; keep the request so we look again right after it.
      s[INT_SHADOW] = 0;
      return;
    }
    if (s[NMI_PENDING] !== 0 && s[NMI_BLOCKED] === 0) {
      s[NMI_PENDING] = 0;
      s[NMI_BLOCKED] = 1;
      s[HALTED] = 0;
      deliverAsync(cpu, Vec.NMI);
      return;
    }
    const intc = cpu.intc;
    if ((s[FLAGS] & Flag.IF) !== 0 && intc !== undefined && intc.pending() >= 0) {
      const v = intc.ack();
      s[HALTED] = 0;
      if (v >= 0) deliverAsync(cpu, v);
      return; // keep the request: another interrupt may be deliverable after this one
    }
    s[PENDING] &= ~Pending.Interrupt;
  }
}
