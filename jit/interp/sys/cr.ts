// Control and debug registers and TLB/cache control (SDM Vol. 2 MOV to/from CR and DR, CLTS, LMSW, SMSW, INVLPG,
// WBINVD, INVD; Vol. 3 §2.5 control registers, §17.2 debug registers — breakpoints are stored, not armed).
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { OpKind } from '../../decoder/instr.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import { CR0, CR2_F, CR3_LO, CR3_HI, CR4, CODE_BITS, DR0, SEG_BASE_F, Cr0, Cr4 } from '../../../machine/cpu/state.js';
import { writeCr0, writeCr3, writeCr4, writeCr8, readCr8 } from '../../../machine/cpu/control.js';
import { Mn } from '../../decoder/tables.gen.js';
import { defineOp, defineForm } from '../interpreter.js';
import { effectiveOffset, setGpr, readOp, writeOp } from '../operands.js';
import { requireCpl0, lo32, hi32, TWO32 } from './common.js';
import { formsOf } from './forms.js';
import { Opm } from '../../decoder/decode.js';

function movToCr(cpu: Cpu, ins: Instr): void {
  requireCpl0(cpu);
  const s = cpu.i32;
  const r = ins.o1.reg << 1;
  const lo = s[r];
  const hi = ins.osize === 8 ? s[r | 1] : 0;
  switch (ins.o0.reg) {
    case 0:
      writeCr0(cpu, lo, hi);
      return;
    case 2:
      cpu.f64[CR2_F] = ins.osize === 8 ? hi * TWO32 + (lo >>> 0) : lo >>> 0;
      return;
    case 3:
      writeCr3(cpu, lo, hi);
      return;
    case 4:
      writeCr4(cpu, lo, hi);
      return;
    default:
      writeCr8(cpu, lo, hi);
  }
}

function movFromCr(cpu: Cpu, ins: Instr): void {
  requireCpl0(cpu);
  const s = cpu.i32;
  let lo: number, hi = 0;
  switch (ins.o1.reg) {
    case 0:
      lo = s[CR0];
      break;
    case 2: {
      const v = cpu.f64[CR2_F];
      lo = lo32(v);
      hi = hi32(v);
      break;
    }
    case 3:
      lo = s[CR3_LO];
      hi = s[CR3_HI];
      break;
    case 4:
      lo = s[CR4];
      break;
    default:
      lo = readCr8(cpu);
  }
  setGpr(cpu, ins.o0.reg, ins.osize, lo, ins.osize === 8 ? hi : 0);
}

/** DR4/DR5 alias DR6/DR7 unless CR4.DE, when they are #UD. */
function drIndex(cpu: Cpu, n: number): number {
  if (n === 4 || n === 5) {
    if ((cpu.i32[CR4] & Cr4.DE) !== 0) throw new CpuFault(Vec.UD, -1, 'DR4/DR5 with CR4.DE = 1');
    return n + 2;
  }
  return n;
}

function movToDr(cpu: Cpu, ins: Instr): void {
  requireCpl0(cpu);
  const s = cpu.i32;
  const n = drIndex(cpu, ins.o0.reg);
  const r = ins.o1.reg << 1;
  let lo = s[r];
  const hi = ins.osize === 8 ? s[r | 1] : 0;
  if (n >= 6 && hi !== 0) throw new CpuFault(Vec.GP, 0);
  if (n === 6) lo = (lo & 0x0000e00f) | 0xffff0ff0;
  else if (n === 7) lo = (lo & ~0xd800) | 0x400;
  s[DR0 + 2 * n] = lo;
  s[DR0 + 2 * n + 1] = hi;
}

function movFromDr(cpu: Cpu, ins: Instr): void {
  requireCpl0(cpu);
  const s = cpu.i32;
  const n = drIndex(cpu, ins.o1.reg);
  setGpr(cpu, ins.o0.reg, ins.osize, s[DR0 + 2 * n], ins.osize === 8 ? s[DR0 + 2 * n + 1] : 0);
}

for (const f of formsOf(Mn.MOV_CR, [{ m: Opm.RegCr }, undefined])) defineForm(f, movToCr, { endsBlock: true });
for (const f of formsOf(Mn.MOV_CR, [undefined, { m: Opm.RegCr }])) defineForm(f, movFromCr);
for (const f of formsOf(Mn.MOV_DR, [{ m: Opm.RegDr }, undefined])) defineForm(f, movToDr);
for (const f of formsOf(Mn.MOV_DR, [undefined, { m: Opm.RegDr }])) defineForm(f, movFromDr);

defineOp(Mn.CLTS, (cpu) => {
  requireCpl0(cpu);
  cpu.i32[CR0] &= ~Cr0.TS;
});

defineOp(
  Mn.LMSW,
  (cpu, ins) => {
    requireCpl0(cpu);
    const src = readOp(cpu, ins, ins.o0) & 0xf;
    const old = cpu.i32[CR0];
    // Loads PE, MP, EM, TS; cannot clear PE.
    writeCr0(cpu, (old & ~0xe) | src | (old & Cr0.PE));
  },
  { endsBlock: true },
);

defineOp(Mn.SMSW, (cpu, ins) => {
  const cr0 = cpu.i32[CR0];
  if (ins.o0.kind === OpKind.Mem) writeOp(cpu, ins, ins.o0, cr0 & 0xffff);
  else setGpr(cpu, ins.o0.reg, ins.o0.size, ins.o0.size === 2 ? cr0 & 0xffff : cr0, 0);
});

defineOp(
  Mn.INVLPG,
  (cpu, ins) => {
    requireCpl0(cpu);
    // The linear address is formed without limit or canonical checks: INVLPG never faults on its operand.
    const off = effectiveOffset(cpu, ins, ins.o0);
    const seg = ins.seg;
    const lin = cpu.i32[CODE_BITS] === 64 ? (seg >= 4 ? off + cpu.f64[SEG_BASE_F(seg)] : off) : (cpu.f64[SEG_BASE_F(seg)] + off) % TWO32;
    cpu.mmu.flushPage(cpu, lin);
  },
  { endsBlock: true },
);

defineOp(Mn.WBINVD, (cpu) => requireCpl0(cpu));
defineOp(Mn.INVD, (cpu) => requireCpl0(cpu));
