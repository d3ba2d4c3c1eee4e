import { test } from 'vitest';
import { writeFileSync } from 'node:fs';
import { CaseBuilder } from '../oracle/gen/builder.js';
import { Rng } from '../oracle/gen/rng.js';
import { buildCases } from './harness.js';
import { runHost } from '../oracle/host.js';
test('probe', () => {
  const rng = new Rng(7);
  const specs = []; const meta: number[][] = [];
  for (let i = 0; i < 600; i++) {
    const b = new CaseBuilder(rng);
    const left = i % 2 === 0; const n = 17 + rng.below(15);
    const a = rng.u32() & 0xffff, s = rng.u32() & 0xffff;
    b.setReg({ idx: 0, size: 16, high: false }, BigInt(a)); b.setReg({ idx: 3, size: 16, high: false }, BigInt(s));
    b.take(0); b.take(3);
    specs.push(b.spec('p', `${left ? 'shld' : 'shrd'} ax, bx, ${n}`)); meta.push([left ? 1 : 0, a, s, n]);
  }
  const res = runHost(buildCases(specs));
  writeFileSync('/tmp/sh16.json', JSON.stringify(res.map((r, i) => [...meta[i], Number(r.gpr[0] & 0xffffn), r.rflags & 0x8d5])));
});
