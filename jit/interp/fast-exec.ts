// The interpreter's block loop (RIP convention and PENDING rule of docs/cpu-contracts): runs a block's compact program
// (fast-ops.ts), executing the hottest integer shapes inline in one dense switch and calling handlers for the rest.
//
// RIP is published lazily: handler calls (F.CALL) see the architectural RIP as before, but inline instructions do not
// need it, so it is written only before a handler call, by a branch, on a PENDING exit and at the block end. A fault
// resets RIP from the instruction index in any case. Flags, registers, memory, PENDING checks and retired counts are
// exactly those of the handlers run one by one (tests/cpu/interp-fast.test.ts compares the two).
import type { Cpu } from '../../machine/cpu/cpu.js';
import { CpuFault, Vec } from '../../machine/cpu/fault.js';
import { Flag } from '../../machine/cpu/state.js';
import { S } from './slots.js';
import { LazyOp, lazyCF, testCond } from './flags.js';
import { F, type IBlock } from './fast-ops.js';
import type { SystemHooks } from './interpreter.js';

// Constants of the loop as literals (see slots.ts for why module-level constants are avoided on hot paths).
const enum K {
  NO_CF = S.ARITH_FLAGS & ~Flag.CF,
  TWO32 = 4294967296,
  CANON = 140737488355328, // 2^47
}

/** A Jcc's condition: JNE/JE after a 32-bit INC/DEC or logic op (loop counters, flag tests) at once, else fastCond. */
function jccTaken(s: Int32Array, cc: number): boolean {
  const lz = s[S.FLAGS_LAZY];
  return (cc === 5 || cc === 4) && s[S.LZ_SIZE] === 4 && (lz === K.NO_CF || (lz === S.ARITH_FLAGS && s[S.LZ_OP] === LazyOp.Logic))
    ? (s[S.LZ_RES_LO] === 0) === (cc === 4)
    : fastCond(s, cc);
}

/**
 * Condition `cc` (tttn) on the current flags: the lazy records of 32-bit SUB/CMP, logic ops and INC/DEC answer
 * directly from their operands; everything else goes through testCond.
 */
export function fastCond(s: Int32Array, cc: number): boolean {
  const lz = s[S.FLAGS_LAZY];
  if (s[S.LZ_SIZE] === 4) {
    if (lz === S.ARITH_FLAGS) {
      const op = s[S.LZ_OP];
      if (op === LazyOp.Sub) {
        const a = s[S.LZ_A_LO], b = s[S.LZ_B_LO];
        switch (cc) {
          case 2: return a >>> 0 < b >>> 0;
          case 3: return a >>> 0 >= b >>> 0;
          case 4: return a === b;
          case 5: return a !== b;
          case 6: return a >>> 0 <= b >>> 0;
          case 7: return a >>> 0 > b >>> 0;
          case 12: return a < b;
          case 13: return a >= b;
          case 14: return a <= b;
          case 15: return a > b;
        }
      } else if (op === LazyOp.Logic) {
        const r = s[S.LZ_RES_LO];
        switch (cc) {
          case 2: return false;
          case 3: return true;
          case 4: return r === 0;
          case 5: return r !== 0;
          case 6: return r === 0;
          case 7: return r !== 0;
          case 8: return r < 0;
          case 9: return r >= 0;
          case 12: return r < 0;
          case 13: return r >= 0;
          case 14: return r <= 0;
          case 15: return r > 0;
        }
      }
    } else if (lz === K.NO_CF && (cc === 4 || cc === 5)) return (s[S.LZ_RES_LO] === 0) === (cc === 4);
  } else if (s[S.LZ_SIZE] === 8 && (lz === K.NO_CF || lz === S.ARITH_FLAGS) && (cc === 4 || cc === 5)) {
    return ((s[S.LZ_RES_LO] | s[S.LZ_RES_HI]) === 0) === (cc === 4);
  }
  return testCond(s, cc);
}

