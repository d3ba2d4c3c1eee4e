// System instructions executed by guest code (SDM Vol. 2): CPUID (and that every advertised feature executes),
// RDMSR/WRMSR rules, RDTSC, SYSCALL/SYSRET, SYSENTER/SYSEXIT, SWAPGS, call gates with parameter copy, LAR/LSL/
// VERR/VERW, I/O permission bitmap, string I/O, descriptor-table instructions, CR checks, RDRAND, privilege checks.
import { describe, it, expect } from 'vitest';
import {
  makeMachine, TM, run, enterFlat32, enterLong, writeDesc, desc, gate32, writeGate64, setIdt, setReg,
} from './helpers.js';
import { asm } from './asm.js';
import {
  RIP_F, HALTED, CPL, CR0, CR4, EFER, SEG_SEL, SEG_BASE_F, MSR_STAR, MSR_LSTAR, MSR_FMASK, MSR_SYSENTER_CS,
  MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_KGSBASE, GDTR_BASE_F, GDTR_LIMIT, CR8,
} from '../../machine/cpu/state.js';
import { setRealSegment, CS, GS } from '../../machine/cpu/segments.js';
import { readMsr, writeMsr, msrLo, msrHi } from '../../machine/cpu/msr.js';
import { cpuid, outA, outB, outC, outD } from '../../machine/cpu/cpuid.js';
import { Cpu } from '../../machine/cpu/cpu.js';
import { PagingMmu } from '../../machine/cpu/mmu.js';
import { CpuFault } from '../../machine/cpu/fault.js';

const IDT = 0x3000;
const STUBS = 0x9000;
const GP = 13, UD = 6;

/** Exception stubs for vectors 0..31: record vector, error code (if any) and RIP at 0x700.., then HLT. */
function stubs64(): string {
  const hasErr = (v: number): boolean => v === 8 || (v >= 10 && v <= 14) || v === 17;
  let s = '';
  for (let v = 0; v < 32; v++) {
    s += `.org ${v * 0x40}\n  mov dword ptr [0x700], ${v}\n`;
    if (hasErr(v)) s += '  pop rax\n  mov [0x708], rax\n';
    else s += '  mov qword ptr [0x708], -1\n';
    s += '  mov rax, [rsp]\n  mov [0x710], rax\n  hlt\n';
  }
  return s;
}

/** 64-bit CPL 0 machine with recording exception stubs; `src` at 0x8000. */
function prog64(src: string, setup?: (m: TM) => void): TM {
  const m = makeMachine();
  enterLong(m, { tss: 0x6000 });
  setIdt(m.cpu, IDT, 256 * 16 - 1);
  m.mem.writeBytes(STUBS, asm(stubs64(), STUBS, 64));
  for (let v = 0; v < 32; v++) writeGate64(m.mem, IDT, v, 0x08, STUBS + v * 0x40, 0x0e, 0);
  m.mem.write32(0x6000 + 4, 0x90000); // RSP0
  m.mem.write32(0x700, 0xffffffff);
  m.mem.writeBytes(0x8000, asm(src, 0x8000, 64));
  m.cpu.f64[RIP_F] = 0x8000;
  setReg(m.cpu, 4, 0x7000);
  setup?.(m);
  run(m, 100_000);
  return m;
}

const faultVector = (m: TM): number => m.mem.read32(0x700) | 0;
const faultCode = (m: TM): number => m.mem.read32(0x708) | 0;

