// Interrupt wiring helpers (PC interrupt routing: one ISA IRQ feeds both the 8259 and the I/O APIC): fan-out,
// callback-backed and recording IrqLine implementations shared by the device models and the platform wiring.
import type { IrqLine } from './device.js';

/** An IrqLine that forwards every level change to a callback. */
export class CallbackIrq implements IrqLine {
  constructor(private readonly cb: (level: boolean) => void) {}
  set(level: boolean): void {
    this.cb(level);
  }
  pulse(): void {
    this.cb(true);
    this.cb(false);
  }
}

/** One output driving several inputs (e.g. ISA IRQ1 -> 8259 pin 1 and I/O APIC pin 1). */
export class FanoutIrq implements IrqLine {
  private readonly targets: IrqLine[];
  constructor(...targets: IrqLine[]) {
    this.targets = targets;
  }
  add(t: IrqLine): void {
    this.targets.push(t);
  }
  set(level: boolean): void {
    for (let i = 0; i < this.targets.length; i++) this.targets[i].set(level);
  }
  pulse(): void {
    for (let i = 0; i < this.targets.length; i++) this.targets[i].pulse();
  }
}

/**
 * Several sources sharing one input (wired-OR, e.g. two HPET comparators routed to the same GSI): the input is
 * high while any source holds it high. Each source gets its own IrqLine from source().
 */
export class SharedIrq {
  private mask = 0;
  private n = 0;
  constructor(private readonly target: IrqLine) {}
  source(): IrqLine {
    const bit = 1 << this.n++;
    if (this.n > 31) throw new RangeError('SharedIrq: more than 31 sources');
    return new CallbackIrq((level) => {
      const before = this.mask !== 0;
      this.mask = level ? this.mask | bit : this.mask & ~bit;
      const after = this.mask !== 0;
      if (before !== after) this.target.set(after);
    });
  }
}

/** A line that can be disconnected (e.g. the PIT's IRQ0 while the HPET is in legacy-replacement mode). */
export class GatedIrq implements IrqLine {
  private level = false;
  private on = true;
  constructor(private readonly target: IrqLine) {}
  set(level: boolean): void {
    const before = this.level && this.on;
    this.level = level;
    const after = this.level && this.on;
    if (before !== after) this.target.set(after);
  }
  pulse(): void {
    this.set(true);
    this.set(false);
  }
  setEnabled(on: boolean): void {
    const before = this.level && this.on;
    this.on = on;
    const after = this.level && this.on;
    if (before !== after) this.target.set(after);
  }
}
