// ACPI table tests: an independent little parser (ACPI 6.4 §5.2 field offsets, written from the spec, not from the
// builder) reads our tables the way BareMetal finds them, and reads QEMU's own q35 tables (a recorded fixture) to
// show both describe the same platform at the same offsets.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AcpiConfigError, buildAcpiTables, installAcpiTables } from '../../firmware/acpi/build.js';

type Mem = (addr: number, len: number) => Uint8Array;

const u8 = (b: Uint8Array, o: number): number => b[o];
const u16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const u64 = (b: Uint8Array, o: number): number => u32(b, o) + u32(b, o + 4) * 2 ** 32;
const ascii = (b: Uint8Array, o: number, n: number): string => String.fromCharCode(...b.subarray(o, o + n));
const sum = (b: Uint8Array): number => b.reduce((s, x) => (s + x) & 0xff, 0);

interface Parsed {
  rsdp: Uint8Array;
  tables: Map<string, Uint8Array>;
}

/** BareMetal's view: scan 0xE0000-0xFFFFF on 16-byte boundaries; rev 0 -> RSDT, else XSDT. */
function parse(mem: Mem): Parsed {
  let rsdp: Uint8Array | undefined;
  for (let a = 0xe0000; a < 0x100000; a += 16) {
    const sig = mem(a, 8);
    if (ascii(sig, 0, 8) === 'RSD PTR ' && sum(mem(a, 20)) === 0) {
      rsdp = mem(a, 36);
      break;
    }
  }
  if (rsdp === undefined) throw new Error('no RSDP');
  const rev = u8(rsdp, 15);
  const root = rev === 0 ? u32(rsdp, 16) : u64(rsdp, 24);
  const entrySize = rev === 0 ? 4 : 8;
  const hdr = mem(root, 36);
  const rootT = mem(root, u32(hdr, 4));
  const tables = new Map<string, Uint8Array>();
  tables.set(ascii(rootT, 0, 4), rootT);
  for (let o = 36; o < rootT.length; o += entrySize) {
    const a = entrySize === 4 ? u32(rootT, o) : u64(rootT, o);
    const t = mem(a, u32(mem(a, 8), 4));
    tables.set(ascii(t, 0, 4), t);
  }
  const facp = tables.get('FACP');
  if (facp !== undefined) {
    const dsdtAddr = u32(facp, 40);
    tables.set('DSDT', mem(dsdtAddr, u32(mem(dsdtAddr, 8), 4)));
    tables.set('FACS', mem(u32(facp, 36), 64));
  }
  return { rsdp, tables };
}

/** Walk MADT interrupt controller structures from offset 44. */
function madtEntries(t: Uint8Array): { type: number; body: Uint8Array }[] {
  const out: { type: number; body: Uint8Array }[] = [];
  for (let o = 44; o < t.length; o += t[o + 1]) out.push({ type: t[o], body: t.subarray(o, o + t[o + 1]) });
  return out;
}

/** Platform facts a guest derives from a table set, read at the spec offsets. */
function facts(p: Parsed) {
  const facp = p.tables.get('FACP')!;
  const madt = p.tables.get('APIC')!;
  const hpet = p.tables.get('HPET')!;
  const mcfg = p.tables.get('MCFG')!;
  const e = madtEntries(madt);
  return {
    lapicBase: u32(madt, 36),
    pcatCompat: u32(madt, 40) & 1,
    ioapics: e.filter((x) => x.type === 1).map((x) => ({ id: x.body[2], base: u32(x.body, 4), gsi: u32(x.body, 8) })),
    overrides: e.filter((x) => x.type === 2).map((x) => ({ irq: x.body[3], gsi: u32(x.body, 4), flags: u16(x.body, 8) })),
    hpetBase: u64(hpet, 44),
    hpetSpace: hpet[40],
    mcfg: { base: u64(mcfg, 44), seg: u16(mcfg, 52), start: mcfg[54], end: mcfg[55] },
    sci: u16(facp, 46),
    pm1aEvt: u32(facp, 56),
    pm1aCnt: u32(facp, 64),
    pmTmr: u32(facp, 76),
    gpe0: u32(facp, 80),
    lens: [facp[88], facp[89], facp[91], facp[92]],
    bootArch8042: (u16(facp, 109) >> 1) & 1,
    resetReg: { space: facp[116], width: facp[117], addr: u64(facp, 120) },
    resetSupported: (u32(facp, 112) >> 10) & 1,
    tmrValExt: (u32(facp, 112) >> 8) & 1,
  };
}

