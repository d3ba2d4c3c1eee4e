// The `bmjit` command as users start it (bin/bmjit, the package bin used by npx and npm start): from the Node startup
// snapshot dist/bmjit.blob, and from the bundle dist/bmjit.cjs where the snapshot cannot be used (NODE_OPTIONS set).
// Checked against the library (transcript) and the unbundled CLI (guest statistics, errors); no timing assertions.
import { describe, it, expect, vi } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, MonitorSession, driveMonitor, type ProcessResult } from '../baremetal/session.js';

vi.setConfig({ testTimeout: 120_000 });

const BIN = join(ROOT, 'bin', 'bmjit');
const BLOB = join(ROOT, 'dist', 'bmjit.blob');
const PLAIN = join(ROOT, 'dist', 'machine', 'cli', 'main.js');

type Result = ProcessResult;

function env(nodeOptions?: string): NodeJS.ProcessEnv {
  const e = { ...process.env };
  delete e.NODE_OPTIONS;
  if (nodeOptions !== undefined) e.NODE_OPTIONS = nodeOptions;
  return e;
}

function run(cmd: string[], nodeOptions?: string): Result {
  for (const f of [BIN, BLOB]) if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first (npm test does)`);
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: ROOT, encoding: 'latin1', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'], env: env(nodeOptions) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `bin/bmjit boot ARGS`, typing each command after the previous prompt. */
const drive = (args: string[], commands: string[], nodeOptions?: string): Promise<Result> =>
  driveMonitor([BIN, 'boot', ...args], commands, env(nodeOptions));

/** --stats lines without the host time, which differs from run to run. */
const guestStats = (stderr: string): string => stderr.replace(/host time: [^,]*,/, 'host time: -,');

describe('bin/bmjit (startup snapshot)', () => {
  it('the snapshot itself starts (node --snapshot-blob dist/bmjit.blob)', () => {
    const r = run([process.execPath, '--snapshot-blob', BLOB, '--', '--help']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('bmjit <command> [options]');
    // ... and the launcher chooses it.
    const traced = run(['sh', '-x', BIN, '--help']);
    expect(traced.status).toBe(0);
    expect(traced.stderr).toMatch(/--snapshot-blob \S+\/dist\/bmjit\.blob -- --help\n/);
  });

  it('SIGINT ends the session with status 130, as with the unbundled CLI', async () => {
    const status = (cmd: string[]): Promise<number | null> =>
      new Promise((resolve) => {
        const child = spawn(cmd[0], cmd.slice(1), { cwd: ROOT, stdio: ['pipe', 'pipe', 'ignore'], env: env() });
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString('latin1');
          if (out.includes('\n> ')) child.kill('SIGINT');
        });
        child.on('close', (code) => resolve(code));
      });
    expect(await status([BIN, 'boot'])).toBe(130);
    expect(await status([process.execPath, PLAIN, 'boot'])).toBe(130);
  });

  it('boot reaches the prompt, ver answers, poweroff ends with status 0: the library transcript', async () => {
    const commands = ['ver', 'poweroff'];
    const r = await drive([], commands);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('> ver\nbmjit monitor 0.1\n');
    expect(r.stdout).toBe(MonitorSession.run({ cpus: 1 }, commands).transcript);
  });

  it('every process boots from reset: the guest does the same work as with the unbundled CLI', () => {
    const args = ['boot', '--cpus', '2', '--max-instructions', '40000', '--stats'];
    const snap = run([BIN, ...args]);
    const plain = run([process.execPath, PLAIN, ...args]);
    expect(snap.status).toBe(6); // --max-instructions
    expect(snap.stdout).toBe(plain.stdout);
    expect(snap.stdout).toContain('[ BareMetal ]');
    expect(guestStats(snap.stderr)).toBe(guestStats(plain.stderr));
    expect(snap.stderr).toMatch(/stats: instructions: 4000\d /);
  });

  it('--help, and one-line errors with the same status as the unbundled CLI', () => {
    for (const args of [['--help'], ['boot', '--frob'], [], ['disasm'], ['boot', '--memory', '1Q'], ['boot', '--kernel', '/nonexistent']]) {
      const snap = run([BIN, ...args]);
      const plain = run([process.execPath, PLAIN, ...args]);
      expect({ args, ...snap }).toEqual({ args, ...plain });
      if (snap.status !== 0) expect(snap.stderr).toMatch(/^bmjit: error: [^\n]+\n$/);
    }
  });
});

describe('bin/bmjit with NODE_OPTIONS (the bundle without the snapshot)', () => {
  it('boot reaches the prompt and ver answers', async () => {
    const commands = ['ver', 'poweroff'];
    const r = await drive([], commands, '--max-old-space-size=512'); // a V8 flag: Node would reject the snapshot
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(MonitorSession.run({ cpus: 1 }, commands).transcript);
  });

  it('a bad option is one error line', () => {
    const r = run([BIN, 'bare'], '--max-old-space-size=512');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^bmjit: error: [^\n]+\n$/);
  });
});
