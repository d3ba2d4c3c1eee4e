// Machine configuration (the knobs of `bmjit` and of createMachine): defaults, validation, normalisation.
import { UserError, parseSize, parseCount } from './errors.js';
import type { SerialBackend } from '../devices/host/serial-backend.js';

/** Which execution engine runs guest code. 'auto' interprets cold code and translates hot blocks. */
export type EngineMode = 'interp' | 'jit' | 'auto';
/** 'virtual': time is derived from retired instructions (deterministic). 'host': time follows the host clock. */
export type ClockMode = 'virtual' | 'host';
export const TRACE_SUBSYSTEMS = ['cpu', 'mmu', 'int', 'io'] as const;
export type TraceSubsystem = (typeof TRACE_SUBSYSTEMS)[number];

export interface MachineConfig {
  /** Guest RAM in bytes or as text ("256M", "1G"). Default 256 MiB. */
  memory?: number | string;
  /** Number of vCPUs, 1..64. Default 1. */
  cpus?: number;
  /** Execution engine. Default 'auto'. */
  engine?: EngineMode;
  /** Write each translated region's JavaScript (with the guest disassembly as comments) into this directory. */
  jitDump?: string;
  /** Trace subsystems (array or comma-separated list). Trace lines go to `traceSink` (default: stderr). */
  trace?: readonly TraceSubsystem[] | string;
  traceSink?: (line: string) => void;
  /** Guest symbols for traces (`ADDRESS SYMBOL` lines, see symbols.ts). */
  symbols?: string;
  /** Clock mode. Default 'virtual'. */
  clock?: ClockMode;
  /** Virtual nanoseconds per retired instruction (virtual clock only). Default 1 (a nominal 1 GHz guest). */
  nsPerInstruction?: number;
  /** Stop with reason 'max-instructions' after this many instructions (all vCPUs together). Default: unlimited. */
  maxInstructions?: number | string;
  /** Where COM1's bytes go and come from. Default: a buffer-only back end (output collected in machine.serial). */
  serial?: SerialBackend;
  /** Instructions a vCPU runs before the scheduler moves on (and fires due timers). Default 20,000. */
  sliceInstructions?: number;
  /**
   * Virtual clock only: when every vCPU is idle, do not let virtual time run ahead of host time (interactive use,
   * so a periodic guest timer does not spin the host). Guest-visible behaviour stays a function of the input.
   */
  paceIdle?: boolean;
  /** Called whenever every vCPU waits for the host (input, or host time): an interactive guest reached its prompt. */
  onIdle?: () => void;
}

/** The validated, complete form of MachineConfig. */
export interface ResolvedConfig {
  memory: number;
  cpus: number;
  engine: EngineMode;
  jitDump: string | undefined;
  trace: ReadonlySet<TraceSubsystem>;
  traceSink: (line: string) => void;
  symbols: string | undefined;
  clock: ClockMode;
  nsPerInstruction: number;
  maxInstructions: number;
  serial: SerialBackend | undefined;
  sliceInstructions: number;
  paceIdle: boolean;
  onIdle: (() => void) | undefined;
}

export const DEFAULT_MEMORY = 256 * 1024 * 1024;
export const MAX_CPUS = 64;

export function parseTrace(spec: readonly string[] | string | undefined): Set<TraceSubsystem> {
  const out = new Set<TraceSubsystem>();
  if (spec === undefined) return out;
  const items = typeof spec === 'string' ? spec.split(',') : spec.flatMap((s) => s.split(','));
  for (const raw of items) {
    const s = raw.trim();
    if (s === '') continue;
    if (s === 'all') {
      for (const t of TRACE_SUBSYSTEMS) out.add(t);
      continue;
    }
    if (!(TRACE_SUBSYSTEMS as readonly string[]).includes(s)) {
      throw new UserError(`unknown trace subsystem '${s}' (known: ${TRACE_SUBSYSTEMS.join(', ')}, all)`);
    }
    out.add(s as TraceSubsystem);
  }
  return out;
}

export function resolveConfig(c: MachineConfig = {}): ResolvedConfig {
  const memory = c.memory === undefined ? DEFAULT_MEMORY : parseSize(c.memory, 'memory size');
  if (memory < 2 * 1024 * 1024) throw new UserError(`memory size ${memory} is too small (at least 2M)`);
  if (memory % 4096 !== 0) throw new UserError(`memory size ${memory} is not a multiple of 4K`);
  if (memory > 64 * 1024 ** 3) throw new UserError(`memory size ${memory} is too large (at most 64G)`);
  const cpus = c.cpus ?? 1;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > MAX_CPUS) throw new UserError(`bad CPU count ${cpus} (1..${MAX_CPUS})`);
  const engine = c.engine ?? 'auto';
  if (engine !== 'interp' && engine !== 'jit' && engine !== 'auto') throw new UserError(`bad engine '${String(engine)}'`);
  const clock = c.clock ?? 'virtual';
  if (clock !== 'virtual' && clock !== 'host') throw new UserError(`bad clock mode '${String(clock)}' (virtual or host)`);
  const nsPerInstruction = c.nsPerInstruction ?? 1;
  if (!(nsPerInstruction > 0)) throw new UserError(`bad nsPerInstruction ${nsPerInstruction}`);
  const maxInstructions = c.maxInstructions === undefined ? Infinity : parseCount(c.maxInstructions, 'instruction count');
  const slice = c.sliceInstructions ?? 20_000;
  if (!Number.isInteger(slice) || slice < 1) throw new UserError(`bad slice length ${slice}`);
  return {
    memory,
    cpus,
    engine,
    jitDump: c.jitDump,
    trace: parseTrace(c.trace),
    traceSink: c.traceSink ?? ((line) => process.stderr.write(line + '\n')),
    symbols: c.symbols,
    clock,
    nsPerInstruction,
    maxInstructions,
    serial: c.serial,
    sliceInstructions: slice,
    paceIdle: c.paceIdle ?? false,
    onIdle: c.onIdle,
  };
}
