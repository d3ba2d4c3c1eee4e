// Generator for the x86 decoder tables (SDM Vol. 2 Appendix A opcode maps): jit/decoder/x86.def -> jit/decoder/tables.gen.ts.
//
// Usage: node tools/gen-decoder-tables.mjs [--check]
//   --check  exit 1 (and print a one-line reason) when the checked-in tables differ from what the definitions give.
// tests/decoder/tables.test.ts imports generate() and fails on drift as well.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEF_PATH = join(ROOT, 'jit/decoder/x86.def');
export const OUT_PATH = join(ROOT, 'jit/decoder/tables.gen.ts');

// ------------------------------------------------------------------------------------------------ operand vocabulary
// Runtime operand methods (must match decode.ts).
const M = {
  NONE: 0, RM_GPR: 1, RM_XMM: 2, RM_MMX: 3, REG_GPR: 4, REG_XMM: 5, REG_MMX: 6, REG_SEG: 7, REG_CR: 8, REG_DR: 9,
  IMM: 10, IMM_S8: 11, REL: 12, FAR: 13, MOFFS: 14, OPREG: 15, FIXED_GPR: 16, FIXED_SEG: 17, ST0: 18, STI: 19,
  CONST1: 20, VEX_GPR: 21,
};
// Size codes (must match decode.ts / disasm.ts).
const S = {
  NONE: 0, B: 1, W: 2, D: 3, Q: 4, DQ: 5, T: 6, V: 7, Z: 8, Y: 9, P: 10, PD: 11, A: 12, ENV: 13, STATE: 14, FX: 15, XS: 16,
};
const TYPE = {
  b: S.B, w: S.W, d: S.D, q: S.Q, dq: S.DQ, x: S.DQ, ps: S.DQ, pd: S.DQ, ss: S.D, sd: S.Q, t: S.T, v: S.V, z: S.Z,
  y: S.Y, p: S.P, s: S.PD, a: S.A, env: S.ENV, state: S.STATE, fx: S.FX, xs: S.XS, '': S.NONE,
};
const ADDR = {
  E: M.RM_GPR, M: M.RM_GPR, R: M.RM_GPR, G: M.REG_GPR, W: M.RM_XMM, U: M.RM_XMM, V: M.REG_XMM, Q: M.RM_MMX,
  N: M.RM_MMX, P: M.REG_MMX, S: M.REG_SEG, C: M.REG_CR, D: M.REG_DR, I: M.IMM, J: M.REL, A: M.FAR, O: M.MOFFS,
  Z: M.OPREG, B: M.VEX_GPR,
};
const FIXED = {
  AL: [M.FIXED_GPR, S.B, 0], CL: [M.FIXED_GPR, S.B, 1], DX: [M.FIXED_GPR, S.W, 2], AX: [M.FIXED_GPR, S.W, 0],
  rAX: [M.FIXED_GPR, S.V, 0], eAX: [M.FIXED_GPR, S.Z, 0], ES: [M.FIXED_SEG, S.W, 0], CS: [M.FIXED_SEG, S.W, 1],
  SS: [M.FIXED_SEG, S.W, 2], DS: [M.FIXED_SEG, S.W, 3], FS: [M.FIXED_SEG, S.W, 4], GS: [M.FIXED_SEG, S.W, 5],
  ST: [M.ST0, S.T, 0], STi: [M.STI, S.T, 0], 1: [M.CONST1, S.B, 1],
};

const MODRM_METHODS = new Set([M.RM_GPR, M.RM_XMM, M.RM_MMX, M.REG_GPR, M.REG_XMM, M.REG_MMX, M.REG_SEG, M.REG_CR, M.REG_DR, M.STI]);

/** Parses one operand token into {m, s, r, mem: 'mem'|'reg'|null, hidden, display, sizeOnly}. */
function parseOperand(tok, where) {
  if (tok.startsWith('<') && tok.endsWith('>')) return { hidden: true, doc: tok };
  if (tok.startsWith('{') && tok.endsWith('}')) return { display: tok.slice(1, -1) };
  if (FIXED[tok]) { const [m, s, r] = FIXED[tok]; return { m, s, r, name: tok }; }
  if (tok === 'Ibs') return { m: M.IMM_S8, s: S.V, r: 0, name: tok };
  const a = tok[0];
  const t = tok.slice(1);
  if ((a === 'X' || a === 'Y') && t in TYPE) return { sizeOnly: TYPE[t], name: tok };
  if (!(a in ADDR) || !(t in TYPE)) throw new Error(`${where}: unknown operand '${tok}'`);
  const mod = a === 'M' ? 'mem' : a === 'R' || a === 'U' || a === 'N' ? 'reg' : null;
  return { m: ADDR[a], s: TYPE[t], r: 0, mod, name: tok };
}

