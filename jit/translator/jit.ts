// The JIT tier: hot blocks -> regions -> ESTree -> astring -> `new Function`, with named functions for profilers,
// optional source dumps and statistics. The interpreter remains the reference and handles everything else.
import { generate } from 'astring';
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Instr } from '../decoder/instr.js';
import type { Block, CodeCache } from '../cache/code-cache.js';
import type { Interpreter } from '../interp/interpreter.js';
import { testCond, lazyCF, putFlags } from '../interp/flags.js';
import { Cpu } from '../../machine/cpu/cpu.js';
import { CpuFault, Vec } from '../../machine/cpu/fault.js';
import { FLAGS, FLAGS_LAZY, RIP_F, PENDING, Pending } from '../../machine/cpu/state.js';
import { formRegion, Region } from './region.js';
import { RegionCodegen } from './codegen.js';
import type { Node } from './estree.js';

export type Compiled = (cpu: Cpu, budget: number) => number;

export interface JitOptions {
  /** Executions of a block before its region is translated (1 = translate on first execution). */
  threshold: number;
  /**
   * Measure hotness in guest instructions (executions x block length) and translate at this many: compilation
   * (ours plus V8's) costs milliseconds, so code must have run long enough for translation to pay off.
   */
  hotInstructions?: number;
  /** Directory for one .js file per region (source with guest disassembly comments). */
  dumpDir?: string;
  /**
   * Development aid: compile DIR/<name>.js instead of the generated source when that file exists, so that a
   * hand-edited dump can be measured in the real workload before the translator learns to emit it.
   */
  loadDir?: string;
  /** Guest symbol for a linear address (function names in profiles); undefined when unknown. */
  symbolize?: (lin: number) => string | undefined;
  disasm?: (ins: Instr, ip: number) => string;
  /**
   * Let regions include blocks that have not run yet (decoded ahead). Off by default: V8 throws optimised code
   * away when a path that never ran executes, so regions are grown only over code the interpreter has executed.
   * On when translating on first execution (threshold 1), where nothing has run yet.
   */
  coldBlocks?: boolean;
  /** Compiled-code budget: flush every translation when the generated source exceeds this many bytes. */
  maxSourceBytes?: number;
}

export interface JitStats {
  regions: number;
  compileMs: number;
  sourceBytes: number;
  flushes: number;
  invalidated: number;
  templated: number;
  fallbacks: number;
  failures: number;
}

const CANON = 140737488355328;

let M_HI = 0;
/** Unsigned 32x32-bit product: the low word (as an unsigned number); the high word is left in M_HI. */
function mul32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  M_HI = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  return ((p00 & 0xffff) | ((mid & 0xffff) << 16)) >>> 0;
}

