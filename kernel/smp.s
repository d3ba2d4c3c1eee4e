# SMP work queue (/work/shared/baremetal-abi.md §4): one 8-byte entry per APIC ID at SMP_TABLE_ADDRESS (code address
# in bits 63:4, SMP_FLAG_PRESENT / SMP_FLAG_ACTIVE in 3:0). Idle cores HLT; SMP_SET stores the code and sends
# VEC_WAKEUP; the core claims the entry, calls the code on a fresh stack and comes back. VEC_RESET sends a core
# back to idle, dropping its work. No preemption, no context switch.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# smp_idle -- the idle loop of every core (the BSP too, once the payload returns)
#  IN:  any stack, any interrupt state
# OUT:  does not return
.globl smp_idle
smp_idle:
	cli
	mov rax, [k_lapic]
	mov ebx, [rax + LAPIC_ID]
	shr ebx, 24				# APIC ID
	lea eax, [rbx + 1]
	imul eax, eax, STACK_SIZE
	add eax, STACK_BASE
	mov esp, eax				# fresh stack
	mov byte ptr [k_exc_depth + rbx], 0
	call core_release_locks
	call core_cpu_reset
	lea rdi, [SMP_TABLE_ADDRESS + rbx * 8]
	mov rax, [rdi]				# present, not active; queued code is kept
1:	mov rdx, rax
	and rdx, ~SMP_FLAG_ACTIVE
	or rdx, SMP_FLAG_PRESENT
	lock cmpxchg [rdi], rdx
	jnz 1b

smp_idle_check:
	cli
	mov rax, [rdi]
	mov rcx, rax
	and rcx, ~SMP_FLAGS_MASK
	jz smp_idle_sleep
	mov edx, SMP_FLAG_PRESENT | SMP_FLAG_ACTIVE
	lock cmpxchg [rdi], rdx			# claim: the code leaves the entry, the core is active
	jnz smp_idle_check
	xor eax, eax				# work starts with clean registers (RCX = its own address)
	xor ebx, ebx
	xor edx, edx
	xor esi, esi
	xor edi, edi
	xor ebp, ebp
	xor r8d, r8d
	xor r9d, r9d
	xor r10d, r10d
	xor r11d, r11d
	xor r12d, r12d
	xor r13d, r13d
	xor r14d, r14d
	xor r15d, r15d
	sti
	call rcx
	jmp smp_idle				# clears ACTIVE and picks up whatever was queued meanwhile

smp_idle_sleep:
	sti					# STI's one-instruction shadow: no wake-up is lost before the HLT
	hlt
	jmp smp_idle_check

# -----------------------------------------------------------------------------
# int_reset -- VEC_RESET: abandon whatever this core runs and go idle with an empty entry
#  IN:  interrupt frame
# OUT:  does not return
.globl int_reset
int_reset:
	cli
	call lapic_eoi
	call core_id
	mov qword ptr [SMP_TABLE_ADDRESS + rax * 8], SMP_FLAG_PRESENT
	jmp smp_idle

# -----------------------------------------------------------------------------
# core_cpu_reset -- per-core state the idle loop guarantees: APIC usable, FPU/SSE in their initial state
#  IN:  nothing
# OUT:  nothing; all registers preserved
core_cpu_reset:
	call lapic_core_setup
	fninit
	push 0x1F80				# MXCSR reset value
	ldmxcsr [rsp]
	add rsp, 8
	ret

# -----------------------------------------------------------------------------
# core_release_locks -- free kernel locks this core held when it was sent back to idle
#  IN:  EBX = APIC ID
# OUT:  nothing; clobbers RAX
core_release_locks:
	lea eax, [rbx + 1]
	cmp [k_out_owner], rax
	jne 1f
	mov dword ptr [k_out_depth], 0
	mov qword ptr [k_out_owner], 0
1:	cmp [k_in_owner], rax
	jne 2f
	mov qword ptr [k_in_owner], 0
2:	cmp [k_pci_owner], rax
	jne 3f
	mov qword ptr [k_pci_owner], 0
3:	ret

