// The APIC "bus" (SDM Vol. 3 §10.6 IPIs, §10.6.2 destinations; MSI format §10.11): routes ICR messages, I/O APIC
// redirections and MSI writes to local APICs, broadcasts level EOIs back to the I/O APICs, and gives each vCPU its
// own view of the shared LAPIC MMIO window.
import type { MmioHandler } from '../device.js';
import { DeliveryMode, EsrBit, type LapicBusPort, LocalApic } from './lapic.js';

/** An interrupt message on the APIC bus (ICR, redirection entry or MSI, decoded). */
export interface ApicMessage {
  /** 8-bit destination (physical APIC ID, or logical MDA). */
  dest: number;
  /** Logical destination mode. */
  logical: boolean;
  mode: DeliveryMode;
  vector: number;
  /** Level-triggered (sets TMR; EOI is broadcast back to the I/O APICs). */
  level: boolean;
}

/** Receivers of EOI broadcasts (I/O APICs). */
export interface EoiListener {
  eoi(vector: number): void;
}

/** MSI address window: 0xFEExxxxx. */
export const MSI_BASE = 0xfee00000;

export class ApicBus implements LapicBusPort {
  readonly lapics: LocalApic[] = [];
  private readonly eoiListeners: EoiListener[] = [];
  /** Index (into lapics) of the vCPU whose accesses the shared MMIO window currently serves. */
  current = 0;

  /** The LAPIC MMIO window for a machine whose vCPUs share one MmioBus: set `current` when switching vCPUs. */
  readonly mmio: MmioHandler = {
    read: (offset, size) => this.lapics[this.current].read(offset, size),
    write: (offset, size, value) => this.lapics[this.current].write(offset, size, value),
  };

  attach(lapic: LocalApic): LocalApic {
    lapic.bus = this;
    this.lapics.push(lapic);
    return lapic;
  }

  onEoi(l: EoiListener): void {
    this.eoiListeners.push(l);
  }

  byId(id: number): LocalApic | undefined {
    for (const l of this.lapics) if (l.id === id) return l;
    return undefined;
  }

  eoiBroadcast(vector: number): void {
    for (const l of this.eoiListeners) l.eoi(vector);
  }

  /** ICR write on `src` (SDM Figure 10-12): shorthand, destination, delivery mode. */
  sendIpi(src: LocalApic, lo: number, hi: number): void {
    const mode = ((lo >> 8) & 7) as DeliveryMode;
    const vector = lo & 0xff;
    // INIT level de-assert (level=0, trigger=level) only synchronises arbitration IDs.
    if (mode === DeliveryMode.Init && (lo & (1 << 14)) === 0 && (lo & (1 << 15)) !== 0) return;
    if ((mode === DeliveryMode.Fixed || mode === DeliveryMode.LowestPriority) && vector < 16) {
      src.raiseError(EsrBit.SendIllegalVector); // and the message is not sent
      return;
    }
    const shorthand = (lo >> 18) & 3;
    const level = (lo & (1 << 15)) !== 0;
    switch (shorthand) {
      case 1:
        this.deliverTo(src, mode, vector, level);
        return;
      case 2:
      case 3:
        for (const l of this.lapics) if (shorthand === 2 || l !== src) this.deliverTo(l, mode, vector, level);
        return;
      default:
        this.deliver({ dest: hi >>> 24, logical: (lo & (1 << 11)) !== 0, mode, vector, level });
    }
  }

  /** Deliver a message to every matching LAPIC (lowest priority: the matching LAPIC with the lowest APIC ID). */
  deliver(m: ApicMessage): void {
    if (m.mode === DeliveryMode.LowestPriority) {
      let best: LocalApic | undefined;
      for (const l of this.lapics) if (this.matches(l, m) && (best === undefined || l.id < best.id)) best = l;
      if (best !== undefined) this.deliverTo(best, DeliveryMode.Fixed, m.vector, m.level);
      return;
    }
    for (const l of this.lapics) if (this.matches(l, m)) this.deliverTo(l, m.mode, m.vector, m.level);
  }

  private matches(l: LocalApic, m: ApicMessage): boolean {
    if (!l.globallyEnabled) return false;
    if (m.logical) return l.matchesLogical(m.dest);
    return m.dest === 0xff || l.id === m.dest;
  }

  private deliverTo(l: LocalApic, mode: DeliveryMode, vector: number, level: boolean): void {
    switch (mode) {
      case DeliveryMode.Fixed:
      case DeliveryMode.LowestPriority:
        l.acceptFixed(vector, level);
        break;
      case DeliveryMode.Nmi:
        l.acceptNmi();
        break;
      case DeliveryMode.Init:
        l.acceptInit();
        break;
      case DeliveryMode.StartUp:
        l.acceptStartup(vector);
        break;
      default:
        break; // SMI and ExtINT messages are not modelled
    }
  }

  /**
   * An MSI write (PCI Local Bus 3.0 §6.8 / SDM §10.11): address 0xFEE[dest][RH|DM], data [trigger|level|mode|vector].
   * `address` is the 32-bit message address, `data` the 16/32-bit message data.
   */
  msi(address: number, data: number): void {
    if ((address & 0xfff00000) >>> 0 !== MSI_BASE) return;
    this.deliver({
      dest: (address >>> 12) & 0xff,
      logical: (address & 4) !== 0,
      mode: ((data >> 8) & 7) as DeliveryMode,
      vector: data & 0xff,
      level: (data & (1 << 15)) !== 0,
    });
  }

  /** The 8259 INTR output, wired to LINT0 of every LAPIC (as on QEMU's PC machines). */
  picOutput(level: boolean): void {
    for (const l of this.lapics) l.setLint(0, level);
  }
}
