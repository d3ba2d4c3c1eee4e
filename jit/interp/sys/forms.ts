// Finds decoder forms (rows of jit/decoder/x86.def) by mnemonic and operand addressing method, so system handlers
// can claim e.g. "MOV Cy,Ry" without hard-coding generated form numbers.
import { FORM_COUNT, FORM_MN, FORM_NOPS, FORM_OPS, SPEC_METHOD, SPEC_REG } from '../../decoder/tables.gen.js';
import { Opm } from '../../decoder/decode.js';

/** An operand pattern: an addressing method, optionally with the fixed register (FixedSeg: 0..5 = ES..GS). */
export interface OpPat {
  m: Opm;
  reg?: number;
}

/** Forms of mnemonic `mn` with exactly `ops.length` operands, operand i using method ops[i] (undefined: any). */
export function formsOf(mn: number, ops: (OpPat | undefined)[]): number[] {
  const out: number[] = [];
  for (let f = 0; f < FORM_COUNT; f++) {
    if (FORM_MN[f] !== mn || FORM_NOPS[f] !== ops.length) continue;
    let ok = true;
    for (let i = 0; i < ops.length; i++) {
      const p = ops[i];
      if (p === undefined) continue;
      const spec = FORM_OPS[f * 4 + i];
      if (SPEC_METHOD[spec] !== p.m || (p.reg !== undefined && SPEC_REG[spec] !== p.reg)) ok = false;
    }
    if (ok) out.push(f);
  }
  if (out.length === 0) throw new Error(`decoder has no form of mnemonic ${mn} with operand methods ${JSON.stringify(ops)}`);
  return out;
}
