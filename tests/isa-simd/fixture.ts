// A bare 64-bit CPU for unit tests that need control over CR0/CR4 (the oracle's runEmu fixes them): identity-
// mapped RAM, one instruction at a time through the decoder and the registered handlers.
import { Cpu, Access, type Mmu, TLB_MASK } from '../../machine/cpu/cpu.js';
import { CpuFault } from '../../machine/cpu/fault.js';
import { PhysMemory } from '../../machine/memory/phys.js';
import { IoBus } from '../../machine/memory/bus.js';
import {
  RIP_F, CODE_BITS, STACK_SIZE, CR0, CR4, EFER, SEG_LIMIT, SEG_ATTR, SEG_BASE_F, MXCSR, Cr0, Cr4, Efer,
} from '../../machine/cpu/state.js';
import { decode } from '../../jit/decoder/decode.js';
import { handlers } from '../../jit/interp/interpreter.js';
import { registerSse } from '../../jit/interp/sse/index.js';
import { registerX87, fpuInit } from '../../jit/interp/x87/index.js';
import { assemble } from '../oracle/assemble.js';

class FlatMmu implements Mmu {
  translate(cpu: Cpu, lin: number, access: Access): number {
    void access;
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
    cpu.toff[i] = page * 4096;
    cpu.tagR[i] = cpu.tagW[i] = cpu.tagX[i] = page;
    return lin;
  }
  flush(cpu: Cpu): void {
    cpu.tlbSup.clear(true);
  }
  flushPage(cpu: Cpu, lin: number): void {
    cpu.tlbSup.clearPage(Math.floor(lin / 4096));
  }
}

export const CODE = 0x1000;
export const DATA = 0x8000;

export class Fixture {
  readonly phys = new PhysMemory(0x100000);
  readonly cpu = new Cpu(0, this.phys, new IoBus(), new FlatMmu());

  constructor() {
    registerSse();
    registerX87();
    const s = this.cpu.i32;
    s[CR0] = Cr0.PE | Cr0.PG | Cr0.NE | Cr0.MP;
    s[CR4] = Cr4.PAE | Cr4.OSFXSR | Cr4.OSXMMEXCPT;
    s[EFER] = Efer.LME | Efer.LMA;
    for (let seg = 0; seg < 6; seg++) {
      s[SEG_LIMIT(seg)] = -1;
      s[SEG_ATTR(seg)] = seg === 1 ? 0x209b : 0xc093;
      this.cpu.f64[SEG_BASE_F(seg)] = 0;
    }
    s[CODE_BITS] = 64;
    s[STACK_SIZE] = 8;
    s[MXCSR] = 0x1f80;
    fpuInit(s);
  }

  /** Assemble and run `asm` instruction by instruction; returns the fault vector, or -1 when all completed. */
  run(asm: string): number {
    const code = assemble([{ asm }])[0]!;
    this.phys.u8.set(code, CODE);
    const cpu = this.cpu;
    let off = CODE;
    while (off < CODE + code.length) {
      const ins = decode(this.phys.u8, off, CODE + code.length, 64);
      off += ins.len;
      cpu.f64[RIP_F] = off;
      try {
        handlers[ins.op]!(cpu, ins);
      } catch (e) {
        if (e instanceof CpuFault) return e.vector;
        throw e;
      }
    }
    return -1;
  }
}
