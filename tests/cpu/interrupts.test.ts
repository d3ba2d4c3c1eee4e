// Interrupt and exception delivery run by guest code (SDM Vol. 3 §6): real-mode IVT, 32-bit IDT with privilege
// change through the TSS, 64-bit IDT with RSP0/IST and compatibility-mode callers, double fault and triple fault,
// external interrupts (IF, STI and MOV SS shadows, HLT wake-up) and NMI blocking.
import { describe, it, expect } from 'vitest';
import {
  makeMachine, TM, run, runToStop, enterFlat32, enterLong, writeDesc, desc, gate32, writeGate64, setIdt, reg32,
  flags,
} from './helpers.js';
import { asm } from './asm.js';
import { RIP_F, HALTED, CPL, SEG_SEL, CODE_BITS, NMI_BLOCKED } from '../../machine/cpu/state.js';
import { setRealSegment, CS, DS } from '../../machine/cpu/segments.js';
import { requestInterruptCheck, requestNmi } from '../../machine/cpu/interrupts.js';

const IF = 0x200;

function load(m: TM, org: number, src: string, bits: 16 | 32 | 64): void {
  m.mem.writeBytes(org, asm(src, org, bits));
}

describe('real mode', () => {
  it('INT n through the IVT pushes FLAGS, CS, IP and clears IF/TF; IRET returns', () => {
    const m = makeMachine();
    load(
      m,
      0x7c00,
      `
  xor ax, ax
  mov ds, ax
  mov ax, 0x900
  mov ss, ax
  mov sp, 0x1000
  mov word ptr [0x21 * 4], offset handler
  mov word ptr [0x21 * 4 + 2], 0
  sti
  int 0x21
after:
  mov word ptr [0x510], sp
  mov word ptr [0x512], offset after
  hlt
handler:
  mov bp, sp
  mov ax, [bp]
  mov [0x500], ax
  mov ax, [bp + 2]
  mov [0x502], ax
  mov ax, [bp + 4]
  mov [0x504], ax
  pushf
  pop ax
  mov [0x506], ax
  mov [0x508], sp
  iret
`,
      16,
    );
    setRealSegment(m.cpu, CS, 0);
    m.cpu.f64[RIP_F] = 0x7c00;
    run(m, 1000);
    const ret = m.mem.read16(0x512);
    expect(m.mem.read16(0x500)).toBe(ret); // IP of the next instruction
    expect(m.mem.read16(0x502)).toBe(0); // CS
    expect(m.mem.read16(0x504) & IF).toBe(IF); // FLAGS as before INT
    expect(m.mem.read16(0x506) & IF).toBe(0); // IF cleared in the handler
    expect(m.mem.read16(0x508)).toBe(0x1000 - 6); // the 6-byte frame (PUSHF/POP balance)
    expect(m.mem.read16(0x510)).toBe(0x1000);
    expect(flags(m.cpu) & IF).toBe(IF); // restored by IRET
  });
});

const PROG32 = `
  mov ax, 0x28
  ltr ax
  push 0x23
  push 0x7800
  push 0x202
  push 0x1b
  push 0x8400
  iretd
.org 0x200
  mov ss:[0x600], esp
  mov eax, [esp]
  mov ss:[0x604], eax
  mov eax, [esp + 4]
  mov ss:[0x608], eax
  mov eax, [esp + 8]
  mov ss:[0x60c], eax
  mov eax, [esp + 12]
  mov ss:[0x610], eax
  mov eax, [esp + 16]
  mov ss:[0x614], eax
  pushfd
  pop eax
  mov ss:[0x618], eax
  mov eax, 0x22
  iretd
.org 0x300
  mov ss:[0x620], esp
  mov eax, [esp]
  mov ss:[0x624], eax
  mov eax, [esp + 4]
  mov ss:[0x628], eax
  pushfd
  pop eax
  mov ss:[0x62c], eax
  add esp, 4
  add dword ptr [esp], 2
  iretd
.org 0x380
  hlt
.org 0x400
  mov ebx, ds
  mov ss:[0x7700], ebx
  mov eax, 0x11
  int 0x80
after80:
  mov ss:[0x7704], eax
  mov dword ptr ss:[0x77f0], offset after80
  mov dword ptr ss:[0x77f4], offset int81
int81:
  int 0x81
  mov dword ptr ss:[0x7708], 0x77
  int 0x82
`;

