# Program launcher for the monitor: a program is entered with `call` and may use every register, so all the
# monitor's callee-saved state (and RSP) is kept in memory across the call.
.intel_syntax noprefix

.text

# -----------------------------------------------------------------------------
# run_program -- call a program and come back whatever it did to the registers
#  IN:  RDI = entry address
# OUT:  RAX = the program's RAX; RBX, RBP, R12-R15, RSP preserved; DF clear
.globl run_program
run_program:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	mov [rip + saved_rsp], rsp
	and rsp, -16
	call rdi
	mov rsp, [rip + saved_rsp]
	cld
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

.section .bss
.balign 8
saved_rsp:	.skip 8
