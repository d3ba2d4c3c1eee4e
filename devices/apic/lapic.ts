// Local APIC in xAPIC mode (SDM Vol. 3 ch. 10): registers at offsets of the 4 KiB page at IA32_APIC_BASE, interrupt
// acceptance (IRR/ISR/TMR, TPR/PPR), EOI, LVT (timer, LINT0/1, error, perf, thermal), ICR and ESR.
import type { Clock, MmioHandler, Stateful } from '../device.js';
import { laneRead } from '../reg-access.js';
import { NULL_VCPU_LINK, type ExtIntSource, type VcpuLink } from './vcpu-link.js';

/** Register offsets within the LAPIC page (SDM Table 10-1). */
export const enum LapicReg {
  ID = 0x20,
  VERSION = 0x30,
  TPR = 0x80,
  APR = 0x90,
  PPR = 0xa0,
  EOI = 0xb0,
  RRD = 0xc0,
  LDR = 0xd0,
  DFR = 0xe0,
  SVR = 0xf0,
  ISR0 = 0x100,
  TMR0 = 0x180,
  IRR0 = 0x200,
  ESR = 0x280,
  LVT_CMCI = 0x2f0,
  ICR_LO = 0x300,
  ICR_HI = 0x310,
  LVT_TIMER = 0x320,
  LVT_THERMAL = 0x330,
  LVT_PERF = 0x340,
  LVT_LINT0 = 0x350,
  LVT_LINT1 = 0x360,
  LVT_ERROR = 0x370,
  TIMER_INITIAL = 0x380,
  TIMER_CURRENT = 0x390,
  TIMER_DIVIDE = 0x3e0,
}

/** Indices into LapicState.lvt. */
export const enum Lvt {
  Timer = 0,
  Thermal = 1,
  Perf = 2,
  Lint0 = 3,
  Lint1 = 4,
  Error = 5,
}

/** Delivery modes (ICR, LVT, I/O APIC redirection entries, MSI data bits 8..10). */
export const enum DeliveryMode {
  Fixed = 0,
  LowestPriority = 1,
  Smi = 2,
  Nmi = 4,
  Init = 5,
  StartUp = 6,
  ExtInt = 7,
}

/** ESR bits (SDM Figure 10-9). */
export const enum EsrBit {
  SendIllegalVector = 1 << 5,
  ReceiveIllegalVector = 1 << 6,
  IllegalRegister = 1 << 7,
}

export const LVT_MASKED = 1 << 16;
export const SVR_ENABLE = 1 << 8;
/** Version register: version 0x14 (integrated APIC), max LVT entry 5 (six LVTs, no CMCI) - as QEMU reports. */
export const LAPIC_VERSION = 0x0005_0014;

// Writable bits per LVT (delivery status and remote IRR are read-only).
const LVT_WMASK = [0x000700ff, 0x000107ff, 0x000107ff, 0x0001a7ff, 0x0001a7ff, 0x000100ff];
const LVT_OFFSETS = [LapicReg.LVT_TIMER, LapicReg.LVT_THERMAL, LapicReg.LVT_PERF, LapicReg.LVT_LINT0, LapicReg.LVT_LINT1, LapicReg.LVT_ERROR];

/** Divide Configuration Register value (bits 3,1,0) -> divisor (SDM Figure 10-10). */
export function timerDivisor(dcr: number): number {
  const v = ((dcr >> 1) & 4) | (dcr & 3);
  return v === 7 ? 1 : 2 << v;
}

/** What the LAPIC needs from the APIC bus (implemented by ApicBus). */
export interface LapicBusPort {
  sendIpi(src: LocalApic, icrLo: number, icrHi: number): void;
  eoiBroadcast(vector: number): void;
}

export interface LapicState {
  id: number;
  tpr: number;
  ldr: number;
  dfr: number;
  svr: number;
  irr: number[];
  isr: number[];
  tmr: number[];
  esr: number;
  esrPending: number;
  lvt: number[];
  icrLo: number;
  icrHi: number;
  timerInitial: number;
  timerDcr: number;
  /** Virtual time (ns) at which the current count equalled timerInitial; -1 when the timer is not running. */
  timerStartNs: number;
  lintLevel: boolean[];
  hwEnabled: boolean;
}

