// x86 instruction decoder (SDM Vol. 2 ch. 2 instruction format, Appendix A opcode maps) driven by tables.gen.ts.
//
// Hot path: no allocation when `out` is given, no BigInt, decoder state in module-level numbers (one decode at a
// time per isolate). Errors are rare and allocate freely.

import { DecodeError, Instr, OpKind, Operand, Pfx, REG_NONE, REG_RIP, RegClass } from './instr.js';
import * as T from './tables.gen.js';

// Module-local aliases: the hot loop reads plain constants rather than live import bindings (which some module
// loaders, e.g. vitest's, turn into getter calls).
const FORM_ATTR = T.FORM_ATTR;
const FORM_COND = T.FORM_COND;
const FORM_MN = T.FORM_MN;
const FORM_NOPS = T.FORM_NOPS;
const FORM_NOTE = T.FORM_NOTE;
const FORM_OPS = T.FORM_OPS;
const HAS_MODRM = T.HAS_MODRM;
const NODES = T.NODES;
const ROOT = T.ROOT;
const SPEC_METHOD = T.SPEC_METHOD;
const SPEC_REG = T.SPEC_REG;
const SPEC_SIZE = T.SPEC_SIZE;

// Attribute bits of FORM_ATTR (tools/gen-decoder-tables.mjs `A`).
export const A_LOCK = 1 << 0;
export const A_D64 = 1 << 1;
export const A_F64 = 1 << 2;
export const A_SZ32 = 1 << 3;
export const A_M66 = 1 << 4;
export const A_MREP = 1 << 5;
export const A_BYTE = 1 << 6;
export const A_MODIGN = 1 << 7;
export const A_REP = 1 << 8;
export const A_REPCC = 1 << 9;
export const A_STPRE = 1 << 10;
export const A_STPOST = 1 << 11;
export const A_CPL0 = 1 << 12;
export const A_IOPL = 1 << 13;
export const A_CR4 = 1 << 14;
export const A_UNSUP = 1 << 15;
export const FLOW_SHIFT = 16;
export const A_W32TEXT = 1 << 21;
export const A_NOVVVV = 1 << 22;

// Operand methods (SPEC_METHOD) and size codes (SPEC_SIZE); see the generator.
export const enum Opm {
  None = 0, RmGpr = 1, RmXmm = 2, RmMmx = 3, RegGpr = 4, RegXmm = 5, RegMmx = 6, RegSeg = 7, RegCr = 8, RegDr = 9,
  Imm = 10, ImmS8 = 11, Rel = 12, Far = 13, Moffs = 14, OpReg = 15, FixedGpr = 16, FixedSeg = 17, St0 = 18, StI = 19,
  Const1 = 20, VexGpr = 21,
}
export const enum Sz {
  None = 0, B = 1, W = 2, D = 3, Q = 4, DQ = 5, T = 6, V = 7, Z = 8, Y = 9, P = 10, PD = 11, A = 12, Env = 13,
  State = 14, Fx = 15, Xs = 16,
}

/** Byte size of a size code for the given operand size (bytes) and mode. */
export function sizeBytes(code: number, os: number, bits: number): number {
  switch (code) {
    case Sz.B: return 1;
    case Sz.W: return 2;
    case Sz.D: return 4;
    case Sz.Q: return 8;
    case Sz.DQ: return 16;
    case Sz.T: return 10;
    case Sz.V: return os;
    case Sz.Z: return os === 2 ? 2 : 4;
    case Sz.Y: return os === 8 ? 8 : 4;
    case Sz.P: return os + 2;
    case Sz.PD: return bits === 64 ? 10 : 6;
    case Sz.A: return os * 2;
    case Sz.Env: return os === 2 ? 14 : 28;
    case Sz.State: return os === 2 ? 94 : 108;
    case Sz.Fx: return 512;
    default: return 0;
  }
}

// Prefix classes: 1 LOCK, 2 F2, 3 F3, 4 segment, 5 66, 6 67, 7 REX (64-bit mode only).
const PFX_CLASS = new Uint8Array(256);
PFX_CLASS[0xf0] = 1;
PFX_CLASS[0xf2] = 2;
PFX_CLASS[0xf3] = 3;
for (const b of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]) PFX_CLASS[b] = 4;
PFX_CLASS[0x66] = 5;
PFX_CLASS[0x67] = 6;
for (let b = 0x40; b < 0x50; b++) PFX_CLASS[b] = 7;
const SEG_OF = new Int8Array(256);
SEG_OF[0x26] = 0;
SEG_OF[0x2e] = 1;
SEG_OF[0x36] = 2;
SEG_OF[0x3e] = 3;
SEG_OF[0x64] = 4;
SEG_OF[0x65] = 5;

