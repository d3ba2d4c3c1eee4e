// Registration of the x87 FPU instruction handlers with the interpreter (jit/interp/interpreter.ts).
import { registerTable } from '../sse/index.js';
import type { OpTable } from '../sse/fp-arith.js';
import { X87_ARITH_OPS } from './arith.js';
import { X87_LOADSTORE_OPS } from './loadstore.js';
import { X87_COMPARE_OPS } from './compare.js';
import { X87_CONTROL_OPS } from './control.js';
import { X87_TRANSCENDENTAL_OPS } from './transcendental.js';

export { fpuInit, FCW_INIT } from './fpu.js';

export const X87_TABLES: OpTable[] = [X87_ARITH_OPS, X87_LOADSTORE_OPS, X87_COMPARE_OPS, X87_CONTROL_OPS, X87_TRANSCENDENTAL_OPS];

export function registerX87(): void {
  for (const t of X87_TABLES) registerTable(t);
}
