// Intel-syntax disassembler (jit/decoder/disasm.ts): curated listings checked by hand and against iced-x86's formatter.
import * as iced from 'iced-x86';
import { describe, expect, test } from 'vitest';
import { decode } from '../../jit/decoder/decode.js';
import { disasmBytes, disassemble } from '../../jit/decoder/disasm.js';
import { normaliseIcedText, referenceFormatter } from './oracle.js';

const bytes = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));

// [mode, bytes, expected text at ip 0x1000]
const CURATED: [16 | 32 | 64, string, string][] = [
  [64, '48 8b 44 c8 10', 'mov rax,qword ptr [rax+rcx*8+10h]'],
  [64, '48 b8 01 00 00 00 01 00 00 00', 'mov rax,100000001h'],
  [64, '65 48 8b 04 25 28 00 00 00', 'mov rax,qword ptr gs:[28h]'],
  [64, '48 8d 05 f9 ff ff ff', 'lea rax,[1000h]'],
  [64, 'f3 48 a5', 'rep movsq qword ptr [rdi],qword ptr [rsi]'],
  [64, 'f3 a6', 'repe cmpsb byte ptr [rsi],byte ptr [rdi]'],
  [64, 'f0 0f b1 0a', 'lock cmpxchg dword ptr [rdx],ecx'],
  [64, 'f0 48 0f c7 0e', 'lock cmpxchg16b xmmword ptr [rsi]'],
  [64, '0f 05', 'syscall'],
  [64, '48 0f 07', 'sysretq'],
  [64, 'e8 fb ff ff ff', 'call 0000000000001000h'],
  [64, '74 fe', 'je short 0000000000001000h'],
  [64, 'ff 24 c5 00 10 00 00', 'jmp qword ptr [rax*8+1000h]'],
  [64, '66 0f 6f 00', 'movdqa xmm0,xmmword ptr [rax]'],
  [64, 'f2 0f 10 c1', 'movsd xmm0,xmm1'],
  [64, 'f2 0f c2 c1 01', 'cmpsd xmm0,xmm1,1'],
  [64, '66 0f 3a 0f c1 08', 'palignr xmm0,xmm1,8'],
  [64, 'c4 e2 f0 f2 c2', 'andn rax,rcx,rdx'],
  [64, 'd9 c9', 'fxch st,st(1)'],
  [64, 'dd 1c 24', 'fstp qword ptr [rsp],st'],
  [64, 'df e0', 'fnstsw ax'],
  [64, '0f 01 15 00 00 00 00', 'lgdt fword ptr [1007h]'],
  [64, '44 0f 22 c0', 'mov cr8,rax'],
  [64, 'cf', 'iretd'],
  [64, '48 cf', 'iretq'],
  [64, '0f 0b', 'ud2'],
  [32, 'ea 00 10 00 00 08 00', 'jmp far 00001000h,8'],
  [32, '9a 78 56 34 12 10 00', 'call far 12345678h,0010h'],
  [32, '66 ff 6d 08', 'jmp far dword ptr [ebp+8]'],
  [32, '60', 'pushad'],
  [32, 'cd 80', 'int 80h'],
  [32, 'c4 1e', 'les ebx,fword ptr [esi]'],
  [16, '8b 46 f0', 'mov ax,word ptr [bp-10h]'],
  [16, 'cd 10', 'int 10h'],
  [16, 'e8 fd ff', 'call 1000h'],
  [16, '26 8a 07', 'mov al,byte ptr es:[bx]'],
  [16, 'a4', 'movsb byte ptr [di],byte ptr [si]'],
];

describe('disassemble', () => {
  const fmt = referenceFormatter();
  for (const [bits, hex, want] of CURATED) {
    test(`${bits}-bit ${hex}`, () => {
      const b = bytes(hex);
      const ins = decode(b, 0, b.length, bits);
      expect(ins.len).toBe(b.length);
      const text = disassemble(ins, 0x1000);
      expect(text).toBe(want);
      const d = new iced.Decoder(bits, b, iced.DecoderOptions.None);
      d.ip = 0x1000n;
      const ic = d.decode();
      expect(text).toBe(normaliseIcedText(fmt.format(ic), ic));
      ic.free();
      d.free();
    });
  }

  test('addresses above 2^53 are printed exactly when given as bigint', () => {
    const ins = decode(bytes('eb fe'), 0, 2, 64);
    expect(disassemble(ins, 0xffff_ffff_8000_0000n)).toBe('jmp short 0FFFFFFFF80000000h');
  });
});

describe('disasmBytes', () => {
  test('lists a buffer with addresses and bytes, and marks undecodable bytes', () => {
    const text = disasmBytes(bytes('55 48 89 e5 0f 0b 06 c3'), 64, 0x7c00);
    const lines = text.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^0000000000007c00  55\s+push rbp$/);
    expect(lines[1]).toMatch(/^0000000000007c01  48 89 e5\s+mov rbp,rsp$/);
    expect(lines[2]).toMatch(/^0000000000007c04  0f 0b\s+ud2$/);
    expect(lines[3]).toMatch(/^0000000000007c06  06\s+db 06h ; invalid$/);
    expect(lines[4]).toMatch(/^0000000000007c07  c3\s+ret$/);
  });

  test('16-bit listing uses 8-digit addresses', () => {
    expect(disasmBytes(bytes('b8 00 4c cd 21'), 16, 0x100)).toMatch(/^00000100  b8 00 4c\s+mov ax,4C00h\n00000103  cd 21\s+int 21h$/);
  });
});
