// Region -> ESTree translation (64-bit mode templates; SDM Vol. 2 semantics mirrored from the interpreter, which
// stays the reference and the fallback for every instruction without a template).
//
// Generated function shape:  function NAME(cpu, budget) -> instructions retired
//   - guest registers used by templates live in locals rN/hN (lo/hi int32) and are written back at exits, before
//     interpreter fallbacks, and on faults;
//   - the lazy-flag record lives in locals (fop fsz fr frh fa fah fb fbh fcin fmask; fmask = 0: flags are in the
//     state buffer) so a fault or exit can always store it; a flag consumer whose producer is known at compile time
//     in the same block is fused into a direct comparison; written flags that are dead are never computed;
//   - memory goes through an inline software-TLB fast path; misses call J.rd/J.wr (MMU, MMIO, page crossing,
//     faults); a fault writes back the state of the faulting instruction and returns (precise exceptions);
//   - `for (;;) switch (pc)` over the region's blocks; direct branches inside the region stay inside, with the
//     instruction budget checked on backward edges and PENDING after every helper that can raise it.
import { Instr, Operand, OpKind, RegClass, REG_NONE, REG_RIP } from '../decoder/instr.js';
import { Mn, FORM_FLAGS_READ, FORM_FLAGS_WRITTEN, FORM_FLAGS_UNDEFINED, MN_NAMES } from '../decoder/tables.gen.js';
import { LazyOp } from '../interp/flags.js';
import {
  FLAGS, FLAGS_LAZY, LZ_OP, LZ_SIZE, LZ_RES_LO, LZ_RES_HI, LZ_A_LO, LZ_A_HI, LZ_B_LO, LZ_B_HI, LZ_CIN, PENDING, RIP_F,
  SEG_BASE_F, ARITH_FLAGS, CR0, CR4,
} from '../../machine/cpu/state.js';
import type { Region, RegionBlock } from './region.js';
import { TLB_MASK } from '../../machine/cpu/cpu.js';
import type { Handler } from '../cache/code-cache.js';
import { successors } from './region.js';
import { SSE_FAST, sseFastOk, sseDecls, genSse, planXmm, xmmDecls, xmmStore, xmmLoad, xmmOperands, XmmIO, sseRecheck, invariantLanes } from './codegen-sse.js';
import { Node, js, expr, id, lit, block, ifStmt, letDecl, constDecl, assign, comment } from './estree.js';

const CF = 1, ZF = 0x40, SF = 0x80, OF = 0x800;
/**
 * Inlining of single-predecessor blocks (findInlinable): block size, and the copied instructions a region may add
 * (a quarter of its own, at least 16), which bounds the bytecode it adds.
 */
const MAX_INLINE_BLOCK_INSTRS = 16;
const INLINE_SHARE = 4;
const MIN_INLINE_BUDGET = 16;
const ALL = ARITH_FLAGS;

/**
 * Pseudo producer of (U)COMISD: the flags are in the state buffer (fmask = 0) and `fr` holds their ZF|PF|CF bits
 * (OF SF AF are clear), so consumers in the same block test `fr`.
 */
const FCMP = 100 as LazyOp;

/** Static knowledge of the flag producer at the current point of a block (compile time). */
interface Producer {
  op: LazyOp;
  size: number;
}

export interface CodegenResult {
  body: Node[];
  /** Instruction records and per-instruction data the function closes over. */
  instrs: Instr[];
  /** The interpreter's (possibly specialised) handler for each instruction: the fallback path. */
  handlers: Handler[];
  starts: number[]; // byte offset of instruction i from the region entry
  /** Instructions of its block before instruction i: what a fault at i adds to the retired count (R[cur]). */
  retiredBefore: number[];
  templated: number;
  fallbacks: number;
}

export interface CodegenOptions {
  /** Disassembly text per instruction for comments (optional). */
  disasm?: (ins: Instr, ip: number) => string;
  /** Linear address of the region entry, for comments only. */
  entryIp?: number;
}

const rLo = (r: number): string => `r${r}`;

const EXPLICIT_INT = new Set<number>([
  Mn.ADC, Mn.SBB, Mn.ROL, Mn.ROR, Mn.RCL, Mn.RCR, Mn.SHL, Mn.SAL, Mn.SHR, Mn.SAR, Mn.SHLD, Mn.SHRD, Mn.BT, Mn.BTS,
  Mn.BTR, Mn.BTC, Mn.BSF, Mn.BSR, Mn.LZCNT, Mn.TZCNT, Mn.POPCNT, Mn.BSWAP, Mn.MOVBE, Mn.CRC32, Mn.MOVSX, Mn.MOVZX,
  Mn.MOVSXD, Mn.NOT, Mn.NEG, Mn.TEST, Mn.CMP, Mn.ADD, Mn.SUB, Mn.AND, Mn.OR, Mn.XOR, Mn.INC, Mn.DEC, Mn.MOV, Mn.LEA,
  Mn.XCHG, Mn.XADD, Mn.NOP,
]);
const IMPLICIT_SIMD = new Set<number>([
  Mn.MASKMOVDQU, Mn.MASKMOVQ, Mn.PCMPESTRI, Mn.PCMPESTRM, Mn.PCMPISTRI, Mn.PCMPISTRM,
]);

/** True when the instruction's register effects are confined to its explicit operands (no implicit GPRs). */
function explicitOnly(x: Instr): boolean {
  if (x.op === Mn.IMUL) return x.nops >= 2;
  if (EXPLICIT_INT.has(x.op)) return !(x.o0.kind === OpKind.Reg && x.o0.rc !== RegClass.Gpr && x.o0.rc !== RegClass.Gpr8Hi && x.op === Mn.MOV);
  if ((x.cond >= 0 && (MN_NAMES[x.op].startsWith('CMOV') || MN_NAMES[x.op].startsWith('SET')))) return true;
  if (IMPLICIT_SIMD.has(x.op)) return false;
  for (const o of [x.o0, x.o1, x.o2]) {
    if (o.kind === OpKind.Reg && (o.rc === RegClass.Xmm || o.rc === RegClass.Mmx || o.rc === RegClass.St)) return true;
  }
  const name = MN_NAMES[x.op];
  return name.startsWith('F') && name !== 'FXSAVE' && name !== 'FXRSTOR' && name !== 'FXSAVE64' && name !== 'FXRSTOR64'
    ? true
    : false;
}

/** Attach a guest-disassembly line to the first statement emitted for an instruction (or an empty one). */
function annotate(out: Node[], mark: number, note: string | undefined): void {
  if (note === undefined) return;
  if (out.length === mark) out.push(comment(note));
  else out[mark] = { ...out[mark], comments: [...(out[mark].comments ?? []), { type: 'Line', value: ' ' + note }] };
}
const rHi = (r: number): string => `h${r}`;

export class RegionCodegen {
  private readonly instrs: Instr[] = [];
  private readonly hs: Handler[] = [];
  private readonly starts: number[] = [];
  private readonly used = new Set<number>(); // registers held in locals
  /** Where each XMM register lives (codegen-sse.ts XMode): state buffer, float64 or int32 locals. */
  private xmode: Uint8Array = new Uint8Array(16);
  private prod: Producer | undefined; // statically known producer in the current block
  private templated = 0;
  private fallbacks = 0;
  /** flags live after each instruction (by global instruction index) */
  private liveAfter: number[] = [];
  private blockLiveIn = new Map<number, number>();
  /** Registers whose high half is known to be zero at this point of the current block (32-bit results). */
  private hiZero = new Set<number>();
  private needIpI = false;
  private sites = 0; // one-page caches (addrPaths)
  private readonly siteOf = new Map<string, number>(); // cache of each (block, permission, base, index, scale)
  private hitTag: 'tR' | 'tW' | undefined;
  private hitSize = 0;
  /** The instruction of the last addr(): its slow path sets `cur` (only helpers throw, so hits need not). */
  private hitGi = 0;
  /** Float64 XMM lanes known to hold no denormal (codegen-sse.ts SseHost.clean); emptied at block starts. */
  private readonly clean = new Set<string>();
  /** Float64 lanes no instruction of the region writes (codegen-sse.ts invariantLanes): clean at every block start. */
  private invariant: string[] = [];
  /** Region index of the block being generated, and whether it branches to its own start. */
  private current = 0;
  private selfLoop = false;
  /** The block whose `case` is being generated (current differs inside an inlined successor). */
  private root = 0;
  /** Instructions findInlinable still allows to be copied into the region. */
  private inlineBudget = 0;
  /** Per block index: its first instruction number, and whether a predecessor may generate it inline. */
  private firstGi: number[] = [];
  private inlinable: boolean[] = [];
  private succs: number[][] = [];
  /** Blocks being generated inline right now (a block is not copied into itself). */
  private readonly chain = new Set<number>();
  /** An IMUL's CF/OF override (local fov) may be pending: the next full producer must clear it. */
  private fovMaybe = true;

  constructor(
    private readonly region: Region,
    private readonly opts: CodegenOptions = {},
  ) {}

