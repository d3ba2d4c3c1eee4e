// Interpreter throughput benchmark (guest MIPS) on simple 64-bit integer loops: flat identity MMU, no devices.
// Run with `npm run perf:interp`. Not a test: it prints numbers.
import { Cpu, Access, type Mmu, TLB_MASK, TLB_EMPTY } from '../machine/cpu/cpu.js';
import { PhysMemory } from '../machine/memory/phys.js';
import { IoBus } from '../machine/memory/bus.js';
import {
  GPR_LO, GPR_HI, FLAGS, FLAGS_LAZY, RIP_F, CODE_BITS, STACK_SIZE, CR0, EFER, SEG_ATTR, SEG_LIMIT, HALTED, PENDING,
  Cr0, Efer,
} from '../machine/cpu/state.js';
import { Interpreter } from '../jit/interp/interpreter.js';
import { CodeCache } from '../jit/cache/code-cache.js';
import { decode } from '../jit/decoder/decode.js';
import { registerIntegerOps } from '../jit/interp/int/index.js';

/** Identity mapping of all RAM with every permission (the interpreter's TLB fast path after the first touch). */
class FlatMmu implements Mmu {
  translate(cpu: Cpu, lin: number, access: Access): number {
    void access;
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
    // The slot's offset is shared by its three tags: set every tag (to this page or empty).
    cpu.toff[i] = page * 4096;
    cpu.tagR[i] = page;
    cpu.tagX[i] = page;
    cpu.tagW[i] = cpu.codePages[page] === 0 ? page : TLB_EMPTY;
    return lin;
  }
  flush(cpu: Cpu): void {
    cpu.tlbSup.clear(true);
  }
  flushPage(cpu: Cpu, lin: number): void {
    cpu.tlbSup.clearPage(Math.floor(lin / 4096));
  }
}

interface Loop {
  name: string;
  code: string; // machine code (hex); ends with UD2, which stops the run
}

const LOOPS: Loop[] = [
  // mov ecx, 50000000; 1: dec ecx; jnz 1b; ud2
  { name: 'dec ecx; jnz', code: 'b980f0fa02 ffc9 75fc 0f0b' },
  // mov ecx, 20000000; xor eax, eax; mov ebx, 7; 1: add eax, ebx; xor edx, eax; cmp edx, esi; sub ecx, 1; jne 1b
  { name: 'add/xor/cmp/sub/jcc', code: 'b9002d3101 31c0 bb07000000 01d8 31c2 39f2 83e901 75f5 0f0b' },
  // mov edi, 0x100000; mov r8d, 10000000; 2: mov ecx, 1024; 1: mov eax, [rdi+rcx*4]; add eax, ecx;
  // mov [rdi+rcx*4], eax; dec ecx; jnz 1b; sub r8d, 1024; jg 2b
  { name: 'load/add/store loop', code: 'bf00001000 41b880969800 b900040000 8b048f 01c8 89048f ffc9 75f4 4181e800040000 7fe6 0f0b' },
  // mov ecx, 10000000; xor rax, rax; 1: lea rdx, [rax+rcx*8+16]; add rax, rdx; shr rdx, 3; test ecx, 1;
  // cmovz rax, rdx; dec rcx; jnz 1b
  { name: '64-bit lea/add/shr/test/cmov', code: 'b980969800 4831c0 488d54c810 4801d0 48c1ea03 f7c101000000 480f44c2 48ffc9 75e5 0f0b' },
];

const CODE_AT = 0x1000;

function setup(): { cpu: Cpu; interp: Interpreter; phys: PhysMemory } {
  registerIntegerOps();
  const phys = new PhysMemory(16 << 20);
  const cpu = new Cpu(0, phys, new IoBus(), new FlatMmu());
  const cache = new CodeCache(phys);
  cache.attach(cpu);
  const interp = new Interpreter(cache, decode, {
    deliverFault: (c) => {
      c.i32[HALTED] = 1; // UD2 (or anything unexpected) ends the run
    },
    servicePending: (c) => {
      c.i32[PENDING] = 0;
      return true;
    },
  });
  return { cpu, interp, phys };
}

function runLoop(cpu: Cpu, interp: Interpreter, phys: PhysMemory, loop: Loop): { instrs: number; ms: number } {
  const bytes = Uint8Array.from(loop.code.replace(/\s+/g, '').match(/../g)!.map((h) => parseInt(h, 16)));
  phys.writeBytes(CODE_AT, bytes);
  const s = cpu.i32;
  for (let r = 0; r < 16; r++) {
    s[GPR_LO(r)] = 0;
    s[GPR_HI(r)] = 0;
  }
  s[GPR_LO(4)] = 0x80000; // RSP
  s[FLAGS] = 2;
  s[FLAGS_LAZY] = 0;
  s[CR0] = Cr0.PE | Cr0.PG;
  s[EFER] = Efer.LME | Efer.LMA;
  s[CODE_BITS] = 64;
  s[STACK_SIZE] = 8;
  s[SEG_ATTR(1)] = 0x209b;
  for (let seg = 0; seg < 6; seg++) s[SEG_LIMIT(seg)] = -1;
  cpu.setCpl(0);
  cpu.f64[RIP_F] = CODE_AT;
  s[HALTED] = 0;
  let instrs = 0;
  // CPU time of this process, not wall time: the machine is shared, and other jobs would skew wall-clock numbers.
  const t0 = process.cpuUsage();
  while (s[HALTED] === 0) instrs += interp.run(cpu, 1 << 24);
  const d = process.cpuUsage(t0);
  return { instrs, ms: (d.user + d.system) / 1000 };
}

function main(): void {
  const { cpu, interp, phys } = setup();
  console.log('bmjit interpreter throughput (guest MIPS per CPU-second of this process; after a warm-up pass)');
  for (const loop of LOOPS) runLoop(cpu, interp, phys, loop); // warm-up
  for (const loop of LOOPS) {
    const { instrs, ms } = runLoop(cpu, interp, phys, loop);
    console.log(`  ${loop.name.padEnd(32)} ${(instrs / 1e6).toFixed(1).padStart(6)} M instrs  ${ms.toFixed(0).padStart(6)} ms cpu  ${(instrs / ms / 1000).toFixed(1).padStart(6)} MIPS`);
  }
}

main();
