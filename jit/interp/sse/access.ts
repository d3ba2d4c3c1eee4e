// XMM/MMX operand access for SSE handlers (SDM Vol. 1 §10.4-§11.4 data movement; §11.6.7 alignment of 128-bit
// memory operands: legacy-encoded m128 operands must be 16-byte aligned except the explicitly unaligned moves).
// Operands are copied into scratch lanes first so that a handler can fault (memory, #XM) before writing anything.
import type { Cpu } from '../../../machine/cpu/cpu.js';
import { Instr, Operand, OpKind, RegClass } from '../../decoder/instr.js';
import { XMM_I32, FPR_I32, CODE_BITS, FPU_TOP, FPU_TAG } from '../../../machine/cpu/state.js';
import { Vec } from '../../../machine/cpu/fault.js';
import { operandAddress, getGpr } from '../operands.js';

const TWO32 = 4294967296;

/** Scratch vectors: X = destination / first source, Y = second source, Z = result (each 16 bytes). */
export const X = new Int32Array(4);
export const Y = new Int32Array(4);
export const Z = new Int32Array(4);
export const XB = new Uint8Array(X.buffer);
export const YB = new Uint8Array(Y.buffer);
export const ZB = new Uint8Array(Z.buffer);
export const XS8 = new Int8Array(X.buffer);
export const YS8 = new Int8Array(Y.buffer);
export const XW = new Int16Array(X.buffer);
export const YW = new Int16Array(Y.buffer);
export const ZW = new Int16Array(Z.buffer);
export const XUW = new Uint16Array(X.buffer);
export const YUW = new Uint16Array(Y.buffer);
export const ZUW = new Uint16Array(Z.buffer);

/** Linear address of the second half of a 16-byte access (4 GiB wrap outside 64-bit mode). */
function plus(cpu: Cpu, lin: number, k: number): number {
  const a = lin + k;
  return cpu.i32[CODE_BITS] === 64 || a < TWO32 ? a : a - TWO32;
}

export function alignFault(cpu: Cpu): never {
  return cpu.fault(Vec.GP, 0);
}

/** Read `size` (4, 8, 16) bytes at lin into v (lanes beyond size untouched). */
export function readVec(cpu: Cpu, lin: number, size: number, v: Int32Array): void {
  if (size === 16) {
    const lo = cpu.rd64(lin);
    const hi = cpu.hi;
    const b = plus(cpu, lin, 8);
    const lo2 = cpu.rd64(b);
    v[0] = lo;
    v[1] = hi;
    v[2] = lo2;
    v[3] = cpu.hi;
  } else if (size === 8) {
    v[0] = cpu.rd64(lin);
    v[1] = cpu.hi;
  } else if (size === 4) v[0] = cpu.rd32(lin);
  else if (size === 2) v[0] = cpu.rd16(lin);
  else v[0] = cpu.rd8(lin);
}

/** Write `size` bytes of v at lin; multi-part stores are probed first so a fault leaves memory untouched. */
export function writeVec(cpu: Cpu, lin: number, size: number, v: Int32Array): void {
  if (size === 16) {
    if ((lin & 0xfff) > 0xff0) cpu.probeWrite(lin, 16);
    cpu.wr64(lin, v[0], v[1]);
    cpu.wr64(plus(cpu, lin, 8), v[2], v[3]);
  } else if (size === 8) cpu.wr64(lin, v[0], v[1]);
  else if (size === 4) cpu.wr32(lin, v[0]);
  else if (size === 2) cpu.wr16(lin, v[0]);
  else cpu.wr8(lin, v[0]);
}

export function loadXmm(cpu: Cpu, r: number, v: Int32Array): void {
  const s = cpu.i32;
  const b = XMM_I32(r);
  v[0] = s[b];
  v[1] = s[b + 1];
  v[2] = s[b + 2];
  v[3] = s[b + 3];
}

export function storeXmm(cpu: Cpu, r: number, v: Int32Array): void {
  const s = cpu.i32;
  const b = XMM_I32(r);
  s[b] = v[0];
  s[b + 1] = v[1];
  s[b + 2] = v[2];
  s[b + 3] = v[3];
}

/** Any MMX instruction (except EMMS) sets TOP = 0 and marks every x87 register valid (SDM Vol. 1 §9.5.1). */
export function mmxEnter(cpu: Cpu): void {
  const s = cpu.i32;
  s[FPU_TOP] = 0;
  s[FPU_TAG] = 0xff;
}

export function loadMmx(cpu: Cpu, r: number, v: Int32Array): void {
  const s = cpu.i32;
  const b = FPR_I32(r & 7);
  v[0] = s[b];
  v[1] = s[b + 1];
}

/** MMX register writes also set the x87 exponent field to all ones. */
export function storeMmx(cpu: Cpu, r: number, v: Int32Array): void {
  const s = cpu.i32;
  const b = FPR_I32(r & 7);
  s[b] = v[0];
  s[b + 1] = v[1];
  s[b + 2] = 0xffff;
}

/**
 * Read a vector source operand (XMM/MMX register or memory of o.size bytes) into v. `aligned`: legacy m128
 * alignment rule (#GP(0) on a misaligned 16-byte operand).
 */
export function loadSrc(cpu: Cpu, ins: Instr, o: Operand, v: Int32Array, aligned: boolean): void {
  if (o.kind === OpKind.Reg) {
    if (o.rc === RegClass.Xmm) loadXmm(cpu, o.reg, v);
    else if (o.rc === RegClass.Mmx) loadMmx(cpu, o.reg, v);
    else {
      // General register source (MOVD/MOVQ/PINSR*, CVTSI2SS).
      v[0] = getGpr(cpu, o.reg, o.size);
      v[1] = o.size === 8 ? cpu.hi : 0;
    }
    return;
  }
  const lin = operandAddress(cpu, ins, o, false);
  if (aligned && o.size === 16 && (lin & 15) !== 0) alignFault(cpu);
  readVec(cpu, lin, o.size, v);
}

/** Linear address of a memory operand for a store, with the m128 alignment check when requested. */
export function storeAddress(cpu: Cpu, ins: Instr, o: Operand, aligned: boolean): number {
  const lin = operandAddress(cpu, ins, o, true);
  if (aligned && o.size === 16 && (lin & 15) !== 0) alignFault(cpu);
  return lin;
}

export function immOf(ins: Instr): number {
  if (ins.o2.kind === OpKind.Imm) return ins.o2.imm & 0xff;
  if (ins.o3.kind === OpKind.Imm) return ins.o3.imm & 0xff;
  return ins.o1.kind === OpKind.Imm ? ins.o1.imm & 0xff : 0;
}
