// QEMU reference transcripts (tests/guest/qemu-transcripts, recorded from our image; no QEMU needed here): they
// must come from the current build, and the numbers the programs print are checked against independent TypeScript
// computations of the same work (smptest's sum, bench's four kernels).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as abi from '../../machine/abi.js';
import { ROOT, ensureGuestBuilt, readBuild, readSym, symAddr } from './guest-files.js';

const DIR = join(ROOT, 'tests/guest/qemu-transcripts');
const SESSIONS = [
  { file: 'multiboot-smp1.txt', cores: 1, mode: 'B' },
  { file: 'multiboot-smp2.txt', cores: 2, mode: 'B' },
  { file: 'multiboot-smp4.txt', cores: 4, mode: 'B' },
  { file: 'entry64-smp4.txt', cores: 4, mode: 'U' },
];
const read = (f: string) => readFileSync(join(DIR, f), 'latin1');

/** The output of one monitor command: from its echoed prompt line to the next prompt. */
function commandOutput(text: string, command: string, occurrence = 0): string {
  const parts = text.split(`> ${command}\n`);
  if (parts.length <= occurrence + 1) throw new Error(`command '${command}' not in transcript`);
  return parts[occurrence + 1].split('\n> ')[0];
}

beforeAll(() => ensureGuestBuilt(), 120_000);

describe('transcripts come from the current build (else re-record: node tests/guest/qemu-transcripts/record.mjs)', () => {
  it('dump of the kernel header equals build/kernel.bin', () => {
    const kernel = readBuild('kernel.bin');
    for (const s of SESSIONS) {
      const lines = commandOutput(read(s.file), 'dump 100000 40').trim().split('\n');
      const bytes = lines.flatMap((l) => l.slice(18, 18 + 48).trim().split(' ').map((h) => parseInt(h, 16)));
      expect(Buffer.from(bytes).equals(kernel.subarray(0, 0x40)), s.file).toBe(true);
    }
  });

  it('the AP exception report names abitest.work_fault', () => {
    const fault = symAddr(readSym('abitest'), 'work_fault');
    for (const s of SESSIONS.filter((x) => x.cores > 1)) {
      const m = /\*\*\* exception 0x06 #UD on core (\d+): error 0x0+ rip 0x([0-9A-F]{16})/.exec(read(s.file));
      expect(m, s.file).not.toBeNull();
      expect(BigInt('0x' + m![2]), s.file).toBe(fault);
    }
  });
});