describe('CPUID', () => {
  function leaf(cpu: Cpu, a: number, c = 0): number[] {
    cpuid(cpu, a, c);
    return [outA >>> 0, outB >>> 0, outC >>> 0, outD >>> 0];
  }
  const str = (...w: number[]): string => w.map((x) => String.fromCharCode(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, x >>> 24)).join('');

  it('vendor, hypervisor leaf, APIC id per vCPU, address sizes, no x2APIC', () => {
    const m = makeMachine();
    const cpu3 = new Cpu(3, m.mem, m.io, new PagingMmu());
    const [max, b, c, d] = leaf(m.cpu, 0);
    expect(str(b, d, c)).toBe('GenuineIntel');
    expect(max).toBeGreaterThanOrEqual(7);
    const l1 = leaf(cpu3, 1);
    expect(l1[1] >>> 24).toBe(3);
    expect((l1[2] >>> 21) & 1).toBe(0); // x2APIC
    expect(l1[2] >>> 31).toBe(1); // hypervisor present
    const hv = leaf(m.cpu, 0x40000000);
    expect(str(hv[1], hv[2], hv[3])).toBe('bmjitbmjitbm');
    const e1 = leaf(m.cpu, 0x80000001);
    for (const bit of [11, 20, 26, 29]) expect((e1[3] >>> bit) & 1).toBe(1); // SYSCALL NX 1GiB LM
    expect(leaf(m.cpu, 0x80000008)[0]).toBe(0x3028);
    expect(leaf(m.cpu, 0x80000000)[0]).toBe(0x80000008);
    expect(leaf(m.cpu, 0x80000007)[3] & 0x100).toBe(0x100); // invariant TSC
    // Beyond the maximum: the highest basic leaf's data.
    expect(leaf(m.cpu, max + 1)).toEqual(leaf(m.cpu, max));
    expect(leaf(m.cpu, 0x8000_0100)).toEqual(leaf(m.cpu, max));
  });

  it('the APIC bit follows IA32_APIC_BASE.EN; the instruction writes EAX..EDX', () => {
    const m = prog64(`
  mov eax, 1
  cpuid
  mov [0x600], edx
  mov ecx, 0x1b
  rdmsr
  and eax, 0xfffff7ff
  wrmsr
  mov eax, 1
  cpuid
  mov [0x604], edx
  mov [0x608], ebx
  hlt
`);
    expect((m.mem.read32(0x600) >>> 9) & 1).toBe(1);
    expect((m.mem.read32(0x604) >>> 9) & 1).toBe(0);
    expect(m.mem.read32(0x608) >>> 24).toBe(0);
  });

  // Every feature CPUID advertises must execute: a representative instruction per feature bit.
  const FEATURES: { leaf: number; reg: 2 | 3 | 1; bit: number; name: string; code: string }[] = [
    { leaf: 1, reg: 3, bit: 4, name: 'TSC', code: 'rdtsc' },
    { leaf: 1, reg: 3, bit: 5, name: 'MSR', code: 'mov ecx, 0x277\n rdmsr' },
    { leaf: 1, reg: 3, bit: 8, name: 'CX8', code: 'lea rsi, [0x600]\n cmpxchg8b [rsi]' },
    { leaf: 1, reg: 3, bit: 11, name: 'SEP', code: 'mov ecx, 0x174\n rdmsr' },
    { leaf: 1, reg: 3, bit: 15, name: 'CMOV', code: 'cmove eax, ebx' },
    { leaf: 1, reg: 3, bit: 19, name: 'CLFSH', code: 'clflush [0x600]' },
    { leaf: 1, reg: 3, bit: 0, name: 'FPU', code: 'fninit\n fld1\n fstp qword ptr [0x600]' },
    { leaf: 1, reg: 3, bit: 23, name: 'MMX', code: 'movq mm0, [0x600]\n emms' },
    { leaf: 1, reg: 3, bit: 24, name: 'FXSR', code: 'fxsave [0x1000]\n fxrstor [0x1000]' },
    { leaf: 1, reg: 3, bit: 25, name: 'SSE', code: 'movaps xmm0, [0x600]\n addps xmm0, xmm0' },
    { leaf: 1, reg: 3, bit: 26, name: 'SSE2', code: 'movdqa xmm0, [0x600]\n paddq xmm0, xmm0' },
    { leaf: 1, reg: 2, bit: 0, name: 'SSE3', code: 'addsubps xmm0, xmm1' },
    { leaf: 1, reg: 2, bit: 9, name: 'SSSE3', code: 'pshufb xmm0, xmm1' },
    { leaf: 1, reg: 2, bit: 13, name: 'CX16', code: 'lea rsi, [0x600]\n cmpxchg16b [rsi]' },
    { leaf: 1, reg: 2, bit: 19, name: 'SSE4.1', code: 'ptest xmm0, xmm1' },
    { leaf: 1, reg: 2, bit: 20, name: 'SSE4.2', code: 'crc32 eax, ebx\n pcmpgtq xmm0, xmm1' },
    { leaf: 1, reg: 2, bit: 22, name: 'MOVBE', code: 'movbe eax, [0x600]' },
    { leaf: 1, reg: 2, bit: 23, name: 'POPCNT', code: 'popcnt eax, ebx' },
    { leaf: 1, reg: 2, bit: 30, name: 'RDRAND', code: 'rdrand eax' },
    { leaf: 7, reg: 1, bit: 18, name: 'RDSEED', code: 'rdseed eax' },
    { leaf: 7, reg: 1, bit: 19, name: 'ADX', code: 'adcx eax, ebx' },
    { leaf: 0x80000001, reg: 2, bit: 0, name: 'LAHF-LM', code: 'lahf\n sahf' },
    { leaf: 0x80000001, reg: 2, bit: 5, name: 'LZCNT', code: 'lzcnt eax, ebx' },
    { leaf: 0x80000001, reg: 3, bit: 11, name: 'SYSCALL', code: 'mov ecx, 0xc0000081\n rdmsr' },
    { leaf: 0x80000001, reg: 3, bit: 27, name: 'RDTSCP', code: 'rdtscp' },
  ];

  it.each(FEATURES)('advertised $name executes', (f) => {
    const probe = makeMachine();
    cpuid(probe.cpu, f.leaf, 0);
    const w = [outA, outB, outC, outD][f.reg];
    if (((w >>> f.bit) & 1) === 0) return; // not advertised: nothing to check
    const m = prog64(`mov rax, cr4\n or eax, 0x600\n mov cr4, rax\n ${f.code}\n mov dword ptr [0x604], 0x600d\n hlt`);
    expect(faultVector(m), `${f.name}: fault ${faultVector(m)}`).toBe(-1);
    expect(m.mem.read32(0x604)).toBe(0x600d);
  });
});

