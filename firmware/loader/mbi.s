# Multiboot v1 information parsing (Multiboot Specification 0.6.96 §3.3): memory map to MEMMAP_ADDRESS,
# usable RAM total and top.
.intel_syntax noprefix
.include "abi.inc"

.text

# -----------------------------------------------------------------------------
# mbi_parse -- read mem_lower/mem_upper or the mmap of the structure at mbi_addr
#  IN:  nothing (mbi_addr)
# OUT:  ram_total, ram_top, INFO_RAM_MIB, INFO_RAM_TOP, INFO_MEMMAP_COUNT and the records at MEMMAP_ADDRESS;
#       clobbers RAX, RBX, RCX, RDX, RSI, RDI, R8-R12
.globl mbi_parse
mbi_parse:
	mov esi, [mbi_addr]
	mov eax, [rsi + MBI_FLAGS]
	mov edi, MEMMAP_ADDRESS
	xor r8d, r8d				# records written
	xor ebx, ebx				# usable bytes
	xor r11d, r11d				# top of usable RAM
	test eax, MBI_FLAG_MMAP
	jz mbi_no_mmap

	mov edx, [rsi + MBI_MMAP_ADDR]
	mov ecx, [rsi + MBI_MMAP_LENGTH]
	add rcx, rdx				# end of the buffer
mbi_next:
	lea rax, [rdx + 24]
	cmp rax, rcx				# a whole 24-byte entry must fit
	ja mbi_done
	mov rax, [rdx + 4]			# base
	mov r9, [rdx + 12]			# length
	mov r10d, [rdx + 20]			# type
	call mbi_record
	mov eax, [rdx]				# size field excludes itself
	lea rdx, [rdx + rax + 4]
	jmp mbi_next

mbi_no_mmap:
	test eax, MBI_FLAG_MEM
	jnz 1f
	lea rsi, [rip + msg_nomem]
	jmp loader_fatal
1:	mov r12d, [rsi + MBI_MEM_UPPER]
	mov r9d, [rsi + MBI_MEM_LOWER]
	shl r9, 10
	xor eax, eax
	mov r10d, 1
	call mbi_record
	mov r9d, r12d
	shl r9, 10
	mov eax, 0x100000
	mov r10d, 1
	call mbi_record

mbi_done:
	mov [ram_total], rbx
	mov [ram_top], r11
	mov [INFO_RAM_TOP], r11
	mov [INFO_MEMMAP_COUNT], r8w
	lea rax, [rbx + 0x80000]
	shr rax, 20
	mov [INFO_RAM_MIB], eax
	lea rsi, [rip + msg_small]
	cmp r11, PROGRAM_PHYS_ADDRESS + 0x200000
	jb loader_fatal
	ret

# mbi_record -- store one region and account for it
#  IN:  RAX = base, R9 = length, R10D = type, RDI = next record, R8 = records so far, RBX = usable bytes, R11 = top
# OUT:  RDI, R8, RBX, R11 updated; clobbers RAX
mbi_record:
	cmp r8d, MEMMAP_MAX_RECORDS
	jae 1f
	mov [rdi], rax
	mov [rdi + 8], r9
	mov [rdi + 16], r10d
	mov dword ptr [rdi + 20], 0
	add rdi, MEMMAP_RECORD_SIZE
	inc r8d
1:	cmp r10d, 1
	jne 2f
	add rbx, r9
	add rax, r9
	cmp rax, r11
	jbe 2f
	mov r11, rax
2:	ret

.section .rodata
msg_nomem:	.asciz "Multiboot information has neither a memory map nor mem_lower/mem_upper"
msg_small:	.asciz "less than 6 MiB of usable RAM"
