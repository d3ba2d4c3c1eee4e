// Oracle cases for the integer instructions the shared generators do not cover: MOV (incl. moffs, imm64),
// MOVZX/MOVSX/MOVSXD, LEA, CBW..CQO, PUSH/POP (reg/mem/imm, 16/64, RSP forms), PUSHF/POPF, ENTER/LEAVE,
// CALL/RET/JMP (rel and indirect), LOOP/LOOPE/LOOPNE, JRCXZ/JECXZ, LAHF/SAHF, CLC..STD, XLAT, NOP forms.
import { DATA_BASE, FULL_MASK, STACK_TOP, type CaseSpec } from '../oracle/abi.js';
import { CaseBuilder, immText, regName, SIZES, type Size } from '../oracle/gen/builder.js';
import { Rng, value, unsigned } from '../oracle/gen/rng.js';

const RAX = 0, RCX = 1, RBX = 3, RSP = 4, RBP = 5;

type Gen = (b: CaseBuilder, rng: Rng) => string;

const movCase: Gen = (b, rng) => {
  const size: Size = rng.pick(SIZES);
  const legacy = size === 8 && rng.chance(0.3);
  const highP = legacy ? 0.5 : 0;
  const form = rng.pick(['rr', 'ri', 'rm', 'mr', 'mi', 'moffs'] as const);
  if (form === 'moffs') {
    const s = rng.pick([8, 16, 32, 64] as const);
    const acc = { idx: RAX, size: s, high: false };
    b.take(RAX);
    b.setReg(acc, value(rng, s));
    const off = b.memOffset(s / 8);
    b.scatter(off, s / 8);
    const ptr = { 8: 'byte', 16: 'word', 32: 'dword', 64: 'qword' }[s];
    const addr = `0x${(DATA_BASE + off).toString(16)}`;
    return rng.chance(0.5) ? `movabs ${regName(acc)}, ${ptr} ptr [${addr}]` : `movabs ${ptr} ptr [${addr}], ${regName(acc)}`;
  }
  if (form === 'rr') {
    const d = b.reg(size, { legacy, highP });
    const s = b.reg(size, { legacy, highP });
    b.setReg(s, value(rng, size));
    return `mov ${regName(d)}, ${regName(s)}`;
  }
  if (form === 'ri') {
    const d = b.reg(size, { legacy, highP });
    if (size === 64 && rng.chance(0.6)) return `movabs ${regName(d)}, 0x${value(rng, 64).toString(16)}`;
    return `mov ${regName(d)}, ${immText(value(rng, size), size)}`;
  }
  if (form === 'rm') {
    const d = b.reg(size, { legacy, highP });
    return `mov ${regName(d)}, ${b.memOperand(size, value(rng, size), { legacy }).text}`;
  }
  if (form === 'mr') {
    const s = b.reg(size, { legacy, highP });
    b.setReg(s, value(rng, size));
    return `mov ${b.memOperand(size, value(rng, size), { legacy }).text}, ${regName(s)}`;
  }
  return `mov ${b.memOperand(size, value(rng, size)).text}, ${immText(value(rng, size), size)}`;
};

const extendCase: Gen = (b, rng) => {
  const op = rng.pick(['movzx', 'movsx', 'movsxd'] as const);
  const srcSize: Size = op === 'movsxd' ? 32 : rng.pick([8, 16] as const);
  const dstSize: Size = op === 'movsxd' ? 64 : rng.pick((srcSize === 8 ? [16, 32, 64] : [32, 64]) as Size[]);
  const d = b.reg(dstSize);
  if (rng.chance(0.5)) {
    const s = b.reg(srcSize);
    b.setReg(s, value(rng, srcSize));
    return `${op} ${regName(d)}, ${regName(s)}`;
  }
  return `${op} ${regName(d)}, ${b.memOperand(srcSize, value(rng, srcSize)).text}`;
};

const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

