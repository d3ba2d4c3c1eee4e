// PCI tests against PCI Local Bus 3.0 / PCIe 4.0: mechanism #1 and ECAM agreeing, sub-dword config access,
// BAR sizing (32/64-bit memory, I/O) and map callbacks, capability lists, q35 identity of 00:00.0 and 00:1F.0.
import { describe, expect, it } from 'vitest';
import { PciHost } from '../../devices/pci/pci-host.js';
import { PciFunction } from '../../devices/pci/pci-function.js';
import { Ich9LpcBridge, Q35HostBridge } from '../../devices/pci/q35.js';

function q35() {
  const host = new PciHost();
  host.add(0, 0, 0, new Q35HostBridge());
  host.add(0, 0x1f, 0, new Ich9LpcBridge());
  const cf8 = (bus: number, dev: number, fn: number, reg: number): void =>
    host.addressPort.write(0, 4, (0x80000000 | (bus << 16) | (dev << 11) | (fn << 8) | (reg & 0xfc)) >>> 0);
  const cfgRead = (bus: number, dev: number, fn: number, reg: number, size = 4): number => {
    cf8(bus, dev, fn, reg);
    return host.dataPort.read(reg & 3, size);
  };
  const ecamRead = (bus: number, dev: number, fn: number, reg: number, size = 4): number =>
    host.ecam.read((bus << 20) | (dev << 15) | (fn << 12) | reg, size);
  return { host, cf8, cfgRead, ecamRead };
}

describe('PCI config access', () => {
  it('shows the q35 host bridge and ICH9 LPC bridge identically through 0xCF8/0xCFC and ECAM', () => {
    const { cfgRead, ecamRead } = q35();
    expect(cfgRead(0, 0, 0, 0)).toBe(0x29c08086);
    expect(cfgRead(0, 0x1f, 0, 0)).toBe(0x29188086);
    expect(cfgRead(0, 0, 0, 8) >>> 8).toBe(0x060000);
    expect(cfgRead(0, 0x1f, 0, 8) >>> 8).toBe(0x060100);
    for (const dev of [0, 0x1f]) {
      for (let reg = 0; reg < 256; reg += 4) expect(ecamRead(0, dev, 0, reg)).toBe(cfgRead(0, dev, 0, reg));
    }
    expect((cfgRead(0, 0, 0, 0x60) & ~0xf) >>> 0).toBe(0xb0000000); // PCIEXBAR: the ECAM window
    expect(cfgRead(0, 0x1f, 0, 0x40) & 0xff80).toBe(0x600); // PMBASE
  });

  it('supports byte and word accesses at any offset of the data window', () => {
    const { cf8, host } = q35();
    cf8(0, 0, 0, 0);
    expect(host.dataPort.read(0, 2)).toBe(0x8086);
    expect(host.dataPort.read(2, 2)).toBe(0x29c0);
    expect(host.dataPort.read(1, 1)).toBe(0x80);
    expect(host.dataPort.read(3, 1)).toBe(0x29);
    cf8(0, 0, 0, 0x3c);
    host.dataPort.write(0, 1, 0x0b); // interrupt line
    expect(host.dataPort.read(0, 4) & 0xff).toBe(0x0b);
  });

  it('reads all-ones for absent functions and with the enable bit clear', () => {
    const { host, cfgRead, ecamRead } = q35();
    expect(cfgRead(0, 3, 0, 0)).toBe(0xffffffff);
    expect(cfgRead(5, 0, 0, 0, 2)).toBe(0xffff);
    expect(ecamRead(0, 0, 1, 0)).toBe(0xffffffff);
    expect(ecamRead(255, 31, 7, 0xffc)).toBe(0xffffffff);
    host.addressPort.write(0, 4, 0); // enable bit clear
    expect(host.dataPort.read(0, 4)).toBe(0xffffffff);
  });

  it('latches CONFIG_ADDRESS only on dword accesses', () => {
    const { host } = q35();
    host.addressPort.write(0, 4, 0x8000f804);
    host.addressPort.write(0, 1, 0x00);
    expect(host.addressPort.read(0, 4)).toBe(0x8000f804);
  });

  it('scans all 65,536 functions through ECAM and finds exactly the two present ones', () => {
    const { ecamRead } = q35();
    let found = 0;
    for (let bus = 0; bus < 256; bus++)
      for (let dev = 0; dev < 32; dev++)
        for (let fn = 0; fn < 8; fn++) if ((ecamRead(bus, dev, fn, 0) & 0xffff) !== 0xffff) found++;
    expect(found).toBe(2);
  });

  it('sets the multi-function bit of function 0 when more functions are present', () => {
    const host = new PciHost();
    const f0 = host.add(0, 2, 0, new PciFunction('a', { vendor: 1, device: 2, classCode: 0 }));
    host.add(0, 2, 3, new PciFunction('b', { vendor: 1, device: 3, classCode: 0 }));
    expect(f0.read(0x0e, 1) & 0x80).toBe(0x80);
    expect(() => host.add(0, 2, 3, new PciFunction('c', { vendor: 1, device: 4, classCode: 0 }))).toThrow(/already taken/);
  });
});

