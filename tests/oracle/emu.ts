// Emulator side of the host-CPU differential tests: runs oracle Cases in bmjit (64-bit flat user mode, a test MMU that
// maps only the oracle's fixed data and code areas) and reports the same Result shape as runHost (README contract).
import { Cpu, Access, type Mmu, TLB_MASK, TLB_EMPTY } from '../../machine/cpu/cpu.js';
import { CpuFault, Vec } from '../../machine/cpu/fault.js';
import { PhysMemory } from '../../machine/memory/phys.js';
import { IoBus } from '../../machine/memory/bus.js';
import {
  GPR_LO, GPR_HI, FLAGS, FLAGS_LAZY, RIP_F, CODE_BITS, STACK_SIZE, CR0, CR4, EFER, CR2_F, SEG_SEL, SEG_LIMIT, SEG_ATTR,
  SEG_BASE_F, MXCSR, FPU_CW, FPU_SW, FPU_TOP, FPU_TAG, XMM_BYTE, FPR_BYTE, HALTED, PENDING, Cr0, Cr4, Efer,
} from '../../machine/cpu/state.js';
import { Interpreter, type SystemHooks } from '../../jit/interp/interpreter.js';
import { CodeCache } from '../../jit/cache/code-cache.js';
import { decode } from '../../jit/decoder/decode.js';
import { getFlags } from '../../jit/interp/flags.js';
import { registerAllHandlers } from '../../jit/interp/all.js';
import { Jit } from '../../jit/translator/jit.js';
import {
  CODE_BASE, CODE_FILL, CODE_SIZE, DATA_BASE, DATA_SIZE, FULL_MASK, RFLAGS_FIXED, RSP, STACK_TOP, type Case, type Result,
} from './abi.js';

export type Engine = 'interp' | 'jit';

export interface EmuOptions {
  engine?: Engine;
  /** Instructions per case before it counts as a timeout (REP chunks count one each). */
  maxInstructions?: number;
}

/** Engines runEmu can drive right now (tests loop over these). */
export function availableEngines(): Engine[] {
  return ['interp', 'jit'];
}

// RAM layout of the test machine: the oracle's data area and code page at fixed RAM offsets.
const RAM_SIZE = 0x100000;
const DATA_RAM = 0x10000;
const CODE_RAM = 0x20000;
/** Where the appended epilogue jumps: an unmapped canonical address, so fetching it ends the run. */
const EXIT_ADDR = 0x3000_0000;

const U = (x: number): number => x >>> 0;

/**
 * Identity-style MMU for the oracle layout: [DATA_BASE, +DATA_SIZE) read/write/no-execute, the code page
 * read/write/execute; everything else is not present (#PF with the user-mode error code the host reports).
 */
class OracleMmu implements Mmu {
  translate(cpu: Cpu, lin: number, access: Access, supervisor: boolean): number {
    void supervisor;
    let ram = -1;
    let exec = false;
    if (lin >= DATA_BASE && lin < DATA_BASE + DATA_SIZE) ram = DATA_RAM + (lin - DATA_BASE);
    else if (lin >= CODE_BASE && lin < CODE_BASE + CODE_SIZE) {
      ram = CODE_RAM + (lin - CODE_BASE);
      exec = true;
    }
    if (ram < 0 || (access === Access.Exec && !exec)) {
      cpu.f64[CR2_F] = lin;
      // P = 1 only for the NX violation; W for writes; I for fetches; U (the host runs at CPL 3).
      const err = (ram >= 0 ? 1 : 0) | (access === Access.Write ? 2 : 0) | 4 | (access === Access.Exec ? 16 : 0);
      throw new CpuFault(Vec.PF, err);
    }
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
    // The slot's offset is shared by its three tags: set every tag (to this page or empty).
    cpu.toff[i] = ram & ~0xfff;
    cpu.tagR[i] = page;
    cpu.tagW[i] = cpu.codePages[ram >>> 12] === 0 ? page : TLB_EMPTY;
    cpu.tagX[i] = exec ? page : TLB_EMPTY;
    return ram; // physical = RAM offset below the PCI hole
  }