describe('MSRs', () => {
  it('read/write rules: unknown MSR, PAT types, canonical bases, EFER.LME under paging', () => {
    const m = makeMachine();
    enterLong(m);
    const gpOn = (f: () => void): void => {
      expect(f).toThrow(CpuFault);
    };
    gpOn(() => readMsr(m.cpu, 0x1234));
    gpOn(() => writeMsr(m.cpu, 0x277, 0x02, 0)); // PAT type 2 is reserved
    writeMsr(m.cpu, 0x277, 0x01000406, 0x00070106);
    readMsr(m.cpu, 0x277);
    expect([msrLo, msrHi]).toEqual([0x01000406, 0x00070106]);
    gpOn(() => writeMsr(m.cpu, 0xc0000100, 0, 0x8000)); // FS_BASE non-canonical
    writeMsr(m.cpu, 0xc0000100, 0x1000, 0xffff8000 | 0);
    expect(m.cpu.f64[SEG_BASE_F(4)]).toBe(-0x800000000000 + 0x1000);
    gpOn(() => writeMsr(m.cpu, 0xc0000080, 0x801, 0)); // clearing LME while paging is on
    gpOn(() => writeMsr(m.cpu, 0xc0000080, 0xd01 | 0x2, 0)); // reserved bit
    writeMsr(m.cpu, 0xc0000080, 0x501, 0); // clear NXE (LMA written as read: ignored)
    expect(m.cpu.i32[EFER]).toBe(0x501);
    readMsr(m.cpu, 0xfe);
    expect(msrLo & 0xff).toBe(8); // MTRRcap: 8 variable ranges
    gpOn(() => writeMsr(m.cpu, 0x200, 0x3, 0)); // MTRR type 3 reserved
    writeMsr(m.cpu, 0x201, 0xfff00800, 0xff);
    readMsr(m.cpu, 0x201);
    expect(msrLo >>> 0).toBe(0xfff00800);
    gpOn(() => writeMsr(m.cpu, 0x1b, 0xfee00c00, 0)); // x2APIC enable is not supported
  });

  it('RDMSR at CPL 3 is #GP(0); RDTSC strictly increases and is deterministic; WRMSR TSC sets it', () => {
    const src = `
  rdtsc
  mov [0x600], eax
  mov [0x604], edx
  rdtsc
  mov [0x608], eax
  mov ecx, 0x10
  mov eax, 0x10000000
  mov edx, 5
  wrmsr
  rdtsc
  mov [0x610], eax
  mov [0x614], edx
  push 0x23
  push 0x70000
  push 0x2
  push 0x2b
  lea rax, [rip + user]
  push rax
  iretq
user:
  rdmsr
`;
    const a = prog64(src);
    const b = prog64(src);
    expect(a.mem.read32(0x608) >>> 0).toBeGreaterThan(a.mem.read32(0x600) >>> 0);
    expect(a.mem.readBytes(0x600, 0x18)).toEqual(b.mem.readBytes(0x600, 0x18));
    expect(a.mem.read32(0x614)).toBe(5);
    const lo = a.mem.read32(0x610) >>> 0;
    expect(lo).toBeGreaterThanOrEqual(0x10000000);
    expect(lo).toBeLessThan(0x10000100);
    expect(faultVector(a)).toBe(GP);
    expect(faultCode(a)).toBe(0);
  });

  it('SWAPGS exchanges GS.base and KERNEL_GS_BASE', () => {
    const m = prog64(`
  mov ecx, 0xc0000101
  mov eax, 0x1000
  xor edx, edx
  wrmsr
  mov ecx, 0xc0000102
  mov eax, 0x2000
  wrmsr
  mov dword ptr [0x2000], 0x22
  mov dword ptr [0x1000], 0x11
  mov eax, gs:[0]
  mov [0x600], eax
  swapgs
  mov eax, gs:[0]
  mov [0x604], eax
  hlt
`);
    expect(m.mem.read32(0x600)).toBe(0x11);
    expect(m.mem.read32(0x604)).toBe(0x22);
    expect(m.cpu.i32[MSR_KGSBASE]).toBe(0x1000);
    expect(m.cpu.f64[SEG_BASE_F(GS)]).toBe(0x2000);
  });
});

