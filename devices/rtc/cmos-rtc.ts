// MC146818 RTC + 128-byte CMOS as on PC/ICH9 (index port 0x70 with the NMI-mask bit 7, data port 0x71): time and
// date from an injected host clock (BCD/binary, 12/24 h), status registers A-D, periodic / update-ended / alarm
// interrupts on IRQ8, and the memory-size bytes firmware reads (0x15-0x18, 0x30/0x31, 0x34/0x35, 0x5B-0x5D).
import type { Clock, IrqLine, PortHandler, Stateful } from '../device.js';

export const enum CmosReg {
  SECONDS = 0x00,
  SECONDS_ALARM = 0x01,
  MINUTES = 0x02,
  MINUTES_ALARM = 0x03,
  HOURS = 0x04,
  HOURS_ALARM = 0x05,
  DAY_OF_WEEK = 0x06,
  DAY_OF_MONTH = 0x07,
  MONTH = 0x08,
  YEAR = 0x09,
  STATUS_A = 0x0a,
  STATUS_B = 0x0b,
  STATUS_C = 0x0c,
  STATUS_D = 0x0d,
  CENTURY = 0x32,
}

const A_UIP = 0x80;
const B_SET = 0x80;
const B_PIE = 0x40;
const B_AIE = 0x20;
const B_UIE = 0x10;
const B_DM_BINARY = 0x04;
const B_24H = 0x02;
const C_IRQF = 0x80;
const C_PF = 0x40;
const C_AF = 0x20;
const C_UF = 0x10;

export interface CmosRtcState {
  index: number;
  nmiMasked: boolean;
  ram: number[];
  /** Guest time minus host time, in ms (changed when the guest sets the clock). */
  offsetMs: number;
  irqLevel: boolean;
}

export interface CmosRtcOptions {
  /** Host wall clock in ms since the Unix epoch (UTC); default Date.now. Inject a fixed function for determinism. */
  hostTimeMs?: () => number;
  /** Guest RAM size in bytes (for the memory-size bytes). */
  ramSize: number;
  /** Start of the PCI hole: RAM above it is remapped above 4 GiB (q35: 0xB0000000). */
  lowRamLimit?: number;
  irq: IrqLine;
  /** For the periodic and update-ended interrupts; without it those interrupts are not generated. */
  clock?: Clock;
  /** Told when the NMI-mask bit (port 0x70 bit 7) changes. */
  onNmiMask?: (masked: boolean) => void;
}

function bcd(v: number): number {
  return ((v / 10) | 0) * 16 + (v % 10);
}

function unbcd(v: number): number {
  return (v >> 4) * 10 + (v & 0xf);
}

export class CmosRtc implements PortHandler, Stateful<CmosRtcState> {
  readonly name = 'rtc';
  private index = 0;
  private nmiMasked_ = false;
  private readonly ram = new Uint8Array(128);
  private offsetMs = 0;
  private irqLevel = false;
  private readonly hostTimeMs: () => number;
  private periodicHandle = -1;
  private updateHandle = -1;

  constructor(private readonly opts: CmosRtcOptions) {
    this.hostTimeMs = opts.hostTimeMs ?? (() => Date.now());
    this.reset();
  }

  reset(): void {
    this.ram.fill(0);
    this.index = 0;
    this.nmiMasked_ = false;
    this.offsetMs = 0;
    this.ram[CmosReg.STATUS_A] = 0x26; // 32.768 kHz time base, 1024 Hz periodic rate
    this.ram[CmosReg.STATUS_B] = B_24H;
    this.ram[CmosReg.STATUS_D] = 0x80; // valid RAM and time
    this.setMemorySize();
    this.setIrq(false);
    this.reprogram();
  }

  /** Memory-size bytes as SeaBIOS/QEMU define them (in KiB below 64 MiB, then 64 KiB units). */
  private setMemorySize(): void {
    const size = this.opts.ramSize;
    const low = Math.min(size, this.opts.lowRamLimit ?? 0xb000_0000);
    const r = this.ram;
    r[0x15] = 640 & 0xff; // base memory in KiB
    r[0x16] = 640 >> 8;
    const extKb = Math.min(Math.max(0, (low - 0x10_0000) / 1024), 0xffff);
    r[0x17] = r[0x30] = extKb & 0xff;
    r[0x18] = r[0x31] = (extKb >> 8) & 0xff;
    const above16 = Math.min(Math.max(0, Math.floor((low - 0x100_0000) / 0x10000)), 0xffff);
    r[0x34] = above16 & 0xff;
    r[0x35] = above16 >> 8;
    const high = Math.max(0, Math.floor((size - low) / 0x10000));
    r[0x5b] = high & 0xff;
    r[0x5c] = (high >> 8) & 0xff;
    r[0x5d] = (high >> 16) & 0xff;
    r[0x5f] = 0; // QEMU: number of CPUs - 1 lives here; the machine may poke() it
  }

