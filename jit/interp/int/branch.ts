// Near control transfers (SDM Vol. 2 Jcc, JMP, CALL, RET, LOOP/LOOPcc, JCXZ/JECXZ/JRCXZ; Vol. 1 §6.3): targets
// wrap to the operand size, 64-bit targets must be canonical (#GP(0)), others must lie within the CS limit.
import { S } from '../slots.js';
import type { Instr } from '../../decoder/instr.js';
import { OpKind } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { Flag } from '../../../machine/cpu/state.js';
import { Vec } from '../../../machine/cpu/fault.js';
import { testCond, getZF, getCF, getSF, getOF, lazyZF } from '../flags.js';
import { markBranch } from '../fast-ops.js';
import { IntOp, readSrc, push, peek, setSp, spPlus, branchTo, ripPair, pairToNum, isCanonical, addrReg, addAddrReg } from './common.js';

const CANON = 140737488355328;

/** Relative target of the current instruction (o0 is Rel). */
function relTarget(cpu: { f64: Float64Array }, ins: Instr): number {
  return cpu.f64[S.RIP_F] + ins.o0.disp;
}

// ---- Jcc -------------------------------------------------------------------------------------------------------------

const jccGeneric: Handler = (cpu, ins) => {
  if (testCond(cpu.i32, ins.cond)) branchTo(cpu, ins.osize, relTarget(cpu, ins));
};

// 64-bit Jcc specialised per condition as separate top-level functions, so each call site in the block loop sees
// one small function it can inline (closures from one factory would share, and megamorphise, their code).
function zf(s: Int32Array): number {
  if ((s[S.FLAGS_LAZY] & Flag.ZF) === 0) return (s[S.FLAGS] >>> 6) & 1;
  return s[S.LZ_SIZE] === 4 ? (s[S.LZ_RES_LO] === 0 ? 1 : 0) : lazyZF(s);
}

function take64(cpu: Parameters<Handler>[0], ins: Instr): void {
  const t = cpu.f64[S.RIP_F] + ins.o0.disp;
  if (t >= -CANON && t < CANON) cpu.f64[S.RIP_F] = t;
  else cpu.fault(Vec.GP, 0);
}

const JCC64: Handler[] = [
  (cpu, ins) => { if (getOF(cpu.i32) !== 0) take64(cpu, ins); },
  (cpu, ins) => { if (getOF(cpu.i32) === 0) take64(cpu, ins); },
  (cpu, ins) => { if (getCF(cpu.i32) !== 0) take64(cpu, ins); },
  (cpu, ins) => { if (getCF(cpu.i32) === 0) take64(cpu, ins); },
  (cpu, ins) => { if (zf(cpu.i32) !== 0) take64(cpu, ins); },
  (cpu, ins) => { if (zf(cpu.i32) === 0) take64(cpu, ins); },
  (cpu, ins) => { if ((getCF(cpu.i32) | zf(cpu.i32)) !== 0) take64(cpu, ins); },
  (cpu, ins) => { if ((getCF(cpu.i32) | zf(cpu.i32)) === 0) take64(cpu, ins); },
  (cpu, ins) => { if (getSF(cpu.i32) !== 0) take64(cpu, ins); },
  (cpu, ins) => { if (getSF(cpu.i32) === 0) take64(cpu, ins); },
  (cpu, ins) => { if (testCond(cpu.i32, 10)) take64(cpu, ins); },
  (cpu, ins) => { if (testCond(cpu.i32, 11)) take64(cpu, ins); },
  (cpu, ins) => { if (getSF(cpu.i32) !== getOF(cpu.i32)) take64(cpu, ins); },
  (cpu, ins) => { if (getSF(cpu.i32) === getOF(cpu.i32)) take64(cpu, ins); },
  (cpu, ins) => { const s = cpu.i32; if (zf(s) !== 0 || getSF(s) !== getOF(s)) take64(cpu, ins); },
  (cpu, ins) => { const s = cpu.i32; if (zf(s) === 0 && getSF(s) === getOF(s)) take64(cpu, ins); },
];

function prepareJcc(ins: Instr): Handler {
  if (ins.osize === 8 && ins.cond >= 0 && ins.cond < 16 && ins.o0.kind === OpKind.Rel) return JCC64[ins.cond];
  return jccGeneric;
}

// ---- JMP CALL RET ----------------------------------------------------------------------------------------------------

