// x87 memory operand conversions (SDM Vol. 1 §8.2 data types: m16int/m32int/m64int, m32fp/m64fp/m80fp, m80bcd).
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr, Operand } from '../../decoder/instr.js';
import { operandAddress } from '../operands.js';
import { F80, fromF32, fromF64, fromInt } from './f80.js';

/** Read a floating-point memory operand (4, 8 or 10 bytes) into out; returns DE for a denormal m32/m64 source. */
export function readFloat(cpu: Cpu, ins: Instr, o: Operand, out: F80): number {
  const lin = operandAddress(cpu, ins, o, false);
  if (o.size === 4) return fromF32(cpu.rd32(lin), out);
  if (o.size === 8) {
    const lo = cpu.rd64(lin);
    return fromF64(lo, cpu.hi, out);
  }
  const lo = cpu.rd64(lin);
  const hi = cpu.hi;
  out.set(lo, hi, cpu.rd16(lin + 8));
  return 0;
}

/** Read a signed integer memory operand (2, 4 or 8 bytes) as BigInt. */
export function readIntBig(cpu: Cpu, ins: Instr, o: Operand): bigint {
  const lin = operandAddress(cpu, ins, o, false);
  if (o.size === 2) return BigInt((cpu.rd16(lin) << 16) >> 16);
  if (o.size === 4) return BigInt(cpu.rd32(lin));
  const lo = cpu.rd64(lin);
  return (BigInt(cpu.hi) << 32n) | BigInt(lo >>> 0);
}

export function readInt(cpu: Cpu, ins: Instr, o: Operand, out: F80): void {
  fromInt(readIntBig(cpu, ins, o), out);
}

/** Store a 10-byte extended value; both parts are probed first so that a fault leaves memory unchanged. */
export function write80(cpu: Cpu, lin: number, v: F80): void {
  if ((lin & 0xfff) > 0xff6) cpu.probeWrite(lin, 10);
  cpu.wr64(lin, v.lo, v.hi);
  cpu.wr16(lin + 8, v.se);
}

/** Store a signed integer (2, 4, 8 bytes). */
export function writeInt(cpu: Cpu, lin: number, size: number, v: bigint): void {
  if (size === 2) cpu.wr16(lin, Number(v & 0xffffn));
  else if (size === 4) cpu.wr32(lin, Number(BigInt.asIntN(32, v)));
  else cpu.wr64(lin, Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
}
