// HPET tests against the IA-PC HPET 1.0a register definitions: capabilities, counter from the clock, comparators
// in one-shot/periodic, 32/64-bit, edge/level, routing and legacy replacement.
import { describe, expect, it } from 'vitest';
import { Hpet } from '../../devices/hpet/hpet.js';
import { FakeClock, ProbeIrq } from './fake-clock.js';

function setup() {
  const clock = new FakeClock();
  const gsis = new Map<number, ProbeIrq>();
  const gsi = (n: number): ProbeIrq => {
    let p = gsis.get(n);
    if (p === undefined) gsis.set(n, (p = new ProbeIrq()));
    return p;
  };
  const legacy: [ProbeIrq, ProbeIrq] = [new ProbeIrq(), new ProbeIrq()];
  const legacyLog: boolean[] = [];
  const hpet = new Hpet({ clock, gsi, legacy, onLegacyChange: (on) => legacyLog.push(on) });
  const rd = (off: number): number => hpet.read(off, 4);
  const wr = (off: number, v: number): void => hpet.write(off, 4, v);
  return { clock, hpet, gsi, legacy, legacyLog, rd, wr };
}

const T = (n: number, reg: number): number => 0x100 + 0x20 * n + reg;

describe('HPET registers', () => {
  it('reports a 100 MHz, 3-timer, 64-bit, legacy-capable block', () => {
    const { rd } = setup();
    const lo = rd(0);
    expect(lo & 0xff).toBe(1); // revision
    expect(((lo >> 8) & 0x1f) + 1).toBe(3); // NUM_TIM_CAP
    expect((lo >> 13) & 1).toBe(1); // COUNT_SIZE_CAP
    expect((lo >> 15) & 1).toBe(1); // LEG_RT_CAP
    expect(lo >>> 16).toBe(0x8086);
    expect(rd(4)).toBe(10_000_000); // 10^7 fs = 10 ns
    for (let n = 0; n < 3; n++) {
      expect(rd(T(n, 0)) & 0x30).toBe(0x30); // periodic capable, 64-bit capable
      expect(rd(T(n, 4))).toBe(0x00ff0104);
      expect([rd(T(n, 8)), rd(T(n, 12))]).toEqual([0xffffffff, 0xffffffff]);
    }
    expect(rd(0x10)).toBe(0);
  });

  it('counts at 100 MHz only while enabled, from the value written while halted', () => {
    const { clock, hpet, rd, wr } = setup();
    clock.advance(1000);
    expect(rd(0xf0)).toBe(0);
    wr(0xf0, 0x1234);
    wr(0x10, 1);
    clock.advance(1000); // 1 us = 100 ticks
    expect(rd(0xf0)).toBe(0x1234 + 100);
    expect(hpet.counter()).toBe(0x1234 + 100);
    wr(0x10, 0);
    clock.advance(1000);
    expect(rd(0xf0)).toBe(0x1234 + 100);
    wr(0xf0, 0); // BareMetal: reset the counter, then enable
    wr(0x10, 1);
    clock.advance(35);
    expect(rd(0xf0)).toBe(3);
    expect(hpet.read(0xf0, 1)).toBe(3);
  });

  it('carries the low dword into the high dword', () => {
    const { clock, rd, wr } = setup();
    wr(0xf0, 0xffffff00);
    wr(0x10, 1);
    clock.advance(10 * 0x200);
    expect(rd(0xf0)).toBe(0x100);
    expect(rd(0xf4)).toBe(1);
  });
});