describe('session transcripts', () => {
  it('boot, report the cores and reach the prompt', () => {
    for (const s of SESSIONS) {
      const t = read(s.file);
      expect(t.startsWith('[ BareMetal ]'), s.file).toBe(true);
      const ids = Array.from({ length: s.cores }, (_, i) => i).join(' ');
      expect(t, s.file).toContain(`cpu: ${s.cores} active, APIC IDs ${ids}\n`);
      expect(t, s.file).toContain('system ready\n');
      expect(t, s.file).toContain(`[cpu: ${s.cores}]`);
      expect(commandOutput(t, 'ver'), s.file).toContain(`boot mode ${s.mode}`);
    }
  });

  it('run the programs', () => {
    for (const s of SESSIONS) {
      const t = read(s.file);
      expect(commandOutput(t, 'run hello'), s.file).toBe('Hello, world! (hello: assembly program at 0xFFFF800000000000)');
      expect(commandOutput(t, 'run helloc'), s.file).toMatch(new RegExp(`^Hello from C! \\(helloc on core 0 of ${s.cores}, main at 0xFFFF8000`));
      expect(commandOutput(t, 'run sysinfo'), s.file).toContain(`sysinfo: ${s.cores} cores`);
      expect(commandOutput(t, 'run smptest'), s.file).toMatch(/smptest: PASS$/);
      const abitest = commandOutput(t, 'run abitest');
      const expectPassed = s.cores > 1 ? 39 : 35;
      expect(abitest, s.file).toMatch(new RegExp(`abitest: ${expectPassed} passed, 0 failed, ${s.cores > 1 ? 2 : 6} skipped$`));
      expect(abitest).not.toContain('FAIL');
    }
  });

  it('report exceptions on the BSP and restart the monitor', () => {
    for (const s of SESSIONS) {
      const t = read(s.file);
      expect(commandOutput(t, 'peek FFFFFFFFF000'), s.file).toMatch(/\*\*\* exception 0x0D #GP on core 0: .*\n\*\*\* returning to the monitor\nmonitor restarted$/);
      expect(commandOutput(t, 'peek 100000000'), s.file).toMatch(/#PF on core 0: error .* cr2 0x0000000100000000\n/);
      expect(commandOutput(t, 'bogus')).toBe("unknown command 'bogus' (type help)");
      expect(t.endsWith('> poweroff\nsystem shutdown\n'), s.file).toBe(true);
    }
  });
});

/* ---------- independent computations ---------- */

/** smptest's term(i) for i < 2^21, in exact double arithmetic on 32-bit halves. */
function smptestSum(n: number): bigint {
  const kLo = 0x7f4a7c15;
  const kHi = 0x9e3779b9;
  const m = 1000003;
  const twoTo32ModM = 2 ** 32 % m;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p0 = i * kLo; // < 2^53
    const lo = p0 % 2 ** 32;
    const hi = (Math.floor(p0 / 2 ** 32) + ((i * kHi) % 2 ** 32)) % 2 ** 32;
    const xlo = (lo ^ ((lo >>> 29) | (hi << 3))) >>> 0;
    const xhi = (hi ^ (hi >>> 29)) >>> 0;
    total += ((xhi % m) * twoTo32ModM + xlo) % m;
  }
  return BigInt(total);
}

const U64 = (x: bigint) => BigInt.asUintN(64, x);

function xorshift(seed: bigint): () => bigint {
  let s = seed;
  return () => {
    s = U64(s ^ (s << 13n));
    s ^= s >> 7n;
    s = U64(s ^ (s << 17n));
    return s;
  };
}

function benchResults(): bigint[] {
  const composite = new Uint8Array(1000001);
  for (let i = 2; i * i <= 1000000; i++) if (!composite[i]) for (let j = i * i; j <= 1000000; j += i) composite[j] = 1;
  let primes = 0;
  for (let i = 2; i <= 1000000; i++) primes += composite[i] ? 0 : 1;

  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (0xedb88320 ^ (c >>> 1)) >>> 0 : c >>> 1;
    table[i] = c;
  }
  const data = new Uint8Array(1 << 20);
  const view = new DataView(data.buffer);
  let rng = xorshift(0x243f6a8885a308d3n);
  for (let i = 0; i < data.length; i += 8) view.setBigUint64(i, rng(), true);
  let crc = 0xffffffff;
  for (const b of data) crc = (table[(crc ^ b) & 0xff] ^ (crc >>> 8)) >>> 0;
  crc = (crc ^ 0xffffffff) >>> 0;

  const N = 64;
  let h = 0n;
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < N; k++) s += (((i * 7 + k * 3) % 17) / 8 - 1) * (((k * 5 + j * 11) % 13) / 4 - 1.5);
      h = U64(h * 31n + U64(BigInt(Math.trunc(s * 1024))));
    }

  rng = xorshift(0x13198a2e03707344n);
  const keys = new Uint32Array(100000);
  for (let i = 0; i < keys.length; i++) keys[i] = Number(rng() & 0xffffffffn);
  keys.sort();
  let hs = 0n;
  for (const k of keys) hs = U64(hs * 1099511628211n) ^ BigInt(k);
  return [BigInt(primes), BigInt(crc), h, hs];
}

describe('program results match independent computations', () => {
  it('smptest sum', () => {
    const expected = smptestSum(2000000);
    for (const s of SESSIONS) {
      const m = /smptest: sum of 2000000 terms = (\d+), single-core result (\d+)/.exec(read(s.file));
      expect(m, s.file).not.toBeNull();
      expect(BigInt(m![1])).toBe(expected);
      expect(BigInt(m![2])).toBe(expected);
    }
  });

  it('bench results and checksum', () => {
    const t = read('bench-smp2.txt');
    const got = [...t.matchAll(/^bench: .{28} = (\d+) \(0x[0-9a-f]+\)$/gm)].map((m) => BigInt(m[1]));
    const expected = benchResults();
    expect(got).toEqual(expected);
    let checksum = 0n;
    for (const r of expected) checksum = U64((checksum ^ r) * 0x100000001b3n);
    expect(t).toContain(`bench: checksum 0x${checksum.toString(16).padStart(16, '0')}\n`);
    expect(t).toMatch(/^bench: total ticks \d+ at 100000000 Hz \(\d+ us\)$/m); // QEMU's HPET runs at 100 MHz
  });
});
