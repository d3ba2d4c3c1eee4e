// Self-tests of the host-CPU oracle: hand-computed results, an independent ALU flag model, faults, generators, timing.
import { describe, expect, it } from 'vitest';
import { assemble } from './assemble.js';
import { describeCase, diffResults } from './compare.js';
import { shiftDefined } from './flags.js';
import { buildCases, FAMILIES, GENERATORS, generateCases } from './generators.js';
import {
  AF, CF, DATA_BASE, DATA_SIZE, DEFAULT_FCW, DEFAULT_MXCSR, DF, FULL_MASK, OF, PF, RSP, SF, STACK_TOP, VEC, ZF,
  runHost, type Case, type CaseSpec, type Result,
} from './host.js';

const D = BigInt(DATA_BASE);
const M64 = (1n << 64n) - 1n;

/** A hand-made spec: named registers, everything else zero. */
function spec(asm: string, regs: Record<number, bigint> = {}, extra: Partial<CaseSpec> = {}): CaseSpec {
  return {
    name: asm.replace(/\n/g, '; '),
    asm,
    bits: 64,
    gpr: Array.from({ length: 16 }, (_, i) => regs[i] ?? 0n),
    rflags: 0,
    mxcsr: DEFAULT_MXCSR,
    fcw: DEFAULT_FCW,
    xmm: Array.from({ length: 16 }, () => new Uint8Array(16)),
    mem: [],
    flagsDefined: FULL_MASK,
    undefinedGprs: 0,
    fswMask: 0,
    ...extra,
  };
}

function run(...specs: CaseSpec[]): Result[] {
  return runHost(buildCases(specs));
}

function f64Bytes(x: number): Uint8Array {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setFloat64(0, x, true);
  return b;
}

const u32 = (m: Uint8Array, off: number): number => new DataView(m.buffer, m.byteOffset).getUint32(off, true);
const u64 = (m: Uint8Array, off: number): bigint => new DataView(m.buffer, m.byteOffset).getBigUint64(off, true);

