// Reference interpreter: decodes straight-line blocks once (cached by physical address and mode) and runs each
// instruction's handler (SDM Vol. 2 semantics live in the per-family modules that register handlers here).
import { S } from './slots.js';
import { Instr, DecodeError, OpKind, RegClass } from '../decoder/instr.js';
import { Mn } from '../decoder/tables.gen.js';
import { Block, CodeCache, Handler } from '../cache/code-cache.js';
import { Cpu, Access } from '../../machine/cpu/cpu.js';
import { CpuFault, Vec } from '../../machine/cpu/fault.js';
import { HIGH_RAM_BASE } from '../../machine/memory/phys.js';
import { IBlock, compileBlock } from './fast-ops.js';
import { execFast } from './fast-exec.js';
import { trainFastExec } from './fast-train.js';
import { SEG_BASE_F, Pending, Flag } from '../../machine/cpu/state.js';

export type DecodeFn = (buf: Uint8Array, off: number, end: number, bits: 16 | 32 | 64, out?: Instr) => Instr;

/** Per-mnemonic handler table and the "ends a block" bit, filled by the family modules through defineOp. */
export const handlers: Handler[] = [];
const endsBlock: boolean[] = [];

/** Picks the handler for one decoded instruction (e.g. specialised by operand shape); runs once per decode. */
export type Prepare = (ins: Instr) => Handler;
const prepares: (Prepare | undefined)[] = [];

export interface OpOptions {
  /** The instruction may change control flow, CS, the mode, paging, or interrupt state: end the block after it. */
  endsBlock?: boolean;
  /** Optional specialiser; `h` stays the generic handler (used by anyone calling handlers[op] directly). */
  prepare?: Prepare;
}

export function defineOp(op: number, h: Handler, opts: OpOptions = {}): void {
  handlers[op] = h;
  endsBlock[op] = opts.endsBlock === true;
  prepares[op] = opts.prepare;
}

/**
 * Handlers for individual decoder forms (rows of x86.def), taking precedence over the mnemonic's handler: MOV to/from
 * segment, control and debug registers and PUSH/POP Sreg share their mnemonic with the integer forms but are system
 * instructions (jit/interp/sys).
 */
const formHandlers: (Handler | undefined)[] = [];
const formEndsBlock: boolean[] = [];

export function defineForm(form: number, h: Handler, opts: OpOptions = {}): void {
  formHandlers[form] = h;
  formEndsBlock[form] = opts.endsBlock === true;
}

/**
 * The handler bound to a decoded instruction (form override first, then the mnemonic's, specialised by its prepare
 * step when it has one); undefined if none.
 */
export function handlerFor(ins: Instr): Handler | undefined {
  const f = formHandlers[ins.form];
  if (f !== undefined) return f;
  const p = prepares[ins.op];
  return p !== undefined ? p(ins) : handlers[ins.op];
}

/** Whether a decoded instruction ends its block. */
export function endsBlockFor(ins: Instr): boolean {
  return endsBlock[ins.op] === true || formEndsBlock[ins.form] === true;
}

export function isDefined(op: number): boolean {
  return handlers[op] !== undefined;
}

/**
 * System behaviour the interpreter defers to (implemented by machine/cpu system code): delivering an exception,
 * and servicing PENDING requests (interrupt acceptance, INIT/SIPI, stop).
 */
export interface SystemHooks {
  /** Deliver a fault raised by the instruction that started at the current RIP (RIP already points at it). */
  deliverFault(cpu: Cpu, fault: CpuFault): void;
  /** Service PENDING bits; return false to make the interpreter return to its caller (stop requested). */
  servicePending(cpu: Cpu): boolean;
}

const MAX_BLOCK_INSTRS = 64;
const ALL_SYNC: number[] = new Array(MAX_BLOCK_INSTRS).fill(1);
const FETCH = new Uint8Array(32);

function unimplemented(cpu: Cpu, ins: Instr): void {
  void ins;
  throw new CpuFault(Vec.UD, -1, 'no interpreter handler');
}

