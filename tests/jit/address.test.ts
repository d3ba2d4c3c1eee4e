// Effective addresses in translated code (SDM vol. 1 §3.7.5): the JIT's int32 fast path for addresses below 4 GiB
// must give way to exact 64-bit arithmetic on carries, borrows, scaled-index overflow, high halves and RIP-relative
// operands. Oracle: a BigInt model of every address (load, #PF with CR2, or #GP), and the interpreter.
import { describe, it, expect } from 'vitest';
import { assemble } from '../oracle/assemble.js';
import { runFlat, DATA } from './flat.js';
import { PROLOGUE } from './prologue.js';

const M64 = (1n << 64n) - 1n;
const BASES = [0x200000n, 0x7ffffff0n, 0x80000010n, 0xfffffff0n, 0xfffffffcn, 0x100000010n, M64 - 0xfn, 0x7fffffffffff0n];
const INDICES = [0n, 1n, 0x20000000n, 0x40000000n, 0xffffffffn, M64, 0x100000000n, 0x1ffffn];
// [asm operand, base scale, index scale, displacement]; rbx is the base, r9 the index (rcx counts the loop).
const FORMS: [string, bigint, bigint, bigint][] = [
  ['[rbx + 0x10]', 1n, 0n, 0x10n],
  ['[rbx - 0x20]', 1n, 0n, -0x20n],
  ['[rbx]', 1n, 0n, 0n],
  ['[rbx + r9*8 + 0x20]', 1n, 8n, 0x20n],
  ['[rbx + r9*4]', 1n, 4n, 0n],
  ['[r9*8 + 0x200000]', 0n, 8n, 0x200000n],
  ['[r9*4 - 8]', 0n, 4n, -8n],
  ['[rbx + r9 - 0x7fffffff]', 1n, 1n, -0x7fffffffn],
  ['[rbx + r9*2 + 0x7ffffff0]', 1n, 2n, 0x7ffffff0n],
];
const GP = 0xdeadn;
const LOG = 0x20a000;

/** What the access at `a` does on the flat test machine: 1 GiB identity-mapped, nothing else. */
function outcome(a: bigint): bigint | undefined {
  const top = a >> 47n;
  if (top !== 0n && top !== 0x1ffffn) return GP; // non-canonical
  return a + 4n <= 0x40000000n ? undefined : a; // a load, or #PF with CR2 = a
}

