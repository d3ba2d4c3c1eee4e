// Intel-syntax disassembler for decoded instructions (SDM Vol. 2 operand notation; text modelled on iced-x86's Intel
// formatter with memory sizes always shown, no pseudo-ops): lowercase, `dword ptr fs:[rax+rcx*8+10h]`, hex as `0FFh`.
//
// Not a hot path: BigInt is used where 64-bit addresses are printed.

import { decode, sizeBytes, A_BYTE, A_D64, A_F64, A_STPOST, A_STPRE, A_W32TEXT, FLOW_SHIFT, Opm, Sz } from './decode.js';
import { DecodeError, Instr, OpKind, Operand, Pfx, REG_NONE, REG_RIP, RegClass } from './instr.js';
import { Flow } from './meta.js';
import {
  FORM_ATTR, FORM_COUNT, FORM_MN, FORM_NOPS, FORM_OPS, MN_NAMES, Mn, SPEC_METHOD, SPEC_SIZE,
} from './tables.gen.js';

const GPR8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'];
const GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];
const GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const GPR64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const SEGS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

/** Lowercase Intel mnemonic of a mnemonic id (the `_X`, `_FAR`, `_CR`, `_DR` disambiguators dropped). */
export function mnemonicName(op: number): string {
  switch (op) {
    case Mn.XLATB: return 'xlat';
    case Mn.RESERVEDNOP: return 'nop';
    default: return (MN_NAMES[op] ?? '?').replace(/_(X|FAR|CR|DR)$/, '').toLowerCase();
  }
}

function gpr(reg: number, size: number): string {
  return (size === 1 ? GPR8 : size === 2 ? GPR16 : size === 4 ? GPR32 : GPR64)[reg];
}

function regText(o: Operand): string {
  switch (o.rc) {
    case RegClass.Gpr: return gpr(o.reg, o.size);
    case RegClass.Gpr8Hi: return ['ah', 'ch', 'dh', 'bh'][o.reg];
    case RegClass.Seg: return SEGS[o.reg];
    case RegClass.Cr: return `cr${o.reg}`;
    case RegClass.Dr: return `dr${o.reg}`;
    case RegClass.Xmm: return `xmm${o.reg}`;
    case RegClass.Mmx: return `mm${o.reg}`;
    default: return `st(${o.reg})`;
  }
}

/** Intel hex: `0FFh`, `10h`, small values (0-9) in decimal; `digits` pads with zeros. */
export function hexNum(v: bigint | number, digits = 0): string {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  if (b >= 0n && b <= 9n) return b.toString();
  let s = b.toString(16).toUpperCase().padStart(digits, '0');
  if (s[0] >= 'A' && s[0] <= 'F') s = '0' + s;
  return s + 'h';
}