  generate(): CodegenResult {
    const rbs = this.region.blocks;
    // Global instruction numbering and register usage.
    for (const rb of rbs) {
      let off = rb.delta;
      for (let k = 0; k < rb.block.instrs.length; k++) {
        const ins = rb.block.instrs[k];
        this.instrs.push(ins);
        this.hs.push(rb.block.handlers[k]);
        this.starts.push(off);
        off += ins.len;
        if (this.hasTemplate(ins) || ins.op === Mn.CALL || ins.op === Mn.RET) this.collectRegs(ins);
      }
    }
    this.computeLiveness();
    this.xmode = planXmm(this.instrs.filter((x) => SSE_FAST.has(x.op) && this.hasTemplate(x)));
    this.invariant = invariantLanes(this.instrs, this.xmode);
    this.findInlinable();
    const cases: Node[] = [];
    let gi = 0;
    for (const rb of rbs) {
      this.current = rb.index;
      this.root = rb.index;
      this.selfLoop = false;
      let body = this.genBlock(rb, gi);
      gi += rb.block.instrs.length;
      // A block that branches to its own start runs as its own loop (label Bk) without re-dispatching on pc.
      if (this.selfLoop) {
        body = [{ type: 'LabeledStatement', label: id(`B${rb.index}`), body: { type: 'ForStatement', init: null, test: null, update: null, body: block(body) } }];
      }
      cases.push({ type: 'SwitchCase', test: lit(rb.index), consequent: body });
    }
    const regs = [...this.used].sort((a, b) => a - b);
    const decls: Node[] = [];
    decls.push(...js`const s = cpu.i32, f = cpu.f64, dv = cpu.rdv, ram = cpu.ram, tR = cpu.tagR, tW = cpu.tagW, to = cpu.toff;`);
    decls.push(...js`const ip0 = f[${RIP_F}] - D[pc0];`);
    if (this.needIpI) decls.push(...js`const ipI = ip0 >= 0 && ip0 < 2147483648 ? ip0 | 0 : -1;`);
    if (regs.length > 0) {
      decls.push(letDecl(regs.flatMap((r) => [rLo(r), rHi(r)]), regs.flatMap((r) => [expr`s[${2 * r}]`, expr`s[${2 * r + 1}]`])));
    }
    decls.push(...xmmDecls(this.xmode));
    // SSE is usable (no #NM/#UD from CR0.TS/EM or CR4.OSFXSR): CR writes leave the region, full fallbacks re-read it.
    // After the XMM locals: fpok also checks the invariant lanes.
    decls.push(...sseDecls(this.instrs, this.invariant));
    decls.push(...js`let fop = 0, fsz = 0, fr = 0, frh = 0, fa = 0, fah = 0, fb = 0, fbh = 0, fcin = 0, fmask = 0, fcf = -1, fov = -1, fia = 0, fib = 0;`);
    if (this.sites > 0) {
      const names: string[] = [];
      const inits: Node[] = [];
      for (let k = 0; k < this.sites; k++) {
        // 1: no page base (those are multiples of 4096), so the cache starts empty.
        names.push(`c${k}p`, `c${k}o`);
        inits.push(lit(1), lit(0));
      }
      decls.push(letDecl(names, inits));
    }
    decls.push(...js`let n = 0, pb = 0, pc = pc0, xr = 0, xa = 0, xb = 0, xv = 0, cur = 0, chk = 0, ea = 0, ua = 0, ub = 0, hit = false, pg = 0, ti = 0, po = 0, m = 0, mh = 0, t = 0, th = 0, u = 0, uh = 0;`);
    const sw: Node = { type: 'SwitchStatement', discriminant: id('pc'), cases };
    const forLoop: Node = { type: 'ForStatement', init: null, test: null, update: null, body: block([sw, ...js`return n;`]) };
    const loop: Node = { type: 'LabeledStatement', label: id('L'), body: forLoop };
    const exitPath: Node[] = [...this.writeback(), ...this.flushFlags(), ...js`f[${RIP_F}] = xr; return n;`];
    const catchBody: Node[] = [
      ...js`if (!(e instanceof J.CpuFault)) throw e;`,
      ...this.writeback(),
      ...this.flushFlags(),
      ...js`f[${RIP_F}] = ip0 + S[cur]; cpu.jitFault = e; return n + R[cur];`,
    ];
    const tryStmt: Node = {
      type: 'TryStatement',
      block: block([loop, ...exitPath]),
      handler: { type: 'CatchClause', param: id('e'), body: block(catchBody) },
      finalizer: null,
    };
    return {
      body: [...decls, tryStmt],
      instrs: this.instrs,
      handlers: this.hs,
      starts: this.starts,
      retiredBefore: this.instrs.map((_, gi) => gi - this.blockFirst(gi)),
      templated: this.templated,
      fallbacks: this.fallbacks,
    };
  }

  // ---- analysis ---------------------------------------------------------------------------------------------

  private computeLiveness(): void {
    // Per block: flags read before written (gen) and written (kill); iterate to a fixed point over region edges.
    const rbs = this.region.blocks;
    const liveIn = new Map<number, number>();
    for (const rb of rbs) liveIn.set(rb.index, ALL);
    const liveOutOf = (rb: RegionBlock): number => {
      const { fall, target } = successors(rb.block);
      let out = 0;
      let any = false;
      for (const t of [fall, target]) {
        if (t === undefined) continue;
        any = true;
        const succ = this.region.byOff.get(t);
        out |= succ === undefined ? ALL : liveIn.get(succ.index)!;
      }
      return any ? out : ALL; // indirect transfers and exits: everything live
    };
    for (let iter = 0; iter < 20; iter++) {
      let changed = false;
      for (let k = rbs.length - 1; k >= 0; k--) {
        const rb = rbs[k];
        let live = liveOutOf(rb);
        const ins = rb.block.instrs;
        for (let i = ins.length - 1; i >= 0; i--) {
          live = (live & ~this.flagsKilled(ins[i])) | this.flagsRead(ins[i]);
        }
        if (live !== liveIn.get(rb.index)) {
          liveIn.set(rb.index, live);
          changed = true;
        }
      }
      if (!changed) break;
    }
    this.blockLiveIn = liveIn;
    // Per-instruction live-after sets.
    let gi = 0;
    for (const rb of rbs) {
      const ins = rb.block.instrs;
      const after: number[] = new Array(ins.length);
      let live = liveOutOf(rb);
      for (let i = ins.length - 1; i >= 0; i--) {
        after[i] = live;
        live = (live & ~this.flagsKilled(ins[i])) | this.flagsRead(ins[i]);
      }
      for (let i = 0; i < ins.length; i++) this.liveAfter[gi + i] = after[i];
      gi += ins.length;
    }
  }

  private flagsRead(ins: Instr): number {
    // An instruction that can fault exposes RFLAGS to the exception handler, and a fallback sees the state buffer:
    // for both, every flag counts as read, so the flags at a fault are exactly the architectural ones.
    const jump = ins.o0.kind === OpKind.Rel && (ins.op === Mn.JMP || (ins.cond >= 0 && MN_NAMES[ins.op].startsWith('J')));
    if (jump) return FORM_FLAGS_READ[ins.form] & ALL;
    if (!this.hasTemplate(ins) || this.touchesMemory(ins)) return ALL;
    return FORM_FLAGS_READ[ins.form] & ALL;
  }

  private touchesMemory(ins: Instr): boolean {
    if (ins.op === Mn.PUSH || ins.op === Mn.POP || ins.op === Mn.CALL || ins.op === Mn.RET) return true;
    if (ins.op === Mn.LEA || ins.op === Mn.NOP) return false;
    for (const o of [ins.o0, ins.o1, ins.o2].slice(0, ins.nops)) if (o.kind === OpKind.Mem) return true;
    return false;
  }

  /** Flags certainly overwritten by the instruction (not just possibly: shifts by CL may leave flags alone). */
  private flagsKilled(ins: Instr): number {
    // Flags the SDM leaves undefined may be kept by the interpreter's host-matching policy: never count them as
    // killed, or an earlier producer's record would be dropped while it still decides them.
    const w = FORM_FLAGS_WRITTEN[ins.form] & ~FORM_FLAGS_UNDEFINED[ins.form] & ALL;
    switch (ins.op) {
      // The logic ops replace the whole lazy record in both tiers (AF, undefined, comes out 0: flags.ts lazyAF).
      case Mn.AND: case Mn.OR: case Mn.XOR: case Mn.TEST:
        return ALL;
      case Mn.SHL: case Mn.SAL: case Mn.SHR: case Mn.SAR: case Mn.ROL: case Mn.ROR: case Mn.RCL: case Mn.RCR:
      case Mn.SHLD: case Mn.SHRD:
        if (ins.o1.kind === OpKind.Imm || ins.o2.kind === OpKind.Imm) {
          const c = (ins.o1.kind === OpKind.Imm ? ins.o1.imm : ins.o2.imm) & (ins.osize === 8 ? 63 : 31);
          return c === 0 ? 0 : w;
        }
        return 0;
      default:
        return w;
    }
  }

  private collectRegs(ins: Instr): void {
    for (const o of [ins.o0, ins.o1, ins.o2, ins.o3].slice(0, ins.nops)) {
      if (o.kind === OpKind.Reg && (o.rc === RegClass.Gpr || o.rc === RegClass.Gpr8Hi)) this.used.add(o.reg);
      if (o.kind === OpKind.Mem) {
        if (o.base >= 0 && o.base < 16) this.used.add(o.base);
        if (o.index >= 0) this.used.add(o.index);
      }
    }
    switch (ins.op) {
      case Mn.PUSH: case Mn.POP: case Mn.CALL: case Mn.RET:
        this.used.add(4);
        break;
      case Mn.CDQ: case Mn.CQO: case Mn.MUL:
        this.used.add(0);
        this.used.add(2);
        break;
      case Mn.CDQE: case Mn.CWDE:
        this.used.add(0);
        break;
      default:
    }
  }

  // ---- state movement -----------------------------------------------------------------------------------------

  private writeback(): Node[] {
    const out: Node[] = [];
    for (const r of this.used) out.push(...js`s[${2 * r}] = ${rLo(r)}; s[${2 * r + 1}] = ${rHi(r)};`);
    out.push(...xmmStore(this.xmode));
    return out;
  }

  /** Back to what holds at a block start: only the invariant lanes are known clean. */
  private resetClean(): void {
    this.clean.clear();
    for (const lane of this.invariant) this.clean.add(lane);
  }

  private reload(): Node[] {
    const out: Node[] = [];
    for (const r of this.used) out.push(...js`${rLo(r)} = s[${2 * r}]; ${rHi(r)} = s[${2 * r + 1}];`);
    out.push(...xmmLoad(this.xmode));
    this.resetClean();
    return out;
  }

  /** Store the local lazy-flag record into the state buffer (runtime check: fmask = 0 means already there). */
  private flushFlags(): Node[] {
    return js`if (fmask !== 0) { s[${LZ_OP}] = fop; s[${LZ_SIZE}] = fsz; s[${LZ_RES_LO}] = fr; s[${LZ_RES_HI}] = frh;
      s[${LZ_A_LO}] = fa; s[${LZ_A_HI}] = fah; s[${LZ_B_LO}] = fb; s[${LZ_B_HI}] = fbh; s[${LZ_CIN}] = fcin;
      s[${FLAGS_LAZY}] = fmask; fmask = 0; if (fcf >= 0) { s[${FLAGS}] = (s[${FLAGS}] & -2) | fcf; } }
      if (fov !== -1) { J.putFlags(s, 2049, fov === -2 ? (fia * fib !== Math.imul(fia, fib) ? 2049 : 0) : fov); fov = -1; }`;
  }

  /** Leave the region with RIP = ip0 + delta, having retired `count` more instructions of the current block. */
  private exitTo(delta: number | Node, count: number): Node[] {
    const rip = typeof delta === 'number' ? expr`ip0 + ${delta}` : delta;
    // Every exit shares one write-back sequence after the loop (label L): set the exit RIP and break out.
    return [...js`xr = ${rip}; n += ${count};`, { type: 'BreakStatement', label: id('L') }];
  }

  // ---- blocks -----------------------------------------------------------------------------------------------

