// Booting the built-in BareMetal system through the library API: the documented 64-bit entry state and Multiboot
// information, every AP going real -> protected -> long mode from INIT-SIPI, idle APs costing nothing, a BareMetal
// kernel or payload in place of ours, guest symbols, and one-line errors for bad or missing inputs.
import { describe, it, expect, vi, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMachine, bootBuiltin, readBuiltin, parseBootImage, isBareMetalKernel, UserError, type Machine, type BareMetalBoot, type Registers } from '../../machine/index.js';
import { memoryMap } from '../../machine/loaders/multiboot.js';
import { BM_INFO, BM_PML4 } from '../../machine/loaders/baremetal.js';
import { Interpreter } from '../../jit/interp/interpreter.js';
import { Access, type Cpu } from '../../machine/cpu/cpu.js';
import { CR0, EFER, CODE_BITS, HALTED, FLAGS, SEG_SEL } from '../../machine/cpu/state.js';
import * as abi from '../../machine/abi.js';
import { BUILD, MonitorSession, builtinSystem } from './session.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 2 ** 32;

describe('64-bit entry state (docs/boot-protocol.md)', () => {
  let m: Machine;
  let boot: BareMetalBoot;
  let cpu: Cpu;
  let regs: Registers;
  beforeAll(() => {
    m = createMachine({ cpus: 2, memory: '128M' });
    boot = bootBuiltin(m, { system: builtinSystem() });
    cpu = m.cpus[0];
    regs = m.getRegisters(0);
  });

  it('BSP at the image entry64, long mode, flat 64-bit CS, interrupts off, EAX magic, RBX = information', () => {
    const img = readFileSync(join(BUILD, 'bmjit.img'));
    expect(Number(regs.rip)).toBe(abi.IMG_LOAD_ADDRESS + u32(img, abi.IMG_HDR_ENTRY64));
    expect(m.symbols.format(Number(regs.rip))).toBe('loader_entry64');
    expect(Number(regs.rax)).toBe(abi.MULTIBOOT_BOOTLOADER_MAGIC);
    expect(Number(regs.rbx)).toBe(boot.infoAddr);
    expect(cpu.i32[CODE_BITS]).toBe(64);
    expect(cpu.i32[CR0] & 0x80000001).toBe(0x80000001 | 0);
    expect(cpu.i32[EFER] & 0x500).toBe(0x500); // LME | LMA
    expect(cpu.i32[FLAGS] & 0x200).toBe(0); // IF
    expect(Number(regs.cr3)).toBe(BM_PML4);
    // The image is in RAM at its load address, byte for byte.
    expect(Buffer.from(m.readMemory(abi.IMG_LOAD_ADDRESS, img.length)).equals(img)).toBe(true);
  });

  it('identity paging of the first 4 GiB (2 MiB pages), outside everything the loader writes before using it', () => {
    for (const a of [0, 0x1000, 0x7ff8, 0x400000, 0x1234_5678, 0xb000_0000, 0xfec0_0000, 0xfee0_0000, 0xffff_f000]) {
      expect(cpu.mmu.translate(cpu, a, Access.Write, true)).toBe(a);
    }
    expect(() => cpu.mmu.translate(cpu, 0x1_0000_0000, Access.Read, true)).toThrow();
    // The loader writes its GDT at 0x1000, its stack at 0x7000-0x7FFF and the table at 0x5000 before it reads ours.
    expect(BM_PML4).toBeGreaterThanOrEqual(0x10000);
    expect(boot.infoAddr).toBeGreaterThanOrEqual(0x10000);
  });

  it('the Multiboot information: mem_lower/upper and the machine memory map', () => {
    const info = m.readMemory(boot.infoAddr, 0x80);
    expect(u32(info, 0) & (abi.MBI_FLAG_MEM | abi.MBI_FLAG_MMAP)).toBe(abi.MBI_FLAG_MEM | abi.MBI_FLAG_MMAP);
    expect(u32(info, abi.MBI_MEM_LOWER)).toBe(640);
    expect(u32(info, abi.MBI_MEM_UPPER)).toBe(128 * 1024 - 1024);
    const len = u32(info, abi.MBI_MMAP_LENGTH);
    const raw = m.readMemory(u32(info, abi.MBI_MMAP_ADDR), len);
    const got = [];
    for (let o = 0; o < len; o += u32(raw, o) + 4) got.push({ base: u64(raw, o + 4), length: u64(raw, o + 12), type: u32(raw, o + 20) });
    expect(got).toEqual(memoryMap(m.phys, m.platform.reservedRanges));
  });

  it('APs wait for INIT-SIPI, in real mode at reset', () => {
    expect(m.cpus[1].i32[HALTED]).not.toBe(0);
    expect(m.cpus[1].i32[CR0] & 1).toBe(0);
  });
});

