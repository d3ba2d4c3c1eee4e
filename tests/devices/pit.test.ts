// 8254 PIT tests against the 82C54 datasheet: counter modes 0-4 (OUT waveform and IRQ0 edges), latch and
// read-back commands, access modes, BCD, and port 0x61 (gate 2, OUT2, refresh toggle).
import { describe, expect, it } from 'vitest';
import { Pit8254, PIT_HZ } from '../../devices/pit/pit8254.js';
import { Port61 } from '../../devices/pit/port61.js';
import { FakeClock, ProbeIrq } from './fake-clock.js';

/** Virtual time of PIT tick n (the first instant at which n input clocks have elapsed). */
const tickNs = (n: number): number => Math.ceil((n * 1e9) / PIT_HZ);

function setup() {
  const clock = new FakeClock();
  const irq = new ProbeIrq();
  const pit = new Pit8254(clock, irq);
  const p61 = new Port61(pit, clock);
  const out = (port: number, v: number): void => (port === 0x61 ? p61.write(0, 1, v) : pit.write(port - 0x40, 1, v));
  const inp = (port: number): number => (port === 0x61 ? p61.read(0, 1) : pit.read(port - 0x40, 1));
  const read16 = (ch: number): number => inp(0x40 + ch) | (inp(0x40 + ch) << 8);
  return { clock, irq, pit, out, inp, read16 };
}

describe('8254 counter 0 -> IRQ0', () => {
  it('mode 0: OUT low after programming, one rising edge at terminal count', () => {
    const { clock, irq, out, pit } = setup();
    out(0x43, 0x30); // counter 0, lobyte/hibyte, mode 0, binary
    expect(pit.out(0)).toBe(false);
    out(0x40, 0xe8);
    out(0x40, 0x03); // 1000
    clock.runUntil(tickNs(999));
    expect(irq.rises).toBe(0);
    clock.runUntil(tickNs(1000));
    expect(irq.rises).toBe(1);
    expect(irq.level).toBe(true);
    clock.advance(1e8);
    expect(irq.rises).toBe(1); // one-shot
  });

  it('mode 2: a rising IRQ0 edge every N ticks', () => {
    const { clock, irq, out } = setup();
    out(0x43, 0x34); // mode 2
    expect(irq.level).toBe(true); // OUT goes high on the control word: the one initial edge real PITs give too
    const base = irq.rises;
    out(0x40, 100);
    out(0x40, 0);
    clock.runUntil(tickNs(100 * 10) + 1);
    expect(irq.rises - base).toBe(10);
    expect(irq.level).toBe(true);
  });

  it('mode 3: square wave, high for the first half of each period', () => {
    const { clock, irq, out, pit } = setup();
    out(0x43, 0x36);
    const base = irq.rises;
    out(0x40, 10);
    out(0x40, 0);
    clock.runUntil(tickNs(4));
    expect(pit.out(0)).toBe(true);
    clock.runUntil(tickNs(6));
    expect(pit.out(0)).toBe(false);
    clock.runUntil(tickNs(10 * 50) + 1);
    expect(irq.rises - base).toBe(50);
  });

  it('mode 4: a single one-tick low pulse at terminal count, then high (IRQ0 edge on the recovery)', () => {
    const { clock, irq, out, pit } = setup();
    out(0x43, 0x38);
    out(0x40, 50);
    out(0x40, 0);
    const before = irq.rises;
    clock.runUntil(tickNs(50));
    expect(pit.out(0)).toBe(false);
    clock.runUntil(tickNs(51));
    expect(pit.out(0)).toBe(true);
    expect(irq.rises).toBe(before + 1);
    clock.advance(1e7);
    expect(irq.rises).toBe(before + 1);
  });
});

describe('8254 timing at large virtual times', () => {
  it('keeps exact periods hours into the run (no drift, no early deadline)', () => {
    const { clock, irq, out } = setup();
    clock.now = 9_876_543_210_123; // ~2.7 hours
    out(0x43, 0x34);
    const base = irq.rises;
    out(0x40, 0x9c);
    out(0x40, 0x2e); // 11932 ticks = ~10 ms
    clock.advance(1e9 + 1e6);
    expect(irq.rises - base).toBe(100);
    expect(clock.pending).toBe(1);
  });
});

