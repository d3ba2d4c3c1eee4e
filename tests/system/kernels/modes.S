/* System test kernel (ELF32 Multiboot): 32-bit protected-mode segmentation (base, limit, null selector, not-present,
 * read-only SS, expand-down), 16-bit protected-mode code, a return to real mode (IVT interrupt, 64 KiB offset
 * wrap-around, segment arithmetic) and back to 32-bit protected mode. Prints PASS/FAIL lines on COM1; exits
 * through isa-debug-exit with the number of failures. */
.intel_syntax noprefix
.include "serial.inc"

.set MB_MAGIC, 0x1badb002
.set MB_FLAGS, 0x00000003
.set none, 0

/* TRY resume: arm the exception handler to resume at `resume` with the current ESP. */
.macro TRY resume
  mov dword ptr [fault_vec], -1
  mov dword ptr [fault_err], -1
  mov dword ptr [fault_eip], 0
  mov dword ptr [resume_eip], offset \resume
  mov [resume_esp], esp
.endm

.macro CHECK name, vec, err, eip
  mov edi, offset \name
  mov esi, \vec
  mov edx, \err
  mov ecx, offset \eip
  call check
.endm

/* EXPECT name, expected: compares eax. */
.macro EXPECT name, expected
  mov edi, offset \name
  mov esi, \expected
  call expect
.endm

.section .multiboot, "a"
.align 4
  .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

.text
.code32
.globl entry32
entry32:
  mov esp, offset stack_top
  lgdt [gdt_ptr]
  .byte 0xea
  .long 1f
  .word 0x08
1:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  mov ss, ax
  mov esi, offset msg_hello
  call puts32
  /* IDT: 32 interrupt gates */
  xor ecx, ecx
1:
  mov eax, [isr_table + ecx * 4]
  mov [idt + ecx * 8], ax
  mov word ptr [idt + ecx * 8 + 2], 0x08
  mov word ptr [idt + ecx * 8 + 4], 0x8e00
  shr eax, 16
  mov [idt + ecx * 8 + 6], ax
  inc ecx
  cmp ecx, 32
  jb 1b
  lidt [idt_ptr]

  /* ---- segmentation in 32-bit protected mode ---- */
  mov ax, 0x28                       /* base 0x20000, limit 0xFFF */
  mov es, ax
  mov dword ptr es:[0x10], 0xcafebabe
  mov eax, [0x20010]
  EXPECT n_base, 0xcafebabe

  TRY 1f
  mov eax, es:[0xffc]
1:
  CHECK n_limit_ok, -1, -1, none
  TRY 1f
lim_at:
  mov eax, es:[0xffd]
1:
  CHECK n_limit, 13, 0, lim_at             /* SDM §5.3; QEMU TCG does not check data segment limits */

  TRY 1f
  xor eax, eax
  mov es, ax
null_at:
  mov eax, es:[0]
1:
  CHECK n_null, 13, 0, null_at

  TRY 1f
  mov ax, 0x30
np_at:
  mov es, ax
1:
  CHECK n_np, 11, 0x30, np_at

  TRY 1f
  mov ax, 0x38
ss_at:
  mov ss, ax
1:
  CHECK n_ss_ro, 13, 0x38, ss_at

  mov dword ptr [0x2000], 0x600df00d
  mov ax, 0x40                       /* expand-down, limit 0xFFF: offsets 0x1000.. are valid */
  mov es, ax
  TRY 1f
  mov eax, es:[0x2000]
  mov [value], eax
1:
  CHECK n_ed_ok, -1, -1, none
  mov eax, [value]
  EXPECT n_ed_value, 0x600df00d
  TRY 1f
ed_at:
  mov eax, es:[0x800]
1:
  CHECK n_ed_low, 13, 0, ed_at
  mov ax, 0x10
  mov es, ax

  /* ---- 16-bit protected mode, real mode, and back ---- */
  mov esi, offset low_load
  mov edi, offset low_start
  mov ecx, offset low_size
  rep movsb
  mov [saved_esp], esp
  .byte 0xea
  .long pm16_entry
  .word 0x18
