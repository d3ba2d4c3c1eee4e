// A flat 64-bit test machine for JIT tests: long mode with identity-mapped 2 MiB pages, code at 1 MiB, data at
// 2 MiB, stack below 3 MiB, programs ending in HLT; runs the same image with the interpreter or the JIT.
import { PhysMemory } from '../../machine/memory/phys.js';
import { IoBus } from '../../machine/memory/bus.js';
import { Cpu } from '../../machine/cpu/cpu.js';
import { PagingMmu } from '../../machine/cpu/mmu.js';
import { resetCpu } from '../../machine/cpu/reset.js';
import { updateModes } from '../../machine/cpu/segments.js';
import { SystemCore } from '../../machine/cpu/interrupts.js';
import {
  CR0, CR3_LO, CR3_F, CR4, EFER, SEG_ATTR, SEG_LIMIT, SEG_SEL, SEG_BASE_F, RIP_F, GPR_LO, GPR_HI, HALTED,
} from '../../machine/cpu/state.js';
import { CodeCache } from '../../jit/cache/code-cache.js';
import { Interpreter } from '../../jit/interp/interpreter.js';
import { decode } from '../../jit/decoder/decode.js';
import { Jit, JitStats } from '../../jit/translator/jit.js';
import { getFlags } from '../../jit/interp/flags.js';
import { registerAllHandlers } from '../../jit/interp/all.js';

export const CODE = 0x100000;
export const DATA = 0x200000;
export const DATA_SIZE = 0x10000;
export const STACK_TOP = 0x2ff000;
const PT = 0x10000;

registerAllHandlers();

export type Engine = 'interp' | 'jit';

export interface FlatRun {
  cpu: Cpu;
  regs: bigint[];
  flags: number;
  data: Uint8Array;
  retired: number;
  stats?: JitStats;
  mem: PhysMemory;
  cache: CodeCache;
}

export function makeFlat(code: Uint8Array, init?: (cpu: Cpu, mem: PhysMemory) => void, unmapped: number[] = []): { cpu: Cpu; mem: PhysMemory; cache: CodeCache; interp: Interpreter } {
  const mem = new PhysMemory(32 * 1024 * 1024);
  const io = new IoBus();
  const cpu = new Cpu(0, mem, io, new PagingMmu());
  resetCpu(cpu, true);
  // PML4 -> PDPT -> one PD of 2 MiB pages covering the first GiB.
  mem.write32(PT, (PT + 0x1000) | 3);
  mem.write32(PT + 0x1000, (PT + 0x2000) | 3);
  for (let i = 0; i < 512; i++) {
    mem.write32(PT + 0x2000 + i * 8, (i * 0x200000) | (unmapped.includes(i) ? 0x82 : 0x83));
    mem.write32(PT + 0x2000 + i * 8 + 4, 0);
  }
  const s = cpu.i32;
  s[CR3_LO] = PT;
  cpu.f64[CR3_F] = PT;
  s[CR4] = 0x20 | 0x200 | 0x400; // PAE, OSFXSR, OSXMMEXCPT
  s[EFER] = 0x500 | 0x800; // LME, LMA, NXE
  s[CR0] = (0x80000000 | 0x10 | 0x2 | 0x1) | 0; // PG, ET, MP, PE
  for (let seg = 0; seg < 6; seg++) {
    s[SEG_SEL(seg)] = seg === 1 ? 8 : 16;
    cpu.f64[SEG_BASE_F(seg)] = 0;
    s[SEG_LIMIT(seg)] = -1;
    s[SEG_ATTR(seg)] = seg === 1 ? 0xa09b : 0xc093;
  }
  updateModes(cpu);
  cpu.mmu.flush(cpu, true);
  mem.writeBytes(CODE, code);
  cpu.f64[RIP_F] = CODE;
  s[GPR_LO(4)] = STACK_TOP;
  s[GPR_HI(4)] = 0;
  init?.(cpu, mem);
  const cache = new CodeCache(mem);
  cache.attach(cpu);
  const interp = new Interpreter(cache, decode, new SystemCore());
  return { cpu, mem, cache, interp };
}

export function runFlat(code: Uint8Array, engine: Engine, opts: { maxInstr?: number; init?: (cpu: Cpu, mem: PhysMemory) => void; threshold?: number; unmapped?: number[] } = {}): FlatRun {
  const { cpu, mem, cache, interp } = makeFlat(code, opts.init, opts.unmapped);
  let jit: Jit | undefined;
  if (engine === 'jit') jit = new Jit(interp, cache, { threshold: opts.threshold ?? 1 });
  const max = opts.maxInstr ?? 5_000_000;
  let retired = 0;
  while (retired < max && cpu.i32[HALTED] === 0) {
    const n = interp.run(cpu, Math.min(100_000, max - retired));
    retired += n;
    if (n === 0 && cpu.i32[HALTED] === 0) throw new Error('no progress');
  }
  const regs: bigint[] = [];
  for (let r = 0; r < 16; r++) {
    regs.push((BigInt(cpu.i32[GPR_HI(r)] >>> 0) << 32n) | BigInt(cpu.i32[GPR_LO(r)] >>> 0));
  }
  return { cpu, regs, flags: getFlags(cpu.i32), data: mem.readBytes(DATA, DATA_SIZE), retired, stats: jit?.stats, mem, cache };
}

// Until the system family lands everywhere, programs may need HLT to stop.
import { defineOp, isDefined } from '../../jit/interp/interpreter.js';
import { Mn } from '../../jit/decoder/tables.gen.js';
if (!isDefined(Mn.HLT)) defineOp(Mn.HLT, (cpu) => { cpu.i32[HALTED] = 1; }, { endsBlock: true });