  flush(cpu: Cpu): void {
    cpu.tlbSup.clear(true);
    cpu.tlbUser.clear(true);
  }

  flushPage(cpu: Cpu, lin: number): void {
    const page = Math.floor(lin / 4096);
    cpu.tlbSup.clearPage(page);
    cpu.tlbUser.clearPage(page);
  }
}

interface Stop {
  fault: CpuFault | undefined;
}

/** A reusable test machine: one CPU, the oracle layout, the interpreter with the integer families registered. */
class OracleMachine {
  readonly phys = new PhysMemory(RAM_SIZE);
  readonly cpu: Cpu;
  readonly cache: CodeCache;
  readonly interp: Interpreter;
  stop: Stop = { fault: undefined };

  constructor(engine: Engine = 'interp') {
    registerAllHandlers();
    this.cpu = new Cpu(0, this.phys, new IoBus(), new OracleMmu());
    this.cache = new CodeCache(this.phys);
    this.cache.attach(this.cpu);
    const hooks: SystemHooks = {
      deliverFault: (cpu, f) => {
        this.stop.fault = f;
        cpu.i32[HALTED] = 1;
      },
      servicePending: (cpu) => {
        cpu.i32[PENDING] = 0;
        return true;
      },
    };
    this.interp = new Interpreter(this.cache, decode, hooks);
    // The JIT forced on: every block is translated on its first execution.
    if (engine === 'jit') new Jit(this.interp, this.cache, { threshold: 1 });
  }

  load(c: Case): void {
    const cpu = this.cpu;
    const s = cpu.i32;
    const f = cpu.f64;
    const ram = this.phys.u8;
    // Fresh code cache per case: the code page is rewritten.
    this.cache.flushAll();
    ram.fill(0, DATA_RAM, DATA_RAM + DATA_SIZE);
    for (const m of c.mem) ram.set(m.bytes, DATA_RAM + m.offset);
    ram.fill(CODE_FILL, CODE_RAM, CODE_RAM + CODE_SIZE);
    ram.set(c.code, CODE_RAM);
    // Epilogue as the harness appends it: jmp [rip+0]; .quad EXIT_ADDR.
    const e = CODE_RAM + c.code.length;
    ram.set([0xff, 0x25, 0, 0, 0, 0], e);
    this.phys.dv.setUint32(e + 6, EXIT_ADDR, true);
    this.phys.dv.setUint32(e + 10, 0, true);
    cpu.tlbSup.clear(true);
    cpu.tlbUser.clear(true);

    for (let r = 0; r < 16; r++) {
      const v = r === RSP ? BigInt(STACK_TOP) : c.gpr[r]!;
      s[GPR_LO(r)] = Number(BigInt.asIntN(32, v));
      s[GPR_HI(r)] = Number(BigInt.asIntN(32, v >> 32n));
    }
    s[FLAGS] = (c.rflags & FULL_MASK) | RFLAGS_FIXED;
    s[FLAGS_LAZY] = 0;
    f[RIP_F] = CODE_BASE;
    // 64-bit flat user mode (CPL 3, IOPL 0), as the host process runs.
    s[CR0] = Cr0.PE | Cr0.PG | Cr0.NE | Cr0.MP;
    s[CR4] = Cr4.PAE | Cr4.OSFXSR | Cr4.OSXMMEXCPT;
    s[EFER] = Efer.LME | Efer.LMA | Efer.NXE | Efer.SCE;
    for (let seg = 0; seg < 6; seg++) {
      s[SEG_SEL(seg)] = seg === 1 ? 0x33 : seg === 2 ? 0x2b : 0;
      s[SEG_LIMIT(seg)] = -1;
      // Present, DPL 3, S=1; CS: execute/read code with L=1; others: read/write data.
      s[SEG_ATTR(seg)] = seg === 1 ? 0x20fb : 0xc0f3;
      f[SEG_BASE_F(seg)] = 0;
    }
    s[CODE_BITS] = 64;
    s[STACK_SIZE] = 8;
    cpu.setCpl(3);
    s[HALTED] = 0;
    s[PENDING] = 0;
    s[MXCSR] = c.mxcsr;
    s[FPU_CW] = c.fcw;
    s[FPU_SW] = 0;
    s[FPU_TOP] = 0;
    s[FPU_TAG] = 0; // FNINIT: every register empty
    for (let r = 0; r < 16; r++) cpu.st.u8.set(c.xmm[r]!, XMM_BYTE(r));
    this.stop = { fault: undefined };
  }

