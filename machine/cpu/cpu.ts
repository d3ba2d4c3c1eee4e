// One virtual CPU: register file, linear-memory access through a software TLB, port I/O (SDM Vol. 3 §4 paging,
// §4.10 TLBs). Instruction semantics live in jit/interp; paging walks in mmu.ts; modes and interrupts in system code.
import { CpuState, CPL, CR0, CR4, EFER, Cr0, SEG_BASE_F, F64_SCRATCH } from './state.js';
import { CpuFault } from './fault.js';
import type { PhysMemory } from '../memory/phys.js';
import type { IoBus } from '../memory/bus.js';

export const TLB_BITS = 14;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;
/** Never equal to a page number: marks an empty TLB slot. */
export const TLB_EMPTY = 0.5;

export const enum Access {
  Read = 0,
  Write = 1,
  Exec = 2,
}

/** Resolves a linear address to a physical one, filling the TLB; raises #PF. Implemented by mmu.ts. */
export interface Mmu {
  /**
   * Translate `lin` for an access of the given kind at the CPU's current privilege (or as a supervisor access when
   * `supervisor` is true: descriptor-table and TSS reads). Returns the physical address. Sets A/D bits.
   * May fill cpu's TLB for the page.
   */
  translate(cpu: Cpu, lin: number, access: Access, supervisor: boolean): number;
  /** Drop cached translations: everything, or non-global only (CR3 write without PCID). */
  flush(cpu: Cpu, includeGlobal: boolean): void;
  flushPage(cpu: Cpu, lin: number): void;
}

/** One set of TLB arrays (the CPU keeps one for supervisor and one for user accesses). */
export class TlbSet {
  readonly tagR = new Float64Array(TLB_SIZE).fill(TLB_EMPTY);
  readonly tagW = new Float64Array(TLB_SIZE).fill(TLB_EMPTY);
  readonly tagX = new Float64Array(TLB_SIZE).fill(TLB_EMPTY);
  /** RAM offset of the page (valid where any tag matches). */
  readonly off = new Int32Array(TLB_SIZE);
  /** Whether the slot maps a global page (survives CR3 writes). */
  readonly global = new Uint8Array(TLB_SIZE);

  clear(includeGlobal: boolean): void {
    if (includeGlobal) {
      this.tagR.fill(TLB_EMPTY);
      this.tagW.fill(TLB_EMPTY);
      this.tagX.fill(TLB_EMPTY);
      return;
    }
    for (let i = 0; i < TLB_SIZE; i++) {
      if (this.global[i] === 0) {
        this.tagR[i] = TLB_EMPTY;
        this.tagW[i] = TLB_EMPTY;
        this.tagX[i] = TLB_EMPTY;
      }
    }
  }

  clearPage(page: number): void {
    const i = page & TLB_MASK;
    if (this.tagR[i] === page || this.tagW[i] === page || this.tagX[i] === page) {
      this.tagR[i] = TLB_EMPTY;
      this.tagW[i] = TLB_EMPTY;
      this.tagX[i] = TLB_EMPTY;
    }
  }
}

/**
 * The interrupt controller as the CPU sees it (the local APIC, wired by the machine; machine/cpu/interrupts.ts
 * polls it at instruction boundaries when RFLAGS.IF = 1).
 */
export interface InterruptSource {
  /** Vector of the highest-priority interrupt that could be accepted now, or -1. */
  pending(): number;
  /** Accept it (IRR -> ISR); returns the vector to deliver (the spurious vector when it vanished meanwhile). */
  ack(): number;
  /** Task-priority register (MOV CR8 reads/writes TPR[7:4]); absent: CR8 is kept in the CPU only. */
  getTpr?(): number;
  setTpr?(tpr: number): void;
}

/** Listener for CPU stores into RAM lines that hold translated/decoded code (set by the code cache). */
export type CodeWriteHook = (phys: number, size: number) => void;

