// Control-register and EFER writes with their mode transitions (SDM Vol. 3 §2.5 CR0/CR3/CR4/CR8, §2.2.1 EFER,
// §9.8.5 entering IA-32e mode, §4.10.4.1 which writes invalidate TLBs; Vol. 2 MOV to CR). Every check happens
// before anything changes; #GP(0) is thrown as CpuFault.
import type { Cpu } from './cpu.js';
import { CpuFault, Vec } from './fault.js';
import {
  CR0, CR3_LO, CR3_HI, CR3_F, CR4, CR8, EFER, SEG_ATTR, PENDING, Cr0, Cr4, Efer, Pending,
} from './state.js';
import { loadPdptes, MAXPHYADDR } from './mmu.js';
import { updateModes, Attr, CS } from './segments.js';
import { xsaveSupported } from './cpuid.js';

const gp = (): never => {
  throw new CpuFault(Vec.GP, 0);
};

/** CR0 bits that exist (PE MP EM TS ET NE WP AM NW CD PG); other bits of the low dword are ignored on write. */
const CR0_BITS = Cr0.PE | Cr0.MP | Cr0.EM | Cr0.TS | Cr0.ET | Cr0.NE | Cr0.WP | Cr0.AM | Cr0.NW | Cr0.CD | Cr0.PG;

/** CR4 bits this CPU implements; setting any other bit is #GP(0). */
export function cr4Supported(): number {
  return Cr4.TSD | Cr4.DE | Cr4.PSE | Cr4.PAE | Cr4.PGE | Cr4.PCE | Cr4.OSFXSR | Cr4.OSXMMEXCPT | Cr4.SMEP |
    (xsaveSupported() ? Cr4.OSXSAVE : 0);
}

/** EFER bits software may write (LMA is read-only and written values of it are ignored). */
const EFER_WRITABLE = Efer.SCE | Efer.LME | Efer.NXE;

/** MOV CR0 / LMSW / CLTS: write CR0 with the long-mode activation rules. `hi` is bits 63:32 (must be 0). */
export function writeCr0(cpu: Cpu, value: number, hi = 0): void {
  const s = cpu.i32;
  if (hi !== 0) gp();
  const old = s[CR0];
  const v = ((value & CR0_BITS) | Cr0.ET) | 0;
  if ((v & Cr0.PG) !== 0 && (v & Cr0.PE) === 0) gp();
  if ((v & Cr0.NW) !== 0 && (v & Cr0.CD) === 0) gp();
  const efer = s[EFER];
  let newEfer = efer;
  const pgOn = (v & Cr0.PG) !== 0 && (old & Cr0.PG) === 0;
  const pgOff = (v & Cr0.PG) === 0 && (old & Cr0.PG) !== 0;
  if (pgOn && (efer & Efer.LME) !== 0) {
    // Activating IA-32e mode: needs PAE and a CS that is not already 64-bit.
    if ((s[CR4] & Cr4.PAE) === 0) gp();
    if ((s[SEG_ATTR(CS)] & Attr.L) !== 0) gp();
    newEfer = efer | Efer.LMA;
  }
  if (pgOff && (efer & Efer.LMA) !== 0) {
    // Leaving IA-32e mode is only legal from compatibility mode.
    if ((s[SEG_ATTR(CS)] & Attr.L) !== 0) gp();
    newEfer = efer & ~Efer.LMA;
  }
  // Enabling PAE paging outside long mode (or changing CD/NW/PG under it) reloads the PDPTE registers.
  const paeLegacy = (v & Cr0.PG) !== 0 && (s[CR4] & Cr4.PAE) !== 0 && (newEfer & Efer.LMA) === 0;
  if (paeLegacy && ((old ^ v) & (Cr0.PG | Cr0.CD | Cr0.NW)) !== 0 && !loadPdptes(cpu, s[CR3_LO])) gp();
  s[CR0] = v;
  s[EFER] = newEfer;
  if (((old ^ v) & (Cr0.PG | Cr0.WP | Cr0.PE)) !== 0) cpu.mmu.flush(cpu, true);
  updateModes(cpu);
}

/** MOV CR3: load the page-table root; flushes non-global translations. */
export function writeCr3(cpu: Cpu, lo: number, hi: number): void {
  const s = cpu.i32;
  const long = (s[EFER] & Efer.LMA) !== 0;
  if (long) {
    // Bits 63:MAXPHYADDR are reserved (no PCID support).
    if ((hi & ~((1 << (MAXPHYADDR - 32)) - 1)) !== 0) gp();
  } else hi = 0;
  if ((s[CR0] & Cr0.PG) !== 0 && (s[CR4] & Cr4.PAE) !== 0 && !long && !loadPdptes(cpu, lo)) gp();
  s[CR3_LO] = lo;
  s[CR3_HI] = hi;
  cpu.f64[CR3_F] = (hi >>> 0) * 4294967296 + (lo >>> 0);
  cpu.mmu.flush(cpu, false);
}

/** MOV CR4. */
export function writeCr4(cpu: Cpu, value: number, hi = 0): void {
  const s = cpu.i32;
  if (hi !== 0 || (value & ~cr4Supported()) !== 0) gp();
  const old = s[CR4];
  const v = value | 0;
  if ((s[EFER] & Efer.LMA) !== 0 && (v & Cr4.PAE) === 0) gp();
  const changed = old ^ v;
  const paeLegacy = (s[CR0] & Cr0.PG) !== 0 && (v & Cr4.PAE) !== 0 && (s[EFER] & Efer.LMA) === 0;
  if (paeLegacy && (changed & (Cr4.PAE | Cr4.PGE | Cr4.PSE | Cr4.SMEP)) !== 0 && !loadPdptes(cpu, s[CR3_LO])) gp();
  s[CR4] = v;
  if ((changed & (Cr4.PAE | Cr4.PGE | Cr4.PSE | Cr4.SMEP)) !== 0) cpu.mmu.flush(cpu, true);
}

/** MOV CR8: task priority (TPR[7:4]); a lower priority may unmask a pending interrupt. */
export function writeCr8(cpu: Cpu, lo: number, hi = 0): void {
  if (hi !== 0 || (lo & ~0xf) !== 0) gp();
  cpu.i32[CR8] = lo;
  cpu.intc?.setTpr?.(lo << 4);
  cpu.i32[PENDING] |= Pending.Interrupt;
}

export function readCr8(cpu: Cpu): number {
  const intc = cpu.intc;
  if (intc?.getTpr !== undefined) return (intc.getTpr() >>> 4) & 0xf;
  return cpu.i32[CR8] & 0xf;
}

/** WRMSR IA32_EFER. `hi` must be 0. */
export function writeEfer(cpu: Cpu, lo: number, hi: number): void {
  const s = cpu.i32;
  if (hi !== 0 || (lo & ~(EFER_WRITABLE | Efer.LMA)) !== 0) gp();
  const old = s[EFER];
  // LME cannot change while paging is on.
  if ((s[CR0] & Cr0.PG) !== 0 && ((old ^ lo) & Efer.LME) !== 0) gp();
  const v = (lo & EFER_WRITABLE) | (old & Efer.LMA);
  s[EFER] = v;
  if (((old ^ v) & Efer.NXE) !== 0) cpu.mmu.flush(cpu, true);
  updateModes(cpu);
}
