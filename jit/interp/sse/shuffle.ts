// Packed shuffles, packs/unpacks, blends and sign/zero extension (SDM Vol. 2: PACKxx, PUNPCKxx, PSHUFx, PALIGNR,
// SHUFPS/PD, UNPCKxPS/PD, MOVSLDUP/MOVSHDUP/MOVDDUP, BLENDxx, PBLENDxx, PMOVSX/ZX).
import type { Handler } from '../../cache/code-cache.js';
import { X, Y, Z, XB, YB, ZB, XW, YW, ZW, XUW, YUW, ZUW, YS8, loadXmm, storeXmm, loadSrc } from './access.js';
import { sseCheck } from './env.js';
import { vec, Kernel } from './vec.js';
import type { OpTable } from './fp-arith.js';

const sat8s = (v: number): number => (v < -128 ? -128 : v > 127 ? 127 : v);
const sat8u = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
const sat16s = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);
const sat16u = (v: number): number => (v < 0 ? 0 : v > 65535 ? 65535 : v);

function copyZ(n: number): void {
  for (let i = 0; i < n >> 2; i++) X[i] = Z[i];
}

// ---- packs -------------------------------------------------------------------------------------------------------

function packWB(sat: (v: number) => number): Kernel {
  return (n) => {
    const m = n >> 1; // words per operand
    for (let i = 0; i < m; i++) {
      ZB[i] = sat(XW[i]);
      ZB[m + i] = sat(YW[i]);
    }
    copyZ(n);
  };
}
function packDW(sat: (v: number) => number): Kernel {
  return (n) => {
    const m = n >> 2;
    for (let i = 0; i < m; i++) {
      ZUW[i] = sat(X[i]);
      ZUW[m + i] = sat(Y[i]);
    }
    copyZ(n);
  };
}

// ---- unpacks: interleave the low (or high) halves of destination and source ------------------------------------

function unpack(size: 1 | 2 | 4 | 8, high: boolean): Kernel {
  return (n) => {
    const half = n >> 1;
    const base = high ? half : 0;
    for (let k = 0; k < half / size; k++) {
      for (let b = 0; b < size; b++) {
        ZB[2 * k * size + b] = XB[base + k * size + b];
        ZB[(2 * k + 1) * size + b] = YB[base + k * size + b];
      }
    }
    copyZ(n);
  };
}

// ---- shuffles -----------------------------------------------------------------------------------------------------

const pshufd: Kernel = (_n, imm) => {
  for (let i = 0; i < 4; i++) X[i] = Y[(imm >> (2 * i)) & 3];
};
const pshuflw: Kernel = (_n, imm) => {
  for (let i = 0; i < 4; i++) XUW[i] = YUW[(imm >> (2 * i)) & 3];
  X[2] = Y[2];
  X[3] = Y[3];
};
const pshufhw: Kernel = (_n, imm) => {
  X[0] = Y[0];
  X[1] = Y[1];
  for (let i = 0; i < 4; i++) XUW[4 + i] = YUW[4 + ((imm >> (2 * i)) & 3)];
};
const pshufw: Kernel = (_n, imm) => {
  for (let i = 0; i < 4; i++) XUW[i] = YUW[(imm >> (2 * i)) & 3];
};
const pshufb: Kernel = (n) => {
  for (let i = 0; i < n; i++) {
    const s = YB[i];
    ZB[i] = (s & 0x80) !== 0 ? 0 : XB[s & (n - 1)];
  }
  copyZ(n);
};
/** PALIGNR: (dest:src) >> imm*8, low n bytes. */
const palignr: Kernel = (n, imm) => {
  for (let i = 0; i < n; i++) {
    const k = i + imm;
    ZB[i] = k < n ? YB[k] : k < 2 * n ? XB[k - n] : 0;
  }
  copyZ(n);
};

const shufps: Kernel = (_n, imm) => {
  Z[0] = X[imm & 3];
  Z[1] = X[(imm >> 2) & 3];
  Z[2] = Y[(imm >> 4) & 3];
  Z[3] = Y[(imm >> 6) & 3];
  copyZ(16);
};
const shufpd: Kernel = (_n, imm) => {
  const a = (imm & 1) * 2;
  const b = ((imm >> 1) & 1) * 2;
  Z[0] = X[a];
  Z[1] = X[a + 1];
  Z[2] = Y[b];
  Z[3] = Y[b + 1];
  copyZ(16);
};

const movsldup: Kernel = () => {
  X[0] = X[1] = Y[0];
  X[2] = X[3] = Y[2];
};
const movshdup: Kernel = () => {
  X[0] = X[1] = Y[1];
  X[2] = X[3] = Y[3];
};
const movddup: Kernel = () => {
  X[0] = X[2] = Y[0];
  X[1] = X[3] = Y[1];
};

// ---- blends -------------------------------------------------------------------------------------------------------

