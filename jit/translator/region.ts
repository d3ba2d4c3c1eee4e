// Region formation for the translator: from a hot block, the blocks reachable by direct branches inside the same
// 4 KiB page (so one linear-to-physical mapping holds for all of them), forming loops with internal control flow.
import { OpKind, RegClass } from '../decoder/instr.js';
import { MN_FLOW } from '../decoder/tables.gen.js';
import { Mn } from '../decoder/tables.gen.js';
import type { Block } from '../cache/code-cache.js';

export const enum Flow {
  None = 0,
}

export interface RegionBlock {
  block: Block;
  /** Offset of the block's first byte from the region entry (bytes; may be negative). */
  delta: number;
  /** Index of this block in Region.blocks (its `case` label in the generated switch). */
  index: number;
}

export interface Region {
  entry: Block;
  blocks: RegionBlock[];
  /** Region block for a RAM offset, if that offset starts a block in the region. */
  byOff: Map<number, RegionBlock>;
  instrCount: number;
}

// V8 stops optimising functions of more than about 60 KB of bytecode, and a region that stays unoptimised is
// slower than the interpreter: keep regions well below that (about 300 bytes of JS per guest instruction).
export const MAX_REGION_BLOCKS = 32;
export const MAX_REGION_INSTRS = 160;
/**
 * Budget in rough units of generated code: SSE work (fast path plus slow path) and memory accesses are bigger.
 * 400 measured best on the perf suite (nbody's loop nest fits in one region; 600 made sha256's regions too big
 * for TurboFan and 2x slower; 260 split nbody's nest into five regions with a transition every 64 instructions).
 */
export const MAX_REGION_COST = 400;

function blockCost(b: Block): number {
  let c = 0;
  for (const ins of b.instrs) {
    let k = 1;
    for (const o of [ins.o0, ins.o1, ins.o2]) {
      if (o.kind === OpKind.Reg && o.rc === RegClass.Xmm) k = 4;
      else if (o.kind === OpKind.Mem && k < 2) k = 2;
    }
    c += k;
  }
  return c;
}

/** Direct successors (RAM offsets) of a block's last instruction, or [] when the transfer is indirect or leaves. */
export function successors(b: Block): { fall: number | undefined; target: number | undefined } {
  const last = b.instrs[b.instrs.length - 1];
  const end = b.ramOff + b.length;
  switch (last.op) {
    case Mn.JMP:
      if (last.o0.kind === OpKind.Rel) return { fall: undefined, target: end + last.o0.disp };
      return { fall: undefined, target: undefined };
    case Mn.CALL:
      // The return site joins the region too, so a RET back into it can stay inside (see codegen returnSites).
      if (last.o0.kind === OpKind.Rel) return { fall: end, target: end + last.o0.disp };
      return { fall: undefined, target: undefined };
    case Mn.JO: case Mn.JNO: case Mn.JB: case Mn.JAE: case Mn.JE: case Mn.JNE: case Mn.JBE: case Mn.JA:
    case Mn.JS: case Mn.JNS: case Mn.JP: case Mn.JNP: case Mn.JL: case Mn.JGE: case Mn.JLE: case Mn.JG:
      return { fall: end, target: end + last.o0.disp };
    default:
      // Blocks cut at 64 instructions or a page end simply fall through; other transfers leave the region.
      if (MN_FLOW[last.op] === 0) return { fall: end, target: undefined };
      return { fall: undefined, target: undefined };
  }
}

/**
 * Collect the region rooted at `entry`. `blockAt(ramOff)` returns the (decoded, cached) block at a RAM offset in
 * the same page, or undefined when it cannot be decoded without faulting.
 */
export function formRegion(entry: Block, blockAt: (ramOff: number, returnSite: boolean) => Block | undefined): Region {
  const page = entry.ramOff & ~0xfff;
  const blocks: RegionBlock[] = [];
  const byOff = new Map<number, RegionBlock>();
  let instrCount = 0;
  let cost = 0;
  const queue: Block[] = [entry];
  while (queue.length > 0 && blocks.length < MAX_REGION_BLOCKS) {
    const b = queue.shift()!;
    if (byOff.has(b.ramOff)) continue;
    const bc = blockCost(b);
    if ((instrCount + b.instrs.length > MAX_REGION_INSTRS || cost + bc > MAX_REGION_COST) && blocks.length > 0) break;
    cost += bc;
    const rb: RegionBlock = { block: b, delta: b.ramOff - entry.ramOff, index: blocks.length };
    blocks.push(rb);
    byOff.set(b.ramOff, rb);
    instrCount += b.instrs.length;
    const { fall, target } = successors(b);
    for (const t of [target, fall]) {
      if (t === undefined || (t & ~0xfff) !== page || byOff.has(t)) continue;
      const nb = blockAt(t, t === fall && b.instrs[b.instrs.length - 1].op === Mn.CALL);
      if (nb !== undefined && nb.bits === entry.bits) queue.push(nb);
    }
  }
  return { entry, blocks, byOff, instrCount };
}
