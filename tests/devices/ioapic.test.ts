// I/O APIC tests against the 82093AA register map: IOREGSEL/IOWIN, ID/version/arbitration, redirection entries,
// edge and level delivery through the APIC bus, remote IRR cleared by the LAPIC's EOI broadcast.
import { describe, expect, it } from 'vitest';
import { ApicBus } from '../../devices/apic/apic-bus.js';
import { IoApic } from '../../devices/apic/ioapic.js';
import { LocalApic } from '../../devices/apic/lapic.js';
import { FakeClock } from './fake-clock.js';

function setup(cpus = 2) {
  const clock = new FakeClock();
  const bus = new ApicBus();
  const lapics = Array.from({ length: cpus }, (_, i) => bus.attach(new LocalApic({ id: i, clock })));
  for (const l of lapics) l.write(0xf0, 4, 0x1ff);
  const io = new IoApic(bus);
  const reg = (i: number): number => (io.write(0, 4, i), io.read(0x10, 4));
  const setReg = (i: number, v: number): void => (io.write(0, 4, i), io.write(0x10, 4, v));
  const route = (pin: number, lo: number, dest = 0): void => {
    setReg(0x10 + 2 * pin + 1, dest << 24);
    setReg(0x10 + 2 * pin, lo);
  };
  return { bus, lapics, io, reg, setReg, route };
}

describe('I/O APIC registers', () => {
  it('reports ID, version 0x170011 for 24 pins and masked entries after reset', () => {
    const { reg, setReg, io } = setup();
    expect(reg(1)).toBe(0x00170011);
    expect(reg(0)).toBe(0);
    setReg(0, 0x0f000000);
    expect(reg(0)).toBe(0x0f000000);
    expect(reg(2)).toBe(0x0f000000); // arbitration ID follows the ID
    for (let p = 0; p < 24; p++) expect(io.entry(p)).toEqual([0x10000, 0]);
    expect(reg(0x10 + 48)).toBe(0xffffffff); // beyond the last entry
  });

  it('keeps delivery status and remote IRR read-only and the destination in bits 56-63', () => {
    const { reg, setReg } = setup();
    setReg(0x12, 0xffffffff);
    expect(reg(0x12)).toBe(0x0001afff);
    setReg(0x13, 0xffffffff);
    expect(reg(0x13)).toBe(0xff000000);
    // IOREGSEL reads back; IOWIN accesses are by dword.
    const { io } = setup();
    io.write(0, 4, 0x11);
    expect(io.read(0, 4)).toBe(0x11);
  });
});

describe('I/O APIC delivery', () => {
  it('delivers an edge-triggered pin once per rising edge to the programmed LAPIC', () => {
    const { io, lapics, route } = setup();
    route(1, 0x21, 1); // vector 0x21, fixed, physical, edge, unmasked, to APIC 1
    io.pin(1).set(true);
    io.pin(1).set(true);
    expect(lapics[1].acknowledge()).toBe(0x21);
    expect(lapics[1].pendingVector()).toBe(-1);
    expect(lapics[0].pendingVector()).toBe(-1);
    io.pin(1).set(false);
    io.pin(1).set(true);
    expect(lapics[1].read(0x200 + 0x10, 4)).toBe(1 << 1); // IRR again, held behind the in-service 0x21
    lapics[1].write(0xb0, 4, 0);
    expect(lapics[1].pendingVector()).toBe(0x21);
  });

  it('ignores an edge on a masked pin (82093AA; QEMU agrees) but samples a held level on unmask', () => {
    const { io, lapics, route } = setup();
    route(4, 0x10000 | 0x24, 0);
    io.pin(4).pulse();
    route(4, 0x24, 0);
    expect(lapics[0].pendingVector()).toBe(-1);
    route(5, 0x10000 | 0x8000 | 0x35, 0); // level, masked
    io.pin(5).set(true);
    expect(lapics[0].pendingVector()).toBe(-1);
    route(5, 0x8000 | 0x35, 0);
    expect(lapics[0].pendingVector()).toBe(0x35);
  });

  it('sets remote IRR for level pins and clears it on the LAPIC EOI broadcast, redelivering a held level', () => {
    const { io, lapics, reg, route } = setup();
    route(9, 0x8000 | 0x39, 0); // level, active high
    io.pin(9).set(true);
    expect(reg(0x10 + 18) & 0x4000).toBe(0x4000); // remote IRR
    expect(lapics[0].acknowledge()).toBe(0x39);
    expect(lapics[0].read(0x180 + 0x10, 4) & (1 << (0x39 & 31))).not.toBe(0); // TMR set: level
    // Still asserted: no new message while remote IRR is set.
    io.pin(9).set(true);
    expect(lapics[0].pendingVector()).toBe(-1);
    lapics[0].write(0xb0, 4, 0); // EOI -> broadcast -> remote IRR clear -> line still high -> again
    expect(reg(0x10 + 18) & 0x4000).toBe(0x4000);
    expect(lapics[0].acknowledge()).toBe(0x39);
    io.pin(9).set(false);
    lapics[0].write(0xb0, 4, 0);
    expect(reg(0x10 + 18) & 0x4000).toBe(0);
    expect(lapics[0].pendingVector()).toBe(-1);
  });

  it('honours logical destinations and lowest priority', () => {
    const { io, lapics, route } = setup(3);
    lapics.forEach((l, i) => l.write(0xd0, 4, (1 << i) << 24));
    route(5, 0x0800 | 0x45, 0x06); // logical, CPUs 1 and 2
    io.pin(5).pulse();
    expect(lapics.map((l) => l.pendingVector())).toEqual([-1, 0x45, 0x45]);
    route(6, 0x0900 | 0x56, 0x06); // lowest priority among 1 and 2 -> APIC 1
    io.pin(6).pulse();
    expect(lapics[2].pendingVector()).toBe(0x45);
    expect(lapics[1].pendingVector()).toBe(0x56);
  });

  it('snapshots and restores the redirection table and pin state', () => {
    const a = setup();
    a.route(3, 0x8000 | 0x33, 0);
    a.io.pin(3).set(true);
    const s = JSON.parse(JSON.stringify(a.io.saveState()));
    const b = setup();
    b.io.restoreState(s);
    expect(b.io.entry(3)).toEqual(a.io.entry(3));
    expect(b.reg(0x10 + 6) & 0x4000).toBe(0x4000);
    b.io.eoi(0x33); // remote IRR clears; level still high -> delivers to b's LAPIC 0
    expect(b.lapics[0].pendingVector()).toBe(0x33);
  });
});
