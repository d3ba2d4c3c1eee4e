// Intel 8254 programmable interval timer (82C54 datasheet): three 16-bit counters clocked at 1.193182 MHz, modes
// 0-5, latch and read-back commands, lobyte/hibyte access, BCD; counter 0 drives IRQ0, counter 2's gate and output
// are on port 0x61 (see port61.ts). Counting is derived from the virtual Clock, never ticked.
import type { Clock, IrqLine, PortHandler, Stateful } from '../device.js';

export const PIT_HZ = 1193182;

export interface PitChannelState {
  mode: number;
  /** 1 = lobyte, 2 = hibyte, 3 = lobyte/hibyte. */
  access: number;
  bcd: boolean;
  /** Reload value in binary, 1..65536 (0 written means 65536, or 10000 in BCD). */
  reload: number;
  /** PIT tick at which the counter held `reload` (start of counting); -1 = not counting (no count / not triggered). */
  startTick: number;
  /** Ticks already counted before the gate went low (modes 0 and 4 pause while the gate is low). */
  pausedTicks: number;
  gate: boolean;
  /** A count was written but counting has not begun (modes 1/5 wait for a gate edge). */
  armed: boolean;
  writeHi: boolean;
  writeLatchLo: number;
  readHi: boolean;
  latchedCount: number;
  latchedHi: boolean;
  latchedStatus: number;
  nullCount: boolean;
}

export interface PitState {
  channels: PitChannelState[];
}

function toBcd(v: number): number {
  return (v % 10) | (Math.floor(v / 10) % 10) << 4 | (Math.floor(v / 100) % 10) << 8 | (Math.floor(v / 1000) % 10) << 12;
}

function fromBcd(v: number): number {
  return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
}

export class Pit8254 implements PortHandler, Stateful<PitState> {
  readonly name = 'pit';
  private readonly ch: PitChannelState[] = [];
  private irqHandle = -1;
  /** Last level driven on IRQ0. */
  private irqLevel = false;

  constructor(
    private readonly clock: Clock,
    private readonly irq0: IrqLine,
  ) {
    for (let i = 0; i < 3; i++) this.ch.push(this.blankChannel());
    this.reset();
  }

  private blankChannel(): PitChannelState {
    return {
      mode: 0, access: 3, bcd: false, reload: 0x10000, startTick: -1, pausedTicks: 0, gate: true, armed: false,
      writeHi: false, writeLatchLo: 0, readHi: false, latchedCount: -1, latchedHi: false, latchedStatus: -1,
      nullCount: true,
    };
  }

  reset(): void {
    for (let i = 0; i < 3; i++) {
      const g = i === 2 ? false : true; // counter 2's gate comes from port 0x61 bit 0, low after reset
      this.ch[i] = this.blankChannel();
      this.ch[i].gate = g;
    }
    this.cancelIrq();
    if (this.irqLevel) this.irq0.set(false);
    this.irqLevel = false;
  }

  /**
   * PIT ticks elapsed at the current virtual time. Split into whole seconds so every product stays below 2^53: the
   * conversions are then exact and tickToNs() is a true inverse (a deadline never lands one tick early).
   */
  private nowTick(): number {
    const ns = Math.floor(this.clock.nowNs());
    const sec = Math.floor(ns / 1e9);
    return sec * PIT_HZ + Math.floor(((ns - sec * 1e9) * PIT_HZ) / 1e9);
  }

  /** First virtual time (ns) at which nowTick() >= t. */
  private tickToNs(t: number): number {
    const sec = Math.floor(t / PIT_HZ);
    return sec * 1e9 + Math.ceil(((t - sec * PIT_HZ) * 1e9) / PIT_HZ);
  }

  /** Ticks counted so far by channel c, or -1 when it is not counting. */
  private elapsed(c: PitChannelState, now: number): number {
    if (c.startTick < 0) return -1;
    const pausing = (c.mode === 0 || c.mode === 4) && !c.gate;
    return pausing ? c.pausedTicks : now - c.startTick;
  }

  /** Counter value at `d` ticks after the load (binary). */
  private countAt(c: PitChannelState, d: number): number {
    const n = c.reload;
    if (d < 0) return n & 0xffff;
    switch (c.mode) {
      case 2:
        return n - (d % n);
      case 3: {
        // Decrements by two through each half period (odd counts: the 8254's extra tick is not modelled).
        const h = (n + 1) >> 1;
        return (n - 2 * (d % h)) & 0xffff;
      }
      default: // 0, 1, 4, 5: count down through zero and wrap
        return (n - d) & 0xffff;
    }
  }

