// SSE/SSE2 templates for the translator (SDM Vol. 2 instruction pages; Vol. 1 §11.5 SIMD floating-point exceptions,
// §11.6.7 alignment of legacy m128 operands), mirrored from the interpreter (jit/interp/sse/*), which stays the
// reference and the slow path of every template.
//
// Integer lane work runs as int32 statements on the registers' int32 lanes (locals, or the state buffer `s`), exact
// in every MXCSR state. Double work runs on float64 lanes (locals, or the Float64Array view `f`) while MXCSR is in
// its usual state (round to nearest, no DAZ/FTZ, every exception masked, PE already set) and the inputs and result
// are such that IEEE arithmetic in JS raises no new flag and gives the same bits (no NaN result, no denormal input,
// no overflow, no underflow). Moves of double data use the double view too, so a following double read does not
// straddle two int32 stores. Any other case (a TLB miss, a page-crossing or misaligned operand, a NaN, CR0/CR4
// disabling SSE) calls the interpreter's handler, which does all checks and faults before writing anything.
import { parse } from 'acorn';
import { Instr, Operand, OpKind, RegClass, REG_NONE } from '../decoder/instr.js';
import { Mn, MN_NAMES } from '../decoder/tables.gen.js';
import { CR0, CR4, FLAGS, MXCSR, XMM_BYTE } from '../../machine/cpu/state.js';
import { Node, id, ifStmt } from './estree.js';

/** What the SSE templates need from the region code generator. */
export interface SseHost {
  /** `cur = gi;` and the TLB test of a `size`-byte access to `o` against `tag`: hit, pb (RAM offset), ea (codegen.ts addr()). */
  addr(x: Instr, o: Operand, gi: number, tag: 'tR' | 'tW', size: number): Node[];
  /**
   * The interpreter's handler for instruction gi with the registers it touches synchronised; `xmm`: the XMM registers
   * it reads (stored before) and writes (reloaded after), when narrower than all its XMM operands.
   */
  callHandler(x: Instr, gi: number, xmm?: XmmIO): Node[];
  /** After a store that may have gone through the slow path (chk = 1): leave if it raised PENDING (code write). */
  storeCheck(gi: number, x: Instr): Node[];
  /** Where each XMM register lives in this region (planXmm). */
  xmode: Uint8Array;
  /**
   * (U)COMISD: statements making `fr` (ZF|PF|CF bits, OF SF AF clear) the arithmetic flags, and the compile-time
   * producer for fused consumers; undefined when the flags are dead. Called after callHandler.
   */
  fcmpFlags(gi: number): Node[] | undefined;
  /**
   * Float64 lane locals (`xdR_K`) known to hold no denormal at this point of the block: the double templates skip
   * their input check for them. The generator empties it at block starts and after fallbacks that write XMM.
   */
  clean: Set<string>;
  /** Leave the region after instruction gi (its handler has run): RIP = the next instruction. */
  exitAfter(gi: number): Node[];
}

/**
 * Region-local declarations, after the XMM locals: the SSE usability flag and `fpok` (both re-read after full
 * fallbacks; fpok also checks the invariant lanes `inv`), and lane temporaries.
 */
export function sseDecls(instrs: Instr[], inv: string[]): Node[] {
  const out = raw(`let sse = (s[${CR0}] & 12) === 0 && (s[${CR4}] & 512) !== 0;`);
  if (instrs.some((x) => SSE_FAST.has(x.op))) {
    out.push(...raw(`let fpok = ${fpState(inv)};`), ...raw('let va0 = 0, va1 = 0, va2 = 0, va3 = 0, vb0 = 0, vb1 = 0, vb2 = 0, vb3 = 0;'));
  }
  return out;
}

// ---- instruction sets -----------------------------------------------------------------------------------------

const SCALAR_ARITH = [Mn.ADDSD, Mn.SUBSD, Mn.MULSD, Mn.DIVSD, Mn.SQRTSD, Mn.MINSD, Mn.MAXSD];
const PACKED_ARITH = [Mn.ADDPD, Mn.SUBPD, Mn.MULPD, Mn.DIVPD];
const MOVES128 = [Mn.MOVAPD, Mn.MOVAPS, Mn.MOVUPD, Mn.MOVUPS, Mn.MOVDQA, Mn.MOVDQU];
/** Lane-wise integer and logic operations: xmm, xmm/m128 (aligned). */
const LANEWISE = [
  Mn.POR, Mn.PAND, Mn.PANDN, Mn.PXOR, Mn.ORPD, Mn.ORPS, Mn.ANDPD, Mn.ANDPS, Mn.ANDNPD, Mn.ANDNPS, Mn.XORPD, Mn.XORPS,
  Mn.PADDB, Mn.PADDW, Mn.PADDD, Mn.PADDQ, Mn.PSUBB, Mn.PSUBW, Mn.PSUBD, Mn.PSUBQ,
  Mn.PCMPEQB, Mn.PCMPEQW, Mn.PCMPEQD, Mn.PCMPGTD,
];
/** Lane permutations and packs: xmm, xmm/m128 (aligned), some with an imm8. */
const PERMUTE = [
  Mn.PUNPCKLBW, Mn.PUNPCKHBW, Mn.PUNPCKLWD, Mn.PUNPCKHWD, Mn.PUNPCKLDQ, Mn.PUNPCKHDQ, Mn.PUNPCKLQDQ, Mn.PUNPCKHQDQ,
  Mn.UNPCKLPS, Mn.UNPCKHPS, Mn.UNPCKLPD, Mn.UNPCKHPD, Mn.PACKUSWB, Mn.PACKSSWB, Mn.PACKSSDW,
  Mn.PSHUFD, Mn.PSHUFLW, Mn.PSHUFHW, Mn.SHUFPS, Mn.SHUFPD,
];
const IMM_OPS = new Set<number>([Mn.PSHUFD, Mn.PSHUFLW, Mn.PSHUFHW, Mn.SHUFPS, Mn.SHUFPD]);
/** Shifts by an immediate: xmm, imm8. */
const SHIFTS = [Mn.PSLLW, Mn.PSLLD, Mn.PSLLQ, Mn.PSRLW, Mn.PSRLD, Mn.PSRLQ, Mn.PSRAW, Mn.PSRAD, Mn.PSLLDQ, Mn.PSRLDQ];
const OTHER = [Mn.MOVSD_X, Mn.MOVD, Mn.MOVQ, Mn.MOVHLPS, Mn.MOVLHPS, Mn.CVTSI2SD, Mn.CVTTSD2SI, Mn.PMOVMSKB, Mn.UCOMISD, Mn.COMISD];

/** SSE instructions with a translator fast path (genSse); all others run through the interpreter. */
export const SSE_FAST = new Set<number>([...SCALAR_ARITH, ...PACKED_ARITH, ...MOVES128, ...LANEWISE, ...PERMUTE, ...SHIFTS, ...OTHER]);
const SET_LANEWISE = new Set<number>(LANEWISE);
const SET_PERMUTE = new Set<number>(PERMUTE);
const SET_SHIFTS = new Set<number>(SHIFTS);

