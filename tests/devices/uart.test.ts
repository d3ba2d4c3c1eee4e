// 16550A tests against the PC16550D datasheet: reset values, DLAB, FIFOs and trigger levels, interrupt
// identification priorities, character timeout, loopback and modem status, overrun, host back end batching.
import { describe, expect, it } from 'vitest';
import { Uart16550 } from '../../devices/serial/uart16550.js';
import { BufferSerialBackend } from '../../devices/host/serial-backend.js';
import { FakeClock, ProbeIrq } from './fake-clock.js';

function setup() {
  const clock = new FakeClock();
  const irq = new ProbeIrq();
  const uart = new Uart16550({ irq, clock });
  const host = new BufferSerialBackend();
  uart.attach(host);
  const out = (r: number, v: number): void => uart.write(r, 1, v);
  const inp = (r: number): number => uart.read(r, 1);
  return { clock, irq, uart, host, out, inp };
}

describe('16550A registers', () => {
  it('has the datasheet reset values', () => {
    const { inp } = setup();
    expect([1, 2, 3, 4, 5, 7].map(inp)).toEqual([0x00, 0x01, 0x00, 0x00, 0x60, 0x00]);
    expect(inp(6) & 0xf0).toBe(0xb0); // CTS, DSR, DCD from the virtual peer
  });

  it('switches registers 0/1 to the divisor latch with DLAB', () => {
    const { out, inp } = setup();
    out(1, 0x05);
    out(3, 0x83); // DLAB, 8N1
    out(0, 0x01);
    out(1, 0x00); // 115200 baud
    expect([inp(0), inp(1), inp(3)]).toEqual([0x01, 0x00, 0x83]);
    out(3, 0x03);
    expect(inp(1)).toBe(0x05);
    out(7, 0x5a);
    expect(inp(7)).toBe(0x5a);
  });

  it('sends THR bytes to the back end (batched, flushed on a microtask or by flush())', async () => {
    const { out, inp, uart, host } = setup();
    for (const ch of 'hello') {
      expect(inp(5) & 0x60).toBe(0x60); // THRE and TEMT: always ready
      out(0, ch.charCodeAt(0));
    }
    expect(host.text()).toBe('');
    await Promise.resolve();
    expect(host.text()).toBe('hello');
    out(0, 0x21);
    uart.flush();
    expect(host.text()).toBe('hello!');
  });

  it('flushes by itself when the batch buffer fills', () => {
    const { out, host } = setup();
    for (let i = 0; i < 5000; i++) out(0, 0x41);
    expect(host.bytes().length).toBe(4096);
  });
});

