// isa-debug-exit (QEMU's test device): a write of v to its port ends the run with exit status (v << 1) | 1.
// The device only reports the event; the machine decides what "end" means.
import type { PortHandler, Stateful } from '../device.js';

export interface DebugExitState {
  /** Last exit code requested, or -1. */
  lastCode: number;
}

export class DebugExit implements PortHandler, Stateful<DebugExitState> {
  readonly name = 'debug-exit';
  private lastCode = -1;

  /**
   * @param onExit receives the process exit status (v << 1) | 1
   * @param ioSize 1, 2 or 4 ports (QEMU's iosize); writes are masked to the accessed width
   */
  constructor(
    private readonly onExit: (status: number, value: number) => void,
    readonly ioSize: 1 | 2 | 4 = 1,
  ) {}

  reset(): void {
    this.lastCode = -1;
  }

  /** Exit status of the last write, or -1. */
  get exitStatus(): number {
    return this.lastCode;
  }

  read(_offset: number, _size: number): number {
    return 0; // QEMU's device has no readable state
  }

  write(_offset: number, size: number, value: number): void {
    const v = size >= 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
    // (v << 1) | 1 computed without 32-bit overflow; exit(2) truncates it to 8 bits anyway.
    const status = v * 2 + 1;
    this.lastCode = status;
    this.onExit(status, v);
  }

  saveState(): DebugExitState {
    return { lastCode: this.lastCode };
  }

  restoreState(s: DebugExitState): void {
    this.lastCode = s.lastCode;
  }
}