export interface LapicOptions {
  /** Initial APIC ID (also the default physical destination). */
  id: number;
  /** Bootstrap processor: LINT0 starts as ExtINT unmasked like QEMU's BSP, so the 8259 works before set-up. */
  bsp?: boolean;
  clock: Clock;
  /** Nanoseconds per timer bus tick before the divider (QEMU's xAPIC timer runs at 1 GHz: 1). */
  timerTickNs?: number;
  link?: VcpuLink;
  bus?: LapicBusPort;
}

export class LocalApic implements MmioHandler, Stateful<LapicState> {
  readonly name: string;
  link: VcpuLink;
  bus: LapicBusPort | undefined;
  /** The 8259 pair, consulted when LINT0 is in ExtINT mode. */
  extInt: ExtIntSource | undefined;

  private readonly clock: Clock;
  private readonly tickNs: number;
  private readonly bsp: boolean;
  private readonly initialId: number;

  id = 0;
  private tpr = 0;
  private ldr = 0;
  private dfr = 0xffffffff;
  private svr = 0xff;
  private readonly irr = new Int32Array(8);
  private readonly isr = new Int32Array(8);
  private readonly tmr = new Int32Array(8);
  private esr = 0;
  private esrPending = 0;
  private readonly lvt = new Int32Array(6);
  private icrLo = 0;
  private icrHi = 0;
  private timerInitial = 0;
  private timerDcr = 0;
  private timerStartNs = -1;
  private timerHandle = -1;
  private readonly lintLevel = [false, false];
  private hwEnabled = true;

  constructor(opts: LapicOptions) {
    this.initialId = opts.id & 0xff;
    this.name = `lapic${this.initialId}`;
    this.bsp = opts.bsp === true;
    this.clock = opts.clock;
    this.tickNs = opts.timerTickNs ?? 1;
    this.link = opts.link ?? NULL_VCPU_LINK;
    this.bus = opts.bus;
    this.reset();
  }

  // ---- power-on / INIT ----------------------------------------------------------------------------------------

  /** Power-on reset: everything, including the ID, back to its initial value. */
  reset(): void {
    this.id = this.initialId;
    this.hwEnabled = true;
    this.initReset();
    if (this.bsp) this.lvt[Lvt.Lint0] = DeliveryMode.ExtInt << 8;
  }

  /** INIT: SDM §10.4.7.3 - back to power-up state except the APIC ID (and arbitration ID). */
  initReset(): void {
    this.tpr = 0;
    this.ldr = 0;
    this.dfr = 0xffffffff;
    this.svr = 0xff;
    this.irr.fill(0);
    this.isr.fill(0);
    this.tmr.fill(0);
    this.esr = 0;
    this.esrPending = 0;
    this.lvt.fill(LVT_MASKED);
    this.icrLo = 0;
    this.icrHi = 0;
    this.timerInitial = 0;
    this.timerDcr = 0;
    this.stopTimer();
  }

  /** IA32_APIC_BASE bit 11 (global enable); the CPU side owns the MSR and tells us. Disabling resets the APIC. */
  setGlobalEnable(enabled: boolean): void {
    if (this.hwEnabled && !enabled) this.initReset();
    this.hwEnabled = enabled;
    this.kick();
  }

  get globallyEnabled(): boolean {
    return this.hwEnabled;
  }

  get softwareEnabled(): boolean {
    return (this.svr & SVR_ENABLE) !== 0;
  }

  // ---- interrupt acceptance (CPU side) ------------------------------------------------------------------------

