// The interpreter is the reference: the built-in system prints the same transcript with --no-jit (engine 'interp'),
// the default tiered engine ('auto') and the JIT forced on for every block ('jit'); translated functions carry the
// guest symbol names (loader, kernel, monitor and the resident program).
import { describe, it, expect, vi, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MonitorSession, SESSION } from './session.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/** The reference session without smptest (70 M instructions: too slow for the interpreter in this suite). */
const COMMANDS = SESSION.filter((c) => c !== 'run smptest');

describe('engines', () => {
  let interp: MonitorSession;
  beforeAll(() => {
    interp = MonitorSession.run({ cpus: 2, engine: 'interp' }, COMMANDS);
  });

  it('the interpreter runs the whole session (abitest passes, poweroff at the end)', () => {
    expect(interp.transcript).toContain('abitest: 39 passed, 0 failed, 2 skipped\n');
    expect(interp.result?.reason).toBe('shutdown');
  });

  it('the default engine (JIT for hot code) prints the same transcript', () => {
    const auto = MonitorSession.run({ cpus: 2, engine: 'auto' }, COMMANDS);
    expect(auto.transcript).toBe(interp.transcript);
  });

  it('the JIT forced on for every block prints the same transcript prefix, in functions named after guest symbols', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bmjit-jitdump-'));
    const s = new MonitorSession({ cpus: 2, engine: 'jit', jitDump: dir });
    s.toPrompt();
    for (const c of COMMANDS.slice(0, COMMANDS.indexOf('run helloc') + 1)) s.command(c);
    expect(s.transcript).toBe(interp.transcript.slice(0, s.transcript.length));
    expect(s.transcript.endsWith('> run helloc\nHello from C! (helloc on core 0 of 2, main at 0xFFFF800000000030)\n> ')).toBe(true);
    const st = s.m.stats();
    expect(st.jitInstructions / st.instructions).toBeGreaterThan(0.9);
    const names = readdirSync(dir);
    rmSync(dir, { recursive: true });
    for (const prefix of ['loader_entry64_0x', 'paging_build_0x', 'kernel_start_0x', 'b_output_0x', 'main_0x1e', 'helloc_main_0x', 'hello__start_0x']) {
      expect(names.some((n) => n.startsWith(prefix)), prefix).toBe(true);
    }
  });
});
