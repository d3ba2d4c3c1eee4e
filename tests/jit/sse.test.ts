// The translator's SSE/SSE2 templates against the interpreter: random programs over integer lanes, doubles (normal,
// zero, denormal, infinite, NaN with payloads, out-of-range for conversions), moves between XMM, GPRs and memory,
// misaligned, page-crossing and faulting operands, with MXCSR in the fast-path state and not, sticky flags or not.
import { describe, it, expect } from 'vitest';
import { assemble } from '../oracle/assemble.js';
import { runFlat, DATA } from './flat.js';
import { XMM_I32, MXCSR } from '../../machine/cpu/state.js';
import { PROLOGUE } from './prologue.js';
import { rng } from '../oracle/rng.js';


const VALUES = [1.5, -2.25, 3e300, -7e-300, 1e-310, 0, -0, Infinity, -Infinity, NaN, 123456.789, 1 / 3, 2 ** 52 + 1, 5e-324,
  2 ** 31 - 0.5, -(2 ** 31) - 0.5, 2 ** 63, -(2 ** 63), 9e18, 4.5, -4.5];
/** Data starts 256 bytes below a 4 KiB boundary, so some operands cross pages (TLB fast path declines them). */
const BASE = DATA + 0xf00;
/** A quadword below an unmapped 2 MiB page (0x600000): 16-byte accesses there fault (#PF) half-way through. */
const EDGE = 0x5ffff8;

const LANEWISE = ['por', 'pand', 'pandn', 'pxor', 'andpd', 'andps', 'andnpd', 'andnps', 'orpd', 'orps', 'xorpd', 'xorps',
  'paddb', 'paddw', 'paddd', 'paddq', 'psubb', 'psubw', 'psubd', 'psubq', 'pcmpeqb', 'pcmpeqw', 'pcmpeqd', 'pcmpgtd',
  'punpcklbw', 'punpckhbw', 'punpcklwd', 'punpckhwd', 'punpckldq', 'punpckhdq', 'punpcklqdq', 'punpckhqdq',
  'unpcklps', 'unpckhps', 'unpcklpd', 'unpckhpd', 'packuswb', 'packsswb', 'packssdw'];
const SHIFTS = ['pslld', 'psrld', 'psrad', 'psllw', 'psrlw', 'psraw', 'psllq', 'psrlq', 'pslldq', 'psrldq'];
const IMM_SHUF = ['pshufd', 'pshuflw', 'pshufhw', 'shufps', 'shufpd'];
/** SSE2 instructions the translator has no template for (they run the interpreter's handler). */
const UNTEMPLATED = ['sqrtpd', 'minpd', 'maxpd', 'pmaddwd', 'pavgb', 'psadbw', 'pmullw', 'pminub', 'pmulhw', 'cvtpd2ps'];
const GPR64 = ['rax', 'rbx', 'rdx', 'rsi', 'rdi', 'r9'];
const GPR32 = ['eax', 'ebx', 'edx', 'esi', 'edi', 'r9d'];

