// The system test kernels run through the same CLI users have (`node dist/machine/cli/main.js boot --kernel ...`):
// long mode, paging, exceptions, TLB effects, segmentation, real mode, the bare long-mode path and a triple fault.
// The same kernels print the same transcripts under `qemu-system-x86_64 -kernel` (see tests/system/README.md for
// the few SDM-mandated checks QEMU's TCG skips).
import { describe, it, expect, beforeAll, vi } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { buildKernel, symbolAddress, KERNELS, OUT } from './build.js';
import { runCli, checkNames } from './helpers.js';

// These tests start node processes and run guest code: allow for a loaded 2-core CI machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const images: Record<string, string> = {};

beforeAll(() => {
  for (const k of ['paging', 'modes', 'triple', 'bare', 'echo', 'reboot', 'timer']) images[k] = buildKernel(k);
});

function expectAllPass(stdout: string, kernel: string): void {
  const lines = stdout.split('\n');
  const names = checkNames(join(KERNELS, `${kernel}.S`));
  expect(names.length).toBeGreaterThanOrEqual(3);
  for (const n of names) expect(lines, `missing PASS ${n}`).toContain(`PASS ${n}`);
  expect(stdout).not.toMatch(/^FAIL/m);
}

describe('bmjit boot --kernel (Multiboot)', () => {
  it('paging kernel: long mode, #DE #BP #UD #GP #PF #DF, A/D bits, INVLPG — all pass, exit status 1', () => {
    const r = runCli(['boot', '--kernel', images.paging]);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith('paging test kernel\nPASS multiboot magic\n')).toBe(true);
    expect(r.stdout).toContain(`mem_upper: ${((256 * 1024 - 1024) >>> 0).toString(16).padStart(8, '0')}\n`); // (256 MiB - 1 MiB) / 1 KiB
    expect(r.stdout).toContain(`cmdline: ${images.paging} \n`);
    expectAllPass(r.stdout, 'paging');
    expect(r.stdout.endsWith('DONE failures=0000000000000000\n')).toBe(true);
    expect(r.status).toBe(1);
  });

  it('passes --memory and --append through to the boot information', () => {
    const r = runCli(['boot', '--kernel', images.paging, '--memory', '64M', '--append', 'a=1 b']);
    expect(r.stdout).toContain(`mem_upper: ${(64 * 1024 - 1024).toString(16).padStart(8, '0')}\n`);
    expect(r.stdout).toContain(`cmdline: ${images.paging} a=1 b\n`);
    expect(r.status).toBe(1);
  });

  it('modes kernel (ELF32): segmentation checks, 16-bit code, real mode and back — all pass', () => {
    const r = runCli(['boot', '--kernel', images.modes]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('hello from real mode\nback in 32-bit protected mode\n');
    expectAllPass(r.stdout, 'modes');
    expect(r.stdout.endsWith('DONE failures=00000000\n')).toBe(true);
    expect(r.status).toBe(1);
  });

  it('triple fault: prints the report (CPU, RIP, instruction, fault chain) and exits with status 4', () => {
    const r = runCli(['boot', '--kernel', images.triple]);
    expect(r.stdout).toBe('about to triple fault\n');
    const rip = symbolAddress(images.triple, 'triple_fault_here');
    expect(r.stderr).toMatch(/^bmjit: triple fault on CPU 0/);
    expect(r.stderr).toMatch(new RegExp(`at 0008:(0x)?0*${rip.toString(16)}\\b`)); // CS:RIP of the UD2
    expect(r.stderr).toMatch(/instruction: UD2/i);
    expect(r.stderr).toMatch(/fault chain: #UD.* -> #GP\(0x33\).* -> #DF.* -> shutdown/);
    expect(r.status).toBe(4);
  });

  it('--trace=int names the faulting code with the symbols of the .sym map next to the kernel', () => {
    const r = runCli(['boot', '--kernel', images.triple, '--trace=int']);
    expect(r.stderr).toMatch(/\[int\] cpu0 exception #UD at 0x[0-9a-f]+ <triple_fault_here>/);
    expect(r.status).toBe(4);
  });

  it('timer kernel: PIT via 8259 and via I/O APIC, LAPIC timer; halted time is skipped in virtual time', () => {
    const r = runCli(['boot', '--kernel', images.timer, '--cpus', '2', '--stats']);
    expectAllPass(r.stdout, 'timer');
    expect(r.stdout.endsWith('DONE failures=00000000\n')).toBe(true);
    expect(r.status).toBe(1);
    // 10 PIT periods at 100 Hz twice, then 10 LAPIC periods of 1 ms: about 0.2 s of guest time.
    const vt = Number(/virtual time: ([\d.]+) ms/.exec(r.stderr)![1]);
    expect(vt).toBeGreaterThan(180);
    expect(vt).toBeLessThan(260);
    expect(Number(/(\d+) idle time jumps/.exec(r.stderr)![1])).toBeGreaterThanOrEqual(20);
    expect(r.stderr).toMatch(/cpu1 0\)/); // the AP waits for a Startup IPI and costs nothing
  });

  it('a guest reset (0xFE to the keyboard controller) reboots the same kernel; RAM survives', () => {
    const r = runCli(['boot', '--kernel', images.reboot]);
    expect(r.stdout).toBe('first boot, resetting\nsecond boot\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(5);
  });

  it('--max-instructions stops the run with status 6', () => {
    const r = runCli(['boot', '--kernel', images.paging, '--max-instructions', '2000']);
    expect(r.stderr).toMatch(/^bmjit: stopped after 20\d\d instructions/);
    expect(r.status).toBe(6);
  });
});

describe('engines', () => {
  for (const k of ['paging', 'bare']) {
    it(`${k}: the interpreter (--no-jit) and the JIT (--jit=always) print the same transcript`, () => {
      const cmd = k === 'bare' ? ['bare', images[k]] : ['boot', '--kernel', images[k]];
      const interp = runCli([...cmd, '--no-jit']);
      const jit = runCli([...cmd, '--jit=always', '--stats']);
      expect(jit.stdout).toBe(interp.stdout);
      expect(jit.status).toBe(interp.status);
      expect(interp.status).toBe(1);
      const regions = /engine: interpreter \+ JIT \(jit\): (\d+) regions/.exec(jit.stderr);
      expect(regions, jit.stderr).not.toBeNull();
      expect(Number(regions![1])).toBeGreaterThan(0);
      // 64-bit code really ran translated: a good share of all instructions retired in JIT code.
      const tiers = /tiers: translated (\d+) instructions, interpreted (\d+)/.exec(jit.stderr);
      expect(tiers, jit.stderr).not.toBeNull();
      expect(Number(tiers![1])).toBeGreaterThan(k === 'bare' ? 2000 : 100);
    });
  }
});

describe('console input', () => {
  it('stdin reaches the guest through COM1', () => {
    const r = runCli(['boot', '--kernel', images.echo], 60_000, 'hello, world q');
    expect(r.stdout).toBe('echo ready\nHELLO, WORLD \nbye\n');
    expect(r.status).toBe((13 << 1) | 1);
  });
});

describe('bmjit bare', () => {
  it('enters a flat binary in 64-bit mode with the documented state', () => {
    const r = runCli(['bare', images.bare, '--load', '0x100000', '--entry', '0x100000']);
    expect(r.stderr).toBe('');
    expectAllPass(r.stdout, 'bare');
    expect(r.status).toBe(1);
  });
});

describe('bmjit boot (built-in BareMetal system, build/bmjit.img)', () => {
  it('boots with 2 vCPUs to the monitor, which takes commands from stdin; `exit 5` ends with status 11', () => {
    const r = runCli(['boot', '--cpus', '2'], 120_000, 'ver\rexit 5\r');
    expect(r.stdout).toContain('BareMetal');
    expect(r.stdout).toContain('exit 5');
    expect(r.status).toBe(11);
  });
});

describe('idle machines', () => {
  it('cli; hlt ends the run with status 8 at once', () => {
    const f = join(OUT, 'cli-hlt.bin');
    writeFileSync(f, Uint8Array.from([0xfa, 0xf4]));
    const r = runCli(['bare', f]);
    expect(r.stderr).toBe('bmjit: every vCPU is halted with interrupts disabled\n');
    expect(r.status).toBe(8);
  });

  it('sti; hlt with no timer armed and stdin at its end also ends with status 8', () => {
    const f = join(OUT, 'sti-hlt.bin');
    writeFileSync(f, Uint8Array.from([0xfb, 0xf4]));
    const r = runCli(['bare', f], 20_000, '');
    expect(r.stderr).toBe('bmjit: every vCPU is halted and no timer or input can wake it\n');
    expect(r.status).toBe(8);
  });
});

describe('CLI errors: one line on stderr, status 2, no stack trace', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['missing file', ['boot', '--kernel', 'no/such/file.elf'], /kernel 'no\/such\/file.elf' does not exist/],
    ['no Multiboot header', ['boot', '--kernel', 'package.json'], /no Multiboot header/],
    ['bad number', ['bare', 'package.json', '--load', '0xZZ'], /bad --load address '0xZZ'/],
    ['bad memory size', ['boot', '--kernel', 'build/tests/paging.bin', '--memory', 'lots'], /bad memory size 'lots'/],
    ['unknown option', ['boot', '--frobnicate'], /unknown option or argument: frobnicate/],
    ['unknown command', ['launch'], /unknown option or argument: launch/],
    ['no command', [], /no command given/],
    ['bad trace subsystem', ['boot', '--kernel', 'build/tests/paging.bin', '--trace=cpu,gpu'], /unknown trace subsystem 'gpu'/],
  ];
  for (const [what, args, msg] of cases) {
    it(what, () => {
      const r = runCli(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^bmjit: error: [^\n]+\n$/);
      expect(r.stderr).toMatch(msg);
    });
  }
});
