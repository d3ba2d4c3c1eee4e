// Builds one oracle CaseSpec: random initial state, register/memory operand helpers, GAS Intel operand text.
import {
  DATA_BASE, DEFAULT_FCW, DEFAULT_MXCSR, FULL_MASK, RSP, STACK_TOP, STATUS_FLAGS,
  type CaseSpec, type MemInit,
} from '../abi.js';
import { mask, Rng, unsigned, value } from './rng.js';

const R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];
const R8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'];
const R8H = ['ah', 'ch', 'dh', 'bh'];

export const PTR: Readonly<Record<number, string>> = { 8: 'byte', 16: 'word', 32: 'dword', 64: 'qword', 80: 'tbyte', 128: 'xmmword' };

export type Size = 8 | 16 | 32 | 64;
export const SIZES: readonly Size[] = [8, 16, 32, 64];

/** A GPR operand: encoding index, width, and for 8-bit whether it is AH..BH (then idx is 0..3). */
export interface Reg {
  idx: number;
  size: Size;
  high: boolean;
}

export function regName(r: Reg): string {
  if (r.high) return R8H[r.idx]!;
  return (r.size === 64 ? R64 : r.size === 32 ? R32 : r.size === 16 ? R16 : R8)[r.idx]!;
}

/** Immediate text that GAS accepts for an operand of `size` bits (64-bit immediates are signed 32-bit). */
export function immText(v: bigint, size: number): string {
  if (size === 64) return BigInt.asIntN(32, v).toString();
  return '0x' + unsigned(v, Math.min(size, 32)).toString(16);
}

export function hex(v: number | bigint): string {
  return (v < 0 ? '-0x' : '0x') + (v < 0 ? -v : v).toString(16);
}

export class CaseBuilder {
  readonly gpr: bigint[] = new Array(16);
  rflags: number;
  mxcsr = DEFAULT_MXCSR;
  fcw = DEFAULT_FCW;
  readonly xmm: Uint8Array[] = new Array(16);
  readonly mem: MemInit[] = [];
  flagsDefined = FULL_MASK;
  undefinedGprs = 0;
  fswMask = 0;
  expectFault: number | 'any' | undefined;
  private readonly used = new Set<number>([RSP]);

  constructor(readonly rng: Rng) {
    // Junk everywhere: a stray write to an unrelated register or a missing zero-extension shows up.
    for (let i = 0; i < 16; i++) this.gpr[i] = value(rng, 64);
    this.gpr[RSP] = BigInt(STACK_TOP);
    this.rflags = rng.u32() & STATUS_FLAGS;
    for (let i = 0; i < 16; i++) this.xmm[i] = rng.bytes(16);
  }

  /** Marks a register as taken (so helpers do not pick it as a base or another operand). */
  take(idx: number): number {
    this.used.add(idx);
    return idx;
  }

  isFree(idx: number): boolean {
    return !this.used.has(idx);
  }

  /** A free register index; `legacy` restricts to 0..7 (encodable together with AH..BH). */
  freeIdx(legacy = false, exclude: readonly number[] = []): number {
    const n = legacy ? 8 : 16;
    for (let tries = 0; tries < 64; tries++) {
      const i = this.rng.below(n);
      if (!this.used.has(i) && !exclude.includes(i)) return this.take(i);
    }
    for (let i = 0; i < n; i++) if (!this.used.has(i) && !exclude.includes(i)) return this.take(i);
    throw new Error('CaseBuilder: out of registers');
  }

  /** A fresh register operand. 8-bit picks AH..BH with probability `highP` (only if legacy encoding is allowed). */
  reg(size: Size, opts: { legacy?: boolean; highP?: number; exclude?: readonly number[] } = {}): Reg {
    const legacy = opts.legacy ?? false;
    if (size === 8 && this.rng.chance(opts.highP ?? 0)) {
      for (let tries = 0; tries < 16; tries++) {
        const i = this.rng.below(4);
        if (!this.used.has(i) && !(opts.exclude ?? []).includes(i)) return { idx: this.take(i), size, high: true };
      }
    }
    // Without REX, 8-bit encodings 4..7 mean AH..BH, so a legacy 8-bit register must be AL..BL.
    const limitTo4 = legacy && size === 8;
    for (let tries = 0; tries < 64; tries++) {
      const i = this.rng.below(limitTo4 ? 4 : legacy ? 8 : 16);
      if (!this.used.has(i) && !(opts.exclude ?? []).includes(i)) return { idx: this.take(i), size, high: false };
    }
    return { idx: this.freeIdx(legacy, opts.exclude), size, high: false };
  }

