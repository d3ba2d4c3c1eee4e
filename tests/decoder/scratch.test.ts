// scratch
import { test } from 'vitest';
import { newStats, runCorpus, summary, systematicCorpus, randomCorpus, mismatchReport, makeChecker } from './oracle.js';
for (const bits of [64, 32, 16] as const) {
  test(`sys ${bits}`, () => {
    const st = newStats();
    const t0 = performance.now();
    const chk = makeChecker({ text: true, meta: true });
    runCorpus(bits, systematicCorpus(bits, 1), st, 0x1000n, chk);
    runCorpus(bits, randomCorpus(bits, 30000, 7), st, 0x1000n, chk);
    console.log(summary(bits, 'sys+rnd', st), (performance.now()-t0).toFixed(0), 'ms\n' + mismatchReport(st, 200));
    console.log([...st.metaByMn.entries()].slice(0, 150).map(([k, v]) => `  ${k}: ${v}`).join('\n'));
  }, 600000);
}
