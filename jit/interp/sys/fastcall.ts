// Fast system calls (SDM Vol. 2 SYSCALL, SYSRET, SYSENTER, SYSEXIT, SWAPGS; Vol. 3 §5.8.7-8). Intel semantics:
// SYSCALL/SYSRET only in 64-bit mode, SYSENTER/SYSEXIT in protected and long mode. Segment caches are loaded with
// fixed flat values, not from the GDT.
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import {
  CODE_BITS, CPL, CR0, EFER, RIP_F, GPR_LO, GPR_HI, RCX, RDX, RSP, MSR_STAR, MSR_LSTAR, MSR_FMASK,
  MSR_KGSBASE, MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, SEG_BASE_F, PENDING, Cr0, Efer, Flag, Pending,
} from '../../../machine/cpu/state.js';
import { CS, SS, GS, setFlatSegment, updateModes } from '../../../machine/cpu/segments.js';
import { Mn } from '../../decoder/tables.gen.js';
import { defineOp } from '../interpreter.js';
import { getFlags, setFlags } from '../flags.js';
import { requireCpl0, isCanonical, lo32, hi32, TWO32 } from './common.js';

const END = { endsBlock: true };
// Flat segment attributes: code 64-bit (L), code 32-bit (D), data (B), each with DPL 0 or 3, G, present, accessed.
const CODE64_0 = 0xa09b, CODE32_0 = 0xc09b, DATA_0 = 0xc093;
const CODE64_3 = 0xa0fb, CODE32_3 = 0xc0fb, DATA_3 = 0xc0f3;

const ud = (why: string): never => {
  throw new CpuFault(Vec.UD, -1, why);
};

function enterCpl(cpu: Cpu, cpl: number): void {
  if (cpu.i32[CPL] !== cpl) cpu.setCpl(cpl);
  updateModes(cpu);
}

defineOp(
  Mn.SYSCALL,
  (cpu) => {
    const s = cpu.i32;
    if (s[CODE_BITS] !== 64 || (s[EFER] & Efer.SCE) === 0) ud('SYSCALL outside 64-bit mode or with EFER.SCE = 0');
    const rip = cpu.f64[RIP_F];
    const fl = getFlags(s);
    s[GPR_LO(RCX)] = lo32(rip);
    s[GPR_HI(RCX)] = hi32(rip);
    s[GPR_LO(11)] = fl & ~Flag.RF;
    s[GPR_HI(11)] = 0;
    const sel = (s[MSR_STAR + 1] & 0xffff) & 0xfffc;
    setFlatSegment(cpu, CS, sel, CODE64_0);
    setFlatSegment(cpu, SS, sel + 8, DATA_0);
    setFlags(s, fl & ~s[MSR_FMASK] & ~Flag.RF);
    cpu.f64[RIP_F] = s[MSR_LSTAR + 1] * TWO32 + (s[MSR_LSTAR] >>> 0);
    enterCpl(cpu, 0);
  },
  END,
);

function sysret(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  if (s[CODE_BITS] !== 64 || (s[EFER] & Efer.SCE) === 0) ud('SYSRET outside 64-bit mode or with EFER.SCE = 0');
  requireCpl0(cpu);
  const to64 = ins.osize === 8;
  const rip = to64 ? s[GPR_HI(RCX)] * TWO32 + (s[GPR_LO(RCX)] >>> 0) : s[GPR_LO(RCX)] >>> 0;
  if (to64 && !isCanonical(rip)) throw new CpuFault(Vec.GP, 0);
  const base = (s[MSR_STAR + 1] >>> 16) & 0xffff;
  const old = getFlags(s);
  const nf = (s[GPR_LO(11)] & 0x3c7fd7) | 2;
  setFlatSegment(cpu, CS, to64 ? ((base + 16) & 0xffff) | 3 : base | 3, to64 ? CODE64_3 : CODE32_3);
  setFlatSegment(cpu, SS, ((base + 8) & 0xffff) | 3, DATA_3);
  setFlags(s, nf);
  cpu.f64[RIP_F] = rip;
  enterCpl(cpu, 3);
  if ((nf & ~old & Flag.IF) !== 0 || (nf & Flag.TF) !== 0) s[PENDING] |= Pending.Interrupt;
}
defineOp(Mn.SYSRET, sysret, END);
defineOp(Mn.SYSRETQ, sysret, END);

