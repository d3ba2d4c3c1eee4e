// Oracle cases: LEA, MOV/MOVZX/MOVSX/MOVSXD, CBW..CQO, XCHG, PUSH/POP/PUSHF/POPF, CALL/RET/ENTER/LEAVE, SAHF/LAHF, CLC..STD, NOPs.
import { DATA_BASE, DF, FULL_MASK, STACK_TOP, type CaseSpec } from '../abi.js';
import { CaseBuilder, hex, immText, regName, SIZES, type Reg, type Size } from './builder.js';
import { Rng, signed, value } from './rng.js';

const R64 = (b: CaseBuilder, exclude: number[] = []): Reg => b.reg(64, { exclude });

function leaCase(b: CaseBuilder, rng: Rng): string {
  const dsize = rng.pick([16, 32, 64] as const);
  const d = b.reg(dsize);
  const asz = rng.chance(0.25) ? 32 : 64;
  const disp = rng.pick([0, rng.range(-128, 127), Number(signed(value(rng, 32), 32))]);
  const dispText = disp === 0 ? '' : disp < 0 ? ` - ${hex(-disp)}` : ` + ${hex(disp)}`;
  const form = rng.below(5);
  if (form === 0 && asz === 64) return `lea ${regName(d)}, [rip${dispText}]`;
  const parts: string[] = [];
  if (form !== 1) {
    const base = b.reg(asz as Size);
    b.setGpr(base.idx, value(rng, 64));
    parts.push(regName(base));
  }
  if (form >= 1) {
    const index = b.reg(asz as Size);
    b.setGpr(index.idx, value(rng, 64));
    parts.push(`${regName(index)}*${rng.pick([1, 2, 4, 8])}`);
  }
  return `lea ${regName(d)}, [${parts.join(' + ')}${dispText}]`;
}

function movCase(b: CaseBuilder, rng: Rng): string {
  const kind = rng.pick(['movzx', 'movsx', 'movsxd', 'mov', 'mov'] as const);
  if (kind === 'movsxd') {
    const d = R64(b);
    if (rng.chance(0.3)) return `movsxd ${regName(d)}, ${b.memOperand(32, value(rng, 32)).text}`;
    const s = b.reg(32);
    b.setReg(s, value(rng, 32));
    return `movsxd ${regName(d)}, ${regName(s)}`;
  }
  if (kind === 'movzx' || kind === 'movsx') {
    const ssize = rng.pick([8, 16] as const);
    const dsize = ssize === 8 ? rng.pick([16, 32, 64] as const) : rng.pick([32, 64] as const);
    const legacy = ssize === 8 && dsize !== 64 && rng.chance(0.3);
    const d = b.reg(dsize, { legacy });
    if (rng.chance(0.3)) return `${kind} ${regName(d)}, ${b.memOperand(ssize, value(rng, ssize), { legacy }).text}`;
    const s = b.reg(ssize, { legacy, highP: legacy ? 0.6 : 0 });
    b.setReg(s, value(rng, ssize));
    return `${kind} ${regName(d)}, ${regName(s)}`;
  }
  const size: Size = rng.pick(SIZES);
  const legacy = size === 8 && rng.chance(0.3);
  const d = b.reg(size, { legacy, highP: legacy ? 0.5 : 0 });
  const form = rng.below(4);
  if (form === 0) {
    // MOV r64, imm64 (movabs) when the value needs it
    return `mov ${regName(d)}, ${size === 64 ? hex(value(rng, 64)) : immText(value(rng, size), size)}`;
  }
  if (form === 1) return `mov ${regName(d)}, ${b.memOperand(size, value(rng, size), { legacy }).text}`;
  if (form === 2) {
    b.setReg(d, value(rng, size));
    return `mov ${b.memOperand(size, value(rng, size), { legacy }).text}, ${regName(d)}`;
  }
  const s = b.reg(size, { legacy, highP: legacy ? 0.5 : 0 });
  b.setReg(s, value(rng, size));
  return `mov ${regName(d)}, ${regName(s)}`;
}

