// Test scaffolding for the system-architecture tests: one vCPU on PhysMemory with the interpreter and SystemCore,
// descriptor/gate/page-table builders (SDM Vol. 3 §3.4.5, §6.11, §6.14.1, §4.5 formats) and register access.
import { PhysMemory } from '../../machine/memory/phys.js';
import { IoBus } from '../../machine/memory/bus.js';
import { Cpu, Access } from '../../machine/cpu/cpu.js';
import { PagingMmu } from '../../machine/cpu/mmu.js';
import { resetCpu } from '../../machine/cpu/reset.js';
import { SystemCore } from '../../machine/cpu/interrupts.js';
import { CpuFault, MachineStop } from '../../machine/cpu/fault.js';
import {
  GPR_LO, GPR_HI, HALTED, RIP_F, SEG_SEL, SEG_BASE_F, SEG_LIMIT, SEG_ATTR, CR0, CR3_LO, CR3_HI, CR3_F, CR4, EFER,
  GDTR_BASE_F, GDTR_LIMIT, IDTR_BASE_F, IDTR_LIMIT, SEG_TR, SEG_LDTR,
} from '../../machine/cpu/state.js';
import { updateModes, loadCs } from '../../machine/cpu/segments.js';
import { CodeCache } from '../../jit/cache/code-cache.js';
import { Interpreter } from '../../jit/interp/interpreter.js';
import { decode } from '../../jit/decoder/decode.js';
import { registerAllHandlers } from '../../jit/interp/all.js';
import { getFlags } from '../../jit/interp/flags.js';

registerAllHandlers();

export interface TM {
  cpu: Cpu;
  mem: PhysMemory;
  io: IoBus;
  interp: Interpreter;
  cache: CodeCache;
  sys: SystemCore;
}

export function makeMachine(memBytes = 8 * 1024 * 1024): TM {
  const mem = new PhysMemory(memBytes);
  const io = new IoBus();
  const cpu = new Cpu(0, mem, io, new PagingMmu());
  resetCpu(cpu, true);
  const cache = new CodeCache(mem);
  cache.attach(cpu);
  const sys = new SystemCore();
  const interp = new Interpreter(cache, decode, sys);
  return { cpu, mem, io, interp, cache, sys };
}

/** Run until HLT (or `max` instructions); returns instructions retired. Throws MachineStop through. */
export function run(m: TM, max = 200_000): number {
  let n = 0;
  try {
    while (n < max && m.cpu.i32[HALTED] === 0) {
      const k = m.interp.run(m.cpu, Math.min(1000, max - n));
      n += k;
      if (k === 0 && m.cpu.i32[HALTED] === 0) n++; // a delivered fault retires nothing; keep the loop bounded
    }
  } catch (e) {
    if (e instanceof MachineStop && process.env.BMJIT_TEST_VERBOSE) console.error(e.message);
    throw e;
  }
  return n;
}

/** Run and return the MachineStop raised (fails the test if none). */
export function runToStop(m: TM, max = 200_000): MachineStop {
  try {
    run(m, max);
  } catch (e) {
    if (e instanceof MachineStop) return e;
    throw e;
  }
  throw new Error(`no MachineStop within ${max} instructions (RIP ${m.cpu.f64[RIP_F].toString(16)})`);
}

export const TWO32 = 4294967296;

/** 64-bit register value as a bigint (unsigned). */
export function reg(cpu: Cpu, r: number): bigint {
  return (BigInt(cpu.i32[GPR_HI(r)] >>> 0) << 32n) | BigInt(cpu.i32[GPR_LO(r)] >>> 0);
}

export function reg32(cpu: Cpu, r: number): number {
  return cpu.i32[GPR_LO(r)] >>> 0;
}

export function setReg(cpu: Cpu, r: number, v: number | bigint): void {
  const b = BigInt.asUintN(64, BigInt(v));
  cpu.i32[GPR_LO(r)] = Number(b & 0xffffffffn) | 0;
  cpu.i32[GPR_HI(r)] = Number(b >> 32n) | 0;
}

export const flags = (cpu: Cpu): number => getFlags(cpu.i32);

// ---- descriptors ------------------------------------------------------------------------------------------------

