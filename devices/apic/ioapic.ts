// I/O APIC (Intel 82093AA datasheet; ICH9 I/O APIC §13.5): IOREGSEL/IOWIN indirect registers, 24 redirection
// entries, edge/level pins with remote IRR cleared by the LAPIC EOI broadcast.
import type { IrqLine, MmioHandler, Stateful } from '../device.js';
import { laneRead, laneWrite } from '../reg-access.js';
import type { ApicBus, EoiListener } from './apic-bus.js';
import { DeliveryMode } from './lapic.js';

export const IOREGSEL = 0x00;
export const IOWIN = 0x10;

const RTE_MASKED = 1 << 16;
const RTE_LEVEL = 1 << 15;
const RTE_REMOTE_IRR = 1 << 14;
const RTE_DELIVERY_STATUS = 1 << 12;
/** Writable low-dword bits: vector, delivery mode, dest mode, polarity, trigger, mask. */
const RTE_LO_WMASK = 0x0001afff;

export interface IoApicState {
  id: number;
  regsel: number;
  rteLo: number[];
  rteHi: number[];
  /** Current input levels (bit per pin). */
  levels: number;
  /** Pending requests not yet delivered (edge seen while masked, or level asserted). */
  irr: number;
}

export interface IoApicOptions {
  /** I/O APIC ID (bits 24..27 of register 0). QEMU's q35: 0. */
  id?: number;
  pins?: number;
}

export class IoApic implements MmioHandler, Stateful<IoApicState>, EoiListener {
  readonly name = 'ioapic';
  readonly pins: number;
  private readonly initialId: number;
  private id = 0;
  private regsel = 0;
  private readonly rteLo: Int32Array;
  private readonly rteHi: Int32Array;
  private levels = 0;
  private irr = 0;
  private readonly lines: IrqLine[] = [];

  constructor(
    private readonly bus: ApicBus,
    opts: IoApicOptions = {},
  ) {
    this.pins = opts.pins ?? 24;
    if (this.pins < 1 || this.pins > 32) throw new RangeError(`I/O APIC pin count ${this.pins} not in 1..32`);
    this.initialId = opts.id ?? 0;
    this.rteLo = new Int32Array(this.pins);
    this.rteHi = new Int32Array(this.pins);
    for (let i = 0; i < this.pins; i++) {
      const pin = i;
      this.lines.push({ set: (level) => this.setPin(pin, level), pulse: () => (this.setPin(pin, true), this.setPin(pin, false)) });
    }
    bus.onEoi(this);
    this.reset();
  }

  reset(): void {
    this.id = this.initialId;
    this.regsel = 0;
    this.rteLo.fill(RTE_MASKED);
    this.rteHi.fill(0);
    this.irr = 0;
  }

  /** Version register: max redirection entry in bits 16..23, version 0x11 (82093AA; 0x170011 with 24 pins). */
  get version(): number {
    return ((this.pins - 1) << 16) | 0x11;
  }

  /** The input line of pin `n` (GSI base + n). */
  pin(n: number): IrqLine {
    const l = this.lines[n];
    if (l === undefined) throw new RangeError(`I/O APIC has no pin ${n}`);
    return l;
  }

  setPin(n: number, level: boolean): void {
    const bit = 1 << n;
    const was = (this.levels & bit) !== 0;
    this.levels = level ? this.levels | bit : this.levels & ~bit;
    if ((this.rteLo[n] & RTE_LEVEL) !== 0) {
      if (level) {
        this.irr |= bit;
        this.service();
      } else this.irr &= ~bit;
    } else if (level && !was && (this.rteLo[n] & RTE_MASKED) === 0) {
      // 82093AA: edges on a masked pin are ignored, not held pending (QEMU does the same).
      this.irr |= bit;
      this.service();
    }
  }

