// Compact per-block programs for the interpreter's block loop: the hottest register, load/store and branch shapes of
// SDM Vol. 2 integer instructions get a small id and pre-extracted operands, run inline by fast-exec.ts.
import type { Instr, Operand } from '../decoder/instr.js';
import { OpKind, REG_NONE, REG_RIP } from '../decoder/instr.js';
import { Block, type Handler } from '../cache/code-cache.js';

/**
 * Fast-path ids (the switch in fast-exec.ts). Every id except CALL/CALLR stands for one specialised handler, whose
 * semantics the inline code reproduces exactly (the handler stays the reference and the JIT's fallback).
 */
export const enum F {
  CALL = 0, // publish RIP, call the handler, leave the block if PENDING
  CALLR = 1, // register-only handler: call it, no bookkeeping
  ADD_RR4, ADD_RI4, SUB_RR4, SUB_RI4, CMP_RR4, CMP_RI4, AND_RR4, AND_RI4, OR_RR4, OR_RI4, XOR_RR4, XOR_RI4,
  TEST_RR4, TEST_RI4,
  ADD_RR8, ADD_RI8, SUB_RR8, SUB_RI8, CMP_RR8, CMP_RI8, AND_RR8, AND_RI8, OR_RR8, OR_RI8, XOR_RR8, XOR_RI8,
  TEST_RR8, TEST_RI8,
  INC_R4, DEC_R4, INC_R8, DEC_R8,
  MOV_RR4, MOV_RR8, MOV_RI4, MOV_RI8,
  LEA4, LEA8,
  SHL_RI4, SHR_RI4, SAR_RI4, SHL_RI8, SHR_RI8, SAR_RI8,
  CMOV_RR4, CMOV_RR8,
  MOV_RM4, MOV_RM8, MOV_MR4, MOV_MR8, MOV_MI4,
  JCC64, JMP64,
  JCC64_LOOP, // a JCC64 whose target is its own block's start (tight loops)
}

/** Operand layout of an id (how encode() fills the a/b/c slots). */
const enum Shape {
  RR, // a = dst slot, b = src slot
  RI, // a = dst slot, b = imm, c = immHi
  R, // a = slot
  SHIFT4, // a = slot, b = count & 31
  SHIFT8, // a = slot, b = count & 63
  CMOV, // a = dst slot, b = src slot, c = cond
  LEA, // a = dst slot, b = packed address, c = disp
  LOAD, // a = dst slot, b = packed address, c = disp (memory operand o1)
  STORE, // a = src slot, b = packed address, c = disp (memory operand o0)
  STOREI, // a = imm, b = packed address, c = disp
  REL, // a = displacement, c = cond
}

const ids = new Map<Handler, { id: F; shape: Shape }>();

function mark(h: Handler, id: F, shape: Shape): void {
  ids.set(h, { id, shape });
}

/** Register-register and register-immediate ALU handlers (kind order of alu.ts K: ADD OR ADC SBB AND SUB XOR CMP TEST). */
export function markAlu(k: number, size: 4 | 8, rr: Handler, ri: Handler): void {
  const id4 = [F.ADD_RR4, F.OR_RR4, -1, -1, F.AND_RR4, F.SUB_RR4, F.XOR_RR4, F.CMP_RR4, F.TEST_RR4][k];
  if (id4 === undefined || id4 < 0) return; // ADC/SBB stay handler calls
  const id = size === 4 ? id4 : id4 + (F.ADD_RR8 - F.ADD_RR4);
  mark(rr, id, Shape.RR);
  mark(ri, id + 1, Shape.RI);
}

export function markIncDec(inc: boolean, size: 4 | 8, h: Handler): void {
  mark(h, size === 4 ? (inc ? F.INC_R4 : F.DEC_R4) : inc ? F.INC_R8 : F.DEC_R8, Shape.R);
}

export function markMov(rr4: Handler, rr8: Handler, ri4: Handler, ri8: Handler, rm4: Handler, rm8: Handler, mr4: Handler, mr8: Handler, mi4: Handler): void {
  mark(rr4, F.MOV_RR4, Shape.RR);
  mark(rr8, F.MOV_RR8, Shape.RR);
  mark(ri4, F.MOV_RI4, Shape.RI);
  mark(ri8, F.MOV_RI8, Shape.RI);
  mark(rm4, F.MOV_RM4, Shape.LOAD);
  mark(rm8, F.MOV_RM8, Shape.LOAD);
  mark(mr4, F.MOV_MR4, Shape.STORE);
  mark(mr8, F.MOV_MR8, Shape.STORE);
  mark(mi4, F.MOV_MI4, Shape.STOREI);
}

export function markLea(lea4: Handler, lea8: Handler): void {
  mark(lea4, F.LEA4, Shape.LEA);
  mark(lea8, F.LEA8, Shape.LEA);
}