  private genBlock(rb: RegionBlock, firstGi: number): Node[] {
    const out: Node[] = [];
    const ins = rb.block.instrs;
    this.prod = undefined;
    this.resetClean();
    this.hiZero.clear();
    this.fovMaybe = true;
    for (let i = 0; i < ins.length; i++) {
      const gi = firstGi + i;
      const x = ins[i];
      const ip = this.starts[gi];
      // Guest disassembly rides on the instruction's first statement as a leading comment.
      const note = this.opts.disasm !== undefined && this.opts.entryIp !== undefined
        ? `${(this.opts.entryIp + ip).toString(16)}: ${this.opts.disasm(x, this.opts.entryIp + ip)}`
        : undefined;
      const mark = out.length;
      const last = i === ins.length - 1;
      if (last) {
        const term = this.genTerminator(rb, x, gi, i + 1);
        if (term !== undefined) {
          out.push(...term);
          annotate(out, mark, note);
          return out;
        }
      }
      const t = this.hasTemplate(x) ? this.genTemplate(x, gi) : undefined;
      if (t !== undefined) {
        this.templated++;
        out.push(...t);
        this.trackHighHalves(x);
        annotate(out, mark, note);
      } else {
        this.fallbacks++;
        out.push(...this.genFallback(x, gi, i + 1, last, rb));
        annotate(out, mark, note);
        if (last) return out;
      }
    }
    // Fell off the end of the block (instruction limit or page end): continue at the next offset.
    const endDelta = rb.delta + rb.block.length;
    out.push(...this.gotoDelta(endDelta, ins.length, false));
    return out;
  }

  /** Continue at region-relative offset `delta`: inside the region when possible, else exit. */
  private gotoDelta(delta: number, retired: number, backEdgeCheck: boolean): Node[] {
    const target = this.region.byOff.get(this.region.entry.ramOff + delta);
    if (target === undefined) return this.exitTo(delta, retired);
    // The flag record lives in locals shared by every block, so an edge needs no flush; only the compile-time
    // knowledge of the producer (this.prod) ends at the block boundary.
    // Only the budget is tested here. PENDING needs no poll on the edge: everything in the region that can raise it
    // (stores through J.wr, fallbacks) is followed by its own test, the interpreter loop tests it before every
    // region entry, and a request from outside (an MMIO read's side effect, later another vCPU thread) waits at most
    // one budget (the scheduler's slice). Polling the state buffer here cost about 30% of a tight loop's speed.
    const check = backEdgeCheck || target.index <= 0
      ? js`if (n >= budget) { ${this.exitTo(delta, 0)} }`
      : [];
    if (target.index === this.root) {
      this.selfLoop = true;
      return [...js`n += ${retired};`, ...check, { type: 'ContinueStatement', label: id(`B${target.index}`) }];
    }
    const size = target.block.instrs.length;
    if (this.inlinable[target.index] && !this.chain.has(target.index) && size <= this.inlineBudget && this.leadsHome(target.index, 0)) {
      this.inlineBudget -= size;
      return [...js`n += ${retired};`, ...check, ...this.genInline(target)];
    }
    return [...js`n += ${retired}; pc = ${target.index};`, ...check, { type: 'ContinueStatement', label: id('L') }];
  }

  /**
   * Blocks generated in place at their only predecessor's edge (besides their own `case`, which entries from outside
   * use) when they branch back to the block whose case is being generated, directly or through such blocks: a loop over several blocks then runs as
   * nested ifs inside its head's labeled loop instead of a switch dispatch per block (`pc = k; continue L` merges
   * every local at the loop header): sieve 33 -> 24 ms, quicksort 52 -> 48 ms, matmul-f64 34 -> 31 ms. Loop exits stay out of the loop (a
   * helper call there would make V8 spill the loop's values). The copies are bounded (inlineBudget): they add
   * bytecode, and V8 does not optimise functions over 61,440 bytes of it.
   */
  private findInlinable(): void {
    const rbs = this.region.blocks;
    const preds = new Array<number>(rbs.length).fill(0);
    let gi = 0;
    for (const rb of rbs) {
      this.firstGi[rb.index] = gi;
      gi += rb.block.instrs.length;
      const last = rb.block.instrs[rb.block.instrs.length - 1];
      const { fall, target } = successors(rb.block);
      this.succs[rb.index] = [];
      for (const t of [fall, target]) {
        const succ = t === undefined ? undefined : this.region.byOff.get(t);
        if (succ === undefined) continue;
        this.succs[rb.index].push(succ.index);
        // A call's return site is also reached by RETs (returnSites): never a single predecessor.
        preds[succ.index] += t === fall && last.op === Mn.CALL ? 2 : 1;
      }
    }
    this.inlineBudget = Math.max(MIN_INLINE_BUDGET, Math.floor(this.region.instrCount / INLINE_SHARE));
    // Only single-predecessor blocks: copying the join of an if-then into both paths made crc32-bitwise 30% slower.
    this.inlinable = rbs.map((rb) => rb.index > 0 && preds[rb.index] === 1 && rb.block.instrs.length <= MAX_INLINE_BLOCK_INSTRS);
  }

  /** Whether block k branches back to the root, directly or through at most three more inlinable blocks. */
  private leadsHome(k: number, depth: number): boolean {
    if (depth > 3) return false;
    return this.succs[k].some((t) => t === this.root || (this.inlinable[t] && !this.chain.has(t) && t !== k && this.leadsHome(t, depth + 1)));
  }

  /**
   * Block `rb` generated at an edge of the current one. An edge is the last thing a block generates (the other arm
   * of a branch is another edge), and genBlock starts from a clean compile-time state, so only `current` needs
   * restoring.
   */
  private genInline(rb: RegionBlock): Node[] {
    const current = this.current;
    this.current = rb.index;
    this.chain.add(rb.index);
    const body = this.genBlock(rb, this.firstGi[rb.index]);
    this.chain.delete(rb.index);
    this.current = current;
    return body;
  }

  /**
   * Registers a fallback must synchronise: for instructions whose only register effects are on their explicit
   * operands (SSE/x87, most integer instructions), just those; otherwise every register held in locals.
   */
  private syncSet(x: Instr): number[] {
    if (!explicitOnly(x)) return [...this.used];
    const regs = new Set<number>();
    for (const o of [x.o0, x.o1, x.o2, x.o3].slice(0, x.nops)) {
      if (o.kind === OpKind.Reg && (o.rc === RegClass.Gpr || o.rc === RegClass.Gpr8Hi)) regs.add(o.reg);
      if (o.kind === OpKind.Mem) {
        if (o.base >= 0 && o.base < 16) regs.add(o.base);
        if (o.index >= 0) regs.add(o.index);
      }
    }
    return [...regs].filter((r) => this.used.has(r));
  }

  /**
   * Whether a fallback can set PENDING (an interrupt request, a paused REP, a store into code): register-only
   * SSE/x87 work cannot.
   */
  private mayRaisePending(x: Instr): boolean {
    if (!explicitOnly(x)) return true;
    for (const o of [x.o0, x.o1, x.o2].slice(0, x.nops)) if (o.kind === OpKind.Mem) return true;
    return EXPLICIT_INT.has(x.op);
  }

  private callHandler(x: Instr, gi: number, xmm?: XmmIO): Node[] {
    const regs = this.syncSet(x);
    // XMM registers held in locals: those of the operands (and XMM0 for its implicit users), or all of them; a
    // template's slow path knows which ones its handler reads and writes.
    const xregs = explicitOnly(x) ? xmmOperands(x) : undefined;
    const out: Node[] = [];
    for (const r of regs) out.push(...js`s[${2 * r}] = ${rLo(r)}; s[${2 * r + 1}] = ${rHi(r)};`);
    out.push(...xmmStore(this.xmode, xmm?.read ?? xregs));
    // A handler that neither reads nor writes flags leaves the flag record in the locals (a fault's catch block
    // stores it anyway), so most SSE work costs no flag traffic.
    const flagFree = explicitOnly(x) && (FORM_FLAGS_READ[x.form] | FORM_FLAGS_WRITTEN[x.form]) === 0;
    if (!flagFree) out.push(...this.flushFlags());
    out.push(...js`f[${RIP_F}] = ip0 + ${this.starts[gi] + x.len}; cur = ${gi}; H[${gi}](cpu, I[${gi}]);`);
    for (const r of regs) out.push(...js`${rLo(r)} = s[${2 * r}]; ${rHi(r)} = s[${2 * r + 1}];`);
    out.push(...xmmLoad(this.xmode, xmm?.written ?? xregs));
    // A template's slow path: genSse accounts for the lanes it writes. Any other fallback: those lanes are unknown.
    if (xmm === undefined) {
      if (xregs === undefined) this.resetClean();
      else for (const r of xregs) for (const k of [0, 1]) this.clean.delete(`xd${r}_${k}`);
    }
    if (explicitOnly(x)) for (const r of regs) this.hiZero.delete(r);
    else {
      this.hiZero.clear();
      out.push(...sseRecheck(this.instrs, this.invariant));
    }
    if (!flagFree) this.prod = undefined;
    return out;
  }

  /** Update the known-zero high halves after a templated instruction. */
  private trackHighHalves(x: Instr): void {
    const hz = this.hiZero;
    const dst = (o: Operand): void => {
      if (o.kind !== OpKind.Reg || o.rc !== RegClass.Gpr) return;
      if (o.size === 4) hz.add(o.reg);
      else if (o.size === 8) hz.delete(o.reg);
    };
    switch (x.op) {
      case Mn.CMP: case Mn.TEST: case Mn.NOP:
        return;
      case Mn.PUSH: case Mn.CALL: case Mn.RET:
        hz.delete(4);
        return;
      case Mn.POP:
        hz.delete(4);
        hz.delete(x.o0.reg);
        return;
      case Mn.CDQE:
        hz.delete(0);
        return;
      case Mn.CDQ:
        hz.add(2);
        return;
      case Mn.MUL:
        if (x.osize === 4) {
          hz.add(0);
          hz.add(2);
        } else {
          hz.delete(0);
          hz.delete(2);
        }
        return;
      case Mn.CQO:
        hz.delete(2);
        return;
      case Mn.XCHG:
        dst(x.o0);
        dst(x.o1);
        return;
      case Mn.MOV:
        // A 64-bit immediate with a zero high half keeps it known zero.
        if (x.o0.kind === OpKind.Reg && x.o0.size === 8 && x.o1.kind === OpKind.Imm && (x.o1.immHi | 0) === 0) {
          hz.add(x.o0.reg);
          return;
        }
        dst(x.o0);
        return;
      case Mn.MOVZX:
        if (x.o0.kind === OpKind.Reg && x.o0.size === 8) hz.add(x.o0.reg);
        else dst(x.o0);
        return;
      default:
        if (x.o0.kind === OpKind.Reg && x.o0.rc === RegClass.Gpr8Hi) return;
        dst(x.o0);
    }
  }

  private genFallback(x: Instr, gi: number, retired: number, last: boolean, rb: RegionBlock): Node[] {
    // A block-ending instruction may jump anywhere: it needs the complete state.
    if (last) this.hiZero.clear();
    const out: Node[] = last
      ? [...this.writeback(), ...this.flushFlags(),
        ...js`f[${RIP_F}] = ip0 + ${this.starts[gi] + x.len}; cur = ${gi}; H[${gi}](cpu, I[${gi}]);`]
      : this.callHandler(x, gi);
    if (last) {
      this.prod = undefined;
      // A block-ending instruction the translator does not know: it set RIP itself. Leave.
      void rb;
      out.push(...js`return n + ${retired};`);
      return out;
    }
    if (this.mayRaisePending(x)) out.push(...js`if (s[${PENDING}] !== 0) { ${this.exitTo(expr`f[${RIP_F}]`, retired)} }`);
    return out;
  }

