// Packed integer arithmetic, comparison, logic and shifts on MMX/XMM registers (SDM Vol. 2: PADDx..PSUBUSW,
// PMULxx, PMADDWD, PSADBW, PAVGx, PMINxx/PMAXxx, PCMPxx, PAND..PXOR, PSLL/PSRL/PSRA(DQ), SSSE3 PABS/PSIGN/PHADD/
// PHSUB/PMADDUBSW/PMULHRSW, SSE4.1 PMULLD/PMULDQ/PHMINPOSUW/MPSADBW/PTEST).
import type { Handler } from '../../cache/code-cache.js';
import { Flag, ARITH_FLAGS } from '../../../machine/cpu/state.js';
import { getFlags, setFlags } from '../flags.js';
import { X, Y, Z, XB, YB, XS8, YS8, XW, YW, ZW, XUW, YUW, ZUW, loadXmm, loadSrc } from './access.js';
import { sseCheck } from './env.js';
import { vec, vecImm, Kernel } from './vec.js';
import type { OpTable } from './fp-arith.js';

const sat8s = (v: number): number => (v < -128 ? -128 : v > 127 ? 127 : v);
const sat8u = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
const sat16s = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);
const sat16u = (v: number): number => (v < 0 ? 0 : v > 65535 ? 65535 : v);

// ---- element-wise kernels built from a scalar function --------------------------------------------------------

function bytesU(f: (a: number, b: number) => number): Kernel {
  return (n) => {
    for (let i = 0; i < n; i++) XB[i] = f(XB[i], YB[i]);
  };
}
function bytesS(f: (a: number, b: number) => number): Kernel {
  return (n) => {
    for (let i = 0; i < n; i++) XS8[i] = f(XS8[i], YS8[i]);
  };
}
function wordsS(f: (a: number, b: number) => number): Kernel {
  return (n) => {
    for (let i = 0; i < n >> 1; i++) XW[i] = f(XW[i], YW[i]);
  };
}
function wordsU(f: (a: number, b: number) => number): Kernel {
  return (n) => {
    for (let i = 0; i < n >> 1; i++) XUW[i] = f(XUW[i], YUW[i]);
  };
}
function dwords(f: (a: number, b: number) => number): Kernel {
  return (n) => {
    for (let i = 0; i < n >> 2; i++) X[i] = f(X[i], Y[i]);
  };
}
function qwords(f: (i: number) => void): Kernel {
  return (n) => {
    for (let i = 0; i < n >> 2; i += 2) f(i);
  };
}

function addq(i: number): void {
  const lo = (X[i] >>> 0) + (Y[i] >>> 0);
  X[i + 1] = (X[i + 1] + Y[i + 1] + (lo > 0xffffffff ? 1 : 0)) | 0;
  X[i] = lo | 0;
}
function subq(i: number): void {
  const a = X[i] >>> 0;
  const b = Y[i] >>> 0;
  X[i + 1] = (X[i + 1] - Y[i + 1] - (a < b ? 1 : 0)) | 0;
  X[i] = (a - b) | 0;
}
/** Signed 64-bit a > b on lane pairs (PCMPGTQ). */
function gtq(i: number): void {
  const r = X[i + 1] > Y[i + 1] || (X[i + 1] === Y[i + 1] && X[i] >>> 0 > Y[i] >>> 0);
  X[i] = X[i + 1] = r ? -1 : 0;
}
function eqq(i: number): void {
  const r = X[i] === Y[i] && X[i + 1] === Y[i + 1];
  X[i] = X[i + 1] = r ? -1 : 0;
}

/** Unsigned 32x32 -> 64-bit product of a and b (int32 views) into X[i], X[i+1]. */
function mulU32(i: number, a: number, b: number): void {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const lo = a0 * b0;
  const mid = a1 * b0 + a0 * b1; // < 2^33
  const hi = a1 * b1;
  const low = lo + (mid % 65536) * 65536; // < 2^49
  X[i] = low % 4294967296 | 0;
  X[i + 1] = (hi + Math.floor(mid / 65536) + Math.floor(low / 4294967296)) | 0;
}

const pmuludq: Kernel = (n) => {
  for (let i = 0; i < n >> 2; i += 2) mulU32(i, X[i], Y[i]);
};

