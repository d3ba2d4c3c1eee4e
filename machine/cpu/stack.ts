// Stack frames built by privileged control transfers (SDM Vol. 3 §6.12.1 interrupt stack frames, §5.8.5 call-gate
// stack switching, §6.14.2 64-bit frames): every slot is checked and probed before the first byte is written, so
// a fault during delivery leaves the machine unchanged (precise).
import { Cpu, Access } from './cpu.js';
import { CpuFault } from './fault.js';
import { GPR_LO, GPR_HI, RSP } from './state.js';
import { Attr } from './segments.js';
import { linearAddress } from '../../jit/interp/operands.js';

const TWO32 = 4294967296;
const CANON = 140737488355328;
const MAX = 48;

/** Read RSP as a number (signed 64-bit, exact for canonical values). */
export function getRsp(cpu: Cpu): number {
  return cpu.i32[GPR_HI(RSP)] * TWO32 + (cpu.i32[GPR_LO(RSP)] >>> 0);
}

export function setRsp64(cpu: Cpu, v: number): void {
  cpu.i32[GPR_LO(RSP)] = v % TWO32 | 0;
  cpu.i32[GPR_HI(RSP)] = Math.floor(v / TWO32) | 0;
}

/** Write the stack pointer at stack-address size `size` (2: SP only, 4: ESP zero-extending, 8: RSP). */
export function setSp(cpu: Cpu, v: number, size: number): void {
  const s = cpu.i32;
  if (size === 2) s[GPR_LO(RSP)] = (s[GPR_LO(RSP)] & ~0xffff) | (v & 0xffff);
  else if (size === 4) {
    s[GPR_LO(RSP)] = v | 0;
    s[GPR_HI(RSP)] = 0;
  } else setRsp64(cpu, v);
}

/**
 * A frame being pushed onto a stack that need not be the current one. Usage: begin(), push()..., then write().
 * Addresses and limits are checked during push (throwing the stack fault given to begin); write() first translates
 * every slot, then stores.
 */
export class FrameBuilder {
  private readonly lin = new Float64Array(MAX);
  private readonly size = new Uint8Array(MAX);
  private readonly lo = new Int32Array(MAX);
  private readonly hi = new Int32Array(MAX);
  private n = 0;
  private base = 0;
  private limit = 0;
  private attr = 0;
  private asz = 4; // stack-address size: 2, 4 or 8
  private sup = false;
  private faultVec = 0;
  private faultCode = 0;
  /** Stack pointer after the pushes so far. */
  sp = 0;

  /**
   * @param sp the stack pointer before the pushes (offset; for asz 8 the full signed RSP)
   * @param supervisor whether the stores are supervisor-mode accesses (new CPL < 3)
   */
  begin(base: number, limit: number, attr: number, asz: number, sp: number, supervisor: boolean, faultVec: number, faultCode: number): void {
    this.n = 0;
    this.base = base;
    this.limit = limit >>> 0;
    this.attr = attr;
    this.asz = asz;
    this.sp = asz === 8 ? sp : asz === 4 ? sp >>> 0 : sp & 0xffff;
    this.sup = supervisor;
    this.faultVec = faultVec;
    this.faultCode = faultCode;
  }

  /** Push `bytes` (2, 4 or 8) bytes; for 8 the value is lo/hi. */
  push(bytes: number, lo: number, hi = 0): void {
    let sp: number;
    let lin: number;
    if (this.asz === 8) {
      sp = this.sp - bytes;
      if (sp < -CANON || sp >= CANON) throw new CpuFault(this.faultVec, this.faultCode);
      lin = sp;
    } else {
      sp = this.asz === 4 ? (this.sp - bytes) >>> 0 : (this.sp - bytes) & 0xffff;
      const last = sp + bytes - 1;
      if ((this.attr & 0x1c) === 0x14) {
        // Expand-down stack: valid offsets are (limit, top].
        const top = (this.attr & Attr.DB) !== 0 ? 0xffffffff : 0xffff;
        if (sp <= this.limit || last > top) throw new CpuFault(this.faultVec, this.faultCode);
      } else if (last > this.limit) throw new CpuFault(this.faultVec, this.faultCode);
      lin = (this.base + sp) % TWO32;
    }
    const k = this.n++;
    this.lin[k] = lin;
    this.size[k] = bytes;
    this.lo[k] = lo;
    this.hi[k] = hi;
    this.sp = sp;
  }

  /** Probe every slot (may #PF), then store them all. */
  write(cpu: Cpu): void {
    const mmu = cpu.mmu;
    for (let k = 0; k < this.n; k++) {
      const lin = this.lin[k];
      mmu.translate(cpu, lin, Access.Write, this.sup);
      const end = lin + this.size[k] - 1;
      if ((lin & 0xfff) + this.size[k] > 0x1000) mmu.translate(cpu, this.asz === 8 ? end : end % TWO32, Access.Write, this.sup);
    }
    for (let k = 0; k < this.n; k++) {
      const lin = this.lin[k];
      const sz = this.size[k];
      if (sz === 8) {
        this.store(cpu, lin, 4, this.lo[k]);
        this.store(cpu, this.asz === 8 ? lin + 4 : (lin + 4) % TWO32, 4, this.hi[k]);
      } else this.store(cpu, lin, sz, this.lo[k]);
    }
  }

  private store(cpu: Cpu, lin: number, size: number, v: number): void {
    if ((lin & 0xfff) + size > 0x1000) {
      for (let b = 0; b < size; b++) {
        const a = this.asz === 8 ? lin + b : (lin + b) % TWO32;
        cpu.physWrite(cpu.mmu.translate(cpu, a, Access.Write, this.sup), 1, (v >>> (8 * b)) & 0xff);
      }
      return;
    }
    cpu.physWrite(cpu.mmu.translate(cpu, lin, Access.Write, this.sup), size, v);
  }
}

/** One shared builder: frames are built and written synchronously, never nested. */
export const frame = new FrameBuilder();

// ---- pops from the current stack (IRET, RETF): plain reads at the current privilege ------------------------------

/** Successive reads from SS:SP without changing SP (SS limit / canonical checks raise #SS(0); reads may #PF). */
export class PopCursor {
  private off = 0;
  private asz = 4;

  begin(cpu: Cpu, asz: number): void {
    this.asz = asz;
    this.off = asz === 8 ? getRsp(cpu) : asz === 4 ? cpu.i32[GPR_LO(RSP)] >>> 0 : cpu.i32[GPR_LO(RSP)] & 0xffff;
  }

  /** Read `bytes` (2, 4, 8: low half returned, high half in cpu.hi) and advance. */
  pop(cpu: Cpu, bytes: number): number {
    const lin = linearAddress(cpu, 2, this.off, bytes, false);
    const v = bytes === 2 ? cpu.rd16(lin) : bytes === 4 ? cpu.rd32(lin) : cpu.rd64(lin);
    this.skip(bytes);
    return v;
  }

  skip(bytes: number): void {
    this.off = this.asz === 8 ? this.off + bytes : this.asz === 4 ? (this.off + bytes) >>> 0 : (this.off + bytes) & 0xffff;
  }

  /** The stack pointer after the pops so far. */
  get sp(): number {
    return this.off;
  }
}

export const pops = new PopCursor();
