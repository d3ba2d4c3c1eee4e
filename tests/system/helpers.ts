// Helpers for the system tests: run the bmjit CLI exactly as users do, and small image builders.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { CLI, ROOT } from './build.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/machine/cli/main.js ARGS` with stdin closed, or fed `input` through a pipe. */
export function runCli(args: string[], timeoutMs = 60_000, input?: string): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build:ts\` first (npm test does)`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'latin1',
    timeout: timeoutMs,
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The test names a kernel reports, taken from its `n_*: .asciz "..."` strings (so every check must print PASS). */
export function checkNames(kernelSource: string): string[] {
  const src = readFileSync(kernelSource, 'utf8');
  return [...src.matchAll(/^n_\w+:\s*\.asciz\s+"([^"]*)"/gm)].map((m) => m[1]);
}

/** A Multiboot header (magic, flags, checksum[, a.out kludge fields]) as bytes. */
export function mbHeader(flags: number, kludge?: { header: number; load: number; loadEnd: number; bssEnd: number; entry: number }, badChecksum = false): Uint8Array {
  const words = [0x1badb002, flags >>> 0, (-(0x1badb002 + flags) + (badChecksum ? 1 : 0)) >>> 0];
  if (kludge !== undefined) words.push(kludge.header, kludge.load, kludge.loadEnd, kludge.bssEnd, kludge.entry);
  const b = new Uint8Array(words.length * 4);
  const dv = new DataView(b.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return b;
}
