import { it } from 'vitest';
import { generateCases } from '../oracle/generators.js';
import { runHost } from '../oracle/host.js';
import { runEmu } from '../oracle/emu.js';
import { diffResults, describeCase } from '../oracle/compare.js';
import { registerSse } from '../../jit/interp/sse/index.js';
import { registerX87 } from '../../jit/interp/x87/index.js';

it('explore', () => {
  registerSse();
  registerX87();
  for (const fam of (process.env.FAMS ?? 'sse-fp,sse-int,sse4,x87').split(',')) {
    const cases = generateCases(fam as never, Number(process.env.SEED ?? 1), Number(process.env.N ?? 2000));
    const host = runHost(cases);
    const emu = runEmu(cases);
    let bad = 0;
    const byOp = new Map<string, number>();
    for (let i = 0; i < cases.length; i++) {
      const d = diffResults(cases[i]!, host[i]!, emu[i]!);
      if (d.length) {
        bad++;
        const op = (cases[i]!.asm ?? '').split(/\s/)[0]!;
        byOp.set(op, (byOp.get(op) ?? 0) + 1);
        if ((byOp.get(op) ?? 0) <= Number(process.env.SHOW ?? 2)) {
          const c = cases[i]!;
          const hx = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
          const regs = [...(c.asm ?? '').matchAll(/xmm(\d+)/g)].map((m) => `xmm${m[1]}=${hx(c.xmm[Number(m[1])]!)}`);
          console.log(describeCase(c) + '\n  ' + regs.join(' ') + '\n  mem: ' + c.mem.map((m) => m.offset.toString(16) + ':' + hx(m.bytes)).join(' ') + '\n  ' + d.join('\n  '));
        }
      }
    }
    console.log(fam, cases.length, 'mismatches', bad, JSON.stringify([...byOp]));
  }
}, 600_000);
