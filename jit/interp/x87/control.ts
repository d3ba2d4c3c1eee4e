// x87 control instructions and state save/restore (SDM Vol. 2: FLDCW, FNSTCW, FNSTSW, FNINIT, FNCLEX, FWAIT, FNOP,
// FFREE(P), FINCSTP, FDECSTP, FXCH, FNSTENV/FLDENV, FNSAVE/FRSTOR, FXSAVE/FXRSTOR; Vol. 1 §8.1.10 environment
// layouts (Figures 8-9..8-12), §10.5.1 FXSAVE area (Tables 10-2, 10-3)).
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { OpKind } from '../../decoder/instr.js';
import {
  CR0, Cr0, FLAGS, Flag, FPU_CW, FPU_SW, FPU_TOP, FPU_TAG, FPU_FOP, FPU_IP_LO, FPU_IP_HI, FPU_DP_LO, FPU_DP_HI,
  FPU_CS, FPU_DS, MXCSR, XMM_I32, CODE_BITS,
} from '../../../machine/cpu/state.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import { operandAddress, setGpr } from '../operands.js';
import { MXCSR_MASK } from '../sse/env.js';
import { F80, Fx } from './f80.js';
import {
  enter, finish, isEmpty, getST, setST, freeST, underflow, unmasked, xst, statusWord, setStatusWord, fpuInit,
  fullTagWord, setTagWord,
} from './fpu.js';
import { write80 } from './mem.js';
import type { OpTable } from '../sse/fp-arith.js';

const A = new F80();
const B = new F80();

/** Writable control-word bits (bit 6 reads as one, bits 7 and 13..15 as zero). */
export function controlWord(v: number): number {
  return (v & 0x1f3f) | 0x40;
}

/** ES and B summarise unmasked pending exceptions (recomputed when the mask changes). */
function resummarise(s: Int32Array): void {
  const pending = (s[FPU_SW] & ~s[FPU_CW] & 0x3f) !== 0;
  s[FPU_SW] = pending ? s[FPU_SW] | Fx.ES | Fx.B : s[FPU_SW] & ~(Fx.ES | Fx.B);
}

const fldcw: Handler = (cpu, ins) => {
  enter(cpu, ins, true);
  const s = cpu.i32;
  s[FPU_CW] = controlWord(cpu.rd16(operandAddress(cpu, ins, ins.o0, false)));
  resummarise(s);
};

const fnstcw: Handler = (cpu, ins) => {
  enter(cpu, ins, true, false);
  cpu.wr16(operandAddress(cpu, ins, ins.o0, true), cpu.i32[FPU_CW]);
};

const fnstsw: Handler = (cpu, ins) => {
  enter(cpu, ins, true, false);
  const sw = statusWord(cpu.i32);
  if (ins.o0.kind === OpKind.Mem) cpu.wr16(operandAddress(cpu, ins, ins.o0, true), sw);
  else setGpr(cpu, 0, 2, sw);
};

const fninit: Handler = (cpu, ins) => {
  enter(cpu, ins, true, false);
  fpuInit(cpu.i32);
};

const fnclex: Handler = (cpu, ins) => {
  enter(cpu, ins, true, false);
  cpu.i32[FPU_SW] &= ~(0xff | Fx.B);
};

/** FWAIT: #NM only when both CR0.TS and CR0.MP are set; then the pending-exception check. */
const fwait: Handler = (cpu) => {
  const s = cpu.i32;
  if ((s[CR0] & (Cr0.TS | Cr0.MP)) === (Cr0.TS | Cr0.MP)) throw new CpuFault(Vec.NM);
  if ((s[FPU_SW] & Fx.ES) !== 0 && (s[CR0] & Cr0.NE) !== 0) throw new CpuFault(Vec.MF);
};

const fnop: Handler = (cpu, ins) => {
  enter(cpu, ins);
};

/** FNENI/FNDISI/FNSETPM: 8087/287 leftovers, no-ops on later processors. */
const legacyNop: Handler = (cpu, ins) => {
  enter(cpu, ins, true, false);
};

function ffree(popAfter: boolean): Handler {
  return (cpu, ins) => {
    enter(cpu, ins);
    const s = cpu.i32;
    freeST(s, ins.o0.reg);
    if (popAfter) s[FPU_TOP] = (s[FPU_TOP] + 1) & 7;
  };
}

