// Seeded, reproducible oracle case generators per instruction family, and their batch assembly into Cases.
import type { Case, CaseSpec } from './abi.js';
import { assemble } from './assemble.js';
import { genAlu } from './gen/alu.js';
import { genAtomic } from './gen/atomic.js';
import { genBitops } from './gen/bitops.js';
import { genCond } from './gen/cond.js';
import { genMisc } from './gen/misc.js';
import { genMulDiv } from './gen/muldiv.js';
import { genShift } from './gen/shift.js';
import { genSse4 } from './gen/sse4.js';
import { genSseFp } from './gen/sse-fp.js';
import { genSseInt } from './gen/sse-int.js';
import { genString } from './gen/string.js';
import { genX87 } from './gen/x87.js';

export type Generator = (seed: number, count: number) => CaseSpec[];

export const GENERATORS = {
  alu: genAlu,
  shift: genShift,
  muldiv: genMulDiv,
  bitops: genBitops,
  string: genString,
  cond: genCond,
  atomic: genAtomic,
  misc: genMisc,
  'sse-int': genSseInt,
  'sse-fp': genSseFp,
  sse4: genSse4,
  x87: genX87,
} as const satisfies Record<string, Generator>;

export type Family = keyof typeof GENERATORS;
export const FAMILIES = Object.keys(GENERATORS) as Family[];

export { genAlu, genAtomic, genBitops, genCond, genMisc, genMulDiv, genShift, genSse4, genSseFp, genSseInt, genString, genX87 };

/** Assembles all specs in one `as` run. */
export function buildCases(specs: readonly CaseSpec[]): Case[] {
  const code = assemble(specs.map((s) => ({ asm: s.asm, bits: s.bits, name: s.name })));
  return specs.map((s, i) => ({ ...s, code: code[i]! }));
}

/** generate + assemble, the usual entry point of a semantic test. */
export function generateCases(family: Family, seed: number, count: number): Case[] {
  return buildCases(GENERATORS[family](seed, count));
}
