// Register access for hosts, tests and debuggers (SDM Vol. 1 §3.4 basic registers, Vol. 3 §2.5 control registers):
// a BigInt view of one vCPU's state buffer. Cold path: allocation and BigInt are fine here.
import type { Cpu } from './cpu/cpu.js';
import {
  GPR_LO, GPR_HI, RIP_F, FLAGS, CR0, CR2_F, CR3_LO, CR3_HI, CR4, EFER, SEG_SEL, SEG_BASE_F, SEG_LIMIT, SEG_ATTR,
  GDTR_BASE_F, GDTR_LIMIT, IDTR_BASE_F, IDTR_LIMIT, CPL, CODE_BITS, HALTED, FLAGS_LAZY, CR3_F,
} from './cpu/state.js';
import { getFlags, setFlags } from '../jit/interp/flags.js';
import { updateModes } from './cpu/segments.js';

export const GPR_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;
export type GprName = (typeof GPR_NAMES)[number];
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
export type SegName = (typeof SEG_NAMES)[number];

export interface SegmentRegister {
  selector: number;
  base: bigint;
  limit: number;
  /** Descriptor attributes in the state.ts SEG_ATTR layout (type, S, DPL, P, AVL, L, D/B, G). */
  attr: number;
}

export type Registers = Record<GprName, bigint> &
  Record<SegName, SegmentRegister> & {
    rip: bigint;
    rflags: bigint;
    cr0: bigint;
    cr2: bigint;
    cr3: bigint;
    cr4: bigint;
    efer: bigint;
    gdtr: { base: bigint; limit: number };
    idtr: { base: bigint; limit: number };
    /** Read-only facts (ignored by setRegisters). */
    cpl: number;
    codeBits: number;
    halted: number;
  };

const M64 = (1n << 64n) - 1n;

/** A linear address / 64-bit value from its float64 form (signed canonical) as an unsigned BigInt. */
function f64ToBig(v: number): bigint {
  return BigInt(v) & M64;
}

function bigToF64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function pair(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function readRegisters(cpu: Cpu): Registers {
  const s = cpu.i32;
  const f = cpu.f64;
  const r: Partial<Registers> = {};
  GPR_NAMES.forEach((n, i) => (r[n] = pair(s[GPR_LO(i)], s[GPR_HI(i)])));
  SEG_NAMES.forEach((n, i) => (r[n] = { selector: s[SEG_SEL(i)] & 0xffff, base: f64ToBig(f[SEG_BASE_F(i)]), limit: s[SEG_LIMIT(i)] >>> 0, attr: s[SEG_ATTR(i)] }));
  r.rip = f64ToBig(f[RIP_F]);
  r.rflags = BigInt(getFlags(s) >>> 0);
  r.cr0 = BigInt(s[CR0] >>> 0);
  r.cr2 = f64ToBig(f[CR2_F]);
  r.cr3 = pair(s[CR3_LO], s[CR3_HI]);
  r.cr4 = BigInt(s[CR4] >>> 0);
  r.efer = BigInt(s[EFER] >>> 0);
  r.gdtr = { base: f64ToBig(f[GDTR_BASE_F]), limit: s[GDTR_LIMIT] & 0xffff };
  r.idtr = { base: f64ToBig(f[IDTR_BASE_F]), limit: s[IDTR_LIMIT] & 0xffff };
  r.cpl = s[CPL];
  r.codeBits = s[CODE_BITS];
  r.halted = s[HALTED];
  return r as Registers;
}

/**
 * Set registers. Segment registers are set as cached descriptors (no GDT lookup); the code/stack size is recomputed.
 * Control registers are stored as given and the TLB is flushed (no consistency checks: this is a host tool).
 */
export function writeRegisters(cpu: Cpu, r: Partial<Registers>): void {
  const s = cpu.i32;
  const f = cpu.f64;
  GPR_NAMES.forEach((n, i) => {
    const v = r[n];
    if (v === undefined) return;
    s[GPR_LO(i)] = Number(BigInt.asIntN(32, v));
    s[GPR_HI(i)] = Number(BigInt.asIntN(32, v >> 32n));
  });
  let modes = false;
  SEG_NAMES.forEach((n, i) => {
    const v = r[n];
    if (v === undefined) return;
    s[SEG_SEL(i)] = v.selector & 0xffff;
    f[SEG_BASE_F(i)] = bigToF64(v.base);
    s[SEG_LIMIT(i)] = v.limit | 0;
    s[SEG_ATTR(i)] = v.attr;
    modes = true;
  });
  if (r.rip !== undefined) f[RIP_F] = bigToF64(r.rip);
  if (r.rflags !== undefined) {
    setFlags(s, Number(r.rflags & 0xffffffffn) | 2);
    s[FLAGS_LAZY] = 0;
  }
  let paging = false;
  if (r.cr0 !== undefined) (s[CR0] = Number(BigInt.asIntN(32, r.cr0))), (paging = modes = true);
  if (r.cr2 !== undefined) f[CR2_F] = bigToF64(r.cr2);
  if (r.cr3 !== undefined) {
    s[CR3_LO] = Number(BigInt.asIntN(32, r.cr3));
    s[CR3_HI] = Number(BigInt.asIntN(32, r.cr3 >> 32n));
    f[CR3_F] = Number(r.cr3 & ~0xfffn);
    paging = true;
  }
  if (r.cr4 !== undefined) (s[CR4] = Number(BigInt.asIntN(32, r.cr4))), (paging = true);
  if (r.efer !== undefined) (s[EFER] = Number(BigInt.asIntN(32, r.efer))), (paging = modes = true);
  if (r.gdtr !== undefined) (f[GDTR_BASE_F] = bigToF64(r.gdtr.base)), (s[GDTR_LIMIT] = r.gdtr.limit);
  if (r.idtr !== undefined) (f[IDTR_BASE_F] = bigToF64(r.idtr.base)), (s[IDTR_LIMIT] = r.idtr.limit);
  if (modes) updateModes(cpu);
  if (paging) cpu.flushTlb(true);
}
