# C program entry (/work/shared/baremetal-abi.md §3): entered by `call` at the first byte of the binary; clears
# .bss, aligns RSP to 16, calls main and returns to the caller with its callee-saved registers intact.
.intel_syntax noprefix

.section .text.start, "ax"

# -----------------------------------------------------------------------------
# _start -- program entry
#  IN:  nothing (called with `call`)
# OUT:  RAX = main's return value; RBX, RBP, R12-R15 preserved (main is a SysV function)
.globl _start
_start:
	push rbp
	mov rbp, rsp
	and rsp, -16
	cld
	lea rdi, [rip + __bss_start]
	lea rcx, [rip + __bss_end]
	sub rcx, rdi
	xor eax, eax
	rep stosb
	call main
	mov rsp, rbp
	pop rbp
	ret
