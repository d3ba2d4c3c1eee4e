// Instruction table (jit/decoder/x86.def): generated-table drift, generator validation and metadata facts (SDM Vol. 2).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
// @ts-expect-error -- plain ESM generator script without type declarations
import { DEF_PATH, OUT_PATH, generate } from '../../tools/gen-decoder-tables.mjs';
import { decode } from '../../jit/decoder/decode.js';
import { mnemonicName } from '../../jit/decoder/disasm.js';
import { Instr } from '../../jit/decoder/instr.js';
import {
  Fl, Flow, Priv, RepKind, flagsRead, flagsUndefined, flagsWritten, flowOf, insFlagsUndefined, insFlow, isLockable,
  privilege, repKind,
} from '../../jit/decoder/meta.js';
import { MN_NAMES, Mn } from '../../jit/decoder/tables.gen.js';

const bytes = (s: string) => Uint8Array.from(s.split(' ').map((x) => parseInt(x, 16)));
const dec = (bits: 16 | 32 | 64, s: string) => decode(bytes(s), 0, 15, bits);

describe('generated tables', () => {
  test('tables.gen.ts is exactly what the generator makes of x86.def (run node tools/gen-decoder-tables.mjs)', () => {
    const fresh = generate(readFileSync(DEF_PATH, 'utf8'));
    expect(fresh === readFileSync(OUT_PATH, 'utf8')).toBe(true);
  });

  test('generator rejects malformed or ambiguous rows', () => {
    expect(() => generate('00 /r | ADD Eb,Gq7 |')).toThrow(/unknown operand/);
    expect(() => generate('00 /r | ADD Eb,Gb | lokc')).toThrow(/unknown attribute/);
    expect(() => generate('00 /r | ADD Eb,Gb |\n00 /r | SUB Eb,Gb |')).toThrow(/ambiguous/);
    expect(() => generate('00 | ADD Eb,Gb | wf:a uf:c')).toThrow(/subset/);
    expect(() => generate('90 /r | NOP |\n90 | XCHG |')).toThrow(/ModRM/);
    // a valid minimal table generates
    expect(generate('00 /r | ADD Eb,Gb | lock wf:oszapc')).toContain('ADD = 1');
  });
});

describe('mnemonics', () => {
  test('ids required by the CPU-core issue exist', () => {
    const need = [
      'ADD', 'MOVZX', 'JNE', 'CMOVLE', 'SETB', 'MOVSB', 'MOVSW', 'MOVSD', 'MOVSQ', 'MOVSD_X', 'CMPSD', 'CMPSD_X',
      'LGDT', 'LIDT', 'SGDT', 'SIDT', 'LLDT', 'SLDT', 'LTR', 'STR', 'LMSW', 'SMSW', 'VERR', 'VERW', 'LAR', 'LSL', 'CLTS',
      'RDMSR', 'WRMSR', 'CPUID', 'RDTSC', 'RDTSCP', 'INVLPG', 'HLT', 'CLI', 'STI', 'INT', 'INT3', 'INTO', 'INT1', 'IRET',
      'IRETD', 'IRETQ', 'SYSCALL', 'SYSRET', 'SYSENTER', 'SYSEXIT', 'SWAPGS', 'IN', 'OUT', 'INSB', 'OUTSD', 'PAUSE',
      'LFENCE', 'MFENCE', 'SFENCE', 'CLFLUSH', 'WBINVD', 'INVD', 'XGETBV', 'XSETBV', 'FXSAVE', 'FXRSTOR', 'XSAVE',
      'XRSTOR', 'LDMXCSR', 'STMXCSR', 'RDRAND', 'JMP_FAR', 'CALL_FAR', 'RETF', 'ENTER', 'LEAVE', 'PUSHA', 'POPAD',
      'PUSHF', 'POPFQ', 'LES', 'LDS', 'LSS', 'LFS', 'LGS', 'BOUND', 'AAA', 'DAA', 'AAM', 'AAD', 'CMPXCHG8B',
      'CMPXCHG16B', 'XADD', 'XCHG', 'BSWAP', 'BT', 'BTS', 'BTR', 'BTC', 'BSF', 'BSR', 'LZCNT', 'TZCNT', 'POPCNT', 'SHLD',
      'SHRD', 'MOVBE', 'CRC32', 'ANDN', 'BEXTR', 'BLSI', 'BLSR', 'BLSMSK', 'SHLX', 'SHRX', 'SARX', 'RORX', 'PDEP', 'PEXT',
      'MULX', 'PSHUFB', 'PALIGNR', 'PMINSD', 'PMAXSD', 'PMULLD', 'PBLENDW', 'BLENDVPS', 'PEXTRB', 'PEXTRQ', 'PINSRD',
      'PMOVZXBW', 'PMOVSXDQ', 'PTEST', 'ROUNDSS', 'ROUNDSD', 'ROUNDPS', 'ROUNDPD', 'DPPS', 'MOVDQA', 'MOVAPS', 'CVTSI2SD',
      'FLD', 'FST', 'FSTP', 'FILD', 'FIST', 'FISTP', 'FISTTP', 'FLD1', 'FLDZ', 'FLDPI', 'FADD', 'FADDP', 'FSUB', 'FSUBR',
      'FMUL', 'FDIV', 'FDIVR', 'FDIVRP', 'FCHS', 'FABS', 'FSQRT', 'FRNDINT', 'FSCALE', 'FPREM', 'FXCH', 'FCOM', 'FCOMP',
      'FCOMPP', 'FUCOM', 'FUCOMPP', 'FCOMI', 'FUCOMIP', 'FCMOVB', 'FCMOVNBE', 'FTST', 'FXAM', 'FNSTCW', 'FLDCW', 'FNSTSW',
      'FNINIT', 'FNCLEX', 'FWAIT', 'FNSTENV', 'FLDENV', 'FNSAVE', 'FRSTOR', 'FFREE', 'FINCSTP', 'FDECSTP', 'FXTRACT',
      'F2XM1', 'FYL2X', 'FPTAN', 'FPATAN', 'FSIN', 'FCOS', 'FSINCOS',
    ];
    const missing = need.filter((n) => !MN_NAMES.includes(n));
    expect(missing).toEqual([]);
  });

  test('mnemonicName gives the Intel spelling', () => {
    expect(mnemonicName(Mn.MOVSD_X)).toBe('movsd');
    expect(mnemonicName(Mn.CMPSD_X)).toBe('cmpsd');
    expect(mnemonicName(Mn.MOVSD)).toBe('movsd');
    expect(mnemonicName(Mn.JNE)).toBe('jne');
    expect(mnemonicName(Mn.CMOVLE)).toBe('cmovle');
    expect(mnemonicName(Mn.XLATB)).toBe('xlat');
    expect(mnemonicName(Mn.CALL_FAR)).toBe('call');
    expect(mnemonicName(Mn.MOV_CR)).toBe('mov');
  });
});

