# AP start-up trampoline (Intel SDM Vol. 3 §8.4.4 INIT-SIPI-SIPI; MP spec B.4): copied to TRAMPOLINE_ADDRESS, entered
# in real mode at CS:IP = 0x0800:0000 by SIPI vector 0x08, switches to 32-bit protected mode, then to long mode with
# the BSP's final page tables, then continues in ap_main64. Parked APs sleep in ap_park with interrupts enabled.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.section .trampoline, "ax"

# -----------------------------------------------------------------------------
# ap_entry16 -- first instruction executed by an AP
#  IN:  real mode, CS = 0x0800, IP = 0
# OUT:  does not return
.code16
.globl ap_entry16
ap_entry16:
	cli
	jmp 0x0000:ap_real			# run with CS = 0 so offsets are physical addresses
ap_real:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	lgdt [ap_gdtr]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	.byte 0x66, 0xEA			# jmp far SEL_CODE32:ap_protected with a 32-bit offset
	.long ap_protected
	.word SEL_CODE32

.code32
ap_protected:
	mov eax, SEL_DATA
	mov ds, eax
	mov es, eax
	mov ss, eax
	mov fs, eax
	mov gs, eax
	mov eax, CR4_BOOT
	mov cr4, eax
	mov eax, PML4_ADDRESS
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, CR0_PG | CR0_PE | CR0_MP | CR0_NE | CR0_ET
	mov cr0, eax
	jmp SEL_CODE64:ap_long

.code64
ap_long:
	mov eax, OFFSET ap_main64
	jmp rax

# -----------------------------------------------------------------------------
# ap_park -- where a started AP waits for the kernel (which sends vector VEC_RESET after installing its gates)
#  IN:  nothing
# OUT:  does not return
.globl ap_park
ap_park:
	sti
	hlt
	jmp ap_park

.balign 8
ap_gdtr:
	.word GDT_TEMPLATE_BYTES - 1
	.quad GDT_ADDRESS
