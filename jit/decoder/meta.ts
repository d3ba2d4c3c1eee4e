// Per-instruction metadata for the interpreter and JIT (SDM Vol. 1 Appendix A EFLAGS cross-reference, Vol. 2 opcode
// tables): flags read/written/undefined, control-flow kind, LOCK/REP legality and privilege, from jit/decoder/x86.def.

import {
  A_CPL0, A_CR4, A_IOPL, A_LOCK, A_REP, A_REPCC, FLOW_SHIFT,
} from './decode.js';
import type { Instr } from './instr.js';
import {
  FORM_ATTR, FORM_FLAGS_READ, FORM_FLAGS_UNDEFINED, FORM_FLAGS_WRITTEN, MN_ATTR, MN_FLAGS_READ, MN_FLAGS_UNDEFINED,
  MN_FLAGS_WRITTEN, MN_FLOW,
} from './tables.gen.js';

export { MN_FLAGS_READ, MN_FLAGS_WRITTEN, MN_FLAGS_UNDEFINED, MN_FLOW, MN_ATTR };

/** EFLAGS bits as used by the flag masks (SDM Vol. 1 §3.4.3). */
export const enum Fl {
  CF = 0x1,
  PF = 0x4,
  AF = 0x10,
  ZF = 0x40,
  SF = 0x80,
  TF = 0x100,
  IF = 0x200,
  DF = 0x400,
  OF = 0x800,
  /** The six arithmetic flags. */
  ARITH = 0x8d5,
}

/** Control-flow kind of an instruction. */
export const enum Flow {
  None = 0,
  Jmp = 1, // near direct JMP
  JmpInd = 2, // near indirect JMP
  Jcc = 3, // Jcc, LOOP/LOOPcc, JCXZ/JECXZ/JRCXZ
  Call = 4, // near direct CALL
  CallInd = 5, // near indirect CALL
  Ret = 6, // near RET
  JmpFar = 7, // JMP ptr16:xx / JMP m16:xx
  CallFar = 8, // CALL ptr16:xx / CALL m16:xx
  RetFar = 9, // RETF
  Int = 10, // INT n, INT3, INT1, INTO
  Iret = 11, // IRET/IRETD/IRETQ, RSM
  Syscall = 12, // SYSCALL, SYSENTER
  Sysret = 13, // SYSRET(Q), SYSEXIT(Q)
  Hlt = 14,
  Ud = 15, // UD0, UD1, UD2 (always raise #UD)
}

/** Privilege requirement. */
export const enum Priv {
  None = 0,
  Cpl0 = 1, // #GP(0) unless CPL = 0
  Iopl = 2, // CLI/STI/IN/OUT/INS/OUTS: CPL <= IOPL (or the I/O bitmap) in protected mode
  Cr4 = 3, // restricted by a CR4 bit: RDTSC/RDTSCP (TSD), RDPMC (PCE), SGDT/SIDT/SLDT/STR/SMSW (UMIP)
}

/** REP prefix use. */
export const enum RepKind {
  None = 0,
  Rep = 1, // F3 repeats (MOVS, STOS, LODS, INS, OUTS)
  RepCC = 2, // F3 = REPE, F2 = REPNE (CMPS, SCAS)
}

function priv(attr: number): Priv {
  return attr & A_CPL0 ? Priv.Cpl0 : attr & A_IOPL ? Priv.Iopl : attr & A_CR4 ? Priv.Cr4 : Priv.None;
}

// ---- by mnemonic (union over the mnemonic's forms: e.g. SHL's OF is "written" and "undefined" because of SHL r,CL)
/** EFLAGS bits the mnemonic may read. */
export function flagsRead(mn: number): number { return MN_FLAGS_READ[mn]; }
/** EFLAGS bits the mnemonic may modify (set, cleared, computed or left undefined). */
export function flagsWritten(mn: number): number { return MN_FLAGS_WRITTEN[mn]; }
/** EFLAGS bits some form of the mnemonic leaves undefined (a subset of flagsWritten). */
export function flagsUndefined(mn: number): number { return MN_FLAGS_UNDEFINED[mn]; }
export function flowOf(mn: number): Flow { return MN_FLOW[mn] as Flow; }
/** True when LOCK is legal on some (memory-destination) form. */
export function isLockable(mn: number): boolean { return (MN_ATTR[mn] & A_LOCK) !== 0; }
export function repKind(mn: number): RepKind {
  return MN_ATTR[mn] & A_REPCC ? RepKind.RepCC : MN_ATTR[mn] & A_REP ? RepKind.Rep : RepKind.None;
}
export function privilege(mn: number): Priv { return priv(MN_ATTR[mn]); }

// ---- by decoded instruction (exact for the form that was decoded: SHL r,1 defines OF, SHL r,CL does not)
export function insFlagsRead(ins: Instr): number { return FORM_FLAGS_READ[ins.form]; }
export function insFlagsWritten(ins: Instr): number { return FORM_FLAGS_WRITTEN[ins.form]; }
export function insFlagsUndefined(ins: Instr): number { return FORM_FLAGS_UNDEFINED[ins.form]; }
/** Flow kind of this form (JMP Ev is JmpInd while flowOf(Mn.JMP) is Jmp). */
export function insFlow(ins: Instr): Flow { return ((FORM_ATTR[ins.form] >>> FLOW_SHIFT) & 31) as Flow; }
export function insPrivilege(ins: Instr): Priv { return priv(FORM_ATTR[ins.form]); }
export function insRepKind(ins: Instr): RepKind {
  const a = FORM_ATTR[ins.form];
  return a & A_REPCC ? RepKind.RepCC : a & A_REP ? RepKind.Rep : RepKind.None;
}
