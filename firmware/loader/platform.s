# Platform interrupt and timer hardware set-up by the loader: 8259A PICs remapped and fully masked, HPET main
# counter reset and running (IA-PC HPET 1.0a §2.3), local APIC enabled (SDM Vol. 3 §11.4-11.5), every I/O APIC
# redirection entry masked (82093AA §3.2.4). The kernel unmasks what it uses.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# pic_init -- ICW1-ICW4 with vector bases 0x20/0x28, then mask every line
#  IN:  nothing
# OUT:  nothing; clobbers RAX
.globl pic_init
pic_init:
	mov al, 0x11				# ICW1: edge, cascade, ICW4 follows
	out PIC1_CMD, al
	out PIC2_CMD, al
	mov al, 0x20				# ICW2: vector bases
	out PIC1_DATA, al
	mov al, 0x28
	out PIC2_DATA, al
	mov al, 0x04				# ICW3: slave on IRQ2
	out PIC1_DATA, al
	mov al, 0x02
	out PIC2_DATA, al
	mov al, 0x01				# ICW4: 8086 mode
	out PIC1_DATA, al
	out PIC2_DATA, al
	mov al, 0xFF				# OCW1: all masked (interrupts go through the I/O APIC)
	out PIC1_DATA, al
	out PIC2_DATA, al
	ret

# -----------------------------------------------------------------------------
# hpet_init -- validate the period, stop, zero the main counter, disable every comparator interrupt, start
#  IN:  nothing (hpet_base)
# OUT:  hpet_freq, INFO_HPET_FREQ, INFO_HPET_TIMERS; clobbers RAX, RCX, RDX, RSI
.globl hpet_init
hpet_init:
	mov rsi, [hpet_base]
	mov rax, [rsi + HPET_GCAP]
	mov rcx, rax
	shr rcx, 32				# period in femtoseconds
	jz 1f
	cmp rcx, HPET_MAX_PERIOD_FS
	jbe 2f
1:	lea rsi, [rip + msg_hpet]
	jmp loader_fatal
2:	shr eax, 8
	and eax, 0x1F
	inc eax
	mov [INFO_HPET_TIMERS], al
	mov edx, eax				# comparators
	movabs rax, 1000000000000000		# 10^15 fs per second
	push rdx
	xor edx, edx
	div rcx
	pop rdx
	mov [hpet_freq], rax
	mov [INFO_HPET_FREQ], eax
	mov dword ptr [rsi + HPET_CONF], 0	# halt the counter, legacy routing off
	mov qword ptr [rsi + HPET_COUNTER], 0
	lea rax, [rsi + HPET_T0_CONF]
3:	and dword ptr [rax], ~(HPET_TN_INT_ENB | HPET_TN_PERIODIC)
	add rax, HPET_TIMER_STRIDE
	dec edx
	jnz 3b
	mov dword ptr [rsi + HPET_CONF], HPET_CONF_ENABLE
	ret

# -----------------------------------------------------------------------------
# hpet_deadline -- main-counter value RAX microseconds from now
#  IN:  RAX = microseconds
# OUT:  RAX = deadline; clobbers RDX
.globl hpet_deadline
hpet_deadline:
	mul qword ptr [hpet_freq]
	push rcx
	mov rcx, 1000000
	div rcx					# RDX:RAX / 10^6 (RDX from the multiply)
	pop rcx
	mov rdx, [hpet_base]
	add rax, [rdx + HPET_COUNTER]
	ret

# -----------------------------------------------------------------------------
# hpet_delay_us -- spin on the HPET main counter
#  IN:  RAX = microseconds
# OUT:  nothing; clobbers RAX, RDX
.globl hpet_delay_us
hpet_delay_us:
	call hpet_deadline
	mov rdx, [hpet_base]
1:	pause
	cmp [rdx + HPET_COUNTER], rax
	jb 1b
	ret

# -----------------------------------------------------------------------------
# lapic_init_bsp -- enable the BSP's local APIC and record its ID
#  IN:  nothing (lapic_base)
# OUT:  bsp_id, INFO_BSP_ID; clobbers RAX, RSI
.globl lapic_init_bsp
lapic_init_bsp:
	mov rsi, [lapic_base]
	call lapic_local_init
	mov eax, [rsi + LAPIC_ID]
	shr eax, 24
	mov [bsp_id], eax
	mov [INFO_BSP_ID], eax
	ret

# -----------------------------------------------------------------------------
# lapic_local_init -- software-enable this core's local APIC with every local interrupt source masked but NMI
#  IN:  RSI = LAPIC base
# OUT:  nothing; all registers preserved
.globl lapic_local_init
lapic_local_init:
	mov dword ptr [rsi + LAPIC_SVR], LAPIC_SVR_ENABLE | VEC_SPURIOUS
	mov dword ptr [rsi + LAPIC_TPR], 0
	mov dword ptr [rsi + LAPIC_LVT_TIMER], LVT_MASKED
	mov dword ptr [rsi + LAPIC_LVT_PERF], LVT_MASKED
	mov dword ptr [rsi + LAPIC_LVT_LINT0], LVT_MASKED | LVT_EXTINT
	mov dword ptr [rsi + LAPIC_LVT_LINT1], LVT_NMI
	mov dword ptr [rsi + LAPIC_LVT_ERROR], LVT_MASKED
	ret

# -----------------------------------------------------------------------------
# ioapic_mask_all -- mask every redirection entry of every I/O APIC in the information table
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RCX, RDX, RSI, RDI
.globl ioapic_mask_all
ioapic_mask_all:
	xor edi, edi				# I/O APIC index
1:	movzx eax, byte ptr [INFO_IOAPIC_COUNT]
	cmp edi, eax
	jae 3f
	mov eax, edi
	shl eax, 4
	mov esi, [INFO_IOAPICS + rax + IOAPIC_REC_ADDRESS]
	mov dword ptr [rsi + IOAPIC_REGSEL], IOAPIC_REG_VER
	mov ecx, [rsi + IOAPIC_WINDOW]
	shr ecx, 16
	and ecx, 0xFF				# last redirection entry
	inc ecx
	mov edx, IOAPIC_REG_REDIR
2:	mov [rsi + IOAPIC_REGSEL], edx
	mov dword ptr [rsi + IOAPIC_WINDOW], REDIR_MASKED
	inc edx
	mov [rsi + IOAPIC_REGSEL], edx
	mov dword ptr [rsi + IOAPIC_WINDOW], 0
	inc edx
	dec ecx
	jnz 2b
	inc edi
	jmp 1b
3:	ret

.section .rodata
msg_hpet:	.asciz "HPET period is 0 or longer than 100 ns"
