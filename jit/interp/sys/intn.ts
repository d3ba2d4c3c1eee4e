// Software interrupts and deliberate exceptions (SDM Vol. 2 INT n/INTO/INT3/INT1, BOUND, UD0/UD1/UD2, HLT):
// delivery itself is machine/cpu/interrupts.ts; a fault during delivery reports the INT instruction's address.
import type { Cpu } from '../../../machine/cpu/cpu.js';
import type { Instr } from '../../decoder/instr.js';
import { CpuFault, Vec } from '../../../machine/cpu/fault.js';
import { RIP_F, HALTED } from '../../../machine/cpu/state.js';
import { deliverEvent, EventKind } from '../../../machine/cpu/interrupts.js';
import { Mn } from '../../decoder/tables.gen.js';
import { defineOp } from '../interpreter.js';
import { operandAddress } from '../operands.js';
import { getOF } from '../flags.js';
import { requireCpl0, TWO32 } from './common.js';

const END = { endsBlock: true };

defineOp(Mn.INT, (cpu, ins) => deliverEvent(cpu, ins.o0.imm & 0xff, -1, EventKind.Software, cpu.f64[RIP_F]), END);
defineOp(Mn.INT3, (cpu) => deliverEvent(cpu, Vec.BP, -1, EventKind.Software, cpu.f64[RIP_F]), END);
defineOp(Mn.INT1, (cpu) => deliverEvent(cpu, Vec.DB, -1, EventKind.Icebp, cpu.f64[RIP_F]), END);
defineOp(
  Mn.INTO,
  (cpu) => {
    if (getOF(cpu.i32) !== 0) deliverEvent(cpu, Vec.OF, -1, EventKind.Software, cpu.f64[RIP_F]);
  },
  END,
);

/** BOUND r, m: #BR (a fault) when the signed index lies outside [lower, upper]. */
defineOp(Mn.BOUND, (cpu: Cpu, ins: Instr) => {
  const size = ins.osize;
  const lin = operandAddress(cpu, ins, ins.o1, false);
  const r = ins.o0.reg << 1;
  let idx: number, lower: number, upper: number;
  if (size === 2) {
    idx = (cpu.i32[r] << 16) >> 16;
    lower = (cpu.rd16(lin) << 16) >> 16;
    upper = (cpu.rd16((lin + 2) % TWO32) << 16) >> 16;
  } else {
    idx = cpu.i32[r];
    lower = cpu.rd32(lin);
    upper = cpu.rd32((lin + 4) % TWO32);
  }
  if (idx < lower || idx > upper) throw new CpuFault(Vec.BR);
});

const ud = (): void => {
  throw new CpuFault(Vec.UD, -1, 'UD instruction');
};
defineOp(Mn.UD2, ud, END);
defineOp(Mn.UD1, ud, END);
defineOp(Mn.UD0, ud, END);

/** HLT: stop until an interrupt, NMI or INIT (RIP already points past HLT, which an interrupt frame saves). */
defineOp(
  Mn.HLT,
  (cpu) => {
    requireCpl0(cpu);
    cpu.i32[HALTED] = 1;
  },
  END,
);
