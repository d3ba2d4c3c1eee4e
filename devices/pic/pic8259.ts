// One Intel 8259A programmable interrupt controller (8259A datasheet: ICW1-4, OCW1-3, priority resolution,
// AEOI, special mask, poll) - two of them form the PC's cascaded pair (see dual-pic.ts).
import type { Stateful } from '../device.js';

export interface Pic8259State {
  irr: number;
  isr: number;
  imr: number;
  /** Input levels seen last (edge detection). */
  lastLevels: number;
  /** Lowest-priority IRQ is (priorityAdd - 1) & 7; priorityAdd 0 = IRQ0 highest. */
  priorityAdd: number;
  vectorBase: number;
  /** 0 = operational, 2..4 = expecting ICW2..ICW4. */
  initStep: number;
  icw4Needed: boolean;
  single: boolean;
  autoEoi: boolean;
  rotateOnAutoEoi: boolean;
  specialFullyNested: boolean;
  specialMask: boolean;
  readIsr: boolean;
  poll: boolean;
  /** ICW3 value (master: slave bitmap; slave: its cascade ID). */
  cascade: number;
  /** ELCR: 1 = level-triggered input. */
  elcr: number;
}

export class Pic8259 implements Stateful<Pic8259State> {
  irr = 0;
  isr = 0;
  imr = 0;
  lastLevels = 0;
  priorityAdd = 0;
  vectorBase = 0;
  initStep = 0;
  icw4Needed = false;
  single = false;
  autoEoi = false;
  rotateOnAutoEoi = false;
  specialFullyNested = false;
  specialMask = false;
  readIsr = false;
  poll = false;
  cascade = 0;
  elcr = 0;

  constructor(
    readonly name: string,
    /** Inputs that can never be level-triggered (ELCR read-only zero bits). */
    readonly elcrMask: number,
    /** Called whenever the INT output may have changed. */
    private readonly onChange: () => void,
  ) {}

  reset(): void {
    this.restoreState(this.blank());
    this.elcr = 0;
  }

  private blank(): Pic8259State {
    return {
      irr: 0, isr: 0, imr: 0, lastLevels: 0, priorityAdd: 0, vectorBase: 0, initStep: 0, icw4Needed: false,
      single: false, autoEoi: false, rotateOnAutoEoi: false, specialFullyNested: false, specialMask: false,
      readIsr: false, poll: false, cascade: 0, elcr: this.elcr,
    };
  }

  /** Input `n` changed level. Edge mode latches a rising edge into IRR; level mode makes IRR follow the level. */
  setInput(n: number, level: boolean): void {
    const bit = 1 << n;
    if ((this.elcr & bit) !== 0) {
      if (level) this.irr |= bit;
      else this.irr &= ~bit;
    } else if (level && (this.lastLevels & bit) === 0) this.irr |= bit;
    this.lastLevels = level ? this.lastLevels | bit : this.lastLevels & ~bit;
    this.onChange();
  }

  /** Highest-priority bit of `mask` in the current rotation, as a priority rank 0..7, or 8 if none. */
  private rank(mask: number): number {
    if (mask === 0) return 8;
    for (let p = 0; p < 8; p++) if ((mask & (1 << ((p + this.priorityAdd) & 7))) !== 0) return p;
    return 8;
  }

  /** The IRQ (0..7) this chip would present on INTA now, or -1: unmasked request above every in-service level. */
  pendingIrq(): number {
    const req = this.irr & ~this.imr;
    const p = this.rank(req);
    if (p === 8) return -1;
    let inService = this.isr;
    if (this.specialMask) inService &= ~this.imr;
    // Special fully nested mode: on the master, an in-service cascade input does not block its own slave.
    if (this.specialFullyNested && !this.single && this.cascade !== 0) inService &= ~this.cascade;
    const q = this.rank(inService);
    return p < q ? (p + this.priorityAdd) & 7 : -1;
  }

