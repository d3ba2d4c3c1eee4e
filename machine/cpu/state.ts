// CPU register file (SDM Vol. 1 §3.4, Vol. 3 §2): one buffer with fixed offsets shared by the interpreter, generated
// code and snapshots (cf. v86 global_pointers.rs).
//
// Representation rules (everyone who touches CPU state follows them):
//  - 64-bit general registers are two int32 halves, lo at GPR_LO(r), hi at GPR_HI(r) (Int32Array indices), so the
//    hot path never needs BigInt.
//  - RIP, segment bases, descriptor-table bases and CR2 are float64 "linear addresses": canonical 64-bit values held
//    as their signed interpretation (exact in a double because canonical addresses have 48 significant bits).
//    Outside long mode they are plain unsigned 32-bit values.
//  - Arithmetic flags are lazy (see flags.ts): FLAGS holds RFLAGS with the bits listed in FLAGS_LAZY stale;
//    the lazy record (LZ_*) says how to recompute them.
//  - Everything else is an int32 at a fixed index; 64-bit MSRs are lo/hi pairs.
// The buffer may become a SharedArrayBuffer (one slice per vCPU) when vCPUs move to worker threads.

export const STATE_BYTES = 4096;

// ---- Int32Array indices -------------------------------------------------------------------------------------------
export const GPR_LO = (r: number): number => r << 1;
export const GPR_HI = (r: number): number => (r << 1) | 1;
export const RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
// R8..R15 are 8..15.

export const FLAGS = 32; // RFLAGS (bit 1 always set); lazily tracked bits are stale when set in FLAGS_LAZY
export const FLAGS_LAZY = 33; // mask of CF|PF|AF|ZF|SF|OF to recompute from the lazy record
export const LZ_OP = 34; // LazyOp (flags.ts)
export const LZ_SIZE = 35; // operand size in bytes of the last flag-setting operation (1, 2, 4, 8)
export const LZ_RES_LO = 36, LZ_RES_HI = 37; // result
export const LZ_A_LO = 38, LZ_A_HI = 39; // first (destination) operand before the operation
export const LZ_B_LO = 40, LZ_B_HI = 41; // second operand (for ADC/SBB: includes nothing; carry-in is in LZ_CIN)
export const LZ_CIN = 42; // carry-in of ADC/SBB, shift count of shifts

// Segment registers: 8 descriptors (ES CS SS DS FS GS, then LDTR=6, TR=7), each SEG_STRIDE int32s.
// Base is a float64 (see F64 indices below), the rest are int32 here.
export const SEG_LDTR = 6, SEG_TR = 7;
export const SEG_STRIDE = 4;
export const SEG_SEL = (s: number): number => 48 + s * SEG_STRIDE; // selector
export const SEG_LIMIT = (s: number): number => 49 + s * SEG_STRIDE; // byte-granular limit (already scaled by G)
export const SEG_ATTR = (s: number): number => 50 + s * SEG_STRIDE; // descriptor bits 8..23 of the high dword >> 8:
//   bits 0..3 type, 4 S, 5..6 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G
// (index 51 + s*4 reserved)

export const CR0 = 80;
export const CR3_LO = 81, CR3_HI = 82; // physical, also mirrored as float64 CR3_F
export const CR4 = 83;
export const CR8 = 84; // TPR mirror
export const EFER = 85;
export const XCR0_LO = 86, XCR0_HI = 87;
export const GDTR_LIMIT = 88;
export const IDTR_LIMIT = 89;
export const DR0 = 90; // DR0..DR7 as lo/hi pairs: 90..105

export const CPL = 106;
/** Code-size state derived from CS and EFER.LMA: 16, 32 or 64 (decode mode). */
export const CODE_BITS = 107;
/** Default stack-address size: 2, 4 or 8 bytes. */
export const STACK_SIZE = 108;
export const HALTED = 109; // 1 while in HLT, 2 while waiting for SIPI (AP after INIT)
export const INT_SHADOW = 110; // 1 for the instruction after STI / MOV SS
export const PENDING = 111; // request bits, see Pending below: checked at block boundaries
export const NMI_BLOCKED = 112;

export const MXCSR = 113;
export const FPU_CW = 114;
export const FPU_SW = 115; // without TOP (bits 11..13 live in FPU_TOP)
export const FPU_TOP = 116;
export const FPU_TAG = 117; // abridged (FXSAVE) tag: bit i set = physical register i in use; 0 = all empty (x87/fpu.ts)
export const FPU_FOP = 118;
export const FPU_IP_LO = 119, FPU_IP_HI = 120, FPU_DP_LO = 121, FPU_DP_HI = 122, FPU_CS = 123, FPU_DS = 124;

// 64-bit MSRs as lo/hi pairs.
export const MSR_STAR = 126;
export const MSR_LSTAR = 128;
export const MSR_CSTAR = 130;
export const MSR_FMASK = 132;
export const MSR_KGSBASE = 134;
export const MSR_SYSENTER_CS = 136;
export const MSR_SYSENTER_ESP = 138;
export const MSR_SYSENTER_EIP = 140;
export const MSR_APIC_BASE = 142;
export const MSR_PAT = 144;
export const MSR_TSC_AUX = 146;
export const MSR_MTRR_DEF = 148;
export const MSR_TSC_ADJ = 150; // TSC offset: TSC = instruction-derived time + this
export const MSR_MISC_ENABLE = 152;

