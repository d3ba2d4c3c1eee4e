# Kernel variables (.bss, cleared by init_bsp) and shared strings. Per-core facts are arrays indexed by APIC ID;
# the SMP work table itself lives at the fixed SMP_TABLE_ADDRESS.
.intel_syntax noprefix
.include "abi.inc"

.section .bss
.balign 8
.globl k_lapic, k_hpet, k_hpet_freq, k_ticks, k_bsp_id, k_num_cores, k_core_ids, k_ram_mib
.globl k_cb_timer, k_cb_network, k_cb_keyboard, k_out_owner, k_out_depth, k_in_owner, k_in_head, k_in_tail
.globl k_in_buf, k_rx_throttled, k_exc_depth, k_bus_mode, k_ecam_base, k_ecam_bus_end, k_pci_owner, k_kbd_shift
.globl k_timer_on, k_unexpected
k_lapic:	.quad 0				# local APIC base
k_hpet:		.quad 0				# HPET base
k_hpet_freq:	.quad 0				# Hz
k_ticks:	.quad 0				# timer interrupts since boot
k_cb_timer:	.quad 0				# CALLBACK_TIMER target (0: none)
k_cb_network:	.quad 0
k_cb_keyboard:	.quad 0
k_ecam_base:	.quad 0
k_unexpected:	.quad 0				# interrupts on vectors nobody asked for
k_out_owner:	.quad 0				# APIC ID + 1 of the core printing, 0 when free
k_in_owner:	.quad 0				# APIC ID + 1 of the core using the input ring
k_pci_owner:	.quad 0				# lock for the two-step 0xCF8/0xCFC access
k_bsp_id:	.long 0
k_num_cores:	.long 0
k_ram_mib:	.long 0
k_out_depth:	.long 0
k_in_head:	.long 0				# next free slot
k_in_tail:	.long 0				# next byte to hand out
k_bus_mode:	.byte 0				# 0 none, 1 PCI mechanism #1, 2 PCIe ECAM
k_ecam_bus_end:	.byte 0
k_rx_throttled:	.byte 0				# 1 while the UART receive interrupt is off because the ring is full
k_kbd_shift:	.byte 0
k_timer_on:	.byte 0
.balign 8
k_core_ids:	.skip MAX_CORES			# APIC IDs of the active cores, ascending
k_exc_depth:	.skip MAX_CORES			# exceptions being reported, per APIC ID
.balign 16
k_in_buf:	.skip 256			# input ring (serial and keyboard)
