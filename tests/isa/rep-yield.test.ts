// REP string instructions yield after a bounded amount of work (jit/interp/int/string.ts): RIP stays on the
// instruction, RCX/RDI reflect the completed part, PENDING work gets a chance to run, and re-execution finishes it.
import { describe, expect, test } from 'vitest';
import { Cpu, Access, type Mmu, TLB_MASK, TLB_EMPTY } from '../../machine/cpu/cpu.js';
import { PhysMemory } from '../../machine/memory/phys.js';
import { IoBus } from '../../machine/memory/bus.js';
import {
  GPR_LO, GPR_HI, FLAGS, RIP_F, CODE_BITS, STACK_SIZE, CR0, EFER, HALTED, PENDING, Pending, Cr0, Efer, RCX, RDI, RSI, RAX,
} from '../../machine/cpu/state.js';
import { Interpreter } from '../../jit/interp/interpreter.js';
import { CodeCache } from '../../jit/cache/code-cache.js';
import { decode } from '../../jit/decoder/decode.js';
import { registerIntegerOps, REP_BUDGET } from '../../jit/interp/int/index.js';

class FlatMmu implements Mmu {
  translate(cpu: Cpu, lin: number, access: Access): number {
    void access;
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
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

function machine(code: number[]): { cpu: Cpu; interp: Interpreter; phys: PhysMemory; serviced: number[] } {
  registerIntegerOps();
  const phys = new PhysMemory(16 << 20);
  const cpu = new Cpu(0, phys, new IoBus(), new FlatMmu());
  const cache = new CodeCache(phys);
  cache.attach(cpu);
  const serviced: number[] = [];
  const interp = new Interpreter(cache, decode, {
    deliverFault: (c) => {
      c.i32[HALTED] = 1;
    },
    servicePending: (c) => {
      serviced.push(c.i32[PENDING]);
      c.i32[PENDING] = 0;
      return true;
    },
  });
  phys.writeBytes(0x1000, Uint8Array.from(code));
  const s = cpu.i32;
  s[FLAGS] = 2;
  s[CR0] = Cr0.PE | Cr0.PG;
  s[EFER] = Efer.LME | Efer.LMA;
  s[CODE_BITS] = 64;
  s[STACK_SIZE] = 8;
  cpu.setCpl(0);
  cpu.f64[RIP_F] = 0x1000;
  return { cpu, interp, phys, serviced };
}

const setReg = (cpu: Cpu, r: number, v: number): void => {
  cpu.i32[GPR_LO(r)] = v | 0;
  cpu.i32[GPR_HI(r)] = 0;
};

describe('REP yields', () => {
  test('rep stosb of 3 MiB runs in bounded chunks and completes', () => {
    const { cpu, interp, phys } = machine([0xf3, 0xaa, 0x0f, 0x0b]); // rep stosb; ud2
    const n = 3 * REP_BUDGET + 123;
    setReg(cpu, RCX, n);
    setReg(cpu, RDI, 0x100000);
    setReg(cpu, RAX, 0x5a);
    interp.run(cpu, 1);
    // One bounded chunk done, instruction not finished: RIP still on it, RCX and RDI agree on the progress.
    expect(cpu.f64[RIP_F]).toBe(0x1000);
    const done = n - cpu.i32[GPR_LO(RCX)];
    expect(done).toBeGreaterThan(REP_BUDGET / 2);
    expect(done).toBeLessThanOrEqual(REP_BUDGET);
    expect(cpu.i32[GPR_LO(RDI)]).toBe(0x100000 + done);
    let runs = 1;
    while (cpu.i32[HALTED] === 0 && runs < 100) {
      interp.run(cpu, 1);
      runs++;
    }
    expect(runs).toBeGreaterThanOrEqual(4);
    expect(cpu.i32[GPR_LO(RCX)]).toBe(0);
    expect(cpu.i32[GPR_LO(RDI)]).toBe(0x100000 + n);
    expect(phys.u8[0xfffff]).toBe(0);
    expect(phys.u8.subarray(0x100000, 0x100000 + n).every((x) => x === 0x5a)).toBe(true);
    expect(phys.u8[0x100000 + n]).toBe(0);
  });

  test('a pending event interrupts a long rep movsd between chunks', () => {
    const { cpu, interp, phys, serviced } = machine([0xf3, 0xa5, 0x0f, 0x0b]); // rep movsd; ud2
    for (let i = 0; i < 0x40000; i++) phys.u8[0x200000 + i] = i * 7;
    setReg(cpu, RCX, 0x10000);
    setReg(cpu, RSI, 0x200000);
    setReg(cpu, RDI, 0x400000);
    // A device raising an interrupt while the copy runs: the element path sees PENDING at its next check.
    cpu.i32[PENDING] = Pending.Interrupt;
    const first = interp.exec(cpu, interp.lookup(cpu), 1 << 20);
    expect(first).toBe(1);
    expect(cpu.f64[RIP_F]).toBe(0x1000);
    const left = cpu.i32[GPR_LO(RCX)];
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(0x10000);
    while (cpu.i32[HALTED] === 0) interp.run(cpu, 1 << 20);
    expect(serviced.length).toBeGreaterThan(0);
    expect(cpu.i32[GPR_LO(RCX)]).toBe(0);
    expect(Buffer.compare(phys.u8.subarray(0x400000, 0x440000), phys.u8.subarray(0x200000, 0x240000))).toBe(0);
  });
});
