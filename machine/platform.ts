// PC platform assembly (q35-style placement; QEMU hw/i386/pc.c and q35 for the addresses): which device sits at
// which port / MMIO range and which interrupt line it drives. Devices see offsets only; this file owns placement.
import type { Machine } from './machine.js';
import type { SerialConsole } from './serial-console.js';
import type { IrqLine } from '../devices/device.js';
import { NoIrq } from '../devices/device.js';
import { Uart16550 } from '../devices/serial/uart16550.js';
import type { MemoryRange } from './loaders/multiboot.js';
import { DebugExit } from '../devices/debug-exit/debug-exit.js';
import { MachineStop } from './cpu/fault.js';

/** Fixed platform addresses (also in docs/architecture.md). */
export const COM1_PORT = 0x3f8;
export const COM1_IRQ = 4;
export const DEBUG_EXIT_PORT = 0xf4;

export interface Platform {
  readonly uart: Uart16550;
  /** Ranges the memory map reports as reserved besides the legacy holes (device MMIO, firmware tables). */
  readonly reservedRanges: MemoryRange[];
  /** ISA interrupt line n (0..15) as devices see it. */
  isaIrq(n: number): IrqLine;
  /** Push buffered device output (serial) to the host now. */
  flush(): void;
}

export function buildPlatform(m: Machine, console: SerialConsole): Platform {
  const noIrq = new NoIrq();
  const isaIrq = (_n: number): IrqLine => noIrq; // no interrupt controller wired yet: lines go nowhere
  const uart = new Uart16550({ irq: isaIrq(COM1_IRQ), clock: m.clock, name: 'com1' });
  uart.attach(console);
  m.io.register('com1', COM1_PORT, 8, uart);
  m.addStateful(uart);
  // isa-debug-exit as in `-device isa-debug-exit,iobase=0xf4,iosize=4`: the write ends the run at once.
  const debugExit = new DebugExit((status, v) => {
    throw new MachineStop('exit', `the guest wrote 0x${v.toString(16)} to isa-debug-exit`, status);
  }, 4);
  m.io.register('debug-exit', DEBUG_EXIT_PORT, 4, debugExit);
  m.addStateful(debugExit);
  return {
    uart,
    reservedRanges: [],
    isaIrq,
    flush: () => uart.flush(),
  };
}
