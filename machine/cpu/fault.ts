// Exceptions and interrupts as seen by the emulator's control flow (SDM Vol. 3 §6.15 exception reference).

export const enum Vec {
  DE = 0,
  DB = 1,
  NMI = 2,
  BP = 3,
  OF = 4,
  BR = 5,
  UD = 6,
  NM = 7,
  DF = 8,
  TS = 10,
  NP = 11,
  SS = 12,
  GP = 13,
  PF = 14,
  MF = 16,
  AC = 17,
  MC = 18,
  XM = 19,
}

/** Vectors that push an error code (SDM Vol. 3 Table 6-1). */
export const HAS_ERROR_CODE = (v: number): boolean => v === 8 || (v >= 10 && v <= 14) || v === 17 || v === 21;

export const VECTOR_NAMES = [
  '#DE', '#DB', 'NMI', '#BP', '#OF', '#BR', '#UD', '#NM', '#DF', 'CSO', '#TS', '#NP', '#SS', '#GP', '#PF', 'res15',
  '#MF', '#AC', '#MC', '#XM', '#VE', '#CP',
];

/**
 * A guest exception raised while executing an instruction. Thrown from anywhere in instruction execution; the
 * execution loop restores RIP to the faulting instruction and delivers it. Instructions must not commit register
 * state before the last access that can fault (precise exceptions).
 */
export class CpuFault {
  constructor(
    readonly vector: number,
    readonly errorCode: number = -1, // -1: none pushed
    /** For #UD on an undecodable instruction: the bytes, for the report. */
    readonly detail?: string,
  ) {}
  toString(): string {
    const n = VECTOR_NAMES[this.vector] ?? `vector ${this.vector}`;
    return this.errorCode >= 0 ? `${n}(0x${this.errorCode.toString(16)})` : n;
  }
}

/** The machine must stop: triple fault, isa-debug-exit, shutdown. Not a guest-visible event. */
export class MachineStop extends Error {
  constructor(
    readonly reason: 'triple-fault' | 'exit' | 'shutdown' | 'reset' | 'error',
    message: string,
    readonly exitCode = 0,
  ) {
    super(message);
  }
}
