# entry64 test shim (dev tool, not part of bmjit.img): plays the emulator's part of the 64-bit entry contract
# (docs/boot-protocol.md) on QEMU. QEMU boots this as a Multiboot kernel with build/bmjit.img as module 0; the shim
# copies the image to its load address, builds its own Multiboot information (memory map copied from QEMU's),
# its own GDT (other selector values than the loader's) at 0x1000 and identity page tables at 0x2000-0x7FFF (where
# bmjit's bare loader puts them, and where the loader's own final tables go), enters long mode and jumps to the
# image's entry64 with EAX = 0x2BADB002, RBX = its information structure.
#   qemu-system-x86_64 -machine q35 -kernel build/entry64-shim.bin -initrd build/bmjit.img ...
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.equ SHIM_BASE, 0x1000000
.equ SHIM_GDT,  0x1000
.equ SHIM_PML4, 0x2000
.equ SHIM_PDPT, 0x3000
.equ SHIM_PD,   0x4000

.section .text.header, "ax"
.code32
shim_header:
	.long MULTIBOOT_HEADER_MAGIC
	.long MULTIBOOT_HEADER_FLAGS
	.long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)
	.long shim_header			# header_addr
	.long SHIM_BASE				# load_addr
	.long shim_file_end			# load_end_addr
	.long shim_bss_end			# bss_end_addr
	.long shim_entry			# entry_addr

# -----------------------------------------------------------------------------
# shim_entry -- Multiboot entry of the shim
#  IN:  EAX = 0x2BADB002, EBX = QEMU's Multiboot information (module 0 = bmjit.img)
# OUT:  does not return (enters bmjit.img at entry64)
.text
.globl shim_entry
shim_entry:
	cli
	cld
	mov esp, OFFSET shim_stack_top
	cmp eax, MULTIBOOT_BOOTLOADER_MAGIC
	jne shim_halt
	test dword ptr [ebx], 0x08		# modules present?
	jz shim_halt
	cmp dword ptr [ebx + 20], 0
	je shim_halt
	mov esi, [ebx + 24]
	mov eax, [esi]				# module start
	mov ecx, [esi + 4]
	sub ecx, eax				# module length
	mov esi, eax
	mov edi, [esi + IMG_HDR_LOAD_ADDRESS]	# the image says where it must live
	rep movsb

	# A fresh information structure: flags = mem + mmap, QEMU's numbers and memory map copied.
	mov dword ptr [shim_mbi + MBI_FLAGS], MBI_FLAG_MEM | MBI_FLAG_MMAP
	mov eax, [ebx + MBI_MEM_LOWER]
	mov [shim_mbi + MBI_MEM_LOWER], eax
	mov eax, [ebx + MBI_MEM_UPPER]
	mov [shim_mbi + MBI_MEM_UPPER], eax
	mov ecx, [ebx + MBI_MMAP_LENGTH]
	cmp ecx, 4096
	jbe 1f
	mov ecx, 4096
1:	mov [shim_mbi + MBI_MMAP_LENGTH], ecx
	mov dword ptr [shim_mbi + MBI_MMAP_ADDR], OFFSET shim_mmap
	mov esi, [ebx + MBI_MMAP_ADDR]
	mov edi, OFFSET shim_mmap
	rep movsb

	# Identity map of 0-4 GiB with 2 MiB pages at 0x2000 (PML4), 0x3000 (PDPT), 0x4000-0x7FFF (PDs).
	mov edi, SHIM_PML4
	xor eax, eax
	mov ecx, 6 * 4096 / 4
	rep stosd
	mov dword ptr [SHIM_PML4], SHIM_PDPT + 3
	mov edi, SHIM_PDPT
	mov eax, SHIM_PD + 3
	mov ecx, 4
2:	mov [edi], eax
	add eax, 4096
	add edi, 8
	dec ecx
	jnz 2b
	mov edi, SHIM_PD
	xor edx, edx
3:	mov eax, edx
	shl eax, 21
	or eax, PAGE_2M_FLAGS
	mov [edi], eax
	mov eax, edx
	shr eax, 11
	mov [edi + 4], eax
	add edi, 8
	inc edx
	cmp edx, 2048
	jb 3b

	mov esi, OFFSET shim_gdt
	mov edi, SHIM_GDT
	mov ecx, shim_gdt_end - shim_gdt
	rep movsb
	lgdt [shim_gdtr]
	mov eax, CR4_PAE
	mov cr4, eax
	mov eax, SHIM_PML4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, CR0_PG | CR0_PE
	mov cr0, eax
	jmp 0x28:shim_long

.code64
shim_long:
	mov eax, 0x30
	mov ds, eax
	mov es, eax
	mov ss, eax
	mov eax, [IMG_LOAD_ADDRESS + IMG_HDR_ENTRY64]
	add eax, IMG_LOAD_ADDRESS
	mov r15, rax
	mov eax, MULTIBOOT_BOOTLOADER_MAGIC
	mov ebx, OFFSET shim_mbi
	xor ecx, ecx
	xor edx, edx
	xor esi, esi
	xor edi, edi
	xor ebp, ebp
	jmp r15

.code32
shim_halt:
	cli
	hlt
	jmp shim_halt

.section .rodata
.balign 8
shim_gdt:					# selectors 0x28 (64-bit code) and 0x30 (data): not the loader's
	.quad 0, 0, 0, 0, 0
	.quad 0x00209A0000000000
	.quad 0x00CF92000000FFFF
shim_gdt_end:
.balign 8
shim_gdtr:
	.word shim_gdt_end - shim_gdt - 1
	.quad SHIM_GDT

.section .bss
.balign 16
shim_mbi:	.skip 128
shim_mmap:	.skip 4096
.balign 16
		.skip 4096
shim_stack_top:
