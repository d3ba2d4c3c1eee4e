// Test driver for the built-in BareMetal system through the library API: boot, then type monitor commands the way
// tests/guest/qemu-transcripts/drive-qemu.mjs does (each one only after the previous `> ` prompt, ended by LF), so
// transcripts compare byte for byte with the QEMU references. Runs are synchronous and stop at the prompt, which
// keeps them deterministic (same input -> same instruction counts).
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createMachine, bootBuiltin, readBuiltin, type Machine, type MachineConfig, type RunResult, type BootOptions, type BuiltinSystem } from '../../machine/index.js';
import { BUILD, ROOT, ensureGuestBuilt } from '../guest/guest-files.js';

export { ROOT, BUILD };
export const TRANSCRIPTS = join(ROOT, 'tests/guest/qemu-transcripts');

/** The command list of the QEMU reference sessions (tests/guest/qemu-transcripts/record.mjs SESSION). */
export const SESSION = [
  'ver', 'help', 'cores', 'mem', 'dir', 'run hello', 'run helloc', 'run sysinfo', 'run smptest', 'run abitest',
  'peek 100003 1', 'poke 500000 1234 2', 'peek 500000 2', 'dump 100000 40', 'bogus', 'run nosuch',
  'peek FFFFFFFFF000', 'peek 100000000', 'ver', 'poweroff',
];

let system: BuiltinSystem | undefined;

/** build/ (rebuilt incrementally if a guest source changed), read once per test file. */
export function builtinSystem(): BuiltinSystem {
  if (system === undefined) {
    ensureGuestBuilt();
    system = readBuiltin(BUILD);
  }
  return system;
}

/** Instructions one command may take before the test calls it stuck (smptest needs about 7e7). */
const COMMAND_BUDGET = 4e8;

export interface SessionOptions extends MachineConfig {
  /** 'builtin' (default): `bmjit boot`, the loader's 64-bit entry. 'multiboot': build/bmjit.img as a Multiboot kernel. */
  boot?: 'builtin' | 'multiboot';
  replace?: Omit<BootOptions, 'system'>;
}

export class MonitorSession {
  readonly m: Machine;
  private prompts = 0;
  private want = 1;
  private scanned = 0;
  result: RunResult | undefined;

  constructor(opts: SessionOptions = {}) {
    const { boot, replace, ...cfg } = opts;
    this.m = createMachine(cfg);
    const sys = builtinSystem();
    if (boot === 'multiboot') {
      this.m.loadMultiboot(readFileSync(join(BUILD, 'bmjit.img')), 'bmjit.img');
      this.m.addSymbols(readFileSync(join(BUILD, 'bmjit.sym'), 'utf8'));
    } else bootBuiltin(this.m, { system: sys, ...replace });
    this.m.serial.onOutput(() => {
      const out = this.m.serial.output;
      for (let i = out.indexOf('> ', this.scanned); i >= 0; i = out.indexOf('> ', i + 1)) {
        if (i === 0 || out.charCodeAt(i - 1) === 10) this.prompts++;
        this.scanned = i + 1;
      }
      if (this.prompts >= this.want) this.m.stop();
    });
  }

  get transcript(): string {
    return this.m.serial.output;
  }

  /** Run until the next prompt appears. */
  toPrompt(budget = COMMAND_BUDGET): void {
    const r = this.m.runSync(budget);
    if (r.reason !== 'stopped' || this.prompts < this.want) {
      this.result = r;
      throw new Error(`no prompt: ${r.reason}${r.report !== undefined ? ` (${r.report})` : ''} after ${r.instructions} instructions; transcript:\n${this.transcript}`);
    }
    this.want = this.prompts + 1;
  }

  /** Type `cmd` + LF and run to the next prompt; returns what the command printed (without echo and prompt). */
  command(cmd: string): string {
    const from = this.transcript.length;
    this.m.serial.write(cmd + '\n');
    this.toPrompt();
    const text = this.transcript.slice(from);
    if (!text.startsWith(cmd + '\n') || !text.endsWith('> ')) throw new Error(`unexpected output for '${cmd}': ${JSON.stringify(text)}`);
    return text.slice(cmd.length + 1, -2);
  }

  /** Type a command that ends the run (poweroff, exit N) and run until the machine stops. */
  finish(cmd: string): RunResult {
    this.m.serial.write(cmd + '\n');
    const r = this.m.runSync(COMMAND_BUDGET);
    this.result = r;
    return r;
  }

  /** Boot, then every command; the last one is expected to end the run. Returns the whole transcript. */
  static run(opts: SessionOptions, commands: readonly string[]): MonitorSession {
    const s = new MonitorSession(opts);
    s.toPrompt();
    commands.forEach((c, i) => (i === commands.length - 1 && /^(poweroff|exit\b)/.test(c) ? s.finish(c) : s.command(c)));
    return s;
  }
}

/** A monitor command's output inside a transcript: from its echoed prompt line to the next prompt. */
export function commandOutput(text: string, command: string, occurrence = 0): string {
  const parts = text.split(`> ${command}\n`);
  if (parts.length <= occurrence + 1) throw new Error(`command '${command}' not in the transcript`);
  return parts[occurrence + 1].split('\n> ')[0];
}

export function readTranscript(file: string): string {
  return readFileSync(join(TRANSCRIPTS, file), 'latin1');
}

export type ProcessResult = { status: number | null; stdout: string; stderr: string };

/**
 * Start a `bmjit boot` process (`argv`: the command and its arguments) and type each command after the previous
 * prompt, as drive-qemu.mjs does with QEMU; resolves when the process ends (60 s timeout).
 */
export function driveMonitor(argv: string[], commands: string[], env?: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let sent = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timeout; output so far:\n${stdout}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('latin1');
      const prompts = stdout.split('\n> ').length - 1;
      while (sent < commands.length && sent < prompts) child.stdin.write(commands[sent++] + '\n');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
