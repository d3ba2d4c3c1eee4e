// Shared checks of the system-instruction handlers (SDM Vol. 3 §5.9 privileged instructions, §2.8 system
// instruction summary): CPL 0, protected mode, IOPL, ZF updates.
import type { Cpu } from '../../../machine/cpu/cpu.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import { CPL, CR0, FLAGS, Cr0, Flag } from '../../../machine/cpu/state.js';
import { getFlags } from '../flags.js';

/** #GP(0) unless CPL = 0 (real mode counts as CPL 0). */
export function requireCpl0(cpu: Cpu): void {
  if (cpu.i32[CPL] !== 0) throw new CpuFault(Vec.GP, 0);
}

/** #UD in real mode (LLDT, LTR, SLDT, STR, VERR, VERW, LAR, LSL, ARPL). */
export function requireProtected(cpu: Cpu): void {
  if ((cpu.i32[CR0] & Cr0.PE) === 0) throw new CpuFault(Vec.UD, -1, 'not recognised in real-address mode');
}

export const iopl = (cpu: Cpu): number => (cpu.i32[FLAGS] >>> 12) & 3;

/** Whether the current privilege may use IOPL-sensitive instructions (CPL <= IOPL; always in real mode). */
export function iopOk(cpu: Cpu): boolean {
  return (cpu.i32[CR0] & Cr0.PE) === 0 || cpu.i32[CPL] <= iopl(cpu);
}

/** Set or clear ZF, keeping every other flag (materialises the lazy ones). */
export function setZF(cpu: Cpu, z: boolean): void {
  const s = cpu.i32;
  const f = getFlags(s);
  s[FLAGS] = z ? f | Flag.ZF : f & ~Flag.ZF;
}

export const TWO32 = 4294967296;
export const CANON = 140737488355328;
export const isCanonical = (x: number): boolean => x >= -CANON && x < CANON;

/** Split a signed 64-bit number into lo/hi int32 halves. */
export const lo32 = (x: number): number => (x - Math.floor(x / TWO32) * TWO32) | 0;
export const hi32 = (x: number): number => Math.floor(x / TWO32) | 0;
