// SSE execution environment (SDM Vol. 1 §10.2.3 MXCSR, §11.5 SIMD floating-point exceptions, Vol. 3 §13.1 CR0/CR4
// gating): availability checks, the per-instruction exception-flag accumulator and #XM/#UD delivery.
import type { Cpu } from '../../../machine/cpu/cpu.js';
import { CR0, CR4, MXCSR, Cr0, Cr4 } from '../../../machine/cpu/state.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';

/** MXCSR exception flag bits (the masks are the same bits << 7). */
export const enum Xf {
  IE = 1,
  DE = 2,
  ZE = 4,
  OE = 8,
  UE = 16,
  PE = 32,
}
export const MX_DAZ = 1 << 6;
export const MX_FTZ = 1 << 15;
export const MX_RC_SHIFT = 13;
/** Reset value (all exceptions masked, round to nearest). */
export const MXCSR_RESET = 0x1f80;
/** Writable MXCSR bits (FXSAVE reports this as MXCSR_MASK; DAZ is supported). */
export const MXCSR_MASK = 0xffff;

/** Rounding control values (MXCSR.RC and FPU CW.RC share the encoding). */
export const enum Rc {
  Nearest = 0,
  Down = 1,
  Up = 2,
  Zero = 3,
}

/**
 * Exception flags raised by the instruction being executed (all lanes OR-ed). Reset by beginFp, committed to
 * MXCSR by commitFp. Module state is safe: instruction handlers never nest.
 */
export const fenv = {
  flags: 0,
  /** MXCSR as read at the start of the instruction. */
  mx: 0,
  rc: 0 as Rc,
  daz: false,
};

/** SSE instruction gate on XMM state: CR0.EM or !CR4.OSFXSR -> #UD; CR0.TS -> #NM (SDM Vol. 3 Table 13-1/13-2). */
export function sseCheck(cpu: Cpu): void {
  const s = cpu.i32;
  const cr0 = s[CR0];
  if ((cr0 & (Cr0.EM | Cr0.TS)) !== 0 || (s[CR4] & Cr4.OSFXSR) === 0) slowCheck(cpu);
}

function slowCheck(cpu: Cpu): void {
  const s = cpu.i32;
  if ((s[CR0] & Cr0.EM) !== 0 || (s[CR4] & Cr4.OSFXSR) === 0) throw new CpuFault(Vec.UD, -1, 'SSE disabled (CR0.EM or !CR4.OSFXSR)');
  throw new CpuFault(Vec.NM);
}

/** MMX instruction gate: CR0.EM -> #UD; CR0.TS -> #NM (no OSFXSR requirement). */
export function mmxCheck(cpu: Cpu): void {
  const cr0 = cpu.i32[CR0];
  if ((cr0 & (Cr0.EM | Cr0.TS)) !== 0) {
    if ((cr0 & Cr0.EM) !== 0) throw new CpuFault(Vec.UD, -1, 'MMX with CR0.EM set');
    throw new CpuFault(Vec.NM);
  }
}

/** Start a floating-point SSE instruction: snapshot MXCSR and clear the flag accumulator. */
export function beginFp(cpu: Cpu): void {
  const mx = cpu.i32[MXCSR];
  fenv.mx = mx;
  fenv.rc = ((mx >>> MX_RC_SHIFT) & 3) as Rc;
  fenv.daz = (mx & MX_DAZ) !== 0;
  fenv.flags = 0;
}

/**
 * Finish a floating-point SSE instruction before its destination is written: OR the flags into MXCSR; when any
 * raised flag is unmasked, raise #XM (or #UD when CR4.OSXMMEXCPT is clear) so that the destination stays
 * unchanged. An unmasked pre-computation exception (IE/DE/ZE) suppresses the post-computation flags (§11.5.3.2).
 * `carried`: flags of earlier, completed stages of a multi-stage instruction (DPPS/DPPD).
 */
export function commitFp(cpu: Cpu, carried = 0): void {
  const f = fenv.flags;
  const all = f | carried;
  if (all === 0) return;
  const s = cpu.i32;
  const masks = fenv.mx >>> 7;
  if ((all & ~masks & 0x3f) === 0) {
    s[MXCSR] |= all;
    return;
  }
  s[MXCSR] |= carried | ((f & ~masks & 7) !== 0 ? f & 7 : f);
  if ((s[CR4] & Cr4.OSXMMEXCPT) === 0) throw new CpuFault(Vec.UD, -1, 'unmasked SIMD FP exception with CR4.OSXMMEXCPT clear');
  throw new CpuFault(Vec.XM);
}

/**
 * End one stage of a multi-stage instruction: any unmasked exception stops the instruction here (observed on
 * hardware: later stages then report nothing); otherwise the stage's flags are carried forward.
 */
export function endStage(cpu: Cpu, carried: number): number {
  if ((fenv.flags & ~(fenv.mx >>> 7) & 0x3f) !== 0) commitFp(cpu, carried);
  const c = carried | fenv.flags;
  fenv.flags = 0;
  return c;
}
