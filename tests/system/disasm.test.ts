// `bmjit disasm` against GNU objdump (an independent decoder) on the system test images: same instruction
// boundaries and bytes at the same addresses.
import { describe, it, expect, beforeAll, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { buildKernel } from './build.js';
import { runCli } from './helpers.js';

// These tests start node processes and run guest code: allow for a loaded 2-core CI machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let bare: string;
beforeAll(() => {
  bare = buildKernel('bare');
});

/** address -> bytes (hex, space separated) of each instruction objdump decodes. */
function objdump(file: string, org: number): Map<number, string> {
  const out = execFileSync('objdump', ['-D', '-b', 'binary', '-m', 'i386:x86-64', '-M', 'intel', `--adjust-vma=0x${org.toString(16)}`, file], { encoding: 'utf8' });
  const map = new Map<number, string>();
  let last = -1;
  for (const line of out.split('\n')) {
    const parts = line.split('\t');
    const a = /^\s*([0-9a-f]+):$/.exec(parts[0]);
    if (a === null || parts.length < 2) continue;
    const addr = parseInt(a[1], 16);
    const bytes = parts[1].trim();
    if (parts.length < 3 && last >= 0) {
      // objdump continues long instructions on lines without a mnemonic
      map.set(last, `${map.get(last)} ${bytes}`);
      continue;
    }
    map.set(addr, bytes);
    last = addr;
  }
  return map;
}

describe('bmjit disasm', () => {
  it('finds the same instruction boundaries and bytes as objdump in the code of a 64-bit image', () => {
    const r = runCli(['disasm', bare, '--bits', '64', '--org', '0x100000']);
    expect(r.status).toBe(0);
    const ours = new Map<number, string>();
    for (const line of r.stdout.trim().split('\n')) {
      const m = /^([0-9a-f]{16})  ((?:[0-9a-f]{2} ?)+)/.exec(line);
      expect(m, line).not.toBeNull();
      ours.set(parseInt(m![1], 16), m![2].trim());
    }
    const ref = objdump(bare, 0x100000);
    // Compare the code part: up to the first `hlt` (data follows, where decoders may legitimately diverge).
    let checked = 0;
    for (const [addr, bytes] of ref) {
      expect(ours.get(addr), `instruction at 0x${addr.toString(16)}`).toBe(bytes);
      checked++;
      if (bytes === 'f4') break;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('rejects a bad --bits value with a one-line error', () => {
    const r = runCli(['disasm', bare, '--bits', '12']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^bmjit: error: [^\n]+\n$/);
  });
});
