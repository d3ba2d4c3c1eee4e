// Machine assembly without guest code: clock and scheduler (deadlines, idle time jumps, instruction limits), COM1
// and isa-debug-exit wiring, register access, snapshots, symbols, configuration errors.
import { describe, it, expect } from 'vitest';
import { createMachine, UserError, SymbolMap, parseSize } from '../../machine/index.js';
import { MachineClock } from '../../machine/clock.js';
import type { Cpu } from '../../machine/cpu/cpu.js';
import { HALTED, ICOUNT_F } from '../../machine/cpu/state.js';

/** An engine that retires exactly the budget (or `haltAfter` instructions in total, then halts). */
function countingEngine(haltAfter = Infinity) {
  const e = {
    calls: [] as Array<[number, number]>,
    total: 0,
    run(cpu: Cpu, budget: number): number {
      const n = Math.min(budget, haltAfter - e.total);
      e.total += n;
      e.calls.push([cpu.id, n]);
      cpu.f64[ICOUNT_F] += n;
      if (e.total >= haltAfter) cpu.i32[HALTED] = 1;
      return n;
    },
  };
  return e;
}

describe('configuration', () => {
  it('parses sizes like QEMU -m and rejects nonsense with user errors', () => {
    expect(parseSize('256M')).toBe(256 * 1024 * 1024);
    expect(parseSize('1G')).toBe(1024 ** 3);
    expect(parseSize('0x200000')).toBe(0x200000);
    expect(() => parseSize('12X')).toThrow(UserError);
    expect(() => createMachine({ memory: '1M' })).toThrow(/too small/);
    expect(() => createMachine({ cpus: 0 })).toThrow(/CPU count/);
    expect(() => createMachine({ trace: 'cpu,bogus' })).toThrow(/unknown trace subsystem 'bogus'/);
    expect(() => createMachine({ maxInstructions: 'lots' })).toThrow(UserError);
  });
});

describe('clock', () => {
  it('fires deadlines in time order, FIFO among equal times, and honours cancel', () => {
    const c = new MachineClock('virtual', 1);
    const seen: string[] = [];
    c.schedule(300, () => seen.push('c'));
    c.schedule(100, () => seen.push('a'));
    const h = c.schedule(200, () => seen.push('x'));
    c.schedule(100, () => seen.push('b'));
    c.cancel(h);
    expect(c.nextDeadline()).toBe(100);
    c.advanceTo(250);
    expect(c.fireDue()).toBe(2);
    expect(seen).toEqual(['a', 'b']);
    expect(c.nextDeadline()).toBe(300);
    c.advance(50);
    c.fireDue();
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(c.nextDeadline()).toBe(Infinity);
  });
});

describe('scheduler', () => {
  it('runs vCPUs round-robin and advances virtual time by the instructions of a slice', () => {
    const m = createMachine({ cpus: 2, sliceInstructions: 1000, nsPerInstruction: 2 });
    for (const c of m.cpus) c.i32[HALTED] = 0;
    const e = countingEngine();
    m.scheduler.engine = e;
    const r = m.runSync(5000);
    expect(r.reason).toBe('max-instructions');
    expect(e.calls.slice(0, 4)).toEqual([[0, 1000], [1, 1000], [0, 1000], [1, 1000]]);
    expect(m.instructions).toBe(5000);
    // Three rounds ran; the last one ended when cpu0 used up the limit.
    expect(m.clock.nowNs()).toBe(3 * 1000 * 2);
  });

  it('cuts slices at the next timer deadline so it fires at its exact virtual time', () => {
    const m = createMachine({ sliceInstructions: 10_000 });
    const e = countingEngine();
    m.scheduler.engine = e;
    const fired: number[] = [];
    m.clock.schedule(12_345, () => fired.push(m.clock.nowNs()));
    m.runSync(30_000);
    expect(fired).toEqual([12_345]);
    expect(e.calls.map((c) => c[1]).slice(0, 3)).toEqual([10_000, 2_345, 10_000]);
  });

  it('jumps virtual time to the next deadline when every vCPU is halted, and reports halted when nothing is left', () => {
    const m = createMachine();
    const e = countingEngine(500);
    m.scheduler.engine = e;
    const cpu = m.cpus[0];
    cpu.i32[32] |= 0x200; // RFLAGS.IF = 1: an interrupt could wake it
    let woke = -1;
    m.clock.schedule(5_000_000, () => {
      woke = m.clock.nowNs();
    });
    const r = m.runSync();
    expect(woke).toBe(5_000_000);
    expect(m.scheduler.idleJumps).toBe(1);
    expect(r.reason).toBe('halted');
    expect(e.total).toBe(500);
  });

  it('stops for good when the only vCPU halts with interrupts disabled', () => {
    const m = createMachine();
    m.scheduler.engine = countingEngine(10);
    m.cpus[0].i32[32] &= ~0x200;
    m.clock.schedule(1e9, () => {});
    const r = m.runSync();
    expect(r.reason).toBe('halted');
    expect(r.report).toMatch(/interrupts disabled/);
    expect(m.clock.nowNs()).toBe(10); // no jump: nothing could wake it
  });

  it('run() is async, yields to the event loop and obeys stop()', async () => {
    const m = createMachine({ sliceInstructions: 1000 });
    m.scheduler.engine = countingEngine();
    let ticks = 0;
    const t = setInterval(() => {
      ticks++;
      if (ticks === 3) m.stop();
    }, 1);
    const r = await m.run();
    clearInterval(t);
    expect(r.reason).toBe('stopped');
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(m.instructions).toBeGreaterThan(0);
  });
});