type Mode = 'wait-for-SIPI' | 'real' | 'protected' | 'long' | 'compat';
function modeOf(cpu: Cpu): Mode {
  const s = cpu.i32;
  if (s[HALTED] === 2) return 'wait-for-SIPI';
  if ((s[CR0] & 1) === 0) return 'real';
  if ((s[EFER] & 0x400) === 0) return 'protected';
  return s[CODE_BITS] === 64 ? 'long' : 'compat';
}

describe('SMP start-up', () => {
  it('every AP goes INIT -> real mode at the SIPI vector (0800:0000) -> protected -> long mode', () => {
    const cpus = 4;
    const m = createMachine({ cpus, engine: 'interp' });
    bootBuiltin(m, { system: builtinSystem() });
    // Step one block at a time and note each vCPU's mode at every block boundary.
    const seen: Mode[][] = m.cpus.map(() => []);
    const firstReal: string[] = m.cpus.map(() => '');
    const note = (cpu: Cpu) => {
      const mode = modeOf(cpu);
      const list = seen[cpu.id];
      if (list[list.length - 1] !== mode) list.push(mode);
      if (mode === 'real' && firstReal[cpu.id] === '') firstReal[cpu.id] = `${cpu.i32[SEG_SEL(1)].toString(16)}:${Interpreter.ripLinear(cpu).toString(16)}`;
    };
    m.cpus.forEach(note);
    // INIT and SIPI take effect when the vCPU services its pending requests: look right after that too.
    const service = m.system.servicePending.bind(m.system);
    m.system.servicePending = (cpu: Cpu) => {
      const r = service(cpu);
      note(cpu);
      return r;
    };
    const inner = m.scheduler.engine;
    m.scheduler.engine = {
      run(cpu, budget) {
        let done = 0;
        while (done < budget) {
          note(cpu);
          const n = inner.run(cpu, 1);
          done += n;
          note(cpu);
          if (n === 0 || cpu.i32[HALTED] !== 0) break;
        }
        return done;
      },
    };
    let prompt = false;
    m.serial.onOutput(() => {
      if (!prompt && m.serial.output.endsWith('> ')) m.stop();
      prompt ||= m.serial.output.endsWith('> ');
    });
    m.runSync(2e7);
    expect(prompt).toBe(true);
    expect(seen[0]).toEqual(['long']); // the BSP enters in long mode and stays there
    for (let i = 1; i < cpus; i++) {
      // 'compat': CR0.PG set with EFER.LME activates IA-32e mode while CS is still a 32-bit segment, until the far jump.
      expect(seen[i], `AP ${i}`).toEqual(['wait-for-SIPI', 'real', 'protected', 'compat', 'long']);
      expect(firstReal[i], `AP ${i}`).toBe('800:8000'); // CS = SIPI vector << 8, linear 0x8000 = TRAMPOLINE_ADDRESS
    }
    expect(m.serial.output).toContain(`cpu: ${cpus} active, APIC IDs 0 1 2 3\n`);
  });

  it('waitForOutput (short run steps) still shares an SMP program between all vCPUs', async () => {
    const m = createMachine({ cpus: 4 });
    bootBuiltin(m, { system: builtinSystem() });
    await m.waitForOutput('> ', { timeoutInstructions: 1e6 });
    const before = m.stats().perCpu;
    m.serial.write('run smptest\n');
    await m.waitForOutput(/smptest: (PASS|FAIL)/, { timeoutInstructions: 3e8 });
    expect(m.serial.output).toContain('smptest: 4 core(s); work queued on 3 AP(s) (0 refused)');
    expect(m.serial.output).toContain('smptest: PASS\n');
    const work = m.stats().perCpu.map((n, i) => n - before[i]);
    for (let i = 1; i < 4; i++) expect(work[i], `AP ${i}`).toBeGreaterThan(work[0] / 10);
  });

  it('64 vCPUs: every AP starts (MAX_CORES = 64) and takes work', () => {
    const s = new MonitorSession({ cpus: 64 });
    s.toPrompt();
    expect(s.transcript).toContain(`cpu: 64 active, APIC IDs ${Array.from({ length: 64 }, (_, i) => i).join(' ')}\n`);
    expect(s.command('cores')).toMatch(/^64 active of 64 detected; BSP APIC ID 0; this is core 0\n/);
    const before = s.m.stats().perCpu;
    expect(s.command('run smptest')).toContain('smptest: PASS\n');
    const after = s.m.stats().perCpu;
    for (let i = 1; i < 64; i++) expect(after[i] - before[i], `AP ${i}`).toBeGreaterThan(0);
  });

  it('idle APs in HLT cost nothing: seconds of virtual idle time on 4 vCPUs run no AP instruction', () => {
    const s = new MonitorSession({ cpus: 4 });
    s.toPrompt();
    const before = s.m.stats();
    const r = s.m.runSync(300_000); // the monitor waits for input; only the BSP's 100 Hz timer ticks run
    const after = s.m.stats();
    expect(r.reason).toBe('max-instructions');
    expect(after.virtualNs - before.virtualNs).toBeGreaterThan(1e9);
    expect(after.idleJumps - before.idleJumps).toBeGreaterThan(100); // time jumped from tick to tick
    expect(after.perCpu.slice(1)).toEqual(before.perCpu.slice(1));
  });
});

