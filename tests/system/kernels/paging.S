/* System test kernel: Multiboot (a.out kludge, flat binary) -> long mode with 4-level paging and an IDT; takes #DE,
 * #BP, #UD, #GP, #PF (error codes, CR2), #DF (not-present #PF gate; stack overflow onto an IST stack), checks the
 * accessed/dirty bits the MMU sets and INVLPG / CR3-reload effects on the TLB. Prints PASS/FAIL lines on COM1 and
 * exits through isa-debug-exit with the number of failures (process status (n << 1) | 1). */
.intel_syntax noprefix
.include "serial.inc"

.set MB_MAGIC, 0x1badb002
.set MB_FLAGS, 0x00010003            /* page-align, memory info, a.out kludge addresses */
.set TEST_VA, 0x200000               /* PD[1] maps 2..4 MiB through pt_test with 4 KiB pages */
.set FRAME, 0x400000                 /* physical frames of the test pages (identity mapped by PD[2]) */
.set FRAME_B, 0x407000               /* second frame for the INVLPG test */
.set none, 0

/* TRY resume: arm the exception handler to resume at `resume` with the current RSP. */
.macro TRY resume
  mov qword ptr [fault_vec], -1
  mov qword ptr [fault_err], -1
  mov qword ptr [fault_rip], 0
  mov qword ptr [fault_cr2], 0
  lea rax, [rip + \resume]
  mov [resume_rip], rax
  mov [resume_rsp], rsp
.endm

.macro CHECK name, vec, err, rip, cr2
  lea rdi, [rip + \name]
  mov rsi, \vec
  mov rdx, \err
  mov rcx, offset \rip
  mov r8, offset \cr2
  call check
.endm

.macro EXPECT name, expected
  lea rdi, [rip + \name]
  mov rsi, \expected
  call expect
.endm


.section .multiboot, "ax"
mb_header:
  .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
  .long mb_header, image_start, load_end, bss_end, entry32

.text
.code32
.globl entry32
entry32:
  mov esp, offset stack_top
  mov [mb_eax], eax
  mov [mb_ebx], ebx
  pushfd
  pop dword ptr [entry_flags]
  mov eax, cr0
  mov [entry_cr0], eax
  mov esi, offset msg_hello
  call puts32
  /* Multiboot handover checks (spec §3.2) */
  cmp dword ptr [mb_eax], 0x2badb002
  jne 1f
  mov esi, offset msg_magic_ok
  call puts32
1:
  mov eax, [entry_cr0]
  and eax, 0x80000001
  cmp eax, 1
  jne 1f
  test dword ptr [entry_flags], 0x200
  jnz 1f
  mov esi, offset msg_state_ok
  call puts32
1:
  mov ebx, [mb_ebx]
  mov eax, [ebx]
  and eax, 0x41                      /* mem_* and mmap present */
  cmp eax, 0x41
  jne 1f
  mov esi, offset msg_mem_upper
  call puts32
  mov eax, [ebx + 8]
  call hex32
  mov al, '\n'
  call putc32
  test dword ptr [ebx], 4
  jz 1f
  mov esi, offset msg_cmdline
  call puts32
  mov esi, [ebx + 16]
  call puts32
  mov al, '\n'
  call putc32
1:
  /* page tables: identity 2 MiB pages except 2..4 MiB, which goes through pt_test */
  mov edi, offset pml4
  mov dword ptr [edi], offset pdpt + 3
  mov dword ptr [pdpt], offset pd + 3
  mov dword ptr [pd], 0x83
  mov dword ptr [pd + 8], offset pt_test + 3
  mov ecx, 2
