// SSE/SSE2/SSE4.1 data movement (SDM Vol. 2: MOVAPS/UPS/APD/UPD/DQA/DQU, LDDQU, MOVNTxx, MOVSS, MOVSD, MOVLPx/
// MOVHPx, MOVHLPS/MOVLHPS, MOVD/MOVQ in all forms, MOVQ2DQ/MOVDQ2Q, MOVMSKPx, PMOVMSKB, PEXTRx/PINSRx,
// EXTRACTPS/INSERTPS, MASKMOVQ/MASKMOVDQU, MOVNTI).
import type { Cpu } from '../../../machine/cpu/cpu.js';
import { Instr, Operand, OpKind, RegClass, REG_NONE } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { setGpr, getGpr, operandAddress, writeMem } from '../operands.js';
import { sseCheck, mmxCheck } from './env.js';
import {
  X, Y, XB, YB, XUW, loadXmm, storeXmm, loadMmx, storeMmx, loadSrc, storeAddress, writeVec, mmxEnter, immOf, readVec,
} from './access.js';
import type { OpTable } from './fp-arith.js';

/**
 * Gate for an instruction touching XMM and/or MMX registers. Returns true for MMX forms: the caller switches the
 * x87 unit to MMX mode (mmxEnter) once every access that can fault is done.
 */
function gate(cpu: Cpu, ins: Instr): boolean {
  const a = ins.o0.kind === OpKind.Reg ? ins.o0.rc : -1;
  const b = ins.o1.kind === OpKind.Reg ? ins.o1.rc : -1;
  if (a === RegClass.Mmx || b === RegClass.Mmx) {
    mmxCheck(cpu);
    if (a === RegClass.Xmm || b === RegClass.Xmm) sseCheck(cpu);
    return true;
  }
  sseCheck(cpu);
  return false;
}

/** Whole-register moves (MOVAPS, MOVUPS, MOVDQA, MOVDQU, LDDQU, MOVNTxx, MOVNTDQA). */
function move(aligned: boolean): Handler {
  return (cpu, ins) => {
    sseCheck(cpu);
    const d = ins.o0;
    if (d.kind === OpKind.Reg) {
      loadSrc(cpu, ins, ins.o1, Y, aligned);
      storeXmm(cpu, d.reg, Y);
    } else {
      const lin = storeAddress(cpu, ins, d, aligned);
      loadXmm(cpu, ins.o1.reg, Y);
      writeVec(cpu, lin, 16, Y);
    }
  };
}

/** MOVSS / MOVSD: register-register merges the low element; a load zeroes the rest; a store writes the element. */
function moveScalar(size: 4 | 8): Handler {
  return (cpu, ins) => {
    sseCheck(cpu);
    const d = ins.o0;
    const s = ins.o1;
    if (d.kind === OpKind.Mem) {
      const lin = storeAddress(cpu, ins, d, false);
      loadXmm(cpu, s.reg, Y);
      writeVec(cpu, lin, size, Y);
      return;
    }
    if (s.kind === OpKind.Mem) {
      Y[0] = Y[1] = Y[2] = Y[3] = 0;
      loadSrc(cpu, ins, s, Y, false);
      storeXmm(cpu, d.reg, Y);
      return;
    }
    loadXmm(cpu, s.reg, Y);
    loadXmm(cpu, d.reg, X);
    X[0] = Y[0];
    if (size === 8) X[1] = Y[1];
    storeXmm(cpu, d.reg, X);
  };
}

/** MOVLPS/MOVLPD (half = 0) and MOVHPS/MOVHPD (half = 2): 64-bit load into / store from one half. */
function moveHalf(half: 0 | 2): Handler {
  return (cpu, ins) => {
    sseCheck(cpu);
    const d = ins.o0;
    if (d.kind === OpKind.Mem) {
      const lin = storeAddress(cpu, ins, d, false);
      loadXmm(cpu, ins.o1.reg, Y);
      Y[0] = Y[half];
      Y[1] = Y[half + 1];
      writeVec(cpu, lin, 8, Y);
      return;
    }
    loadSrc(cpu, ins, ins.o1, Y, false);
    loadXmm(cpu, d.reg, X);
    X[half] = Y[0];
    X[half + 1] = Y[1];
    storeXmm(cpu, d.reg, X);
  };
}

const movhlps: Handler = (cpu, ins) => {
  sseCheck(cpu);
  loadXmm(cpu, ins.o1.reg, Y);
  loadXmm(cpu, ins.o0.reg, X);
  X[0] = Y[2];
  X[1] = Y[3];
  storeXmm(cpu, ins.o0.reg, X);
};
const movlhps: Handler = (cpu, ins) => {
  sseCheck(cpu);
  loadXmm(cpu, ins.o1.reg, Y);
  loadXmm(cpu, ins.o0.reg, X);
  X[2] = Y[0];
  X[3] = Y[1];
  storeXmm(cpu, ins.o0.reg, X);
};

