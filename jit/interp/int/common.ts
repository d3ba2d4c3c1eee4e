// Shared helpers of the integer instruction families (SDM Vol. 1 §3.4 registers, §6.2 stack, §3.5 RIP): 64-bit
// values as int32 halves, linear addresses of operands, pushes/pops and branch targets in every mode.
import { S } from '../slots.js';
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr, Operand } from '../../decoder/instr.js';
import { OpKind, RegClass, REG_RIP } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { SEG_LIMIT } from '../../../machine/cpu/state.js';
import { Vec } from '../../../machine/cpu/fault.js';
import { linearAddress, operandAddress, getGpr8Hi, setGpr8Hi, setGpr } from '../operands.js';

export const TWO32 = 4294967296;
const CANON = 140737488355328; // 2^47

/** One integer instruction definition: the SDM mnemonic(s) it implements, its handler, optional specialiser. */
export interface IntOp {
  names: string[];
  h: Handler;
  /** Picks a handler specialised for the decoded instruction's operand shape (called once per decode). */
  prepare?: (ins: Instr) => Handler;
  endsBlock?: boolean;
}

export const SP_LO = S.RSP << 1;
export const SP_HI = (S.RSP << 1) | 1;

// ---- 64-bit values as (lo, hi) int32 pairs -------------------------------------------------------------------

/** The signed 64-bit value of a pair as a double (exact for canonical addresses and anything below 2^53). */
export function pairToNum(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0);
}

/** High int32 of an integral double (two's complement split). */
export function numHi(x: number): number {
  return Math.floor(x / TWO32) | 0;
}

/** Low int32 of an integral double. */
export function numLo(x: number): number {
  return (x - Math.floor(x / TWO32) * TWO32) | 0;
}

export function isCanonical(x: number): boolean {
  return x >= -CANON && x < CANON;
}

// ---- operands -----------------------------------------------------------------------------------------------

/** Value of an 8-bit register operand (AL..R15B or AH..BH). */
export function reg8(cpu: Cpu, o: Operand): number {
  return o.rc === RegClass.Gpr8Hi ? getGpr8Hi(cpu, o.reg) : cpu.i32[o.reg << 1] & 0xff;
}

export function setReg8(cpu: Cpu, o: Operand, v: number): void {
  if (o.rc === RegClass.Gpr8Hi) setGpr8Hi(cpu, o.reg, v);
  else {
    const i = o.reg << 1;
    cpu.i32[i] = (cpu.i32[i] & ~0xff) | (v & 0xff);
  }
}

/**
 * Linear address of memory operand `o` for a read (write=false) or a write / read-modify-write. 64-bit addressing
 * without an FS/GS base takes a fast path (exact while the registers hold values below 2^52, which is checked);
 * everything else, and every fault, goes through operands.ts.
 */
export function addrOf(cpu: Cpu, ins: Instr, o: Operand, write: boolean): number {
  if (ins.asize === 8 && ins.seg < 4) {
    const s = cpu.i32;
    let a = o.disp;
    const b = o.base, x = o.index;
    if (b === REG_RIP) a += cpu.f64[S.RIP_F];
    else {
      if (o.dispHi !== 0) return operandAddress(cpu, ins, o, write);
      if (b >= 0) {
        const h = s[(b << 1) | 1];
        if (((h + 0x100000) >>> 0) >= 0x200000) return operandAddress(cpu, ins, o, write);
        a += h * TWO32 + (s[b << 1] >>> 0);
      }
    }
    if (x >= 0) {
      const h = s[(x << 1) | 1];
      if (((h + 0x100000) >>> 0) >= 0x200000) return operandAddress(cpu, ins, o, write);
      a += (h * TWO32 + (s[x << 1] >>> 0)) * o.scale;
    }
    if (a >= -CANON && a < CANON - 16) return a;
  }
  return operandAddress(cpu, ins, o, write);
}

export function isReg(o: Operand): boolean {
  return o.kind === OpKind.Reg;
}

export function isMem(o: Operand): boolean {
  return o.kind === OpKind.Mem;
}

export function isImm(o: Operand): boolean {
  return o.kind === OpKind.Imm;
}

/** Mask of an operand size in bytes (1, 2, 4: as unsigned; 8 handled by callers). */
export function sizeMask(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
}

// ---- address-size registers (string ops, LOOP, JrCXZ, XLAT) -----------------------------------------------

