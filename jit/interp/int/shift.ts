// Shifts and rotates (SDM Vol. 2 SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD): counts masked to 5 bits (6 for
// 64-bit operands), flags untouched for a zero masked count; undefined flags as measured on the AMD reference host.
import { S as Slot } from '../slots.js';
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { OpKind, RegClass } from '../../decoder/instr.js';
import type { Handler } from '../../cache/code-cache.js';
import { Flag } from '../../../machine/cpu/state.js';
import { LazyOp, lazy32, lazy64, getFlags, putFlags, PARITY } from '../flags.js';
import { IntOp, addrOf, rmwCheck, readSrc, rdSize, wrSize, writeReg, readDest, dest } from './common.js';
import { markShift } from '../fast-ops.js';

const enum S {
  SHL = 0,
  SHR = 1,
  SAR = 2,
  ROL = 3,
  ROR = 4,
  RCL = 5,
  RCR = 6,
}

// ---- 64-bit pair shifts (0 < n < 64); results in RLO/RHI ----------------------------------------------------------
let RLO = 0, RHI = 0;

function shl64(lo: number, hi: number, n: number): void {
  if (n < 32) {
    RHI = (hi << n) | (lo >>> (32 - n));
    RLO = lo << n;
  } else {
    RHI = lo << (n - 32);
    RLO = 0;
  }
}

function shr64(lo: number, hi: number, n: number): void {
  if (n < 32) {
    RLO = (lo >>> n) | (hi << (32 - n));
    RHI = hi >>> n;
  } else {
    RLO = hi >>> (n - 32);
    RHI = 0;
  }
  RLO |= 0;
  RHI |= 0;
}

function sar64(lo: number, hi: number, n: number): void {
  if (n < 32) {
    RLO = ((lo >>> n) | (hi << (32 - n))) | 0;
    RHI = hi >> n;
  } else {
    RLO = hi >> (n - 32);
    RHI = hi >> 31;
  }
}

/** Rotate-left of a 64-bit pair by 0 < n < 64. */
function rol64(lo: number, hi: number, n: number): void {
  if (n === 32) {
    RLO = hi;
    RHI = lo;
    return;
  }
  if (n > 32) {
    const t = lo;
    lo = hi;
    hi = t;
    n -= 32;
  }
  RHI = (hi << n) | (lo >>> (32 - n));
  RLO = (lo << n) | (hi >>> (32 - n));
}

/** Operate on a shift-family value of `size` bytes: result lo (hi in RHI); flags recorded. `n` masked, non-zero. */
function shiftOp(cpu: Cpu, kind: number, size: number, a: number, aHi: number, n: number): number {
  const s = cpu.i32;
  const bits = size * 8;
  if (kind <= S.SAR) {
    let r: number;
    if (size === 8) {
      if (kind === S.SHL) shl64(a, aHi, n);
      else if (kind === S.SHR) shr64(a, aHi, n);
      else sar64(a, aHi, n);
      r = RLO;
      s[Slot.LZ_CIN] = n;
      lazy64(s, kind === S.SHL ? LazyOp.Shl : kind === S.SHR ? LazyOp.Shr : LazyOp.Sar, r, RHI, a, aHi, 0, 0);
      return r;
    }
    const m = size === 1 ? 0xff : size === 2 ? 0xffff : -1;
    if (kind === S.SHL) r = (a << n) & m;
    else if (kind === S.SHR) r = a >>> n;
    else r = ((a << (32 - bits)) >> (32 - bits) >> n) & m;
    if (size === 4) r |= 0;
    s[Slot.LZ_CIN] = n;
    lazy32(s, kind === S.SHL ? LazyOp.Shl : kind === S.SHR ? LazyOp.Shr : LazyOp.Sar, size, r, a, 0);
    RHI = 0;
    return r;
  }
  // Rotates: only CF and OF change.
  let f = getFlags(s);
  let lo: number, hi = 0;
  if (kind === S.ROL || kind === S.ROR) {
    const k = kind === S.ROL ? n % bits : (bits - (n % bits)) % bits; // ROR by k = ROL by bits - k
    if (size === 8) {
      if (k === 0) {
        RLO = a;
        RHI = aHi;
      } else rol64(a, aHi, k);
      lo = RLO;
      hi = RHI;
    } else if (k === 0) lo = a;
    else {
      const m = size === 1 ? 0xff : size === 2 ? 0xffff : -1;
      lo = ((a << k) | (a >>> (bits - k))) & m;
      if (size === 4) lo |= 0;
    }
  } else {
    // RCL/RCR rotate through CF: a (bits + 1)-bit rotation, done bit by bit for small sizes (count <= 32).
    const cnt = size <= 2 ? n % (bits + 1) : n;
    let c = f & 1;
    lo = a;
    hi = aHi;
    if (size === 8) {
      for (let i = 0; i < cnt; i++) {
        if (kind === S.RCL) {
          const out = hi >>> 31;
          hi = (hi << 1) | (lo >>> 31);
          lo = (lo << 1) | c;
          c = out;
        } else {
          const out = lo & 1;
          lo = (lo >>> 1) | (hi << 31);
          hi = (hi >>> 1) | (c << 31);
          c = out;
        }
      }
      lo |= 0;
      hi |= 0;
    } else {
      const msb = bits - 1;
      for (let i = 0; i < cnt; i++) {
        if (kind === S.RCL) {
          const out = (lo >>> msb) & 1;
          lo = ((lo << 1) | c) & (size === 4 ? -1 : (1 << bits) - 1);
          c = out;
        } else {
          const out = lo & 1;
          lo = (lo >>> 1) | (c << msb);
          c = out;
        }
      }
      if (size === 4) lo |= 0;
    }
    f = (f & ~Flag.CF) | c;
  }
  // CF and OF from the result (SDM count-1 formulas; this host applies them to every count).
  const top = size === 8 ? hi >>> 31 : (lo >>> (bits - 1)) & 1;
  const next = size === 8 ? (hi >>> 30) & 1 : (lo >>> (bits - 2)) & 1;
  let cf: number, of: number;
  if (kind === S.ROL) {
    cf = lo & 1;
    of = top ^ cf;
  } else if (kind === S.ROR) {
    cf = top;
    of = top ^ next;
  } else if (kind === S.RCL) {
    cf = f & 1;
    of = top ^ cf;
  } else {
    cf = f & 1;
    of = top ^ next;
  }
  s[Slot.FLAGS] = (f & ~(Flag.CF | Flag.OF)) | cf | (of << 11); // already materialised
  RHI = hi;
  return lo;
}

