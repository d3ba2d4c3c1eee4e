// Instructions bmjit models approximately (documented in docs/cpu.md): RCPPS/RSQRTPS/RCPSS/RSQRTSS (the SDM only
// bounds their error; vendors differ) and the x87 transcendentals (binary64 math). They are checked against the
// host CPU within a tolerance, and special operands exactly.
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_BASE, type CaseSpec } from '../oracle/abi.js';
import { CaseBuilder } from '../oracle/gen/builder.js';
import { Rng } from '../oracle/gen/rng.js';
import { buildCases } from '../oracle/generators.js';
import { runHost } from '../oracle/host.js';
import { runEmu } from '../oracle/emu.js';
import { registerSse } from '../../jit/interp/sse/index.js';
import { registerX87 } from '../../jit/interp/x87/index.js';

beforeAll(() => {
  registerSse();
  registerX87();
});

const f32 = (b: Uint8Array, i: number): number => new DataView(b.buffer, b.byteOffset).getFloat32(4 * i, true);
const u32 = (b: Uint8Array, i: number): number => new DataView(b.buffer, b.byteOffset).getUint32(4 * i, true);

describe('reciprocal approximations against the host', () => {
  it('RCPPS/RSQRTPS/RCPSS/RSQRTSS: within 2^-10 of the host, specials exact, error vs exact <= 1.5*2^-12', () => {
    const rng = new Rng(7);
    const specs: CaseSpec[] = [];
    const ops = ['rcpps', 'rsqrtps', 'rcpss', 'rsqrtss'];
    for (let n = 0; n < 1200; n++) {
      const b = new CaseBuilder(rng);
      const x = new Uint8Array(16);
      const dv = new DataView(x.buffer);
      for (let i = 0; i < 4; i++) {
        const k = rng.below(10);
        if (k === 0) dv.setUint32(4 * i, rng.pick([0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00001, 0x7f800001, 0x00000001, 0x807fffff, 0x7f7fffff]), true);
        else dv.setFloat32(4 * i, (rng.chance(0.3) ? -1 : 1) * 2 ** rng.range(-125, 125) * (1 + rng.u32() / 2 ** 32), true);
      }
      b.xmm[1] = x;
      b.xmm[0] = rng.bytes(16);
      const op = ops[n % 4]!;
      specs.push(b.spec(`approx/${n}: ${op}`, `${op} xmm0, xmm1`));
    }
    const cases = buildCases(specs);
    const host = runHost(cases);
    const emu = runEmu(cases);
    let checked = 0;
    const bad: string[] = [];
    for (let n = 0; n < cases.length; n++) {
      const op = ops[n % 4]!;
      const lanes = op.endsWith('ps') ? 4 : 1;
      const src = cases[n]!.xmm[1]!;
      const h = host[n]!.xmm[0]!;
      const e = emu[n]!.xmm[0]!;
      if (host[n]!.mxcsr !== emu[n]!.mxcsr) bad.push(`${op}: mxcsr`);
      for (let i = lanes; i < 4; i++) if (u32(h, i) !== u32(e, i)) bad.push(`${op}: upper lane ${i} changed`);
      for (let i = 0; i < lanes; i++) {
        const x = f32(src, i);
        const hv = f32(h, i);
        const ev = f32(e, i);
        const exact = op.startsWith('rcp') ? 1 / x : 1 / Math.sqrt(x);
        const special = !Number.isFinite(hv) || hv === 0 || !Number.isFinite(x) || Math.abs(x) < 2 ** -126;
        if (special) {
          if (u32(h, i) !== u32(e, i)) bad.push(`${op}(${u32(src, i).toString(16)}): host ${u32(h, i).toString(16)} emu ${u32(e, i).toString(16)}`);
          continue;
        }
        checked++;
        if (Math.abs(ev - hv) > Math.abs(hv) * 2 ** -10) bad.push(`${op}(${x}): host ${hv} emu ${ev}`);
        if (Number.isFinite(exact) && Math.abs(ev - exact) > Math.abs(exact) * 1.5 * 2 ** -12) bad.push(`${op}(${x}): emu ${ev} vs exact ${exact}`);
      }
    }
    console.log(`reciprocal approximations: ${cases.length} cases, ${checked} finite lanes within tolerance, ${bad.length} failures`);
    expect(bad.slice(0, 10)).toEqual([]);
  });
});

