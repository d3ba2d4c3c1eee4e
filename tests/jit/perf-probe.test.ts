import { it } from 'vitest';
import { assemble } from '../oracle/assemble.js';
import { runFlat } from './flat.js';
it('probe', () => {
  const [bin] = assemble([`mov ecx, 50000000
xor eax, eax
2:
add eax, ecx
xor eax, 0x55
dec ecx
jnz 2b
hlt`]);
  for (const e of ['interp', 'jit'] as const) {
    const t0 = performance.now();
    const r = runFlat(bin, e, { maxInstr: e === "jit" ? 2e8 : 1e6, threshold: 50 });
    const ms = performance.now() - t0;
    console.log(e, r.retired, ms.toFixed(0), 'ms', (r.retired / ms / 1000).toFixed(0), 'MIPS');
  }
}, 300000);