describe('fast system calls', () => {
  it('SYSCALL / SYSRETQ: RCX, R11, FMASK, flat selectors from STAR, CPL switch', () => {
    const m = prog64(
      `
  push 0x23
  push 0x70000
  push 0x202
  push 0x2b
  push 0x8400
  iretq
.org 0x200
  mov [0x600], rcx
  mov [0x608], r11
  pushfq
  pop rax
  mov [0x610], rax
  mov ax, cs
  mov [0x618], ax
  mov ax, ss
  mov [0x61a], ax
  sysretq
.org 0x400
  syscall
after:
  mov qword ptr [0x620], offset after
  mov ax, cs
  mov [0x628], ax
  mov ax, ss
  mov [0x62a], ax
  pushfq
  pop rax
  mov [0x630], rax
  sysretq
`,
      (mm) => {
        const s = mm.cpu.i32;
        s[MSR_STAR + 1] = (0x18 << 16) | 0x08;
        s[MSR_LSTAR] = 0x8200;
        s[MSR_FMASK] = 0x200;
      },
    );
    expect(m.mem.read32(0x600)).toBe(m.mem.read32(0x620)); // RCX = return RIP
    expect(m.mem.read32(0x608) & 0x200).toBe(0x200); // R11 = RFLAGS with IF
    expect(m.mem.read32(0x610) & 0x200).toBe(0); // FMASK cleared IF
    expect(m.mem.read16(0x618)).toBe(0x08);
    expect(m.mem.read16(0x61a)).toBe(0x10);
    expect(m.mem.read16(0x628)).toBe(0x2b);
    expect(m.mem.read16(0x62a)).toBe(0x23);
    expect(m.mem.read32(0x630) & 0x200).toBe(0x200);
    expect(faultVector(m)).toBe(GP); // SYSRET at CPL 3
  });

  it('SYSENTER / SYSEXIT in 32-bit protected mode', () => {
    const m = makeMachine();
    enterFlat32(m);
    const s = m.cpu.i32;
    s[MSR_SYSENTER_CS] = 0x08;
    s[MSR_SYSENTER_ESP] = 0x9000;
    s[MSR_SYSENTER_EIP] = 0x8200;
    m.mem.writeBytes(
      0x8000,
      asm(
        `
  mov edx, 0x8400
  mov ecx, 0x7000
  sysexit
.org 0x200
  mov [0x600], esp
  mov ax, cs
  mov [0x604], ax
  mov ax, ss
  mov [0x606], ax
  hlt
.org 0x400
  mov ax, cs
  mov ss:[0x608], ax
  mov ss:[0x60c], esp
  sysenter
`,
        0x8000,
        32,
      ),
    );
    m.cpu.f64[RIP_F] = 0x8000;
    run(m, 1000);
    expect(m.mem.read16(0x608)).toBe(0x1b);
    expect(m.mem.read32(0x60c)).toBe(0x7000);
    expect(m.mem.read32(0x600)).toBe(0x9000);
    expect(m.mem.read16(0x604)).toBe(0x08);
    expect(m.mem.read16(0x606)).toBe(0x10);
    expect(m.cpu.i32[CPL]).toBe(0);
  });
});