/** Runtime helpers the generated code calls (slow paths). */
export const J = {
  CpuFault,
  putFlags,
  /** High half of the last mul64 result. */
  mh: 0,
  /** Words 1..3 of the last mul128 product. */
  w1: 0,
  w2: 0,
  w3: 0,
  /** Unsigned 64x64 -> 128-bit product of int32 halves: returns word 0 (int32), words 1..3 in J.w1..J.w3. */
  mul128(alo: number, ahi: number, blo: number, bhi: number): number {
    const ll = mul32(alo, blo), llh = M_HI;
    const lh = mul32(alo, bhi), lhh = M_HI;
    const hl = mul32(ahi, blo), hlh = M_HI;
    const hh = mul32(ahi, bhi), hhh = M_HI;
    const s1 = llh + lh + hl;
    const c1 = Math.floor(s1 / 4294967296);
    const s2 = lhh + hlh + hh + c1;
    const c2 = Math.floor(s2 / 4294967296);
    J.w1 = s1 | 0;
    J.w2 = s2 | 0;
    J.w3 = (hhh + c2) | 0;
    return ll | 0;
  },
  /** Low 64 bits of a 64x64-bit product, from int32 halves (high half in J.mh). */
  mul64(alo: number, ahi: number, blo: number, bhi: number): number {
    const a0 = alo & 0xffff, a1 = alo >>> 16, b0 = blo & 0xffff, b1 = blo >>> 16;
    const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const hiu = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
    J.mh = (hiu + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
    return ((p00 & 0xffff) | (mid << 16)) | 0;
  },
  testCond,
  keepCF(s: Int32Array): void {
    if ((s[FLAGS_LAZY] & 1) !== 0) s[FLAGS] = (s[FLAGS] & ~1) | lazyCF(s);
  },
  rd(cpu: Cpu, lin: number, size: number, _write: boolean): number {
    if (!(lin >= -CANON && lin + size <= CANON)) throw new CpuFault(Vec.GP, 0);
    switch (size) {
      case 1: return cpu.rd8(lin);
      case 2: return cpu.rd16(lin);
      case 4: return cpu.rd32(lin);
      default: return cpu.rd64(lin);
    }
  },
  wr(cpu: Cpu, lin: number, size: number, v: number, vh: number): void {
    if (!(lin >= -CANON && lin + size <= CANON)) throw new CpuFault(Vec.GP, 0);
    switch (size) {
      case 1: cpu.wr8(lin, v); return;
      case 2: cpu.wr16(lin, v); return;
      case 4: cpu.wr32(lin, v); return;
      default: cpu.wr64(lin, v, vh);
    }
  },
};

/** A valid JS identifier from a guest symbol and address: kernel_b_output_0x100a40. */
export function functionName(sym: string | undefined, lin: number): string {
  // Exact for high-half (negative, canonical) addresses too: naming is a cold path, BigInt is fine here.
  const addr = `0x${BigInt.asUintN(64, BigInt(lin)).toString(16)}`;
  const base = sym === undefined ? `guest_${addr}` : `${sym}_${addr}`;
  const clean = base.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[A-Za-z_$]/.test(clean) ? clean : `g_${clean}`;
}

/** One translated region: its function and the blocks it can be entered at. */
interface RegionRec {
  fn: (cpu: Cpu, budget: number, pc0: number) => number;
  blocks: Block[];
  alive: boolean;
}

export class Jit {
  readonly stats: JitStats = { regions: 0, compileMs: 0, sourceBytes: 0, flushes: 0, invalidated: 0, templated: 0, fallbacks: 0, failures: 0 };
  /** Regions each block belongs to (a region dies when any of its blocks is invalidated). */
  private readonly member = new Map<Block, RegionRec[]>();
  /** Which region a block's `compiled` entry belongs to. */
  private readonly entryOf = new Map<Block, RegionRec>();
  private liveSource = 0;

  constructor(
    readonly interp: Interpreter,
    readonly cache: CodeCache,
    readonly opts: JitOptions,
  ) {
    interp.hotThreshold = opts.hotInstructions ?? opts.threshold;
    interp.hotWeighted = opts.hotInstructions !== undefined;
    interp.onHot = (cpu, b) => this.translate(cpu, b);
    cache.onInvalidate = (b) => this.blockGone(b);
    if (opts.dumpDir !== undefined) mkdirSync(opts.dumpDir, { recursive: true });
  }

  private blockGone(b: Block): void {
    const recs = this.member.get(b);
    if (recs === undefined) return;
    this.member.delete(b);
    for (const rec of recs) this.kill(rec);
  }

  private kill(rec: RegionRec): void {
    if (!rec.alive) return;
    rec.alive = false;
    this.stats.invalidated++;
    // The region may be running right now (it may have just overwritten itself): every vCPU leaves translated
    // code at its next check. Invalidations are rare, so a spurious exit elsewhere costs nothing noticeable.
    for (const cpu of this.cache.cpus) cpu.i32[PENDING] |= Pending.Smc;
    for (const blk of rec.blocks) {
      if (this.entryOf.get(blk) === rec) {
        blk.compiled = undefined;
        this.entryOf.delete(blk);
      }
    }
  }

  /** Translate the region rooted at `b` (b is the block at the CPU's current RIP). */
  translate(cpu: Cpu, b: Block): void {
    if (b.compiled !== undefined || b.bits !== 64) {
      b.count = -1e9; // not a candidate: stop asking
      return;
    }
    const t0 = performance.now();
    const ripLin = cpu.f64[RIP_F];
    const cold = this.opts.coldBlocks ?? this.opts.threshold <= 1;
    const region = formRegion(b, (off, returnSite) => {
      // A call's return site runs as soon as the callee returns: decode it even if it has not run yet.
      if (cold || returnSite) return this.interp.blockAtRam(cpu, off, b.bits as 64);
      const hit = this.cache.get(off, b.bits);
      return hit !== undefined && (hit.count > 0 || hit.compiled !== undefined) ? hit : undefined;
    });
    let fn: RegionRec['fn'];
    try {
      fn = this.compile(region, ripLin);
    } catch (e) {
      this.stats.failures++;
      b.count = -1e9;
      if (process.env.BMJIT_JIT_DEBUG) console.error('bmjit: JIT compile failed:', e);
      return;
    }
    const rec: RegionRec = { fn, blocks: region.blocks.map((rb) => rb.block), alive: true };
    // Every block of the region becomes an entry point: an inner loop head reached from the interpreter (after an
    // exit at a budget check, say) re-enters here instead of growing its own region.
    for (const rb of region.blocks) {
      let list = this.member.get(rb.block);
      if (list === undefined) this.member.set(rb.block, (list = []));
      list.push(rec);
      // The newest region takes over every entry it covers: it was grown from a hotter root and usually holds the
      // older regions' code too, so control stays inside one function instead of crossing regions through the
      // interpreter loop.
      rb.block.compiled = fn;
      rb.block.entry = rb.index;
      this.entryOf.set(rb.block, rec);
    }
    this.stats.regions++;
    this.stats.compileMs += performance.now() - t0;
  }

  compile(region: Region, entryLin: number): RegionRec['fn'] {
    const gen = new RegionCodegen(region, { disasm: this.opts.dumpDir !== undefined ? this.opts.disasm : undefined, entryIp: entryLin });
    const res = gen.generate();
    const name = functionName(this.opts.symbolize?.(entryLin), entryLin);
    const fnNode: Node = {
      type: 'FunctionExpression',
      id: { type: 'Identifier', name },
      params: [{ type: 'Identifier', name: 'cpu' }, { type: 'Identifier', name: 'budget' }, { type: 'Identifier', name: 'pc0' }],
      body: { type: 'BlockStatement', body: res.body },
      generator: false,
      async: false,
    };
    const program: Node = {
      type: 'Program',
      sourceType: 'script',
      body: [{ type: 'ReturnStatement', argument: fnNode }],
    };
    let src = generate(program as never, { comments: this.opts.dumpDir !== undefined }) + `\n//# sourceURL=bmjit/${name}.js\n`;
    const hand = this.opts.loadDir !== undefined ? join(this.opts.loadDir, `${name}.js`) : undefined;
    if (hand !== undefined && existsSync(hand)) src = readFileSync(hand, 'utf8');
    const factory = new Function('I', 'H', 'S', 'D', 'R', 'J', src) as (I: Instr[], H: unknown[], S: number[], D: number[], R: number[], j: typeof J) => RegionRec['fn'];
    const deltas = region.blocks.map((rb) => rb.delta);
    const fn = factory(res.instrs, res.handlers, res.starts, deltas, res.retiredBefore, J);
    this.stats.templated += res.templated;
    this.stats.fallbacks += res.fallbacks;
    this.stats.sourceBytes += src.length;
    this.liveSource += src.length;
    if (this.opts.dumpDir !== undefined) writeFileSync(join(this.opts.dumpDir, `${name}.js`), src);
    if (this.liveSource > (this.opts.maxSourceBytes ?? 64 * 1024 * 1024)) {
      // Bound compiled-code memory: drop every translation (blocks stay decoded) and start over.
      this.liveSource = 0;
      this.stats.flushes++;
      this.cache.flushAll();
    }
    return fn;
  }
}
