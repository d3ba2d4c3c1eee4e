// 8259A pair tests against the 8259A datasheet: initialisation words, IRR/ISR/IMR reads, fixed and rotating
// priority, EOI forms, AEOI, cascade through IR2, spurious IRQ7/IRQ15, poll mode, ELCR.
import { describe, expect, it } from 'vitest';
import { DualPic } from '../../devices/pic/dual-pic.js';
import { ProbeIrq } from './fake-clock.js';

function pc(icw4 = 0x01) {
  const intr = new ProbeIrq();
  const pic = new DualPic(intr);
  const out = (port: number, v: number): void => {
    const h = port >= 0x4d0 ? pic.elcrPorts : port >= 0xa0 ? pic.slavePorts : pic.masterPorts;
    h.write(port & 1, 1, v);
  };
  const inp = (port: number): number => {
    const h = port >= 0x4d0 ? pic.elcrPorts : port >= 0xa0 ? pic.slavePorts : pic.masterPorts;
    return h.read(port & 1, 1);
  };
  // The classic PC sequence (BareMetal does the same): ICW1 edge+ICW4, vector bases 0x20/0x28, cascade on IR2.
  out(0x20, 0x11);
  out(0xa0, 0x11);
  out(0x21, 0x20);
  out(0xa1, 0x28);
  out(0x21, 0x04);
  out(0xa1, 0x02);
  out(0x21, icw4);
  out(0xa1, icw4);
  out(0x21, 0x00);
  out(0xa1, 0x00);
  return { pic, intr, out, inp };
}

