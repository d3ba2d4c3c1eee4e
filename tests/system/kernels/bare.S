/* System test program for `bmjit bare`: a flat binary entered at its first byte in 64-bit mode. Checks the
 * documented entry state (long mode active, paging on, RSP = 0x9F000, flat 64-bit CS) and the identity map, prints
 * PASS/FAIL lines on COM1 and exits through isa-debug-exit with the number of failures. */
.intel_syntax noprefix
.include "serial.inc"

.text
.code64
.globl entry
entry:
  mov [entry_rsp], rsp
  lea rsi, [rip + msg_hello]
  call puts64
  mov ecx, 0xc0000080
  rdmsr
  and eax, 0x500                     /* LME | LMA */
  lea rdi, [rip + n_lma]
  mov esi, 0x500
  call expect
  mov rax, cr0
  shr eax, 31
  lea rdi, [rip + n_pg]
  mov esi, 1
  call expect
  mov rax, [entry_rsp]
  lea rdi, [rip + n_rsp]
  mov esi, 0x9f000
  call expect
  mov ax, cs
  movzx eax, ax
  lea rdi, [rip + n_cs]
  mov esi, 0x08
  call expect
  /* identity map: a store at 8 MiB + 0x123 is at that physical address (read back through a second mapping is
     not available, so check the page-table entry the loader built for it instead) */
  mov rax, 0x1122334455667788
  mov rbx, 0x800123
  mov [rbx], rax
  mov rcx, [rbx]
  cmp rcx, rax
  sete al
  movzx eax, al
  lea rdi, [rip + n_ident]
  mov esi, 1
  call expect
  mov rax, cr3
  mov rax, [rax]                     /* PML4[0] -> PDPT */
  and rax, -4096
  mov rax, [rax + 8 * 3]             /* PDPT[3] -> PD for 3..4 GiB */
  and rax, -4096
  mov rax, [rax + 8 * 511]           /* last 2 MiB page below 4 GiB */
  and eax, 0xfffff083
  lea rdi, [rip + n_4g]
  mov esi, 0xffe00083
  call expect
  lea rsi, [rip + msg_done]
  call puts64
  mov rax, [failures]
  call hex64
  mov al, '\n'
  call putc64
  mov rax, [failures]
  out 0xf4, al
  cli
  hlt

/* expect: IN rdi = name, rax = actual, rsi = expected. OUT PASS/FAIL line, failures. Clobbers rax-rdx, rsi, rdi. */
expect:
  cmp rax, rsi
  jne 1f
  push rdi
  lea rsi, [rip + msg_pass]
  call puts64
  pop rsi
  call puts64
  mov al, '\n'
  call putc64
  ret
1:
  push rax
  push rdi
  lea rsi, [rip + msg_fail]
  call puts64
  pop rsi
  call puts64
  lea rsi, [rip + msg_got]
  call puts64
  pop rax
  call hex64
  mov al, '\n'
  call putc64
  inc qword ptr [rip + failures]
  ret

SERIAL_ROUTINES 64
SERIAL_PUTS64

.section .rodata
msg_hello: .asciz "bare test program\n"
msg_pass: .asciz "PASS "
msg_fail: .asciz "FAIL "
msg_got: .asciz ": got "
msg_done: .asciz "DONE failures="
n_lma: .asciz "EFER.LME and EFER.LMA set"
n_pg: .asciz "CR0.PG set"
n_rsp: .asciz "RSP = 0x9F000 at entry"
n_cs: .asciz "CS = 0x08"
n_ident: .asciz "identity-mapped store and load"
n_4g: .asciz "2 MiB identity page below 4 GiB"

.data
.align 8
failures: .quad 0
entry_rsp: .quad 0