/** Code/data/system descriptor words. `type` includes the S bit (0x10 | type for code/data). */
export function desc(base: number, limit: number, type: number, dpl: number, opts: { l?: boolean; db?: boolean; g?: boolean; p?: boolean } = {}): [number, number] {
  const g = opts.g ?? limit > 0xfffff;
  const lim = g ? Math.floor(limit / 4096) : limit;
  const lo = ((base & 0xffff) << 16) | (lim & 0xffff);
  const hi =
    ((base >>> 16) & 0xff) |
    ((type & 0x1f) << 8) |
    ((dpl & 3) << 13) |
    ((opts.p ?? true) ? 0x8000 : 0) |
    (lim & 0xf0000) |
    (opts.l ? 1 << 21 : 0) |
    ((opts.db ?? !opts.l) ? 1 << 22 : 0) |
    (g ? 1 << 23 : 0) |
    (base & 0xff000000);
  return [lo | 0, hi | 0];
}

export const CODE32 = (dpl = 0): [number, number] => desc(0, 0xffffffff, 0x1b, dpl);
export const DATA32 = (dpl = 0): [number, number] => desc(0, 0xffffffff, 0x13, dpl);
export const CODE64 = (dpl = 0): [number, number] => desc(0, 0xffffffff, 0x1b, dpl, { l: true, db: false });
export const CODE16 = (base = 0, dpl = 0): [number, number] => desc(base, 0xffff, 0x1b, dpl, { db: false, g: false });
export const DATA16 = (base = 0, dpl = 0): [number, number] => desc(base, 0xffff, 0x13, dpl, { db: false, g: false });

export function writeDesc(mem: PhysMemory, table: number, index: number, d: [number, number]): void {
  mem.write32(table + index * 8, d[0]);
  mem.write32(table + index * 8 + 4, d[1]);
}

/** 16-byte system descriptor (long-mode TSS/LDT) at `index` (occupies index and index+1). */
export function writeSysDesc64(mem: PhysMemory, table: number, index: number, base: number, limit: number, type: number, dpl = 0): void {
  const d = desc(base % TWO32, limit, type, dpl, { db: false, g: false });
  writeDesc(mem, table, index, d);
  mem.write32(table + index * 8 + 8, Math.floor(base / TWO32) | 0);
  mem.write32(table + index * 8 + 12, 0);
}

/** 32-bit interrupt (0xE) / trap (0xF) / call (0xC) gate; 16-bit gates with types 6/7/4. */
export function gate32(sel: number, off: number, type: number, dpl = 0, params = 0): [number, number] {
  return [((sel & 0xffff) << 16) | (off & 0xffff), ((off >>> 16) << 16) | 0x8000 | ((dpl & 3) << 13) | ((type & 0x1f) << 8) | (params & 0x1f)];
}

export function writeGate64(mem: PhysMemory, idt: number, vec: number, sel: number, off: number, type = 0xe, dpl = 0, ist = 0, present = true): void {
  const a = idt + vec * 16;
  const lo = off % TWO32;
  mem.write32(a, ((sel & 0xffff) << 16) | (lo & 0xffff));
  mem.write32(a + 4, (lo & 0xffff0000) | (present ? 0x8000 : 0) | ((dpl & 3) << 13) | ((type & 0x1f) << 8) | (ist & 7));
  mem.write32(a + 8, Math.floor(off / TWO32) | 0);
  mem.write32(a + 12, 0);
}

// ---- direct state set-up (the mode-transition tests do it with code instead) --------------------------------------

export function setGdt(cpu: Cpu, base: number, limit: number): void {
  cpu.f64[GDTR_BASE_F] = base;
  cpu.i32[GDTR_LIMIT] = limit;
}

export function setIdt(cpu: Cpu, base: number, limit: number): void {
  cpu.f64[IDTR_BASE_F] = base;
  cpu.i32[IDTR_LIMIT] = limit;
}

/** Load a segment register's cache from descriptor words without checks. */
export function setSeg(cpu: Cpu, seg: number, sel: number, d: [number, number]): void {
  const [lo, hi] = d;
  cpu.i32[SEG_SEL(seg)] = sel;
  cpu.f64[SEG_BASE_F(seg)] = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
  let limit = (lo & 0xffff) | (hi & 0xf0000);
  if (hi & 0x800000) limit = (limit << 12) | 0xfff;
  cpu.i32[SEG_LIMIT(seg)] = limit | 0;
  cpu.i32[SEG_ATTR(seg)] = (hi >>> 8) & 0xf0ff;
}

/**
 * Protected mode, paging off, flat 32-bit segments: GDT at `gdt` with 1 = code32 DPL0, 2 = data32 DPL0,
 * 3 = code32 DPL3, 4 = data32 DPL3 (selectors 0x08, 0x10, 0x1b, 0x23).
 */