export class Interpreter {
  /** Guest instructions retired by this interpreter (all vCPUs). */
  retired = 0;
  /** Of `retired`, the instructions retired inside translated (JIT) code: the per-tier split for statistics. */
  jitRetired = 0;
  /** Optional hook to tier up hot blocks (the JIT). Called when block.count crosses the threshold. */
  onHot: ((cpu: Cpu, b: Block) => void) | undefined;
  hotThreshold = Infinity;
  /** Count hotness in instructions (executions x block length) instead of block executions. */
  hotWeighted = false;
  /** Run blocks through their compact programs (fast-exec.ts); false: one handler call per instruction (tests). */
  fastPath = true;
  private trained = false;

  constructor(
    readonly cache: CodeCache,
    readonly decode: DecodeFn,
    readonly sys: SystemHooks,
  ) {}

  /** The block returned by the previous lookup (its `next` caches the block that followed it). */
  private last: Block | undefined = undefined;

  /** Linear address of the current instruction. */
  static ripLinear(cpu: Cpu): number {
    const rip = cpu.f64[S.RIP_F];
    return cpu.i32[S.CODE_BITS] === 64 ? rip : (cpu.f64[SEG_BASE_F(1)] + rip) % 4294967296;
  }

  /** Find or build the block at the current RIP. Faults (#PF on fetch, #UD) are raised as CpuFault. */
  lookup(cpu: Cpu): Block {
    const lin = Interpreter.ripLinear(cpu);
    const page = Math.floor(lin / 4096);
    const i = page & S.TLB_MASK;
    let ramOff: number;
    if (cpu.tagX[i] === page) ramOff = cpu.toff[i] + (lin & 0xfff);
    else {
      const pa = cpu.mmu.translate(cpu, lin, Access.Exec, false);
      ramOff = cpu.phys.ramOffset(pa);
      if (ramOff < 0) throw new CpuFault(Vec.GP, 0, `execution from non-RAM physical address 0x${pa.toString(16)}`);
    }
    const bits = cpu.i32[S.CODE_BITS];
    // Successor cache: loops and straight-line code find their next block without a Map lookup.
    const p = this.last;
    if (p !== undefined) {
      const n = p.next;
      if (n !== undefined && n.ramOff === ramOff && n.bits === bits && n.valid) {
        this.last = n;
        return n;
      }
    }
    const b = this.cache.get(ramOff, bits) ?? this.build(cpu, lin, ramOff, bits as 16 | 32 | 64);
    if (p !== undefined) p.next = b;
    this.last = b;
    return b;
  }

  private build(cpu: Cpu, lin: number, ramOff: number, bits: 16 | 32 | 64): Block {
    const phys = ramOff < cpu.phys.lowSize ? ramOff : ramOff - cpu.phys.lowSize + HIGH_RAM_BASE;
    const b = new IBlock(phys, ramOff, bits);
    const ram = cpu.ram;
    const pageEnd = (ramOff & ~0xfff) + 0x1000;
    let off = ramOff;
    while (b.instrs.length < MAX_BLOCK_INSTRS) {
      let ins: Instr;
      const avail = pageEnd - off;
      try {
        ins = this.decode(ram, off, Math.min(off + 15, pageEnd), bits);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        if (e.kind === 'truncated' && avail < 15) {
          // The instruction continues on the next page: fetch through the MMU (this may #PF, correctly).
          if (b.instrs.length > 0) break; // end the block here; the straddler starts the next one
          ins = this.decodeStraddling(cpu, lin, off - ramOff, avail, bits);
          this.append(b, ins);
          break;
        }
        if (b.instrs.length > 0) break; // let the bad instruction be the first of its own block: precise #UD
        throw new CpuFault(Vec.UD, -1, `${e.kind} instruction: ${hex(e.bytes)}`);
      }
      this.append(b, ins);
      off += ins.len;
      if (endsBlockFor(ins) || off >= pageEnd) break;
    }
    b.length = b.ends[b.ends.length - 1];
    compileBlock(b);
    this.cache.insert(b);
    return b;
  }

