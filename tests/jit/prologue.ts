// JIT tests that take exceptions: a tiny 64-bit kernel prologue: GDT (null, 64-bit code 0x08, data 0x10) and an IDT with gates for #DE, #GP, #PF,
// all built in the data area at 0x208000.., then LGDT/LIDT. Handlers count faults in r15 and record CR2 in r14 and
// the faulting RIP from the exception frame in r13.
export const PROLOGUE = `
  mov rdi, 0x209000
  mov qword ptr [rdi], 0
  mov rax, 0x00AF9A000000FFFF
  mov [rdi + 8], rax
  mov rax, 0x00CF92000000FFFF
  mov [rdi + 16], rax
  mov word ptr [rdi + 0x100], 23
  mov qword ptr [rdi + 0x102], rdi
  lgdt [rdi + 0x100]
  .irp vec,0,13,14
    lea rax, [rip + handler\\vec]
    mov rdx, 0x208000 + \\vec * 16
    mov word ptr [rdx], ax
    mov word ptr [rdx + 2], 8
    mov word ptr [rdx + 4], 0x8E00
    shr rax, 16
    mov word ptr [rdx + 6], ax
    shr rax, 16
    mov dword ptr [rdx + 8], eax
    mov dword ptr [rdx + 12], 0
  .endr
  mov word ptr [rdi + 0x110], 4095
  mov qword ptr [rdi + 0x112], 0x208000
  lidt [rdi + 0x110]
  xor r15d, r15d
  xor r14d, r14d
  xor r13d, r13d
`;

/**
 * Exception handlers for programs that touch the unmapped 2 MiB page at 6 MiB through rsi: #PF counts in r15,
 * records CR2 in r14 and the faulting RIP in r13, maps the page and returns (the access restarts); #DE/#GP halt.
 */
export const MAP_ON_PF = `
handler14:
  inc r15
  mov r14, cr2
  mov r13, [rsp + 8]
  mov rax, 0x600083
  mov [0x12018], rax
  invlpg [rsi]
  add rsp, 8
  iretq
handler0:
handler13:
  hlt
`;

/**
 * Exception handlers for programs whose rsi turns non-canonical: #GP counts in r15, records the faulting RIP in r13
 * and the frame's RFLAGS in r11, points rsi back at the data area and returns (the load restarts); #DE/#PF halt.
 */
export const GP_RESETS_RSI = `
handler13:
  inc r15
  mov r13, [rsp + 8]
  mov r11, [rsp + 24]
  mov rsi, 0x200000
  add rsp, 8
  iretq
handler0:
handler14:
  hlt
`;
