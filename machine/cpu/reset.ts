// Processor state after power-on/RESET and INIT, and the Startup IPI (SDM Vol. 3 §9.1.1 Table 9-1, §9.4 MP
// initialization: APs wait for SIPI; §10.4.7.3 SIPI vector -> CS = vector << 8, IP = 0).
import type { Cpu } from './cpu.js';
import {
  GPR_LO, GPR_HI, FLAGS, FLAGS_LAZY, RIP_F, SEG_SEL, SEG_LIMIT, SEG_ATTR, SEG_BASE_F, SEG_LDTR, SEG_TR, CR0, CR2_F,
  CR3_LO, CR3_HI, CR3_F, CR4, CR8, EFER, XCR0_LO, XCR0_HI, GDTR_LIMIT, GDTR_BASE_F, IDTR_LIMIT, IDTR_BASE_F, DR0,
  HALTED, INT_SHADOW, NMI_BLOCKED, NMI_PENDING, PENDING, MXCSR, FPU_CW, FPU_SW, FPU_TOP, FPU_TAG, MSR_APIC_BASE,
  MSR_PAT, MSR_MISC_ENABLE, MSR_MTRR_DEF, MSR_TSC_ADJ, MSR_STAR, MSR_TSC_AUX, PDPTE_LO, MTRR_VAR, MTRR_FIX,
  TSC_LAST_F, ICOUNT_F, XMM_I32, CPL, TF_ARMED, Pending,
} from './state.js';
import { REAL_ATTR, updateModes } from './segments.js';
import { cpuSignature } from './cpuid.js';

/** Default local APIC base (IA32_APIC_BASE bits 35:12). */
export const APIC_BASE_DEFAULT = 0xfee00000;

function setSeg(cpu: Cpu, seg: number, sel: number, base: number, limit: number, attr: number): void {
  cpu.i32[SEG_SEL(seg)] = sel;
  cpu.f64[SEG_BASE_F(seg)] = base;
  cpu.i32[SEG_LIMIT(seg)] = limit;
  cpu.i32[SEG_ATTR(seg)] = attr;
}

/** State common to RESET and INIT: real mode at F000:FFF0, caches empty, interrupts off. */
function architecturalReset(cpu: Cpu, keepCache: boolean): void {
  const s = cpu.i32;
  const f = cpu.f64;
  for (let r = 0; r < 16; r++) {
    s[GPR_LO(r)] = 0;
    s[GPR_HI(r)] = 0;
  }
  s[GPR_LO(2)] = cpuSignature(); // EDX = family/model/stepping
  s[FLAGS] = 2;
  s[FLAGS_LAZY] = 0;
  // CR0 = 60000010H; INIT keeps CD and NW.
  s[CR0] = keepCache ? (s[CR0] & 0x60000000) | 0x10 : 0x60000010;
  f[CR2_F] = 0;
  s[CR3_LO] = 0;
  s[CR3_HI] = 0;
  f[CR3_F] = 0;
  s[CR4] = 0;
  s[CR8] = 0;
  s[EFER] = 0;
  for (let k = 0; k < 8; k++) s[PDPTE_LO(0) + k] = 0;
  // Segments: CS = F000 with base FFFF0000 (the reset vector is at FFFFFFF0); the rest 0 with limit FFFF.
  setSeg(cpu, 1, 0xf000, 0xffff0000, 0xffff, REAL_ATTR);
  for (const seg of [0, 2, 3, 4, 5]) setSeg(cpu, seg, 0, 0, 0xffff, REAL_ATTR);
  setSeg(cpu, SEG_LDTR, 0, 0, 0xffff, 0x82);
  setSeg(cpu, SEG_TR, 0, 0, 0xffff, 0x8b);
  f[RIP_F] = 0xfff0;
  s[GDTR_LIMIT] = 0xffff;
  f[GDTR_BASE_F] = 0;
  s[IDTR_LIMIT] = 0xffff;
  f[IDTR_BASE_F] = 0;
  // DR0-DR3 = 0, DR6 = FFFF0FF0H, DR7 = 400H.
  for (let k = 0; k < 16; k++) s[DR0 + k] = 0;
  s[DR0 + 12] = 0xffff0ff0 | 0;
  s[DR0 + 14] = 0x400;
  s[HALTED] = 0;
  s[INT_SHADOW] = 0;
  s[NMI_BLOCKED] = 0;
  s[NMI_PENDING] = 0;
  s[TF_ARMED] = 0;
  s[PENDING] &= Pending.Stop;
  cpu.setCpl(0);
  s[CPL] = 0;
  updateModes(cpu);
  cpu.mmu.flush(cpu, true);
}

