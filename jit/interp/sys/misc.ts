// Model-specific registers, time stamp, identification, extended control registers, random numbers and cache/
// ordering hints (SDM Vol. 2 RDMSR, WRMSR, RDTSC, RDTSCP, RDPMC, CPUID, XGETBV, XSETBV, RDRAND, RDSEED, CLFLUSH,
// LFENCE/SFENCE/MFENCE, PAUSE). Fences are no-ops: one vCPU runs at a time on one thread.
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import {
  CPL, CR4, XCR0_LO, XCR0_HI, MSR_TSC_AUX, RNG_STATE, GPR_LO, RAX, RCX, RDX, RBX, Cr4, Flag, ARITH_FLAGS,
} from '../../../machine/cpu/state.js';
import { readMsr, writeMsr, msrLo, msrHi, readTsc } from '../../../machine/cpu/msr.js';
import { cpuid, outA, outB, outC, outD } from '../../../machine/cpu/cpuid.js';
import { Mn } from '../../decoder/tables.gen.js';
import { defineOp } from '../interpreter.js';
import { operandAddress, setGpr } from '../operands.js';
import { getFlags, setFlags } from '../flags.js';
import { requireCpl0, lo32, hi32 } from './common.js';

const reg = (cpu: Cpu, r: number): number => cpu.i32[GPR_LO(r)];

defineOp(Mn.RDMSR, (cpu) => {
  requireCpl0(cpu);
  readMsr(cpu, reg(cpu, RCX));
  setGpr(cpu, RAX, 4, msrLo);
  setGpr(cpu, RDX, 4, msrHi);
});

defineOp(
  Mn.WRMSR,
  (cpu) => {
    requireCpl0(cpu);
    writeMsr(cpu, reg(cpu, RCX), reg(cpu, RAX), reg(cpu, RDX));
  },
  { endsBlock: true },
);

function tscAllowed(cpu: Cpu): void {
  if ((cpu.i32[CR4] & Cr4.TSD) !== 0 && cpu.i32[CPL] !== 0) throw new CpuFault(Vec.GP, 0);
}

defineOp(Mn.RDTSC, (cpu) => {
  tscAllowed(cpu);
  const t = readTsc(cpu);
  setGpr(cpu, RAX, 4, lo32(t));
  setGpr(cpu, RDX, 4, hi32(t));
});

defineOp(Mn.RDTSCP, (cpu) => {
  tscAllowed(cpu);
  const t = readTsc(cpu);
  setGpr(cpu, RAX, 4, lo32(t));
  setGpr(cpu, RDX, 4, hi32(t));
  setGpr(cpu, RCX, 4, cpu.i32[MSR_TSC_AUX]);
});

/** No performance-monitoring counters exist (CPUID leaf 0xA is not reported): every RDPMC is #GP(0). */
defineOp(Mn.RDPMC, () => {
  throw new CpuFault(Vec.GP, 0);
});

defineOp(Mn.CPUID, (cpu) => {
  cpuid(cpu, reg(cpu, RAX), reg(cpu, RCX));
  setGpr(cpu, RAX, 4, outA);
  setGpr(cpu, RBX, 4, outB);
  setGpr(cpu, RCX, 4, outC);
  setGpr(cpu, RDX, 4, outD);
});

function requireOsxsave(cpu: Cpu): void {
  if ((cpu.i32[CR4] & Cr4.OSXSAVE) === 0) throw new CpuFault(Vec.UD, -1, 'CR4.OSXSAVE = 0');
}

defineOp(Mn.XGETBV, (cpu) => {
  requireOsxsave(cpu);
  if (reg(cpu, RCX) !== 0) throw new CpuFault(Vec.GP, 0);
  setGpr(cpu, RAX, 4, cpu.i32[XCR0_LO]);
  setGpr(cpu, RDX, 4, cpu.i32[XCR0_HI]);
});

/** XCR0 may enable x87 (bit 0, mandatory) and SSE (bit 1) state only. */
defineOp(Mn.XSETBV, (cpu) => {
  requireOsxsave(cpu);
  requireCpl0(cpu);
  const lo = reg(cpu, RAX), hi = reg(cpu, RDX);
  if (reg(cpu, RCX) !== 0 || hi !== 0 || (lo & ~3) !== 0 || (lo & 1) === 0) throw new CpuFault(Vec.GP, 0);
  cpu.i32[XCR0_LO] = lo;
  cpu.i32[XCR0_HI] = 0;
});

// ---- RDRAND / RDSEED ------------------------------------------------------------------------------------------------

let hostRandom = false;

/**
 * Where RDRAND/RDSEED get their bits: 'deterministic' (default; xoshiro128** seeded per vCPU, part of the CPU state so
 * runs and snapshots replay exactly) or 'host' (crypto.getRandomValues).
 */
export function setRandomSource(mode: 'deterministic' | 'host'): void {
  hostRandom = mode === 'host';
}

const HOST_BUF = new Uint32Array(1);

function next32(cpu: Cpu): number {
  if (hostRandom) {
    globalThis.crypto.getRandomValues(HOST_BUF);
    return HOST_BUF[0] | 0;
  }
  const s = cpu.i32;
  const k = RNG_STATE;
  if ((s[k] | s[k + 1] | s[k + 2] | s[k + 3]) === 0) {
    // Seed from the vCPU id with splitmix-style constants (any non-zero state works).
    s[k] = Math.imul(cpu.id + 1, 0x9e3779b9) | 1;
    s[k + 1] = 0x243f6a88;
    s[k + 2] = 0x85a308d3;
    s[k + 3] = 0x13198a2e;
  }
  const a = s[k], b = s[k + 1], c = s[k + 2], d = s[k + 3];
  const t = Math.imul(b, 5);
  const out = Math.imul((t << 7) | (t >>> 25), 9);
  const u = b << 9;
  const c2 = c ^ a, d2 = d ^ b;
  s[k + 1] = b ^ c2;
  s[k] = a ^ d2;
  s[k + 2] = c2 ^ u;
  s[k + 3] = (d2 << 11) | (d2 >>> 21);
  return out | 0;
}

function rdrand(cpu: Cpu, ins: Instr): void {
  const size = ins.o0.size;
  const lo = next32(cpu);
  const hi = size === 8 ? next32(cpu) : 0;
  setGpr(cpu, ins.o0.reg, size, size === 2 ? lo & 0xffff : lo, hi);
  const s = cpu.i32;
  setFlags(s, (getFlags(s) & ~ARITH_FLAGS) | Flag.CF);
}
defineOp(Mn.RDRAND, rdrand);
defineOp(Mn.RDSEED, rdrand);

// ---- cache and ordering hints ---------------------------------------------------------------------------------------

/** CLFLUSH faults like a byte read of its operand and otherwise does nothing (no caches are modelled). */
defineOp(Mn.CLFLUSH, (cpu, ins) => {
  cpu.probeRead(operandAddress(cpu, ins, ins.o0, false), 1);
});
const nop = (): void => {};
defineOp(Mn.LFENCE, nop);
defineOp(Mn.SFENCE, nop);
defineOp(Mn.MFENCE, nop);
defineOp(Mn.PAUSE, nop);
