import { test } from 'vitest';
import { CaseBuilder } from '../oracle/gen/builder.js';
import { Rng } from '../oracle/gen/rng.js';
import { buildCases } from './harness.js';
import { runEmu } from '../oracle/emu.js';
import { decode } from '../../jit/decoder/decode.js';
import { MN_NAMES } from '../../jit/decoder/tables.gen.js';
test("dbg", async () => {
  const b = new CaseBuilder(new Rng(1));
  const cases = buildCases([b.spec('x', 'call 2f\njmp 1f\n2: ret\n1:')]);
  const code = cases[0].code;
  for (let off = 0; off < code.length;) { const i = decode(code, off, code.length, 64); console.log(off, MN_NAMES[i.op], 'osize', i.osize, 'o0', i.o0.kind, i.o0.disp, 'len', i.len); off += i.len; }
  const { handlers } = await import("../../jit/interp/interpreter.js"); const { registerIntegerOps } = await import("../../jit/interp/int/index.js"); registerIntegerOps(); const h = handlers[MN_NAMES.indexOf("RET")]; console.log(String(h).slice(0, 300));
  const { Cpu } = await import("../../machine/cpu/cpu.js"); const of = Cpu.prototype.fault; Cpu.prototype.fault = function (v, e) { const cb = this.currentBlock; console.log("block", cb && cb.ramOff.toString(16), cb && cb.instrs.map((i) => MN_NAMES[i.op] + "/" + i.len).join(" "), this.f64[192].toString(16)); return of.call(this, v, e); };
  const r = runEmu(cases)[0];
  console.log(r.status, r.vector, r.ripOffset, r.gpr[4].toString(16), Buffer.from(r.mem.subarray(0xff0, 0x1000)).toString('hex'));
});
