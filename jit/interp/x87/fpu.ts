// x87 FPU register stack and status (SDM Vol. 1 §8.1 FPU data registers, TOP, tag word, §8.1.3 status word,
// §8.1.5 control word, §8.1.8 last instruction/data pointers, §8.5 exception handling incl. #IS stack faults and
// the deferred #MF at the next waiting instruction; Vol. 3 §2.5 CR0.EM/TS/NE/MP).
//
// State slots (machine/cpu/state.ts): FPU_CW full control word; FPU_SW status word with bits 11..13 (TOP) kept zero;
// FPU_TOP 0..7; FPU_TAG = 8 bits, bit i set when PHYSICAL register i is in use (the FXSAVE abridged tag, so an
// all-zero state buffer is the FNINIT tag state); FPU_FOP 11-bit opcode; FPU_IP/DP lo/hi offsets; FPU_CS/DS
// selectors. Registers FPR_I32(i) = [significand lo, significand hi, sign|exponent, 0].
import type { Cpu } from '../../../machine/cpu/cpu.js';
import { Instr, OpKind } from '../../decoder/instr.js';
import {
  CR0, Cr0, FPU_CW, FPU_SW, FPU_TOP, FPU_TAG, FPU_FOP, FPU_IP_LO, FPU_IP_HI, FPU_DP_LO, FPU_DP_HI, FPU_CS, FPU_DS,
  FPR_I32, RIP_F, SEG_SEL,
} from '../../../machine/cpu/state.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import { effectiveOffset } from '../operands.js';
import { F80, Fx, setIndefinite } from './f80.js';

export const FCW_INIT = 0x037f;

/** Physical register number of ST(i). */
export function phys(s: Int32Array, i: number): number {
  return (s[FPU_TOP] + i) & 7;
}

export function isEmpty(s: Int32Array, i: number): boolean {
  return ((s[FPU_TAG] >> phys(s, i)) & 1) === 0;
}

export function getST(s: Int32Array, i: number, out: F80): F80 {
  const b = FPR_I32(phys(s, i));
  return out.set(s[b], s[b + 1], s[b + 2]);
}

export function setST(s: Int32Array, i: number, v: F80): void {
  const p = phys(s, i);
  const b = FPR_I32(p);
  s[b] = v.lo;
  s[b + 1] = v.hi;
  s[b + 2] = v.se;
  s[b + 3] = 0;
  s[FPU_TAG] |= 1 << p;
}

export function freeST(s: Int32Array, i: number): void {
  s[FPU_TAG] &= ~(1 << phys(s, i));
}

export function pop(s: Int32Array): void {
  freeST(s, 0);
  s[FPU_TOP] = (s[FPU_TOP] + 1) & 7;
}

/** Per-instruction exception accumulator (FSW bits IE..SF) and the C1 value to report (-1: leave unchanged). */
export const xst = { flags: 0, c1: -1 };

/**
 * Gate every x87 instruction: CR0.EM or CR0.TS -> #NM; a waiting instruction with an unmasked exception pending
 * (FSW.ES) raises #MF when CR0.NE is set (the legacy FERR#/IRQ13 path of NE=0 is not modelled: nothing happens).
 * Non-control instructions record FOP, the instruction pointer and the data pointer.
 */
export function enter(cpu: Cpu, ins: Instr, control = false, waiting = true): void {
  const s = cpu.i32;
  const cr0 = s[CR0];
  if ((cr0 & (Cr0.EM | Cr0.TS)) !== 0) throw new CpuFault(Vec.NM);
  if (waiting && (s[FPU_SW] & Fx.ES) !== 0 && (cr0 & Cr0.NE) !== 0) throw new CpuFault(Vec.MF);
  xst.flags = 0;
  xst.c1 = -1;
  if (control) return;
  s[FPU_FOP] = ((ins.opcode & 7) << 8) | (ins.modrm & 0xff);
  const ip = cpu.f64[RIP_F] - ins.len;
  s[FPU_IP_LO] = ip % 4294967296 | 0;
  s[FPU_IP_HI] = Math.floor(ip / 4294967296) | 0;
  s[FPU_CS] = s[SEG_SEL(1)] & 0xffff;
  if (ins.o0.kind === OpKind.Mem || ins.o1.kind === OpKind.Mem) {
    const off = effectiveOffset(cpu, ins, ins.o0.kind === OpKind.Mem ? ins.o0 : ins.o1);
    s[FPU_DP_LO] = off % 4294967296 | 0;
    s[FPU_DP_HI] = Math.floor(off / 4294967296) | 0;
    s[FPU_DS] = s[SEG_SEL(ins.seg)] & 0xffff;
  }
}

/** True when any of the given exception bits is unmasked in the control word. */
export function unmasked(s: Int32Array, flags: number): boolean {
  return (flags & ~s[FPU_CW] & 0x3f) !== 0;
}

