// Batch assembly of Intel-syntax snippets with GNU as (one run per batch); bytes read from the ELF64 object.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Snippet {
  asm: string;
  /** Code size for the whole snippet (a snippet may still switch with .code16/.code32/.code64). */
  bits?: 16 | 32 | 64;
  /** Used in error messages. */
  name?: string;
}

interface Section {
  name: string;
  type: number;
  offset: number;
  size: number;
  info: number;
}

const SHT_RELA = 4;
const SHT_REL = 9;

function sections(elf: Uint8Array): Section[] {
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (dv.getUint32(0, false) !== 0x7f454c46 || elf[4] !== 2) throw new Error('assemble: as did not produce an ELF64 object');
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shentsize = dv.getUint16(0x3a, true);
  let shnum = dv.getUint16(0x3c, true);
  let shstrndx = dv.getUint16(0x3e, true);
  // Extended numbering (many sections): the real values live in section header 0.
  if (shnum === 0) shnum = Number(dv.getBigUint64(shoff + 0x20, true));
  if (shstrndx === 0xffff) shstrndx = dv.getUint32(shoff + 0x28, true);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    raw.push({
      nameOff: dv.getUint32(h, true),
      type: dv.getUint32(h + 4, true),
      offset: Number(dv.getBigUint64(h + 0x18, true)),
      size: Number(dv.getBigUint64(h + 0x20, true)),
      info: dv.getUint32(h + 0x2c, true),
    });
  }
  const strtab = raw[shstrndx]!;
  const dec = new TextDecoder();
  return raw.map((s) => {
    let end = strtab.offset + s.nameOff;
    while (elf[end] !== 0) end++;
    return { name: dec.decode(elf.subarray(strtab.offset + s.nameOff, end)), type: s.type, offset: s.offset, size: s.size, info: s.info };
  });
}

function label(s: Snippet, i: number): string {
  return `snippet #${i}${s.name ? ` (${s.name})` : ''}`;
}

/**
 * Assembles every snippet in ONE `as` run and returns each snippet's bytes (same order).
 * Snippets may use numeric local labels (1:, 1b, 1f); named labels must be unique across the batch.
 * References outside the snippet (relocations) are rejected. Throws a one-line error naming the first bad snippet.
 */
export function assemble(input: readonly (string | Snippet)[]): Uint8Array[] {
  const snippets: Snippet[] = input.map((s) => (typeof s === 'string' ? { asm: s } : s));
  if (snippets.length === 0) return [];
  // One section per snippet: a reference into a neighbour becomes a relocation, which we reject.
  const lines: string[] = ['.intel_syntax noprefix'];
  const owner: number[] = [-1]; // source line (1-based) -> snippet index, -1 for scaffolding
  const firstLine: number[] = [];
  snippets.forEach((s, i) => {
    lines.push('.intel_syntax noprefix', `.section .text.bm${i},"ax",@progbits`, `.code${s.bits ?? 64}`, `.Lbm_b${i}:`);
    owner.push(-1, -1, -1, -1);
    firstLine.push(lines.length + 1);
    for (const l of s.asm.split('\n')) {
      lines.push(l);
      owner.push(i);
    }
    lines.push(`.section .text.bm${i},"ax",@progbits`, `.Lbm_e${i}:`);
    owner.push(i, i);
  });
  lines.push('.code64', '.section .bmsizes,"a",@progbits');
  snippets.forEach((_, i) => lines.push(`.long .Lbm_e${i} - .Lbm_b${i}`));
  lines.push('');

  const dir = mkdtempSync(join(tmpdir(), 'bm-as-'));
  try {
    const src = join(dir, 'batch.s');
    const obj = join(dir, 'batch.o');
    writeFileSync(src, lines.join('\n'));
    const r = spawnSync('as', ['--64', '-o', obj, src], { encoding: 'utf8' });
    if (r.error) throw new Error(`assemble: cannot run as: ${r.error.message}`);
    const diag = (r.stderr || '').split('\n').filter((l) => /:\d+: (Error|Warning): /.test(l));
    if (diag.length > 0 || r.status !== 0) {
      const first = diag[0];
      if (!first) throw new Error(`assemble: as failed: ${(r.stderr || '').trim().split('\n')[0]}`);
      const m = /:(\d+): (Error|Warning): (.*)$/.exec(first)!;
      const line = Number(m[1]);
      const who = owner[line - 1] ?? -1;
      const more = diag.length > 1 ? ` (+${diag.length - 1} more)` : '';
      if (who < 0) throw new Error(`assemble: ${m[2]} in batch scaffolding: ${m[3]}${more}`);
      const s = snippets[who]!;
      const rel = line - firstLine[who]! + 1;
      throw new Error(`assemble: ${label(s, who)} line ${rel} "${(lines[line - 1] ?? '').trim()}": ${m[3]}${more}`);
    }
    const elf = new Uint8Array(readFileSync(obj));
    const secs = sections(elf);
    const byName = new Map<string, number>();
    secs.forEach((s, i) => byName.set(s.name, i));
    const table = secs[byName.get('.bmsizes') ?? -1];
    if (!table || table.size !== 4 * snippets.length) throw new Error('assemble: size table missing from the object');
    const tdv = new DataView(elf.buffer, elf.byteOffset + table.offset, table.size);
    for (const s of secs) {
      if ((s.type === SHT_RELA || s.type === SHT_REL) && s.size > 0) {
        const target = secs[s.info]?.name ?? '?';
        const m = /^\.text\.bm(\d+)$/.exec(target);
        if (!m) throw new Error(`assemble: a snippet emitted relocations into section ${target}; snippets must stay in their own section`);
        const who = Number(m[1]);
        const at = Number(new DataView(elf.buffer, elf.byteOffset + s.offset, 8).getBigUint64(0, true));
        throw new Error(`assemble: ${label(snippets[who]!, who)} refers to a symbol outside itself (relocation at +0x${at.toString(16)})`);
      }
    }
    return snippets.map((_, i) => {
      const size = tdv.getUint32(4 * i, true);
      if (size === 0) return new Uint8Array(0);
      const sec = secs[byName.get(`.text.bm${i}`) ?? -1];
      if (!sec || sec.size < size) throw new Error(`assemble: section of ${label(snippets[i]!, i)} missing`);
      return elf.slice(sec.offset, sec.offset + size);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
