// Model-specific registers (SDM Vol. 4 "Model-Specific Registers", Vol. 3 §2.2.1 EFER, §5.8.7-8 SYSENTER/SYSCALL
// MSRs, §11.11 MTRRs, §11.12 PAT, §17.17 time-stamp counter). Unknown MSRs and reserved bits raise #GP(0).
import type { Cpu } from './cpu.js';
import { CpuFault, Vec } from './fault.js';
import {
  EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_FMASK, MSR_KGSBASE, MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP,
  MSR_APIC_BASE, MSR_PAT, MSR_TSC_AUX, MSR_MTRR_DEF, MSR_TSC_ADJ, MSR_MISC_ENABLE, MTRR_VAR, MTRR_FIX, SEG_BASE_F,
  ICOUNT_F, TSC_LAST_F,
} from './state.js';
import { writeEfer } from './control.js';
import { MAXPHYADDR } from './mmu.js';
import { FS, GS } from './segments.js';

const TWO32 = 4294967296;
const CANON = 140737488355328;

export const enum Msr {
  TSC = 0x10,
  APIC_BASE = 0x1b,
  BIOS_SIGN_ID = 0x8b, // microcode revision (EDX); there is no microcode: always 0
  MTRRCAP = 0xfe,
  SYSENTER_CS = 0x174,
  SYSENTER_ESP = 0x175,
  SYSENTER_EIP = 0x176,
  MISC_ENABLE = 0x1a0,
  MTRR_PHYSBASE0 = 0x200, // ..0x20F: PHYSBASEn = 0x200 + 2n, PHYSMASKn = 0x201 + 2n
  MTRR_FIX64K = 0x250,
  MTRR_FIX16K_80000 = 0x258,
  MTRR_FIX16K_A0000 = 0x259,
  MTRR_FIX4K_C0000 = 0x268, // ..0x26F
  PAT = 0x277,
  MTRR_DEF_TYPE = 0x2ff,
  EFER = 0xc0000080,
  STAR = 0xc0000081,
  LSTAR = 0xc0000082,
  CSTAR = 0xc0000083,
  FMASK = 0xc0000084,
  FS_BASE = 0xc0000100,
  GS_BASE = 0xc0000101,
  KERNEL_GS_BASE = 0xc0000102,
  TSC_AUX = 0xc0000103,
}

/** Eight variable-range MTRRs, fixed ranges and write-combining (IA32_MTRRCAP). */
const MTRRCAP = 8 | (1 << 8) | (1 << 10);

// ---- time-stamp counter -------------------------------------------------------------------------------------------

/**
 * Current TSC: the machine's virtual-time source (or retired instructions) plus the offset software wrote. Strictly
 * increasing per CPU so that back-to-back RDTSC inside one block still advance; deterministic because it depends only
 * on retired instructions and the number of reads.
 */
export function readTsc(cpu: Cpu): number {
  const s = cpu.i32;
  const base = cpu.tscSource !== undefined ? cpu.tscSource(cpu) : cpu.f64[ICOUNT_F];
  let t = base + s[MSR_TSC_ADJ + 1] * TWO32 + (s[MSR_TSC_ADJ] >>> 0);
  const last = cpu.f64[TSC_LAST_F];
  if (!(t > last)) t = last + 1;
  cpu.f64[TSC_LAST_F] = t;
  return t;
}

/** WRMSR IA32_TSC: later reads continue from `value`. */
export function writeTsc(cpu: Cpu, value: number): void {
  const s = cpu.i32;
  const base = cpu.tscSource !== undefined ? cpu.tscSource(cpu) : cpu.f64[ICOUNT_F];
  const adj = value - base;
  s[MSR_TSC_ADJ] = adj % TWO32 | 0;
  s[MSR_TSC_ADJ + 1] = Math.floor(adj / TWO32) | 0;
  cpu.f64[TSC_LAST_F] = value - 1;
}

// ---- RDMSR / WRMSR ----------------------------------------------------------------------------------------------

