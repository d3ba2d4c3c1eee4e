// Machine assembly (the PC as a whole, cf. QEMU's pc/q35 machine init): RAM, buses, vCPUs, code cache and engine,
// clock and scheduler, the platform devices, boot loaders, run control, host access and snapshots.
import { PhysMemory } from './memory/phys.js';
import { IoBus } from './memory/bus.js';
import { Cpu, Access } from './cpu/cpu.js';
import { PagingMmu } from './cpu/mmu.js';
import { SystemCore } from './cpu/interrupts.js';
import { resetCpu } from './cpu/reset.js';
import { CpuFault, MachineStop } from './cpu/fault.js';
import { STATE_BYTES, CPL } from './cpu/state.js';
import { CodeCache } from '../jit/cache/code-cache.js';
import { Interpreter } from '../jit/interp/interpreter.js';
import { decode } from '../jit/decoder/decode.js';
import { Jit } from '../jit/translator/jit.js';
import { disassemble } from '../jit/decoder/disasm.js';
import type { Stateful } from '../devices/device.js';
import { MachineConfig, ResolvedConfig, resolveConfig } from './config.js';
import { MachineClock, ClockState } from './clock.js';
import { Scheduler, Step, ExecEngine } from './scheduler.js';
import { Tracer, tracingMmu, traceBuses } from './trace.js';
import { TracingEngine, tracingHooks } from './trace-engine.js';
import { SymbolMap } from './symbols.js';
import { SerialConsole, SerialPort, serialPort } from './serial-console.js';
import { buildPlatform, Platform } from './platform.js';
import { loadMultiboot as mbLoad, LoadedKernel } from './loaders/multiboot.js';
import { loadBare as bareLoad } from './loaders/bare.js';
import { applyEntryState, EntryState } from './loaders/entry.js';
import { isElf, elfSymbols } from './loaders/elf.js';
import { ExitStatus } from './errors.js';
import { readRegisters, writeRegisters, Registers } from './registers.js';
import './isa.js';

export type StopReason = 'exit' | 'shutdown' | 'reset' | 'triple-fault' | 'halted' | 'max-instructions' | 'stopped';

export interface RunResult {
  reason: StopReason;
  /** The process exit status the CLI uses for this outcome (isa-debug-exit: (value << 1) | 1; see errors.ts). */
  exitCode: number;
  /** Triple-fault report or other explanation. */
  report?: string;
  /** Instructions retired by all vCPUs since the machine was created. */
  instructions: number;
}

export interface MachineSnapshot {
  version: 1;
  memory: number;
  cpus: Uint8Array[];
  ram: Uint8Array;
  devices: Record<string, unknown>;
  clock: ClockState;
  retired: number;
}

export interface MachineStats {
  instructions: number;
  perCpu: number[];
  slices: number;
  idleJumps: number;
  virtualNs: number;
  hostMs: number;
  blocksDecoded: number;
  blockInvalidations: number;
  cacheFlushes: number;
  engine: string;
  /** Instructions retired by translated code (the rest were interpreted). */
  jitInstructions: number;
  /** Translator statistics, when the JIT is on. */
  jit?: { regions: number; compileMs: number; sourceBytes: number; templated: number; fallbacks: number; invalidated: number; flushes: number };
}

/** Block executions before the 'auto' engine translates a block's region. */
export const JIT_THRESHOLD = 1000;
/** The 'auto' engine translates a block once it has retired this many instructions (executions x length): tuned on the perf suite's short runs and cold runs. */
export const JIT_HOT_INSTRUCTIONS = 500_000;

/** How long run() executes before yielding to the event loop (host milliseconds). */
const BATCH_MS = 16;

type Batch = { kind: 'done'; result: RunResult } | { kind: 'yield' } | { kind: 'wait'; ms: number };

export class Machine {
  readonly config: ResolvedConfig;
  readonly phys: PhysMemory;
  readonly io: IoBus;
  readonly cpus: Cpu[];
  readonly cache: CodeCache;
  readonly interpreter: Interpreter;
  readonly system: SystemCore;
  readonly clock: MachineClock;
  readonly scheduler: Scheduler;
  readonly tracer: Tracer;
  readonly symbols: SymbolMap;
  readonly platform: Platform;
  /** COM1 as the host sees it. */
  readonly serial: SerialPort;
  private readonly console: SerialConsole;
  private readonly stateful = new Map<string, Stateful<unknown>>();
  private running = false;
  private finished: RunResult | undefined;
  private wake: (() => void) | undefined;
  private hostMs = 0;
  private inputEnded = false;
  private pendingStop: MachineStop | undefined;
  /** The translator tier (engine 'auto' or 'jit'); undefined with --no-jit. */
  readonly jit: Jit | undefined;