const leaCase: Gen = (b, rng) => {
  const size = rng.pick([16, 32, 64] as const);
  const d = b.reg(size);
  const form = rng.below(4);
  if (form === 0) return `lea ${regName(d)}, [rip + ${rng.range(-200, 200)}]`;
  const base = b.freeIdx();
  const index = b.freeIdx(false, [RSP]);
  b.setGpr(base, value(rng, 64));
  b.setGpr(index, value(rng, 64));
  const disp = rng.pick([0, rng.range(-128, 127), rng.range(-0x7fffffff, 0x7fffffff)]);
  const scale = rng.pick([1, 2, 4, 8]);
  const names = form === 3 ? R32 : R64; // form 3: 32-bit address size (67h)
  const parts = [names[base]!];
  if (rng.chance(0.7)) parts.push(`${names[index]!}*${scale}`);
  return `lea ${regName(d)}, [${parts.join(' + ')} ${disp < 0 ? '-' : '+'} ${Math.abs(disp)}]`;
};

const accCase: Gen = (b, rng) => {
  b.take(RAX);
  b.take(2);
  b.setGpr(RAX, value(rng, 64));
  b.setGpr(2, value(rng, 64));
  return rng.pick(['cbw', 'cwde', 'cdqe', 'cwd', 'cdq', 'cqo']);
};

const stackCase: Gen = (b, rng) => {
  const form = rng.below(9);
  const r = b.reg(64, { exclude: [RSP] });
  b.setReg(r, value(rng, 64));
  const r2 = b.reg(64, { exclude: [RSP] });
  b.setReg(r2, value(rng, 64));
  // Some stack content above RSP for pops.
  b.scatter(STACK_TOP - DATA_BASE, 64, 64);
  switch (form) {
    case 0:
      return `push ${regName(r)}\npush ${regName(r2)}\npop ${regName(r)}`;
    case 1:
      if (rng.chance(0.3)) return `pushw ${rng.below(0x10000)}`;
      return `push ${rng.chance(0.5) ? rng.range(-128, 127) : rng.range(-0x80000000, 0x7fffffff)}`;
    case 2:
      return `push qword ptr ${b.memOperand(64, value(rng, 64)).text.replace(/^qword ptr /, '')}`;
    case 3:
      return `pop qword ptr ${b.memOperand(64, value(rng, 64)).text.replace(/^qword ptr /, '')}`;
    case 4:
      return `push ${regName({ idx: r.idx, size: 16, high: false })}\npop ${regName({ idx: r2.idx, size: 16, high: false })}`;
    case 5:
      return rng.chance(0.5) ? 'push rsp\npop rax' : 'pop rsp';
    case 6:
      return `pop qword ptr [rsp + ${rng.pick([0, 8, 16])}]`;
    case 7:
      return `push qword ptr [rsp + ${rng.pick([0, 8, 16])}]`;
    default:
      return `pushw [rsp]\npop ${regName({ idx: r.idx, size: 16, high: false })}`;
  }
};

const flagsCase: Gen = (b, rng) => {
  b.take(RAX);
  // POPF value: status flags and DF random; TF and AC stay clear (they would trap on the host).
  const v = unsigned((rng.u64() & ~0x40100n & ~0x3000n) | BigInt(rng.u32() & 0xcd5), 64);
  b.setGpr(RAX, v);
  return rng.pick([
    'push rax\npopfq\npushfq\npop rcx',
    'pushfq\npop rax',
    'pushfw\npop cx',
    'push ax\npopfw\npushfq\npop rcx',
    'lahf',
    'sahf',
    'clc', 'stc', 'cmc', 'cld', 'std',
    'sahf\nlahf\ncmc\nlahf',
  ]);
};