  /** Puts v in the register's bits, keeping the junk around them (that is what the hardware sees). */
  setReg(r: Reg, v: bigint): void {
    const shift = r.high ? 8n : 0n;
    const m = mask(r.size) << shift;
    this.gpr[r.idx] = (this.gpr[r.idx]! & ~m & mask(64)) | ((unsigned(v, r.size) << shift) & m);
  }

  setGpr(idx: number, v: bigint): void {
    this.gpr[idx] = unsigned(v, 64);
  }

  /** Data-area bytes (applied in order: later runs overwrite earlier ones). */
  poke(offset: number, bytes: Uint8Array): void {
    this.mem.push({ offset, bytes });
  }

  pokeInt(offset: number, v: bigint, bytes: number): void {
    const b = new Uint8Array(bytes);
    let x = unsigned(v, bytes * 8);
    for (let i = 0; i < bytes; i++) {
      b[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    this.poke(offset, b);
  }

  /** Random bytes around [offset, offset+len) so neighbours of the operand are not zero. */
  scatter(offset: number, len: number, pad = 16): void {
    const lo = Math.max(0, offset - pad);
    this.poke(lo, this.rng.bytes(len + (offset - lo) + pad));
  }

  /** A data-area offset for an operand of `bytes`, usually naturally aligned; kept clear of the stack. */
  memOffset(bytes: number, alignedP = 0.8): number {
    const off = this.rng.range(0x100, 0xe00);
    return this.rng.chance(alignedP) ? off & ~(Math.min(bytes, 16) - 1) : off;
  }

  /**
   * Addressing text for data offset `offset`: [base+disp], [base+index*scale+disp] or an absolute disp32.
   * Sets the base/index registers. `legacy` keeps to registers that need no REX (for AH..BH operands).
   */
  addr(offset: number, legacy = false): string {
    const target = BigInt(DATA_BASE + offset);
    const form = this.rng.below(10);
    if (form === 0) return `[${hex(target)}]`;
    const base = this.freeIdx(legacy);
    const disp = this.rng.pick([0, 0, this.rng.range(-128, 127), this.rng.range(-0x800, 0x800)]);
    const dispText = disp === 0 ? '' : disp < 0 ? ` - ${hex(-disp)}` : ` + ${hex(disp)}`;
    if (form < 6) {
      this.setGpr(base, target - BigInt(disp));
      return `[${R64[base]}${dispText}]`;
    }
    const index = this.freeIdx(legacy);
    const scale = this.rng.pick([1, 2, 4, 8]);
    const iv = BigInt(this.rng.range(-16, 64));
    this.setGpr(index, iv);
    this.setGpr(base, target - BigInt(disp) - iv * BigInt(scale));
    return `[${R64[base]} + ${R64[index]}*${scale}${dispText}]`;
  }

  /** `dword ptr [..]` for a fresh operand of `size` bits at a random offset, with value v and random neighbours. */
  memOperand(size: number, v: bigint, opts: { legacy?: boolean; offset?: number } = {}): { text: string; offset: number } {
    const bytes = size / 8;
    const offset = opts.offset ?? this.memOffset(bytes);
    this.scatter(offset, bytes);
    this.pokeInt(offset, v, bytes);
    return { text: `${PTR[size]} ptr ${this.addr(offset, opts.legacy)}`, offset };
  }

  spec(name: string, asm: string): CaseSpec {
    const s: CaseSpec = {
      name,
      asm,
      bits: 64,
      gpr: this.gpr,
      rflags: this.rflags,
      mxcsr: this.mxcsr,
      fcw: this.fcw,
      xmm: this.xmm,
      mem: this.mem,
      flagsDefined: this.flagsDefined,
      undefinedGprs: this.undefinedGprs,
      fswMask: this.fswMask,
    };
    if (this.expectFault !== undefined) s.expectFault = this.expectFault;
    return s;
  }
}
