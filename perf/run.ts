// bmjit benchmark suite: each workload natively, under the interpreter and under the JIT, with checksums compared
// across all three; prints per-workload times, ratios, guest MIPS and JIT statistics, geometric means, the issue's
// targets, and the short-run check. `npm run perf [-- --quick] [--only a,b] [--tiers native,jit] ...`; see README.
import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runGuest, GuestError, type GuestResult, type KernelSample } from './guest-run.js';
import { runNative } from './native-run.js';
import { WORKLOADS, SHORT_RUNS, type Workload } from './workloads.js';
import { formatTable, geomean, fmt } from './table.js';
import { summariseDump } from './dump-summary.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(ROOT, 'build', 'perf');

class UsageError extends Error {}

type Tier = 'native' | 'interp' | 'jit';

interface Options {
  quick: boolean;
  only: Set<string> | undefined;
  tiers: Set<Tier>;
  jitMode: 'auto' | 'jit';
  dumpDir: string | undefined;
  loadDir: string | undefined;
  json: string | undefined;
  short: boolean;
  /** 'cpu': process CPU time (robust on a shared machine); 'wall': elapsed time. */
  clock: 'cpu' | 'wall';
  slice: number | undefined;
  /** Also check the checksum with every block translated (engine 'jit'). */
  forcedCheck: boolean;
}

interface Row {
  w: Workload;
  n: number;
  ok: boolean;
  error?: string;
  checksum?: string;
  instructions?: number;
  nativeMs?: number;
  interpMs?: number;
  jitMs?: number;
  jitColdMs?: number;
  jitShare?: number;
  interpMips?: number;
  jitMips?: number;
  regions?: number;
  compileMs?: number;
  sourceBytes?: number;
  fallbacks?: number;
  templated?: number;
}

function parseOptions(argv: string[]): Options {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        tiers: { type: 'string', default: 'native,interp,jit' },
        'jit-mode': { type: 'string', default: 'auto' },
        'jit-dump': { type: 'string' },
        'jit-load': { type: 'string' },
        json: { type: 'string' },
        'no-short': { type: 'boolean', default: false },
        clock: { type: 'string', default: 'cpu' },
        slice: { type: 'string' },
        'no-forced-check': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  if (v.help === true) {
    process.stdout.write(
      'usage: node dist/perf/run.js [--quick] [--only a,b] [--tiers native,interp,jit] [--jit-mode auto|always]\n' +
        '                             [--clock cpu|wall] [--slice N] [--jit-dump DIR] [--jit-load DIR] [--json FILE] [--no-short]\n' +
        '                             [--no-forced-check]\n' +
        `workloads: ${WORKLOADS.map((w) => w.name).join(', ')}\n`,
    );
    process.exit(0);
  }
  const known = new Set(WORKLOADS.map((w) => w.name));
  let only: Set<string> | undefined;
  if (v.only !== undefined) {
    only = new Set(v.only.split(',').map((s) => s.trim()).filter((s) => s !== ''));
    for (const n of only) if (!known.has(n)) throw new UsageError(`unknown workload '${n}' (known: ${[...known].join(', ')})`);
  }
  const tiers = new Set<Tier>();
  for (const t of v.tiers!.split(',')) {
    const s = t.trim();
    if (s !== 'native' && s !== 'interp' && s !== 'jit') throw new UsageError(`unknown tier '${s}' (native, interp, jit)`);
    tiers.add(s);
  }
  const clock = v.clock;
  if (clock !== 'cpu' && clock !== 'wall') throw new UsageError(`bad --clock '${String(clock)}' (cpu or wall)`);
  let slice: number | undefined;
  if (v.slice !== undefined) {
    slice = Number(v.slice);
    if (!Number.isInteger(slice) || slice < 1) throw new UsageError(`bad --slice '${v.slice}' (instructions per scheduler slice, >= 1)`);
  }
  const mode = v['jit-mode'];
  if (mode !== 'auto' && mode !== 'always') throw new UsageError(`bad --jit-mode '${String(mode)}' (auto or always)`);
  return {
    quick: v.quick === true,
    only,
    tiers,
    jitMode: mode === 'always' ? 'jit' : 'auto',
    dumpDir: v['jit-dump'],
    loadDir: v['jit-load'],
    json: v.json,
    short: v['no-short'] !== true,
    clock,
    slice,
    forcedCheck: v['no-forced-check'] !== true,
  };
}

