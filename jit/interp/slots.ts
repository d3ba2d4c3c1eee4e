// The register-file slots of machine/cpu/state.ts (and the TLB mask of cpu.ts) that the interpreter's hot paths
// touch, as a const enum: TypeScript inlines the numbers, whereas V8 loads an imported `export const` from its cell
// with a hole check at every use, which costs as much as a simple instruction's work. Checked at load time.
import * as St from '../../machine/cpu/state.js';
import { TLB_MASK } from '../../machine/cpu/cpu.js';
import { Flag } from '../../machine/cpu/state.js';

export const enum S {
  RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
  FLAGS = 32, FLAGS_LAZY = 33, LZ_OP = 34, LZ_SIZE = 35, LZ_RES_LO = 36, LZ_RES_HI = 37, LZ_A_LO = 38, LZ_A_HI = 39,
  LZ_B_LO = 40, LZ_B_HI = 41, LZ_CIN = 42,
  CPL = 106, CODE_BITS = 107, STACK_SIZE = 108, HALTED = 109, INT_SHADOW = 110, PENDING = 111,
  RIP_F = 192, ICOUNT_F = 205,
  ARITH_FLAGS = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.OF,
  TLB_MASK = 16383,
}

const CHECK: [number, number][] = [
  [S.RAX, St.RAX], [S.RCX, St.RCX], [S.RDX, St.RDX], [S.RBX, St.RBX], [S.RSP, St.RSP], [S.RBP, St.RBP],
  [S.RSI, St.RSI], [S.RDI, St.RDI], [S.FLAGS, St.FLAGS], [S.FLAGS_LAZY, St.FLAGS_LAZY], [S.LZ_OP, St.LZ_OP],
  [S.LZ_SIZE, St.LZ_SIZE], [S.LZ_RES_LO, St.LZ_RES_LO], [S.LZ_RES_HI, St.LZ_RES_HI], [S.LZ_A_LO, St.LZ_A_LO],
  [S.LZ_A_HI, St.LZ_A_HI], [S.LZ_B_LO, St.LZ_B_LO], [S.LZ_B_HI, St.LZ_B_HI], [S.LZ_CIN, St.LZ_CIN], [S.CPL, St.CPL],
  [S.CODE_BITS, St.CODE_BITS], [S.STACK_SIZE, St.STACK_SIZE], [S.HALTED, St.HALTED], [S.INT_SHADOW, St.INT_SHADOW],
  [S.PENDING, St.PENDING], [S.RIP_F, St.RIP_F], [S.ICOUNT_F, St.ICOUNT_F], [S.ARITH_FLAGS, St.ARITH_FLAGS],
  [S.TLB_MASK, TLB_MASK],
];
for (const [a, b] of CHECK) {
  if (a !== b) throw new Error(`jit/interp/slots.ts: slot ${a} does not match machine/cpu/state.ts (${b}); update the enum`);
}