function stepTop(d: number): Handler {
  return (cpu, ins) => {
    enter(cpu, ins);
    const s = cpu.i32;
    s[FPU_TOP] = (s[FPU_TOP] + d) & 7;
    xst.c1 = 0;
    finish(cpu);
  };
}

/** FXCH: empty operands become the indefinite under a masked stack underflow. */
const fxch: Handler = (cpu, ins) => {
  enter(cpu, ins);
  const s = cpu.i32;
  const i = ins.o1.kind === OpKind.Reg ? ins.o1.reg : 1;
  const e0 = isEmpty(s, 0);
  const ei = isEmpty(s, i);
  xst.c1 = 0;
  if (e0 || ei) {
    underflow();
    if (unmasked(s, Fx.IE)) return finish(cpu);
  }
  if (e0) underflow(A);
  else getST(s, 0, A);
  if (ei) underflow(B);
  else getST(s, i, B);
  setST(s, 0, B);
  setST(s, i, A);
  xst.c1 = 0;
  finish(cpu);
};

// ---- FNSTENV / FLDENV / FNSAVE / FRSTOR ----------------------------------------------------------------------

function realMode(cpu: Cpu): boolean {
  return (cpu.i32[CR0] & Cr0.PE) === 0 || (cpu.i32[FLAGS] & Flag.VM) !== 0;
}

/** Environment size for the operand size: 14 bytes (16-bit) or 28 bytes (32/64-bit). */
function envSize(ins: Instr): number {
  return ins.osize === 2 ? 14 : 28;
}

function storeEnv(cpu: Cpu, ins: Instr, lin: number): void {
  const s = cpu.i32;
  const small = ins.osize === 2;
  const real = realMode(cpu);
  const ip = s[FPU_IP_LO];
  const dp = s[FPU_DP_LO];
  const fop = s[FPU_FOP] & 0x7ff;
  const w = [controlWord(s[FPU_CW]), statusWord(s), fullTagWord(s)];
  let rest: number[];
  if (real) {
    const ipl = ip + ((s[FPU_CS] & 0xffff) << 4);
    const dpl = dp + ((s[FPU_DS] & 0xffff) << 4);
    rest = small
      ? [ipl & 0xffff, ((ipl >>> 4) & 0xf000) | fop, dpl & 0xffff, (dpl >>> 4) & 0xf000]
      : [ipl & 0xffff, ((ipl >>> 4) & 0x0ffff000) | fop, dpl & 0xffff, (dpl >>> 4) & 0x0ffff000];
  } else {
    rest = small
      ? [ip & 0xffff, s[FPU_CS] & 0xffff, dp & 0xffff, s[FPU_DS] & 0xffff]
      : [ip, (s[FPU_CS] & 0xffff) | (fop << 16), dp, s[FPU_DS] & 0xffff];
  }
  const all = [...w, ...rest];
  cpu.probeWrite(lin, envSize(ins));
  for (let k = 0; k < 7; k++) {
    if (small) cpu.wr16(lin + 2 * k, all[k] & 0xffff);
    else {
      // Reserved upper halves of the 16-bit fields read back as ones (observed on hardware).
      const v = k < 3 || (!real && k === 6) || (real && (k === 3 || k === 5)) ? (all[k] & 0xffff) | 0xffff0000 : all[k];
      cpu.wr32(lin + 4 * k, v);
    }
  }
}