describe('far transfers', () => {
  it('CALL through a 32-bit call gate to CPL 0 copies parameters; RETF imm returns to CPL 3', () => {
    const m = makeMachine();
    enterFlat32(m);
    writeDesc(m.mem, 0x1000, 5, desc(0x6000, 0x67, 0x09, 0, { db: false, g: false }));
    writeDesc(m.mem, 0x1000, 6, gate32(0x08, 0x8200, 0x0c, 3, 2)); // call gate, 2 dword parameters
    m.mem.write32(0x6004, 0x9000);
    m.mem.write32(0x6008, 0x10);
    m.mem.writeBytes(
      0x8000,
      asm(
        `
  mov ax, 0x28
  ltr ax
  push 0x23
  push 0x7800
  push 0x2
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
  mov eax, [esp + 20]
  mov ss:[0x618], eax
  retf 8
.org 0x400
  push 0x1111
  push 0x2222
  call 0x33:0
back:
  mov ss:[0x620], esp
  mov dword ptr ss:[0x624], offset back
  mov ax, cs
  mov ss:[0x628], ax
  int 0x82
.org 0x500
  hlt
`,
        0x8000,
        32,
      ),
    );
    writeDesc(m.mem, 0x2000, 0x82, gate32(0x08, 0x8500, 0x0e, 3));
    setIdt(m.cpu, 0x2000, 0x7ff);
    m.cpu.f64[RIP_F] = 0x8000;
    setReg(m.cpu, 4, 0x7000);
    run(m, 1000);
    const r = (a: number): number => m.mem.read32(a) >>> 0;
    expect(r(0x600)).toBe(0x9000 - 24);
    expect(r(0x604)).toBe(r(0x624)); // return EIP
    expect(r(0x608)).toBe(0x1b); // caller CS
    expect(r(0x60c)).toBe(0x2222); // parameters in the caller's order
    expect(r(0x610)).toBe(0x1111);
    expect(r(0x614)).toBe(0x7800 - 8); // caller ESP (after its pushes)
    expect(r(0x618)).toBe(0x23);
    expect(r(0x620)).toBe(0x7800); // RETF 8 released the parameters
    expect(m.mem.read16(0x628)).toBe(0x1b);
    expect(m.cpu.i32[HALTED]).toBe(1);
  });

  it('far JMP/CALL/RETF in real mode and 64-bit far CALL through memory', () => {
    const m = makeMachine();
    m.mem.writeBytes(
      0x7c00,
      asm(
        `
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, 0x7000
  call 0x0800:0x0010
  mov [0x600], sp
  jmp 0x0900:0x0000
`,
        0x7c00,
        16,
      ),
    );
    m.mem.writeBytes(0x8010, asm('mov ax, cs\n mov [0x602], ax\n retf', 0, 16));
    m.mem.writeBytes(0x9000, asm('mov word ptr [0x604], 0x99\n hlt', 0, 16));
    setRealSegment(m.cpu, CS, 0);
    m.cpu.f64[RIP_F] = 0x7c00;
    run(m, 1000);
    expect(m.mem.read16(0x600)).toBe(0x7000);
    expect(m.mem.read16(0x602)).toBe(0x800);
    expect(m.mem.read16(0x604)).toBe(0x99);
    expect(m.cpu.i32[SEG_SEL(CS)]).toBe(0x900);
  });
});

