// Public surface of the x86 decoder (SDM Vol. 2): decode, disassemble, mnemonic ids and per-instruction metadata.
export { DecodeError, Instr, Operand, OpKind, Pfx, REG_NONE, REG_RIP, RegClass, Seg } from './instr.js';
export { decode } from './decode.js';
export { disassemble, disasmBytes, mnemonicName } from './disasm.js';
export { Mn, MN_COUNT, MN_NAMES } from './tables.gen.js';
export * from './meta.js';
