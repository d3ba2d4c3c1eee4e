// Runs a workload's native executable (build/perf/host/NAME, the same workload object as the guest) and parses
// its checksum and per-repetition kernel times (clock_gettime around the kernel call only).
import { spawnSync } from 'node:child_process';
import { GuestError } from './guest-run.js';

export interface NativeResult {
  checksum: string;
  wallMs: number[];
  cpuMs: number[];
}

export function runNative(exe: string, n: number, reps: number): NativeResult {
  const r = spawnSync(exe, [String(n), String(reps)], { encoding: 'utf8' });
  if (r.error) throw new GuestError(`cannot run ${exe}: ${r.error.message}`);
  if (r.status !== 0) throw new GuestError(`${exe} exited with status ${r.status}: ${r.stderr.trim()}`);
  const cs = /checksum ([0-9a-f]{16})/.exec(r.stdout);
  const ns = /^ns((?: \d+)+)$/m.exec(r.stdout);
  const cpu = /^cpu_ns((?: \d+)+)$/m.exec(r.stdout);
  if (cs === null || ns === null || cpu === null) throw new GuestError(`${exe}: unexpected output ${JSON.stringify(r.stdout)}`);
  const ms = (m: RegExpExecArray) => m[1].trim().split(' ').map((x) => Number(x) / 1e6);
  return { checksum: cs[1], wallMs: ms(ns), cpuMs: ms(cpu) };
}