function stackCase(b: CaseBuilder, rng: Rng): string {
  // Random words above and below RSP: pops read them, pushes overwrite them.
  b.poke(STACK_TOP - DATA_BASE - 0x80, rng.bytes(0x100));
  const lines: string[] = [];
  const steps = rng.range(1, 5);
  for (let i = 0; i < steps; i++) {
    const k = rng.below(12);
    if (k === 0) {
      const r = R64(b);
      b.setReg(r, value(rng, 64));
      lines.push(`push ${regName(r)}`);
    } else if (k === 1) {
      const r = b.reg(16);
      b.setReg(r, value(rng, 16));
      lines.push(`push ${regName(r)}`);
    } else if (k === 2) {
      const imm = rng.chance(0.5) ? BigInt(rng.range(-128, 127)) : signed(value(rng, 32), 32);
      lines.push(`push ${imm}`);
    } else if (k === 3) {
      lines.push(`push ${b.memOperand(64, value(rng, 64)).text}`);
    } else if (k === 4) {
      lines.push(`pop ${regName(R64(b))}`);
    } else if (k === 5) {
      lines.push(`pop ${regName(b.reg(16))}`);
    } else if (k === 6) {
      lines.push(`pop ${b.memOperand(64, value(rng, 64)).text}`);
    } else if (k === 7) {
      lines.push('pushfq', `pop ${regName(R64(b))}`);
    } else if (k === 8) {
      // only flags a user-mode POPF may change harmlessly (no TF/AC)
      const r = R64(b);
      b.setGpr(r.idx, BigInt(rng.u32() & FULL_MASK) | (value(rng, 64) & ~0xffff_ffffn));
      lines.push(`push ${regName(r)}`, 'popfq');
    } else if (k === 9) {
      lines.push('push rsp');
    } else if (k === 10) {
      const r = R64(b);
      lines.push(`call 1f`, `mov ${regName(r)}, 1`, '1:', `pop ${regName(r)}`);
    } else if (!b.isFree(5)) {
      lines.push('nop'); // RBP already serves as an address register in this case
    } else {
      const frame = rng.pick([0, 8, 0x20, 0x100]);
      const level = rng.pick([0, 0, 1, 2, 3]);
      // nested ENTER copies frame pointers from [RBP-8k]: point RBP into the data area
      b.take(5);
      b.setGpr(5, BigInt(DATA_BASE + 0x1800));
      lines.push(`enter ${frame}, ${level}`, rng.chance(0.5) ? 'leave' : 'nop');
    }
  }
  if (rng.chance(0.1)) lines.push('pop rsp'); // RSP from the stack: must be last
  return lines.join('\n');
}

function flagCase(b: CaseBuilder, rng: Rng): string {
  const k = rng.below(4);
  if (k === 0) {
    b.take(0);
    b.setReg({ idx: 0, size: 8, high: true }, value(rng, 8));
    return 'sahf';
  }
  if (k === 1) return 'lahf';
  b.rflags |= rng.chance(0.5) ? DF : 0;
  const ops: string[] = [];
  for (let i = rng.range(1, 3); i > 0; i--) ops.push(rng.pick(['cmc', 'clc', 'stc', 'cld', 'std']));
  return ops.join('\n');
}

function convertCase(b: CaseBuilder, rng: Rng): string {
  b.take(0);
  b.take(2);
  b.setGpr(0, value(rng, 64));
  return rng.pick(['cbw', 'cwde', 'cdqe', 'cwd', 'cdq', 'cqo']);
}

function xchgCase(b: CaseBuilder, rng: Rng): string {
  const size: Size = rng.pick(SIZES);
  const a = b.reg(size);
  b.setReg(a, value(rng, size));
  if (rng.chance(0.25)) return `xchg ${regName(a)}, ${regName(a)}`; // 32-bit form still zero-extends
  const c = b.reg(size);
  b.setReg(c, value(rng, size));
  return `xchg ${regName(a)}, ${regName(c)}`;
}

export function genMisc(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    const k = rng.below(20);
    let asm: string;
    if (k < 4) asm = leaCase(b, rng);
    else if (k < 9) asm = movCase(b, rng);
    else if (k < 14) asm = stackCase(b, rng);
    else if (k < 16) asm = flagCase(b, rng);
    else if (k < 18) asm = convertCase(b, rng);
    else if (k < 19) asm = xchgCase(b, rng);
    else asm = rng.pick(['nop', 'pause', 'nop dword ptr [rax + rax*1 + 0]', 'xchg ax, ax', 'nop word ptr [rax + rax*1 + 0x100]']);
    out.push(b.spec(`misc/${n}: ${asm.replace(/\n/g, '; ')}`, asm));
  }
  return out;
}