const pmuldq: Kernel = (n) => {
  for (let i = 0; i < n >> 2; i += 2) {
    const a = X[i];
    const b = Y[i];
    mulU32(i, a, b);
    // Signed correction: subtract b<<32 when a < 0 and a<<32 when b < 0 (mod 2^64).
    let hi = X[i + 1];
    if (a < 0) hi = (hi - b) | 0;
    if (b < 0) hi = (hi - a) | 0;
    X[i + 1] = hi;
  }
};

const pmaddwd: Kernel = (n) => {
  for (let i = 0; i < n >> 2; i++) Z[i] = (XW[2 * i] * YW[2 * i] + XW[2 * i + 1] * YW[2 * i + 1]) | 0;
  for (let i = 0; i < n >> 2; i++) X[i] = Z[i];
};

const pmaddubsw: Kernel = (n) => {
  for (let i = 0; i < n >> 1; i++) ZW[i] = sat16s(XB[2 * i] * YS8[2 * i] + XB[2 * i + 1] * YS8[2 * i + 1]);
  for (let i = 0; i < n >> 2; i++) X[i] = Z[i];
};

const psadbw: Kernel = (n) => {
  for (let q = 0; q < n; q += 8) {
    let s = 0;
    for (let j = 0; j < 8; j++) s += Math.abs(XB[q + j] - YB[q + j]);
    X[q >> 2] = s;
    X[(q >> 2) + 1] = 0;
  }
};

function abs(kind: 1 | 2 | 4): Kernel {
  return (n) => {
    if (kind === 1) for (let i = 0; i < n; i++) XB[i] = Math.abs(YS8[i]);
    else if (kind === 2) for (let i = 0; i < n >> 1; i++) XUW[i] = Math.abs(YW[i]);
    else for (let i = 0; i < n >> 2; i++) X[i] = Math.abs(Y[i]) | 0;
  };
}

const sign = (a: number, b: number): number => (b < 0 ? -a : b === 0 ? 0 : a);

/** Horizontal add/sub of adjacent pairs: first the destination's pairs, then the source's. */
function hop(kind: 2 | 4, sub: boolean, sat: boolean): Kernel {
  return (n) => {
    if (kind === 2) {
      const m = n >> 2; // pairs per operand
      for (let i = 0; i < m; i++) {
        const a = sub ? XW[2 * i] - XW[2 * i + 1] : XW[2 * i] + XW[2 * i + 1];
        const b = sub ? YW[2 * i] - YW[2 * i + 1] : YW[2 * i] + YW[2 * i + 1];
        ZW[i] = sat ? sat16s(a) : a;
        ZW[m + i] = sat ? sat16s(b) : b;
      }
    } else {
      const m = n >> 3;
      for (let i = 0; i < m; i++) {
        Z[i] = sub ? X[2 * i] - X[2 * i + 1] : X[2 * i] + X[2 * i + 1];
        Z[m + i] = sub ? Y[2 * i] - Y[2 * i + 1] : Y[2 * i] + Y[2 * i + 1];
      }
    }
    for (let i = 0; i < n >> 2; i++) X[i] = Z[i];
  };
}

const pmulhrsw: Kernel = (n) => {
  for (let i = 0; i < n >> 1; i++) XW[i] = (((XW[i] * YW[i]) >> 14) + 1) >> 1;
};

const phminposuw: Kernel = () => {
  let m = YUW[0];
  let idx = 0;
  for (let i = 1; i < 8; i++) {
    if (YUW[i] < m) {
      m = YUW[i];
      idx = i;
    }
  }
  X[0] = m | (idx << 16);
  X[1] = X[2] = X[3] = 0;
};

const mpsadbw: Kernel = (_n, imm) => {
  const so = (imm & 3) * 4;
  const dof = ((imm >> 2) & 1) * 4;
  for (let i = 0; i < 8; i++) {
    let s = 0;
    for (let j = 0; j < 4; j++) s += Math.abs(XB[dof + i + j] - YB[so + j]);
    ZUW[i] = s;
  }
  for (let i = 0; i < 4; i++) X[i] = Z[i];
};

// ---- shifts -------------------------------------------------------------------------------------------------

/** Shift count from the source operand's low 64 bits, saturated to 255. */
function countOf(): number {
  return Y[1] !== 0 || Y[0] >>> 0 > 255 ? 255 : Y[0];
}

