# Local APIC and I/O APIC helpers (Intel SDM Vol. 3 ch. 11; 82093AA I/O APIC; ACPI MADT interrupt source
# overrides for ISA IRQ routing).
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# core_id -- APIC ID of the calling core
#  IN:  nothing
# OUT:  EAX = APIC ID (upper RAX zero); all other registers preserved
.globl core_id
core_id:
	mov rax, [k_lapic]
	mov eax, [rax + LAPIC_ID]
	shr eax, 24
	ret

# -----------------------------------------------------------------------------
# lapic_eoi -- signal end of interrupt to this core's local APIC
#  IN:  nothing
# OUT:  nothing; all registers preserved
.globl lapic_eoi
lapic_eoi:
	push rax
	mov rax, [k_lapic]
	mov dword ptr [rax + LAPIC_EOI], 0
	pop rax
	ret

# -----------------------------------------------------------------------------
# lapic_core_setup -- per-core APIC state the kernel relies on: enabled, TPR 0, no interrupt left in service
#  IN:  nothing
# OUT:  nothing; all registers preserved
# Why: a core that left an interrupt handler through an exception or a reset IPI never sent its EOI; the stale
#      in-service bit would block every vector of the same or lower priority class.
.globl lapic_core_setup
lapic_core_setup:
	push rax
	push rcx
	push rdx
	mov rax, [k_lapic]
	mov dword ptr [rax + LAPIC_SVR], LAPIC_SVR_ENABLE | VEC_SPURIOUS
	mov dword ptr [rax + LAPIC_TPR], 0
	mov ecx, 256				# at most one EOI per vector
1:	xor edx, edx				# any in-service bit left? (ISR at 0x100-0x170)
	or edx, [rax + 0x100]
	or edx, [rax + 0x110]
	or edx, [rax + 0x120]
	or edx, [rax + 0x130]
	or edx, [rax + 0x140]
	or edx, [rax + 0x150]
	or edx, [rax + 0x160]
	or edx, [rax + 0x170]
	jz 2f
	mov dword ptr [rax + LAPIC_EOI], 0
	dec ecx
	jnz 1b
2:	pop rdx
	pop rcx
	pop rax
	ret

# -----------------------------------------------------------------------------
# lapic_send_ipi -- send an inter-processor interrupt and wait until it has left this core
#  IN:  EDX = destination APIC ID, EAX = ICR low dword (delivery mode and vector)
# OUT:  nothing; all registers preserved
.globl lapic_send_ipi
lapic_send_ipi:
	push rcx
	push rdx
	pushfq
	cli					# an interrupt handler must not interleave its own ICR writes
	mov rcx, [k_lapic]
1:	bt dword ptr [rcx + LAPIC_ICR_LO], ICR_BUSY
	jc 1b
	shl edx, 24
	mov [rcx + LAPIC_ICR_HI], edx
	mov [rcx + LAPIC_ICR_LO], eax
2:	bt dword ptr [rcx + LAPIC_ICR_LO], ICR_BUSY
	jc 2b
	popfq
	pop rdx
	pop rcx
	ret

# -----------------------------------------------------------------------------
# ioapic_route_isa -- route an ISA IRQ (after MADT overrides) to a vector on one core, unmasked
#  IN:  ECX = ISA IRQ, EAX = vector, EDX = destination APIC ID
# OUT:  CF set if no I/O APIC serves the IRQ; all registers preserved
.globl ioapic_route_isa
ioapic_route_isa:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push r8
	mov r8d, eax				# redirection low dword under construction
	mov ebx, ecx				# GSI (identity unless overridden)
	movzx edi, byte ptr [INFO_ISO_COUNT]
	xor esi, esi
1:	cmp esi, edi
	jae 3f
	cmp [INFO_ISOS + rsi * 8 + ISO_REC_SOURCE], cl
	jne 2f
	cmp byte ptr [INFO_ISOS + rsi * 8 + ISO_REC_BUS], 0
	jne 2f
	mov ebx, [INFO_ISOS + rsi * 8 + ISO_REC_GSI]
	movzx eax, word ptr [INFO_ISOS + rsi * 8 + ISO_REC_FLAGS]
	mov ecx, eax
	and ecx, 3
	cmp ecx, 3				# polarity: 11 = active low (00/01: ISA default high)
	jne 4f
	or r8d, REDIR_ACTIVE_LOW
4:	shr eax, 2
	and eax, 3
	cmp eax, 3				# trigger: 11 = level (00/01: ISA default edge)
	jne 3f
	or r8d, REDIR_LEVEL
	jmp 3f
2:	inc esi
	jmp 1b

3:	movzx edi, byte ptr [INFO_IOAPIC_COUNT]	# find the I/O APIC whose inputs include the GSI
	xor esi, esi
5:	cmp esi, edi
	jae 7f
	mov ecx, esi
	shl ecx, 4
	mov eax, [INFO_IOAPICS + rcx + IOAPIC_REC_GSI_BASE]
	mov ecx, [INFO_IOAPICS + rcx + IOAPIC_REC_ADDRESS]
	mov dword ptr [rcx + IOAPIC_REGSEL], IOAPIC_REG_VER
	push rbx
	mov ebx, [rcx + IOAPIC_WINDOW]
	shr ebx, 16
	movzx ebx, bl				# last entry
	add ebx, eax				# last GSI served
	cmp [rsp], eax
	jb 6f
	cmp [rsp], ebx
	ja 6f
	pop rbx
	sub ebx, eax				# pin
	lea eax, [rbx * 2 + IOAPIC_REG_REDIR + 1]
	mov [rcx + IOAPIC_REGSEL], eax		# high dword first: destination
	shl edx, 24
	mov [rcx + IOAPIC_WINDOW], edx
	dec eax
	mov [rcx + IOAPIC_REGSEL], eax
	mov [rcx + IOAPIC_WINDOW], r8d		# low dword last: vector, polarity, trigger, unmasked
	clc
	jmp 8f
6:	pop rbx
	inc esi
	jmp 5b
7:	stc
8:	pop r8
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	ret