defineOp(
  Mn.SYSENTER,
  (cpu) => {
    const s = cpu.i32;
    const cs = s[MSR_SYSENTER_CS] & 0xffff;
    if ((s[CR0] & Cr0.PE) === 0 || (cs & 0xfffc) === 0) throw new CpuFault(Vec.GP, 0);
    const long = (s[EFER] & Efer.LMA) !== 0;
    setFlags(s, getFlags(s) & ~(Flag.VM | Flag.IF | Flag.RF));
    setFlatSegment(cpu, CS, cs & 0xfffc, long ? CODE64_0 : CODE32_0);
    setFlatSegment(cpu, SS, (cs & 0xfffc) + 8, DATA_0);
    if (long) {
      s[GPR_LO(RSP)] = s[MSR_SYSENTER_ESP];
      s[GPR_HI(RSP)] = s[MSR_SYSENTER_ESP + 1];
      cpu.f64[RIP_F] = s[MSR_SYSENTER_EIP + 1] * TWO32 + (s[MSR_SYSENTER_EIP] >>> 0);
    } else {
      s[GPR_LO(RSP)] = s[MSR_SYSENTER_ESP];
      cpu.f64[RIP_F] = s[MSR_SYSENTER_EIP] >>> 0;
    }
    enterCpl(cpu, 0);
  },
  END,
);

function sysexit(cpu: Cpu, ins: Instr): void {
  const s = cpu.i32;
  const cs = s[MSR_SYSENTER_CS] & 0xffff;
  if ((s[CR0] & Cr0.PE) === 0 || (cs & 0xfffc) === 0) throw new CpuFault(Vec.GP, 0);
  requireCpl0(cpu);
  const to64 = ins.osize === 8;
  if (to64) {
    const rip = s[GPR_HI(RDX)] * TWO32 + (s[GPR_LO(RDX)] >>> 0);
    const rsp = s[GPR_HI(RCX)] * TWO32 + (s[GPR_LO(RCX)] >>> 0);
    if (!isCanonical(rip) || !isCanonical(rsp)) throw new CpuFault(Vec.GP, 0);
    setFlatSegment(cpu, CS, ((cs + 32) & 0xfffc) | 3, CODE64_3);
    setFlatSegment(cpu, SS, ((cs + 40) & 0xfffc) | 3, DATA_3);
    s[GPR_LO(RSP)] = s[GPR_LO(RCX)];
    s[GPR_HI(RSP)] = s[GPR_HI(RCX)];
    cpu.f64[RIP_F] = rip;
  } else {
    setFlatSegment(cpu, CS, ((cs + 16) & 0xfffc) | 3, CODE32_3);
    setFlatSegment(cpu, SS, ((cs + 24) & 0xfffc) | 3, DATA_3);
    s[GPR_LO(RSP)] = s[GPR_LO(RCX)];
    s[GPR_HI(RSP)] = 0;
    cpu.f64[RIP_F] = s[GPR_LO(RDX)] >>> 0;
  }
  enterCpl(cpu, 3);
}
defineOp(Mn.SYSEXIT, sysexit, END);
defineOp(Mn.SYSEXITQ, sysexit, END);

defineOp(Mn.SWAPGS, (cpu) => {
  requireCpl0(cpu);
  const s = cpu.i32;
  const gs = cpu.f64[SEG_BASE_F(GS)];
  cpu.f64[SEG_BASE_F(GS)] = s[MSR_KGSBASE + 1] * TWO32 + (s[MSR_KGSBASE] >>> 0);
  s[MSR_KGSBASE] = lo32(gs);
  s[MSR_KGSBASE + 1] = hi32(gs);
});