function countOf(cpu: Cpu, ins: Instr, size: number): number {
  const o = ins.o1;
  const c = o.kind === OpKind.Imm ? o.imm : cpu.i32[o.reg << 1];
  return c & (size === 8 ? 0x3f : 0x1f);
}

function makeShift(kind: number): { generic: Handler; prepare: (ins: Instr) => Handler } {
  const generic: Handler = (cpu, ins) => {
    const o = ins.o0;
    const size = o.size;
    const n = countOf(cpu, ins, size);
    if (o.kind === OpKind.Mem) {
      const lin = addrOf(cpu, ins, o, true);
      rmwCheck(cpu, lin, size);
      const a = rdSize(cpu, lin, size);
      if (n === 0) return;
      const r = shiftOp(cpu, kind, size, a, cpu.hi, n);
      wrSize(cpu, lin, size, r, RHI);
      return;
    }
    const a = readSrc(cpu, ins, o, size);
    if (n === 0) {
      if (size === 4) cpu.i32[(o.reg << 1) | 1] = 0; // a 32-bit destination is still written
      return;
    }
    const r = shiftOp(cpu, kind, size, a, cpu.hi, n);
    writeReg(cpu, o, size, r, RHI);
  };
  // 32-bit register by immediate: the common case in address arithmetic.
  const ri4: Handler = (cpu, ins) => {
    const s = cpu.i32;
    const i = ins.o0.reg << 1;
    const n = ins.o1.imm & 0x1f;
    s[i | 1] = 0;
    if (n === 0) return;
    const a = s[i];
    const r = kind === S.SHL ? a << n : kind === S.SHR ? a >>> n : a >> n;
    s[Slot.LZ_CIN] = n;
    lazy32(s, kind === S.SHL ? LazyOp.Shl : kind === S.SHR ? LazyOp.Shr : LazyOp.Sar, 4, r | 0, a, 0);
    s[i] = r;
  };
  // 64-bit register by immediate.
  const ri8: Handler = (cpu, ins) => {
    const s = cpu.i32;
    const i = ins.o0.reg << 1;
    const n = ins.o1.imm & 0x3f;
    if (n === 0) return;
    const a = s[i], aHi = s[i | 1];
    if (kind === S.SHL) shl64(a, aHi, n);
    else if (kind === S.SHR) shr64(a, aHi, n);
    else sar64(a, aHi, n);
    s[Slot.LZ_CIN] = n;
    lazy64(s, kind === S.SHL ? LazyOp.Shl : kind === S.SHR ? LazyOp.Shr : LazyOp.Sar, RLO, RHI, a, aHi, 0, 0);
    s[i] = RLO;
    s[i | 1] = RHI;
  };
  if (kind <= S.SAR) markShift(kind as 0 | 1 | 2, ri4, ri8);
  const prepare = (ins: Instr): Handler => {
    const o = ins.o0;
    if (kind <= S.SAR && o.kind === OpKind.Reg && o.rc === RegClass.Gpr && ins.o1.kind === OpKind.Imm) {
      if (o.size === 4) return ri4;
      if (o.size === 8) return ri8;
    }
    return generic;
  };
  return { generic, prepare };
}