const isX = (o: Operand): boolean => o.kind === OpKind.Reg && o.rc === RegClass.Xmm;
const isG = (o: Operand): boolean => o.kind === OpKind.Reg && o.rc === RegClass.Gpr && (o.size === 4 || o.size === 8);

// ---- XMM registers in locals ------------------------------------------------------------------------------------
//
// Inside a region an XMM register used by templates lives in JS locals, in the view its templates use: two float64
// lanes `xdR_0 xdR_1` (XMode.F: double arithmetic and moves) or four int32 lanes `xiR_0..xiR_3` (XMode.I: integer
// lane work). Invariant: between the prologue and an exit the locals ARE the register; its state-buffer slot is
// stale. The locals are loaded in the prologue and stored back at every exit, in the catch (precise faults), and
// around every interpreter handler call that can touch the register (callHandler: reloaded after). A template that
// needs the other view of a local register (a movd on a double register) goes through the buffer slot: store the
// locals there, use the buffer, reload the locals if the instruction wrote the register. A register used in both
// views by the region's templates stays in the buffer (XMode.Mem), as before. Doubles pass through locals and the
// Float64Array view without arithmetic, so NaN payloads keep their bits.

/** XMM registers an interpreter handler reads and writes. */
export interface XmmIO {
  read: number[];
  written: number[];
}

/** Templated instructions that overwrite their XMM destination without reading it (the loads, PSHUFD). */
const DEST_NOT_READ = new Set<number>([...MOVES128, Mn.MOVD, Mn.MOVQ, Mn.PSHUFD, Mn.PSHUFLW, Mn.PSHUFHW]);

/** What the handler of a templated instruction reads and writes: it writes at most its destination o0. */
function templatedIO(x: Instr): XmmIO {
  const o0 = x.o0, o1 = x.o1;
  const fresh = isX(o0) && (DEST_NOT_READ.has(x.op) || (x.op === Mn.MOVSD_X && !isX(o1)) || isZeroIdiom(x));
  const read: number[] = [];
  if (isX(o0) && !fresh) read.push(o0.reg);
  if (isX(o1) && !read.includes(o1.reg) && !(isZeroIdiom(x))) read.push(o1.reg);
  const compare = x.op === Mn.UCOMISD || x.op === Mn.COMISD;
  return { read, written: isX(o0) && !compare ? [o0.reg] : [] };
}

/** Kill switch for XMM registers in locals (false: every register stays in the state buffer). */
export const XMM_LOCALS = true;
export const enum XMode { Mem = 0, F = 1, I = 2 }

/** BLENDV* read XMM0, PCMPxSTRM write it: implicit operands a fallback must synchronise. */
const IMPLICIT_XMM0 = new Set<number>([Mn.BLENDVPD, Mn.BLENDVPS, Mn.PBLENDVB, Mn.PCMPESTRM, Mn.PCMPISTRM]);

/** XMM registers the handler of x can read or write, when its effects are confined to explicit operands. */
export function xmmOperands(x: Instr): number[] {
  const out: number[] = [];
  for (const o of [x.o0, x.o1, x.o2, x.o3].slice(0, x.nops)) if (isX(o) && !out.includes(o.reg)) out.push(o.reg);
  if (IMPLICIT_XMM0.has(x.op) && !out.includes(0)) out.push(0);
  return out;
}

/**
 * The view each XMM operand of a templated instruction is accessed in: strong uses fix the register's mode, weak ones
 * (moves, zeroing idioms, which adapt to the registers' modes) only decide for a register that has no strong use.
 */
function xmmUses(x: Instr, vote: (reg: number, view: XMode, strong: boolean) => void): void {
  const o0 = x.o0, o1 = x.o1;
  const both = (view: XMode, strong: boolean): void => {
    if (isX(o0)) vote(o0.reg, view, strong);
    if (isX(o1)) vote(o1.reg, view, strong);
  };
  if (SET_LANEWISE.has(x.op)) {
    if (isZeroIdiom(x)) vote(o0.reg, x.op === Mn.XORPD || x.op === Mn.XORPS || x.op === Mn.ANDNPD || x.op === Mn.ANDNPS ? XMode.F : XMode.I, false);
    else both(XMode.I, true);
    return;
  }
  if (SET_PERMUTE.has(x.op)) {
    both(isX(o1) && (x.op === Mn.UNPCKLPD || x.op === Mn.UNPCKHPD) ? XMode.F : XMode.I, true);
    return;
  }
  if (SET_SHIFTS.has(x.op)) return both(XMode.I, true);
  switch (x.op) {
    case Mn.MOVAPD: case Mn.MOVAPS: case Mn.MOVUPD: case Mn.MOVUPS:
      return both(XMode.F, false);
    case Mn.MOVDQA: case Mn.MOVDQU:
      return both(XMode.I, false);
    case Mn.MOVHLPS: case Mn.MOVLHPS:
      return both(XMode.F, false);
    case Mn.MOVD: case Mn.MOVQ:
      // movq between XMM registers and to/from memory adapts; with a GPR (or 32 bits) it is int32 lanes.
      if (x.op === Mn.MOVQ && (!isG(o0) && !isG(o1))) return both(XMode.I, false);
      return both(XMode.I, true);
    case Mn.PMOVMSKB:
      return both(XMode.I, true);
    default: // scalar/packed double arithmetic, MOVSD, CVTSI2SD, CVTTSD2SI
      return both(XMode.F, true);
  }
}

/** Mode of each XMM register in a region whose templated SSE instructions are `templated`. */
export function planXmm(templated: Instr[]): Uint8Array {
  const mode = new Uint8Array(16);
  if (!XMM_LOCALS) return mode;
  const strong = new Uint8Array(16), weakF = new Uint16Array(16), weakI = new Uint16Array(16);
  for (const x of templated) {
    xmmUses(x, (r, view, isStrong) => {
      if (isStrong) strong[r] |= view;
      else if (view === XMode.F) weakF[r]++;
      else weakI[r]++;
    });
  }
  for (let r = 0; r < 16; r++) {
    if (strong[r] === XMode.F || strong[r] === XMode.I) mode[r] = strong[r];
    else if (strong[r] === 0 && weakF[r] + weakI[r] > 0) mode[r] = weakF[r] >= weakI[r] ? XMode.F : XMode.I;
  }
  return mode;
}

const xd = (r: number, k: number): string => `xd${r}_${k}`;
const xi = (r: number, k: number): string => `xi${r}_${k}`;

/** `let` declarations loading the region's XMM locals from the state buffer (prologue). */
export function xmmDecls(mode: Uint8Array): Node[] {
  const names: string[] = [];
  for (let r = 0; r < 16; r++) {
    if (mode[r] === XMode.F) names.push(`${xd(r, 0)} = f[${F64(r)}]`, `${xd(r, 1)} = f[${F64(r) + 1}]`);
    else if (mode[r] === XMode.I) for (let k = 0; k < 4; k++) names.push(`${xi(r, k)} = s[${I32(r) + k}]`);
  }
  return names.length === 0 ? [] : raw(`let ${names.join(', ')};`);
}

