# Kernel text output: COM1 transmit with LSR polling (PC16550D), the default b_output, number formatting, and the
# DUMP_MEM / DUMP_RAX debug services (which print through the call table so STDOUT_SET redirects them).
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# out_lock -- take the output lock; recursive on one core (a timer callback may print while its core prints)
#  IN:  nothing
# OUT:  nothing; all registers preserved
.globl out_lock
out_lock:
	push rax
	push rcx
	call core_id
	lea ecx, [rax + 1]
	cmp [k_out_owner], rcx
	je 2f
1:	xor eax, eax
	lock cmpxchg [k_out_owner], rcx
	jz 3f
	pause
	jmp 1b
2:	inc dword ptr [k_out_depth]
	pop rcx
	pop rax
	ret
3:	mov dword ptr [k_out_depth], 1
	pop rcx
	pop rax
	ret

# -----------------------------------------------------------------------------
# out_unlock -- release one level of the output lock
#  IN:  nothing
# OUT:  nothing; all registers preserved
.globl out_unlock
out_unlock:
	dec dword ptr [k_out_depth]
	jnz 1f
	mov qword ptr [k_out_owner], 0
1:	ret

# -----------------------------------------------------------------------------
# serial_putc -- transmit one byte (no lock)
#  IN:  AL = byte
# OUT:  nothing; all registers preserved
.globl serial_putc
serial_putc:
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
# b_output -- default output: bytes to COM1, whole call under the output lock
#  IN:  RSI = text, RCX = byte count
# OUT:  nothing; all registers preserved
.globl b_output
b_output:
	push rax
	push rcx
	push rsi
	call out_lock
	test rcx, rcx
	jz 2f
1:	lodsb
	call serial_putc
	dec rcx
	jnz 1b
2:	call out_unlock
	pop rsi
	pop rcx
	pop rax
	ret

# -----------------------------------------------------------------------------
# kputs -- kernel message to COM1 (never redirected)
#  IN:  RSI = NUL-terminated text
# OUT:  nothing; all registers preserved
.globl kputs
kputs:
	push rax
	push rsi
	call out_lock
1:	lodsb
	test al, al
	jz 2f
	call serial_putc
	jmp 1b
2:	call out_unlock
	pop rsi
	pop rax
	ret

# -----------------------------------------------------------------------------
# kputc -- one byte to COM1 under the output lock
#  IN:  AL = byte
# OUT:  nothing; all registers preserved
.globl kputc
kputc:
	call out_lock
	call serial_putc
	call out_unlock
	ret

# -----------------------------------------------------------------------------
# format_hex -- hexadecimal digits, most significant first, upper case
#  IN:  RAX = value, ECX = digit count (1-16), RDI = buffer
# OUT:  RDI advanced past the digits; all other registers preserved
.globl format_hex
format_hex:
	push rax
	push rcx
	push rdx
	mov rdx, rax
	mov eax, ecx
	shl eax, 2
	neg eax
	add eax, 64				# rotate the first digit into place
	push rcx
	mov ecx, eax
	rol rdx, cl
	pop rcx
1:	rol rdx, 4
	mov eax, edx
	and eax, 0xF
	add al, '0'
	cmp al, '9'
	jbe 2f
	add al, 'A' - '9' - 1
2:	mov [rdi], al
	inc rdi
	dec ecx
	jnz 1b
	pop rdx
	pop rcx
	pop rax
	ret

# -----------------------------------------------------------------------------
# format_dec -- unsigned decimal
#  IN:  RAX = value, RDI = buffer
# OUT:  RDI advanced past the digits; all other registers preserved
.globl format_dec
format_dec:
	push rax
	push rcx
	push rdx
	push rsi
	sub rsp, 24
	lea rsi, [rsp + 24]			# digits are produced backwards
	mov ecx, 10
1:	xor edx, edx
	div rcx
	add dl, '0'
	dec rsi
	mov [rsi], dl
	test rax, rax
	jnz 1b
