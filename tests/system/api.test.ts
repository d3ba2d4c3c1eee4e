// The Machine library API on real guest code: async run, waitForOutput, serial input, readLinear through the
// guest's page tables, --trace=cpu output, and determinism of the virtual clock across snapshot/restore.
import { describe, it, expect, beforeAll, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { createMachine } from '../../machine/index.js';
import { buildKernel } from './build.js';

// These tests start node processes and run guest code: allow for a loaded 2-core CI machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const img: Record<string, Uint8Array> = {};
const sym: Record<string, string> = {};

beforeAll(() => {
  for (const k of ['paging', 'echo', 'bare']) {
    const path = buildKernel(k);
    img[k] = new Uint8Array(readFileSync(path));
    sym[k] = readFileSync(path.replace(/\.(bin|elf)$/, '.sym'), 'utf8');
  }
});

describe('running guest code through the API', () => {
  it('waitForOutput, then run() to the guest exit', async () => {
    const m = createMachine({ memory: '64M' });
    m.loadMultiboot(img.paging, 'paging.bin');
    await m.waitForOutput('long mode\n', { timeoutInstructions: 1_000_000 });
    expect(m.serial.output).not.toContain('DONE');
    const r = await m.run();
    expect(r.reason).toBe('exit');
    expect(r.exitCode).toBe(1);
    expect(m.serial.output).toContain('PASS #DF from stack overflow, on IST1\nDONE failures=0000000000000000\n');
    // The guest left paging on: read through its own page tables (TEST_VA+0x1000 -> frame 0x401000).
    expect(Array.from(m.readLinear(0x201000, 4))).toEqual([0x11, 0x11, 0x11, 0x11]);
    expect(() => m.readLinear(0x200000, 4)).toThrow(/not mapped/);
    expect(m.getRegisters().cr0 & 0x80000000n).toBe(0x80000000n);
  });

  it('waitForOutput rejects when the guest stops first', async () => {
    const m = createMachine();
    m.loadMultiboot(img.paging);
    await expect(m.waitForOutput('never printed')).rejects.toThrow(/machine stopped \(exit/);
  });

  it('host input through machine.serial.write reaches a polling guest', async () => {
    const m = createMachine();
    m.loadMultiboot(img.echo);
    m.serial.write('abc q');
    const r = await m.run();
    expect(m.serial.output).toBe('echo ready\nABC \nbye\n');
    expect(r.exitCode).toBe((4 << 1) | 1);
  });

  it('virtual time makes runs reproducible: a restored snapshot replays the same instructions and output', () => {
    const a = createMachine({ memory: '32M', sliceInstructions: 7_000 });
    a.loadMultiboot(img.paging, 'k');
    const whole = a.runSync();
    expect(whole.reason).toBe('exit');

    const b = createMachine({ memory: '32M', sliceInstructions: 7_000 });
    b.loadMultiboot(img.paging, 'k');
    const part = b.runSync(3_000);
    expect(part.reason).toBe('max-instructions');
    const snap = b.saveState();
    const out0 = b.serial.output;
    const first = b.runSync();
    const regs1 = b.getRegisters();
    const tail1 = b.serial.output.slice(out0.length);
    b.restoreState(snap);
    b.serial.clearOutput();
    const second = b.runSync();
    expect(b.serial.output).toBe(tail1);
    expect(second.instructions).toBe(first.instructions);
    expect(second.reason).toBe('exit');
    expect(b.getRegisters()).toEqual(regs1);
    // ... and the guest saw the same thing as in an uninterrupted run with other slice boundaries.
    expect(out0 + tail1).toBe(a.serial.output);
    expect(second.exitCode).toBe(whole.exitCode);
  });

  it('--trace=cpu lists executed instructions with guest symbols', () => {
    const lines: string[] = [];
    const m = createMachine({ trace: 'cpu', traceSink: (l) => lines.push(l), engine: 'interp' });
    m.addSymbols(sym.bare);
    m.loadBare(img.bare, 0x100000, 0x100000);
    const r = m.runSync(200);
    expect(r.reason).toBe('max-instructions');
    expect(lines[0]).toMatch(/^\[cpu\] cpu0 0x100000 <entry>: mov qword ptr \[/);
    expect(lines.some((l) => /<puts64(\+0x[0-9a-f]+)?>: lodsb/.test(l))).toBe(true);
  });
});