describe('protected mode (32-bit IDT)', () => {
  it('privilege change through the TSS, trap vs interrupt gates, #GP for a DPL-0 gate, IRET to CPL 3', () => {
    const m = makeMachine();
    enterFlat32(m, 0x1000);
    writeDesc(m.mem, 0x1000, 5, desc(0x6000, 0x67, 0x09, 0, { db: false, g: false }));
    m.mem.write32(0x6000 + 4, 0x9000); // ESP0
    m.mem.write32(0x6000 + 8, 0x10); // SS0
    const IDT = 0x2000;
    const put = (v: number, g: [number, number]): void => writeDesc(m.mem, IDT, v, g);
    put(0x80, gate32(0x08, 0x8200, 0x0f, 3)); // trap gate, callable from CPL 3
    put(0x81, gate32(0x08, 0x8380, 0x0e, 0)); // DPL 0: INT 0x81 from CPL 3 is #GP
    put(0x82, gate32(0x08, 0x8380, 0x0e, 3));
    put(13, gate32(0x08, 0x8300, 0x0e, 0));
    setIdt(m.cpu, IDT, 0x100 * 8 - 1);
    load(m, 0x8000, PROG32, 32);
    m.cpu.f64[RIP_F] = 0x8000;
    m.cpu.i32[4 * 2] = 0x7000; // ESP
    run(m, 10_000);
    const r = (a: number): number => m.mem.read32(a) >>> 0;
    expect(r(0x7700)).toBe(0); // DS (DPL 0) was nulled by the IRET to CPL 3
    // INT 0x80 from CPL 3: SS:ESP from the TSS, frame SS ESP EFLAGS CS EIP.
    expect(r(0x600)).toBe(0x9000 - 20);
    expect(r(0x604)).toBe(r(0x77f0));
    expect(r(0x608)).toBe(0x1b);
    expect(r(0x60c) & IF).toBe(IF);
    expect(r(0x610)).toBe(0x7800);
    expect(r(0x614)).toBe(0x23);
    expect(r(0x618) & IF).toBe(IF); // a trap gate leaves IF alone
    expect(r(0x7704)).toBe(0x22); // EAX from the handler, after IRET to CPL 3
    // INT 0x81 (gate DPL 0 < CPL 3): #GP(0x81 * 8 + 2), a fault at the INT instruction, interrupt gate.
    expect(r(0x624)).toBe(0x81 * 8 + 2);
    expect(r(0x628)).toBe(r(0x77f4));
    expect(r(0x620)).toBe(0x9000 - 24);
    expect(r(0x62c) & IF).toBe(0);
    expect(r(0x7708)).toBe(0x77);
    expect(m.cpu.i32[HALTED]).toBe(1);
    expect(m.cpu.i32[CPL]).toBe(0);
    // The TSS descriptor is busy after LTR.
    expect((m.mem.read32(0x1000 + 5 * 8 + 4) >>> 8) & 0xf).toBe(0xb);
  });
});

const TSS64 = 0x6000;
const IDT64 = 0x3000;

function long64(m: TM): void {
  enterLong(m, { tss: TSS64 });
  setIdt(m.cpu, IDT64, 256 * 16 - 1);
  m.cpu.i32[4 * 2] = 0x7000;
  m.cpu.i32[4 * 2 + 1] = 0;
}

const PROG64 = `
  push 0x23
  push 0x70008
  push 0x202
  push 0x2b
  push 0x8400
  iretq
.org 0x200
  mov [0x600], rsp
  mov rax, [rsp]
  mov [0x608], rax
  mov rax, [rsp + 8]
  mov [0x610], rax
  mov rax, [rsp + 24]
  mov [0x618], rax
  mov rax, [rsp + 32]
  mov [0x620], rax
  mov ax, ss
  mov [0x628], ax
  iretq
.org 0x300
  mov [0x630], rsp
  mov rax, [rsp]
  mov [0x638], rax
  add qword ptr [rsp], 2
  iretq
.org 0x380
  mov rax, [rsp + 8]
  mov [0x640], rax
  hlt
.org 0x400
  int 0x80
  ud2
  mov dword ptr [0x70100], 0x5a
  push 0x23
  push 0x71000
  push 0x202
  push 0x1b
  push 0x8500
  iretq
.org 0x500
.code32
  mov ax, 0x23
  mov ds, ax
  int 0x80
  mov dword ptr [0x70104], 0x32
  int 0x82
`;