const u64 = (lo: number, hi: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const MASK64 = (1n << 64n) - 1n;

function sizeKeyword(code: number, bytes: number): string {
  switch (code) {
    case Sz.None: case Sz.Fx: case Sz.Xs: return '';
    case Sz.Env: case Sz.State: return '';
    case Sz.PD: return 'fword ptr ';
    default:
      switch (bytes) {
        case 1: return 'byte ptr ';
        case 2: return 'word ptr ';
        case 4: return 'dword ptr ';
        case 6: return 'fword ptr ';
        case 8: return 'qword ptr ';
        case 10: return 'tbyte ptr ';
        case 16: return 'xmmword ptr ';
        default: return '';
      }
  }
}

/** Segment override text for a memory operand whose default segment is `def` (printed only when it changes it). */
function segPrefix(ins: Instr, def: number): string {
  if (!ins.segOverride || ins.seg === def || (ins.bits === 64 && ins.seg < 4)) return '';
  return SEGS[ins.seg] + ':';
}

function memText(ins: Instr, o: Operand, code: number, ip: bigint, seg: string): string {
  const asz = ins.asize;
  let inner: string;
  if (o.base === REG_RIP) {
    const target = (ip + BigInt(ins.len) + BigInt(o.disp)) & (asz === 8 ? MASK64 : 0xffffffffn);
    inner = hexNum(target);
  } else if (o.base === REG_NONE && o.index === REG_NONE) {
    const a = asz === 8 ? u64(o.disp, o.dispHi) : asz === 4 ? BigInt(o.disp >>> 0) : BigInt(o.disp & 0xffff);
    inner = hexNum(a);
  } else {
    const parts: string[] = [];
    if (o.base !== REG_NONE) parts.push(gpr(o.base, asz));
    if (o.index !== REG_NONE) parts.push(o.scale === 1 && o.base !== REG_NONE ? gpr(o.index, asz) : `${gpr(o.index, asz)}*${o.scale}`);
    inner = parts.join('+');
    if (o.disp > 0) inner += '+' + hexNum(o.disp);
    else if (o.disp < 0) inner += '-' + hexNum(-o.disp);
  }
  let kw = sizeKeyword(code, o.size);
  // x87 environment images: the size is named only when the operand size is not the mode's default
  if ((code === Sz.Env || code === Sz.State) && o.size !== sizeBytes(code, defaultOsize(ins.bits), ins.bits)) {
    kw = `${code === Sz.Env ? 'fpuenv' : 'fpustate'}${o.size} ptr `;
  }
  return `${kw}${seg}[${inner}]`;
}

function immText(o: Operand): string {
  switch (o.size) {
    case 1: return hexNum(o.imm & 0xff);
    case 2: return hexNum(o.imm & 0xffff);
    case 4: return hexNum(o.imm >>> 0);
    default: return hexNum(u64(o.imm, o.immHi));
  }
}

function relText(ins: Instr, o: Operand, ip: bigint): string {
  const t = ip + BigInt(ins.len) + BigInt(o.disp);
  if (o.size === 2) return hexNum(t & 0xffffn, 4);
  if (o.size === 4) return hexNum(t & 0xffffffffn, 8);
  return hexNum(t & MASK64, 16);
}

const STRING_MN = new Map<number, string>();
for (const [n, shape] of [
  ['MOVS', 'd,s'], ['CMPS', 's,d'], ['STOS', 'd'], ['LODS', 's'], ['SCAS', 'd'], ['INS', 'd,dx'], ['OUTS', 'dx,s'],
] as const) {
  for (const suf of ['B', 'W', 'D', 'Q']) {
    const i = MN_NAMES.indexOf(n + suf);
    if (i > 0) STRING_MN.set(i, shape);
  }
}

function defaultOsize(bits: number): number {
  return bits === 16 ? 2 : 4;
}

// Forms whose operand size matters but shows in no operand (PUSH imm, PUSH FS, RETF, ENTER, near branches): a
// non-default operand size is printed as a `data16`/`data32`/`data64` prefix word.
const HIDDEN_OSIZE = new Uint8Array(FORM_COUNT);
for (let f = 0; f < FORM_COUNT; f++) {
  const attr = FORM_ATTR[f];
  if (attr & A_BYTE) continue;
  const mn = FORM_MN[f];
  if (mn === Mn.PUSHF || mn === Mn.PUSHFD || mn === Mn.PUSHFQ || mn === Mn.POPF || mn === Mn.POPFD || mn === Mn.POPFQ) continue;
  let sensitive = (attr & (A_D64 | A_F64)) !== 0 || mn === Mn.PUSH || mn === Mn.POP || mn === Mn.RETF;
  let shown = false;
  for (let i = 0; i < FORM_NOPS[f]; i++) {
    const spec = FORM_OPS[f * 4 + i];
    const m = SPEC_METHOD[spec];
    const z = SPEC_SIZE[spec];
    if (m === Opm.Rel || m === Opm.Far || m === Opm.ImmS8 || (m === Opm.Imm && (z === Sz.Z || z === Sz.V))) sensitive = true;
    else if (z === Sz.V || z === Sz.Z || z === Sz.Y || z === Sz.P || z === Sz.A) shown = true;
  }
  HIDDEN_OSIZE[f] = sensitive && !shown ? 1 : 0;
}


/**
 * Formats `ins` (decoded at address `ipAddr`, a JS number or, for addresses above 2^53, a bigint) in Intel syntax.
 */
export function disassemble(ins: Instr, ipAddr: number | bigint): string {
  const ip = BigInt.asUintN(64, BigInt(ipAddr));
  const op = ins.op;
  const attr = FORM_ATTR[ins.form];
  const pf = ins.prefixes;
  const words: string[] = [];
  let mn = mnemonicName(op);
  const ops: string[] = [];

  const str = STRING_MN.get(op);
  if (str !== undefined) {
    if (pf & Pfx.Rep) words.push(op >= 0 && /^(CMPS|SCAS)/.test(MN_NAMES[op]) ? 'repe' : 'rep');
    if (pf & Pfx.Repne) words.push('repne');
    const elem = attr & A_BYTE ? 1 : op === Mn.INSD || op === Mn.OUTSD ? 4 : ins.osize;
    const sz = sizeKeyword(Sz.B, elem);
    const a = ins.asize;
    const seg = segPrefix(ins, 3);
    const dst = `${sz}${seg ? 'es:' : ''}[${gpr(7, a)}]`;
    const src = `${sz}${seg}[${gpr(6, a)}]`;
    for (const part of str.split(',')) ops.push(part === 'd' ? dst : part === 's' ? src : 'dx');
    return `${words.length ? words.join(' ') + ' ' : ''}${mn} ${ops.join(',')}`;
  }
  if (op === Mn.XLATB) return `${mn} byte ptr ${segPrefix(ins, 3)}[${gpr(3, ins.asize)}]`;
  const flow = (attr >>> FLOW_SHIFT) & 31;
  if (HIDDEN_OSIZE[ins.form]) {
    const def = ins.bits === 64 && attr & (A_D64 | A_F64) ? 8 : defaultOsize(ins.bits);
    if (ins.osize !== def) words.push(`data${ins.osize * 8}`);
  }
  if (op === Mn.LOOP || op === Mn.LOOPE || op === Mn.LOOPNE || op === Mn.MASKMOVQ || op === Mn.MASKMOVDQU || (ins.nops === 2 && (ins.o0.kind === OpKind.Mem || ins.o1.kind === OpKind.Mem) && SPEC_METHOD[FORM_OPS[ins.form * 4 + (ins.o0.kind === OpKind.Mem ? 0 : 1)]] === Opm.Moffs)) {
    const defA = ins.bits === 64 ? 8 : ins.bits === 32 ? 4 : 2;
    if (ins.asize !== defA) words.push(`addr${ins.asize * 8}`);
  }
  // HLE hints: F2/F3 on a locked (or implicitly locked XCHG) memory update, F3 on a MOV store
  const memDst = ins.nops > 0 && ins.o0.kind === OpKind.Mem;
  if (memDst && (pf & Pfx.Lock || op === Mn.XCHG)) {
    if (pf & Pfx.Repne) words.push('xacquire');
    else if (pf & Pfx.Rep) words.push('xrelease');
  } else if (memDst && op === Mn.MOV && pf & Pfx.Rep && ins.map === 0 && (ins.opcode === 0x88 || ins.opcode === 0x89 || ins.opcode === 0xc6 || ins.opcode === 0xc7)) {
    words.push('xrelease');
  }
  if (pf & Pfx.Lock) words.push('lock');
  if (flow === Flow.Jcc && ins.cond >= 0 && ins.segOverride && (ins.seg === 1 || ins.seg === 3)) {
    words.push(ins.seg === 1 ? 'hint-not-taken' : 'hint-taken');
  }
  if ((flow === Flow.JmpInd || flow === Flow.CallInd) && ins.segOverride && ins.seg === 3) words.push('notrack');
  if (flow >= Flow.Jmp && flow <= Flow.Ret && (flow !== Flow.Jcc || ins.cond >= 0)) {
    if (pf & Pfx.Repne && !(op === Mn.JMP && ins.o0.kind === OpKind.Rel && SPEC_SIZE[FORM_OPS[ins.form * 4]] === Sz.B)) words.push('bnd');
    else if (pf & Pfx.Rep && flow === Flow.Ret && ins.nops === 0) words.push('rep');
  }
  if (op === Mn.SAL) mn = 'shl';
  if (op === Mn.NOP && ins.nops === 0 && ins.osize !== defaultOsize(ins.bits)) {
    mn = 'xchg';
    const r = gpr(0, ins.osize);
    ops.push(r, r);
  }
  if (op === Mn.RETF) mn = 'ret far';
  if (op === Mn.CALL_FAR || op === Mn.JMP_FAR) mn += ' far';

  const nops = ins.nops;
  {
    if (attr & A_STPRE) ops.push('st');
    for (let i = 0; i < nops; i++) {
      const o = i === 0 ? ins.o0 : i === 1 ? ins.o1 : i === 2 ? ins.o2 : ins.o3;
      const spec = FORM_OPS[ins.form * 4 + i];
      switch (o.kind) {
        case OpKind.Reg:
          if (attr & A_W32TEXT && o.rc === RegClass.Gpr && o.size === 8) ops.push(gpr(o.reg, 4));
          else ops.push(SPEC_METHOD[spec] === Opm.St0 ? 'st' : regText(o));
          break;
        case OpKind.Mem: {
          // LEA computes an offset only: no segment is shown
          const sp = op === Mn.LEA ? '' : segPrefix(ins, o.base === 4 || o.base === 5 ? 2 : 3);
          ops.push(memText(ins, o, SPEC_SIZE[spec], ip, sp));
          break;
        }
        case OpKind.Imm: ops.push(immText(o)); break;
        case OpKind.Rel:
          ops.push((SPEC_SIZE[spec] === Sz.B && (op === Mn.JMP || ins.cond >= 0) ? 'short ' : '') + relText(ins, o, ip));
          break;
        case OpKind.Far: ops.push(`${hexNum(o.imm >>> 0, o.size === 4 ? 4 : 8)},${hexNum(o.immHi, 4)}`); break;
        default: break;
      }
    }
    if (attr & A_STPOST) ops.push('st');
    // the implicit [rDI] of MASKMOVQ/MASKMOVDQU shows only its segment override, as a last operand
    if ((op === Mn.MASKMOVQ || op === Mn.MASKMOVDQU) && segPrefix(ins, 3)) ops.push(SEGS[ins.seg]);
  }
  const text = ops.length ? `${mn} ${ops.join(',')}` : mn;
  return words.length ? `${words.join(' ')} ${text}` : text;
}

/** Lists a whole buffer: one `address  bytes  text` line per instruction; undecodable bytes print as `db`. */
export function disasmBytes(buf: Uint8Array, bits: 16 | 32 | 64, org: number): string {
  const lines: string[] = [];
  const ins = new Instr();
  const width = bits === 64 ? 16 : 8;
  for (let off = 0; off < buf.length;) {
    const addr = (BigInt(org) + BigInt(off)).toString(16).padStart(width, '0');
    let len = 1;
    let text: string;
    try {
      decode(buf, off, buf.length, bits, ins);
      len = ins.len;
      text = disassemble(ins, BigInt(org) + BigInt(off));
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      const h = buf[off].toString(16).toUpperCase().padStart(2, '0');
      text = `db ${h[0] >= 'A' ? '0' + h : h}h ; ${e.kind}`;
    }
    const bytes = Array.from(buf.subarray(off, off + len), (b) => b.toString(16).padStart(2, '0')).join(' ');
    lines.push(`${addr}  ${bytes.padEnd(3 * 10)} ${text}`);
    off += len;
  }
  return lines.join('\n');
}
