// Mode transitions executed by guest code (SDM Vol. 3 §9.9 switching modes, §9.8.5 initializing IA-32e mode,
// §9.8.5.4 leaving it): real -> protected -> compatibility -> 64-bit -> compatibility -> protected -> 16-bit
// protected -> real, plus the power-on state and the INIT/SIPI start of an application processor.
import { describe, it, expect } from 'vitest';
import { makeMachine, run, identityMap4, reg32, setIdt } from './helpers.js';
import { asm } from './asm.js';
import {
  CODE_BITS, STACK_SIZE, CPL, CR0, EFER, RIP_F, SEG_SEL, SEG_BASE_F, HALTED, MSR_APIC_BASE, PENDING, GPR_LO, Efer,
} from '../../machine/cpu/state.js';
import { setRealSegment, CS } from '../../machine/cpu/segments.js';
import { resetCpu } from '../../machine/cpu/reset.js';
import { requestInit, requestSipi, requestInterruptCheck } from '../../machine/cpu/interrupts.js';
import { cpuSignature } from '../../machine/cpu/cpuid.js';

const MODES = `
start:
  cli
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, 0x7000
  lgdt [gdtr]
  mov eax, cr0
  or eax, 1
  mov cr0, eax
  jmp 0x08:pm32
.code32
pm32:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov esp, 0x7000
  mov dword ptr [0x500], esp
  mov eax, cr4
  or eax, 0x20
  mov cr4, eax
  mov eax, 0x10000
  mov cr3, eax
  mov ecx, 0xC0000080
  rdmsr
  or eax, 0x100
  wrmsr
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  mov ecx, 0xC0000080
  rdmsr
  mov dword ptr [0x504], eax
  jmp 0x18:lm64
.code64
lm64:
  mov rax, 0x123456789
  mov qword ptr [0x508], rax
  push 0x08
  lea rax, [rip + cm32]
  push rax
  retfq
.code32
cm32:
  mov dword ptr [0x510], 0x600d
  mov eax, cr0
  and eax, 0x7fffffff
  mov cr0, eax
  mov ecx, 0xC0000080
  rdmsr
  mov dword ptr [0x514], eax
  and eax, 0xfffffeff
  wrmsr
  jmp 0x20:pm16
.code16
pm16:
  mov ax, 0x28
  mov ds, ax
  mov ss, ax
  mov eax, cr0
  and eax, 0xfffffffe
  mov cr0, eax
  jmp 0:rm16
rm16:
  mov ax, 0x50
  mov ds, ax
  mov word ptr [0x20], 0x1234
  hlt
.balign 8
gdt:
  .quad 0
  .quad 0x00cf9a000000ffff
  .quad 0x00cf92000000ffff
  .quad 0x00af9a000000ffff
  .quad 0x00009a000000ffff
  .quad 0x000092000000ffff
gdtr:
  .word gdtr - gdt - 1
  .long gdt
`;

