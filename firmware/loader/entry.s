# Loader entry points (docs/boot-protocol.md): the Multiboot v1 entry (32-bit protected mode, paging off) and the
# 64-bit entry (long mode, identity map of at least 4 GiB). Both record the boot facts and meet in loader_main.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.section .text.entry, "ax"

# -----------------------------------------------------------------------------
# loader_entry32 -- Multiboot v1 entry
#  IN:  EAX = 0x2BADB002, EBX = physical address of the Multiboot information structure, flat CS/DS/ES/SS,
#       protected mode, paging off, interrupts off; no usable stack
# OUT:  does not return (continues in loader_main in long mode)
.code32
.globl loader_entry32
loader_entry32:
	cli
	cld
	mov edi, eax
	rdtsc
	mov [tsc_start], eax
	mov [tsc_start + 4], edx
	mov [boot_magic], edi
	mov [mbi_addr], ebx
	mov byte ptr [boot_mode], BOOT_MODE_BIOS

	mov esi, OFFSET gdt_template
	mov edi, GDT_ADDRESS
	mov ecx, GDT_TEMPLATE_BYTES / 4
	rep movsd
	lgdt [gdtr]
	jmp SEL_CODE32:entry32_flat
entry32_flat:
	mov eax, SEL_DATA
	mov ds, eax
	mov es, eax
	mov ss, eax
	mov fs, eax
	mov gs, eax
	mov esp, LOADER_STACK_TOP

	# Temporary identity map of the first 4 GiB (2 MiB pages) in the loader's own pages; paging_build later
	# writes the final tables at the ABI addresses while these are the live ones.
	mov edi, OFFSET tmp_pml4
	mov eax, OFFSET tmp_pdpt + 3
	mov [edi], eax
	mov edi, OFFSET tmp_pdpt
	mov eax, OFFSET tmp_pd + 3
	mov ecx, 4
1:	mov [edi], eax
	add eax, 0x1000
	add edi, 8
	dec ecx
	jnz 1b
	mov edi, OFFSET tmp_pd
	xor edx, edx				# 2 MiB page number
2:	mov eax, edx
	shl eax, 21
	or eax, PAGE_2M_FLAGS
	mov [edi], eax
	mov eax, edx
	shr eax, 11				# bits 63:32 of the physical address
	mov [edi + 4], eax
	add edi, 8
	inc edx
	cmp edx, 2048
	jb 2b

	mov eax, CR4_BOOT
	mov cr4, eax
	mov eax, OFFSET tmp_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, CR0_PG | CR0_PE | CR0_MP | CR0_NE | CR0_ET
	mov cr0, eax
	jmp SEL_CODE64:entry32_long
.code64
entry32_long:
	jmp loader_main

# -----------------------------------------------------------------------------
# loader_entry64 -- 64-bit entry "as UEFI would hand over"
#  IN:  EAX = 0x2BADB002, RBX = physical address of a Multiboot v1 information structure (below 4 GiB),
#       long mode, flat 64-bit CS, identity map of at least 0-4 GiB, interrupts off
# OUT:  does not return (continues in loader_main)
.globl loader_entry64
loader_entry64:
	cli
	cld
	mov edi, eax
	rdtsc
	mov [tsc_start], eax
	mov [tsc_start + 4], edx
	mov [boot_magic], edi
	mov [mbi_addr], ebx
	mov byte ptr [boot_mode], BOOT_MODE_UEFI

	mov esi, OFFSET gdt_template
	mov edi, GDT_ADDRESS
	mov ecx, GDT_TEMPLATE_BYTES / 4
	rep movsd
	lgdt [gdtr]
	lea rax, [rip + entry64_reload]
	push SEL_CODE64
	push rax
	.byte 0x48, 0xCB			# retfq: reload CS with our 64-bit selector
entry64_reload:
	mov eax, SEL_DATA
	mov ds, eax
	mov es, eax
	mov ss, eax
	mov fs, eax
	mov gs, eax
	mov esp, LOADER_STACK_TOP

	# Leave the caller's page tables for the loader's temporary identity map (0-4 GiB, 2 MiB pages), so that
	# nothing depends on where the caller put its tables.
	mov edi, OFFSET tmp_pml4
	mov eax, OFFSET tmp_pdpt + 3
	mov [rdi], rax
	mov edi, OFFSET tmp_pdpt
	mov eax, OFFSET tmp_pd + 3
	mov ecx, 4
1:	mov [rdi], rax
	add eax, 0x1000
	add edi, 8
	dec ecx
	jnz 1b
	call has_1g_pages			# with 1 GiB pages the four PDPT entries map 0-4 GiB directly
	jnc 3f
	mov edi, OFFSET tmp_pdpt
	mov eax, PAGE_2M_FLAGS			# present, writable, PS
	xor ecx, ecx
4:	mov [rdi + rcx * 8], rax
	add rax, 0x40000000
	inc ecx
	cmp ecx, 4
	jb 4b
	jmp 5f
3:	mov edi, OFFSET tmp_pd
	mov eax, PAGE_2M_FLAGS
	mov ecx, 2048
2:	mov [rdi], rax
	add rax, 0x200000
	add rdi, 8
	dec ecx
	jnz 2b
5:	mov rax, cr4
	or eax, CR4_PAE
	mov cr4, rax
	mov eax, OFFSET tmp_pml4
	mov cr3, rax
	jmp loader_main