function program(seed: number): { asm: string; data: Float64Array; mxcsr: number } {
  const r = rng(seed);
  const pick = <T,>(a: T[]): T => a[Math.floor(r() * a.length)];
  const data = new Float64Array(64);
  const words = new Int32Array(data.buffer);
  for (let i = 0; i < data.length; i++) data[i] = r() < 0.5 ? (r() - 0.5) * 10 ** Math.floor(r() * 20 - 10) : pick(VALUES);
  // Raw bit patterns: integer data, signalling NaNs with payloads, denormals.
  for (let i = 0; i < 24; i++) words[Math.floor(r() * words.length)] = (r() * 4294967296) | 0;
  // NaNs with payloads (signalling and quiet, both signs) must move through every path bit for bit.
  for (let i = 0; i < 8; i++) {
    const k = 2 * Math.floor(r() * data.length);
    words[k] = (r() * 4294967296) | 0;
    words[k + 1] = pick([0x7ff00000, 0xfff00000, 0x7ff80000, 0xfff80000]) | Math.floor(r() * 0x80000) | (words[k] === 0 ? 1 : 0);
  }
  const lines = [PROLOGUE, `mov rbp, ${BASE}`, `mov r8, ${EDGE}`, 'mov ecx, 30'];
  for (const g of GPR64) lines.push(`mov ${g}, ${pick(['0x7fffffff', '-1', '0x123456789abcdef', '-0x80000000', '42', '0x20000000000001', '-3'])}`);
  for (let i = 0; i < 10; i++) lines.push(`movsd xmm${i}, qword ptr [rbp + ${8 * i}]`);
  lines.push('movdqa xmm10, xmmword ptr [rbp + 160]', 'movdqa xmm11, xmmword ptr [rbp + 176]');
  lines.push('2:');
  const rarely = r() < 0.3; // some programs also try misaligned and faulting operands
  for (let i = 0; i < 20; i++) {
    const a = Math.floor(r() * 12), b = Math.floor(r() * 12);
    const m8 = (): string => `qword ptr [rbp + ${8 * Math.floor(r() * 64)}]`;
    const m4 = (): string => `dword ptr [rbp + ${4 * Math.floor(r() * 128)}]`;
    const m16 = (unaligned = false): string => (rarely && r() < 0.03 ? 'xmmword ptr [r8]'
      : `xmmword ptr [rbp + ${16 * Math.floor(r() * 30) + ((unaligned || rarely) && r() < 0.3 ? 8 : 0)}]`);
    const g = Math.floor(r() * GPR64.length);
    switch (Math.floor(r() * 32)) {
      case 0: lines.push(`${pick(['addsd', 'subsd', 'mulsd', 'divsd', 'minsd', 'maxsd', 'sqrtsd'])} xmm${a}, xmm${b}`); break;
      case 1: lines.push(`${pick(['addsd', 'subsd', 'mulsd', 'divsd', 'minsd', 'maxsd', 'sqrtsd'])} xmm${a}, ${m8()}`); break;
      case 2: lines.push(`mulsd xmm${a}, xmm${b}`); break;
      case 3: lines.push(`divsd xmm${a}, ${m8()}`); break;
      case 4: lines.push(`movsd xmm${a}, ${r() < 0.5 ? m8() : `xmm${b}`}`); break;
      case 5: lines.push(`movsd ${m8()}, xmm${a}`); break;
      case 6: lines.push(`${pick(['movapd', 'movaps', 'movdqa', 'movupd', 'movups', 'movdqu'])} xmm${a}, xmm${b}`); break;
      case 7: lines.push(`${pick(['addpd', 'subpd', 'mulpd', 'divpd'])} xmm${a}, xmm${b}`); break;
      case 8: lines.push(`${pick(['addpd', 'subpd', 'mulpd', 'divpd'])} xmm${a}, ${m16()}`); break;
      case 9: { const mn = pick(['movupd', 'movapd', 'movdqu', 'movaps', 'movdqa', 'movups']); lines.push(`${mn} xmm${a}, ${m16(mn.includes('u'))}`); break; }
      case 10: { const mn = pick(['movupd', 'movapd', 'movdqa', 'movups', 'movdqu', 'movaps']); lines.push(`${mn} ${m16(mn.includes('u'))}, xmm${a}`); break; }
      case 11: case 12: case 13: lines.push(`${pick(LANEWISE)} xmm${a}, ${r() < 0.3 ? m16() : `xmm${r() < 0.15 ? a : b}`}`); break;
      case 14: case 15: { const mn = pick(SHIFTS); lines.push(`${mn} xmm${a}, ${Math.floor(r() * (mn.endsWith('dq') ? 20 : 70))}`); break; }
      case 16: lines.push(`${pick(IMM_SHUF)} xmm${a}, ${r() < 0.3 ? m16() : `xmm${b}`}, ${Math.floor(r() * 256)}`); break;
      case 17: lines.push(r() < 0.5 ? `movd xmm${a}, ${GPR32[g]}` : `movq xmm${a}, ${GPR64[g]}`); break;
      case 18: lines.push(r() < 0.5 ? `movd ${GPR32[g]}, xmm${a}` : `movq ${GPR64[g]}, xmm${a}`); break;
      case 19: lines.push(pick([`movd xmm${a}, ${m4()}`, `movq xmm${a}, ${m8()}`, `movd ${m4()}, xmm${a}`, `movq ${m8()}, xmm${a}`, `movq xmm${a}, xmm${b}`])); break;
      case 20: lines.push(`${pick(['movhlps', 'movlhps'])} xmm${a}, xmm${b}`); break;
      case 21: lines.push(`cvtsi2sd xmm${a}, ${pick([GPR32[g], GPR64[g], m4(), m8()])}`); break;
      case 22: lines.push(`cvttsd2si ${pick([GPR32[g], GPR64[g]])}, ${r() < 0.5 ? m8() : `xmm${b}`}`); break;
      case 23: lines.push(`pmovmskb ${GPR32[g]}, xmm${a}`); break;
      case 24: lines.push(`${pick(['addsd', 'mulsd', 'subsd'])} xmm${a}, xmm${b}`); break;
      // Instructions without a template between templated ones: the registers they touch leave and re-enter the
      // translator's locals (BLENDVPD also reads XMM0 implicitly).
      case 25: lines.push(`${pick(UNTEMPLATED)} xmm${a}, xmm${b}`); break;
      case 26: lines.push(`blendvpd xmm${a}, xmm${b}, xmm0`); break;
      // An indirect jump leaves the region in the middle of the loop (the next entry reloads everything).
      case 27: lines.push('lea r10, [rip + 3f]', 'jmp r10', '3:'); break;
      // Double compares and their flag consumers (set, branch, or left for the final flags).
      case 28: {
        // An integer producer first: its pending flag record must not outlive the compare.
        if (r() < 0.4) lines.push(`${pick(['cmp', 'add', 'sub', 'test'])} ${GPR64[g]}, ${pick(GPR64)}`);
        lines.push(`${pick(['ucomisd', 'comisd'])} xmm${a}, ${r() < 0.3 ? m8() : `xmm${b}`}`);
        const cc = pick(['a', 'ae', 'b', 'be', 'e', 'ne', 'p', 'np', 'l', 'g', 's', 'o']);
        const k = r();
        if (k < 0.35) lines.push(`set${cc} r10b`);
        else if (k < 0.7) lines.push(`j${cc} 3f`, `movapd xmm${b}, xmm${a}`, '3:');
        else if (k < 0.85) lines.push('pushfq', 'pop r10'); // the flags through the state buffer
        else lines.push('inc r10', `set${cc} r11b`); // INC keeps the compare's CF
        break;
      }
      // MXCSR changes mid-region (rounding, FTZ, flags cleared): the templates' MXCSR guard must follow.
      case 29: lines.push(`mov dword ptr [rsp - 16], ${pick([0x1f80, 0x1fa0, 0x1fbf, 0x9fa0, 0x3fa0, 0x1fa0])}`, 'ldmxcsr dword ptr [rsp - 16]'); break;
      case 30: lines.push(r() < 0.5 ? `cvtsd2ss xmm${a}, ${r() < 0.3 ? m8() : `xmm${b}`}` : `cvtss2sd xmm${a}, ${r() < 0.3 ? m4() : `xmm${b}`}`); break;
      default: lines.push(`xorpd xmm${a}, xmm${b}`);
    }
  }
  lines.push('dec ecx', 'jnz 2b', 'hlt', 'handler0:', 'handler13:', 'handler14:', 'inc r15', 'mov r13, [rsp + 8]', 'hlt');
  // Programs are assembled together: each one gets its own handler labels.
  return { asm: lines.join('\n').replace(/handler/g, `p${seed}_handler`), data, mxcsr: pick([0x1f80, 0x1fa0, 0x1fa0, 0x1fa0, 0x1fa1, 0x1fa2, 0x1fbf, 0x1fbd, 0x1fe0, 0x9fa0, 0x3fa0, 0x5fbf]) };
}

