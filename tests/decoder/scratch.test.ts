// scratch
import { test } from 'vitest';
import { newStats, runCorpus, summary, systematicCorpus, randomCorpus } from './oracle.js';
for (const bits of [64, 32, 16] as const) {
  test(`sys ${bits}`, () => {
    const st = newStats();
    const t0 = performance.now();
    const c = systematicCorpus(bits, 1);
    runCorpus(bits, c, st, 0x1000n);
    const r = randomCorpus(bits, 30000, 7);
    runCorpus(bits, r, st, 0x1000n);
    console.log(summary(bits, 'sys+rnd', st), (performance.now()-t0).toFixed(0), 'ms');
    const agg = new Map<string, number>();
    for (const m of st.mismatches) { const k = m.replace(/^\d+ [0-9a-f ]+: /, '').replace(/[0-9a-f]{3,}/g, 'N'); agg.set(k, (agg.get(k) ?? 0) + 1); }
    console.log([...agg.entries()].sort((a,b)=>b[1]-a[1]).slice(0, 80).map(([k,v]) => v + ' ' + k).join('\n'));
    console.log(st.mismatches.slice(0, 0).join('\n'));
  }, 600000);
}