/** Store the locals of XMM registers `regs` (all when undefined) into the state buffer. */
export function xmmStore(mode: Uint8Array, regs?: number[]): Node[] {
  let src = '';
  for (const r of regs ?? ALL_XMM) {
    if (mode[r] === XMode.F) src += `f[${F64(r)}] = ${xd(r, 0)}; f[${F64(r) + 1}] = ${xd(r, 1)}; `;
    else if (mode[r] === XMode.I) for (let k = 0; k < 4; k++) src += `s[${I32(r) + k}] = ${xi(r, k)}; `;
  }
  return src === '' ? [] : raw(src);
}

/** Reload the locals of XMM registers `regs` (all when undefined) from the state buffer. */
export function xmmLoad(mode: Uint8Array, regs?: number[]): Node[] {
  let src = '';
  for (const r of regs ?? ALL_XMM) {
    if (mode[r] === XMode.F) src += `${xd(r, 0)} = f[${F64(r)}]; ${xd(r, 1)} = f[${F64(r) + 1}]; `;
    else if (mode[r] === XMode.I) for (let k = 0; k < 4; k++) src += `${xi(r, k)} = s[${I32(r) + k}]; `;
  }
  return src === '' ? [] : raw(src);
}
const ALL_XMM = Array.from({ length: 16 }, (_, r) => r);

const ZERO_IDIOMS = new Set<number>([Mn.PXOR, Mn.XORPD, Mn.XORPS, Mn.PSUBD, Mn.PSUBQ, Mn.PSUBB, Mn.PSUBW, Mn.PANDN, Mn.ANDNPD, Mn.ANDNPS]);
/** `pxor x, x` and friends: the result is zero whatever the register held. */
function isZeroIdiom(x: Instr): boolean {
  return isX(x.o1) && x.o1.reg === x.o0.reg && ZERO_IDIOMS.has(x.op);
}

/** Whether genSse handles this form (64-bit addressing, XMM/GPR operands only). */
export function sseFastOk(x: Instr): boolean {
  const isM = (o: Operand, size: number): boolean => o.kind === OpKind.Mem && o.size === size && x.asize === 8 &&
    o.dispHi === (o.disp < 0 && o.base === REG_NONE && o.index === REG_NONE ? -1 : 0);
  const o0 = x.o0, o1 = x.o1;
  const xm = (size: number): boolean => isX(o0) && (isX(o1) || isM(o1, size));
  switch (x.op) {
    case Mn.ADDSD: case Mn.SUBSD: case Mn.MULSD: case Mn.DIVSD: case Mn.SQRTSD: case Mn.MINSD: case Mn.MAXSD:
    case Mn.UCOMISD: case Mn.COMISD:
      return xm(8);
    case Mn.ADDPD: case Mn.SUBPD: case Mn.MULPD: case Mn.DIVPD:
      return xm(16);
    case Mn.MOVSD_X:
      return xm(8) || (isM(o0, 8) && isX(o1));
    case Mn.MOVAPD: case Mn.MOVAPS: case Mn.MOVUPD: case Mn.MOVUPS: case Mn.MOVDQA: case Mn.MOVDQU:
      return xm(16) || (isM(o0, 16) && isX(o1));
    case Mn.MOVD: case Mn.MOVQ: {
      const size = x.op === Mn.MOVD ? 4 : 8;
      if (isX(o0)) return (isG(o1) && o1.size === size) || isM(o1, size) || (size === 8 && isX(o1));
      if (isX(o1)) return (isG(o0) && o0.size === size) || isM(o0, size);
      return false;
    }
    case Mn.MOVHLPS: case Mn.MOVLHPS:
      return isX(o0) && isX(o1);
    case Mn.CVTSI2SD:
      return isX(o0) && (isG(o1) || isM(o1, 4) || isM(o1, 8));
    case Mn.CVTTSD2SI:
      return isG(o0) && (isX(o1) || isM(o1, 8));
    case Mn.PMOVMSKB:
      return isG(o0) && isX(o1);
    default:
      if (SET_SHIFTS.has(x.op)) return isX(o0) && o1.kind === OpKind.Imm;
      if (IMM_OPS.has(x.op)) return xm(16) && x.o2.kind === OpKind.Imm;
      return xm(16);
  }
}

// ---- source text -> ESTree --------------------------------------------------------------------------------------

const shapes = new Map<string, Node[]>();
const NUM = /(?<![\w.$])(?:0x[0-9a-f]+|\d+(?:\.\d+)?(?:e[-+]?\d+)?)/gi;

/**
 * Statements from generated source text. Numbers (register slots, lane indices, shift counts) are lifted out first,
 * so acorn parses each template shape once; an instance is a copy with the numbers put back as literals.
 */
function raw(src: string): Node[] {
  const nums: number[] = [];
  const key = src.replace(NUM, (m) => `$${nums.push(Number(m)) - 1}`);
  let p = shapes.get(key);
  if (p === undefined) {
    p = (parse(key, { ecmaVersion: 2022, sourceType: 'script', allowReturnOutsideFunction: true }) as unknown as Node).body as Node[];
    if (shapes.size > 5000) shapes.clear();
    shapes.set(key, p);
  }
  return p.map((n) => fill(n, nums));
}

function fill(n: any, nums: number[]): any {
  if (Array.isArray(n)) return n.map((x) => fill(x, nums));
  if (n === null || typeof n !== 'object') return n;
  if (n.type === 'Identifier' && n.name.charCodeAt(0) === 36 /* $ */) return { type: 'Literal', value: nums[Number(n.name.slice(1))] };
  const out: any = {};
  for (const k in n) if (k !== 'start' && k !== 'end') out[k] = fill(n[k], nums);
  return out;
}
const rawExpr = (src: string): Node => raw(`(${src});`)[0].expression as Node;

const MIN = '2.2250738585072014e-308';
const MAX = '1.7976931348623157e308';
/**
 * MXCSR in its usual state: RC nearest, no DAZ/FTZ, all exceptions masked, PE set (flags 0-4 free). Held in the
 * local `fpok` (with `sse`): inside a region only handlers of instructions that are not confined to their explicit
 * operands (LDMXCSR, FXRSTOR, XRSTOR) can change the control bits or clear PE, and after those callHandler re-reads
 * both; the other SSE handlers can only set flags, which never turns the guard from true to false.
 */
const FP_GUARD = 'fpok';
const FP_STATE = `sse && (s[${MXCSR}] & 65504) === 8096`;

/**
 * Re-read `sse` (and `fpok` when the region has SSE templates) after a handler that may change CR0, CR4, MXCSR.
 * `inv`: float64 lanes the region never writes (invariantLanes), part of fpok so that templates need not check them.
 */
export function sseRecheck(instrs: Instr[], inv: string[]): Node[] {
  const sse = `sse = (s[${CR0}] & 12) === 0 && (s[${CR4}] & 512) !== 0;`;
  return raw(instrs.some((x) => SSE_FAST.has(x.op)) ? `${sse} fpok = ${fpState(inv)};` : sse);
}