  /** OUT level at `d` ticks after the load. */
  private outAt(c: PitChannelState, d: number): boolean {
    const n = c.reload;
    if (d < 0) return c.mode !== 0; // mode 0: low once the control word is written; others idle high
    switch (c.mode) {
      case 0:
      case 1:
        return d >= n;
      case 2:
        return d % n !== n - 1;
      case 3:
        return d % n < (n + 1) >> 1;
      case 4:
      case 5:
        return d !== n;
      default:
        return true;
    }
  }

  /** OUT of channel i now (counter 2's output is visible in port 0x61 bit 5). */
  out(i: number): boolean {
    const c = this.ch[i];
    return this.outAt(c, this.elapsed(c, this.nowTick()));
  }

  gate(i: number): boolean {
    return this.ch[i].gate;
  }

  /** Gate input of channel i (only counter 2's is wired, to port 0x61 bit 0). */
  setGate(i: number, level: boolean): void {
    const c = this.ch[i];
    if (c.gate === level) return;
    const now = this.nowTick();
    if (c.mode === 0 || c.mode === 4) {
      if (!level && c.startTick >= 0) c.pausedTicks = now - c.startTick;
      c.gate = level;
      if (level && c.startTick >= 0) c.startTick = now - c.pausedTicks;
    } else {
      c.gate = level;
      // Modes 1, 2, 3, 5: a rising gate (re)starts counting from the reload value.
      if (level && (c.armed || c.startTick >= 0)) {
        c.startTick = now;
        c.armed = false;
      } else if (!level && (c.mode === 2 || c.mode === 3)) {
        c.armed = c.startTick >= 0 || c.armed;
        c.startTick = -1; // OUT forced high, counting stops until the next rising edge
      }
    }
    if (i === 0) this.scheduleIrq();
  }

  private loadCount(i: number, raw: number): void {
    const c = this.ch[i];
    let n = c.bcd ? fromBcd(raw) : raw;
    if (n === 0) n = c.bcd ? 10000 : 0x10000;
    c.reload = n;
    c.nullCount = false;
    c.pausedTicks = 0;
    if (c.mode === 1 || c.mode === 5) {
      c.armed = true; // waits for a gate trigger; a running count continues with the new reload value
    } else if (c.gate || c.mode === 0 || c.mode === 4) {
      c.startTick = this.nowTick();
      c.armed = false;
      if (!c.gate) c.pausedTicks = 0; // mode 0/4 with the gate low: loaded but paused at the reload value
    } else {
      c.armed = true;
      c.startTick = -1;
    }
    if (i === 0) this.scheduleIrq();
  }

  private control(v: number): void {
    const sel = v >> 6;
    if (sel === 3) {
      this.readBack(v);
      return;
    }
    const c = this.ch[sel];
    const access = (v >> 4) & 3;
    if (access === 0) {
      if (c.latchedCount < 0) {
        c.latchedCount = this.readCount(sel);
        c.latchedHi = false;
      }
      return;
    }
    c.access = access;
    c.mode = (v >> 1) & 7;
    if (c.mode > 5) c.mode -= 4; // 6 and 7 alias modes 2 and 3
    c.bcd = (v & 1) !== 0;
    c.startTick = -1;
    c.armed = false;
    c.pausedTicks = 0;
    c.writeHi = false;
    c.readHi = false;
    c.latchedCount = -1;
    c.latchedStatus = -1;
    c.nullCount = true;
    if (sel === 0) this.scheduleIrq();
  }

  private readBack(v: number): void {
    for (let i = 0; i < 3; i++) {
      if ((v & (2 << i)) === 0) continue;
      const c = this.ch[i];
      if ((v & 0x20) === 0 && c.latchedCount < 0) {
        c.latchedCount = this.readCount(i);
        c.latchedHi = false;
      }
      if ((v & 0x10) === 0 && c.latchedStatus < 0) {
        c.latchedStatus =
          (this.out(i) ? 0x80 : 0) | (c.nullCount ? 0x40 : 0) | (c.access << 4) | (c.mode << 1) | (c.bcd ? 1 : 0);
      }
    }
  }

