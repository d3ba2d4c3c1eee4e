// Tracing (`--trace=cpu,mmu,int,io`): one line per event on the trace sink, addresses decorated with guest symbols.
// Tracing wraps the traced component when enabled, so an untraced machine pays nothing.
import type { TraceSubsystem } from './config.js';
import type { SymbolMap } from './symbols.js';
import type { Mmu, Cpu } from './cpu/cpu.js';
import { Access } from './cpu/cpu.js';
import type { IoBus, MmioBus } from './memory/bus.js';
import { CpuFault, VECTOR_NAMES } from './cpu/fault.js';

export function hex(v: number, width = 0): string {
  const s = v < 0 ? '-' + (-v).toString(16) : v.toString(16);
  return '0x' + s.padStart(width, '0');
}

export class Tracer {
  symbols: SymbolMap | undefined;

  constructor(
    readonly enabled: ReadonlySet<TraceSubsystem>,
    readonly sink: (line: string) => void,
  ) {}

  on(s: TraceSubsystem): boolean {
    return this.enabled.has(s);
  }

  /** `0x100010 <main+0x10>` */
  addr(a: number): string {
    const sym = this.symbols?.format(a) ?? '';
    return sym === '' ? hex(a) : `${hex(a)} <${sym}>`;
  }

  log(s: TraceSubsystem, text: string): void {
    this.sink(`[${s}] ${text}`);
  }
}

const ACCESS = ['read', 'write', 'exec'];

/** An Mmu that logs every translation that reaches the page walker (TLB misses) and every #PF it raises. */
export function tracingMmu(inner: Mmu, t: Tracer): Mmu {
  return {
    translate(cpu: Cpu, lin: number, access: Access, supervisor: boolean): number {
      try {
        const pa = inner.translate(cpu, lin, access, supervisor);
        t.log('mmu', `cpu${cpu.id} ${ACCESS[access]} ${t.addr(lin)} -> ${hex(pa)}`);
        return pa;
      } catch (e) {
        if (e instanceof CpuFault) t.log('mmu', `cpu${cpu.id} ${ACCESS[access]} ${t.addr(lin)} -> ${e.toString()}`);
        throw e;
      }
    },
    flush(cpu: Cpu, includeGlobal: boolean): void {
      t.log('mmu', `cpu${cpu.id} flush${includeGlobal ? ' (including global)' : ''}`);
      inner.flush(cpu, includeGlobal);
    },
    flushPage(cpu: Cpu, lin: number): void {
      t.log('mmu', `cpu${cpu.id} invlpg ${t.addr(lin)}`);
      inner.flushPage(cpu, lin);
    },
  };
}

/** Log unassigned port and MMIO accesses (they read as all-ones) and, when io tracing is on, every port access. */
export function traceBuses(io: IoBus, mmio: MmioBus, t: Tracer): void {
  const unassigned = (kind: 'mmio' | 'io', dir: 'read' | 'write', addr: number, size: number, value?: number) => {
    const what = kind === 'io' ? `port ${hex(addr, 4)}` : `mmio ${hex(addr)}`;
    t.log('io', `unassigned ${dir}${size * 8} ${what}${dir === 'write' ? ' <- ' + hex(value ?? 0) : ' -> all-ones'}`);
  };
  io.onUnassigned = unassigned;
  mmio.onUnassigned = unassigned;
  const rd = io.read.bind(io);
  const wr = io.write.bind(io);
  io.read = (port: number, size: number): number => {
    const v = rd(port, size);
    if (io.map.find(port) !== undefined) t.log('io', `in${size * 8} ${hex(port, 4)} -> ${hex(v)} (${io.map.find(port)!.name})`);
    return v;
  };
  io.write = (port: number, size: number, value: number): void => {
    if (io.map.find(port) !== undefined) t.log('io', `out${size * 8} ${hex(port, 4)} <- ${hex(value)} (${io.map.find(port)!.name})`);
    wr(port, size, value);
  };
}

export function vectorName(v: number): string {
  return VECTOR_NAMES[v] ?? `vector ${v}`;
}