describe('host oracle: hand-computed results', () => {
  it('add eax, ebx: 32-bit result zero-extends, flags as computed by hand', () => {
    const [a, b] = run(
      spec('add eax, ebx', { 0: 0xdead_beef_ffff_ffffn, 3: 1n }),
      spec('add eax, ebx', { 0: 0x7fff_ffffn, 3: 1n }),
    );
    expect(a!.status).toBe('ok');
    expect(a!.gpr[0]).toBe(0n);
    // 0xffffffff + 1: CF (carry out), ZF, PF (0x00 has even parity), AF (carry out of bit 3); not SF/OF
    expect(a!.rflags & FULL_MASK).toBe(CF | ZF | PF | AF);
    expect(b!.gpr[0]).toBe(0x8000_0000n);
    // 0x7fffffff + 1: signed overflow to negative
    expect(b!.rflags & FULL_MASK).toBe(OF | SF | AF | PF);
    expect(a!.rip).toBe(BigInt(0x2000_0000 + 2));
  });

  it('div by zero is #DE with RIP at the DIV and the earlier instruction committed', () => {
    const [r] = run(spec('xor edx, edx\ndiv ecx', { 0: 5n, 1: 0n, 2: 0x77n }));
    expect(r!.status).toBe('fault');
    expect(r!.vector).toBe(VEC.DE);
    expect(r!.ripOffset).toBe(2); // 31 d2 is two bytes
    expect(r!.gpr[0]).toBe(5n);
    expect(r!.gpr[2]).toBe(0n);
  });

  it('memory writes are visible and untouched initial bytes survive', () => {
    const init = new Uint8Array(16).fill(0x11);
    const [r] = run(spec('mov dword ptr [rsi + 4], 0xdeadbeef', { 6: D + 0x100n }, { mem: [{ offset: 0x100, bytes: init }] }));
    expect(r!.status).toBe('ok');
    expect(Array.from(r!.mem.subarray(0x100, 0x110))).toEqual([
      0x11, 0x11, 0x11, 0x11, 0xef, 0xbe, 0xad, 0xde, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    ]);
    expect(r!.mem[0xff]).toBe(0);
    expect(r!.mem.length).toBe(DATA_SIZE);
  });

  it('DF=1 string ops walk downwards', () => {
    const src = Uint8Array.of(1, 2, 3, 4);
    const [mv, ld] = run(
      spec('rep movsb', { 1: 4n, 6: D + 0x103n, 7: D + 0x203n }, { rflags: DF, mem: [{ offset: 0x100, bytes: src }] }),
      spec('lodsw', { 0: 0xffff_ffffn, 6: D + 0x102n }, { rflags: DF, mem: [{ offset: 0x100, bytes: src }] }),
    );
    expect(Array.from(mv!.mem.subarray(0x200, 0x204))).toEqual([1, 2, 3, 4]);
    expect(mv!.gpr[1]).toBe(0n);
    expect(mv!.gpr[6]).toBe(D + 0xffn);
    expect(mv!.gpr[7]).toBe(D + 0x1ffn);
    expect(mv!.rflags & DF).toBe(DF);
    expect(ld!.gpr[0]).toBe(0xffff_0403n);
    expect(ld!.gpr[6]).toBe(D + 0x100n);
  });

  it('MXCSR rounding control changes cvtsd2si, not cvttsd2si', () => {
    const specs: CaseSpec[] = [];
    for (const x of [2.5, -2.5, 1.75]) {
      for (let rc = 0; rc < 4; rc++) {
        const xmm: Uint8Array[] = Array.from({ length: 16 }, () => new Uint8Array(16));
        xmm[0] = f64Bytes(x);
        specs.push(spec('cvtsd2si eax, xmm0\ncvttsd2si ecx, xmm0', {}, { xmm, mxcsr: DEFAULT_MXCSR | (rc << 13) }));
      }
    }
    const res = run(...specs);
    const got = res.map((r) => Number(BigInt.asIntN(32, r.gpr[0]!)));
    // nearest-even, down, up, toward zero
    expect(got).toEqual([2, 2, 3, 2, -2, -3, -2, -2, 2, 1, 2, 1]);
    expect(res.map((r) => Number(BigInt.asIntN(32, r.gpr[1]!)))).toEqual([2, 2, 2, 2, -2, -2, -2, -2, 1, 1, 1, 1]);
    // inexact conversions set PE in MXCSR
    expect(res[0]!.mxcsr & 0x20).toBe(0x20);
  });

  it('SSE results and MXCSR flags come back: 1/0 gives +inf and ZE', () => {
    const xmm: Uint8Array[] = Array.from({ length: 16 }, () => new Uint8Array(16));
    new DataView(xmm[1]!.buffer).setFloat32(0, 1, true);
    const [r] = run(spec('divss xmm1, xmm2', {}, { xmm }));
    expect(new DataView(r!.xmm[1]!.buffer, r!.xmm[1]!.byteOffset).getFloat32(0, true)).toBe(Infinity);
    expect(r!.mxcsr).toBe(DEFAULT_MXCSR | 0x4);
  });

  it('stack: RSP starts at STACK_TOP in the data area; pushes land in the result memory', () => {
    const [p, f] = run(
      spec('push rax', { 0: 0x0102_0304_0506_0708n }),
      spec('pushfq', {}, { rflags: CF | ZF | DF }),
    );
    expect(p!.gpr[RSP]).toBe(BigInt(STACK_TOP - 8));
    expect(u64(p!.mem, STACK_TOP - DATA_BASE - 8)).toBe(0x0102_0304_0506_0708n);
    // the pushed image: the case flags plus the fixed bits (reserved bit 1, IF)
    expect(u64(f!.mem, STACK_TOP - DATA_BASE - 8)).toBe(BigInt(CF | ZF | DF | 0x202));
  });

  it('x87 results are read back through memory', () => {
    const [r] = run(spec('fld1\nfldpi\nfaddp st(1), st(0)\nfstp qword ptr [rsi]\nfnstcw word ptr [rsi + 8]', { 6: D }));
    expect(new DataView(r!.mem.buffer, r!.mem.byteOffset).getFloat64(0, true)).toBe(1 + Math.PI);
    expect(u32(r!.mem, 8) & 0xffff).toBe(DEFAULT_FCW);
    expect((r!.fsw >> 11) & 7).toBe(0); // stack balanced
  });
});

