// Profiling names: translated regions are named function expressions carrying the guest symbol and address, which
// V8's profiler, --prof and 0x report (they ignore fn.name assignments).
import { describe, it, expect } from 'vitest';
import { assemble } from '../oracle/assemble.js';
import { makeFlat, CODE } from './flat.js';
import { Jit, functionName } from '../../jit/translator/jit.js';

describe('JIT function names', () => {
  it('combine the guest symbol and the exact 64-bit address', () => {
    expect(functionName('kernel_b_output', 0x100a40)).toBe('kernel_b_output_0x100a40');
    expect(functionName(undefined, 0x100a40)).toBe('guest_0x100a40');
    expect(functionName('main', -(2 ** 47) + 0x309)).toBe('main_0xffff800000000309');
    expect(functionName('helloc.main', 0x1000)).toBe('helloc_main_0x1000');
    expect(functionName('1bad', 0x10)).toBe('g_1bad_0x10');
  });

  it('name the compiled region after the symbol at its entry', () => {
    const [bin] = assemble([`
1:
  dec ecx
  jnz 1b
  hlt`]);
    const { cpu, cache, interp } = makeFlat(bin, (c) => { c.i32[2] = 5; });
    const jit = new Jit(interp, cache, { threshold: 1, symbolize: (lin) => (lin === CODE ? 'spin_loop' : undefined) });
    interp.run(cpu, 100);
    const b = cache.get(CODE, 64)!;
    expect(b.compiled).toBeDefined();
    expect(b.compiled!.name).toBe(`spin_loop_0x${CODE.toString(16)}`);
    expect(jit.stats.regions).toBe(1);
  });
});