const frameCase: Gen = (b, rng) => {
  b.take(RBP);
  b.setGpr(RBP, BigInt(STACK_TOP + 8 * rng.range(0, 16)));
  b.scatter(STACK_TOP - DATA_BASE - 0x100, 0x300, 0);
  const level = rng.pick([0, 0, 1, 2, 3, 5]);
  const size = rng.range(0, 64) * 8;
  return rng.pick([`enter ${size}, ${level}`, `enter ${size}, ${level}\nleave`, 'leave', `enter ${size}, ${level}\nmov rax, rsp\nleave`]);
};

const flowCase: Gen = (b, rng) => {
  b.take(RAX);
  b.take(RCX);
  // Loop counts stay small (RCX = 0 would loop 2^64 times); bit 32 distinguishes JRCXZ from JECXZ and addr32 LOOP.
  b.setGpr(RCX, BigInt(rng.range(1, 6)));
  const k = rng.range(1, 5);
  return rng.pick([
    'call 1f\nnop\n1: pop rax',
    'lea rax, [rip + 1f]\ncall rax\n1: pop rdx',
    'lea rax, [rip + 1f]\npush rax\nret\nud2\n1:',
    `lea rax, [rip + 1f]\npush rax\npush rax\nret ${8 * k}\nud2\n1:`,
    'jmp 1f\nud2\n1:',
    'lea rax, [rip + 1f]\njmp rax\nud2\n1:',
    'lea rax, [rip + 1f]\npush rax\njmp qword ptr [rsp]\nud2\n1: pop rax',
    'call 2f\njmp 1f\n2: ret\n1:',
    `mov ecx, ${k}\n1: add eax, ecx\nloop 1b`,
    '1: add eax, 3\nloop 1b',
    'mov ecx, ecx\n1: add eax, 3\nloop 1b',
    '1: inc eax\ncmp eax, 3\nloope 1b',
    '1: inc eax\ncmp eax, 3\nloopne 1b',
    '1: inc eax\naddr32 loop 1b',
    'bts rcx, 32\n1: inc eax\naddr32 loop 1b',
    'bts rcx, 32\njrcxz 1f\nmov eax, 1\n1:',
    'bts rcx, 32\nand ecx, 0\njecxz 1f\nmov eax, 1\n1:',
    'jrcxz 1f\nmov eax, 1\n1:',
    'jecxz 1f\nmov eax, 1\n1:',
    'mov ecx, 0\njrcxz 1f\nmov eax, 1\n1:',
    'and ecx, 0\njecxz 1f\nmov eax, 1\n1:',
    'shl rcx, 32\njecxz 1f\nmov eax, 1\n1:',
  ]);
};

const xlatCase: Gen = (b, rng) => {
  b.take(RAX);
  b.take(RBX);
  const off = b.memOffset(256, 1) & ~0xff;
  b.poke(off, rng.bytes(256));
  b.setGpr(RBX, BigInt(DATA_BASE + off));
  b.setReg({ idx: RAX, size: 8, high: false }, BigInt(rng.below(256)));
  return 'xlatb';
};

const nopCase: Gen = (b, rng) => {
  b.take(RAX);
  b.setGpr(RAX, value(rng, 64));
  return rng.pick(['nop', 'nop dword ptr [rax + rax*1 + 0]', 'nop word ptr [rax]', 'xchg eax, eax', 'xchg ax, ax', 'pause', '.byte 0x66, 0x90', 'endbr64']);
};

const GENS: [Gen, number][] = [
  [movCase, 5], [extendCase, 2], [leaCase, 3], [accCase, 1], [stackCase, 3], [flagsCase, 2], [frameCase, 1],
  [flowCase, 3], [xlatCase, 1], [nopCase, 1],
];

export function genMisc(seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed);
  const weights = GENS.flatMap(([g, w]) => Array<Gen>(w).fill(g));
  const out: CaseSpec[] = [];
  for (let n = 0; n < count; n++) {
    const b = new CaseBuilder(rng);
    b.flagsDefined = FULL_MASK;
    const asm = rng.pick(weights)(b, rng);
    out.push(b.spec(`misc/${n}: ${asm.replace(/\n/g, ' ; ')}`, asm));
  }
  return out;
}