/** MOVD (size 4) / MOVQ (size 8) between XMM, MMX, general registers and memory; XMM destinations zero-extend. */
function movdq(size: 4 | 8): Handler {
  return (cpu, ins) => {
    const mmx = gate(cpu, ins);
    const d = ins.o0;
    const s = ins.o1;
    Y[1] = 0;
    if (s.kind === OpKind.Mem) readVec(cpu, operandAddress(cpu, ins, s, false), size, Y);
    else if (s.rc === RegClass.Xmm) loadXmm(cpu, s.reg, Y);
    else if (s.rc === RegClass.Mmx) loadMmx(cpu, s.reg, Y);
    else {
      Y[0] = getGpr(cpu, s.reg, size);
      Y[1] = size === 8 ? cpu.hi : 0;
    }
    if (size === 4) Y[1] = 0;
    if (d.kind === OpKind.Mem) {
      writeVec(cpu, operandAddress(cpu, ins, d, true), size, Y);
    } else if (d.rc === RegClass.Xmm) {
      Y[2] = Y[3] = 0;
      storeXmm(cpu, d.reg, Y);
    } else if (d.rc === RegClass.Mmx) storeMmx(cpu, d.reg, Y);
    else setGpr(cpu, d.reg, size, Y[0], Y[1]);
    if (mmx) mmxEnter(cpu);
  };
}

const movq2dq: Handler = (cpu, ins) => {
  gate(cpu, ins);
  loadMmx(cpu, ins.o1.reg, Y);
  Y[2] = Y[3] = 0;
  storeXmm(cpu, ins.o0.reg, Y);
  mmxEnter(cpu);
};
const movdq2q: Handler = (cpu, ins) => {
  gate(cpu, ins);
  loadXmm(cpu, ins.o1.reg, Y);
  storeMmx(cpu, ins.o0.reg, Y);
  mmxEnter(cpu);
};

/** MOVNTQ: MMX register to memory. */
const movntq: Handler = (cpu, ins) => {
  mmxCheck(cpu);
  const lin = operandAddress(cpu, ins, ins.o0, true);
  loadMmx(cpu, ins.o1.reg, Y);
  writeVec(cpu, lin, 8, Y);
  mmxEnter(cpu);
};

/** MOVNTI: general register to memory (a plain store here). */
const movnti: Handler = (cpu, ins) => {
  const lin = operandAddress(cpu, ins, ins.o0, true);
  const v = getGpr(cpu, ins.o1.reg, ins.o1.size);
  writeMem(cpu, lin, ins.o1.size, v, cpu.hi);
};

// ---- masks -----------------------------------------------------------------------------------------------------

const movmskps: Handler = (cpu, ins) => {
  sseCheck(cpu);
  loadXmm(cpu, ins.o1.reg, Y);
  const m = (Y[0] >>> 31) | ((Y[1] >>> 31) << 1) | ((Y[2] >>> 31) << 2) | ((Y[3] >>> 31) << 3);
  setGpr(cpu, ins.o0.reg, ins.o0.size === 8 ? 8 : 4, m, 0);
};
const movmskpd: Handler = (cpu, ins) => {
  sseCheck(cpu);
  loadXmm(cpu, ins.o1.reg, Y);
  const m = (Y[1] >>> 31) | ((Y[3] >>> 31) << 1);
  setGpr(cpu, ins.o0.reg, ins.o0.size === 8 ? 8 : 4, m, 0);
};
const pmovmskb: Handler = (cpu, ins) => {
  if (gate(cpu, ins)) mmxEnter(cpu); // register operands only: nothing can fault afterwards
  const xmm = ins.o1.rc === RegClass.Xmm;
  if (xmm) loadXmm(cpu, ins.o1.reg, Y);
  else loadMmx(cpu, ins.o1.reg, Y);
  let m = 0;
  for (let i = xmm ? 15 : 7; i >= 0; i--) m = (m << 1) | (YB[i] >>> 7);
  setGpr(cpu, ins.o0.reg, ins.o0.size === 8 ? 8 : 4, m, 0);
};

// ---- element extract / insert ------------------------------------------------------------------------------------

/** PEXTRB/PEXTRW/PEXTRD/PEXTRQ/EXTRACTPS: element `imm` of the source to a register (zero-extended) or memory. */
function extract(size: 1 | 2 | 4 | 8): Handler {
  return (cpu, ins) => {
    const mmx = gate(cpu, ins);
    const s = ins.o1;
    if (s.rc === RegClass.Mmx) loadMmx(cpu, s.reg, Y);
    else loadXmm(cpu, s.reg, Y);
    const lanes = (s.rc === RegClass.Mmx ? 8 : 16) / size;
    const k = immOf(ins) & (lanes - 1);
    let lo: number;
    let hi = 0;
    if (size === 1) lo = YB[k];
    else if (size === 2) lo = YB[2 * k] | (YB[2 * k + 1] << 8);
    else if (size === 4) lo = Y[k];
    else {
      lo = Y[2 * k];
      hi = Y[2 * k + 1];
    }
    const d = ins.o0;
    if (d.kind === OpKind.Mem) {
      X[0] = lo;
      X[1] = hi;
      writeVec(cpu, operandAddress(cpu, ins, d, true), size, X);
    } else setGpr(cpu, d.reg, d.size === 8 ? 8 : 4, lo, hi);
    if (mmx) mmxEnter(cpu);
  };
}