// 16-bit ModRM addressing (SDM Vol. 2 Table 2-1): base / index per rm.
const BASE16 = [3, 3, 5, 5, 6, 7, 5, 3];
const INDEX16 = [6, 7, 6, 7, REG_NONE, REG_NONE, REG_NONE, REG_NONE];

// ------------------------------------------------------------------------------------------------ decoder state
let buf: Uint8Array = new Uint8Array(0);
let start = 0;
let pos = 0;
let lim = 0;
let end = 0;
let rex = 0;
let mod = 0;
let rm = 0;
let os = 4;
let as = 8;
let mode = 64;
let eaBase = REG_NONE;
let eaIndex = REG_NONE;
let eaScale = 1;
let eaDisp = 0;
let eaSs = false;
let eaHi = 0; // high half of a 64-bit absolute address (base = index = none)

function fail(kind: 'invalid' | 'truncated' | 'unsupported', why: string): never {
  const stop = Math.min(end, start + 15);
  const bytes = buf.slice(start, stop);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new DecodeError(`${why} at offset ${start}: ${hex}`, bytes, kind);
}

function short(): never {
  if (lim < end) fail('invalid', 'instruction longer than 15 bytes');
  fail('truncated', 'truncated instruction');
}

function u8(): number {
  if (pos >= lim) short();
  return buf[pos++];
}
function u16(): number {
  if (pos + 2 > lim) short();
  const v = buf[pos] | (buf[pos + 1] << 8);
  pos += 2;
  return v;
}
function s32(): number {
  if (pos + 4 > lim) short();
  const v = buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24);
  pos += 4;
  return v;
}

function parseEA(): void {
  eaHi = 0;
  eaScale = 1;
  eaDisp = 0;
  eaIndex = REG_NONE;
  if (as === 2) {
    if (mod === 0 && rm === 6) {
      eaBase = REG_NONE;
      eaDisp = (u16() << 16) >> 16;
      eaSs = false;
      return;
    }
    eaBase = BASE16[rm];
    eaIndex = INDEX16[rm];
    eaSs = eaBase === 5;
    if (mod === 1) eaDisp = (u8() << 24) >> 24;
    else if (mod === 2) eaDisp = (u16() << 16) >> 16;
    return;
  }
  if (rm === 4) {
    const sib = u8();
    eaScale = 1 << (sib >> 6);
    const idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
    eaIndex = idx === 4 ? REG_NONE : idx;
    const b = sib & 7;
    if (b === 5 && mod === 0) {
      eaBase = REG_NONE;
      eaDisp = s32();
      eaSs = false;
      if (mode === 64 && as === 8 && eaIndex === REG_NONE) eaHi = eaDisp >> 31;
      return;
    }
    eaBase = b | ((rex & 1) << 3);
  } else if (rm === 5 && mod === 0) {
    eaBase = mode === 64 ? REG_RIP : REG_NONE;
    eaDisp = s32();
    eaSs = false;
    return;
  } else {
    eaBase = rm | ((rex & 1) << 3);
  }
  eaSs = eaBase === 4 || eaBase === 5;
  if (mod === 1) eaDisp = (u8() << 24) >> 24;
  else if (mod === 2) eaDisp = s32();
}

function setReg(o: Operand, rc: RegClass, reg: number, size: number): void {
  o.kind = OpKind.Reg;
  o.size = size;
  o.rc = rc;
  o.reg = reg;
  o.base = REG_NONE;
  o.index = REG_NONE;
  o.scale = 1;
  o.disp = 0;
  o.imm = 0;
  o.immHi = 0;
  o.dispHi = 0;
}

function setGpr(o: Operand, reg: number, size: number): void {
  if (size === 1 && rex === 0 && reg >= 4 && reg < 8) setReg(o, RegClass.Gpr8Hi, reg - 4, 1);
  else setReg(o, RegClass.Gpr, reg, size);
}