describe('8259 pair', () => {
  it('initialises with ICW1-4 and reads IMR back', () => {
    const { pic, out, inp } = pc();
    expect(pic.master.vectorBase).toBe(0x20);
    expect(pic.slave.vectorBase).toBe(0x28);
    out(0x21, 0xfb);
    out(0xa1, 0x7f);
    expect(inp(0x21)).toBe(0xfb);
    expect(inp(0xa1)).toBe(0x7f);
    out(0x20, 0x11); // re-initialisation clears IMR
    expect(inp(0x21)).toBe(0);
  });

  it('reads IRR or ISR through OCW3 and resolves fixed priority', () => {
    const { pic, intr, out, inp } = pc();
    pic.irq(4).set(true);
    pic.irq(1).set(true);
    expect(intr.level).toBe(true);
    out(0x20, 0x0a); // read IRR
    expect(inp(0x20)).toBe(0x12);
    expect(pic.intAck()).toBe(0x21);
    out(0x20, 0x0b); // read ISR
    expect(inp(0x20)).toBe(0x02);
    // IRQ4 ranks below the in-service IRQ1: no INTR until EOI.
    expect(intr.level).toBe(false);
    pic.irq(0).set(true); // IRQ0 outranks IRQ1: nests
    expect(intr.level).toBe(true);
    expect(pic.intAck()).toBe(0x20);
    expect(inp(0x20)).toBe(0x03);
    out(0x20, 0x20); // non-specific EOI clears the highest in service (IRQ0)
    expect(inp(0x20)).toBe(0x02);
    out(0x20, 0x61); // specific EOI for IRQ1
    expect(inp(0x20)).toBe(0x00);
    expect(pic.intAck()).toBe(0x24);
  });

  it('masks requests with IMR but keeps them in IRR', () => {
    const { pic, intr, out, inp } = pc();
    out(0x21, 0x08);
    pic.irq(3).set(true);
    expect(intr.level).toBe(false);
    out(0x20, 0x0a);
    expect(inp(0x20)).toBe(0x08);
    out(0x21, 0x00);
    expect(intr.level).toBe(true);
    expect(pic.intAck()).toBe(0x23);
  });

  it('cascades slave requests through master IR2 with ISR bits on both chips', () => {
    const { pic, out, inp } = pc();
    pic.irq(9).set(true);
    expect(pic.peekVector()).toBe(0x29);
    expect(pic.intAck()).toBe(0x29);
    out(0x20, 0x0b);
    out(0xa0, 0x0b);
    expect(inp(0x20)).toBe(0x04);
    expect(inp(0xa0)).toBe(0x02);
    // Slave IRQ8 outranks IRQ9 on the slave, but the master's IR2 is in service: fully nested mode blocks it.
    pic.irq(8).set(true);
    expect(pic.hasInterrupt()).toBe(false);
    out(0xa0, 0x20);
    out(0x20, 0x20);
    expect(pic.intAck()).toBe(0x28);
  });

  it('produces spurious IRQ7 / IRQ15 vectors when a level request vanishes before INTA', () => {
    const { pic, out, inp } = pc();
    out(0x4d0, 0x20); // IRQ5 level-triggered
    pic.irq(5).set(true);
    expect(pic.hasInterrupt()).toBe(true);
    pic.irq(5).set(false);
    expect(pic.intAck()).toBe(0x27);
    out(0x20, 0x0b);
    expect(inp(0x20)).toBe(0); // no ISR bit for a spurious IRQ7
    // Slave: level IRQ10 drops after the master latched the cascade edge.
    out(0x4d1, 0x04);
    pic.irq(10).set(true);
    pic.irq(10).set(false);
    expect(pic.intAck()).toBe(0x2f);
    expect(inp(0x20)).toBe(0x04); // the master really took IR2 in service
    out(0xa0, 0x0b);
    expect(inp(0xa0)).toBe(0);
  });

  it('keeps level-triggered requests in IRR while the line is high', () => {
    const { pic, out } = pc();
    out(0x4d0, 0x08);
    pic.irq(3).set(true);
    expect(pic.intAck()).toBe(0x23);
    out(0x20, 0x20);
    expect(pic.hasInterrupt()).toBe(true); // still asserted: requests again after EOI
    pic.irq(3).set(false);
    expect(pic.hasInterrupt()).toBe(false);
  });

  it('latches edges: a pulse is remembered, a held line is not re-triggered', () => {
    const { pic, out } = pc();
    pic.irq(6).pulse();
    expect(pic.intAck()).toBe(0x26);
    out(0x20, 0x20);
    expect(pic.hasInterrupt()).toBe(false);
    pic.irq(6).set(true);
    pic.intAck();
    out(0x20, 0x20);
    pic.irq(6).set(true);
    expect(pic.hasInterrupt()).toBe(false);
  });

  it('supports automatic EOI', () => {
    const { pic, out, inp } = pc(0x03);
    pic.irq(1).set(true);
    pic.irq(3).set(true);
    expect(pic.intAck()).toBe(0x21);
    out(0x20, 0x0b);
    expect(inp(0x20)).toBe(0);
    expect(pic.intAck()).toBe(0x23);
  });

  it('rotates priorities with OCW2 (rotate on EOI, set priority)', () => {
    const { pic, out } = pc();
    out(0x20, 0xc4); // set priority: IRQ4 lowest -> IRQ5 highest
    pic.irq(3).set(true);
    pic.irq(6).set(true);
    expect(pic.intAck()).toBe(0x26);
    out(0x20, 0xa0); // rotate on non-specific EOI: IRQ6 becomes lowest, IRQ7 highest
    expect(pic.master.priorityAdd).toBe(7);
    expect(pic.intAck()).toBe(0x23);
  });

  it('answers poll commands', () => {
    const { pic, out, inp } = pc();
    pic.irq(3).set(true);
    out(0x20, 0x0c);
    expect(inp(0x20)).toBe(0x83);
    out(0x20, 0x0b);
    expect(inp(0x20)).toBe(0x08);
    out(0x20, 0x0c);
    expect(inp(0x20)).toBe(0x00);
  });

  it('lets lower priorities through in special mask mode', () => {
    const { pic, out } = pc();
    pic.irq(3).set(true);
    expect(pic.intAck()).toBe(0x23);
    out(0x21, 0x08); // mask the in-service IRQ3
    out(0x20, 0x68); // set special mask
    pic.irq(5).set(true);
    expect(pic.intAck()).toBe(0x25);
  });

  it('keeps ELCR bits of IRQ0-2, 8 and 13 at zero', () => {
    const { out, inp, pic } = pc();
    out(0x4d0, 0xff);
    out(0x4d1, 0xff);
    expect(inp(0x4d0)).toBe(0xf8);
    expect(inp(0x4d1)).toBe(0xde);
    expect(pic.elcrPorts.read(0, 2)).toBe(0xdef8);
  });

  it('round-trips its state', () => {
    const a = pc();
    a.pic.irq(9).set(true);
    a.pic.irq(4).set(true);
    a.pic.intAck();
    const s = JSON.parse(JSON.stringify(a.pic.saveState()));
    const b = pc();
    b.pic.restoreState(s);
    expect(b.pic.hasInterrupt()).toBe(a.pic.hasInterrupt());
    expect(b.pic.intAck()).toBe(a.pic.intAck());
  });
});