/** PINSRB/PINSRW/PINSRD/PINSRQ: a general register or memory element into lane `imm`. */
function insert(size: 1 | 2 | 4 | 8): Handler {
  return (cpu, ins) => {
    const mmx = gate(cpu, ins);
    const s = ins.o1;
    if (s.kind === OpKind.Mem) readVec(cpu, operandAddress(cpu, ins, s, false), size, Y);
    else {
      Y[0] = getGpr(cpu, s.reg, size === 8 ? 8 : 4);
      Y[1] = size === 8 ? cpu.hi : 0;
    }
    const d = ins.o0;
    if (mmx) loadMmx(cpu, d.reg, X);
    else loadXmm(cpu, d.reg, X);
    const k = immOf(ins) & ((mmx ? 8 : 16) / size - 1);
    if (size === 1) XB[k] = Y[0];
    else if (size === 2) XUW[k] = Y[0];
    else if (size === 4) X[k] = Y[0];
    else {
      X[2 * k] = Y[0];
      X[2 * k + 1] = Y[1];
    }
    if (mmx) {
      storeMmx(cpu, d.reg, X);
      mmxEnter(cpu);
    } else storeXmm(cpu, d.reg, X);
  };
}

const insertps: Handler = (cpu, ins) => {
  sseCheck(cpu);
  const imm = immOf(ins);
  const s = ins.o1;
  let v: number;
  if (s.kind === OpKind.Mem) {
    readVec(cpu, operandAddress(cpu, ins, s, false), 4, Y);
    v = Y[0];
  } else {
    loadXmm(cpu, s.reg, Y);
    v = Y[(imm >> 6) & 3];
  }
  loadXmm(cpu, ins.o0.reg, X);
  X[(imm >> 4) & 3] = v;
  for (let i = 0; i < 4; i++) if ((imm >> i) & 1) X[i] = 0;
  storeXmm(cpu, ins.o0.reg, X);
};

// ---- MASKMOVQ / MASKMOVDQU: byte-masked store to [seg:rDI] ------------------------------------------------------

const DI_OPERAND = new Operand();
DI_OPERAND.kind = OpKind.Mem;
DI_OPERAND.base = 7;
DI_OPERAND.index = REG_NONE;

function maskmov(xmm: boolean): Handler {
  return (cpu, ins) => {
    const mmx = gate(cpu, ins);
    const n = xmm ? 16 : 8;
    if (xmm) {
      loadXmm(cpu, ins.o0.reg, X);
      loadXmm(cpu, ins.o1.reg, Y);
    } else {
      loadMmx(cpu, ins.o0.reg, X);
      loadMmx(cpu, ins.o1.reg, Y);
    }
    let any = false;
    for (let i = 0; i < n; i++) if (YB[i] & 0x80) any = true;
    if (any) {
      DI_OPERAND.size = n;
      const lin = operandAddress(cpu, ins, DI_OPERAND, true);
      cpu.probeWrite(lin, n);
      for (let i = 0; i < n; i++) if (YB[i] & 0x80) cpu.wr8(lin + i, XB[i]);
    }
    if (mmx) mmxEnter(cpu);
  };
}

export const MOVE_OPS: OpTable = [
  ['MOVAPS', move(true)], ['MOVAPD', move(true)], ['MOVDQA', move(true)],
  ['MOVUPS', move(false)], ['MOVUPD', move(false)], ['MOVDQU', move(false)], ['LDDQU', move(false)],
  ['MOVNTPS', move(true)], ['MOVNTPD', move(true)], ['MOVNTDQ', move(true)], ['MOVNTDQA', move(true)],
  ['MOVSS', moveScalar(4)], ['MOVSD_X', moveScalar(8)],
  ['MOVLPS', moveHalf(0)], ['MOVLPD', moveHalf(0)], ['MOVHPS', moveHalf(2)], ['MOVHPD', moveHalf(2)],
  ['MOVHLPS', movhlps], ['MOVLHPS', movlhps],
  ['MOVD', movdq(4)], ['MOVQ', movdq(8)], ['MOVQ2DQ', movq2dq], ['MOVDQ2Q', movdq2q],
  ['MOVNTQ', movntq], ['MOVNTI', movnti],
  ['MOVMSKPS', movmskps], ['MOVMSKPD', movmskpd], ['PMOVMSKB', pmovmskb],
  ['PEXTRB', extract(1)], ['PEXTRW', extract(2)], ['PEXTRD', extract(4)], ['PEXTRQ', extract(8)],
  ['EXTRACTPS', extract(4)],
  ['PINSRB', insert(1)], ['PINSRW', insert(2)], ['PINSRD', insert(4)], ['PINSRQ', insert(8)],
  ['INSERTPS', insertps],
  ['MASKMOVQ', maskmov(false)], ['MASKMOVDQU', maskmov(true)],
];
