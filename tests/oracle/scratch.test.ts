import { test } from 'vitest';
import { assemble } from './assemble.js';
test('s', () => {
const t = performance.now();
const out = assemble(['add eax, ebx', 'div ecx', {asm: 'mov ax, 1', bits: 16}, '1: dec ecx\njnz 1b', 'nop', '', 'rep movsb\nmovsd\ncmpsd\nrepne scasq\nlodsw']);
console.log(out.map(b => Buffer.from(b).toString('hex')), performance.now() - t);
for (const bad of [['nop', 'add eax, ebx, ecx'], ['jmp foo'], ['jmp 1f', '1: nop'], ['nop', {asm:'mov eax, 1\nfoo bar', name: 'named'}]]) {
  try { assemble(bad); console.log('no error?!'); } catch (e) { console.log((e as Error).message); }
}
const many = []; for (let i = 0; i < 5000; i++) many.push(`add eax, ${i}\nlock xadd [rsi+${i}], ecx`);
const t2 = performance.now(); const r = assemble(many); console.log(r.length, performance.now() - t2, Buffer.from(r[4999]!).toString('hex'));
});
