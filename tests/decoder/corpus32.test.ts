// Decoder vs iced-x86 on the systematic and random corpora, 32-bit mode (SDM Vol. 2 ch. 2 and Appendix A).
import { expect, test } from 'vitest';
import { runMode } from './oracle.js';

test('32-bit: decoding, metadata and disassembly agree with iced-x86', () => {
  const { sys, rnd, sysSize, rndSize } = runMode(32, 50_000);
  expect(sys.total).toBe(sysSize);
  expect(rnd.total).toBe(rndSize);
  for (const st of [sys, rnd]) {
    expect(st.mismatch).toBe(0);
    expect(st.metaMismatch).toBe(0);
    expect(st.textMismatch).toBe(0);
    expect(st.textCompared).toBe(st.match);
  }
  // guard against a vacuous pass (e.g. everything rejected by both sides)
  expect(sys.match).toBeGreaterThan(300_000);
  expect(rnd.match).toBeGreaterThan(20_000);
}, 120_000);