const guestBin = (name: string) => join(OUT, 'guest', `${name}.bin`);
const guestSym = (name: string) => join(OUT, 'guest', `${name}.sym`);
const hostExe = (name: string) => join(OUT, 'host', name);
const min = (xs: number[]) => Math.min(...xs);

function checkBuilt(names: string[]): void {
  for (const n of names) {
    if (!existsSync(guestBin(n)) || !existsSync(hostExe(n))) {
      throw new UsageError(`workload ${n} is not built (run \`node perf/build.mjs\`; \`npm run perf\` does it)`);
    }
  }
}

function loud(lines: string[]): void {
  const bar = '!'.repeat(100);
  process.stdout.write(`\n${bar}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${bar}\n\n`);
}

function benchWorkload(w: Workload, o: Options): Row {
  const ms = (k: KernelSample) => (o.clock === 'cpu' ? k.cpuMs : k.wallMs);
  const n = o.quick ? w.quick : w.n;
  const row: Row = { w, n, ok: true };
  const sums: Array<[string, string]> = [];
  const err = (tier: string, e: unknown): Row => {
    if (!(e instanceof Error)) throw e;
    // A GuestError is the guest's own failure; anything else escaped the emulator (an internal error).
    const others = sums.length > 0 ? ` [${sums.map(([t, c]) => `${t}: ${c}`).join(', ')}]` : '';
    const msg = e instanceof GuestError ? `${e.message}${others}` : `internal error: ${e.message}`;
    if (!(e instanceof GuestError) && process.env.BMJIT_DEBUG !== undefined) process.stderr.write(`${e.stack ?? ''}\n`);
    row.ok = false;
    row.error = `${tier}: ${msg}`;
    loud([`${w.name}: ${tier} run FAILED`, msg.slice(0, 600)]);
    return row;
  };
  if (o.tiers.has('native')) {
    try {
      const r = runNative(hostExe(w.name), n, o.quick ? 5 : 9);
      row.nativeMs = min((o.clock === 'cpu' ? r.cpuMs : r.wallMs).slice(1));
      sums.push(['native', r.checksum]);
    } catch (e) {
      return err('native', e);
    }
  }
  let instrs: Array<[string, number]> = [];
  if (o.tiers.has('interp')) {
    let r: GuestResult;
    try {
      r = runGuest(guestBin(w.name), guestSym(w.name), { engine: 'interp', n, reps: o.quick ? 1 : 3, slice: o.slice });
    } catch (e) {
      return err('interpreter', e);
    }
    row.interpMs = min(r.kernels.map((k) => ms(k)));
    row.instructions = r.kernels[0].instructions;
    row.interpMips = row.instructions / row.interpMs / 1000;
    sums.push(['interpreter', r.checksum]);
    instrs.push(['interpreter', r.kernels[0].instructions]);
  }
  if (o.tiers.has('jit')) {
    let r: GuestResult;
    try {
      r = runGuest(guestBin(w.name), guestSym(w.name), { engine: o.jitMode, n, reps: o.quick ? 3 : 10, slice: o.slice, dumpDir: o.dumpDir !== undefined ? join(o.dumpDir, w.name) : undefined, loadDir: o.loadDir !== undefined ? join(o.loadDir, w.name) : undefined });
    } catch (e) {
      return err('JIT', e);
    }
    const warm = r.kernels.slice(1);
    const best = warm.reduce((a, b) => (ms(b) < ms(a) ? b : a));
    row.jitColdMs = ms(r.kernels[0]);
    row.jitMs = ms(best);
    row.instructions ??= best.instructions;
    row.jitMips = best.instructions / row.jitMs / 1000;
    row.jitShare = best.jitInstructions / best.instructions;
    row.regions = r.regions;
    row.compileMs = r.compileMs;
    row.sourceBytes = r.sourceBytes;
    row.fallbacks = r.fallbacks;
    row.templated = r.templated;
    sums.push(['JIT', r.checksum]);
    instrs.push(['JIT', best.instructions]);
  }
  if (o.tiers.has('jit') && o.jitMode === 'auto' && o.forcedCheck) {
    // Correctness only: with every block translated at its first execution, code that the tiered engine leaves
    // to the interpreter (run fewer times than the threshold) goes through the translator too.
    try {
      const r = runGuest(guestBin(w.name), guestSym(w.name), { engine: 'jit', n, reps: 2, slice: o.slice });
      sums.push(['JIT always', r.checksum]);
    } catch (e) {
      return err('JIT (--jit-mode always, correctness check)', e);
    }
  }
  row.checksum = sums[0]?.[1];
  if (sums.some(([, c]) => c !== sums[0][1])) {
    row.ok = false;
    row.error = `checksum mismatch: ${sums.map(([t, c]) => `${t} ${c}`).join(', ')}`;
    loud([`CHECKSUM MISMATCH in ${w.name} (n=${n}) -- not reported; the emulator computed a wrong result:`, ...sums.map(([t, c]) => `  ${t.padEnd(12)} ${c}`)]);
  }
  instrs = instrs.filter(([, c]) => c !== instrs[0][1]).length > 0 ? instrs : [];
  if (instrs.length > 0) process.stdout.write(`warning: ${w.name}: kernel instruction counts differ: ${instrs.map(([t, c]) => `${t} ${c}`).join(', ')}\n`);
  return row;
}

