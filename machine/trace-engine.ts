// Execution tracing (`--trace=cpu`, `--trace=int`): block-by-block instruction listing and exception/interrupt
// events. Wraps the engine and the system hooks only when enabled, so normal runs keep the direct path.
import type { Cpu, InterruptSource } from './cpu/cpu.js';
import { CpuFault } from './cpu/fault.js';
import { Interpreter, type SystemHooks } from '../jit/interp/interpreter.js';
import type { ExecEngine } from './scheduler.js';
import { Tracer, hex, vectorName } from './trace.js';
import { CODE_BITS, HALTED, CR2_F } from './cpu/state.js';
import { formatInstr } from './disasm.js';

/** Runs one block at a time through the interpreter and lists each block's instructions before it runs. */
export class TracingEngine implements ExecEngine {
  constructor(
    private readonly interp: Interpreter,
    private readonly t: Tracer,
  ) {}

  run(cpu: Cpu, budget: number): number {
    if (!this.t.on('cpu')) return this.interp.run(cpu, budget);
    let done = 0;
    while (done < budget) {
      const before = Interpreter.ripLinear(cpu);
      if (cpu.i32[HALTED] === 0) try {
        const b = this.interp.lookup(cpu);
        let ip = before;
        for (let i = 0; i < b.instrs.length; i++) {
          const ins = b.instrs[i];
          const bytes = cpu.ram.subarray(b.ramOff + (i === 0 ? 0 : b.ends[i - 1]), b.ramOff + b.ends[i]);
          this.t.log('cpu', `cpu${cpu.id} ${this.t.addr(ip)}: ${formatInstr(ins, bytes, cpu.i32[CODE_BITS], ip)}`);
          ip += ins.len;
        }
      } catch (e) {
        if (!(e instanceof CpuFault)) throw e; // the fetch fault is delivered (and traced) by run()
      }
      const n = this.interp.run(cpu, 1);
      done += n;
      if (n === 0 || cpu.i32[HALTED] !== 0) break;
    }
    return done;
  }
}

/** SystemHooks that log every exception before delivering it. */
export function tracingHooks(inner: SystemHooks, t: Tracer): SystemHooks {
  return {
    deliverFault(cpu: Cpu, fault: CpuFault): void {
      const cr2 = fault.vector === 14 ? ` CR2=${hex(cpu.f64[CR2_F])}` : '';
      t.log('int', `cpu${cpu.id} exception ${fault.toString()}${cr2} at ${t.addr(Interpreter.ripLinear(cpu))}${fault.detail !== undefined ? ` (${fault.detail})` : ''}`);
      inner.deliverFault(cpu, fault);
    },
    servicePending(cpu: Cpu): boolean {
      return inner.servicePending(cpu);
    },
  };
}

/** An interrupt source that logs each accepted external interrupt. */
export function tracingIntc(inner: InterruptSource, cpu: Cpu, t: Tracer): InterruptSource {
  return {
    pending: () => inner.pending(),
    ack(): number {
      const v = inner.ack();
      t.log('int', `cpu${cpu.id} interrupt vector ${hex(v)} (${v < 32 ? vectorName(v) : 'external'}) at ${t.addr(Interpreter.ripLinear(cpu))}`);
      return v;
    },
  };
}