/** Target of an indirect near branch (r/m of the operand size) as a double. */
function indirectTarget(cpu: Parameters<Handler>[0], ins: Instr): number {
  const size = ins.osize;
  const lo = readSrc(cpu, ins, ins.o0, size);
  if (size === 8) return pairToNum(lo, cpu.hi);
  return size === 4 ? lo >>> 0 : lo & 0xffff;
}

const jmp: Handler = (cpu, ins) => {
  const o = ins.o0;
  if (o.kind === OpKind.Rel) branchTo(cpu, ins.osize, relTarget(cpu, ins));
  else branchTo(cpu, ins.osize, indirectTarget(cpu, ins));
};

const jmpRel64: Handler = (cpu, ins) => {
  const t = cpu.f64[S.RIP_F] + ins.o0.disp;
  if (t >= -CANON && t < CANON) cpu.f64[S.RIP_F] = t;
  else cpu.fault(Vec.GP, 0);
};

markBranch(JCC64, jmpRel64);

const call: Handler = (cpu, ins) => {
  const o = ins.o0;
  const size = ins.osize;
  const t = o.kind === OpKind.Rel ? relTarget(cpu, ins) : indirectTarget(cpu, ins);
  const ret = cpu.f64[S.RIP_F];
  // Validate the target before the push (the push may not happen if the target faults).
  branchTo(cpu, size, t);
  const target = cpu.f64[S.RIP_F];
  cpu.f64[S.RIP_F] = ret;
  const lo = ripPair(cpu);
  push(cpu, size, size === 2 ? lo & 0xffff : lo, size === 8 ? cpu.hi : 0);
  cpu.f64[S.RIP_F] = target;
};

const ret: Handler = (cpu, ins) => {
  const size = ins.osize;
  const lo = peek(cpu, size);
  const t = size === 8 ? pairToNum(lo, cpu.hi) : size === 4 ? lo >>> 0 : lo & 0xffff;
  if (size === 8 && !isCanonical(t)) cpu.fault(Vec.GP, 0);
  branchTo(cpu, size, t);
  const extra = ins.o0.kind === OpKind.Imm ? ins.o0.imm & 0xffff : 0;
  setSp(cpu, spPlus(cpu, size + extra));
};

// ---- LOOP / JrCXZ -------------------------------------------------------------------------------------------------

/** LOOP (kind 0), LOOPE (1), LOOPNE (2): decrement the address-size count register, branch on the condition. */
function makeLoop(kind: number): Handler {
  return (cpu, ins) => {
    const s = cpu.i32;
    const as = ins.asize;
    const i = S.RCX << 1;
    const oldLo = s[i], oldHi = s[i | 1];
    addAddrReg(s, S.RCX, as, -1);
    const nz = as === 8 ? (s[i] | s[i | 1]) !== 0 : as === 4 ? s[i] !== 0 : (s[i] & 0xffff) !== 0;
    let take = nz;
    if (kind === 1) take = nz && getZF(s) !== 0;
    else if (kind === 2) take = nz && getZF(s) === 0;
    if (!take) return;
    try {
      branchTo(cpu, ins.osize, relTarget(cpu, ins));
    } catch (e) {
      s[i] = oldLo;
      s[i | 1] = oldHi;
      throw e;
    }
  };
}

const jrcxz: Handler = (cpu, ins) => {
  if (addrReg(cpu.i32, S.RCX, ins.asize) === 0) branchTo(cpu, ins.osize, relTarget(cpu, ins));
};

const JCC_NAMES = ['JO', 'JNO', 'JB', 'JAE', 'JE', 'JNE', 'JBE', 'JA', 'JS', 'JNS', 'JP', 'JNP', 'JL', 'JGE', 'JLE', 'JG'];

export const ops: IntOp[] = [
  { names: [...JCC_NAMES, 'JCC'], h: jccGeneric, prepare: prepareJcc, endsBlock: true },
  {
    names: ['JMP'],
    h: jmp,
    prepare: (ins) => (ins.osize === 8 && ins.o0.kind === OpKind.Rel ? jmpRel64 : jmp),
    endsBlock: true,
  },
  { names: ['CALL'], h: call, endsBlock: true },
  { names: ['RET', 'RETN'], h: ret, endsBlock: true },
  { names: ['LOOP'], h: makeLoop(0), endsBlock: true },
  { names: ['LOOPE', 'LOOPZ'], h: makeLoop(1), endsBlock: true },
  { names: ['LOOPNE', 'LOOPNZ'], h: makeLoop(2), endsBlock: true },
  { names: ['JCXZ', 'JECXZ', 'JRCXZ'], h: jrcxz, endsBlock: true },
];

