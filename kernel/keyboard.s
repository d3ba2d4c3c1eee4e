# PS/2 keyboard input (8042 controller, scan code set 1 as translated by the controller): IRQ 1 through the I/O APIC;
# make codes become ASCII in the shared input ring. The controller is left as the firmware configured it.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# keyboard_init -- drop any byte left in the controller's output buffer so a new IRQ 1 edge can occur
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RCX
.globl keyboard_init
keyboard_init:
	mov ecx, 16
1:	in al, KBC_STATUS_PORT
	cmp al, 0xFF				# no controller: the port floats
	je 2f
	test al, 1
	jz 2f
	in al, KBC_DATA_PORT
	dec ecx
	jnz 1b
2:	ret

# -----------------------------------------------------------------------------
# int_keyboard -- IRQ 1: read a scan code, track shift, queue the ASCII byte
#  IN:  interrupt frame (vector VEC_KEYBOARD)
# OUT:  nothing; all registers preserved
.globl int_keyboard
int_keyboard:
	push rax
	push rbx
	in al, KBC_DATA_PORT
	movzx eax, al
	cmp al, 0x2A				# shift make codes
	je 10f
	cmp al, 0x36
	je 10f
	cmp al, 0xAA				# shift break codes
	je 11f
	cmp al, 0xB6
	je 11f
	test al, 0x80				# other break codes: ignore
	jnz 9f
	cmp al, 0x3A
	jae 9f
	lea rbx, [rip + kbd_map]
	cmp byte ptr [k_kbd_shift], 0
	je 1f
	lea rbx, [rip + kbd_map_shift]
1:	movzx eax, byte ptr [rbx + rax]
	test al, al
	jz 9f
	pushfq
	cli
	call in_lock
	call in_push
	call in_unlock
	popfq
	mov rax, [k_cb_keyboard]
	test rax, rax
	jz 9f
	call run_callback
	jmp 9f
10:	mov byte ptr [k_kbd_shift], 1
	jmp 9f
11:	mov byte ptr [k_kbd_shift], 0
9:	call lapic_eoi
	pop rbx
	pop rax
	iretq

.section .rodata
# Scan code set 1, codes 0x00-0x39
kbd_map:
	.byte 0, 27
	.ascii "1234567890-="
	.byte 8, 9
	.ascii "qwertyuiop[]"
	.byte 13, 0
	.ascii "asdfghjkl;'`"
	.byte 0
	.ascii "\\zxcvbnm,./"
	.byte 0, '*', 0, ' '
kbd_map_shift:
	.byte 0, 27
	.ascii "!@#$%^&*()_+"
	.byte 8, 9
	.ascii "QWERTYUIOP{}"
	.byte 13, 0
	.ascii "ASDFGHJKL:\"~"
	.byte 0
	.ascii "|ZXCVBNM<>?"
	.byte 0, '*', 0, ' '
