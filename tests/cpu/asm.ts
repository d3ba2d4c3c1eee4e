// Assembles small guest snippets (GNU as, Intel syntax) into flat binaries linked at a chosen address (as + ld
// --oformat binary), so absolute label addresses resolve. Results are cached per (source, origin) for the run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cache = new Map<string, Uint8Array>();

function run(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} failed: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(0, 6).join(' | ')}`);
}

/**
 * Assemble `src` (starting in `.code{bits}`; may switch modes itself) as a flat image whose first byte is at `org`.
 */
export function asm(src: string, org: number, bits: 16 | 32 | 64 = 64): Uint8Array {
  const key = `${bits}:${org}:${src}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const dir = mkdtempSync(join(tmpdir(), 'bmjit-cpu-'));
  try {
    const s = join(dir, 'a.s'), o = join(dir, 'a.o'), b = join(dir, 'a.bin');
    writeFileSync(s, `.intel_syntax noprefix\n.text\n.code${bits}\n${src}\n`);
    run('as', ['--64', '-o', o, s], 'as');
    run('ld', ['-m', 'elf_x86_64', '-e', '0', `-Ttext=0x${org.toString(16)}`, '--oformat', 'binary', '-o', b, o], 'ld');
    const bytes = new Uint8Array(readFileSync(b));
    cache.set(key, bytes);
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
