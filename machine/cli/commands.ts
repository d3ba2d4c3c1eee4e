// The bmjit commands over the Machine API: build the configuration from options, load, run, report the outcome.
import { UserError, ExitStatus, parseUint } from '../errors.js';
import { createMachine, type Machine, type RunResult } from '../machine.js';
import type { EngineMode, MachineConfig } from '../config.js';
import { StdioConsole } from '../../devices/host/stdio-console.js';
import { readImage, readText, siblingSymbols } from '../../devices/host/files.js';
import { decode } from '../../jit/decoder/decode.js';
import { DecodeError } from '../../jit/decoder/instr.js';
import { formatInstr, hexBytes } from '../disasm.js';
import { findMultibootHeader } from '../loaders/multiboot.js';
import { isBareMetalKernel } from '../loaders/baremetal.js';
import { readBuiltin, bootBuiltin, type BootOptions } from '../builtin.js';

export interface CommonArgs {
  memory: string;
  cpus: number;
  'max-instructions'?: string;
  trace?: string;
  symbols?: string;
  jit?: string | boolean;
  clock: string;
  stats: boolean;
  'jit-dump'?: string;
}

function engineOf(jit: string | boolean | undefined): EngineMode {
  if (jit === undefined || jit === true || jit === 'auto') return 'auto';
  if (jit === false || jit === 'never' || jit === 'off') return 'interp';
  if (jit === 'always') return 'jit';
  throw new UserError(`bad --jit value '${String(jit)}' (use --no-jit or --jit=always)`);
}

interface Session {
  machine: Machine;
  console: StdioConsole;
  interrupted: boolean;
  quit: boolean;
  outputClosed: boolean;
}

function startSession(a: CommonArgs, symbolPath: string | undefined, onIdle?: () => void): Session {
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
    jitDump: a['jit-dump'],
    trace: a.trace,
    clock: a.clock as 'virtual' | 'host',
    maxInstructions: a['max-instructions'],
    serial: session.console,
    symbols: symbolPath !== undefined ? readText(symbolPath, 'symbol file') : undefined,
    paceIdle: process.stdin.isTTY === true,
    onIdle,
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
  if (st.jit !== undefined) {
    const interp = st.instructions - st.jitInstructions;
    const j = st.jit;
    lines.push(
      `tiers: translated ${st.jitInstructions} instructions, interpreted ${interp}`,
      `jit: ${j.regions} regions, ${j.compileMs.toFixed(1)} ms compiling, ${(j.sourceBytes / 1024).toFixed(0)} KiB of JS, ` +
        `${j.templated} instructions templated / ${j.fallbacks} via the interpreter, ${j.invalidated} regions invalidated, ${j.flushes} flushes`,
    );
  }
  for (const l of lines) process.stderr.write(`bmjit: stats: ${l}\n`);
}

/** `onIdle`: called each time the guest waits for input (the CLI ends its start-up tiering window at the first). */
export async function bootCommand(a: CommonArgs, kernel: string | undefined, append: string, payload?: string, onIdle?: () => void): Promise<number> {
  const kernelBytes = kernel === undefined ? undefined : readImage(kernel, 'kernel');
  // A Multiboot kernel keeps QEMU's -kernel meaning (this includes build/bmjit.img itself: the loader's 32-bit entry).
  if (kernel !== undefined && kernelBytes !== undefined && !isBareMetalKernel(kernelBytes)) {
    if (findMultibootHeader(kernelBytes) === undefined) {
      throw new UserError(`kernel '${kernel}' is neither a BareMetal kernel (a jump over the signature BAREMETAL) nor a Multiboot kernel (no Multiboot header in the first 8192 bytes)`);
    }
    if (payload !== undefined) throw new UserError('--payload needs the built-in system or a BareMetal --kernel (a Multiboot kernel has no payload)');
    const image = kernelBytes;
    const s = startSession(a, a.symbols ?? siblingSymbols(kernel), onIdle);
    const load = () => s.machine.loadMultiboot(image, `${kernel} ${append}`, kernel);
    for (const w of load().warnings) process.stderr.write(`bmjit: warning: ${w}\n`);
    return runSession(s, a.stats, load);
  }
  // The built-in BareMetal system through the loader's 64-bit entry, with the user's kernel and/or payload if given.
  const system = readBuiltin();
  const payloadBytes = payload === undefined ? undefined : readImage(payload, 'payload');
  const sibling = (p: string | undefined) => {
    const f = p === undefined ? undefined : siblingSymbols(p);
    return f === undefined ? undefined : readText(f, 'symbol file');
  };
  const opts: BootOptions = {
    system,
    kernel: kernelBytes,
    kernelName: kernel,
    kernelSymbols: sibling(kernel),
    payload: payloadBytes,
    payloadName: payload,
    payloadSymbols: sibling(payload),
  };
  const s = startSession(a, a.symbols, onIdle);
  const load = () => void bootBuiltin(s.machine, opts);
  load();
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