/** Register `r` as an unsigned address of `asize` bytes (2, 4: exact; 8: the signed 64-bit value as a double). */
export function addrReg(s: Int32Array, r: number, asize: number): number {
  const i = r << 1;
  if (asize === 8) return pairToNum(s[i], s[i | 1]);
  if (asize === 4) return s[i] >>> 0;
  return s[i] & 0xffff;
}

/** Add `delta` (a small signed integer) to register `r` as an `asize`-byte address register. */
export function addAddrReg(s: Int32Array, r: number, asize: number, delta: number): void {
  const i = r << 1;
  if (asize === 8) {
    const lo = (s[i] >>> 0) + delta;
    // Carry or borrow into the high half: delta is well below 2^32 in magnitude.
    s[i | 1] = (s[i | 1] + Math.floor(lo / TWO32)) | 0;
    s[i] = lo | 0;
  } else if (asize === 4) {
    s[i] = (s[i] + delta) | 0;
    s[i | 1] = 0;
  } else {
    s[i] = (s[i] & ~0xffff) | ((s[i] + delta) & 0xffff);
  }
}

// ---- stack (SDM Vol. 1 §6.2; 64-bit: RSP, else SS.B decides ESP or SP) ------------------------------------

/** Stack-pointer offset after subtracting `n` (not committed). Caller checks and writes. */
export function spMinus(cpu: Cpu, n: number): number {
  const s = cpu.i32;
  const ss = cpu.i32[S.STACK_SIZE];
  if (ss === 8) return pairToNum(s[SP_LO], s[SP_HI]) - n;
  if (ss === 4) return ((s[SP_LO] >>> 0) - n) >>> 0;
  return (s[SP_LO] - n) & 0xffff;
}

export function spPlus(cpu: Cpu, n: number): number {
  const s = cpu.i32;
  const ss = s[S.STACK_SIZE];
  if (ss === 8) return pairToNum(s[SP_LO], s[SP_HI]) + n;
  if (ss === 4) return ((s[SP_LO] >>> 0) + n) >>> 0;
  return (s[SP_LO] + n) & 0xffff;
}

/** Commit a stack-pointer offset computed by spMinus/spPlus. */
export function setSp(cpu: Cpu, off: number): void {
  const s = cpu.i32;
  const ss = s[S.STACK_SIZE];
  if (ss === 8) {
    s[SP_LO] = numLo(off);
    s[SP_HI] = numHi(off);
  } else if (ss === 4) {
    s[SP_LO] = off | 0;
    if (cpu.i32[S.CODE_BITS] === 64) s[SP_HI] = 0;
  } else s[SP_LO] = (s[SP_LO] & ~0xffff) | (off & 0xffff);
}

/** Linear address of a stack slot at stack offset `off` (SS segment checks; 64-bit canonical -> #SS). */
export function stackLin(cpu: Cpu, off: number, size: number, write: boolean): number {
  return linearAddress(cpu, 2, off, size, write);
}

/** Push `size` bytes (2, 4, 8) holding (lo, hi). Precise: RSP changes only after the store succeeded. */
export function push(cpu: Cpu, size: number, lo: number, hi: number): void {
  const off = spMinus(cpu, size);
  const lin = stackLin(cpu, off, size, true);
  if (size === 8) cpu.wr64(lin, lo, hi);
  else if (size === 4) cpu.wr32(lin, lo);
  else cpu.wr16(lin, lo);
  setSp(cpu, off);
}

/** Read the top of stack (size 2/4/8) without popping: returns lo, hi in cpu.hi (0 for sizes below 8). */
export function peek(cpu: Cpu, size: number, extra = 0): number {
  const off = spPlus(cpu, extra);
  const lin = stackLin(cpu, off, size, false);
  if (size === 8) return cpu.rd64(lin);
  cpu.hi = 0;
  return size === 4 ? cpu.rd32(lin) : cpu.rd16(lin);
}

/** Pop `size` bytes: returns lo (hi in cpu.hi) and commits the new stack pointer. */
export function pop(cpu: Cpu, size: number): number {
  const v = peek(cpu, size);
  const h = cpu.hi;
  setSp(cpu, spPlus(cpu, size));
  cpu.hi = h;
  return v;
}

// ---- control transfers ----------------------------------------------------------------------------------------

/**
 * Commit a near branch target (SDM Vol. 1 §6.3): wrap to the operand size, #GP(0) on a non-canonical target in
 * 64-bit mode or on a target beyond the CS limit elsewhere. `t` is an integral double (signed or unsigned).
 */