  get nmiMasked(): boolean {
    return this.nmiMasked_;
  }

  /** Direct CMOS byte access for the machine/firmware set-up (no side effects). */
  peek(i: number): number {
    return this.ram[i & 0x7f];
  }

  poke(i: number, v: number): void {
    this.ram[i & 0x7f] = v & 0xff;
  }

  // ---- time keeping -------------------------------------------------------------------------------------------

  private guestTime(): Date {
    return new Date(this.hostTimeMs() + this.offsetMs);
  }

  private enc(v: number): number {
    return (this.ram[CmosReg.STATUS_B] & B_DM_BINARY) !== 0 ? v : bcd(v);
  }

  private dec(v: number): number {
    return (this.ram[CmosReg.STATUS_B] & B_DM_BINARY) !== 0 ? v : unbcd(v);
  }

  private encHours(h: number): number {
    if ((this.ram[CmosReg.STATUS_B] & B_24H) !== 0) return this.enc(h);
    const pm = h >= 12;
    const h12 = h % 12 === 0 ? 12 : h % 12;
    return this.enc(h12) | (pm ? 0x80 : 0);
  }

  private decHours(v: number): number {
    if ((this.ram[CmosReg.STATUS_B] & B_24H) !== 0) return this.dec(v);
    const h12 = this.dec(v & 0x7f) % 12;
    return (v & 0x80) !== 0 ? h12 + 12 : h12;
  }

  /** Copy the running clock into the time registers (skipped while SET freezes them for the guest). */
  private latchTime(): void {
    if ((this.ram[CmosReg.STATUS_B] & B_SET) !== 0) return;
    const t = this.guestTime();
    const r = this.ram;
    r[CmosReg.SECONDS] = this.enc(t.getUTCSeconds());
    r[CmosReg.MINUTES] = this.enc(t.getUTCMinutes());
    r[CmosReg.HOURS] = this.encHours(t.getUTCHours());
    r[CmosReg.DAY_OF_WEEK] = this.enc(t.getUTCDay() + 1);
    r[CmosReg.DAY_OF_MONTH] = this.enc(t.getUTCDate());
    r[CmosReg.MONTH] = this.enc(t.getUTCMonth() + 1);
    r[CmosReg.YEAR] = this.enc(t.getUTCFullYear() % 100);
    r[CmosReg.CENTURY] = this.enc(Math.floor(t.getUTCFullYear() / 100));
  }

  /** The guest finished setting the clock (SET cleared): derive the new offset from the registers. */
  private commitTime(): void {
    const r = this.ram;
    const year = this.dec(r[CmosReg.CENTURY]) * 100 + this.dec(r[CmosReg.YEAR]);
    const ms = Date.UTC(
      year,
      this.dec(r[CmosReg.MONTH]) - 1,
      this.dec(r[CmosReg.DAY_OF_MONTH]),
      this.decHours(r[CmosReg.HOURS]),
      this.dec(r[CmosReg.MINUTES]),
      this.dec(r[CmosReg.SECONDS]),
    );
    if (Number.isFinite(ms)) this.offsetMs = ms - Math.floor(this.hostTimeMs() / 1000) * 1000;
  }

  /** UIP: set just before a seconds update (real parts: 244 us; here the last host millisecond of each second). */
  private uip(): boolean {
    if ((this.ram[CmosReg.STATUS_B] & B_SET) !== 0) return false;
    const ms = (((this.hostTimeMs() + this.offsetMs) % 1000) + 1000) % 1000;
    return ms >= 999;
  }

  // ---- interrupts ---------------------------------------------------------------------------------------------

