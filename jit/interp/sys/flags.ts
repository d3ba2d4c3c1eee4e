// RFLAGS writes that depend on privilege (SDM Vol. 2 POPF, CLI, STI; Vol. 1 §3.4.3 system flags and IOPL): the
// checked writer POPF uses, and the interrupt-flag instructions with the STI interrupt shadow.
import type { Cpu } from '../../../machine/cpu/cpu.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import { CPL, CR0, FLAGS, INT_SHADOW, PENDING, Cr0, Flag, Pending } from '../../../machine/cpu/state.js';
import { Mn } from '../../decoder/tables.gen.js';
import { defineOp } from '../interpreter.js';
import { getFlags, setFlags } from '../flags.js';
import { iopOk } from './common.js';

const ARITH_AND_CONTROL = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.TF | Flag.DF | Flag.OF | Flag.NT;

/**
 * POPF/POPFD/POPFQ: write RFLAGS from `value` with operand size `osize` (2, 4, 8) under the privilege rules:
 * IOPL changes only at CPL 0, IF only when CPL <= IOPL (silently kept otherwise), VM/VIF/VIP never, RF cleared
 * (32/64-bit forms). Setting IF requests an interrupt check, setting TF arms single-step. Virtual-8086 mode is not
 * supported.
 */
export function writeFlagsChecked(cpu: Cpu, value: number, osize: number): void {
  const s = cpu.i32;
  const old = getFlags(s);
  const pe = (s[CR0] & Cr0.PE) !== 0;
  const cpl = pe ? s[CPL] : 0;
  let mask = ARITH_AND_CONTROL;
  if (osize !== 2) mask |= Flag.AC | Flag.ID;
  if (cpl === 0) mask |= Flag.IOPL;
  if (cpl <= ((old >>> 12) & 3)) mask |= Flag.IF;
  let nf = (old & ~mask) | (value & mask);
  if (osize !== 2) nf &= ~Flag.RF;
  setFlags(s, nf);
  if ((nf & ~old & (Flag.IF | Flag.TF)) !== 0) s[PENDING] |= Pending.Interrupt; // interrupt check / single-step
}

defineOp(Mn.CLI, (cpu) => {
  if (!iopOk(cpu)) throw new CpuFault(Vec.GP, 0);
  cpu.i32[FLAGS] &= ~Flag.IF;
});

defineOp(Mn.STI, (cpu) => {
  if (!iopOk(cpu)) throw new CpuFault(Vec.GP, 0);
  const s = cpu.i32;
  if ((s[FLAGS] & Flag.IF) === 0) {
    s[FLAGS] |= Flag.IF;
    // Interrupts stay blocked until the next instruction completes.
    s[INT_SHADOW] = 1;
    s[PENDING] |= Pending.Interrupt;
  }
});
