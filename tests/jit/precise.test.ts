// Precise exceptions from inside translated regions (#PF mid-region, #DE, #GP): the handler sees the architectural
// state of the faulting instruction and execution resumes correctly after it returns; JIT and interpreter agree.
import { describe, it, expect } from 'vitest';
import { assemble } from '../oracle/assemble.js';
import { runFlat } from './flat.js';
import { PROLOGUE, MAP_ON_PF, GP_RESETS_RSI } from './prologue.js';


function both(src: string, unmapped: number[] = []) {
  const [bin] = assemble([src]);
  const a = runFlat(bin, 'interp', { unmapped });
  const b = runFlat(bin, 'jit', { unmapped, threshold: 1 });
  return { a, b };
}

describe('precise faults inside translated regions', () => {
  it('#PF in the middle of a region: handler maps the page, the load restarts', () => {
    const src = `${PROLOGUE}
  lea r12, [rip + faulting]
  mov ecx, 1000
  xor ebx, ebx
  mov rsi, 0x600000
1:
  add rbx, rcx
faulting:
  mov rdx, [rsi + rcx*8]
  add rbx, rdx
  mov [rsi + rcx*8 + 8], rbx
  dec ecx
  jnz 1b
  hlt
${MAP_ON_PF}`;
    const { a, b } = both(src, [3]);
    // Independent model of the loop.
    const mem = new Map<bigint, bigint>();
    let rbx = 0n;
    for (let rcx = 1000n; rcx > 0n; rcx--) {
      rbx = (rbx + rcx) & 0xffffffffffffffffn;
      rbx = (rbx + (mem.get(rcx) ?? 0n)) & 0xffffffffffffffffn;
      mem.set(rcx + 1n, rbx);
    }
    for (const r of [a, b]) {
      expect(r.regs[15]).toBe(1n); // exactly one fault
      expect(r.regs[14]).toBe(0x600000n + 8n * 1000n); // CR2 = the first load's address
      expect(r.regs[13]).toBe(r.regs[12]); // RIP in the frame = the faulting MOV
      expect(r.regs[3]).toBe(rbx);
    }
    expect(b.regs).toEqual(a.regs);
    expect(b.retired).toBe(a.retired);
    expect(b.stats!.regions).toBeGreaterThan(0);
  });

  it('#DE from a divide inside a region: handler fixes the divisor, DIV restarts', () => {
    const src = `${PROLOGUE}
  lea r12, [rip + divide]
  mov ecx, 200
  xor ebx, ebx
  mov r8, 7
1:
  mov eax, ecx
  imul eax, eax, 13
  xor edx, edx
  cmp ecx, 100
  jne 2f
  xor r8d, r8d
2:
divide:
  div r8
  add rbx, rax
  add rbx, rdx
  dec ecx
  jnz 1b
  hlt
handler0:
  inc r15
  mov r13, [rsp]
  mov r8, 5
  iretq
handler13:
handler14:
  hlt
`;
    const { a, b } = both(src);
    let rbx = 0n;
    let r8 = 7n;
    for (let rcx = 200n; rcx > 0n; rcx--) {
      const eax = (rcx * 13n) & 0xffffffffn;
      if (rcx === 100n) r8 = 5n; // zeroed, then the handler sets 5 and DIV restarts
      rbx += eax / r8 + (eax % r8);
    }
    for (const r of [a, b]) {
      expect(r.regs[15]).toBe(1n);
      expect(r.regs[13]).toBe(r.regs[12]);
      expect(r.regs[3]).toBe(rbx);
    }
    expect(b.regs).toEqual(a.regs);
    expect(b.retired).toBe(a.retired);
  });

  it('#GP on a non-canonical load inside a region: registers and flags are those before the load', () => {
    const src = `${PROLOGUE}
  lea r12, [rip + load]
  mov ecx, 300
  xor ebx, ebx
  mov rsi, 0x200000
1:
  cmp ecx, 150
  jne 2f
  mov rsi, 0x8000000000000000
2:
  add ebx, 3
load:
  mov rax, [rsi]
  add rbx, rax
  dec ecx
  jnz 1b
  hlt
${GP_RESETS_RSI}`;
    const { a, b } = both(src);
    for (const r of [a, b]) {
      expect(r.regs[15]).toBe(1n);
      expect(r.regs[13]).toBe(r.regs[12]);
      expect(r.regs[3]).toBe(300n * 3n); // the data area is zero: only the ADDs count
      expect(Number(r.regs[11]) & 0x8d5).toBe(0x04); // flags of "add ebx, 3" at 150*3+3=453: PF=1 (0xC5 has 4 bits)
    }
    expect(b.regs).toEqual(a.regs); // includes r11 = RFLAGS in the #GP frame (from "add ebx, 3")
    expect(b.retired).toBe(a.retired);
  });

  it('#GP right after an overflowing IMUL: the frame holds its CF/OF (computed only when the flags are stored)', () => {
    // imul ecx, edi overflows on the iteration where rsi turns non-canonical; the load after it faults, so the
    // handler's RFLAGS must show CF = OF = 1 from the IMUL (the translator defers that test to the flag store).
    const src = `${PROLOGUE}
  lea r12, [rip + load]
  mov ecx, 300
  xor ebx, ebx
  mov rsi, 0x200000
1:
  mov edi, 3
  cmp ecx, 150
  jne 2f
  mov rsi, 0x8000000000000000
  mov edi, 0x40000000
2:
  mov eax, ecx
  imul eax, edi
load:
  mov rdx, [rsi]
  add rbx, rax
  dec ecx
  jnz 1b
  hlt
${GP_RESETS_RSI}`;
    const { a, b } = both(src);
    for (const r of [a, b]) {
      expect(r.regs[15]).toBe(1n);
      expect(r.regs[13]).toBe(r.regs[12]);
      expect(Number(r.regs[11]) & 0x801).toBe(0x801); // CF and OF of 150 * 0x40000000 (does not fit in 32 bits)
    }
    expect(b.regs).toEqual(a.regs);
    expect(b.retired).toBe(a.retired);
  });
});
