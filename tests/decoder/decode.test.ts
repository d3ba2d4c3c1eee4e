// Decoder record contract (jit/decoder/instr.ts) on hand-checked encodings from SDM Vol. 2 ch. 2.
import { describe, expect, test } from 'vitest';
import { decode } from '../../jit/decoder/decode.js';
import { DecodeError, Instr, OpKind, Pfx, REG_NONE, REG_RIP, RegClass, Seg } from '../../jit/decoder/instr.js';
import { Mn } from '../../jit/decoder/tables.gen.js';

const bytes = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));
const dec = (bits: 16 | 32 | 64, s: string) => {
  const b = bytes(s);
  return decode(b, 0, b.length, bits);
};
function rejects(bits: 16 | 32 | 64, s: string): string {
  try {
    dec(bits, s);
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as DecodeError).message).not.toContain('\n');
    return (e as DecodeError).kind;
  }
  return 'decoded';
}

describe('prefixes', () => {
  test('REX is ignored when a legacy prefix follows it', () => {
    const a = dec(64, '48 66 01 c0');
    expect(a.osize).toBe(2);
    expect(a.prefixes & Pfx.Rex).toBe(0);
    const b = dec(64, '66 48 01 c0');
    expect(b.osize).toBe(8);
    expect(b.prefixes & Pfx.RexW).toBe(Pfx.RexW);
  });

  test('LOCK: legal on a memory destination of a lockable instruction only', () => {
    expect(dec(64, 'f0 01 00').prefixes & Pfx.Lock).toBe(Pfx.Lock);
    expect(rejects(64, 'f0 01 c0')).toBe('invalid');
    expect(rejects(64, 'f0 89 00')).toBe('invalid');
    expect(dec(32, 'f0 0f c7 0e').op).toBe(Mn.CMPXCHG8B);
  });

  test('15-byte limit, truncation', () => {
    expect(dec(64, '66 '.repeat(13) + '01 c0').len).toBe(15);
    expect(rejects(64, '66 '.repeat(14) + '01 c0')).toBe('invalid');
    expect(rejects(64, '48 8b')).toBe('truncated');
    expect(rejects(64, '48 8b 80 00 00')).toBe('truncated');
  });

  test('mandatory prefixes are not reported as REP; 66 stays visible', () => {
    const movss = dec(64, 'f3 0f 10 c1');
    expect(movss.op).toBe(Mn.MOVSS);
    expect(movss.prefixes & (Pfx.Rep | Pfx.Repne)).toBe(0);
    const rep = dec(64, 'f3 48 a5');
    expect(rep.op).toBe(Mn.MOVSQ);
    expect(rep.prefixes & Pfx.Rep).toBe(Pfx.Rep);
    expect(dec(64, 'f2 f3 a6').prefixes & (Pfx.Rep | Pfx.Repne)).toBe(Pfx.Rep); // the last of F2/F3 counts
    const movdqa = dec(64, '66 0f 6f c1');
    expect(movdqa.op).toBe(Mn.MOVDQA);
    expect(movdqa.prefixes & Pfx.OpSize).toBe(Pfx.OpSize);
  });

  test('segment overrides: recorded in 64-bit mode, FS/GS win over ES/CS/SS/DS', () => {
    const es = dec(64, '26 8b 00');
    expect(es.segOverride).toBe(true);
    expect(es.seg).toBe(Seg.ES);
    expect(dec(64, '64 26 8b 00').seg).toBe(Seg.FS);
    expect(dec(32, '64 26 8b 00').seg).toBe(Seg.ES);
    expect(dec(64, '8b 45 f0').seg).toBe(Seg.SS);
    expect(dec(64, '41 8b 45 f0').seg).toBe(Seg.DS);
  });
});

