// ACPI fixed-hardware PM registers in the ICH9 layout (ACPI 6.4 §4.8.3 PM1 event/control, §4.8.3.3 PM timer;
// ICH9 datasheet §13.8.3 at PMBASE): PM1a_STS/EN, PM1a_CNT with SLP_TYP/SLP_EN (S5 = shutdown), the 3.579545 MHz
// 32-bit PM timer from the Clock, GPE0 status/enable, SCI on a level IRQ, a power-button event for the host.
import type { Clock, IrqLine, PortHandler, Stateful } from '../device.js';
import { laneRead } from '../reg-access.js';

export const PM_TIMER_HZ = 3579545;

/** Offsets within the PM block (ICH9 / QEMU q35 layout, 128 bytes at PMBASE). */
export const enum PmReg {
  PM1_STS = 0x00,
  PM1_EN = 0x02,
  PM1_CNT = 0x04,
  PM_TMR = 0x08,
  GPE0_STS = 0x20,
  GPE0_EN = 0x28,
  SMI_EN = 0x30,
  SMI_STS = 0x34,
}

export const PM_BLOCK_SIZE = 0x80;
/** GPE0 block length (status + enable halves), as the FADT reports it. */
export const GPE0_LEN = 0x10;

export const enum Pm1 {
  TMR = 1 << 0,
  GBL = 1 << 5,
  PWRBTN = 1 << 8,
  RTC = 1 << 10,
  WAK = 1 << 15,
}

const PM1_STS_MASK = 0x8d31; // defined status bits (timer, bus master, global, power button, RTC, wake)
const PM1_EN_MASK = 0x0521; // timer, global, power button, RTC
const CNT_SCI_EN = 1;
const CNT_SLP_EN = 1 << 13;

export interface AcpiPmState {
  pm1Sts: number;
  pm1En: number;
  pm1Cnt: number;
  gpeSts: number[];
  gpeEn: number[];
  smiEn: number;
  /** PM timer MSB at the last TMR_STS clear (TMR_STS = MSB toggled since). */
  tmrMsbEpoch: number;
}

export interface AcpiPmOptions {
  clock: Clock;
  /** SCI (IRQ9 on q35, level, active high). */
  sci: IrqLine;
  /** SLP_TYP value meaning S5 (our DSDT's \_S5 package; 0 like QEMU's). */
  s5SleepType?: number;
  onShutdown: () => void;
  /** Any other sleep state requested (S1-S4): not modelled, reported. */
  onSleep?: (slpTyp: number) => void;
}

export class AcpiPm implements PortHandler, Stateful<AcpiPmState> {
  readonly name = 'acpi-pm';
  private pm1Sts = 0;
  private pm1En = 0;
  private pm1Cnt = CNT_SCI_EN;
  private readonly gpeSts = new Uint8Array(GPE0_LEN / 2);
  private readonly gpeEn = new Uint8Array(GPE0_LEN / 2);
  private smiEn = 0;
  private tmrMsbEpoch = 0;
  private tmrHandle = -1;
  private sciLevel = false;

  constructor(private readonly opts: AcpiPmOptions) {
    this.reset();
  }

  reset(): void {
    this.pm1Sts = 0;
    this.pm1En = 0;
    // No SMI_CMD in our FADT: the platform is always in ACPI mode, so SCI_EN reads 1.
    this.pm1Cnt = CNT_SCI_EN;
    this.gpeSts.fill(0);
    this.gpeEn.fill(0);
    this.smiEn = 0;
    this.tmrMsbEpoch = this.msbEpoch();
    this.schedule();
    this.updateSci();
  }

  /** The 24/32-bit PM timer value (ACPI: 32-bit with TMR_VAL_EXT). */
  timer(): number {
    return Math.floor((this.opts.clock.nowNs() * PM_TIMER_HZ) / 1e9) % 0x1_0000_0000;
  }

  private ticks(): number {
    return Math.floor((this.opts.clock.nowNs() * PM_TIMER_HZ) / 1e9);
  }

  /** How many times the timer's bit 31 has toggled since time 0. */
  private msbEpoch(): number {
    return Math.floor(this.ticks() / 0x8000_0000);
  }

  private status(): number {
    return this.pm1Sts | (this.msbEpoch() !== this.tmrMsbEpoch ? Pm1.TMR : 0);
  }

  /** Host power button (ACPI-aware guests shut down in response). */
  pressPowerButton(): void {
    this.pm1Sts |= Pm1.PWRBTN;
    this.updateSci();
  }

  /** Set a GPE0 status bit (for future hot-plug style events). */
  raiseGpe(bit: number): void {
    this.gpeSts[bit >> 3] |= 1 << (bit & 7);
    this.updateSci();
  }

  private updateSci(): void {
    let level = (this.status() & this.pm1En) !== 0;
    for (let i = 0; i < this.gpeSts.length; i++) if ((this.gpeSts[i] & this.gpeEn[i]) !== 0) level = true;
    if ((this.pm1Cnt & CNT_SCI_EN) === 0) level = false;
    if (level !== this.sciLevel) {
      this.sciLevel = level;
      this.opts.sci.set(level);
    }
  }

