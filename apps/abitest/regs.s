# abitest helpers: call a kernel entry with every general register set from memory and record every register
# afterwards (to check "all other registers preserved"), and a STDOUT_SET target that captures output.
.intel_syntax noprefix

# struct regs (apps/abitest/abitest.c): rax rbx rcx rdx rsi rdi rbp r8-r15 (15 x 8 bytes), rflags, rsp_changed

.text

# -----------------------------------------------------------------------------
# abi_call -- call [target] with the registers of *in, store the registers it returned with into *out
#  IN:  RDI = entry address, RSI = struct regs *in, RDX = struct regs *out
# OUT:  *out filled; RBX, RBP, R12-R15 and RSP preserved (SysV callee-saved)
.globl abi_call
abi_call:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	sub rsp, 8				# 16-byte aligned at the call, as a C caller would be
	mov [rip + target], rdi
	mov [rip + out_ptr], rdx
	mov [rip + rsp_before], rsp
	mov rax, [rsi + 0]
	mov rbx, [rsi + 8]
	mov rcx, [rsi + 16]
	mov rdx, [rsi + 24]
	mov rdi, [rsi + 40]
	mov rbp, [rsi + 48]
	mov r8, [rsi + 56]
	mov r9, [rsi + 64]
	mov r10, [rsi + 72]
	mov r11, [rsi + 80]
	mov r12, [rsi + 88]
	mov r13, [rsi + 96]
	mov r14, [rsi + 104]
	mov r15, [rsi + 112]
	mov rsi, [rsi + 32]
	call [rip + target]
	mov [rip + rsp_after], rsp
	mov rsp, [rip + rsp_before]		# whatever happened, continue on our own stack
	pushfq
	push rax
	mov rax, [rip + out_ptr]
	mov [rax + 8], rbx
	mov [rax + 16], rcx
	mov [rax + 24], rdx
	mov [rax + 32], rsi
	mov [rax + 40], rdi
	mov [rax + 48], rbp
	mov [rax + 56], r8
	mov [rax + 64], r9
	mov [rax + 72], r10
	mov [rax + 80], r11
	mov [rax + 88], r12
	mov [rax + 96], r13
	mov [rax + 104], r14
	mov [rax + 112], r15
	pop rbx
	mov [rax + 0], rbx
	pop rbx
	mov [rax + 120], rbx
	mov rbx, [rip + rsp_after]
	sub rbx, [rip + rsp_before]
	mov [rax + 128], rbx
	add rsp, 8
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

# -----------------------------------------------------------------------------
# capture_output -- a b_output replacement for STDOUT_SET: appends to capture_buf (up to 4096 bytes)
#  IN:  RSI = text, RCX = byte count
# OUT:  nothing; all registers preserved
.globl capture_output, capture_buf, capture_len
capture_output:
	push rax
	push rcx
	push rsi
	push rdi
	pushfq
	cld
	mov rax, 4096
	sub rax, [rip + capture_len]
	cmp rcx, rax
	jbe 1f
	mov rcx, rax
1:	lea rdi, [rip + capture_buf]
	add rdi, [rip + capture_len]
	add [rip + capture_len], rcx
	rep movsb
	popfq
	pop rdi
	pop rsi
	pop rcx
	pop rax
	ret

.section .bss
.balign 8
target:		.skip 8
out_ptr:	.skip 8
rsp_before:	.skip 8
rsp_after:	.skip 8
capture_len:	.skip 8
capture_buf:	.skip 4096