describe('8254 reads', () => {
  it('counts down and latches the count (counter latch command)', () => {
    const { clock, out, read16 } = setup();
    out(0x43, 0x34);
    out(0x40, 0x00);
    out(0x40, 0x10); // 4096
    clock.runUntil(tickNs(96));
    out(0x43, 0x00); // latch counter 0
    clock.runUntil(tickNs(1000));
    expect(read16(0)).toBe(4000);
    expect(read16(0)).toBe(4096 - 1000);
  });

  it('honours lobyte-only and hibyte-only access', () => {
    const { out, inp } = setup();
    out(0x43, 0x90); // counter 2, lobyte only, mode 0
    out(0x42, 0x34);
    expect(inp(0x42)).toBe(0x34);
    out(0x43, 0xa0); // counter 2, hibyte only
    out(0x42, 0x12);
    expect(inp(0x42)).toBe(0x12); // count 0x1200, high byte read back
  });

  it('read-back returns status (OUT, null count, access, mode, BCD) then the count', () => {
    const { clock, out, inp } = setup();
    out(0x43, 0xb4); // counter 2, lobyte/hibyte, mode 2
    expect((out(0x43, 0xe8), inp(0x42))).toBe(0x80 | 0x40 | 0x30 | 0x04); // status only: OUT high, null count
    out(0x42, 0x10);
    out(0x42, 0x00); // 16; the gate of counter 2 is low -> not counting
    out(0x61, 0x01); // gate high: starts counting
    clock.advance(tickNs(4) + 1);
    out(0x43, 0xc8); // latch count and status of counter 2
    expect(inp(0x42)).toBe(0x80 | 0x30 | 0x04); // null count cleared
    expect(inp(0x42) | (inp(0x42) << 8)).toBe(12);
  });

  it('counts in BCD when asked', () => {
    const { clock, out, read16 } = setup();
    out(0x43, 0x31); // mode 0, BCD
    out(0x40, 0x00);
    out(0x40, 0x10); // BCD 1000
    clock.runUntil(tickNs(1));
    expect(read16(0)).toBe(0x0999);
  });
});

describe('port 0x61 and counter 2', () => {
  it('gates counter 2 and shows OUT2 in bit 5 (the classic calibration loop)', () => {
    const { clock, out, inp } = setup();
    out(0x61, 0x00); // gate low
    out(0x43, 0xb0); // counter 2, mode 0
    out(0x42, 0xff);
    out(0x42, 0x00); // 255 ticks
    clock.advance(tickNs(1000));
    expect(inp(0x61) & 0x20).toBe(0); // gate low: mode 0 does not count
    out(0x61, 0x01);
    const start = clock.now;
    let polls = 0;
    while ((inp(0x61) & 0x20) === 0) {
      clock.advance(1000);
      polls++;
    }
    expect(clock.now - start).toBeGreaterThanOrEqual(tickNs(255) - 1000);
    expect(clock.now - start).toBeLessThan(tickNs(255) + 1000);
    expect(polls).toBeGreaterThan(200);
    expect(inp(0x61) & 0x03).toBe(0x01);
  });

  it('pauses mode 0 while the gate is low', () => {
    const { clock, out, inp } = setup();
    out(0x61, 0x01);
    out(0x43, 0xb0);
    out(0x42, 100);
    out(0x42, 0);
    clock.runUntil(tickNs(40));
    out(0x61, 0x00);
    clock.advance(tickNs(1000));
    out(0x43, 0x80);
    expect(inp(0x42)).toBe(60);
    out(0x61, 0x01);
    clock.advance(tickNs(61));
    expect(inp(0x61) & 0x20).toBe(0x20);
  });

  it('toggles the refresh bit every 15 us and keeps bits 0-3 as written', () => {
    const { clock, out, inp } = setup();
    out(0x61, 0x0f);
    const a = inp(0x61) & 0x10;
    clock.advance(15085);
    expect(inp(0x61) & 0x10).not.toBe(a);
    expect(inp(0x61) & 0x0f).toBe(0x0f);
  });

  it('round-trips counter state', () => {
    const a = setup();
    a.out(0x43, 0x34);
    a.out(0x40, 0);
    a.out(0x40, 1); // 256
    a.clock.runUntil(tickNs(56));
    const s = JSON.parse(JSON.stringify(a.pit.saveState()));
    const b = setup();
    b.clock.now = a.clock.now;
    b.pit.restoreState(s);
    b.out(0x43, 0);
    expect(b.read16(0)).toBe(200);
    b.clock.runUntil(tickNs(256 * 3) + 1);
    expect(b.irq.rises).toBeGreaterThanOrEqual(2);
  });
});