  // ---- templates --------------------------------------------------------------------------------------------

  private hasTemplate(x: Instr): boolean {
    if (x.bits !== 64) return false;
    if (x.prefixes & 1 /* LOCK */) return false;
    if (SSE_FAST.has(x.op)) return sseFastOk(x);
    for (const o of [x.o0, x.o1, x.o2].slice(0, x.nops)) {
      if (o.kind === OpKind.Mem && (x.asize !== 8 || (o.size !== 1 && o.size !== 2 && o.size !== 4 && o.size !== 8 && x.op !== Mn.LEA))) return false;
      if (o.kind === OpKind.Reg && o.rc !== RegClass.Gpr && o.rc !== RegClass.Gpr8Hi) return false;
    }
    switch (x.op) {
      case Mn.MOV:
        return !(x.o0.kind === OpKind.Mem && x.o0.dispHi !== 0) && !(x.o1.kind === OpKind.Mem && x.o1.dispHi !== 0);
      case Mn.MOVZX: case Mn.MOVSX: case Mn.MOVSXD: case Mn.LEA:
      case Mn.ADD: case Mn.SUB: case Mn.CMP: case Mn.AND: case Mn.OR: case Mn.XOR: case Mn.TEST:
      case Mn.INC: case Mn.DEC: case Mn.NEG: case Mn.NOT:
      case Mn.NOP: case Mn.CDQE: case Mn.CDQ: case Mn.CQO:
        return true;
      case Mn.SHL: case Mn.SAL: case Mn.SHR: case Mn.SAR:
        return x.o1.kind === OpKind.Imm && x.osize >= 4;
      case Mn.IMUL:
        return x.nops >= 2 && x.osize >= 4;
      case Mn.ROL: case Mn.ROR:
        return x.o1.kind === OpKind.Imm && x.osize >= 4 && x.o0.kind === OpKind.Reg;
      case Mn.MUL:
        return x.nops === 1 && x.osize >= 4;
      case Mn.PUSH: case Mn.POP:
        return x.osize === 8 && x.o0.kind === OpKind.Reg;
      case Mn.CMOVO: case Mn.CMOVNO: case Mn.CMOVB: case Mn.CMOVAE: case Mn.CMOVE: case Mn.CMOVNE: case Mn.CMOVBE:
      case Mn.CMOVA: case Mn.CMOVS: case Mn.CMOVNS: case Mn.CMOVP: case Mn.CMOVNP: case Mn.CMOVL: case Mn.CMOVGE:
      case Mn.CMOVLE: case Mn.CMOVG:
        return x.osize >= 4;
      case Mn.SETO: case Mn.SETNO: case Mn.SETB: case Mn.SETAE: case Mn.SETE: case Mn.SETNE: case Mn.SETBE:
      case Mn.SETA: case Mn.SETS: case Mn.SETNS: case Mn.SETP: case Mn.SETNP: case Mn.SETL: case Mn.SETGE:
      case Mn.SETLE: case Mn.SETG:
        return true;
      case Mn.XCHG:
        return x.o0.kind === OpKind.Reg && x.o1.kind === OpKind.Reg && x.osize >= 4;
      default:
        return false;
    }
  }

  /**
   * Exact 64-bit address arithmetic in two parts: `low` (a double: sum of the low halves and the displacement, at
   * most ~2^36 in magnitude) and `high` (sum of the high halves); the 64-bit result is
   * high * 2^32 + low with the carry of `low` folded into the high half. Undefined for RIP-relative operands.
   */
  private eaLowHigh(o: Operand): { low: Node; high: Node } {
    let low: Node | undefined;
    let high: Node | undefined;
    const addL = (n: Node): void => { low = low === undefined ? n : expr`${low} + ${n}`; };
    const addH = (n: Node): void => { high = high === undefined ? n : expr`${high} + ${n}`; };
    if (o.base !== REG_NONE) {
      addL(expr`(${rLo(o.base)} >>> 0)`);
      addH(id(rHi(o.base)));
    }
    if (o.index !== REG_NONE) {
      addL(o.scale === 1 ? expr`(${rLo(o.index)} >>> 0)` : expr`(${rLo(o.index)} >>> 0) * ${o.scale}`);
      addH(o.scale === 1 ? id(rHi(o.index)) : expr`${rHi(o.index)} * ${o.scale}`);
    }
    if (o.disp !== 0 || low === undefined) addL(lit(o.disp));
    return { low: low!, high: high ?? lit(o.disp < 0 ? 0 : 0) };
  }

  /** Statements leaving the linear address (double, signed-canonical when valid) of operand `o` in `ea`. */
  private eaStmts(x: Instr, o: Operand, gi: number, withSeg: boolean): Node[] {
    const seg = withSeg && x.seg >= 4 ? expr`f[${SEG_BASE_F(x.seg)}]` : undefined;
    let out: Node[];
    if (o.base === REG_RIP) out = js`ea = ip0 + ${this.starts[gi] + x.len + o.disp};`;
    else if (o.index === REG_NONE) {
      // Base + displacement: the double is exact whenever the true address is canonical (|base| < 2^47 + 2^31);
      // an inexact value is non-canonical either way and faults in the slow path.
      out = o.base === REG_NONE
        ? js`ea = ${o.disp};`
        : this.hiZero.has(o.base)
          ? js`ea = (${rLo(o.base)} >>> 0) + ${o.disp};`
          : js`ea = ${rHi(o.base)} * 4294967296 + (${rLo(o.base)} >>> 0) + ${o.disp};`;
    } else {
      const { low, high } = this.eaLowHigh(o);
      const hz = (r: number): boolean => r === REG_NONE || this.hiZero.has(r);
      // With every high half zero the low sum (|sum| < 2^36) already is the exact signed 64-bit address.
      out = hz(o.base) && hz(o.index)
        ? js`ea = ${low};`
        : js`ea = ${low}; ea = ((${high} + Math.floor(ea / 4294967296)) | 0) * 4294967296 + (ea >>> 0);`;
    }
    if (seg !== undefined) out.push(...js`ea = ea + ${seg};`);
    return out;
  }

  /**
   * Statements locating a `size`-byte access to operand `o` of instruction gi against `tag` (the TLB tag array the
   * access checks: tR, or tW for a store or read-modify-write). They leave `hit` (a RAM page with that permission,
   * the access inside it) and `pb` (the RAM offset of its first byte); a miss leaves the double linear address in
   * `ea` for J.rd/J.wr. load() and store() take over from here.
   */
  private addr(x: Instr, o: Operand, gi: number, tag: 'tR' | 'tW', size: number): Node[] {
    this.hitTag = tag;
    this.hitSize = size;
    this.hitGi = gi;
    const slowEa = this.eaStmts(x, o, gi, true);
    const fast = this.intAddr(x, o, gi);
    if (fast === undefined) return [...slowEa, ...this.probeDouble(tag, size)];
    // The accesses of one block through the same registers (any displacement) with the same permission share a
    // page cache: fewer locals for V8 to keep in registers (nbody: one cache per site made its regions 35% slower;
    // sharing across blocks cost matmul-int 10%).
    const key = `${this.current}:${tag}:${o.base}:${o.index}:${o.scale}`;
    return this.addrPaths(fast.pre, fast.ok, slowEa, tag, size, key);
  }

  /**
   * The paths of an address with an int32 form: `pre` leaves the low 32 bits in `ua` and `ok` says whether they
   * are the whole address. Then page cache k (`cacheKey`'s; cNp: the page's linear base as int32, cNo: RAM offset
   * minus that base) answers with one compare: `ua & mask` keeps the page and the low bits that must be zero for a
   * naturally aligned access, which never crosses a page; misaligned ones take the TLB arrays. A translation
   * changes only through instructions that end their block (INVLPG, MOV CR3/CR0/CR4, WRMSR), and a fallback that
   * ends a block leaves the region; the caches start empty at every entry. Without `ok`, the exact double path.
   */
  private addrPaths(pre: Node[], ok: Node | undefined, slowEa: Node[], tag: 'tR' | 'tW', size: number, cacheKey: string | undefined): Node[] {
    const out: Node[] = [...pre];
    let k = -1;
    if (cacheKey !== undefined) {
      k = this.siteOf.get(cacheKey) ?? this.sites++;
      this.siteOf.set(cacheKey, k);
    }
    const intProbe = [...js`ea = ua >>> 0;`, ...this.probeInt(tag, size, k)];
    const dblProbe = [...slowEa, ...this.probeDouble(tag, size)];
    let int32Path = intProbe;
    if (k >= 0) {
      const mask = -4096 | (Math.min(Math.max(size, 1), 16) - 1);
      int32Path = [ifStmt(expr`(ua & ${mask}) === ${id(`c${k}p`)}`, js`pb = ${id(`c${k}o`)} + ua | 0; hit = true;`, intProbe)];
    }
    out.push(...(ok === undefined ? int32Path : [ifStmt(ok, int32Path, dblProbe)]));
    return out;
  }

  /** The TLB test of an access at the int32 address ua (< 2^32), filling site cache k (>= 0) on a hit. */
  private probeInt(tag: 'tR' | 'tW', size: number, k: number): Node[] {
    const out = js`ti = ua >>> 12 & ${TLB_MASK}; po = ua & 4095; hit = ${this.inPage(expr`${id(tag)}[ti] === ua >>> 12`, size)}; pb = to[ti] + po;`;
    if (k >= 0) out.push(ifStmt(id('hit'), js`${id(`c${k}p`)} = ua & -4096; ${id(`c${k}o`)} = pb - ua | 0;`));
    return out;
  }

  /** The TLB test of an access at the double linear address ea. */
  private probeDouble(tag: 'tR' | 'tW', size: number): Node[] {
    return js`pg = Math.floor(ea / 4096); ti = pg & ${TLB_MASK}; po = ea & 4095; hit = ${this.inPage(expr`${id(tag)}[ti] === pg`, size)}; pb = to[ti] + po;`;
  }

  /** `tagHit && po <= 4096 - size` (the access inside the page), or just the tag test for bytes. */
  private inPage(tagHit: Node, size: number): Node {
    return size <= 1 ? tagHit : expr`${tagHit} && po <= ${4096 - size}`;
  }

  /** RSP += d (d = +-8) in int32 halves, after the stack access succeeded. */
  private rspAdd(d: 8 | -8): Node[] {
    return d > 0
      ? js`r4 = r4 + 8 | 0; if (r4 >>> 0 < 8) h4 = h4 + 1 | 0;`
      : js`if (r4 >>> 0 < 8) h4 = h4 - 1 | 0; r4 = r4 - 8 | 0;`;
  }

