// PC platform assembly for the machine (q35 placement, devices/platform/pc-platform.ts): builds the devices, puts
// them on the machine's buses, connects each LAPIC to its vCPU, turns platform events (isa-debug-exit, ACPI
// shutdown, resets) into MachineStop, and places the ACPI tables in RAM.
import type { Machine } from './machine.js';
import type { SerialConsole } from './serial-console.js';
import type { IrqLine, Stateful } from '../devices/device.js';
import type { Cpu } from './cpu/cpu.js';
import { PcPlatform, Q35, type PcPlatformState } from '../devices/platform/pc-platform.js';
import type { VcpuLink } from '../devices/apic/vcpu-link.js';
import { requestInterruptCheck, requestInit, requestSipi, requestNmi } from './cpu/interrupts.js';
import { MachineStop } from './cpu/fault.js';
import { E820, type MemoryRange } from './loaders/multiboot.js';
import { tracingIntc } from './trace-engine.js';

export const COM1_PORT = Q35.COM1;
export const DEBUG_EXIT_PORT = Q35.DEBUG_EXIT;

export interface Platform {
  readonly pc: PcPlatform;
  /** Ranges the memory map reports as reserved besides the legacy holes (ECAM, firmware tables). */
  readonly reservedRanges: MemoryRange[];
  /** ISA interrupt line n (0..15) as devices see it. */
  isaIrq(n: number): IrqLine;
  /** Push buffered device output (serial) to the host now. */
  flush(): void;
  /** Write the firmware tables (ACPI) into RAM; called after every reset, before a loader runs. */
  writeFirmwareTables(): void;
  /** Make the shared LAPIC window serve vCPU `index` (the scheduler calls this before running a vCPU). */
  selectCpu(index: number): void;
}

function vcpuLink(cpu: Cpu, wake: () => void): VcpuLink {
  return {
    wake() {
      requestInterruptCheck(cpu);
      wake();
    },
    init() {
      requestInit(cpu);
      wake();
    },
    startup(vector: number) {
      requestSipi(cpu, vector);
      wake();
    },
    nmi() {
      requestNmi(cpu);
      wake();
    },
  };
}

export function buildPlatform(m: Machine, console: SerialConsole, wake: () => void): Platform {
  const wallStartMs = Date.now();
  const clock = m.clock;
  const pc = new PcPlatform({
    cpus: m.cpus.length,
    ramSize: m.phys.size,
    clock,
    links: m.cpus.map((cpu) => vcpuLink(cpu, wake)),
    // Virtual clock: the RTC starts at the host's date and then follows virtual time.
    hostTimeMs: clock.mode === 'virtual' ? () => wallStartMs + clock.nowNs() / 1e6 : () => Date.now(),
    serial: console,
    debugExitSize: 4,
    // Platform events end the run after the current instruction retires (exact instruction counts, no unwinding).
    onDebugExit: (status) => m.requestStop(new MachineStop('exit', `the guest wrote 0x${((status - 1) / 2).toString(16)} to isa-debug-exit`, status)),
    onShutdown: () => m.requestStop(new MachineStop('shutdown', 'the guest powered the machine off (ACPI S5)')),
    onReset: (cause) => m.requestStop(new MachineStop('reset', `the guest reset the machine (${String(cause)})`)),
  });
  pc.register(m.io, m.phys.mmio);
  m.cpus.forEach((cpu, i) => {
    cpu.intc = m.tracer.on('int') ? tracingIntc(pc.lapics[i], cpu, m.tracer) : pc.lapics[i];
  });
  const tables = pc.acpiTables();
  const stateful: Stateful<PcPlatformState> = {
    name: 'pc',
    saveState: () => pc.saveState(),
    restoreState: (s) => pc.restoreState(s),
    reset: () => pc.reset(),
  };
  m.addStateful(stateful);
  return {
    pc,
    reservedRanges: [
      { base: 0xe0000, length: 0x10000, type: E820.Reserved }, // ACPI RSDP and tables (0xE0000-0xEFFFF)
      { base: Q35.ECAM_BASE, length: 0x10000000, type: E820.Reserved }, // PCIe ECAM, as q35 reports it
    ],
    isaIrq: (n) => pc.isaIrq(n),
    flush: () => pc.uart.flush(),
    writeFirmwareTables() {
      for (const b of tables.blobs) m.phys.writeBytes(b.address, b.bytes);
    },
    selectCpu(index: number) {
      pc.apicBus.current = index;
    },
  };
}