  private setIrq(level: boolean): void {
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.opts.irq.set(level);
    }
  }

  private flag(bits: number): void {
    this.ram[CmosReg.STATUS_C] |= bits;
    const b = this.ram[CmosReg.STATUS_B];
    const en = (b & B_PIE ? C_PF : 0) | (b & B_AIE ? C_AF : 0) | (b & B_UIE ? C_UF : 0);
    if ((this.ram[CmosReg.STATUS_C] & en) !== 0) {
      this.ram[CmosReg.STATUS_C] |= C_IRQF;
      this.setIrq(true);
    }
  }

  /** Periodic interrupt period from register A's rate select (rates 1 and 2 alias 8 and 9), or 0 = off. */
  private periodicNs(): number {
    const rs = this.ram[CmosReg.STATUS_A] & 0x0f;
    if (rs === 0 || (this.ram[CmosReg.STATUS_A] & 0x70) !== 0x20) return 0;
    const r = rs <= 2 ? rs + 7 : rs;
    return (1e9 * (1 << (r - 1))) / 32768;
  }

  private reprogram(): void {
    const clock = this.opts.clock;
    if (clock === undefined) return;
    if (this.periodicHandle >= 0) clock.cancel(this.periodicHandle);
    if (this.updateHandle >= 0) clock.cancel(this.updateHandle);
    this.periodicHandle = this.updateHandle = -1;
    const b = this.ram[CmosReg.STATUS_B];
    const p = this.periodicNs();
    if ((b & B_PIE) !== 0 && p > 0) {
      let next = Math.floor(clock.nowNs() / p) * p + p;
      const tick = (): void => {
        this.flag(C_PF);
        next = Math.max(next + p, Math.floor(clock.nowNs() / p) * p + p); // late callbacks coalesce
        this.periodicHandle = clock.schedule(next, tick);
      };
      this.periodicHandle = clock.schedule(next, tick);
    }
    if ((b & (B_UIE | B_AIE)) !== 0 && (b & B_SET) === 0) {
      // One update per virtual second; UF every time, AF when the time matches the alarm (0xC0..0xFF = don't care).
      const update = (): void => {
        this.latchTime();
        this.flag(C_UF | (this.alarmMatches() ? C_AF : 0));
        this.updateHandle = clock.schedule(clock.nowNs() + 1e9, update);
      };
      this.updateHandle = clock.schedule(clock.nowNs() + 1e9, update);
    }
  }

  private alarmMatches(): boolean {
    const r = this.ram;
    const m = (a: number, v: number): boolean => (a & 0xc0) === 0xc0 || a === v;
    return m(r[CmosReg.SECONDS_ALARM], r[CmosReg.SECONDS]) && m(r[CmosReg.MINUTES_ALARM], r[CmosReg.MINUTES]) && m(r[CmosReg.HOURS_ALARM], r[CmosReg.HOURS]);
  }

  // ---- ports --------------------------------------------------------------------------------------------------

  read(offset: number, _size: number): number {
    if ((offset & 1) === 0) return 0xff; // the index register is write-only
    const i = this.index;
    switch (i) {
      case CmosReg.SECONDS:
      case CmosReg.MINUTES:
      case CmosReg.HOURS:
      case CmosReg.DAY_OF_WEEK:
      case CmosReg.DAY_OF_MONTH:
      case CmosReg.MONTH:
      case CmosReg.YEAR:
      case CmosReg.CENTURY:
        this.latchTime();
        return this.ram[i];
      case CmosReg.STATUS_A:
        return (this.ram[i] & 0x7f) | (this.uip() ? A_UIP : 0);
      case CmosReg.STATUS_C: {
        const v = this.ram[i];
        this.ram[i] = 0; // reading C acknowledges every flag and drops IRQ8
        this.setIrq(false);
        return v;
      }
      default:
        return this.ram[i];
    }
  }

  write(offset: number, _size: number, value: number): void {
    const v = value & 0xff;
    if ((offset & 1) === 0) {
      this.index = v & 0x7f;
      const masked = (v & 0x80) !== 0;
      if (masked !== this.nmiMasked_) {
        this.nmiMasked_ = masked;
        this.opts.onNmiMask?.(masked);
      }
      return;
    }
    const i = this.index;
    switch (i) {
      case CmosReg.STATUS_A:
        this.ram[i] = v & 0x7f;
        this.reprogram();
        return;
      case CmosReg.STATUS_B: {
        const old = this.ram[i];
        if ((v & B_SET) !== 0 && (old & B_SET) === 0) this.latchTime(); // freeze the current time for editing
        this.ram[i] = (v & B_SET) !== 0 ? v & ~B_UIE : v; // SET clears UIE
        if ((old & B_SET) !== 0 && (v & B_SET) === 0) this.commitTime();
        this.reprogram();
        return;
      }
      case CmosReg.STATUS_C:
      case CmosReg.STATUS_D:
        return; // read-only
      case CmosReg.SECONDS:
      case CmosReg.MINUTES:
      case CmosReg.HOURS:
      case CmosReg.DAY_OF_WEEK:
      case CmosReg.DAY_OF_MONTH:
      case CmosReg.MONTH:
      case CmosReg.YEAR:
      case CmosReg.CENTURY:
        if ((this.ram[CmosReg.STATUS_B] & B_SET) === 0) {
          this.latchTime(); // write while running: the other fields keep counting, this one changes now
          this.ram[i] = v;
          this.commitTime();
        } else this.ram[i] = v;
        return;
      default:
        this.ram[i] = v;
    }
  }

  saveState(): CmosRtcState {
    return { index: this.index, nmiMasked: this.nmiMasked_, ram: Array.from(this.ram), offsetMs: this.offsetMs, irqLevel: this.irqLevel };
  }

  restoreState(s: CmosRtcState): void {
    this.index = s.index;
    this.nmiMasked_ = s.nmiMasked;
    this.ram.set(s.ram);
    this.offsetMs = s.offsetMs;
    this.irqLevel = s.irqLevel;
    this.reprogram();
  }
}