describe('JIT SSE/SSE2 templates', () => {
  it('match the interpreter bit for bit: XMM, GPRs, MXCSR flags, memory, faults', () => {
    const count = Number(process.env.SSE_FUZZ_COUNT ?? 150);
    const progs = Array.from({ length: count }, (_, i) => program(500 + i));
    const bins = assemble(progs.map((p) => p.asm));
    let faulted = 0;
    for (let i = 0; i < count; i++) {
      const init = (cpu: import('../../machine/cpu/cpu.js').Cpu, mem: import('../../machine/memory/phys.js').PhysMemory): void => {
        mem.writeBytes(BASE, new Uint8Array(progs[i].data.buffer));
        cpu.i32[MXCSR] = progs[i].mxcsr;
      };
      const a = runFlat(bins[i], 'interp', { init, unmapped: [3] });
      const b = runFlat(bins[i], 'jit', { init, unmapped: [3] });
      const ctx = `program ${i} (MXCSR ${progs[i].mxcsr.toString(16)}):\n${progs[i].asm.slice(progs[i].asm.indexOf('mov rbp'))}`;
      expect(Array.from(b.cpu.i32.slice(XMM_I32(0), XMM_I32(16))), ctx).toEqual(Array.from(a.cpu.i32.slice(XMM_I32(0), XMM_I32(16))));
      expect(b.cpu.i32[MXCSR], ctx).toBe(a.cpu.i32[MXCSR]);
      expect(b.regs, ctx).toEqual(a.regs);
      expect(b.flags, ctx).toBe(a.flags);
      expect(Buffer.from(b.data).equals(Buffer.from(a.data)), ctx).toBe(true);
      if (a.regs[15] !== 0n) faulted++;
    }
    // The generator must actually reach the fault paths (misaligned m128, #PF half-way through an operand).
    if (count >= 100) expect(faulted).toBeGreaterThan(0);
  }, 600_000);

  it('keep NaN payloads bit for bit through XMM locals in a hot (optimised) region', () => {
    // 200,000 iterations: V8 optimises the region, so the doubles pass through TurboFan's float64 registers.
    const asm = [
      `mov rbp, ${DATA}`, 'mov ecx, 200000', '2:',
      'movsd xmm1, qword ptr [rbp]', 'movapd xmm2, xmm1', 'unpcklpd xmm2, xmm1', 'movupd xmmword ptr [rbp + 32], xmm2',
      'movq xmm3, qword ptr [rbp + 8]', 'movsd xmm4, xmm3', 'addsd xmm5, xmm6', 'movsd qword ptr [rbp + 48], xmm4',
      'movhlps xmm7, xmm2', 'movapd xmm8, xmm7', 'dec ecx', 'jnz 2b', 'hlt',
    ].join('\n');
    const [bin] = assemble([asm]);
    const words = new Int32Array([0x00000001, 0x7ff00000, 0x12345678, 0xfff80abc | 0, 0, 0x3ff00000, 0, 0x3ff00000]);
    const init = (_cpu: unknown, mem: import('../../machine/memory/phys.js').PhysMemory): void => mem.writeBytes(DATA, new Uint8Array(words.buffer));
    const a = runFlat(bin, 'interp', { init });
    const b = runFlat(bin, 'jit', { init });
    const lanes = (cpu: import('../../machine/cpu/cpu.js').Cpu, r: number): number[] => Array.from(cpu.i32.slice(XMM_I32(r), XMM_I32(r) + 4));
    // The signalling NaN 0x7ff0000000000001 in both lanes of xmm2, xmm8's low lane; the quiet one in xmm4.
    for (const run of [a, b]) {
      expect(lanes(run.cpu, 2)).toEqual([1, 0x7ff00000, 1, 0x7ff00000]);
      expect(lanes(run.cpu, 8).slice(0, 2)).toEqual([1, 0x7ff00000]);
      expect(lanes(run.cpu, 4).slice(0, 2)).toEqual([0x12345678, 0xfff80abc | 0]);
      expect(Array.from(new Int32Array(run.data.buffer, run.data.byteOffset + 32, 6))).toEqual([1, 0x7ff00000, 1, 0x7ff00000, 0x12345678, 0xfff80abc | 0]);
    }
    expect(Array.from(b.cpu.i32.slice(XMM_I32(0), XMM_I32(16)))).toEqual(Array.from(a.cpu.i32.slice(XMM_I32(0), XMM_I32(16))));
    expect(b.stats!.regions).toBeGreaterThan(0);
  }, 120_000);

  it('check for denormals every double input they cannot vouch for: loads, moves, handler results, invariants', () => {
    // The double templates skip the denormal-input test for lanes known clean (SseHost.clean): a result of their own
    // fast path, a lane copied from a clean one, a handler result checked afterwards, an invariant lane checked in
    // fpok. Each sequence feeds a denormal through one of those routes into an addsd with MXCSR in the fast-path
    // state and DE clear: DE must come out set exactly as in the interpreter. Each iteration clears DE first (the
    // first one runs in the interpreter, whose sticky DE would hide the translated iterations).
    const tiny = 1e-310, small1 = 1e-160, small2 = 1e-150;
    const seqs = [
      'movsd xmm1, qword ptr [rbp]\n  addsd xmm2, xmm1', // a load
      'movsd xmm1, qword ptr [rbp]\n  movapd xmm3, xmm1\n  addsd xmm2, xmm3', // a move of a loaded lane
      'movupd xmm1, xmmword ptr [rbp + 16]\n  unpckhpd xmm1, xmm1\n  addsd xmm2, xmm1', // a permuted high lane
      'movupd xmm1, xmmword ptr [rbp + 16]\n  movhlps xmm4, xmm1\n  addsd xmm2, xmm4',
      'movsd xmm1, qword ptr [rbp + 32]\n  mulsd xmm1, qword ptr [rbp + 40]\n  addsd xmm2, xmm1', // underflow in the handler
      'movapd xmm6, xmm1\n  mulpd xmm6, xmm6\n  addpd xmm2, xmm6', // packed, from an unchecked register
      'addsd xmm2, xmm5', // xmm5 is never written in the region: checked in fpok
      'movsd xmm1, qword ptr [rbp + 48]\n  addsd xmm1, xmm1\n  movsd xmm3, xmm1\n  addsd xmm2, xmm3', // clean copy: no DE
    ];
    const progs = seqs.map((seq, i) => `${PROLOGUE}
  mov rbp, ${BASE}
  mov dword ptr [rsp - 16], 0x1fa0
  mov ecx, 3
2:
  ldmxcsr dword ptr [rsp - 16]
  ${seq}
  dec ecx
  jnz 2b
  hlt
handler0:
handler13:
handler14:
  hlt`.replace(/handler/g, `s${i}_handler`));
    const bins = assemble(progs);
    let deSet = 0;
    for (let i = 0; i < seqs.length; i++) {
      const init = (cpu: import('../../machine/cpu/cpu.js').Cpu, mem: import('../../machine/memory/phys.js').PhysMemory): void => {
        mem.writeBytes(BASE, new Uint8Array(new Float64Array([tiny, 0, 1.0, tiny, small1, small2, 1.25, 0]).buffer));
        cpu.i32[MXCSR] = 0x1fa0;
        const f = new Float64Array(cpu.i32.buffer, cpu.i32.byteOffset);
        f[XMM_I32(5) / 2] = tiny; // xmm5 low lane: a denormal no instruction of the region writes
        f[XMM_I32(1) / 2 + 1] = tiny;
        f[XMM_I32(2) / 2] = 2.5;
      };
      const a = runFlat(bins[i], 'interp', { init });
      const b = runFlat(bins[i], 'jit', { init, threshold: 1 });
      const ctx = seqs[i];
      expect(b.stats!.regions, ctx).toBeGreaterThan(0);
      expect(b.cpu.i32[MXCSR], ctx).toBe(a.cpu.i32[MXCSR]);
      expect(Array.from(b.cpu.i32.slice(XMM_I32(0), XMM_I32(16))), ctx).toEqual(Array.from(a.cpu.i32.slice(XMM_I32(0), XMM_I32(16))));
      if ((a.cpu.i32[MXCSR] & 2) !== 0) deSet++;
    }
    expect(deSet).toBe(seqs.length - 1); // every sequence but the last meets a denormal input
  });
});