/** Register-by-immediate shifts: kind SHL = 0, SHR = 1, SAR = 2. */
export function markShift(kind: 0 | 1 | 2, ri4: Handler, ri8: Handler): void {
  mark(ri4, F.SHL_RI4 + kind, Shape.SHIFT4);
  mark(ri8, F.SHL_RI8 + kind, Shape.SHIFT8);
}

/** The register CMOVcc handler (32- and 64-bit: encode() picks by operand size). */
export function markCmov(h: Handler): void {
  mark(h, F.CMOV_RR4, Shape.CMOV);
}

export function markBranch(jcc64: readonly Handler[], jmp64: Handler): void {
  for (const h of jcc64) mark(h, F.JCC64, Shape.REL);
  mark(jmp64, F.JMP64, Shape.REL);
}

/** Registers with no index or base. */
const NONE = 0xff;

/**
 * Packed memory operand for the inline 64-bit address path (base | index << 8 | scale << 16; 16 = RIP, 0xff = none),
 * or -1 when the operand needs the general path (segment base, 32/16-bit addressing, a 64-bit absolute address).
 */
function packMem(ins: Instr, o: Operand): number {
  if (ins.asize !== 8 || ins.seg >= 4 || o.dispHi !== 0) return -1;
  const base = o.base === REG_NONE ? NONE : o.base === REG_RIP ? 16 : o.base;
  const index = o.index === REG_NONE ? NONE : o.index;
  return base | (index << 8) | (o.scale << 16);
}

/** A Block with the interpreter's compact program (4 int32 per instruction: id, a, b, c). */
export class IBlock extends Block {
  prog: Int32Array = EMPTY;
  /** `ends` as int32 (typed loads keep the block loop's RIP arithmetic in machine doubles). */
  ends32: Int32Array = EMPTY;
  /** After the last instruction the loop must publish RIP itself (the last one is not a control transfer). */
  tailRip = false;
}

const EMPTY = new Int32Array(0);

/** Build the compact program of a fully decoded block. */
export function compileBlock(b: IBlock): void {
  const n = b.instrs.length;
  const p = new Int32Array(n * 4);
  for (let i = 0; i < n; i++) encode(b.instrs[i], b.handlers[i], b.sync[i], p, i * 4);
  b.prog = p;
  b.ends32 = Int32Array.from(b.ends);
  const last = p[(n - 1) * 4];
  if (last === F.JCC64 && p[(n - 1) * 4 + 1] + b.ends[n - 1] === 0) p[(n - 1) * 4] = F.JCC64_LOOP;
  b.tailRip = last !== F.CALL && last !== F.JCC64 && last !== F.JMP64;
}

function encode(ins: Instr, h: Handler, sync: number, p: Int32Array, k: number): void {
  const e = ids.get(h);
  p[k] = sync !== 0 ? F.CALL : F.CALLR;
  if (e === undefined) return;
  const o0 = ins.o0, o1 = ins.o1;
  switch (e.shape) {
    case Shape.RR:
    case Shape.CMOV:
      p[k + 1] = o0.reg << 1;
      p[k + 2] = o1.reg << 1;
      p[k + 3] = ins.cond;
      break;
    case Shape.RI:
      p[k + 1] = o0.reg << 1;
      p[k + 2] = o1.imm;
      p[k + 3] = o1.immHi;
      break;
    case Shape.R:
      p[k + 1] = o0.reg << 1;
      break;
    case Shape.SHIFT4:
    case Shape.SHIFT8:
      p[k + 1] = o0.reg << 1;
      p[k + 2] = o1.imm & (e.shape === Shape.SHIFT4 ? 31 : 63);
      break;
    case Shape.LEA: {
      // The handlers' own conditions (no RIP base, no 64-bit absolute) already hold; only pack registers.
      p[k + 1] = o0.reg << 1;
      p[k + 2] = (o1.base === REG_NONE ? NONE : o1.base) | ((o1.index === REG_NONE ? NONE : o1.index) << 8) | (o1.scale << 16);
      p[k + 3] = o1.disp;
      break;
    }
    case Shape.LOAD:
    case Shape.STORE:
    case Shape.STOREI: {
      const m = e.shape === Shape.LOAD ? o1 : o0;
      const packed = packMem(ins, m);
      if (packed < 0) return; // stays a handler call
      p[k + 1] = e.shape === Shape.LOAD ? o0.reg << 1 : e.shape === Shape.STORE ? o1.reg << 1 : o1.imm;
      p[k + 2] = packed;
      p[k + 3] = m.disp;
      break;
    }
    case Shape.REL:
      if (o0.kind !== OpKind.Rel) return;
      p[k + 1] = o0.disp;
      p[k + 3] = ins.cond;
      break;
  }
  p[k] = e.shape === Shape.CMOV && o0.size === 8 ? F.CMOV_RR8 : e.id;
}