  /** Deliver every pending, unmasked pin; a level pin is delivered once per remote-IRR cycle. */
  private service(): void {
    let pend = this.irr;
    while (pend !== 0) {
      const n = 31 - Math.clz32(pend);
      pend &= ~(1 << n);
      const lo = this.rteLo[n];
      if ((lo & RTE_MASKED) !== 0) continue;
      const level = (lo & RTE_LEVEL) !== 0;
      if (level) {
        if ((lo & RTE_REMOTE_IRR) !== 0) continue;
        const mode = (lo >> 8) & 7;
        if (mode === DeliveryMode.Fixed || mode === DeliveryMode.LowestPriority) this.rteLo[n] = lo | RTE_REMOTE_IRR;
      } else this.irr &= ~(1 << n);
      this.bus.deliver({
        dest: this.rteHi[n] >>> 24,
        logical: (lo & (1 << 11)) !== 0,
        mode: (lo >> 8) & 7,
        vector: lo & 0xff,
        level,
      });
    }
  }

  /** EOI broadcast from a LAPIC: clear remote IRR of level entries with this vector; re-deliver if still asserted. */
  eoi(vector: number): void {
    let any = false;
    for (let n = 0; n < this.pins; n++) {
      const lo = this.rteLo[n];
      if ((lo & 0xff) === vector && (lo & RTE_REMOTE_IRR) !== 0) {
        this.rteLo[n] = lo & ~RTE_REMOTE_IRR;
        any = true;
      }
    }
    if (any) this.service();
  }

  private readIndirect(index: number): number {
    if (index === 0) return (this.id & 0xf) << 24;
    if (index === 1) return this.version;
    if (index === 2) return (this.id & 0xf) << 24; // arbitration ID
    const n = (index - 0x10) >> 1;
    if (index >= 0x10 && n < this.pins) {
      return (index & 1) === 0 ? (this.rteLo[n] & ~RTE_DELIVERY_STATUS) >>> 0 : this.rteHi[n] >>> 0;
    }
    return 0xffffffff;
  }

  private writeIndirect(index: number, v: number): void {
    if (index === 0) {
      this.id = (v >>> 24) & 0xf;
      return;
    }
    const n = (index - 0x10) >> 1;
    if (index < 0x10 || n >= this.pins) return;
    if ((index & 1) === 1) {
      this.rteHi[n] = v & 0xff000000;
      return;
    }
    const old = this.rteLo[n];
    let nv = (old & ~RTE_LO_WMASK) | (v & RTE_LO_WMASK);
    if ((nv & RTE_LEVEL) === 0) nv &= ~RTE_REMOTE_IRR;
    this.rteLo[n] = nv;
    const bit = 1 << n;
    // Switching to level mode re-samples the pin: a held level is a request, an old edge is not.
    if ((nv & RTE_LEVEL) !== 0) this.irr = (this.levels & bit) !== 0 ? this.irr | bit : this.irr & ~bit;
    this.service();
  }

  read(offset: number, size: number): number {
    if (offset < 4) return laneRead(this.regsel, offset, size);
    if (offset >= IOWIN && offset < IOWIN + 4) return laneRead(this.readIndirect(this.regsel), offset, size);
    return 0;
  }

  write(offset: number, size: number, value: number): void {
    if (offset < 4) {
      this.regsel = laneWrite(this.regsel, offset, size, value) & 0xff;
    } else if (offset >= IOWIN && offset < IOWIN + 4) {
      const old = this.readIndirect(this.regsel);
      this.writeIndirect(this.regsel, laneWrite(old, offset, size, value));
    }
  }

  /** Redirection entry `n` as [low dword, high dword] (for tests and debuggers). */
  entry(n: number): [number, number] {
    return [this.rteLo[n] >>> 0, this.rteHi[n] >>> 0];
  }

  saveState(): IoApicState {
    return {
      id: this.id,
      regsel: this.regsel,
      rteLo: Array.from(this.rteLo, (x) => x >>> 0),
      rteHi: Array.from(this.rteHi, (x) => x >>> 0),
      levels: this.levels >>> 0,
      irr: this.irr >>> 0,
    };
  }

  restoreState(s: IoApicState): void {
    this.id = s.id;
    this.regsel = s.regsel;
    this.rteLo.set(s.rteLo.map((x) => x | 0));
    this.rteHi.set(s.rteHi.map((x) => x | 0));
    this.levels = s.levels | 0;
    this.irr = s.irr | 0;
  }
}
