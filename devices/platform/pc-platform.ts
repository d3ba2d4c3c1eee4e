// The bmjit PC platform: QEMU q35 device placement and ISA/GSI interrupt wiring (ICH9: ISA IRQ n -> 8259 IRQ n and
// I/O APIC pin n, IRQ0 -> pin 2; HPET legacy replacement takes over IRQ0/IRQ8). Builds every device, registers
// them on the machine's buses, and snapshots them together. The machine may use it or wire devices itself.
import type { Clock, IrqLine } from '../device.js';
import type { IoBus, MmioBus } from '../../machine/memory/bus.js';
import { ApicBus } from '../apic/apic-bus.js';
import { IoApic, type IoApicState } from '../apic/ioapic.js';
import { LocalApic, type LapicState } from '../apic/lapic.js';
import type { VcpuLink } from '../apic/vcpu-link.js';
import { DualPic, type DualPicState } from '../pic/dual-pic.js';
import { Pit8254, type PitState } from '../pit/pit8254.js';
import { Port61, type Port61State } from '../pit/port61.js';
import { CmosRtc, type CmosRtcState } from '../rtc/cmos-rtc.js';
import { I8042, type I8042State } from '../ps2/i8042.js';
import { Hpet, type HpetState } from '../hpet/hpet.js';
import { PciHost, type PciHostState } from '../pci/pci-host.js';
import type { PciFunctionState } from '../pci/pci-function.js';
import { Ich9LpcBridge, Q35HostBridge } from '../pci/q35.js';
import { Uart16550, type UartState } from '../serial/uart16550.js';
import type { SerialBackend } from '../serial/backend.js';
import { DebugExit, type DebugExitState } from '../debug-exit/debug-exit.js';
import { AcpiPm, PM_BLOCK_SIZE, type AcpiPmState } from '../acpi-pm/acpi-pm.js';
import { ResetControl, type ResetControlState, type ResetKind } from '../acpi-pm/reset-control.js';
import { FanoutIrq, GatedIrq, SharedIrq } from '../irq-lines.js';
import { buildAcpiTables, type AcpiTables } from '../../firmware/acpi/build.js';

/** q35 placement (what QEMU uses, so QEMU can serve as a reference machine). */
export const Q35 = {
  LAPIC_BASE: 0xfee00000,
  IOAPIC_BASE: 0xfec00000,
  HPET_BASE: 0xfed00000,
  ECAM_BASE: 0xb0000000,
  ECAM_SIZE: 0x10000000,
  PM_BASE: 0x600,
  COM1: 0x3f8,
  COM1_IRQ: 4,
  DEBUG_EXIT: 0xf4,
  SCI_IRQ: 9,
} as const;

export type PlatformResetCause = ResetKind | 'kbd';

export interface PcPlatformOptions {
  cpus: number;
  ramSize: number;
  clock: Clock;
  /** APIC ID per vCPU (default 0..cpus-1); vCPU 0 is the BSP. */
  apicIds?: readonly number[];
  /** One link per vCPU; may also be set later on lapics[i].link. */
  links?: readonly VcpuLink[];
  /** Host wall clock for the RTC (ms since epoch). */
  hostTimeMs?: () => number;
  serial?: SerialBackend;
  /** isa-debug-exit width (QEMU iosize): 1 (default) or 4. */
  debugExitSize?: 1 | 2 | 4;
  onDebugExit?: (status: number) => void;
  onReset?: (cause: PlatformResetCause) => void;
  onShutdown?: () => void;
  onA20?: (enabled: boolean) => void;
  onNmiMask?: (masked: boolean) => void;
}

export interface PcPlatformState {
  lapics: LapicState[];
  ioapic: IoApicState;
  pic: DualPicState;
  pit: PitState;
  port61: Port61State;
  rtc: CmosRtcState;
  ps2: I8042State;
  hpet: HpetState;
  pciHost: PciHostState;
  pci: Record<string, PciFunctionState>;
  uart: UartState;
  debugExit: DebugExitState;
  pm: AcpiPmState;
  resetControl: ResetControlState;
  hpetLegacy: boolean;
}

