// Runs one benchmark guest under bmjit through the public Machine API (Machine.loadBare, runSync) and times its
// kernel: the guest writes MARK_START / MARK_END to the perf marker port, whose handler stops the machine, so the
// harness reads the host clock, retired instructions and JIT statistics exactly at the kernel's boundaries.
import { readFileSync, mkdirSync } from 'node:fs';
import { createMachine } from '../machine/index.js';
import type { EngineMode } from '../machine/index.js';

/** Must match PERF_MARK_PORT in perf/workloads/guest_main.c (unused by the q35 platform model). */
export const PERF_MARK_PORT = 0xe10;
const MARK_START = 1;
const MARK_END = 2;
export const GUEST_LOAD = 0x100000;

/** Process CPU time (all threads: V8's background compiler counts too), in milliseconds. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface KernelSample {
  wallMs: number;
  cpuMs: number;
  instructions: number;
  /** Of `instructions`, those retired in translated code. */
  jitInstructions: number;
  /** JIT compile time spent inside this kernel call. */
  compileMs: number;
}

export interface GuestResult {
  checksum: string;
  kernels: KernelSample[];
  /** Whole run: first instruction to exit. */
  totalWallMs: number;
  totalCpuMs: number;
  totalInstructions: number;
  regions: number;
  compileMs: number;
  sourceBytes: number;
  fallbacks: number;
  templated: number;
}

export class GuestError extends Error {}

export interface GuestOptions {
  engine: EngineMode;
  n: number;
  reps: number;
  /** Write each translated region's source here (JitOptions.dumpDir). */
  dumpDir?: string;
  /** Compile hand-edited region sources from here (JitOptions.loadDir). */
  loadDir?: string;
  /** MachineConfig.sliceInstructions (default: the machine's). */
  slice?: number;
}

export function runGuest(binPath: string, symPath: string | undefined, opts: GuestOptions): GuestResult {
  const m = createMachine({ engine: opts.engine, memory: '256M', sliceInstructions: opts.slice });
  if (symPath !== undefined) m.addSymbols(readFileSync(symPath, 'latin1'), symPath);
  if (opts.loadDir !== undefined && m.jit !== undefined) m.jit.opts.loadDir = opts.loadDir;
  if (opts.dumpDir !== undefined && m.jit !== undefined) {
    mkdirSync(opts.dumpDir, { recursive: true });
    m.jit.opts.dumpDir = opts.dumpDir;
  }
  m.loadBare(new Uint8Array(readFileSync(binPath)), GUEST_LOAD, GUEST_LOAD, binPath);
  m.setRegisters({ rdi: BigInt(opts.n), rsi: BigInt(opts.reps) });
  let mark = 0;
  m.io.register('perf-mark', PERF_MARK_PORT, 1, {
    read: () => 0xff,
    write: (_off, _size, v) => {
      mark = v & 0xff;
      m.stop();
    },
  });
  const jitRetired = () => m.stats().jitInstructions;
  const compileMs = () => m.stats().jit?.compileMs ?? 0;
  const kernels: KernelSample[] = [];
  let start: { t: number; u: number; i: number; j: number; c: number } | undefined;
  const t0 = performance.now();
  const u0 = cpuMs();
  try {
    for (;;) {
      const r = m.runSync();
      const t = performance.now();
      const u = cpuMs();
      if (r.reason === 'stopped' && mark === MARK_START) {
        start = { t, u, i: m.instructions, j: jitRetired(), c: compileMs() };
      } else if (r.reason === 'stopped' && mark === MARK_END && start !== undefined) {
        kernels.push({
          wallMs: t - start.t,
          cpuMs: u - start.u,
          instructions: m.instructions - start.i,
          jitInstructions: jitRetired() - start.j,
          compileMs: compileMs() - start.c,
        });
        start = undefined;
      } else if (r.reason === 'exit') {
        const out = m.serial.output;
        const cs = /checksum ([0-9a-f]{16})/.exec(out);
        if (r.exitCode === 3 && cs !== null) {
          throw new GuestError(`CHECKSUM MISMATCH between repetitions of the kernel inside the guest (first repetition: ${cs[1]})`);
        }
        if (r.exitCode !== 1 || cs === null) throw new GuestError(`exit status ${r.exitCode}, serial output: ${JSON.stringify(out.trim())}`);
        if (kernels.length !== opts.reps) throw new GuestError(`saw ${kernels.length} kernel calls, expected ${opts.reps}`);
        const st = m.stats().jit;
        return {
          checksum: cs[1],
          kernels,
          totalWallMs: t - t0,
          totalCpuMs: u - u0,
          totalInstructions: m.instructions,
          regions: st?.regions ?? 0,
          compileMs: st?.compileMs ?? 0,
          sourceBytes: st?.sourceBytes ?? 0,
          fallbacks: st?.fallbacks ?? 0,
          templated: st?.templated ?? 0,
        };
      } else {
        throw new GuestError(`the guest stopped (${r.reason}${r.report !== undefined ? ': ' + r.report : ''}) after ${r.instructions} instructions; serial output: ${JSON.stringify(m.serial.output.trim())}`);
      }
    }
  } finally {
    m.close();
  }
}
