// The translator's scalar-double fast path against the interpreter: random SSE2 arithmetic over normal values,
// zeros, denormals, infinities and NaNs, with MXCSR both in the fast-path state and not.
import { describe, it, expect } from 'vitest';
import { assemble } from '../oracle/assemble.js';
import { runFlat, DATA } from './flat.js';
import { XMM_I32, MXCSR } from '../../machine/cpu/state.js';

function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const VALUES = [1.5, -2.25, 3e300, -7e-300, 1e-310, 0, -0, Infinity, NaN, 123456.789, 1 / 3, 2 ** 52 + 1, 5e-324];

function program(seed: number): { asm: string; data: Float64Array; mxcsr: number } {
  const r = rng(seed);
  const pick = <T,>(a: T[]): T => a[Math.floor(r() * a.length)];
  const data = new Float64Array(64);
  for (let i = 0; i < data.length; i++) data[i] = r() < 0.6 ? (r() - 0.5) * 10 ** Math.floor(r() * 20 - 10) : pick(VALUES);
  const lines = ['mov rbp, ' + DATA, 'mov ecx, 30'];
  for (let i = 0; i < 8; i++) lines.push(`movsd xmm${i}, qword ptr [rbp + ${8 * i}]`);
  lines.push('2:');
  for (let i = 0; i < 16; i++) {
    const a = Math.floor(r() * 8), b = Math.floor(r() * 8);
    const m16 = (unaligned = false): string => `xmmword ptr [rbp + ${16 * Math.floor(r() * 30) + (unaligned && r() < 0.4 ? 8 : 0)}]`;
    switch (Math.floor(r() * 17)) {
      case 0: lines.push(`addsd xmm${a}, xmm${b}`); break;
      case 1: lines.push(`subsd xmm${a}, qword ptr [rbp + ${8 * Math.floor(r() * 64)}]`); break;
      case 2: lines.push(`mulsd xmm${a}, xmm${b}`); break;
      case 3: lines.push(`divsd xmm${a}, qword ptr [rbp + ${8 * Math.floor(r() * 64)}]`); break;
      case 4: lines.push(`sqrtsd xmm${a}, xmm${b}`); break;
      case 5: lines.push(`movsd qword ptr [rbp + ${8 * Math.floor(r() * 64)}], xmm${a}`); break;
      case 6: lines.push(`movapd xmm${a}, xmm${b}`); break;
      case 7: lines.push(`${['addpd', 'subpd', 'mulpd', 'divpd'][Math.floor(r() * 4)]} xmm${a}, xmm${b}`); break;
      case 8: lines.push(`${['addpd', 'mulpd'][Math.floor(r() * 2)]} xmm${a}, ${m16()}`); break;
      case 9: { const mn = ['movupd', 'movapd', 'movdqu', 'movaps'][Math.floor(r() * 4)]; lines.push(`${mn} xmm${a}, ${m16(mn.includes('u'))}`); break; }
      case 10: { const mn = ['movupd', 'movapd', 'movdqa', 'movups'][Math.floor(r() * 4)]; lines.push(`${mn} ${m16(mn.includes('u'))}, xmm${a}`); break; }
      case 11: lines.push(`${['unpcklpd', 'unpckhpd'][Math.floor(r() * 2)]} xmm${a}, xmm${b}`); break;
      case 12: lines.push(`${['por', 'pand', 'pandn', 'paddd', 'psubd', 'paddq', 'psubq', 'punpckldq', 'punpckhdq', 'punpcklqdq', 'punpckhqdq', 'punpcklbw', 'punpckhbw', 'punpcklwd', 'punpckhwd', 'packuswb'][Math.floor(r() * 16)]} xmm${a}, ${r() < 0.3 ? m16() : `xmm${b}`}`); break;
      case 13: lines.push(`${['pslld', 'psrld', 'psrad', 'psllw', 'psrlw', 'psllq', 'psrlq'][Math.floor(r() * 7)]} xmm${a}, ${Math.floor(r() * 70)}`); break;
      case 14: lines.push(`pshufd xmm${a}, ${r() < 0.3 ? m16() : `xmm${b}`}, ${Math.floor(r() * 256)}`); break;
      default: lines.push(`xorpd xmm${a}, xmm${b}`);
    }
  }
  lines.push('dec ecx', 'jnz 2b', 'hlt');
  return { asm: lines.join('\n'), data, mxcsr: pick([0x1f80, 0x1fa0, 0x1fa0, 0x1fa0, 0x1fa1, 0x9fa0, 0x3fa0]) };
}

describe('JIT SSE2 fast paths (scalar and packed doubles, XMM moves)', () => {
  it('matches the interpreter bit for bit, MXCSR flags included', () => {
    const count = Number(process.env.SSE_FUZZ_COUNT ?? 150);
    const progs = Array.from({ length: count }, (_, i) => program(500 + i));
    const bins = assemble(progs.map((p) => p.asm));
    for (let i = 0; i < count; i++) {
      const init = (cpu: import('../../machine/cpu/cpu.js').Cpu, mem: import('../../machine/memory/phys.js').PhysMemory): void => {
        mem.writeBytes(DATA, new Uint8Array(progs[i].data.buffer));
        cpu.i32[MXCSR] = progs[i].mxcsr;
      };
      const a = runFlat(bins[i], 'interp', { init });
      const b = runFlat(bins[i], 'jit', { init });
      const ctx = `program ${i} (MXCSR ${progs[i].mxcsr.toString(16)}):\n${progs[i].asm}`;
      expect(Array.from(b.cpu.i32.slice(XMM_I32(0), XMM_I32(8))), ctx).toEqual(Array.from(a.cpu.i32.slice(XMM_I32(0), XMM_I32(8))));
      expect(b.cpu.i32[MXCSR], ctx).toBe(a.cpu.i32[MXCSR]);
      expect(Buffer.from(b.data).equals(Buffer.from(a.data)), ctx).toBe(true);
    }
  }, 120_000);
});
