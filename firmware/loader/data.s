# Loader variables and descriptor-table templates (part of the loader image; nothing here survives the hand-off
# except what is copied to the information table).
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.section .data
.balign 8
.globl tsc_start, mbi_addr, boot_magic, boot_mode, lapic_base, hpet_base, hpet_freq, bsp_id
.globl cpu_count, cpu_ids, ap_expected, ap_count, ap_arrived, ram_total, ram_top
.globl gdt_template, gdtr, idtr
tsc_start:	.quad 0
mbi_addr:	.quad 0			# only the low 32 bits are written
ram_total:	.quad 0			# bytes of usable RAM
ram_top:	.quad 0			# end of the highest usable region
lapic_base:	.quad 0
hpet_base:	.quad 0
hpet_freq:	.quad 0			# Hz
boot_magic:	.long 0
bsp_id:		.long 0
cpu_count:	.long 0			# enabled processors in the MADT (all of them, even above MAX_CORES)
ap_expected:	.long 0
ap_count:	.long 0			# APs that reached ap_main64
boot_mode:	.byte 0
.balign 8
cpu_ids:	.fill 256, 1, 0		# APIC IDs of the enabled MADT processors, in table order
ap_arrived:	.fill MAX_CORES, 1, 0	# 1 once the AP with that APIC ID has checked in

.balign 8
# Flat descriptors: 0x08 64-bit code, 0x10 data (4 GiB, writable), 0x18 32-bit code (4 GiB)
gdt_template:
	.quad 0
	.quad 0x00209A0000000000
	.quad 0x00CF92000000FFFF
	.quad 0x00CF9A000000FFFF
gdt_template_end:
.if gdt_template_end - gdt_template - GDT_TEMPLATE_BYTES
.error "GDT template size does not match GDT_TEMPLATE_BYTES"
.endif
.balign 8
gdtr:
	.word GDT_TEMPLATE_BYTES - 1
	.quad GDT_ADDRESS
.balign 8
idtr:
	.word 256 * 16 - 1
	.quad IDT_ADDRESS

# Temporary page tables for the first moments in long mode (identity map of 0-4 GiB): part of the loader image, so
# they never collide with the caller's tables, the caller's boot information or the final tables.
.section .data.pages, "aw"
.balign 4096
.globl tmp_pml4, tmp_pdpt, tmp_pd
tmp_pml4:	.fill 4096, 1, 0
tmp_pdpt:	.fill 4096, 1, 0
tmp_pd:		.fill 4 * 4096, 1, 0