  /**
   * The vector the CPU would receive if it accepted an interrupt now, or -1. APIC-sourced vectors must be above
   * the PPR priority class; an ExtINT from the 8259 (LINT0 in ExtINT mode, or the APIC globally disabled) comes
   * second, as in QEMU. Side-effect free.
   */
  pendingVector(): number {
    if ((this.svr & SVR_ENABLE) !== 0 && this.hwEnabled) {
      const v = highestBit(this.irr);
      if (v >= 0 && (v & 0xf0) > (this.ppr() & 0xf0)) return v;
    }
    const pic = this.extInt;
    if (pic !== undefined && this.acceptsExtInt() && pic.hasInterrupt()) return pic.peekVector();
    return -1;
  }

  /**
   * Interrupt acknowledge: moves the pending vector from IRR to ISR (or runs the 8259 INTA cycle for ExtINT, which
   * yields the 8259's spurious IRQ7/15 vector if its request vanished) and returns it. If nothing is pending at all
   * it returns the spurious-interrupt vector (SVR bits 0..7), as an APIC does when a request disappears between
   * INTR and INTA; call it only after pendingVector() >= 0.
   */
  acknowledge(): number {
    if ((this.svr & SVR_ENABLE) !== 0 && this.hwEnabled) {
      const v = highestBit(this.irr);
      if (v >= 0 && (v & 0xf0) > (this.ppr() & 0xf0)) {
        const w = v >>> 5;
        const bit = 1 << (v & 31);
        this.irr[w] &= ~bit;
        this.isr[w] |= bit;
        return v;
      }
    }
    const pic = this.extInt;
    if (pic !== undefined && this.acceptsExtInt() && pic.hasInterrupt()) return pic.intAck();
    return this.svr & 0xff;
  }

  /** machine/cpu/cpu.ts InterruptSource.pending(): same as pendingVector(). */
  pending(): number {
    return this.pendingVector();
  }

  /** machine/cpu/cpu.ts InterruptSource.ack(): same as acknowledge(). */
  ack(): number {
    return this.acknowledge();
  }

  /** LINT0 passes the 8259 through: APIC globally disabled (pins go straight to the CPU) or LINT0 = unmasked ExtINT. */
  private acceptsExtInt(): boolean {
    if (!this.hwEnabled) return true;
    const l = this.lvt[Lvt.Lint0];
    return (l & LVT_MASKED) === 0 && ((l >> 8) & 7) === DeliveryMode.ExtInt;
  }

  /** Processor priority (SDM §10.8.3.1). */
  ppr(): number {
    const isrv = highestBit(this.isr);
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0;
    return (this.tpr & 0xf0) >= isrClass ? this.tpr & 0xff : isrClass;
  }

  // ---- inputs from the APIC bus and the LINT pins ------------------------------------------------------------

  /** A fixed-mode interrupt message arrived (IPI, I/O APIC, MSI, local LVT source). */
  acceptFixed(vector: number, level: boolean): void {
    vector &= 0xff;
    if (vector < 16) {
      this.raiseError(EsrBit.ReceiveIllegalVector);
      return;
    }
    const w = vector >>> 5;
    const bit = 1 << (vector & 31);
    this.irr[w] |= bit;
    if (level) this.tmr[w] |= bit;
    else this.tmr[w] &= ~bit;
    this.link.wake();
  }

  /** INIT message: reset (keeping the ID) and tell the vCPU. */
  acceptInit(): void {
    this.initReset();
    this.link.init();
  }

  acceptStartup(vector: number): void {
    this.link.startup(vector & 0xff);
  }

  acceptNmi(): void {
    this.link.nmi();
  }

  /** The 8259 INTR output changed (LINT0 wiring). */
  setLint(pin: 0 | 1, level: boolean): void {
    const was = this.lintLevel[pin];
    this.lintLevel[pin] = level;
    if (!this.hwEnabled) {
      // APIC globally disabled: LINT0 is the CPU's INTR pin, LINT1 its NMI pin.
      if (pin === 0 && level) this.link.wake();
      else if (pin === 1 && level && !was) this.link.nmi();
      return;
    }
    const lvt = this.lvt[Lvt.Lint0 + pin];
    if (((lvt >> 8) & 7) === DeliveryMode.ExtInt) {
      if (level) this.link.wake(); // the vector comes from the 8259 when the CPU acknowledges
      return;
    }
    if ((lvt & LVT_MASKED) !== 0 || !level || was) return;
    this.localDeliver(lvt);
  }