describe('operands', () => {
  test('ModRM + SIB', () => {
    const i = dec(64, '48 8b 44 c8 10');
    expect(i.op).toBe(Mn.MOV);
    expect([i.osize, i.asize, i.nops]).toEqual([8, 8, 2]);
    expect([i.o0.kind, i.o0.rc, i.o0.reg, i.o0.size]).toEqual([OpKind.Reg, RegClass.Gpr, 0, 8]);
    expect([i.o1.kind, i.o1.base, i.o1.index, i.o1.scale, i.o1.disp, i.o1.size]).toEqual([OpKind.Mem, 0, 1, 8, 0x10, 8]);
  });

  test('RIP-relative, [disp32] and moffs64', () => {
    const rip = dec(64, '8b 05 f0 ff ff ff');
    expect([rip.o1.base, rip.o1.disp]).toEqual([REG_RIP, -16]);
    const abs = dec(64, '8b 04 25 f0 ff ff ff');
    expect([abs.o1.base, abs.o1.index, abs.o1.disp, abs.o1.dispHi]).toEqual([REG_NONE, REG_NONE, -16, -1]);
    const moffs = dec(64, '48 a1 88 77 66 55 44 33 22 11');
    expect([moffs.o1.disp, moffs.o1.dispHi, moffs.len]).toEqual([0x55667788, 0x11223344, 10]);
    expect(dec(32, '8b 05 10 00 00 00').o1.base).toBe(REG_NONE);
  });

  test('16-bit addressing', () => {
    const i = dec(16, '8b 46 f0');
    expect([i.osize, i.asize, i.o1.base, i.o1.index, i.o1.disp, i.seg]).toEqual([2, 2, 5, REG_NONE, -16, Seg.SS]);
    const j = dec(16, '8b 00');
    expect([j.o1.base, j.o1.index]).toEqual([3, 6]);
    expect(dec(16, '66 67 8b 04 24').o1.base).toBe(4); // 32-bit addressing inside a 16-bit segment
  });

  test('byte registers: AH without REX, SPL with it', () => {
    const ah = dec(64, '88 e0');
    expect([ah.o1.rc, ah.o1.reg, ah.osize]).toEqual([RegClass.Gpr8Hi, 0, 1]);
    const spl = dec(64, '40 88 e0');
    expect([spl.o1.rc, spl.o1.reg]).toEqual([RegClass.Gpr, 4]);
  });

  test('immediates are extended to the operand size', () => {
    const q = dec(64, '48 83 c0 ff');
    expect([q.o1.kind, q.o1.size, q.o1.imm, q.o1.immHi]).toEqual([OpKind.Imm, 8, -1, -1]);
    const w = dec(64, '66 83 c0 ff');
    expect([w.o1.size, w.o1.imm, w.o1.immHi]).toEqual([2, 0xffff, 0]);
    const b = dec(64, 'b0 ff');
    expect([b.o1.size, b.o1.imm]).toEqual([1, 0xff]);
    const iv = dec(64, '48 b8 08 07 06 05 04 03 02 81');
    expect([iv.o1.imm, iv.o1.immHi]).toEqual([0x05060708, 0x81020304 | 0]);
    const iz = dec(64, '48 c7 c0 00 00 00 80');
    expect([iz.o1.imm, iz.o1.immHi]).toEqual([-0x80000000, -1]);
    const one = dec(64, 'd1 e0');
    expect([one.nops, one.o1.kind, one.o1.imm]).toEqual([2, OpKind.Imm, 1]);
  });

  test('branches: relative displacement, far pointer, condition codes', () => {
    const j = dec(64, 'eb fe');
    expect([j.op, j.o0.kind, j.o0.disp, j.o0.size, j.len]).toEqual([Mn.JMP, OpKind.Rel, -2, 8, 2]);
    const jz = dec(32, '66 e8 34 12');
    expect([jz.o0.disp, jz.o0.size, jz.len]).toEqual([0x1234, 2, 4]);
    const far = dec(32, 'ea 11 22 33 44 55 66');
    expect([far.op, far.o0.kind, far.o0.imm, far.o0.immHi]).toEqual([Mn.JMP_FAR, OpKind.Far, 0x44332211, 0x6655]);
    expect(rejects(64, 'ea 11 22 33 44 55 66')).toBe('invalid');
    expect([dec(64, '0f 4e c1').op, dec(64, '0f 4e c1').cond]).toEqual([Mn.CMOVLE, 14]);
    expect(dec(64, '0f 92 c0').cond).toBe(2);
    expect(dec(64, '75 00').op).toBe(Mn.JNE);
    expect(dec(64, '01 c0').cond).toBe(-1);
  });

  test('system registers', () => {
    const cr = dec(64, '44 0f 20 c0');
    expect(cr.op).toBe(Mn.MOV_CR);
    expect([cr.o0.reg, cr.o1.rc, cr.o1.reg, cr.osize]).toEqual([0, RegClass.Cr, 8, 8]);
    expect(rejects(64, '0f 20 c8')).toBe('invalid'); // CR1
    expect(rejects(64, '8e c8')).toBe('invalid'); // MOV CS,r
    const seg = dec(32, '8e d8');
    expect([seg.o0.rc, seg.o0.reg]).toEqual([RegClass.Seg, Seg.DS]);
  });

  test('x87 and SSE forms', () => {
    const fx = dec(64, 'd9 c9');
    expect([fx.op, fx.map, fx.opcode, fx.nops, fx.o1.rc, fx.o1.reg]).toEqual([Mn.FXCH, 4, 0xd9, 2, RegClass.St, 1]);
    const fld = dec(64, 'db 28');
    expect([fld.op, fld.nops, fld.o0.size]).toEqual([Mn.FLD, 1, 10]);
    const movsd = dec(64, 'f2 44 0f 10 48 08');
    expect([movsd.op, movsd.o0.rc, movsd.o0.reg, movsd.o1.size]).toEqual([Mn.MOVSD_X, RegClass.Xmm, 9, 8]);
    expect(dec(64, 'a5').op).toBe(Mn.MOVSD);
    expect(dec(64, 'f2 0f c2 c1 00').op).toBe(Mn.CMPSD_X);
  });
});