2:
  mov eax, ecx
  shl eax, 21
  or eax, 0x83
  mov [pd + ecx * 8], eax
  inc ecx
  cmp ecx, 512
  jb 2b
  /* test pages: 0 absent, 1 read-only, 2 A/D probe, 3 NX, 4 INVLPG, 5 reserved bit 51, 6 plain */
  mov dword ptr [pt_test + 1 * 8], FRAME + 0x1000 + 1
  mov dword ptr [pt_test + 2 * 8], FRAME + 0x2000 + 3
  mov dword ptr [pt_test + 3 * 8], FRAME + 0x3000 + 3
  mov dword ptr [pt_test + 3 * 8 + 4], 0x80000000
  mov dword ptr [pt_test + 4 * 8], FRAME + 0x4000 + 3
  mov dword ptr [pt_test + 5 * 8], FRAME + 0x5000 + 3
  mov dword ptr [pt_test + 5 * 8 + 4], 0x00080000
  mov dword ptr [pt_test + 6 * 8], FRAME + 0x6000 + 3
  /* frame contents (paging is still off) */
  mov dword ptr [FRAME + 0x1000], 0x11111111
  mov byte ptr [FRAME + 0x3000], 0xc3              /* ret */
  mov dword ptr [FRAME + 0x4000], 0xaaaaaaaa
  mov dword ptr [FRAME_B], 0xbbbbbbbb
  /* enable long mode: PAE, EFER.LME|NXE, CR0.PG|WP */
  mov eax, cr4
  or eax, 0x20
  mov cr4, eax
  mov eax, offset pml4
  mov cr3, eax
  mov ecx, 0xc0000080
  rdmsr
  or eax, 0x900
  wrmsr
  lgdt [gdt_ptr]
  mov eax, cr0
  or eax, 0x80010000
  mov cr0, eax
  .byte 0xea
  .long long_entry
  .word 0x08

.code64
long_entry:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov rsp, offset stack_top
  lea rsi, [rip + msg_long]
  call puts64
  /* IDT: 32 interrupt gates pointing at the stubs */
  xor ecx, ecx
1:
  mov rax, [isr_table + rcx * 8]
  lea rdi, [idt + rcx * 8]
  lea rdi, [rdi + rcx * 8]
  mov [rdi], ax
  mov word ptr [rdi + 2], 0x08
  mov word ptr [rdi + 4], 0x8e00
  shr rax, 16
  mov [rdi + 6], ax
  shr rax, 16
  mov [rdi + 8], eax
  mov dword ptr [rdi + 12], 0
  inc ecx
  cmp ecx, 32
  jb 1b
  lidt [idt_ptr]
  /* TSS with IST1 for the double-fault handler */
  mov rax, offset df_stack_top
  mov [tss + 0x24], rax
  mov rax, offset tss
  mov word ptr [gdt + 0x28], 103
  mov [gdt + 0x2a], ax
  shr rax, 16
  mov [gdt + 0x2c], al
  mov byte ptr [gdt + 0x2d], 0x89
  mov [gdt + 0x2f], ah
  shr rax, 16
  mov [gdt + 0x30], eax
  mov ax, 0x28
  ltr ax

  /* ---- exceptions ---- */
  TRY 1f
  xor edx, edx
  xor ecx, ecx
  mov eax, 7
de_at:
  div ecx
1:
  CHECK n_de, 0, -2, de_at, none

  TRY 1f
bp_at:
  int3
bp_after:
  jmp 1f
1:
  CHECK n_bp, 3, -2, bp_after, none

  TRY 1f
ud_at:
  ud2
1:
  CHECK n_ud, 6, -2, ud_at, none

  TRY 1f
  mov rax, 0x0000800000000000
gp_at:
  mov rbx, [rax]
1:
  CHECK n_gp_canon, 13, 0, gp_at, none

  TRY 1f
  mov ax, 0x1230
gp2_at:
  mov ds, ax
1:
  mov ax, 0x10
  mov ds, ax
  CHECK n_gp_sel, 13, 0x1230, gp2_at, none

  TRY 1f
  mov rbx, TEST_VA + 0x10
pf1_at:
  mov rax, [rbx]
1:
  CHECK n_pf_read, 14, 0, pf1_at, TEST_VA + 0x10

  TRY 1f
  mov rbx, TEST_VA + 0x20
pf2_at:
  mov [rbx], eax
1:
  CHECK n_pf_write, 14, 2, pf2_at, TEST_VA + 0x20

  TRY 1f
  mov rbx, TEST_VA + 0x1008
pf3_at:
  mov dword ptr [rbx], 1
1:
  CHECK n_pf_ro, 14, 3, pf3_at, TEST_VA + 0x1008

  TRY 1f
  mov rbx, TEST_VA + 0x1000
  mov eax, [rbx]
  mov [value], rax
1:
  CHECK n_ro_read, -1, -2, none, none
  mov rax, [value]
  EXPECT n_ro_value, 0x11111111

  TRY 1f
  mov rbx, TEST_VA + 0x3000
  call rbx
1:
  CHECK n_pf_nx, 14, 0x11, TEST_VA + 0x3000, TEST_VA + 0x3000

  TRY 1f
  mov rbx, TEST_VA + 0x5008
