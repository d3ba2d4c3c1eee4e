// Shutdown after a triple fault (SDM Vol. 3 §6.15 "Interrupt 8—Double Fault Exception (#DF)"): the report that
// tells a kernel developer what went wrong — where, which instruction, and the chain of faults that led there.
import { Cpu, Access } from './cpu.js';
import { CpuFault, VECTOR_NAMES } from './fault.js';
import {
  CR0, CR3_LO, CR3_HI, CR4, EFER, CPL, CODE_BITS, RIP_F, SEG_SEL, SEG_BASE_F, SEG_LIMIT, GDTR_BASE_F, GDTR_LIMIT,
  IDTR_BASE_F, IDTR_LIMIT, SEG_TR, GPR_LO, GPR_HI,
} from './state.js';
import { decode } from '../../jit/decoder/decode.js';
import { disassemble as formatIns } from '../../jit/decoder/disasm.js';
import { Interpreter } from '../../jit/interp/interpreter.js';

const MAX = 16;

/** The exceptions raised while trying to deliver one event, in order (the last one caused the shutdown). */
export class FaultChain {
  readonly vector = new Int32Array(MAX);
  readonly code = new Int32Array(MAX);
  readonly cr2 = new Float64Array(MAX);
  readonly detail: (string | undefined)[] = new Array<string | undefined>(MAX);
  length = 0;

  reset(_cpu: Cpu): void {
    this.length = 0;
  }

  add(vector: number, code: number, cr2: number, detail?: string): void {
    if (this.length >= MAX) return;
    const k = this.length++;
    this.vector[k] = vector;
    this.code[k] = code;
    this.cr2[k] = cr2;
    this.detail[k] = detail;
  }

  /** E.g. "#PF(0x2) CR2=0x1000 -> #PF(0x0) CR2=0x... -> #DF(0x0) -> #GP(0x42)". */
  describe(): string {
    const parts: string[] = [];
    for (let k = 0; k < this.length; k++) {
      const v = this.vector[k];
      const name = VECTOR_NAMES[v] ?? `vector ${v}`;
      let t = this.code[k] >= 0 ? `${name}(0x${(this.code[k] >>> 0).toString(16)})` : name;
      if (v === 14) t += ` CR2=${hex(this.cr2[k])}`;
      if (this.detail[k] !== undefined) t += ` [${this.detail[k]}]`;
      parts.push(t);
    }
    return parts.join(' -> ');
  }
}

/** Hex of a linear address / 64-bit value held as a (signed) number. */
export function hex(v: number, width = 0): string {
  const hi = Math.floor(v / 4294967296);
  const lo = (v - hi * 4294967296) >>> 0;
  const h = hi === 0 ? lo.toString(16) : (hi >>> 0).toString(16) + lo.toString(16).padStart(8, '0');
  return '0x' + h.padStart(width, '0');
}

/** Up to 15 instruction bytes at the current RIP (fewer if a page is unmapped). */
function fetchBytes(cpu: Cpu): Uint8Array {
  const lin = Interpreter.ripLinear(cpu);
  const out: number[] = [];
  for (let k = 0; k < 15; k++) {
    try {
      const pa = cpu.mmu.translate(cpu, lin + k, Access.Read, true);
      out.push(cpu.physRead(pa, 1));
    } catch (e) {
      if (e instanceof CpuFault) break;
      throw e;
    }
  }
  return Uint8Array.from(out);
}

function disassemble(bytes: Uint8Array, bits: number, ip: number): string {
  if (bytes.length === 0) return '(instruction bytes not readable: RIP is unmapped)';
  const hexBytes = (n: number): string => Array.from(bytes.subarray(0, n), (b) => b.toString(16).padStart(2, '0')).join(' ');
  try {
    const ins = decode(bytes, 0, bytes.length, bits as 16 | 32 | 64);
    return `${formatIns(ins, ip)} (${hexBytes(ins.len)})`;
  } catch {
    return `undecodable: ${hexBytes(bytes.length)}`;
  }
}

/** A multi-line report for MachineStop('triple-fault'). */
export function tripleFaultReport(cpu: Cpu, chain: FaultChain): string {
  const s = cpu.i32;
  const f = cpu.f64;
  const bits = s[CODE_BITS];
  const rip = f[RIP_F];
  const bytes = fetchBytes(cpu);
  const cr3 = (s[CR3_HI] >>> 0) * 4294967296 + (s[CR3_LO] >>> 0);
  const rsp = s[GPR_HI(4)] * 4294967296 + (s[GPR_LO(4)] >>> 0);
  return [
    `triple fault on CPU ${cpu.id}: shutdown at ${(s[SEG_SEL(1)] & 0xffff).toString(16).padStart(4, '0')}:${hex(rip, bits === 64 ? 16 : 8).slice(2)} (${bits}-bit code, CPL ${s[CPL]})`,
    `  instruction: ${disassemble(bytes, bits, rip)}`,
    `  fault chain: ${chain.describe()} -> shutdown`,
    `  CR0=${hex(s[CR0] >>> 0)} CR3=${hex(cr3)} CR4=${hex(s[CR4] >>> 0)} EFER=${hex(s[EFER] >>> 0)} RSP=${hex(rsp)} CS.base=${hex(f[SEG_BASE_F(1)])}`,
    `  GDTR=${hex(f[GDTR_BASE_F])}/${hex(s[GDTR_LIMIT] & 0xffff)} IDTR=${hex(f[IDTR_BASE_F])}/${hex(s[IDTR_LIMIT] & 0xffff)} TR=${hex(s[SEG_SEL(SEG_TR)] & 0xffff)} (base ${hex(f[SEG_BASE_F(SEG_TR)])}, limit ${hex(s[SEG_LIMIT(SEG_TR)] >>> 0)})`,
  ].join('\n');
}