interface ShortRun {
  name: string;
  n: number;
  interpMs: number;
  jitMs: number;
  /** The same with the other clock (wall when timing CPU, and the reverse). */
  interpOtherMs: number;
  jitOtherMs: number;
  instructions: number;
  regions: number;
  /** Standard error of jitMs / interpMs, from the spread of the runs (relative to the ratio). */
  ratioRelSe: number;
}

const SHORT_TRIES = 15;

/** Relative standard error of the median of xs: 1.2533 * sigma / sqrt(n), sigma estimated as 1.4826 * MAD. */
function medianRelSe(xs: number[]): number {
  const m = median(xs);
  const mad = median(xs.map((x) => Math.abs(x - m)));
  return (1.2533 * 1.4826 * mad) / Math.sqrt(xs.length) / m;
}

function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 === 1 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

/** One whole guest run in a fresh node process (perf/short-child.ts). */
function shortRun(name: string, engine: 'interp' | 'auto', n: number, slice: number | undefined): GuestResult {
  const child = join(dirname(fileURLToPath(import.meta.url)), 'short-child.js');
  const r = spawnSync(process.execPath, [child, guestBin(name), guestSym(name), engine, String(n), slice === undefined ? '-' : String(slice)], { encoding: 'utf8' });
  if (r.status !== 0) throw new GuestError(`short run ${name} (${engine}) failed: ${(r.stderr || '').trim().split('\n')[0]}`);
  return JSON.parse(r.stdout) as GuestResult;
}

function shortRuns(o: Options): ShortRun[] {
  const out: ShortRun[] = [];
  for (const s of SHORT_RUNS) {
    const t = { interp: [] as GuestResult[], auto: [] as GuestResult[] };
    // Alternate the tiers so load changes on the shared machine hit both alike.
    for (let k = 0; k < SHORT_TRIES; k++) {
      for (const engine of ['interp', 'auto'] as const) {
        t[engine].push(shortRun(s.name, engine, s.n, o.slice));
      }
    }
    const a = t.interp[0], b = t.auto[0];
    if ([...t.interp, ...t.auto].some((r) => r.checksum !== a.checksum)) {
      loud([`CHECKSUM MISMATCH in short run ${s.name} (n=${s.n}): interpreter ${a.checksum}, JIT ${b.checksum}`]);
      process.exitCode = 1;
    }
    // The median: identical work (no region compiled) differs by 10-20% between the fastest runs of each tier.
    const best = (rs: GuestResult[], cpu: boolean) => median(rs.map((r) => (cpu ? r.totalCpuMs : r.totalWallMs)));
    const cpu = o.clock === 'cpu';
    out.push({
      name: s.name,
      n: s.n,
      interpMs: best(t.interp, cpu),
      jitMs: best(t.auto, cpu),
      interpOtherMs: best(t.interp, !cpu),
      jitOtherMs: best(t.auto, !cpu),
      instructions: a.totalInstructions,
      regions: b.regions,
      ratioRelSe: Math.hypot(...[t.interp, t.auto].map((rs) => medianRelSe(rs.map((r) => (cpu ? r.totalCpuMs : r.totalWallMs))))),
    });
  }
  return out;
}

