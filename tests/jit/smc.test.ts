// Self-modifying and overwritten code under the JIT: patches in the same 64-byte line, the same 4 KiB page, across
// pages, by a host (device-style) write; and data writes beside code that must NOT cause re-translation.
import { describe, it, expect } from 'vitest';
import { assemble } from '../oracle/assemble.js';
import { makeFlat, runFlat, CODE } from './flat.js';
import { Jit } from '../../jit/translator/jit.js';
import { HALTED, GPR_LO } from '../../machine/cpu/state.js';

function both(src: string) {
  const [bin] = assemble([src]);
  const a = runFlat(bin, 'interp');
  const b = runFlat(bin, 'jit', { threshold: 1 });
  expect(b.regs).toEqual(a.regs);
  expect(b.retired).toBe(a.retired);
  return { a, b };
}

describe('self-modifying code', () => {
  it('patches an immediate in its own 64-byte line', () => {
    // Each iteration adds the immediate of "patched" to rbx, then rewrites that immediate to the loop counter.
    const { b } = both(`
  mov ecx, 100
  xor ebx, ebx
  .balign 64
1:
patched:
  mov eax, 1000
  add rbx, rax
  mov dword ptr [rip + patched + 1], ecx
  dec ecx
  jnz 1b
  hlt
`);
    // Iteration k (ecx = 100..1) adds 1000 the first time, then the previous ecx.
    let expected = 1000n;
    for (let c = 100n; c > 1n; c--) expected += c;
    expect(b.regs[3]).toBe(expected);
    expect(b.cache.stats.invalidations).toBeGreaterThan(50);
  });

  it('patches code elsewhere in the same 4 KiB page', () => {
    const { b } = both(`
  mov ecx, 50
  xor ebx, ebx
1:
  call target
  add rbx, rax
  lea eax, [ecx + 7]
  mov dword ptr [rip + target + 1], eax
  dec ecx
  jnz 1b
  hlt
  .balign 256
target:
  mov eax, 3
  ret
`);
    let expected = 3n;
    for (let c = 50n; c > 1n; c--) expected += c + 7n;
    expect(b.regs[3]).toBe(expected);
  });

  it('patches code in another page', () => {
    const { b } = both(`
  mov ecx, 40
  xor ebx, ebx
1:
  call far_target
  add rbx, rax
  mov dword ptr [rip + far_target + 1], ecx
  dec ecx
  jnz 1b
  hlt
  .balign 4096
  .skip 4096
far_target:
  mov eax, 11
  ret
`);
    let expected = 11n;
    for (let c = 40n; c > 1n; c--) expected += c;
    expect(b.regs[3]).toBe(expected);
  });

  it('sees code rewritten by a host/device write between runs', () => {
    const [bin] = assemble([`
1:
  mov eax, 1
  add rbx, rax
  cmp rbx, 1000000
  jb 1b
  hlt
`]);
    const { cpu, mem, cache, interp } = makeFlat(bin);
    const jit = new Jit(interp, cache, { threshold: 1 });
    interp.run(cpu, 10_000);
    expect(jit.stats.regions).toBeGreaterThan(0);
    const before = Number(cpu.i32[GPR_LO(3)]);
    // DMA-style write: change "mov eax, 1" to "mov eax, 1000".
    mem.writeBytes(CODE + 1, new Uint8Array([0xe8, 0x03, 0, 0]));
    let n = 0;
    while (cpu.i32[HALTED] === 0 && n < 1e7) n += interp.run(cpu, 100_000);
    // After the write each iteration adds 1000: far fewer iterations than 1e6 remain.
    const iterations = n / 4;
    expect(iterations).toBeLessThan((1_000_000 - before) / 1000 + 5);
    expect(cache.stats.invalidations).toBeGreaterThan(0);
  });

  it('keeps running translated code that writes data beside itself in the same page', () => {
    const { b } = both(`
  mov ecx, 100000
  xor ebx, ebx
1:
  add rbx, rcx
  mov qword ptr [rip + counter], rbx
  dec ecx
  jnz 1b
  hlt
  .balign 256
counter:
  .quad 0
`);
    expect(b.regs[3]).toBe((100000n * 100001n) / 2n);
    // One region for the loop (plus the entry): not re-translated on every store to the neighbouring line.
    expect(b.stats!.regions).toBeLessThan(6);
    expect(b.cache.stats.invalidations).toBe(0);
  });
});