  /**
   * The block starting at a RAM offset (decoded and cached if needed) for the translator's region builder, or
   * undefined when it would need a fetch across the page (those stay with the interpreter).
   */
  blockAtRam(cpu: Cpu, ramOff: number, bits: 16 | 32 | 64): Block | undefined {
    const hit = this.cache.get(ramOff, bits);
    if (hit !== undefined) return hit;
    try {
      const pageEnd = (ramOff & ~0xfff) + 0x1000;
      this.decode(cpu.ram, ramOff, Math.min(ramOff + 15, pageEnd), bits);
    } catch {
      return undefined;
    }
    return this.build(cpu, NaN, ramOff, bits);
  }

  private decodeStraddling(cpu: Cpu, lin: number, delta: number, avail: number, bits: 16 | 32 | 64): Instr {
    const start = lin + delta;
    for (let k = 0; k < 15; k++) {
      const a = start + k;
      const pa = cpu.mmu.translate(cpu, a, Access.Exec, false);
      FETCH[k] = cpu.physRead(pa, 1);
      // Only fetch into the next page as far as the decoder needs: retry after each byte past the boundary.
      if (k >= avail - 1) {
        try {
          return this.decode(FETCH, 0, k + 1, bits);
        } catch (e) {
          if (!(e instanceof DecodeError) || e.kind !== 'truncated') {
            throw new CpuFault(Vec.UD, -1, e instanceof DecodeError ? `invalid instruction: ${hex(e.bytes)}` : String(e));
          }
        }
      }
    }
    throw new CpuFault(Vec.UD, -1, `instruction longer than 15 bytes: ${hex(FETCH.subarray(0, 15))}`);
  }

  private append(b: Block, ins: Instr): void {
    b.instrs.push(ins);
    b.handlers.push(handlerFor(ins) ?? unimplemented);
    b.ends.push((b.ends.length > 0 ? b.ends[b.ends.length - 1] : 0) + ins.len);
    b.sync.push(registerOnly(ins) ? 0 : 1);
  }

  /**
   * Run up to `budget` instructions (stops early at HLT, a stop request, or a block boundary after the budget).
   * Returns the number of instructions retired.
   */
  run(cpu: Cpu, budget: number): number {
    // Just before the first guest instruction (not at construction: V8 may flush the feedback of a function left
    // unused while a machine loads).
    if (this.fastPath && !this.trained) {
      this.trained = true;
      trainFastExec();
    }
    const s = cpu.i32;
    const f = cpu.f64;
    let done = 0;
    while (done < budget) {
      if (s[S.PENDING] !== 0) {
        s[S.PENDING] &= ~Pending.Smc;
        if (s[S.PENDING] !== 0 && !this.sys.servicePending(cpu)) break;
      }
      if (s[S.HALTED] !== 0) break;
      let b: Block;
      try {
        b = this.lookup(cpu);
      } catch (e) {
        if (!(e instanceof CpuFault)) throw e;
        this.sys.deliverFault(cpu, e);
        continue;
      }
      // Single-stepping (TF) needs the interpreter's instruction-by-instruction boundaries.
      if (b.compiled !== undefined && (s[S.FLAGS] & Flag.TF) === 0) {
        const n = b.compiled(cpu, budget - done, b.entry);
        done += n;
        this.jitRetired += n;
        const jf = cpu.jitFault;
        if (jf !== undefined) {
          cpu.jitFault = undefined;
          this.sys.deliverFault(cpu, jf);
        }
        continue;
      }
      if (++b.count * (this.hotWeighted ? b.instrs.length : 1) >= this.hotThreshold && this.onHot !== undefined) this.onHot(cpu, b);
      done += this.exec(cpu, b, budget - done);
    }
    this.retired += done;
    f[S.ICOUNT_F] += done;
    return done;
  }

  /**
   * Interpret one block; returns instructions retired (a faulting instruction does not count). A block that jumps
   * back to its own start (a tight loop) is re-run here, without a lookup, while fewer than `budget` instructions
   * have retired, nothing is PENDING and the block is still valid in the current mode.
   */
  exec(cpu: Cpu, b: Block, budget = 0): number {
    // Single-stepping needs every instruction boundary: the handler-per-instruction loop below does that.
    if (this.fastPath && (cpu.i32[S.FLAGS] & Flag.TF) === 0 && b instanceof IBlock) return execFast(cpu, b, budget, this.sys);
    return this.execStep(cpu, b, budget);
  }