describe('long mode (64-bit IDT)', () => {
  it('RSP0 and IST stacks, 16-byte alignment, null SS with RPL, compatibility-mode callers', () => {
    const m = makeMachine();
    long64(m);
    m.mem.write32(TSS64 + 4, 0x90008); // RSP0 (aligned down to 0x90000)
    m.mem.write32(TSS64 + 0x24, 0xa0000); // IST1
    writeGate64(m.mem, IDT64, 0x80, 0x08, 0x8200, 0x0f, 3);
    writeGate64(m.mem, IDT64, 6, 0x08, 0x8300, 0x0e, 0, 1); // #UD on IST1
    writeGate64(m.mem, IDT64, 0x82, 0x08, 0x8380, 0x0e, 3);
    load(m, 0x8000, PROG64, 64);
    m.cpu.f64[RIP_F] = 0x8000;
    run(m, 10_000);
    const r = (a: number): number => m.mem.read32(a) >>> 0;
    // The second INT 0x80 (from compatibility mode) overwrote 0x600..: check it, then the #UD frame.
    expect(r(0x600)).toBe(0x90000 - 40);
    expect(r(0x608)).toBe(0x8508); // RIP after INT 0x80 in the 32-bit code
    expect(r(0x610)).toBe(0x1b); // CS of the compatibility-mode caller
    expect(r(0x618)).toBe(0x71000); // RSP
    expect(r(0x620)).toBe(0x23); // SS
    expect(m.mem.read16(0x628)).toBe(0); // SS in the handler: null selector with RPL = CPL 0
    expect(r(0x630)).toBe(0xa0000 - 40); // #UD ran on IST1
    expect(r(0x638)).toBe(0x8402); // faulting UD2
    expect(r(0x70100)).toBe(0x5a);
    expect(r(0x70104)).toBe(0x32);
    expect(r(0x640)).toBe(0x1b); // INT 0x82 came from compatibility mode too
    expect(m.cpu.i32[CODE_BITS]).toBe(64);
  });

  it('#PF while pushing the #PF frame becomes #DF (delivered on IST), error code 0', () => {
    const m = makeMachine();
    long64(m);
    m.mem.write32(TSS64 + 4, 0x0); // RSP0 = 0: the frame would go to the top of the address space (unmapped)
    m.mem.write32(TSS64 + 4 + 4, 0);
    m.mem.write32(TSS64 + 0x24, 0xa0000);
    writeGate64(m.mem, IDT64, 14, 0x08, 0x8200, 0x0e, 0);
    writeGate64(m.mem, IDT64, 8, 0x08, 0x8300, 0x0e, 0, 1);
    load(
      m,
      0x8000,
      `
  push 0x23
  push 0x70000
  push 0x2
  push 0x2b
  push 0x8400
  iretq
.org 0x300
  mov rax, [rsp]
  mov [0x600], rax
  mov rax, [rsp + 8]
  mov [0x608], rax
  mov rax, [rsp + 16]
  mov [0x610], rax
  hlt
.org 0x400
  mov rax, 0x7ff000000000
  mov byte ptr [rax], 1
`,
      64,
    );
    m.cpu.f64[RIP_F] = 0x8000;
    run(m, 1000);
    expect(m.mem.read32(0x600)).toBe(0); // #DF error code
    expect(m.mem.read32(0x608)).toBe(0x840a); // RIP of the faulting store
    expect(m.mem.read32(0x610)).toBe(0x2b);
  });

  it('contributory + contributory: #NP (gate not present) then #GP (empty #NP gate) becomes #DF', () => {
    const m = makeMachine();
    long64(m);
    writeGate64(m.mem, IDT64, 0x90, 0x08, 0x8300, 0x0e, 0, 0, false);
    writeGate64(m.mem, IDT64, 8, 0x08, 0x8300, 0x0e, 0);
    load(m, 0x8000, `int 0x90\n.org 0x300\n mov rax, [rsp]\n mov [0x600], rax\n mov rax, [rsp + 8]\n mov [0x608], rax\n hlt`, 64);
    m.cpu.f64[RIP_F] = 0x8000;
    run(m, 1000);
    expect(m.mem.read32(0x600)).toBe(0);
    expect(m.mem.read32(0x608)).toBe(0x8000);
  });

  it('a fault while delivering #DF is a triple fault: the machine stops with a report (empty IDT: #GP chain)', () => {
    const m = makeMachine();
    long64(m);
    load(m, 0x8000, `nop\n int 0x90`, 64);
    m.cpu.f64[RIP_F] = 0x8000;
    const stop = runToStop(m, 1000);
    expect(stop.reason).toBe('triple-fault');
    expect(stop.message).toContain('0008:0000000000008001');
    expect(stop.message).toContain('int 90h (cd 90)');
    expect(stop.message).toContain('#GP(0x902) -> #GP(0xd3) -> #DF(0x0) -> #GP(0x83) -> shutdown');
  });
});