export class Cpu {
  readonly st: CpuState;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly ram: Uint8Array;
  readonly rdv: DataView;
  readonly tlbSup = new TlbSet();
  readonly tlbUser = new TlbSet();
  // The arrays of the set for the current privilege level (swapped by setCpl; read on every memory access).
  tagR: Float64Array;
  tagW: Float64Array;
  tagX: Float64Array;
  toff: Int32Array;
  /** High 32 bits of the last rd64 result. */
  hi = 0;
  /** phys.codeLines: one bit per 128-byte RAM line holding decoded code; CPU stores into them call codeWrite. */
  codeLines: Uint8Array;
  /** The same bitmap, one int32 per 4 KiB page: non-zero when the page holds code (its TLB write tags stay empty). */
  codePages: Int32Array;
  codeWrite: CodeWriteHook | undefined;
  /** The code-cache block being executed (the cache checks it when invalidating). Typed loosely to avoid a cycle. */
  currentBlock: unknown = undefined;
  /** A fault raised inside translated code, left for the execution loop to deliver (state already precise). */
  jitFault: CpuFault | undefined = undefined;
  /** Local interrupt controller (set by the machine; none: no external interrupts). */
  intc: InterruptSource | undefined = undefined;
  /** Virtual TSC in cycles, monotonic and deterministic (set by the machine; default: retired instructions). */
  tscSource: ((cpu: Cpu) => number) | undefined = undefined;

  constructor(
    readonly id: number,
    readonly phys: PhysMemory,
    readonly io: IoBus,
    public mmu: Mmu,
    state?: CpuState,
  ) {
    this.st = state ?? new CpuState();
    this.i32 = this.st.i32;
    this.f64 = this.st.f64;
    this.ram = phys.u8;
    this.rdv = phys.dv;
    this.tagR = this.tlbSup.tagR;
    this.tagW = this.tlbSup.tagW;
    this.tagX = this.tlbSup.tagX;
    this.toff = this.tlbSup.off;
    this.codeLines = phys.codeLines;
    this.codePages = phys.codePages;
  }

  // ---- privilege and TLB maintenance -------------------------------------------------------------------------

  setCpl(cpl: number): void {
    this.i32[CPL] = cpl;
    const t = cpl === 3 ? this.tlbUser : this.tlbSup;
    this.tagR = t.tagR;
    this.tagW = t.tagW;
    this.tagX = t.tagX;
    this.toff = t.off;
  }

  flushTlb(includeGlobal: boolean): void {
    this.mmu.flush(this, includeGlobal);
  }

  get pagingEnabled(): boolean {
    return (this.i32[CR0] & Cr0.PG) !== 0;
  }

  // ---- linear memory: fast path in the TLB, slow path through the MMU -------------------------------------

  rd8(lin: number): number {
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
    if (this.tagR[i] === page) return this.ram[this.toff[i] + (lin & 0xfff)];
    return this.rdSlow(lin, 1, false);
  }