function loadEnv(cpu: Cpu, ins: Instr, lin: number): void {
  const s = cpu.i32;
  const small = ins.osize === 2;
  const f: number[] = [];
  for (let k = 0; k < 7; k++) f.push(small ? cpu.rd16(lin + 2 * k) : cpu.rd32(lin + 4 * k));
  s[FPU_CW] = controlWord(f[0]);
  setStatusWord(s, f[1] & 0xffff);
  setTagWord(s, f[2] & 0xffff);
  if (realMode(cpu)) {
    s[FPU_IP_LO] = small ? (f[3] & 0xffff) | ((f[4] & 0xf000) << 4) : (f[3] & 0xffff) | ((f[4] & 0x0ffff000) << 4);
    s[FPU_FOP] = f[4] & 0x7ff;
    s[FPU_DP_LO] = small ? (f[5] & 0xffff) | ((f[6] & 0xf000) << 4) : (f[5] & 0xffff) | ((f[6] & 0x0ffff000) << 4);
    s[FPU_CS] = s[FPU_DS] = 0;
  } else {
    s[FPU_IP_LO] = small ? f[3] & 0xffff : f[3];
    s[FPU_CS] = f[4] & 0xffff;
    if (!small) s[FPU_FOP] = (f[4] >>> 16) & 0x7ff;
    s[FPU_DP_LO] = small ? f[5] & 0xffff : f[5];
    s[FPU_DS] = f[6] & 0xffff;
  }
  s[FPU_IP_HI] = s[FPU_DP_HI] = 0;
}

/** FNSTENV also masks every exception after storing (as FNSAVE re-initialises). */
const fnstenv: Handler = (cpu, ins) => {
  enter(cpu, ins, true, false);
  storeEnv(cpu, ins, operandAddress(cpu, ins, ins.o0, true));
  cpu.i32[FPU_CW] |= 0x3f;
};

const fldenv: Handler = (cpu, ins) => {
  enter(cpu, ins, true, false);
  loadEnv(cpu, ins, operandAddress(cpu, ins, ins.o0, false));
};

const fnsave: Handler = (cpu, ins) => {
  enter(cpu, ins, true, false);
  const s = cpu.i32;
  const lin = operandAddress(cpu, ins, ins.o0, true);
  const n = envSize(ins);
  cpu.probeWrite(lin, n + 80);
  storeEnv(cpu, ins, lin);
  for (let i = 0; i < 8; i++) write80(cpu, lin + n + 10 * i, getST(s, i, A));
  fpuInit(s);
};

const frstor: Handler = (cpu, ins) => {
  enter(cpu, ins, true, false);
  const s = cpu.i32;
  const lin = operandAddress(cpu, ins, ins.o0, false);
  const n = envSize(ins);
  const regs: number[][] = [];
  for (let i = 0; i < 8; i++) {
    const a = lin + n + 10 * i;
    const lo = cpu.rd64(a);
    regs.push([lo, cpu.hi, cpu.rd16(a + 8)]);
  }
  loadEnv(cpu, ins, lin);
  const newTag = s[FPU_TAG];
  for (let i = 0; i < 8; i++) {
    A.set(regs[i][0], regs[i][1], regs[i][2]);
    setST(s, i, A); // sets the in-use bit: restore the loaded tags below
  }
  s[FPU_TAG] = newTag;
};

// ---- FXSAVE / FXRSTOR ------------------------------------------------------------------------------------------

function fxCheck(cpu: Cpu, ins: Instr, write: boolean): number {
  const s = cpu.i32;
  if ((s[CR0] & (Cr0.EM | Cr0.TS)) !== 0) throw new CpuFault(Vec.NM);
  const lin = operandAddress(cpu, ins, ins.o0, write);
  if ((lin & 15) !== 0) cpu.fault(Vec.GP, 0);
  return lin;
}

function fxsave(wide: boolean): Handler {
  return (cpu, ins) => {
    const s = cpu.i32;
    const lin = fxCheck(cpu, ins, true);
    const bits64 = s[CODE_BITS] === 64;
    cpu.probeWrite(lin, bits64 ? 416 : 288);
    cpu.wr16(lin, controlWord(s[FPU_CW]));
    cpu.wr16(lin + 2, statusWord(s));
    cpu.wr8(lin + 4, s[FPU_TAG] & 0xff);
    cpu.wr8(lin + 5, 0);
    cpu.wr16(lin + 6, s[FPU_FOP] & 0x7ff);
    if (wide) {
      cpu.wr64(lin + 8, s[FPU_IP_LO], s[FPU_IP_HI]);
      cpu.wr64(lin + 16, s[FPU_DP_LO], s[FPU_DP_HI]);
    } else {
      cpu.wr32(lin + 8, s[FPU_IP_LO]);
      cpu.wr32(lin + 12, s[FPU_CS] & 0xffff);
      cpu.wr32(lin + 16, s[FPU_DP_LO]);
      cpu.wr32(lin + 20, s[FPU_DS] & 0xffff);
    }
    cpu.wr32(lin + 24, s[MXCSR]);
    cpu.wr32(lin + 28, MXCSR_MASK);
    for (let i = 0; i < 8; i++) {
      const a = lin + 32 + 16 * i;
      write80(cpu, a, getST(s, i, A));
      cpu.wr16(a + 10, 0);
      cpu.wr32(a + 12, 0);
    }
    const nx = bits64 ? 16 : 8;
    for (let r = 0; r < nx; r++) {
      const b = XMM_I32(r);
      cpu.wr64(lin + 160 + 16 * r, s[b], s[b + 1]);
      cpu.wr64(lin + 168 + 16 * r, s[b + 2], s[b + 3]);
    }
  };
}