function setMem(o: Operand, size: number): void {
  o.kind = OpKind.Mem;
  o.size = size;
  o.rc = RegClass.Gpr;
  o.reg = 0;
  o.base = eaBase;
  o.index = eaIndex;
  o.scale = eaScale;
  o.disp = eaDisp;
  o.imm = 0;
  o.immHi = 0;
  o.dispHi = eaHi;
}

function setImm(o: Operand, kind: OpKind, size: number, lo: number, hi: number): void {
  o.kind = kind;
  o.size = size;
  o.rc = RegClass.Gpr;
  o.reg = 0;
  o.base = REG_NONE;
  o.index = REG_NONE;
  o.scale = 1;
  o.disp = 0;
  o.imm = lo;
  o.immHi = hi;
  o.dispHi = 0;
}

function clearOp(o: Operand): void {
  o.kind = OpKind.None;
  o.size = 0;
}

/**
 * Decodes one instruction at buf[off] (bytes up to `end` are available) in a 16/32/64-bit code segment.
 * Fills and returns `out` (a fresh Instr when omitted). Throws DecodeError('invalid'|'truncated'|'unsupported').
 */
export function decode(b: Uint8Array, off: number, stop: number, bits: 16 | 32 | 64, out?: Instr): Instr {
  const ins = out ?? new Instr();
  buf = b;
  start = off;
  end = stop > b.length ? b.length : stop;
  lim = end < off + 15 ? end : off + 15;
  pos = off;
  mode = bits;
  rex = 0;
  let pfx = 0;
  let rep = 0; // last of F2/F3: 0 none, 2 F3, 3 F2 (prefix-slot numbering)
  let seg = -1;
  let fsgs = false;
  let op = 0;
  for (;;) {
    op = u8();
    const k = PFX_CLASS[op];
    if (k === 0) break;
    if (k === 7) {
      if (bits !== 64) break;
      rex = op;
      continue;
    }
    rex = 0; // a REX prefix followed by a legacy prefix is ignored
    switch (k) {
      case 1: pfx |= Pfx.Lock; break;
      case 2: rep = 3; break;
      case 3: rep = 2; break;
      case 4: {
        const s = SEG_OF[op];
        if (bits !== 64 || s >= 4) {
          seg = s;
          fsgs = s >= 4;
        } else if (!fsgs) seg = s;
        break;
      }
      case 5: pfx |= Pfx.OpSize; break;
      default: pfx |= Pfx.AdSize; break;
    }
  }
  let map = 0;
  let slot = rep !== 0 ? rep : pfx & Pfx.OpSize ? 1 : 0; // mandatory-prefix slot: none, 66, F3, F2
  let vex = false;
  let vvvv = 0;
  let vexV = 0; // VEX.vvvv (all four bits) names a register
  if (op === 0x0f) {
    op = u8();
    if (op === 0x38) { map = 2; op = u8(); }
    else if (op === 0x3a) { map = 3; op = u8(); }
    else map = 1;
  } else if ((op === 0xc4 || op === 0xc5) && (bits === 64 || (pos < lim && buf[pos] >= 0xc0))) {
    // VEX (SDM Vol. 2 §2.3): C4 RXBmmmmm WvvvvLpp / C5 RvvvvLpp; outside 64-bit mode C4/C5 are LES/LDS unless
    // the next byte has mod = 11
    if (pfx & (Pfx.Lock | Pfx.OpSize) || rep !== 0 || rex !== 0) fail('invalid', 'prefix before VEX');
    const b1 = u8();
    let b2 = b1;
    let mm = 1;
    let w = 0;
    if (op === 0xc4) {
      mm = b1 & 0x1f;
      b2 = u8();
      w = b2 >> 7;
    }
    rex = bits === 64 ? 0x40 | (w << 3) | ((~b1 >> 5) & 4) | (op === 0xc4 ? ((~b1 >> 5) & 3) : 0) : w << 3;
    vvvv = (~b2 >> 3) & 15;
    if (vvvv !== 0) vexV = 1;
    if (bits !== 64) vvvv &= 7;
    if (mm < 1 || mm > 3) fail('unsupported', 'unsupported instruction (VEX map)');
    if (b2 & 4) fail('unsupported', 'unsupported instruction (AVX, VEX.L=1)');
    slot = b2 & 3;
    map = 3 + mm;
    vex = true;
    op = u8();
  }
  const key = (map << 8) | op;
  const hm = HAS_MODRM[key];
  let modrm = -1;
  let reg = 0;
  mod = 3;
  rm = 0;
  if (hm !== 0) {
    modrm = u8();
    if (hm === 1) mod = modrm >> 6;
    reg = (modrm >> 3) & 7;
    rm = modrm & 7;
  }
  const has66 = (pfx & Pfx.OpSize) !== 0;
  const rexW = (rex >> 3) & 1;
  if (bits === 64) as = pfx & Pfx.AdSize ? 4 : 8;
  else if (bits === 32) as = pfx & Pfx.AdSize ? 2 : 4;
  else as = pfx & Pfx.AdSize ? 4 : 2;

  let ref = ROOT[key];
  while (ref < 0) {
    const n = ~ref;
    switch (NODES[n]) {
      case 1: ref = NODES[n + 2 + (bits === 64 ? 1 : 0)]; break;
      case 2: ref = NODES[n + 2 + slot]; break;
      case 3: ref = NODES[n + 2 + rexW]; break;
      case 4: ref = NODES[n + 2 + (rex & 1)]; break;
      case 5: {
        const s = opSize(NODES[n + 1], bits, has66, rexW);
        ref = NODES[n + 2 + (s === 2 ? 0 : s === 4 ? 1 : 2)];
        break;
      }
      case 6: ref = NODES[n + 2 + (as === 2 ? 0 : as === 4 ? 1 : 2)]; break;
      case 7: ref = NODES[n + 2 + (mod === 3 ? 1 : 0)]; break;
      case 8: ref = NODES[n + 2 + reg]; break;
      default: ref = NODES[n + 2 + rm]; break;
    }
  }
  const form = ref;
  const mn = FORM_MN[form];
  const attr = FORM_ATTR[form];
  if (mn === 0) {
    if (attr & A_UNSUP) fail('unsupported', `unsupported instruction (${FORM_NOTE[form]})`);
    fail('invalid', 'invalid instruction');
  }
  if (pfx & Pfx.Lock && ((attr & A_LOCK) === 0 || mod === 3)) fail('invalid', 'LOCK prefix not allowed');
  if (attr & A_NOVVVV && vexV !== 0) fail('invalid', 'VEX.vvvv must be 1111b');
  os = attr & A_BYTE ? 1 : opSize(attr, bits, has66, rexW);
  if (hm === 1 && mod !== 3) parseEA();
  else {
    eaSs = false;
    eaHi = 0;
  }

  const nops = FORM_NOPS[form];
  for (let i = 0; i < nops; i++) {
    const spec = FORM_OPS[form * 4 + i];
    const o = i === 0 ? ins.o0 : i === 1 ? ins.o1 : i === 2 ? ins.o2 : ins.o3;
    const sc = SPEC_SIZE[spec];
    switch (SPEC_METHOD[spec]) {
      case Opm.RmGpr:
        if (mod === 3) setGpr(o, rm | ((rex & 1) << 3), sizeBytes(sc, os, bits));
        else setMem(o, sizeBytes(sc, os, bits));
        break;
      case Opm.RmXmm:
        if (mod === 3) setReg(o, RegClass.Xmm, rm | ((rex & 1) << 3), sizeBytes(sc, os, bits));
        else setMem(o, sizeBytes(sc, os, bits));
        break;
      case Opm.RmMmx:
        if (mod === 3) setReg(o, RegClass.Mmx, rm, sizeBytes(sc, os, bits));
        else setMem(o, sizeBytes(sc, os, bits));
        break;
      case Opm.RegGpr: setGpr(o, reg | ((rex & 4) << 1), sizeBytes(sc, os, bits)); break;
      case Opm.RegXmm: setReg(o, RegClass.Xmm, reg | ((rex & 4) << 1), sizeBytes(sc, os, bits)); break;
      case Opm.RegMmx: setReg(o, RegClass.Mmx, reg, sizeBytes(sc, os, bits)); break;
      case Opm.RegSeg:
        if (reg > 5 || (i === 0 && reg === 1)) fail('invalid', 'invalid segment register');
        setReg(o, RegClass.Seg, reg, 2);
        break;
      case Opm.RegCr: {
        const c = reg | ((rex & 4) << 1);
        if (c !== 0 && c !== 2 && c !== 3 && c !== 4 && c !== 8) fail('invalid', 'invalid control register');
        setReg(o, RegClass.Cr, c, os);
        break;
      }
      case Opm.RegDr:
        if (rex & 4) fail('invalid', 'invalid debug register');
        setReg(o, RegClass.Dr, reg, os);
        break;
      case Opm.Imm:
        if (sc === Sz.B) setImm(o, OpKind.Imm, 1, u8(), 0);
        else if (sc === Sz.W) setImm(o, OpKind.Imm, 2, u16(), 0);
        else if (os === 2) setImm(o, OpKind.Imm, 2, u16(), 0);
        else if (os === 4) setImm(o, OpKind.Imm, 4, s32(), 0);
        else if (sc === Sz.V) {
          const lo = s32();
          setImm(o, OpKind.Imm, 8, lo, s32());
        } else {
          const lo = s32();
          setImm(o, OpKind.Imm, 8, lo, lo >> 31);
        }
        break;
      case Opm.ImmS8: {
        const v = (u8() << 24) >> 24;
        if (os === 2) setImm(o, OpKind.Imm, 2, v & 0xffff, 0);
        else if (os === 4) setImm(o, OpKind.Imm, 4, v, 0);
        else setImm(o, OpKind.Imm, os, v, v >> 31);
        break;
      }
      case Opm.Rel: {
        const d = sc === Sz.B ? (u8() << 24) >> 24 : os === 2 ? (u16() << 16) >> 16 : s32();
        setImm(o, OpKind.Rel, os, 0, 0);
        o.disp = d;
        break;
      }
      case Opm.Far: {
        const offv = os === 2 ? u16() : s32();
        setImm(o, OpKind.Far, os === 2 ? 4 : 6, offv, u16());
        break;
      }
      case Opm.Moffs: {
        eaBase = REG_NONE;
        eaIndex = REG_NONE;
        eaScale = 1;
        eaHi = 0;
        setMem(o, sizeBytes(sc, os, bits));
        if (as === 2) o.disp = u16();
        else {
          o.disp = s32();
          if (as === 8) o.dispHi = s32();
        }
        break;
      }
      case Opm.OpReg: setGpr(o, (op & 7) | ((rex & 1) << 3), sizeBytes(sc, os, bits)); break;
      case Opm.FixedGpr: setReg(o, RegClass.Gpr, SPEC_REG[spec], sizeBytes(sc, os, bits)); break;
      case Opm.FixedSeg: setReg(o, RegClass.Seg, SPEC_REG[spec], 2); break;
      case Opm.VexGpr: setGpr(o, vvvv, sizeBytes(sc, os, bits)); break;
      case Opm.St0: setReg(o, RegClass.St, 0, 10); break;
      case Opm.StI: setReg(o, RegClass.St, rm, 10); break;
      default: setImm(o, OpKind.Imm, 1, 1, 0); break; // Const1
    }
  }
  for (let i = nops; i < 4; i++) clearOp(i === 0 ? ins.o0 : i === 1 ? ins.o1 : i === 2 ? ins.o2 : ins.o3);

  if (rep !== 0 && (attr & A_MREP) === 0) pfx |= rep === 2 ? Pfx.Rep : Pfx.Repne;
  if (vex) pfx |= rexW ? Pfx.Vex | Pfx.RexW : Pfx.Vex;
  else if (rex !== 0) pfx |= rexW ? Pfx.Rex | Pfx.RexW : Pfx.Rex;
  ins.op = mn;
  ins.cond = FORM_COND[form];
  ins.len = pos - off;
  ins.bits = bits;
  ins.osize = os;
  ins.asize = as;
  ins.prefixes = pfx;
  ins.seg = seg >= 0 ? seg : eaSs ? 2 : 3;
  ins.segOverride = seg >= 0;
  ins.nops = nops;
  ins.map = map === 0 ? (op >= 0xd8 && op <= 0xdf ? 4 : 0) : map > 3 ? map - 3 : map;
  ins.opcode = op;
  ins.modrm = modrm;
  ins.form = form;
  return ins;
}

/** Effective operand size in bytes (SDM Vol. 1 §3.6, Vol. 2 §2.2.1.2) for attributes d64/f64/sz32/66-mandatory. */
function opSize(attr: number, bits: number, has66: boolean, rexW: number): number {
  const p66 = has66 && (attr & A_M66) === 0;
  if (bits === 64) {
    if (attr & A_F64 || rexW) return 8;
    if (p66) return 2;
    return attr & A_D64 ? 8 : 4;
  }
  if (attr & A_SZ32) return 4;
  return (bits === 16) !== p66 ? 2 : 4;
}
