#!/usr/bin/env node
// Dev tool (needs QEMU): re-records every reference transcript in this folder with drive-qemu.mjs.
//   npm run build:guest && node tests/guest/qemu-transcripts/record.mjs
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Shared command list; every command waits for the previous prompt. */
export const SESSION = [
  'ver', 'help', 'cores', 'mem', 'dir', 'run hello', 'run helloc', 'run sysinfo', 'run smptest', 'run abitest',
  'peek 100003 1', 'poke 500000 1234 2', 'peek 500000 2', 'dump 100000 40', 'bogus', 'run nosuch',
  'peek FFFFFFFFF000', 'peek 100000000', 'ver', 'poweroff',
];

export const SCENARIOS = [
  { file: 'multiboot-smp1.txt', args: ['--smp', '1'], commands: SESSION },
  { file: 'multiboot-smp2.txt', args: ['--smp', '2'], commands: SESSION },
  { file: 'multiboot-smp4.txt', args: ['--smp', '4'], commands: SESSION },
  { file: 'entry64-smp4.txt', args: ['--smp', '4', '--entry64'], commands: SESSION },
  { file: 'bench-smp2.txt', args: ['--smp', '2'], commands: ['run bench', 'exit 3'] },
];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const s of SCENARIOS) {
    const r = spawnSync(process.execPath, [join(HERE, 'drive-qemu.mjs'), ...s.args, '--out', join(HERE, s.file), '--', ...s.commands], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0) {
      console.error(`record: ${s.file} failed`);
      process.exit(1);
    }
  }
}
