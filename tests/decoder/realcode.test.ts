// Decoder vs iced-x86 on real compiled x86-64 code: a linear sweep over the running node binary's .text section.
import * as iced from 'iced-x86';
import { expect, test } from 'vitest';
import { makeChecker, mismatchReport, newStats, runCorpus, summary } from './oracle.js';
import { nodeText } from './realcode.js';

test('64-bit: node .text agrees with iced-x86 instruction by instruction', (ctx) => {
  const text = nodeText(768 << 10);
  if (!text) {
    ctx.skip();
    return;
  }
  // instruction starts as iced finds them (a bad byte advances by one, as a linear disassembler does)
  const dec = new iced.Decoder(64, text.bytes, iced.DecoderOptions.None);
  const ins = new iced.Instruction();
  const offsets: number[] = [];
  for (let off = 0; off + 16 <= text.bytes.length;) {
    dec.position = off;
    dec.decodeOut(ins);
    offsets.push(off);
    off += ins.code === iced.Code.INVALID ? 1 : ins.length;
  }
  ins.free();
  dec.free();
  const st = newStats();
  runCorpus(64, { bytes: text.bytes, offsets }, st, BigInt(text.addr), makeChecker({ text: true, meta: true }));
  console.log(summary(64, 'node .text', st));
  if (st.byKind.size) console.log(mismatchReport(st, 30));
  expect(st.total).toBe(offsets.length);
  expect(st.mismatch).toBe(0);
  expect(st.metaMismatch).toBe(0);
  expect(st.textMismatch).toBe(0);
  expect(st.match).toBeGreaterThan(100_000);
}, 60_000);
