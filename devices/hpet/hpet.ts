// High Precision Event Timer (IA-PC HPET specification 1.0a §2.3): capabilities, general configuration and
// interrupt status, a 64-bit main counter derived from the virtual Clock, and comparators (one-shot/periodic,
// 32/64-bit, edge/level, I/O APIC routing or legacy replacement). Deadlines are scheduled on the Clock.
import type { Clock, IrqLine, MmioHandler, Stateful } from '../device.js';
import { hi32, lo32, TWO32 } from '../reg-access.js';

/** Register offsets (spec Table 3). */
export const enum HpetReg {
  GCAP_ID = 0x000,
  GEN_CONF = 0x010,
  GINTR_STA = 0x020,
  MAIN_COUNTER = 0x0f0,
  TIMER0 = 0x100, // Tn_CONF at 0x100 + 0x20*n, Tn_COMPARATOR at +8, Tn_FSB_ROUTE at +0x10
}

const CONF_ENABLE = 1;
const CONF_LEGACY = 2;

const TN_LEVEL = 1 << 1;
const TN_INT_ENB = 1 << 2;
const TN_PERIODIC = 1 << 3;
const TN_PER_CAP = 1 << 4;
const TN_SIZE_CAP = 1 << 5;
const TN_VAL_SET = 1 << 6;
const TN_32BIT = 1 << 8;
const TN_ROUTE_SHIFT = 9;
/** Guest-writable Tn_CONF low bits: type, enable, periodic, val_set, 32-bit mode, route (FSB bits stay 0). */
const TN_WMASK = TN_LEVEL | TN_INT_ENB | TN_PERIODIC | TN_VAL_SET | TN_32BIT | (0x1f << TN_ROUTE_SHIFT);

export interface HpetTimerState {
  conf: number;
  /** Comparator value, low and high dwords (exact register contents). */
  cmpLo: number;
  cmpHi: number;
  /** Periodic increment (last value written to the comparator in periodic mode), low and high dwords. */
  perLo: number;
  perHi: number;
  /** Level currently driven on the timer's interrupt line. */
  asserted: boolean;
}

export interface HpetState {
  conf: number;
  isr: number;
  /** Main counter value at `baseNs` (while enabled) or the frozen value (while halted). */
  counterBase: number;
  baseNs: number;
  timers: HpetTimerState[];
}

export interface HpetOptions {
  clock: Clock;
  /** Counter period in femtoseconds (QEMU: 10,000,000 fs = 100 MHz). */
  periodFs?: number;
  timers?: number;
  /** Tn_INT_ROUTE_CAP: I/O APIC inputs each comparator may use (QEMU q35: 0x00FF0104 = GSI 2, 8, 16..23). */
  routeCap?: number;
  /** Interrupt line of I/O APIC input `gsi` (normal routing). */
  gsi: (gsi: number) => IrqLine;
  /**
   * Legacy replacement lines: timer 0 replaces the PIT on ISA IRQ0 (8259 IRQ0 + I/O APIC pin 2) and timer 1 the RTC
   * on IRQ8. The machine wires them; defaults to gsi(2) and gsi(8).
   */
  legacy?: [IrqLine, IrqLine];
  /** Told when legacy replacement is switched on/off so the machine can disconnect the PIT's and RTC's IRQs. */
  onLegacyChange?: (on: boolean) => void;
}

export class Hpet implements MmioHandler, Stateful<HpetState> {
  readonly name = 'hpet';
  readonly periodFs: number;
  readonly timerCount: number;
  readonly routeCap: number;
  /** Nanoseconds per counter tick. */
  private readonly tickNs: number;
  private readonly clock: Clock;
  private conf = 0;
  private isr = 0;
  private counterBase = 0;
  private baseNs = 0;
  private readonly timers: HpetTimerState[] = [];
  private readonly handles: number[] = [];
  private readonly lines: (IrqLine | undefined)[] = [];