const blendps: Kernel = (_n, imm) => {
  for (let i = 0; i < 4; i++) if ((imm >> i) & 1) X[i] = Y[i];
};
const blendpd: Kernel = (_n, imm) => {
  for (let i = 0; i < 2; i++) {
    if ((imm >> i) & 1) {
      X[2 * i] = Y[2 * i];
      X[2 * i + 1] = Y[2 * i + 1];
    }
  }
};
const pblendw: Kernel = (_n, imm) => {
  for (let i = 0; i < 8; i++) if ((imm >> i) & 1) XUW[i] = YUW[i];
};

/** Variable blends select by the sign bits of XMM0's elements (the implicit third operand). */
function blendv(size: 1 | 4 | 8): Handler {
  return (cpu, ins) => {
    sseCheck(cpu);
    loadSrc(cpu, ins, ins.o1, Y, true);
    loadXmm(cpu, ins.o0.reg, X);
    loadXmm(cpu, 0, Z);
    if (size === 1) {
      for (let i = 0; i < 16; i++) if (ZB[i] & 0x80) XB[i] = YB[i];
    } else if (size === 4) {
      for (let i = 0; i < 4; i++) if (Z[i] < 0) X[i] = Y[i];
    } else {
      for (let i = 0; i < 4; i += 2) {
        if (Z[i + 1] < 0) {
          X[i] = Y[i];
          X[i + 1] = Y[i + 1];
        }
      }
    }
    storeXmm(cpu, ins.o0.reg, X);
  };
}

// ---- PMOVSX/PMOVZX: the source is the low 2/4/8 bytes of an XMM register or a memory operand of that size --------

function pmovx(from: 1 | 2 | 4, to: 2 | 4 | 8, signed: boolean): Handler {
  return (cpu, ins) => {
    sseCheck(cpu);
    loadSrc(cpu, ins, ins.o1, Y, false);
    const count = 16 / to;
    for (let i = 0; i < count; i++) {
      let v: number;
      if (from === 1) v = signed ? YS8[i] : YB[i];
      else if (from === 2) v = signed ? YW[i] : YUW[i];
      else v = signed ? Y[i] : Y[i] >>> 0;
      if (to === 2) ZW[i] = v;
      else if (to === 4) Z[i] = v;
      else {
        Z[2 * i] = v;
        Z[2 * i + 1] = v < 0 ? -1 : 0;
      }
    }
    storeXmm(cpu, ins.o0.reg, Z);
  };
}

export const SHUFFLE_OPS: OpTable = [
  ['PACKSSWB', vec(packWB(sat8s))], ['PACKUSWB', vec(packWB(sat8u))],
  ['PACKSSDW', vec(packDW(sat16s))], ['PACKUSDW', vec(packDW(sat16u))],
  ['PUNPCKLBW', vec(unpack(1, false))], ['PUNPCKLWD', vec(unpack(2, false))],
  ['PUNPCKLDQ', vec(unpack(4, false))], ['PUNPCKLQDQ', vec(unpack(8, false))],
  ['PUNPCKHBW', vec(unpack(1, true))], ['PUNPCKHWD', vec(unpack(2, true))],
  ['PUNPCKHDQ', vec(unpack(4, true))], ['PUNPCKHQDQ', vec(unpack(8, true))],
  ['UNPCKLPS', vec(unpack(4, false))], ['UNPCKHPS', vec(unpack(4, true))],
  ['UNPCKLPD', vec(unpack(8, false))], ['UNPCKHPD', vec(unpack(8, true))],
  ['PSHUFD', vec(pshufd)], ['PSHUFLW', vec(pshuflw)], ['PSHUFHW', vec(pshufhw)], ['PSHUFW', vec(pshufw)],
  ['PSHUFB', vec(pshufb)], ['PALIGNR', vec(palignr)], ['SHUFPS', vec(shufps)], ['SHUFPD', vec(shufpd)],
  ['MOVSLDUP', vec(movsldup)], ['MOVSHDUP', vec(movshdup)], ['MOVDDUP', vec(movddup)],
  ['BLENDPS', vec(blendps)], ['BLENDPD', vec(blendpd)], ['PBLENDW', vec(pblendw)],
  ['BLENDVPS', blendv(4)], ['BLENDVPD', blendv(8)], ['PBLENDVB', blendv(1)],
  ['PMOVSXBW', pmovx(1, 2, true)], ['PMOVSXBD', pmovx(1, 4, true)], ['PMOVSXBQ', pmovx(1, 8, true)],
  ['PMOVSXWD', pmovx(2, 4, true)], ['PMOVSXWQ', pmovx(2, 8, true)], ['PMOVSXDQ', pmovx(4, 8, true)],
  ['PMOVZXBW', pmovx(1, 2, false)], ['PMOVZXBD', pmovx(1, 4, false)], ['PMOVZXBQ', pmovx(1, 8, false)],
  ['PMOVZXWD', pmovx(2, 4, false)], ['PMOVZXWQ', pmovx(2, 8, false)], ['PMOVZXDQ', pmovx(4, 8, false)],
];