function shiftK(kind: 2 | 4 | 8, op: 0 | 1 | 2): (n: number, c: number) => void {
  return (n, c) => {
    if (kind === 2) {
      for (let i = 0; i < n >> 1; i++) {
        if (op === 0) XUW[i] = c > 15 ? 0 : XUW[i] << c;
        else if (op === 1) XUW[i] = c > 15 ? 0 : XUW[i] >>> c;
        else XW[i] = XW[i] >> (c > 15 ? 15 : c);
      }
    } else if (kind === 4) {
      for (let i = 0; i < n >> 2; i++) {
        if (op === 0) X[i] = c > 31 ? 0 : X[i] << c;
        else if (op === 1) X[i] = c > 31 ? 0 : X[i] >>> c;
        else X[i] = X[i] >> (c > 31 ? 31 : c);
      }
    } else {
      for (let i = 0; i < n >> 2; i += 2) {
        const lo = X[i];
        const hi = X[i + 1];
        if (c > 63) X[i] = X[i + 1] = 0;
        else if (c === 0) continue;
        else if (op === 0) {
          if (c >= 32) {
            X[i + 1] = lo << (c - 32);
            X[i] = 0;
          } else {
            X[i + 1] = (hi << c) | (lo >>> (32 - c));
            X[i] = lo << c;
          }
        } else if (c >= 32) {
          X[i] = hi >>> (c - 32);
          X[i + 1] = 0;
        } else {
          X[i] = (lo >>> c) | (hi << (32 - c));
          X[i + 1] = hi >>> c;
        }
      }
    }
  };
}

function shiftReg(kind: 2 | 4 | 8, op: 0 | 1 | 2): Handler {
  const k = shiftK(kind, op);
  return vec((n) => k(n, countOf()));
}
function shiftImm(kind: 2 | 4 | 8, op: 0 | 1 | 2): Handler {
  return vecImm(shiftK(kind, op));
}

const pslldq: Kernel = (_n, c) => {
  for (let i = 15; i >= 0; i--) XB[i] = c > 15 || i < c ? 0 : XB[i - c];
};
const psrldq: Kernel = (_n, c) => {
  for (let i = 0; i < 16; i++) XB[i] = c > 15 || i + c > 15 ? 0 : XB[i + c];
};

// ---- PTEST ----------------------------------------------------------------------------------------------------

const ptest: Handler = (cpu, ins) => {
  sseCheck(cpu);
  loadSrc(cpu, ins, ins.o1, Y, true);
  loadXmm(cpu, ins.o0.reg, X);
  let and = 0;
  let andn = 0;
  for (let i = 0; i < 4; i++) {
    and |= X[i] & Y[i];
    andn |= ~X[i] & Y[i];
  }
  const s = cpu.i32;
  setFlags(s, (getFlags(s) & ~ARITH_FLAGS) | (and === 0 ? Flag.ZF : 0) | (andn === 0 ? Flag.CF : 0));
};