/** Run one block with its compact program; returns the instructions retired (Interpreter.exec's contract). */
export function execFast(cpu: Cpu, b: IBlock, budget: number, sys: SystemHooks): number {
  const s = cpu.i32;
  const f = cpu.f64;
  const ip0 = f[S.RIP_F];
  const p = b.prog;
  const n = b.instrs.length;
  const hs = b.handlers;
  const is = b.instrs;
  const ends = b.ends32;
  cpu.currentBlock = b;
  let done = 0;
  let i = 0;
  let loop = false; // the closing JCC64_LOOP was taken
  try {
    for (;;) {
      block: for (i = 0; i < n; i++) {
        const k = i << 2;
        switch (p[k]) {
          case F.CALL:
            f[S.RIP_F] = ip0 + ends[i];
            hs[i](cpu, is[i]);
            if (s[S.PENDING] !== 0) {
              i++;
              break block;
            }
            continue;
          case F.CALLR:
            hs[i](cpu, is[i]);
            continue;
          // ---- 32-bit ALU (lazy record as lazy32: OP SIZE RES A B, mask ARITH_FLAGS)
          case F.ADD_RR4: {
            const d = p[k + 1], a = s[d], v = s[p[k + 2]], r = (a + v) | 0;
            s[S.LZ_OP] = LazyOp.Add; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = r; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            s[d] = r; s[d | 1] = 0;
            continue;
          }
          case F.ADD_RI4: {
            const d = p[k + 1], a = s[d], v = p[k + 2], r = (a + v) | 0;
            s[S.LZ_OP] = LazyOp.Add; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = r; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            s[d] = r; s[d | 1] = 0;
            continue;
          }
          case F.SUB_RR4: {
            const d = p[k + 1], a = s[d], v = s[p[k + 2]], r = (a - v) | 0;
            s[S.LZ_OP] = LazyOp.Sub; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = r; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            s[d] = r; s[d | 1] = 0;
            continue;
          }
          case F.SUB_RI4: {
            const d = p[k + 1], a = s[d], v = p[k + 2], r = (a - v) | 0;
            s[S.LZ_OP] = LazyOp.Sub; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = r; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            s[d] = r; s[d | 1] = 0;
            continue;
          }
          case F.CMP_RR4: {
            const a = s[p[k + 1]], v = s[p[k + 2]];
            s[S.LZ_OP] = LazyOp.Sub; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = (a - v) | 0; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            continue;
          }
          case F.CMP_RI4: {
            const a = s[p[k + 1]], v = p[k + 2];
            s[S.LZ_OP] = LazyOp.Sub; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = (a - v) | 0; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            continue;
          }
          case F.AND_RR4: {
            const d = p[k + 1], a = s[d], v = s[p[k + 2]], r = a & v;
            s[S.LZ_OP] = LazyOp.Logic; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = r; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            s[d] = r; s[d | 1] = 0;
            continue;
          }
          case F.AND_RI4: {
            const d = p[k + 1], a = s[d], v = p[k + 2], r = a & v;
            s[S.LZ_OP] = LazyOp.Logic; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = r; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            s[d] = r; s[d | 1] = 0;
            continue;
          }
          case F.OR_RR4: {
            const d = p[k + 1], a = s[d], v = s[p[k + 2]], r = a | v;
            s[S.LZ_OP] = LazyOp.Logic; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = r; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            s[d] = r; s[d | 1] = 0;
            continue;
          }
          case F.OR_RI4: {
            const d = p[k + 1], a = s[d], v = p[k + 2], r = a | v;
            s[S.LZ_OP] = LazyOp.Logic; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = r; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            s[d] = r; s[d | 1] = 0;
            continue;
          }
          case F.XOR_RR4: {
            const d = p[k + 1], a = s[d], v = s[p[k + 2]], r = a ^ v;
            s[S.LZ_OP] = LazyOp.Logic; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = r; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            s[d] = r; s[d | 1] = 0;
            continue;
          }
          case F.XOR_RI4: {
            const d = p[k + 1], a = s[d], v = p[k + 2], r = a ^ v;
            s[S.LZ_OP] = LazyOp.Logic; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = r; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            s[d] = r; s[d | 1] = 0;
            continue;
          }
          case F.TEST_RR4: {
            const a = s[p[k + 1]], v = s[p[k + 2]];
            s[S.LZ_OP] = LazyOp.Logic; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = a & v; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            continue;
          }
          case F.TEST_RI4: {
            const a = s[p[k + 1]], v = p[k + 2];
            s[S.LZ_OP] = LazyOp.Logic; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = a & v; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = v; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            continue;
          }
          // ---- 64-bit ALU (alu.ts alu8 + lazy64)
          case F.ADD_RR8:
          case F.ADD_RI8:
          case F.SUB_RR8:
          case F.SUB_RI8:
          case F.CMP_RR8:
          case F.CMP_RI8:
          case F.AND_RR8:
          case F.AND_RI8:
          case F.OR_RR8:
          case F.OR_RI8:
          case F.XOR_RR8:
          case F.XOR_RI8:
          case F.TEST_RR8:
          case F.TEST_RI8: {
            const id = p[k];
            const d = p[k + 1];
            const aLo = s[d], aHi = s[d | 1];
            let bLo: number, bHi: number;
            if (((id - F.ADD_RR8) & 1) === 0) {
              const x = p[k + 2];
              bLo = s[x];
              bHi = s[x | 1];
            } else {
              bLo = p[k + 2];
              bHi = p[k + 3];
            }
            const kind = (id - F.ADD_RR8) >> 1; // ADD SUB CMP AND OR XOR TEST
            let lo: number, hi: number, op: LazyOp;
            if (kind === 0) {
              const t = (aLo >>> 0) + (bLo >>> 0);
              hi = (aHi + bHi + (t >= K.TWO32 ? 1 : 0)) | 0;
              lo = t | 0;
              op = LazyOp.Add;
            } else if (kind <= 2) {
              const t = (aLo >>> 0) - (bLo >>> 0);
              hi = (aHi - bHi - (t < 0 ? 1 : 0)) | 0;
              lo = t | 0;
              op = LazyOp.Sub;
            } else {
              op = LazyOp.Logic;
              if (kind === 4) {
                lo = aLo | bLo;
                hi = aHi | bHi;
              } else if (kind === 5) {
                lo = aLo ^ bLo;
                hi = aHi ^ bHi;
              } else {
                lo = aLo & bLo;
                hi = aHi & bHi;
              }
            }
            s[S.LZ_OP] = op; s[S.LZ_SIZE] = 8; s[S.LZ_RES_LO] = lo; s[S.LZ_RES_HI] = hi; s[S.LZ_A_LO] = aLo; s[S.LZ_A_HI] = aHi;
            s[S.LZ_B_LO] = bLo; s[S.LZ_B_HI] = bHi; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            cpu.hi = hi;
            if (kind !== 2 && kind !== 6) {
              s[d] = lo;
              s[d | 1] = hi;
            }
            continue;
          }
          // ---- INC/DEC (CF made concrete first; the record leaves CF out)
          case F.INC_R4:
          case F.DEC_R4: {
            const d = p[k + 1], a = s[d];
            const inc = p[k] === F.INC_R4;
            const r = (a + (inc ? 1 : -1)) | 0;
            if (s[S.FLAGS_LAZY] & Flag.CF) {
              // CF of a 32-bit ADD record (the usual producer before a loop counter's INC/DEC) here, else keepCF.
              if (s[S.LZ_OP] === LazyOp.Add && s[S.LZ_SIZE] === 4) {
                s[S.FLAGS] = (s[S.FLAGS] & ~Flag.CF) | (s[S.LZ_RES_LO] >>> 0 < s[S.LZ_A_LO] >>> 0 ? 1 : 0);
              } else keepCF(s);
            }
            s[S.LZ_OP] = inc ? LazyOp.Inc : LazyOp.Dec; s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = r; s[S.LZ_A_LO] = a; s[S.FLAGS_LAZY] = K.NO_CF;
            s[d] = r; s[d | 1] = 0;
            continue;
          }
          case F.INC_R8:
          case F.DEC_R8: {
            const d = p[k + 1], aLo = s[d], aHi = s[d | 1];
            const inc = p[k] === F.INC_R8;
            const t = (aLo >>> 0) + (inc ? 1 : -1);
            const hi = (aHi + (t >= K.TWO32 ? 1 : t < 0 ? -1 : 0)) | 0;
            if (s[S.FLAGS_LAZY] & Flag.CF) {
              // CF of a 32-bit ADD record (the usual producer before a loop counter's INC/DEC) here, else keepCF.
              if (s[S.LZ_OP] === LazyOp.Add && s[S.LZ_SIZE] === 4) {
                s[S.FLAGS] = (s[S.FLAGS] & ~Flag.CF) | (s[S.LZ_RES_LO] >>> 0 < s[S.LZ_A_LO] >>> 0 ? 1 : 0);
              } else keepCF(s);
            }
            s[S.LZ_OP] = inc ? LazyOp.Inc : LazyOp.Dec; s[S.LZ_SIZE] = 8; s[S.LZ_RES_LO] = t | 0; s[S.LZ_RES_HI] = hi;
            s[S.LZ_A_LO] = aLo; s[S.LZ_A_HI] = aHi; s[S.LZ_B_LO] = 1; s[S.LZ_B_HI] = 0; s[S.FLAGS_LAZY] = K.NO_CF;
            s[d] = t | 0; s[d | 1] = hi;
            continue;
          }
          // ---- MOV / LEA
          case F.MOV_RR4: {
            const d = p[k + 1];
            s[d] = s[p[k + 2]];
            s[d | 1] = 0;
            continue;
          }
          case F.MOV_RR8: {
            const d = p[k + 1], x = p[k + 2];
            s[d] = s[x];
            s[d | 1] = s[x | 1];
            continue;
          }
          case F.MOV_RI4: {
            const d = p[k + 1];
            s[d] = p[k + 2];
            s[d | 1] = 0;
            continue;
          }
          case F.MOV_RI8: {
            const d = p[k + 1];
            s[d] = p[k + 2];
            s[d | 1] = p[k + 3];
            continue;
          }
          case F.LEA8: {
            const m = p[k + 2], disp = p[k + 3];
            const base = m & 0xff, index = (m >>> 8) & 0xff;
            let lo = disp >>> 0;
            let hi = disp < 0 ? -1 : 0;
            if (base !== 0xff) {
              lo += s[base << 1] >>> 0;
              hi += s[(base << 1) | 1];
            }
            if (index !== 0xff) {
              const sc = m >>> 16;
              lo += (s[index << 1] >>> 0) * sc;
              hi += Math.imul(s[(index << 1) | 1], sc);
            }
            const d = p[k + 1];
            s[d] = lo | 0;
            s[d | 1] = (hi + Math.floor(lo / K.TWO32)) | 0;
            continue;
          }
          case F.LEA4: {
            const m = p[k + 2];
            const base = m & 0xff, index = (m >>> 8) & 0xff;
            let v = p[k + 3];
            if (base !== 0xff) v += s[base << 1];
            if (index !== 0xff) v += Math.imul(s[index << 1], m >>> 16);
            const d = p[k + 1];
            s[d] = v | 0;
            s[d | 1] = 0;
            continue;
          }
          // ---- shifts by an immediate (shift.ts ri4/ri8)
          case F.SHL_RI4:
          case F.SHR_RI4:
          case F.SAR_RI4: {
            const d = p[k + 1], c = p[k + 2];
            s[d | 1] = 0;
            if (c === 0) continue;
            const a = s[d];
            const id = p[k];
            const r = id === F.SHL_RI4 ? a << c : id === F.SHR_RI4 ? a >>> c : a >> c;
            s[S.LZ_CIN] = c;
            s[S.LZ_OP] = id === F.SHL_RI4 ? LazyOp.Shl : id === F.SHR_RI4 ? LazyOp.Shr : LazyOp.Sar;
            s[S.LZ_SIZE] = 4; s[S.LZ_RES_LO] = r | 0; s[S.LZ_A_LO] = a; s[S.LZ_B_LO] = 0; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            s[d] = r;
            continue;
          }
          case F.SHL_RI8:
          case F.SHR_RI8:
          case F.SAR_RI8: {
            const d = p[k + 1], c = p[k + 2];
            if (c === 0) continue;
            const a = s[d], aHi = s[d | 1];
            const id = p[k];
            let lo: number, hi: number;
            if (id === F.SHL_RI8) {
              if (c < 32) {
                hi = (aHi << c) | (a >>> (32 - c));
                lo = a << c;
              } else {
                hi = a << (c - 32);
                lo = 0;
              }
            } else if (id === F.SHR_RI8) {
              if (c < 32) {
                lo = ((a >>> c) | (aHi << (32 - c))) | 0;
                hi = (aHi >>> c) | 0;
              } else {
                lo = (aHi >>> (c - 32)) | 0;
                hi = 0;
              }
            } else if (c < 32) {
              lo = ((a >>> c) | (aHi << (32 - c))) | 0;
              hi = aHi >> c;
            } else {
              lo = aHi >> (c - 32);
              hi = aHi >> 31;
            }
            s[S.LZ_CIN] = c;
            s[S.LZ_OP] = id === F.SHL_RI8 ? LazyOp.Shl : id === F.SHR_RI8 ? LazyOp.Shr : LazyOp.Sar;
            s[S.LZ_SIZE] = 8; s[S.LZ_RES_LO] = lo; s[S.LZ_RES_HI] = hi; s[S.LZ_A_LO] = a; s[S.LZ_A_HI] = aHi;
            s[S.LZ_B_LO] = 0; s[S.LZ_B_HI] = 0; s[S.FLAGS_LAZY] = S.ARITH_FLAGS;
            s[d] = lo;
            s[d | 1] = hi;
            continue;
          }
          // ---- CMOVcc register forms (move.ts cmovRR)
          case F.CMOV_RR4: {
            const d = p[k + 1];
            if (fastCond(s, p[k + 3])) s[d] = s[p[k + 2]];
            s[d | 1] = 0;
            continue;
          }
          case F.CMOV_RR8: {
            if (fastCond(s, p[k + 3])) {
              const d = p[k + 1], x = p[k + 2];
              s[d] = s[x];
              s[d | 1] = s[x | 1];
            }
            continue;
          }
          // ---- loads and stores with a 64-bit address: the address (common.ts addrOf fast path) and the TLB hit
          // inline (cpu.rd32/rd64/wr32/wr64); a miss, page straddle, MMIO or unusual address runs the handler itself
          // (move.ts movRM*/movMR*/movMI4), RIP published.
          case F.MOV_RM4:
          case F.MOV_RM8:
          case F.MOV_MR4:
          case F.MOV_MR8:
          case F.MOV_MI4: {
            const m = p[k + 2], disp = p[k + 3];
            const base = m & 0xff, index = (m >>> 8) & 0xff;
            let bl = 0, bh = 0, il = 0, ih = 0;
            if (base < 16) {
              bl = s[base << 1];
              bh = s[(base << 1) | 1];
            }
            if (index < 16) {
              il = s[index << 1];
              ih = s[(index << 1) | 1];
            }
            const id = p[k];
            // Size 8 (MOV_RM8, MOV_MR8) needs 8 bytes in the page, the others 4.
            const lim = id === F.MOV_RM8 || id === F.MOV_MR8 ? 0xff8 : 0xffc;
            const tags = id <= F.MOV_RM8 ? cpu.tagR : cpu.tagW;
            let a = -1; // RAM offset of the access on a TLB hit, else -1 (the handler does it)
            if ((bh | ih | (bl >>> 29) | (il >>> 26) | ((disp + 0x100000) >>> 21)) === 0 && base !== 16) {
              // Registers below 2^29 / 2^26 and a displacement within +-2^20: the address is a small int32.
              const lin = bl + il * (m >>> 16) + disp;
              const page = lin >> 12, t = page & S.TLB_MASK, o = lin & 0xfff;
              if (tags[t] === page && o <= lim) a = cpu.toff[t] + o;
            } else {
              // Registers beyond +-2^52 (inexact as doubles) and non-canonical addresses take the handler.
              let ok = true;
              let lin = disp;
              if (base < 16) {
                if (((bh + 0x100000) >>> 0) >= 0x200000) ok = false;
                lin += bh * K.TWO32 + (bl >>> 0);
              } else if (base === 16) lin += ip0 + ends[i];
              if (index < 16) {
                if (((ih + 0x100000) >>> 0) >= 0x200000) ok = false;
                lin += (ih * K.TWO32 + (il >>> 0)) * (m >>> 16);
              }
              if (ok && lin >= -K.CANON && lin < K.CANON - 16) {
                const page = Math.floor(lin / 4096), t = page & S.TLB_MASK, o = lin & 0xfff;
                if (tags[t] === page && o <= lim) a = cpu.toff[t] + o;
              }
            }
            const hit = a >= 0;
            if (hit) {
              const dv = cpu.rdv, x = p[k + 1];
              if (id === F.MOV_RM4) {
                s[x] = dv.getInt32(a, true);
                s[x | 1] = 0;
              } else if (id === F.MOV_RM8) {
                const hi = dv.getInt32(a + 4, true);
                s[x] = dv.getInt32(a, true);
                s[x | 1] = hi;
                cpu.hi = hi;
              } else if (id === F.MOV_MR8) {
                dv.setInt32(a, s[x], true);
                dv.setInt32(a + 4, s[x | 1], true);
              } else dv.setInt32(a, id === F.MOV_MR4 ? s[x] : x, true);
            }
            if (!hit) {
              f[S.RIP_F] = ip0 + ends[i];
              hs[i](cpu, is[i]);
            }
            if (s[S.PENDING] !== 0) {
              i++;
              break block;
            }
            continue;
          }
          // ---- 64-bit relative branches (branch.ts JCC64 / jmpRel64): always the last instruction of the block
          case F.JCC64: {
            const cc = p[k + 3];
            if (jccTaken(s, cc)) {
              const t = ip0 + ends[i] + p[k + 1];
              if (!(t >= -K.CANON && t < K.CANON)) cpu.fault(Vec.GP, 0);
              f[S.RIP_F] = t;
            } else f[S.RIP_F] = ip0 + ends[i];
            continue;
          }
          case F.JCC64_LOOP: {
            // Taken: the target is this block's start, canonical by construction; RIP is published on leaving.
            const cc = p[k + 3];
            if (jccTaken(s, cc)) {
              loop = true;
            } else f[S.RIP_F] = ip0 + ends[i];
            continue;
          }
          case F.JMP64: {
            const t = ip0 + ends[i] + p[k + 1];
            if (!(t >= -K.CANON && t < K.CANON)) cpu.fault(Vec.GP, 0);
            f[S.RIP_F] = t;
            continue;
          }
          default:
            throw new Error(`fast-exec: bad program id ${p[k]}`);
        }
      }
      if (i !== n) {
        // Left after instruction i - 1 because of S.PENDING: RIP is the next instruction (a handler call already set it).
        if (p[(i - 1) << 2] !== F.CALL) f[S.RIP_F] = ip0 + ends[i - 1];
        done += i;
        break;
      }
      if (b.tailRip) f[S.RIP_F] = ip0 + ends[n - 1];
      done += n;
      if (loop) {
        loop = false;
        if (done >= budget || s[S.PENDING] !== 0 || !b.valid || s[S.CODE_BITS] !== b.bits) {
          f[S.RIP_F] = ip0;
          break;
        }
        b.count++;
        continue;
      }
      if (f[S.RIP_F] !== ip0 || done >= budget || s[S.PENDING] !== 0 || !b.valid || s[S.CODE_BITS] !== b.bits) break;
      b.count++;
    }
  } catch (e) {
    cpu.currentBlock = undefined;
    if (!(e instanceof CpuFault)) throw e;
    f[S.RIP_F] = i === 0 ? ip0 : ip0 + ends[i - 1];
    sys.deliverFault(cpu, e);
    return done + i;
  }
  cpu.currentBlock = undefined;
  return done;
}

/** flags.ts keepCF, with the carry of 32-bit ADD/SUB/CMP records computed here (INC/DEC after arithmetic). */
function keepCF(s: Int32Array): void {
  let cf: number;
  const op = s[S.LZ_OP];
  if (s[S.LZ_SIZE] === 4 && op === LazyOp.Add) cf = s[S.LZ_RES_LO] >>> 0 < s[S.LZ_A_LO] >>> 0 ? 1 : 0;
  else if (s[S.LZ_SIZE] === 4 && op === LazyOp.Sub) cf = s[S.LZ_A_LO] >>> 0 < s[S.LZ_B_LO] >>> 0 ? 1 : 0;
  else cf = lazyCF(s);
  s[S.FLAGS] = (s[S.FLAGS] & ~Flag.CF) | cf;
  s[S.FLAGS_LAZY] &= ~Flag.CF;
}
