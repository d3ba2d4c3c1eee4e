# Loader serial console on COM1 (PC16550D): only used for fatal errors and exception reports.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# con_init -- 115200 8N1, no UART interrupts. The FIFO control register is left alone: switching the FIFOs on
#             flushes the receiver, which would lose input a fast sender already delivered.
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RDX
.globl con_init
con_init:
	mov dx, COM1_PORT + UART_IER
	xor eax, eax
	out dx, al
	mov dx, COM1_PORT + UART_LCR
	mov al, 0x80				# divisor latch access
	out dx, al
	mov dx, COM1_PORT + UART_DATA
	mov al, 1				# divisor 1: 115200 baud
	out dx, al
	mov dx, COM1_PORT + UART_IER
	xor eax, eax
	out dx, al
	mov dx, COM1_PORT + UART_LCR
	mov al, 0x03				# 8 data bits, no parity, 1 stop bit
	out dx, al
	mov dx, COM1_PORT + UART_MCR
	mov al, 0x0B				# DTR, RTS, OUT2
	out dx, al
	ret

# -----------------------------------------------------------------------------
# con_putc -- send one byte
#  IN:  AL = byte
# OUT:  nothing; all registers preserved
.globl con_putc
con_putc:
	push rdx
	push rax
	mov dx, COM1_PORT + UART_LSR
1:	in al, dx
	test al, 1 << UART_LSR_THRE
	jz 1b
	pop rax
	mov dx, COM1_PORT + UART_DATA
	out dx, al
	pop rdx
	ret

# -----------------------------------------------------------------------------
# con_puts -- send a NUL-terminated string
#  IN:  RSI = string
# OUT:  nothing; all registers preserved
.globl con_puts
con_puts:
	push rsi
	push rax
1:	lodsb
	test al, al
	jz 2f
	call con_putc
	jmp 1b
2:	pop rax
	pop rsi
	ret

# -----------------------------------------------------------------------------
# con_hex -- send RAX as 16 hexadecimal digits
#  IN:  RAX = value
# OUT:  nothing; all registers preserved
.globl con_hex
con_hex:
	push rcx
	push rdx
	push rax
	mov rdx, rax
	mov ecx, 16
1:	rol rdx, 4
	mov eax, edx
	and eax, 0xF
	add al, '0'
	cmp al, '9'
	jbe 2f
	add al, 'A' - '9' - 1
2:	call con_putc
	dec ecx
	jnz 1b
	pop rax
	pop rdx
	pop rcx
	ret

# -----------------------------------------------------------------------------
# loader_fatal -- report a fatal boot error and stop this core
#  IN:  RSI = NUL-terminated reason
# OUT:  does not return
.globl loader_fatal
loader_fatal:
	push rsi
	call con_init
	lea rsi, [rip + msg_fatal]
	call con_puts
	pop rsi
	call con_puts
	mov al, '\n'
	call con_putc
1:	cli
	hlt
	jmp 1b

.section .rodata
msg_fatal:	.asciz "bmjit loader: fatal: "