describe('host oracle: fault reporting', () => {
  it('reports #UD, #BP (trap: RIP after), #PF with CR2 and W bit, #GP, and timeouts', () => {
    const end = BigInt(DATA_BASE + DATA_SIZE);
    const [ud, bp, pfr, pfw, gp, spin] = run(
      spec('nop\nud2'),
      spec('int3'),
      spec('mov eax, dword ptr [rbx]', { 3: 0x1234n }),
      spec('mov qword ptr [rdi], rax', { 7: end }),
      spec('movaps xmm0, xmmword ptr [rsi]', { 6: D + 8n }),
      spec('1: jmp 1b'),
    );
    expect([ud!.status, ud!.vector, ud!.ripOffset]).toEqual(['fault', VEC.UD, 1]);
    expect([bp!.vector, bp!.ripOffset]).toEqual([VEC.BP, 1]);
    expect([pfr!.vector, pfr!.faultAddr, pfr!.errorCode & 2n]).toEqual([VEC.PF, 0x1234n, 0n]);
    expect([pfw!.vector, pfw!.faultAddr, pfw!.errorCode & 2n]).toEqual([VEC.PF, end, 2n]);
    expect([gp!.vector, gp!.ripOffset]).toEqual([VEC.GP, 0]);
    expect(spin!.status).toBe('timeout');
  });

  it('survives hostile guests (AC, TF, DF left set, RSP garbage) and the next case is unaffected', () => {
    const [ac, tf, df, sp, after] = run(
      spec('push 0x40202\npopfq\nmov eax, dword ptr [rsi + 1]', { 6: D }),
      spec('push 0x302\npopfq\nnop\nnop'),
      spec('std\nmov rsp, 5'),
      spec('mov rsp, 0x1234\nud2'),
      spec('add eax, ebx\nmovsb', { 0: 7n, 3: 8n, 6: D, 7: D + 1n }),
    );
    expect([ac!.vector, ac!.ripOffset]).toEqual([VEC.AC, 6]);
    expect([tf!.vector, tf!.ripOffset]).toEqual([VEC.DB, 7]); // single-step trap after the NOP following POPF
    expect([df!.status, df!.rflags & DF, df!.gpr[RSP]]).toEqual(['ok', DF, 5n]);
    expect([sp!.vector, sp!.gpr[RSP]]).toEqual([VEC.UD, 0x1234n]);
    expect([after!.status, after!.gpr[0], after!.gpr[7]]).toEqual(['ok', 15n, D + 2n]);
  });

  it('a REP string op faulting midway reports the precise registers', () => {
    const end = BigInt(DATA_BASE + DATA_SIZE);
    const [r] = run(spec('rep stosd', { 0: 0x41n, 1: 10n, 7: end - 12n }));
    expect(r!.vector).toBe(VEC.PF);
    expect(r!.gpr[1]).toBe(7n); // three dwords stored
    expect(r!.gpr[7]).toBe(end);
    expect(u32(r!.mem, DATA_SIZE - 4)).toBe(0x41);
  });
});

/** Independent model of the ALU flags, for the cross-check below. */
function aluModel(op: string, size: number, a: bigint, b: bigint, cfIn: number): { res: bigint; flags: number; mask: number } {
  const m = (1n << BigInt(size)) - 1n;
  const sign = 1n << BigInt(size - 1);
  let r: bigint;
  let cf = 0;
  let of = 0;
  let af = 0;
  let mask = FULL_MASK;
  if (op === 'add' || op === 'adc' || op === 'inc') {
    const bb = op === 'inc' ? 1n : b;
    r = a + bb + (op === 'adc' ? BigInt(cfIn) : 0n);
    cf = op === 'inc' ? cfIn : r > m ? 1 : 0;
    r &= m;
    of = ((a ^ r) & (bb ^ r) & sign) !== 0n ? 1 : 0;
    af = ((a ^ bb ^ r) & 0x10n) !== 0n ? 1 : 0;
  } else if (op === 'sub' || op === 'sbb' || op === 'cmp' || op === 'dec' || op === 'neg') {
    const [x, y] = op === 'neg' ? [0n, a] : [a, op === 'dec' ? 1n : b];
    const borrow = op === 'sbb' ? BigInt(cfIn) : 0n;
    r = (x - y - borrow) & m;
    cf = op === 'dec' ? cfIn : x < y + borrow ? 1 : 0;
    of = ((x ^ y) & (x ^ r) & sign) !== 0n ? 1 : 0;
    af = ((x ^ y ^ r) & 0x10n) !== 0n ? 1 : 0;
  } else {
    r = op === 'and' || op === 'test' ? a & b : op === 'or' ? a | b : a ^ b;
    mask &= ~AF;
  }
  let bits = Number(r & 0xffn);
  bits ^= bits >> 4;
  bits ^= bits >> 2;
  bits ^= bits >> 1;
  const flags = (cf ? CF : 0) | ((bits & 1) === 0 ? PF : 0) | (af ? AF : 0) | (r === 0n ? ZF : 0) | ((r & sign) !== 0n ? SF : 0) | (of ? OF : 0);
  return { res: r, flags, mask };
}

