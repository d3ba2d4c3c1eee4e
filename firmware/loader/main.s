# Loader main sequence (Pure64-compatible hand-off, /work/shared/baremetal-abi.md §5): memory map, page tables,
# IDT, CPU facts, ACPI, PIC/HPET/APICs, AP start-up, information table, section copies, jump to the kernel.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# loader_main -- common path of both entries
#  IN:  long mode, CS = SEL_CODE64, data selectors SEL_DATA, RSP = LOADER_STACK_TOP, interrupts off;
#       tsc_start, boot_magic, mbi_addr and boot_mode recorded
# OUT:  does not return (jumps to KERNEL_ADDRESS)
.globl loader_main
loader_main:
	call con_init
	cmp dword ptr [boot_magic], MULTIBOOT_BOOTLOADER_MAGIC
	lea rsi, [rip + msg_magic]
	jne loader_fatal
	movabs rax, IMG_MAGIC_QWORD
	cmp [IMG_LOAD_ADDRESS], rax
	lea rsi, [rip + msg_image]
	jne loader_fatal

	call info_clear
	call mbi_parse
	call paging_build
	call idt_build
	call cpu_info
	call acpi_parse
	call pic_init
	call hpet_init
	call lapic_init_bsp
	call ioapic_mask_all
	call smp_start
	call info_finish
	call image_copy

	rdtsc
	shl rdx, 32
	or rax, rdx
	mov [INFO_TSC_END], rax
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
	mov esp, LOADER_STACK_TOP
	jmp KERNEL_ADDRESS

# -----------------------------------------------------------------------------
# info_clear -- zero the information table and the memory-map area
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RCX, RDI
info_clear:
	mov edi, INFO_ADDRESS
	mov ecx, (MEMMAP_ADDRESS + 0x1000 - INFO_ADDRESS) / 8
	xor eax, eax
	rep stosq
	ret

# -----------------------------------------------------------------------------
# cpu_info -- CPUID facts for the information table
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RBX, RCX, RDX, RSI
cpu_info:
	xor eax, eax
	cpuid
	mov [INFO_CPUID_MAX_STD], eax
	mov eax, 1
	cpuid
	bt ecx, 21				# x2APIC
	setc byte ptr [INFO_X2APIC]
	mov eax, 0x80000000
	cpuid
	mov [INFO_CPUID_MAX_EXT], eax
	mov esi, eax
	mov byte ptr [INFO_PHYS_BITS], 36	# architectural defaults when leaf 0x80000008 is missing
	mov byte ptr [INFO_VIRT_BITS], 48
	cmp esi, 0x80000001
	jb 1f
	mov eax, 0x80000001
	cpuid
	bt edx, 26				# 1 GiB pages
	setc byte ptr [INFO_1GB_PAGES]
	cmp esi, 0x80000008
	jb 1f
	mov eax, 0x80000008
	cpuid
	mov [INFO_PHYS_BITS], al
	mov [INFO_VIRT_BITS], ah
1:	ret

# -----------------------------------------------------------------------------
# info_finish -- fields known only at the end
#  IN:  nothing
# OUT:  nothing; clobbers RAX
info_finish:
	mov rax, [lapic_base]
	mov [INFO_LAPIC_BASE], rax
	mov rax, [tsc_start]
	mov [INFO_TSC_START], rax
	mov al, [boot_mode]
	mov [INFO_BOOT_MODE], al
	ret

# -----------------------------------------------------------------------------
# image_copy -- copy kernel, payload and program bundle from the image to their fixed addresses
#  IN:  nothing
# OUT:  nothing; clobbers RAX, RCX, RDX, RSI, RDI, R8
image_copy:
	mov edx, IMG_SECT_KERNEL
	mov r8d, KERNEL_ADDRESS
	mov r9d, KERNEL_MAX_SIZE
	call section_copy
	lea rsi, [rip + msg_nokernel]
	test ecx, ecx
	jz loader_fatal
	mov [INFO_KERNEL_SIZE], ecx
	mov edx, IMG_SECT_PAYLOAD
	mov r8d, PAYLOAD_ADDRESS
	mov r9d, PAYLOAD_MAX_SIZE
	call section_copy
	mov [INFO_PAYLOAD_SIZE], ecx
	mov edx, IMG_SECT_BUNDLE
	mov r8d, BUNDLE_ADDRESS
	mov r9d, BUNDLE_MAX_SIZE
	call section_copy
	mov [INFO_BUNDLE_SIZE], ecx
	ret

# section_copy
#  IN:  EDX = section index, R8 = required destination, R9 = maximum size
# OUT:  ECX = bytes copied; clobbers RAX, RSI, RDI
section_copy:
	mov eax, edx
	shl eax, 4
	lea rax, [rax + IMG_LOAD_ADDRESS + IMG_HDR_SECTIONS]
	mov ecx, [rax + IMG_SECT_SIZE]
	test ecx, ecx
	jz 1f
	lea rsi, [rip + msg_section]
	cmp [rax + IMG_SECT_DEST], r8d
	jne loader_fatal
	cmp ecx, r9d
	ja loader_fatal
	mov esi, [rax + IMG_SECT_OFFSET]
	add esi, IMG_LOAD_ADDRESS
	mov edi, r8d
	push rcx
	shr ecx, 3
	rep movsq
	mov ecx, [rsp]
	and ecx, 7
	rep movsb
	pop rcx
1:	ret

.section .rodata
msg_magic:	.asciz "entered without the Multiboot magic 0x2BADB002 in EAX"
msg_image:	.asciz "image header not found at its load address 0x400000"
msg_nokernel:	.asciz "image has no kernel section"
msg_section:	.asciz "image section has a wrong destination or is too large"