function ours(cpus = 4, extra: Partial<Parameters<typeof buildAcpiTables>[0]> = {}) {
  const t = buildAcpiTables({ cpus, ramSize: 256 << 20, hpet: { base: 0xfed00000, blockId: 0x8086a201 }, ...extra });
  const image = new Map<number, number>();
  installAcpiTables(t, (addr, bytes) => bytes.forEach((b, i) => image.set(addr + i, b)));
  const mem: Mem = (addr, len) => Uint8Array.from({ length: len }, (_, i) => image.get(addr + i) ?? 0);
  return { t, mem, parsed: parse(mem) };
}

function qemu() {
  const fx = JSON.parse(readFileSync(new URL('./fixtures/qemu-q35-acpi.json', import.meta.url), 'utf8')) as {
    tables: Record<string, { addr: number; hex: string }>;
  };
  const blobs = Object.values(fx.tables).map((t) => ({ addr: t.addr, bytes: Uint8Array.from(Buffer.from(t.hex, 'hex')) }));
  const mem: Mem = (addr, len) => {
    const out = new Uint8Array(len);
    for (const b of blobs) for (let i = 0; i < len; i++) if (addr + i >= b.addr && addr + i < b.addr + b.bytes.length) out[i] = b.bytes[addr + i - b.addr];
    return out;
  };
  // QEMU's DSDT and FACS are not in the fixture (8 KiB of AML); parse only what is there.
  const p = parse(mem);
  return p;
}

