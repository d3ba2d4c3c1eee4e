// Finds decoder forms (rows of jit/decoder/x86.def) by mnemonic and operand specification, so system handlers can
// claim e.g. "MOV Cy,Ry" without hard-coding generated form numbers.
import { FORM_COUNT, FORM_MN, FORM_NOPS, FORM_OPS, SPEC_NAMES } from '../../decoder/tables.gen.js';

/** Forms of mnemonic `mn` whose operand specs are exactly `ops` (e.g. ['Cy', 'Ry']). */
export function formsOf(mn: number, ops: string[]): number[] {
  const out: number[] = [];
  for (let f = 0; f < FORM_COUNT; f++) {
    if (FORM_MN[f] !== mn || FORM_NOPS[f] !== ops.length) continue;
    let ok = true;
    for (let i = 0; i < ops.length; i++) if (SPEC_NAMES[FORM_OPS[f * 4 + i]] !== ops[i]) ok = false;
    if (ok) out.push(f);
  }
  if (out.length === 0) throw new Error(`decoder has no form ${ops.join(',')} for mnemonic ${mn}`);
  return out;
}