/** FP_STATE, and no denormal in the invariant lanes `inv`. */
function fpState(inv: string[]): string {
  return [FP_STATE, ...inv.map(notDen)].join(' && ');
}

/**
 * Float64 lane locals no instruction of the region can write (only XMM operands are written, and FXRSTOR/XRSTOR
 * write them all): checked once in fpok, they count as clean (SseHost.clean) at every block start.
 */
export function invariantLanes(instrs: Instr[], mode: Uint8Array): string[] {
  const written = new Set<number>();
  for (const x of instrs) {
    const name = MN_NAMES[x.op];
    if (name.startsWith('FXRSTOR') || name.startsWith('XRSTOR')) return [];
    // Templated instructions (and their handlers) write at most the destination; any other may write every XMM operand.
    for (const r of SSE_FAST.has(x.op) ? templatedIO(x).written : xmmOperands(x)) written.add(r);
  }
  const out: string[] = [];
  for (let r = 0; r < 16; r++) if (mode[r] === XMode.F && !written.has(r)) out.push(xd(r, 0), xd(r, 1));
  return out;
}
const I32 = (r: number): number => XMM_BYTE(r) >> 2;
const F64 = (r: number): number => XMM_BYTE(r) >> 3;
/** A double that is zero, normal or infinite (not denormal, not NaN): no DE as an input. */
const notDen = (v: string): string => `(${v} === 0 || Math.abs(${v}) >= ${MIN})`;
const sat = (v: string, lo: number, hi: number): string => `Math.min(Math.max(${v}, ${lo}), ${hi})`;
const wordLo = (l: string): string => `(${l} << 16 >> 16)`;
const wordHi = (l: string): string => `(${l} >> 16)`;

// ---- lane builders ------------------------------------------------------------------------------------------------

/** One of the two 128-bit inputs: A = destination (va*), B = source (vb*); -1 = zero. */
type ByteSpec = Array<[number, number]>;

/** int32 lane expressions assembling result bytes from A/B bytes (runs of adjacent bytes merged). */
function bytePerm(spec: ByteSpec): string[] {
  const out: string[] = [];
  for (let k = 0; k < 4; k++) {
    const parts: string[] = [];
    let j = 0;
    while (j < 4) {
      const [w, bi] = spec[4 * k + j];
      if (w < 0) {
        j++;
        continue;
      }
      let len = 1;
      while (j + len < 4 && spec[4 * k + j + len][0] === w && spec[4 * k + j + len][1] === bi + len && ((bi + len) >> 2) === (bi >> 2)) len++;
      const lane = `${w === 0 ? 'va' : 'vb'}${bi >> 2}`;
      const sh = (bi & 3) * 8, pos = j * 8, bits = len * 8;
      let e = sh === 0 ? lane : `(${lane} >>> ${sh})`;
      if (sh + bits < 32) e = `(${e} & ${2 ** bits - 1})`;
      if (pos > 0) e = `(${e} << ${pos})`;
      parts.push(e);
      j += len;
    }
    out.push(parts.length === 0 ? '0' : `${parts.join(' | ')} | 0`);
  }
  return out;
}

/** Result lanes of a permutation / pack (reads va*, vb*), or undefined. */
function permLanes(op: number, imm: number): string[] | undefined {
  const bytes = (f: (j: number) => [number, number]): string[] => bytePerm(Array.from({ length: 16 }, (_, j) => f(j)));
  const dw = (...l: Array<[number, number]>): string[] => l.map(([w, k]) => `${w === 0 ? 'va' : 'vb'}${k}`);
  switch (op) {
    case Mn.PUNPCKLBW: return bytes((j) => [j & 1, j >> 1]);
    case Mn.PUNPCKHBW: return bytes((j) => [j & 1, 8 + (j >> 1)]);
    case Mn.PUNPCKLWD: return bytes((j) => [(j >> 1) & 1, 2 * (j >> 2) + (j & 1)]);
    case Mn.PUNPCKHWD: return bytes((j) => [(j >> 1) & 1, 8 + 2 * (j >> 2) + (j & 1)]);
    case Mn.PUNPCKLDQ: case Mn.UNPCKLPS: return dw([0, 0], [1, 0], [0, 1], [1, 1]);
    case Mn.PUNPCKHDQ: case Mn.UNPCKHPS: return dw([0, 2], [1, 2], [0, 3], [1, 3]);
    case Mn.PUNPCKLQDQ: case Mn.UNPCKLPD: return dw([0, 0], [0, 1], [1, 0], [1, 1]);
    case Mn.PUNPCKHQDQ: case Mn.UNPCKHPD: return dw([0, 2], [0, 3], [1, 2], [1, 3]);
    case Mn.PSHUFD: return dw([1, imm & 3], [1, (imm >> 2) & 3], [1, (imm >> 4) & 3], [1, (imm >> 6) & 3]);
    case Mn.SHUFPS: return dw([0, imm & 3], [0, (imm >> 2) & 3], [1, (imm >> 4) & 3], [1, (imm >> 6) & 3]);
    case Mn.SHUFPD: {
      const a = 2 * (imm & 1), b = 2 * ((imm >> 1) & 1);
      return dw([0, a], [0, a + 1], [1, b], [1, b + 1]);
    }
    case Mn.PSHUFLW: return bytes((j) => (j < 8 ? [1, 2 * ((imm >> (2 * (j >> 1))) & 3) + (j & 1)] : [1, j]));
    case Mn.PSHUFHW: return bytes((j) => (j < 8 ? [1, j] : [1, 8 + 2 * ((imm >> (2 * ((j - 8) >> 1))) & 3) + (j & 1)]));
    case Mn.PACKSSDW: {
      const p = (a: string, b: string): string => `(${sat(a, -32768, 32767)} & 65535) | (${sat(b, -32768, 32767)} << 16)`;
      return [p('va0', 'va1'), p('va2', 'va3'), p('vb0', 'vb1'), p('vb2', 'vb3')];
    }
    case Mn.PACKSSWB: case Mn.PACKUSWB: {
      const [lo, hi] = op === Mn.PACKUSWB ? [0, 255] : [-128, 127];
      const b = (w: string, sh: number): string => `((${sat(w, lo, hi)} & 255) << ${sh})`;
      const p = (l0: string, l1: string): string =>
        `${b(wordLo(l0), 0)} | ${b(wordHi(l0), 8)} | ${b(wordLo(l1), 16)} | ${b(wordHi(l1), 24)}`;
      return [p('va0', 'va1'), p('va2', 'va3'), p('vb0', 'vb1'), p('vb2', 'vb3')];
    }
    default:
      return undefined;
  }
}

