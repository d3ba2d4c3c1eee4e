// The interpreter's inline block loop (jit/interp/fast-exec.ts) against its reference, one handler call per
// instruction (Interpreter.execStep): random programs over every inline shape, run with random budgets, must leave
// byte-identical CPU state, memory and retired counts; faults, SMC (PENDING after an inline store) and the fast
// condition evaluator are checked the same way.
import { describe, it, expect } from 'vitest';
import { assemble } from '../oracle/assemble.js';
import { makeFlat, DATA, DATA_SIZE } from '../jit/flat.js';
import { PROLOGUE, MAP_ON_PF } from '../jit/prologue.js';
import { HALTED, RIP_F, FLAGS, FLAGS_LAZY, LZ_OP, LZ_SIZE, LZ_RES_LO, LZ_RES_HI, LZ_A_LO, LZ_A_HI, LZ_B_LO, LZ_B_HI, ARITH_FLAGS, Flag } from '../../machine/cpu/state.js';
import { fastCond } from '../../jit/interp/fast-exec.js';
import { testCond } from '../../jit/interp/flags.js';
import { rng } from '../oracle/rng.js';


interface End {
  i32: number[];
  rip: number;
  data: Buffer;
  retired: number;
  runs: number;
}

/** Run a program to HLT with the inline loop on or off, in slices of pseudo-random budgets (same for both). */
function run(bin: Uint8Array, fast: boolean, seed: number, unmapped: number[] = []): End {
  const { cpu, mem, interp } = makeFlat(bin, undefined, unmapped);
  interp.fastPath = fast;
  const r = rng(seed);
  let retired = 0, runs = 0;
  while (cpu.i32[HALTED] === 0 && retired < 2_000_000) {
    retired += interp.run(cpu, 1 + Math.floor(r() * (r() < 0.5 ? 8 : 400)));
    runs++;
  }
  return { i32: Array.from(cpu.i32), rip: cpu.f64[RIP_F], data: Buffer.from(mem.readBytes(DATA, DATA_SIZE)), retired, runs };
}

function same(bin: Uint8Array, ctx: string, seed = 1, unmapped: number[] = []): End {
  const a = run(bin, true, seed, unmapped);
  const b = run(bin, false, seed, unmapped);
  expect(a.retired, ctx).toBe(b.retired);
  expect(a.rip, ctx).toBe(b.rip);
  expect(a.i32, ctx).toEqual(b.i32);
  expect(a.data.equals(b.data), ctx).toBe(true);
  expect(a.runs, ctx).toBe(b.runs);
  return a;
}

