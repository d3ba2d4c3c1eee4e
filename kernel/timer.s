# Time: the HPET main counter for TIMECOUNTER and DELAY, and HPET timer 0 in periodic mode on the legacy
# replacement route (ISA IRQ 0, IA-PC HPET 1.0a §2.3.9.2.2) as the kernel tick that drives CALLBACK_TIMER.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# hpet_now -- main counter
#  IN:  nothing
# OUT:  RAX = ticks since the loader reset the counter; all other registers preserved
.globl hpet_now
hpet_now:
	mov rax, [k_hpet]
	mov rax, [rax + HPET_COUNTER]
	ret

# -----------------------------------------------------------------------------
# delay_us -- busy-wait on the main counter
#  IN:  RAX = microseconds
# OUT:  nothing; all registers preserved
.globl delay_us
delay_us:
	push rax
	push rcx
	push rdx
	mul qword ptr [k_hpet_freq]
	mov ecx, 1000000
	div rcx					# ticks to wait
	mov rcx, rax
	mov rdx, [k_hpet]
	mov rax, [rdx + HPET_COUNTER]
	add rcx, rax				# deadline (the counter is 64-bit and starts near 0)
1:	cmp [rdx + HPET_COUNTER], rcx
	jae 2f
	pause
	jmp 1b
2:	pop rdx
	pop rcx
	pop rax
	ret

# -----------------------------------------------------------------------------
# timer_init -- HPET timer 0: periodic at TIMER_HZ on the legacy route, I/O APIC IRQ 0 -> VEC_TIMER on the BSP
#  IN:  nothing
# OUT:  k_timer_on = 1 when running; clobbers RAX, RCX, RDX, RSI
.globl timer_init
timer_init:
	mov rsi, [k_hpet]
	mov rax, [rsi + HPET_GCAP]
	bt eax, 15				# legacy replacement route capable?
	jnc 9f
	mov eax, [rsi + HPET_T0_CONF]
	bt eax, 4				# periodic capable?
	jnc 9f
	mov rax, [k_hpet_freq]
	xor edx, edx
	mov ecx, TIMER_HZ
	div rcx
	mov rcx, rax				# ticks per period
	# The Linux sequence: 32-bit comparator, VAL_SET, write the first expiry, then the period (low dwords only).
	mov eax, [rsi + HPET_T0_CONF]
	and eax, ~(HPET_TN_32BIT | 0x02 | 0x3E00)	# edge, route field cleared
	or eax, HPET_TN_INT_ENB | HPET_TN_PERIODIC | HPET_TN_VAL_SET | HPET_TN_32BIT
	mov [rsi + HPET_T0_CONF], eax
	mov eax, [rsi + HPET_COUNTER]
	add eax, ecx
	mov [rsi + HPET_T0_COMPARATOR], eax	# first expiry (VAL_SET)
	mov [rsi + HPET_T0_COMPARATOR], ecx	# period
	mov ecx, IRQ_TIMER
	mov eax, VEC_TIMER
	mov edx, [k_bsp_id]
	call ioapic_route_isa
	jc 9f
	or dword ptr [rsi + HPET_CONF], HPET_CONF_ENABLE | HPET_CONF_LEGACY
	mov byte ptr [k_timer_on], 1
9:	ret

# -----------------------------------------------------------------------------
# int_timer -- kernel tick: count, run the timer callback, acknowledge
#  IN:  interrupt frame (vector VEC_TIMER, on the BSP)
# OUT:  nothing; all registers preserved
.globl int_timer
int_timer:
	push rax
	inc qword ptr [k_ticks]
	mov rax, [k_cb_timer]
	test rax, rax
	jz 1f
	call run_callback
1:	call lapic_eoi
	pop rax
	iretq

# -----------------------------------------------------------------------------
# run_callback -- call a program's callback from an interrupt handler
#  IN:  RAX = callback address
# OUT:  nothing; all registers (including x87/SSE state) preserved
# Why: the callback is ordinary compiled code, free to use any register and SSE, while the interrupted code
#      expects every register to survive.
.globl run_callback
run_callback:
	push rbp
	mov rbp, rsp
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	sub rsp, 512
	and rsp, -16
	fxsave [rsp]
	cld
	call rax
	fxrstor [rsp]
	lea rsp, [rbp - 14 * 8]
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	pop rbp
	ret
