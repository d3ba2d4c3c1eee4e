// Extra oracle generators: MMX forms of the packed-integer/SSSE3 instructions and MMX<->XMM/GPR moves, SSE data
// movement not covered by tests/oracle/gen (MASKMOVDQU, MOVNTx, LDDQU, PINSRW/PEXTRW, LDMXCSR/STMXCSR, FXSAVE/FXRSTOR).
import { DATA_BASE, VEC, type CaseSpec } from '../oracle/abi.js';
import { CaseBuilder, regName } from '../oracle/gen/builder.js';
import { Rng, value } from '../oracle/gen/rng.js';
import { floatVector, intVector, randomMxcsr, xmmRegs } from '../oracle/gen/vec.js';

const MMX_BINARY = [
  'paddb', 'paddw', 'paddd', 'paddq', 'paddsb', 'paddsw', 'paddusb', 'paddusw', 'psubb', 'psubw', 'psubd', 'psubq',
  'psubsb', 'psubsw', 'psubusb', 'psubusw', 'pmullw', 'pmulhw', 'pmulhuw', 'pmuludq', 'pmaddwd', 'psadbw', 'pavgb',
  'pavgw', 'pminub', 'pmaxub', 'pminsw', 'pmaxsw', 'pcmpeqb', 'pcmpeqw', 'pcmpeqd', 'pcmpgtb', 'pcmpgtw', 'pcmpgtd',
  'packsswb', 'packssdw', 'packuswb', 'punpckhbw', 'punpckhwd', 'punpckhdq', 'pand', 'pandn', 'por', 'pxor',
  'psllw', 'pslld', 'psllq', 'psrlw', 'psrld', 'psrlq', 'psraw', 'psrad', 'pshufb', 'phaddw', 'phaddd', 'phaddsw',
  'phsubw', 'phsubd', 'phsubsw', 'pmaddubsw', 'pmulhrsw', 'pabsb', 'pabsw', 'pabsd', 'psignb', 'psignw', 'psignd',
];
const MMX_LOW_UNPACK = ['punpcklbw', 'punpcklwd', 'punpckldq'];

function bytes8(rng: Rng): Uint8Array {
  return intVector(rng, rng.pick([8, 16, 32, 64])).slice(0, 8);
}

/** A scratch block in the data area addressed by a fresh base register; returns [base name, offset]. */
function scratch(b: CaseBuilder, rng: Rng, len: number): [string, number] {
  const off = rng.range(0x100, 0xd00) & ~15;
  b.scatter(off, len, 0);
  const base = b.freeIdx();
  b.setGpr(base, BigInt(DATA_BASE + off));
  return [regName({ idx: base, size: 64, high: false }), off];
}

