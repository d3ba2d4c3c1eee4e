// Differential fuzzing, JIT vs interpreter: random guest programs with loops, memory traffic, calls and
// flag-consuming branches must end in identical registers, flags and memory.
import { describe, it, expect } from 'vitest';
import { assemble } from '../oracle/assemble.js';
import { runFlat, DATA } from './flat.js';
import { rng } from '../oracle/rng.js';


const REGS64 = ['rax', 'rbx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12'];
const REGS32 = ['eax', 'ebx', 'edx', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d'];
const REGS8 = ['al', 'bl', 'dl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b'];
const CONDS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const ALU = ['add', 'sub', 'and', 'or', 'xor', 'cmp', 'test', 'adc', 'sbb'];

/** One random straight-line instruction (no control flow); rbp points at the data area, rcx is the loop counter. */
function randomInstr(r: () => number): string {
  const pick = <T,>(a: T[]): T => a[Math.floor(r() * a.length)];
  const imm = (): string => {
    const k = r();
    if (k < 0.3) return String(Math.floor(r() * 16));
    if (k < 0.5) return String(-Math.floor(r() * 200));
    if (k < 0.7) return '0x7fffffff';
    return `0x${Math.floor(r() * 0xffffffff).toString(16)}`.replace(/^0x([89a-f].{7})$/, '-1');
  };
  const mem = (size: string): string => `${size} ptr [rbp + ${8 * Math.floor(r() * 64)}]`;
  switch (Math.floor(r() * 21)) {
    case 0: return `${pick(ALU)} ${pick(REGS64)}, ${pick(REGS64)}`;
    case 1: return `${pick(ALU)} ${pick(REGS32)}, ${pick(REGS32)}`;
    case 2: return `${pick(ALU)} ${pick(REGS32)}, ${imm()}`;
    case 3: return `${pick(ALU)} ${pick(REGS8)}, ${pick(REGS8)}`;
    case 4: return `${pick(ALU)} ${pick(REGS64)}, ${mem('qword')}`;
    case 5: return `${pick(['add', 'sub', 'xor', 'or', 'and'])} ${mem('dword')}, ${pick(REGS32)}`;
    case 6: return `mov ${mem('qword')}, ${pick(REGS64)}`;
    case 7: return `mov ${pick(REGS32)}, ${mem('dword')}`;
    case 8: return `${pick(['inc', 'dec', 'neg', 'not'])} ${pick([...REGS64, ...REGS32])}`;
    case 9: return `${pick(['shl', 'shr', 'sar'])} ${pick([...REGS64, ...REGS32])}, ${1 + Math.floor(r() * 40) % 31}`;
    case 10: return `imul ${pick(REGS32)}, ${pick(REGS32)}, ${Math.floor(r() * 1000) - 500}`;
    case 11: return `cmov${pick(CONDS)} ${pick(REGS64)}, ${pick(REGS64)}`;
    case 12: return `set${pick(CONDS)} ${pick(REGS8)}`;
    case 13: return `lea ${pick(REGS64)}, [${pick(REGS64)} + ${pick(REGS64)}*${pick([1, 2, 4, 8])} + ${Math.floor(r() * 100)}]`;
    case 14: return `movzx ${pick(REGS32)}, byte ptr [rbp + ${Math.floor(r() * 500)}]`;
    case 15: return `${pick(['rol', 'ror'])} ${pick([...REGS64, ...REGS32])}, ${1 + Math.floor(r() * 63) % 63}`;
    case 16: return `imul ${pick(REGS64)}, ${pick(REGS64)}`;
    case 17: return `imul ${pick(REGS64)}, ${pick(REGS64)}, ${Math.floor(r() * 100000) - 50000}`;
    case 19: return `${pick(['mul', 'mul'])} ${pick([...REGS64, ...REGS32])}\nmov ${pick(REGS64)}, rdx`;
    case 18: {
      // A 32-bit index register (known-zero high half) in a scaled address.
      const i = Math.floor(r() * REGS32.length);
      return `and ${REGS32[i]}, 0x3f\n${pick(['add', 'sub', 'xor', 'mov'])} ${pick(REGS32)}, dword ptr [rbp + ${REGS64[i]}*8 + 16]`;
    }
    default: return `mov ${pick(REGS64)}, ${imm()}`;
  }
}

function randomProgram(seed: number): string {
  const r = rng(seed);
  const lines: string[] = [`lea rbp, [rip + 0]`, `mov rbp, ${DATA}`, `mov ecx, ${20 + Math.floor(r() * 60)}`];
  for (const reg of REGS64) lines.push(`mov ${reg}, ${Math.floor(r() * 0x7fffffff)}`);
  lines.push('2:');
  const n = 5 + Math.floor(r() * 20);
  for (let i = 0; i < n; i++) {
    lines.push(randomInstr(r));
    const k = r();
    if (k < 0.15) lines.push(`j${CONDS[Math.floor(r() * 16)]} 3f`, randomInstr(r), '3:');
    else if (k < 0.22) lines.push('call 5f');
    else if (k < 0.26) lines.push('push rax', randomInstr(r), 'pop rax');
  }
  if (r() < 0.4) {
    // A split tail: both arms of a branch end in their own copy of the loop's back edge, so each arm is a block whose
    // only predecessor is the loop body and which branches back to the loop head (the translator inlines those).
    lines.push(`j${CONDS[Math.floor(r() * 16)]} 4f`);
    for (let i = 0; i < 1 + Math.floor(r() * 4); i++) lines.push(randomInstr(r));
    lines.push('dec ecx', 'jnz 2b', 'jmp 6f', '4:');
    for (let i = 0; i < 1 + Math.floor(r() * 4); i++) lines.push(randomInstr(r));
    lines.push('dec ecx', 'jnz 2b', '6:', 'hlt');
  } else lines.push('dec ecx', 'jnz 2b', 'hlt');
  // a leaf function
  lines.push('5:', randomInstr(r), randomInstr(r), 'ret');
  return lines.join('\n');
}

describe('JIT vs interpreter differential fuzzing', () => {
  it('random programs end in identical states', () => {
    // FUZZ_COUNT / FUZZ_SEED widen the search locally; the suite runs the default 300 programs.
    const count = Number(process.env.FUZZ_COUNT ?? 300);
    const seed0 = Number(process.env.FUZZ_SEED ?? 1000);
    const progs = Array.from({ length: count }, (_, i) => randomProgram(seed0 + i));
    const bins = assemble(progs);
    let translated = 0;
    for (let i = 0; i < count; i++) {
      const a = runFlat(bins[i], 'interp');
      const b = runFlat(bins[i], 'jit');
      const ctx = `program ${i} (seed ${seed0 + i}):\n${progs[i]}`;
      expect(b.regs, ctx).toEqual(a.regs);
      expect(b.flags & 0x8d5, ctx).toBe(a.flags & 0x8d5);
      expect(Buffer.from(b.data).equals(Buffer.from(a.data)), ctx).toBe(true);
      expect(b.retired, ctx).toBe(a.retired);
      expect(b.stats!.failures, ctx).toBe(0); // a region that fails to compile would hide behind the interpreter
      translated += b.stats!.regions;
    }
    console.log(`jit fuzz: ${count} programs, ${translated} regions translated, all states identical`);
    expect(translated).toBeGreaterThanOrEqual(count);
  }, 120_000);
});
