// Port I/O (SDM Vol. 2 IN, OUT, INS, OUTS; Vol. 1 §19.5 I/O permission: CPL <= IOPL or the TSS I/O bitmap allows
// every byte of the access, else #GP(0)). Stores into memory are checked before the port is read (port reads can
// have side effects); REP forms update rCX/rDI/rSI after each element so a fault restarts cleanly.
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { OpKind, Pfx } from '../../decoder/instr.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import { FLAGS, SEG_ATTR, SEG_LIMIT, SEG_BASE_F, SEG_TR, GPR_LO, RAX, RCX, RDX, RSI, RDI, Flag } from '../../../machine/cpu/state.js';
import { sysRead16, ES } from '../../../machine/cpu/segments.js';
import { Mn } from '../../decoder/tables.gen.js';
import { defineOp } from '../interpreter.js';
import { linearAddress, setGpr, readMem, writeMem } from '../operands.js';
import { addrReg, addAddrReg, rmwCheck } from '../int/common.js';
import { iopOk } from './common.js';

/** #GP(0) unless the current privilege may access `size` ports starting at `port`. */
export function checkIoPermission(cpu: Cpu, port: number, size: number): void {
  if (iopOk(cpu)) return;
  const s = cpu.i32;
  const type = s[SEG_ATTR(SEG_TR)] & 0x1f;
  const limit = s[SEG_LIMIT(SEG_TR)] >>> 0;
  // Only 32/64-bit TSSs have an I/O bitmap.
  if ((type !== 0x09 && type !== 0x0b) || limit < 0x67) throw new CpuFault(Vec.GP, 0);
  const base = cpu.f64[SEG_BASE_F(SEG_TR)];
  const map = sysRead16(cpu, base + 0x66);
  const at = map + (port >>> 3);
  if (at + 1 > limit) throw new CpuFault(Vec.GP, 0);
  const bits = sysRead16(cpu, base + at);
  if ((bits & (((1 << size) - 1) << (port & 7))) !== 0) throw new CpuFault(Vec.GP, 0);
}

function portOf(cpu: Cpu, ins: Instr, o = ins.o1): number {
  return o.kind === OpKind.Imm ? o.imm & 0xff : cpu.i32[GPR_LO(RDX)] & 0xffff;
}

defineOp(Mn.IN, (cpu, ins) => {
  const port = portOf(cpu, ins, ins.o1);
  const size = ins.o0.size;
  checkIoPermission(cpu, port, size);
  setGpr(cpu, RAX, size, cpu.inPort(port, size));
});

defineOp(Mn.OUT, (cpu, ins) => {
  const port = portOf(cpu, ins, ins.o0);
  const size = ins.o1.size;
  checkIoPermission(cpu, port, size);
  cpu.outPort(port, size, cpu.i32[GPR_LO(RAX)]);
});

const isRep = (ins: Instr): boolean => (ins.prefixes & (Pfx.Rep | Pfx.Repne)) !== 0;

function insOp(size: number): (cpu: Cpu, ins: Instr) => void {
  return (cpu, ins) => {
    const s = cpu.i32;
    const a = ins.asize;
    const rep = isRep(ins);
    if (rep && addrReg(s, RCX, a) === 0) return;
    const port = s[GPR_LO(RDX)] & 0xffff;
    checkIoPermission(cpu, port, size);
    const step = (s[FLAGS] & Flag.DF) !== 0 ? -size : size;
    for (;;) {
      const lin = linearAddress(cpu, ES, addrReg(s, RDI, a), size, true);
      rmwCheck(cpu, lin, size);
      writeMem(cpu, lin, size, cpu.inPort(port, size));
      addAddrReg(s, RDI, a, step);
      if (!rep) return;
      addAddrReg(s, RCX, a, -1);
      if (addrReg(s, RCX, a) === 0) return;
    }
  };
}

function outsOp(size: number): (cpu: Cpu, ins: Instr) => void {
  return (cpu, ins) => {
    const s = cpu.i32;
    const a = ins.asize;
    const rep = isRep(ins);
    if (rep && addrReg(s, RCX, a) === 0) return;
    const port = s[GPR_LO(RDX)] & 0xffff;
    checkIoPermission(cpu, port, size);
    const step = (s[FLAGS] & Flag.DF) !== 0 ? -size : size;
    for (;;) {
      const lin = linearAddress(cpu, ins.seg, addrReg(s, RSI, a), size, false);
      cpu.outPort(port, size, readMem(cpu, lin, size));
      addAddrReg(s, RSI, a, step);
      if (!rep) return;
      addAddrReg(s, RCX, a, -1);
      if (addrReg(s, RCX, a) === 0) return;
    }
  };
}

defineOp(Mn.INSB, insOp(1));
defineOp(Mn.INSW, insOp(2));
defineOp(Mn.INSD, insOp(4));
defineOp(Mn.OUTSB, outsOp(1));
defineOp(Mn.OUTSW, outsOp(2));
defineOp(Mn.OUTSD, outsOp(4));