/** Lane k of a lane-wise operation on a (destination lane) and b (source lane), or undefined. */
function laneOp(op: number, a: string, b: string): string | undefined {
  switch (op) {
    case Mn.POR: case Mn.ORPD: case Mn.ORPS: return `${a} | ${b}`;
    case Mn.PAND: case Mn.ANDPD: case Mn.ANDPS: return `${a} & ${b}`;
    case Mn.PANDN: case Mn.ANDNPD: case Mn.ANDNPS: return `~${a} & ${b}`;
    case Mn.PXOR: case Mn.XORPD: case Mn.XORPS: return `${a} ^ ${b}`;
    case Mn.PADDD: return `(${a} + ${b}) | 0`;
    case Mn.PSUBD: return `(${a} - ${b}) | 0`;
    // Packed bytes/words in one int32: add/subtract below the top bit of each element, then fix the top bits.
    case Mn.PADDW: return `((${a} & 0x7fff7fff) + (${b} & 0x7fff7fff)) ^ ((${a} ^ ${b}) & 0x80008000)`;
    case Mn.PADDB: return `((${a} & 0x7f7f7f7f) + (${b} & 0x7f7f7f7f)) ^ ((${a} ^ ${b}) & 0x80808080)`;
    case Mn.PSUBW: return `((${a} | 0x80008000) - (${b} & 0x7fff7fff)) ^ ((${a} ^ ~${b}) & 0x80008000)`;
    case Mn.PSUBB: return `((${a} | 0x80808080) - (${b} & 0x7f7f7f7f)) ^ ((${a} ^ ~${b}) & 0x80808080)`;
    case Mn.PCMPEQD: return `${a} === ${b} ? -1 : 0`;
    case Mn.PCMPGTD: return `${a} > ${b} ? -1 : 0`;
    // Equal elements: x = a ^ b has a zero element; the top bit of ((x & low) + low) | x marks non-zero ones.
    case Mn.PCMPEQW: return `((~((((${a} ^ ${b}) & 0x7fff7fff) + 0x7fff7fff) | (${a} ^ ${b})) & 0x80008000) >>> 15) * 65535 | 0`;
    case Mn.PCMPEQB: return `((~((((${a} ^ ${b}) & 0x7f7f7f7f) + 0x7f7f7f7f) | (${a} ^ ${b})) & 0x80808080) >>> 7) * 255 | 0`;
    default: return undefined;
  }
}

/** Statements shifting the int32 lanes L(0..3) of a register by imm (SDM: counts beyond the width give 0 / sign). */
function shiftStmts(op: number, L: Lane, imm: number): string {
  const each = (f: (l: string) => string): string => [0, 1, 2, 3].map((k) => `${L(k)} = ${f(L(k))};`).join(' ');
  switch (op) {
    case Mn.PSLLD: return imm > 31 ? each(() => '0') : imm === 0 ? '' : each((l) => `${l} << ${imm}`);
    case Mn.PSRLD: return imm > 31 ? each(() => '0') : imm === 0 ? '' : each((l) => `(${l} >>> ${imm}) | 0`);
    case Mn.PSRAD: return imm === 0 ? '' : each((l) => `${l} >> ${Math.min(imm, 31)}`);
    case Mn.PSLLW: return imm > 15 ? each(() => '0') : imm === 0 ? '' : each((l) => `(${l} << ${imm}) & ${((0xffff << imm) & 0xffff) * 0x10001 | 0}`);
    case Mn.PSRLW: return imm > 15 ? each(() => '0') : imm === 0 ? '' : each((l) => `(${l} >>> ${imm}) & ${(0xffff >>> imm) * 0x10001}`);
    case Mn.PSRAW: {
      const c = Math.min(imm, 15);
      return c === 0 ? '' : each((l) => `(((${l} << 16) >> ${16 + c}) & 65535) | ((${l} >> ${16 + c}) << 16)`);
    }
    case Mn.PSLLQ: case Mn.PSRLQ: {
      let out = '';
      for (const k of [0, 2]) {
        const lo = L(k), hi = L(k + 1);
        if (imm > 63) out += `${lo} = 0; ${hi} = 0; `;
        else if (imm === 0) continue;
        else if (op === Mn.PSLLQ) {
          out += imm >= 32 ? `${hi} = ${lo} << ${imm - 32}; ${lo} = 0; ` : `${hi} = (${hi} << ${imm}) | (${lo} >>> ${32 - imm}); ${lo} = ${lo} << ${imm}; `;
        } else {
          out += imm >= 32 ? `${lo} = (${hi} >>> ${imm - 32}) | 0; ${hi} = 0; ` : `${lo} = (${lo} >>> ${imm}) | (${hi} << ${32 - imm}); ${hi} = (${hi} >>> ${imm}) | 0; `;
        }
      }
      return out;
    }
    default: { // PSLLDQ / PSRLDQ: whole-register byte shifts
      const n = Math.min(imm, 16);
      const spec: ByteSpec = Array.from({ length: 16 }, (_, j) => {
        const from = op === Mn.PSLLDQ ? j - n : j + n;
        return from < 0 || from > 15 ? [-1, 0] : [0, from];
      });
      const lanes = bytePerm(spec);
      return `${loadsFor(lanes.join(' '), L)} ${lanes.map((e, k) => `${L(k)} = ${e};`).join(' ')}`;
    }
  }
}

/** An int32 (or float64) lane of a register: a local or a state-buffer element. */
type Lane = (k: number) => string;

/** `vaK = ..` / `vbK = ..` loads for the temporaries an expression text uses (no b: no register B). */
function loadsFor(text: string, a: Lane, b?: Lane): string {
  let out = '';
  for (let k = 0; k < 4; k++) {
    if (text.includes(`va${k}`)) out += `va${k} = ${a(k)}; `;
    if (b !== undefined && text.includes(`vb${k}`)) out += `vb${k} = ${b(k)}; `;
  }
  return out;
}

const load128 = 'vb0 = dv.getInt32(t, true); vb1 = dv.getInt32(t + 4, true); vb2 = dv.getInt32(t + 8, true); vb3 = dv.getInt32(t + 12, true);';

// ---- generator ----------------------------------------------------------------------------------------------------

export function genSse(h: SseHost, x: Instr, gi: number): Node[] {
  const mode = h.xmode;
  // Local registers this template accesses through the buffer in their other view (see the XMM locals invariant).
  const foreign: number[] = [];
  const io = templatedIO(x);
  const cleanOut: string[] = [];
  const body = genSseBody(h, x, gi, cleanOut, {
    F: (r) => (mode[r] === XMode.F ? (k) => xd(r, k) : (mode[r] === XMode.I && !foreign.includes(r) && foreign.push(r), (k) => `f[${F64(r) + k}]`)),
    I: (r) => (mode[r] === XMode.I ? (k) => xi(r, k) : (mode[r] === XMode.F && !foreign.includes(r) && foreign.push(r), (k) => `s[${I32(r) + k}]`)),
    view: (regs, dflt) => {
      for (const r of regs) if (mode[r] !== XMode.Mem) return mode[r] as XMode;
      return dflt;
    },
  }, h.callHandler(x, gi, io));
  // Lanes this instruction wrote lose their status, except those the template vouches for.
  for (const r of io.written) for (const k of [0, 1]) h.clean.delete(xd(r, k));
  for (const lane of cleanOut) if (lane.startsWith('xd')) h.clean.add(lane);
  if (foreign.length === 0) return body;
  const written = foreign.filter((r) => io.written.includes(r));
  return [...xmmStore(mode, foreign), ...body, ...xmmLoad(mode, written)];
}