describe('selector inspection and descriptor tables', () => {
  it('LAR, LSL, VERR, VERW results and ZF', () => {
    const m = makeMachine();
    enterFlat32(m);
    writeDesc(m.mem, 0x1000, 5, desc(0, 0xabcde, 0x12, 3, { g: false })); // writable data DPL3, byte limit
    writeDesc(m.mem, 0x1000, 6, desc(0, 0xfff, 0x1a, 0)); // readable code DPL0
    writeDesc(m.mem, 0x1000, 7, desc(0x6000, 0x67, 0x09, 0, { g: false })); // TSS
    writeDesc(m.mem, 0x1000, 8, desc(0, 0xfff, 0x18, 0)); // execute-only code
    m.mem.writeBytes(
      0x8000,
      asm(
        `
  mov ebx, 0x2b
  lar eax, ebx
  setz byte ptr [0x600]
  mov [0x604], eax
  lsl eax, ebx
  mov [0x608], eax
  mov bx, 0x38
  lsl eax, bx
  setz byte ptr [0x601]
  mov [0x60c], eax
  verr bx
  setz byte ptr [0x602]
  mov bx, 0x30
  verw bx
  setz byte ptr [0x603]
  verr bx
  setz byte ptr [0x610]
  mov bx, 0x40
  verr bx
  setz byte ptr [0x611]
  mov bx, 0x2b
  verw bx
  setz byte ptr [0x612]
  mov bx, 0x400
  lar eax, bx
  setz byte ptr [0x613]
  hlt
`,
        0x8000,
        32,
      ),
    );
    m.cpu.f64[RIP_F] = 0x8000;
    run(m, 1000);
    expect(m.mem.read8(0x600)).toBe(1);
    expect(m.mem.read32(0x604) >>> 0).toBe(0x004af200); // P DPL3 type 2, D/B, limit 19:16 = 0xa
    expect(m.mem.read32(0x608) >>> 0).toBe(0xabcde);
    expect(m.mem.read8(0x601)).toBe(1); // LSL of a TSS
    expect(m.mem.read32(0x60c) >>> 0).toBe(0x67);
    expect(m.mem.read8(0x602)).toBe(0); // VERR of a TSS
    expect(m.mem.read8(0x603)).toBe(0); // VERW of code
    expect(m.mem.read8(0x610)).toBe(1); // VERR of readable code
    expect(m.mem.read8(0x611)).toBe(0); // VERR of execute-only code
    expect(m.mem.read8(0x612)).toBe(1); // VERW of writable data
    expect(m.mem.read8(0x613)).toBe(0); // beyond the GDT limit
  });

  it('LGDT/SGDT/SIDT/SLDT/STR/SMSW, LTR of a busy TSS is #GP(selector)', () => {
    const m = prog64(`
  lgdt [0x640]
  sgdt [0x650]
  sidt [0x660]
  sldt word ptr [0x670]
  str word ptr [0x672]
  smsw word ptr [0x674]
  mov ax, 0x40
  ltr ax
`, (mm) => {
      mm.mem.write16(0x640, 0xff);
      mm.mem.write32(0x642, 0x1000);
      mm.mem.write32(0x646, 0);
    });
    expect(m.mem.read16(0x650)).toBe(0xff);
    expect(m.mem.read32(0x652)).toBe(0x1000);
    expect(m.mem.read16(0x660)).toBe(256 * 16 - 1);
    expect(m.mem.read32(0x662)).toBe(IDT);
    expect(m.mem.read16(0x672)).toBe(0x40);
    expect(m.mem.read16(0x674)).toBe(m.cpu.i32[CR0] & 0xffff);
    // enterLong marked TR busy in the GDT? it wrote an available (0xb = busy) descriptor: LTR must refuse it.
    expect(faultVector(m)).toBe(GP);
    expect(faultCode(m)).toBe(0x40);
    expect(m.cpu.f64[GDTR_BASE_F]).toBe(0x1000);
    expect(m.cpu.i32[GDTR_LIMIT]).toBe(0xff);
  });
});