  /** Interpret one block with one handler call per instruction (exec's contract; the reference for execFast). */
  execStep(cpu: Cpu, b: Block, budget = 0): number {
    const s = cpu.i32;
    const f = cpu.f64;
    const ip0 = f[S.RIP_F];
    const n = b.instrs.length;
    const hs = b.handlers;
    const is = b.instrs;
    const ends = b.ends;
    // Single-stepping needs every instruction boundary.
    const sync = (s[S.FLAGS] & Flag.TF) !== 0 ? ALL_SYNC : b.sync;
    cpu.currentBlock = b;
    let done = 0;
    let i = 0;
    try {
      for (;;) {
        for (i = 0; i < n; i++) {
          if (sync[i] === 0) {
            // Register-only integer work: it reads no RIP and raises nothing, so skip the bookkeeping.
            hs[i](cpu, is[i]);
            continue;
          }
          f[S.RIP_F] = ip0 + ends[i];
          hs[i](cpu, is[i]);
          if (s[S.PENDING] !== 0) {
            i++;
            break;
          }
        }
        if (i === n && sync[n - 1] === 0) f[S.RIP_F] = ip0 + ends[n - 1];
        done += i;
        if (i !== n || f[S.RIP_F] !== ip0 || done >= budget || s[S.PENDING] !== 0 || !b.valid || s[S.CODE_BITS] !== b.bits) break;
        b.count++;
      }
    } catch (e) {
      cpu.currentBlock = undefined;
      if (!(e instanceof CpuFault)) throw e;
      f[S.RIP_F] = i === 0 ? ip0 : ip0 + ends[i - 1];
      this.sys.deliverFault(cpu, e);
      return done + i;
    }
    cpu.currentBlock = undefined;
    return done;
  }
}

// Register-only integer instructions: no memory operand, no control transfer, no implicit system effects.
const REGISTER_ONLY = new Set<number>([
  Mn.ADD, Mn.ADC, Mn.SUB, Mn.SBB, Mn.AND, Mn.OR, Mn.XOR, Mn.CMP, Mn.TEST, Mn.INC, Mn.DEC, Mn.NEG, Mn.NOT, Mn.MOV,
  Mn.MOVZX, Mn.MOVSX, Mn.MOVSXD, Mn.LEA, Mn.SHL, Mn.SAL, Mn.SHR, Mn.SAR, Mn.ROL, Mn.ROR, Mn.IMUL, Mn.XCHG,
  Mn.CDQ, Mn.CDQE, Mn.CQO, Mn.CWDE, Mn.BSWAP, Mn.NOP, Mn.CMOVA, Mn.CMOVAE, Mn.CMOVB, Mn.CMOVBE, Mn.CMOVE,
  Mn.CMOVG, Mn.CMOVGE, Mn.CMOVL, Mn.CMOVLE, Mn.CMOVNE, Mn.CMOVNO, Mn.CMOVNP, Mn.CMOVNS, Mn.CMOVO, Mn.CMOVP,
  Mn.CMOVS, Mn.SETA, Mn.SETAE, Mn.SETB, Mn.SETBE, Mn.SETE, Mn.SETG, Mn.SETGE, Mn.SETL, Mn.SETLE, Mn.SETNE,
  Mn.SETNO, Mn.SETNP, Mn.SETNS, Mn.SETO, Mn.SETP, Mn.SETS, Mn.BT, Mn.BSF, Mn.BSR, Mn.POPCNT, Mn.LZCNT, Mn.TZCNT,
]);

function registerOnly(ins: Instr): boolean {
  if (!REGISTER_ONLY.has(ins.op)) return false;
  for (const o of [ins.o0, ins.o1, ins.o2]) {
    if (o.kind === OpKind.Mem) return false;
    if (o.kind === OpKind.Reg && o.rc !== RegClass.Gpr && o.rc !== RegClass.Gpr8Hi) return false; // MOV Sreg etc.
  }
  return true;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
