// Lazy arithmetic flags (SDM Vol. 1 §3.4.3.1, Appendix A EFLAGS cross-reference). A flag-setting instruction stores
// its operands and result in the LZ_* slots of the state buffer and marks the flags it defines as lazy; readers
// recompute only what they need. Shared by the interpreter and generated code (same slots, same LazyOp numbers).
//
// Operand convention in the lazy record: for sizes 1 and 2 the values are zero-extended into *_LO; for size 4 *_LO
// holds the int32; for size 8 both halves are used. LZ_CIN holds ADC/SBB's carry-in, and the count for shifts.
//
// ---- Undefined-flag policy (docs/cpu.md "Undefined flags") --------------------------------------------------------
// Where the SDM leaves a flag undefined we reproduce what the reference host (AMD Zen, the machine the host-oracle
// tests run on) does, as long as it is a deterministic function of the inputs; tests/isa compares those flags exactly
// (the 'full' policy). Measured on that host:
//  - AND/OR/XOR/TEST: AF = 0.
//  - SHL/SHR/SAR (non-zero masked count): AF = 1. OF = MSB(result) XOR CF (SHL) or XOR the second MSB of the result
//    (SHR/SAR) at every count, which is the SDM value for count 1. CF for counts >= the operand width (8/16-bit
//    operands): the last bit shifted out of the operand extended with zeros (SHL/SHR) or sign bits (SAR).
//  - ROL/ROR/RCL/RCR: only CF and OF change; OF uses the count-1 formula at every count (shift.ts).
//  - SHLD/SHRD: AF = 1, OF as SHL/SHR; 16-bit counts above 16 rotate the source, CF = 0 (shift.ts double16).
//  - MUL/IMUL: CF = OF = "result does not fit"; SF ZF AF PF unchanged.
//  - DIV/IDIV: CF OF unchanged, AF = 1, SF = ZF = PF = 0.
//  - BT/BTS/BTR/BTC: only CF changes. BSF/BSR: CF OF SF AF = 0, ZF = (source = 0), PF = parity of the index
//    (a zero source leaves the destination alone and sets PF). LZCNT/TZCNT: SF AF PF = 0, OF unchanged.
//  - AAA/AAS/AAM/AAD/DAA/DAS cannot run in 64-bit mode, so they are not measured (misc.ts documents the choice).
import { S } from './slots.js';
import { Flag } from '../../machine/cpu/state.js';

export const enum LazyOp {
  Add = 0,
  Adc = 1,
  Sub = 2, // also CMP and NEG (A = 0)
  Sbb = 3,
  Logic = 4, // AND OR XOR TEST: CF = OF = 0
  Inc = 5, // CF not part of the lazy mask
  Dec = 6,
  Shl = 7, // LZ_CIN = masked count (1..31 or 1..63); A = original operand
  Shr = 8,
  Sar = 9,
}

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let p = 1;
  for (let b = i; b !== 0; b >>= 1) p ^= b & 1;
  PARITY[i] = p ? Flag.PF : 0;
}
export { PARITY };

/** Record a lazy result for sizes 1..4 (hi halves unused). */
export function lazy32(s: Int32Array, op: LazyOp, size: number, res: number, a: number, b: number, mask = S.ARITH_FLAGS): void {
  s[S.LZ_OP] = op;
  s[S.LZ_SIZE] = size;
  s[S.LZ_RES_LO] = res;
  s[S.LZ_A_LO] = a;
  s[S.LZ_B_LO] = b;
  s[S.FLAGS_LAZY] = mask;
}

/** Record a lazy 64-bit result. */
export function lazy64(
  s: Int32Array, op: LazyOp, resLo: number, resHi: number, aLo: number, aHi: number, bLo: number, bHi: number, mask = S.ARITH_FLAGS,
): void {
  s[S.LZ_OP] = op;
  s[S.LZ_SIZE] = 8;
  s[S.LZ_RES_LO] = resLo;
  s[S.LZ_RES_HI] = resHi;
  s[S.LZ_A_LO] = aLo;
  s[S.LZ_A_HI] = aHi;
  s[S.LZ_B_LO] = bLo;
  s[S.LZ_B_HI] = bHi;
  s[S.FLAGS_LAZY] = mask;
}