describe('x87 transcendentals against the host', () => {
  it('FSIN/FCOS/FSINCOS/FPTAN/FPATAN/F2XM1/FYL2X/FYL2XP1: results within 2 ulp (binary64) of the host', () => {
    const rng = new Rng(8);
    const specs: CaseSpec[] = [];
    const ops = ['fsin', 'fcos', 'fsincos', 'fptan', 'fpatan', 'f2xm1', 'fyl2x', 'fyl2xp1'];
    const args: [number, number][] = [];
    for (let n = 0; n < 800; n++) {
      const b = new CaseBuilder(rng);
      const op = ops[n % ops.length]!;
      let x = (rng.u32() / 2 ** 32 - 0.5) * 2 ** rng.range(-4, 6);
      if (op === 'f2xm1') x = rng.u32() / 2 ** 31 - 1;
      if (op === 'fyl2x') x = 2 ** rng.range(-30, 30) * (1 + rng.u32() / 2 ** 32);
      if (op === 'fyl2xp1') x = (rng.u32() / 2 ** 32 - 0.5) * 0.5;
      const y = (rng.u32() / 2 ** 32 - 0.5) * 8;
      args.push([x, y]);
      const off = 0x400;
      const bytes = new Uint8Array(16);
      new DataView(bytes.buffer).setFloat64(0, y, true);
      new DataView(bytes.buffer).setFloat64(8, x, true);
      b.poke(off, bytes);
      b.take(3);
      b.setGpr(3, BigInt(DATA_BASE + off));
      b.fswMask = 0x3801; // TOP and IE
      const two = op === 'fsincos' || op === 'fptan';
      const asm = ['fld qword ptr [rbx]', 'fld qword ptr [rbx + 8]', op, 'fstp qword ptr [rbx + 16]', two ? 'fstp qword ptr [rbx + 24]' : 'fstp qword ptr [rbx + 24]'];
      if (two) asm.push('fstp qword ptr [rbx + 32]');
      specs.push(b.spec(`x87-approx/${n}: ${op}`, asm.join('\n')));
    }
    const cases = buildCases(specs);
    const host = runHost(cases);
    const emu = runEmu(cases);
    const bad: string[] = [];
    const ulp = (v: number): number => (v === 0 ? 2 ** -1074 : 2 ** (Math.floor(Math.log2(Math.abs(v))) - 52));
    for (let n = 0; n < cases.length; n++) {
      const op = ops[n % ops.length]!;
      const hm = new DataView(host[n]!.mem.buffer, host[n]!.mem.byteOffset);
      const em = new DataView(emu[n]!.mem.buffer, emu[n]!.mem.byteOffset);
      if (((host[n]!.fsw ^ emu[n]!.fsw) & 0x3801) !== 0) bad.push(`${op}: fsw ${host[n]!.fsw.toString(16)} vs ${emu[n]!.fsw.toString(16)}`);
      for (const o of [0x410, 0x418, 0x420]) {
        const hv = hm.getFloat64(o, true);
        const ev = em.getFloat64(o, true);
        if (Object.is(hv, ev)) continue;
        if (!(Math.abs(hv - ev) <= 2 * ulp(hv))) bad.push(`${op}(${args[n]![0]}, ${args[n]![1]}) @${o.toString(16)}: host ${hv} emu ${ev}`);
      }
    }
    console.log(`x87 transcendentals: ${cases.length} cases, ${bad.length} outside 2 ulp`);
    expect(bad.slice(0, 10)).toEqual([]);
  });
});