export class PcPlatform {
  readonly apicBus = new ApicBus();
  readonly lapics: LocalApic[] = [];
  readonly ioapic: IoApic;
  readonly pic: DualPic;
  readonly pit: Pit8254;
  readonly port61: Port61;
  readonly rtc: CmosRtc;
  readonly ps2: I8042;
  readonly hpet: Hpet;
  readonly pci = new PciHost();
  readonly mch: Q35HostBridge;
  readonly lpc: Ich9LpcBridge;
  readonly uart: Uart16550;
  readonly debugExit: DebugExit;
  readonly pm: AcpiPm;
  readonly resetControl: ResetControl;
  private readonly isaLines: IrqLine[] = [];
  private readonly pitGate: GatedIrq;
  private readonly rtcGate: GatedIrq;
  private hpetLegacy = false;

  constructor(private readonly opts: PcPlatformOptions) {
    const { clock, cpus } = opts;
    const ids = opts.apicIds ?? Array.from({ length: cpus }, (_, i) => i);
    this.pic = new DualPic({ set: (l) => this.apicBus.picOutput(l), pulse: () => {} });
    for (let i = 0; i < cpus; i++) {
      const l = new LocalApic({ id: ids[i], bsp: i === 0, clock, link: opts.links?.[i] });
      l.extInt = this.pic;
      this.lapics.push(this.apicBus.attach(l));
    }
    this.ioapic = new IoApic(this.apicBus, { pins: 24 });

    // ISA IRQ n -> 8259 input n + I/O APIC pin n (IRQ0 -> pin 2; IRQ2 is the cascade, not an ISA line).
    for (let n = 0; n < 16; n++) {
      const targets = [this.pic.irq(n)];
      if (n !== 2) targets.push(this.ioapic.pin(n === 0 ? 2 : n));
      this.isaLines.push(new FanoutIrq(...targets));
    }
    const irq0 = new SharedIrq(this.isaLines[0]);
    const irq8 = new SharedIrq(this.isaLines[8]);
    this.pitGate = new GatedIrq(irq0.source());
    this.rtcGate = new GatedIrq(irq8.source());

    this.pit = new Pit8254(clock, this.pitGate);
    this.port61 = new Port61(this.pit, clock);
    this.rtc = new CmosRtc({ ramSize: opts.ramSize, irq: this.rtcGate, clock, hostTimeMs: opts.hostTimeMs, onNmiMask: opts.onNmiMask });
    this.rtc.poke(0x5f, cpus - 1);
    this.ps2 = new I8042({
      irq1: this.isaLines[1],
      irq12: this.isaLines[12],
      onReset: () => this.opts.onReset?.('kbd'),
      onA20: (e) => this.opts.onA20?.(e),
    });
    this.hpet = new Hpet({
      clock,
      gsi: (g) => (g < 24 ? this.ioapic.pin(g) : { set() {}, pulse() {} }),
      legacy: [irq0.source(), irq8.source()],
      onLegacyChange: (on) => this.setHpetLegacy(on),
    });
    this.mch = new Q35HostBridge(Q35.ECAM_BASE);
    this.lpc = new Ich9LpcBridge(Q35.PM_BASE);
    this.pci.add(0, 0, 0, this.mch);
    this.pci.add(0, 0x1f, 0, this.lpc);
    this.uart = new Uart16550({ irq: this.isaLines[Q35.COM1_IRQ], clock, name: 'com1' });
    if (opts.serial !== undefined) this.uart.attach(opts.serial);
    this.debugExit = new DebugExit((status) => this.opts.onDebugExit?.(status), opts.debugExitSize ?? 1);
    this.pm = new AcpiPm({ clock, sci: this.isaLines[Q35.SCI_IRQ], onShutdown: () => this.opts.onShutdown?.() });
    this.resetControl = new ResetControl((kind) => this.opts.onReset?.(kind));
  }

  /** The input side of ISA IRQ n (both interrupt controllers). */
  isaIrq(n: number): IrqLine {
    return this.isaLines[n];
  }

  private setHpetLegacy(on: boolean): void {
    this.hpetLegacy = on;
    this.pitGate.setEnabled(!on);
    this.rtcGate.setEnabled(!on);
  }

