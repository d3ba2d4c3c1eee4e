import { test } from 'vitest';
import { nodeText } from './realcode.js';
import { decode } from '../../jit/decoder/decode.js';
import { Instr, DecodeError } from '../../jit/decoder/instr.js';
test('speed', () => {
  const t = nodeText(4 << 20)!;
  const buf = t.bytes;
  const ins = new Instr();
  // collect instruction starts by linear sweep
  const starts: number[] = [];
  for (let off = 0; off < buf.length - 16;) {
    try { decode(buf, off, buf.length, 64, ins); starts.push(off); off += ins.len; } catch (e) { off++; }
  }
  const st = Int32Array.from(starts);
  console.log('instructions', st.length, 'bytes', buf.length);
  for (let rep = 0; rep < 5; rep++) {
    const t0 = process.hrtime.bigint();
    let x = 0;
    for (let i = 0; i < st.length; i++) { decode(buf, st[i], buf.length, 64, ins); x += ins.len; }
    const dt = Number(process.hrtime.bigint() - t0);
    console.log('ns/instr', (dt / st.length).toFixed(1), x);
  }
});