describe('ACPI tables', () => {
  it('puts a revision-2 RSDP on a 16-byte boundary in 0xE0000-0xFFFFF with both checksums right', () => {
    const { t, parsed } = ours();
    expect(t.rsdpAddress % 16).toBe(0);
    expect(t.rsdpAddress).toBeGreaterThanOrEqual(0xe0000);
    expect(t.rsdpAddress + 36).toBeLessThanOrEqual(0x100000);
    expect(parsed.rsdp[15]).toBe(2);
    expect(u32(parsed.rsdp, 20)).toBe(36);
    expect(sum(parsed.rsdp.subarray(0, 20))).toBe(0);
    expect(sum(parsed.rsdp)).toBe(0);
    expect(ascii(parsed.rsdp, 9, 6)).toBe('BMJIT ');
  });

  it('lists the same tables in RSDT and XSDT, each with a valid header and checksum', () => {
    const { parsed, mem } = ours();
    const xsdt = parsed.tables.get('XSDT')!;
    const rsdt = mem(u32(parsed.rsdp, 16), 36 + 4 * 4);
    expect(ascii(rsdt, 0, 4)).toBe('RSDT');
    expect(sum(rsdt)).toBe(0);
    const viaX = Array.from({ length: (xsdt.length - 36) / 8 }, (_, i) => u64(xsdt, 36 + 8 * i));
    const viaR = Array.from({ length: (u32(rsdt, 4) - 36) / 4 }, (_, i) => u32(rsdt, 36 + 4 * i));
    expect(viaX).toEqual(viaR);
    expect([...parsed.tables.keys()].sort()).toEqual(['APIC', 'DSDT', 'FACP', 'FACS', 'HPET', 'MCFG', 'XSDT']);
    for (const [sig, tab] of parsed.tables) {
      if (sig === 'FACS') continue; // the FACS has no checksum
      expect(sum(tab), sig).toBe(0);
      expect(u32(tab, 4), sig).toBe(tab.length);
      expect(ascii(tab, 10, 6), sig).toBe('BMJIT ');
    }
  });

  it('describes one enabled Processor Local APIC per vCPU, the I/O APIC, QEMU-style overrides and LINT1 NMI', () => {
    const { parsed } = ours(4, { apicIds: [0, 1, 2, 6] });
    const madt = parsed.tables.get('APIC')!;
    const e = madtEntries(madt);
    const cpus = e.filter((x) => x.type === 0);
    expect(cpus.map((x) => [x.body[1], x.body[2], x.body[3], u32(x.body, 4)])).toEqual([
      [8, 0, 0, 1], [8, 1, 1, 1], [8, 2, 2, 1], [8, 3, 6, 1],
    ]);
    const nmi = e.filter((x) => x.type === 4);
    expect(nmi.map((x) => [x.body[1], x.body[2], u16(x.body, 3), x.body[5]])).toEqual([[6, 0xff, 0, 1]]);
    const f = facts(parsed);
    expect(f.lapicBase).toBe(0xfee00000);
    expect(f.pcatCompat).toBe(1);
    expect(f.ioapics).toEqual([{ id: 0, base: 0xfec00000, gsi: 0 }]);
    expect(f.overrides).toEqual([
      { irq: 0, gsi: 2, flags: 0 },
      { irq: 9, gsi: 9, flags: 0x0d },
    ]);
  });

  it('gives the HPET base at offset 44, minimum tick at 53, and the ECAM window in MCFG', () => {
    const { parsed } = ours();
    const hpet = parsed.tables.get('HPET')!;
    expect(hpet.length).toBe(56);
    expect(u32(hpet, 36)).toBe(0x8086a201);
    expect(u64(hpet, 44)).toBe(0xfed00000);
    expect(u16(hpet, 53)).toBe(0x80);
    const mcfg = parsed.tables.get('MCFG')!;
    expect(mcfg.length).toBe(60);
    expect(facts(parsed).mcfg).toEqual({ base: 0xb0000000, seg: 0, start: 0, end: 255 });
  });

  it('has a revision-3 FADT with PM blocks, the 0xCF9 reset register, the 8042 flag and valid DSDT/FACS', () => {
    const { parsed } = ours();
    const facp = parsed.tables.get('FACP')!;
    expect(facp.length).toBe(244);
    expect(facp[8]).toBe(3);
    const f = facts(parsed);
    expect([f.sci, f.pm1aEvt, f.pm1aCnt, f.pmTmr, f.gpe0]).toEqual([9, 0x600, 0x604, 0x608, 0x620]);
    expect(f.lens).toEqual([4, 2, 4, 16]);
    expect(f.bootArch8042).toBe(1);
    expect(f.resetReg).toEqual({ space: 1, width: 8, addr: 0xcf9 });
    expect(facp[128]).toBe(0x06);
    expect(f.resetSupported).toBe(1);
    expect(f.tmrValExt).toBe(1);
    expect(u32(facp, 48)).toBe(0); // SMI_CMD 0: always in ACPI mode
    expect(u64(facp, 140)).toBe(u32(facp, 40)); // X_DSDT = DSDT
    expect(u64(facp, 132)).toBe(u32(facp, 36)); // X_FIRMWARE_CTRL = FACS
    const facs = parsed.tables.get('FACS')!;
    expect(ascii(facs, 0, 4)).toBe('FACS');
    expect(u32(facs, 4)).toBe(64);
    expect(u32(facp, 36) % 64).toBe(0);
    expect(u64(facp, 172 + 4)).toBe(0x604); // X_PM1a_CNT_BLK address
  });

  it('has a DSDT whose AML defines \\_S5 = {0, 0, ...} and a PNP0A08 root bridge', () => {
    const { parsed } = ours();
    const d = parsed.tables.get('DSDT')!;
    const aml = d.subarray(36);
    // NameOp RootChar "_S5_" PackageOp PkgLength NumElements ZeroOp ZeroOp
    const i = ascii(aml, 0, aml.length).indexOf('\\_S5_');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(aml[i - 1]).toBe(0x08);
    expect(aml[i + 5]).toBe(0x12);
    const pkgLen = aml[i + 6];
    expect(pkgLen & 0xc0).toBe(0);
    expect(aml[i + 7]).toBe(4);
    expect([aml[i + 8], aml[i + 9]]).toEqual([0, 0]);
    const hid = ascii(aml, 0, aml.length).indexOf('_HID');
    expect(Array.from(aml.subarray(hid + 4, hid + 9))).toEqual([0x0c, 0x41, 0xd0, 0x0a, 0x08]); // EISAID("PNP0A08")
    expect(sum(d)).toBe(0);
  });

  it('describes the same platform as QEMU q35 at the same table offsets (recorded QEMU tables)', () => {
    const q = facts(qemu());
    const o = facts(ours(2).parsed);
    expect(o.lapicBase).toBe(q.lapicBase);
    expect(o.ioapics).toEqual(q.ioapics);
    expect(o.hpetBase).toBe(q.hpetBase);
    expect(o.hpetSpace).toBe(q.hpetSpace);
    expect(o.mcfg).toEqual(q.mcfg);
    expect([o.sci, o.pm1aEvt, o.pm1aCnt, o.pmTmr, o.gpe0]).toEqual([q.sci, q.pm1aEvt, q.pm1aCnt, q.pmTmr, q.gpe0]);
    expect(o.lens).toEqual(q.lens);
    expect(o.bootArch8042).toBe(q.bootArch8042);
    expect(o.resetReg).toEqual(q.resetReg);
    expect(o.resetSupported).toBe(q.resetSupported);
    // QEMU also routes IRQ0 -> GSI 2 and makes IRQ9 level/active-high (plus PCI link IRQs 5, 10, 11).
    for (const ov of o.overrides) expect(q.overrides).toContainEqual(ov);
    expect(qemu().tables.get('HPET')!.length).toBe(56); // same HPET table layout (QEMU leaves the minimum tick 0)
  });

  it('rejects bad configurations with one-line errors', () => {
    const bad = (c: object): string => {
      try {
        buildAcpiTables({ cpus: 1, ramSize: 256 << 20, ...c });
      } catch (e) {
        expect(e).toBeInstanceOf(AcpiConfigError);
        const m = (e as Error).message;
        expect(m).not.toContain('\n');
        return m;
      }
      throw new Error('no error');
    };
    expect(bad({ cpus: 0 })).toMatch(/CPU count/);
    expect(bad({ rsdpAddress: 0xe0008 })).toMatch(/16-byte aligned/);
    expect(bad({ rsdpAddress: 0xd0000 })).toMatch(/0xE0000-0xFFFFF/);
    expect(bad({ cpus: 2, apicIds: [1, 1] })).toMatch(/distinct/);
    expect(bad({ oem: { oemId: 'BOCHS ' } })).toMatch(/BOCH/);
    expect(bad({ tablesAddress: 0x8000000, ramSize: 0x1000000 })).toMatch(/does not fit/);
  });

  it('can place the tables in RAM while the RSDP stays in the BIOS area', () => {
    const { t, parsed } = ours(1, { rsdpAddress: 0xf0000, tablesAddress: 0x7fe0000 });
    expect(t.rsdpAddress).toBe(0xf0000);
    expect(t.blobs.filter((b) => b.name !== 'RSD PTR ').every((b) => b.address >= 0x7fe0000)).toBe(true);
    expect(parsed.tables.get('APIC')).toBeDefined();
  });
});
