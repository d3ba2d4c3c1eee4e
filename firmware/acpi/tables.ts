// ACPI table encoders (ACPI 6.4 §5.2.5 RSDP, §5.2.7 RSDT, §5.2.8 XSDT, §5.2.9 FADT rev 3 layout, §5.2.10 FACS,
// §5.2.12 MADT, §5.2.11.1 DSDT; IA-PC HPET spec §3.2.4 HPET table; PCI Firmware spec 3.2 §4.1.2 MCFG).
import * as aml from './aml.js';
import { AccessSize, AddressSpace, beginTable, ByteWriter, checksum, finishTable, type OemInfo } from './bytes.js';

export interface MadtConfig {
  lapicBase: number;
  /** One Processor Local APIC entry per vCPU, ACPI processor UID = index. */
  apicIds: readonly number[];
  ioapic: { id: number; base: number; gsiBase: number };
  /** Interrupt source overrides: ISA IRQ -> GSI with MPS INTI flags (polarity bits 0-1, trigger bits 2-3). */
  overrides: readonly { irq: number; gsi: number; flags: number }[];
  /** LINT pin the NMI arrives on (all processors). */
  nmiLint: number;
}

/** MPS INTI flags for an active-high, level-triggered interrupt (QEMU's IRQ9 override uses this). */
export const INTI_LEVEL_HIGH = 0x000d;

export function madt(c: MadtConfig, oem: OemInfo): Uint8Array {
  const w = beginTable('APIC', 1, oem);
  w.u32(c.lapicBase).u32(1); // flags: PCAT_COMPAT (dual 8259 present)
  c.apicIds.forEach((id, uid) => w.u8(0).u8(8).u8(uid).u8(id).u32(1)); // type 0, enabled
  w.u8(1).u8(12).u8(c.ioapic.id).u8(0).u32(c.ioapic.base).u32(c.ioapic.gsiBase);
  for (const o of c.overrides) w.u8(2).u8(10).u8(0).u8(o.irq).u32(o.gsi).u16(o.flags);
  w.u8(4).u8(6).u8(0xff).u16(0).u8(c.nmiLint); // Local APIC NMI, all processors, conforming
  return finishTable(w);
}

export interface HpetTableConfig {
  base: number;
  /** Event Timer Block ID: the HPET's GCAP_ID low dword. */
  blockId: number;
  /** Main counter minimum clock tick in periodic mode. */
  minTick: number;
  number?: number;
}

export function hpet(c: HpetTableConfig, oem: OemInfo): Uint8Array {
  const w = beginTable('HPET', 1, oem);
  w.u32(c.blockId);
  w.gas(AddressSpace.SystemMemory, 0, 0, 0, c.base); // base address at offset 44
  w.u8(c.number ?? 0).u16(c.minTick).u8(0); // page protection: none
  return finishTable(w);
}

export interface McfgConfig {
  base: number;
  segment: number;
  startBus: number;
  endBus: number;
}

export function mcfg(c: McfgConfig, oem: OemInfo): Uint8Array {
  const w = beginTable('MCFG', 1, oem);
  w.zeros(8);
  w.u64(c.base).u16(c.segment).u8(c.startBus).u8(c.endBus).u32(0);
  return finishTable(w);
}

export interface FadtConfig {
  facs: number;
  dsdt: number;
  sciIrq: number;
  pmBase: number;
  /** GPE0 block offset from pmBase and its length. */
  gpe0Offset: number;
  gpe0Length: number;
  resetPort: number;
  resetValue: number;
  /** IAPC_BOOT_ARCH flags (bit 0 legacy devices, bit 1 8042). */
  bootArch: number;
  centuryIndex: number;
}

/** FADT flags: WBINVD, PROC_C1, SLP_BUTTON (none), RTC_S4, TMR_VAL_EXT, RESET_REG_SUP, USE_PLATFORM_CLOCK. */
export const FADT_FLAGS = (1 << 0) | (1 << 2) | (1 << 5) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 15);