/** Result of the last readMsr (edx:eax). */
export let msrLo = 0;
export let msrHi = 0;

const gp = (): never => {
  throw new CpuFault(Vec.GP, 0);
};

function pair(cpu: Cpu, idx: number): void {
  msrLo = cpu.i32[idx];
  msrHi = cpu.i32[idx + 1];
}

function baseOf(cpu: Cpu, seg: number): void {
  const v = cpu.f64[SEG_BASE_F(seg)];
  msrHi = Math.floor(v / TWO32) | 0;
  msrLo = (v - Math.floor(v / TWO32) * TWO32) | 0;
}

/** RDMSR: value into msrLo/msrHi, or #GP(0). */
export function readMsr(cpu: Cpu, index: number): void {
  const i = index >>> 0;
  switch (i) {
    case Msr.TSC: {
      const t = readTsc(cpu);
      msrHi = Math.floor(t / TWO32) | 0;
      msrLo = (t - Math.floor(t / TWO32) * TWO32) | 0;
      return;
    }
    case Msr.APIC_BASE: return pair(cpu, MSR_APIC_BASE);
    case Msr.BIOS_SIGN_ID:
      msrLo = 0;
      msrHi = 0;
      return;
    case Msr.MTRRCAP:
      msrLo = MTRRCAP;
      msrHi = 0;
      return;
    case Msr.SYSENTER_CS: return pair(cpu, MSR_SYSENTER_CS);
    case Msr.SYSENTER_ESP: return pair(cpu, MSR_SYSENTER_ESP);
    case Msr.SYSENTER_EIP: return pair(cpu, MSR_SYSENTER_EIP);
    case Msr.MISC_ENABLE: return pair(cpu, MSR_MISC_ENABLE);
    case Msr.PAT: return pair(cpu, MSR_PAT);
    case Msr.MTRR_DEF_TYPE: return pair(cpu, MSR_MTRR_DEF);
    case Msr.EFER:
      msrLo = cpu.i32[EFER];
      msrHi = 0;
      return;
    case Msr.STAR: return pair(cpu, MSR_STAR);
    case Msr.LSTAR: return pair(cpu, MSR_LSTAR);
    case Msr.CSTAR: return pair(cpu, MSR_CSTAR);
    case Msr.FMASK: return pair(cpu, MSR_FMASK);
    case Msr.FS_BASE: return baseOf(cpu, FS);
    case Msr.GS_BASE: return baseOf(cpu, GS);
    case Msr.KERNEL_GS_BASE: return pair(cpu, MSR_KGSBASE);
    case Msr.TSC_AUX: return pair(cpu, MSR_TSC_AUX);
  }
  const mtrr = mtrrSlot(i);
  if (mtrr >= 0) return pair(cpu, mtrr);
  gp();
}

/** State index of an MTRR MSR, or -1. */
function mtrrSlot(i: number): number {
  if (i >= 0x200 && i <= 0x20f) return MTRR_VAR + (i - 0x200) * 2;
  if (i === Msr.MTRR_FIX64K) return MTRR_FIX;
  if (i === Msr.MTRR_FIX16K_80000) return MTRR_FIX + 2;
  if (i === Msr.MTRR_FIX16K_A0000) return MTRR_FIX + 4;
  if (i >= 0x268 && i <= 0x26f) return MTRR_FIX + 6 + (i - 0x268) * 2;
  return -1;
}

const validMemType = (t: number): boolean => t === 0 || t === 1 || t === 4 || t === 5 || t === 6;
const validPatType = (t: number): boolean => validMemType(t) || t === 7;
const HI_PHYS = (1 << (MAXPHYADDR - 32)) - 1;

function canonical(lo: number, hi: number): boolean {
  const v = hi * TWO32 + (lo >>> 0);
  return v >= -CANON && v < CANON;
}

function store(cpu: Cpu, idx: number, lo: number, hi: number): void {
  cpu.i32[idx] = lo;
  cpu.i32[idx + 1] = hi;
}

