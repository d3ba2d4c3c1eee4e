// Hand-checked unit tests of the SSE and x87 models: exact rounding, exception flags, fault gating (CR0/CR4),
// memory layouts. Expected values are computed by hand from the SDM rules, not by the code under test.
import { describe, expect, it } from 'vitest';
import { roundPack } from '../../jit/interp/sse/softfloat.js';
import { Rc } from '../../jit/interp/sse/env.js';
import { CR0, CR4, MXCSR, XMM_I32, FPU_SW, FPU_CW, Cr0, Cr4 } from '../../machine/cpu/state.js';
import { Fixture, DATA } from './fixture.js';

const f64 = (x: number): [number, number] => {
  const d = new DataView(new ArrayBuffer(8));
  d.setFloat64(0, x, true);
  return [d.getInt32(0, true), d.getInt32(4, true)];
};

function withXmm(fx: Fixture, r: number, lo: number, hi: number): void {
  const s = fx.cpu.i32;
  s[XMM_I32(r)] = lo;
  s[XMM_I32(r) + 1] = hi;
}
const xmmHex = (fx: Fixture, r: number): string =>
  ((BigInt(fx.cpu.i32[XMM_I32(r) + 1]! >>> 0) << 32n) | BigInt(fx.cpu.i32[XMM_I32(r)]! >>> 0)).toString(16).padStart(16, '0');

describe('softfloat roundPack (hand-computed)', () => {
  it('rounds 11 and 10 to 2 significant bits: 12 (up) and 8 (tie to even)', () => {
    let r = roundPack(0, 11n, 0, false, 2, -100, 100, Rc.Nearest, false, 0x3f);
    expect([r.sig, r.exp, r.flags]).toEqual([3n, 2, 32]);
    r = roundPack(0, 10n, 0, false, 2, -100, 100, Rc.Nearest, false, 0x3f);
    expect([r.sig, r.exp, r.flags]).toEqual([2n, 2, 32]);
    r = roundPack(1, 10n, 0, false, 2, -100, 100, Rc.Down, false, 0x3f); // -10 rounded down: -12
    expect([r.sig, r.exp]).toEqual([3n, 2]);
    r = roundPack(1, 11n, 0, false, 2, -100, 100, Rc.Zero, false, 0x3f); // -11 towards zero: -8
    expect([r.sig, r.exp]).toEqual([2n, 2]);
  });

  it('detects tininess after rounding: (2^54-1)*2^-1076 rounds up to 2^-1022 and is not tiny', () => {
    // 54 ones: the dropped bit is a tie and the kept 53 ones are odd, so with unbounded exponent the value rounds
    // up to 2^-1022 exactly: no underflow, only PE. (2^53-1)*2^-1075 is exact in 53 bits, hence tiny.
    const r = roundPack(0, (1n << 54n) - 1n, -1076, false, 53, -1022, 1023, Rc.Nearest, false, 0x3f);
    expect(r.tiny).toBe(false);
    expect(r.flags).toBe(32);
    expect(r.sig << BigInt(r.exp + 1100)).toBe(1n << 78n); // 2^-1022
    const t = roundPack(0, (1n << 53n) - 1n, -1075, false, 53, -1022, 1023, Rc.Nearest, false, 0x3f);
    expect(t.tiny).toBe(true);
    expect(t.flags).toBe(16 | 32); // rounded to the denormal grid: 2^-1022 again, now tiny and inexact
  });

  it('masked overflow gives infinity or the largest finite value depending on the rounding direction', () => {
    const huge = (1n << 60n) + 1n; // 2^60 * 2^1000 > MAX
    expect(roundPack(0, huge, 1000, false, 53, -1022, 1023, Rc.Nearest, false, 0x3f).inf).toBe(true);
    expect(roundPack(0, huge, 1000, false, 53, -1022, 1023, Rc.Zero, false, 0x3f).inf).toBe(false);
    expect(roundPack(1, huge, 1000, false, 53, -1022, 1023, Rc.Up, false, 0x3f).inf).toBe(false);
    expect(roundPack(1, huge, 1000, false, 53, -1022, 1023, Rc.Down, false, 0x3f).inf).toBe(true);
    expect(roundPack(0, huge, 1000, false, 53, -1022, 1023, Rc.Nearest, false, 0x3f).flags).toBe(8 | 32);
  });
});

