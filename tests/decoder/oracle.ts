// Test oracle for the x86 decoder: compares jit/decoder against iced-x86 (an independent decoder) on byte corpora.
import * as iced from 'iced-x86';
import { decode } from '../../jit/decoder/decode.js';
import { DecodeError, Instr, OpKind, Pfx, REG_NONE, REG_RIP, RegClass } from '../../jit/decoder/instr.js';
import { MN_NAMES } from '../../jit/decoder/tables.gen.js';

const { Code, Decoder, DecoderOptions, EncodingKind, Instruction, Mnemonic, OpKind: IK, Register, CpuidFeature } = iced;

/**
 * Out-of-scope families: iced decodes these but bmjit rejects them with DecodeError('unsupported'). An instruction is
 * out of scope when iced reports a non-legacy encoding (VEX/EVEX/XOP/3DNow!/MVEX) or one of these CPUID features.
 * Anything iced decodes that is not covered here and that we reject is a mismatch, so the list cannot grow silently.
 */
export const OUT_OF_SCOPE_FEATURES: readonly string[] = [
  'VMX', 'SVM', 'SMX', 'SGX1', 'RTM', 'HLE', 'AES', 'PCLMULQDQ', 'SHA', 'GFNI', 'MONITOR', 'MONITORX', 'CLZERO',
  'RDPRU', 'FSGSBASE', 'WAITPKG', 'CET_SS', 'XSAVEOPT', 'XSAVEC', 'XSAVES', 'CLWB', 'CLFLUSHOPT', 'PTWRITE', 'RDPID',
  'INVPCID', 'INVEPT', 'INVVPID', 'MOVDIRI', 'MOVDIR64B', 'ENQCMD', 'SERIALIZE', 'TSXLDTRK', 'PCONFIG', 'WBNOINVD',
  'SEV_ES', 'SEV_SNP', 'SKINIT', 'SKINIT_or_SVM', 'PKU', 'SMAP', 'UINTR', 'HRESET', 'KL', 'AESKLE', 'WIDE_KL',
  'RAO_INT', 'PREFETCHITI', 'MSRLIST', 'WRMSRNS', 'LKGS', 'FRED', 'SSE4A', 'PADLOCK_ACE', 'PADLOCK_PHE',
  'PADLOCK_PMM', 'PADLOCK_RNG', 'PADLOCK_GMI', 'PADLOCK_UNDOC', 'CLDEMOTE', 'PREFETCHWT1', 'D3NOW', 'INVLPGB',
  'MCOMMIT', 'RMPQUERY', 'TDX', 'SMM', 'CENTAUR_AIS', 'SM3', 'SM4', 'SHA512', 'TSE', 'CL1INVMB', 'UMOV', 'OSS',
  'HLE_or_RTM', 'SEV_SNP', 'LKGS',
];
const OOS_ENCODINGS: readonly string[] = ['VEX', 'EVEX', 'XOP', 'D3NOW', 'MVEX'];