  /** Like addr() for the 8-byte stack slot at RSP + off (PUSH/CALL: -8, POP/RET: 0); SS has base 0 in 64-bit mode. */
  private stackAddr(gi: number, off: 0 | -8, tag: 'tR' | 'tW'): Node[] {
    this.hitTag = tag;
    this.hitSize = 8;
    this.hitGi = gi;
    const ok = off === 0 ? expr`h4 === 0` : expr`h4 === 0 && ua >>> 0 < r4 >>> 0`;
    return this.addrPaths(js`ua = r4 + ${off} | 0;`, ok, js`ea = h4 * 4294967296 + (r4 >>> 0) + ${off};`, tag, 8, undefined);
  }

  /**
   * The common case of an address below 4 GiB in int32 arithmetic: `pre` leaves the low 32 bits in `ua`, and `ok`
   * holds when they are the whole address (high halves zero, no carry out of bit 31..0, index fits after scaling).
   * V8 keeps this path free of float conversions; the exact double arithmetic of eaStmts is the fallback.
   */
  private intAddr(x: Instr, o: Operand, gi: number): { pre: Node[]; ok: Node | undefined } | undefined {
    if (x.seg >= 4) return undefined;
    if (o.base === REG_RIP) {
      // ipI: the region's base address when it is in [0, 2^31); a non-negative sum is then exact.
      this.needIpI = true;
      return { pre: js`ua = ipI + ${this.starts[gi] + x.len + o.disp} | 0;`, ok: expr`ipI >= 0 && ua >= 0` };
    }
    if (o.base === REG_NONE && o.index === REG_NONE) return undefined; // constant: V8 folds the double path
    const sh = o.scale === 8 ? 3 : o.scale === 4 ? 2 : o.scale === 2 ? 1 : 0;
    const conds: Node[] = [];
    const hiParts: Node[] = [];
    for (const r of [o.base, o.index]) if (r !== REG_NONE && !this.hiZero.has(r)) hiParts.push(id(rHi(r)));
    if (o.index !== REG_NONE && sh > 0) hiParts.push(expr`${rLo(o.index)} >>> ${32 - sh}`);
    if (hiParts.length > 0) conds.push(expr`(${hiParts.reduce((a, b) => expr`${a} | ${b}`)}) === 0`);
    const iTerm = o.index === REG_NONE ? undefined : sh === 0 ? id(rLo(o.index)) : expr`${rLo(o.index)} << ${sh}`;
    const pre: Node[] = [];
    // First the register sum (one carry check when there are two terms), then the displacement.
    const tmp = o.disp === 0 ? 'ua' : 'ub';
    let sum: string;
    if (o.base !== REG_NONE && iTerm !== undefined) {
      pre.push(...js`${id(tmp)} = ${id(rLo(o.base))} + ${iTerm} | 0;`);
      conds.push(expr`${id(tmp)} >>> 0 >= ${rLo(o.base)} >>> 0`);
      sum = tmp;
    } else if (o.base !== REG_NONE) {
      sum = rLo(o.base);
    } else {
      pre.push(...js`${id(tmp)} = ${iTerm!};`);
      sum = tmp;
    }
    if (o.disp === 0) {
      if (sum !== 'ua') pre.push(...js`ua = ${id(sum)};`);
    } else {
      pre.push(...js`ua = ${id(sum)} + ${o.disp} | 0;`);
      conds.push(o.disp > 0 ? expr`ua >>> 0 > ${id(sum)} >>> 0` : expr`ua >>> 0 < ${id(sum)} >>> 0`);
    }
    const ok = conds.length === 0 ? undefined : conds.reduce((a, b) => expr`${a} && ${b}`);
    return { pre, ok };
  }

  /** Load `size` bytes located by the last addr() into m (and mh for 8): from RAM on a hit, else through J.rd. */
  private load(size: number, write: boolean): Node[] {
    this.checkLocated(write ? 'tW' : 'tR', size);
    const c = this.hitGi;
    switch (size) {
      case 1:
        return js`if (hit) m = ram[pb]; else { cur = ${c}; m = J.rd(cpu, ea, 1, ${write}); }`;
      case 2:
        return js`if (hit) m = dv.getUint16(pb, true); else { cur = ${c}; m = J.rd(cpu, ea, 2, ${write}); }`;
      case 4:
        return js`if (hit) m = dv.getInt32(pb, true); else { cur = ${c}; m = J.rd(cpu, ea, 4, ${write}) | 0; }`;
      default:
        return js`if (hit) { m = dv.getInt32(pb, true); mh = dv.getInt32(pb + 4, true); }
          else { cur = ${c}; m = J.rd(cpu, ea, 8, ${write}) | 0; mh = cpu.hi | 0; }`;
    }
  }

  /** Store v (vh) of `size` bytes located by the last addr() (with tW). */
  private store(size: number, v: Node, vh: Node): Node[] {
    this.checkLocated('tW', size);
    const c = this.hitGi;
    switch (size) {
      case 1:
        return js`if (hit) ram[pb] = ${v}; else { cur = ${c}; J.wr(cpu, ea, 1, ${v}, 0); chk = 1; }`;
      case 2:
        return js`if (hit) dv.setUint16(pb, ${v}, true); else { cur = ${c}; J.wr(cpu, ea, 2, ${v}, 0); chk = 1; }`;
      case 4:
        return js`if (hit) dv.setInt32(pb, ${v}, true); else { cur = ${c}; J.wr(cpu, ea, 4, ${v}, 0); chk = 1; }`;
      default:
        return js`if (hit) { dv.setInt32(pb, ${v}, true); dv.setInt32(pb + 4, ${vh}, true); }
          else { cur = ${c}; J.wr(cpu, ea, 8, ${v}, ${vh}); chk = 1; }`;
    }
  }

  /** load()/store() rely on the hit/pb/ea of an addr() for the same permission and size. */
  private checkLocated(tag: 'tR' | 'tW', size: number): void {
    if (this.hitTag !== tag || this.hitSize !== size) {
      throw new Error(`codegen: access of ${size} bytes (${tag}) after addr() for ${this.hitSize} (${this.hitTag})`);
    }
  }

  /** After an instruction that may have stored through the slow path: leave if the store raised PENDING. */
  private storeCheck(gi: number, x: Instr): Node[] {
    const retired = gi - this.blockFirst(gi) + 1;
    return js`if (chk !== 0) { chk = 0; if (s[${PENDING}] !== 0) { ${this.exitTo(this.starts[gi] + x.len, retired)} } }`;
  }

  private blockFirst(gi: number): number {
    let k = 0;
    for (const rb of this.region.blocks) {
      if (gi < k + rb.block.instrs.length) return k;
      k += rb.block.instrs.length;
    }
    return k;
  }

  /**
   * The current value of a destination operand (register, or memory loaded through the TLB fast path into m/mh,
   * with a write check when the instruction will store back). Load statements are appended to `out`.
   */
  private destValue(x: Instr, o: Operand, gi: number, size: number, write: boolean, out: Node[]): { a: Node; aH: Node } {
    if (o.kind === OpKind.Mem) {
      out.push(...this.addr(x, o, gi, write ? 'tW' : 'tR', size), ...this.load(size, write));
      return { a: id('m'), aH: id('mh') };
    }
    return { a: this.srcLo(o, size), aH: size === 8 ? id(rHi(o.reg)) : lit(0) };
  }

  /** Expression for a register/immediate source operand value at `size` (low half; int32 for 4/8). */
  private srcLo(o: Operand, size: number): Node {
    if (o.kind === OpKind.Imm) {
      const v = size === 1 ? o.imm & 0xff : size === 2 ? o.imm & 0xffff : o.imm | 0;
      return lit(v);
    }
    if (o.rc === RegClass.Gpr8Hi) return expr`((${rLo(o.reg)} >>> 8) & 255)`;
    if (size === 1) return expr`(${rLo(o.reg)} & 255)`;
    if (size === 2) return expr`(${rLo(o.reg)} & 65535)`;
    return id(rLo(o.reg));
  }

  private srcHi(o: Operand): Node {
    if (o.kind === OpKind.Imm) return lit(o.immHi | 0);
    return id(rHi(o.reg));
  }

  /** Statements writing value (lo, hi) to register operand o at `size`. */
  private setReg(o: Operand, size: number, lo: Node, hi: Node): Node[] {
    const r = o.reg;
    if (o.rc === RegClass.Gpr8Hi) return js`${rLo(r)} = (${rLo(r)} & -65281) | ((${lo} & 255) << 8);`;
    switch (size) {
      case 1:
        return js`${rLo(r)} = (${rLo(r)} & -256) | (${lo} & 255);`;
      case 2:
        return js`${rLo(r)} = (${rLo(r)} & -65536) | (${lo} & 65535);`;
      case 4:
        return js`${rLo(r)} = ${lo}; ${rHi(r)} = 0;`;
      default:
        return js`${rLo(r)} = ${lo}; ${rHi(r)} = ${hi};`;
    }
  }

  /** Truncate a JS int expression to an operand size (zero-extended for 1/2, int32 for 4). */
  private trunc(e: Node, size: number): Node {
    if (size === 1) return expr`(${e}) & 255`;
    if (size === 2) return expr`(${e}) & 65535`;
    return expr`(${e}) | 0`;
  }

  /** Record a lazy flag producer in the locals (only when some written flag is live afterwards). */
  private produce(gi: number, op: LazyOp, size: number, res: Node, resH: Node, a: Node, aH: Node, b: Node, bH: Node, mask = ALL): Node[] {
    if ((this.liveAfter[gi] & mask) === 0) {
      this.prod = undefined;
      // Flags dead: leave whatever record is there; it will be overwritten before anyone reads it. But fmask must
      // not describe a record whose temps we are about to clobber, so nothing to do.
      return [];
    }
    this.prod = { op, size };
    const out = js`fop = ${op}; fsz = ${size}; fr = ${res}; frh = ${resH}; fmask = ${mask};`;
    // LOGIC results need no operands (flags.ts computes them from the result alone).
    if (op !== LazyOp.Logic) out.push(...js`fa = ${a}; fah = ${aH}; fb = ${b}; fbh = ${bH};`);
    if ((mask & CF) !== 0) out.push(...js`fcf = -1;`);
    // Every producer here rewrites OF (and CF, or CF is flushed before an INC/DEC that needs it): a pending IMUL
    // override is obsolete.
    if (this.fovMaybe) {
      out.push(...js`fov = -1;`);
      this.fovMaybe = false;
    }
    return out;
  }

