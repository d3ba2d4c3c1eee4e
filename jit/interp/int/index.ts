// Registers the general-purpose integer instruction families (SDM Vol. 2) with the interpreter by mnemonic name.
import { defineOp, isDefined } from '../interpreter.js';
import { MN_NAMES } from '../../decoder/tables.gen.js';
import type { IntOp } from './common.js';
import { ops as alu } from './alu.js';
import { ops as shift } from './shift.js';
import { ops as muldiv } from './muldiv.js';
import { ops as bitops } from './bitops.js';
import { ops as move } from './move.js';
import { ops as stack } from './stack.js';
import { ops as branch } from './branch.js';
import { ops as string } from './string.js';
import { ops as misc } from './misc.js';

export { REP_BUDGET } from './string.js';

export const INTEGER_FAMILIES: Readonly<Record<string, readonly IntOp[]>> = { alu, shift, muldiv, bitops, move, stack, branch, string, misc };

const MN_ID = new Map<string, number>(MN_NAMES.map((n, i) => [n, i]));

/**
 * Define every integer mnemonic the decoder knows. Names from our tables that the decoder does not produce are
 * skipped, and so are mnemonics another module already defined (first definer wins; e.g. PAUSE or the hint NOPs may
 * get a system meaning). Idempotent. Returns the mnemonic ids it defined.
 */
export function registerIntegerOps(): number[] {
  const ids: number[] = [];
  for (const fam of Object.values(INTEGER_FAMILIES)) {
    for (const op of fam) {
      for (const name of op.names) {
        const id = MN_ID.get(name);
        if (id === undefined || isDefined(id)) continue;
        defineOp(id, op.h, { endsBlock: op.endsBlock === true, prepare: op.prepare });
        ids.push(id);
      }
    }
  }
  return ids;
}