/** Power-on / RESET state. The bootstrap processor runs from the reset vector; APs wait for a Startup IPI. */
export function resetCpu(cpu: Cpu, bsp: boolean): void {
  const s = cpu.i32;
  const f = cpu.f64;
  architecturalReset(cpu, false);
  // x87 after RESET: FCW = 0040H, FSW = 0, all registers empty.
  s[FPU_CW] = 0x40;
  s[FPU_SW] = 0;
  s[FPU_TOP] = 0;
  s[FPU_TAG] = 0; // every register empty (bit i set = physical register i in use, as FXSAVE's abridged tag)
  s[MXCSR] = 0x1f80;
  for (let i = 0; i < 64; i++) s[XMM_I32(0) + i] = 0;
  s[XCR0_LO] = 1;
  s[XCR0_HI] = 0;
  s[MSR_APIC_BASE] = (APIC_BASE_DEFAULT | 0x800 | (bsp ? 0x100 : 0)) | 0;
  s[MSR_APIC_BASE + 1] = 0;
  s[MSR_PAT] = 0x00070406; // PA0..PA7 = WB WT UC- UC WB WT UC- UC
  s[MSR_PAT + 1] = 0x00070406;
  s[MSR_MISC_ENABLE] = 1; // fast-string operations enabled
  s[MSR_MISC_ENABLE + 1] = 0;
  s[MSR_MTRR_DEF] = 0;
  s[MSR_MTRR_DEF + 1] = 0;
  for (let k = 0; k < 32; k++) s[MTRR_VAR + k] = 0;
  for (let k = 0; k < 22; k++) s[MTRR_FIX + k] = 0;
  for (let k = MSR_STAR; k < MSR_APIC_BASE; k++) s[k] = 0; // STAR LSTAR CSTAR FMASK KERNEL_GS_BASE SYSENTER_*
  s[MSR_TSC_AUX] = 0;
  s[MSR_TSC_AUX + 1] = 0;
  // The TSC restarts from 0: the offset cancels the time already counted by the source.
  const now = cpu.tscSource !== undefined ? cpu.tscSource(cpu) : f[ICOUNT_F];
  const adj = -now;
  s[MSR_TSC_ADJ] = adj % 4294967296 | 0;
  s[MSR_TSC_ADJ + 1] = Math.floor(adj / 4294967296) | 0;
  f[TSC_LAST_F] = -1;
  s[HALTED] = bsp ? 0 : 2;
}

/**
 * INIT (from an INIT IPI or the machine): like RESET but MSRs, x87/SSE state, the TSC and CR0.CD/NW are kept. An AP
 * then waits for a Startup IPI; the BSP restarts at the reset vector.
 */
export function applyInit(cpu: Cpu, bsp: boolean): void {
  architecturalReset(cpu, true);
  cpu.i32[HALTED] = bsp ? 0 : 2;
}

/** Startup IPI with vector `v`: real mode at v*256:0000 (physical v * 4096). */
export function applySipi(cpu: Cpu, v: number): void {
  const s = cpu.i32;
  s[SEG_SEL(1)] = (v & 0xff) << 8;
  cpu.f64[SEG_BASE_F(1)] = (v & 0xff) << 12;
  s[SEG_LIMIT(1)] = 0xffff;
  s[SEG_ATTR(1)] = REAL_ATTR;
  cpu.f64[RIP_F] = 0;
  s[HALTED] = 0;
  updateModes(cpu);
}
