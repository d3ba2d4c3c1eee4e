// ICH9 Reset Control Register at I/O 0xCF9 (ICH9 datasheet §13.7.5; also the FADT RESET_REG): writing bit 2
// (RST_CPU) set requests a reset - 0x06 hard, 0x0E full; bits 1 and 3 are kept for read-back.
import type { PortHandler, Stateful } from '../device.js';

export interface ResetControlState {
  value: number;
}

export type ResetKind = 'soft' | 'hard' | 'full';

export class ResetControl implements PortHandler, Stateful<ResetControlState> {
  readonly name = 'reset-control';
  private value = 0;

  constructor(private readonly onReset: (kind: ResetKind) => void) {}

  reset(): void {
    this.value = 0;
  }

  read(_offset: number, _size: number): number {
    return this.value;
  }

  write(_offset: number, _size: number, v: number): void {
    v &= 0xff;
    this.value = v & 0x0a; // SYS_RST and FULL_RST latch; RST_CPU is a trigger
    if ((v & 4) !== 0) this.onReset((v & 8) !== 0 ? 'full' : (v & 2) !== 0 ? 'hard' : 'soft');
  }

  saveState(): ResetControlState {
    return { value: this.value };
  }

  restoreState(s: ResetControlState): void {
    this.value = s.value;
  }
}
