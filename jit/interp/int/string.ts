// String instructions (SDM Vol. 2 MOVS, STOS, LODS, CMPS, SCAS with REP/REPE/REPNE; Vol. 1 §7.3.9): element size
// from the operand size, RSI/RDI/RCX at the address size, source segment overridable, destination always ES.
// REP forms are restartable: registers reflect completed iterations when an access faults, and RIP stays on the
// instruction. Long REP runs yield: after REP_BUDGET bytes of work (or when PENDING is set) the handler rewinds RIP
// to the instruction and sets Pending.Smc, so the loop leaves the block, services interrupts and re-enters it.
// REP MOVS/STOS with DF=0 copy/fill whole page chunks straight in the RAM buffer when the TLB maps both ranges.
import { S } from '../slots.js';
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { Pfx } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { CpuFault } from '../../../machine/cpu/fault.js';
import { Flag, Pending } from '../../../machine/cpu/state.js';
import { LazyOp, lazy32, lazy64, getZF } from '../flags.js';
import { linearAddress } from '../operands.js';
import { IntOp, addrReg, addAddrReg, rdSize, wrSize, TWO32 } from './common.js';

const AX = S.RAX << 1, CX = S.RCX << 1;
const ES = 0;
/** Bytes of work one execution of a REP instruction may do before it yields. */
export const REP_BUDGET = 1 << 20;
/** Work charged per element on the element-by-element path (it is much slower than a bulk copy). */
const ELEMENT_COST = 32;

const enum Str {
  MOVS = 0,
  STOS = 1,
  LODS = 2,
  CMPS = 3,
  SCAS = 4,
}

/** Accumulator at element size e (lo; hi in ACC_HI for e = 8). */
let ACC_HI = 0;
function acc(s: Int32Array, e: number): number {
  ACC_HI = s[AX | 1];
  return e === 1 ? s[AX] & 0xff : e === 2 ? s[AX] & 0xffff : s[AX];
}

function setAcc(s: Int32Array, e: number, v: number, hi: number): void {
  if (e === 1) s[AX] = (s[AX] & ~0xff) | v;
  else if (e === 2) s[AX] = (s[AX] & ~0xffff) | v;
  else {
    s[AX] = v;
    s[AX | 1] = e === 8 ? hi : 0;
  }
}

function compare(s: Int32Array, e: number, a: number, aHi: number, b: number, bHi: number): void {
  if (e === 8) {
    const t = (a >>> 0) - (b >>> 0);
    const hi = (aHi - bHi - (t < 0 ? 1 : 0)) | 0;
    lazy64(s, LazyOp.Sub, t | 0, hi, a, aHi, b, bHi);
  } else {
    const r = e === 4 ? (a - b) | 0 : (a - b) & (e === 1 ? 0xff : 0xffff);
    lazy32(s, LazyOp.Sub, e, r, a, b);
  }
}

/** One iteration of string op `kind` with element size e; updates RSI/RDI (not RCX). */
function step(cpu: Cpu, ins: Instr, kind: number, e: number): void {
  const s = cpu.i32;
  const as = ins.asize;
  const d = (s[S.FLAGS] & Flag.DF) !== 0 ? -e : e;
  switch (kind) {
    case Str.MOVS: {
      const v = rdSize(cpu, linearAddress(cpu, ins.seg, addrReg(s, S.RSI, as), e, false), e);
      const hi = cpu.hi;
      wrSize(cpu, linearAddress(cpu, ES, addrReg(s, S.RDI, as), e, true), e, v, hi);
      addAddrReg(s, S.RSI, as, d);
      addAddrReg(s, S.RDI, as, d);
      return;
    }
    case Str.STOS: {
      const v = acc(s, e);
      wrSize(cpu, linearAddress(cpu, ES, addrReg(s, S.RDI, as), e, true), e, v, ACC_HI);
      addAddrReg(s, S.RDI, as, d);
      return;
    }
    case Str.LODS: {
      const v = rdSize(cpu, linearAddress(cpu, ins.seg, addrReg(s, S.RSI, as), e, false), e);
      setAcc(s, e, v, cpu.hi);
      addAddrReg(s, S.RSI, as, d);
      return;
    }
    case Str.CMPS: {
      const a = rdSize(cpu, linearAddress(cpu, ins.seg, addrReg(s, S.RSI, as), e, false), e);
      const aHi = cpu.hi;
      const b = rdSize(cpu, linearAddress(cpu, ES, addrReg(s, S.RDI, as), e, false), e);
      compare(s, e, a, aHi, b, cpu.hi);
      addAddrReg(s, S.RSI, as, d);
      addAddrReg(s, S.RDI, as, d);
      return;
    }
    default: {
      const b = rdSize(cpu, linearAddress(cpu, ES, addrReg(s, S.RDI, as), e, false), e);
      const a = acc(s, e);
      compare(s, e, a, ACC_HI, b, cpu.hi);
      addAddrReg(s, S.RDI, as, d);
    }
  }
}

