// Host-CPU oracle driver: builds tools/host-oracle/harness.c on demand and runs case batches natively.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Case, Result } from './abi.js';
import { decodeBatch, encodeBatch } from './wire.js';

export * from './abi.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HARNESS_SRC = join(ROOT, 'tools', 'host-oracle', 'harness.c');
export const HARNESS_BIN = join(ROOT, 'build', 'host-oracle');

/** The one place the harness compile command lives (README points here). */
export function harnessBuildCommand(output: string): string[] {
  return ['gcc', '-O2', '-Wall', '-Wextra', '-o', output, HARNESS_SRC];
}

/** Compiles the harness when the binary is missing or older than the source. Safe across parallel workers:
 * each builds to a private name and renames over the target atomically. */
export function ensureHarness(): string {
  const src = statSync(HARNESS_SRC);
  if (existsSync(HARNESS_BIN) && statSync(HARNESS_BIN).mtimeMs >= src.mtimeMs) return HARNESS_BIN;
  mkdirSync(dirname(HARNESS_BIN), { recursive: true });
  const tmp = `${HARNESS_BIN}.${process.pid}.tmp`;
  const [cmd, ...args] = harnessBuildCommand(tmp);
  const r = spawnSync(cmd!, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`host-oracle: cannot run gcc: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`host-oracle: gcc failed: ${(r.stderr || '').trim().split('\n')[0]}`);
  renameSync(tmp, HARNESS_BIN);
  return HARNESS_BIN;
}

// Instructions that would leave the sandbox of the harness process (real system calls).
const ESCAPES = /\b(syscall|sysenter|int\s+0x80|int\s+128)\b/i;

/** Runs every case natively, in one harness process, and returns one Result per case (same order). */
export function runHost(cases: readonly Case[]): Result[] {
  if (cases.length === 0) return [];
  for (const c of cases) {
    if (c.bits !== 64) throw new Error(`runHost: case "${c.name}" is ${c.bits}-bit; the host oracle runs 64-bit code only`);
    if (c.asm && ESCAPES.test(c.asm)) throw new Error(`runHost: case "${c.name}" makes a system call`);
  }
  const bin = ensureHarness();
  const input = encodeBatch(cases);
  const r = spawnSync(bin, [], { input, maxBuffer: 1 << 30 });
  if (r.error) throw new Error(`host-oracle: cannot run ${bin}: ${r.error.message}`);
  if (r.status !== 0) {
    const why = r.signal ? `killed by ${r.signal}` : (r.stderr?.toString() || '').trim().split('\n')[0];
    throw new Error(`host-oracle failed: ${why}`);
  }
  return decodeBatch(r.stdout, cases);
}