describe('replacing the kernel or the payload (bmjit boot --kernel BAREMETAL-FILE / --payload FILE)', () => {
  const kernel = readFileSync(join(BUILD, 'kernel.bin'));

  it('classifies kernels: ours is a BareMetal kernel; the boot image, Multiboot kernels and text are not', () => {
    expect(isBareMetalKernel(kernel)).toBe(true);
    expect(isBareMetalKernel(readFileSync(join(BUILD, 'bmjit.img')))).toBe(false);
    expect(isBareMetalKernel(Buffer.from('{ "name": "BAREMETAL" }'))).toBe(false);
    const e9 = Buffer.alloc(32);
    e9[0] = 0xe9;
    e9.write('BAREMETAL', 5, 'latin1'); // jmp rel32, then the signature
    expect(isBareMetalKernel(e9)).toBe(true);
  });

  it('a patched copy of our kernel boots in place of the built-in one', () => {
    const text = Buffer.from('bmjit kernel 0.1');
    const at = kernel.indexOf(text);
    expect(at).toBeGreaterThan(0);
    const patched = Buffer.from(kernel);
    patched.write('bmjit kernel 9.9', at, 'latin1');
    const s = new MonitorSession({ cpus: 2, replace: { kernel: patched, kernelName: 'patched.bin' } });
    s.toPrompt();
    expect(s.transcript).toMatch(/^\[ BareMetal \] bmjit kernel 9\.9\ncpu: 2 active/);
    expect(s.command('run hello')).toBe('Hello, world! (hello: assembly program at 0xFFFF800000000000)\n');
  });

  it('a payload in place of the monitor runs on the BSP with the kernel call table', () => {
    // lea rsi,[rip+msg]; mov ecx,len; call [0x100018]; mov eax,0x2a; out 0xf4,eax; hlt; jmp $-1; msg
    const msg = Buffer.from('payload: hello through b_output\n');
    const code = Buffer.from([0x48, 0x8d, 0x35, 0x16, 0, 0, 0, 0xb9, msg.length, 0, 0, 0, 0xff, 0x14, 0x25, 0x18, 0x00, 0x10, 0x00, 0xb8, 0x2a, 0, 0, 0, 0xe7, 0xf4, 0xf4, 0xeb, 0xfd]);
    expect(code.length).toBe(7 + 0x16); // rel32 0x16 from the end of the lea reaches msg, after the 29 code bytes
    const m = createMachine({ cpus: 2 });
    bootBuiltin(m, { system: builtinSystem(), payload: Buffer.concat([code, msg]) });
    const r = m.runSync(2e7);
    expect(r.reason, m.serial.output).toBe('exit');
    expect(r.exitCode).toBe((0x2a << 1) | 1);
    expect(m.serial.output).toMatch(/\nsystem ready\npayload: hello through b_output\n$/);
  });

  it('a triple fault in a payload is reported with the payload symbol (from its .sym map)', () => {
    // cli; lidt [rip+8] (a zero IDT limit); ud2 -> #UD, #GP, #DF beyond the limit -> shutdown
    const payload = Buffer.alloc(32);
    Buffer.from([0xfa, 0x0f, 0x01, 0x1d, 0x08, 0, 0, 0, 0x0f, 0x0b]).copy(payload);
    const m = createMachine();
    bootBuiltin(m, { system: builtinSystem(), payload, payloadSymbols: '00000000001e0000 tf_start\n00000000001e0008 tf_ud2\n' });
    const r = m.runSync(2e7);
    expect(r.reason).toBe('triple-fault');
    expect(r.report).toMatch(/^triple fault on CPU 0: shutdown at 0008:00000000001e0008 /);
    expect(r.report).toMatch(/\n {2}symbol: tf_ud2$/);
  });

  it('bad replacements are one-line errors', () => {
    const sys = builtinSystem();
    const m = createMachine();
    expect(() => bootBuiltin(m, { system: sys, kernel: Buffer.from('not a kernel at all, no jump'), kernelName: 'k.bin' })).toThrow(/^k\.bin: not a BareMetal kernel/);
    expect(() => bootBuiltin(m, { system: sys, payload: Buffer.alloc(abi.PAYLOAD_MAX_SIZE + 1), payloadName: 'big.bin' })).toThrow(/^big\.bin is 131073 bytes; at most 131072/);
    expect(() => bootBuiltin(m, { system: sys, payload: Buffer.alloc(0), payloadName: 'empty.bin' })).toThrow(/^empty\.bin is empty$/);
    expect(() => bootBuiltin(createMachine({ memory: '4M' }), { system: sys })).toThrow(/needs at least 6 MiB of RAM/);
  });
});

