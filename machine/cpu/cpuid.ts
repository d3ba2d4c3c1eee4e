// CPUID (SDM Vol. 2 CPUID; Vol. 3 §9.11 feature detection): an honest feature set. A feature bit is set only when
// every instruction it promises has an interpreter handler (checked against the live handler table), so the
// advertised set follows what the emulator actually implements. Documented in docs/cpu.md.
import type { Cpu } from './cpu.js';
import { CR4, MSR_APIC_BASE, Cr4 } from './state.js';
import { MAXPHYADDR, LINADDR_BITS } from './mmu.js';
import { MN_NAMES } from '../../jit/decoder/tables.gen.js';
import { isDefined } from '../../jit/interp/interpreter.js';

/** Family 6, model 6, stepping 3: an arbitrary, unremarkable family-6 signature (also EDX after RESET). */
const SIGNATURE = 0x00000663;
export const cpuSignature = (): number => SIGNATURE;

export const VENDOR = 'GenuineIntel';
export const HYPERVISOR_SIGNATURE = 'bmjitbmjitbm';
export const BRAND = 'bmjit virtual x86-64 processor';

const MN_ID = new Map<string, number>(MN_NAMES.map((n, i) => [n, i]));

/** True when every named mnemonic has an interpreter handler. */
function has(...names: string[]): boolean {
  for (const n of names) {
    const id = MN_ID.get(n);
    if (id === undefined || !isDefined(id)) return false;
  }
  return true;
}

const str4 = (t: string, k: number): number =>
  (t.charCodeAt(k) | (t.charCodeAt(k + 1) << 8) | (t.charCodeAt(k + 2) << 16) | (t.charCodeAt(k + 3) << 24)) | 0;

/** Feature words that depend only on the implementation (computed on first use, after all handlers registered). */
interface Features {
  ecx1: number;
  edx1: number;
  ebx7: number;
  ecx81: number;
  edx81: number;
  xsave: boolean;
  maxBasic: number;
}
let feat: Features | undefined;

/** Forget the cached feature words (tests that register handlers after a CPUID call). */
export function resetCpuidCache(): void {
  feat = undefined;
}

function features(): Features {
  if (feat !== undefined) return feat;
  const bit = (c: boolean, b: number): number => (c ? 1 << b : 0);
  const fpu = has('FLD', 'FSTP', 'FADD', 'FMUL', 'FDIV', 'FNINIT', 'FNSTSW', 'FNSTCW', 'FLDCW');
  const sse = has('MOVAPS', 'ADDPS', 'MULPS', 'LDMXCSR', 'STMXCSR', 'CVTSI2SS');
  const sse2 = has('MOVDQA', 'ADDPD', 'PADDQ', 'CVTSI2SD', 'PSHUFD');
  const fxsr = has('FXSAVE', 'FXRSTOR');
  const xsave = has('XSAVE', 'XRSTOR', 'XGETBV', 'XSETBV');
  const edx1 =
    bit(fpu, 0) |
    bit(true, 2) | // DE: CR4.DE (DR4/DR5 #UD)
    bit(true, 3) | // PSE
    bit(has('RDTSC'), 4) |
    bit(has('RDMSR', 'WRMSR'), 5) |
    bit(true, 6) | // PAE
    bit(has('CMPXCHG8B'), 8) |
    bit(true, 9) | // APIC (cleared below when IA32_APIC_BASE.EN = 0)
    bit(has('SYSENTER', 'SYSEXIT'), 11) |
    bit(true, 12) | // MTRR (registers only; memory types do not change behaviour)
    bit(true, 13) | // PGE
    bit(has('CMOVE', 'CMOVNE'), 15) |
    bit(true, 16) | // PAT
    bit(true, 17) | // PSE-36
    bit(has('CLFLUSH'), 19) |
    bit(has('EMMS', 'MOVQ'), 23) |
    bit(fxsr, 24) |
    bit(sse, 25) |
    bit(sse2, 26);
  const ecx1 =
    bit(has('ADDSUBPS', 'HADDPS', 'MOVDDUP', 'LDDQU', 'MOVSHDUP'), 0) |
    bit(has('PSHUFB', 'PALIGNR', 'PHADDW', 'PMADDUBSW', 'PABSB'), 9) |
    bit(has('CMPXCHG16B'), 13) |
    bit(has('PTEST', 'ROUNDPS', 'PMULLD', 'BLENDPS', 'DPPS', 'INSERTPS', 'PMOVZXBW', 'PACKUSDW', 'MPSADBW'), 19) |
    bit(has('PCMPESTRI', 'PCMPISTRI', 'PCMPGTQ', 'CRC32'), 20) |
    bit(has('MOVBE'), 22) |
    bit(has('POPCNT'), 23) |
    bit(xsave, 26) |
    bit(has('RDRAND'), 30) |
    bit(true, 31); // running under an emulator: hypervisor leaves 0x40000000
  const ebx7 = bit(true, 7) /* SMEP */ | bit(has('RDSEED'), 18) | bit(has('ADCX', 'ADOX'), 19);
  const ecx81 = bit(has('LAHF', 'SAHF'), 0) | bit(has('LZCNT'), 5) | bit(has('PREFETCHW'), 8);
  const edx81 =
    bit(has('SYSCALL', 'SYSRET'), 11) |
    bit(true, 20) | // NX
    bit(true, 26) | // 1 GiB pages
    bit(has('RDTSCP'), 27) |
    bit(true, 29); // long mode
  feat = { ecx1, edx1, ebx7, ecx81, edx81, xsave, maxBasic: xsave ? 0xd : 7 };
  return feat;
}