export const INT_OPS: OpTable = [
  ['PADDB', vec(bytesU((a, b) => a + b))], ['PADDW', vec(wordsS((a, b) => a + b))],
  ['PADDD', vec(dwords((a, b) => (a + b) | 0))], ['PADDQ', vec(qwords(addq))],
  ['PSUBB', vec(bytesU((a, b) => a - b))], ['PSUBW', vec(wordsS((a, b) => a - b))],
  ['PSUBD', vec(dwords((a, b) => (a - b) | 0))], ['PSUBQ', vec(qwords(subq))],
  ['PADDSB', vec(bytesS((a, b) => sat8s(a + b)))], ['PADDSW', vec(wordsS((a, b) => sat16s(a + b)))],
  ['PADDUSB', vec(bytesU((a, b) => sat8u(a + b)))], ['PADDUSW', vec(wordsU((a, b) => sat16u(a + b)))],
  ['PSUBSB', vec(bytesS((a, b) => sat8s(a - b)))], ['PSUBSW', vec(wordsS((a, b) => sat16s(a - b)))],
  ['PSUBUSB', vec(bytesU((a, b) => sat8u(a - b)))], ['PSUBUSW', vec(wordsU((a, b) => sat16u(a - b)))],
  ['PMULLW', vec(wordsS((a, b) => Math.imul(a, b)))], ['PMULHW', vec(wordsS((a, b) => (a * b) >> 16))],
  ['PMULHUW', vec(wordsU((a, b) => (a * b) >>> 16))], ['PMULLD', vec(dwords((a, b) => Math.imul(a, b)))],
  ['PMULUDQ', vec(pmuludq)], ['PMULDQ', vec(pmuldq)], ['PMADDWD', vec(pmaddwd)], ['PMADDUBSW', vec(pmaddubsw)],
  ['PMULHRSW', vec(pmulhrsw)], ['PSADBW', vec(psadbw)],
  ['PAVGB', vec(bytesU((a, b) => (a + b + 1) >> 1))], ['PAVGW', vec(wordsU((a, b) => (a + b + 1) >> 1))],
  ['PMINUB', vec(bytesU(Math.min))], ['PMAXUB', vec(bytesU(Math.max))],
  ['PMINSB', vec(bytesS(Math.min))], ['PMAXSB', vec(bytesS(Math.max))],
  ['PMINSW', vec(wordsS(Math.min))], ['PMAXSW', vec(wordsS(Math.max))],
  ['PMINUW', vec(wordsU(Math.min))], ['PMAXUW', vec(wordsU(Math.max))],
  ['PMINSD', vec(dwords(Math.min))], ['PMAXSD', vec(dwords(Math.max))],
  ['PMINUD', vec(dwords((a, b) => (a >>> 0 < b >>> 0 ? a : b)))], ['PMAXUD', vec(dwords((a, b) => (a >>> 0 > b >>> 0 ? a : b)))],
  ['PCMPEQB', vec(bytesU((a, b) => (a === b ? 255 : 0)))], ['PCMPEQW', vec(wordsU((a, b) => (a === b ? 0xffff : 0)))],
  ['PCMPEQD', vec(dwords((a, b) => (a === b ? -1 : 0)))], ['PCMPEQQ', vec(qwords(eqq))],
  ['PCMPGTB', vec(bytesS((a, b) => (a > b ? -1 : 0)))], ['PCMPGTW', vec(wordsS((a, b) => (a > b ? -1 : 0)))],
  ['PCMPGTD', vec(dwords((a, b) => (a > b ? -1 : 0)))], ['PCMPGTQ', vec(qwords(gtq))],
  ['PAND', vec(dwords((a, b) => a & b))], ['PANDN', vec(dwords((a, b) => ~a & b))],
  ['POR', vec(dwords((a, b) => a | b))], ['PXOR', vec(dwords((a, b) => a ^ b))],
  ['PABSB', vec(abs(1))], ['PABSW', vec(abs(2))], ['PABSD', vec(abs(4))],
  ['PSIGNB', vec(bytesS(sign))], ['PSIGNW', vec(wordsS(sign))], ['PSIGND', vec(dwords((a, b) => sign(a, b) | 0))],
  ['PHADDW', vec(hop(2, false, false))], ['PHADDD', vec(hop(4, false, false))], ['PHADDSW', vec(hop(2, false, true))],
  ['PHSUBW', vec(hop(2, true, false))], ['PHSUBD', vec(hop(4, true, false))], ['PHSUBSW', vec(hop(2, true, true))],
  ['PHMINPOSUW', vec(phminposuw)], ['MPSADBW', vec(mpsadbw)], ['PTEST', ptest],
];

/** Shifts have two forms per mnemonic (count in xmm/m128 or imm8); dispatch on the source operand kind. */
export function shiftOps(): OpTable {
  const mk = (kind: 2 | 4 | 8, op: 0 | 1 | 2): Handler => {
    const r = shiftReg(kind, op);
    const i = shiftImm(kind, op);
    return (cpu, ins) => (ins.o1.kind === 3 /* OpKind.Imm */ ? i(cpu, ins) : r(cpu, ins));
  };
  return [
    ['PSLLW', mk(2, 0)], ['PSLLD', mk(4, 0)], ['PSLLQ', mk(8, 0)],
    ['PSRLW', mk(2, 1)], ['PSRLD', mk(4, 1)], ['PSRLQ', mk(8, 1)],
    ['PSRAW', mk(2, 2)], ['PSRAD', mk(4, 2)],
    ['PSLLDQ', vecImm(pslldq)], ['PSRLDQ', vecImm(psrldq)],
  ];
}
