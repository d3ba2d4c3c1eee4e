// The decoded-instruction record (SDM Vol. 2 §2.1 instruction format): the one product of the decoder, consumed by
// the interpreter, the translator and the disassembler.
//
// Contract (owned by the decoder; consumers rely on every field listed here):
//  - One Instr per decoded instruction; fields are plain numbers so V8 keeps the shape monomorphic.
//  - `op` is the mnemonic id (enum `Mn` generated from the instruction table). Conditional families keep a distinct
//    mnemonic per condition (JNE, SETB, CMOVLE ...) AND set `cond` (0..15, SDM Appendix B.1 "tttn" encoding).
//  - Operands are in Intel order (destination first). Implicit operands that the SDM lists in the opcode column
//    (AL/eAX in `ADD AL,Ib`, CL in shifts, 1 in `D0 /4`) are materialised as explicit operands, exactly as the
//    Intel-syntax disassembly shows them; purely hidden ones (RSI/RDI of string ops, RDX:RAX of MUL) are not.

export const enum OpKind {
  None = 0,
  Reg = 1,
  Mem = 2,
  // immediate; value in imm (low 32 bits, as int32) and immHi (high 32 bits, already sign-extended to the operand size).
  // The value is first extended to `size` (Ib of 83 /0 is sign-extended to the operand size); sizes below 4 are then
  // zero-extended into imm (so `add ax,-1` has imm 0xFFFF), size 4 gives imm as int32 and immHi 0.
  Imm = 3,
  Rel = 4, // relative branch target: disp holds the signed displacement from the END of the instruction
  Far = 5, // ptr16:16/32 direct far pointer: imm = offset, immHi = selector
}

export const enum RegClass {
  Gpr = 0, // reg 0..15 = RAX..R15 at the operand's size (for size 1 without REX, 4..7 are AH..BH: see Gpr8Hi)
  Gpr8Hi = 1, // AH, CH, DH, BH: reg = 0..3 (the register whose bits 15:8 are meant)
  Seg = 2, // 0..5 = ES CS SS DS FS GS
  Cr = 3,
  Dr = 4,
  Xmm = 5,
  Mmx = 6,
  St = 7, // x87 ST(i), reg = i
}

/** Sentinel base register meaning "RIP-relative" (64-bit mode only); disp is then relative to the next instruction. */
export const REG_RIP = 16;
export const REG_NONE = -1;

export class Operand {
  kind: OpKind = OpKind.None;
  /** Operand size in bytes (1, 2, 4, 8, 10, 16; 0 when the size is irrelevant, e.g. LEA's memory operand or INVLPG). */
  size = 0;
  // --- Reg
  rc: RegClass = RegClass.Gpr;
  reg = 0;
  // --- Mem (effective address = base + index*scale + disp, truncated to Instr.asize; segment in Instr.seg)
  base = REG_NONE; // 0..15, REG_RIP, or REG_NONE
  index = REG_NONE; // 0..15 or REG_NONE
  scale = 1; // 1, 2, 4, 8
  disp = 0; // signed 32-bit displacement (also used by Rel)
  // --- Imm / Far / moffs (moffs is a Mem operand with base=index=NONE; a 64-bit one uses disp/dispHi)
  imm = 0;
  immHi = 0;
  // High 32 bits of a 64-bit absolute address: with asize 8 and base = index = NONE (moffs64 of A0-A3, or [disp32]
  // which is sign-extended) the address is the 64-bit value dispHi:disp; 0 in every other case.
  dispHi = 0;
}

/** Prefix bits in Instr.prefixes. */
export const enum Pfx {
  Lock = 1 << 0,
  Rep = 1 << 1, // F3 (REP/REPE), when it acts as a prefix rather than as part of the opcode
  Repne = 1 << 2, // F2 when it acts as a prefix
  OpSize = 1 << 3, // 66 present
  AdSize = 1 << 4, // 67 present
  Rex = 1 << 5, // a REX prefix was in effect
  RexW = 1 << 6, // REX.W, or VEX.W for VEX-encoded instructions
  Vex = 1 << 7, // VEX-encoded (BMI1/BMI2): map is 2 (0F38) or 3 (0F3A), VEX.pp was the mandatory prefix
}

/** Segment numbers (SDM Vol. 3 §3.4.2 order). */
export const enum Seg {
  ES = 0,
  CS = 1,
  SS = 2,
  DS = 3,
  FS = 4,
  GS = 5,
}

export class Instr {
  /** Mnemonic id (Mn enum, generated from the instruction table). */
  op = 0;
  /** Condition code 0..15 for Jcc/SETcc/CMOVcc/FCMOVcc (tttn), -1 otherwise. */
  cond = -1;
  /** Length in bytes (1..15). */
  len = 0;
  /** Decoding mode: 16, 32 or 64. */
  bits = 64;
  /** Effective operand size in bytes (2, 4, 8; 1 for byte forms). */
  osize = 4;
  /** Effective address size in bytes (2, 4, 8). */
  asize = 8;
  /** Pfx bit set. */
  prefixes = 0;
  /** Effective segment for memory operands: the override if any, else the default (DS, or SS for RBP/RSP bases). */
  seg = Seg.DS;
  /** True when a segment override prefix was present (the disassembler prints it). */
  segOverride = false;
  nops = 0;
  o0 = new Operand();
  o1 = new Operand();
  o2 = new Operand();
  o3 = new Operand();
  /** Primary opcode bytes for diagnostics: map (0 = one-byte, 1 = 0F, 2 = 0F38, 3 = 0F3A, 4 = x87 D8-DF) and opcode. */
  map = 0;
  opcode = 0;
  /** ModRM byte or -1. */
  modrm = -1;
  /** Form id (row of jit/decoder/x86.def): indexes the FORM_* tables (per-form flags, attributes, operand specs). */
  form = 0;
}

/** Thrown by the decoder for an invalid or unsupported encoding; the CPU turns it into #UD and keeps the bytes. */
export class DecodeError extends Error {
  constructor(
    message: string,
    readonly bytes: Uint8Array,
    readonly kind: 'invalid' | 'truncated' | 'unsupported',
  ) {
    super(message);
  }
}