  constructor(cfg: MachineConfig = {}) {
    const c = (this.config = resolveConfig(cfg));
    this.tracer = new Tracer(c.trace, c.traceSink);
    this.symbols = c.symbols !== undefined ? SymbolMap.parse(c.symbols) : new SymbolMap();
    this.tracer.symbols = this.symbols;
    this.phys = new PhysMemory(c.memory);
    this.io = new IoBus();
    this.cache = new CodeCache(this.phys);
    this.system = new SystemCore();
    const mmu = new PagingMmu();
    this.cpus = [];
    for (let i = 0; i < c.cpus; i++) {
      const cpu = new Cpu(i, this.phys, this.io, this.tracer.on('mmu') ? tracingMmu(mmu, this.tracer) : mmu);
      this.cache.attach(cpu);
      this.cpus.push(cpu);
    }
    this.interpreter = new Interpreter(this.cache, decode, this.tracer.on('int') ? tracingHooks(this.system, this.tracer) : this.system);
    // --trace=cpu lists blocks as the interpreter enters them, so it runs without the translator.
    this.jit =
      c.engine === 'interp' || c.trace.has('cpu')
        ? undefined
        : new Jit(this.interpreter, this.cache, {
            threshold: c.engine === 'jit' ? 1 : JIT_THRESHOLD,
            hotInstructions: c.engine === 'jit' ? undefined : JIT_HOT_INSTRUCTIONS,
            symbolize: (lin) => this.symbols.lookup(lin)?.name,
            disasm: disassemble,
            dumpDir: c.jitDump,
          });
    this.clock = new MachineClock(c.clock, c.nsPerInstruction);
    const engine: ExecEngine = this.tracer.on('cpu') ? new TracingEngine(this.interpreter, this.tracer) : this.interpreter;
    this.scheduler = new Scheduler(this.cpus, engine, this.clock, c.sliceInstructions);
    this.clock.onCounterRead = () => this.scheduler.counterRead();
    this.console = new SerialConsole(c.serial);
    this.console.onHostInput = () => this.kick();
    this.serial = serialPort(this.console);
    // One TSC for all vCPUs (invariant TSC at 1 GHz): machine time, so cores agree whatever they executed.
    const clock = this.clock;
    for (const cpu of this.cpus) cpu.tscSource = () => clock.nowNs();
    this.platform = buildPlatform(this, this.console, () => this.kick());
    this.scheduler.onSelect = this.cpus.length > 1 ? (i) => this.platform.selectCpu(i) : undefined;
    if (c.trace.has('io')) traceBuses(this.io, this.phys.mmio, this.tracer);
    this.reset();
  }

  /** Register a device's state under its name for snapshots (the platform calls this for every device). */
  addStateful(dev: Stateful<unknown>): void {
    if (this.stateful.has(dev.name)) throw new Error(`duplicate device name ${dev.name}`);
    this.stateful.set(dev.name, dev);
  }

  /** Power-on reset of every vCPU and device (vCPU 0 is the bootstrap processor). */
  reset(): void {
    for (const cpu of this.cpus) resetCpu(cpu, cpu.id === 0);
    for (const d of this.stateful.values()) d.reset?.();
    this.platform.writeFirmwareTables();
    this.cache.flushAll();
    this.finished = undefined;
    this.pendingStop = undefined;
  }

  // ---- boot paths ----------------------------------------------------------------------------------------------

  /**
   * Load a Multiboot v1 kernel (ELF32, or any image with a.out kludge addresses) and prepare vCPU 0 to enter it as
   * QEMU's `-kernel` does. `cmdline` is passed verbatim (the CLI passes "<path> <args>", like QEMU).
   */
  loadMultiboot(bytes: Uint8Array, cmdline = '', name = 'kernel'): LoadedKernel {
    this.reset();
    const k = mbLoad(this.phys, bytes, cmdline, name, this.platform.reservedRanges);
    applyEntryState(this.cpus[0], k.entry);
    if (isElf(bytes)) this.symbols.addAll(elfSymbols(bytes));
    return k;
  }