back32:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov esp, [saved_esp]
  lidt [idt_ptr]
  mov esi, offset msg_back
  call puts32
  movzx eax, word ptr [r16_ax]
  EXPECT n_16_add, 0
  movzx eax, word ptr [r16_flags]
  and eax, 0x41
  EXPECT n_16_flags, 0x41
  mov eax, [r16_eax]
  EXPECT n_16_o32, 0x12345678
  mov eax, [rm_cr0]
  and eax, 1
  EXPECT n_rm_pe, 0
  movzx eax, word ptr [rm_int_count]
  EXPECT n_rm_int, 1
  movzx eax, word ptr [rm_int_ip]
  EXPECT n_rm_int_ip, "offset rm_int_ret"
  movzx eax, word ptr [rm_int_cs]
  EXPECT n_rm_int_cs, 0
  movzx eax, byte ptr [rm_wrap]
  EXPECT n_rm_wrap, 0x5a
  movzx eax, byte ptr [0x12340]
  EXPECT n_rm_seg, 0xa5

  mov esi, offset msg_done
  call puts32
  mov eax, [failures]
  call hex32
  mov al, '\n'
  call putc32
  mov eax, [failures]
  out 0xf4, al
  cli
  hlt

/* check: IN edi = name, esi = expected vector (-1: none), edx = expected error (-2: any), ecx = expected EIP (0: any).
 * OUT failures updated, PASS/FAIL printed. Clobbers eax, ecx, edx, esi, edi. */
check:
  cmp esi, [fault_vec]
  jne 2f
  cmp edx, -2
  je 1f
  cmp edx, [fault_err]
  jne 2f
1:
  test ecx, ecx
  jz 1f
  cmp ecx, [fault_eip]
  jne 2f
1:
  mov esi, offset msg_pass
  call puts32
  mov esi, edi
  call puts32
  mov al, '\n'
  call putc32
  ret
2:
  mov esi, offset msg_fail
  call puts32
  mov esi, edi
  call puts32
  mov esi, offset msg_vec
  call puts32
  mov eax, [fault_vec]
  call hex32
  mov esi, offset msg_err
  call puts32
  mov eax, [fault_err]
  call hex32
  mov esi, offset msg_eip
  call puts32
  mov eax, [fault_eip]
  call hex32
  mov al, '\n'
  call putc32
  inc dword ptr [failures]
  ret

/* expect: IN edi = name, eax = actual, esi = expected. OUT PASS/FAIL printed. Clobbers eax, ecx, edx, esi. */
expect:
  cmp eax, esi
  jne 1f
  mov esi, offset msg_pass
  call puts32
  mov esi, edi
  call puts32
  mov al, '\n'
  call putc32
  ret
1:
  push eax
  mov esi, offset msg_fail
  call puts32
  mov esi, edi
  call puts32
  mov esi, offset msg_got
  call puts32
  pop eax
  call hex32
  mov al, '\n'
  call putc32
  inc dword ptr [failures]
  ret

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
isr\v:
.if (\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21)
  push \v
.else
  push 0
  push \v
.endif
  jmp isr_common
.endr

/* isr_common: IN stack = vector, error, EIP, CS, EFLAGS (same privilege: no ESP/SS). Records them, then resumes at
 * resume_eip on resume_esp with DS/ES/SS flat. Clobbers eax. */
isr_common:
  pop dword ptr [fault_vec]
  pop dword ptr [fault_err]
  pop dword ptr [fault_eip]
  add esp, 8
  mov ax, 0x10
  mov es, ax
  mov ss, ax
  mov esp, [resume_esp]
  jmp [resume_eip]

SERIAL_ROUTINES 32
SERIAL_PUTS32

/* ---- code that runs below 1 MiB: linked at 0x8000, copied there before use ---- */
.section .low, "awx"
.code16
pm16_entry:
  mov ax, 0x20                       /* 16-bit data segment, base 0 */
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7000
  mov ax, 0xffff
  add ax, 1
  pushf
  pop word ptr [r16_flags]
  mov [r16_ax], ax
  mov eax, 0x12345678                /* operand-size prefix in 16-bit code */
  mov [r16_eax], eax
  /* leave protected mode */
  mov eax, cr0
  and eax, 0xfffffffe
  mov cr0, eax
  .byte 0xea
  .word real_entry
  .word 0
real_entry:
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7000
  mov eax, cr0
  mov [rm_cr0], eax
  mov si, offset msg_real
1:
  lodsb
  test al, al
  jz 2f
  call putc16
  jmp 1b
2:
  /* an IVT vector (IDTR must describe the IVT again: real mode uses IDTR.base too) */
  lidt [rm_idt_ptr]
  mov word ptr [0x30 * 4], offset rm_handler
  mov word ptr [0x30 * 4 + 2], 0
  int 0x30