describe('control registers and privilege', () => {
  it('reserved CR4 bits and PG without PE are #GP(0); LMSW cannot clear PE; CLTS; CR8 <-> TPR', () => {
    let tpr = 0;
    const m = prog64(
      `
  mov rax, cr4
  mov [0x600], rax
  mov rax, 8
  mov cr8, rax
  mov rax, cr8
  mov [0x608], rax
  mov rax, cr0
  or eax, 8
  mov cr0, rax
  clts
  mov rax, cr0
  mov [0x610], rax
  mov rax, cr4
  or eax, 0x1000
  mov cr4, rax
`,
      (mm) => {
        mm.cpu.intc = { pending: () => -1, ack: () => 0xff, getTpr: () => tpr, setTpr: (v) => (tpr = v) };
      },
    );
    expect(tpr).toBe(0x80);
    expect(m.mem.read32(0x608)).toBe(8);
    expect(m.mem.read32(0x610) & 8).toBe(0);
    expect(faultVector(m)).toBe(GP);
    expect(faultCode(m)).toBe(0);
    expect(m.cpu.i32[CR4]).toBe(m.mem.read32(0x600));
    expect(m.cpu.i32[CR8]).toBe(8);
  });

  it('privileged instructions at CPL 3: HLT, MOV CR, CLI with IOPL 0 are #GP(0); STI with IOPL 3 is fine', () => {
    for (const [ins, iopl, expectFault] of [
      ['hlt', 0, true],
      ['mov rax, cr0', 0, true],
      ['cli', 0, true],
      ['sti', 3, false],
      ['wbinvd', 3, true],
      ['invlpg [0]', 3, true],
    ] as const) {
      const m = prog64(`
  push 0x23
  push 0x70000
  push ${0x2 | (iopl << 12)}
  push 0x2b
  lea rax, [rip + user]
  push rax
  iretq
user:
  ${ins}
  mov dword ptr [0x604], 0x600d
  ud2
`);
      if (expectFault) {
        expect(faultVector(m), ins).toBe(GP);
        expect(faultCode(m), ins).toBe(0);
      } else {
        expect(faultVector(m), ins).toBe(UD);
        expect(m.mem.read32(0x604)).toBe(0x600d);
      }
    }
  });

  it('INVLPG makes a changed PTE visible; without it the stale TLB entry is used', () => {
    const m = prog64(
      `
  mov eax, [0x400000]
  mov [0x600], eax
  mov qword ptr [0x30000], 0x203003
  mov eax, [0x400000]
  mov [0x604], eax
  invlpg [0x400000]
  mov eax, [0x400000]
  mov [0x608], eax
  hlt
`,
      (mm) => {
        // Replace the 2 MiB mapping of 0x400000 by a page table at 0x30000 mapping 0x400000 -> 0x202000.
        mm.mem.write32(0x12000 + 2 * 8, 0x30000 | 3);
        mm.mem.write32(0x30000, 0x201003);
        mm.mem.write32(0x201000, 0xaaaa);
        mm.mem.write32(0x203000, 0xcccc);
        mm.cpu.mmu.flush(mm.cpu, true);
      },
    );
    expect(m.mem.read32(0x600)).toBe(0xaaaa);
    expect(m.mem.read32(0x604)).toBe(0xaaaa);
    expect(m.mem.read32(0x608)).toBe(0xcccc);
  });
});