# -----------------------------------------------------------------------------
# kernel_restart_bsp -- (re)start the payload on the BSP: boot, and after an exception on the BSP
#  IN:  nothing
# OUT:  does not return
.globl kernel_restart_bsp
kernel_restart_bsp:
	cli
	mov eax, [k_bsp_id]
	mov ebx, eax
	inc eax
	imul eax, eax, STACK_SIZE
	add eax, STACK_BASE
	mov esp, eax
	mov byte ptr [k_exc_depth + rbx], 0
	call core_release_locks
	call core_cpu_reset
	cmp dword ptr [INFO_PAYLOAD_SIZE], 0
	je smp_idle				# no payload: the BSP is one more worker
	mov qword ptr [SMP_TABLE_ADDRESS + rbx * 8], SMP_FLAG_PRESENT | SMP_FLAG_ACTIVE
	xor eax, eax
	xor ebx, ebx
	xor ecx, ecx
	xor edx, edx
	xor esi, esi
	xor edi, edi
	xor ebp, ebp
	xor r8d, r8d
	xor r9d, r9d
	xor r10d, r10d
	xor r11d, r11d
	xor r12d, r12d
	xor r13d, r13d
	xor r14d, r14d
	xor r15d, r15d
	sti
	call PAYLOAD_ADDRESS
	jmp smp_idle

# -----------------------------------------------------------------------------
# smp_init -- bring every AP from the loader's parking loop into smp_idle and wait for them
#  IN:  nothing (k_core_ids, k_num_cores)
# OUT:  k_num_cores = cores that answered; clobbers RAX, RCX, RDX, RSI, RDI
.globl smp_init
smp_init:
	mov eax, [k_bsp_id]
	mov qword ptr [SMP_TABLE_ADDRESS + rax * 8], SMP_FLAG_PRESENT | SMP_FLAG_ACTIVE
	xor esi, esi
1:	cmp esi, [k_num_cores]
	jae 2f
	movzx edx, byte ptr [k_core_ids + rsi]
	inc esi
	cmp edx, [k_bsp_id]
	je 1b
	mov eax, ICR_FIXED | VEC_RESET
	call lapic_send_ipi
	jmp 1b
2:	mov eax, 100000				# 100 ms at most; normally a few microseconds
	call timeout_start
3:	call smp_count_present
	cmp eax, [k_num_cores]
	jae 4f
	pause
	call timeout_expired
	jnc 3b
	call smp_compact_cores			# keep only the cores that answered
4:	ret

# smp_count_present -- cores of k_core_ids whose entry has SMP_FLAG_PRESENT
#  IN:  nothing
# OUT:  EAX = count; clobbers RCX, RDX
smp_count_present:
	xor eax, eax
	xor ecx, ecx
1:	cmp ecx, [k_num_cores]
	jae 2f
	movzx edx, byte ptr [k_core_ids + rcx]
	test byte ptr [SMP_TABLE_ADDRESS + rdx * 8], SMP_FLAG_PRESENT
	jz 3f
	inc eax
3:	inc ecx
	jmp 1b
2:	ret

# smp_compact_cores -- drop cores that never reached smp_idle from k_core_ids
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RCX, RDX
smp_compact_cores:
	xor ecx, ecx
	xor eax, eax
1:	cmp ecx, [k_num_cores]
	jae 2f
	movzx edx, byte ptr [k_core_ids + rcx]
	inc ecx
	test byte ptr [SMP_TABLE_ADDRESS + rdx * 8], SMP_FLAG_PRESENT
	jz 1b
	mov [k_core_ids + rax], dl
	inc eax
	jmp 1b
2:	mov [k_num_cores], eax
	ret

# -----------------------------------------------------------------------------
# timeout_start / timeout_expired -- one pending deadline per caller stack frame is enough here
#  timeout_start  IN: EAX = microseconds            OUT: k_deadline set; all registers preserved
#  timeout_expired IN: nothing                       OUT: CF set once the deadline passed; all registers preserved
.globl timeout_start, timeout_expired
timeout_start:
	push rax
	push rcx
	push rdx
	mul qword ptr [k_hpet_freq]
	mov ecx, 1000000
	div rcx
	mov rdx, [k_hpet]
	add rax, [rdx + HPET_COUNTER]
	call core_id_safe_slot
	mov [k_deadline + rcx * 8], rax
	pop rdx
	pop rcx
	pop rax
	ret
timeout_expired:
	push rax
	push rcx
	push rdx
	call core_id_safe_slot
	mov rdx, [k_hpet]
	mov rax, [rdx + HPET_COUNTER]
	cmp rax, [k_deadline + rcx * 8]		# CF = counter below deadline
	cmc
	pop rdx
	pop rcx
	pop rax
	ret
