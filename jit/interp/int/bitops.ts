// Bit operations (SDM Vol. 2 BT/BTS/BTR/BTC, BSF/BSR, LZCNT/TZCNT/POPCNT, BSWAP, MOVBE, CRC32 of SSE4.2).
// Undefined flags follow the AMD reference host (flags.ts policy): BT* change only CF; BSF/BSR, LZCNT/TZCNT and
// POPCNT as documented on each handler.
import { S } from '../slots.js';
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { OpKind } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { Flag } from '../../../machine/cpu/state.js';
import { putFlags, PARITY } from '../flags.js';
import { effectiveOffset, linearAddress } from '../operands.js';
import { IntOp, addrOf, rmwCheck, readSrc, rdSize, wrSize, writeReg, TWO32 } from './common.js';

// ---- BT BTS BTR BTC -------------------------------------------------------------------------------------------------

const enum B {
  BT = 0,
  BTS = 1,
  BTR = 2,
  BTC = 3,
}

/** Apply a bit-test op to (lo, hi) at bit k; returns the new lo (new hi in NHI) and the old bit in OLD. */
let NHI = 0, OLD = 0;
function bitApply(kind: number, lo: number, hi: number, k: number): number {
  const inHi = k >= 32;
  const m = 1 << (k & 31);
  const w = inHi ? hi : lo;
  OLD = (w & m) !== 0 ? 1 : 0;
  let nw = w;
  if (kind === B.BTS) nw = w | m;
  else if (kind === B.BTR) nw = w & ~m;
  else if (kind === B.BTC) nw = w ^ m;
  NHI = inHi ? nw : hi;
  return inHi ? lo : nw;
}

function makeBt(kind: number): Handler {
  const write = kind !== B.BT;
  return (cpu, ins) => {
    const o = ins.o0;
    const size = o.size;
    const bits = size * 8;
    const src = ins.o1;
    const s = cpu.i32;
    if (o.kind === OpKind.Reg) {
      const k = (src.kind === OpKind.Imm ? src.imm : s[src.reg << 1]) & (bits - 1);
      const v = readSrc(cpu, ins, o, size);
      const r = bitApply(kind, v, cpu.hi, k);
      if (write) writeReg(cpu, o, size, r, NHI);
      putFlags(s, Flag.CF, OLD);
      return;
    }
    let lin: number;
    let k: number;
    if (src.kind === OpKind.Imm) {
      k = src.imm & (bits - 1);
      lin = addrOf(cpu, ins, o, write);
    } else {
      // Register bit offset: signed, selects the operand-sized word at ea + (offset >> log2(bits)) * size.
      let words: number;
      if (size === 8) {
        const lo = s[src.reg << 1], hi = s[(src.reg << 1) | 1];
        k = lo & 63;
        words = hi * (TWO32 / 64) + Math.floor((lo >>> 0) / 64); // offset >> 6, exact while |offset| < 2^59
      } else {
        const off = size === 4 ? s[src.reg << 1] : (s[src.reg << 1] << 16) >> 16;
        k = off & (bits - 1);
        words = Math.floor(off / bits);
      }
      let ea = effectiveOffset(cpu, ins, o) + words * size;
      const as = ins.asize;
      if (as === 4) ea = ((ea % TWO32) + TWO32) % TWO32;
      else if (as === 2) ea = ea & 0xffff;
      lin = linearAddress(cpu, ins.seg, ea, size, write);
    }
    if (write) rmwCheck(cpu, lin, size);
    const v = rdSize(cpu, lin, size);
    const r = bitApply(kind, v, cpu.hi, k);
    if (write) wrSize(cpu, lin, size, r, NHI);
    putFlags(s, Flag.CF, OLD);
  };
}

// ---- BSF BSR LZCNT TZCNT POPCNT ------------------------------------------------------------------------------------