describe('metadata (SDM flag tables)', () => {
  test('flags', () => {
    expect(flagsRead(Mn.ADC) & Fl.CF).toBe(Fl.CF);
    expect(flagsWritten(Mn.ADD)).toBe(Fl.ARITH);
    expect(flagsUndefined(Mn.ADD)).toBe(0);
    expect(flagsUndefined(Mn.AND)).toBe(Fl.AF);
    expect(flagsRead(Mn.JBE)).toBe(Fl.CF | Fl.ZF);
    expect(flagsRead(Mn.JLE)).toBe(Fl.ZF | Fl.SF | Fl.OF);
    expect(flagsWritten(Mn.INC) & Fl.CF).toBe(0);
    expect(flagsWritten(Mn.CLD)).toBe(Fl.DF);
    expect(flagsWritten(Mn.CLI)).toBe(Fl.IF);
    expect(flagsUndefined(Mn.DIV)).toBe(Fl.ARITH);
    expect(flagsWritten(Mn.MOV)).toBe(0);
    expect(flagsWritten(Mn.BT) & Fl.ZF).toBe(0);
    // per form: SHL r,1 defines OF, SHL r,CL leaves it undefined
    expect(insFlagsUndefined(dec(64, 'd1 e0')) & Fl.OF).toBe(0);
    expect(insFlagsUndefined(dec(64, 'd3 e0')) & Fl.OF).toBe(Fl.OF);
  });

  test('control flow, LOCK, REP, privilege', () => {
    expect(flowOf(Mn.JNE)).toBe(Flow.Jcc);
    expect(flowOf(Mn.LOOP)).toBe(Flow.Jcc);
    expect(flowOf(Mn.RET)).toBe(Flow.Ret);
    expect(flowOf(Mn.RETF)).toBe(Flow.RetFar);
    expect(flowOf(Mn.SYSCALL)).toBe(Flow.Syscall);
    expect(flowOf(Mn.IRETQ)).toBe(Flow.Iret);
    expect(flowOf(Mn.HLT)).toBe(Flow.Hlt);
    expect(flowOf(Mn.UD2)).toBe(Flow.Ud);
    expect(flowOf(Mn.ADD)).toBe(Flow.None);
    expect(insFlow(dec(64, 'ff e0'))).toBe(Flow.JmpInd);
    expect(insFlow(dec(64, 'e9 00 00 00 00'))).toBe(Flow.Jmp);
    expect(isLockable(Mn.ADD)).toBe(true);
    expect(isLockable(Mn.CMPXCHG16B)).toBe(true);
    expect(isLockable(Mn.MOV)).toBe(false);
    expect(repKind(Mn.MOVSB)).toBe(RepKind.Rep);
    expect(repKind(Mn.SCASQ)).toBe(RepKind.RepCC);
    expect(repKind(Mn.MOVSD_X)).toBe(RepKind.None);
    expect(privilege(Mn.LGDT)).toBe(Priv.Cpl0);
    expect(privilege(Mn.WRMSR)).toBe(Priv.Cpl0);
    expect(privilege(Mn.CLI)).toBe(Priv.Iopl);
    expect(privilege(Mn.OUTSB)).toBe(Priv.Iopl);
    expect(privilege(Mn.RDTSC)).toBe(Priv.Cr4);
    expect(privilege(Mn.CPUID)).toBe(Priv.None);
    expect(privilege(Mn.MOV)).toBe(Priv.None);
    expect(privilege(Mn.MOV_CR)).toBe(Priv.Cpl0);
  });
});

test('decoding reuses the caller record', () => {
  const out = new Instr();
  expect(decode(bytes('01 c0'), 0, 2, 64, out)).toBe(out);
});
