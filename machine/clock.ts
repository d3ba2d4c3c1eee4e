// The machine's time base (devices/device.ts Clock): virtual time derived from retired instructions (deterministic)
// or host time, plus the deadline queue that timers (PIT, HPET, LAPIC timer, RTC) use and the scheduler fires.
import type { Clock } from '../devices/device.js';
import type { ClockMode } from './config.js';

interface Deadline {
  at: number;
  seq: number; // FIFO among equal deadlines: keeps virtual-mode runs deterministic
  handle: number;
  cb: () => void;
}

export interface ClockState {
  mode: ClockMode;
  nowNs: number;
}

/**
 * Virtual mode: `nowNs()` is the time at the start of the current scheduler slice; the scheduler advances it by
 * (instructions retired in the slice) x nsPerInstruction, and jumps it to the next deadline when every vCPU is
 * halted. Host mode: `nowNs()` is host time elapsed since the machine started (minus time spent stopped).
 */
export class MachineClock implements Clock {
  private heap: Deadline[] = [];
  private live = new Map<number, Deadline>();
  private nextHandle = 1;
  private seq = 0;
  private virtualNs = 0;
  private hostOriginMs = 0;
  private hostPausedAtMs = -1;

  constructor(
    readonly mode: ClockMode,
    readonly nsPerInstruction: number,
  ) {
    this.hostOriginMs = performance.now();
    this.hostPausedAtMs = this.hostOriginMs; // host time runs only while the machine runs
  }

  /** Set by the machine: the guest read a free-running counter (virtual mode only, see Clock.counterRead). */
  onCounterRead: (() => void) | undefined;

  counterRead(): void {
    if (this.mode === 'virtual') this.onCounterRead?.();
  }

  nowNs(): number {
    if (this.mode === 'virtual') return this.virtualNs;
    const t = this.hostPausedAtMs >= 0 ? this.hostPausedAtMs : performance.now();
    return Math.floor((t - this.hostOriginMs) * 1e6);
  }

  schedule(atNs: number, cb: () => void): number {
    const d: Deadline = { at: atNs, seq: this.seq++, handle: this.nextHandle++, cb };
    this.live.set(d.handle, d);
    this.push(d);
    return d.handle;
  }

  cancel(handle: number): void {
    // Lazy deletion: the heap entry is skipped when it surfaces.
    this.live.delete(handle);
  }

  /** Time of the earliest live deadline, or Infinity. */
  nextDeadline(): number {
    this.dropCancelled();
    return this.heap.length > 0 ? this.heap[0].at : Infinity;
  }

  /** Run every callback whose deadline is due (callbacks may schedule more; those run too if due). Returns the count. */
  fireDue(): number {
    let n = 0;
    const now = this.nowNs();
    for (;;) {
      this.dropCancelled();
      const top = this.heap[0];
      if (top === undefined || top.at > now) return n;
      this.pop();
      this.live.delete(top.handle);
      top.cb();
      n++;
    }
  }

  /** Virtual mode: move time forward (never backward). */
  advance(ns: number): void {
    if (ns > 0) this.virtualNs += ns;
  }

  advanceTo(ns: number): void {
    if (ns > this.virtualNs) this.virtualNs = ns;
  }

  /** Host mode: the machine starts or stops running (time does not pass for the guest while stopped). */
  resumeHost(): void {
    if (this.hostPausedAtMs < 0) return;
    this.hostOriginMs += performance.now() - this.hostPausedAtMs;
    this.hostPausedAtMs = -1;
  }

  pauseHost(): void {
    if (this.hostPausedAtMs < 0) this.hostPausedAtMs = performance.now();
  }

  get pendingDeadlines(): number {
    return this.live.size;
  }

  /** Deadlines are owned by the devices that set them; a restored device re-schedules its own. */
  saveState(): ClockState {
    return { mode: this.mode, nowNs: this.nowNs() };
  }

  restoreState(s: ClockState): void {
    this.heap = [];
    this.live.clear();
    if (this.mode === 'virtual') this.virtualNs = s.nowNs;
    else {
      const now = performance.now();
      this.hostOriginMs = now - s.nowNs / 1e6;
      if (this.hostPausedAtMs >= 0) this.hostPausedAtMs = now;
    }
  }

  // ---- binary heap on (at, seq) ----------------------------------------------------------------------------

  private dropCancelled(): void {
    while (this.heap.length > 0 && !this.live.has(this.heap[0].handle)) this.pop();
  }

  private less(a: Deadline, b: Deadline): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(d: Deadline): void {
    const h = this.heap;
    h.push(d);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