  private genTemplate(x: Instr, gi: number): Node[] | undefined {
    const o0 = x.o0, o1 = x.o1;
    const size = x.osize === 1 || o0.size === 1 ? 1 : o0.size || x.osize;
    switch (x.op) {
      case Mn.NOP:
        return [];
      case Mn.MOV:
        return this.genMov(x, gi);
      case Mn.LEA: {
        // LEA computes the offset only (no segment base), modulo the destination size.
        if (o1.base === REG_RIP) {
          const v = expr`ip0 + ${this.starts[gi] + x.len + o1.disp}`;
          return js`t = ${v}; ${this.setReg(o0, o0.size, expr`t | 0`, expr`Math.floor(t / 4294967296) | 0`)}`;
        }
        return this.genLea(o0, o1);
      }
      case Mn.MOVZX: case Mn.MOVSX: case Mn.MOVSXD: {
        const ssz = o1.size;
        const out: Node[] = [];
        let v: Node;
        if (o1.kind === OpKind.Mem) {
          out.push(...this.addr(x, o1, gi, 'tR', ssz), ...this.load(ssz, false));
          v = id('m');
        } else v = this.srcLo(o1, ssz);
        const sext = x.op !== Mn.MOVZX;
        if (sext) {
          const e = ssz === 1 ? expr`(${v} << 24) >> 24` : ssz === 2 ? expr`(${v} << 16) >> 16` : expr`${v} | 0`;
          out.push(...js`t = ${e};`);
          out.push(...this.setReg(o0, o0.size, id('t'), expr`t >> 31`));
        } else {
          out.push(...this.setReg(o0, o0.size, v, lit(0)));
        }
        return out;
      }
      case Mn.ADD: case Mn.SUB: case Mn.CMP: case Mn.AND: case Mn.OR: case Mn.XOR: case Mn.TEST:
        return this.genAlu(x, gi, size);
      case Mn.INC: case Mn.DEC: case Mn.NEG: case Mn.NOT:
        return this.genUnary(x, gi, size);
      case Mn.SHL: case Mn.SAL: case Mn.SHR: case Mn.SAR:
        return this.genShift(x, gi, size);
      case Mn.IMUL:
        return this.genImul(x, gi);
      case Mn.ROL: case Mn.ROR:
        return this.genRotate(x, gi);
      case Mn.MUL:
        return this.genMul(x, gi);
      case Mn.CDQE:
        return js`h0 = r0 >> 31;`;
      case Mn.CDQ:
        return js`r2 = r0 >> 31; h2 = 0;`;
      case Mn.CQO:
        return js`r2 = h0 >> 31; h2 = r2;`;
      case Mn.PUSH: {
        const r = o0.reg;
        return [
          ...this.stackAddr(gi, -8, 'tW'),
          ...js`t = ${rLo(r)}; th = ${rHi(r)};`,
          ...this.store(8, id('t'), id('th')),
          ...this.rspAdd(-8),
          ...this.storeCheck(gi, x),
        ];
      }
      case Mn.POP: {
        const r = o0.reg;
        return [
          ...this.stackAddr(gi, 0, 'tR'),
          ...this.load(8, false),
          ...this.rspAdd(8),
          ...js`${rLo(r)} = m; ${rHi(r)} = mh;`,
        ];
      }
      case Mn.XCHG:
        if (o0.reg === o1.reg && x.osize === 8) return [];
        if (x.osize === 8) return js`t = ${rLo(o0.reg)}; th = ${rHi(o0.reg)}; ${rLo(o0.reg)} = ${rLo(o1.reg)}; ${rHi(o0.reg)} = ${rHi(o1.reg)}; ${rLo(o1.reg)} = t; ${rHi(o1.reg)} = th;`;
        return js`t = ${rLo(o0.reg)}; ${rLo(o0.reg)} = ${rLo(o1.reg)}; ${rHi(o0.reg)} = 0; ${rLo(o1.reg)} = t; ${rHi(o1.reg)} = 0;`;
      default:
        if (SSE_FAST.has(x.op)) return this.genSse(x, gi);
        if (x.cond >= 0 && MN_NAMES[x.op].startsWith('CMOV')) return this.genCmov(x, gi);
        if (x.cond >= 0 && MN_NAMES[x.op].startsWith('SET')) return this.genSetcc(x, gi);
        return undefined;
    }
  }

  /** LEA base + index * scale + disp (the offset only, modulo the destination size). */
  private genLea(o0: Operand, o1: Operand): Node[] {
    if (o0.size !== 8) {
      // The low 32 bits: a sum of int32 terms (below 2^35 in magnitude) truncated once, no float conversion.
      const sh = o1.scale === 8 ? 3 : o1.scale === 4 ? 2 : o1.scale === 2 ? 1 : 0;
      const terms: Node[] = [];
      if (o1.base !== REG_NONE) terms.push(id(rLo(o1.base)));
      if (o1.index !== REG_NONE) terms.push(sh === 0 ? id(rLo(o1.index)) : expr`(${rLo(o1.index)} << ${sh})`);
      if (o1.disp !== 0 || terms.length === 0) terms.push(lit(o1.disp));
      return this.setReg(o0, o0.size, expr`(${terms.reduce((a, c) => expr`${a} + ${c}`)}) | 0`, lit(0));
    }
    // 64 bits: the exact double sum of the low halves, its carry folded into the high half (measured faster than
    // int32 add-with-carry chains on sieve's `lea rdx, [rax + 1]`).
    const { low, high } = this.eaLowHigh(o1);
    return js`t = ${low}; ${this.setReg(o0, 8, expr`t | 0`, expr`(${high} + Math.floor(t / 4294967296)) | 0`)}`;
  }

  private genMov(x: Instr, gi: number): Node[] {
    const o0 = x.o0, o1 = x.o1;
    const size = o0.size;
    if (o0.kind === OpKind.Reg) {
      if (o1.kind === OpKind.Mem) {
        const out = [...this.addr(x, o1, gi, 'tR', size), ...this.load(size, false)];
        out.push(...this.setReg(o0, size, id('m'), id('mh')));
        return out;
      }
      if (o1.kind === OpKind.Reg || o1.kind === OpKind.Imm) {
        if (size === 8 && o1.kind === OpKind.Reg) return js`${rLo(o0.reg)} = ${rLo(o1.reg)}; ${rHi(o0.reg)} = ${rHi(o1.reg)};`;
        return this.setReg(o0, size, this.srcLo(o1, size), size === 8 ? this.srcHi(o1) : lit(0));
      }
      return [];
    }
    // Store to memory.
    const out: Node[] = [...this.addr(x, o0, gi, 'tW', size)];
    out.push(...js`t = ${this.srcLo(o1, size)};`);
    if (size === 8) out.push(...js`th = ${this.srcHi(o1)};`);
    out.push(...this.store(size, id('t'), size === 8 ? id('th') : lit(0)));
    out.push(...this.storeCheck(gi, x));
    return out;
  }

  private genAlu(x: Instr, gi: number, size: number): Node[] {
    const o0 = x.o0, o1 = x.o1;
    const op = x.op;
    const writes = op !== Mn.CMP && op !== Mn.TEST;
    const out: Node[] = [];
    let a: Node, aH: Node;
    const mem = o0.kind === OpKind.Mem;
    let b: Node = lit(0), bH: Node = lit(0);
    if (o1.kind === OpKind.Mem) {
      out.push(...this.addr(x, o1, gi, 'tR', size), ...this.load(size, false));
      out.push(...js`u = m;`);
      if (size === 8) out.push(...js`uh = mh;`);
      b = id('u');
      bH = id('uh');
    } else {
      b = this.srcLo(o1, size);
      if (size === 8) bH = o1.kind === OpKind.Imm ? lit(o1.immHi | 0) : id(rHi(o1.reg));
    }
    ({ a, aH } = this.destValue(x, o0, gi, size, writes, out));
    // Result into t/th.
    let lazy: LazyOp;
    if (size === 8) {
      switch (op) {
        case Mn.ADD:
          out.push(...js`t = (${a} + ${b}) | 0; th = (${aH} + ${bH} + ((t >>> 0) < (${a} >>> 0) ? 1 : 0)) | 0;`);
          lazy = LazyOp.Add;
          break;
        case Mn.SUB: case Mn.CMP:
          out.push(...js`t = (${a} - ${b}) | 0; th = (${aH} - ${bH} - ((${a} >>> 0) < (${b} >>> 0) ? 1 : 0)) | 0;`);
          lazy = LazyOp.Sub;
          break;
        case Mn.AND: case Mn.TEST:
          out.push(...js`t = ${a} & ${b}; th = ${aH} & ${bH};`);
          lazy = LazyOp.Logic;
          break;
        case Mn.OR:
          out.push(...js`t = ${a} | ${b}; th = ${aH} | ${bH};`);
          lazy = LazyOp.Logic;
          break;
        default:
          out.push(...js`t = ${a} ^ ${b}; th = ${aH} ^ ${bH};`);
          lazy = LazyOp.Logic;
      }
    } else {
      let e: Node;
      switch (op) {
        case Mn.ADD:
          e = expr`${a} + ${b}`;
          lazy = LazyOp.Add;
          break;
        case Mn.SUB: case Mn.CMP:
          e = expr`${a} - ${b}`;
          lazy = LazyOp.Sub;
          break;
        case Mn.AND: case Mn.TEST:
          e = expr`${a} & ${b}`;
          lazy = LazyOp.Logic;
          break;
        case Mn.OR:
          e = expr`${a} | ${b}`;
          lazy = LazyOp.Logic;
          break;
        default:
          e = expr`${a} ^ ${b}`;
          lazy = LazyOp.Logic;
      }
      out.push(...js`t = ${this.trunc(e, size)};`);
    }
    // Commit: memory first (may fault), then flags and registers.
    if (writes && mem) out.push(...this.store(size, id('t'), id('th')));
    // The producer must capture operand values before the destination register changes.
    const aCap = a.type === 'Identifier' || a.type === 'Literal' ? a : a;
    if (lazy === LazyOp.Logic) out.push(...this.produce(gi, lazy, size, id('t'), size === 8 ? id('th') : lit(0), lit(0), lit(0), lit(0), lit(0)));
    else out.push(...this.produce(gi, lazy, size, id('t'), size === 8 ? id('th') : lit(0), aCap, aH, b, bH));
    if (writes && !mem) out.push(...this.setReg(o0, size, id('t'), id('th')));
    if (writes && mem) out.push(...this.storeCheck(gi, x));
    return out;
  }