export function branchTo(cpu: Cpu, osize: number, t: number): void {
  if (osize === 8) {
    if (!isCanonical(t)) {
      // Relative targets may wrap around 2^64 into the canonical range.
      const w = pairToNum(numLo(t), numHi(t));
      if (!isCanonical(w)) cpu.fault(Vec.GP, 0);
      t = w;
    }
    cpu.f64[S.RIP_F] = t;
    return;
  }
  const v = osize === 4 ? numLo(t) >>> 0 : numLo(t) & 0xffff;
  if (cpu.i32[S.CODE_BITS] !== 64 && v > cpu.i32[SEG_LIMIT(1)] >>> 0) cpu.fault(Vec.GP, 0);
  cpu.f64[S.RIP_F] = v;
}

/** Next-instruction address as (lo, hi) for CALL: sets cpu.hi, returns lo. */
export function ripPair(cpu: Cpu): number {
  const r = cpu.f64[S.RIP_F];
  cpu.hi = numHi(r);
  return numLo(r);
}

/**
 * Read-modify-write precision: make sure a store of `size` bytes at `lin` cannot fault before anything is
 * committed. Free when the TLB already holds a write mapping; otherwise the MMU raises the fault now.
 */
export function rmwCheck(cpu: Cpu, lin: number, size: number): void {
  const page = Math.floor(lin / 4096);
  if (cpu.tagW[page & S.TLB_MASK] !== page || (lin & 0xfff) > 4096 - size) cpu.probeWrite(lin, size);
}

/** Where readDest left a memory destination's linear address (its write-back target); like cpu.hi, read at once. */
export const dest = { lin: 0 };

/**
 * Value of a read-modify-write destination at `size` bytes (high half of 64 in cpu.hi). A memory operand is checked
 * writable before it is read, so the instruction faults before changing anything; its address is left in dest.lin.
 */
export function readDest(cpu: Cpu, ins: Instr, o: Operand, size: number): number {
  if (o.kind !== OpKind.Mem) return readSrc(cpu, ins, o, size);
  const lin = addrOf(cpu, ins, o, true);
  rmwCheck(cpu, lin, size);
  dest.lin = lin;
  return rdSize(cpu, lin, size);
}

/**
 * Value of a source operand at `size` bytes: registers and memory as readOp does, immediates sign-extended to
 * `size` by the decoder (imm/immHi) and masked here. Returns lo (size 1/2 zero-extended, 4 as int32); for size 8
 * the high half is in cpu.hi.
 */
export function readSrc(cpu: Cpu, ins: Instr, o: Operand, size: number): number {
  if (o.kind === OpKind.Imm) {
    cpu.hi = o.immHi;
    return size === 1 ? o.imm & 0xff : size === 2 ? o.imm & 0xffff : o.imm;
  }
  if (o.kind === OpKind.Reg) {
    const s = cpu.i32;
    if (o.rc === RegClass.Gpr8Hi) return getGpr8Hi(cpu, o.reg);
    const i = o.reg << 1;
    cpu.hi = s[i | 1];
    return size === 1 ? s[i] & 0xff : size === 2 ? s[i] & 0xffff : s[i];
  }
  const lin = operandAddress(cpu, ins, o, false);
  if (size === 4) return cpu.rd32(lin);
  if (size === 1) return cpu.rd8(lin);
  if (size === 2) return cpu.rd16(lin);
  return cpu.rd64(lin);
}

/** Read a memory operand of `size` at linear `lin` (size 8: hi in cpu.hi). */
export function rdSize(cpu: Cpu, lin: number, size: number): number {
  if (size === 4) return cpu.rd32(lin);
  if (size === 1) return cpu.rd8(lin);
  if (size === 2) return cpu.rd16(lin);
  return cpu.rd64(lin);
}

export function wrSize(cpu: Cpu, lin: number, size: number, v: number, hi: number): void {
  if (size === 4) cpu.wr32(lin, v);
  else if (size === 1) cpu.wr8(lin, v);
  else if (size === 2) cpu.wr16(lin, v);
  else cpu.wr64(lin, v, hi);
}

/** Write a register operand at its size (8/16 merge, 32 zero-extends, 64 takes hi). */
export function writeReg(cpu: Cpu, o: Operand, size: number, v: number, hi: number): void {
  if (o.rc === RegClass.Gpr8Hi) setGpr8Hi(cpu, o.reg, v);
  else setGpr(cpu, o.reg, size, v, hi);
}
