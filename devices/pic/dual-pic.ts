// The PC/AT cascaded 8259A pair (master at 0x20, slave at 0xA0 on master IR2) with the ICH9 ELCR registers
// (0x4D0/0x4D1): IRQ 0..15 inputs, INTR output, INTA for the CPU / LAPIC ExtINT path.
import type { IrqLine, PortHandler, Stateful } from '../device.js';
import type { ExtIntSource } from '../apic/vcpu-link.js';
import { Pic8259, type Pic8259State } from './pic8259.js';

export interface DualPicState {
  master: Pic8259State;
  slave: Pic8259State;
}

export class DualPic implements ExtIntSource, Stateful<DualPicState> {
  readonly name = 'pic';
  // IRQ0, 1, 2 (master) and IRQ8, 13 (slave) are edge-only on ICH9 (ELCR bits read-only 0).
  readonly master = new Pic8259('pic-master', 0xf8, () => this.update());
  readonly slave = new Pic8259('pic-slave', 0xde, () => this.update());
  /** INTR output (to LINT0 of the LAPICs, or straight to the CPU). */
  output: IrqLine | undefined;
  private outLevel = false;
  private slaveOut = false;
  private readonly lines: IrqLine[] = [];

  /** Port handler for 0x20-0x21 (master). */
  readonly masterPorts: PortHandler = {
    read: (off) => this.master.read((off & 1) as 0 | 1),
    write: (off, _size, v) => this.master.write((off & 1) as 0 | 1, v),
  };
  /** Port handler for 0xA0-0xA1 (slave). */
  readonly slavePorts: PortHandler = {
    read: (off) => this.slave.read((off & 1) as 0 | 1),
    write: (off, _size, v) => this.slave.write((off & 1) as 0 | 1, v),
  };
  /** Port handler for 0x4D0-0x4D1 (edge/level control). A 16-bit access covers both. */
  readonly elcrPorts: PortHandler = {
    read: (off, size) => {
      const v = this.master.elcr | (this.slave.elcr << 8);
      return size >= 2 ? v : (v >> ((off & 1) * 8)) & 0xff;
    },
    write: (off, size, v) => {
      if (size >= 2 || off === 0) this.master.elcr = v & 0xff & this.master.elcrMask;
      if (size >= 2) this.slave.elcr = (v >> 8) & 0xff & this.slave.elcrMask;
      else if (off === 1) this.slave.elcr = v & 0xff & this.slave.elcrMask;
      this.update();
    },
  };

  constructor(output?: IrqLine) {
    this.output = output;
    for (let i = 0; i < 16; i++) {
      const n = i;
      this.lines.push({ set: (level) => this.setIrq(n, level), pulse: () => (this.setIrq(n, true), this.setIrq(n, false)) });
    }
  }

  reset(): void {
    this.master.reset();
    this.slave.reset();
    this.slaveOut = false;
    this.update();
  }

  /** Input line for ISA IRQ `n` (0..15). IRQ2 is the cascade and is not wired to a device. */
  irq(n: number): IrqLine {
    const l = this.lines[n];
    if (l === undefined) throw new RangeError(`8259 pair has no IRQ ${n}`);
    return l;
  }

  setIrq(n: number, level: boolean): void {
    if (n < 8) this.master.setInput(n, level);
    else this.slave.setInput(n - 8, level);
  }

  /** Recompute the cascade input and the INTR output. */
  private update(): void {
    const s = this.slave.pendingIrq() >= 0;
    if (s !== this.slaveOut) {
      this.slaveOut = s;
      this.master.setInput(2, s); // re-enters update() for the master side
      return;
    }
    const out = this.master.pendingIrq() >= 0;
    if (out !== this.outLevel) {
      this.outLevel = out;
      this.output?.set(out);
    }
  }

  hasInterrupt(): boolean {
    return this.outLevel;
  }

  /** The vector the next INTA would return, without side effects. */
  peekVector(): number {
    const irq = this.master.pendingIrq();
    if (irq < 0) return this.master.vectorBase + 7;
    if (irq === 2 && (this.master.cascade & 4) !== 0) {
      const sirq = this.slave.pendingIrq();
      return this.slave.vectorBase + (sirq < 0 ? 7 : sirq);
    }
    return this.master.vectorBase + irq;
  }

  /**
   * INTA cycle: returns the vector and moves the request in service. With nothing pending it returns the spurious
   * IRQ7 vector (IRQ15 if the slave's request vanished), setting no ISR bit, as real 8259As do.
   */
  intAck(): number {
    const irq = this.master.pendingIrq();
    let vector: number;
    if (irq < 0) {
      vector = this.master.vectorBase + 7;
    } else {
      this.master.ack(irq);
      if (irq === 2 && (this.master.cascade & 4) !== 0) {
        const sirq = this.slave.pendingIrq();
        if (sirq < 0) vector = this.slave.vectorBase + 7;
        else {
          this.slave.ack(sirq);
          vector = this.slave.vectorBase + sirq;
        }
      } else vector = this.master.vectorBase + irq;
    }
    this.update();
    return vector;
  }

  saveState(): DualPicState {
    return { master: this.master.saveState(), slave: this.slave.saveState() };
  }

  restoreState(s: DualPicState): void {
    this.master.restoreState(s.master);
    this.slave.restoreState(s.slave);
    this.slaveOut = (this.master.lastLevels & 4) !== 0;
    this.outLevel = this.master.pendingIrq() >= 0;
  }
}