/** Whether XSAVE/XGETBV/XSETBV are implemented (CR4.OSXSAVE is reserved otherwise). */
export function xsaveSupported(): boolean {
  return features().xsave;
}

/** Whether SYSENTER/SYSEXIT are advertised. */
export function featureEdx1(): number {
  return features().edx1;
}

export function featureEdx81(): number {
  return features().edx81;
}

export function featureEbx7(): number {
  return features().ebx7;
}

// Output registers of the last cpuid() call (no allocation).
export let outA = 0;
export let outB = 0;
export let outC = 0;
export let outD = 0;

function set(a: number, b: number, c: number, d: number): void {
  outA = a | 0;
  outB = b | 0;
  outC = c | 0;
  outD = d | 0;
}

/** Evaluate CPUID for leaf `eax`, subleaf `ecx` on `cpu`; results in outA..outD. */
export function cpuid(cpu: Cpu, eax: number, ecx: number): void {
  const f = features();
  let leaf = eax >>> 0;
  const hv = leaf >= 0x40000000 && leaf < 0x50000000;
  // Out-of-range leaves return the highest basic leaf (Intel behaviour).
  if (!hv && ((leaf > f.maxBasic && leaf < 0x80000000) || leaf > 0x80000008)) leaf = f.maxBasic;
  switch (leaf) {
    case 0:
      set(f.maxBasic, str4(VENDOR, 0), str4(VENDOR, 8), str4(VENDOR, 4));
      return;
    case 1: {
      const apicOn = (cpu.i32[MSR_APIC_BASE] & 0x800) !== 0;
      const osxsave = (cpu.i32[CR4] & Cr4.OSXSAVE) !== 0 ? 1 << 27 : 0;
      // EBX: CLFLUSH line 8*8 bytes, 1 logical processor per package, initial APIC ID in 31:24.
      set(SIGNATURE, (cpu.id << 24) | (1 << 16) | (8 << 8), f.ecx1 | osxsave, apicOn ? f.edx1 : f.edx1 & ~(1 << 9));
      return;
    }
    case 2:
      set(1, 0, 0, 0); // one iteration, only null descriptors: no cache information
      return;
    case 7:
      if (ecx === 0) set(0, f.ebx7, 0, 0);
      else set(0, 0, 0, 0);
      return;
    case 0xd: {
      // XSAVE state components: x87 and SSE only (legacy region 512 + header 64).
      // EBX (size for the components enabled in XCR0) is 576 for any legal XCR0 here.
      if (ecx === 0) set(3, 576, 576, 0);
      else set(0, 0, 0, 0);
      return;
    }
    case 0x40000000:
      set(0x40000000, str4(HYPERVISOR_SIGNATURE, 0), str4(HYPERVISOR_SIGNATURE, 4), str4(HYPERVISOR_SIGNATURE, 8));
      return;
    case 0x80000000:
      set(0x80000008, 0, 0, 0);
      return;
    case 0x80000001:
      set(0, 0, f.ecx81, f.edx81);
      return;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const b = BRAND.padEnd(47, ' ') + '\0';
      const k = (leaf - 0x80000002) * 16;
      set(str4(b, k), str4(b, k + 4), str4(b, k + 8), str4(b, k + 12));
      return;
    }
    case 0x80000007:
      set(0, 0, 0, 1 << 8); // invariant TSC: the TSC runs at a constant rate in every state
      return;
    case 0x80000008:
      set((LINADDR_BITS << 8) | MAXPHYADDR, 0, 0, 0);
      return;
    default:
      set(0, 0, 0, 0);
  }
}