describe('port I/O', () => {
  it('the TSS I/O bitmap gates ports at CPL > IOPL, per byte of the access', () => {
    const m = makeMachine();
    enterFlat32(m);
    const writes: number[] = [];
    m.io.register('p', 0x80, 4, { read: (o) => 0x40 + o, write: (o, _s, v) => writes.push((o << 8) | (v & 0xff)) });
    writeDesc(m.mem, 0x1000, 5, desc(0x6000, 0x68 + 0x20, 0x09, 0, { db: false, g: false }));
    m.mem.write32(0x6004, 0x9000);
    m.mem.write32(0x6008, 0x10);
    m.mem.write16(0x6066, 0x68); // bitmap right after the TSS
    for (let i = 0; i < 0x20; i++) m.mem.write8(0x6068 + i, 0xff);
    m.mem.write8(0x6068 + 0x10, 0xfe); // ports 0x80 allowed; 0x81..0x87 not
    writeDesc(m.mem, 0x2000, 13, gate32(0x08, 0x8300, 0x0e, 0));
    setIdt(m.cpu, 0x2000, 0x7ff);
    m.mem.writeBytes(
      0x8000,
      asm(
        `
  mov ax, 0x28
  ltr ax
  push 0x23
  push 0x7800
  push 0x2
  push 0x1b
  push 0x8400
  iretd
.org 0x300
  mov eax, [esp + 4]
  mov ss:[0x620], eax
  hlt
.org 0x400
  mov al, 0x11
  out 0x80, al
  in al, 0x80
  mov ss:[0x600], al
  mov dword ptr ss:[0x624], offset wide
  mov ax, 0x2233
wide:
  out 0x80, ax
`,
        0x8000,
        32,
      ),
    );
    m.cpu.f64[RIP_F] = 0x8000;
    setReg(m.cpu, 4, 0x7000);
    run(m, 1000);
    expect(writes).toEqual([0x11]);
    expect(m.mem.read8(0x600)).toBe(0x40);
    expect(m.mem.read32(0x620)).toBe(m.mem.read32(0x624)); // the 16-bit OUT needs port 0x81 too: #GP at it
  });

  it('REP INSB / REP OUTSW move strings through ports with DF and rCX', () => {
    const m = makeMachine();
    let next = 1;
    const out: number[] = [];
    m.io.register('p', 0x300, 2, { read: () => next++, write: (_o, _s, v) => out.push(v) });
    m.mem.writeBytes(
      0x7c00,
      asm(
        `
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov dx, 0x300
  mov di, 0x600
  mov cx, 5
  cld
  rep insb
  mov [0x610], di
  mov [0x612], cx
  mov si, 0x602
  mov cx, 2
  std
  rep outsw
  mov [0x614], si
  hlt
`,
        0x7c00,
        16,
      ),
    );
    setRealSegment(m.cpu, CS, 0);
    m.cpu.f64[RIP_F] = 0x7c00;
    run(m, 1000);
    expect(Array.from(m.mem.readBytes(0x600, 5))).toEqual([1, 2, 3, 4, 5]);
    expect(m.mem.read16(0x610)).toBe(0x605);
    expect(m.mem.read16(0x612)).toBe(0);
    expect(out).toEqual([0x0403, 0x0201]);
    expect(m.mem.read16(0x614)).toBe(0x5fe);
  });
});

describe('RDRAND', () => {
  it('deterministic per vCPU, CF = 1, other arithmetic flags clear', () => {
    const src = 'rdrand eax\n mov [0x600], eax\n rdrand rax\n mov [0x608], rax\n pushfq\n pop rax\n mov [0x610], eax\n hlt';
    const a = prog64(src);
    const b = prog64(src);
    expect(a.mem.readBytes(0x600, 16)).toEqual(b.mem.readBytes(0x600, 16));
    expect(a.mem.read32(0x600)).not.toBe(a.mem.read32(0x608));
    expect(a.mem.read32(0x610) & 0x8d5).toBe(1);
  });
});