  /** INTA: IRR -> ISR for `irq` (as returned by pendingIrq); AEOI mode skips ISR. */
  ack(irq: number): void {
    const bit = 1 << irq;
    if ((this.elcr & bit) === 0) this.irr &= ~bit;
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.priorityAdd = (irq + 1) & 7;
    } else this.isr |= bit;
  }

  /** Poll-mode read (OCW3 P=1): acknowledge like INTA and return 0x80|irq, or 0 when nothing is pending. */
  private pollRead(): number {
    this.poll = false;
    const irq = this.pendingIrq();
    if (irq < 0) return 0;
    this.ack(irq);
    this.onChange();
    return 0x80 | irq;
  }

  write(port: 0 | 1, v: number): void {
    v &= 0xff;
    if (port === 0) {
      if ((v & 0x10) !== 0) this.icw1(v);
      else if ((v & 0x08) !== 0) this.ocw3(v);
      else this.ocw2(v);
      this.onChange();
      return;
    }
    switch (this.initStep) {
      case 2:
        this.vectorBase = v & 0xf8;
        this.initStep = this.single ? (this.icw4Needed ? 4 : 0) : 3;
        break;
      case 3:
        this.cascade = v;
        this.initStep = this.icw4Needed ? 4 : 0;
        break;
      case 4:
        this.autoEoi = (v & 2) !== 0;
        this.specialFullyNested = (v & 0x10) !== 0;
        this.initStep = 0;
        break;
      default:
        this.imr = v;
        break;
    }
    this.onChange();
  }

  private icw1(v: number): void {
    // Initialisation clears IMR, ISR, the edge latches and the rotation; IRR keeps level-mode requests only.
    this.imr = 0;
    this.isr = 0;
    this.irr &= this.elcr;
    this.lastLevels = 0;
    this.priorityAdd = 0;
    this.specialMask = false;
    this.readIsr = false;
    this.poll = false;
    this.autoEoi = false;
    this.rotateOnAutoEoi = false;
    this.specialFullyNested = false;
    this.single = (v & 2) !== 0;
    this.icw4Needed = (v & 1) !== 0;
    this.initStep = 2;
  }

  private ocw2(v: number): void {
    const cmd = v >> 5;
    switch (cmd) {
      case 0: // rotate in AEOI mode: clear
      case 4: // rotate in AEOI mode: set
        this.rotateOnAutoEoi = cmd === 4;
        break;
      case 1: // non-specific EOI
      case 5: {
        // non-specific EOI (+rotate)
        const p = this.rank(this.isr);
        if (p === 8) break;
        const irq = (p + this.priorityAdd) & 7;
        this.isr &= ~(1 << irq);
        if (cmd === 5) this.priorityAdd = (irq + 1) & 7;
        break;
      }
      case 3: // specific EOI
        this.isr &= ~(1 << (v & 7));
        break;
      case 6: // set priority: IRQ v&7 becomes lowest
        this.priorityAdd = ((v & 7) + 1) & 7;
        break;
      case 7: // specific EOI + rotate
        this.isr &= ~(1 << (v & 7));
        this.priorityAdd = ((v & 7) + 1) & 7;
        break;
      default: // 2: no operation
        break;
    }
  }

  private ocw3(v: number): void {
    if ((v & 0x04) !== 0) this.poll = true;
    if ((v & 0x02) !== 0) this.readIsr = (v & 0x01) !== 0;
    if ((v & 0x40) !== 0) this.specialMask = (v & 0x20) !== 0;
  }

  read(port: 0 | 1): number {
    if (this.poll) return this.pollRead();
    if (port === 1) return this.imr;
    return this.readIsr ? this.isr : this.irr;
  }

  saveState(): Pic8259State {
    return {
      irr: this.irr, isr: this.isr, imr: this.imr, lastLevels: this.lastLevels, priorityAdd: this.priorityAdd,
      vectorBase: this.vectorBase, initStep: this.initStep, icw4Needed: this.icw4Needed, single: this.single,
      autoEoi: this.autoEoi, rotateOnAutoEoi: this.rotateOnAutoEoi, specialFullyNested: this.specialFullyNested,
      specialMask: this.specialMask, readIsr: this.readIsr, poll: this.poll, cascade: this.cascade, elcr: this.elcr,
    };
  }

  restoreState(s: Pic8259State): void {
    this.irr = s.irr;
    this.isr = s.isr;
    this.imr = s.imr;
    this.lastLevels = s.lastLevels;
    this.priorityAdd = s.priorityAdd;
    this.vectorBase = s.vectorBase;
    this.initStep = s.initStep;
    this.icw4Needed = s.icw4Needed;
    this.single = s.single;
    this.autoEoi = s.autoEoi;
    this.rotateOnAutoEoi = s.rotateOnAutoEoi;
    this.specialFullyNested = s.specialFullyNested;
    this.specialMask = s.specialMask;
    this.readIsr = s.readIsr;
    this.poll = s.poll;
    this.cascade = s.cascade;
    this.elcr = s.elcr & this.elcrMask;
  }
}
