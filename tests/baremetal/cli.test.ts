// `bmjit boot` as a user runs it (node dist/machine/cli/main.js): the built-in system driven through stdin/stdout
// gives the library's transcript; --kernel (BareMetal or Multiboot) and --payload; one-line errors.
import { describe, it, expect, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, ROOT, MonitorSession, driveMonitor, type ProcessResult } from './session.js';

vi.setConfig({ testTimeout: 120_000 });

const CLI = join(ROOT, 'dist/machine/cli/main.js');
const OUT = join(BUILD, 'tests', 'baremetal');

function cli(args: string[], input?: string): ProcessResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build:ts\` first (npm test does)`);
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'latin1', timeout: 60_000, input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `bmjit boot ARGS` through the unbundled CLI, typing each command after the previous prompt. */
const drive = (args: string[], commands: string[]): Promise<ProcessResult> => driveMonitor([process.execPath, CLI, 'boot', ...args], commands);

describe('bmjit boot (CLI)', () => {
  it('the built-in system on 2 vCPUs: the same transcript as the library, poweroff ends with status 0', async () => {
    const commands = ['ver', 'run hello', 'run sysinfo', 'poweroff'];
    const r = await drive(['--cpus', '2'], commands);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(MonitorSession.run({ cpus: 2 }, commands).transcript);
    expect(r.stdout).toContain('kernel: signature BAREMETAL, call table at 0x100010, boot mode U\n');
  });

  it('--kernel with a Multiboot image keeps its Multiboot meaning (build/bmjit.img through the 32-bit entry)', async () => {
    const r = await drive(['--kernel', join(BUILD, 'bmjit.img')], ['ver', 'exit 3']);
    expect(r.stdout).toContain('cpu: 1 active, APIC IDs 0\n');
    expect(r.stdout).toContain('kernel: signature BAREMETAL, call table at 0x100010, boot mode B\n');
    expect(r.status).toBe((3 << 1) | 1);
  });

  it('--kernel with a BareMetal kernel runs it in place of ours; --payload replaces the monitor', () => {
    mkdirSync(OUT, { recursive: true });
    const kernel = Buffer.from(readFileSync(join(BUILD, 'kernel.bin')));
    kernel.write('bmjit kernel 7.7', kernel.indexOf('bmjit kernel 0.1'), 'latin1');
    writeFileSync(join(OUT, 'kernel77.bin'), kernel);
    const k = cli(['boot', '--cpus', '2', '--kernel', join(OUT, 'kernel77.bin')], 'exit 5\n');
    expect(k.stdout).toMatch(/^\[ BareMetal \] bmjit kernel 7\.7\ncpu: 2 active, APIC IDs 0 1\n/);
    expect(k.status).toBe((5 << 1) | 1);

    // mov eax, 0x21; out 0xf4, eax; hlt
    writeFileSync(join(OUT, 'exit21.bin'), Uint8Array.from([0xb8, 0x21, 0, 0, 0, 0xe7, 0xf4, 0xf4]));
    const p = cli(['boot', '--payload', join(OUT, 'exit21.bin')]);
    expect(p.stdout).toMatch(/\nsystem ready\n$/);
    expect(p.stderr).toBe('');
    expect(p.status).toBe((0x21 << 1) | 1);
  });

  it('bad kernels and payloads are one line on stderr with status 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['boot', '--kernel', 'package.json'], /^bmjit: error: kernel 'package\.json' is neither a BareMetal kernel \(a jump over the signature BAREMETAL\) nor a Multiboot kernel \(no Multiboot header in the first 8192 bytes\)\n$/],
      [['boot', '--payload', 'no/such.bin'], /^bmjit: error: payload 'no\/such\.bin' does not exist\n$/],
      [['boot', '--kernel', join(BUILD, 'bmjit.img'), '--payload', 'package.json'], /^bmjit: error: --payload needs the built-in system or a BareMetal --kernel/],
      [['boot', '--cpus', '65'], /^bmjit: error: bad CPU count 65 \(1\.\.64\)\n$/],
    ];
    for (const [args, re] of cases) {
      const r = cli(args);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.status, args.join(' ')).toBe(2);
    }
  });
});