  /** Deliver an LVT entry's interrupt (rising edge of its source). */
  private localDeliver(lvt: number): void {
    if ((lvt & LVT_MASKED) !== 0) return;
    switch ((lvt >> 8) & 7) {
      case DeliveryMode.Fixed:
        this.acceptFixed(lvt & 0xff, false);
        break;
      case DeliveryMode.Nmi:
        this.link.nmi();
        break;
      case DeliveryMode.Init:
        this.acceptInit();
        break;
      case DeliveryMode.ExtInt:
        this.link.wake();
        break;
      default:
        break; // SMI: not modelled
    }
  }

  /** Record an APIC error (visible in ESR after the next ESR write) and signal the LVT error entry. */
  raiseError(bits: number): void {
    this.esrPending |= bits;
    const l = this.lvt[Lvt.Error];
    if ((l & LVT_MASKED) === 0) this.acceptFixed(l & 0xff, false);
  }

  /** Report to the vCPU if something became deliverable after a priority/mask change. */
  private kick(): void {
    if (this.pendingVector() >= 0) this.link.wake();
  }

  // ---- EOI ----------------------------------------------------------------------------------------------------

  private eoi(): void {
    const v = highestBit(this.isr);
    if (v < 0) return;
    const w = v >>> 5;
    const bit = 1 << (v & 31);
    this.isr[w] &= ~bit;
    if ((this.tmr[w] & bit) !== 0) this.bus?.eoiBroadcast(v);
    this.kick();
  }

  // ---- timer --------------------------------------------------------------------------------------------------

  private periodNs(): number {
    return this.tickNs * timerDivisor(this.timerDcr);
  }

  private stopTimer(): void {
    if (this.timerHandle >= 0) this.clock.cancel(this.timerHandle);
    this.timerHandle = -1;
    this.timerStartNs = -1;
  }

  private timerMode(): number {
    return (this.lvt[Lvt.Timer] >>> 17) & 3;
  }

  /** Current Count register value. */
  currentCount(): number {
    if (this.timerStartNs < 0 || this.timerInitial === 0) return 0;
    const elapsed = Math.floor((this.clock.nowNs() - this.timerStartNs) / this.periodNs());
    if (this.timerMode() === 1) return this.timerInitial - (elapsed % this.timerInitial);
    return elapsed >= this.timerInitial ? 0 : this.timerInitial - elapsed;
  }

  private armTimer(): void {
    if (this.timerHandle >= 0) this.clock.cancel(this.timerHandle);
    this.timerHandle = -1;
    if (this.timerStartNs < 0 || this.timerInitial === 0) return;
    const span = this.timerInitial * this.periodNs();
    const now = this.clock.nowNs();
    let at = this.timerStartNs + span;
    if (this.timerMode() === 1) {
      const done = Math.floor((now - this.timerStartNs) / span);
      at = this.timerStartNs + (done + 1) * span;
    }
    this.timerHandle = this.clock.schedule(at, this.onTimer);
  }

  private readonly onTimer = (): void => {
    this.timerHandle = -1;
    if (this.timerStartNs < 0) return;
    const span = this.timerInitial * this.periodNs();
    const now = this.clock.nowNs();
    if (this.timerMode() === 1) {
      this.localDeliver(this.lvt[Lvt.Timer] & ~(7 << 8));
      this.armTimer();
      return;
    }
    if (now >= this.timerStartNs + span) {
      this.localDeliver(this.lvt[Lvt.Timer] & ~(7 << 8));
      this.timerStartNs = -1; // one-shot: the current count stays 0, Initial Count keeps the programmed value
    } else this.armTimer();
  };

  // ---- MMIO ---------------------------------------------------------------------------------------------------

