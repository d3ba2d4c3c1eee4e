// System control port B at I/O 0x61 (ICH9 NMI_SC register / PC/AT port B): counter 2 gate and speaker enable,
// counter 2 OUT, the 15 us refresh toggle that old delay loops poll, and the NMI source status bits (always 0).
import type { Clock, PortHandler, Stateful } from '../device.js';
import type { Pit8254 } from './pit8254.js';

export interface Port61State {
  /** Bits 0..3 as last written (gate 2, speaker data, parity/IOCHK NMI disables). */
  value: number;
}

/** Refresh toggle half-period (bit 4 flips every 15.085 us on ISA-era hardware). */
const REFRESH_NS = 15085;

export class Port61 implements PortHandler, Stateful<Port61State> {
  readonly name = 'port61';
  private value = 0;

  constructor(
    private readonly pit: Pit8254,
    private readonly clock: Clock,
  ) {}

  reset(): void {
    this.value = 0;
    this.pit.setGate(2, false);
  }

  /** Speaker audible: gate 2 and speaker data both on (a host sound back end could watch this). */
  get speakerOn(): boolean {
    return (this.value & 3) === 3;
  }

  read(_offset: number, _size: number): number {
    const refresh = Math.floor(this.clock.nowNs() / REFRESH_NS) & 1;
    return (this.value & 0x0f) | (refresh << 4) | (this.pit.out(2) ? 0x20 : 0);
  }

  write(_offset: number, _size: number, v: number): void {
    this.value = v & 0x0f;
    this.pit.setGate(2, (v & 1) !== 0);
  }

  saveState(): Port61State {
    return { value: this.value };
  }

  restoreState(s: Port61State): void {
    this.value = s.value & 0x0f;
  }
}
