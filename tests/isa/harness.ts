// Differential ISA testing: the same generated cases on the host CPU (tests/oracle runHost) and in bmjit (runEmu, for
// every available engine), compared under the 'defined' policy (architecturally defined results) and the 'full'
// policy (also the SDM-undefined flags and registers, which we match on this host: flags.ts "Undefined-flag policy").
import { assemble } from '../oracle/assemble.js';
import { runHost } from '../oracle/host.js';
import { runEmu, availableEngines, type Engine } from '../oracle/emu.js';
import { diffResults, describeCase } from '../oracle/compare.js';
import type { Case, CaseSpec, Result } from '../oracle/abi.js';

export interface FamilyReport {
  family: string;
  engine: Engine;
  cases: number;
  /** Cases that differ in an architecturally defined result. */
  defined: string[];
  /** Cases that differ only under the full policy (undefined flags/registers). */
  undefinedOnly: string[];
}

export function buildCases(specs: readonly CaseSpec[]): Case[] {
  const codes = assemble(specs.map((s) => ({ asm: s.asm, name: s.name })));
  return specs.map((s, i) => ({ ...s, code: codes[i]! }));
}

function explain(c: Case, d: string[]): string {
  return `${describeCase(c)}\n  -> ${d.join('\n  -> ')}`;
}

/** Runs the cases on the host and in every available engine; prints one summary line per engine. */
export function compareFamily(family: string, specs: readonly CaseSpec[], host?: Result[]): FamilyReport[] {
  const cases = buildCases(specs);
  const exp = host ?? runHost(cases);
  const reports: FamilyReport[] = [];
  for (const engine of availableEngines()) {
    const act = runEmu(cases, { engine });
    const r: FamilyReport = { family, engine, cases: cases.length, defined: [], undefinedOnly: [] };
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i]!;
      const d = diffResults(c, exp[i]!, act[i]!, 'defined');
      if (d.length > 0) {
        r.defined.push(explain(c, d));
        continue;
      }
      const full = diffResults(c, exp[i]!, act[i]!, 'full');
      if (full.length > 0) r.undefinedOnly.push(explain(c, full));
    }
    const faults = exp.filter((x) => x.status === 'fault').length;
    console.log(
      `[isa] ${family} (${engine}): ${r.cases} cases (${faults} faulting on the host), ` +
        `${r.defined.length} defined mismatches, ${r.undefinedOnly.length} undefined-only mismatches`,
    );
    reports.push(r);
  }
  return reports;
}

/** Assertion text: the first few mismatches in full. */
export function firstMismatches(list: readonly string[], n = 3): string {
  return list.slice(0, n).join('\n\n');
}
