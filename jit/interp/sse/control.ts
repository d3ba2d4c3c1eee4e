// MXCSR access, MMX state exit and cache hints (SDM Vol. 2: LDMXCSR, STMXCSR, EMMS, PREFETCHh, PREFETCHW): prefetches
// are no-ops (the fences live with the system instructions in jit/interp/sys).
import type { Handler } from '../../cache/code-cache.js';
import { MXCSR, FPU_TAG } from '../../../machine/cpu/state.js';
import { Vec } from '../../../machine/cpu/fault.js';
import { operandAddress } from '../operands.js';
import { sseCheck, mmxCheck, MXCSR_MASK } from './env.js';
import type { OpTable } from './fp-arith.js';

const ldmxcsr: Handler = (cpu, ins) => {
  sseCheck(cpu);
  const v = cpu.rd32(operandAddress(cpu, ins, ins.o0, false));
  if ((v & ~MXCSR_MASK) !== 0) cpu.fault(Vec.GP, 0);
  cpu.i32[MXCSR] = v;
};

const stmxcsr: Handler = (cpu, ins) => {
  sseCheck(cpu);
  cpu.wr32(operandAddress(cpu, ins, ins.o0, true), cpu.i32[MXCSR]);
};

/** EMMS: mark every x87 register empty (FPU_TAG bit i = physical register i in use). */
const emms: Handler = (cpu) => {
  mmxCheck(cpu);
  cpu.i32[FPU_TAG] = 0;
};

const nop: Handler = () => {};

export const CONTROL_OPS: OpTable = [
  ['LDMXCSR', ldmxcsr], ['STMXCSR', stmxcsr], ['EMMS', emms],
  ['PREFETCHNTA', nop], ['PREFETCHT0', nop], ['PREFETCHT1', nop], ['PREFETCHT2', nop], ['PREFETCHW', nop],
];
