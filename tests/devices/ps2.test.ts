// i8042 + PS/2 keyboard tests against the IBM PS/2 technical reference: controller commands, status bits, command
// byte, output port (A20, reset), keyboard commands, scan code sets 1/2 and the 8042 translation, IRQ1/IRQ12.
import { describe, expect, it } from 'vitest';
import { I8042 } from '../../devices/ps2/i8042.js';
import { ProbeIrq } from './fake-clock.js';

function setup(initialCcb?: number) {
  const irq1 = new ProbeIrq();
  const irq12 = new ProbeIrq();
  const events: string[] = [];
  const c = new I8042({
    irq1, irq12, initialCcb,
    onReset: () => events.push('reset'),
    onA20: (e) => events.push(`a20:${e ? 1 : 0}`),
    onLeds: (l) => events.push(`leds:${l}`),
  });
  const cmd = (v: number): void => c.commandPort.write(0, 1, v);
  const data = (v: number): void => c.dataPort.write(0, 1, v);
  const status = (): number => c.commandPort.read(0, 1);
  /** Drain the output buffer the way a polling driver does. */
  const drain = (): number[] => {
    const out: number[] = [];
    while (status() & 1) out.push(c.dataPort.read(0, 1));
    return out;
  };
  return { c, irq1, irq12, events, cmd, data, status, drain };
}

describe('i8042 controller', () => {
  it('runs the BareMetal init sequence: self-test 0x55, CCB read/modify/write, enable keyboard', () => {
    const { cmd, data, status, drain, c } = setup();
    drain();
    cmd(0xad);
    cmd(0xa7);
    expect(status() & 0x02).toBe(0); // input buffer never stays full
    cmd(0xaa);
    expect(status() & 0x01).toBe(1);
    expect(drain()).toEqual([0x55]);
    expect(status() & 0x04).toBe(0x04); // system flag
    cmd(0x20);
    const [ccb] = drain();
    expect(ccb & 0x30).toBe(0x30); // both ports disabled by 0xAD/0xA7
    cmd(0x60);
    data((ccb & 0b11101101) | 0b01100001);
    expect(status() & 0x08).toBe(0); // last write went to the data port
    cmd(0xae);
    expect(status() & 0x08).toBe(0x08);
    cmd(0x20);
    expect(drain()).toEqual([0x65]);
    expect(c.commandByte).toBe(0x65);
  });

  it('answers the interface tests and test-input / input-port reads', () => {
    const { cmd, drain } = setup();
    cmd(0xab);
    cmd(0xa9);
    cmd(0xe0);
    expect(drain()).toEqual([0x00, 0x00, 0x00]);
  });

  it('controls A20 and reset through the output port and pulses', () => {
    const { cmd, data, drain, events } = setup();
    cmd(0xd0);
    const [op] = drain();
    expect(op & 0x03).toBe(0x03); // reset inactive, A20 on
    cmd(0xd1);
    data(0xdd); // A20 off
    cmd(0xd1);
    data(0xdf); // BareMetal's AP trampoline: A20 on
    expect(events).toEqual(['a20:0', 'a20:1']);
    cmd(0xfe);
    expect(events).toEqual(['a20:0', 'a20:1', 'reset']);
    cmd(0xff); // pulse nothing
    cmd(0xd1);
    data(0xde); // bit 0 clear: reset asserted
    expect(events.at(-1)).toBe('reset');
    cmd(0xd0);
    expect(drain()[0] & 0x01).toBe(0);
  });

  it('passes 0xD2 bytes back as keyboard data', () => {
    const { cmd, data, drain } = setup();
    cmd(0xd2);
    data(0x42);
    expect(drain()).toEqual([0x42]);
  });

  it('holds keyboard bytes while the keyboard port is disabled', () => {
    const { c, cmd, drain } = setup();
    cmd(0xad);
    c.sendKey('KeyA', true);
    expect(drain()).toEqual([]);
    cmd(0xae);
    expect(drain()).toEqual([0x1e]);
  });

  it('raises IRQ1 while the output buffer holds keyboard data, if CCB bit 0 is set', () => {
    const { c, irq1, cmd, data, drain } = setup();
    c.sendKey('KeyQ', true);
    c.sendKey('KeyQ', false);
    expect(irq1.level).toBe(true);
    expect(c.dataPort.read(0, 1)).toBe(0x10);
    expect(irq1.rises).toBe(2); // dropped on the read and rose again for the next byte
    expect(c.dataPort.read(0, 1)).toBe(0x90);
    expect(irq1.level).toBe(false);
    cmd(0x60);
    data(0x64); // interrupts off
    c.sendKey('KeyW', true);
    expect(irq1.level).toBe(false);
    expect(drain()).toEqual([0x11]);
  });
});

