// Compares an expected (host) Result with an actual (emulator) Result under the oracle's flag/undefined policy.
import { CODE_BASE, DATA_BASE, FULL_MASK, GPR_NAMES, VEC, type Case, type Result } from './abi.js';

/** 'defined': only architecturally defined flags/registers; 'full': every FULL_MASK flag and every GPR. */
export type Policy = 'defined' | 'full';

const hex = (v: bigint | number, w = 0): string => '0x' + v.toString(16).padStart(w, '0');
const bytesHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** #PF error-code bits both sides can agree on: P, W/R, I/D (the host runs at CPL3, so U/S differs). */
export const PF_ERR_COMPARED = 0x13;

/** Returns human-readable differences; empty when the results match. */
export function diffResults(c: Case, exp: Result, act: Result, policy: Policy = 'defined'): string[] {
  const d: string[] = [];
  if (exp.status !== act.status) d.push(`status: expected ${exp.status}${exp.status === 'fault' ? ` #${exp.vector}` : ''}, got ${act.status}${act.status === 'fault' ? ` #${act.vector}` : ''}`);
  if (exp.status === 'fault' && act.status === 'fault') {
    if (exp.vector !== act.vector) d.push(`vector: expected ${exp.vector}, got ${act.vector}`);
    if (exp.vector === VEC.PF) {
      if (exp.faultAddr !== act.faultAddr) d.push(`CR2: expected ${hex(exp.faultAddr)}, got ${hex(act.faultAddr)}`);
      const e = exp.errorCode & BigInt(PF_ERR_COMPARED);
      const a = act.errorCode & BigInt(PF_ERR_COMPARED);
      if (e !== a) d.push(`#PF error code (P/W/I): expected ${hex(e)}, got ${hex(a)}`);
    }
  }
  if (exp.rip !== act.rip) d.push(`rip: expected ${hex(exp.rip)} (+${exp.ripOffset}), got ${hex(act.rip)} (+${act.ripOffset})`);
  const undef = policy === 'full' ? 0 : c.undefinedGprs;
  for (let r = 0; r < 16; r++) {
    if ((undef >> r) & 1) continue;
    if (exp.gpr[r] !== act.gpr[r]) d.push(`${GPR_NAMES[r]}: expected ${hex(exp.gpr[r]!, 16)}, got ${hex(act.gpr[r]!, 16)}`);
  }
  const fm = policy === 'full' ? FULL_MASK : c.flagsDefined;
  if (((exp.rflags ^ act.rflags) & fm) !== 0) {
    d.push(`rflags (mask ${hex(fm, 3)}): expected ${hex(exp.rflags & fm, 3)}, got ${hex(act.rflags & fm, 3)} (diff ${hex((exp.rflags ^ act.rflags) & fm, 3)})`);
  }
  if (exp.mxcsr !== act.mxcsr) d.push(`mxcsr: expected ${hex(exp.mxcsr, 4)}, got ${hex(act.mxcsr, 4)}`);
  for (let r = 0; r < 16; r++) {
    const e = exp.xmm[r]!;
    const a = act.xmm[r]!;
    for (let i = 0; i < 16; i++) {
      if (e[i] !== a[i]) {
        d.push(`xmm${r}: expected ${bytesHex(e)}, got ${bytesHex(a)} (little-endian bytes)`);
        break;
      }
    }
  }
  if (exp.fcw !== act.fcw) d.push(`fcw: expected ${hex(exp.fcw, 4)}, got ${hex(act.fcw, 4)}`);
  if (((exp.fsw ^ act.fsw) & c.fswMask) !== 0) d.push(`fsw (mask ${hex(c.fswMask, 4)}): expected ${hex(exp.fsw & c.fswMask, 4)}, got ${hex(act.fsw & c.fswMask, 4)}`);
  const em = exp.mem;
  const am = act.mem;
  for (let i = 0; i < em.length; i++) {
    if (em[i] !== am[i]) {
      let j = i;
      while (j < em.length && j < i + 16 && em[j] !== am[j]) j++;
      d.push(`mem @${hex(DATA_BASE + i)}: expected ${bytesHex(em.subarray(i, j))}, got ${bytesHex(am.subarray(i, j))}`);
      break; // the first differing run is enough to start debugging
    }
  }
  return d;
}

/** A one-screen description of a case (for assertion messages). */
export function describeCase(c: Case): string {
  const regs = c.gpr.map((v, i) => `${GPR_NAMES[i]}=${hex(v)}`).filter((_, i) => i !== 4).join(' ');
  const code = bytesHex(c.code);
  return `${c.name}\n  asm: ${(c.asm ?? '').replace(/\n/g, ' ; ')}\n  code @${hex(CODE_BASE)}: ${code}\n  ${regs}\n  rflags=${hex(c.rflags, 3)} mxcsr=${hex(c.mxcsr, 4)} fcw=${hex(c.fcw, 4)}`;
}
