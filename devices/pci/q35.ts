// The two always-present q35 functions (Intel 3 Series / ICH9 datasheets; what QEMU's q35 shows a guest): the
// MCH host bridge at 00:00.0 (8086:29C0) and the ICH9 LPC/ISA bridge at 00:1F.0 (8086:2918).
import { PciFunction } from './pci-function.js';

/** MCH host bridge. PCIEXBAR (0x60) reports the ECAM window; it is read-only here (the window is fixed). */
export class Q35HostBridge extends PciFunction {
  constructor(ecamBase = 0xb000_0000) {
    super('mch', { vendor: 0x8086, device: 0x29c0, classCode: 0x060000, revision: 0 });
    // PCIEXBAR: base | length 256 MiB (bits 2:1 = 00) | enable.
    this.set32(0x60, (ecamBase | 1) >>> 0);
    this.set32(0x64, 0);
  }
}

/** ICH9 LPC bridge. PMBASE (0x40) and ACPI_CNTL (0x44) report the fixed ACPI PM block; they are read-only here. */
export class Ich9LpcBridge extends PciFunction {
  constructor(pmBase = 0x600) {
    super('ich9-lpc', { vendor: 0x8086, device: 0x2918, classCode: 0x060100, revision: 2 });
    this.set32(0x40, (pmBase & 0xff80) | 1); // PMBASE, bit 0 = I/O space
    this.config[0x44] = 0x80; // ACPI_CNTL: ACPI_EN, SCI on IRQ9
  }
}
