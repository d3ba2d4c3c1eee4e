#!/usr/bin/env node
// Builds the benchmark workloads (perf/workloads) into build/perf/: for each workload NAME.c (+ NAME.s) one object
// file, linked twice: build/perf/guest/NAME.bin (flat, for bmjit at 0x100000, with NAME.sym) and
// build/perf/host/NAME (native executable). Both link the SAME workload object, so the timed code is identical.
//   node perf/build.mjs [--force] [--quiet]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'perf', 'workloads');
const OUT = join(ROOT, 'build', 'perf');
const OBJ = join(OUT, 'obj');
const FORCE = process.argv.includes('--force');
const QUIET = process.argv.includes('--quiet');
const SELF = fileURLToPath(import.meta.url);

/** Drivers and runtime, not workloads. */
const NOT_WORKLOADS = new Set(['guest_main.c', 'host_main.c']);

// One set of flags for every object the guest runs, workload and driver alike. Freestanding and no red zone are
// what a kernel needs; the same object is linked into the host executable (non-PIE), so native runs the same code.
const WL_CFLAGS = [
  '-m64', '-O2', '-std=gnu11', '-ffreestanding', '-fno-builtin', '-fno-math-errno', '-mno-red-zone',
  '-fno-stack-protector', '-fno-pie', '-fno-asynchronous-unwind-tables', '-fno-tree-loop-distribute-patterns',
  '-Wall', '-Wextra', '-Werror',
];
const HOST_CFLAGS = ['-m64', '-O2', '-std=gnu11', '-Wall', '-Wextra', '-Werror'];
const LDFLAGS = ['-static', '-nostdlib', '--no-warn-rwx-segments', '-z', 'noexecstack', '--build-id=none'];

class BuildError extends Error {}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new BuildError(`cannot run ${cmd}: ${r.error.message} (install gcc and GNU binutils)`);
  if (r.status !== 0) throw new BuildError(`${cmd} ${args.join(' ')}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : -1);
const stale = (out, inputs) => FORCE || inputs.some((i) => mtime(i) >= mtime(out));
const log = (m) => {
  if (!QUIET) console.log(m);
};

/** The workloads: NAME.c in perf/workloads, with NAME.s when the kernel is written in assembly. */
export function listWorkloads() {
  return readdirSync(SRC)
    .filter((f) => f.endsWith('.c') && !NOT_WORKLOADS.has(f))
    .map((f) => basename(f, '.c'))
    .sort();
}

function compileC(src, out, flags) {
  if (stale(out, [src, join(SRC, 'bench.h'), SELF])) {
    log(`  cc   ${relative(ROOT, src)}`);
    run('gcc', [...flags, '-I', SRC, '-c', src, '-o', out]);
  }
  return out;
}

function assemble(src, out) {
  if (stale(out, [src, SELF])) {
    log(`  as   ${relative(ROOT, src)}`);
    run('as', ['--64', src, '-o', out]);
  }
  return out;
}

function build() {
  for (const d of [OBJ, join(OUT, 'guest'), join(OUT, 'host')]) mkdirSync(d, { recursive: true });
  const crt0 = assemble(join(SRC, 'crt0.s'), join(OBJ, 'crt0.o'));
  const guestMain = compileC(join(SRC, 'guest_main.c'), join(OBJ, 'guest_main.o'), WL_CFLAGS);
  const hostMain = compileC(join(SRC, 'host_main.c'), join(OBJ, 'host_main.o'), HOST_CFLAGS);
  const script = join(SRC, 'guest.ld');
  const names = listWorkloads();
  for (const name of names) {
    const objs = [compileC(join(SRC, `${name}.c`), join(OBJ, `${name}.o`), WL_CFLAGS)];
    if (existsSync(join(SRC, `${name}.s`))) objs.push(assemble(join(SRC, `${name}.s`), join(OBJ, `${name}-asm.o`)));

    const elf = join(OUT, 'guest', `${name}.elf`);
    const bin = join(OUT, 'guest', `${name}.bin`);
    const sym = join(OUT, 'guest', `${name}.sym`);
    if (stale(bin, [script, crt0, guestMain, ...objs]) || !existsSync(sym)) {
      log(`  ld   guest/${name}.bin`);
      run('ld', [...LDFLAGS, '-T', script, crt0, guestMain, ...objs, '-o', elf]);
      run('objcopy', ['-O', 'binary', elf, bin]);
      // Code symbols only: the JIT names its region functions after them (profiles, --dump-dir).
      const nm = run('nm', ['-n', '--defined-only', elf]);
      const lines = nm.split('\n').filter((l) => /^[0-9a-f]+ [tT] /.test(l)).map((l) => l.replace(/ [tT] /, ' '));
      writeFileSync(sym, lines.join('\n') + '\n');
    }

    const exe = join(OUT, 'host', name);
    if (stale(exe, [hostMain, ...objs])) {
      log(`  link host/${name}`);
      run('gcc', ['-no-pie', hostMain, ...objs, '-o', exe]);
    }
  }
  log(`perf: ${names.length} workloads built in ${relative(ROOT, OUT)}/ (guest/*.bin, host/*)`);
}

if (process.argv[1] === SELF) {
  try {
    build();
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    process.stderr.write(`perf/build.mjs: error: ${e.message.trimEnd()}\n`);
    process.exit(1);
  }
}