pf5_at:
  mov rax, [rbx]
1:
  CHECK n_pf_rsvd, 14, 9, pf5_at, TEST_VA + 0x5008  /* SDM §4.7: RSVD implies P (QEMU 7.2 TCG reports 8) */

  /* ---- accessed / dirty bits ---- */
  mov rax, [pt_test + 2 * 8]
  and eax, 0x60
  EXPECT n_ad_initial, 0
  mov rbx, TEST_VA + 0x2000
  mov rax, [rbx]
  mov rax, [pt_test + 2 * 8]
  and eax, 0x60
  EXPECT n_a_on_read, 0x20
  mov dword ptr [rbx + 4], 5
  mov rax, [pt_test + 2 * 8]
  and eax, 0x60
  EXPECT n_d_on_write, 0x60
  mov rax, [pd + 8]
  and eax, 0x20
  EXPECT n_a_pde, 0x20
  mov rax, [pml4]
  and eax, 0x20
  EXPECT n_a_pml4e, 0x20
  mov rax, [pd]                                     /* maps this kernel's code, data and stack */
  and eax, 0x60
  EXPECT n_ad_2m, 0x60

  /* ---- TLB: a changed PTE is not seen until INVLPG or a CR3 reload ---- */
  mov rbx, TEST_VA + 0x4000
  mov eax, [rbx]
  EXPECT n_tlb_first, 0xaaaaaaaa
  mov dword ptr [pt_test + 4 * 8], FRAME_B + 3
  mov eax, [rbx]
  EXPECT n_tlb_stale, 0xaaaaaaaa
  invlpg [rbx]
  mov eax, [rbx]
  EXPECT n_invlpg, 0xbbbbbbbb
  mov dword ptr [pt_test + 4 * 8], FRAME + 0x4000 + 3
  mov rax, cr3
  mov cr3, rax
  mov eax, [rbx]
  EXPECT n_cr3_reload, 0xaaaaaaaa

  /* ---- double faults ---- */
  and byte ptr [idt + 14 * 16 + 5], 0x7f            /* #PF gate not present: #PF -> #NP -> #DF */
  TRY 1f
  mov rbx, TEST_VA
  mov rax, [rbx]
1:
  or byte ptr [idt + 14 * 16 + 5], 0x80
  CHECK n_df_gate, 8, 0, none, none

  mov byte ptr [idt + 8 * 16 + 4], 1                /* #DF on IST1 */
  TRY 1f
  mov rsp, TEST_VA + 0x800                          /* unmapped stack: #PF, then #PF delivering it -> #DF */
  push rax
1:
  CHECK n_df_stack, 8, 0, none, none

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

/* check: IN rdi = name, rsi = expected vector (-1: none), rdx = expected error code (-2: any), rcx = expected RIP
 * (0: any), r8 = expected CR2 (0: any). OUT failures updated, PASS/FAIL line printed. Clobbers rax-rdx, rsi, rdi, r8. */
check:
  cmp rsi, [fault_vec]
  jne 2f
  cmp rdx, -2
  je 1f
  cmp rdx, [fault_err]
  jne 2f
1:
  test rcx, rcx
  jz 1f
  cmp rcx, [fault_rip]
  jne 2f
1:
  test r8, r8
  jz 1f
  cmp r8, [fault_cr2]
  jne 2f
1:
  push rdi
  lea rsi, [rip + msg_pass]
  call puts64
  pop rsi
  call puts64
  mov al, '\n'
  call putc64
  ret
2:
  push rdi
  lea rsi, [rip + msg_fail]
  call puts64
  pop rsi
  call puts64
  lea rsi, [rip + msg_vec]
  call puts64
  mov rax, [fault_vec]
  call hex64
  lea rsi, [rip + msg_err]
  call puts64
  mov rax, [fault_err]
  call hex64
  lea rsi, [rip + msg_rip]
  call puts64
  mov rax, [fault_rip]
  call hex64
  lea rsi, [rip + msg_cr2]
  call puts64
  mov rax, [fault_cr2]
  call hex64
  mov al, '\n'
  call putc64
  inc qword ptr [failures]
  ret

/* expect: IN rdi = name, rax = actual, rsi = expected (compared as 64-bit). OUT PASS/FAIL line. Clobbers rax-rdx, rsi, rdi. */
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
  inc qword ptr [failures]
  ret

