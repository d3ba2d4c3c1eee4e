// The built-in BareMetal system (`bmjit boot`, loader 64-bit entry) on 1, 2 and 4 vCPUs through the library API:
// the QEMU reference session (tests/guest/qemu-transcripts) typed into our monitor, each program's own result check,
// the transcript against QEMU's modulo the machine-dependent lines of machine-lines.ts, and determinism.
import { describe, it, expect, vi } from 'vitest';
import { MonitorSession, SESSION, commandOutput, readTranscript } from './session.js';
import { MACHINE_LINES, BOOT_MODE_LINE, normalize, type LineRule } from './machine-lines.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/** QEMU reference per vCPU count; only 4 vCPUs was recorded through the 64-bit entry. */
const REFERENCE: Record<number, { file: string; entry: 'B' | 'U' }> = {
  1: { file: 'multiboot-smp1.txt', entry: 'B' },
  2: { file: 'multiboot-smp2.txt', entry: 'B' },
  4: { file: 'entry64-smp4.txt', entry: 'U' },
};

const sessions = new Map<number, MonitorSession>();
/** One full session per vCPU count, shared by the tests below (each takes a few seconds). */
function session(cpus: number): MonitorSession {
  let s = sessions.get(cpus);
  if (s === undefined) sessions.set(cpus, (s = MonitorSession.run({ cpus }, SESSION)));
  return s;
}