/**
 * An unmasked pre-computation exception (IE, DE, ZE) suppresses the result (§8.5.1-8.5.3): the post-computation
 * flags of the discarded result are dropped as well. Returns true when the caller must not store anything.
 */
export function preFault(s: Int32Array): boolean {
  if (!unmasked(s, xst.flags & (Fx.IE | Fx.DE | Fx.ZE))) return false;
  xst.flags &= Fx.IE | Fx.DE | Fx.ZE | Fx.SF;
  if ((xst.flags & Fx.SF) === 0) xst.c1 = -1;
  return true;
}

/** Stack underflow on a read of an empty register: IE|SF, C1 = 0; the masked response uses the indefinite. */
export function underflow(v?: F80): void {
  xst.flags |= Fx.IE | Fx.SF;
  xst.c1 = 0;
  if (v !== undefined) setIndefinite(v);
}

/** Stack overflow on a push into a full register: IE|SF, C1 = 1. */
export function overflow(): void {
  xst.flags |= Fx.IE | Fx.SF;
  xst.c1 = 1;
}

/** Merge the accumulated flags and C1 into FSW; unmasked exceptions set ES and B (the #MF comes later). */
export function finish(cpu: Cpu): void {
  const s = cpu.i32;
  let sw = s[FPU_SW] | xst.flags;
  if (xst.c1 >= 0) sw = xst.c1 ? sw | Fx.C1 : sw & ~Fx.C1;
  if ((sw & ~s[FPU_CW] & 0x3f) !== 0) sw |= Fx.ES | Fx.B;
  s[FPU_SW] = sw;
}

/** Push v (TOP-1); on overflow the masked response pushes the indefinite, the unmasked one changes nothing. */
export function push(cpu: Cpu, v: F80): boolean {
  const s = cpu.i32;
  const t = (s[FPU_TOP] - 1) & 7;
  if (((s[FPU_TAG] >> t) & 1) !== 0) {
    overflow();
    if (unmasked(s, Fx.IE)) return false;
    setIndefinite(v);
  }
  s[FPU_TOP] = t;
  setST(s, 0, v);
  return true;
}

/** Set the condition codes C3, C2, C1, C0 (each 0/1); other status bits are kept. */
export function setCC(s: Int32Array, c3: number, c2: number, c1: number, c0: number): void {
  s[FPU_SW] = (s[FPU_SW] & ~(Fx.C0 | Fx.C1 | Fx.C2 | Fx.C3)) | (c0 ? Fx.C0 : 0) | (c1 ? Fx.C1 : 0) | (c2 ? Fx.C2 : 0) | (c3 ? Fx.C3 : 0);
}

/** Status word as FNSTSW/FXSAVE present it (TOP in bits 11..13). */
export function statusWord(s: Int32Array): number {
  return (s[FPU_SW] & ~0x3800) | ((s[FPU_TOP] & 7) << 11);
}

export function setStatusWord(s: Int32Array, v: number): void {
  s[FPU_TOP] = (v >>> 11) & 7;
  s[FPU_SW] = v & 0xc7ff;
}

/** FNINIT state (also the reset state of the FPU, together with MXCSR = 0x1F80 for SSE). */
export function fpuInit(s: Int32Array): void {
  s[FPU_CW] = FCW_INIT;
  s[FPU_SW] = 0;
  s[FPU_TOP] = 0;
  s[FPU_TAG] = 0;
  s[FPU_FOP] = 0;
  s[FPU_IP_LO] = s[FPU_IP_HI] = s[FPU_DP_LO] = s[FPU_DP_HI] = 0;
  s[FPU_CS] = s[FPU_DS] = 0;
}

/** Full 16-bit tag word (FSTENV/FSAVE): 00 valid, 01 zero, 10 special, 11 empty per physical register. */
export function fullTagWord(s: Int32Array): number {
  let tw = 0;
  for (let p = 0; p < 8; p++) {
    let t: number;
    if (((s[FPU_TAG] >> p) & 1) === 0) t = 3;
    else {
      const b = FPR_I32(p);
      const lo = s[b];
      const hi = s[b + 1];
      const e = s[b + 2] & 0x7fff;
      if (e === 0x7fff) t = 2;
      else if (e === 0) t = (lo | hi) === 0 ? 1 : 2;
      else t = hi < 0 ? 0 : 2;
    }
    tw |= t << (2 * p);
  }
  return tw;
}

/** Tag word -> in-use bits (only "empty" matters: the rest is recomputed from the contents). */
export function setTagWord(s: Int32Array, tw: number): void {
  let tag = 0;
  for (let p = 0; p < 8; p++) if (((tw >> (2 * p)) & 3) !== 3) tag |= 1 << p;
  s[FPU_TAG] = tag;
}