const GPR8 = ['AL', 'CL', 'DL', 'BL', 'SPL', 'BPL', 'SIL', 'DIL', 'R8L', 'R9L', 'R10L', 'R11L', 'R12L', 'R13L', 'R14L', 'R15L'];
const GPR16 = ['AX', 'CX', 'DX', 'BX', 'SP', 'BP', 'SI', 'DI', 'R8W', 'R9W', 'R10W', 'R11W', 'R12W', 'R13W', 'R14W', 'R15W'];
const GPR32 = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI', 'R8D', 'R9D', 'R10D', 'R11D', 'R12D', 'R13D', 'R14D', 'R15D'];
const GPR64 = ['RAX', 'RCX', 'RDX', 'RBX', 'RSP', 'RBP', 'RSI', 'RDI', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15'];
const SEGS = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'];

function gprName(reg: number, size: number): string {
  return (size === 1 ? GPR8 : size === 2 ? GPR16 : size === 4 ? GPR32 : GPR64)[reg] ?? `?${reg}`;
}

/** iced Register name of one of our register operands. */
export function regName(rc: RegClass, reg: number, size: number): string {
  switch (rc) {
    case RegClass.Gpr: return gprName(reg, size);
    case RegClass.Gpr8Hi: return ['AH', 'CH', 'DH', 'BH'][reg];
    case RegClass.Seg: return SEGS[reg];
    case RegClass.Cr: return `CR${reg}`;
    case RegClass.Dr: return `DR${reg}`;
    case RegClass.Xmm: return `XMM${reg}`;
    case RegClass.Mmx: return `MM${reg}`;
    case RegClass.St: return `ST${reg}`;
  }
}

function baseName(reg: number, asize: number): string {
  if (reg === REG_NONE) return 'None';
  if (reg === REG_RIP) return asize === 8 ? 'RIP' : 'EIP';
  return gprName(reg, asize);
}

/** Our mnemonic, normalised to iced's Mnemonic key (lowercase). */
export function ourMnemonicKey(op: number): string {
  const n = MN_NAMES[op];
  const alias: Record<string, string> = { FWAIT: 'wait' };
  return alias[n] ?? n.replace(/_(X|FAR|CR|DR)$/, '').toLowerCase();
}

const STRING_OPS = new Set([
  'MOVSB', 'MOVSW', 'MOVSD', 'MOVSQ', 'CMPSB', 'CMPSW', 'CMPSD', 'CMPSQ', 'STOSB', 'STOSW', 'STOSD', 'STOSQ', 'LODSB',
  'LODSW', 'LODSD', 'LODSQ', 'SCASB', 'SCASW', 'SCASD', 'SCASQ', 'INSB', 'INSW', 'INSD', 'OUTSB', 'OUTSW', 'OUTSD',
  'XLATB',
]);

const IMM_SIZE: Record<string, number> = {
  Immediate8: 1, Immediate8_2nd: 1, Immediate16: 2, Immediate32: 4, Immediate64: 8, Immediate8to16: 2,
  Immediate8to32: 4, Immediate8to64: 8, Immediate32to64: 8,
};

const mask = (bytes: number) => (1n << BigInt(bytes * 8)) - 1n;
const u32 = (x: number) => BigInt(x >>> 0);
const immValue = (lo: number, hi: number) => (BigInt(hi | 0) << 32n) | u32(lo);

export type Verdict = 'match' | 'bothReject' | 'outOfScope' | 'mismatch';

export interface Stats {
  total: number;
  match: number;
  bothReject: number;
  outOfScope: number;
  mismatch: number;
  oosByFamily: Map<string, number>;
  mismatches: string[];
  /** Mismatch count per normalised description, with a first example. */
  byKind: Map<string, { n: number; example: string }>;
  metaMismatch: number;
  metaByMn: Map<string, string>;
  textCompared: number;
  textMismatch: number;
  textMismatches: string[];
}

export function newStats(): Stats {
  return {
    total: 0, match: 0, bothReject: 0, outOfScope: 0, mismatch: 0, oosByFamily: new Map(), mismatches: [], byKind: new Map(),
    metaMismatch: 0, metaByMn: new Map(), textCompared: 0, textMismatch: 0, textMismatches: [],
  };
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

// iced RflagsBits -> EFLAGS bit positions (only the bits iced models).
const ICED_FLAGS: [number, number][] = [
  [1, 0x800], [2, 0x80], [4, 0x40], [8, 0x10], [16, 0x1], [32, 0x4], [64, 0x400], [128, 0x200], [256, 0x40000],
];
export function icedFlags(v: number): number {
  let r = 0;
  for (const [i, e] of ICED_FLAGS) if (v & i) r |= e;
  return r;
}
export const ICED_FLAG_MASK = 0x40ed5;

/** Compares our decoding against iced's for one instruction; returns an error description or null. */
function compareOperands(ours: Instr, ic: InstanceType<typeof Instruction>, ip: bigint): string | null {
  const mn = MN_NAMES[ours.op];
  const icedOps: number[] = [];
  // Hidden memory operands (string ops, MASKMOVQ's [rDI], XLAT) are not materialised by our decoder.
  if (!STRING_OPS.has(mn)) {
    for (let i = 0; i < ic.opCount; i++) if (!/^Memory(Seg|ES)/.test(IK[ic.opKind(i)])) icedOps.push(i);
  }
  if (icedOps.length !== ours.nops) return `operand count ${ours.nops} vs iced ${icedOps.length}`;
  const codeName = Code[ic.code];
  const r32m16 = /r32m16|r64m16|r32_r32m16|r64_r64m16/.test(codeName);
  const next = ip + BigInt(ours.len);
  for (let k = 0; k < ours.nops; k++) {
    const o = k === 0 ? ours.o0 : k === 1 ? ours.o1 : k === 2 ? ours.o2 : ours.o3;
    const i = icedOps[k];
    const kind = IK[ic.opKind(i)];
    const tag = `op${k}`;
    if (kind === 'Register') {
      if (o.kind !== OpKind.Reg) return `${tag}: kind ${o.kind} vs iced Register`;
      const want = Register[ic.opRegister(i)];
      const got = regName(o.rc, o.reg, o.size);
      // iced's r32m16/r64m16 forms (LLDT, SLDT, ARPL, MOV Sreg...) name the full register of a 16-bit access.
      const widened = r32m16 && o.rc === RegClass.Gpr && o.size === 2 && (GPR32.indexOf(want) === o.reg || GPR64.indexOf(want) === o.reg);
      if (got !== want && !widened) return `${tag}: register ${got} vs iced ${want}`;
    } else if (kind.startsWith('NearBranch')) {
      if (o.kind !== OpKind.Rel) return `${tag}: kind ${o.kind} vs iced ${kind}`;
      const target = (next + BigInt(o.disp)) & mask(o.size);
      if (target !== ic.nearBranchTarget) return `${tag}: target ${target.toString(16)} vs iced ${ic.nearBranchTarget.toString(16)}`;
    } else if (kind.startsWith('FarBranch')) {
      if (o.kind !== OpKind.Far) return `${tag}: kind ${o.kind} vs iced ${kind}`;
      const off = kind === 'FarBranch16' ? ic.farBranch16 : ic.farBranch32;
      if ((o.imm >>> 0) !== off || o.immHi !== ic.farBranchSelector) return `${tag}: far ${o.immHi.toString(16)}:${(o.imm >>> 0).toString(16)} vs iced ${ic.farBranchSelector.toString(16)}:${off.toString(16)}`;
    } else if (kind in IMM_SIZE) {
      if (o.kind !== OpKind.Imm) return `${tag}: kind ${o.kind} vs iced ${kind}`;
      const sz = IMM_SIZE[kind];
      if (o.size !== sz) return `${tag}: immediate size ${o.size} vs iced ${sz} (${kind})`;
      const got = immValue(o.imm, o.immHi) & mask(sz);
      const want = ic.immediate(i) & mask(sz);
      if (got !== want) return `${tag}: immediate ${got.toString(16)} vs iced ${want.toString(16)}`;
    } else if (kind === 'Memory') {
      if (o.kind !== OpKind.Mem) return `${tag}: kind ${o.kind} vs iced Memory`;
      const wantBase = Register[ic.memoryBase];
      const gotBase = baseName(o.base, ours.asize);
      if (gotBase !== wantBase) return `${tag}: base ${gotBase} vs iced ${wantBase}`;
      const wantIndex = Register[ic.memoryIndex];
      const gotIndex = baseName(o.index, ours.asize);
      if (gotIndex !== wantIndex) return `${tag}: index ${gotIndex} vs iced ${wantIndex}`;
      if (o.index !== REG_NONE && o.scale !== ic.memoryIndexScale) return `${tag}: scale ${o.scale} vs iced ${ic.memoryIndexScale}`;
      const m = mask(ours.asize);
      let disp: bigint;
      if (o.base === REG_RIP) disp = (next + BigInt(o.disp)) & m;
      else if (o.base === REG_NONE && o.index === REG_NONE && ours.asize === 8) disp = immValue(o.disp, o.dispHi) & m;
      else if (o.dispHi !== 0) return `${tag}: dispHi set on a based address`;
      else disp = BigInt(o.disp) & m;
      const want = ic.memoryDisplacement & m;
      if (disp !== want) return `${tag}: displacement ${disp.toString(16)} vs iced ${want.toString(16)}`;
      const seg = Register[ic.memorySegment];
      if (SEGS[ours.seg] !== seg) return `${tag}: segment ${SEGS[ours.seg]} vs iced ${seg}`;
    } else return `${tag}: unexpected iced operand kind ${kind}`;
  }
  return null;
}

function note(stats: Stats, sample: string, why: string): void {
  stats.mismatch++;
  if (stats.mismatches.length < 200) stats.mismatches.push(`${sample}: ${why}`);
  const key = why.replace(/\b[0-9a-f]{2,}\b/g, 'N');
  const k = stats.byKind.get(key);
  if (k) k.n++;
  else stats.byKind.set(key, { n: 1, example: `${sample}: ${why}` });
}

/** Mismatch categories, most frequent first, one example each. */
export function mismatchReport(stats: Stats, max = 60): string {
  return [...stats.byKind.values()].sort((a, b) => b.n - a.n).slice(0, max).map((k) => `  ${k.n} x ${k.example}`).join('\n');
}

export interface Corpus {
  bytes: Uint8Array;
  offsets: number[]; // start of each sample; each sample may use up to 15 bytes from there
}

/** Runs one mode's corpus through both decoders; `check` adds per-instruction comparisons (metadata, text). */
export function runCorpus(
  bits: 16 | 32 | 64,
  corpus: Corpus,
  stats: Stats,
  ip0: bigint,
  check?: (ours: Instr, ic: InstanceType<typeof Instruction>, bytes: Uint8Array, ip: bigint, stats: Stats) => void,
): void {
  const dec = new Decoder(bits, corpus.bytes, DecoderOptions.None);
  const ic = new Instruction();
  const ours = new Instr();
  const { bytes, offsets } = corpus;
  // rejected samples are the common case here: skip stack capture for the DecodeErrors they throw
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    runSamples(bits, corpus, stats, ip0, dec, ic, ours, check);
  } finally {
    Error.stackTraceLimit = limit;
    ic.free();
    dec.free();
  }
}

function runSamples(
  bits: 16 | 32 | 64,
  corpus: Corpus,
  stats: Stats,
  ip0: bigint,
  dec: InstanceType<typeof Decoder>,
  ic: InstanceType<typeof Instruction>,
  ours: Instr,
  check?: (ours: Instr, ic: InstanceType<typeof Instruction>, bytes: Uint8Array, ip: bigint, stats: Stats) => void,
): void {
  const { bytes, offsets } = corpus;
  for (let s = 0; s < offsets.length; s++) {
    const off = offsets[s];
    const stop = Math.min(bytes.length, off + 16);
    const ip = ip0 + BigInt(off);
    dec.position = off;
    dec.ip = ip;
    dec.decodeOut(ic);
    const icedOk = ic.code !== Code.INVALID && off + ic.length <= stop;
    let err: DecodeError | null = null;
    try {
      decode(bytes, off, stop, bits, ours);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      err = e;
    }
    stats.total++;
    const sample = () => hex(bytes.subarray(off, Math.min(stop, off + (icedOk ? ic.length : 15))));
    if (!icedOk) {
      if (err) { stats.bothReject++; continue; }
      note(stats, `${bits} ${sample()}`, `iced rejects, we decode ${MN_NAMES[ours.op]} len ${ours.len}`);
      continue;
    }
    const enc = EncodingKind[ic.encoding];
    const feats = Array.from(ic.cpuidFeatures(), (f) => CpuidFeature[f]);
    const oosFamily = OOS_ENCODINGS.includes(enc) ? enc : feats.find((f) => OUT_OF_SCOPE_FEATURES.includes(f));
    if (err) {
      if (err.kind === 'unsupported' && oosFamily) {
        stats.outOfScope++;
        stats.oosByFamily.set(oosFamily, (stats.oosByFamily.get(oosFamily) ?? 0) + 1);
        continue;
      }
      note(stats, `${bits} ${sample()}`, `we reject (${err.kind}), iced ${Code[ic.code]} [${feats.join(',')}] ${enc}`);
      continue;
    }
    let why: string | null = null;
    if (ours.len !== ic.length) why = `length ${ours.len} vs iced ${ic.length}`;
    else if (ourMnemonicKey(ours.op) !== Mnemonic[ic.mnemonic].toLowerCase()) why = `mnemonic ${MN_NAMES[ours.op]} vs iced ${Mnemonic[ic.mnemonic]}`;
    else if (!/^(FCMOV|LOOP)/.test(MN_NAMES[ours.op]) && ours.cond + 1 !== ic.conditionCode) why = `cond ${ours.cond} vs iced ${ic.conditionCode - 1}`;
    else if (!!(ours.prefixes & Pfx.Lock) !== ic.hasLockPrefix) why = `lock prefix ${!!(ours.prefixes & Pfx.Lock)} vs iced ${ic.hasLockPrefix}`;
    else if (STRING_OPS.has(MN_NAMES[ours.op]) && (!!(ours.prefixes & Pfx.Rep) !== ic.hasRepePrefix || !!(ours.prefixes & Pfx.Repne) !== ic.hasRepnePrefix)) why = `rep prefixes ${ours.prefixes & (Pfx.Rep | Pfx.Repne)} vs iced ${ic.hasRepePrefix}/${ic.hasRepnePrefix}`;
    else if ((ours.segOverride ? SEGS[ours.seg] : 'None') !== Register[ic.segmentPrefix]) why = `segment prefix ${ours.segOverride ? SEGS[ours.seg] : 'None'} vs iced ${Register[ic.segmentPrefix]}`;
    else why = compareOperands(ours, ic, ip);
    if (why) {
      note(stats, `${bits} ${sample()}`, `${why} (iced ${Code[ic.code]}, ours ${MN_NAMES[ours.op]})`);
      continue;
    }
    stats.match++;
    if (check) check(ours, ic, bytes.subarray(off, off + ours.len), ip, stats);
  }
}

// ------------------------------------------------------------------------------------------------ corpora
/** Small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class CorpusBuilder {
  private chunks: Uint8Array[] = [];
  private cur = new Uint8Array(1 << 20);
  private used = 0;
  private base = 0;
  offsets: number[] = [];
  constructor(private rnd: () => number) {}
  /** Adds a sample: `prefix` bytes followed by filler so that 16 bytes are available. */
  add(sample: number[]): void {
    if (this.used + 16 > this.cur.length) {
      this.chunks.push(this.cur.subarray(0, this.used));
      this.base += this.used;
      this.cur = new Uint8Array(1 << 20);
      this.used = 0;
    }
    this.offsets.push(this.base + this.used);
    for (let i = 0; i < 16; i++) this.cur[this.used + i] = i < sample.length ? sample[i] : (this.rnd() * 256) | 0;
    this.used += 16;
  }
  build(): Corpus {
    this.chunks.push(this.cur.subarray(0, this.used));
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const bytes = new Uint8Array(total);
    let o = 0;
    for (const c of this.chunks) { bytes.set(c, o); o += c.length; }
    return { bytes, offsets: this.offsets };
  }
}