describe('platform wiring', () => {
  it('COM1 at 0x3F8: guest bytes reach serial.output and listeners; host bytes reach the receiver', () => {
    const m = createMachine();
    const heard: string[] = [];
    m.serial.onOutput((_b, text) => heard.push(text));
    for (const ch of 'hi\n') m.io.write(0x3f8, 1, ch.charCodeAt(0));
    m.platform.flush();
    expect(m.serial.output).toBe('hi\n');
    expect(heard.join('')).toBe('hi\n');
    m.serial.write('ok');
    expect(m.io.read(0x3fd, 1) & 1).toBe(1); // LSR.DR
    expect(String.fromCharCode(m.io.read(0x3f8, 1), m.io.read(0x3f8, 1))).toBe('ok');
    expect(m.io.read(0x3fd, 1) & 1).toBe(0);
  });

  it('isa-debug-exit at 0xF4 ends the run with status (v << 1) | 1; unassigned ports read as all-ones', () => {
    const m = createMachine();
    m.io.write(0xf4, 1, 0x21);
    const r = m.runSync();
    expect(r.reason).toBe('exit');
    expect(r.exitCode).toBe(0x43);
    expect(r.instructions).toBe(0);
    expect(m.io.read(0x1234, 1)).toBe(0xff);
    expect(m.io.read(0x1234, 2)).toBe(0xffff);
    expect(m.io.read(0x1234, 4) >>> 0).toBe(0xffffffff);
  });

  it('logs unassigned port accesses under --trace=io', () => {
    const lines: string[] = [];
    const m = createMachine({ trace: 'io', traceSink: (l) => lines.push(l) });
    m.io.read(0x1234, 1);
    m.io.write(0x80, 1, 0x55);
    expect(lines).toContain('[io] unassigned read8 port 0x1234 -> all-ones');
    expect(lines).toContain('[io] unassigned write8 port 0x0080 <- 0x55');
  });
});

describe('registers and snapshots', () => {
  it('round-trips registers through the BigInt API', () => {
    const m = createMachine();
    m.setRegisters({ rax: 0x1122334455667788n, r15: 0xffffffffffffffffn, rip: 0xffff800000001000n });
    const r = m.getRegisters();
    expect(r.rax).toBe(0x1122334455667788n);
    expect(r.r15).toBe(0xffffffffffffffffn);
    expect(r.rip).toBe(0xffff800000001000n);
  });

  it('restoreState brings back RAM, vCPU state, devices and time', () => {
    const m = createMachine({ memory: '4M' });
    m.writeMemory(0x1000, new Uint8Array([1, 2, 3]));
    m.setRegisters({ rbx: 42n });
    m.io.write(0x3ff, 1, 0x5a); // UART scratch register
    m.clock.advance(777);
    const snap = m.saveState();
    m.writeMemory(0x1000, new Uint8Array([9, 9, 9]));
    m.setRegisters({ rbx: 7n });
    m.io.write(0x3ff, 1, 0x11);
    m.clock.advance(5);
    m.restoreState(snap);
    expect(Array.from(m.readMemory(0x1000, 3))).toEqual([1, 2, 3]);
    expect(m.getRegisters().rbx).toBe(42n);
    expect(m.io.read(0x3ff, 1)).toBe(0x5a);
    expect(m.clock.nowNs()).toBe(777);
    expect(() => createMachine({ memory: '8M' }).restoreState(snap)).toThrow(/snapshot is for/);
  });
});

describe('symbols', () => {
  it('parses ADDRESS SYMBOL maps and nm output and finds the nearest symbol below an address', () => {
    const s = SymbolMap.parse('# comment\n00100000 start\n0x100040 T loop\n100080 t data_end\n');
    expect(s.format(0x100000)).toBe('start');
    expect(s.format(0x100045)).toBe('loop+0x5');
    expect(s.format(0xfffff)).toBe('');
    expect(s.address('data_end')).toBe(0x100080);
    expect(() => SymbolMap.parse('zz top')).toThrow(/expected 'ADDRESS SYMBOL'/);
  });
});