// ------------------------------------------------------------------------------------------------ attributes
export const A = {
  LOCK: 1 << 0, D64: 1 << 1, F64: 1 << 2, SZ32: 1 << 3, M66: 1 << 4, MREP: 1 << 5, BYTE: 1 << 6, MODIGN: 1 << 7,
  REP: 1 << 8, REPCC: 1 << 9, STPRE: 1 << 10, STPOST: 1 << 11, CPL0: 1 << 12, IOPL: 1 << 13, CR4: 1 << 14,
  UNSUP: 1 << 15, W32TEXT: 1 << 21, NOVVVV: 1 << 22,
};
const FLOW = {
  none: 0, jmp: 1, jmpind: 2, jcc: 3, call: 4, callind: 5, ret: 6, jmpfar: 7, callfar: 8, retfar: 9, int: 10, iret: 11,
  syscall: 12, sysret: 13, hlt: 14, ud: 15,
};
const FLOW_SHIFT = 16;
const FL = { c: 0x1, p: 0x4, a: 0x10, z: 0x40, s: 0x80, t: 0x100, i: 0x200, d: 0x400, o: 0x800 };
const FL_ALL = 0x3f7fd5;
const CC_NAMES = ['O', 'NO', 'B', 'AE', 'E', 'NE', 'BE', 'A', 'S', 'NS', 'P', 'NP', 'L', 'GE', 'LE', 'G'];
const CC_FLAGS = ['o', 'o', 'c', 'c', 'z', 'z', 'cz', 'cz', 's', 's', 'p', 'p', 'so', 'so', 'zso', 'zso'];

function parseFlags(s, where) {
  if (s === '*') return FL_ALL;
  if (s === '*16') return FL_ALL & 0xffff;
  let v = 0;
  for (const ch of s) {
    if (!(ch in FL)) throw new Error(`${where}: unknown flag letter '${ch}'`);
    v |= FL[ch];
  }
  return v;
}

// ------------------------------------------------------------------------------------------------ parsing
const hex = (t) => /^[0-9A-F]{2}$/.test(t);