function fxrstor(wide: boolean): Handler {
  return (cpu, ins) => {
    const s = cpu.i32;
    const lin = fxCheck(cpu, ins, false);
    const mx = cpu.rd32(lin + 24);
    if ((mx & ~MXCSR_MASK) !== 0) cpu.fault(Vec.GP, 0);
    const bits64 = s[CODE_BITS] === 64;
    cpu.probeRead(lin, bits64 ? 416 : 288);
    const cw = cpu.rd16(lin);
    const sw = cpu.rd16(lin + 2);
    const tag = cpu.rd8(lin + 4);
    const fop = cpu.rd16(lin + 6);
    let ipLo: number, ipHi: number, dpLo: number, dpHi: number, cs = 0, ds = 0;
    if (wide) {
      ipLo = cpu.rd64(lin + 8);
      ipHi = cpu.hi;
      dpLo = cpu.rd64(lin + 16);
      dpHi = cpu.hi;
    } else {
      ipLo = cpu.rd32(lin + 8);
      cs = cpu.rd16(lin + 12);
      dpLo = cpu.rd32(lin + 16);
      ds = cpu.rd16(lin + 20);
      ipHi = dpHi = 0;
    }
    const regs: number[][] = [];
    for (let i = 0; i < 8; i++) {
      const a = lin + 32 + 16 * i;
      const lo = cpu.rd64(a);
      regs.push([lo, cpu.hi, cpu.rd16(a + 8)]);
    }
    const nx = bits64 ? 16 : 8;
    const xmm: number[] = [];
    for (let r = 0; r < nx; r++) {
      for (let k = 0; k < 4; k++) xmm.push(cpu.rd32(lin + 160 + 16 * r + 4 * k));
    }
    // Commit.
    s[FPU_CW] = controlWord(cw);
    setStatusWord(s, sw);
    s[FPU_FOP] = fop & 0x7ff;
    s[FPU_IP_LO] = ipLo;
    s[FPU_IP_HI] = ipHi;
    s[FPU_DP_LO] = dpLo;
    s[FPU_DP_HI] = dpHi;
    s[FPU_CS] = cs;
    s[FPU_DS] = ds;
    for (let i = 0; i < 8; i++) setST(s, i, A.set(regs[i][0], regs[i][1], regs[i][2]));
    s[FPU_TAG] = tag & 0xff;
    s[MXCSR] = mx;
    for (let r = 0; r < nx; r++) for (let k = 0; k < 4; k++) s[XMM_I32(r) + k] = xmm[4 * r + k];
  };
}

export const X87_CONTROL_OPS: OpTable = [
  ['FLDCW', fldcw], ['FNSTCW', fnstcw], ['FNSTSW', fnstsw], ['FNINIT', fninit], ['FNCLEX', fnclex],
  ['FWAIT', fwait], ['FNOP', fnop], ['FNENI', legacyNop], ['FNDISI', legacyNop], ['FNSETPM', legacyNop],
  ['FFREE', ffree(false)], ['FFREEP', ffree(true)], ['FINCSTP', stepTop(1)], ['FDECSTP', stepTop(-1)],
  ['FXCH', fxch],
  ['FNSTENV', fnstenv], ['FLDENV', fldenv], ['FNSAVE', fnsave], ['FRSTOR', frstor],
  ['FXSAVE', fxsave(false)], ['FXSAVE64', fxsave(true)], ['FXRSTOR', fxrstor(false)], ['FXRSTOR64', fxrstor(true)],
];
