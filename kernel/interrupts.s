# IDT and exception handling (Intel SDM Vol. 3 ch. 6): gates 0-31 are interrupt gates, 32-255 trap gates (as
# upstream). An exception prints a one-line report on COM1 and the core resumes: an AP returns to its idle loop,
# the BSP restarts the payload (the monitor). A second exception while reporting halts the core.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# idt_init -- point every gate at a kernel handler and load IDTR (the table stays at IDT_ADDRESS)
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RCX, RDX, RDI
.globl idt_init
idt_init:
	xor ecx, ecx
1:	mov rax, OFFSET int_unexpected
	mov edx, 0x8F
	cmp ecx, 32
	jae 2f
	mov rax, [exc_stub_table + rcx * 8]
	mov edx, 0x8E
2:	mov edi, ecx
	call idt_set_gate
	inc ecx
	cmp ecx, 256
	jb 1b
	mov edx, 0x8F
	mov edi, VEC_TIMER
	mov rax, OFFSET int_timer
	call idt_set_gate
	mov edi, VEC_KEYBOARD
	mov rax, OFFSET int_keyboard
	call idt_set_gate
	mov edi, VEC_SERIAL
	mov rax, OFFSET int_serial
	call idt_set_gate
	mov edi, VEC_WAKEUP
	mov rax, OFFSET int_wakeup
	call idt_set_gate
	mov edi, VEC_RESET
	mov rax, OFFSET int_reset
	call idt_set_gate
	mov edi, VEC_SPURIOUS
	mov rax, OFFSET int_spurious
	call idt_set_gate
	lidt [idt_pointer]
	ret

# -----------------------------------------------------------------------------
# idt_set_gate -- write one 16-byte gate descriptor
#  IN:  EDI = vector, RAX = handler, DL = type byte (0x8E interrupt gate, 0x8F trap gate)
# OUT:  nothing; all registers preserved
.globl idt_set_gate
idt_set_gate:
	push rax
	push rdi
	shl edi, 4
	add edi, IDT_ADDRESS
	mov [rdi], ax
	mov word ptr [rdi + 2], SEL_CODE64
	mov byte ptr [rdi + 4], 0
	mov [rdi + 5], dl
	shr rax, 16
	mov [rdi + 6], ax
	shr rax, 16
	mov [rdi + 8], eax
	mov dword ptr [rdi + 12], 0
	pop rdi
	pop rax
	ret

# -----------------------------------------------------------------------------
# int_unexpected -- a vector nobody routed: count, acknowledge, return
#  IN:  interrupt frame
# OUT:  nothing; all registers preserved
int_unexpected:
	lock inc qword ptr [k_unexpected]
	call lapic_eoi
	iretq

# int_spurious -- local APIC spurious vector: no EOI by definition
int_spurious:
	iretq

# int_wakeup -- VEC_WAKEUP: only ends the HLT of an idle core, which then checks its work entry
int_wakeup:
	call lapic_eoi
	iretq

# Exception stubs: push a zero error code where the CPU pushes none, then the vector.
.macro EXC_STUB vec
exc_stub_\vec:
	.if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	push 0
	.endif
	push \vec
	jmp exc_common
.endm
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	EXC_STUB \v
.endr

# -----------------------------------------------------------------------------
# exc_common -- report an exception and resume the core
#  IN:  [RSP] = vector, [RSP+8] = error code, then the CPU frame (RIP, CS, RFLAGS, RSP, SS); interrupts off
# OUT:  does not return to the faulting code
.globl exc_common
exc_common:
	cld
	mov rbx, rsp				# frame
	call core_id
	mov r12d, eax
	and eax, MAX_CORES - 1
	inc byte ptr [k_exc_depth + rax]
	cmp byte ptr [k_exc_depth + rax], 1
	jne exc_nested

	call exc_take_output
	lea rsi, [rip + msg_exc]
	call kputs
	mov rax, [rbx]
	call kput_hex2
	mov al, ' '
	call kputc
	mov rax, [rbx]
	and eax, 31
	lea rsi, [exc_names + rax * 4]
	call kputs
	lea rsi, [rip + msg_on_core]
	call kputs
	mov eax, r12d
	call kput_dec
	lea rsi, [rip + msg_error]
	call kputs
	mov rax, [rbx + 8]
	call kput_hex
	lea rsi, [rip + msg_rip]
	call kputs
	mov rax, [rbx + 16]
	call kput_hex
	lea rsi, [rip + msg_rsp]
	call kputs
	mov rax, [rbx + 40]
	call kput_hex
	cmp qword ptr [rbx], 14
	jne 1f
	lea rsi, [rip + msg_cr2]
	call kputs
	mov rax, cr2
	call kput_hex
1:	mov al, '\n'
	call kputc
	cmp r12d, [k_bsp_id]
	jne 2f
	lea rsi, [rip + msg_to_monitor]
	call kputs
	call exc_release_output
	jmp kernel_restart_bsp
2:	lea rsi, [rip + msg_to_idle]
	call kputs
	call exc_release_output
	mov eax, r12d
	mov qword ptr [SMP_TABLE_ADDRESS + rax * 8], SMP_FLAG_PRESENT	# drop the failed work
	jmp smp_idle

exc_nested:
	lea rsi, [rip + msg_nested]		# the report itself faulted: print raw and stop
1:	lodsb
	test al, al
	jz 2f
	call serial_putc
	jmp 1b
2:	cli
	hlt
	jmp 2b

# exc_take_output -- get the output lock even if its owner is stuck (bounded wait, then take it over)
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RCX, RDX
exc_take_output:
	call core_id
	lea edx, [rax + 1]
	cmp [k_out_owner], rdx
	je 3f
	mov ecx, 1000000
1:	xor eax, eax
	lock cmpxchg [k_out_owner], rdx
	jz 3f
	pause
	dec ecx
	jnz 1b
	mov [k_out_owner], rdx
3:	mov dword ptr [k_out_depth], 1
	ret

# exc_release_output -- free the output lock whatever its depth (the interrupted printer is abandoned)
exc_release_output:
	mov dword ptr [k_out_depth], 0
	mov qword ptr [k_out_owner], 0
	ret

# kput_hex2 -- "0x" and two hexadecimal digits
#  IN:  AL = value
# OUT:  nothing; all registers preserved
kput_hex2:
	push rcx
	push rdi
	push rsi
	sub rsp, 8
	mov rdi, rsp
	mov word ptr [rdi], 0x7830
	add rdi, 2
	mov ecx, 2
	call format_hex
	mov byte ptr [rdi], 0
	mov rsi, rsp
	call kputs
	add rsp, 8
	pop rsi
	pop rdi
	pop rcx
	ret

.section .rodata
.balign 8
idt_pointer:
	.word 256 * 16 - 1
	.quad IDT_ADDRESS
.balign 8
exc_stub_table:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad exc_stub_\v
.endr
exc_names:					# 4 bytes each, NUL-terminated
	.asciz "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09", "#TS", "#NP", "#SS", "#GP", "#PF", "#15"
	.asciz "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31"
msg_exc:	.asciz "\n*** exception "
msg_on_core:	.asciz " on core "
msg_error:	.asciz ": error "
msg_rip:	.asciz " rip "
msg_rsp:	.asciz " rsp "
msg_cr2:	.asciz " cr2 "
msg_to_monitor:	.asciz "*** returning to the monitor\n"
msg_to_idle:	.asciz "*** core back to idle\n"
msg_nested:	.asciz "\n*** exception while reporting an exception: core halted\n"
