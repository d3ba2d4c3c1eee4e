// ACPI PM block (ACPI 6.4 §4.8 fixed hardware, ICH9 layout), reset control register 0xCF9 and isa-debug-exit.
import { describe, expect, it } from 'vitest';
import { AcpiPm, PM_TIMER_HZ } from '../../devices/acpi-pm/acpi-pm.js';
import { ResetControl, type ResetKind } from '../../devices/acpi-pm/reset-control.js';
import { DebugExit } from '../../devices/debug-exit/debug-exit.js';
import { FakeClock, ProbeIrq } from './fake-clock.js';

function setup() {
  const clock = new FakeClock();
  const sci = new ProbeIrq();
  const log: string[] = [];
  const pm = new AcpiPm({ clock, sci, onShutdown: () => log.push('S5'), onSleep: (t) => log.push(`sleep:${t}`) });
  return { clock, sci, log, pm };
}

describe('ACPI PM registers', () => {
  it('runs the PM timer at 3.579545 MHz as a 32-bit counter', () => {
    const { clock, pm } = setup();
    expect(pm.read(8, 4)).toBe(0);
    clock.advance(1e9);
    expect(pm.read(8, 4)).toBe(PM_TIMER_HZ);
    clock.advance(1e6);
    expect(pm.read(8, 4)).toBe(Math.floor(1.001 * PM_TIMER_HZ));
    expect(pm.read(9, 1)).toBe((Math.floor(1.001 * PM_TIMER_HZ) >> 8) & 0xff);
  });

  it('reads SCI_EN set (no SMI_CMD: always in ACPI mode) and powers off on SLP_TYP=S5 with SLP_EN', () => {
    const { pm, log } = setup();
    expect(pm.read(4, 2) & 1).toBe(1);
    pm.write(4, 2, 1 << 10); // SLP_TYP 1 without SLP_EN: nothing
    expect(log).toEqual([]);
    pm.write(4, 2, (1 << 10) | (1 << 13));
    expect(log).toEqual(['sleep:1']);
    pm.write(4, 2, 1 << 13); // SLP_TYP 0 = S5 in our DSDT (as in QEMU's)
    expect(log).toEqual(['sleep:1', 'S5']);
    expect(pm.read(4, 2) & (1 << 13)).toBe(0); // SLP_EN reads 0
    pm.write(5, 1, 0x20); // byte write to the high half works too
    expect(log.at(-1)).toBe('S5');
    expect(log.length).toBe(3);
  });

  it('raises the SCI for an enabled power-button event and clears status bits by writing 1', () => {
    const { pm, sci } = setup();
    pm.pressPowerButton();
    expect(sci.level).toBe(false); // PWRBTN_EN clear
    expect(pm.read(0, 2) & 0x100).toBe(0x100);
    pm.write(2, 2, 0x100);
    expect(sci.level).toBe(true);
    expect(pm.read(0, 4) >>> 16).toBe(0x100); // PM1_EN in the upper half of the dword
    pm.write(0, 2, 0x0001); // other bit: no effect
    expect(sci.level).toBe(true);
    pm.write(0, 2, 0x0100);
    expect(sci.level).toBe(false);
    expect(pm.read(0, 2) & 0x100).toBe(0);
  });

  it('sets TMR_STS when the timer MSB toggles and interrupts if TMR_EN', () => {
    const { pm, sci, clock } = setup();
    pm.write(2, 2, 1);
    const toggleNs = (2 ** 31 * 1e9) / PM_TIMER_HZ;
    clock.advance(toggleNs - 1e6);
    expect(pm.read(0, 2) & 1).toBe(0);
    clock.advance(2e6);
    expect(pm.read(0, 2) & 1).toBe(1);
    expect(sci.level).toBe(true);
    pm.write(0, 2, 1);
    expect(pm.read(0, 2) & 1).toBe(0);
    expect(sci.level).toBe(false);
  });

  it('has write-1-to-clear GPE0 status and plain GPE0 enable bytes', () => {
    const { pm, sci } = setup();
    pm.write(0x28, 1, 0x04);
    pm.raiseGpe(2);
    expect(pm.read(0x20, 1)).toBe(0x04);
    expect(sci.level).toBe(true);
    pm.write(0x20, 1, 0x04);
    expect(sci.level).toBe(false);
    expect(pm.read(0x28, 4)).toBe(0x04);
  });

  it('round-trips its state', () => {
    const a = setup();
    a.pm.write(2, 2, 0x100);
    a.pm.pressPowerButton();
    const s = JSON.parse(JSON.stringify(a.pm.saveState()));
    const b = setup();
    b.pm.restoreState(s);
    expect(b.sci.level).toBe(true);
    expect(b.pm.read(0, 4)).toBe(a.pm.read(0, 4));
  });
});

describe('reset control register 0xCF9', () => {
  it('requests a reset on RST_CPU and classifies 0x06 / 0x0E / 0x04', () => {
    const kinds: ResetKind[] = [];
    const r = new ResetControl((k) => kinds.push(k));
    r.write(0, 1, 0x02);
    expect(kinds).toEqual([]);
    expect(r.read(0, 1)).toBe(0x02);
    r.write(0, 1, 0x06);
    r.write(0, 1, 0x0e);
    r.write(0, 1, 0x04);
    expect(kinds).toEqual(['hard', 'full', 'soft']);
  });
});

describe('isa-debug-exit', () => {
  it('reports exit status (v << 1) | 1 for the accessed width', () => {
    const got: number[] = [];
    const d1 = new DebugExit((s) => got.push(s));
    d1.write(0, 1, 0x10);
    d1.write(0, 1, 0x1ff); // masked to one byte
    const d4 = new DebugExit((s) => got.push(s), 4);
    d4.write(0, 4, 0x12345678);
    expect(got).toEqual([0x21, 0x1ff, 0x2468acf1]);
    expect(d4.exitStatus).toBe(0x2468acf1);
    expect(d4.read(0, 4)).toBe(0);
  });
});
