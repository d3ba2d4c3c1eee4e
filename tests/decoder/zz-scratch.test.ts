import { test } from 'vitest';
import { newStats, runCorpus, summary, randomCorpus, mismatchReport, makeChecker } from './oracle.js';
for (const bits of [64, 32, 16] as const) {
  test(`big ${bits}`, () => {
    const st = newStats();
    const chk = makeChecker({ text: true, meta: true });
    for (let k = 0; k < 4; k++) runCorpus(bits, randomCorpus(bits, 250000, 1234 + k * 7 + bits), st, BigInt(0x7fff0000 * (k + 1)), chk);
    console.log(summary(bits, 'bigrandom', st) + '\n' + mismatchReport(st, 50));
    console.log([...st.metaByMn.entries()].slice(0, 50).map(([k, v]) => `  ${k}: ${v}`).join('\n'));
  }, 900000);
}