function clz64(lo: number, hi: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

function ctz64(lo: number, hi: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Source as (lo, hi) with the operand width's bits only. */
let SHI = 0;
function srcBits(cpu: Cpu, ins: Instr, size: number): number {
  const v = readSrc(cpu, ins, ins.o1, size);
  SHI = size === 8 ? cpu.hi : 0;
  return v;
}

/**
 * BSF/BSR: zero source sets ZF and leaves the destination untouched (AMD documents this); otherwise the bit index.
 * Host flags: CF OF SF AF cleared, ZF = (source == 0), PF = parity of the written index (or of 0 when none).
 */
function makeBitScan(reverse: boolean): Handler {
  return (cpu, ins) => {
    const size = ins.o0.size;
    const lo = srcBits(cpu, ins, size);
    const hi = SHI;
    const s = cpu.i32;
    if (lo === 0 && hi === 0) {
      putFlags(s, S.ARITH_FLAGS, Flag.ZF | Flag.PF);
      return;
    }
    let idx: number;
    if (size === 8) idx = reverse ? 63 - clz64(lo, hi) : ctz64(lo, hi);
    else idx = reverse ? 31 - Math.clz32(lo) : ctz32(lo);
    writeReg(cpu, ins.o0, size, idx, 0);
    putFlags(s, S.ARITH_FLAGS, PARITY[idx]);
  };
}

/** LZCNT/TZCNT: CF = (source == 0), ZF = (result == 0); host clears SF AF PF and keeps OF. */
function makeCount(lead: boolean): Handler {
  return (cpu, ins) => {
    const size = ins.o0.size;
    const bits = size * 8;
    const lo = srcBits(cpu, ins, size);
    const hi = SHI;
    let n: number;
    if (size === 8) n = lead ? clz64(lo, hi) : ctz64(lo, hi);
    else if (lead) n = Math.clz32(lo) - (32 - bits);
    else n = lo === 0 ? bits : ctz32(lo);
    writeReg(cpu, ins.o0, size, n, 0);
    const f = (n === bits ? Flag.CF : 0) | (n === 0 ? Flag.ZF : 0);
    putFlags(cpu.i32, S.ARITH_FLAGS & ~Flag.OF, f);
  };
}

/** POPCNT: all arithmetic flags cleared except ZF = (source == 0). */
const popcnt: Handler = (cpu, ins) => {
  const size = ins.o0.size;
  const lo = srcBits(cpu, ins, size);
  const n = popcnt32(lo) + (size === 8 ? popcnt32(SHI) : 0);
  writeReg(cpu, ins.o0, size, n, 0);
  putFlags(cpu.i32, S.ARITH_FLAGS, n === 0 ? Flag.ZF : 0);
};

// ---- BSWAP MOVBE --------------------------------------------------------------------------------------------------

function bswap32(x: number): number {
  return ((x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) | 0;
}

const bswap: Handler = (cpu, ins) => {
  const o = ins.o0;
  const s = cpu.i32;
  const i = o.reg << 1;
  if (o.size === 8) {
    const lo = s[i];
    s[i] = bswap32(s[i | 1]);
    s[i | 1] = bswap32(lo);
  } else if (o.size === 4) {
    s[i] = bswap32(s[i]);
    s[i | 1] = 0;
  } else {
    s[i] = s[i] & ~0xffff; // 16-bit BSWAP is undefined; this host zeroes the word
  }
};

const movbe: Handler = (cpu, ins) => {
  const d = ins.o0;
  const size = d.size;
  const v = readSrc(cpu, ins, ins.o1, size);
  const hi = cpu.hi;
  let lo: number, h = 0;
  if (size === 2) lo = ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
  else if (size === 4) lo = bswap32(v);
  else {
    lo = bswap32(hi);
    h = bswap32(v);
  }
  if (d.kind === OpKind.Mem) wrSize(cpu, addrOf(cpu, ins, d, true), size, lo, h);
  else writeReg(cpu, d, size, lo, h);
};

// ---- CRC32 (Castagnoli polynomial 0x1EDC6F41, bit-reflected as SSE4.2 defines it) -----------------------------

const CRC_TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  CRC_TABLE[n] = c;
}

function crcBytes(crc: number, v: number, count: number): number {
  for (let k = 0; k < count; k++) {
    crc = CRC_TABLE[(crc ^ v) & 0xff] ^ (crc >>> 8);
    v >>>= 8;
  }
  return crc;
}

const crc32: Handler = (cpu, ins) => {
  const srcSize = ins.o1.size;
  const v = readSrc(cpu, ins, ins.o1, srcSize);
  const hi = cpu.hi;
  let crc = cpu.i32[ins.o0.reg << 1];
  if (srcSize === 8) {
    crc = crcBytes(crc, v, 4);
    crc = crcBytes(crc, hi, 4);
  } else crc = crcBytes(crc, v, srcSize);
  const i = ins.o0.reg << 1;
  cpu.i32[i] = crc;
  cpu.i32[i | 1] = 0;
};

export const ops: IntOp[] = [
  { names: ['BT'], h: makeBt(B.BT) },
  { names: ['BTS'], h: makeBt(B.BTS) },
  { names: ['BTR'], h: makeBt(B.BTR) },
  { names: ['BTC'], h: makeBt(B.BTC) },
  { names: ['BSF'], h: makeBitScan(false) },
  { names: ['BSR'], h: makeBitScan(true) },
  { names: ['LZCNT'], h: makeCount(true) },
  { names: ['TZCNT'], h: makeCount(false) },
  { names: ['POPCNT'], h: popcnt },
  { names: ['BSWAP'], h: bswap },
  { names: ['MOVBE'], h: movbe },
  { names: ['CRC32'], h: crc32 },
];
