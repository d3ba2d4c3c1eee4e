// A REP MOVS long enough to pause (the interpreter yields every MiB by pointing RIP back at the instruction) inside
// translated code must resume and finish the copy.
import { describe, it, expect } from 'vitest';
import { assemble } from '../oracle/assemble.js';
import { runFlat } from './flat.js';

describe('REP string instructions inside translated regions', () => {
  it('a 3 MiB rep movsb pauses, resumes and completes', () => {
    const [bin] = assemble([`
  mov ecx, 2
1:
  push rcx
  mov rsi, 0x400000
  mov rdi, 0x800000
  mov ecx, 0x300000
  rep movsb
  pop rcx
  dec ecx
  jnz 1b
  mov rax, qword ptr [0x800000 + 0x2ffff8]
  hlt`]);
    const init = (_cpu: unknown, mem: import('../../machine/memory/phys.js').PhysMemory): void => {
      const src = new Uint8Array(0x300000);
      for (let i = 0; i < src.length; i++) src[i] = (i * 7 + (i >>> 12)) & 0xff;
      mem.writeBytes(0x400000, src);
    };
    for (const engine of ['interp', 'jit'] as const) {
      const r = runFlat(bin, engine, { init, threshold: 1 });
      const src = r.mem.readBytes(0x400000, 0x300000);
      const dst = r.mem.readBytes(0x800000, 0x300000);
      expect(Buffer.from(dst).equals(Buffer.from(src)), engine).toBe(true);
      expect(r.regs[1], engine).toBe(0n); // RCX
      expect(r.regs[0], engine).toBe(new DataView(src.buffer).getBigUint64(0x2ffff8, true));
    }
  });
});