/**
 * Systematic corpus: every opcode of every map (one-byte, 0F, 0F38, 0F3A) with every mod=11 ModRM byte and
 * representative memory ModRM forms (each reg field; SIB with/without base, disp8, disp32, RIP/disp16 forms), under
 * prefix combinations (none, 66, F2, F3, 67, REX variants, segment, LOCK, repeated and reordered prefixes).
 * Displacement and immediate bytes come from a seeded PRNG.
 */
export function systematicCorpus(bits: 16 | 32 | 64, seed: number): Corpus {
  const rnd = prng(seed);
  const cb = new CorpusBuilder(rnd);
  const maps: number[][] = [[], [0x0f], [0x0f, 0x38], [0x0f, 0x3a]];
  const memModrm: number[] = [];
  for (let reg = 0; reg < 8; reg++) {
    for (const m of [0x00, 0x04, 0x05, 0x44, 0x86, 0x06]) memModrm.push(m | (reg << 3));
  }
  const regModrm: number[] = [];
  for (let v = 0xc0; v < 0x100; v++) regModrm.push(v);
  const sibs = [0x24, 0x25, 0x8d, 0x4c, 0xe5, 0x00];
  const full: number[][] = [[], [0x66], [0xf3], [0xf2]];
  const medium: number[][] = bits === 64 ? [[0x48], [0x66, 0x48]] : [[0x67], [0x66, 0x67]];
  const light: number[][] = [[0x67], [0xf0], [0x2e], [0x64], [0x66, 0xf3], [0xf3, 0x66], [0xf2, 0xf3], [0x26, 0x66, 0x66]];
  if (bits === 64) {
    light.push([0x4d], [0x42], [0x44], [0x40], [0x41], [0x48, 0x66], [0xf3, 0x48], [0x65, 0x4f], [0xf0, 0x48]);
  } else {
    light.push([0x36, 0x67], [0xf0, 0x66]);
  }
  const mediumReg: number[] = [];
  for (let reg = 0; reg < 8; reg++) for (const r of [0, 1, 5, 7]) mediumReg.push(0xc0 | (reg << 3) | r);
  const mediumMem: number[] = [];
  for (let reg = 0; reg < 8; reg++) mediumMem.push(reg << 3, 0x44 | (reg << 3));
  // Opcodes (with a given prefix) that neither decoder accepts in any probe form get only the light walk.
  const probeDec = new Decoder(bits, new Uint8Array(16), DecoderOptions.None);
  const probeIns = new Instruction();
  const ours = new Instr();
  const probeBuf = new Uint8Array(24);
  const probes = [0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0xc0, 0xc8, 0xd0, 0xd8, 0xe0, 0xe8, 0xf0, 0xf8, 0xd1, 0xf9, 0xc1];
  const live = (bytes: number[]): boolean => {
    for (const m of probes) {
      probeBuf.fill(0);
      probeBuf.set([...bytes, m]);
      const d = new Decoder(bits, probeBuf, DecoderOptions.None);
      d.decodeOut(probeIns);
      d.free();
      if (probeIns.code !== Code.INVALID) return true;
      try {
        decode(probeBuf, 0, probeBuf.length, bits, ours);
        return true;
      } catch {
        // rejected
      }
    }
    return false;
  };
  probeDec.free();
  const isPrefix = (b: number) => [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3].includes(b) || (bits === 64 && b >= 0x40 && b <= 0x4f);
  for (const map of maps) {
    for (let op = 0; op < 256; op++) {
      if (map.length === 0 && isPrefix(op)) continue;
      if (map.length === 1 && (op === 0x38 || op === 0x3a)) continue;
      for (const pf of full) {
        if (map.length >= 2 && !live([...pf, ...map, op])) continue;
        for (const m of regModrm) cb.add([...pf, ...map, op, m]);
        for (const m of memModrm) {
          if ((m & 7) === 4 && (m >> 6) !== 3) for (const s of sibs) cb.add([...pf, ...map, op, m, s]);
          else cb.add([...pf, ...map, op, m]);
        }
      }
      for (const pf of medium) {
        if (map.length >= 2 && !live([...pf, ...map, op])) continue;
        for (const m of mediumReg) cb.add([...pf, ...map, op, m]);
        for (const m of mediumMem) cb.add([...pf, ...map, op, m, 0x8d]);
      }
      for (const pf of light) {
        for (let reg = 0; reg < 8; reg++) {
          cb.add([...pf, ...map, op, 0xc0 | (reg << 3) | (reg ^ 5)]);
          cb.add([...pf, ...map, op, 0x04 | (reg << 3), 0x8d]);
          cb.add([...pf, ...map, op, 0x80 | (reg << 3) | reg]);
        }
      }
    }
  }
  // VEX (C4/C5): every opcode of maps 0F/0F38/0F3A under each pp, W and L, with varied R/X/B and vvvv. Only BMI1/BMI2
  // is in scope; the rest must come back 'unsupported' (or be rejected by iced too).
  for (let mm = 1; mm <= 3; mm++) {
    for (let op = 0; op < 256; op++) {
      for (let pp = 0; pp < 4; pp++) {
        for (let wl = 0; wl < (mm === 1 ? 1 : 4); wl++) {
          const w = wl & 1;
          const l = wl >> 1;
          for (let k = 0; k < 6; k++) {
            const rxb = bits === 64 ? [0xe0, 0x60, 0xa0, 0xc0, 0xe0, 0x20][k] : [0xe0, 0xc0, 0xe0, 0xc0, 0xe0, 0xe0][k];
            const vvvv = [0xf, 0xe, 0x9, 0xf, 0x0, 0x7][k];
            const modrm = [0xc1, 0xca, 0xd3, 0x04, 0x45, 0x9c][k];
            const b2 = (w << 7) | (vvvv << 3) | (l << 2) | pp;
            const s = [0xc4, rxb | mm, b2, op, modrm];
            if ((modrm & 7) === 4 && modrm < 0xc0) s.push(0x8d);
            cb.add(s);
            if (mm === 1 && k < 2) cb.add([0xc5, ((rxb & 0x80) | (vvvv << 3) | (l << 2) | pp), op, modrm]);
          }
        }
      }
    }
  }
  return cb.build();
}