// System-architecture slots (machine/cpu/mmu.ts, interrupts.ts, msr.ts, reset.ts, jit/interp/sys): int32 160..228.
export const PDPTE_LO = (i: number): number => 160 + 2 * i; // PAE PDPTE registers 0..3 (loaded with CR3, §4.4.1)
export const PDPTE_HI = (i: number): number => 161 + 2 * i;
export const NMI_PENDING = 168; // NMI latched, delivered at the next boundary unless NMI_BLOCKED
export const SIPI_VECTOR = 169; // vector of the last Startup IPI (consumed by Pending.Sipi)
export const MTRR_VAR = 170; // IA32_MTRR_PHYSBASE0/PHYSMASK0..7 as lo/hi pairs: 170..201
export const MTRR_FIX = 202; // the 11 fixed-range MTRRs as lo/hi pairs: 202..223
export const RNG_STATE = 224; // RDRAND/RDSEED generator state (xoshiro128**), 224..227
export const TF_ARMED = 228; // single-step: TF was 1 when the current instruction started (#DB after it)

// XMM0..XMM15: 16 bytes each at byte offset XMM_BYTE(i) (4 int32 lanes, lane 0 lowest).
export const XMM_I32 = (i: number): number => 256 + i * 4;
export const XMM_BYTE = (i: number): number => 1024 + i * 16;

// x87 physical registers R0..R7, 16 bytes each (80-bit value: 64-bit significand lo/hi, 16-bit sign+exponent).
export const FPR_I32 = (i: number): number => 320 + i * 4; // [sigLo, sigHi, signExp, unused]
export const FPR_BYTE = (i: number): number => 1280 + i * 16;

// ---- Float64Array indices (the f64 view covers the whole buffer; index i is byte 8*i; 192.. = byte 1536..) -------
export const RIP_F = 192; // instruction pointer (linear-address convention above; offset from CS.base outside 64-bit)
export const SEG_BASE_F = (s: number): number => 193 + s; // 193..200
export const CR2_F = 201;
export const CR3_F = 202; // page-table root, physical (masked)
export const GDTR_BASE_F = 203;
export const IDTR_BASE_F = 204;
export const ICOUNT_F = 205; // instructions retired (drives virtual time)
export const TSC_LAST_F = 206; // last TSC value returned (RDTSC is strictly increasing)
export const F64_SCRATCH = 208; // 208..223 free for modules (x87 uses some; document in the module)

/** Bits of PENDING. */
export const enum Pending {
  Interrupt = 1, // an external interrupt may be deliverable (IRR non-empty / ExtINT / NMI)
  Stop = 2, // the machine wants this vCPU to return to the scheduler
  Init = 4,
  Sipi = 8,
  Smc = 16, // code under execution was modified: leave the current block
}

export const enum Flag {
  CF = 1 << 0,
  PF = 1 << 2,
  AF = 1 << 4,
  ZF = 1 << 6,
  SF = 1 << 7,
  TF = 1 << 8,
  IF = 1 << 9,
  DF = 1 << 10,
  OF = 1 << 11,
  IOPL = 3 << 12,
  NT = 1 << 14,
  RF = 1 << 16,
  VM = 1 << 17,
  AC = 1 << 18,
  VIF = 1 << 19,
  VIP = 1 << 20,
  ID = 1 << 21,
}
export const ARITH_FLAGS = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.OF;

export const enum Cr0 {
  PE = 1,
  MP = 2,
  EM = 4,
  TS = 8,
  ET = 16,
  NE = 32,
  WP = 1 << 16,
  AM = 1 << 18,
  NW = 1 << 29,
  CD = 1 << 30,
  PG = 1 << 31,
}

export const enum Cr4 {
  VME = 1,
  PVI = 2,
  TSD = 4,
  DE = 8,
  PSE = 16,
  PAE = 32,
  MCE = 64,
  PGE = 128,
  PCE = 256,
  OSFXSR = 512,
  OSXMMEXCPT = 1024,
  UMIP = 2048,
  FSGSBASE = 1 << 16,
  PCIDE = 1 << 17,
  OSXSAVE = 1 << 18,
  SMEP = 1 << 20,
  SMAP = 1 << 21,
}

export const enum Efer {
  SCE = 1,
  LME = 1 << 8,
  LMA = 1 << 10,
  NXE = 1 << 11,
}

/** Views over one vCPU's state buffer. */
export class CpuState {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  readonly f64: Float64Array;
  readonly dv: DataView;

  constructor(buffer?: ArrayBuffer | SharedArrayBuffer, byteOffset = 0) {
    this.buffer = buffer ?? new ArrayBuffer(STATE_BYTES);
    this.i32 = new Int32Array(this.buffer, byteOffset, STATE_BYTES >> 2);
    this.u8 = new Uint8Array(this.buffer, byteOffset, STATE_BYTES);
    this.f64 = new Float64Array(this.buffer, byteOffset, STATE_BYTES >> 3);
    this.dv = new DataView(this.buffer, byteOffset, STATE_BYTES);
  }

  /** A copy of the raw bytes (snapshots). */
  save(): Uint8Array {
    return this.u8.slice();
  }

  restore(bytes: Uint8Array): void {
    if (bytes.length !== STATE_BYTES) throw new Error(`CPU state snapshot has ${bytes.length} bytes, expected ${STATE_BYTES}`);
    this.u8.set(bytes);
  }
}
