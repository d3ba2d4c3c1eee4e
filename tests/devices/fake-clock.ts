// Test clock (devices/device.ts Clock): virtual time that moves only when a test calls advance(), running due
// callbacks in deadline order with the clock set to each deadline, like the machine's clock does.
import type { Clock } from '../../devices/device.js';

interface Entry {
  at: number;
  seq: number;
  handle: number;
  cb: () => void;
}

export class FakeClock implements Clock {
  now = 0;
  private entries: Entry[] = [];
  private seq = 0;
  private nextHandle = 1;

  nowNs(): number {
    return this.now;
  }

  schedule(atNs: number, cb: () => void): number {
    const e = { at: atNs, seq: this.seq++, handle: this.nextHandle++, cb };
    this.entries.push(e);
    return e.handle;
  }

  cancel(handle: number): void {
    this.entries = this.entries.filter((e) => e.handle !== handle);
  }

  /** Number of live deadlines. */
  get pending(): number {
    return this.entries.length;
  }

  /** Earliest live deadline, or Infinity. */
  next(): number {
    let m = Infinity;
    for (const e of this.entries) m = Math.min(m, e.at);
    return m;
  }

  /** Move time forward by `ns`, firing every deadline that falls due (in order) on the way. */
  advance(ns: number): void {
    this.runUntil(this.now + ns);
  }

  runUntil(end: number): void {
    for (;;) {
      let best: Entry | undefined;
      for (const e of this.entries) if (e.at <= end && (best === undefined || e.at < best.at || (e.at === best.at && e.seq < best.seq))) best = e;
      if (best === undefined) break;
      this.entries = this.entries.filter((e) => e !== best);
      this.now = Math.max(this.now, best.at);
      best.cb();
    }
    this.now = Math.max(this.now, end);
  }
}

/** An IrqLine that records its level and counts rising edges. */
export class ProbeIrq {
  level = false;
  rises = 0;
  changes: boolean[] = [];
  set(level: boolean): void {
    if (level && !this.level) this.rises++;
    this.level = level;
    this.changes.push(level);
  }
  pulse(): void {
    this.set(true);
    this.set(false);
  }
}