  /** With TMR_EN set, wake at the next MSB toggle so TMR_STS raises the SCI on time. */
  private schedule(): void {
    const clock = this.opts.clock;
    if (this.tmrHandle >= 0) clock.cancel(this.tmrHandle);
    this.tmrHandle = -1;
    if ((this.pm1En & Pm1.TMR) === 0) return;
    const nextTick = (this.msbEpoch() + 1) * 0x8000_0000;
    this.tmrHandle = clock.schedule(Math.ceil((nextTick * 1e9) / PM_TIMER_HZ), () => {
      this.tmrHandle = -1;
      this.updateSci();
    });
  }

  private readDword(off: number): number {
    switch (off) {
      case PmReg.PM1_STS:
        return (this.status() | (this.pm1En << 16)) >>> 0;
      case PmReg.PM1_CNT:
        return this.pm1Cnt & ~CNT_SLP_EN;
      case PmReg.PM_TMR:
        return this.timer();
      case PmReg.GPE0_STS:
      case PmReg.GPE0_STS + 4:
        return dword(this.gpeSts, off - PmReg.GPE0_STS);
      case PmReg.GPE0_EN:
      case PmReg.GPE0_EN + 4:
        return dword(this.gpeEn, off - PmReg.GPE0_EN);
      case PmReg.SMI_EN:
        return this.smiEn;
      default:
        return 0;
    }
  }

  read(offset: number, size: number): number {
    return laneRead(this.readDword(offset & ~3), offset, size);
  }

  write(offset: number, size: number, value: number): void {
    // Byte-granular registers: apply each byte of the access to its own offset.
    for (let i = 0; i < Math.min(size, 4); i++) this.writeByte(offset + i, (value >>> (8 * i)) & 0xff);
    const end = offset + size;
    if (offset <= PmReg.PM1_CNT + 1 && end > PmReg.PM1_CNT + 1) this.checkSleep();
    this.updateSci();
  }

  private writeByte(o: number, b: number): void {
    if (o === PmReg.PM1_STS || o === PmReg.PM1_STS + 1) {
      const bits = (b << ((o - PmReg.PM1_STS) * 8)) & PM1_STS_MASK;
      if ((bits & Pm1.TMR) !== 0) this.tmrMsbEpoch = this.msbEpoch();
      this.pm1Sts &= ~bits;
    } else if (o === PmReg.PM1_EN || o === PmReg.PM1_EN + 1) {
      const sh = (o - PmReg.PM1_EN) * 8;
      this.pm1En = ((this.pm1En & ~(0xff << sh)) | (b << sh)) & PM1_EN_MASK;
      this.schedule();
    } else if (o === PmReg.PM1_CNT || o === PmReg.PM1_CNT + 1) {
      const sh = (o - PmReg.PM1_CNT) * 8;
      // SCI_EN is read-only 1 (no SMI_CMD); BM_RLD, GBL_RLS, SLP_TYP and SLP_EN are writable.
      this.pm1Cnt = ((this.pm1Cnt & ~(0xff << sh)) | (b << sh)) & 0x3c06 | CNT_SCI_EN;
    } else if (o >= PmReg.GPE0_STS && o < PmReg.GPE0_STS + GPE0_LEN / 2) {
      this.gpeSts[o - PmReg.GPE0_STS] &= ~b;
    } else if (o >= PmReg.GPE0_EN && o < PmReg.GPE0_EN + GPE0_LEN / 2) {
      this.gpeEn[o - PmReg.GPE0_EN] = b;
    } else if (o >= PmReg.SMI_EN && o < PmReg.SMI_EN + 4) {
      const sh = (o - PmReg.SMI_EN) * 8;
      this.smiEn = ((this.smiEn & ~(0xff << sh)) | (b << sh)) >>> 0;
    }
  }

  /** SLP_EN with SLP_TYP: S5 powers off; other states are reported (not modelled). */
  private checkSleep(): void {
    if ((this.pm1Cnt & CNT_SLP_EN) === 0) return;
    this.pm1Cnt &= ~CNT_SLP_EN;
    const typ = (this.pm1Cnt >> 10) & 7;
    if (typ === (this.opts.s5SleepType ?? 0)) this.opts.onShutdown();
    else this.opts.onSleep?.(typ);
  }

  saveState(): AcpiPmState {
    return {
      pm1Sts: this.pm1Sts, pm1En: this.pm1En, pm1Cnt: this.pm1Cnt, gpeSts: Array.from(this.gpeSts),
      gpeEn: Array.from(this.gpeEn), smiEn: this.smiEn, tmrMsbEpoch: this.tmrMsbEpoch,
    };
  }

  restoreState(s: AcpiPmState): void {
    this.pm1Sts = s.pm1Sts;
    this.pm1En = s.pm1En;
    this.pm1Cnt = s.pm1Cnt;
    this.gpeSts.set(s.gpeSts);
    this.gpeEn.set(s.gpeEn);
    this.smiEn = s.smiEn;
    this.tmrMsbEpoch = s.tmrMsbEpoch;
    this.schedule();
    this.sciLevel = false;
    this.opts.sci.set(false);
    this.updateSci();
  }
}

function dword(a: Uint8Array, i: number): number {
  return (a[i] | (a[i + 1] << 8) | (a[i + 2] << 16) | (a[i + 3] << 24)) >>> 0;
}
