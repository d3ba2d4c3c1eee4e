// Helpers for the guest-software tests: run the guest build once, read build/ outputs and symbol maps.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILD = join(ROOT, 'build');

let built = false;

/** Runs tools/build-guest.mjs (incremental, so cheap when npm test already built) and fails loudly if it fails. */
export function ensureGuestBuilt(): void {
  if (built) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'tools/build-guest.mjs'), '--quiet'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`guest build failed:\n${r.stdout}${r.stderr}`);
  built = true;
}

export function readBuild(name: string): Buffer {
  return readFileSync(join(BUILD, name));
}

export interface Sym {
  readonly address: bigint;
  readonly name: string;
}

export function readSym(name: string): Sym[] {
  return readFileSync(join(BUILD, `${name}.sym`), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [a, n] = l.split(' ');
      return { address: BigInt('0x' + a), name: n };
    });
}

export function symAddr(syms: Sym[], name: string): bigint {
  const s = syms.find((x) => x.name === name);
  if (!s) throw new Error(`symbol ${name} not in map`);
  return s.address;
}