  /** Register every device at its q35 address. */
  register(io: IoBus, mmio: MmioBus): void {
    io.register('pic-master', 0x20, 2, this.pic.masterPorts);
    io.register('pic-slave', 0xa0, 2, this.pic.slavePorts);
    io.register('elcr', 0x4d0, 2, this.pic.elcrPorts);
    io.register('pit', 0x40, 4, this.pit);
    io.register('port61', 0x61, 1, this.port61);
    io.register('ps2-data', 0x60, 1, this.ps2.dataPort);
    io.register('ps2-cmd', 0x64, 1, this.ps2.commandPort);
    io.register('rtc', 0x70, 2, this.rtc);
    io.register('com1', Q35.COM1, 8, this.uart);
    io.register('debug-exit', Q35.DEBUG_EXIT, this.debugExit.ioSize, this.debugExit);
    io.register('acpi-pm', Q35.PM_BASE, PM_BLOCK_SIZE, this.pm);
    io.register('pci-addr', 0xcf8, 1, this.pci.addressPort);
    io.register('reset-control', 0xcf9, 1, this.resetControl);
    io.register('pci-data', 0xcfc, 4, this.pci.dataPort);
    mmio.register('lapic', Q35.LAPIC_BASE, 0x1000, this.apicBus.mmio);
    mmio.register('ioapic', Q35.IOAPIC_BASE, 0x1000, this.ioapic);
    mmio.register('hpet', Q35.HPET_BASE, 0x400, this.hpet);
    mmio.register('ecam', Q35.ECAM_BASE, Q35.ECAM_SIZE, this.pci.ecam);
  }

  /** ACPI tables describing exactly this platform. */
  acpiTables(placement: { rsdpAddress?: number; tablesAddress?: number } = {}): AcpiTables {
    return buildAcpiTables({
      cpus: this.lapics.length,
      apicIds: this.lapics.map((l) => l.id),
      ramSize: this.opts.ramSize,
      lapicBase: Q35.LAPIC_BASE,
      ioapic: { id: 0, base: Q35.IOAPIC_BASE, gsiBase: 0 },
      hpet: { base: Q35.HPET_BASE, blockId: this.hpet.capsLow >>> 0 },
      ecam: { base: Q35.ECAM_BASE, startBus: 0, endBus: 255 },
      pmBase: Q35.PM_BASE,
      sciIrq: Q35.SCI_IRQ,
      ...placement,
    });
  }

  /** Power-on reset of every device. */
  reset(): void {
    for (const l of this.lapics) l.reset();
    this.ioapic.reset();
    this.pic.reset();
    this.pit.reset();
    this.port61.reset();
    this.rtc.reset();
    this.rtc.poke(0x5f, this.lapics.length - 1);
    this.ps2.reset();
    this.hpet.reset();
    this.setHpetLegacy(false);
    this.pci.reset();
    this.uart.reset();
    this.debugExit.reset();
    this.pm.reset();
    this.resetControl.reset();
  }

  saveState(): PcPlatformState {
    const pci: Record<string, PciFunctionState> = {};
    for (const { bdf, fn } of this.pci.list()) pci[bdf.toString(16).padStart(4, '0')] = fn.saveState();
    return {
      lapics: this.lapics.map((l) => l.saveState()),
      ioapic: this.ioapic.saveState(),
      pic: this.pic.saveState(),
      pit: this.pit.saveState(),
      port61: this.port61.saveState(),
      rtc: this.rtc.saveState(),
      ps2: this.ps2.saveState(),
      hpet: this.hpet.saveState(),
      pciHost: this.pci.saveState(),
      pci,
      uart: this.uart.saveState(),
      debugExit: this.debugExit.saveState(),
      pm: this.pm.saveState(),
      resetControl: this.resetControl.saveState(),
      hpetLegacy: this.hpetLegacy,
    };
  }

  restoreState(s: PcPlatformState): void {
    if (s.lapics.length !== this.lapics.length) throw new Error(`snapshot has ${s.lapics.length} LAPICs, machine has ${this.lapics.length}`);
    // Interrupt sources first: their line updates may disturb the controllers, which are restored last.
    this.pit.restoreState(s.pit);
    this.port61.restoreState(s.port61);
    this.rtc.restoreState(s.rtc);
    this.ps2.restoreState(s.ps2);
    this.setHpetLegacy(s.hpetLegacy);
    this.hpet.restoreState(s.hpet);
    this.pci.restoreState(s.pciHost);
    for (const { bdf, fn } of this.pci.list()) {
      const fs = s.pci[bdf.toString(16).padStart(4, '0')];
      if (fs !== undefined) fn.restoreState(fs);
    }
    this.uart.restoreState(s.uart);
    this.debugExit.restoreState(s.debugExit);
    this.pm.restoreState(s.pm);
    this.resetControl.restoreState(s.resetControl);
    this.pic.restoreState(s.pic);
    this.ioapic.restoreState(s.ioapic);
    s.lapics.forEach((ls, i) => this.lapics[i].restoreState(ls));
  }
}
