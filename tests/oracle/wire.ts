// Host-oracle batch wire format (tests/oracle/README.md "Wire format"), both directions.
import { DATA_SIZE, CODE_BASE, MAX_CODE, RSP, type Case, type Result, type Status } from './abi.js';

export const IN_MAGIC = 0x494f4d42; // "BMOI"
export const OUT_MAGIC = 0x524f4d42; // "BMOR"
export const WIRE_VERSION = 1;
export const HEADER_LEN = 16;
export const IN_CASE_FIXED = 408;
export const OUT_CASE_FIXED = 532;

const STATUS: Status[] = ['ok', 'fault', 'timeout'];

function checkCase(c: Case, i: number): void {
  const where = `case ${i} (${c.name})`;
  if (c.code.length > MAX_CODE) throw new Error(`${where}: code is ${c.code.length} bytes, max ${MAX_CODE}`);
  if (c.gpr.length !== 16) throw new Error(`${where}: gpr must have 16 entries`);
  if (c.xmm.length !== 16 || c.xmm.some((x) => x.length !== 16)) throw new Error(`${where}: xmm must be 16 x 16 bytes`);
  if (c.mxcsr >>> 16 !== 0) throw new Error(`${where}: MXCSR 0x${c.mxcsr.toString(16)} sets reserved bits`);
  for (const m of c.mem) {
    if (m.offset < 0 || m.offset + m.bytes.length > DATA_SIZE) {
      throw new Error(`${where}: memory run 0x${m.offset.toString(16)}+0x${m.bytes.length.toString(16)} outside the data area`);
    }
  }
}

export function encodeBatch(cases: readonly Case[]): Uint8Array {
  let size = HEADER_LEN;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    checkCase(c, i);
    size += IN_CASE_FIXED + c.code.length;
    for (const m of c.mem) size += 8 + m.bytes.length;
  }
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, IN_MAGIC, true);
  dv.setUint32(4, WIRE_VERSION, true);
  dv.setUint32(8, cases.length, true);
  let p = HEADER_LEN;
  for (const c of cases) {
    dv.setUint32(p, c.code.length, true);
    dv.setUint32(p + 4, c.mem.length, true);
    // setBigUint64 wraps modulo 2^64 itself, so negative bigints need no masking
    for (let r = 0; r < 16; r++) dv.setBigUint64(p + 8 + 8 * r, r === RSP ? 0n : c.gpr[r]!, true);
    dv.setUint32(p + 136, c.rflags & 0xfff, true);
    dv.setUint32(p + 144, c.mxcsr, true);
    dv.setUint16(p + 148, c.fcw, true);
    for (let r = 0; r < 16; r++) buf.set(c.xmm[r]!, p + 152 + 16 * r);
    p += IN_CASE_FIXED;
    buf.set(c.code, p);
    p += c.code.length;
    for (const m of c.mem) {
      dv.setUint32(p, m.offset, true);
      dv.setUint32(p + 4, m.bytes.length, true);
      buf.set(m.bytes, p + 8);
      p += 8 + m.bytes.length;
    }
  }
  return buf;
}

/** Parses the harness output. Small arrays (st, xmm) are views into `out`; all data areas share one buffer. */
export function decodeBatch(raw: Uint8Array, cases: readonly Case[]): Result[] {
  // A plain Uint8Array, not a Buffer: Buffer#slice would return views, a trap for code that copies results.
  const out = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const fail = (msg: string): never => {
    throw new Error(`host-oracle output: ${msg}`);
  };
  if (out.length < HEADER_LEN || dv.getUint32(0, true) !== OUT_MAGIC) fail('bad magic');
  if (dv.getUint32(4, true) !== WIRE_VERSION) fail('unsupported version');
  const n = dv.getUint32(8, true);
  if (n !== cases.length) fail(`${n} results for ${cases.length} cases`);
  const memAll = new Uint8Array(n * DATA_SIZE);
  const results: Result[] = new Array(n);
  let p = HEADER_LEN;
  for (let i = 0; i < n; i++) {
    if (p + OUT_CASE_FIXED > out.length) fail(`truncated at result ${i}`);
    const gpr: bigint[] = new Array(16);
    for (let r = 0; r < 16; r++) gpr[r] = dv.getBigUint64(p + 32 + 8 * r, true);
    const st: Uint8Array[] = new Array(8);
    for (let s = 0; s < 8; s++) st[s] = out.subarray(p + 192 + 10 * s, p + 202 + 10 * s);
    const xmm: Uint8Array[] = new Array(16);
    for (let r = 0; r < 16; r++) xmm[r] = out.subarray(p + 272 + 16 * r, p + 288 + 16 * r);
    const mem = memAll.subarray(i * DATA_SIZE, (i + 1) * DATA_SIZE);
    for (const m of cases[i]!.mem) mem.set(m.bytes, m.offset);
    const res: Result = {
      status: STATUS[dv.getUint32(p, true)] ?? fail(`bad status at result ${i}`),
      signo: dv.getUint32(p + 4, true),
      vector: dv.getInt32(p + 8, true),
      siCode: dv.getInt32(p + 12, true),
      errorCode: dv.getBigUint64(p + 16, true),
      faultAddr: dv.getBigUint64(p + 24, true),
      gpr,
      rip: dv.getBigUint64(p + 160, true),
      // RIP is always in the low 4 GiB here except after a wild jump, where the bigint path is exact
      ripOffset: dv.getUint32(p + 164, true) === 0 ? dv.getUint32(p + 160, true) - CODE_BASE : 0,
      rflags: dv.getUint32(p + 168, true),
      mxcsr: dv.getUint32(p + 176, true),
      fcw: dv.getUint16(p + 180, true),
      fsw: dv.getUint16(p + 182, true),
      ftw: out[p + 184]!,
      st,
      xmm,
      mem,
    };
    if (dv.getUint32(p + 164, true) !== 0) res.ripOffset = Number(BigInt.asIntN(64, res.rip - BigInt(CODE_BASE)));
    const runs = dv.getUint32(p + 528, true);
    p += OUT_CASE_FIXED;
    for (let r = 0; r < runs; r++) {
      const off = dv.getUint32(p, true);
      const len = dv.getUint32(p + 4, true);
      if (off + len > DATA_SIZE || p + 8 + len > out.length) fail(`bad memory run at result ${i}`);
      mem.set(out.subarray(p + 8, p + 8 + len), off);
      p += 8 + len;
    }
    results[i] = res;
  }
  if (p !== out.length) fail('trailing bytes');
  return results;
}
