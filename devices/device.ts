// Device model contract (cf. Firecracker BusDevice, TinyEMU iomem.h): devices see offsets, the bus owns placement,
// interrupts are injected lines, state is a named plain object with save/restore.

/** A guest-visible register window. `offset` is relative to the start of the device's own range; `size` is 1, 2, 4 or 8. */
export interface MmioHandler {
  read(offset: number, size: number): number; // returns the value zero-extended (for size 8 the low 32 bits; see read64)
  write(offset: number, size: number, value: number): void;
  /** Optional 64-bit accessors; when absent the bus splits 8-byte accesses into two 4-byte ones (low first). */
  read64?(offset: number): bigint;
  write64?(offset: number, value: bigint): void;
}

export type PortHandler = MmioHandler;

/** An interrupt line a device raises or lowers; the wiring (PIC pin, IOAPIC pin, MSI) is the machine's business. */
export interface IrqLine {
  set(level: boolean): void;
  /** Edge-triggered convenience: raise then lower. */
  pulse(): void;
}

/** A device whose state can be captured and restored as a plain JSON-serialisable object (snapshots). */
export interface Stateful<S> {
  /** Stable name used as the key in machine snapshots, e.g. "uart0", "lapic1". */
  readonly name: string;
  saveState(): S;
  restoreState(state: S): void;
  reset?(): void;
}

/** Virtual clock the devices read; the machine decides whether it follows executed instructions or the host clock. */
export interface Clock {
  /** Current virtual time in nanoseconds. */
  nowNs(): number;
  /**
   * Ask to be called back at (or just after) virtual time `atNs`. Returns a handle for cancel(). Deadlines are what
   * lets an all-halted machine jump straight to the next event.
   */
  schedule(atNs: number, cb: () => void): number;
  cancel(handle: number): void;
  /**
   * Optional: the guest read a free-running time source (the HPET main counter). Virtual time only moves between
   * vCPU slices, so a vCPU that reads it again within its slice is polling: the machine may end the slice and move
   * time ahead.
   */
  counterRead?(): void;
}

export class NoIrq implements IrqLine {
  set(_level: boolean): void {}
  pulse(): void {}
}
