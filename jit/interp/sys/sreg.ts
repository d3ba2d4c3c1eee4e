// Segment-register moves (SDM Vol. 2 MOV Sreg, PUSH/POP Sreg, LDS/LES/LFS/LGS/LSS): every load goes through
// machine/cpu/segments.ts loadSegment (protected-mode checks); MOV SS and POP SS open the one-instruction
// interrupt shadow.
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { OpKind } from '../../decoder/instr.js';
import { CODE_BITS, INT_SHADOW, SEG_SEL, STACK_SIZE } from '../../../machine/cpu/state.js';
import { setSp as setStackPointer } from '../../../machine/cpu/stack.js';
import { loadSegment, SS, ES, DS, FS, GS, CS } from '../../../machine/cpu/segments.js';
import { Mn } from '../../decoder/tables.gen.js';
import { defineOp, defineForm } from '../interpreter.js';
import { operandAddress, readOp, setGpr, writeOp } from '../operands.js';
import { peek, setSp, spMinus, spPlus, stackLin } from '../int/common.js';
import { formsOf } from './forms.js';
import { Opm } from '../../decoder/decode.js';
import { TWO32 } from './common.js';

function movToSreg(cpu: Cpu, ins: Instr): void {
  const seg = ins.o0.reg;
  loadSegment(cpu, seg, readOp(cpu, ins, ins.o1) & 0xffff);
  if (seg === SS) cpu.i32[INT_SHADOW] = 1;
}

function movFromSreg(cpu: Cpu, ins: Instr): void {
  const sel = cpu.i32[SEG_SEL(ins.o1.reg)] & 0xffff;
  const o = ins.o0;
  if (o.kind === OpKind.Mem) writeOp(cpu, ins, o, sel);
  else setGpr(cpu, o.reg, o.size, sel, 0);
}

for (const f of formsOf(Mn.MOV, [{ m: Opm.RegSeg }, undefined])) defineForm(f, movToSreg);
for (const f of formsOf(Mn.MOV, [undefined, { m: Opm.RegSeg }])) defineForm(f, movFromSreg);

/** PUSH Sreg: the stack pointer moves by the operand size, but only the 16-bit selector is stored (Core/Atom). */
function pushSreg(seg: number): (cpu: Cpu, ins: Instr) => void {
  return (cpu, ins) => {
    const size = ins.osize;
    const off = spMinus(cpu, size);
    const lin = stackLin(cpu, off, size, true);
    cpu.wr16(lin, cpu.i32[SEG_SEL(seg)]);
    setSp(cpu, off);
  };
}

function popSreg(seg: number): (cpu: Cpu, ins: Instr) => void {
  return (cpu, ins) => {
    const size = ins.osize;
    const sel = peek(cpu, size) & 0xffff;
    // The increment uses the stack-address size in effect before a POP SS changes it.
    const ssize = cpu.i32[STACK_SIZE];
    const next = spPlus(cpu, size);
    loadSegment(cpu, seg, sel);
    setStackPointer(cpu, next, ssize);
    if (seg === SS) cpu.i32[INT_SHADOW] = 1;
  };
}

for (const seg of [ES, CS, SS, DS, FS, GS]) {
  for (const f of formsOf(Mn.PUSH, [{ m: Opm.FixedSeg, reg: seg }])) defineForm(f, pushSreg(seg));
  if (seg !== CS) for (const f of formsOf(Mn.POP, [{ m: Opm.FixedSeg, reg: seg }])) defineForm(f, popSreg(seg));
}

/** LDS/LES/LFS/LGS/LSS r, m16:16/32/64: the selector is loaded (and checked) before the register is written. */
function loadFarPointer(seg: number): (cpu: Cpu, ins: Instr) => void {
  return (cpu, ins) => {
    const size = ins.osize;
    const lin = operandAddress(cpu, ins, ins.o1, false);
    const off = size === 2 ? cpu.rd16(lin) : size === 4 ? cpu.rd32(lin) : cpu.rd64(lin);
    const hi = size === 8 ? cpu.hi : 0;
    const selLin = cpu.i32[CODE_BITS] === 64 ? lin + size : (lin + size) % TWO32;
    const sel = cpu.rd16(selLin);
    loadSegment(cpu, seg, sel);
    setGpr(cpu, ins.o0.reg, size, off, hi);
  };
}

defineOp(Mn.LDS, loadFarPointer(DS));
defineOp(Mn.LES, loadFarPointer(ES));
defineOp(Mn.LFS, loadFarPointer(FS));
defineOp(Mn.LGS, loadFarPointer(GS));
defineOp(Mn.LSS, loadFarPointer(SS));