  read(offset: number, size: number): number {
    return laneRead(this.readReg(offset & ~0xf), offset, size);
  }

  write(offset: number, size: number, value: number): void {
    // The xAPIC decodes 32-bit accesses only; narrower writes land in the low bytes of the register.
    const shift = (offset & 3) * 8;
    this.writeReg(offset & ~0xf, size >= 4 ? value >>> 0 : (value << shift) >>> 0);
  }

  readReg(reg: number): number {
    switch (reg) {
      case LapicReg.ID:
        return (this.id << 24) >>> 0;
      case LapicReg.VERSION:
        return LAPIC_VERSION;
      case LapicReg.TPR:
        return this.tpr;
      case LapicReg.APR:
        return 0;
      case LapicReg.PPR:
        return this.ppr();
      case LapicReg.EOI:
      case LapicReg.RRD:
        return 0;
      case LapicReg.LDR:
        return this.ldr >>> 0;
      case LapicReg.DFR:
        return this.dfr >>> 0;
      case LapicReg.SVR:
        return this.svr;
      case LapicReg.ESR:
        return this.esr;
      case LapicReg.ICR_LO:
        return this.icrLo & ~(1 << 12); // delivery status: always idle (messages are delivered synchronously)
      case LapicReg.ICR_HI:
        return this.icrHi >>> 0;
      case LapicReg.LVT_CMCI:
        return 0; // not implemented (max LVT 5)
      case LapicReg.TIMER_INITIAL:
        return this.timerInitial >>> 0;
      case LapicReg.TIMER_CURRENT:
        return this.currentCount() >>> 0;
      case LapicReg.TIMER_DIVIDE:
        return this.timerDcr;
      default:
        break;
    }
    if (reg >= LapicReg.ISR0 && reg < LapicReg.ISR0 + 0x80) return this.isr[(reg - LapicReg.ISR0) >> 4] >>> 0;
    if (reg >= LapicReg.TMR0 && reg < LapicReg.TMR0 + 0x80) return this.tmr[(reg - LapicReg.TMR0) >> 4] >>> 0;
    if (reg >= LapicReg.IRR0 && reg < LapicReg.IRR0 + 0x80) return this.irr[(reg - LapicReg.IRR0) >> 4] >>> 0;
    const l = LVT_OFFSETS.indexOf(reg);
    if (l >= 0) return this.lvt[l] >>> 0;
    this.raiseError(EsrBit.IllegalRegister);
    return 0;
  }

  writeReg(reg: number, v: number): void {
    switch (reg) {
      case LapicReg.ID:
        this.id = v >>> 24;
        return;
      case LapicReg.TPR:
        this.tpr = v & 0xff;
        this.kick();
        return;
      case LapicReg.EOI:
        this.eoi();
        return;
      case LapicReg.LDR:
        this.ldr = v & 0xff000000;
        return;
      case LapicReg.DFR:
        this.dfr = v | 0x0fffffff;
        return;
      case LapicReg.SVR:
        this.svr = v & 0x1ff; // no focus-processor checking, no EOI-broadcast suppression (as QEMU)
        if ((this.svr & SVR_ENABLE) === 0) for (let i = 0; i < 6; i++) this.lvt[i] |= LVT_MASKED;
        this.kick();
        return;
      case LapicReg.ESR:
        this.esr = this.esrPending;
        this.esrPending = 0;
        return;
      case LapicReg.ICR_LO:
        this.icrLo = v & 0x000ccfff;
        this.bus?.sendIpi(this, this.icrLo, this.icrHi);
        return;
      case LapicReg.ICR_HI:
        this.icrHi = v & 0xff000000;
        return;
      case LapicReg.TIMER_INITIAL:
        this.timerInitial = v >>> 0;
        this.stopTimer();
        if (this.timerInitial !== 0) {
          this.timerStartNs = this.clock.nowNs();
          this.armTimer();
        }
        return;
      case LapicReg.TIMER_DIVIDE: {
        const cc = this.currentCount();
        const running = this.timerStartNs >= 0;
        this.timerDcr = v & 0xb;
        if (running) {
          // Keep the current count across the divider change (QEMU does the same).
          this.timerStartNs = this.clock.nowNs() - (this.timerInitial - cc) * this.periodNs();
          this.armTimer();
        }
        return;
      }
      case LapicReg.VERSION:
      case LapicReg.APR:
      case LapicReg.PPR:
      case LapicReg.RRD:
      case LapicReg.TIMER_CURRENT:
      case LapicReg.LVT_CMCI:
        return; // read-only / absent
      default:
        break;
    }
    const l = LVT_OFFSETS.indexOf(reg);
    if (l >= 0) {
      let nv = (this.lvt[l] & ~LVT_WMASK[l]) | (v & LVT_WMASK[l]);
      if ((this.svr & SVR_ENABLE) === 0) nv |= LVT_MASKED;
      const oldMode = this.timerMode();
      this.lvt[l] = nv;
      if (l === Lvt.Timer && this.timerStartNs >= 0 && this.timerMode() !== oldMode) this.armTimer();
      if (l === Lvt.Lint0 || l === Lvt.Lint1) this.kick();
      return;
    }
    if (reg >= LapicReg.ISR0 && reg < LapicReg.IRR0 + 0x80) return; // ISR/TMR/IRR are read-only
    this.raiseError(EsrBit.IllegalRegister);
  }

