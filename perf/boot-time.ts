// Boot-time benchmark for the built-in BareMetal system (`bmjit boot`): wall time from process start to the monitor
// prompt `> ` (the `bmjit` command as a user starts it, bin/bmjit, next to the bundle without its startup snapshot,
// the unbundled modules and `node -e 0`, runs interleaved, median), and guest instruction counts per boot phase, the
// phases found by the bootstrap processor's RIP first entering symbols of the loader, kernel and payload maps.
//   npm run perf:boot [-- --runs N] [-- --cpus 1,4]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMachine, type Machine } from '../machine/machine.js';
import { bootBuiltin, readBuiltin } from '../machine/builtin.js';
import { Interpreter } from '../jit/interp/interpreter.js';
import type { Cpu } from '../machine/cpu/cpu.js';
import type { ExecEngine } from '../machine/scheduler.js';
import { HALTED, ICOUNT_F } from '../machine/cpu/state.js';
import { KERNEL_ADDRESS, PAYLOAD_ADDRESS } from '../machine/abi.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'machine', 'cli', 'main.js');
const BIN = join(ROOT, 'bin', 'bmjit');
const BUNDLE = join(ROOT, 'dist', 'bmjit.cjs');
const BLOB = join(ROOT, 'dist', 'bmjit.blob');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Spawn `cmd`; milliseconds from spawn to the first `> ` on stdout (the session is then ended with poweroff), or, with
 * `prompt` false, to the process's exit.
 */
function timeToPrompt(cmd: string[], prompt = true): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd[0], cmd.slice(1), { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let at = -1;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (prompt && at < 0 && out.includes('> ')) {
        at = performance.now() - t0;
        child.stdin.end('poweroff\n');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (!prompt) at = performance.now() - t0;
      if (at < 0 || (!prompt && code !== 0)) reject(new Error(`${cmd.join(' ')}: no prompt (status ${code}): ${err.trim() || out.slice(-200)}`));
      else resolve(at);
    });
  });
}

const CLI_COMMANDS = join(ROOT, 'dist', 'machine', 'cli', 'commands.js');

