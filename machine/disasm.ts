// Instruction text for traces and the `disasm` command: the decoder's Intel-syntax disassembler (SDM Vol. 2 notation).
import type { Instr } from '../jit/decoder/instr.js';
import { disassemble } from '../jit/decoder/disasm.js';

export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** One instruction decoded at linear address `ip`, as Intel-syntax text. */
export function formatInstr(ins: Instr, _bytes: Uint8Array, _bits: number, ip: number): string {
  return disassemble(ins, ip);
}