describe('JIT effective addresses', () => {
  it('the int32 fast path falls back exactly: carries, borrows, index overflow, high halves', () => {
    const accesses = FORMS.map(([op], k) => `
  lea r12, [rip + 9${k}f]
  mov eax, dword ptr ${op}
9${k}:
  add r8, rax`).join('');
    const src = `${PROLOGUE}
  mov rdi, ${LOG}
  xor r8d, r8d
  lea rsi, [rip + table]
  mov ecx, ${BASES.length * INDICES.length}
1:
  mov rbx, [rsi]
  mov r9, [rsi + 8]
  add rsi, 16
${accesses}
  dec ecx
  jnz 1b
  hlt
handler14:
  mov rax, cr2
  jmp 2f
handler13:
  mov eax, ${Number(GP)}
2:
  mov [rdi + r15*8], rax
  inc r15
  mov [rsp + 8], r12
  add rsp, 8
  iretq
handler0:
  hlt
  .p2align 3
table:
${BASES.flatMap((b) => INDICES.map((i) => `  .quad ${b}, ${i}`)).join('\n')}
`;
    const [bin] = assemble([src]);
    const expected: bigint[] = [];
    for (const b of BASES) {
      for (const i of INDICES) {
        for (const [, bs, scale, disp] of FORMS) {
          const o = outcome((b * bs + i * scale + disp) & M64);
          if (o !== undefined) expected.push(o);
        }
      }
    }
    expect(expected.length).toBeGreaterThan(200);
    for (const engine of ['interp', 'jit'] as const) {
      const r = runFlat(bin, engine, { threshold: 1 });
      const log: bigint[] = [];
      const dv = new DataView(r.data.buffer, r.data.byteOffset + (LOG - DATA));
      for (let k = 0; k < Number(r.regs[15]); k++) log.push(dv.getBigUint64(k * 8, true));
      expect(log, engine).toEqual(expected);
      if (engine === 'jit') expect(r.stats!.regions).toBeGreaterThan(0);
    }
  });

  it('a remapped page is seen through the same access site after INVLPG', () => {
    // The 2 MiB page at 6 MiB alternates between physical 2 MiB (holding 5) and 4 MiB (holding 1000); the load
    // in the loop is one access site whose cached translation must not outlive the INVLPG (which ends the block, so
    // the region is left and re-entered with empty per-site page caches).
    const src = `
  mov qword ptr [0x200100], 5
  mov qword ptr [0x400100], 1000
  mov rsi, 0x600100
  xor ebx, ebx
  mov ecx, 100
1:
  mov eax, ecx
  and eax, 1
  shl eax, 21
  add rax, 0x200083
  mov [0x12018], rax
  invlpg [rsi]
  add rbx, [rsi]
  dec ecx
  jnz 1b
  hlt
`;
    const [bin] = assemble([src]);
    for (const engine of ['interp', 'jit'] as const) {
      const r = runFlat(bin, engine, { threshold: 1 });
      expect(r.regs[3], engine).toBe(50n * 1000n + 50n * 5n);
      if (engine === 'jit') expect(r.stats!.regions).toBeGreaterThan(0);
    }
  });

  it('one access site serves aligned, misaligned and page-crossing accesses of every size', () => {
    // Each site's one-page cache answers only naturally aligned accesses inside its page (codegen addrPaths): here
    // every site sees aligned, misaligned and page-crossing addresses, and pages alternating under one site. The
    // 2 MiB page at 6 MiB is remapped to physical 10 MiB, so an access crossing 0x600000 that wrongly took one
    // page's RAM offset would read the wrong bytes.
    const src = `
  mov r10d, 3
2:
  mov rsi, 0x5fffe8
  mov ecx, 48
1:
  movzx eax, byte ptr [rsi]
  add r8, rax
  movzx eax, word ptr [rsi]
  add r8, rax
  mov eax, dword ptr [rsi]
  add r8, rax
  mov rax, qword ptr [rsi]
  add r8, rax
  xor qword ptr [rsi], r8
  add dword ptr [rsi + 1], eax
  mov word ptr [rsi + 3], ax
  mov edx, ecx
  and edx, 1
  shl edx, 12
  add r9, qword ptr [rdx + 0x208ff8]
  mov qword ptr [rdx + 0x20aff8], r9
  inc rsi
  dec ecx
  jnz 1b
  dec r10d
  jnz 2b
  hlt
`;
    const [bin] = assemble([src]);
    const init = (_cpu: unknown, mem: { write32(a: number, v: number): void }): void => {
      let x = 0x9e3779b9;
      const fill = (from: number, len: number): void => {
        for (let a = from; a < from + len; a += 4) {
          x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
          mem.write32(a, x);
        }
      };
      fill(DATA, 0x10000);
      fill(0x5ff000, 0x1000);
      fill(0xa00000, 0x1000);
      mem.write32(0x12000 + 3 * 8, 0xa00000 | 0x83); // PD entry of 6 MiB (flat.ts page tables at 0x10000)
    };
    const ref = runFlat(bin, 'interp', { init });
    const jit = runFlat(bin, 'jit', { init, threshold: 1 });
    expect(jit.stats!.regions).toBeGreaterThan(0);
    expect(jit.regs).toEqual(ref.regs);
    expect(jit.flags).toBe(ref.flags);
    for (const [a, len] of [[DATA, 0x10000], [0x5ff000, 0x1000], [0xa00000, 0x1000]]) {
      expect(Buffer.from(jit.mem.readBytes(a, len)).equals(Buffer.from(ref.mem.readBytes(a, len))), `bytes at ${a.toString(16)}`).toBe(true);
    }
    expect(ref.mem.readBytes(0xa00000, 1)[0]).not.toBe(ref.mem.readBytes(0x600000, 1)[0]);
  });
});
