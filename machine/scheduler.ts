// vCPU scheduler: round-robin slices on one thread (cf. QEMU's single-threaded TCG round robin), timer deadlines
// fired between slices, virtual time that jumps to the next deadline when every vCPU is idle.
import type { Cpu } from './cpu/cpu.js';
import { HALTED, PENDING, FLAGS, Flag, Pending } from './cpu/state.js';
import type { MachineClock } from './clock.js';

/** Something that runs guest instructions on a vCPU (the interpreter, later the interpreter with JIT tiers). */
export interface ExecEngine {
  /** Run up to about `budget` instructions; returns the number retired. Stops early at HLT or a stop request. */
  run(cpu: Cpu, budget: number): number;
}

export const enum Step {
  /** Some vCPU ran; call step() again. */
  Ran = 0,
  /** Every vCPU is idle; the next timer deadline is clock.nextDeadline(). */
  IdleUntilDeadline = 1,
  /** Every vCPU is idle and no timer is armed: only host input (or nothing) can wake the machine. */
  IdleForever = 2,
  /** Every vCPU halted with interrupts disabled: nothing can wake the machine. */
  Dead = 3,
  MaxInstructions = 4,
  Stopped = 5,
}

/** Time jumps for rounds in which every running vCPU polls time (see Scheduler.counterRead). */
const SPIN_MIN_NS = 1_000;
const SPIN_MAX_NS = 1_000_000;

export class Scheduler {
  /** Instructions retired by all vCPUs since the machine was created. */
  retired = 0;
  /** Per-vCPU retired counts (stats). */
  readonly perCpu: number[];
  /** Absolute retired-instruction count at which to stop (Infinity: never). */
  limit = Infinity;
  /** The vCPU currently executing (devices that need "the current CPU" ask here). */
  current: Cpu | undefined;
  private stopRequested = false;
  slices = 0;
  idleJumps = 0;
  /** Called with the vCPU index before it runs (the platform points per-vCPU device windows at it). */
  onSelect: ((index: number) => void) | undefined;
  /** Rounds in which every vCPU that ran was polling time, and the time jump they got (virtual clock). */
  spinJumps = 0;
  private spinNs = 0;
  private spun = false;
  private counterReads = 0;
  /** The vCPU a round starts with. */
  private first = 0;

  constructor(
    readonly cpus: readonly Cpu[],
    public engine: ExecEngine,
    readonly clock: MachineClock,
    public slice: number,
  ) {
    this.perCpu = cpus.map(() => 0);
  }

  /** Ask the running loop to return at the next slice boundary (safe to call from callbacks and other tasks). */
  requestStop(): void {
    this.stopRequested = true;
    for (const c of this.cpus) c.i32[PENDING] |= Pending.Stop;
  }

  clearStop(): void {
    this.stopRequested = false;
    for (const c of this.cpus) c.i32[PENDING] &= ~Pending.Stop;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  static isIdle(cpu: Cpu): boolean {
    return cpu.i32[HALTED] !== 0 && (cpu.i32[PENDING] & ~Pending.Stop) === 0;
  }

  /** One round: fire due timers, give every runnable vCPU one slice, advance virtual time. */
  step(): Step {
    const clock = this.clock;
    clock.fireDue();
    if (this.stopRequested) return Step.Stopped;
    const remaining = this.limit - this.retired;
    if (remaining <= 0) return Step.MaxInstructions;
    let budget = this.slice;
    const virtual = clock.mode === 'virtual';
    if (virtual) {
      const next = clock.nextDeadline();
      if (next !== Infinity) budget = Math.min(budget, Math.max(1, Math.ceil((next - clock.nowNs()) / clock.nsPerInstruction)));
    }
    let maxDone = 0;
    let active = false;
    let polling = false;
    let working = false;
    const cpus = this.cpus;
    const n = cpus.length;
    // A round cut short by the instruction limit or a stop resumes with the vCPU that was next, so callers that run
    // in small steps (waitForOutput) do not starve the vCPUs at the end of the list.
    for (let j = 0, k = this.first; j < n; j++, k = k + 1 === n ? 0 : k + 1) {
      const cpu = cpus[k];
      if (Scheduler.isIdle(cpu)) continue;
      const left = this.limit - this.retired;
      if (left <= 0) {
        this.first = k;
        break;
      }
      this.current = cpu;
      this.onSelect?.(k);
      this.spun = false;
      this.counterReads = 0;
      const done = this.engine.run(cpu, left < budget ? left : budget);
      this.current = undefined;
      if (this.spun) {
        polling = true;
        if (!this.stopRequested) cpu.i32[PENDING] &= ~Pending.Stop;
      } else if (done > 0) working = true;
      this.retired += done;
      this.perCpu[k] += done;
      if (done > maxDone) maxDone = done;
      if (done > 0 || cpu.i32[HALTED] === 0) active = true;
      if (this.stopRequested) {
        this.first = k + 1 === n ? 0 : k + 1;
        break;
      }
    }
    this.slices++;
    if (virtual) {
      let ns = maxDone * clock.nsPerInstruction;
      if (polling && !working) {
        // Everyone who ran is waiting for time to pass (a delay loop on the HPET): jump ahead, by a quantum that
        // doubles while the waiting lasts (a wait overshoots by less than its own length, plus SPIN_MIN_NS) and
        // never past the next timer deadline.
        this.spinNs = this.spinNs === 0 ? SPIN_MIN_NS : Math.min(this.spinNs * 2, SPIN_MAX_NS);
        ns = Math.max(ns, Math.min(this.spinNs, clock.nextDeadline() - clock.nowNs()));
        this.spinJumps++;
      } else this.spinNs = 0;
      clock.advance(ns);
    }
    if (active) return Step.Ran;
    if (this.stopRequested) return Step.Stopped;
    if (cpus.every((c) => c.i32[HALTED] !== 0 && (c.i32[FLAGS] & Flag.IF) === 0)) return Step.Dead;
    return clock.nextDeadline() === Infinity ? Step.IdleForever : Step.IdleUntilDeadline;
  }

  /**
   * The current vCPU read a free-running counter (Clock.counterRead). Time stands still within a slice, so a second
   * read in the same slice can only be polling: end the slice (the round may then move time ahead).
   */
  counterRead(): void {
    const c = this.current;
    if (c === undefined || ++this.counterReads < 2) return;
    this.spun = true;
    c.i32[PENDING] |= Pending.Stop;
  }

  /** Virtual clock, every vCPU idle: jump to the next deadline (the timers fire on the next step). */
  skipToDeadline(): void {
    const next = this.clock.nextDeadline();
    if (next !== Infinity) {
      this.clock.advanceTo(next);
      this.idleJumps++;
    }
  }
}
