# Application-processor start-up (Intel SDM Vol. 3 §8.4.4.1): INIT to every enabled MADT processor, 10 us, SIPI
# vector 0x08, wait for check-ins, a second SIPI only if some are missing. Records the active cores' APIC IDs.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# smp_start -- start every AP with an APIC ID below MAX_CORES and fill INFO_APIC_IDS / INFO_CORES_*
#  IN:  nothing (cpu_ids, cpu_count, bsp_id, lapic_base)
# OUT:  nothing; clobbers RAX, RBX, RCX, RDX, RSI, RDI, R8, R12, R13
.globl smp_start
smp_start:
	mov esi, OFFSET trampoline_lma		# install the trampoline at 0x8000
	mov edi, TRAMPOLINE_ADDRESS
	mov ecx, OFFSET trampoline_end
	sub ecx, OFFSET trampoline_start
	rep movsb

	mov r12, [lapic_base]
	mov eax, ICR_INIT
	call smp_send_all			# INIT to each AP; counts them in ap_expected
	cmp dword ptr [ap_expected], 0
	je smp_list
	mov eax, 10				# INIT-to-SIPI wait: 10 us, as Linux uses on every CPU since the P6
	call hpet_delay_us
	mov eax, ICR_SIPI | SIPI_VECTOR
	call smp_send_all
	mov eax, 10000				# 10 ms, normally cut short by the check-ins
	call smp_wait
	jnc smp_list
	mov eax, ICR_SIPI | SIPI_VECTOR		# some AP missed the first SIPI
	call smp_send_missing
	mov eax, 100000
	call smp_wait

smp_list:
	mov edi, INFO_APIC_IDS			# ascending APIC IDs: BSP and every AP that checked in
	xor ecx, ecx
	xor r8d, r8d				# active cores
1:	cmp ecx, [bsp_id]
	je 2f
	cmp ecx, MAX_CORES
	jae 3f
	cmp byte ptr [ap_arrived + rcx], 0
	je 3f
2:	mov [rdi], ecx
	add rdi, 4
	inc r8d
3:	inc ecx
	cmp ecx, 256
	jb 1b
	mov [INFO_CORES_ACTIVE], r8w
	mov eax, [cpu_count]
	mov [INFO_CORES_DETECTED], ax
	ret

# smp_send_all -- send one IPI command to every startable AP of the MADT list
#  IN:  EAX = ICR low dword, R12 = LAPIC base
# OUT:  ap_expected = number of APs addressed; clobbers RBX, RCX, RDX, R13
smp_send_all:
	xor ebx, ebx
	xor r13d, r13d
1:	cmp ebx, [cpu_count]
	jae 3f
	cmp ebx, 256
	jae 3f
	movzx edx, byte ptr [cpu_ids + rbx]
	cmp edx, [bsp_id]
	je 2f
	cmp edx, MAX_CORES
	jae 2f
	call smp_ipi
	inc r13d
2:	inc ebx
	jmp 1b
3:	mov [ap_expected], r13d
	ret

# smp_send_missing -- like smp_send_all, but only to APs that have not checked in
#  IN:  EAX = ICR low dword, R12 = LAPIC base
# OUT:  nothing; clobbers RBX, RDX
smp_send_missing:
	xor ebx, ebx
1:	cmp ebx, [cpu_count]
	jae 3f
	cmp ebx, 256
	jae 3f
	movzx edx, byte ptr [cpu_ids + rbx]
	cmp edx, [bsp_id]
	je 2f
	cmp edx, MAX_CORES
	jae 2f
	cmp byte ptr [ap_arrived + rdx], 0
	jne 2f
	call smp_ipi
2:	inc ebx
	jmp 1b
3:	ret

# smp_ipi -- write the ICR and wait until the local APIC has sent it
#  IN:  EAX = ICR low dword, EDX = destination APIC ID, R12 = LAPIC base
# OUT:  nothing; all registers preserved
smp_ipi:
	push rdx
1:	bt dword ptr [r12 + LAPIC_ICR_LO], ICR_BUSY
	jc 1b
	shl edx, 24
	mov [r12 + LAPIC_ICR_HI], edx
	mov [r12 + LAPIC_ICR_LO], eax
2:	bt dword ptr [r12 + LAPIC_ICR_LO], ICR_BUSY
	jc 2b
	pop rdx
	ret

# smp_wait -- wait until every addressed AP has checked in, or a timeout
#  IN:  EAX = timeout in microseconds
# OUT:  CF clear if all arrived, set on timeout; clobbers RAX, RDX, RSI
smp_wait:
	call hpet_deadline
	mov rsi, [hpet_base]
1:	mov edx, [ap_count]
	cmp edx, [ap_expected]
	jae 2f
	pause
	cmp [rsi + HPET_COUNTER], rax
	jb 1b
	stc
	ret
2:	clc
	ret

# -----------------------------------------------------------------------------
# ap_main64 -- an AP's first code in long mode (reached from the trampoline)
#  IN:  long mode on the BSP's page tables, CS = SEL_CODE64, interrupts off, no stack
# OUT:  does not return (parks in ap_park with interrupts enabled)
.globl ap_main64
ap_main64:
	mov eax, SEL_DATA
	mov ds, eax
	mov es, eax
	mov ss, eax
	mov fs, eax
	mov gs, eax
	lgdt [gdtr]
	lidt [idtr]
	mov rsi, [lapic_base]
	mov ebx, [rsi + LAPIC_ID]
	shr ebx, 24				# APIC ID
	lea eax, [rbx + 1]
	imul eax, eax, STACK_SIZE
	add eax, STACK_BASE
	mov esp, eax				# top of this core's stack
	call lapic_local_init
	fninit
	cmp ebx, MAX_CORES
	jae 1f
	mov byte ptr [ap_arrived + rbx], 1	# visible before the count (stores are ordered)
	lock inc dword ptr [ap_count]
1:	mov eax, OFFSET ap_park
	jmp rax