function main(): void {
  const o = parseOptions(process.argv.slice(2));
  const list = WORKLOADS.filter((w) => o.only === undefined || o.only.has(w.name));
  checkBuilt(list.map((w) => w.name));
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  process.stdout.write(
    `bmjit perf suite ${new Date().toISOString()}  node ${process.version}  ${cpus()[0]?.model ?? '?'} x${cpus().length}  load ${load}\n` +
      `mode: ${o.quick ? 'quick' : 'full'}, tiers: ${[...o.tiers].join(',')}, JIT engine: ${o.jitMode === 'jit' ? 'always (threshold 1)' : 'auto (tiered)'}, clock: ${o.clock}` +
      `${o.slice !== undefined ? `, slice: ${o.slice}` : ''}\n`,
  );
  // Warm-up: let V8 optimise the interpreter and translator before anything is measured.
  if (o.tiers.has('interp') || o.tiers.has('jit')) {
    runGuest(guestBin('intloop'), undefined, { engine: 'interp', n: 300_000, reps: 1 });
    runGuest(guestBin('sha256'), undefined, { engine: 'auto', n: 20_000, reps: 2 });
  }
  const rows: Row[] = [];
  for (const w of list) {
    const r = benchWorkload(w, o);
    rows.push(r);
    const bits = [`${w.name} n=${r.n}`];
    if (r.ok) {
      if (r.nativeMs !== undefined) bits.push(`native ${fmt(r.nativeMs, 2)} ms`);
      if (r.interpMs !== undefined) bits.push(`interp ${fmt(r.interpMs, 0)} ms`);
      if (r.jitMs !== undefined) bits.push(`jit ${fmt(r.jitMs, 1)} ms (cold ${fmt(r.jitColdMs!, 1)})`);
      bits.push(`checksum ${r.checksum}`);
    } else bits.push(`FAILED: ${r.error}`);
    process.stdout.write(`  ${bits.join(', ')}\n`);
  }
  const good = rows.filter((r) => r.ok);
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? a / b : undefined);
  const cols = [
    'workload', 'n', 'M instr', 'native ms', 'interp ms', 'JIT ms', 'JIT cold', 'JIT/native', 'interp/JIT',
    'interp MIPS', 'JIT MIPS', 'in JIT', 'regions', 'compile ms', 'JS KB',
  ];
  const body = good.map((r) => [
    r.w.name, String(r.n), r.instructions !== undefined ? fmt(r.instructions / 1e6, 1) : '-', fmt(r.nativeMs, 2),
    fmt(r.interpMs, 0), fmt(r.jitMs, 1), fmt(r.jitColdMs, 1), fmt(ratio(r.jitMs, r.nativeMs), 1),
    fmt(ratio(r.interpMs, r.jitMs), 1), fmt(r.interpMips, 0), fmt(r.jitMips, 0),
    r.jitShare !== undefined ? `${(r.jitShare * 100).toFixed(1)}%` : '-', r.regions !== undefined ? String(r.regions) : '-',
    fmt(r.compileMs, 1), r.sourceBytes !== undefined ? fmt(r.sourceBytes / 1024, 0) : '-',
  ]);
  const gJN = geomean(good.map((r) => ratio(r.jitMs, r.nativeMs)));
  const gIJ = geomean(good.map((r) => ratio(r.interpMs, r.jitMs)));
  const gIM = geomean(good.map((r) => r.interpMips));
  const gJM = geomean(good.map((r) => r.jitMips));
  body.push(['geomean', '', '', '', '', '', '', fmt(gJN, 1), fmt(gIJ, 1), fmt(gIM, 0), fmt(gJM, 0), '', '', '', '']);
  process.stdout.write('\n' + formatTable(cols, body) + '\n');
  process.stdout.write(
    `\nTimes: ${o.clock === 'cpu' ? 'process CPU' : 'wall-clock'} ms of the kernel call only (native: clock_gettime in the host driver; bmjit: perf marker port),\n` +
      'best of the repetitions (JIT: of the warm ones; "JIT cold" is the first call, with translation). MIPS: guest\n' +
      'instructions retired in the kernel per second. "in JIT": share of kernel instructions retired in translated code.\n',
  );

  const targets: string[] = [];
  const check = (label: string, value: number | undefined, pass: (v: number) => boolean, shown: string) => {
    if (value === undefined) return;
    targets.push(`  ${pass(value) ? 'PASS' : 'MISS'}  ${label}: ${shown}`);
  };
  check('JIT >= 15x faster than the interpreter (geomean)', gIJ, (v) => v >= 15, `${fmt(gIJ, 1)}x`);
  check('JIT within 8x of native (geomean)', gJN, (v) => v <= 8, `${fmt(gJN, 1)}x`);
  const il = good.find((r) => r.w.name === 'intloop');
  check('tight integer loop >= 1000 guest MIPS (JIT)', il?.jitMips, (v) => v >= 1000, `${fmt(il?.jitMips, 0)} MIPS`);

  let shorts: ShortRun[] = [];
  if (o.short && o.tiers.has('interp') && o.tiers.has('jit') && o.only === undefined) {
    shorts = shortRuns(o);
    const other = o.clock === 'cpu' ? 'wall' : 'cpu';
    const sc = ['short run', 'n', 'M instr', 'interp ms', 'tiered ms', 'tiered/interp', '+- (1 SE)', `${other}: tiered/interp`, 'regions'];
    const sb = shorts.map((s) => [
      s.name, String(s.n), fmt(s.instructions / 1e6, 2), fmt(s.interpMs, 1), fmt(s.jitMs, 1), fmt(s.jitMs / s.interpMs, 2),
      fmt((s.jitMs / s.interpMs) * s.ratioRelSe, 2), fmt(s.jitOtherMs / s.interpOtherMs, 2), String(s.regions),
    ]);
    process.stdout.write(`\nShort runs (whole guest run, first instruction to exit, fresh process each, median of ${SHORT_TRIES}, ${o.clock} time):\n` + formatTable(sc, sb) + '\n');
    // Slower means significantly slower: the ratio minus two standard errors (about 95% one-sided) above 1.
    const worst = Math.max(...shorts.map((s) => (s.jitMs / s.interpMs) * (1 - 2 * s.ratioRelSe)));
    check('warm-up does not make short runs slower than the interpreter (worst tiered/interp - 2 SE)', worst, (v) => v <= 1.0, fmt(worst, 2));
  }
  if (targets.length > 0) process.stdout.write('\nTargets (JIT issue):\n' + targets.join('\n') + '\n');

  if (o.dumpDir !== undefined && o.tiers.has('jit')) {
    process.stdout.write(`\nJIT dumps in ${o.dumpDir}/<workload>/ (static counts: translated guest instructions, interpreter fallbacks):\n`);
    for (const r of good) {
      const d = summariseDump(join(o.dumpDir, r.w.name));
      const top = d.byMnemonic.slice(0, 10).map(([m, c]) => `${m} ${c}`).join(', ');
      process.stdout.write(
        `  ${r.w.name}: ${d.regions} regions, ${d.instructions} instrs, ${d.fallbacks} fallbacks (${top}); largest ${d.largestRegion} ${(d.largestRegionBytes / 1024).toFixed(0)} KB\n`,
      );
    }
  }

  const failed = rows.filter((r) => !r.ok);
  if (failed.length > 0) {
    loud([`${failed.length} workload(s) FAILED and are not in the table:`, ...failed.map((r) => `${r.w.name}: ${r.error}`)]);
    process.exitCode = 1;
  }
  if (o.json !== undefined) {
    const data = {
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      loadavg: loadavg(),
      mode: o.quick ? 'quick' : 'full',
      jitMode: o.jitMode,
      clock: o.clock,
      rows: rows.map((r) => ({ ...r, w: undefined, name: r.w.name })),
      geomean: { jitOverNative: gJN, interpOverJit: gIJ, interpMips: gIM, jitMips: gJM },
      short: shorts,
    };
    writeFileSync(o.json, JSON.stringify(data, null, 2) + '\n');
  }
}

try {
  main();
} catch (e) {
  if (e instanceof UsageError || e instanceof GuestError) {
    process.stderr.write(`perf: error: ${e.message.split('\n')[0]}\n`);
    process.exit(2);
  }
  throw e;
}
