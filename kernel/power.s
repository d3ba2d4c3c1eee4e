# REBOOT and SHUTDOWN. Reboot: the FADT reset register when it is an I/O port, then the PCI reset control port
# 0xCF9, then the 8042 pulse (0x64 <- 0xFE), then a triple fault. Shutdown: ACPI S5 through PM1a/PM1b control
# (SLP_TYP from the DSDT's \_S5, SLP_EN); if the machine is still running after 100 ms, the core halts. The
# isa-debug-exit port is never used here (only the monitor's "exit" command writes it).
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# power_reboot -- REBOOT
#  IN:  nothing
# OUT:  does not return
.globl power_reboot
power_reboot:
	cli
	lea rsi, [rip + msg_reboot]
	call kputs
	cmp byte ptr [INFO_RESET_VALID], 0
	je 1f
	mov dx, [INFO_RESET_PORT]
	mov al, [INFO_RESET_VALUE]
	out dx, al
1:	mov dx, RESET_CONTROL_PORT
	mov al, 0x02				# select hard reset, then request it
	out dx, al
	mov al, 0x06
	out dx, al
	mov ecx, 100000				# 8042: wait (bounded) for an empty input buffer, then pulse reset
2:	in al, KBC_STATUS_PORT
	test al, 2
	jz 3f
	dec ecx
	jnz 2b
3:	mov al, 0xFE
	out KBC_STATUS_PORT, al
	lidt [null_idt]				# last resort: an exception with no IDT is a triple fault
	int3
4:	hlt
	jmp 4b

# -----------------------------------------------------------------------------
# power_shutdown -- SHUTDOWN
#  IN:  nothing
# OUT:  does not return
.globl power_shutdown
power_shutdown:
	lea rsi, [rip + msg_shutdown]
	call kputs
	cmp byte ptr [INFO_S5_VALID], 0
	je 2f
	mov dx, [INFO_PM1A_CNT]
	movzx ecx, byte ptr [INFO_SLP_TYPA]
	call pm1_sleep
	mov dx, [INFO_PM1B_CNT]
	test dx, dx
	jz 1f
	movzx ecx, byte ptr [INFO_SLP_TYPB]
	call pm1_sleep
1:	mov eax, 100000
	call delay_us
2:	lea rsi, [rip + msg_shutdown_failed]
	call kputs
	cli
3:	hlt
	jmp 3b

# pm1_sleep -- write SLP_TYP and SLP_EN into a PM1 control register, keeping its other bits
#  IN:  DX = port, ECX = SLP_TYP
# OUT:  nothing; clobbers RAX, RCX
pm1_sleep:
	in ax, dx
	and ax, ~(7 << 10)
	and ecx, 7
	shl ecx, 10
	or eax, ecx
	or ax, 1 << 13				# SLP_EN
	out dx, ax
	ret

.section .rodata
.balign 8
null_idt:
	.word 0
	.quad 0
msg_reboot:		.asciz "system reboot\n"
msg_shutdown:		.asciz "system shutdown\n"
msg_shutdown_failed:	.asciz "shutdown: ACPI S5 did not power the machine off; core halted\n"