/** WRMSR; #GP(0) for unknown MSRs, reserved bits, non-canonical addresses. */
export function writeMsr(cpu: Cpu, index: number, lo: number, hi: number): void {
  const i = index >>> 0;
  switch (i) {
    case Msr.TSC:
      writeTsc(cpu, hi * TWO32 + (lo >>> 0));
      return;
    case Msr.APIC_BASE:
      // BSP (bit 8) is read-only; EN (11); base 35:12 within MAXPHYADDR; x2APIC enable (10) is not supported.
      if ((lo & 0x6ff) !== 0 || (hi & ~HI_PHYS) !== 0) gp();
      store(cpu, MSR_APIC_BASE, (lo & ~0x100) | (cpu.i32[MSR_APIC_BASE] & 0x100), hi);
      return;
    case Msr.BIOS_SIGN_ID:
      return; // writing 0 before reading the revision is the documented protocol; nothing to store
    case Msr.SYSENTER_CS:
      store(cpu, MSR_SYSENTER_CS, lo & 0xffff, 0);
      return;
    case Msr.SYSENTER_ESP:
    case Msr.SYSENTER_EIP:
      if (!canonical(lo, hi)) gp();
      store(cpu, i === Msr.SYSENTER_ESP ? MSR_SYSENTER_ESP : MSR_SYSENTER_EIP, lo, hi);
      return;
    case Msr.MISC_ENABLE:
      // Only fast strings (bit 0) is modelled; the other bits read as 0.
      store(cpu, MSR_MISC_ENABLE, lo & 1, 0);
      return;
    case Msr.PAT:
      for (let k = 0; k < 4; k++) if (!validPatType((lo >>> (8 * k)) & 0xff) || !validPatType((hi >>> (8 * k)) & 0xff)) gp();
      store(cpu, MSR_PAT, lo, hi);
      return;
    case Msr.MTRR_DEF_TYPE:
      if ((lo & ~0xcff) !== 0 || hi !== 0 || !validMemType(lo & 0xff)) gp();
      store(cpu, MSR_MTRR_DEF, lo, 0);
      return;
    case Msr.EFER:
      writeEfer(cpu, lo, hi);
      return;
    case Msr.STAR:
      store(cpu, MSR_STAR, lo, hi);
      return;
    case Msr.LSTAR:
    case Msr.CSTAR:
      if (!canonical(lo, hi)) gp();
      store(cpu, i === Msr.LSTAR ? MSR_LSTAR : MSR_CSTAR, lo, hi);
      return;
    case Msr.FMASK:
      store(cpu, MSR_FMASK, lo, 0); // bits 63:32 are reserved and read as 0
      return;
    case Msr.FS_BASE:
    case Msr.GS_BASE:
      if (!canonical(lo, hi)) gp();
      cpu.f64[SEG_BASE_F(i === Msr.FS_BASE ? FS : GS)] = hi * TWO32 + (lo >>> 0);
      return;
    case Msr.KERNEL_GS_BASE:
      if (!canonical(lo, hi)) gp();
      store(cpu, MSR_KGSBASE, lo, hi);
      return;
    case Msr.TSC_AUX:
      if (hi !== 0) gp();
      store(cpu, MSR_TSC_AUX, lo, 0);
      return;
  }
  const slot = mtrrSlot(i);
  if (slot < 0) gp();
  if (i <= 0x20f) {
    if ((i & 1) === 0) {
      // PHYSBASE: type in 7:0, bits 11:8 and 63:MAXPHYADDR reserved.
      if ((lo & 0xf00) !== 0 || (hi & ~HI_PHYS) !== 0 || !validMemType(lo & 0xff)) gp();
    } else if ((lo & 0x7ff) !== 0 || (hi & ~HI_PHYS) !== 0) gp(); // PHYSMASK: valid bit 11, mask 39:12
  } else {
    for (let k = 0; k < 4; k++) if (!validMemType((lo >>> (8 * k)) & 0xff) || !validMemType((hi >>> (8 * k)) & 0xff)) gp();
  }
  store(cpu, slot, lo, hi);
}