# core_id_safe_slot -- ECX = APIC ID masked to the per-core arrays; clobbers nothing else
core_id_safe_slot:
	push rax
	call core_id
	and eax, MAX_CORES - 1
	mov ecx, eax
	pop rax
	ret

# -----------------------------------------------------------------------------
# smp_set -- SMP_SET: queue code on a core and wake it
#  IN:  RAX = code address (16-byte aligned, not 0), RDX = APIC ID
# OUT:  RAX = code address, or 0 if unaligned, no such core, or work already queued; all other registers preserved
.globl smp_set
smp_set:
	push rcx
	push rsi
	push rdi
	test rax, rax
	jz 9f
	test al, SMP_FLAGS_MASK
	jnz 9f
	cmp rdx, SMP_TABLE_ENTRIES
	jae 9f
	mov rsi, rax
	lea rdi, [SMP_TABLE_ADDRESS + rdx * 8]
	mov rax, [rdi]
1:	test al, SMP_FLAG_PRESENT
	jz 9f
	mov rcx, rax
	and rcx, ~SMP_FLAGS_MASK
	jnz 9f					# one queued item per core
	mov rcx, rax
	or rcx, rsi
	lock cmpxchg [rdi], rcx
	jnz 1b
	call core_id
	cmp eax, edx
	je 2f					# our own entry: picked up when this core goes idle
	mov eax, ICR_FIXED | VEC_WAKEUP
	call lapic_send_ipi
2:	mov rax, rsi
	pop rdi
	pop rsi
	pop rcx
	ret
9:	xor eax, eax
	pop rdi
	pop rsi
	pop rcx
	ret

# -----------------------------------------------------------------------------
# smp_get -- SMP_GET: this core's entry
#  IN:  nothing
# OUT:  RAX = entry; all other registers preserved
.globl smp_get
smp_get:
	call core_id
	mov rax, [SMP_TABLE_ADDRESS + rax * 8]
	ret

# -----------------------------------------------------------------------------
# smp_lock -- SMP_LOCK: spin until bit 0 of the 16-bit word is ours
#  IN:  RAX = lock address
# OUT:  nothing; all registers preserved
.globl smp_lock
smp_lock:
1:	lock bts word ptr [rax], 0
	jnc 3f
2:	pause
	test word ptr [rax], 1
	jnz 2b
	jmp 1b
3:	ret

# -----------------------------------------------------------------------------
# smp_unlock -- SMP_UNLOCK: clear bit 0 of the 16-bit word
#  IN:  RAX = lock address
# OUT:  nothing; all registers preserved
.globl smp_unlock
smp_unlock:
	lock btr word ptr [rax], 0
	ret

# -----------------------------------------------------------------------------
# smp_busy -- SMP_BUSY: is any other core running or holding queued work?
#  IN:  nothing
# OUT:  RAX = 1 if so, else 0; all other registers preserved
.globl smp_busy
smp_busy:
	push rcx
	push rdx
	push rsi
	call core_id
	mov esi, eax
	xor ecx, ecx
1:	cmp ecx, [k_num_cores]
	jae 3f
	movzx edx, byte ptr [k_core_ids + rcx]
	inc ecx
	cmp edx, esi
	je 1b
	mov rax, [SMP_TABLE_ADDRESS + rdx * 8]
	and rax, ~SMP_FLAG_PRESENT
	jz 1b
	mov eax, 1
	jmp 4f
3:	xor eax, eax
4:	pop rsi
	pop rdx
	pop rcx
	ret

# -----------------------------------------------------------------------------
# smp_reset_others -- RESET: send every other core back to idle and wait (100 ms at most) until they are idle
#  IN:  nothing
# OUT:  nothing; all registers preserved
.globl smp_reset_others
smp_reset_others:
	push rax
	push rcx
	push rdx
	push rsi
	call core_id
	mov esi, eax
	xor ecx, ecx
1:	cmp ecx, [k_num_cores]
	jae 2f
	movzx edx, byte ptr [k_core_ids + rcx]
	inc ecx
	cmp edx, esi
	je 1b
	mov eax, ICR_FIXED | VEC_RESET
	call lapic_send_ipi
	jmp 1b
2:	mov eax, 100000
	call timeout_start
3:	call smp_busy
	test eax, eax
	jz 4f
	pause
	call timeout_expired
	jnc 3b
4:	pop rsi
	pop rdx
	pop rcx
	pop rax
	ret

.section .bss
.balign 8
k_deadline:	.skip 8 * MAX_CORES