  constructor(private readonly opts: HpetOptions) {
    this.clock = opts.clock;
    this.periodFs = opts.periodFs ?? 10_000_000;
    if (!(this.periodFs > 0 && this.periodFs <= 100_000_000)) throw new RangeError('HPET period must be in (0, 10^8] fs');
    this.tickNs = this.periodFs / 1e6;
    this.timerCount = opts.timers ?? 3;
    if (this.timerCount < 1 || this.timerCount > 32) throw new RangeError('HPET timer count must be 1..32');
    this.routeCap = (opts.routeCap ?? 0x00ff0104) >>> 0;
    for (let i = 0; i < this.timerCount; i++) {
      this.timers.push({ conf: 0, cmpLo: 0, cmpHi: 0, perLo: 0, perHi: 0, asserted: false });
      this.handles.push(-1);
      this.lines.push(undefined);
    }
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < this.timerCount; i++) {
      this.setLine(i, false);
      this.cancel(i);
      const t = this.timers[i];
      t.conf = 0;
      t.cmpLo = 0xffffffff; // comparators reset to all ones
      t.cmpHi = 0xffffffff;
      t.perLo = 0;
      t.perHi = 0;
    }
    this.conf = 0;
    this.isr = 0;
    this.counterBase = 0;
    this.baseNs = 0;
  }

  /** GCAP_ID low dword: rev 1, NUM_TIM_CAP, 64-bit counter, legacy-replacement capable, vendor 0x8086. */
  get capsLow(): number {
    return (0x8086 << 16) | (1 << 15) | (1 << 13) | ((this.timerCount - 1) << 8) | 0x01;
  }

  private get enabled(): boolean {
    return (this.conf & CONF_ENABLE) !== 0;
  }

  /** Main counter value now (cheap: one Clock read and a division). Exact below 2^53. */
  counter(): number {
    if (!this.enabled) return this.counterBase;
    return this.counterBase + Math.floor((this.clock.nowNs() - this.baseNs) / this.tickNs);
  }

  /** Virtual time at which the main counter reaches `value` (only meaningful while enabled). */
  private timeOf(value: number): number {
    return this.baseNs + (value - this.counterBase) * this.tickNs;
  }

  private setCounter(v: number): void {
    this.counterBase = v;
    this.baseNs = this.clock.nowNs();
    for (let i = 0; i < this.timerCount; i++) this.schedule(i);
  }

  // ---- interrupts ---------------------------------------------------------------------------------------------

  private lineFor(i: number): IrqLine {
    if ((this.conf & CONF_LEGACY) !== 0 && i < 2) {
      const leg = this.opts.legacy;
      return leg !== undefined ? leg[i] : this.opts.gsi(i === 0 ? 2 : 8);
    }
    return this.opts.gsi((this.timers[i].conf >> TN_ROUTE_SHIFT) & 0x1f);
  }

  private setLine(i: number, level: boolean): void {
    const t = this.timers[i];
    if (t.asserted === level) return;
    t.asserted = level;
    const line = level ? this.lineFor(i) : this.lines[i];
    if (level) this.lines[i] = line;
    line?.set(level);
  }

  private fire(i: number): void {
    const t = this.timers[i];
    if ((t.conf & TN_LEVEL) !== 0) {
      this.isr |= 1 << i;
      if ((t.conf & TN_INT_ENB) !== 0) this.setLine(i, true);
    } else if ((t.conf & TN_INT_ENB) !== 0) {
      this.lineFor(i).pulse();
    }
  }

  // ---- comparators --------------------------------------------------------------------------------------------

  private cancel(i: number): void {
    if (this.handles[i] >= 0) this.clock.cancel(this.handles[i]);
    this.handles[i] = -1;
  }

  private is32(i: number): boolean {
    return (this.timers[i].conf & TN_32BIT) !== 0;
  }

  /** Counter value (absolute) of timer i's next match at or after `from`, or -1 if it never matches. */
  private nextMatch(i: number, from: number): number {
    const t = this.timers[i];
    if (this.is32(i)) return from + ((t.cmpLo - lo32(from) + TWO32) % TWO32);
    const cmp = t.cmpHi * TWO32 + t.cmpLo; // beyond 2^53 ticks (2.8 years at 100 MHz) precision does not matter
    return cmp >= from ? cmp : -1;
  }

  private schedule(i: number): void {
    this.cancel(i);
    if (!this.enabled) return;
    const next = this.nextMatch(i, this.counter() + 1);
    if (next < 0) return;
    this.handles[i] = this.clock.schedule(this.timeOf(next), () => this.onDeadline(i, next));
  }

  private onDeadline(i: number, target: number): void {
    this.handles[i] = -1;
    if (!this.enabled) return;
    const now = this.counter();
    if (now < target) {
      // Early by rounding: retry strictly later so a due-callback loop can never spin.
      const at = Math.max(this.timeOf(target), this.clock.nowNs() + 1);
      this.handles[i] = this.clock.schedule(at, () => this.onDeadline(i, target));
      return;
    }
    this.fire(i);
    const t = this.timers[i];
    const period = this.is32(i) ? t.perLo : t.perHi * TWO32 + t.perLo;
    if ((t.conf & TN_PERIODIC) !== 0 && period > 0) {
      // Advance the comparator past "now" by whole periods (a late callback coalesces missed periods).
      const steps = Math.floor((now - target) / period) + 1;
      if (this.is32(i)) {
        t.cmpLo = (t.cmpLo + steps * period) % TWO32;
      } else {
        const cmp = t.cmpHi * TWO32 + t.cmpLo + steps * period;
        t.cmpLo = lo32(cmp);
        t.cmpHi = hi32(cmp);
      }
    }
    this.schedule(i);
  }

  private writeTimerConf(i: number, v: number): void {
    const t = this.timers[i];
    const old = t.conf;
    t.conf = (old & ~TN_WMASK) | (v & TN_WMASK);
    if ((t.conf & TN_32BIT) !== 0 && (old & TN_32BIT) === 0) {
      t.cmpHi = 0;
      t.perHi = 0;
    }
    // Edge mode or interrupts disabled: a held level is dropped (status bit stays until cleared).
    if ((t.conf & TN_INT_ENB) === 0 || (t.conf & TN_LEVEL) === 0) this.setLine(i, false);
    else if ((this.isr & (1 << i)) !== 0) this.setLine(i, true);
    this.schedule(i);
  }

  private writeComparator(i: number, part: 0 | 1, v: number): void {
    const t = this.timers[i];
    if (part === 1 && this.is32(i)) return;
    const periodic = (t.conf & TN_PERIODIC) !== 0;
    if (!periodic || (t.conf & TN_VAL_SET) !== 0) {
      if (part === 0) t.cmpLo = v >>> 0;
      else t.cmpHi = v >>> 0;
    }
    if (periodic) {
      if (part === 0) t.perLo = v >>> 0;
      else t.perHi = v >>> 0;
    }
    // VAL_SET is cleared by the write of the high dword (or of the only dword in 32-bit mode).
    if (part === 1 || this.is32(i)) t.conf &= ~TN_VAL_SET;
    this.schedule(i);
  }

  // ---- MMIO ---------------------------------------------------------------------------------------------------

  read(offset: number, size: number): number {
    const v = this.readDword(offset & ~3);
    if (size >= 4) return v;
    const shift = (offset & 3) * 8;
    return (v >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  readDword(off: number): number {
    switch (off) {
      case HpetReg.GCAP_ID:
        return this.capsLow >>> 0;
      case HpetReg.GCAP_ID + 4:
        return this.periodFs >>> 0;
      case HpetReg.GEN_CONF:
        return this.conf;
      case HpetReg.GINTR_STA:
        return this.isr >>> 0;
      case HpetReg.MAIN_COUNTER:
        this.clock.counterRead?.(); // delay loops poll this: the machine fast-forwards them
        return lo32(this.counter());
      case HpetReg.MAIN_COUNTER + 4:
        return hi32(this.counter());
      default:
        break;
    }
    if (off >= HpetReg.TIMER0 && off < HpetReg.TIMER0 + 0x20 * this.timerCount) {
      const i = (off - HpetReg.TIMER0) >> 5;
      const t = this.timers[i];
      switch (off & 0x1f) {
        case 0x00:
          return (t.conf | TN_PER_CAP | TN_SIZE_CAP) >>> 0;
        case 0x04:
          return this.routeCap;
        case 0x08:
          return t.cmpLo;
        case 0x0c:
          return this.is32(i) ? 0 : t.cmpHi;
        default:
          return 0; // FSB route: FSB delivery not implemented
      }
    }
    return 0;
  }

  write(offset: number, size: number, value: number): void {
    if (size >= 8) {
      this.writeDword(offset & ~3, lo32(value));
      this.writeDword((offset & ~3) + 4, hi32(value));
      return;
    }
    if (size < 4) {
      const shift = (offset & 3) * 8;
      const mask = (size === 1 ? 0xff : 0xffff) << shift;
      const old = this.readDword(offset & ~3);
      value = ((old & ~mask) | ((value << shift) & mask)) >>> 0;
    }
    this.writeDword(offset & ~3, value >>> 0);
  }

  writeDword(off: number, v: number): void {
    switch (off) {
      case HpetReg.GEN_CONF: {
        const old = this.conf;
        const c = v & (CONF_ENABLE | CONF_LEGACY);
        if ((old & CONF_ENABLE) !== 0 && (c & CONF_ENABLE) === 0) this.counterBase = this.counter(); // freeze
        if ((old & CONF_ENABLE) === 0 && (c & CONF_ENABLE) !== 0) this.baseNs = this.clock.nowNs(); // resume
        if ((old ^ c) & CONF_LEGACY) {
          // Re-route: drop levels on the old lines first.
          for (let i = 0; i < Math.min(2, this.timerCount); i++) this.setLine(i, false);
        }
        this.conf = c;
        if ((old ^ c) & CONF_LEGACY) {
          this.opts.onLegacyChange?.((c & CONF_LEGACY) !== 0);
          for (let i = 0; i < Math.min(2, this.timerCount); i++)
            if ((this.isr & (1 << i)) !== 0 && (this.timers[i].conf & (TN_LEVEL | TN_INT_ENB)) === (TN_LEVEL | TN_INT_ENB))
              this.setLine(i, true);
        }
        for (let i = 0; i < this.timerCount; i++) this.schedule(i);
        return;
      }
      case HpetReg.GINTR_STA: {
        // Write 1 to clear a level-triggered status bit (and release the line).
        const clear = v & this.isr;
        this.isr &= ~clear;
        for (let i = 0; i < this.timerCount; i++) if ((clear & (1 << i)) !== 0) this.setLine(i, false);
        return;
      }
      case HpetReg.MAIN_COUNTER:
        this.setCounter(hi32(this.counter()) * TWO32 + v);
        return;
      case HpetReg.MAIN_COUNTER + 4:
        this.setCounter(v * TWO32 + lo32(this.counter()));
        return;
      default:
        break;
    }
    if (off >= HpetReg.TIMER0 && off < HpetReg.TIMER0 + 0x20 * this.timerCount) {
      const i = (off - HpetReg.TIMER0) >> 5;
      switch (off & 0x1f) {
        case 0x00:
          this.writeTimerConf(i, v);
          return;
        case 0x08:
          this.writeComparator(i, 0, v);
          return;
        case 0x0c:
          this.writeComparator(i, 1, v);
          return;
        default:
          return; // Tn_CONF high (read-only caps), FSB route
      }
    }
  }

  saveState(): HpetState {
    return {
      conf: this.conf,
      isr: this.isr,
      counterBase: this.counterBase,
      baseNs: this.baseNs,
      timers: this.timers.map((t) => ({ ...t })),
    };
  }

  restoreState(s: HpetState): void {
    for (let i = 0; i < this.timerCount; i++) this.cancel(i);
    this.conf = s.conf;
    this.isr = s.isr;
    this.counterBase = s.counterBase;
    this.baseNs = s.baseNs;
    for (let i = 0; i < this.timerCount; i++) {
      Object.assign(this.timers[i], s.timers[i]);
      this.lines[i] = this.timers[i].asserted ? this.lineFor(i) : undefined;
      this.schedule(i);
    }
  }
}