/* Exception stubs: push a dummy error code where the CPU pushes none, then the vector. */
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

/* isr_common: IN stack = vector, error, RIP, CS, RFLAGS, RSP, SS. Records them and CR2, then returns to
 * resume_rip with resume_rsp. Clobbers nothing the tests rely on (rax is preserved). */
isr_common:
  push rax
  mov rax, [rsp + 8]
  mov [fault_vec], rax
  mov rax, [rsp + 16]
  mov [fault_err], rax
  mov rax, [rsp + 24]
  mov [fault_rip], rax
  mov rax, cr2
  mov [fault_cr2], rax
  mov rax, [resume_rip]
  mov [rsp + 24], rax
  mov rax, [resume_rsp]
  mov [rsp + 48], rax
  pop rax
  add rsp, 16
  iretq

SERIAL_ROUTINES 32
SERIAL_ROUTINES 64
.code32
SERIAL_PUTS32
.code64
SERIAL_PUTS64

.section .rodata
isr_table:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  .quad isr\v
.endr
msg_hello: .asciz "paging test kernel\n"
msg_magic_ok: .asciz "PASS multiboot magic\n"
msg_state_ok: .asciz "PASS entry state (PE=1 PG=0 IF=0)\n"
msg_mem_upper: .asciz "mem_upper: "
msg_cmdline: .asciz "cmdline: "
msg_long: .asciz "long mode\n"
msg_pass: .asciz "PASS "
msg_fail: .asciz "FAIL "
msg_vec: .asciz ": vec="
msg_err: .asciz " err="
msg_rip: .asciz " rip="
msg_cr2: .asciz " cr2="
msg_got: .asciz ": got "
msg_done: .asciz "DONE failures="
n_de: .asciz "#DE divide by zero"
n_bp: .asciz "#BP int3 (trap, RIP after)"
n_ud: .asciz "#UD ud2"
n_gp_canon: .asciz "#GP(0) non-canonical address"
n_gp_sel: .asciz "#GP(sel) selector beyond GDT limit"
n_pf_read: .asciz "#PF read not-present (err 0, CR2)"
n_pf_write: .asciz "#PF write not-present (err 2)"
n_pf_ro: .asciz "#PF write read-only with CR0.WP (err 3)"
n_ro_read: .asciz "read-only page readable"
n_ro_value: .asciz "read-only page content"
n_pf_nx: .asciz "#PF fetch from NX page (err 0x11)"
n_pf_rsvd: .asciz "#PF reserved bit 51 (err 9)"
n_ad_initial: .asciz "A/D clear before access"
n_a_on_read: .asciz "A set, D clear after read"
n_d_on_write: .asciz "D set after write"
n_a_pde: .asciz "A set in PDE"
n_a_pml4e: .asciz "A set in PML4E"
n_ad_2m: .asciz "A/D set in 2 MiB PDE"
n_tlb_first: .asciz "TLB: first read"
n_tlb_stale: .asciz "TLB: stale translation before INVLPG"
n_invlpg: .asciz "TLB: INVLPG drops the translation"
n_cr3_reload: .asciz "TLB: CR3 reload drops the translation"
n_df_gate: .asciz "#DF from #PF with a not-present gate"
n_df_stack: .asciz "#DF from stack overflow, on IST1"

.data
.align 8
gdt:
  .quad 0
  .quad 0x00af9a000000ffff
  .quad 0x00cf92000000ffff
  .quad 0x00cf9a000000ffff
  .quad 0
  .quad 0, 0                          /* 0x28: 64-bit TSS, filled in at run time */
gdt_end:
gdt_ptr:
  .word gdt_end - gdt - 1
  .quad gdt
.align 8
idt_ptr:
  .word 32 * 16 - 1
  .quad idt
failures: .quad 0

.bss
.align 4096
pml4: .skip 4096
pdpt: .skip 4096
pd: .skip 4096
pt_test: .skip 4096
idt: .skip 32 * 16
tss: .skip 104
.align 16
.skip 4096
df_stack_top:
.skip 8192
stack_top:
.align 8
mb_eax: .quad 0
mb_ebx: .quad 0
entry_flags: .quad 0
entry_cr0: .quad 0
fault_vec: .quad 0
fault_err: .quad 0
fault_rip: .quad 0
fault_cr2: .quad 0
resume_rip: .quad 0
resume_rsp: .quad 0
value: .quad 0