export function enterFlat32(m: TM, gdt = 0x1000): void {
  const { cpu, mem } = m;
  writeDesc(mem, gdt, 1, CODE32(0));
  writeDesc(mem, gdt, 2, DATA32(0));
  writeDesc(mem, gdt, 3, CODE32(3));
  writeDesc(mem, gdt, 4, DATA32(3));
  setGdt(cpu, gdt, 0xff);
  cpu.i32[CR0] |= 1;
  for (const s of [0, 2, 3, 4, 5]) setSeg(cpu, s, 0x10, DATA32(0));
  loadCs(cpu, 0x08, CODE32(0)[0], CODE32(0)[1], 0);
  updateModes(cpu);
}

/** 4-level identity map of the first `gib` GiB with 2 MiB pages (user, writable) at `pt` (needs 2 + gib pages). */
export function identityMap4(mem: PhysMemory, pt: number, gib = 1, user = true): void {
  const u = user ? 4 : 0;
  mem.write32(pt, (pt + 0x1000) | 3 | u);
  mem.write32(pt + 4, 0);
  for (let g = 0; g < gib; g++) {
    const pd = pt + 0x2000 + g * 0x1000;
    mem.write32(pt + 0x1000 + g * 8, pd | 3 | u);
    mem.write32(pt + 0x1000 + g * 8 + 4, 0);
    for (let i = 0; i < 512; i++) {
      const addr = g * 0x40000000 + i * 0x200000;
      mem.write32(pd + i * 8, (addr | 0x83 | u) | 0);
      mem.write32(pd + i * 8 + 4, 0);
    }
  }
}

/**
 * Long mode (64-bit code), identity-mapped first GiB, GDT at `gdt`: 1 = code64 DPL0 (0x08), 2 = data DPL0 (0x10),
 * 3 = code32 DPL3 (0x1b), 4 = data DPL3 (0x23), 5 = code64 DPL3 (0x2b), 6 = code32 DPL0 (0x30), 8-9 = TSS (0x40)
 * when `tss` is given.
 */
export function enterLong(m: TM, opts: { gdt?: number; pt?: number; tss?: number } = {}): void {
  const { cpu, mem } = m;
  const gdt = opts.gdt ?? 0x1000;
  const pt = opts.pt ?? 0x10000;
  writeDesc(mem, gdt, 1, CODE64(0));
  writeDesc(mem, gdt, 2, DATA32(0));
  writeDesc(mem, gdt, 3, CODE32(3));
  writeDesc(mem, gdt, 4, DATA32(3));
  writeDesc(mem, gdt, 5, CODE64(3));
  writeDesc(mem, gdt, 6, CODE32(0));
  setGdt(cpu, gdt, 0xff);
  identityMap4(mem, pt);
  const s = cpu.i32;
  s[CR3_LO] = pt;
  s[CR3_HI] = 0;
  cpu.f64[CR3_F] = pt;
  s[CR4] = 0x20 | 0x80; // PAE, PGE
  s[EFER] = 0x100 | 0x400 | 0x800 | 1; // LME, LMA, NXE, SCE
  s[CR0] = (0x80000000 | 0x10000 | 0x10 | 1) | 0; // PG, WP, ET, PE
  for (const sg of [0, 2, 3, 4, 5]) setSeg(cpu, sg, 0x10, DATA32(0));
  loadCs(cpu, 0x08, CODE64(0)[0], CODE64(0)[1], 0);
  if (opts.tss !== undefined) {
    writeSysDesc64(mem, gdt, 8, opts.tss, 0x67, 0x0b);
    s[SEG_SEL(SEG_TR)] = 0x40;
    cpu.f64[SEG_BASE_F(SEG_TR)] = opts.tss;
    s[SEG_LIMIT(SEG_TR)] = 0x67;
    s[SEG_ATTR(SEG_TR)] = 0x8b;
  }
  s[SEG_ATTR(SEG_LDTR)] = 0;
  updateModes(cpu);
  cpu.mmu.flush(cpu, true);
}

/** Expect `f` to throw CpuFault(vector, code); returns it. */
export function expectFault(f: () => unknown, vector: number, code?: number): CpuFault {
  try {
    f();
  } catch (e) {
    if (!(e instanceof CpuFault)) throw e;
    if (e.vector !== vector || (code !== undefined && e.errorCode !== code)) {
      throw new Error(`expected fault ${vector}${code !== undefined ? `(0x${code.toString(16)})` : ''}, got ${e.toString()}`);
    }
    return e;
  }
  throw new Error(`expected fault ${vector}${code !== undefined ? `(0x${code.toString(16)})` : ''}, nothing thrown`);
}

export { Access };