/** Sign bit of a lazy value of the recorded size (hiIdx used for size 8). */
function signOf(s: Int32Array, loIdx: number, hiIdx: number, size: number): number {
  switch (size) {
    case 1:
      return (s[loIdx] >>> 7) & 1;
    case 2:
      return (s[loIdx] >>> 15) & 1;
    case 4:
      return s[loIdx] >>> 31;
    default:
      return s[hiIdx] >>> 31;
  }
}

/** Bit `k` of a lazy value of the recorded size; bits above the operand read as 0. */
function bitAt(s: Int32Array, loIdx: number, hiIdx: number, k: number, size: number): number {
  if (k < 0 || k >= size * 8) return 0;
  if (k < 32) return (s[loIdx] >>> k) & 1;
  return (s[hiIdx] >>> (k - 32)) & 1;
}

/** Unsigned a < b on lazy operands of the recorded size. */
function ult(s: Int32Array, aLo: number, aHi: number, bLo: number, bHi: number, size: number): boolean {
  const mask = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  if (size === 8) {
    const ah = s[aHi] >>> 0, bh = s[bHi] >>> 0;
    if (ah !== bh) return ah < bh;
  }
  return ((s[aLo] & mask) >>> 0) < ((s[bLo] & mask) >>> 0);
}

function eqv(s: Int32Array, aLo: number, aHi: number, bLo: number, bHi: number, size: number): boolean {
  const mask = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  if (size === 8 && s[aHi] !== s[bHi]) return false;
  return (s[aLo] & mask) === (s[bLo] & mask);
}

export function lazyCF(s: Int32Array): number {
  const size = s[S.LZ_SIZE];
  switch (s[S.LZ_OP] as LazyOp) {
    case LazyOp.Add:
      return ult(s, S.LZ_RES_LO, S.LZ_RES_HI, S.LZ_A_LO, S.LZ_A_HI, size) ? 1 : 0;
    case LazyOp.Adc:
      return ult(s, S.LZ_RES_LO, S.LZ_RES_HI, S.LZ_A_LO, S.LZ_A_HI, size) ||
        (s[S.LZ_CIN] !== 0 && eqv(s, S.LZ_RES_LO, S.LZ_RES_HI, S.LZ_A_LO, S.LZ_A_HI, size)) ? 1 : 0;
    case LazyOp.Sub:
      return ult(s, S.LZ_A_LO, S.LZ_A_HI, S.LZ_B_LO, S.LZ_B_HI, size) ? 1 : 0;
    case LazyOp.Sbb:
      return ult(s, S.LZ_A_LO, S.LZ_A_HI, S.LZ_B_LO, S.LZ_B_HI, size) ||
        (s[S.LZ_CIN] !== 0 && eqv(s, S.LZ_A_LO, S.LZ_A_HI, S.LZ_B_LO, S.LZ_B_HI, size)) ? 1 : 0;
    case LazyOp.Logic:
      return 0;
    case LazyOp.Shl:
      // Last bit shifted out; counts beyond the width shift out zeros.
      return bitAt(s, S.LZ_A_LO, S.LZ_A_HI, size * 8 - s[S.LZ_CIN], size);
    case LazyOp.Shr:
      return bitAt(s, S.LZ_A_LO, S.LZ_A_HI, s[S.LZ_CIN] - 1, size);
    case LazyOp.Sar: {
      const n = s[S.LZ_CIN];
      return n >= size * 8 ? signOf(s, S.LZ_A_LO, S.LZ_A_HI, size) : bitAt(s, S.LZ_A_LO, S.LZ_A_HI, n - 1, size);
    }
    default:
      return s[S.FLAGS] & 1; // INC/DEC keep CF (never in their lazy mask)
  }
}

