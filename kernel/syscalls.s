# b_system (/work/shared/baremetal-abi.md §2): RCX = function, RAX / RDX = arguments, RAX = result, every other
# register preserved. Dispatch through a 128-entry table; unknown numbers return 0.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# b_system -- system functions
#  IN:  RCX = function, RAX = argument 1, RDX = argument 2
# OUT:  RAX = result; all other registers preserved
.globl b_system
b_system:
	cmp rcx, SYS_FUNCTION_LIMIT
	jae sys_none
	jmp [sys_table + rcx * 8]

# -----------------------------------------------------------------------------
# b_user -- reserved user hook slot; the default does nothing
#  IN:  nothing
# OUT:  nothing; all registers preserved
.globl b_user
b_user:
	ret

sys_none:					# unknown function, or a facility this machine lacks
	xor eax, eax
	ret

sys_timecounter:				# TIMECOUNTER: HPET ticks since the loader started the counter
	jmp hpet_now

sys_free_memory:				# FREE_MEMORY: MiB above the system's first 4 MiB
	mov eax, [k_ram_mib]
	sub eax, SYSTEM_RESERVED_MIB
	jae 1f
	xor eax, eax
1:	ret

sys_smp_id:
	jmp core_id

sys_smp_numcores:
	mov eax, [k_num_cores]
	ret

sys_tsc:
	push rdx
	rdtsc
	shl rdx, 32
	or rax, rdx
	pop rdx
	ret

sys_bus_read:					# BUS_READ: RDX = address (segment, bus, devfn, dword index) -> EAX
	jmp bus_read

sys_bus_write:					# BUS_WRITE: RDX = address, EAX = value
	jmp bus_write

sys_stdout_set:					# STDOUT_SET: replace the b_output slot; 0 restores the serial output
	test rax, rax
	jnz 1f
	mov rax, OFFSET b_output
1:	mov [CALL_B_OUTPUT], rax
	ret

sys_stdout_get:
	mov rax, [CALL_B_OUTPUT]
	ret

sys_callback_timer:
	mov [k_cb_timer], rax
	ret

sys_callback_network:				# stored; no network device raises it yet
	mov [k_cb_network], rax
	ret

sys_callback_keyboard:				# run after serial or keyboard input arrives
	mov [k_cb_keyboard], rax
	ret

sys_dump_mem:					# DUMP_MEM: RAX = address, RDX = bytes
	push rsi
	push rcx
	mov rsi, rax
	mov rcx, rdx
	call dump_mem
	pop rcx
	pop rsi
	ret

sys_dump_rax:
	jmp dump_rax

sys_delay:					# DELAY: RAX = microseconds
	jmp delay_us

sys_reset:
	jmp smp_reset_others

sys_reboot:
	jmp power_reboot

sys_shutdown:
	jmp power_shutdown

.section .rodata
.balign 8
sys_table:
	.quad sys_timecounter			# 0x00
	.quad sys_free_memory			# 0x01
	.rept 0x10 - 0x02
	.quad sys_none
	.endr
	.quad sys_smp_id			# 0x10
	.quad sys_smp_numcores			# 0x11
	.quad smp_set				# 0x12
	.quad smp_get				# 0x13
	.quad smp_lock				# 0x14
	.quad smp_unlock			# 0x15
	.quad smp_busy				# 0x16
	.rept 0x1F - 0x17
	.quad sys_none
	.endr
	.quad sys_tsc				# 0x1F
	.quad sys_none				# 0x20 SCREEN_LFB_GET: no frame buffer
	.quad sys_none				# 0x21 SCREEN_X_GET
	.quad sys_none				# 0x22 SCREEN_Y_GET
	.quad sys_none				# 0x23 SCREEN_PPSL_GET
	.quad sys_none				# 0x24 SCREEN_BPP_GET
	.rept 0x30 - 0x25
	.quad sys_none
	.endr
	.quad net_status			# 0x30
	.quad net_config			# 0x31
	.rept 0x50 - 0x32
	.quad sys_none
	.endr
	.quad sys_bus_read			# 0x50
	.quad sys_bus_write			# 0x51
	.quad sys_stdout_set			# 0x52
	.quad sys_stdout_get			# 0x53
	.rept 0x60 - 0x54
	.quad sys_none
	.endr
	.quad sys_callback_timer		# 0x60
	.quad sys_callback_network		# 0x61
	.quad sys_callback_keyboard		# 0x62
	.rept 0x70 - 0x63
	.quad sys_none
	.endr
	.quad sys_dump_mem			# 0x70
	.quad sys_dump_rax			# 0x71
	.quad sys_delay				# 0x72
	.rept 0x7D - 0x73
	.quad sys_none
	.endr
	.quad sys_reset				# 0x7D
	.quad sys_reboot			# 0x7E
	.quad sys_shutdown			# 0x7F
sys_table_end:
.if sys_table_end - sys_table - SYS_FUNCTION_LIMIT * 8
.error "b_system table must have SYS_FUNCTION_LIMIT entries"
.endif