export function fadt(c: FadtConfig, oem: OemInfo): Uint8Array {
  const w = beginTable('FACP', 3, oem);
  w.u32(c.facs).u32(c.dsdt); // 36 FIRMWARE_CTRL, 40 DSDT
  w.u8(0).u8(0); // 44 reserved, 45 preferred PM profile: unspecified
  w.u16(c.sciIrq); // 46 SCI_INT
  w.u32(0).u8(0).u8(0).u8(0).u8(0); // 48 SMI_CMD = 0: always in ACPI mode; 52..55
  w.u32(c.pmBase).u32(0); // 56 PM1a_EVT_BLK, 60 PM1b_EVT_BLK
  w.u32(c.pmBase + 4).u32(0); // 64 PM1a_CNT_BLK, 68 PM1b_CNT_BLK
  w.u32(0); // 72 PM2_CNT_BLK
  w.u32(c.pmBase + 8); // 76 PM_TMR_BLK
  w.u32(c.pmBase + c.gpe0Offset).u32(0); // 80 GPE0_BLK, 84 GPE1_BLK
  w.u8(4).u8(2).u8(0).u8(4).u8(c.gpe0Length).u8(0).u8(0).u8(0); // 88 PM1_EVT_LEN .. 95 CST_CNT
  w.u16(0xfff).u16(0xfff); // 96 P_LVL2_LAT, 98 P_LVL3_LAT: C2/C3 not supported
  w.u16(0).u16(0).u8(0).u8(0); // 100 FLUSH_SIZE, 102 FLUSH_STRIDE, 104 DUTY_OFFSET, 105 DUTY_WIDTH
  w.u8(0).u8(0).u8(c.centuryIndex); // 106 DAY_ALRM, 107 MON_ALRM, 108 CENTURY
  w.u16(c.bootArch).u8(0); // 109 IAPC_BOOT_ARCH, 111 reserved
  w.u32(FADT_FLAGS); // 112 Flags
  w.gas(AddressSpace.SystemIo, 8, 0, AccessSize.Undefined, c.resetPort); // 116 RESET_REG
  w.u8(c.resetValue); // 128 RESET_VALUE
  w.zeros(3); // 129 ARM_BOOT_ARCH / reserved, 131 minor version
  w.u64(c.facs).u64(c.dsdt); // 132 X_FIRMWARE_CTRL, 140 X_DSDT
  w.gas(AddressSpace.SystemIo, 32, 0, AccessSize.Undefined, c.pmBase); // 148 X_PM1a_EVT_BLK
  w.gas(AddressSpace.SystemMemory, 0, 0, 0, 0); // 160 X_PM1b_EVT_BLK
  w.gas(AddressSpace.SystemIo, 16, 0, AccessSize.Undefined, c.pmBase + 4); // 172 X_PM1a_CNT_BLK
  w.gas(AddressSpace.SystemMemory, 0, 0, 0, 0); // 184 X_PM1b_CNT_BLK
  w.gas(AddressSpace.SystemMemory, 0, 0, 0, 0); // 196 X_PM2_CNT_BLK
  w.gas(AddressSpace.SystemIo, 32, 0, AccessSize.Undefined, c.pmBase + 8); // 208 X_PM_TMR_BLK
  w.gas(AddressSpace.SystemIo, c.gpe0Length * 8, 0, AccessSize.Undefined, c.pmBase + c.gpe0Offset); // 220 X_GPE0_BLK
  w.gas(AddressSpace.SystemMemory, 0, 0, 0, 0); // 232 X_GPE1_BLK
  return finishTable(w);
}

/** FACS (64 bytes, no checksum; must be 64-byte aligned). */
export function facs(): Uint8Array {
  const w = new ByteWriter();
  w.str('FACS', 4).u32(64).u32(0); // signature, length, hardware signature
  w.u32(0).u32(0).u32(0); // firmware waking vector, global lock, flags
  w.u64(0).u8(2).zeros(3).u32(0).zeros(24); // X waking vector, version 2, reserved, OSPM flags, reserved
  return w.result();
}

/**
 * Minimal DSDT: \_S5 (SLP_TYP value for soft-off, matching the PM device) and a PCIe root bridge device so OSPMs that
 * look for PNP0A08 find the ECAM segment.
 */
export function dsdt(s5Type: number, oem: OemInfo): Uint8Array {
  const w = beginTable('DSDT', 2, oem);
  const body = [
    ...aml.name('\\_S5', aml.pkg(aml.integer(s5Type), aml.integer(s5Type), aml.integer(0), aml.integer(0))),
    ...aml.scope(
      '\\_SB',
      aml.device(
        'PCI0',
        aml.name('_HID', aml.eisaId('PNP0A08')),
        aml.name('_CID', aml.eisaId('PNP0A03')),
        aml.name('_ADR', aml.integer(0)),
        aml.name('_SEG', aml.integer(0)),
        aml.name('_BBN', aml.integer(0)),
        aml.name('_UID', aml.integer(0)),
      ),
    ),
  ];
  w.bytes(body);
  return finishTable(w);
}

export function rsdt(entries: readonly number[], oem: OemInfo): Uint8Array {
  const w = beginTable('RSDT', 1, oem);
  for (const e of entries) w.u32(e);
  return finishTable(w);
}

export function xsdt(entries: readonly number[], oem: OemInfo): Uint8Array {
  const w = beginTable('XSDT', 1, oem);
  for (const e of entries) w.u64(e);
  return finishTable(w);
}

/** RSDP revision 2 (36 bytes): checksum over the first 20 bytes, extended checksum over all 36. */
export function rsdp(rsdtAddr: number, xsdtAddr: number, oemId: string): Uint8Array {
  const w = new ByteWriter();
  w.str('RSD PTR ', 8).u8(0).str(oemId, 6).u8(2).u32(rsdtAddr).u32(36).u64(xsdtAddr).u8(0).zeros(3);
  const out = w.result();
  out[8] = checksum(out, 0, 20);
  out[32] = checksum(out, 0, 36);
  return out;
}