/** Random corpus: `n` samples of 16 random bytes, a third of them led by 1-4 random prefix bytes. */
export function randomCorpus(bits: 16 | 32 | 64, n: number, seed: number): Corpus {
  const rnd = prng(seed);
  const cb = new CorpusBuilder(rnd);
  const pfx = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x0f];
  if (bits === 64) for (let b = 0x40; b < 0x50; b++) pfx.push(b);
  for (let i = 0; i < n; i++) {
    const s: number[] = [];
    if (i % 3 === 0) {
      const k = 1 + ((rnd() * 4) | 0);
      for (let j = 0; j < k; j++) s.push(pfx[(rnd() * pfx.length) | 0]);
    }
    cb.add(s);
  }
  return cb.build();
}

export function summary(bits: number, name: string, st: Stats): string {
  const fam = [...st.oosByFamily.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}:${v}`).join(' ');
  return `[decoder ${bits}-bit ${name}] samples ${st.total}: match ${st.match}, both-reject ${st.bothReject}, ` +
    `out-of-scope ${st.outOfScope}, mismatch ${st.mismatch}; metadata mismatches ${st.metaMismatch}; ` +
    `text compared ${st.textCompared}, text mismatches ${st.textMismatch}\n  out-of-scope families: ${fam || '-'}`;
}

// ------------------------------------------------------------------------------------------------ per-instruction checks
import { disassemble } from '../../jit/decoder/disasm.js';
import { A_CPL0, A_LOCK, A_REP, A_REPCC, FLOW_SHIFT } from '../../jit/decoder/decode.js';
import { FORM_ATTR, FORM_FLAGS_READ, FORM_FLAGS_UNDEFINED, FORM_FLAGS_WRITTEN } from '../../jit/decoder/tables.gen.js';

const { Formatter, FormatterSyntax, MemorySizeOptions, FlowControl } = iced;

/** iced Intel formatter configured as the reference for our disassembler. */
export function referenceFormatter(): InstanceType<typeof Formatter> {
  const f = new Formatter(FormatterSyntax.Intel);
  f.memorySizeOptions = MemorySizeOptions.Always;
  f.usePseudoOps = false;
  return f;
}

/** Documented differences between iced's text and ours (see docs/decoder.md). */
export function normaliseIcedText(t: string, ic?: InstanceType<typeof Instruction>): string {
  let r = t.replace(/^prefetch_(exclusive|reserved)\b/, 'prefetch');
  // iced-x86 1.21 prints a 64-bit immediate whose low half is 0..9 as that low half (`mov rax,1` for
  // 0x100000001); rebuild the operand from iced's own decoded value
  if (ic && ic.code === Code.Mov_r64_imm64) {
    const v = ic.immediate(1);
    if (v > 9n && (v & 0xffffffffn) <= 9n) {
      const h = v.toString(16).toUpperCase();
      r = r.replace(/,\d$/, `,${/^[A-F]/.test(h) ? '0' : ''}${h}h`);
    }
  }
  return r;
}

function textMismatch(stats: Stats, where: string, msg: string): void {
  stats.textMismatch++;
  const key = msg.replace(/\b[0-9A-Fa-f]+h?\b/g, 'N');
  const k = stats.byKind.get('text: ' + key);
  if (k) k.n++;
  else stats.byKind.set('text: ' + key, { n: 1, example: `${where}: ${msg}` });
}

// Our Flow kind -> the iced FlowControl values it may correspond to.
const FLOW_OK: Record<number, string[]> = {
  0: ['Next'], 1: ['UnconditionalBranch'], 2: ['IndirectBranch'], 3: ['ConditionalBranch'], 4: ['Call'],
  5: ['IndirectCall'], 6: ['Return'], 7: ['UnconditionalBranch', 'IndirectBranch'], 8: ['Call', 'IndirectCall'],
  9: ['Return'], 10: ['Interrupt'], 11: ['Return'], 12: ['Call'], 13: ['Return'], 14: ['Next'], 15: ['Exception'],
};

export function makeChecker(opts: { text: boolean; meta: boolean }) {
  const fmt = referenceFormatter();
  const seenMeta = new Set<string>();
  return (ours: Instr, ic: InstanceType<typeof Instruction>, bytes: Uint8Array, ip: bigint, stats: Stats): void => {
    // truncation must be reported as such
    try {
      decode(bytes, 0, ours.len - 1, ours.bits as 16 | 32 | 64, new Instr());
      textMismatch(stats, hex(bytes), 'decodes with the last byte missing');
    } catch (e) {
      if (!(e instanceof DecodeError) || e.kind !== 'truncated') textMismatch(stats, hex(bytes), `cut instruction gives ${String(e)}`);
    }
    if (opts.text) {
      stats.textCompared++;
      const want = normaliseIcedText(fmt.format(ic), ic);
      const got = disassemble(ours, ip);
      if (got !== want) textMismatch(stats, `${ours.bits} ${hex(bytes)}`, `'${got}' vs iced '${want}'`);
    }
    if (opts.meta) {
      const key = `${ours.form}:${ic.code}`;
      // iced derives shift/rotate flags from an immediate count; our metadata is static (count > 1 worst case)
      const n = ours.nops;
      if (n >= 2 && /^(SH|SA|RO|RC)[LR]D?$/.test(MN_NAMES[ours.op])) {
        const c = n === 3 ? ours.o2 : ours.o1;
        if (c.kind === OpKind.Imm) {
          let cnt = c.imm & (ours.osize === 8 ? 0x3f : 0x1f);
          if (/^RC/.test(MN_NAMES[ours.op]) && ours.osize <= 2) cnt %= ours.osize * 8 + 1;
          if (cnt <= 1) return;
        }
      }
      if (seenMeta.has(key)) return;
      seenMeta.add(key);
      const f = ours.form;
      const attr = FORM_ATTR[f];
      const errs: string[] = [];
      const rd = FORM_FLAGS_READ[f] & ICED_FLAG_MASK;
      const wr = FORM_FLAGS_WRITTEN[f] & ICED_FLAG_MASK;
      const un = FORM_FLAGS_UNDEFINED[f] & ICED_FLAG_MASK;
      const iRd = icedFlags(ic.rflagsRead);
      const iWr = icedFlags(ic.rflagsWritten | ic.rflagsCleared | ic.rflagsSet | ic.rflagsUndefined);
      const iUn = icedFlags(ic.rflagsUndefined);
      if (rd !== iRd) errs.push(`flags read ${rd.toString(16)} vs ${iRd.toString(16)}`);
      if (wr !== iWr) errs.push(`flags written ${wr.toString(16)} vs ${iWr.toString(16)}`);
      if (un !== iUn) errs.push(`flags undefined ${un.toString(16)} vs ${iUn.toString(16)}`);
      const flow = (attr >>> FLOW_SHIFT) & 31;
      const iFlow = FlowControl[ic.flowControl];
      if (!FLOW_OK[flow].includes(iFlow)) errs.push(`flow ${flow} vs ${iFlow}`);
      const oc = ic.opCode;
      if (!!(attr & A_LOCK) !== oc.canUseLockPrefix) errs.push(`lock ${!!(attr & A_LOCK)} vs ${oc.canUseLockPrefix}`);
      const rep = attr & A_REPCC ? 'repcc' : attr & A_REP ? 'rep' : '-';
      const iRep = oc.canUseRepnePrefix && oc.canUseRepPrefix ? 'repcc' : oc.canUseRepPrefix ? 'rep' : '-';
      if (rep !== iRep) errs.push(`rep ${rep} vs ${iRep}`);
      if (!!(attr & A_CPL0) !== oc.mustBeCpl0) errs.push(`cpl0 ${!!(attr & A_CPL0)} vs ${oc.mustBeCpl0}`);
      oc.free();
      if (errs.length) {
        stats.metaMismatch++;
        stats.metaByMn.set(`${MN_NAMES[ours.op]}/${Code[ic.code]}`, errs.join('; '));
      }
    }
  };
}

/** Runs the systematic and random corpora of one mode with all checks; returns both stats for assertions. */
export function runMode(bits: 16 | 32 | 64, randomCount: number): { sys: Stats; rnd: Stats; sysSize: number; rndSize: number } {
  const cpu0 = process.cpuUsage();
  const chk = makeChecker({ text: true, meta: true });
  const sysCorpus = systematicCorpus(bits, 0x5eed + bits);
  const sys = newStats();
  runCorpus(bits, sysCorpus, sys, 0x1000n, chk);
  const rndCorpus = randomCorpus(bits, randomCount, 0xc0ffee + bits);
  const rnd = newStats();
  // a high code address for the random corpus exercises branch/RIP-relative wrap-around
  runCorpus(bits, rndCorpus, rnd, bits === 64 ? 0xffff_ffff_ffff_0000n : bits === 32 ? 0xffff_f000n : 0xf000n, chk);
  console.log(summary(bits, 'systematic', sys));
  console.log(summary(bits, 'random', rnd));
  const cpu = process.cpuUsage(cpu0);
  console.log(`[decoder ${bits}-bit] corpus run used ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU`);
  const bad = mismatchReport(sys, 20) + mismatchReport(rnd, 20);
  if (bad.trim()) console.log(bad);
  if (sys.metaByMn.size || rnd.metaByMn.size) {
    console.log([...sys.metaByMn, ...rnd.metaByMn].slice(0, 20).map(([k, v]) => `  ${k}: ${v}`).join('\n'));
  }
  return { sys, rnd, sysSize: sysCorpus.offsets.length, rndSize: rndCorpus.offsets.length };
}