describe('single-step', () => {
  it('TF = 1 raises a #DB trap after each instruction, starting after the one following POPF', () => {
    const m = makeMachine();
    long64(m);
    writeGate64(m.mem, IDT64, 1, 0x08, 0x8200, 0x0e, 0);
    load(
      m,
      0x8000,
      `
  pushfq
  or qword ptr [rsp], 0x100
  popfq
  mov eax, 1
  mov ebx, 2
  pushfq
  and qword ptr [rsp], -0x101
  popfq
last:
  mov ecx, 3
  mov qword ptr [0x6f8], offset last
  hlt
.org 0x200
  mov eax, [0x600]
  mov rdx, [rsp]
  mov [0x608 + rax * 8], rdx
  inc dword ptr [0x600]
  iretq
`,
      64,
    );
    m.cpu.f64[RIP_F] = 0x8000;
    run(m, 1000);
    expect(m.mem.read32(0x600)).toBe(5);
    expect(m.mem.read32(0x608 + 4 * 8)).toBe(m.mem.read32(0x6f8)); // the last trap follows the TF-clearing POPF
    expect(m.cpu.i32[90 + 12] & 0x4000).toBe(0x4000); // DR6.BS
    expect(m.cpu.i32[HALTED]).toBe(1);
  });
});

describe('external interrupts', () => {
  const HANDLER = `
.org 0x200
  mov eax, [0x604]
  mov [0x610], eax
  mov eax, [0x608]
  mov [0x614], eax
  mov rax, [rsp]
  mov [0x618], rax
  inc dword ptr [0x61c]
  iretq
`;

  function withIntc(m: TM, vectors: number[]): void {
    m.cpu.intc = { pending: () => (vectors.length > 0 ? vectors[0] : -1), ack: () => vectors.shift() ?? 0xff };
  }

  it('accepted only with IF = 1, after the instruction in the STI shadow', () => {
    const m = makeMachine();
    long64(m);
    writeGate64(m.mem, IDT64, 0x40, 0x08, 0x8200, 0x0e, 0);
    load(
      m,
      0x8000,
      `
  cli
  mov dword ptr [0x600], 1
  sti
  mov dword ptr [0x604], 2
third:
  mov dword ptr [0x608], 3
  mov qword ptr [0x620], offset third
  hlt
` + HANDLER,
      64,
    );
    m.cpu.f64[RIP_F] = 0x8000;
    withIntc(m, [0x40]);
    requestInterruptCheck(m.cpu);
    run(m, 1000);
    expect(m.mem.read32(0x61c)).toBe(1);
    expect(m.mem.read32(0x610)).toBe(2); // the shadowed instruction ran first
    expect(m.mem.read32(0x614)).toBe(0); // the next one had not
    expect(m.mem.read32(0x618)).toBe(m.mem.read32(0x620));
  });

  it('POPF that sets IF makes a pending interrupt deliverable right after it (no shadow)', () => {
    const m = makeMachine();
    long64(m);
    writeGate64(m.mem, IDT64, 0x40, 0x08, 0x8200, 0x0e, 0);
    load(
      m,
      0x8000,
      `
  cli
  pushfq
  or qword ptr [rsp], 0x200
  mov dword ptr [0x604], 2
  popfq
third:
  mov dword ptr [0x608], 3
  mov qword ptr [0x620], offset third
  hlt
` + HANDLER,
      64,
    );
    m.cpu.f64[RIP_F] = 0x8000;
    withIntc(m, [0x40]);
    requestInterruptCheck(m.cpu);
    run(m, 1000);
    expect(m.mem.read32(0x61c)).toBe(1);
    expect(m.mem.read32(0x610)).toBe(2);
    expect(m.mem.read32(0x614)).toBe(0);
    expect(m.mem.read32(0x618)).toBe(m.mem.read32(0x620));
  });

  it('MOV SS also blocks for one instruction', () => {
    const m = makeMachine();
    long64(m);
    writeGate64(m.mem, IDT64, 0x40, 0x08, 0x8200, 0x0e, 0);
    // MOV SS ends a page, hence a block: run that block alone, then let the interrupt arrive.
    load(
      m,
      0x8000,
      `
.org 0x200
  mov eax, [0x604]
  mov [0x610], eax
  mov eax, [0x608]
  mov [0x614], eax
  inc dword ptr [0x61c]
  iretq
.org 0xffa
  mov ax, 0x10
  mov ss, ax
  mov dword ptr [0x604], 2
  mov dword ptr [0x608], 3
  hlt
`,
      64,
    );
    m.cpu.f64[RIP_F] = 0x8ffa;
    m.cpu.i32[32] |= IF;
    m.interp.exec(m.cpu, m.interp.lookup(m.cpu));
    expect(m.cpu.f64[RIP_F]).toBe(0x9000);
    withIntc(m, [0x40]);
    requestInterruptCheck(m.cpu);
    run(m, 1000);
    expect(m.mem.read32(0x61c)).toBe(1);
    expect(m.mem.read32(0x610)).toBe(2);
    expect(m.mem.read32(0x614)).toBe(0);
  });

  it('HLT wakes on an interrupt and the frame returns past HLT', () => {
    const m = makeMachine();
    long64(m);
    writeGate64(m.mem, IDT64, 0x41, 0x08, 0x8200, 0x0e, 0);
    load(m, 0x8000, `sti\n hlt\npast:\n mov qword ptr [0x620], offset past\n mov dword ptr [0x608], 7\n cli\n hlt\n` + HANDLER, 64);
    m.cpu.f64[RIP_F] = 0x8000;
    const q: number[] = [];
    withIntc(m, q);
    run(m, 100);
    expect(m.cpu.i32[HALTED]).toBe(1);
    run(m, 100);
    expect(m.mem.read32(0x61c)).toBe(0); // still halted: nothing pending
    q.push(0x41);
    requestInterruptCheck(m.cpu);
    m.interp.run(m.cpu, 100);
    expect(m.mem.read32(0x61c)).toBe(1);
    expect(m.mem.read32(0x618)).toBe(m.mem.read32(0x620));
    expect(m.mem.read32(0x608)).toBe(7);
    // With IF = 0 a pending interrupt does not wake HLT.
    q.push(0x41);
    requestInterruptCheck(m.cpu);
    m.interp.run(m.cpu, 100);
    expect(m.cpu.i32[HALTED]).toBe(1);
    expect(m.mem.read32(0x61c)).toBe(1);
  });

  it('NMI ignores IF, is blocked until IRET, then the latched one is taken', () => {
    const m = makeMachine();
    long64(m);
    writeGate64(m.mem, IDT64, 2, 0x08, 0x8200, 0x0e, 0);
    // Writing port 0x80 raises an NMI: the handler raises one while NMIs are blocked.
    m.io.register('nmi', 0x80, 1, { read: () => 0, write: () => requestNmi(m.cpu) });
    load(
      m,
      0x8000,
      `
  cli
  hlt
  hlt
.org 0x200
  inc dword ptr [0x600]
  cmp dword ptr [0x600], 1
  jne 1f
  out 0x80, al
  mov eax, [0x600]
  mov [0x604], eax
1:
  iretq
`,
      64,
    );
    m.cpu.f64[RIP_F] = 0x8000;
    run(m, 100);
    requestNmi(m.cpu);
    m.interp.run(m.cpu, 1000);
    expect(m.mem.read32(0x604)).toBe(1); // the nested request waited
    expect(m.mem.read32(0x600)).toBe(2); // and was delivered after IRET
    expect(m.cpu.i32[NMI_BLOCKED]).toBe(0);
    expect(m.cpu.i32[HALTED]).toBe(1);
    expect(reg32(m.cpu, 0)).toBe(1);
  });
});