  /** Current counter value as the guest sees it (BCD-encoded in BCD mode). */
  private readCount(i: number): number {
    const c = this.ch[i];
    const v = this.countAt(c, this.elapsed(c, this.nowTick()));
    return c.bcd ? toBcd(v % 10000) : v;
  }

  private readData(i: number): number {
    const c = this.ch[i];
    if (c.latchedStatus >= 0) {
      const s = c.latchedStatus;
      c.latchedStatus = -1;
      return s;
    }
    let value: number;
    let hiNext: boolean;
    if (c.latchedCount >= 0) {
      value = c.latchedCount;
      hiNext = c.latchedHi;
      if (c.access === 3 && !hiNext) c.latchedHi = true;
      else c.latchedCount = -1;
    } else {
      value = this.readCount(i);
      hiNext = c.readHi;
      if (c.access === 3) c.readHi = !c.readHi;
    }
    if (c.access === 2 || (c.access === 3 && hiNext)) return (value >> 8) & 0xff;
    return value & 0xff;
  }

  private writeData(i: number, v: number): void {
    const c = this.ch[i];
    switch (c.access) {
      case 1:
        this.loadCount(i, v);
        break;
      case 2:
        this.loadCount(i, v << 8);
        break;
      default:
        if (!c.writeHi) {
          c.writeLatchLo = v;
          c.writeHi = true;
          if (c.mode === 0) {
            c.startTick = -1; // mode 0: writing the first byte stops the count (and OUT stays low)
            if (i === 0) this.scheduleIrq();
          }
        } else {
          c.writeHi = false;
          this.loadCount(i, c.writeLatchLo | (v << 8));
        }
    }
  }

  read(offset: number, _size: number): number {
    if (offset >= 3) return 0xff; // the control word register is write-only
    return this.readData(offset);
  }

  write(offset: number, _size: number, value: number): void {
    value &= 0xff;
    if (offset === 3) this.control(value);
    else if (offset < 3) this.writeData(offset, value);
  }

  // ---- IRQ0: drive counter 0's OUT edges from Clock deadlines ---------------------------------------------------

  private cancelIrq(): void {
    if (this.irqHandle >= 0) this.clock.cancel(this.irqHandle);
    this.irqHandle = -1;
  }

  private setIrq(level: boolean): void {
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq0.set(level);
    }
  }

  /** Tick (absolute) of counter 0's next OUT transition after `d` elapsed ticks, or -1 if none. */
  private nextTransition(c: PitChannelState, d: number): number {
    const n = c.reload;
    switch (c.mode) {
      case 0:
      case 1:
        return d < n ? n : -1;
      case 2: {
        const r = d % n;
        return r < n - 1 ? d - r + n - 1 : d - r + n; // low at n-1, high again at n
      }
      case 3: {
        const half = (n + 1) >> 1;
        const r = d % n;
        return r < half ? d - r + half : d - r + n;
      }
      case 4:
      case 5:
        return d < n ? n : d === n ? n + 1 : -1;
      default:
        return -1;
    }
  }

  private scheduleIrq(): void {
    this.cancelIrq();
    const c = this.ch[0];
    const now = this.nowTick();
    const d = this.elapsed(c, now);
    this.setIrq(this.outAt(c, d));
    if (d < 0 || ((c.mode === 0 || c.mode === 4) && !c.gate)) return;
    const next = this.nextTransition(c, d);
    if (next < 0) return;
    this.irqHandle = this.clock.schedule(this.tickToNs(c.startTick + next), this.onIrqDeadline);
  }

  private readonly onIrqDeadline = (): void => {
    this.irqHandle = -1;
    const c = this.ch[0];
    const d = this.elapsed(c, this.nowTick());
    // A late callback (the clock jumped several periods) still produces one rising edge for a periodic mode.
    if ((c.mode === 2 || c.mode === 3) && d >= 0 && this.irqLevel && this.outAt(c, d)) {
      this.setIrq(false);
    }
    this.scheduleIrq();
  };

  saveState(): PitState {
    return { channels: this.ch.map((c) => ({ ...c })) };
  }

  restoreState(s: PitState): void {
    for (let i = 0; i < 3; i++) this.ch[i] = { ...s.channels[i] };
    this.cancelIrq();
    this.irqLevel = this.outAt(this.ch[0], this.elapsed(this.ch[0], this.nowTick()));
    this.scheduleIrq();
  }
}
