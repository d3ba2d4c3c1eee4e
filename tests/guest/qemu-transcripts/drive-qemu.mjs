#!/usr/bin/env node
// Dev tool (needs QEMU; no test runs it): boots build/bmjit.img in qemu-system-x86_64 q35 and drives the monitor
// like a user: each command is sent only after the "> " prompt appeared, so the transcript does not depend on
// input timing. Writes the serial transcript (exactly the bytes QEMU printed) to --out or stdout.
//   node tests/guest/qemu-transcripts/drive-qemu.mjs --smp 4 [--entry64] [--out FILE] [--timeout 60] -- "ver" "poweroff"
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function parseArgs(argv) {
  const opts = { smp: 1, mem: 256, out: null, timeout: 60, commands: [], entry: 'multiboot' };
  let i = 0;
  for (; i < argv.length && argv[i] !== '--'; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--smp') opts.smp = Number(next());
    else if (a === '--mem') opts.mem = Number(next());
    else if (a === '--out') opts.out = next();
    else if (a === '--timeout') opts.timeout = Number(next());
    else if (a === '--entry64') opts.entry = 'entry64';
    else throw new Error(`unknown option ${a}`);
  }
  opts.commands = argv.slice(i + 1);
  return opts;
}

/** The exact QEMU command line used for the reference transcripts (see README.md here). With entry = 'entry64' the
 *  image is entered through build/entry64-shim.bin, which imitates the emulator's 64-bit hand-over. */
export function qemuArgs(smp, mem, entry = 'multiboot') {
  const boot =
    entry === 'entry64'
      ? ['-kernel', join(ROOT, 'build/entry64-shim.bin'), '-initrd', join(ROOT, 'build/bmjit.img')]
      : ['-kernel', join(ROOT, 'build/bmjit.img')];
  return [
    '-machine', 'q35', ...boot, '-serial', 'stdio', '-display', 'none', '-nodefaults',
    '-smp', String(smp), '-m', String(mem), '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-no-reboot',
  ];
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const qemu = spawn('qemu-system-x86_64', qemuArgs(opts.smp, opts.mem, opts.entry), { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let errText = '';
  let pending = [...opts.commands];
  let waitingFrom = 0; // only prompts after this offset count
  const started = Date.now();
  let lastProgress = Date.now();

  qemu.stderr.on('data', (d) => (errText += d));
  qemu.stdout.on('data', (d) => {
    out += d.toString('latin1');
    lastProgress = Date.now();
    if (out.endsWith('> ') && out.length > waitingFrom) {
      const cmd = pending.shift();
      if (cmd !== undefined) {
        waitingFrom = out.length + cmd.length + 1;
        qemu.stdin.write(cmd + '\n');
      }
    }
  });
  const timer = setInterval(() => {
    if (Date.now() - lastProgress > opts.timeout * 1000) {
      errText += `drive-qemu: no output for ${opts.timeout} s, killing QEMU\n`;
      qemu.kill('SIGKILL');
    }
  }, 500);
  const code = await new Promise((resolve) => qemu.on('close', (c, sig) => resolve(c ?? sig)));
  clearInterval(timer);
  if (opts.out) writeFileSync(opts.out, out, 'latin1');
  else process.stdout.write(out);
  process.stderr.write(errText);
  process.stderr.write(`drive-qemu: QEMU exited with ${code} after ${((Date.now() - started) / 1000).toFixed(2)} s; ${pending.length} command(s) not sent\n`);
  process.exit(pending.length ? 2 : 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`drive-qemu: ${e.message}`);
    process.exit(1);
  });
}