  rd16(lin: number): number {
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagR[i] === page && o <= 0xffe) return this.rdv.getUint16(this.toff[i] + o, true);
    return this.rdSlow(lin, 2, false);
  }

  /** Returns the value as int32. */
  rd32(lin: number): number {
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagR[i] === page && o <= 0xffc) return this.rdv.getInt32(this.toff[i] + o, true);
    return this.rdSlow(lin, 4, false);
  }

  /** Returns the low 32 bits (int32); the high 32 bits are left in this.hi. */
  rd64(lin: number): number {
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagR[i] === page && o <= 0xff8) {
      const a = this.toff[i] + o;
      this.hi = this.rdv.getInt32(a + 4, true);
      return this.rdv.getInt32(a, true);
    }
    const lo = this.rdSlow(lin, 4, false);
    // Translate the high half separately: the access may straddle two pages.
    this.hi = this.rdSlow(lin + 4, 4, false);
    return lo;
  }

  wr8(lin: number, v: number): void {
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
    if (this.tagW[i] === page) {
      this.ram[this.toff[i] + (lin & 0xfff)] = v;
      return;
    }
    this.wrSlow(lin, 1, v);
  }

  wr16(lin: number, v: number): void {
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagW[i] === page && o <= 0xffe) {
      this.rdv.setUint16(this.toff[i] + o, v, true);
      return;
    }
    this.wrSlow(lin, 2, v);
  }

  wr32(lin: number, v: number): void {
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagW[i] === page && o <= 0xffc) {
      this.rdv.setInt32(this.toff[i] + o, v, true);
      return;
    }
    this.wrSlow(lin, 4, v);
  }

  wr64(lin: number, lo: number, hi: number): void {
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagW[i] === page && o <= 0xff8) {
      const a = this.toff[i] + o;
      this.rdv.setInt32(a, lo, true);
      this.rdv.setInt32(a + 4, hi, true);
      return;
    }
    // Both halves must be writable before either is written (precise faults on a page-straddling store).
    this.probeWrite(lin, 8);
    this.wrSlow(lin, 4, lo);
    this.wrSlow(lin + 4, 4, hi);
  }

  /** Raise the fault a write of `size` bytes at `lin` would raise, without writing (read-modify-write, pushes). */
  probeWrite(lin: number, size: number): void {
    this.mmu.translate(this, lin, Access.Write, false);
    const last = lin + size - 1;
    if (Math.floor(last / 4096) !== Math.floor(lin / 4096)) this.mmu.translate(this, last, Access.Write, false);
  }

  probeRead(lin: number, size: number): void {
    this.mmu.translate(this, lin, Access.Read, false);
    const last = lin + size - 1;
    if (Math.floor(last / 4096) !== Math.floor(lin / 4096)) this.mmu.translate(this, last, Access.Read, false);
  }

  /** Read of up to 4 bytes that missed the TLB, crossed a page or hit MMIO. Returns int32 for size 4. */
  rdSlow(lin: number, size: number, supervisor: boolean): number {
    const o = lin & 0xfff;
    if (o + size > 0x1000) {
      // Page-straddling: both translations must succeed before anything is read.
      const first = 0x1000 - o; // bytes in the first page
      const p0 = this.mmu.translate(this, lin, Access.Read, supervisor);
      const p1 = this.mmu.translate(this, lin + first, Access.Read, supervisor);
      let v = 0;
      for (let k = 0; k < size; k++) v |= this.physRead(k < first ? p0 + k : p1 + (k - first), 1) << (8 * k);
      return size === 4 ? v | 0 : v >>> 0;
    }
    const pa = this.mmu.translate(this, lin, Access.Read, supervisor);
    return this.physRead(pa, size);
  }

  wrSlow(lin: number, size: number, v: number): void {
    const o = lin & 0xfff;
    if (o + size > 0x1000) {
      const first = 0x1000 - o; // bytes in the first page
      const p0 = this.mmu.translate(this, lin, Access.Write, false);
      const p1 = this.mmu.translate(this, lin + first, Access.Write, false);
      for (let k = 0; k < size; k++) {
        this.physWrite(k < first ? p0 + k : p1 + (k - first), 1, (v >>> (8 * k)) & 0xff);
      }
      return;
    }
    const pa = this.mmu.translate(this, lin, Access.Write, false);
    this.physWrite(pa, size, v);
  }

  /** Physical read of 1, 2 or 4 bytes (RAM or MMIO). Size 4 returns int32, smaller sizes zero-extended. */
  physRead(pa: number, size: number): number {
    const ro = this.phys.ramOffset(pa);
    if (ro >= 0 && ro + size <= this.phys.size) {
      if (size === 1) return this.ram[ro];
      if (size === 2) return this.rdv.getUint16(ro, true);
      return this.rdv.getInt32(ro, true);
    }
    const v = this.phys.mmio.read(pa, size);
    return size === 4 ? v | 0 : v;
  }

  physWrite(pa: number, size: number, v: number): void {
    const ro = this.phys.ramOffset(pa);
    if (ro >= 0 && ro + size <= this.phys.size) {
      if ((this.codeLines[ro >>> 10] & (1 << ((ro >>> 7) & 7))) !== 0 || (size > 1 && (this.codeLines[(ro + size - 1) >>> 10] & (1 << (((ro + size - 1) >>> 7) & 7))) !== 0)) {
        this.codeWrite?.(pa, size);
      }
      if (size === 1) this.ram[ro] = v;
      else if (size === 2) this.rdv.setUint16(ro, v, true);
      else this.rdv.setInt32(ro, v, true);
      return;
    }
    this.phys.mmio.write(pa, size, size === 4 ? v >>> 0 : v & (size === 1 ? 0xff : 0xffff));
  }

  // ---- ports ------------------------------------------------------------------------------------------------

  inPort(port: number, size: number): number {
    return this.io.read(port & 0xffff, size);
  }

  outPort(port: number, size: number, v: number): void {
    this.io.write(port & 0xffff, size, size === 4 ? v >>> 0 : v & (size === 1 ? 0xff : 0xffff));
  }

  // ---- misc -------------------------------------------------------------------------------------------------

  fault(vector: number, errorCode = -1): never {
    throw new CpuFault(vector, errorCode);
  }

  segBase(seg: number): number {
    return this.f64[SEG_BASE_F(seg)];
  }

  get efer(): number {
    return this.i32[EFER];
  }

  get cr4(): number {
    return this.i32[CR4];
  }

  /** Scratch float64 slots for modules that need them (see state.ts F64_SCRATCH). */
  static readonly SCRATCH = F64_SCRATCH;
}