describe('SSE arithmetic (hand-computed)', () => {
  it('DIVSD 1/3 in each rounding mode, with PE', () => {
    const want = ['3fd5555555555555', '3fd5555555555555', '3fd5555555555556', '3fd5555555555555'];
    for (let rc = 0; rc < 4; rc++) {
      const fx = new Fixture();
      fx.cpu.i32[MXCSR] = 0x1f80 | (rc << 13);
      withXmm(fx, 0, ...f64(1));
      withXmm(fx, 1, ...f64(3));
      expect(fx.run('divsd xmm0, xmm1')).toBe(-1);
      expect(xmmHex(fx, 0)).toBe(want[rc]);
      expect(fx.cpu.i32[MXCSR]).toBe(0x1f80 | (rc << 13) | 0x20);
    }
  });

  it('MULSD 2^-1022 * (1 - 2^-53): tiny and inexact -> 2^-1022 with UE|PE; FTZ flushes an exact tiny result', () => {
    const fx = new Fixture();
    withXmm(fx, 0, 0, 0x00100000);
    withXmm(fx, 1, -1, 0x3fefffff);
    expect(fx.run('mulsd xmm0, xmm1')).toBe(-1);
    expect(xmmHex(fx, 0)).toBe('0010000000000000');
    expect(fx.cpu.i32[MXCSR]).toBe(0x1f80 | 0x30);
    const fz = new Fixture();
    fz.cpu.i32[MXCSR] = 0x9f80;
    withXmm(fz, 0, 0, 0x00180000); // 1.5 * 2^-1022
    withXmm(fz, 1, 0, 0x00100000);
    expect(fz.run('subsd xmm0, xmm1')).toBe(-1);
    expect(xmmHex(fz, 0)).toBe('0000000000000000');
    expect(fz.cpu.i32[MXCSR]).toBe(0x9f80 | 0x30);
  });

  it('CVTSD2SI: ties to even, directed rounding, out of range -> integer indefinite with IE', () => {
    const cases: [number, number, number, number][] = [
      [2.5, 0, 2, 0x20], [-2.5, 0, -2, 0x20], [-2.5, 1, -3, 0x20], [2.5, 2, 3, 0x20], [2147483648, 0, -2147483648, 1],
      [-2147483648, 0, -2147483648, 0], [NaN, 0, -2147483648, 1],
    ];
    for (const [x, rc, want, flags] of cases) {
      const fx = new Fixture();
      fx.cpu.i32[MXCSR] = 0x1f80 | (rc << 13);
      withXmm(fx, 2, ...f64(x));
      expect(fx.run('cvtsd2si eax, xmm2')).toBe(-1);
      expect(fx.cpu.i32[0]).toBe(want);
      expect(fx.cpu.i32[MXCSR] & 0x3f).toBe(flags);
    }
  });

  it('NaN rules: first operand wins and is quieted; invalid gives the default NaN', () => {
    const fx = new Fixture();
    withXmm(fx, 0, 1, 0x7ff00000); // SNaN
    withXmm(fx, 1, 0, 0x7ff80001); // QNaN
    expect(fx.run('addsd xmm0, xmm1')).toBe(-1);
    expect(xmmHex(fx, 0)).toBe('7ff8000000000001');
    expect(fx.cpu.i32[MXCSR] & 0x3f).toBe(1);
    withXmm(fx, 2, ...f64(Infinity));
    withXmm(fx, 3, ...f64(Infinity));
    expect(fx.run('subsd xmm2, xmm3')).toBe(-1);
    expect(xmmHex(fx, 2)).toBe('fff8000000000000');
  });
});

describe('fault gating', () => {
  it('CR0.EM / CR4.OSFXSR -> #UD for SSE, CR0.TS -> #NM; MMX ignores OSFXSR; x87 #NM on EM or TS', () => {
    const fx = new Fixture();
    const s = fx.cpu.i32;
    s[CR0] |= Cr0.EM;
    expect(fx.run('addps xmm0, xmm1')).toBe(6);
    expect(fx.run('fld1')).toBe(7);
    s[CR0] &= ~Cr0.EM;
    s[CR4] &= ~Cr4.OSFXSR;
    expect(fx.run('addps xmm0, xmm1')).toBe(6);
    expect(fx.run('paddb mm0, mm1')).toBe(-1);
    s[CR4] |= Cr4.OSFXSR;
    s[CR0] |= Cr0.TS;
    expect(fx.run('addps xmm0, xmm1')).toBe(7);
    expect(fx.run('fwait')).toBe(7); // TS and MP
    s[CR0] &= ~Cr0.MP;
    expect(fx.run('fwait')).toBe(-1);
  });

  it('unmasked SIMD exception: #XM with OSXMMEXCPT, #UD without; destination unchanged, flag set', () => {
    for (const osx of [true, false]) {
      const fx = new Fixture();
      const s = fx.cpu.i32;
      if (!osx) s[CR4] &= ~Cr4.OSXMMEXCPT;
      s[MXCSR] = 0x1f80 & ~(4 << 7); // unmask ZE
      withXmm(fx, 0, ...f64(1));
      withXmm(fx, 1, 0, 0);
      expect(fx.run('divsd xmm0, xmm1')).toBe(osx ? 19 : 6);
      expect(xmmHex(fx, 0)).toBe('3ff0000000000000');
      expect(s[MXCSR] & 0x3f).toBe(4);
    }
  });

  it('misaligned MOVAPS -> #GP(0); LDMXCSR with reserved bits -> #GP(0)', () => {
    const fx = new Fixture();
    fx.cpu.i32[0] = DATA + 8;
    expect(fx.run('movaps xmm0, [rax]')).toBe(13);
    expect(fx.run('movups xmm0, [rax]')).toBe(-1);
    fx.phys.dv.setUint32(DATA, 0x10000, true);
    fx.cpu.i32[0] = DATA;
    expect(fx.run('ldmxcsr [rax]')).toBe(13);
  });

  it('x87: an unmasked exception sets ES and raises #MF at the next waiting instruction only', () => {
    const fx = new Fixture();
    const s = fx.cpu.i32;
    s[FPU_CW] = 0x037b; // ZE unmasked
    expect(fx.run('fld1\nfldz\nfdivp st(1), st(0)')).toBe(-1);
    expect(s[FPU_SW] & 0x8084).toBe(0x8084); // B, ES, ZE
    expect(fx.run('fnstsw ax')).toBe(-1); // non-waiting
    expect(fx.run('fld1')).toBe(16);
  });
});