  /** Load a flat binary at `loadAddr` and prepare vCPU 0 to enter it at `entry` in 64-bit mode (see loaders/bare.ts). */
  loadBare(bytes: Uint8Array, loadAddr: number, entry: number, name = 'image'): EntryState {
    this.reset();
    const e = bareLoad(this.phys, bytes, { loadAddr, entry }, name);
    applyEntryState(this.cpus[0], e);
    return e;
  }

  /** Add guest symbols (`.sym` text) for traces and reports. */
  addSymbols(text: string, what = 'symbol file'): void {
    this.symbols.addAll(SymbolMap.parse(text, what).entries());
  }

  // ---- run control ---------------------------------------------------------------------------------------------

  /** Run until the guest exits, shuts down, triple-faults, halts for good, the limit is hit, or stop() is called. */
  async run(): Promise<RunResult> {
    if (this.finished !== undefined) return this.finished;
    if (this.pendingStop !== undefined) return this.finish(this.pendingStop);
    if (this.running) throw new Error('the machine is already running');
    this.running = true;
    this.scheduler.clearStop();
    this.scheduler.limit = this.config.maxInstructions;
    this.clock.resumeHost();
    const t0 = performance.now();
    const pace = { hostStart: performance.now(), virtStart: this.clock.nowNs() };
    try {
      for (;;) {
        const b = this.batch(false, pace);
        if (b.kind === 'done') return b.result;
        if (b.kind === 'yield') await new Promise<void>((r) => setImmediate(r));
        else {
          this.config.onIdle?.();
          await this.sleep(b.ms);
        }
      }
    } finally {
      this.hostMs += performance.now() - t0;
      this.running = false;
      this.clock.pauseHost();
      this.platform.flush();
    }
  }

  /**
   * Run synchronously for at most `maxInstructions` more instructions (tests). Returns 'max-instructions' when the
   * budget is used up; idle time is skipped (virtual clock) or slept (host clock).
   */
  runSync(maxInstructions = Infinity): RunResult {
    if (this.finished !== undefined) return this.finished;
    if (this.pendingStop !== undefined) return this.finish(this.pendingStop);
    if (this.running) throw new Error('the machine is already running');
    this.running = true;
    this.scheduler.clearStop();
    this.scheduler.limit = Math.min(this.config.maxInstructions, this.scheduler.retired + maxInstructions);
    this.clock.resumeHost();
    const t0 = performance.now();
    try {
      for (;;) {
        const b = this.batch(true, undefined);
        if (b.kind === 'done') return b.result;
        if (b.kind === 'wait') {
          this.config.onIdle?.();
          sleepSync(b.ms);
        }
      }
    } finally {
      this.hostMs += performance.now() - t0;
      this.running = false;
      this.clock.pauseHost();
      this.platform.flush();
    }
  }

  /**
   * End the run as `stop` says once the current instruction has retired (devices call this for isa-debug-exit,
   * ACPI power-off and reset requests). The first request wins.
   */
  requestStop(stop: MachineStop): void {
    if (this.pendingStop === undefined) this.pendingStop = stop;
    this.scheduler.requestStop();
    this.kick();
  }

  /** The host's input (the serial back end) has ended: an idle machine can no longer be woken by it. */
  endInput(): void {
    this.inputEnded = true;
    this.kick();
  }

  /** Make run() return 'stopped' at the next slice boundary. */
  stop(): void {
    this.scheduler.requestStop();
    this.kick();
  }

  /**
   * Run until COM1 output matches `pattern` (searched in the whole accumulated output). Resolves with the match;
   * rejects if the machine stops first or `timeoutInstructions` more instructions pass without a match.
   */
  async waitForOutput(pattern: string | RegExp, opts: { timeoutInstructions?: number } = {}): Promise<string> {
    const limit = this.scheduler.retired + (opts.timeoutInstructions ?? 1e9);
    const test = (): string | undefined => {
      const out = this.console.output;
      if (typeof pattern === 'string') return out.includes(pattern) ? pattern : undefined;
      const m = pattern.exec(out);
      return m === null ? undefined : m[0];
    };
    let lastYield = performance.now();
    for (;;) {
      this.platform.flush();
      const hit = test();
      if (hit !== undefined) return hit;
      const left = limit - this.scheduler.retired;
      if (left <= 0) throw new Error(`no ${String(pattern)} in the serial output after ${opts.timeoutInstructions ?? 1e9} instructions; output so far:\n${this.console.output}`);
      // Small steps: the UART hands output over at step boundaries, and we want to stop soon after the match.
      const r = this.runSync(Math.min(left, 2_000));
      this.platform.flush();
      const hit2 = test();
      if (hit2 !== undefined) return hit2;
      if (r.reason !== 'max-instructions') {
        throw new Error(`machine stopped (${r.reason}${r.report !== undefined ? ': ' + r.report : ''}) before ${String(pattern)} appeared; output:\n${this.console.output}`);
      }
      if (performance.now() - lastYield > BATCH_MS) {
        await new Promise<void>((res) => setImmediate(res));
        lastYield = performance.now();
      }
    }
  }

