// The bmjit commands over the Machine API: build the configuration from options, load, run, report the outcome.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError, ExitStatus, parseUint } from '../errors.js';
import { createMachine, type Machine, type RunResult } from '../machine.js';
import type { EngineMode, MachineConfig } from '../config.js';
import { StdioConsole } from '../../devices/host/stdio-console.js';
import { readImage, readText, siblingSymbols } from '../../devices/host/files.js';
import { decode } from '../../jit/decoder/decode.js';
import { DecodeError } from '../../jit/decoder/instr.js';
import { formatInstr, hexBytes } from '../disasm.js';

export interface CommonArgs {
  memory: string;
  cpus: number;
  'max-instructions'?: string;
  trace?: string;
  symbols?: string;
  jit?: string | boolean;
  clock: string;
  stats: boolean;
}

function engineOf(jit: string | boolean | undefined): EngineMode {
  if (jit === undefined || jit === true || jit === 'auto') return 'auto';
  if (jit === false || jit === 'never' || jit === 'off') return 'interp';
  if (jit === 'always') return 'jit';
  throw new UserError(`bad --jit value '${String(jit)}' (use --no-jit or --jit=always)`);
}

/** The built-in BareMetal system: the boot image tools/build-guest.mjs writes (docs/boot-protocol.md). */
function builtinImagePath(): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  return join(root, 'build', 'bmjit.img');
}

interface Session {
  machine: Machine;
  console: StdioConsole;
  interrupted: boolean;
  quit: boolean;
  outputClosed: boolean;
}

function startSession(a: CommonArgs, symbolPath: string | undefined): Session {
  const session = { interrupted: false, quit: false, outputClosed: false } as Session;
  session.console = new StdioConsole({
    input: process.stdin,
    output: process.stdout,
    onInterrupt: () => {
      session.interrupted = true;
      session.machine.stop();
    },
    onQuit: () => {
      session.quit = true;
      session.machine.stop();
    },
    onEnd: () => session.machine.endInput(),
    onOutputClosed: () => {
      session.quit = session.outputClosed = true;
      session.machine.stop();
    },
  });
  const cfg: MachineConfig = {
    memory: a.memory,
    cpus: a.cpus,
    engine: engineOf(a.jit),
    trace: a.trace,
    clock: a.clock as 'virtual' | 'host',
    maxInstructions: a['max-instructions'],
    serial: session.console,
    symbols: symbolPath !== undefined ? readText(symbolPath, 'symbol file') : undefined,
    paceIdle: process.stdin.isTTY === true,
  };
  if (!Number.isInteger(a.cpus)) throw new UserError(`bad CPU count '${String(a.cpus)}'`);
  session.machine = createMachine(cfg);
  const onSignal = () => {
    session.interrupted = true;
    session.machine.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return session;
}

/** Run until the guest is done; a guest-initiated reset reboots the same image (as QEMU does without -no-reboot). */
async function runSession(s: Session, stats: boolean, reload: () => void): Promise<number> {
  let r: RunResult;
  try {
    for (;;) {
      r = await s.machine.run();
      if (r.reason !== 'reset') break;
      reload();
    }
  } finally {
    s.machine.close();
  }
  const err = (line: string) => process.stderr.write(line + '\n');
  let status = r.exitCode;
  switch (r.reason) {
    case 'triple-fault':
      err(`bmjit: ${r.report ?? 'triple fault'}`);
      break;
    case 'halted':
      err(`bmjit: ${r.report ?? 'all CPUs halted'}`);
      break;
    case 'max-instructions':
      err(`bmjit: stopped after ${r.instructions} instructions (--max-instructions)`);
      break;
    case 'stopped':
      status = s.quit ? 0 : ExitStatus.interrupted;
      if (s.quit && !s.outputClosed) err('bmjit: terminated (Ctrl-A X)');
      break;
    default:
      break;
  }
  if (stats) printStats(s.machine);
  return status;
}

function printStats(m: Machine): void {
  const st = m.stats();
  const mips = st.hostMs > 0 ? (st.instructions / st.hostMs / 1000).toFixed(1) : '-';
  const lines = [
    `instructions: ${st.instructions} (${st.perCpu.map((n, i) => `cpu${i} ${n}`).join(', ')})`,
    `host time: ${st.hostMs.toFixed(1)} ms (${mips} MIPS), virtual time: ${(st.virtualNs / 1e6).toFixed(3)} ms`,
    `engine: ${st.engine}; blocks decoded: ${st.blocksDecoded}, invalidated: ${st.blockInvalidations}, cache flushes: ${st.cacheFlushes}`,
    `scheduler: ${st.slices} rounds, ${st.idleJumps} idle time jumps`,
  ];
  for (const l of lines) process.stderr.write(`bmjit: stats: ${l}\n`);
}

export async function bootCommand(a: CommonArgs, kernel: string | undefined, append: string): Promise<number> {
  let path = kernel;
  if (path === undefined) {
    path = builtinImagePath();
    if (!existsSync(path)) throw new UserError('the built-in BareMetal system is not built yet (run `npm run build:guest`), or pass --kernel FILE');
  }
  const image = readImage(path, 'kernel');
  const s = startSession(a, a.symbols ?? siblingSymbols(path));
  const load = () => s.machine.loadMultiboot(image, `${kernel ?? basename(path)} ${append}`, path);
  for (const w of load().warnings) process.stderr.write(`bmjit: warning: ${w}\n`);
  return runSession(s, a.stats, load);
}

export async function bareCommand(a: CommonArgs, file: string, load: string, entry: string | undefined): Promise<number> {
  const loadAddr = parseUint(load, '--load address');
  const entryAddr = entry === undefined ? loadAddr : parseUint(entry, '--entry address');
  const image = readImage(file, 'image');
  const s = startSession(a, a.symbols ?? siblingSymbols(file));
  const reload = () => s.machine.loadBare(image, loadAddr, entryAddr, file);
  reload();
  return runSession(s, a.stats, reload);
}

export function disasmCommand(file: string, bits: number, org: string, offset: string, length: string | undefined): number {
  if (bits !== 16 && bits !== 32 && bits !== 64) throw new UserError(`bad --bits ${bits} (16, 32 or 64)`);
  const image = readImage(file, 'file');
  const start = parseUint(offset, '--offset');
  if (start > image.length) throw new UserError(`--offset ${start} is past the end of the file (${image.length} bytes)`);
  const end = length === undefined ? image.length : Math.min(image.length, start + parseUint(length, '--length'));
  const base = parseUint(org, '--org');
  const out: string[] = [];
  for (let off = start; off < end; ) {
    const addr = base + (off - start);
    let text: string;
    let len: number;
    try {
      const ins = decode(image, off, end, bits);
      len = ins.len;
      text = formatInstr(ins, image.subarray(off, off + len), bits, addr);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      len = 1;
      text = e.kind === 'truncated' ? '(truncated)' : '(bad)';
    }
    out.push(`${addr.toString(16).padStart(bits === 64 ? 16 : 8, '0')}  ${hexBytes(image.subarray(off, off + len)).padEnd(30)}  ${text}`);
    off += len;
    if (out.length >= 4096) {
      process.stdout.write(out.join('\n') + '\n');
      out.length = 0;
    }
  }
  if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
  return 0;
}