describe('host oracle: independent ALU model agrees with the host', () => {
  it('add/adc/sub/sbb/cmp/and/or/xor/test/inc/dec/neg at 8/16/32/64 bits', () => {
    const ops = ['add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor', 'test', 'inc', 'dec', 'neg'];
    const names: Record<number, [string, string]> = { 8: ['al', 'bl'], 16: ['ax', 'bx'], 32: ['eax', 'ebx'], 64: ['rax', 'rbx'] };
    const vals = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x8000_0000_0000_0000n, M64, 0x1234_5678_9abc_def0n];
    const junk = 0xa5a5_a5a5_a5a5_a5a5n;
    const specs: CaseSpec[] = [];
    const want: { op: string; size: number; res: bigint; flags: number; mask: number; a: bigint }[] = [];
    for (const op of ops) {
      for (const size of [8, 16, 32, 64]) {
        const m = (1n << BigInt(size)) - 1n;
        for (const x of vals) {
          for (const y of [0n, 1n, 0x80n, 0x8000_0000n, M64, 0x0f0fn]) {
            for (const cfIn of [0, 1]) {
              const a = x & m;
              const b = y & m;
              const [ra, rb] = names[size]!;
              const unary = op === 'inc' || op === 'dec' || op === 'neg';
              specs.push(spec(unary ? `${op} ${ra}` : `${op} ${ra}, ${rb}`, { 0: (junk & ~m) | a, 3: (junk & ~m) | b }, { rflags: cfIn ? CF : 0 }));
              want.push({ op, size, a, ...aluModel(op, size, a, b, cfIn) });
            }
          }
        }
      }
    }
    const res = run(...specs);
    let checked = 0;
    res.forEach((r, i) => {
      const w = want[i]!;
      const m = (1n << BigInt(w.size)) - 1n;
      const writes = w.op !== 'cmp' && w.op !== 'test';
      // 32-bit writes zero-extend; 8/16-bit writes keep the junk above
      const full = !writes ? (junk & ~m) | w.a : w.size === 32 ? w.res : w.size === 64 ? w.res : (junk & ~m) | w.res;
      const msg = `${specs[i]!.name} a=${w.a.toString(16)}`;
      expect(r.gpr[0], msg).toBe(full);
      expect(r.rflags & w.mask, msg).toBe(w.flags & w.mask);
      checked++;
    });
    expect(checked).toBe(ops.length * 4 * vals.length * 6 * 2);
  });

  it('shift flag masks: CF of SHL by >= width is excluded, count 0 keeps everything', () => {
    expect(shiftDefined('shl', 8, 0)).toBe(FULL_MASK);
    expect(shiftDefined('shl', 8, 32)).toBe(FULL_MASK); // masked to 0
    expect(shiftDefined('shl', 8, 9) & CF).toBe(0);
    expect(shiftDefined('sar', 8, 9) & CF).toBe(CF);
    expect(shiftDefined('shr', 32, 1) & OF).toBe(OF);
    expect(shiftDefined('shr', 32, 2) & (OF | AF)).toBe(0);
  });
});

describe('host oracle: comparison can fail', () => {
  it('diffResults reports register, flag, memory, xmm and fault differences; ignores undefined flags', () => {
    const [c] = buildCases([spec('and eax, ebx\nmov dword ptr [rsi], eax', { 0: 0xf0n, 3: 0x3cn, 6: D }, { flagsDefined: FULL_MASK & ~AF })]);
    const [r] = runHost([c!]);
    expect(diffResults(c!, r!, r!)).toEqual([]);
    const clone = (f: (x: Result) => void): Result => {
      const x: Result = { ...r!, gpr: [...r!.gpr], mem: r!.mem.slice(), xmm: r!.xmm.map((v) => v.slice()) };
      f(x);
      return x;
    };
    expect(diffResults(c!, r!, clone((x) => (x.gpr[0] = 0x31n))).join()).toMatch(/rax/);
    expect(diffResults(c!, r!, clone((x) => (x.rflags ^= ZF))).join()).toMatch(/rflags/);
    expect(diffResults(c!, r!, clone((x) => (x.rflags ^= AF)))).toEqual([]); // AF undefined after AND
    expect(diffResults(c!, r!, clone((x) => (x.rflags ^= AF)), 'full').join()).toMatch(/rflags/);
    expect(diffResults(c!, r!, clone((x) => (x.mem[1] = 0x99))).join()).toMatch(/mem @0x10000001/);
    expect(diffResults(c!, r!, clone((x) => (x.xmm[5]![3] ^= 1))).join()).toMatch(/xmm5/);
    expect(diffResults(c!, r!, clone((x) => Object.assign(x, { status: 'fault', vector: 13 }))).join()).toMatch(/status/);
    expect(describeCase(c!)).toMatch(/and eax, ebx/);
  });
});