describe('16550A receive path', () => {
  it('delivers injected bytes in order with DR, FIFO of 16 and a backlog instead of overruns', () => {
    const { uart, out, inp } = setup();
    out(2, 0x07); // FIFO on, clear both
    uart.inject(Array.from({ length: 40 }, (_, i) => i));
    const got: number[] = [];
    while (inp(5) & 1) got.push(inp(0));
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(inp(5) & 0x02).toBe(0); // no overrun
    expect(inp(2) & 0xc0).toBe(0xc0);
  });

  it('raises the RX data interrupt at the trigger level and the timeout below it', () => {
    const { uart, out, inp, clock, irq } = setup();
    out(2, 0x41); // FIFO on, trigger 4
    out(1, 0x01); // RDA interrupt
    uart.inject([1, 2, 3]);
    expect(inp(2) & 0x0f).toBe(0x01);
    expect(irq.level).toBe(false);
    clock.advance(4 * 87_000); // divisor 12 after reset = 9600 baud: four characters take ~4.2 ms
    expect(inp(2) & 0x0f).toBe(0x01);
    clock.advance(4 * 1_042_000);
    expect(inp(2) & 0x0f).toBe(0x0c); // character timeout
    expect(irq.level).toBe(true);
    inp(0);
    expect(inp(2) & 0x0f).toBe(0x01); // a read restarts the timeout
    uart.inject([4, 5, 6]);
    expect(inp(2) & 0x0f).toBe(0x01); // receiver not drained: backlog waits
    inp(0);
    inp(0); // drained -> backlog enters, and the timeout starts again
    expect(inp(2) & 0x0f).toBe(0x01);
    clock.advance(5_000_000);
    expect(inp(2) & 0x0f).toBe(0x0c);
    expect([inp(0), inp(0), inp(0)]).toEqual([4, 5, 6]);
  });

  it('orders interrupt sources: line status > RX data > THR empty > modem status', () => {
    const { out, inp, irq } = setup();
    out(4, 0x10); // loopback: the modem inputs now follow MCR (all low) -> delta bits
    out(1, 0x0f); // all interrupt sources
    expect(inp(2)).toBe(0x02); // THR empty (raised when IER bit 1 was set) outranks modem status
    expect(inp(2)).toBe(0x00); // reading IIR acknowledged THRE; modem status remains
    expect(inp(6)).toBe(0x0b); // DCTS, DDSR, DDCD
    expect(inp(2)).toBe(0x01);
    out(0, 0x11);
    out(0, 0x22); // FIFO off: the second byte overruns the holding register
    expect(irq.level).toBe(true);
    expect(inp(2)).toBe(0x06); // receiver line status (overrun)
    expect(inp(5) & 0x03).toBe(0x03); // DR + OE; reading LSR clears OE
    expect(inp(2)).toBe(0x04); // RX data
    expect(inp(0)).toBe(0x22); // without FIFO the newer byte overwrote RBR
    expect(inp(2)).toBe(0x02); // THR empty again after the writes
    expect(inp(2)).toBe(0x01);
    out(4, 0x11); // DTR in loopback -> DSR change -> modem status interrupt
    expect(inp(2)).toBe(0x00);
    expect(inp(6)).toBe(0x20 | 0x02); // DSR, DDSR
    expect(inp(2)).toBe(0x01);
    expect(irq.level).toBe(false);
  });

  it('mirrors MCR into MSR in loopback and latches delta bits', () => {
    const { out, inp } = setup();
    out(4, 0x10);
    const first = inp(6);
    expect(first & 0xf0).toBe(0x00);
    out(4, 0x1f);
    expect(inp(6)).toBe(0xf0 | 0x0b); // CTS DSR RI DCD; DCTS DDSR DDCD (TERI only on RI falling)
    out(4, 0x1b); // OUT1 off -> RI falls
    expect(inp(6) & 0x0f).toBe(0x04);
    out(4, 0x00);
    expect(inp(6) & 0xf0).toBe(0xb0);
  });

  it('drops the newest byte when the FIFO is full', () => {
    const { out, inp } = setup();
    out(2, 0x01);
    out(4, 0x10);
    for (let b = 0; b < 17; b++) out(0, b);
    expect(inp(5) & 0x03).toBe(0x03);
    const got: number[] = [];
    while (inp(5) & 1) got.push(inp(0));
    expect(got).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('loops transmitted bytes back instead of sending them', async () => {
    const { out, inp, host } = setup();
    out(2, 0x01);
    out(4, 0x10);
    out(0, 0x41);
    out(0, 0x42);
    expect([inp(0), inp(0)]).toEqual([0x41, 0x42]);
    await Promise.resolve();
    expect(host.text()).toBe('');
  });

  it('gives a fresh THRE edge after each THR write', () => {
    const { out, inp, irq } = setup();
    out(1, 0x02);
    expect(irq.rises).toBe(1);
    inp(2);
    out(0, 0x30);
    expect(irq.rises).toBe(2);
  });

  it('round-trips its state, including unread input', () => {
    const a = setup();
    a.out(2, 0x01);
    a.out(3, 0x03);
    a.uart.inject(Array.from({ length: 20 }, (_, i) => 0x40 + i));
    const s = JSON.parse(JSON.stringify(a.uart.saveState()));
    const b = setup();
    b.uart.restoreState(s);
    const got: number[] = [];
    while (b.inp(5) & 1) got.push(b.inp(0));
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => 0x40 + i));
  });
});