function parseLine(line, lineNo) {
  const where = `x86.def:${lineNo}`;
  const cols = line.split('|').map((c) => c.trim());
  if (cols.length !== 3) throw new Error(`${where}: expected 3 columns separated by '|'`);
  const [encCol, insCol, attrCol] = cols;
  const enc = encCol.split(/\s+/);
  const e = {
    where, pfx: null, vex: false, map: 0, opc: -1, opcCount: 1, cc: false, modrm: false, mod: null, reg: null, rm: null,
    mode: null, os: null, as: null, w: null, b: null,
  };
  let i = 0;
  if (enc[0].startsWith('VEX.')) {
    // VEX.[L0|LZ].[66|F2|F3.]0F|0F38|0F3A[.W0|.W1|.WIG]: pp is a mandatory-prefix slot (none = NP), maps 4..6
    i = 1;
    e.pfx = 'NP';
    e.vex = true;
    for (const part of enc[0].split('.').slice(1)) {
      if (part === 'L0' || part === 'LZ' || part === 'WIG') continue;
      if (['66', 'F2', 'F3'].includes(part)) e.pfx = part;
      else if (part === '0F') e.map = 4;
      else if (part === '0F38') e.map = 5;
      else if (part === '0F3A') e.map = 6;
      else if (part === 'W0' || part === 'W1') e.w = +part[1];
      else throw new Error(`${where}: bad VEX field '${part}'`);
    }
    if (e.map < 4) throw new Error(`${where}: VEX needs a map`);
  }
  while (!e.vex && i < enc.length && ['NP', '66', 'F2', 'F3'].includes(enc[i]) && i + 1 < enc.length) {
    if (e.pfx) throw new Error(`${where}: two mandatory prefixes`);
    e.pfx = enc[i++];
  }
  if (!e.vex && enc[i] === '0F') {
    i++;
    e.map = 1;
    if (enc[i] === '38' && i + 1 < enc.length && /^[0-9A-F]{2}/.test(enc[i + 1])) { e.map = 2; i++; }
    else if (enc[i] === '3A' && i + 1 < enc.length && /^[0-9A-F]{2}/.test(enc[i + 1])) { e.map = 3; i++; }
  }
  const op = enc[i++];
  const om = /^([0-9A-F]{2})(\+r|\+cc)?$/.exec(op ?? '');
  if (!om) throw new Error(`${where}: bad opcode '${op}'`);
  e.opc = parseInt(om[1], 16);
  if (om[2] === '+r') e.opcCount = 8;
  if (om[2] === '+cc') { e.opcCount = 16; e.cc = true; }
  for (; i < enc.length; i++) {
    const t = enc[i];
    let m;
    if (t === '/r') e.modrm = true;
    else if ((m = /^\/([0-7])$/.exec(t))) { e.modrm = true; e.reg = +m[1]; }
    else if ((m = /^([0-9A-F]{2})\+i$/.exec(t))) {
      const v = parseInt(m[1], 16);
      if (v < 0xc0 || (v & 7)) throw new Error(`${where}: bad ${t}`);
      e.modrm = true; e.mod = 'reg'; e.reg = (v >> 3) & 7;
    } else if (hex(t)) {
      const v = parseInt(t, 16);
      e.modrm = true; e.mod = v >= 0xc0 ? 'reg' : 'mem'; e.reg = (v >> 3) & 7; e.rm = v & 7;
      if (v < 0xc0) throw new Error(`${where}: exact ModRM bytes must have mod=11`);
    } else if (t === 'mem' || t === 'reg') { e.modrm = true; e.mod = t; }
    else if (t === 'i64') e.mode = 0;
    else if (t === 'o64') e.mode = 1;
    else if ((m = /^os([0-9/]+)$/.exec(t))) e.os = m[1].split('/').map((x) => ({ 16: 0, 32: 1, 64: 2 })[x]);
    else if ((m = /^as([0-9/]+)$/.exec(t))) e.as = m[1].split('/').map((x) => ({ 16: 0, 32: 1, 64: 2 })[x]);
    else if (t === 'W0' || t === 'W1') e.w = +t[1];
    else if (t === 'REX.B=0' || t === 'REX.B=1') e.b = +t[6];
    else if (t === 'NP' || t === '66' || t === 'F2' || t === 'F3') {
      if (e.pfx) throw new Error(`${where}: two mandatory prefixes`);
      e.pfx = t;
    } else throw new Error(`${where}: unknown encoding token '${t}'`);
    if ((e.os && e.os.includes(undefined)) || (e.as && e.as.includes(undefined))) throw new Error(`${where}: bad ${t}`);
  }
  // instruction column
  const sp = insCol.indexOf(' ');
  let mnem = sp < 0 ? insCol : insCol.slice(0, sp);
  const opsText = sp < 0 ? '' : insCol.slice(sp + 1).trim();
  e.unsup = null;
  e.invalid = false;
  if (mnem === '!unsupported') { e.unsup = opsText || 'unknown'; mnem = ''; }
  else if (mnem === '!invalid') { e.invalid = true; mnem = ''; }
  else if (!/^[A-Z][A-Z0-9_]*(cc)?$/.test(mnem)) throw new Error(`${where}: bad mnemonic '${mnem}'`);
  e.mnem = mnem;
  e.ops = [];
  e.hints = 0;
  e.sizeOnly = [];
  if (mnem && opsText) {
    const toks = opsText.split(',').map((x) => x.trim());
    toks.forEach((tok, k) => {
      const o = parseOperand(tok, where);
      if (o.hidden) return;
      if (o.display) {
        if (o.display !== 'ST') throw new Error(`${where}: only {ST} is a display operand`);
        e.hints |= k === 0 ? A.STPRE : A.STPOST;
        return;
      }
      if (o.sizeOnly !== undefined) { e.sizeOnly.push(o.sizeOnly); return; }
      if (MODRM_METHODS.has(o.m)) e.modrm = true;
      if (o.mod) {
        if (e.mod && e.mod !== o.mod) throw new Error(`${where}: operand ${tok} contradicts mem/reg`);
        e.mod = o.mod;
        e.modrm = true;
      }
      e.ops.push(o);
    });
  }
  if (e.ops.length > 4) throw new Error(`${where}: more than 4 operands`);
  // attributes
  e.attr = e.hints;
  e.rf = 0; e.wf = 0; e.uf = 0; e.flow = 0; e.ccFixed = -1; e.rfcc = false;
  for (const t of attrCol.split(/\s+/).filter(Boolean)) {
    let m;
    if (t === 'lock') e.attr |= A.LOCK;
    else if (t === 'rep') e.attr |= A.REP;
    else if (t === 'repcc') e.attr |= A.REPCC;
    else if (t === 'd64') e.attr |= A.D64;
    else if (t === 'f64') e.attr |= A.F64;
    else if (t === 'sz32') e.attr |= A.SZ32;
    else if (t === 'modign') e.attr |= A.MODIGN;
    else if (t === 'cpl0') e.attr |= A.CPL0;
    else if (t === 'iopl') e.attr |= A.IOPL;
    else if (t === 'cr4') e.attr |= A.CR4;
    else if (t === 'w32text') e.attr |= A.W32TEXT;
    else if (t === 'novvvv') e.attr |= A.NOVVVV;
    else if ((m = /^flow=(\w+)$/.exec(t))) {
      if (!(m[1] in FLOW)) throw new Error(`${where}: unknown flow '${m[1]}'`);
      e.flow = FLOW[m[1]];
    } else if ((m = /^cc=(\d+)$/.exec(t))) e.ccFixed = +m[1];
    else if (t === 'rf:cc') e.rfcc = true;
    else if ((m = /^([rwu])f:(\S+)$/.exec(t))) e[m[1] + 'f'] |= parseFlags(m[2], where);
    else throw new Error(`${where}: unknown attribute '${t}'`);
  }
  if ((e.uf & ~e.wf) !== 0) throw new Error(`${where}: uf must be a subset of wf`);
  if (e.attr & A.MODIGN) e.mod = null;
  if (e.pfx === '66' && !e.vex) e.attr |= A.M66;
  if (e.vex) e.attr |= A.SZ32; // VEX GPR forms: 32-bit outside 64-bit mode, VEX.W selects 64 in it
  if (e.pfx === 'F2' || e.pfx === 'F3') e.attr |= A.MREP;
  if (e.unsup) e.attr |= A.UNSUP;
  // byte form: every sized non-immediate operand (DX/CL ports and counts excepted) is a byte
  const sizes = [...e.sizeOnly];
  for (const o of e.ops) {
    if (o.m === M.IMM || o.m === M.IMM_S8 || o.m === M.REL || o.m === M.FAR || o.m === M.CONST1) continue;
    if (o.name === 'DX' || o.name === 'CL') continue;
    sizes.push(o.s);
  }
  if (sizes.length && sizes.every((s) => s === S.B)) e.attr |= A.BYTE;
  return e;
}