describe('host oracle: assembler', () => {
  it('assembles many snippets at once, with .code16/.code32 support', () => {
    const out = assemble([
      'add eax, ebx',
      { asm: 'mov ax, 1', bits: 16 },
      { asm: 'mov eax, 1', bits: 32 },
      '.code32\nmov eax, 1\n.code64\nmov eax, 1',
      '1: dec ecx\njnz 1b',
    ]);
    const hex = out.map((b) => Buffer.from(b).toString('hex'));
    expect(hex).toEqual(['01d8', 'b80100', 'b801000000', 'b801000000b801000000', 'ffc975fc']);
  });

  it('names the failing snippet', () => {
    expect(() => assemble(['nop', { asm: 'mov eax, 1\nfrobnicate eax', name: 'bad-one' }])).toThrow(/snippet #1 \(bad-one\) line 2 "frobnicate eax"/);
    expect(() => assemble(['jmp 1f', '1: nop'])).toThrow(/snippet #0 refers to a symbol outside itself/);
  });

  it('the driver refuses what the host cannot or must not run', () => {
    const [c] = buildCases([spec('nop')]);
    expect(() => runHost([{ ...c!, bits: 32 }])).toThrow(/64-bit code only/);
    expect(() => runHost([{ ...c!, asm: 'syscall' }])).toThrow(/system call/);
    expect(() => runHost([{ ...c!, mxcsr: 0x10000 }])).toThrow(/reserved bits/);
  });
});

describe('host oracle: generators', () => {
  it('are reproducible from the seed and differ across seeds', () => {
    for (const f of FAMILIES) {
      const a = GENERATORS[f](42, 40);
      const b = GENERATORS[f](42, 40);
      const c = GENERATORS[f](43, 40);
      expect(a.length).toBe(40);
      expect(JSON.stringify(a, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(JSON.stringify(b, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
      expect(a.map((s) => s.asm).join()).not.toBe(c.map((s) => s.asm).join());
    }
  });

  it.each(FAMILIES)('%s: assembles, runs, and faults exactly where the generator expects', (family) => {
    const cases = generateCases(family, 1234, 300);
    const res = runHost(cases);
    const wrong: string[] = [];
    res.forEach((r, i) => {
      const c: Case = cases[i]!;
      const ok = c.expectFault === 'any'
        || (c.expectFault === undefined ? r.status === 'ok' : r.status === 'fault' && r.vector === c.expectFault);
      if (!ok) wrong.push(`${r.status} #${r.vector} at +${r.ripOffset}: ${describeCase(c)}`);
    });
    expect(wrong.slice(0, 3)).toEqual([]);
  });

  it('no state leaks between cases: a mixed batch gives identical results forward and reversed', () => {
    const cases = FAMILIES.flatMap((f) => generateCases(f, 555, 40));
    const fwd = runHost(cases);
    const rev = runHost([...cases].reverse()).reverse();
    const diffs: string[] = [];
    cases.forEach((c, i) => {
      const d = diffResults(c, fwd[i]!, rev[i]!, 'full');
      if (fwd[i]!.fsw !== rev[i]!.fsw || fwd[i]!.ftw !== rev[i]!.ftw) d.push('x87 status/tag');
      if (fwd[i]!.st.some((s, k) => s.join() !== rev[i]!.st[k]!.join())) d.push('x87 registers');
      if (d.length > 0) diffs.push(`${c.name}: ${d.join('; ')}`);
    });
    expect(diffs.slice(0, 3)).toEqual([]);
  });

  it('runs a 5000-case batch in one process (prints cases per second; timing is not asserted)', () => {
    const t0 = performance.now();
    const cases = generateCases('alu', 99, 5000);
    const t1 = performance.now();
    const res = runHost(cases);
    const t2 = performance.now();
    expect(res.length).toBe(5000);
    const rate = Math.round(5000 / ((t2 - t1) / 1000));
    console.log(`host oracle: 5000 cases run in ${(t2 - t1).toFixed(0)} ms (${rate} cases/s); generate+assemble ${(t1 - t0).toFixed(0)} ms`);
  });
});