/** Remaining count, clamped to 2^32 (enough for any chunk). */
function countOf(s: Int32Array, as: number): number {
  if (as === 8) return s[CX | 1] !== 0 ? TWO32 : s[CX] >>> 0;
  return as === 4 ? s[CX] >>> 0 : s[CX] & 0xffff;
}

/** Linear address of a whole chunk, or NaN when some part of it would fault (then the element path reports it). */
function chunkLinear(cpu: Cpu, seg: number, off: number, bytes: number, write: boolean): number {
  try {
    return linearAddress(cpu, seg, off, bytes, write);
  } catch (e) {
    if (e instanceof CpuFault) return NaN;
    throw e;
  }
}

/** Elements that fit before `lin` reaches its page end, and before `off` wraps at the address size. */
function fitElems(lin: number, off: number, as: number, e: number): number {
  let n = Math.floor((4096 - (lin & 0xfff)) / e);
  if (as !== 8) {
    const top = as === 4 ? TWO32 : 65536;
    n = Math.min(n, Math.floor((top - off) / e));
  }
  return n;
}

/**
 * Bulk REP MOVS (DF=0) of up to `max` elements within one source and one destination page, both in the TLB.
 * Returns the number of elements copied (0 = take the element path).
 */
function bulkMovs(cpu: Cpu, ins: Instr, e: number, max: number): number {
  const s = cpu.i32;
  const as = ins.asize;
  const so = addrReg(s, S.RSI, as), dof = addrReg(s, S.RDI, as);
  const sl0 = linearAddress(cpu, ins.seg, so, e, false);
  const dl0 = linearAddress(cpu, ES, dof, e, true);
  const n = Math.min(max, fitElems(sl0, so, as, e), fitElems(dl0, dof, as, e));
  if (n <= 1) return 0;
  const bytes = n * e;
  const sl = chunkLinear(cpu, ins.seg, so, bytes, false);
  const dl = chunkLinear(cpu, ES, dof, bytes, true);
  if (sl !== sl) return 0;
  if (dl !== dl) return 0;
  const sp = Math.floor(sl / 4096), dp = Math.floor(dl / 4096);
  const si = sp & S.TLB_MASK, di = dp & S.TLB_MASK;
  // Translate missing pages here rather than copying one element to fill the TLB (a copy touches a new page every
  // 4 KiB). The order and faults are the element path's: source read first, then destination write, nothing copied.
  if (cpu.tagR[si] !== sp) cpu.probeRead(sl, 1);
  if (cpu.tagW[di] !== dp) cpu.probeWrite(dl, 1);
  if (cpu.tagR[si] !== sp || cpu.tagW[di] !== dp) return 0;
  const rs = cpu.toff[si] + (sl & 0xfff);
  const rd = cpu.toff[di] + (dl & 0xfff);
  const ram = cpu.ram;
  if (rd > rs && rd < rs + bytes) {
    // Forward overlap: element-wise semantics replicate the pattern; a byte loop matches when the gap >= e.
    if (rd - rs < e) return 0;
    for (let k = 0; k < bytes; k++) ram[rd + k] = ram[rs + k];
  } else ram.copyWithin(rd, rs, rs + bytes);
  addAddrReg(s, S.RSI, as, bytes);
  addAddrReg(s, S.RDI, as, bytes);
  return n;
}