  private kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      if (ms !== Infinity) timer = setTimeout(done, Math.max(0, Math.min(ms, 1000)));
    });
  }

  private batch(sync: boolean, pace: { hostStart: number; virtStart: number } | undefined): Batch {
    const t0 = performance.now();
    const sched = this.scheduler;
    const clock = this.clock;
    for (let rounds = 1; ; rounds++) {
      let st: Step;
      try {
        st = sched.step();
      } catch (e) {
        if (e instanceof MachineStop) return { kind: 'done', result: this.finish(this.pendingStop ?? e) };
        throw e;
      }
      switch (st) {
        case Step.Ran:
          break;
        case Step.IdleUntilDeadline: {
          const next = clock.nextDeadline();
          if (clock.mode === 'virtual') {
            if (pace !== undefined && this.config.paceIdle) {
              const aheadMs = (next - pace.virtStart) / 1e6 - (performance.now() - pace.hostStart);
              if (aheadMs > 1) return { kind: 'wait', ms: aheadMs };
            }
            sched.skipToDeadline();
          } else {
            const ms = (next - clock.nowNs()) / 1e6;
            if (ms > 0.05) return { kind: 'wait', ms };
          }
          break;
        }
        case Step.IdleForever:
          if (sync || this.config.serial === undefined || this.inputEnded) return { kind: 'done', result: this.result('halted', 'every vCPU is halted and no timer or input can wake it') };
          return { kind: 'wait', ms: Infinity };
        case Step.Dead:
          return { kind: 'done', result: this.result('halted', 'every vCPU is halted with interrupts disabled') };
        case Step.MaxInstructions:
          return { kind: 'done', result: this.result('max-instructions') };
        case Step.Stopped:
          if (this.pendingStop !== undefined) return { kind: 'done', result: this.finish(this.pendingStop) };
          return { kind: 'done', result: this.result('stopped') };
      }
      if ((rounds & 7) === 0) {
        this.platform.flush();
        if (!sync && performance.now() - t0 > BATCH_MS) return { kind: 'yield' };
      }
    }
  }

  private result(reason: StopReason, report?: string): RunResult {
    const exitCode =
      reason === 'halted' ? ExitStatus.halted : reason === 'max-instructions' ? ExitStatus.maxInstructions : reason === 'stopped' ? ExitStatus.interrupted : 0;
    return { reason, exitCode, report, instructions: this.scheduler.retired };
  }

  /** A triple-fault report also names the guest symbol at the faulting RIP, when the symbol maps know it. */
  private withSymbol(report: string): string {
    const cpu = this.scheduler.current;
    if (cpu === undefined || !report.startsWith(`triple fault on CPU ${cpu.id}:`)) return report;
    const sym = this.symbols.format(Interpreter.ripLinear(cpu));
    return sym === '' ? report : `${report}\n  symbol: ${sym}`;
  }

  private finish(e: MachineStop): RunResult {
    let r: RunResult;
    switch (e.reason) {
      case 'exit':
        r = { reason: 'exit', exitCode: e.exitCode, report: e.message, instructions: this.scheduler.retired };
        break;
      case 'triple-fault':
        r = { reason: 'triple-fault', exitCode: ExitStatus.tripleFault, report: this.withSymbol(e.message), instructions: this.scheduler.retired };
        break;
      case 'shutdown':
        r = { reason: 'shutdown', exitCode: ExitStatus.shutdown, report: e.message, instructions: this.scheduler.retired };
        break;
      case 'reset':
        r = { reason: 'reset', exitCode: ExitStatus.shutdown, report: e.message, instructions: this.scheduler.retired };
        break;
      default:
        throw new Error(`internal error: ${e.message}`);
    }
    this.finished = r;
    return r;
  }

  // ---- host access -----------------------------------------------------------------------------------------------

  /** Physical memory (RAM or device registers) as bytes. */
  readMemory(phys: number, length: number): Uint8Array {
    return this.phys.readBytes(phys, length);
  }

  /** Write guest RAM; code caches drop any translation of the bytes. */
  writeMemory(phys: number, bytes: Uint8Array): void {
    this.phys.writeBytes(phys, bytes);
  }

  /** Linear memory through vCPU `cpu`'s paging (supervisor access); throws if a page is not mapped. */
  readLinear(lin: number, length: number, cpu = 0): Uint8Array {
    const c = this.cpus[cpu];
    const out = new Uint8Array(length);
    for (let i = 0; i < length; ) {
      let pa: number;
      try {
        pa = c.mmu.translate(c, lin + i, Access.Read, true);
      } catch (e) {
        if (e instanceof CpuFault) throw new Error(`linear address 0x${(lin + i).toString(16)} is not mapped (${e.toString()})`);
        throw e;
      }
      const n = Math.min(length - i, 4096 - ((lin + i) & 0xfff));
      out.set(this.phys.readBytes(pa, n), i);
      i += n;
    }
    return out;
  }

  getRegisters(cpu = 0): Registers {
    return readRegisters(this.cpus[cpu]);
  }

  setRegisters(regs: Partial<Registers>, cpu = 0): void {
    writeRegisters(this.cpus[cpu], regs);
  }

  get instructions(): number {
    return this.scheduler.retired;
  }

  stats(): MachineStats {
    return {
      instructions: this.scheduler.retired,
      perCpu: [...this.scheduler.perCpu],
      slices: this.scheduler.slices,
      idleJumps: this.scheduler.idleJumps,
      virtualNs: this.clock.nowNs(),
      hostMs: this.hostMs,
      blocksDecoded: this.cache.stats.blocks,
      blockInvalidations: this.cache.stats.invalidations,
      cacheFlushes: this.cache.stats.flushes,
      engine: this.jit === undefined ? 'interpreter' : `interpreter + JIT (${this.config.engine}): ${this.jit.stats.regions} regions, ${this.jit.stats.compileMs.toFixed(1)} ms compiling`,
      jitInstructions: this.interpreter.jitRetired,
      jit: this.jit === undefined ? undefined : { ...this.jit.stats },
    };
  }

  // ---- snapshots -----------------------------------------------------------------------------------------------

  /** Capture vCPU state, RAM, device states and the clock. Not allowed while run() is in progress. */
  saveState(): MachineSnapshot {
    if (this.running) throw new Error('cannot snapshot a running machine');
    this.platform.flush();
    const devices: Record<string, unknown> = {};
    for (const [name, d] of this.stateful) devices[name] = structuredClone(d.saveState());
    return {
      version: 1,
      memory: this.phys.size,
      cpus: this.cpus.map((c) => c.st.save()),
      ram: this.phys.u8.slice(),
      devices,
      clock: this.clock.saveState(),
      retired: this.scheduler.retired,
    };
  }

  restoreState(s: MachineSnapshot): void {
    if (this.running) throw new Error('cannot restore into a running machine');
    if (s.version !== 1) throw new Error(`unsupported snapshot version ${String(s.version)}`);
    if (s.memory !== this.phys.size || s.cpus.length !== this.cpus.length) {
      throw new Error(`snapshot is for ${s.cpus.length} CPUs / ${s.memory} bytes; this machine has ${this.cpus.length} / ${this.phys.size}`);
    }
    for (const c of s.cpus) if (c.length !== STATE_BYTES) throw new Error('bad CPU state in snapshot');
    this.phys.u8.set(s.ram);
    this.cache.flushAll();
    this.clock.restoreState(s.clock);
    this.cpus.forEach((cpu, i) => {
      cpu.st.restore(s.cpus[i]);
      cpu.setCpl(cpu.i32[CPL]);
      cpu.flushTlb(true);
    });
    for (const [name, d] of this.stateful) {
      if (!(name in s.devices)) throw new Error(`snapshot has no state for device ${name}`);
      d.restoreState(structuredClone(s.devices[name]));
    }
    this.scheduler.retired = s.retired;
    this.finished = undefined;
    this.pendingStop = undefined;
  }

  /** Release host resources (terminal raw mode, listeners). */
  close(): void {
    this.console.close();
  }
}

/** Create a machine (see MachineConfig for the options). */
export function createMachine(config: MachineConfig = {}): Machine {
  return new Machine(config);
}

function sleepSync(ms: number): void {
  if (!(ms > 0)) return;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(cell, 0, 0, Math.min(ms, 1000));
}
