// Instruction text for traces and the `disasm` command (Intel syntax, SDM Vol. 2 mnemonics). Until the decoder's
// disassembler lands this prints the mnemonic and the bytes.
import type { Instr } from '../jit/decoder/instr.js';
import { MN_NAMES } from '../jit/decoder/tables.gen.js';

export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** One instruction as text: `mnemonic operands` (bytes appended when operands are not available). */
export function formatInstr(ins: Instr, bytes: Uint8Array, _bits: number, _ip: number): string {
  return `${(MN_NAMES[ins.op] ?? '?').toLowerCase()}  ; ${hexBytes(bytes)}`;
}