interface Lanes {
  /** Float64 lanes of register r. */
  F(r: number): Lane;
  /** Int32 lanes of register r. */
  I(r: number): Lane;
  /** The view a flexible instruction (a move) uses: that of the first register held in locals, else dflt. */
  view(regs: number[], dflt: XMode): XMode;
}

/**
 * The template of x; `clean` receives the float64 lanes that hold no denormal afterwards on every path (the double
 * arithmetic's slow path then checks its result and leaves the region when it is denormal).
 */
function genSseBody(h: SseHost, x: Instr, gi: number, clean: string[], V: Lanes, slow: Node[]): Node[] {
  const o0 = x.o0, o1 = x.o1;
  /** The denormal test of temp `v` holding lane `lane` (undefined: from memory), or nothing when the lane is clean. */
  const nd = (lane: string | undefined, v: string): string[] => (lane !== undefined && h.clean.has(lane) ? [] : [notDen(v)]);
  const all = (conds: string[]): string => (conds.length === 0 ? 'true' : conds.join(' && '));
  /** Slow path of double arithmetic: afterwards lane `lane` must hold no denormal, or the region is left. */
  const slowClean = (lanes: string[]): Node[] =>
    [...slow, ifStmt(rawExpr(`!(${lanes.map(notDen).join(' && ')})`), h.exitAfter(gi))];
  /** Copy the status of source lanes to destination lanes (moves between local float64 lanes). */
  const keep = (pairs: [string, string][]): void => {
    for (const [d, src] of pairs) if (h.clean.has(src)) clean.push(d);
  };
  /** Register-only fast path, guarded by `sse` (or a stronger test). */
  const reg = (body: string, test = 'sse'): Node[] => [ifStmt(rawExpr(test), raw(body), slow)];
  /** Memory fast path: TLB hit, inside the page, aligned when required; body sees t = host offset. */
  const mem = (o: Operand, write: boolean, size: number, aligned: boolean, body: string, test = 'sse'): Node[] => [
    ...h.addr(x, o, gi, write ? 'tW' : 'tR', size),
    ifStmt(rawExpr(`${test} && hit${aligned && size === 16 ? ' && (pb & 15) === 0' : ''}`),
      raw(`t = pb; ${body}`), write ? [...slow, ...raw('chk = 1;')] : slow),
    // A store the handler made may have hit translated code or a device: leave if it raised PENDING.
    ...(write ? h.storeCheck(gi, x) : []),
  ];
  const xr = (o: Operand): number[] => (isX(o) ? [o.reg] : []);

  if (SET_LANEWISE.has(x.op)) {
    if (isZeroIdiom(x)) {
      if (V.view([o0.reg], XMode.I) === XMode.F) {
        const D = V.F(o0.reg);
        clean.push(D(0), D(1));
        return reg(`${D(0)} = 0; ${D(1)} = 0;`);
      }
      const D = V.I(o0.reg);
      return reg(`${D(0)} = 0; ${D(1)} = 0; ${D(2)} = 0; ${D(3)} = 0;`);
    }
    const A = V.I(o0.reg);
    const B: Lane = isX(o1) ? V.I(o1.reg) : (k) => `vb${k}`;
    let body: string;
    if (x.op === Mn.PADDQ || x.op === Mn.PSUBQ) {
      body = '';
      for (const k of [0, 2]) {
        const a0 = A(k), a1 = A(k + 1);
        body += x.op === Mn.PADDQ
          ? `u = (${a0} + ${B(k)}) | 0; ${a1} = (${a1} + ${B(k + 1)} + ((u >>> 0) < (${a0} >>> 0) ? 1 : 0)) | 0; ${a0} = u; `
          : `u = (${a0} - ${B(k)}) | 0; ${a1} = (${a1} - ${B(k + 1)} - ((${a0} >>> 0) < (${B(k)} >>> 0) ? 1 : 0)) | 0; ${a0} = u; `;
      }
    } else {
      // Lane k of the result reads only lane k of each input: in place, even when source = destination.
      body = [0, 1, 2, 3].map((k) => `${A(k)} = ${laneOp(x.op, A(k), B(k))};`).join(' ');
    }
    return isX(o1) ? reg(body) : mem(o1, false, 16, true, `${load128} ${body}`);
  }

  if (SET_PERMUTE.has(x.op)) {
    // Unpacks of doubles between registers move whole doubles (no int32 straddling for the next double read).
    if (isX(o1) && x.op === Mn.UNPCKLPD) {
      const D = V.F(o0.reg), S = V.F(o1.reg);
      keep([[D(0), D(0)], [D(1), S(0)]]);
      return reg(`${D(1)} = ${S(0)};`);
    }
    if (isX(o1) && x.op === Mn.UNPCKHPD) {
      const D = V.F(o0.reg), S = V.F(o1.reg);
      keep([[D(0), D(1)], [D(1), S(1)]]);
      return reg(`xv = ${S(1)}; ${D(0)} = ${D(1)}; ${D(1)} = xv;`);
    }
    const imm = IMM_OPS.has(x.op) ? x.o2.imm & 0xff : 0;
    const lanes = permLanes(x.op, imm)!;
    const D = V.I(o0.reg);
    const writes = lanes.map((e, k) => `${D(k)} = ${e};`).join(' ');
    const text = lanes.join(' ');
    if (isX(o1)) return reg(`${loadsFor(text, D, V.I(o1.reg))}${writes}`);
    return mem(o1, false, 16, true, `${load128} ${loadsFor(text, D)}${writes}`);
  }

  if (SET_SHIFTS.has(x.op)) {
    const body = shiftStmts(x.op, V.I(o0.reg), o1.imm & 0xff);
    return reg(body === '' ? ';' : body);
  }

  switch (x.op) {
    case Mn.ADDSD: case Mn.SUBSD: case Mn.MULSD: case Mn.DIVSD: case Mn.MINSD: case Mn.MAXSD: case Mn.SQRTSD: {
      const D = V.F(o0.reg);
      const srcLane = isX(o1) ? V.F(o1.reg)(0) : undefined;
      let calc: string;
      let ok: string;
      const zeroOk = x.op === Mn.MULSD ? '(xa === 0 || xb === 0)' : x.op === Mn.DIVSD ? 'xa === 0' : 'true';
      if (x.op === Mn.SQRTSD) {
        calc = 'xv = Math.sqrt(xb);';
        ok = `xb === 0 || (xb >= ${MIN} && xb <= ${MAX})`;
      } else if (x.op === Mn.MINSD || x.op === Mn.MAXSD) {
        // Any NaN (IE) or denormal (DE) operand is the interpreter's; equal operands (+-0) give the source.
        calc = `xa = ${D(0)}; xv = xa ${x.op === Mn.MINSD ? '<' : '>'} xb ? xa : xb;`;
        ok = all(['xa === xa && xb === xb', ...nd(D(0), 'xa'), ...nd(srcLane, 'xb')]);
      } else {
        const opx = { [Mn.ADDSD]: '+', [Mn.SUBSD]: '-', [Mn.MULSD]: '*', [Mn.DIVSD]: '/' }[x.op as number]!;
        calc = `xa = ${D(0)}; xv = xa ${opx} xb;`;
        // No denormal input (DE); the result finite and normal (no OE/UE/IE), or a zero that is exact.
        ok = all([...nd(D(0), 'xa'), ...nd(srcLane, 'xb'),
          `(Math.abs(xv) >= ${MIN} ? Math.abs(xv) <= ${MAX} : ${zeroOk === 'true' ? 'xv === 0' : `xv === 0 && ${zeroOk}`})`]);
      }
      const fast = `${calc} if (${ok}) { ${D(0)} = xv; u = 1; }`;
      const pre = raw('u = 0;'); // the fast path cannot fault; the slow path (callHandler) sets `cur`
      // The fast result is normal or zero (MIN/MAX: one of two clean inputs); the slow one is checked.
      clean.push(D(0));
      const tail = ifStmt(rawExpr('u === 0'), slowClean([D(0)]));
      if (isX(o1)) return [...pre, ifStmt(rawExpr(FP_GUARD), raw(`xb = ${V.F(o1.reg)(0)}; ${fast}`)), tail];
      return [...pre, ...h.addr(x, o1, gi, 'tR', 8), ifStmt(rawExpr(`${FP_GUARD} && hit`),
        raw(`xb = dv.getFloat64(pb, true); ${fast}`)), tail];
    }
    case Mn.ADDPD: case Mn.SUBPD: case Mn.MULPD: case Mn.DIVPD: {
      const D = V.F(o0.reg);
      const opx = { [Mn.ADDPD]: '+', [Mn.SUBPD]: '-', [Mn.MULPD]: '*', [Mn.DIVPD]: '/' }[x.op as number]!;
      const zeroOk = (a: string, b: string): string => (x.op === Mn.MULPD ? ` && (${a} === 0 || ${b} === 0)` : x.op === Mn.DIVPD ? ` && ${a} === 0` : '');
      const S = isX(o1) ? V.F(o1.reg) : undefined;
      const laneOk = (k: number, a: string, b: string, r: string): string =>
        all([...nd(D(k), a), ...nd(S?.(k), b), `(Math.abs(${r}) >= ${MIN} ? Math.abs(${r}) <= ${MAX} : ${r} === 0${zeroOk(a, b)})`]);
      const calc = `xa = ${D(0)}; xv = xa ${opx} xb; m = ${D(1)}; t = m ${opx} mh;`;
      const fast = `${calc} if (${laneOk(0, 'xa', 'xb', 'xv')} && ${laneOk(1, 'm', 'mh', 't')}) { ${D(0)} = xv; ${D(1)} = t; u = 1; }`;
      const pre = raw('u = 0;'); // the fast path cannot fault; the slow path (callHandler) sets `cur`
      clean.push(D(0), D(1));
      const tail = ifStmt(rawExpr('u === 0'), slowClean([D(0), D(1)]));
      if (S !== undefined) return [...pre, ifStmt(rawExpr(FP_GUARD), raw(`xb = ${S(0)}; mh = ${S(1)}; ${fast}`)), tail];
      return [...pre, ...h.addr(x, o1, gi, 'tR', 16), ifStmt(rawExpr(`${FP_GUARD} && hit && (pb & 15) === 0`),
        raw(`xb = dv.getFloat64(pb, true); mh = dv.getFloat64(pb + 8, true); ${fast}`)), tail];
    }
    case Mn.MOVSD_X:
      if (isX(o0) && isX(o1)) {
        const D = V.F(o0.reg), S = V.F(o1.reg);
        keep([[D(0), S(0)], [D(1), D(1)]]);
        return reg(`${D(0)} = ${S(0)};`); // upper lane kept
      }
      if (isX(o0)) {
        const D = V.F(o0.reg);
        clean.push(D(1));
        return mem(o1, false, 8, false, `${D(0)} = dv.getFloat64(t, true); ${D(1)} = 0;`); // a load zeroes the upper lane
      }
      return mem(o0, true, 8, false, `dv.setFloat64(t, ${V.F(o1.reg)(0)}, true);`);
    case Mn.MOVAPD: case Mn.MOVAPS: case Mn.MOVUPD: case Mn.MOVUPS: case Mn.MOVDQA: case Mn.MOVDQU: {
      const aligned = x.op === Mn.MOVAPD || x.op === Mn.MOVAPS || x.op === Mn.MOVDQA;
      // The view of the registers held in locals, else the instruction's: integer data moves as int32 lanes, float
      // data as doubles, so the next instruction reads it the way it was written.
      const dbl = V.view([...xr(o0), ...xr(o1)], x.op !== Mn.MOVDQA && x.op !== Mn.MOVDQU ? XMode.F : XMode.I) === XMode.F;
      if (isX(o0) && isX(o1)) {
        if (o0.reg === o1.reg) return [];
        if (dbl) {
          const D = V.F(o0.reg), S = V.F(o1.reg);
          keep([[D(0), S(0)], [D(1), S(1)]]);
          return reg(`${D(0)} = ${S(0)}; ${D(1)} = ${S(1)};`);
        }
        const D = V.I(o0.reg), S = V.I(o1.reg);
        return reg(`${D(0)} = ${S(0)}; ${D(1)} = ${S(1)}; ${D(2)} = ${S(2)}; ${D(3)} = ${S(3)};`);
      }
      if (isX(o0)) {
        if (dbl) {
          const D = V.F(o0.reg);
          return mem(o1, false, 16, aligned, `${D(0)} = dv.getFloat64(t, true); ${D(1)} = dv.getFloat64(t + 8, true);`);
        }
        const D = V.I(o0.reg);
        return mem(o1, false, 16, aligned, `${D(0)} = dv.getInt32(t, true); ${D(1)} = dv.getInt32(t + 4, true); ${D(2)} = dv.getInt32(t + 8, true); ${D(3)} = dv.getInt32(t + 12, true);`);
      }
      if (dbl) {
        const S = V.F(o1.reg);
        return mem(o0, true, 16, aligned, `dv.setFloat64(t, ${S(0)}, true); dv.setFloat64(t + 8, ${S(1)}, true);`);
      }
      const S = V.I(o1.reg);
      return mem(o0, true, 16, aligned, `dv.setInt32(t, ${S(0)}, true); dv.setInt32(t + 4, ${S(1)}, true); dv.setInt32(t + 8, ${S(2)}, true); dv.setInt32(t + 12, ${S(3)}, true);`);
    }
    case Mn.MOVD: case Mn.MOVQ: {
      const q = x.op === Mn.MOVQ;
      if (isX(o0)) {
        // movq xmm, xmm/m64 in the double view when the registers are doubles: the upper lane becomes +0.0 (zero bits).
        if (q && !isG(o1) && V.view([o0.reg, ...xr(o1)], XMode.I) === XMode.F) {
          const D = V.F(o0.reg);
          clean.push(D(1));
          if (isX(o1)) {
            keep([[D(0), V.F(o1.reg)(0)]]);
            return reg(`${D(0)} = ${V.F(o1.reg)(0)}; ${D(1)} = 0;`);
          }
          return mem(o1, false, 8, false, `${D(0)} = dv.getFloat64(t, true); ${D(1)} = 0;`);
        }
        const D = V.I(o0.reg);
        const zero = `${D(2)} = 0; ${D(3)} = 0;`;
        if (isX(o1)) {
          const S = V.I(o1.reg);
          return reg(`${D(0)} = ${S(0)}; ${D(1)} = ${S(1)}; ${zero}`);
        }
        if (isG(o1)) return reg(`${D(0)} = r${o1.reg}; ${D(1)} = ${q ? `h${o1.reg}` : '0'}; ${zero}`);
        return mem(o1, false, q ? 8 : 4, false, `${D(0)} = dv.getInt32(t, true); ${D(1)} = ${q ? 'dv.getInt32(t + 4, true)' : '0'}; ${zero}`);
      }
      if (q && !isG(o0) && V.view([o1.reg], XMode.I) === XMode.F) return mem(o0, true, 8, false, `dv.setFloat64(t, ${V.F(o1.reg)(0)}, true);`);
      const S = V.I(o1.reg);
      if (isG(o0)) return reg(`r${o0.reg} = ${S(0)}; h${o0.reg} = ${q ? S(1) : '0'};`);
      return mem(o0, true, q ? 8 : 4, false, `dv.setInt32(t, ${S(0)}, true);${q ? ` dv.setInt32(t + 4, ${S(1)}, true);` : ''}`);
    }
    case Mn.MOVHLPS: case Mn.MOVLHPS: {
      const hl = x.op === Mn.MOVHLPS;
      if (V.view([o0.reg, o1.reg], XMode.F) === XMode.F) {
        const D = V.F(o0.reg), S = V.F(o1.reg);
        keep(hl ? [[D(0), S(1)], [D(1), D(1)]] : [[D(0), D(0)], [D(1), S(0)]]);
        return reg(hl ? `${D(0)} = ${S(1)};` : `${D(1)} = ${S(0)};`);
      }
      const D = V.I(o0.reg), S = V.I(o1.reg);
      return reg(hl ? `${D(0)} = ${S(2)}; ${D(1)} = ${S(3)};` : `${D(2)} = ${S(0)}; ${D(3)} = ${S(1)};`);
    }
    case Mn.CVTSI2SD: {
      const D = V.F(o0.reg);
      // An integer converts to a normal double or zero, in the fast path and the handler alike.
      clean.push(D(0));
      keep([[D(1), D(1)]]);
      // int32 -> double is exact; int64 -> double rounds once (RN), exact below 2^53 in magnitude.
      if (isG(o1)) {
        if (o1.size === 4) return reg(`${D(0)} = r${o1.reg};`);
        return reg(`${D(0)} = h${o1.reg} * 4294967296 + (r${o1.reg} >>> 0);`,
          `sse && ((h${o1.reg} + 2097152) >>> 0 < 4194304 || fpok)`);
      }
      if (o1.size === 4) return mem(o1, false, 4, false, `${D(0)} = dv.getInt32(t, true);`);
      return [...h.addr(x, o1, gi, 'tR', 8), ifStmt(rawExpr(`sse && hit`), [
        ...raw(`t = pb; mh = dv.getInt32(t + 4, true);`),
        ifStmt(rawExpr(`(mh + 2097152) >>> 0 < 4194304 || fpok`),
          raw(`${D(0)} = mh * 4294967296 + (dv.getInt32(t, true) >>> 0);`), slow),
      ], slow)];
    }
    case Mn.CVTTSD2SI: {
      // In range: the truncated value; inexact only with PE already set and masked (no new flag, no #XM).
      const wide = o0.size === 8;
      const range = wide ? 'xv >= -9223372036854775808 && xv < 9223372036854775808' : 'xv > -2147483649 && xv < 2147483648';
      const test = `${range} && (xa === xv || (s[${MXCSR}] & 4128) === 4128)`;
      const set = wide ? `r${o0.reg} = xa | 0; h${o0.reg} = Math.floor(xa / 4294967296) | 0;` : `r${o0.reg} = xa | 0; h${o0.reg} = 0;`;
      const body = [...raw('xa = Math.trunc(xv);'), ifStmt(rawExpr(test), raw(set), slow)];
      if (isX(o1)) return [ifStmt(id('sse'), [...raw(`xv = ${V.F(o1.reg)(0)};`), ...body], slow)];
      return [...h.addr(x, o1, gi, 'tR', 8), ifStmt(rawExpr('sse && hit'), [...raw('xv = dv.getFloat64(pb, true);'), ...body], slow)];
    }
    case Mn.UCOMISD: case Mn.COMISD: {
      // Two ordered, non-denormal doubles compare without any MXCSR flag (IE needs a NaN, DE a denormal), in every
      // MXCSR state: ZF PF CF = 000 greater, 001 less, 100 equal (+0 = -0), OF SF AF cleared.
      const commit = h.fcmpFlags(gi);
      // Checked in full: the guard here is `sse`, not fpok, and invariant lanes are clean only under fpok (DAZ).
      const ok = `${notDen('xa')} && ${notDen('xb')}`;
      const fast = commit === undefined ? raw('u = 1;') : [...raw('fr = xa > xb ? 0 : xa < xb ? 1 : 64; u = 1;'), ...commit];
      const pre = raw('u = 0;');
      const tail = ifStmt(rawExpr('u === 0'), commit === undefined ? slow : [...slow, ...raw(`fr = s[${FLAGS}] & 69;`)]);
      const A = V.F(o0.reg);
      if (isX(o1)) return [...pre, ifStmt(rawExpr('sse'), [...raw(`xa = ${A(0)}; xb = ${V.F(o1.reg)(0)};`), ifStmt(rawExpr(ok), fast)]), tail];
      return [...pre, ...h.addr(x, o1, gi, 'tR', 8), ifStmt(rawExpr('sse && hit'),
        [...raw(`xa = ${A(0)}; xb = dv.getFloat64(pb, true);`), ifStmt(rawExpr(ok), fast)]), tail];
    }
    case Mn.PMOVMSKB: {
      const S = V.I(o1.reg);
      const mb = (k: number): string => `((${S(k)} >>> 7) & 1 | (${S(k)} >>> 14) & 2 | (${S(k)} >>> 21) & 4 | (${S(k)} >>> 28) & 8)${k > 0 ? ` << ${4 * k}` : ''}`;
      return reg(`r${o0.reg} = ${[0, 1, 2, 3].map(mb).join(' | ')}; h${o0.reg} = 0;`);
    }
    default:
      throw new Error(`genSse: no template for mnemonic ${x.op}`);
  }
}
