// Code cache (decoded blocks, later translated regions) keyed by physical address and decode mode, with
// self-modifying-code detection at 128-byte line granularity (independent of guest page size).
import type { Instr } from '../decoder/instr.js';
import type { PhysMemory } from '../../machine/memory/phys.js';
import type { Cpu } from '../../machine/cpu/cpu.js';
import { TLB_SIZE, TLB_EMPTY } from '../../machine/cpu/cpu.js';
import { Pending, PENDING } from '../../machine/cpu/state.js';

export type Handler = (cpu: Cpu, ins: Instr) => void;

export const LINE_SHIFT = 7; // 128-byte lines

/** A straight-line run of decoded instructions inside one 4 KiB page, ending at a control transfer or page end. */
export class Block {
  valid = true;
  /** Times entered (tiering: the JIT translates hot blocks). */
  count = 0;
  /** Translated form, when the JIT has one (set by the translator; signature owned by jit/translator). */
  compiled: ((cpu: Cpu, budget: number, entry: number) => number) | undefined = undefined;
  /** Entry index passed to `compiled` (which block of its region this is). */
  entry = 0;
  /** The block that ran after this one last time (the interpreter's successor cache; validated before use). */
  next: Block | undefined = undefined;
  readonly instrs: Instr[] = [];
  readonly handlers: Handler[] = [];
  /** Byte offset from the block start to the end of instruction i (so next RIP = block IP + ends[i]). */
  ends: number[] = [];
  /**
   * Per instruction: 1 when the interpreter must publish RIP before running it and check PENDING after it (control
   * transfers, memory operands, anything system-level); 0 for register-only integer work, which needs neither.
   */
  sync: number[] = [];
  /** Byte length of the block. */
  length = 0;
  constructor(
    readonly phys: number, // physical address of the first byte
    readonly ramOff: number, // RAM offset of the first byte
    readonly bits: number, // 16, 32, 64
  ) {}
}

export interface CacheStats {
  blocks: number;
  invalidations: number;
  flushes: number;
}

export class CodeCache {
  private readonly blocks = new Map<number, Block>();
  /** Blocks overlapping each 128-byte line (by RAM line index). */
  private readonly lineBlocks = new Map<number, Block[]>();
  readonly cpus: Cpu[] = [];
  readonly stats: CacheStats = { blocks: 0, invalidations: 0, flushes: 0 };
  /** Flush everything when the number of cached blocks exceeds this. */
  maxBlocks = 200_000;
  /** Called when blocks are dropped (the JIT releases compiled functions). */
  onInvalidate: ((b: Block) => void) | undefined;

  constructor(readonly phys: PhysMemory) {
    phys.onWrite((pa, len) => this.invalidatePhys(pa, len));
  }

  attach(cpu: Cpu): void {
    this.cpus.push(cpu);
    cpu.codeWrite = (pa, size) => this.invalidatePhys(pa, size);
  }

  static key(ramOff: number, bits: number): number {
    return ramOff * 4 + (bits >> 5); // 16 -> 0, 32 -> 1, 64 -> 2
  }

  get(ramOff: number, bits: number): Block | undefined {
    return this.blocks.get(ramOff * 4 + (bits >> 5));
  }

  /** Register a freshly decoded block and start watching its lines for writes. */
  insert(b: Block): void {
    if (this.blocks.size >= this.maxBlocks) this.flushAll();
    this.blocks.set(CodeCache.key(b.ramOff, b.bits), b);
    this.stats.blocks++;
    const first = b.ramOff >>> LINE_SHIFT;
    const last = (b.ramOff + Math.max(b.length, 1) - 1) >>> LINE_SHIFT;
    const lines = this.phys.codeLines;
    let newPage = false;
    for (let l = first; l <= last; l++) {
      let list = this.lineBlocks.get(l);
      if (list === undefined) this.lineBlocks.set(l, (list = []));
      list.push(b);
      const byte = l >>> 3, bit = 1 << (l & 7);
      if ((lines[byte] & bit) === 0) {
        if (this.phys.codePages[l >>> 5] === 0) newPage = true;
        lines[byte] |= bit;
      }
    }
    // Pages that now hold code must take CPU stores through the slow path (which checks the line bitmap).
    if (newPage) this.dropWriteMappings(b.ramOff & ~0xfff);
  }

  private dropWriteMappings(pageOff: number): void {
    for (const cpu of this.cpus) {
      for (const t of [cpu.tlbSup, cpu.tlbUser]) {
        for (let i = 0; i < TLB_SIZE; i++) if (t.off[i] === pageOff) t.tagW[i] = TLB_EMPTY;
      }
    }
  }

  /** Drop every block overlapping [pa, pa+len). */
  invalidatePhys(pa: number, len: number): void {
    const off = this.phys.ramOffset(pa);
    if (off < 0) return;
    const first = off >>> LINE_SHIFT;
    const last = (off + Math.max(len, 1) - 1) >>> LINE_SHIFT;
    const lines = this.phys.codeLines;
    for (let l = first; l <= last; l++) {
      if ((lines[l >>> 3] & (1 << (l & 7))) === 0) continue;
      const list = this.lineBlocks.get(l);
      if (list !== undefined) {
        for (const b of list) this.drop(b);
      }
    }
  }

  private drop(b: Block): void {
    if (!b.valid) return;
    b.valid = false;
    this.stats.invalidations++;
    this.blocks.delete(CodeCache.key(b.ramOff, b.bits));
    const first = b.ramOff >>> LINE_SHIFT;
    const last = (b.ramOff + Math.max(b.length, 1) - 1) >>> LINE_SHIFT;
    for (let l = first; l <= last; l++) {
      const list = this.lineBlocks.get(l);
      if (list === undefined) continue;
      const rest = list.filter((x) => x !== b);
      if (rest.length === 0) {
        this.lineBlocks.delete(l);
        this.phys.codeLines[l >>> 3] &= ~(1 << (l & 7));
      } else this.lineBlocks.set(l, rest);
    }
    this.onInvalidate?.(b);
    // A vCPU may be executing this block right now: make it leave after the current instruction.
    for (const cpu of this.cpus) if (cpu.currentBlock === b) cpu.i32[PENDING] |= Pending.Smc;
  }

  flushAll(): void {
    for (const b of this.blocks.values()) {
      b.valid = false;
      this.onInvalidate?.(b);
    }
    this.blocks.clear();
    this.lineBlocks.clear();
    this.phys.codeLines.fill(0);
    this.stats.flushes++;
    for (const cpu of this.cpus) cpu.i32[PENDING] |= Pending.Smc;
  }

  get size(): number {
    return this.blocks.size;
  }
}