describe.each([1, 2, 4])('bmjit boot, %i vCPU(s), QEMU reference session', (cpus) => {
  const ids = Array.from({ length: cpus }, (_, i) => i).join(' ');

  it('boots to the prompt with every core started, and powers off at the end', () => {
    const s = session(cpus);
    const t = s.transcript;
    expect(t.startsWith('[ BareMetal ] bmjit kernel 0.1\n')).toBe(true);
    expect(t).toContain(`cpu: ${cpus} active, APIC IDs ${ids}\n`);
    expect(t).toContain(`\nsystem ready\n\n[cpu: ${cpus}]  [mem: 256 MiB]  [net: none]\nbmjit monitor 0.1: type 'help' for commands\n> ver\n`);
    expect(s.result?.reason).toBe('shutdown');
    expect(t.endsWith('> poweroff\nsystem shutdown\n')).toBe(true);
  });

  it('ver and help', () => {
    const t = session(cpus).transcript;
    expect(commandOutput(t, 'ver')).toBe('bmjit monitor 0.1\nkernel: signature BAREMETAL, call table at 0x100010, boot mode U');
    expect(commandOutput(t, 'help')).toBe(commandOutput(readTranscript(REFERENCE[cpus].file), 'help'));
    const names = commandOutput(t, 'help').split('\n').slice(1).map((l) => l.trim().split(' ')[0]);
    expect(names).toEqual(['help', 'ver', 'cores', 'mem', 'peek', 'poke', 'dump', 'dir', 'run', 'exit', 'poweroff', 'reboot']);
  });

  it('run hello, run helloc, run sysinfo', () => {
    const t = session(cpus).transcript;
    expect(commandOutput(t, 'run hello')).toBe('Hello, world! (hello: assembly program at 0xFFFF800000000000)');
    expect(commandOutput(t, 'run helloc')).toBe(`Hello from C! (helloc on core 0 of ${cpus}, main at 0xFFFF800000000030)`);
    const sysinfo = commandOutput(t, 'run sysinfo');
    expect(sysinfo).toContain(`sysinfo: ${cpus} cores, running on APIC ID 0 (BSP 0), APIC IDs: ${ids}\n`);
    expect(sysinfo).toContain('sysinfo: memory 256 MiB, free 252 MiB\n');
    expect(sysinfo).toContain('sysinfo: frame buffer none, network none, boot mode U\n');
    // Our q35 model has the host bridge and the LPC bridge only (docs/devices.md).
    expect(sysinfo).toMatch(/PCI devices \(BUS_READ\):\n {2}00:00\.0 8086:29c0 class 060000 host bridge\n {2}00:1f\.0 8086:2918 class 060100 ISA bridge\nsysinfo: 2 PCI functions$/);
  });

  it('run smptest: PASS, with the sum QEMU computed (checked against TypeScript in tests/guest)', () => {
    const out = commandOutput(session(cpus).transcript, 'run smptest');
    expect(out).toMatch(new RegExp(`^smptest: ${cpus} core\\(s\\); work queued on ${cpus - 1} AP\\(s\\) \\(0 refused\\)`));
    const sum = /sum of 2000000 terms = (\d+), single-core result (\d+)/.exec(out);
    const qemu = /sum of 2000000 terms = (\d+)/.exec(readTranscript(REFERENCE[cpus].file));
    expect(sum).not.toBeNull();
    expect(sum![1]).toBe(qemu![1]);
    expect(sum![2]).toBe(qemu![1]);
    expect(out).toContain(`locked counter ${cpus * 20000} (expected ${cpus * 20000}), workers finished ${cpus} (expected ${cpus})`);
    expect(out.endsWith('smptest: PASS')).toBe(true);
  });

  it('run abitest: every b_* call and b_system function conforms, 0 failures', () => {
    const out = commandOutput(session(cpus).transcript, 'run abitest');
    const oks = out.split('\n').filter((l) => l.startsWith('abitest: ok '));
    const passed = cpus > 1 ? 39 : 35;
    expect(out).toMatch(new RegExp(`\\nabitest: ${passed} passed, 0 failed, ${cpus > 1 ? 2 : 6} skipped$`));
    expect(oks).toHaveLength(passed);
    expect(out).not.toMatch(/FAIL/);
    for (const call of ['b_input', 'b_output', 'b_net_tx', 'b_net_rx', 'b_nvs_read', 'b_nvs_write', 'b_user', 'TIMECOUNTER', 'DELAY', 'SMP_SET', 'CALLBACK_TIMER']) {
      expect(oks.some((l) => l.includes(call)), call).toBe(true);
    }
  });

  it('exceptions in the monitor are reported and the monitor restarts', () => {
    const t = session(cpus).transcript;
    expect(commandOutput(t, 'peek FFFFFFFFF000')).toMatch(/^\n\*\*\* exception 0x0D #GP on core 0: error 0x0+ rip 0x[0-9A-F]{16} rsp 0x[0-9A-F]{16}\n\*\*\* returning to the monitor\nmonitor restarted$/);
    expect(commandOutput(t, 'peek 100000000')).toMatch(/#PF on core 0: error .* cr2 0x0000000100000000\n/);
  });

  it(`equals QEMU's transcript (${REFERENCE[cpus].file}) except the machine-dependent lines`, () => {
    const ref = REFERENCE[cpus];
    const rules: LineRule[] = ref.entry === 'U' ? [...MACHINE_LINES] : [...MACHINE_LINES, BOOT_MODE_LINE];
    const hits = new Map<LineRule, number>();
    const qemu = normalize(readTranscript(ref.file), rules, hits);
    const ours = normalize(session(cpus).transcript, rules);
    expect(ours).toBe(qemu);
    // Every allowance is used by the reference (none is stale), and the raw transcripts do differ only there.
    for (const r of rules) expect(hits.get(r) ?? 0, r.why).toBeGreaterThan(0);
    expect(session(cpus).transcript).not.toBe(readTranscript(ref.file));
  });
});

describe('determinism', () => {
  it('a second boot with the same input (4 vCPUs) gives the same transcript and instruction counts', () => {
    const a = session(4);
    const b = MonitorSession.run({ cpus: 4 }, SESSION);
    expect(b.transcript).toBe(a.transcript);
    expect(b.m.stats().perCpu).toEqual(a.m.stats().perCpu);
    expect(b.result?.instructions).toBe(a.result?.instructions);
    expect(b.m.stats().virtualNs).toBe(a.m.stats().virtualNs);
  });
});

describe('the same image as a Multiboot kernel (bmjit boot --kernel build/bmjit.img, as QEMU -kernel)', () => {
  it('2 vCPUs: equals multiboot-smp2.txt except the machine-dependent lines, boot mode B', () => {
    const s = MonitorSession.run({ cpus: 2, boot: 'multiboot' }, SESSION);
    expect(s.result?.reason).toBe('shutdown');
    expect(commandOutput(s.transcript, 'ver')).toMatch(/boot mode B$/);
    expect(normalize(s.transcript, MACHINE_LINES)).toBe(normalize(readTranscript('multiboot-smp2.txt'), MACHINE_LINES));
  });
});
