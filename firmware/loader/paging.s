# Final page tables (AMD64 APM Vol. 2 §5.3, 2 MiB pages): identity map of max(4 GiB, RAM) at PML4[0] and the RAM
# from PROGRAM_PHYS_ADDRESS up mapped at PROGRAM_ADDRESS (PML4[256]), at the fixed ABI table addresses.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# paging_build -- write the tables, switch CR3 to them and set the CR0/CR4 bits every core uses
#  IN:  nothing (ram_top)
# OUT:  nothing; clobbers RAX, RCX, RDX, RDI, R8, R9
.globl paging_build
paging_build:
	# Low half: whole GiBs, at least 4 (all q35 MMIO lives below 4 GiB), at most PD_LOW_COUNT.
	mov rax, [ram_top]
	add rax, (1 << 30) - 1
	shr rax, 30
	cmp eax, 4
	jae 1f
	mov eax, 4
1:	cmp eax, PD_LOW_COUNT
	jbe 2f
	mov eax, PD_LOW_COUNT
2:	mov r8d, eax				# low PDs

	# High half: 2 MiB pages from PROGRAM_PHYS_ADDRESS to the top of RAM.
	mov rax, [ram_top]
	sub rax, PROGRAM_PHYS_ADDRESS
	add rax, 0x1FFFFF
	shr rax, 21
	cmp rax, PD_HIGH_COUNT * 512
	jbe 3f
	mov eax, PD_HIGH_COUNT * 512
3:	mov r9d, eax				# high PDEs

	# Every entry is written with its final value (the loader runs on its temporary tables, so none of these is
	# live yet; writing whole pages also leaves no stale entry behind).
	mov edi, PML4_ADDRESS
	xor ecx, ecx
1:	xor eax, eax
	cmp ecx, 0
	jne 2f
	mov eax, PDPT_LOW_ADDRESS | 3
2:	cmp ecx, 256
	jne 3f
	mov eax, PDPT_HIGH_ADDRESS | 3
3:	mov [rdi + rcx * 8], rax
	inc ecx
	cmp ecx, 512
	jb 1b

	# Low half with 1 GiB pages when the CPU has them: r8 PDPT entries and no page directories (8 stores instead
	# of thousands: most of the loader's work otherwise).
	call has_1g_pages
	jnc 39f
	xor ecx, ecx
40:	xor eax, eax
	cmp ecx, r8d
	jae 42f
	mov rax, rcx
	shl rax, 30
	or rax, PAGE_2M_FLAGS			# present, writable, PS: a 1 GiB page at the PDPT level
42:	mov [PDPT_LOW_ADDRESS + rcx * 8], rax
	inc ecx
	cmp ecx, 512
	jb 40b
	jmp 43f

	# Low PDPT: r8 entries to the PDs at PD_LOW_ADDRESS, the rest empty. The PD pages are written completely.
39:	xor ecx, ecx
4:	xor eax, eax
	cmp ecx, r8d
	jae 41f
	mov eax, ecx
	shl eax, 12
	add eax, PD_LOW_ADDRESS | 3
41:	mov [PDPT_LOW_ADDRESS + rcx * 8], rax
	inc ecx
	cmp ecx, 512
	jb 4b
	mov edi, PD_LOW_ADDRESS
	mov ecx, r8d
	shl ecx, 9				# PDEs
	mov eax, PAGE_2M_FLAGS
5:	mov [rdi], rax
	add rax, 0x200000
	add rdi, 8
	dec ecx
	jnz 5b

	# High PDPT and PDs: clear the PD pages in use, then fill r9 entries.
43:	mov eax, r9d
	add eax, 511
	shr eax, 9				# high PD pages
	mov edx, eax
	xor ecx, ecx
6:	xor eax, eax
	cmp ecx, edx
	jae 61f
	mov eax, ecx
	shl eax, 12
	add eax, PD_HIGH_ADDRESS | 3
61:	mov [PDPT_HIGH_ADDRESS + rcx * 8], rax
	inc ecx
	cmp ecx, 512
	jb 6b
7:	mov edi, PD_HIGH_ADDRESS
	mov ecx, edx
	shl ecx, 9
	xor eax, eax
	rep stosq
	mov edi, PD_HIGH_ADDRESS
	mov ecx, r9d
	mov eax, PROGRAM_PHYS_ADDRESS | PAGE_2M_FLAGS
	test ecx, ecx
	jz 9f
8:	mov [rdi], rax
	add rax, 0x200000
	add rdi, 8
	dec ecx
	jnz 8b

9:	mov rax, cr4
	or eax, CR4_BOOT
	mov cr4, rax
	mov eax, PML4_ADDRESS
	mov cr3, rax
	mov rax, cr0
	and eax, ~(CR0_EM | CR0_TS | CR0_CD | CR0_NW)
	or eax, CR0_MP | CR0_NE
	mov cr0, rax
	fninit
	ret

# -----------------------------------------------------------------------------
# has_1g_pages -- does the CPU support 1 GiB pages (CPUID 80000001h EDX bit 26)?
#  IN:  nothing
# OUT:  CF = 1 if it does; clobbers RAX, RDX (RBX and RCX preserved)
.globl has_1g_pages
has_1g_pages:
	push rbx
	push rcx
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb 1f					# CF = 1 here would be wrong: clear it below
	mov eax, 0x80000001
	cpuid
	bt edx, 26
	pop rcx
	pop rbx
	ret
1:	clc
	pop rcx
	pop rbx
	ret
