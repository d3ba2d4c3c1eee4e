# Kernel start on the BSP: take over from the loader (information table at INFO_ADDRESS), set up serial, IDT,
# interrupt routing, the timer, the bus and the APs, print the boot report, then start the payload.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# init_bsp -- kernel entry (reached from the header's jump)
#  IN:  long mode on the loader's tables, interrupts off, information table filled, APs parked with IF=1
# OUT:  does not return
.globl init_bsp
init_bsp:
	cli
	cld
	mov eax, [INFO_BSP_ID]
	inc eax
	imul eax, eax, STACK_SIZE
	add eax, STACK_BASE
	mov esp, eax

	mov edi, OFFSET kernel_bss_start
	mov ecx, OFFSET kernel_bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb
	mov edi, SMP_TABLE_ADDRESS
	mov ecx, SMP_TABLE_ENTRIES
	rep stosq

	mov rax, [INFO_LAPIC_BASE]
	mov [k_lapic], rax
	mov rax, [INFO_HPET_BASE]
	mov [k_hpet], rax
	mov eax, [INFO_HPET_FREQ]
	mov [k_hpet_freq], rax
	mov eax, [INFO_BSP_ID]
	mov [k_bsp_id], eax
	mov eax, [INFO_RAM_MIB]
	mov [k_ram_mib], eax
	call init_core_list

	call serial_init
	lea rsi, [rip + msg_banner]
	call kputs
	call idt_init
	call lapic_core_setup
	fninit

	mov ecx, IRQ_SERIAL
	mov eax, VEC_SERIAL
	mov edx, [k_bsp_id]
	call ioapic_route_isa
	call serial_rx_irq_on
	mov ecx, IRQ_KEYBOARD
	mov eax, VEC_KEYBOARD
	mov edx, [k_bsp_id]
	call ioapic_route_isa
	call keyboard_init
	call timer_init
	call bus_init
	call smp_init

	call report_boot
	lea rsi, [rip + msg_ready]
	call kputs
	jmp kernel_restart_bsp

# init_core_list -- k_core_ids / k_num_cores from the loader's list, keeping IDs below MAX_CORES
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RCX, RDX
init_core_list:
	xor ecx, ecx
	xor edx, edx
1:	cmp cx, [INFO_CORES_ACTIVE]
	jae 2f
	cmp ecx, INFO_APIC_IDS_MAX
	jae 2f
	mov eax, [INFO_APIC_IDS + rcx * 4]
	inc ecx
	cmp eax, MAX_CORES
	jae 1b
	mov [k_core_ids + rdx], al
	inc edx
	jmp 1b
2:	mov [k_num_cores], edx
	ret

# report_boot -- the boot lines after the banner
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RCX, RSI
report_boot:
	lea rsi, [rip + msg_cpu]
	call kputs
	mov eax, [k_num_cores]
	call kput_dec
	lea rsi, [rip + msg_cores]
	call kputs
	xor ecx, ecx
1:	cmp ecx, [k_num_cores]
	jae 2f
	mov al, ' '
	call kputc
	movzx eax, byte ptr [k_core_ids + rcx]
	call kput_dec
	inc ecx
	jmp 1b
2:	lea rsi, [rip + msg_mem]
	call kputs
	mov eax, [k_ram_mib]
	call kput_dec
	lea rsi, [rip + msg_mib]
	call kputs
	lea rsi, [rip + msg_hpet]
	call kputs
	mov rax, [k_hpet_freq]
	call kput_dec
	lea rsi, [rip + msg_hz]
	call kputs
	lea rsi, [rip + msg_timer_off]
	cmp byte ptr [k_timer_on], 0
	je 3f
	lea rsi, [rip + msg_timer_on]
3:	call kputs
	cmp byte ptr [k_bus_mode], 2
	jne 4f
	lea rsi, [rip + msg_bus_ecam]
	call kputs
	mov rax, [k_ecam_base]
	call kput_hex
	mov al, '\n'
	call kputc
	jmp 5f
4:	lea rsi, [rip + msg_bus_conf1]
	call kputs
5:	lea rsi, [rip + msg_nvs_net]
	call kputs
	ret

.section .rodata
msg_banner:	.asciz "[ BareMetal ] bmjit kernel 0.1\n"
msg_cpu:	.asciz "cpu: "
msg_cores:	.asciz " active, APIC IDs"
msg_mem:	.asciz "\nmem: "
msg_mib:	.asciz " MiB\n"
msg_hpet:	.asciz "hpet: "
msg_hz:		.asciz " Hz"
msg_timer_on:	.asciz ", tick 100 Hz\n"
msg_timer_off:	.asciz ", no tick\n"
msg_bus_ecam:	.asciz "bus: PCIe ECAM at "
msg_bus_conf1:	.asciz "bus: PCI configuration mechanism #1\n"
msg_nvs_net:	.asciz "nvs: no device\nnet: no device\n"
msg_ready:	.asciz "system ready\n"
