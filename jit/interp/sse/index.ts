// Registration of the SSE..SSE4.2 and MMX instruction handlers with the interpreter (jit/interp/interpreter.ts).
import { defineOp } from '../interpreter.js';
import { MN_NAMES } from '../../decoder/tables.gen.js';
import type { OpTable } from './fp-arith.js';
import { FP_ARITH_OPS } from './fp-arith.js';
import { CONVERT_OPS } from './convert.js';
import { INT_OPS, shiftOps } from './int-ops.js';
import { SHUFFLE_OPS } from './shuffle.js';
import { MOVE_OPS } from './moves.js';
import { CONTROL_OPS } from './control.js';
import { STRING_OPS } from './string.js';

export { MXCSR_RESET } from './env.js';

/** Mnemonic id for an SDM name; a missing name is a table drift bug, reported at start-up. */
export function mnemonicId(name: string): number {
  const i = MN_NAMES.indexOf(name);
  if (i < 0) throw new Error(`instruction table has no mnemonic ${name}`);
  return i;
}

export function registerTable(t: OpTable): void {
  for (const [name, h] of t) defineOp(mnemonicId(name), h);
}

export const SSE_TABLES: OpTable[] = [FP_ARITH_OPS, CONVERT_OPS, INT_OPS, shiftOps(), SHUFFLE_OPS, MOVE_OPS, CONTROL_OPS, STRING_OPS];

/** Register every SSE/SSE2/SSE3/SSSE3/SSE4.1/SSE4.2 (string) and MMX handler. */
export function registerSse(): void {
  for (const t of SSE_TABLES) registerTable(t);
}