export function lazyOF(s: Int32Array): number {
  const size = s[S.LZ_SIZE];
  switch (s[S.LZ_OP] as LazyOp) {
    case LazyOp.Add:
    case LazyOp.Adc: {
      // Overflow when both inputs have the same sign and the result's sign differs.
      const a = signOf(s, S.LZ_A_LO, S.LZ_A_HI, size), b = signOf(s, S.LZ_B_LO, S.LZ_B_HI, size), r = signOf(s, S.LZ_RES_LO, S.LZ_RES_HI, size);
      return a === b && r !== a ? 1 : 0;
    }
    case LazyOp.Sub:
    case LazyOp.Sbb: {
      const a = signOf(s, S.LZ_A_LO, S.LZ_A_HI, size), b = signOf(s, S.LZ_B_LO, S.LZ_B_HI, size), r = signOf(s, S.LZ_RES_LO, S.LZ_RES_HI, size);
      return a !== b && r !== a ? 1 : 0;
    }
    case LazyOp.Logic:
      return 0;
    case LazyOp.Inc: // result is the most negative value
      return signOf(s, S.LZ_RES_LO, S.LZ_RES_HI, size) === 1 && signOf(s, S.LZ_A_LO, S.LZ_A_HI, size) === 0 ? 1 : 0;
    case LazyOp.Dec:
      return signOf(s, S.LZ_RES_LO, S.LZ_RES_HI, size) === 0 && signOf(s, S.LZ_A_LO, S.LZ_A_HI, size) === 1 ? 1 : 0;
    case LazyOp.Shl: // SDM (count 1): MSB(result) XOR CF; this host uses the same formula for every count
      return signOf(s, S.LZ_RES_LO, S.LZ_RES_HI, size) ^ lazyCF(s);
    case LazyOp.Shr:
    case LazyOp.Sar: // count 1: MSB(original) for SHR, 0 for SAR; this host: MSB(result) XOR second MSB(result)
      return signOf(s, S.LZ_RES_LO, S.LZ_RES_HI, size) ^ bitAt(s, S.LZ_RES_LO, S.LZ_RES_HI, size * 8 - 2, size);
    default:
      return 0;
  }
}

export function lazyZF(s: Int32Array): number {
  const size = s[S.LZ_SIZE];
  const mask = size === 1 ? 0xff : size === 2 ? 0xffff : -1;
  return (s[S.LZ_RES_LO] & mask) === 0 && (size !== 8 || s[S.LZ_RES_HI] === 0) ? 1 : 0;
}

export function lazySF(s: Int32Array): number {
  return signOf(s, S.LZ_RES_LO, S.LZ_RES_HI, s[S.LZ_SIZE]);
}

export function lazyPF(s: Int32Array): number {
  return PARITY[s[S.LZ_RES_LO] & 0xff] ? 1 : 0;
}

export function lazyAF(s: Int32Array): number {
  switch (s[S.LZ_OP] as LazyOp) {
    case LazyOp.Logic:
      return 0; // undefined by the SDM; this host clears it
    case LazyOp.Shl:
    case LazyOp.Shr:
    case LazyOp.Sar:
      return 1; // undefined by the SDM; this host sets it for every non-zero count
    case LazyOp.Inc:
    case LazyOp.Dec:
      return ((s[S.LZ_A_LO] ^ 1 ^ s[S.LZ_RES_LO]) >>> 4) & 1;
    default:
      return ((s[S.LZ_A_LO] ^ s[S.LZ_B_LO] ^ s[S.LZ_RES_LO]) >>> 4) & 1;
  }
}

