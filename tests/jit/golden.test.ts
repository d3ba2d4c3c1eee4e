// Golden snapshots of the JavaScript the translator emits for representative regions (reviewed by a person:
// update with `npx vitest run tests/jit/golden.test.ts -u` and read the diff).
import { describe, it, expect } from 'vitest';
import { generate } from 'astring';
import { assemble } from '../oracle/assemble.js';
import { makeFlat } from './flat.js';
import { formRegion } from '../../jit/translator/region.js';
import { RegionCodegen } from '../../jit/translator/codegen.js';
import { disassemble } from '../../jit/decoder/disasm.js';
import { CODE } from './flat.js';

function emit(src: string): string {
  const [bin] = assemble([src]);
  const { cpu, interp } = makeFlat(bin);
  const entry = interp.lookup(cpu);
  const region = formRegion(entry, (off) => interp.blockAtRam(cpu, off, 64));
  const res = new RegionCodegen(region, { disasm: disassemble, entryIp: CODE }).generate();
  const fn = { type: 'FunctionExpression', id: { type: 'Identifier', name: 'region' }, params: [{ type: 'Identifier', name: 'cpu' }, { type: 'Identifier', name: 'budget' }, { type: 'Identifier', name: 'pc0' }], body: { type: 'BlockStatement', body: res.body } };
  return generate({ type: 'Program', sourceType: 'script', body: [{ type: 'ExpressionStatement', expression: fn }] } as never, { comments: true });
}

describe('translator output', () => {
  it('tight integer loop: registers in locals, fused dec/jnz, budget check on the back edge', async () => {
    await expect(emit(`
1:
  add eax, ecx
  xor eax, 0x55
  dec ecx
  jnz 1b
  hlt`)).toMatchFileSnapshot('golden/int-loop.js');
  });

  it('memory traffic: TLB fast path for loads and stores, 64-bit compare fused with JB', async () => {
    await expect(emit(`
1:
  mov rax, [rsi + rcx*8]
  add [rdi + rcx*8], rax
  inc rcx
  cmp rcx, rdx
  jb 1b
  ret`)).toMatchFileSnapshot('golden/memory-loop.js');
  });

  it('a loop over three blocks: both arms generated inside the labeled loop of its head, no switch dispatch', async () => {
    await expect(emit(`
1:
  cmp byte ptr [rdi + rax], 0
  jne 2f
  add rsi, 1
  inc rax
  cmp rax, rdx
  jne 1b
  ret
2:
  inc rax
  cmp rax, rdx
  jne 1b
  ret`)).toMatchFileSnapshot('golden/branchy-loop.js');
  });

  it('call, push/pop and an interpreter fallback (DIV)', async () => {
    await expect(emit(`
  push rbx
  mov rbx, rdi
  xor edx, edx
  div rbx
  pop rbx
  call 2f
2:
  ret`)).toMatchFileSnapshot('golden/call-fallback.js');
  });
});