describe('x87 (hand-computed)', () => {
  const readExt = (fx: Fixture, off: number): string => {
    const d = fx.phys.dv;
    return d.getUint16(DATA + off + 8, true).toString(16) + ':' + d.getBigUint64(DATA + off, true).toString(16);
  };

  it('FLDPI/FLDLG2 round the internal constant per RC (pi = C90FDAA2 2168C234 C4C6...)', () => {
    const want: Record<number, [string, string]> = {
      0: ['4000:c90fdaa22168c235', '3ffd:9a209a84fbcff799'],
      1: ['4000:c90fdaa22168c234', '3ffd:9a209a84fbcff798'],
      2: ['4000:c90fdaa22168c235', '3ffd:9a209a84fbcff799'],
      3: ['4000:c90fdaa22168c234', '3ffd:9a209a84fbcff798'],
    };
    for (let rc = 0; rc < 4; rc++) {
      const fx = new Fixture();
      fx.cpu.i32[FPU_CW] = 0x037f | (rc << 10);
      fx.cpu.i32[0] = DATA;
      expect(fx.run('fldpi\nfstp tbyte ptr [rax]\nfldlg2\nfstp tbyte ptr [rax + 16]')).toBe(-1);
      expect([readExt(fx, 0), readExt(fx, 16)]).toEqual(want[rc]);
    }
  });

  it('precision control: 1 + 2^-30 at PC=24 is 1.0 with PE; at PC=64 it is exact', () => {
    for (const [pc, sig, pe] of [[0, '8000000000000000', 0x20], [3, '8000000200000000', 0]] as const) {
      const fx = new Fixture();
      fx.cpu.i32[FPU_CW] = 0x007f | (pc << 8);
      fx.cpu.i32[0] = DATA;
      fx.phys.dv.setFloat64(DATA + 64, 2 ** -30, true);
      expect(fx.run('fld1\nfadd qword ptr [rax + 64]\nfstp tbyte ptr [rax]')).toBe(-1);
      expect(readExt(fx, 0)).toBe(`3fff:${sig}`);
      expect(fx.cpu.i32[FPU_SW] & 0x20).toBe(pe);
    }
  });

  it('FXSAVE64 layout: FCW, FSW with TOP, abridged tag, MXCSR, MXCSR_MASK, ST0, XMM0', () => {
    const fx = new Fixture();
    fx.cpu.i32[0] = DATA;
    withXmm(fx, 0, 0x11223344, 0x55667788);
    expect(fx.run('fld1\nfxsave64 [rax]')).toBe(-1);
    const d = fx.phys.dv;
    expect(d.getUint16(DATA, true)).toBe(0x037f);
    expect(d.getUint16(DATA + 2, true)).toBe(0x3800); // TOP = 7
    expect(fx.phys.u8[DATA + 4]).toBe(0x80); // physical register 7 in use
    expect(d.getUint32(DATA + 24, true)).toBe(0x1f80);
    expect(d.getUint32(DATA + 28, true)).toBe(0xffff);
    expect(readExt(fx, 32)).toBe('3fff:8000000000000000');
    expect(d.getUint32(DATA + 160, true)).toBe(0x11223344);
    fx.cpu.i32[0] = DATA + 8;
    expect(fx.run('fxsave64 [rax]')).toBe(13); // 16-byte alignment
  });
});
