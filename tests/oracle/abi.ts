// Host-oracle test ABI (tests/oracle/README.md): fixed memory layout, Case/Result records, RFLAGS bits.

/** Guest data area: read/write, not executable, identical address in the harness and the emulator. */
export const DATA_BASE = 0x1000_0000;
export const DATA_SIZE = 0x2000;
/** Guest code area: read/write/execute; code at CODE_BASE, rest of the page filled with CODE_FILL (int3). */
export const CODE_BASE = 0x2000_0000;
export const CODE_SIZE = 0x1000;
export const CODE_FILL = 0xcc;
/** Bytes the harness appends after the code (jmp [rip+0]; .quad exit). The emulator stops at CODE_BASE+len. */
export const EPILOGUE_LEN = 14;
export const MAX_CODE = CODE_SIZE - EPILOGUE_LEN;
/** Initial RSP, always: the middle of the data area, 4 KiB below for pushes, 4 KiB above for pops. */
export const STACK_TOP = DATA_BASE + 0x1000;

export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const TF = 0x100;
export const IF = 0x200;
export const DF = 0x400;
export const OF = 0x800;
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;
/** Every RFLAGS bit a case controls and a comparison may look at. */
export const FULL_MASK = STATUS_FLAGS | DF;
/** Always set in the initial RFLAGS (bit 1 is reserved-one; user code runs with IF=1). */
export const RFLAGS_FIXED = 0x202;

export const DEFAULT_MXCSR = 0x1f80;
export const DEFAULT_FCW = 0x037f;

/** Vectors the oracle reports (trap number from the host kernel). */
export const VEC = { DE: 0, DB: 1, BP: 3, UD: 6, NM: 7, GP: 13, PF: 14, MF: 16, AC: 17, XM: 19 } as const;

export const GPR_NAMES = [
  'rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
] as const;
export const RSP = 4;

export interface MemInit {
  /** Offset inside the data area. */
  offset: number;
  bytes: Uint8Array;
}

/** What both the host and the emulator run. */
export interface Case {
  name: string;
  /** Source text, for messages only. */
  asm?: string;
  /** Only 64 runs on the host; 16/32 are reserved for later emulator-only tests. */
  bits: 16 | 32 | 64;
  code: Uint8Array;
  /** 16 values in encoding order (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8..R15); [RSP] is ignored. */
  gpr: bigint[];
  /** Only FULL_MASK bits are used; RFLAGS_FIXED bits are forced on, everything else off. */
  rflags: number;
  mxcsr: number;
  /** x87 control word; the rest of the x87 state is the FNINIT state (empty stack, FSW=0). */
  fcw: number;
  /** 16 registers of 16 bytes (little-endian lanes). */
  xmm: Uint8Array[];
  /** Initial data area: these runs over zeros. */
  mem: MemInit[];
  /** Comparison hints (see compare.ts). */
  flagsDefined: number;
  /** Bit i set: final GPR i is architecturally undefined (e.g. BSF of 0). */
  undefinedGprs: number;
  /** FSW bits compared; 0 = FSW not compared. */
  fswMask: number;
  /** Generator's expectation, checked by the oracle self-test: undefined = completes normally,
   * a vector = faults with it, 'any' = may fault (e.g. unmasked SSE exceptions). */
  expectFault?: number | 'any';
}

/** A generated case before assembly. */
export type CaseSpec = Omit<Case, 'code'> & { asm: string };

export type Status = 'ok' | 'fault' | 'timeout';

export interface Result {
  status: Status;
  /** Host-only details of a fault: signal number and si_code (0 for 'ok'). */
  signo: number;
  siCode: number;
  /** Exception vector for 'fault' (VEC.*), -1 otherwise. */
  vector: number;
  errorCode: bigint;
  /** For #PF: the faulting linear address (CR2). 0 otherwise (Linux reports 0 for #GP). */
  faultAddr: bigint;
  /** Final GPRs (unsigned), or the state at the fault. */
  gpr: bigint[];
  /** CODE_BASE + code.length when 'ok'; the RIP the CPU pushed for a fault (trap: after the instruction). */
  rip: bigint;
  ripOffset: number;
  rflags: number;
  mxcsr: number;
  fcw: number;
  fsw: number;
  /** Abridged tag word as FXSAVE stores it: bit i set = physical register i is not empty. */
  ftw: number;
  /** ST(0)..ST(7), 10 bytes each (80-bit extended, little-endian). */
  st: Uint8Array[];
  xmm: Uint8Array[];
  /** The whole data area (DATA_SIZE bytes). */
  mem: Uint8Array;
}
