// Architecturally defined RFLAGS per instruction family (Intel SDM vol. 2 "Flags Affected", AMD APM vol. 3).
// "Defined" includes flags the instruction leaves unchanged: the emulator must preserve those exactly.
import { AF, CF, DF, FULL_MASK, OF, ZF } from './abi.js';

// Undefined-flag policy
// - definedMask: each Case carries `flagsDefined`, computed by its generator from the rules below (operand-dependent
//   for shifts/rotates/SHLD/SHRD; a faulting instruction commits nothing, so a fault case defines every flag).
//   The emulator must match these bits exactly; compare.ts diffResults(..., 'defined') uses them.
// - fullMask: FULL_MASK (CF PF AF ZF SF OF DF) for every case. diffResults(..., 'full') compares all of them and
//   every GPR (including Case.undefinedGprs), i.e. "match this host" (AMD EPYC) where the SDM leaves things undefined.
//   Which families must pass 'full' is the ISA tests' decision; the oracle only reports both.
// Bits outside FULL_MASK (IF, bit 1, RF in a fault frame, ...) are never compared.

export { FULL_MASK };

/** Families whose defined mask does not depend on operands. fullMask is FULL_MASK for all of them. */
export const FAMILY_DEFINED: Readonly<Record<string, number>> = {
  // all six status flags from the result; INC/DEC keep CF (unchanged = defined)
  'add adc sub sbb cmp neg inc dec xadd cmpxchg cmps scas': FULL_MASK,
  // OF=CF=0, SF/ZF/PF from the result, AF undefined
  'and or xor test': FULL_MASK & ~AF,
  // no flags affected
  'not mov movzx movsx movsxd lea xchg push pop bswap movbe crc32 cmovcc setcc movs stos lods cbw cwde cdqe cwd cdq cqo lahf sse-int sse-move': FULL_MASK,
  // CF/OF from the product; SF ZF AF PF undefined
  'mul imul': CF | OF | DF,
  // all status flags undefined (when the division completes)
  'div idiv': DF,
  // CF = selected bit, ZF unchanged, OF SF AF PF undefined
  'bt bts btr btc': CF | ZF | DF,
  // ZF from the source; CF OF SF AF PF undefined
  'bsf bsr': ZF | DF,
  // CF and ZF defined; OF SF AF PF undefined
  'lzcnt tzcnt': CF | ZF | DF,
  // ZF from the source, all others cleared
  popcnt: FULL_MASK,
  // CMPXCHG8B/16B: ZF; others unchanged
  'cmpxchg8b cmpxchg16b': FULL_MASK,
  // COMIS*/UCOMIS*/FCOMI*/FUCOMI*: ZF PF CF set, OF SF AF cleared; PTEST: ZF CF set, others cleared
  'comiss comisd ucomiss ucomisd fcomi fucomi ptest': FULL_MASK,
  // SAHF loads SF ZF AF PF CF; CLC/STC/CMC only touch CF; CLD/STD only DF
  'sahf clc stc cmc cld std': FULL_MASK,
};

/** Operand-dependent rules; `size` in bits, `count` as encoded (before masking). */
export function shiftDefined(op: 'shl' | 'sal' | 'shr' | 'sar', size: number, count: number): number {
  const m = count & (size === 64 ? 63 : 31);
  if (m === 0) return FULL_MASK; // nothing changes
  let d = FULL_MASK & ~AF;
  if (m !== 1) d &= ~OF;
  // SDM: CF undefined for SHL/SHR when the count >= operand size (SAR keeps shifting in the sign)
  if (op !== 'sar' && m >= size) d &= ~CF;
  return d;
}

/** ROL/ROR/RCL/RCR touch only CF and OF; OF is defined only for a masked count of 1. */
export function rotateDefined(size: number, count: number): number {
  const m = count & (size === 64 ? 63 : 31);
  if (m === 0) return FULL_MASK;
  return m === 1 ? FULL_MASK : FULL_MASK & ~OF;
}

/** SHLD/SHRD: like shifts; with a 16-bit operand and a count > 16 the result and all flags are undefined. */
export function doubleShiftDefined(size: number, count: number): { flags: number; resultDefined: boolean } {
  const m = count & (size === 64 ? 63 : 31);
  if (m === 0) return { flags: FULL_MASK, resultDefined: true };
  if (m > size) return { flags: DF, resultDefined: false };
  return { flags: m === 1 ? FULL_MASK & ~AF : FULL_MASK & ~AF & ~OF, resultDefined: true };
}

export function familyDefined(mnemonic: string): number {
  for (const [k, v] of Object.entries(FAMILY_DEFINED)) if (k.split(' ').includes(mnemonic)) return v;
  throw new Error(`flags: no defined-flag rule for "${mnemonic}"`);
}