describe('PCI function', () => {
  function dev() {
    const maps: string[] = [];
    const f = new PciFunction('test', { vendor: 0x1af4, device: 0x1041, classCode: 0x020000, revision: 1, interruptPin: 1 });
    f.addBar(0, { kind: 'mem32', size: 0x1000, onMap: (a) => maps.push(`bar0:${a.toString(16)}`) });
    f.addBar(2, { kind: 'mem64', size: 0x100000, prefetchable: true, onMap: (a) => maps.push(`bar2:${a.toString(16)}`) });
    f.addBar(4, { kind: 'io', size: 0x20, onMap: (a) => maps.push(`bar4:${a.toString(16)}`) });
    return { f, maps };
  }

  it('sizes BARs by writing all-ones', () => {
    const { f } = dev();
    for (let i = 0; i < 6; i++) f.write(0x10 + 4 * i, 4, 0xffffffff);
    expect(f.read(0x10, 4)).toBe(0xfffff000);
    expect(f.read(0x18, 4)).toBe(0xfff0000c); // 64-bit, prefetchable
    expect(f.read(0x1c, 4)).toBe(0xffffffff);
    expect(f.read(0x20, 4)).toBe(0xffffffe1); // I/O
    expect(f.read(0x14, 4)).toBe(0); // BAR1 absent (read-only zero)
    expect(f.read(0x24, 4)).toBe(0);
  });

  it('reports (re)mapping when decoding is enabled and the address changes', () => {
    const { f, maps } = dev();
    f.write(0x10, 4, 0xfebf0000);
    f.write(0x18, 4, 0x00000000);
    f.write(0x1c, 4, 0x00000008); // 0x8_0000_0000
    f.write(0x20, 4, 0xc040);
    expect(maps).toEqual([]); // decoding off
    f.write(0x04, 2, 0x0003);
    expect(maps).toEqual(['bar0:febf0000', 'bar2:800000000', 'bar4:c040']);
    expect(f.mappedAddress(2)).toBe(0x8_0000_0000);
    f.write(0x10, 4, 0xffffffff); // sizing while enabled: stops decoding
    expect(maps.at(-1)).toBe('bar0:-1');
    f.write(0x10, 4, 0xfebf1000);
    expect(maps.at(-1)).toBe('bar0:febf1000');
    f.write(0x04, 2, 0x0000);
    expect(maps.slice(-3)).toEqual(['bar0:-1', 'bar2:-1', 'bar4:-1']);
  });

  it('keeps read-only fields and clears RW1C status bits', () => {
    const { f } = dev();
    f.write(0x00, 4, 0);
    expect(f.read(0x00, 4)).toBe(0x10411af4);
    f.write(0x04, 2, 0xffff);
    expect(f.read(0x04, 2)).toBe(0x0547);
    f.config[0x07] = 0xf9; // error bits set by the device
    f.write(0x06, 2, 0x0000);
    expect(f.read(0x06, 2)).toBe(0xf900); // writing 0 leaves them
    f.write(0x06, 2, 0x0100);
    expect(f.read(0x06, 2)).toBe(0xf800); // writing 1 clears that bit only
    f.write(0x06, 2, 0xf800);
    expect(f.read(0x06, 2)).toBe(0x0000);
    expect(f.read(0x3d, 1)).toBe(1);
    f.write(0x3d, 1, 4);
    expect(f.read(0x3d, 1)).toBe(1);
  });

  it('builds a capability list and an extended capability chain', () => {
    const { f } = dev();
    const msix = f.addCapability(0x11, 12);
    const vendor = f.addCapability(0x09, 16);
    expect(f.read(0x06, 2) & 0x10).toBe(0x10);
    expect(f.read(0x34, 1)).toBe(msix);
    expect(f.read(msix, 1)).toBe(0x11);
    expect(f.read(msix + 1, 1)).toBe(vendor);
    expect(f.read(vendor, 1)).toBe(0x09);
    expect(f.read(vendor + 1, 1)).toBe(0);
    const e1 = f.addExtendedCapability(0x0001, 1, 0x40);
    const e2 = f.addExtendedCapability(0x000b, 1, 0x10);
    expect(e1).toBe(0x100);
    expect(f.read(e1, 4)).toBe(0x00010001 | (e2 << 20));
    expect(f.read(e2, 4) >>> 20).toBe(0);
  });

  it('rejects bad BAR sizes with a clear error', () => {
    const f = new PciFunction('x', { vendor: 1, device: 1, classCode: 0 });
    expect(() => f.addBar(0, { kind: 'mem32', size: 0x1800 })).toThrow(/power of two/);
    expect(() => f.addBar(5, { kind: 'mem64', size: 0x1000 })).toThrow(/bad BAR index/);
  });

  it('round-trips config space and re-reports mappings', () => {
    const a = dev();
    a.f.write(0x10, 4, 0xfe000000);
    a.f.write(0x04, 2, 2);
    const s = JSON.parse(JSON.stringify(a.f.saveState()));
    const b = dev();
    b.f.restoreState(s);
    expect(b.maps).toEqual(['bar0:fe000000']); // BAR2 holds address 0: not decoding, nothing to report
  });
});