  /** Logical destination match (SDM §10.6.2.2), flat or cluster model per DFR. */
  matchesLogical(dest: number): boolean {
    const ldr = this.ldr >>> 24;
    if ((this.dfr >>> 28) === 0xf) return (ldr & dest) !== 0;
    const cluster = dest >>> 4;
    return (cluster === 0xf || cluster === ldr >>> 4) && (ldr & dest & 0xf) !== 0;
  }

  // ---- snapshots ----------------------------------------------------------------------------------------------

  saveState(): LapicState {
    return {
      id: this.id,
      tpr: this.tpr,
      ldr: this.ldr >>> 0,
      dfr: this.dfr >>> 0,
      svr: this.svr,
      irr: Array.from(this.irr, (x) => x >>> 0),
      isr: Array.from(this.isr, (x) => x >>> 0),
      tmr: Array.from(this.tmr, (x) => x >>> 0),
      esr: this.esr,
      esrPending: this.esrPending,
      lvt: Array.from(this.lvt, (x) => x >>> 0),
      icrLo: this.icrLo,
      icrHi: this.icrHi >>> 0,
      timerInitial: this.timerInitial,
      timerDcr: this.timerDcr,
      timerStartNs: this.timerStartNs,
      lintLevel: [...this.lintLevel],
      hwEnabled: this.hwEnabled,
    };
  }

  restoreState(s: LapicState): void {
    this.stopTimer();
    this.id = s.id;
    this.tpr = s.tpr;
    this.ldr = s.ldr;
    this.dfr = s.dfr;
    this.svr = s.svr;
    this.irr.set(s.irr.map((x) => x | 0));
    this.isr.set(s.isr.map((x) => x | 0));
    this.tmr.set(s.tmr.map((x) => x | 0));
    this.esr = s.esr;
    this.esrPending = s.esrPending;
    this.lvt.set(s.lvt.map((x) => x | 0));
    this.icrLo = s.icrLo;
    this.icrHi = s.icrHi;
    this.timerInitial = s.timerInitial;
    this.timerDcr = s.timerDcr;
    this.timerStartNs = s.timerStartNs;
    this.lintLevel[0] = s.lintLevel[0];
    this.lintLevel[1] = s.lintLevel[1];
    this.hwEnabled = s.hwEnabled;
    this.armTimer();
  }
}

/** Highest set bit of a 256-bit register held as 8 int32 words, or -1. */
function highestBit(words: Int32Array): number {
  for (let w = 7; w >= 0; w--) {
    const x = words[w];
    if (x !== 0) return (w << 5) + 31 - Math.clz32(x);
  }
  return -1;
}
