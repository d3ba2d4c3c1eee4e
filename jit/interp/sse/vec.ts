// Handler shapes shared by the packed-integer and shuffle instructions (SDM Vol. 1 §9 MMX, §11.4 SSE2 128-bit
// integer): an MMX (64-bit) or XMM (128-bit) destination, a register or memory source, an optional imm8.
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { RegClass } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { sseCheck, mmxCheck } from './env.js';
import { X, Y, loadXmm, storeXmm, loadMmx, storeMmx, loadSrc, mmxEnter, immOf } from './access.js';

/** A lane kernel: reads X (destination/first source) and Y (source), writes the result into X. n = 8 or 16 bytes. */
export type Kernel = (n: number, imm: number) => void;

/** dest = kernel(dest, src) on MMX or XMM registers (the destination's register class decides the width). */
export function vec(k: Kernel, aligned = true): Handler {
  return (cpu: Cpu, ins: Instr) => {
    const d = ins.o0;
    if (d.rc === RegClass.Xmm) {
      sseCheck(cpu);
      loadSrc(cpu, ins, ins.o1, Y, aligned);
      loadXmm(cpu, d.reg, X);
      k(16, immOf(ins));
      storeXmm(cpu, d.reg, X);
    } else {
      mmxCheck(cpu);
      loadSrc(cpu, ins, ins.o1, Y, false);
      loadMmx(cpu, d.reg, X);
      mmxEnter(cpu);
      k(8, immOf(ins));
      storeMmx(cpu, d.reg, X);
    }
  };
}

/** Shift-by-immediate forms (PSRLW Ux,Ib ...): the only register operand is the destination. */
export function vecImm(k: Kernel): Handler {
  return (cpu: Cpu, ins: Instr) => {
    const d = ins.o0;
    const imm = ins.o1.imm & 0xff;
    if (d.rc === RegClass.Xmm) {
      sseCheck(cpu);
      loadXmm(cpu, d.reg, X);
      k(16, imm);
      storeXmm(cpu, d.reg, X);
    } else {
      mmxCheck(cpu);
      loadMmx(cpu, d.reg, X);
      mmxEnter(cpu);
      k(8, imm);
      storeMmx(cpu, d.reg, X);
    }
  };
}