describe('mode transitions', () => {
  it('real -> protected -> long (compatibility, 64-bit) -> compatibility -> protected -> real', () => {
    const m = makeMachine();
    identityMap4(m.mem, 0x10000);
    m.mem.writeBytes(0x8000, asm(MODES, 0x8000, 16));
    setRealSegment(m.cpu, CS, 0);
    m.cpu.f64[RIP_F] = 0x8000;
    run(m, 10_000);
    const s = m.cpu.i32;
    expect(m.mem.read32(0x500)).toBe(0x7000); // 32-bit ESP write in protected mode
    expect(m.mem.read32(0x504) & (Efer.LME | Efer.LMA)).toBe(Efer.LME | Efer.LMA); // LMA set by CR0.PG in compat mode
    expect(m.mem.read32(0x508)).toBe(0x23456789); // a 64-bit immediate and store only exist in 64-bit mode
    expect(m.mem.read32(0x50c)).toBe(1);
    expect(m.mem.read32(0x510)).toBe(0x600d);
    expect(m.mem.read32(0x514) & Efer.LMA).toBe(0); // clearing PG left long mode
    expect(m.mem.read16(0x520)).toBe(0x1234); // real-mode segment arithmetic: 0x50 * 16 + 0x20
    expect(s[HALTED]).toBe(1);
    expect(s[CODE_BITS]).toBe(16);
    expect(s[STACK_SIZE]).toBe(2);
    expect(s[CR0] & 0x80000001).toBe(0);
    expect(s[EFER] & (Efer.LME | Efer.LMA)).toBe(0);
    expect(s[SEG_SEL(CS)]).toBe(0);
    expect(m.cpu.f64[SEG_BASE_F(CS)]).toBe(0);
  });

  it('far jump into 64-bit code with paging off is impossible: enabling PG needs PAE with LME', () => {
    const m = makeMachine();
    const src = `
  lgdt [gdtr]
  mov eax, cr0
  or eax, 1
  mov cr0, eax
  jmp 0x08:pm
.code32
pm:
  mov ecx, 0xC0000080
  rdmsr
  or eax, 0x100
  wrmsr
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  hlt
gp:
  mov dword ptr [0x600], 0xbad
  hlt
.balign 8
gdt:
  .quad 0
  .quad 0x00cf9a000000ffff
gdtr:
  .word gdtr - gdt - 1
  .long gdt
idt:
  .word gp, 0x08, 0x8e00, 0
`;
    const code = asm(src, 0x8000, 16);
    m.mem.writeBytes(0x8000, code);
    // IDT with only #GP (vector 13) at 0x9000: the code's own "idt" row, copied to vector 13.
    const idtOff = code.length - 8;
    m.mem.writeBytes(0x9000 + 13 * 8, code.subarray(idtOff, idtOff + 8));
    setRealSegment(m.cpu, CS, 0);
    m.cpu.f64[RIP_F] = 0x8000;
    setIdt(m.cpu, 0x9000, 0x7ff);
    run(m, 1000);
    expect(m.mem.read32(0x600)).toBe(0xbad);
    expect(m.cpu.i32[CR0] >>> 31).toBe(0);
  });
});

describe('power-on and INIT/SIPI', () => {
  it('the BSP starts at F000:FFF0 with CS.base FFFF0000; EDX holds the signature', () => {
    const m = makeMachine();
    resetCpu(m.cpu, true);
    const s = m.cpu.i32;
    expect(s[SEG_SEL(CS)]).toBe(0xf000);
    expect(m.cpu.f64[SEG_BASE_F(CS)]).toBe(0xffff0000);
    expect(m.cpu.f64[RIP_F]).toBe(0xfff0);
    expect(s[CR0]).toBe(0x60000010);
    expect(s[HALTED]).toBe(0);
    expect(s[CODE_BITS]).toBe(16);
    expect(s[GPR_LO(2)]).toBe(cpuSignature());
    expect(s[MSR_APIC_BASE] >>> 0).toBe(0xfee00900);
  });

  it('an AP waits for SIPI, ignores interrupts meanwhile, and starts at vector * 4096', () => {
    const m = makeMachine();
    resetCpu(m.cpu, false);
    expect(m.cpu.i32[HALTED]).toBe(2);
    m.mem.writeBytes(0x8000, asm('mov ax, cs\n mov ds, ax\n mov word ptr [0x100], ax\n hlt', 0, 16));
    m.cpu.intc = { pending: () => 0x30, ack: () => 0x30 };
    requestInterruptCheck(m.cpu);
    m.interp.run(m.cpu, 100);
    expect(m.cpu.i32[HALTED]).toBe(2);
    expect(m.cpu.i32[PENDING]).toBe(0);
    requestSipi(m.cpu, 0x08);
    m.cpu.intc = undefined;
    m.interp.run(m.cpu, 100);
    expect(m.mem.read16(0x8100)).toBe(0x800);
    expect(m.cpu.i32[HALTED]).toBe(1);
    // A second SIPI while not waiting for one is ignored; INIT puts the AP back into wait-for-SIPI.
    requestSipi(m.cpu, 0x09);
    m.interp.run(m.cpu, 10);
    expect(m.cpu.i32[SEG_SEL(CS)]).toBe(0x800);
    m.cpu.i32[HALTED] = 0;
    requestInit(m.cpu);
    m.interp.run(m.cpu, 10);
    expect(m.cpu.i32[HALTED]).toBe(2);
    expect(m.cpu.i32[CPL]).toBe(0);
    expect(reg32(m.cpu, 2)).toBe(cpuSignature());
  });
});