describe('modes and out-of-scope encodings', () => {
  test('legacy-only opcodes', () => {
    expect(dec(32, '40').op).toBe(Mn.INC);
    expect(dec(64, '40 01 c0').prefixes & Pfx.Rex).toBe(Pfx.Rex);
    expect(dec(32, '62 00').op).toBe(Mn.BOUND);
    expect(dec(32, 'c4 00').op).toBe(Mn.LES);
    expect(dec(32, '63 c0').op).toBe(Mn.ARPL);
    expect(dec(64, '63 c0').op).toBe(Mn.MOVSXD);
    expect(rejects(64, '27')).toBe('invalid');
  });

  test('VEX: BMI decodes, AVX is unsupported', () => {
    const andn = dec(64, 'c4 e2 f0 f2 c2');
    expect([andn.op, andn.osize, andn.o0.reg, andn.o1.reg, andn.o2.reg, andn.map]).toEqual([Mn.ANDN, 8, 0, 1, 2, 2]);
    expect(andn.prefixes & Pfx.Vex).toBe(Pfx.Vex);
    expect(dec(32, 'c4 e2 f0 f2 c2').osize).toBe(4);
    expect(rejects(64, 'c5 f8 77')).toBe('unsupported');
    expect(rejects(32, 'c5 f8 77')).toBe('unsupported');
    expect(rejects(64, '62 f1 7c 48 58 c0')).toBe('unsupported');
    expect(rejects(64, '66 c4 e2 70 f2 c2')).toBe('invalid');
    expect(rejects(64, 'c4 e3 73 f0 c1 05')).toBe('invalid'); // RORX with vvvv != 1111b
  });

  test('errors carry the bytes', () => {
    try {
      dec(64, '0f 0f c0 b4');
      expect.unreachable();
    } catch (e) {
      const d = e as DecodeError;
      expect(d.kind).toBe('unsupported');
      expect(Array.from(d.bytes)).toEqual([0x0f, 0x0f, 0xc0, 0xb4]);
    }
  });

  test('an Instr can be reused without leftovers', () => {
    const out = new Instr();
    const b = bytes('48 8b 44 c8 10 90');
    decode(b, 0, b.length, 64, out);
    decode(b, 5, b.length, 64, out);
    expect([out.op, out.nops, out.len, out.o0.kind, out.o1.kind, out.modrm]).toEqual([Mn.NOP, 0, 1, OpKind.None, OpKind.None, -1]);
  });
});