2:	mov al, [rsi]
	mov [rdi], al
	inc rdi
	inc rsi
	lea rax, [rsp + 24]
	cmp rsi, rax
	jb 2b
	add rsp, 24
	pop rsi
	pop rdx
	pop rcx
	pop rax
	ret

# -----------------------------------------------------------------------------
# kput_hex -- "0x" and 16 hexadecimal digits to COM1
#  IN:  RAX = value
# OUT:  nothing; all registers preserved
.globl kput_hex
kput_hex:
	push rcx
	push rdi
	push rsi
	sub rsp, 24
	mov rdi, rsp
	mov word ptr [rdi], 0x7830		# "0x"
	add rdi, 2
	mov ecx, 16
	call format_hex
	mov byte ptr [rdi], 0
	mov rsi, rsp
	call kputs
	add rsp, 24
	pop rsi
	pop rdi
	pop rcx
	ret

# -----------------------------------------------------------------------------
# kput_dec -- unsigned decimal to COM1
#  IN:  RAX = value
# OUT:  nothing; all registers preserved
.globl kput_dec
kput_dec:
	push rdi
	push rsi
	sub rsp, 24
	mov rdi, rsp
	call format_dec
	mov byte ptr [rdi], 0
	mov rsi, rsp
	call kputs
	add rsp, 24
	pop rsi
	pop rdi
	ret

# -----------------------------------------------------------------------------
# dump_rax -- DUMP_RAX: RAX as 16 hexadecimal digits (no prefix, no newline) through the call table
#  IN:  RAX = value
# OUT:  nothing; all registers preserved
.globl dump_rax
dump_rax:
	push rcx
	push rdi
	push rsi
	sub rsp, 24
	mov rdi, rsp
	mov ecx, 16
	call format_hex
	mov rsi, rsp
	mov ecx, 16
	call [CALL_B_OUTPUT]
	add rsp, 24
	pop rsi
	pop rdi
	pop rcx
	ret

# -----------------------------------------------------------------------------
# dump_mem -- DUMP_MEM: lines "AAAAAAAAAAAAAAAA: xx xx ... xx  cccccccccccccccc" of up to 16 bytes, through the table
#  IN:  RSI = address, RCX = byte count
# OUT:  nothing; all registers preserved
.globl dump_mem
dump_mem:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push r8
	sub rsp, 96				# one line: 16 + 2 + 48 + 1 + 16 + 1 = 84 bytes
	mov r8, rcx				# bytes left
1:	test r8, r8
	jz 6f
	mov edx, 16				# bytes on this line
	cmp r8, 16
	jae 2f
	mov edx, r8d
2:	mov rdi, rsp
	mov rax, rsi
	mov ecx, 16
	call format_hex
	mov word ptr [rdi], 0x203A		# ": "
	add rdi, 2
	xor ebx, ebx
3:	cmp ebx, 16
	jae 4f
	mov dword ptr [rdi], 0x202020		# three blanks for a short last line
	cmp ebx, edx
	jae 31f
	movzx eax, byte ptr [rsi + rbx]
	mov ecx, 2
	call format_hex
	mov byte ptr [rdi], ' '
	inc rdi
	inc ebx
	jmp 3b
31:	add rdi, 3
	inc ebx
	jmp 3b
4:	mov byte ptr [rdi], ' '
	inc rdi
	xor ebx, ebx
5:	movzx eax, byte ptr [rsi + rbx]
	cmp al, 0x20
	jb 51f
	cmp al, 0x7E
	jbe 52f
51:	mov al, '.'
52:	mov [rdi], al
	inc rdi
	inc ebx
	cmp ebx, edx
	jb 5b
	mov byte ptr [rdi], '\n'
	inc rdi
	push rsi
	mov rcx, rdi
	sub rcx, rsp
	sub rcx, 8				# the pushed RSI sits below the line
	lea rsi, [rsp + 8]
	call [CALL_B_OUTPUT]
	pop rsi
	add rsi, rdx
	sub r8, rdx
	jmp 1b
6:	add rsp, 96
	pop r8
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	ret