  private genUnary(x: Instr, gi: number, size: number): Node[] {
    const o0 = x.o0;
    const out: Node[] = [];
    const mem = o0.kind === OpKind.Mem;
    let a: Node, aH: Node;
    ({ a, aH } = this.destValue(x, o0, gi, size, true, out));
    const op = x.op;
    let lazy: LazyOp | undefined;
    let mask = ALL;
    if (size === 8) {
      switch (op) {
        case Mn.INC:
          out.push(...js`t = (${a} + 1) | 0; th = (${aH} + (t === 0 ? 1 : 0)) | 0;`);
          lazy = LazyOp.Inc;
          mask = ALL & ~CF;
          break;
        case Mn.DEC:
          out.push(...js`t = (${a} - 1) | 0; th = (${aH} - (${a} === 0 ? 1 : 0)) | 0;`);
          lazy = LazyOp.Dec;
          mask = ALL & ~CF;
          break;
        case Mn.NEG:
          out.push(...js`t = (-${a}) | 0; th = (~${aH} + (${a} === 0 ? 1 : 0)) | 0;`);
          lazy = LazyOp.Sub;
          break;
        default:
          out.push(...js`t = ~${a}; th = ~${aH};`);
      }
    } else {
      switch (op) {
        case Mn.INC:
          out.push(...js`t = ${this.trunc(expr`${a} + 1`, size)};`);
          lazy = LazyOp.Inc;
          mask = ALL & ~CF;
          break;
        case Mn.DEC:
          out.push(...js`t = ${this.trunc(expr`${a} - 1`, size)};`);
          lazy = LazyOp.Dec;
          mask = ALL & ~CF;
          break;
        case Mn.NEG:
          out.push(...js`t = ${this.trunc(expr`-${a}`, size)};`);
          lazy = LazyOp.Sub;
          break;
        default:
          out.push(...js`t = ${this.trunc(expr`~${a}`, size)};`);
      }
    }
    if (mem) out.push(...this.store(size, id('t'), id('th')));
    if (lazy !== undefined) {
      if (lazy === LazyOp.Inc || lazy === LazyOp.Dec) {
        // CF survives INC/DEC. When it is live, keep it in `fcf`: computed from the known producer's temps when
        // possible, else pinned into FLAGS through the state (slow, only at block starts after unknown code).
        let known = false;
        if ((this.liveAfter[gi] & CF) !== 0) {
          const cf = this.prod === undefined ? undefined : this.cfOf(this.prod);
          if (cf !== undefined) {
            if (cf.type !== 'Identifier' || cf.name !== 'fcf') out.push(...js`fcf = ${cf};`);
            known = true;
          } else out.push(...this.flushFlags(), ...js`J.keepCF(s); fcf = -1;`);
        }
        out.push(...this.produce(gi, lazy, size, id('t'), size === 8 ? id('th') : lit(0), a, aH, lit(1), lit(0), mask));
        if ((this.liveAfter[gi] & CF) !== 0 && !known) this.prod = undefined;
      } else {
        out.push(...this.produce(gi, lazy, size, id('t'), size === 8 ? id('th') : lit(0), lit(0), lit(0), a, aH));
      }
    }
    if (mem) out.push(...this.storeCheck(gi, x));
    else out.push(...this.setReg(o0, size, id('t'), id('th')));
    return out;
  }

  private genShift(x: Instr, gi: number, size: number): Node[] | undefined {
    const o0 = x.o0;
    const count = x.o1.imm & (size === 8 ? 63 : 31);
    if (count === 0) return size === 4 && o0.kind === OpKind.Reg ? js`${rHi(o0.reg)} = 0;` : [];
    const out: Node[] = [];
    const mem = o0.kind === OpKind.Mem;
    let a: Node, aH: Node;
    ({ a, aH } = this.destValue(x, o0, gi, size, true, out));
    let lazy: LazyOp;
    if (size === 4) {
      if (x.op === Mn.SHR) {
        out.push(...js`t = (${a} >>> ${count}) | 0;`);
        lazy = LazyOp.Shr;
      } else if (x.op === Mn.SAR) {
        out.push(...js`t = ${a} >> ${count};`);
        lazy = LazyOp.Sar;
      } else {
        out.push(...js`t = ${a} << ${count};`);
        lazy = LazyOp.Shl;
      }
    } else {
      // 64-bit shifts by a constant.
      if (x.op === Mn.SHL || x.op === Mn.SAL) {
        lazy = LazyOp.Shl;
        if (count < 32) out.push(...js`th = (${aH} << ${count}) | (${a} >>> ${32 - count}); t = ${a} << ${count};`);
        else out.push(...js`th = ${a} << ${count - 32}; t = 0;`);
      } else if (x.op === Mn.SHR) {
        lazy = LazyOp.Shr;
        if (count < 32) out.push(...js`t = (${a} >>> ${count}) | (${aH} << ${32 - count}); th = (${aH} >>> ${count}) | 0;`);
        else out.push(...js`t = (${aH} >>> ${count - 32}) | 0; th = 0;`);
      } else {
        lazy = LazyOp.Sar;
        if (count < 32) out.push(...js`t = (${a} >>> ${count}) | (${aH} << ${32 - count}); th = ${aH} >> ${count};`);
        else out.push(...js`t = ${aH} >> ${count - 32}; th = ${aH} >> 31;`);
      }
    }
    if (mem) out.push(...this.store(size, id('t'), id('th')));
    if ((this.liveAfter[gi] & ALL) !== 0) {
      // Shifts record through the state-compatible lazy record; fusing their conditions is not worth it.
      out.push(...js`fop = ${lazy}; fsz = ${size}; fr = t; frh = ${size === 8 ? id('th') : lit(0)}; fa = ${a}; fah = ${aH}; fb = 0; fbh = 0; fcin = ${count}; fmask = ${ALL}; fcf = -1;`);
      if (this.fovMaybe) {
        out.push(...js`fov = -1;`);
        this.fovMaybe = false;
      }
    }
    this.prod = undefined;
    if (mem) out.push(...this.storeCheck(gi, x));
    else out.push(...this.setReg(o0, size, id('t'), id('th')));
    return out;
  }

  private genImul(x: Instr, gi: number): Node[] | undefined {
    // IMUL sets CF = OF = "the product did not fit" and (on the AMD reference host) keeps SF ZF AF PF. For 32 bits
    // the overflow test is exact in doubles; 64-bit IMUL with live flags stays with the interpreter.
    const live = (this.liveAfter[gi] & ALL) !== 0;
    if (live && x.osize !== 4) return this.genFallbackInline(x, gi);
    const o0 = x.o0;
    const src = x.o1;
    const size = x.osize;
    const out: Node[] = [];
    let b: Node, bh: Node;
    if (src.kind === OpKind.Mem) {
      out.push(...this.addr(x, src, gi, 'tR', size), ...this.load(size, false));
      b = id('m');
      bh = id('mh');
    } else {
      b = this.srcLo(src, 4);
      bh = id(rHi(src.reg));
    }
    const c: Node = x.nops === 3 ? lit(x.o2.imm | 0) : id(rLo(o0.reg));
    if (size === 4) {
      out.push(...js`t = Math.imul(${b}, ${c});`);
      // CF/OF ride on top of the current record as `fov` (applied whenever the record is stored); -2 defers the
      // overflow test to that store (a fault's catch, an exit, a flag consumer), keeping the factors in fia/fib.
      if (live) {
        out.push(...js`fov = -2; fia = ${b}; fib = ${c};`);
        this.fovMaybe = true;
      }
      out.push(...this.setReg(o0, 4, id('t'), lit(0)));
    } else {
      const ch: Node = x.nops === 3 ? lit(x.o2.immHi | 0) : id(rHi(o0.reg));
      out.push(...js`t = J.mul64(${b}, ${bh}, ${c}, ${ch}); th = J.mh;`);
      out.push(...this.setReg(o0, 8, id('t'), id('th')));
    }
    this.prod = undefined;
    return out;
  }

  /** Unsigned MUL r/m32 and r/m64 (EDX:EAX / RDX:RAX) when its flags are dead. */
  private genMul(x: Instr, gi: number): Node[] {
    if ((this.liveAfter[gi] & ALL) !== 0) return this.genFallbackInline(x, gi);
    const o = x.o0;
    const out: Node[] = [];
    let b: Node, bh: Node;
    if (o.kind === OpKind.Mem) {
      out.push(...this.addr(x, o, gi, 'tR', x.osize), ...this.load(x.osize, false));
      b = id('m');
      bh = id('mh');
    } else {
      b = id(rLo(o.reg));
      bh = id(rHi(o.reg));
    }
    if (x.osize === 4) out.push(...js`r0 = J.mul128(r0, 0, ${b}, 0); h0 = 0; r2 = J.w1; h2 = 0;`);
    else out.push(...js`t = J.mul128(r0, h0, ${b}, ${bh}); h0 = J.w1; r0 = t; r2 = J.w2; h2 = J.w3;`);
    this.prod = undefined;
    return out;
  }

  /** ROL/ROR by a constant when the flags they write are dead (else the interpreter decides CF/OF). */
  private genRotate(x: Instr, gi: number): Node[] | undefined {
    const size = x.osize;
    let c = x.o1.imm & (size === 8 ? 63 : 31);
    // A masked count of 0 changes nothing but still writes a 32-bit destination (zeroing bits 63:32).
    if (c === 0) return size === 4 ? js`${rHi(x.o0.reg)} = 0;` : [];
    const r = x.o0.reg;
    const lo = rLo(r), hi = rHi(r);
    const ror = x.op === Mn.ROR;
    if (ror) c = size * 8 - c; // rotate right by c = rotate left by size - c
    let out: Node[];
    if (size === 4) out = js`${lo} = (${lo} << ${c}) | (${lo} >>> ${32 - c}); ${hi} = 0;`;
    else if (c === 32) out = js`t = ${lo}; ${lo} = ${hi}; ${hi} = t;`;
    else if (c < 32) out = js`t = ${lo}; ${lo} = (${lo} << ${c}) | (${hi} >>> ${32 - c}); ${hi} = (${hi} << ${c}) | (t >>> ${32 - c});`;
    else {
      const k = c - 32; // swap halves, then rotate left by k
      out = js`t = ${hi}; ${hi} = (${lo} << ${k}) | (t >>> ${32 - k}); ${lo} = (t << ${k}) | (${lo} >>> ${32 - k});`;
    }
    if ((this.liveAfter[gi] & (CF | OF)) !== 0) {
      // CF and OF from the result by the count-1 formulas (the host applies them to every count); the other flags
      // are kept, so CF/OF ride on the record as `fov`, like IMUL's.
      const top = size === 8 ? hi : lo;
      out.push(...(ror
        ? js`u = ${top} >>> 31; fov = u | ((u ^ ((${top} >>> 30) & 1)) << 11);`
        : js`u = ${lo} & 1; fov = u | ((u ^ (${top} >>> 31)) << 11);`));
      this.fovMaybe = true;
      this.prod = undefined; // CF/OF no longer follow the recorded producer
    }
    return out;
  }

  private genFallbackInline(x: Instr, gi: number): Node[] {
    this.templated--;
    this.fallbacks++;
    const retired = gi - this.blockFirst(gi) + 1;
    this.prod = undefined;
    const out = this.callHandler(x, gi);
    if (this.mayRaisePending(x)) out.push(...js`if (s[${PENDING}] !== 0) { ${this.exitTo(expr`f[${RIP_F}]`, retired)} }`);
    return out;
  }

