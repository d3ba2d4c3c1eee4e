# COM1 16550 set-up and input (PC16550D): receive interrupt on ISA IRQ 4 through the I/O APIC into a 256-byte ring
# shared with the keyboard; when the ring is full the receive interrupt is switched off, which leaves the bytes in
# the UART (and so back-pressures the sender) until b_input makes room. b_input also polls the UART directly.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# serial_init -- 115200 8N1, UART interrupts off for now. FCR is never written: switching the FIFOs on flushes
#                the receiver (input already delivered would be lost); the code works with FIFOs on or off.
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RDX
.globl serial_init
serial_init:
	mov dx, COM1_PORT + UART_IER
	xor eax, eax
	out dx, al
	mov dx, COM1_PORT + UART_LCR
	mov al, 0x80
	out dx, al
	mov dx, COM1_PORT + UART_DATA
	mov al, 1
	out dx, al
	mov dx, COM1_PORT + UART_IER
	xor eax, eax
	out dx, al
	mov dx, COM1_PORT + UART_LCR
	mov al, 0x03
	out dx, al
	mov dx, COM1_PORT + UART_MCR
	mov al, 0x0B				# DTR, RTS, OUT2 (OUT2 gates the interrupt line on PCs)
	out dx, al
	ret

# -----------------------------------------------------------------------------
# serial_rx_irq_on -- enable the "received data available" interrupt
#  IN:  nothing
# OUT:  nothing; all registers preserved
.globl serial_rx_irq_on
serial_rx_irq_on:
	push rax
	push rdx
	mov dx, COM1_PORT + UART_IER
	mov al, 1
	out dx, al
	pop rdx
	pop rax
	ret

# -----------------------------------------------------------------------------
# in_lock / in_unlock -- input ring lock; callers run with interrupts off
#  IN:  nothing
# OUT:  nothing; all registers preserved
.globl in_lock, in_unlock
in_lock:
	push rax
	push rcx
	call core_id
	lea ecx, [rax + 1]
1:	xor eax, eax
	lock cmpxchg [k_in_owner], rcx
	jz 2f
	pause
	jmp 1b
2:	pop rcx
	pop rax
	ret
in_unlock:
	mov qword ptr [k_in_owner], 0
	ret

# -----------------------------------------------------------------------------
# in_push -- append a byte to the input ring (caller holds the lock)
#  IN:  AL = byte
# OUT:  CF set if the ring was full (byte dropped); all registers preserved
.globl in_push
in_push:
	push rcx
	push rdx
	mov ecx, [k_in_head]
	lea edx, [rcx + 1]
	movzx edx, dl
	cmp edx, [k_in_tail]
	je 1f
	mov [k_in_buf + rcx], al
	mov [k_in_head], edx
	clc
	pop rdx
	pop rcx
	ret
1:	stc
	pop rdx
	pop rcx
	ret

# -----------------------------------------------------------------------------
# int_serial -- COM1 receive interrupt: move bytes from the UART into the ring
#  IN:  interrupt frame (vector VEC_SERIAL, on the BSP)
# OUT:  nothing; all registers preserved
.globl int_serial
int_serial:
	push rax
	push rcx
	push rdx
	pushfq
	cli
	call in_lock
	xor ecx, ecx				# bytes queued
1:	mov dx, COM1_PORT + UART_LSR
	in al, dx
	test al, 1 << UART_LSR_DR
	jz 3f
	mov eax, [k_in_head]			# full? then leave the byte in the UART and stop asking
	inc eax
	movzx eax, al
	cmp eax, [k_in_tail]
	jne 2f
	mov dx, COM1_PORT + UART_IER
	xor eax, eax
	out dx, al
	mov byte ptr [k_rx_throttled], 1
	jmp 3f
2:	mov dx, COM1_PORT + UART_DATA
	in al, dx
	call in_push
	inc ecx
	jmp 1b
3:	call in_unlock
	popfq
	test ecx, ecx
	jz 4f
	mov rax, [k_cb_keyboard]
	test rax, rax
	jz 4f
	call run_callback
4:	call lapic_eoi
	pop rdx
	pop rcx
	pop rax
	iretq

# -----------------------------------------------------------------------------
# b_input -- next input byte without waiting
#  IN:  nothing
# OUT:  RAX = byte (AL), 0 if none; all other registers preserved
.globl b_input
b_input:
	push rcx
	push rdx
	pushfq
	cli
	call in_lock
	mov ecx, [k_in_tail]
	cmp ecx, [k_in_head]
	je 2f
	movzx eax, byte ptr [k_in_buf + rcx]
	inc ecx
	movzx ecx, cl
	mov [k_in_tail], ecx
	cmp byte ptr [k_rx_throttled], 0	# room again: let the UART interrupt us
	je 4f
	mov byte ptr [k_rx_throttled], 0
	call serial_rx_irq_on
	jmp 4f
2:	mov dx, COM1_PORT + UART_LSR		# ring empty: poll (works without the IRQ path)
	in al, dx
	test al, 1 << UART_LSR_DR
	jz 3f
	mov dx, COM1_PORT + UART_DATA
	in al, dx
	movzx eax, al
	jmp 4f
3:	xor eax, eax
4:	call in_unlock
	popfq
	pop rdx
	pop rcx
	ret