describe('HPET comparators', () => {
  it('fires a one-shot edge interrupt on the routed I/O APIC input at the comparator value', () => {
    const { clock, gsi, rd, wr } = setup();
    wr(T(2, 0), (16 << 9) | 4); // route to GSI 16, interrupts enabled, edge
    wr(T(2, 8), 500);
    wr(T(2, 12), 0);
    wr(0x10, 1);
    expect(clock.next()).toBe(5000);
    clock.advance(4990);
    expect(gsi(16).rises).toBe(0);
    clock.advance(10);
    expect(gsi(16).rises).toBe(1);
    expect(gsi(16).level).toBe(false); // edge: pulsed
    expect(rd(0x20)).toBe(0); // status bits are for level-triggered timers
    clock.advance(100_000);
    expect(gsi(16).rises).toBe(1);
  });

  it('runs periodic timers with VAL_SET, advancing the comparator by the period', () => {
    const { clock, gsi, rd, wr } = setup();
    wr(T(0, 0), (2 << 9) | 0x4c); // GSI 2, enabled, periodic, VAL_SET
    wr(T(0, 8), 1000);
    wr(T(0, 12), 0);
    expect(rd(T(0, 0)) & 0x40).toBe(0); // VAL_SET self-clears
    wr(0x10, 1);
    clock.advance(10 * 1000);
    expect(gsi(2).rises).toBe(1);
    expect(rd(T(0, 8))).toBe(2000);
    clock.advance(10 * 5000);
    expect(gsi(2).rises).toBe(6);
    expect(rd(T(0, 8))).toBe(7000);
  });

  it('holds a level interrupt and its status bit until the status bit is written with 1', () => {
    const { clock, gsi, rd, wr } = setup();
    wr(T(1, 0), (17 << 9) | 0x6); // GSI 17, enabled, level
    wr(T(1, 8), 20);
    wr(T(1, 12), 0);
    wr(0x10, 1);
    clock.advance(200);
    expect(gsi(17).level).toBe(true);
    expect(rd(0x20)).toBe(2);
    wr(0x20, 1); // wrong bit: no effect
    expect(gsi(17).level).toBe(true);
    wr(0x20, 2);
    expect(rd(0x20)).toBe(0);
    expect(gsi(17).level).toBe(false);
  });

  it('compares only the low 32 bits in 32-bit mode and matches again after the low dword wraps', () => {
    const { clock, gsi, rd, wr } = setup();
    wr(0xf0, 0xfffffff0);
    wr(T(0, 0), (2 << 9) | 0x104); // 32-bit mode, enabled, edge
    wr(T(0, 8), 0x10);
    wr(T(0, 12), 0x55); // ignored in 32-bit mode
    expect(rd(T(0, 12))).toBe(0);
    wr(0x10, 1);
    clock.advance(10 * 0x20);
    expect(gsi(2).rises).toBe(1);
    expect(rd(0xf4)).toBe(1);
  });

  it('routes timers 0 and 1 to the legacy lines in legacy-replacement mode', () => {
    const { clock, gsi, legacy, legacyLog, wr } = setup();
    wr(0x10, 3);
    expect(legacyLog).toEqual([true]);
    wr(T(0, 0), (5 << 9) | 4);
    wr(T(0, 8), 10);
    wr(T(0, 12), 0);
    wr(T(1, 0), (5 << 9) | 4);
    wr(T(1, 8), 20);
    wr(T(1, 12), 0);
    clock.advance(300);
    expect(legacy[0].rises).toBe(1);
    expect(legacy[1].rises).toBe(1);
    expect(gsi(5).rises).toBe(0);
    wr(0x10, 1);
    expect(legacyLog).toEqual([true, false]);
  });

  it('keeps the all-ones high dword after reset, so a low-dword-only write never matches', () => {
    const { clock, gsi, wr } = setup();
    wr(T(0, 0), (2 << 9) | 4);
    wr(T(0, 8), 10);
    wr(0x10, 1);
    clock.advance(1e6);
    expect(gsi(2).rises).toBe(0);
    wr(T(0, 12), 0);
    expect(gsi(2).rises).toBe(0); // 10 is in the past now: waits for a 64-bit wrap
  });

  it('does not fire while the counter is halted and resumes on enable', () => {
    const { clock, gsi, wr } = setup();
    wr(T(0, 0), (2 << 9) | 4);
    wr(T(0, 8), 100);
    wr(T(0, 12), 0);
    clock.advance(10_000);
    expect(gsi(2).rises).toBe(0);
    wr(0x10, 1);
    clock.advance(999);
    expect(gsi(2).rises).toBe(0);
    clock.advance(1);
    expect(gsi(2).rises).toBe(1);
  });

  it('snapshots counter and comparators', () => {
    const a = setup();
    a.wr(T(0, 0), (2 << 9) | 4);
    a.wr(T(0, 8), 300);
    a.wr(T(0, 12), 0);
    a.wr(0x10, 1);
    a.clock.advance(1000);
    const s = JSON.parse(JSON.stringify(a.hpet.saveState()));
    const b = setup();
    b.clock.now = a.clock.now;
    b.hpet.restoreState(s);
    expect(b.rd(0xf0)).toBe(100);
    b.clock.advance(2000);
    expect(b.gsi(2).rises).toBe(1);
  });
});