describe('PS/2 keyboard', () => {
  it('resets with 0xFF -> ACK, BAT OK and echoes 0xEE', () => {
    const { data, drain } = setup();
    data(0xff);
    expect(drain()).toEqual([0xfa, 0xaa]);
    data(0xee);
    expect(drain()).toEqual([0xee]);
    data(0x01); // unknown command
    expect(drain()).toEqual([0xfe]);
  });

  it('sets LEDs with 0xED', () => {
    const { data, drain, events } = setup();
    data(0xed);
    data(0x05);
    expect(drain()).toEqual([0xfa, 0xfa]);
    expect(events).toEqual(['leds:5']);
  });

  it('gets and sets the scan code set (answers translated while the 8042 translates)', () => {
    const { data, drain, cmd, c } = setup();
    data(0xf0);
    data(0x00);
    expect(drain()).toEqual([0xfa, 0xfa, 0x41]); // set 2 as seen through translation
    cmd(0x60);
    data(0x25); // translation off
    data(0xf0);
    data(0x00);
    expect(drain()).toEqual([0xfa, 0xfa, 0x02]);
    data(0xf0);
    data(0x01);
    data(0xf0);
    data(0x00);
    expect(drain()).toEqual([0xfa, 0xfa, 0xfa, 0xfa, 0x01]);
    c.sendKey('KeyA', true);
    c.sendKey('KeyA', false);
    expect(drain()).toEqual([0x1e, 0x9e]);
  });

  it('identifies itself as an MF2 keyboard', () => {
    const { data, drain, cmd } = setup();
    data(0xf2);
    expect(drain()).toEqual([0xfa, 0xab, 0x41]);
    cmd(0x60);
    data(0x25);
    data(0xf2);
    expect(drain()).toEqual([0xfa, 0xab, 0x83]);
  });

  it('sends set 1 make/break codes through translation (what BareMetal decodes on IRQ1)', () => {
    const { c, drain } = setup();
    c.sendKey('KeyA', true);
    c.sendKey('KeyA', false);
    c.sendKey('Escape', true);
    c.sendKey('ArrowUp', true);
    c.sendKey('ArrowUp', false);
    c.sendKey('F7', true);
    expect(drain()).toEqual([0x1e, 0x9e, 0x01, 0xe0, 0x48, 0xe0, 0xc8, 0x41]);
  });

  it('sends set 2 codes with F0 break prefixes when translation is off', () => {
    const { c, cmd, data, drain } = setup();
    cmd(0x60);
    data(0x25);
    c.sendKey('KeyA', true);
    c.sendKey('KeyA', false);
    c.sendKey('ArrowUp', false);
    c.sendKey('F7', true);
    expect(drain()).toEqual([0x1c, 0xf0, 0x1c, 0xe0, 0xf0, 0x75, 0x83]);
  });

  it('types text with shift and drops keys while scanning is disabled', () => {
    const { c, data, drain } = setup();
    c.typeText('Hi\n');
    expect(drain()).toEqual([0x2a, 0x23, 0xa3, 0xaa, 0x17, 0x97, 0x1c, 0x9c]);
    data(0xf5);
    expect(drain()).toEqual([0xfa]);
    expect(c.sendKey('KeyA', true)).toBe(true);
    expect(drain()).toEqual([]);
    expect(c.sendKey('NoSuchKey', true)).toBe(false);
    c.sendScancodes([0x01, 0x81]);
    expect(drain()).toEqual([0x01, 0x81]);
  });
});

describe('PS/2 aux port', () => {
  it('routes 0xD4 commands to a minimal mouse with AUX_OBF and IRQ12', () => {
    const { c, cmd, data, status, irq12, irq1 } = setup();
    cmd(0xa8);
    cmd(0x60);
    data(0x47); // both interrupts, aux enabled
    cmd(0xd4);
    data(0xff);
    expect(status() & 0x21).toBe(0x21);
    expect(irq12.level).toBe(true);
    expect(irq1.level).toBe(false);
    const bytes: number[] = [];
    while (status() & 1) bytes.push(c.dataPort.read(0, 1));
    expect(bytes).toEqual([0xfa, 0xaa, 0x00]);
    expect(irq12.level).toBe(false);
  });

  it('round-trips controller and keyboard state', () => {
    const a = setup();
    a.data(0xf0);
    a.data(0x01);
    a.c.sendKey('KeyB', true);
    const s = JSON.parse(JSON.stringify(a.c.saveState()));
    const b = setup();
    b.c.restoreState(s);
    expect(b.drain()).toEqual(a.drain());
    b.c.sendKey('KeyB', false);
    expect(b.drain()).toEqual([0xb0]);
  });
});
