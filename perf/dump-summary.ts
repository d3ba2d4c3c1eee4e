// Summary of a JIT source dump directory (JitOptions.dumpDir, `--jit-dump`): per workload, the guest instructions
// translated, those left to interpreter fallbacks (by mnemonic), and region source sizes. It reads the dump's
// comment format (`// ADDR: disassembly` before each instruction; a fallback calls `H[i](cpu, I[i])` and carries
// on); static counts, not weighted by execution.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DumpSummary {
  regions: number;
  instructions: number;
  fallbacks: number;
  byMnemonic: Array<[string, number]>;
  largestRegionBytes: number;
  largestRegion: string;
}

const INSTR = /\n[ \t]*\/\/ [0-9a-f]+: ([^\n]*)/g;

export function summariseDump(dir: string): DumpSummary {
  const counts = new Map<string, number>();
  let instructions = 0;
  let fallbacks = 0;
  let largestRegionBytes = 0;
  let largestRegion = '';
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  for (const f of files) {
    const src = readFileSync(join(dir, f), 'utf8');
    if (src.length > largestRegionBytes) {
      largestRegionBytes = src.length;
      largestRegion = f;
    }
    const marks = [...src.matchAll(INSTR)];
    marks.forEach((m, i) => {
      instructions++;
      const end = i + 1 < marks.length ? marks[i + 1].index! : src.length;
      // A handler call followed by `return` is a template's rare slow path (e.g. RET to a non-canonical address).
      if (!/\bH\[\d+\]\(cpu, I\[\d+\]\);\n[ \t]*(?![ \t]|return\b)/.test(src.slice(m.index! + m[0].length, end))) return;
      fallbacks++;
      const words = m[1].trim().split(/\s+/);
      const mn = words[0] === 'rep' || words[0] === 'repe' || words[0] === 'repne' || words[0] === 'lock' ? `${words[0]} ${words[1]}` : words[0];
      counts.set(mn, (counts.get(mn) ?? 0) + 1);
    });
  }
  return {
    regions: files.length,
    instructions,
    fallbacks,
    byMnemonic: [...counts].sort((a, b) => b[1] - a[1]),
    largestRegionBytes,
    largestRegion,
  };
}
