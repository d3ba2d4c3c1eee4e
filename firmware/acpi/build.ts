// ACPI table set for the bmjit q35-like platform (ACPI 6.4 §5.2): lays out FACS, DSDT, FADT, MADT, HPET, MCFG,
// RSDT and XSDT at fixed physical addresses and an RSDP (rev 2) in the BIOS area 0xE0000-0xFFFFF where BareMetal
// scans for it, all checksums filled in.
import type { OemInfo } from './bytes.js';
import { dsdt, facs, fadt, hpet, INTI_LEVEL_HIGH, madt, mcfg, rsdp, rsdt, xsdt } from './tables.js';

export interface AcpiConfig {
  /** Number of vCPUs (1..255). */
  cpus: number;
  /** APIC ID per vCPU; default 0..cpus-1. */
  apicIds?: readonly number[];
  /** Guest RAM size; tables outside the BIOS area must fit below it. */
  ramSize: number;
  lapicBase?: number;
  ioapic?: { id: number; base: number; gsiBase: number };
  /** HPET base and GCAP_ID low dword; `false` omits the table. */
  hpet?: { base: number; blockId: number; minTick?: number } | false;
  /** ECAM window; `false` omits MCFG. */
  ecam?: { base: number; startBus: number; endBus: number } | false;
  pmBase?: number;
  sciIrq?: number;
  resetPort?: number;
  resetValue?: number;
  /** SLP_TYP for S5 (must match the PM device). */
  s5SleepType?: number;
  /** Physical address of the RSDP: 16-byte aligned inside 0xE0000-0xFFFFF. Default 0xE0000. */
  rsdpAddress?: number;
  /** Where the other tables start (64-byte aligned). Default: right after the RSDP. */
  tablesAddress?: number;
  oem?: Partial<OemInfo>;
}

export interface AcpiBlob {
  /** Table signature ("RSD PTR " for the RSDP). */
  name: string;
  address: number;
  bytes: Uint8Array;
}

export interface AcpiTables {
  rsdpAddress: number;
  blobs: AcpiBlob[];
  /** One past the highest byte used. */
  end: number;
}

export class AcpiConfigError extends Error {}

const DEFAULT_OEM: OemInfo = {
  oemId: 'BMJIT ',
  oemTableId: 'BMJITPC ',
  oemRevision: 1,
  creatorId: 'BMJT',
  creatorRevision: 1,
};

function fail(msg: string): never {
  throw new AcpiConfigError(`ACPI: ${msg}`);
}

export function buildAcpiTables(cfg: AcpiConfig): AcpiTables {
  const oem: OemInfo = { ...DEFAULT_OEM, ...cfg.oem };
  if (oem.oemId.startsWith('BOCH')) fail('OEM ID must not start with "BOCH" (BareMetal then skips the FADT)');
  if (!Number.isInteger(cfg.cpus) || cfg.cpus < 1 || cfg.cpus > 255) fail(`bad CPU count ${cfg.cpus}`);
  const apicIds = cfg.apicIds ?? Array.from({ length: cfg.cpus }, (_, i) => i);
  if (apicIds.length !== cfg.cpus) fail(`${apicIds.length} APIC IDs given for ${cfg.cpus} CPUs`);
  if (new Set(apicIds).size !== apicIds.length || apicIds.some((id) => !(id >= 0 && id <= 254))) fail('APIC IDs must be distinct, 0..254');
  const rsdpAddr = cfg.rsdpAddress ?? 0xe0000;
  if (rsdpAddr % 16 !== 0 || rsdpAddr < 0xe0000 || rsdpAddr + 36 > 0x100000) {
    fail(`RSDP address 0x${rsdpAddr.toString(16)} must be 16-byte aligned inside 0xE0000-0xFFFFF`);
  }
  let at = cfg.tablesAddress ?? ((rsdpAddr + 36 + 63) & ~63);
  if (at % 64 !== 0) fail(`tables address 0x${at.toString(16)} must be 64-byte aligned`);
  const pmBase = cfg.pmBase ?? 0x600;
  const hpetCfg = cfg.hpet === undefined ? { base: 0xfed00000, blockId: 0x8086a201 } : cfg.hpet;
  const ecam = cfg.ecam === undefined ? { base: 0xb0000000, startBus: 0, endBus: 255 } : cfg.ecam;
  const s5 = cfg.s5SleepType ?? 0;

  const blobs: AcpiBlob[] = [];
  const place = (name: string, bytes: Uint8Array, align = 16): number => {
    at = Math.ceil(at / align) * align;
    const addr = at;
    if (addr < rsdpAddr + 36 && addr + bytes.length > rsdpAddr) fail(`${name} would overlap the RSDP`);
    blobs.push({ name, address: addr, bytes });
    at += bytes.length;
    return addr;
  };

  const facsAddr = place('FACS', facs(), 64);
  const dsdtAddr = place('DSDT', dsdt(s5, oem));
  const entries: number[] = [];
  entries.push(
    place(
      'FACP',
      fadt(
        {
          facs: facsAddr, dsdt: dsdtAddr, sciIrq: cfg.sciIrq ?? 9, pmBase, gpe0Offset: 0x20, gpe0Length: 0x10,
          resetPort: cfg.resetPort ?? 0xcf9, resetValue: cfg.resetValue ?? 0x06, bootArch: 0x0003, centuryIndex: 0x32,
        },
        oem,
      ),
    ),
  );
  entries.push(
    place(
      'APIC',
      madt(
        {
          lapicBase: cfg.lapicBase ?? 0xfee00000,
          apicIds,
          ioapic: cfg.ioapic ?? { id: 0, base: 0xfec00000, gsiBase: 0 },
          overrides: [
            { irq: 0, gsi: 2, flags: 0 },
            { irq: 9, gsi: 9, flags: INTI_LEVEL_HIGH },
          ],
          nmiLint: 1,
        },
        oem,
      ),
    ),
  );
  if (hpetCfg !== false) entries.push(place('HPET', hpet({ base: hpetCfg.base, blockId: hpetCfg.blockId, minTick: hpetCfg.minTick ?? 0x80 }, oem)));
  if (ecam !== false) entries.push(place('MCFG', mcfg({ base: ecam.base, segment: 0, startBus: ecam.startBus, endBus: ecam.endBus }, oem)));
  const rsdtAddr = place('RSDT', rsdt(entries, oem));
  const xsdtAddr = place('XSDT', xsdt(entries, oem));
  blobs.unshift({ name: 'RSD PTR ', address: rsdpAddr, bytes: rsdp(rsdtAddr, xsdtAddr, oem.oemId) });

  const inBiosArea = (a: number, n: number): boolean => a >= 0xe0000 && a + n <= 0x100000;
  for (const b of blobs) {
    if (!inBiosArea(b.address, b.bytes.length) && b.address + b.bytes.length > Math.min(cfg.ramSize, 0xb0000000)) {
      fail(`${b.name.trim()} at 0x${b.address.toString(16)} does not fit in guest RAM`);
    }
    if (b.address < 0x100000 && b.address + b.bytes.length > 0x100000) fail(`${b.name.trim()} crosses the 1 MiB boundary`);
  }
  return { rsdpAddress: rsdpAddr, blobs, end: at };
}

/** Copy every blob into guest memory through `write` (e.g. PhysMemory.writeBytes). */
export function installAcpiTables(t: AcpiTables, write: (address: number, bytes: Uint8Array) => void): void {
  for (const b of t.blobs) write(b.address, b.bytes);
}
