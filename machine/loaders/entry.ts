// The CPU state a boot path hands over (Multiboot v1 §3.2 "Machine state"; long-mode entry per SDM Vol. 3 §9.8.5):
// flat segment caches, control registers and the few general registers a protocol defines.
import type { Cpu } from '../cpu/cpu.js';
import {
  GPR_LO, GPR_HI, FLAGS, FLAGS_LAZY, SEG_SEL, SEG_LIMIT, SEG_ATTR, SEG_BASE_F, SEG_LDTR, SEG_TR, CR0, CR3_LO, CR3_HI,
  CR3_F, CR4, EFER, GDTR_LIMIT, GDTR_BASE_F, IDTR_LIMIT, IDTR_BASE_F, RIP_F, HALTED, PENDING,
} from '../cpu/state.js';
import { updateModes } from '../cpu/segments.js';

/** Cached-descriptor attributes (state.ts SEG_ATTR layout: type | S<<4 | DPL<<5 | P<<7 | L<<13 | D<<14 | G<<15). */
export const ATTR_CODE32 = 0xc09b; // execute/read, accessed, present, D=1, G=1
export const ATTR_DATA32 = 0xc093; // read/write, accessed, present, B=1, G=1
export const ATTR_CODE64 = 0xa09b; // execute/read, accessed, present, L=1, G=1
const ATTR_LDT_NULL = 0x0082; // present LDT type, unusable until loaded
const ATTR_TSS_BUSY = 0x008b; // 32/64-bit busy TSS

/** GDT descriptors the boot paths install (also written to guest RAM so selector reloads see the same values). */
export const DESC_NULL = 0n;
export const DESC_CODE32 = 0x00cf9a000000ffffn;
export const DESC_DATA32 = 0x00cf92000000ffffn;
export const DESC_CODE64 = 0x00af9a000000ffffn;
export const DESC_CODE16 = 0x00009a000000ffffn;
export const DESC_DATA16 = 0x000092000000ffffn;

export interface EntryState {
  mode: 'protected32' | 'long64';
  rip: number;
  /** GPR values by index (RAX=0 ... R15=15), 32-bit values or safe integers. Others are zeroed. */
  gprs: Record<number, number>;
  cs: number;
  ds: number;
  gdtBase: number;
  gdtLimit: number;
  cr0: number;
  cr3: number;
  cr4: number;
  efer: number;
  rflags: number;
}

function setSeg(cpu: Cpu, seg: number, sel: number, attr: number, limit: number): void {
  cpu.i32[SEG_SEL(seg)] = sel;
  cpu.i32[SEG_LIMIT(seg)] = limit | 0;
  cpu.i32[SEG_ATTR(seg)] = attr;
  cpu.f64[SEG_BASE_F(seg)] = 0;
}

/** Put the bootstrap processor into `e`'s state. Other state (MSRs, FPU, APIC) keeps its reset values. */
export function applyEntryState(cpu: Cpu, e: EntryState): void {
  const s = cpu.i32;
  for (let r = 0; r < 16; r++) {
    const v = e.gprs[r] ?? 0;
    s[GPR_LO(r)] = v | 0;
    s[GPR_HI(r)] = Math.floor(v / 4294967296) | 0;
  }
  s[FLAGS] = e.rflags | 2;
  s[FLAGS_LAZY] = 0;
  const long = e.mode === 'long64';
  setSeg(cpu, 1, e.cs, long ? ATTR_CODE64 : ATTR_CODE32, 0xffffffff);
  for (const seg of [0, 2, 3, 4, 5]) setSeg(cpu, seg, e.ds, ATTR_DATA32, 0xffffffff);
  setSeg(cpu, SEG_LDTR, 0, ATTR_LDT_NULL, 0xffff);
  setSeg(cpu, SEG_TR, 0, ATTR_TSS_BUSY, 0xffff);
  s[GDTR_LIMIT] = e.gdtLimit;
  cpu.f64[GDTR_BASE_F] = e.gdtBase;
  s[IDTR_LIMIT] = 0x3ff; // the real-mode IVT, as after reset: a fault before the guest loads an IDT goes nowhere useful
  cpu.f64[IDTR_BASE_F] = 0;
  s[CR0] = e.cr0;
  s[CR3_LO] = e.cr3 | 0;
  s[CR3_HI] = 0;
  cpu.f64[CR3_F] = e.cr3;
  s[CR4] = e.cr4;
  s[EFER] = e.efer;
  s[HALTED] = 0;
  s[PENDING] = 0;
  cpu.setCpl(0);
  updateModes(cpu); // CODE_BITS / STACK_SIZE from CS.L/D, SS.B, CR0.PE, EFER.LMA
  cpu.f64[RIP_F] = e.rip;
  cpu.flushTlb(true);
}