/** Materialise RFLAGS (clears the lazy mask). */
export function getFlags(s: Int32Array): number {
  const lz = s[S.FLAGS_LAZY];
  let f = s[S.FLAGS];
  if (lz !== 0) {
    f &= ~lz;
    if (lz & Flag.CF) f |= lazyCF(s);
    if (lz & Flag.PF) f |= lazyPF(s) << 2;
    if (lz & Flag.AF) f |= lazyAF(s) << 4;
    if (lz & Flag.ZF) f |= lazyZF(s) << 6;
    if (lz & Flag.SF) f |= lazySF(s) << 7;
    if (lz & Flag.OF) f |= lazyOF(s) << 11;
    s[S.FLAGS] = f;
    s[S.FLAGS_LAZY] = 0;
  }
  return f;
}

/** Replace RFLAGS wholesale (POPF, IRET, SAHF-style writers pass the merged value). Bit 1 is forced on. */
export function setFlags(s: Int32Array, v: number): void {
  s[S.FLAGS] = v | 2;
  s[S.FLAGS_LAZY] = 0;
}

/** Replace the flags in `mask` with the matching bits of `v`, keeping every other flag (materialises lazy ones). */
export function putFlags(s: Int32Array, mask: number, v: number): void {
  const lz = s[S.FLAGS_LAZY];
  // When the lazy flags are all being replaced there is nothing to recompute.
  const f = (lz & ~mask) === 0 ? s[S.FLAGS] : getFlags(s);
  s[S.FLAGS] = (f & ~mask) | (v & mask);
  s[S.FLAGS_LAZY] = 0;
}

/** INC/DEC: make CF concrete before a record whose lazy mask leaves CF out. */
export function keepCF(s: Int32Array): void {
  if (s[S.FLAGS_LAZY] & Flag.CF) s[S.FLAGS] = (s[S.FLAGS] & ~Flag.CF) | lazyCF(s);
  // The other stale bits are about to be covered by the new record's mask; CF is now concrete.
  s[S.FLAGS_LAZY] &= ~Flag.CF;
}

export function getCF(s: Int32Array): number {
  return s[S.FLAGS_LAZY] & Flag.CF ? lazyCF(s) : s[S.FLAGS] & 1;
}
export function getZF(s: Int32Array): number {
  return s[S.FLAGS_LAZY] & Flag.ZF ? lazyZF(s) : (s[S.FLAGS] >>> 6) & 1;
}
export function getSF(s: Int32Array): number {
  return s[S.FLAGS_LAZY] & Flag.SF ? lazySF(s) : (s[S.FLAGS] >>> 7) & 1;
}
export function getOF(s: Int32Array): number {
  return s[S.FLAGS_LAZY] & Flag.OF ? lazyOF(s) : (s[S.FLAGS] >>> 11) & 1;
}
export function getPF(s: Int32Array): number {
  return s[S.FLAGS_LAZY] & Flag.PF ? lazyPF(s) : (s[S.FLAGS] >>> 2) & 1;
}
export function getAF(s: Int32Array): number {
  return s[S.FLAGS_LAZY] & Flag.AF ? lazyAF(s) : (s[S.FLAGS] >>> 4) & 1;
}

/** Evaluate condition code `cc` (SDM Appendix B.1 tttn: O NO B AE E NE BE A S NS P NP L GE LE G). */
export function testCond(s: Int32Array, cc: number): boolean {
  let r: number;
  switch (cc >> 1) {
    case 0:
      r = getOF(s);
      break;
    case 1:
      r = getCF(s);
      break;
    case 2:
      r = getZF(s);
      break;
    case 3:
      r = getCF(s) | getZF(s);
      break;
    case 4:
      r = getSF(s);
      break;
    case 5:
      r = getPF(s);
      break;
    case 6:
      r = getSF(s) ^ getOF(s);
      break;
    default:
      r = getZF(s) | (getSF(s) ^ getOF(s));
  }
  return (r !== 0) !== ((cc & 1) !== 0);
}

/** Set CF eagerly (materialising the other lazy flags first). */
export function setCF(s: Int32Array, cf: number): void {
  const f = getFlags(s);
  s[S.FLAGS] = (f & ~Flag.CF) | (cf & 1);
}