const R64 = ['rax', 'rbx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12'];
const R32 = ['eax', 'ebx', 'edx', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d'];
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

function instr(r: () => number): string {
  const pick = <T,>(a: T[]): T => a[Math.floor(r() * a.length)];
  const imm = (): string => pick(['0', '1', '-1', '0x7fffffff', '-0x80000000', '0x80', String(Math.floor(r() * 2000) - 1000), `0x${Math.floor(r() * 0xffffffff).toString(16)}`.replace(/^0x[89a-f].{7}$/, '-5')]);
  const mem = (): string => pick([
    `[rbp + ${8 * Math.floor(r() * 600)}]`,
    `[rbp + ${4 * Math.floor(r() * 1200)} + 2]`,
    `[rbp + 0xffe]`, // straddles a page: the handler path
    `[rbp + rcx*8 + 16]`,
    `[rbp + rcx*4 - 8 + 0x400]`,
    `[rip + 9f]`,
    `[rbp + r13*2]`,
  ]);
  switch (Math.floor(r() * 20)) {
    case 0: return `${pick(['add', 'sub', 'cmp', 'and', 'or', 'xor', 'test', 'adc', 'sbb'])} ${pick(R32)}, ${pick(R32)}`;
    case 1: return `${pick(['add', 'sub', 'cmp', 'and', 'or', 'xor', 'test', 'adc', 'sbb'])} ${pick(R32)}, ${imm()}`;
    case 2: return `${pick(['add', 'sub', 'cmp', 'and', 'or', 'xor', 'test'])} ${pick(R64)}, ${pick(R64)}`;
    case 3: return `${pick(['add', 'sub', 'cmp', 'and', 'or', 'xor', 'test'])} ${pick(R64)}, ${imm()}`;
    case 4: return `${pick(['inc', 'dec'])} ${pick([...R32, ...R64])}`;
    case 5: return `mov ${pick(R32)}, ${pick([...R32.map((x) => x), imm()])}`;
    case 6: return `mov ${pick(R64)}, ${pick([...R64, imm(), '0x123456789abcdef0', '-0x8000000000000000'])}`;
    case 7: return `lea ${pick(R64)}, [${pick(R64)} + ${pick(R64)}*${pick([1, 2, 4, 8])} ${pick(['+', '-'])} ${Math.floor(r() * 5000)}]`;
    case 8: return `lea ${pick(R32)}, [${pick(R64)} + ${pick(R64)}*${pick([1, 2, 4, 8])} + ${Math.floor(r() * 100)}]`;
    case 9: return `${pick(['shl', 'shr', 'sar'])} ${pick([...R32, ...R64])}, ${pick([0, 1, 31, 32, 33, 63, Math.floor(r() * 64)])}`;
    case 10: return `cmov${pick(CC)} ${pick(R32)}, ${pick(R32)}`;
    case 11: return `cmov${pick(CC)} ${pick(R64)}, ${pick(R64)}`;
    case 12: return `mov ${pick(R32)}, dword ptr ${mem()}`;
    case 13: return `mov ${pick(R64)}, qword ptr ${mem()}`;
    case 14: return `mov dword ptr ${mem()}, ${pick(R32)}`;
    case 15: return `mov qword ptr ${mem()}, ${pick(R64)}`;
    case 16: return `mov dword ptr ${mem()}, ${imm()}`;
    case 17: return `${pick(['neg', 'not'])} ${pick(R32)}`;
    case 18: return `set${pick(CC)} ${pick(['al', 'bl', 'dl'])}`;
    default: return `${pick(['shl', 'shr', 'sar', 'rol'])} ${pick(R32)}, 1`;
  }
}

function program(seed: number): string {
  const r = rng(seed);
  const lines = [`mov rbp, ${DATA}`, `mov ecx, ${10 + Math.floor(r() * 40)}`, 'xor r13d, r13d'];
  for (const reg of R64) lines.push(`mov ${reg}, ${Math.floor(r() * 0x7fffffff) - (r() < 0.3 ? 0x40000000 : 0)}`);
  lines.push('2:');
  const n = 4 + Math.floor(r() * 24);
  for (let i = 0; i < n; i++) {
    lines.push(instr(r));
    const k = r();
    if (k < 0.25) lines.push(`j${CC[Math.floor(r() * 16)]} 3f`, instr(r), '3:');
    else if (k < 0.3) lines.push(`cmp ${R32[Math.floor(r() * 10)]}, ${R32[Math.floor(r() * 10)]}`, `j${CC[Math.floor(r() * 16)]} 3f`, instr(r), '3:');
    else if (k < 0.33) lines.push('jmp 3f', instr(r), '3:');
  }
  lines.push('and r13d, 0x3ff', 'add r13d, 3', r() < 0.5 ? 'dec ecx' : 'sub ecx, 1', 'jnz 2b', 'hlt', '.balign 8', '9: .quad 0x1122334455667788');
  return lines.join('\n');
}

describe('interpreter inline block loop = handler-per-instruction reference', () => {
  it('random programs over the inline shapes: identical state, memory and retired counts under random budgets', () => {
    const count = Number(process.env.FAST_COUNT ?? 150);
    const seed0 = Number(process.env.FAST_SEED ?? 7000);
    const progs = Array.from({ length: count }, (_, i) => program(seed0 + i));
    const bins = assemble(progs);
    let total = 0;
    for (let i = 0; i < count; i++) total += same(bins[i], `program ${i} (seed ${seed0 + i}):\n${progs[i]}`, seed0 + i).retired;
    expect(total).toBeGreaterThan(count * 100);
  }, 120_000);

  it('#PF on an inline load and an inline store: precise RIP, CR2 and one fault each, same as the reference', () => {
    const src = `${PROLOGUE}
  mov ecx, 300
  xor ebx, ebx
  mov rsi, 0x600000
1:
  add ebx, ecx
  mov edx, [rsi + rcx*4]
  add ebx, edx
  mov [rsi + rcx*4 + 0x2000], ebx
  dec ecx
  jnz 1b
  hlt
${MAP_ON_PF}`;
    const [bin] = assemble([src]);
    const e = same(bin, src, 3, [3]);
    expect(e.i32[15 * 2]).toBe(1); // r15: exactly one #PF
    expect(e.i32[14 * 2]).toBe(0x600000 + 4 * 300); // CR2: the first load
  });

  it('#GP on a non-canonical inline load and on a Jcc-free fallthrough: RIP of the faulting instruction', () => {
    const src = `${PROLOGUE}
  mov rax, 0x800000000000
  mov ebx, 5
  add ebx, 1
faulting:
  mov ecx, [rax + rbx*2]
  hlt
handler13:
  inc r15
  mov r13, [rsp + 8]
  lea r12, [rip + faulting]
  hlt
handler0:
handler14:
  hlt
`;
    const [bin] = assemble([src]);
    const e = same(bin, src);
    expect(e.i32[15 * 2]).toBe(1);
    expect(e.i32[13 * 2]).toBe(e.i32[12 * 2]);
    expect(e.i32[3 * 2]).toBe(6); // the ADD before the fault retired
  });

  it('an inline store into its own block (SMC, PENDING) leaves the block right after the store', () => {
    // The MOV_MI4 patches the immediate of the following MOV: the next iteration (and, precisely, the same one)
    // must see the new value.
    const src = `
  mov edx, 4
  xor ecx, ecx
  xor eax, eax
1:
  mov dword ptr [rip + patch + 1], edx
  add eax, 1
patch:
  mov ebx, 0
  add ecx, ebx
  dec edx
  jnz 1b
  hlt
`;
    const [bin] = assemble([src]);
    const e = same(bin, src);
    expect(e.i32[1 * 2]).toBe(4 + 3 + 2 + 1); // ecx summed each patched value
    expect(e.i32[0]).toBe(4);
  });

  it('fastCond answers every condition exactly as testCond on random lazy records', () => {
    const s = new Int32Array(64);
    const r = rng(99);
    const vals = [0, 1, -1, 0x7fffffff, -0x80000000, 0x80, 2, -2];
    const v = (): number => (r() < 0.5 ? vals[Math.floor(r() * vals.length)] : (r() * 4294967296) | 0);
    let checked = 0;
    for (let n = 0; n < 40000; n++) {
      const op = Math.floor(r() * 10);
      const size = r() < 0.5 ? 4 : r() < 0.5 ? 8 : r() < 0.5 ? 1 : 2;
      const a = v(), b = v(), aHi = v(), bHi = v();
      // A consistent record: result computed like the kernels do (sub/logic/inc/dec/add), the rest random.
      let res = v(), resHi = v();
      if (op === 2) res = (a - b) | 0;
      if (op === 4) res = a & b;
      if (op === 5 || op === 6) res = (a + (op === 5 ? 1 : -1)) | 0;
      if (op === 0) res = (a + b) | 0;
      if (size === 8 && r() < 0.3) resHi = 0;
      s[LZ_OP] = op;
      s[LZ_SIZE] = size;
      s[LZ_RES_LO] = size === 1 ? res & 0xff : size === 2 ? res & 0xffff : res;
      s[LZ_RES_HI] = resHi;
      s[LZ_A_LO] = a;
      s[LZ_A_HI] = aHi;
      s[LZ_B_LO] = b;
      s[LZ_B_HI] = bHi;
      s[FLAGS] = 2 | (Math.floor(r() * 4096) & ARITH_FLAGS);
      s[FLAGS_LAZY] = [ARITH_FLAGS, ARITH_FLAGS & ~Flag.CF, 0, Flag.ZF | Flag.SF][Math.floor(r() * 4)];
      for (let cc = 0; cc < 16; cc++) {
        if (fastCond(s, cc) !== testCond(s, cc)) expect(fastCond(s, cc), `op ${op} size ${size} cc ${cc} ${Array.from(s.subarray(32, 42))}`).toBe(testCond(s, cc));
      }
      checked++;
    }
    expect(checked).toBe(40000);
  });
});