/** Bulk REP STOS (DF=0) within one destination page in the TLB. */
function bulkStos(cpu: Cpu, ins: Instr, e: number, max: number): number {
  const s = cpu.i32;
  const as = ins.asize;
  const dof = addrReg(s, S.RDI, as);
  const dl0 = linearAddress(cpu, ES, dof, e, true);
  const n = Math.min(max, fitElems(dl0, dof, as, e));
  if (n <= 1) return 0;
  const bytes = n * e;
  const dl = chunkLinear(cpu, ES, dof, bytes, true);
  if (dl !== dl) return 0;
  const dp = Math.floor(dl / 4096);
  const di = dp & S.TLB_MASK;
  if (cpu.tagW[di] !== dp) cpu.probeWrite(dl, 1); // as in bulkMovs: fill the TLB instead of one element store
  if (cpu.tagW[di] !== dp) return 0;
  const rd = cpu.toff[di] + (dl & 0xfff);
  const ram = cpu.ram;
  const v = acc(s, e);
  const hi = ACC_HI;
  const b0 = v & 0xff;
  const uniform =
    e === 1 ||
    (e === 2 && v === b0 * 0x101) ||
    (e === 4 && v === ((b0 * 0x01010101) | 0)) ||
    (e === 8 && v === ((b0 * 0x01010101) | 0) && hi === v);
  if (uniform) ram.fill(b0, rd, rd + bytes);
  else {
    const dv = cpu.rdv;
    if (e === 2) for (let k = 0; k < bytes; k += 2) dv.setUint16(rd + k, v, true);
    else if (e === 4) for (let k = 0; k < bytes; k += 4) dv.setInt32(rd + k, v, true);
    else
      for (let k = 0; k < bytes; k += 8) {
        dv.setInt32(rd + k, v, true);
        dv.setInt32(rd + k + 4, hi, true);
      }
  }
  addAddrReg(s, S.RDI, as, bytes);
  return n;
}

function makeString(kind: number): Handler {
  const cond = kind === Str.CMPS || kind === Str.SCAS;
  return (cpu, ins) => {
    const e = ins.osize;
    if ((ins.prefixes & (Pfx.Rep | Pfx.Repne)) === 0) {
      step(cpu, ins, kind, e);
      return;
    }
    const s = cpu.i32;
    const as = ins.asize;
    // REPNE (F2) on CMPS/SCAS stops when ZF = 1, REPE (F3) when ZF = 0; on the others both mean REP.
    const untilZ = (ins.prefixes & Pfx.Repne) !== 0;
    let budget = REP_BUDGET;
    const bulk = kind === Str.MOVS || kind === Str.STOS;
    for (;;) {
      const count = countOf(s, as);
      if (count === 0) return;
      if (bulk && (s[S.FLAGS] & Flag.DF) === 0) {
        const max = Math.min(count, Math.floor(budget / e));
        const n = kind === Str.MOVS ? bulkMovs(cpu, ins, e, max) : bulkStos(cpu, ins, e, max);
        if (n > 0) {
          addAddrReg(s, S.RCX, as, -n);
          budget -= n * e;
          if (countOf(s, as) === 0) return;
          if (budget < ELEMENT_COST || s[S.PENDING] !== 0) break;
          continue;
        }
      }
      step(cpu, ins, kind, e);
      addAddrReg(s, S.RCX, as, -1);
      if (cond && (getZF(s) !== 0) === untilZ) return;
      if (countOf(s, as) === 0) return;
      budget -= ELEMENT_COST;
      if (budget < ELEMENT_COST || s[S.PENDING] !== 0) break;
    }
    // Yield: re-execute this instruction after the loop has looked at pending events.
    cpu.f64[S.RIP_F] -= ins.len;
    s[S.PENDING] |= Pending.Smc;
  };
}

const movs = makeString(Str.MOVS);
const stos = makeString(Str.STOS);
const lods = makeString(Str.LODS);
const cmps = makeString(Str.CMPS);
const scas = makeString(Str.SCAS);

export const ops: IntOp[] = [
  { names: ['MOVS', 'MOVSB', 'MOVSW', 'MOVSQ', 'MOVSD'], h: movs },
  { names: ['STOS', 'STOSB', 'STOSW', 'STOSD', 'STOSQ'], h: stos },
  { names: ['LODS', 'LODSB', 'LODSW', 'LODSD', 'LODSQ'], h: lods },
  { names: ['CMPS', 'CMPSB', 'CMPSW', 'CMPSQ', 'CMPSD'], h: cmps },
  { names: ['SCAS', 'SCASB', 'SCASW', 'SCASD', 'SCASQ'], h: scas },
];