  // ---- conditions ---------------------------------------------------------------------------------------------

  /** CF of a statically known producer, as an expression over the flag temps (undefined: not cheap). */
  private cfOf(p: Producer): Node | undefined {
    switch (p.op) {
      case FCMP:
        return expr`fr & 1`;
      case LazyOp.Logic:
        return lit(0);
      case LazyOp.Inc:
      case LazyOp.Dec:
        return id('fcf');
      case LazyOp.Add:
        if (p.size === 4) return expr`(fr >>> 0) < (fa >>> 0) ? 1 : 0`;
        if (p.size === 8) return expr`((frh >>> 0) < (fah >>> 0) || (frh === fah && (fr >>> 0) < (fa >>> 0))) ? 1 : 0`;
        return expr`fr < fa ? 1 : 0`;
      case LazyOp.Sub:
        if (p.size === 4) return expr`(fa >>> 0) < (fb >>> 0) ? 1 : 0`;
        if (p.size === 8) return expr`((fah >>> 0) < (fbh >>> 0) || (fah === fbh && (fa >>> 0) < (fb >>> 0))) ? 1 : 0`;
        return expr`fa < fb ? 1 : 0`;
      default:
        return undefined;
    }
  }

  /** Expression for condition cc: fused with a known producer, else through the state buffer. */
  private condExpr(cc: number): { pre: Node[]; test: Node } {
    const p = this.prod;
    const fused = p === undefined ? undefined : this.fusedCond(p, cc);
    if (fused !== undefined) return { pre: [], test: fused };
    return { pre: this.flushFlags(), test: expr`J.testCond(s, ${cc})` };
  }

  private fusedCond(p: Producer, cc: number): Node | undefined {
    const neg = (cc & 1) !== 0;
    if (p.op === FCMP) {
      // O, S, L: OF = SF = 0 makes them false; LE is ZF.
      const bits = [0, CF, ZF, CF | ZF, 0, 4, 0, ZF][cc >> 1];
      const e = bits === 0 ? lit(false) : expr`(fr & ${bits}) !== 0`;
      return neg ? expr`!(${e})` : e;
    }
    let e: Node | undefined;
    const z = p.size === 8 ? expr`(fr === 0 && frh === 0)` : p.size === 4 ? expr`fr === 0` : expr`fr === 0`;
    const sgn = p.size === 8 ? expr`frh < 0` : p.size === 4 ? expr`fr < 0` : p.size === 2 ? expr`(fr & 32768) !== 0` : expr`(fr & 128) !== 0`;
    switch (cc >> 1) {
      case 2: // E
        e = z;
        break;
      case 4: // S
        e = sgn;
        break;
      default:
    }
    if (e === undefined && p.op === LazyOp.Sub) {
      // fa - fb: unsigned and signed comparisons of the operands.
      if (p.size === 4) {
        switch (cc >> 1) {
          case 1: e = expr`(fa >>> 0) < (fb >>> 0)`; break; // B
          case 3: e = expr`(fa >>> 0) <= (fb >>> 0)`; break; // BE
          case 6: e = expr`fa < fb`; break; // L
          case 7: e = expr`fa <= fb`; break; // LE
          default:
        }
      } else if (p.size === 8) {
        switch (cc >> 1) {
          case 1: e = expr`((fah >>> 0) < (fbh >>> 0) || (fah === fbh && (fa >>> 0) < (fb >>> 0)))`; break;
          case 3: e = expr`((fah >>> 0) < (fbh >>> 0) || (fah === fbh && (fa >>> 0) <= (fb >>> 0)))`; break;
          case 6: e = expr`(fah < fbh || (fah === fbh && (fa >>> 0) < (fb >>> 0)))`; break;
          case 7: e = expr`(fah < fbh || (fah === fbh && (fa >>> 0) <= (fb >>> 0)))`; break;
          default:
        }
      } else {
        const sh = p.size === 1 ? 24 : 16;
        switch (cc >> 1) {
          case 1: e = expr`fa < fb`; break;
          case 3: e = expr`fa <= fb`; break;
          case 6: e = expr`(fa << ${sh}) < (fb << ${sh})`; break;
          case 7: e = expr`(fa << ${sh}) <= (fb << ${sh})`; break;
          default:
        }
      }
    } else if (e === undefined && p.op === LazyOp.Logic) {
      switch (cc >> 1) {
        case 0: e = lit(false); break; // O
        case 1: e = lit(false); break; // B
        case 3: e = z; break; // BE = ZF
        case 6: e = sgn; break; // L = SF
        case 7: e = expr`(${z} || ${sgn})`; break; // LE
        default:
      }
    }
    if (e === undefined) return undefined;
    return neg ? expr`!(${e})` : e;
  }

  /** SSE/SSE2 templates (codegen-sse.ts), with the address and fallback helpers of this region. */
  private genSse(x: Instr, gi: number): Node[] {
    const host = { addr: (i: Instr, o: Operand, g: number, tag: 'tR' | 'tW', size: number) => this.addr(i, o, g, tag, size), callHandler: (i: Instr, g: number, io?: XmmIO) => this.callHandler(i, g, io),
      storeCheck: (g: number, i: Instr) => this.storeCheck(g, i), xmode: this.xmode,
      fcmpFlags: (g: number) => this.fcmpFlags(g), clean: this.clean,
      exitAfter: (g: number) => this.exitTo(this.starts[g] + this.instrs[g].len, g - this.blockFirst(g) + 1) };
    return genSse(host, x, gi);
  }

  /** (U)COMISD's flags from `fr`: all six arithmetic flags replaced, so a pending local record is dropped. */
  private fcmpFlags(gi: number): Node[] | undefined {
    if ((this.liveAfter[gi] & ALL) === 0) {
      this.prod = undefined;
      return undefined;
    }
    const out = js`s[${FLAGS}] = (s[${FLAGS}] & ${~ALL}) | fr; s[${FLAGS_LAZY}] = 0; fmask = 0;`;
    if (this.fovMaybe) {
      out.push(...js`fov = -1;`);
      this.fovMaybe = false;
    }
    this.prod = { op: FCMP, size: 0 };
    return out;
  }

  private genCmov(x: Instr, gi: number): Node[] {
    const { pre, test } = this.condExpr(x.cond);
    const o0 = x.o0, o1 = x.o1;
    const size = x.osize;
    const out: Node[] = [...pre];
    let v: Node, vh: Node;
    if (o1.kind === OpKind.Mem) {
      out.push(...this.addr(x, o1, gi, 'tR', size), ...this.load(size, false));
      v = id('m');
      vh = id('mh');
    } else {
      v = id(rLo(o1.reg));
      vh = id(rHi(o1.reg));
    }
    if (size === 8) out.push(ifStmt(test, js`${rLo(o0.reg)} = ${v}; ${rHi(o0.reg)} = ${vh};`));
    else out.push(ifStmt(test, js`${rLo(o0.reg)} = ${v};`), ...js`${rHi(o0.reg)} = 0;`);
    return out;
  }

  private genSetcc(x: Instr, gi: number): Node[] {
    const { pre, test } = this.condExpr(x.cond);
    const out: Node[] = [...pre, ...js`t = ${test} ? 1 : 0;`];
    if (x.o0.kind === OpKind.Mem) {
      out.push(...this.addr(x, x.o0, gi, 'tW', 1), ...this.store(1, id('t'), lit(0)), ...this.storeCheck(gi, x));
    } else out.push(...this.setReg(x.o0, 1, id('t'), lit(0)));
    return out;
  }

  // ---- block terminators ------------------------------------------------------------------------------------

  private genTerminator(rb: RegionBlock, x: Instr, gi: number, retired: number): Node[] | undefined {
    if (x.bits !== 64) return undefined;
    const next = this.starts[gi] + x.len;
    if (x.cond >= 0 && MN_NAMES[x.op].startsWith('J') && x.o0.kind === OpKind.Rel) {
      this.templated++;
      const target = next + x.o0.disp;
      const { pre, test } = this.condExpr(x.cond);
      const taken = this.gotoDelta(target, retired, target <= this.starts[gi]);
      const fall = this.gotoDelta(next, retired, false);
      return [...pre, ifStmt(test, taken), ...fall];
    }
    if (x.op === Mn.JMP && x.o0.kind === OpKind.Rel) {
      this.templated++;
      const target = next + x.o0.disp;
      return this.gotoDelta(target, retired, target <= this.starts[gi]);
    }
    if (x.op === Mn.CALL && x.o0.kind === OpKind.Rel && x.osize === 8) {
      this.templated++;
      const target = next + x.o0.disp;
      return [
        ...this.stackAddr(gi, -8, 'tW'),
        ...js`t = ip0 + ${next}; u = t | 0; uh = Math.floor(t / 4294967296) | 0;`,
        ...this.store(8, id('u'), id('uh')),
        ...this.rspAdd(-8),
        ...js`if (chk !== 0) { chk = 0; if (s[${PENDING}] !== 0) { ${this.exitTo(target, retired)} } }`,
        ...this.gotoDelta(target, retired, target <= this.starts[gi]),
      ];
    }
    if (x.op === Mn.RET && x.nops === 0 && x.osize === 8) {
      this.templated++;
      void rb;
      return [
        ...this.stackAddr(gi, 0, 'tR'),
        ...this.load(8, false),
        ...js`t = mh * 4294967296 + (m >>> 0);`,
        // A non-canonical return address faults on the RET itself (#GP(0)); let the interpreter do it.
        ...js`if (t < -140737488355328 || t >= 140737488355328) { ${this.genFallbackTail(gi)} }`,
        ...this.rspAdd(8),
        ...this.returnSites(retired),
        ...this.exitTo(id('t') as Node, retired),
      ];
    }
    return undefined;
  }

  /** A RET whose target is a call's return site inside the region stays in the region (recursion, helpers). */
  private returnSites(retired: number): Node[] {
    const sites: number[] = [];
    for (const rb of this.region.blocks) {
      const last = rb.block.instrs[rb.block.instrs.length - 1];
      if (last.op !== Mn.CALL) continue;
      const d = rb.delta + rb.block.length;
      if (this.region.byOff.has(this.region.entry.ramOff + d) && !sites.includes(d)) sites.push(d);
    }
    if (sites.length === 0) return [];
    const out: Node[] = [...js`u = t - ip0;`];
    for (const d of sites) out.push(ifStmt(expr`u === ${d}`, this.gotoDelta(d, retired, true)));
    return out;
  }

  private genFallbackTail(gi: number): Node[] {
    const x = this.instrs[gi];
    const retired = gi - this.blockFirst(gi) + 1;
    return [
      ...this.writeback(),
      ...this.flushFlags(),
      ...js`f[${RIP_F}] = ip0 + ${this.starts[gi] + x.len}; cur = ${gi}; H[${gi}](cpu, I[${gi}]); return n + ${retired};`,
    ];
  }
}

export { FLAGS };