/** Milliseconds a fresh node process spends in `await import(mod)` (resolution, compilation, evaluation). */
function importMs(mod: string): Promise<number> {
  const code = `const t = performance.now(); await import(${JSON.stringify(mod)}); process.stdout.write(String(performance.now() - t));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (status) => (status === 0 ? resolve(Number(out)) : reject(new Error(`import ${mod} failed`))));
  });
}

interface Phase {
  name: string;
  /** BSP RIP (linear) that starts the phase. */
  at: number;
}

interface PhaseResult {
  name: string;
  instructions: number;
  bspInstructions: number;
  hostMs: number;
}

/**
 * Boot with the interpreter, the BSP stepped one block at a time so the first block at each phase address is seen;
 * APs run normally. (engineStats() prints the totals of a boot with the default engine for comparison.)
 */
function phaseCounts(cpus: number): { phases: PhaseResult[]; total: number } {
  const m: Machine = createMachine({ cpus, engine: 'interp' });
  const sys = readBuiltin();
  bootBuiltin(m, { system: sys });
  const sym = (n: string): number => {
    const a = m.symbols.address(n);
    if (a === undefined) throw new Error(`symbol ${n} not in the maps (rebuild: npm run build:guest)`);
    return a;
  };
  const phases: Phase[] = [
    { name: 'loader (to AP start-up)', at: Interpreter.ripLinear(m.cpus[0]) },
    { name: 'AP start-up (loader smp_start)', at: sym('smp_start') },
    { name: 'loader (after AP start-up)', at: sym('info_finish') },
    { name: 'kernel init', at: KERNEL_ADDRESS },
    { name: 'monitor to prompt', at: PAYLOAD_ADDRESS },
  ];
  const marks: Array<{ instr: number; bsp: number; ms: number }> = [];
  const inner = m.scheduler.engine;
  let next = 0;
  /** `pending`: instructions of the running slice, not yet added to scheduler.retired. */
  const mark = (pending: number) => {
    marks.push({ instr: m.scheduler.retired + pending, bsp: m.cpus[0].f64[ICOUNT_F], ms: performance.now() });
    next++;
  };
  const stepped: ExecEngine = {
    run(cpu: Cpu, budget: number): number {
      if (cpu.id !== 0 || next >= phases.length) return inner.run(cpu, budget);
      let done = 0;
      while (done < budget) {
        if (next < phases.length && Interpreter.ripLinear(cpu) === phases[next].at) mark(done);
        const n = inner.run(cpu, 1);
        done += n;
        if (n === 0 || cpu.i32[HALTED] !== 0) break;
      }
      return done;
    },
  };
  m.scheduler.engine = stepped;
  let prompt = false;
  m.serial.onOutput(() => {
    if (!prompt && m.serial.output.includes('> ')) {
      prompt = true;
      m.stop();
    }
  });
  const r = m.runSync(5e8);
  if (!prompt) throw new Error(`no prompt: ${r.reason} ${r.report ?? ''}\n${m.serial.output}`);
  marks.push({ instr: m.scheduler.retired, bsp: m.cpus[0].f64[ICOUNT_F], ms: performance.now() });
  if (marks.length !== phases.length + 1) throw new Error(`only ${marks.length - 1} of ${phases.length} phases seen`);
  return {
    phases: phases.map((p, i) => ({
      name: p.name,
      instructions: marks[i + 1].instr - marks[i].instr,
      bspInstructions: marks[i + 1].bsp - marks[i].bsp,
      hostMs: marks[i + 1].ms - marks[i].ms,
    })),
    total: m.scheduler.retired,
  };
}

/** One library boot with the default engine: JIT work and virtual time up to the prompt. */
function engineStats(cpus: number, engine: 'auto' | 'interp'): string {
  const t0 = performance.now();
  const m = createMachine({ cpus, engine });
  bootBuiltin(m);
  const t1 = performance.now();
  let prompt = false;
  m.serial.onOutput(() => {
    if (!prompt && m.serial.output.includes('> ')) {
      prompt = true;
      m.stop();
    }
  });
  m.runSync(5e8);
  const st = m.stats();
  const jit = st.jit === undefined ? 'no JIT' : `${st.jit.regions} regions compiled in ${st.jit.compileMs.toFixed(0)} ms`;
  return `${engine.padEnd(6)} create+load ${(t1 - t0).toFixed(0)} ms, run ${(performance.now() - t1).toFixed(0)} ms (${jit}); ${st.instructions} instructions, ${(st.virtualNs / 1e6).toFixed(2)} ms virtual, ${st.idleJumps} idle jumps`;
}

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const summary = (xs: number[]): string => `${median(xs).toFixed(0).padStart(5)} ms [${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}]`;

async function main(): Promise<void> {
  for (const f of [CLI, BUNDLE, BLOB]) if (!existsSync(f)) throw new Error(`${f} is missing: npm run build`);
  readBuiltin(); // one clear error if build/ is missing
  const runs = Number(arg('runs', '7'));
  const cpuList = arg('cpus', '1,4').split(',').map(Number);
  const node = process.execPath;
  // Every variant once per round, so that the load of other processes on the machine hits them alike.
  const variants: Array<[string, string[], boolean]> = [];
  for (const cpus of cpuList) {
    const c = ['--cpus', String(cpus)];
    variants.push(
      [`bin/bmjit boot --cpus ${cpus} (snapshot)`, [BIN, 'boot', ...c], true],
      [`bin/bmjit boot --cpus ${cpus} --no-jit`, [BIN, 'boot', ...c, '--no-jit'], true],
    );
    if (cpus === cpuList[0]) {
      variants.push(
        [`node dist/bmjit.cjs boot --cpus ${cpus} (bundle)`, [node, BUNDLE, 'boot', ...c], true],
        [`node dist/machine/cli/main.js boot --cpus ${cpus}`, [node, CLI, 'boot', ...c], true],
      );
    }
  }
  variants.push(['bin/bmjit --help (snapshot, no machine)', [BIN, '--help'], false], ['node -e 0', [node, '-e', '0'], false]);
  const times = variants.map((): number[] => []);
  const load0 = load();
  for (let r = 0; r < runs; r++) for (let i = 0; i < variants.length; i++) times[i].push(await timeToPrompt(variants[i][1], variants[i][2]));
  console.log(`process start to the first "> " on stdout (to the exit without a prompt), ${runs} runs each, median [min-max]:`);
  for (let i = 0; i < variants.length; i++) console.log(`  ${variants[i][0].padEnd(46)} ${summary(times[i])}`);
  console.log(`  load average before ${load0}, after ${load()} (1, 5, 15 min)`);
  console.log('module import, in a fresh process (median):');
  for (const mod of ['yargs', join(ROOT, 'dist/machine/index.js'), join(ROOT, 'dist/jit/translator/jit.js'), CLI_COMMANDS]) {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) ms.push(await importMs(mod));
    console.log(`  ${mod.replace(ROOT + '/', '').padEnd(34)} ${median(ms).toFixed(0).padStart(4)} ms`);
  }
  for (const cpus of cpuList) {
    const { phases, total } = phaseCounts(cpus);
    console.log(`\nguest instructions to the prompt, --cpus ${cpus}: ${total} (interpreter host ms per phase)`);
    for (const p of phases) {
      console.log(`  ${p.name.padEnd(32)} ${String(p.instructions).padStart(8)} (BSP ${String(p.bspInstructions).padStart(7)})  ${p.hostMs.toFixed(1).padStart(7)} ms`);
    }
    console.log(`  library boot: ${engineStats(cpus, 'auto')}`);
    console.log(`  library boot: ${engineStats(cpus, 'interp')}`);
  }
}

main().catch((e: unknown) => {
  console.error(`perf:boot: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