rm_int_ret:
  /* offsets wrap at 64 KiB: DS=0x1000, [bx+1] with bx=0xFFFF is 0x10000, not 0x20000 */
  mov ax, 0x1000
  mov ds, ax
  mov byte ptr [0], 0x5a
  mov ax, 0x2000
  mov ds, ax
  mov byte ptr [0], 0x77
  mov ax, 0x1000
  mov ds, ax
  mov bx, 0xffff
  mov al, [bx + 1]
  xor cx, cx
  mov ds, cx
  mov [rm_wrap], al
  /* segment arithmetic: 0x1234:0x0000 is 0x12340 */
  mov ax, 0x1234
  mov es, ax
  mov byte ptr es:[0], 0xa5
  /* back to 32-bit protected mode */
  mov eax, cr0
  or eax, 1
  mov cr0, eax
  .byte 0x66, 0xea
  .long back32
  .word 0x08

rm_handler:
  inc word ptr [rm_int_count]
  mov bp, sp
  mov ax, [bp]
  mov [rm_int_ip], ax
  mov ax, [bp + 2]
  mov [rm_int_cs], ax
  iret

SERIAL_ROUTINES 16

msg_real: .asciz "hello from real mode\n"
.align 4
r16_ax: .word 0
r16_flags: .word 0
r16_eax: .long 0
rm_cr0: .long 0
rm_int_count: .word 0
rm_int_ip: .word 0
rm_int_cs: .word 0
rm_wrap: .byte 0
.align 4
rm_idt_ptr:
  .word 0x3ff
  .long 0

.section .rodata
isr_table:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  .long isr\v
.endr
msg_hello: .asciz "modes test kernel\n"
msg_back: .asciz "back in 32-bit protected mode\n"
msg_pass: .asciz "PASS "
msg_fail: .asciz "FAIL "
msg_vec: .asciz ": vec="
msg_err: .asciz " err="
msg_eip: .asciz " eip="
msg_got: .asciz ": got "
msg_done: .asciz "DONE failures="
n_base: .asciz "segment base"
n_limit_ok: .asciz "last dword inside the limit"
n_limit: .asciz "#GP(0) past the segment limit"
n_null: .asciz "#GP(0) through a null selector"
n_np: .asciz "#NP(sel) loading a not-present segment"
n_ss_ro: .asciz "#GP(sel) loading SS with a read-only segment"
n_ed_ok: .asciz "expand-down segment above the limit"
n_ed_value: .asciz "expand-down segment content"
n_ed_low: .asciz "#GP(0) expand-down segment below the limit"
n_16_add: .asciz "16-bit code: 16-bit add wraps"
n_16_flags: .asciz "16-bit code: CF and ZF"
n_16_o32: .asciz "16-bit code: operand-size prefix"
n_rm_pe: .asciz "real mode: CR0.PE clear"
n_rm_int: .asciz "real mode: INT through the IVT"
n_rm_int_ip: .asciz "real mode: INT pushes the return IP"
n_rm_int_cs: .asciz "real mode: INT pushes CS"
n_rm_wrap: .asciz "real mode: offset wraps at 64 KiB"
n_rm_seg: .asciz "real mode: segment * 16 + offset"

.data
.align 8
gdt:
  .quad 0
  .quad 0x00cf9a000000ffff            /* 0x08 code32 */
  .quad 0x00cf92000000ffff            /* 0x10 data32 */
  .quad 0x00009a000000ffff            /* 0x18 code16, base 0, limit 64K */
  .quad 0x000092000000ffff            /* 0x20 data16, base 0, limit 64K */
  .quad 0x0040920200000fff            /* 0x28 data, base 0x20000, limit 0xFFF */
  .quad 0x00cf12000000ffff            /* 0x30 data, not present */
  .quad 0x00cf90000000ffff            /* 0x38 data, read-only */
  .quad 0x0040960000000fff            /* 0x40 data, expand-down, limit 0xFFF */
gdt_end:
gdt_ptr:
  .word gdt_end - gdt - 1
  .long gdt
idt_ptr:
  .word 32 * 8 - 1
  .long idt
failures: .long 0

.bss
.align 16
idt: .skip 32 * 8
.skip 8192
stack_top:
saved_esp: .long 0
fault_vec: .long 0
fault_err: .long 0
fault_eip: .long 0
resume_eip: .long 0
resume_esp: .long 0
value: .long 0
