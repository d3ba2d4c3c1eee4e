# Kernel header (/work/shared/baremetal-abi.md §1): a short jump, the BAREMETAL signature, then the call table of
# 8-byte absolute addresses at KERNEL_ADDRESS + 0x10. Programs call through the table (call [0x100018]).
.intel_syntax noprefix
.include "abi.inc"

.section .text.header, "ax"
.globl kernel_start, kernel_call_table
kernel_start:
	.byte 0xEB, kernel_entry - kernel_start - 2	# jmp short kernel_entry
	nop
	KERNEL_SIGNATURE_ASCII			# at offset 3, like upstream
	.org CALL_B_INPUT - KERNEL_ADDRESS, 0	# the table must start exactly here (.org fails if we are past it)
kernel_call_table:
	.quad b_input				# 0x100010
	.quad b_output				# 0x100018 (STDOUT_SET replaces this slot)
	.quad b_net_tx				# 0x100020
	.quad b_net_rx				# 0x100028
	.quad b_nvs_read			# 0x100030
	.quad b_nvs_write			# 0x100038
	.quad b_system				# 0x100040
	.quad b_user				# 0x100048
kernel_entry:
	jmp init_bsp