  run(c: Case, maxInstructions: number): Result {
    this.load(c);
    const cpu = this.cpu;
    const s = cpu.i32;
    let left = maxInstructions;
    while (s[HALTED] === 0 && left > 0) {
      const n = this.interp.run(cpu, Math.min(left, 4096));
      left -= Math.max(n, 1);
      if (cpu.f64[RIP_F] === EXIT_ADDR && this.stop.fault === undefined) s[HALTED] = 1;
    }
    return this.result(c, left <= 0 && s[HALTED] === 0);
  }

  private result(c: Case, timedOut: boolean): Result {
    const cpu = this.cpu;
    const s = cpu.i32;
    const st = cpu.st;
    const fault = this.stop.fault;
    // Reaching the exit address (fetch #PF there) is the normal end: report it as the harness does.
    const exited = fault !== undefined && fault.vector === Vec.PF && cpu.f64[RIP_F] === EXIT_ADDR;
    const ok = !timedOut && (fault === undefined || exited);
    const gpr: bigint[] = [];
    for (let r = 0; r < 16; r++) gpr.push((BigInt(U(s[GPR_HI(r)])) << 32n) | BigInt(U(s[GPR_LO(r)])));
    const rip = ok ? BigInt(CODE_BASE + c.code.length) : BigInt(cpu.f64[RIP_F]);
    const stRegs: Uint8Array[] = [];
    const top = s[FPU_TOP] & 7;
    for (let i = 0; i < 8; i++) stRegs.push(st.u8.slice(FPR_BYTE((top + i) & 7), FPR_BYTE((top + i) & 7) + 10));
    const xmm: Uint8Array[] = [];
    for (let r = 0; r < 16; r++) xmm.push(st.u8.slice(XMM_BYTE(r), XMM_BYTE(r) + 16));
    return {
      status: timedOut ? 'timeout' : ok ? 'ok' : 'fault',
      signo: 0,
      siCode: 0,
      vector: ok || timedOut ? -1 : fault!.vector,
      errorCode: ok || timedOut || fault!.errorCode < 0 ? 0n : BigInt(fault!.errorCode),
      faultAddr: !ok && fault?.vector === Vec.PF ? BigInt.asUintN(64, BigInt(cpu.f64[CR2_F])) : 0n,
      gpr,
      rip: BigInt.asUintN(64, rip),
      ripOffset: Number(rip - BigInt(CODE_BASE)),
      rflags: getFlags(s),
      mxcsr: s[MXCSR],
      fcw: s[FPU_CW] & 0xffff,
      fsw: (s[FPU_SW] & ~0x3800 & 0xffff) | (top << 11),
      ftw: s[FPU_TAG] & 0xff,
      st: stRegs,
      xmm,
      mem: this.phys.u8.slice(DATA_RAM, DATA_RAM + DATA_SIZE),
    };
  }
}

const machines: Partial<Record<Engine, OracleMachine>> = {};

/** Runs every case in the emulator and returns one Result per case (same order), like runHost. */
export function runEmu(cases: readonly Case[], opts: EmuOptions = {}): Result[] {
  const engine = opts.engine ?? 'interp';
  const machine = (machines[engine] ??= new OracleMachine(engine));
  const max = opts.maxInstructions ?? 200_000;
  const out: Result[] = [];
  for (const c of cases) {
    if (c.bits !== 64) throw new Error(`runEmu: case "${c.name}" is ${c.bits}-bit; only 64-bit cases are supported`);
    out.push(machine.run(c, max));
  }
  return out;
}

