// Differential tests of the SSE..SSE4.2, MMX and x87 interpreter handlers against the host CPU (tests/oracle):
// generated cases per family run natively and in bmjit; every compared field must match.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Case, CaseSpec } from '../oracle/abi.js';
import { buildCases, GENERATORS } from '../oracle/generators.js';
import { runHost } from '../oracle/host.js';
import { runEmu, availableEngines } from '../oracle/emu.js';
import { describeCase, diffResults } from '../oracle/compare.js';
import { registerSse } from '../../jit/interp/sse/index.js';
import { registerX87 } from '../../jit/interp/x87/index.js';
import { genFpEdge, genCvtEdge } from './gen-fp.js';
import { genMmx, genSseMisc, genPcmpStr } from './gen-misc.js';
import { genX87Ext } from './gen-x87.js';

type Gen = (seed: number, count: number) => CaseSpec[];

/** [name, generator, cases, seed]: 33k cases in all (~25 s on this machine under load). */
const FAMILIES: [string, Gen, number, number][] = [
  ['sse-int (oracle)', GENERATORS['sse-int'], 3000, 101],
  ['sse-fp (oracle)', GENERATORS['sse-fp'], 4000, 102],
  ['sse4 / ssse3 / sse3 (oracle)', GENERATORS.sse4, 4000, 103],
  ['x87 (oracle)', GENERATORS.x87, 4000, 104],
  ['fp edges: rounding modes, under/overflow, DAZ/FTZ, #XM', genFpEdge, 5000, 105],
  ['conversions at the edges', genCvtEdge, 3000, 106],
  ['mmx', genMmx, 2500, 107],
  ['sse data movement and state', genSseMisc, 1500, 108],
  ['x87 extended', genX87Ext, 3000, 109],
  ['sse4.2 string compares', genPcmpStr, 2000, 110],
];

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Initial XMM operands named in the assembly and the memory runs (for failure messages). */
function operands(c: Case): string {
  const regs = [...new Set([...(c.asm ?? '').matchAll(/xmm(\d+)/g)].map((m) => Number(m[1])))];
  return `${regs.map((r) => `xmm${r}=${hex(c.xmm[r]!)}`).join(' ')}\n  mem: ${c.mem.map((m) => `+${m.offset.toString(16)}:${hex(m.bytes)}`).join(' ')}`;
}

beforeAll(() => {
  registerSse();
  registerX87();
});

// SIMD_SEED / SIMD_SCALE vary the seeds and multiply the case counts for longer local bug hunts.
const SEED_SHIFT = Number(process.env.SIMD_SEED ?? 0);
const SCALE = Number(process.env.SIMD_SCALE ?? 1);

describe('SSE/MMX/x87 against the host CPU', () => {
  for (const [name, gen, baseCount, baseSeed] of FAMILIES) {
    const count = Math.round(baseCount * SCALE);
    const seed = baseSeed + 1000 * SEED_SHIFT;
    it(`${name}: ${count} cases`, () => {
      const cases = buildCases(gen(seed, count));
      const host = runHost(cases);
      for (const engine of availableEngines()) {
        const emu = runEmu(cases, { engine });
        const bad: string[] = [];
        let faults = 0;
        for (let i = 0; i < cases.length; i++) {
          if (host[i]!.status === 'fault') faults++;
          const d = diffResults(cases[i]!, host[i]!, emu[i]!);
          if (d.length > 0) bad.push(`${describeCase(cases[i]!)}\n  ${operands(cases[i]!)}\n  ${d.join('\n  ')}`);
        }
        console.log(`${name} (${engine}): ${cases.length} cases (${faults} faulting on the host), ${bad.length} mismatches`);
        expect(bad.slice(0, 5).join('\n')).toBe('');
        expect(bad.length).toBe(0);
      }
    }, 240_000);
  }
});