/** MMX arithmetic/shuffles through memory: load two MMX registers, operate, store the result, EMMS. */
export function genMmx(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    b.fswMask = 0x3800; // TOP = 0 after any MMX instruction
    const [base, off] = scratch(b, rng, 64);
    const ma = rng.below(8);
    const mb = (ma + 1 + rng.below(7)) & 7;
    b.poke(off, bytes8(rng));
    b.poke(off + 8, bytes8(rng));
    b.poke(off + 16, bytes8(rng));
    const lines = [`movq mm${ma}, qword ptr [${base}]`, `movq mm${mb}, qword ptr [${base} + 8]`];
    const k = rng.below(12);
    if (k < 6) {
      const op = rng.pick(MMX_BINARY);
      const shift = /^ps[lr]/.test(op);
      if (shift && rng.chance(0.3)) lines.push(`${op} mm${ma}, ${rng.chance(0.8) ? rng.range(0, 20) : rng.range(0, 255)}`);
      else if (shift && rng.chance(0.5)) {
        b.pokeInt(off + 16, BigInt(rng.chance(0.8) ? rng.range(0, 70) : rng.u32()), 8);
        lines.push(`${op} mm${ma}, qword ptr [${base} + 16]`);
      } else lines.push(rng.chance(0.3) ? `${op} mm${ma}, qword ptr [${base} + 16]` : `${op} mm${ma}, mm${mb}`);
    } else if (k === 6) lines.push(`${rng.pick(MMX_LOW_UNPACK)} mm${ma}, mm${mb}`);
    else if (k === 7) lines.push(`${rng.pick(['pshufw', 'palignr'])} mm${ma}, ${rng.chance(0.5) ? `mm${mb}` : `qword ptr [${base} + 16]`}, ${rng.range(0, 255)}`);
    else if (k === 8) {
      const r = b.reg(32);
      b.setReg(r, value(rng, 32));
      const r2 = b.reg(32);
      lines.push(`pinsrw mm${ma}, ${regName(r)}, ${rng.range(0, 7)}`, `pextrw ${regName(r2)}, mm${mb}, ${rng.range(0, 7)}`);
      const r3 = b.reg(32);
      lines.push(`pmovmskb ${regName(r3)}, mm${ma}`);
    } else if (k === 9) {
      // GPR/XMM <-> MMX moves
      const [x1, x2] = xmmRegs(rng, 2) as [number, number];
      const r = b.reg(64);
      const r32 = b.reg(32);
      b.setReg(r, value(rng, 64));
      b.setReg(r32, value(rng, 32));
      lines.push(rng.pick([
        `movq mm${ma}, ${regName(r)}`, `movd mm${ma}, ${regName(r32)}`, `movq ${regName(r)}, mm${mb}`,
        `movd ${regName(r32)}, mm${mb}`, `movq2dq xmm${x1}, mm${mb}`, `movdq2q mm${ma}, xmm${x2}`,
        `movd mm${ma}, dword ptr [${base} + 16]`, `movd dword ptr [${base} + 24], mm${mb}`,
      ]));
    } else if (k === 10) {
      // MMX conversions
      const [x1] = xmmRegs(rng, 1) as [number];
      b.xmm[x1] = floatVector(rng, rng.chance(0.5) ? 32 : 64);
      randomMxcsr(b, 0);
      lines.push(rng.pick([
        `cvtpi2ps xmm${x1}, mm${mb}`, `cvtpi2pd xmm${x1}, mm${mb}`, `cvtps2pi mm${ma}, xmm${x1}`,
        `cvttps2pi mm${ma}, xmm${x1}`, `cvtpd2pi mm${ma}, xmm${x1}`, `cvttpd2pi mm${ma}, xmm${x1}`,
      ]));
    } else {
      // byte-masked and non-temporal stores
      const rdi = 7;
      if (b.isFree(rdi)) {
        b.take(rdi);
        b.setGpr(rdi, BigInt(DATA_BASE + off + 32));
        lines.push(`maskmovq mm${ma}, mm${mb}`);
      } else lines.push(`movntq qword ptr [${base} + 40], mm${mb}`);
    }
    lines.push(`movq qword ptr [${base} + 48], mm${ma}`, `movq qword ptr [${base} + 56], mm${mb}`);
    if (rng.chance(0.8)) lines.push('emms');
    const asm = lines.join('\n');
    out.push(b.spec(`mmx/${n}: ${lines.join('; ')}`, asm));
  }
  return out;
}