describe('build outputs', () => {
  it('a missing build is one line telling the user to run npm run build:guest', () => {
    const empty = mkdtempSync(join(tmpdir(), 'bmjit-nobuild-'));
    let err: unknown;
    try {
      readBuiltin(empty);
    } catch (e) {
      err = e;
    } finally {
      rmSync(empty, { recursive: true });
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^the built-in BareMetal system is not built \(.*bmjit\.img is missing\): run `npm run build:guest` first$/);
  });

  it('a damaged image header is one line naming the problem', () => {
    const img = Buffer.from(readFileSync(join(BUILD, 'bmjit.img')));
    expect(() => parseBootImage(Buffer.from('hello'), 'x.img')).toThrow(/^x\.img: not a bmjit boot image/);
    const v2 = Buffer.from(img);
    v2.writeUInt32LE(2, abi.IMG_HDR_VERSION);
    expect(() => parseBootImage(v2, 'x.img')).toThrow(/^x\.img: image format version 2, expected 1/);
    const cut = img.subarray(0, img.length - 4096);
    expect(() => parseBootImage(cut, 'x.img')).toThrow(/^x\.img: header says \d+ bytes, the file has \d+$/);
  });

  it('the bundle holds the programs, each with its symbol map', () => {
    const sys = builtinSystem();
    expect(sys.programs.map((p) => p.name)).toEqual(['hello', 'helloc', 'sysinfo', 'smptest', 'abitest', 'bench']);
    for (const p of sys.programs) expect(Buffer.from(p.bytes).equals(readFileSync(join(BUILD, `${p.name}.bin`))), p.name).toBe(true);
  });

  it('symbols: loader, kernel and monitor maps, and the map of whichever program is resident', () => {
    const s = new MonitorSession({ cpus: 1 });
    s.toPrompt();
    const sym = s.m.symbols;
    expect(sym.format(abi.KERNEL_ADDRESS)).toBe('kernel_start');
    expect(sym.format(abi.PAYLOAD_ADDRESS)).toBe('_start');
    const prog = Number(abi.PROGRAM_ADDRESS - 2n ** 64n); // linear addresses are signed-canonical numbers
    expect(sym.lookup(prog)).toBeUndefined(); // nothing loaded yet
    s.command('run hello');
    expect(sym.format(prog)).toBe('hello._start');
    s.command('run helloc');
    expect(sym.format(prog + 0x30)).toBe('helloc.main'); // "main at 0xFFFF800000000030"
  });
});