/** SHLD/SHRD dest, src, count. */
function makeDouble(left: boolean): Handler {
  return (cpu, ins) => {
    const o = ins.o0;
    const size = o.size;
    const oc = ins.o2;
    const n = (oc.kind === OpKind.Imm ? oc.imm : cpu.i32[oc.reg << 1]) & (size === 8 ? 0x3f : 0x1f);
    const a = readDest(cpu, ins, o, size);
    const lin = dest.lin;
    const aHi = cpu.hi;
    const b = readSrc(cpu, ins, ins.o1, size);
    const bHi = cpu.hi;
    if (n === 0) {
      if (o.kind === OpKind.Reg && size === 4) cpu.i32[(o.reg << 1) | 1] = 0;
      return;
    }
    const s = cpu.i32;
    let r: number, rHi = 0;
    if (size === 8) {
      if (left) {
        shl64(a, aHi, n);
        const l = RLO, h = RHI;
        shr64(b, bHi, 64 - n);
        r = l | RLO;
        rHi = h | RHI;
      } else {
        shr64(a, aHi, n);
        const l = RLO, h = RHI;
        shl64(b, bHi, 64 - n);
        r = l | RLO;
        rHi = h | RHI;
      }
      s[Slot.LZ_CIN] = n;
      lazy64(s, left ? LazyOp.Shl : LazyOp.Shr, r, rHi, a, aHi, 0, 0);
    } else if (size === 4) {
      r = left ? (a << n) | (b >>> (32 - n)) : (a >>> n) | (b << (32 - n));
      s[Slot.LZ_CIN] = n;
      lazy32(s, left ? LazyOp.Shl : LazyOp.Shr, 4, r, a, 0);
    } else {
      r = double16(s, a, b, n, left);
    }
    if (o.kind === OpKind.Mem) wrSize(cpu, lin, size, r, rHi);
    else writeReg(cpu, o, size, r, rHi);
  };
}

/**
 * 16-bit SHLD/SHRD for masked counts 1..31, flags set eagerly. Counts above 16 are undefined by the SDM; this host
 * shifts the 48-bit pattern dest:src:src (SHLD, left) or src:src:dest (SHRD, right), which is what we model.
 * CF = last bit shifted out (0 for counts above 16), OF = MSB(result) XOR CF for SHLD (0 above 16) and MSB XOR
 * bit 14 of the result for SHRD, AF = 1 (all measured).
 */
function double16(s: Int32Array, a: number, b: number, n: number, left: boolean): number {
  let r: number, cf: number;
  if (left) {
    if (n <= 16) {
      r = ((a << n) | (b >>> (16 - n))) & 0xffff;
      cf = (a >>> (16 - n)) & 1;
    } else {
      const k = n - 16;
      r = ((b << k) | (b >>> (16 - k))) & 0xffff;
      cf = 0;
    }
  } else if (n <= 16) {
    r = ((a >>> n) | (b << (16 - n))) & 0xffff;
    cf = (a >>> (n - 1)) & 1;
  } else {
    const k = n - 16;
    r = ((b >>> k) | (b << (16 - k))) & 0xffff;
    cf = 0;
  }
  const msb = r >>> 15;
  const of = left ? (n > 16 ? 0 : msb ^ cf) : msb ^ ((r >>> 14) & 1);
  const f = cf | PARITY[r & 0xff] | Flag.AF | (r === 0 ? Flag.ZF : 0) | (msb << 7) | (of << 11);
  putFlags(s, Slot.ARITH_FLAGS, f);
  return r;
}

const sh = (name: string, k: number): IntOp => {
  const m = makeShift(k);
  return { names: [name], h: m.generic, prepare: m.prepare };
};

export const ops: IntOp[] = [
  { ...sh('SHL', S.SHL), names: ['SHL', 'SAL'] },
  sh('SHR', S.SHR),
  sh('SAR', S.SAR),
  sh('ROL', S.ROL),
  sh('ROR', S.ROR),
  sh('RCL', S.RCL),
  sh('RCR', S.RCR),
  { names: ['SHLD'], h: makeDouble(true) },
  { names: ['SHRD'], h: makeDouble(false) },
];

