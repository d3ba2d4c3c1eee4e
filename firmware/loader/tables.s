# Loader IDT (Intel SDM Vol. 3 §6.14.1 64-bit gates): vectors 0-31 interrupt gates to reporting stubs, 32-255 trap
# gates to a stub that acknowledges the local APIC. The kernel later rewrites every gate's target.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# idt_build -- write the 256 gates at IDT_ADDRESS and load IDTR
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RCX, RDX, RDI
.globl idt_build
idt_build:
	xor ecx, ecx
1:	mov rax, OFFSET loader_irq_stub
	mov edx, 0x8F				# present, DPL 0, 64-bit trap gate
	cmp ecx, 32
	jae 2f
	mov rax, [loader_exc_table + rcx * 8]
	mov edx, 0x8E				# 64-bit interrupt gate
2:	mov edi, ecx
	shl edi, 4
	mov [rdi], ax
	mov word ptr [rdi + 2], SEL_CODE64
	mov byte ptr [rdi + 4], 0
	mov [rdi + 5], dl
	shr rax, 16
	mov [rdi + 6], ax
	shr rax, 16
	mov [rdi + 8], eax
	mov dword ptr [rdi + 12], 0
	inc ecx
	cmp ecx, 256
	jb 1b
	lidt [idtr]
	ret

# -----------------------------------------------------------------------------
# loader_irq_stub -- unexpected interrupt while the loader owns the IDT: acknowledge and return
#  IN:  interrupt frame
# OUT:  nothing; all registers preserved
loader_irq_stub:
	push rax
	mov rax, [lapic_base]
	mov dword ptr [rax + LAPIC_EOI], 0
	pop rax
	iretq

# Exception stubs: push a zero error code where the CPU pushes none, then the vector.
.macro LOADER_EXC vec
loader_exc_\vec:
	.if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	push 0
	.endif
	push \vec
	jmp loader_exc_common
.endm
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	LOADER_EXC \v
.endr

# -----------------------------------------------------------------------------
# loader_exc_common -- report an exception taken during boot and stop this core
#  IN:  [RSP] = vector, [RSP+8] = error code, [RSP+16] = RIP
# OUT:  does not return
loader_exc_common:
	call con_init
	lea rsi, [rip + msg_exc]
	call con_puts
	mov rax, [rsp]
	call con_hex
	lea rsi, [rip + msg_err]
	call con_puts
	mov rax, [rsp + 8]
	call con_hex
	lea rsi, [rip + msg_rip]
	call con_puts
	mov rax, [rsp + 16]
	call con_hex
	lea rsi, [rip + msg_cr2]
	call con_puts
	mov rax, cr2
	call con_hex
	mov al, '\n'
	call con_putc
1:	cli
	hlt
	jmp 1b

.section .rodata
.balign 8
loader_exc_table:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad loader_exc_\v
.endr
msg_exc:	.asciz "bmjit loader: exception "
msg_err:	.asciz " error "
msg_rip:	.asciz " rip "
msg_cr2:	.asciz " cr2 "