/** SSE data movement and state instructions outside the oracle's generators. */
export function genSseMisc(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    const [d, s] = xmmRegs(rng, 2) as [number, number];
    b.xmm[d] = intVector(rng, 8);
    b.xmm[s] = intVector(rng, rng.pick([8, 16, 32]));
    const [base, off] = scratch(b, rng, 0x240);
    const lines: string[] = [];
    const k = rng.below(9);
    if (k === 0) {
      const r = b.reg(32);
      b.setReg(r, value(rng, 32));
      const r2 = b.reg(rng.chance(0.5) ? 32 : 64);
      lines.push(
        rng.chance(0.5) ? `pinsrw xmm${d}, ${regName(r)}, ${rng.range(0, 7)}` : `pinsrw xmm${d}, word ptr [${base} + ${rng.range(0, 30)}], ${rng.range(0, 7)}`,
        rng.chance(0.5) ? `pextrw ${regName(r2)}, xmm${s}, ${rng.range(0, 15)}` : `pmovmskb ${regName(r2)}, xmm${s}`,
      );
    } else if (k === 1) {
      const rdi = 7;
      if (!b.isFree(rdi)) continue;
      b.take(rdi);
      b.setGpr(rdi, BigInt(DATA_BASE + off + rng.range(0, 40)));
      lines.push(`maskmovdqu xmm${d}, xmm${s}`);
    } else if (k === 2) {
      const r = b.reg(rng.chance(0.5) ? 32 : 64);
      b.setReg(r, value(rng, 64));
      lines.push(`movnti ${r.size === 32 ? 'dword' : 'qword'} ptr [${base} + ${rng.range(0, 40)}], ${regName(r)}`);
    } else if (k === 3) {
      const op = rng.pick(['movntdq', 'movntps', 'movntpd']);
      const mis = rng.chance(0.05) ? rng.range(1, 15) : 0;
      if (mis) b.expectFault = VEC.GP;
      lines.push(`${op} xmmword ptr [${base} + ${16 + mis}], xmm${s}`);
    } else if (k === 4) {
      const mis = rng.chance(0.5) ? rng.range(1, 15) : 0;
      const op = rng.chance(0.5) ? 'lddqu' : 'movntdqa';
      if (op === 'movntdqa' && mis) b.expectFault = VEC.GP;
      lines.push(`${op} xmm${d}, xmmword ptr [${base} + ${16 + mis}]`);
    } else if (k === 5) {
      // LDMXCSR with random (sometimes reserved) bits, then STMXCSR
      const v = rng.chance(0.9) ? rng.u32() & 0xffff : rng.u32();
      if (v >>> 16) b.expectFault = VEC.GP;
      b.pokeInt(off, BigInt(v >>> 0), 4);
      lines.push(`ldmxcsr dword ptr [${base}]`, `stmxcsr dword ptr [${base} + 4]`);
    } else {
      // FXRSTOR64 of a random but valid image, change some state, FXSAVE64; FIP/FDP/FOP and MXCSR_MASK are vendor
      // specific (AMD saves them only with an exception pending) and are cleared before the comparison.
      const img = rng.bytes(512);
      const dv = new DataView(img.buffer);
      dv.setUint16(0, 0x037f | (rng.below(4) << 10) | (rng.pick([0, 2, 3]) << 8), true);
      dv.setUint16(2, rng.below(8) << 11, true);
      img[4] = rng.below(256);
      dv.setUint32(24, (0x1f80 | (rng.below(4) << 13)) & 0xffff, true);
      for (let i = 0; i < 8; i++) {
        // Valid ST contents (normal numbers or zero) so that the tag recomputation cannot differ.
        const e = rng.chance(0.1) ? 0 : rng.range(0x3f00, 0x4100);
        img[32 + 16 * i + 7] |= e ? 0x80 : 0;
        if (!e) for (let k2 = 0; k2 < 8; k2++) img[32 + 16 * i + k2] = 0;
        dv.setUint16(32 + 16 * i + 8, e | (rng.below(2) << 15), true);
      }
      b.poke(off + 0x20, img.map((x, i) => (i >= 464 ? 0 : x)));
      const w = rng.chance(0.5) ? '64' : ''; // REX.W layout (64-bit FIP/FDP) or the legacy one (with FCS/FDS)
      lines.push(`fxrstor${w} [${base} + 0x20]`);
      if (rng.chance(0.5)) lines.push(`addps xmm${d}, xmm${s}`);
      if (rng.chance(0.5)) lines.push('fld1', 'faddp st(1), st(0)');
      lines.push(`fxsave${w} [${base} + 0x20]`);
      lines.push(`mov word ptr [${base} + 0x26], 0`, `mov qword ptr [${base} + 0x28], 0`, `mov qword ptr [${base} + 0x30], 0`, `mov dword ptr [${base} + 0x3c], 0`);
      b.fswMask = 0xffff;
    }
    const asm = lines.join('\n');
    out.push(b.spec(`sse-misc/${n}: ${lines.join('; ')}`, asm));
  }
  return out;
}

/** SSE4.2 PCMPxSTRx: small alphabets (matches likely), embedded NULs, explicit lengths incl. negative and huge. */
export function genPcmpStr(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  const lens = (): bigint => {
    const k = rng.below(6);
    if (k < 3) return BigInt(rng.range(0, 17));
    if (k === 3) return BigInt(-rng.range(0, 17));
    if (k === 4) return rng.pick([0x7fffffffn, -0x80000000n, 0x100000003n, -0x100000003n, 0xffffffffn, 0x8000000000000000n]);
    return value(rng, 64);
  };
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    const [d, s] = xmmRegs(rng, 2) as [number, number];
    const str = (): Uint8Array => {
      const x = new Uint8Array(16);
      const alpha = rng.range(1, 6);
      for (let i = 0; i < 16; i++) x[i] = rng.chance(0.06) ? 0 : 0x60 + rng.below(alpha) + (rng.chance(0.1) ? 0x80 : 0);
      if (rng.chance(0.3)) x.set(rng.bytes(16));
      return x;
    };
    b.xmm[d] = str();
    const src = rng.chance(0.2) ? b.xmm[d]!.slice() : str();
    let op = rng.pick(['pcmpestri', 'pcmpestrm', 'pcmpistri', 'pcmpistrm']);
    if (op.includes('estr')) {
      b.take(0);
      b.take(2);
      b.setGpr(0, lens());
      b.setGpr(2, lens());
      if (rng.chance(0.3)) op += 'q'; // REX.W: 64-bit lengths in RAX/RDX
    }
    const imm = rng.range(0, 127);
    let asm: string;
    if (rng.chance(0.3)) {
      const off = b.memOffset(16, 0.5);
      b.scatter(off, 16);
      b.poke(off, src);
      asm = `${op} xmm${d}, xmmword ptr ${b.addr(off)}, ${imm}`;
    } else {
      b.xmm[s] = src;
      asm = `${op} xmm${d}, xmm${s}, ${imm}`;
    }
    out.push(b.spec(`pcmpstr/${n}: ${asm}`, asm));
  }
  return out;
}