/** Expands +r / +cc rows into per-opcode entries. */
function expand(e) {
  const out = [];
  for (let k = 0; k < e.opcCount; k++) {
    const x = { ...e, opc: e.opc + k };
    if (e.cc) {
      x.cond = k;
      x.mnem = e.mnem.replace(/cc$/, CC_NAMES[k]);
      if (!e.mnem.endsWith('cc')) throw new Error(`${e.where}: +cc needs a mnemonic ending in cc`);
    } else x.cond = e.ccFixed;
    if (e.rfcc) x.rf |= parseFlags(CC_FLAGS[x.cond], e.where);
    out.push(x);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ tree building
const DIMS = [
  { key: 'mode', n: 2, kind: 1 },
  { key: 'pfx', n: 4, kind: 2 },
  { key: 'w', n: 2, kind: 3 },
  { key: 'b', n: 2, kind: 4 },
  { key: 'os', n: 3, kind: 5 },
  { key: 'as', n: 3, kind: 6 },
  { key: 'mod', n: 2, kind: 7 },
  { key: 'reg', n: 8, kind: 8 },
  { key: 'rm', n: 8, kind: 9 },
];
const PFX_SLOTS = ['NP', '66', 'F3', 'F2'];

function matches(e, dim, v) {
  const c = e[dim.key];
  if (c === null || c === undefined) return true;
  switch (dim.key) {
    case 'pfx': return PFX_SLOTS[v] === c;
    case 'os': case 'as': return c.includes(v);
    case 'mod': return (c === 'mem' ? 0 : 1) === v;
    default: return c === v;
  }
}

function specificity(e) {
  let s = e.pfx ? 100 : 0;
  for (const d of DIMS) if (d.key !== 'pfx' && e[d.key] !== null && e[d.key] !== undefined) s++;
  return s;
}

export function generate(defText) {
  const entries = [];
  defText.split('\n').forEach((raw, idx) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    entries.push(...expand(parseLine(line, idx + 1)));
  });

  // mnemonics
  const mnSet = new Set(entries.filter((e) => e.mnem).map((e) => e.mnem));
  const mnList = ['INVALID', ...[...mnSet].sort()];
  const mnId = new Map(mnList.map((n, i) => [n, i]));

  // operand specs
  const specKey = (o) => `${o.m}:${o.s}:${o.r}`;
  const specs = [{ m: 0, s: 0, r: 0, name: '-' }];
  const specId = new Map([['0:0:0', 0]]);
  const specOf = (o) => {
    const k = specKey(o);
    if (!specId.has(k)) { specId.set(k, specs.length); specs.push(o); }
    return specId.get(k);
  };

  // forms: identical rows (same mnemonic, operands, attributes) share one form
  const forms = [{ mn: 0, cond: -1, ops: [0, 0, 0, 0], nops: 0, attr: 0, rf: 0, wf: 0, uf: 0, flow: 0, note: 'invalid' }];
  const formId = new Map();
  const formOf = (e) => {
    if (e.invalid) return 0;
    const ops = e.ops.map(specOf);
    while (ops.length < 4) ops.push(0);
    const f = {
      mn: e.unsup ? 0 : mnId.get(e.mnem), cond: e.cond ?? -1, ops, nops: e.ops.length, attr: e.attr, rf: e.rf,
      wf: e.wf, uf: e.uf, flow: e.flow, note: e.unsup ?? '',
    };
    const k = JSON.stringify(f);
    if (!formId.has(k)) { formId.set(k, forms.length); forms.push(f); }
    return formId.get(k);
  };

  // group entries per (map, opcode)
  const byOpc = new Map();
  for (const e of entries) {
    const key = (e.map << 8) | e.opc;
    if (!byOpc.has(key)) byOpc.set(key, []);
    byOpc.get(key).push(e);
  }

  const nodes = [];
  const nodeId = new Map();
  const mkNode = (kind, arg, children) => {
    const k = `${kind}:${arg}:${children.join(',')}`;
    if (nodeId.has(k)) return nodeId.get(k);
    const off = nodes.length;
    nodes.push(kind, arg, ...children);
    const ref = ~off;
    nodeId.set(k, ref);
    return ref;
  };

  const osFlags = (list, where) => {
    const sig = new Set(list.map((e) => e.attr & (A.D64 | A.F64 | A.SZ32 | A.M66)));
    if (sig.size > 1) throw new Error(`${where}: entries under one operand-size split disagree on d64/f64/sz32/66`);
    return [...sig][0];
  };

  let emptyLeaf = 0; // what an encoding no row matches decodes to: #UD, or 'unsupported' in the VEX maps (AVX)
  const build = (cands, di, where) => {
    if (di === DIMS.length) {
      if (!cands.length) return emptyLeaf;
      let best = -1, winners = [];
      for (const e of cands) {
        const s = specificity(e);
        if (s > best) { best = s; winners = [e]; } else if (s === best) winners.push(e);
      }
      const ids = new Set(winners.map(formOf));
      if (ids.size > 1) throw new Error(`ambiguous encoding: ${winners.map((w) => w.where).join(' vs ')}`);
      return [...ids][0];
    }
    const dim = DIMS[di];
    if (!cands.some((e) => e[dim.key] !== null && e[dim.key] !== undefined)) return build(cands, di + 1, where);
    const children = [];
    for (let v = 0; v < dim.n; v++) children.push(build(cands.filter((e) => matches(e, dim, v)), di + 1, where));
    if (children.every((c) => c === children[0])) return children[0];
    const arg = dim.key === 'os' ? osFlags(cands.filter((e) => e.os), where) : 0;
    return mkNode(dim.kind, arg, children);
  };

  const NMAPS = 7;
  const root = new Int32Array(NMAPS * 256);
  const hasModrm = new Uint8Array(NMAPS * 256);
  const avx = formOf({ unsup: 'AVX', ops: [], attr: A.UNSUP, rf: 0, wf: 0, uf: 0, flow: 0, cond: -1 });
  for (let key = 4 * 256; key < NMAPS * 256; key++) root[key] = avx;
  for (const [key, list] of [...byOpc.entries()].sort((a, b) => a[0] - b[0])) {
    emptyLeaf = key >= 4 * 256 ? avx : 0;
    const real = list.filter((e) => !e.unsup && !e.invalid);
    const withM = new Set(real.map((e) => e.modrm));
    if (withM.size > 1) throw new Error(`opcode ${key.toString(16)}: entries disagree on having a ModRM byte (${list[0].where})`);
    const modign = new Set(real.map((e) => !!(e.attr & A.MODIGN)));
    if (modign.size > 1) throw new Error(`opcode ${key.toString(16)}: modign must hold for the whole opcode`);
    const m = real.length ? real[0].modrm : list.some((e) => e.modrm);
    hasModrm[key] = m ? (real.length && real[0].attr & A.MODIGN ? 2 : 1) : 0;
    if (!m) for (const e of list) if (e.mod || e.reg !== null || e.rm !== null) throw new Error(`${e.where}: ModRM constraint on an opcode without ModRM`);
    root[key] = build(list, 0, list[0].where);
  }

  // per-mnemonic metadata (union over forms)
  const nMn = mnList.length;
  const mnFlow = new Array(nMn).fill(0), mnRf = new Array(nMn).fill(0), mnWf = new Array(nMn).fill(0);
  const mnUf = new Array(nMn).fill(0), mnAttr = new Array(nMn).fill(0);
  for (const f of forms) {
    if (!f.mn) continue;
    if (mnFlow[f.mn] && f.flow && mnFlow[f.mn] !== f.flow) {
      // JMP/CALL have direct and indirect forms: keep the direct kind, indirect is visible per form
      if (!((mnFlow[f.mn] === 1 && f.flow === 2) || (mnFlow[f.mn] === 2 && f.flow === 1) || (mnFlow[f.mn] === 4 && f.flow === 5) || (mnFlow[f.mn] === 5 && f.flow === 4))) {
        throw new Error(`mnemonic ${mnList[f.mn]}: forms disagree on flow kind`);
      }
    }
    if (!mnFlow[f.mn] || f.flow === 1 || f.flow === 4) mnFlow[f.mn] = f.flow || mnFlow[f.mn];
    mnRf[f.mn] |= f.rf; mnWf[f.mn] |= f.wf; mnUf[f.mn] |= f.uf;
    mnAttr[f.mn] |= f.attr & (A.LOCK | A.REP | A.REPCC | A.CPL0 | A.IOPL | A.CR4);
  }

  // ---------------------------------------------------------------------------------------------- emit
  const arr = (type, values, perLine = 24) => {
    const lines = [];
    for (let i = 0; i < values.length; i += perLine) lines.push('  ' + values.slice(i, i + perLine).join(','));
    return `new ${type}([\n${lines.join(',\n')}\n])`;
  };
  const formAttr = forms.map((f) => (f.attr | (f.flow << FLOW_SHIFT)) >>> 0);
  const out = [];
  out.push('// Generated decoder tables (SDM Vol. 2 Appendix A opcode maps) from jit/decoder/x86.def by tools/gen-decoder-tables.mjs. DO NOT EDIT.');
  out.push('/* eslint-disable */');
  out.push('');
  out.push('/** Mnemonic ids (uppercase SDM names; `_X` marks the SSE twin of a string mnemonic, `_FAR` far branches). */');
  out.push('export const enum Mn {');
  mnList.forEach((n, i) => out.push(`  ${n} = ${i},`));
  out.push('}');
  out.push('');
  out.push(`export const MN_COUNT = ${nMn};`);
  out.push('/** Uppercase mnemonic names indexed by Mn. */');
  out.push(`export const MN_NAMES: readonly string[] = ${JSON.stringify(mnList)};`);
  out.push('');
  out.push('// Per-mnemonic metadata (union over the mnemonic\'s forms): EFLAGS bits read / possibly written / left undefined,');
  out.push('// control-flow kind (Flow), and attribute bits (A_LOCK, A_REP, A_REPCC, A_CPL0, A_IOPL, A_CR4).');
  out.push(`export const MN_FLAGS_READ = ${arr('Uint32Array', mnRf)};`);
  out.push(`export const MN_FLAGS_WRITTEN = ${arr('Uint32Array', mnWf)};`);
  out.push(`export const MN_FLAGS_UNDEFINED = ${arr('Uint32Array', mnUf)};`);
  out.push(`export const MN_FLOW = ${arr('Uint8Array', mnFlow)};`);
  out.push(`export const MN_ATTR = ${arr('Uint16Array', mnAttr)};`);
  out.push('');
  out.push('// Forms: one per distinct table row (mnemonic + operands + attributes); Instr.form indexes these.');
  out.push(`export const FORM_COUNT = ${forms.length};`);
  out.push(`export const FORM_MN = ${arr('Uint16Array', forms.map((f) => f.mn))};`);
  out.push(`export const FORM_COND = ${arr('Int8Array', forms.map((f) => f.cond))};`);
  out.push(`export const FORM_NOPS = ${arr('Uint8Array', forms.map((f) => f.nops))};`);
  out.push(`export const FORM_OPS = ${arr('Uint8Array', forms.flatMap((f) => f.ops))};`);
  out.push('/** Attribute bits (A_*) with the Flow kind in bits 16..20. */');
  out.push(`export const FORM_ATTR = ${arr('Uint32Array', formAttr)};`);
  out.push(`export const FORM_FLAGS_READ = ${arr('Uint32Array', forms.map((f) => f.rf))};`);
  out.push(`export const FORM_FLAGS_WRITTEN = ${arr('Uint32Array', forms.map((f) => f.wf))};`);
  out.push(`export const FORM_FLAGS_UNDEFINED = ${arr('Uint32Array', forms.map((f) => f.uf))};`);
  out.push('/** Out-of-scope family of an unsupported form (empty for real forms). */');
  out.push(`export const FORM_NOTE: readonly string[] = ${JSON.stringify(forms.map((f) => f.note))};`);
  out.push('');
  out.push('// Operand specs: method (OPM_*), size code (SZ_*), fixed register number. Spec 0 is "no operand".');
  out.push(`export const SPEC_METHOD = ${arr('Uint8Array', specs.map((s) => s.m))};`);
  out.push(`export const SPEC_SIZE = ${arr('Uint8Array', specs.map((s) => s.s))};`);
  out.push(`export const SPEC_REG = ${arr('Uint8Array', specs.map((s) => s.r))};`);
  out.push(`export const SPEC_NAMES: readonly string[] = ${JSON.stringify(specs.map((s) => s.name))};`);
  out.push('');
  out.push('// Dispatch: ROOT[map << 8 | opcode] is a form id (>= 0) or ~offset of a node in NODES; node = kind, arg, children.');
  out.push('// Maps: 0 one-byte, 1 0F, 2 0F38, 3 0F3A, 4 VEX.0F, 5 VEX.0F38, 6 VEX.0F3A (VEX.pp is the prefix slot).');
  out.push('// Kinds: 1 mode(non64,64) 2 prefix(none,66,F3,F2) 3 REX.W 4 REX.B 5 osize(16,32,64; arg = A_D64|A_F64|A_SZ32|A_M66)');
  out.push('// 6 asize(16,32,64) 7 mod(mem,reg) 8 ModRM.reg 9 ModRM.rm. HAS_MODRM: 0 none, 1 ModRM, 2 ModRM with mod ignored.');
  out.push(`export const ROOT = ${arr('Int32Array', [...root], 32)};`);
  out.push(`export const HAS_MODRM = ${arr('Uint8Array', [...hasModrm], 64)};`);
  out.push(`export const NODES = ${arr('Int32Array', nodes, 32)};`);
  out.push('');
  return out.join('\n');
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  try {
    const text = generate(readFileSync(DEF_PATH, 'utf8'));
    if (process.argv.includes('--check')) {
      let cur = '';
      try { cur = readFileSync(OUT_PATH, 'utf8'); } catch { /* missing counts as drift */ }
      if (cur !== text) { console.error('decoder tables are stale: run node tools/gen-decoder-tables.mjs'); process.exit(1); }
      console.log('decoder tables up to date');
    } else {
      writeFileSync(OUT_PATH, text);
      console.log(`wrote ${OUT_PATH}`);
    }
  } catch (err) {
    console.error(`gen-decoder-tables: ${err.message}`);
    process.exit(1);
  }
}
