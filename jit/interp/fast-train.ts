// Warms up V8's type feedback of the interpreter's block loop (fast-exec.ts) once per process: every inline case runs
// on a private CPU with 64-bit-sized values, so TurboFan's first compilation of the loop already covers every case
// and number representation. Without it each case first met in a guest costs a deoptimisation and a recompilation
// of the large loop function (tens of milliseconds on the shared machine), which dominates short runs.
import { Cpu, type Mmu } from '../../machine/cpu/cpu.js';
import { PhysMemory } from '../../machine/memory/phys.js';
import { IoBus } from '../../machine/memory/bus.js';
import { CpuFault } from '../../machine/cpu/fault.js';
import { Instr } from '../decoder/instr.js';
import { F, IBlock } from './fast-ops.js';
import { execFast } from './fast-exec.js';
import { S } from './slots.js';

let trained = false;

const noMmu: Mmu = {
  translate(): number {
    throw new CpuFault(14, 0, 'training');
  },
  flush(): void {},
  flushPage(): void {},
};

/** Run every fast-path id a few times on a throw-away CPU (idempotent; about a millisecond). */
export function trainFastExec(): void {
  if (trained) return;
  trained = true;
  const cpu = new Cpu(0, new PhysMemory(0x100000), new IoBus(), noMmu);
  const s = cpu.i32;
  const none = (): void => {};
  // Two unrelated handler functions, so the loop's call sites start out megamorphic, as they are in a guest (a
  // monomorphic site would be inlined, then deoptimised by the first real handler).
  const other = function otherHandler(c: Cpu): void {
    void c;
  };
  const RIP = 0x10_0000; // guest-like code and data addresses (low, identity-mapped)
  const DATA = 0x20_0000;
  // Map DATA's page (and the first page for the mismatching lookups) read/write at RAM offset 0x3000.
  const page = Math.floor(DATA / 4096);
  const slot = page & S.TLB_MASK;
  cpu.tagR[slot] = page;
  cpu.tagW[slot] = page;
  cpu.toff[slot] = 0x3000;
  const prog: number[][] = [];
  const R = (r: number): number => r << 1;
  // registers: rbx = DATA (base), rsi = 3 (index), rcx = counter
  for (let id = F.ADD_RR4; id <= F.TEST_RI8; id++) prog.push([id, R(0), (id - F.ADD_RR4) & 1 ? -7 : R(2), -1]);
  prog.push([F.INC_R4, R(0), 0, 0], [F.DEC_R4, R(2), 0, 0], [F.ADD_RI4, R(0), 1, 0], [F.INC_R8, R(8), 0, 0]);
  prog.push([F.ADD_RI4, R(0), 1, 0], [F.DEC_R8, R(9), 0, 0]);
  prog.push([F.MOV_RR4, R(10), R(0), 0], [F.MOV_RR8, R(11), R(9), 0], [F.MOV_RI4, R(12), -5, 0], [F.MOV_RI8, R(13), 5, -1]);
  prog.push([F.LEA4, R(10), 3 | (6 << 8) | (4 << 16), -9], [F.LEA8, R(11), 3 | (6 << 8) | (8 << 16), 12]);
  prog.push([F.LEA8, R(11), 0xff | (0xff << 8) | (1 << 16), -12]);
  for (const c of [0, 5, 40]) {
    for (let id = F.SHL_RI4; id <= F.SAR_RI8; id++) prog.push([id, R(14), id >= F.SHL_RI8 ? c : c & 31, 0]);
  }
  for (let cc = 0; cc < 16; cc++) prog.push([cc & 1 ? F.CMOV_RR8 : F.CMOV_RR4, R(10), R(11), cc], [F.CMP_RR4, R(0), R(2), 0]);
  const mem = (base: number, index: number, scale: number): number => base | (index << 8) | (scale << 16);
  for (const [m, d] of [[mem(3, 6, 8), 8], [mem(3, 0xff, 1), 0x100], [mem(16, 0xff, 1), 0x40], [mem(3, 6, 1), 0x2000], [mem(5, 6, 2), 0]]) {
    for (const id of [F.MOV_RM4, F.MOV_RM8, F.MOV_MR4, F.MOV_MR8, F.MOV_MI4]) prog.push([id, R(10), m, d]);
  }
  prog.push([F.CALL, 0, 0, 0], [F.CALLR, 0, 0, 0], [F.TEST_RR4, R(1), R(1), 0]);
  prog.push([F.JCC64, 8, 0, 5], [F.JCC64_LOOP, 0, 0, 5]);
  const b = new IBlock(0, 0, 64);
  const p = new Int32Array(prog.length * 4);
  for (let i = 0; i < prog.length; i++) {
    p.set(prog[i], i * 4);
    b.instrs.push(new Instr());
    b.handlers.push(none);
    b.ends.push(4 * (i + 1));
  }
  // The closing JCC jumps back to the block start while ECX is non-zero; the JCC64 before it skips nothing.
  b.prog = p;
  b.ends32 = Int32Array.from(b.ends);
  b.tailRip = false;
  const sys = { deliverFault: none, servicePending: () => true };
  // Rounds with guest-like small addresses, then one with a high RIP and 64-bit registers, so arithmetic whose
  // operands can exceed int32 is compiled for doubles from the start.
  const nP = prog.length;
  const producers = [[F.TEST_RR4, R(1), R(1), 0], [F.DEC_R4, R(1), 0, 0], [F.CMP_RR8, R(1), R(2), 0], [F.ADD_RR4, R(1), R(2), 0]];
  // Twice: V8 allocates a function's feedback vector only after its first stretch of execution.
  for (let round = 0; round < 16; round++) {
    const big = (round & 7) === 7;
    // Vary the flags producer and the conditions of the closing branches, so every comparison in the branch
    // cases has seen values.
    p.set(producers[round % 4], (nP - 3) * 4);
    p[(nP - 2) * 4 + 3] = (round * 5 + 4) & 15;
    p[(nP - 1) * 4 + 3] = (round * 3 + 5) & 15;
    s.fill(0);
    s[R(0)] = 0x7ffffff0;
    s[R(2)] = -3;
    s[R(3)] = DATA;
    s[R(6)] = 3;
    s[R(1)] = round === 2 ? 0 : round + 1; // e.g. round 2 leaves through the untaken branch
    s[R(5) | 1] = 0x40000000; // rbp beyond the exact-double range: the general address path
    s[R(8)] = -1;
    s[R(8) | 1] = 0x7fffffff;
    s[R(9)] = 0;
    s[R(9) | 1] = 1;
    s[R(14)] = 0x12345678;
    s[R(14) | 1] = -0x789;
    s[S.FLAGS] = 2;
    if (big) {
      for (let r = 0; r < 32; r += 2) {
        s[r] = r === R(1) ? 7 : -0x6543210f; // low halves above 2^31 as unsigned
        s[r | 1] = r === R(5) ? 0x40000000 : 0x7fff;
      }
      s[R(3) | 1] = 1;
    }
    cpu.f64[S.RIP_F] = big ? -0x7fff_ffff_0000 : RIP;
    for (let i = 0; i < prog.length; i++) b.handlers[i] = (i + round) % 2 === 0 ? none : other;
    execFast(cpu, b, 4 * prog.length, sys);
  }
}
