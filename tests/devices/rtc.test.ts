// CMOS/RTC tests against the MC146818 register definitions: index port with NMI mask, time in BCD/binary and
// 12/24 h from an injected clock, setting the time, status registers, periodic/update interrupts, memory bytes.
import { describe, expect, it } from 'vitest';
import { CmosRtc } from '../../devices/rtc/cmos-rtc.js';
import { FakeClock, ProbeIrq } from './fake-clock.js';

function setup(opts: { ramSize?: number; t0?: number } = {}) {
  let host = opts.t0 ?? Date.UTC(2024, 1, 29, 23, 59, 58, 250); // Thursday
  const clock = new FakeClock();
  const irq = new ProbeIrq();
  const nmi: boolean[] = [];
  const rtc = new CmosRtc({ ramSize: opts.ramSize ?? 256 << 20, irq, clock, hostTimeMs: () => host, onNmiMask: (m) => nmi.push(m) });
  const rd = (i: number): number => (rtc.write(0, 1, i), rtc.read(1, 1));
  const wr = (i: number, v: number): void => (rtc.write(0, 1, i), rtc.write(1, 1, v));
  return { rtc, irq, clock, nmi, rd, wr, tick: (ms: number) => (host += ms) };
}

describe('CMOS/RTC', () => {
  it('has the documented status register defaults', () => {
    const { rd } = setup();
    expect(rd(0x0a) & 0x7f).toBe(0x26);
    expect(rd(0x0b)).toBe(0x02);
    expect(rd(0x0c)).toBe(0x00);
    expect(rd(0x0d)).toBe(0x80);
  });

  it('reports NMI-mask changes from bit 7 of the index port and still selects the register', () => {
    const { rtc, nmi } = setup();
    rtc.write(0, 1, 0x8f);
    expect(rtc.nmiMasked).toBe(true);
    expect(rtc.read(1, 1)).toBe(0); // register 0x0F (shutdown status)
    rtc.write(0, 1, 0x0f);
    expect(rtc.nmiMasked).toBe(false);
    expect(nmi).toEqual([true, false]);
  });

  it('reads the host time in BCD, 24-hour mode', () => {
    const { rd } = setup();
    expect([0, 2, 4, 6, 7, 8, 9, 0x32].map(rd)).toEqual([0x58, 0x59, 0x23, 0x05, 0x29, 0x02, 0x24, 0x20]);
  });

  it('reads binary and 12-hour formats', () => {
    const { rd, wr } = setup();
    wr(0x0b, 0x06); // binary, 24 h
    expect([rd(0), rd(4), rd(7)]).toEqual([58, 23, 29]);
    wr(0x0b, 0x00); // BCD, 12 h
    expect(rd(4)).toBe(0x91); // 11 PM
  });

  it('follows the host clock across midnight and a leap day', () => {
    const { rd, tick } = setup();
    tick(2000);
    expect([rd(0), rd(2), rd(4), rd(7), rd(8)]).toEqual([0x00, 0x00, 0x00, 0x01, 0x03]);
  });

  it('lets the guest set the time with SET and keeps it running from there', () => {
    const { rd, wr, tick } = setup();
    wr(0x0b, 0x82); // SET
    wr(0x09, 0x99);
    wr(0x32, 0x19);
    wr(0x08, 0x12);
    wr(0x07, 0x31);
    wr(0x04, 0x23);
    wr(0x02, 0x59);
    wr(0x00, 0x50);
    tick(5000);
    expect(rd(0)).toBe(0x50); // frozen while SET
    wr(0x0b, 0x02);
    tick(10_000);
    expect([rd(0), rd(2), rd(4), rd(7), rd(8), rd(9), rd(0x32)]).toEqual([0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x20]);
  });

  it('stores ordinary CMOS bytes and keeps C/D read-only', () => {
    const { rd, wr } = setup();
    wr(0x40, 0xa5);
    expect(rd(0x40)).toBe(0xa5);
    wr(0x0d, 0);
    expect(rd(0x0d)).toBe(0x80);
  });

  it('reports memory sizes like SeaBIOS/QEMU (256 MiB)', () => {
    const { rd } = setup();
    expect(rd(0x15) | (rd(0x16) << 8)).toBe(640);
    expect(rd(0x17) | (rd(0x18) << 8)).toBe(0xffff);
    expect(rd(0x30) | (rd(0x31) << 8)).toBe(0xffff);
    expect(rd(0x34) | (rd(0x35) << 8)).toBe((256 - 16) * 16);
    expect(rd(0x5b) | (rd(0x5c) << 8) | (rd(0x5d) << 16)).toBe(0);
  });

  it('splits RAM around the PCI hole (4 GiB -> 2.75 GiB low, 1.25 GiB high)', () => {
    const { rd } = setup({ ramSize: 4 * 2 ** 30 });
    expect(rd(0x34) | (rd(0x35) << 8)).toBe((0xb0000000 - 0x1000000) / 0x10000);
    expect(rd(0x5b) | (rd(0x5c) << 8) | (rd(0x5d) << 16)).toBe((2 ** 32 - 0xb0000000) / 0x10000);
  });

  it('raises IRQ8 at the periodic rate; reading C acknowledges', () => {
    const { rd, wr, irq, clock } = setup();
    wr(0x0b, 0x42); // PIE
    clock.advance(976_000);
    expect(irq.level).toBe(false);
    clock.advance(1000); // 1/1024 s = 976.5625 us
    expect(irq.level).toBe(true);
    expect(rd(0x0c)).toBe(0xc0);
    expect(irq.level).toBe(false);
    expect(rd(0x0c)).toBe(0x00);
    clock.advance(976_563);
    expect(irq.rises).toBe(2);
  });

  it('sets UF once per second with UIE and raises IRQ8', () => {
    const { rd, wr, irq, clock } = setup();
    wr(0x0b, 0x12);
    clock.advance(999_999_999);
    expect(irq.level).toBe(false);
    clock.advance(1);
    expect(irq.level).toBe(true);
    expect(rd(0x0c) & 0x90).toBe(0x90);
  });

  it('round-trips its state', () => {
    const a = setup();
    a.wr(0x0b, 0x82);
    a.wr(0x00, 0x11);
    a.wr(0x0b, 0x02);
    a.wr(0x50, 0x77);
    const s = JSON.parse(JSON.stringify(a.rtc.saveState()));
    const b = setup();
    b.rtc.restoreState(s);
    expect(b.rd(0x50)).toBe(0x77);
    expect(b.rd(0x00)).toBe(a.rd(0x00));
  });
});
