# ACPI table discovery (ACPI 6.5 §5.2): RSDP in 0xE0000-0xFFFFF, RSDT/XSDT, MADT (types 0, 1, 2, 5), HPET, MCFG,
# FADT (IA-PC boot flags, PM1 control blocks, reset register) and the \_S5 package of the DSDT (for SHUTDOWN).
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.equ SIG_APIC, 0x43495041
.equ SIG_HPET, 0x54455048
.equ SIG_MCFG, 0x4746434D
.equ SIG_FACP, 0x50434146
.equ NAME_S5,  0x5F35535F			# "_S5_"

.text

# -----------------------------------------------------------------------------
# acpi_parse -- find the tables and fill the ACPI-derived information-table fields
#  IN:  nothing
# OUT:  lapic_base, hpet_base, cpu_count, cpu_ids and INFO_* fields; clobbers RAX, RBX, RCX, RDX, RSI, RDI, R8-R11
.globl acpi_parse
acpi_parse:
	mov ecx, MSR_APIC_BASE			# default LAPIC base, replaced by the MADT's
	rdmsr
	shl rdx, 32
	or rax, rdx
	and rax, ~0xFFF
	movabs rdx, 0x000FFFFFFFFFF000
	and rax, rdx
	mov [lapic_base], rax

	mov esi, ACPI_SCAN_START
	movabs r8, 0x2052545020445352		# "RSD PTR "
1:	cmp [rsi], r8
	jne 2f
	mov ecx, 20
	call acpi_checksum
	test al, al
	jz acpi_found
2:	add esi, 16
	cmp esi, ACPI_SCAN_END
	jb 1b
	lea rsi, [rip + msg_nordsp]
	jmp loader_fatal

acpi_found:
	mov [INFO_ACPI], rsi
	mov r8d, [rsi + 16]			# RSDT
	mov r9d, 4
	cmp byte ptr [rsi + 15], 2
	jb 3f
	mov rax, [rsi + 24]			# XSDT when revision >= 2 and present
	test rax, rax
	jz 3f
	mov r8, rax
	mov r9d, 8
3:	mov rsi, r8
	mov ecx, [rsi + 4]
	call acpi_checksum
	test al, al
	jz 4f
	lea rsi, [rip + msg_badroot]
	jmp loader_fatal
4:	mov r10d, [r8 + 4]
	add r10, r8				# end of the root table
	lea r11, [r8 + 36]			# first entry
5:	lea rax, [r11 + r9]
	cmp rax, r10
	ja 7f
	mov edi, [r11]
	cmp r9d, 8
	jne 6f
	mov rdi, [r11]
6:	call acpi_table
	add r11, r9
	jmp 5b
7:	cmp qword ptr [hpet_base], 0
	jne 8f
	lea rsi, [rip + msg_nohpet]
	jmp loader_fatal
8:	cmp dword ptr [cpu_count], 0
	jne 9f
	mov dword ptr [cpu_count], 1		# no MADT: the BSP alone
9:	ret

# acpi_checksum
#  IN:  RSI = bytes, ECX = count
# OUT:  AL = 8-bit sum (0 when valid); clobbers RCX, RDX
acpi_checksum:
	xor eax, eax
	xor edx, edx
1:	test ecx, ecx
	jz 2f
	add al, [rsi + rdx]
	inc edx
	dec ecx
	jmp 1b
2:	ret

# acpi_table -- dispatch one table from the root table
#  IN:  RDI = table address
# OUT:  nothing; clobbers RAX, RBX, RCX, RDX, RSI, RDI
acpi_table:
	test rdi, rdi
	jz 9f
	mov rsi, rdi
	mov ecx, [rdi + 4]
	cmp ecx, 36
	jb 9f
	call acpi_checksum
	test al, al
	jnz 9f					# ignore corrupt tables
	mov eax, [rdi]
	cmp eax, SIG_APIC
	je madt_parse
	cmp eax, SIG_HPET
	je hpet_table
	cmp eax, SIG_MCFG
	je mcfg_parse
	cmp eax, SIG_FACP
	je fadt_parse
9:	ret

# hpet_table -- event timer block: base address (GAS at 40, address at 44) and minimum tick (53)
#  IN:  RDI = table
# OUT:  nothing; clobbers RAX
hpet_table:
	cmp dword ptr [rdi + 4], 56
	jb 1f
	mov rax, [rdi + 44]
	mov [hpet_base], rax
	mov [INFO_HPET_BASE], rax
	mov ax, [rdi + 53]
	mov [INFO_HPET_MIN_TICK], ax
1:	ret

# mcfg_parse -- copy the ECAM allocation records (16 bytes each, from offset 44)
#  IN:  RDI = table
# OUT:  nothing; clobbers RAX, RBX, RCX, RSI
mcfg_parse:
	mov ecx, [rdi + 4]
	lea rbx, [rdi + rcx]			# end
	lea rsi, [rdi + 44]
	movzx ecx, word ptr [INFO_PCIE_COUNT]
1:	lea rax, [rsi + 16]
	cmp rax, rbx
	ja 2f
	cmp ecx, INFO_PCIE_MAX
	jae 2f
	mov eax, ecx
	shl eax, 4
	mov rdx, [rsi]
	mov [INFO_PCIE + rax], rdx
	mov rdx, [rsi + 8]
	mov [INFO_PCIE + rax + 8], rdx
	inc ecx
	add rsi, 16
	jmp 1b
2:	mov [INFO_PCIE_COUNT], cx
	ret

# madt_parse -- processors, I/O APICs, interrupt source overrides, LAPIC address override
#  IN:  RDI = table
# OUT:  nothing; clobbers RAX, RBX, RCX, RDX, RSI
madt_parse:
	mov eax, [rdi + 36]
	mov [lapic_base], rax
	mov ecx, [rdi + 4]
	lea rbx, [rdi + rcx]			# end
	lea rsi, [rdi + 44]
madt_next:
	lea rax, [rsi + 2]
	cmp rax, rbx
	ja madt_done
	movzx ecx, byte ptr [rsi + 1]		# record length
	cmp ecx, 2
	jb madt_done
	lea rax, [rsi + rcx]
	cmp rax, rbx
	ja madt_done
	movzx eax, byte ptr [rsi]
	cmp eax, 0
	je madt_lapic
	cmp eax, 1
	je madt_ioapic
	cmp eax, 2
	je madt_iso
	cmp eax, 5
	je madt_lapic_override
madt_skip:
	movzx ecx, byte ptr [rsi + 1]
	add rsi, rcx
	jmp madt_next

madt_lapic:
	test byte ptr [rsi + 4], 1		# enabled
	jz madt_skip
	mov ecx, [cpu_count]
	cmp ecx, 256
	jae 1f
	mov al, [rsi + 3]
	mov [cpu_ids + rcx], al
1:	inc dword ptr [cpu_count]
	mov eax, [cpu_count]
	mov [INFO_CORES_DETECTED], ax
	jmp madt_skip

madt_ioapic:
	movzx ecx, byte ptr [INFO_IOAPIC_COUNT]
	cmp ecx, INFO_IOAPICS_MAX
	jae madt_skip
	shl ecx, 4
	movzx eax, byte ptr [rsi + 2]
	mov [INFO_IOAPICS + rcx + IOAPIC_REC_ID], eax
	mov eax, [rsi + 4]
	mov [INFO_IOAPICS + rcx + IOAPIC_REC_ADDRESS], eax
	mov eax, [rsi + 8]
	mov [INFO_IOAPICS + rcx + IOAPIC_REC_GSI_BASE], eax
	inc byte ptr [INFO_IOAPIC_COUNT]
	jmp madt_skip

madt_iso:
	movzx ecx, byte ptr [INFO_ISO_COUNT]
	cmp ecx, INFO_ISOS_MAX
	jae madt_skip
	shl ecx, 3
	mov al, [rsi + 2]
	mov [INFO_ISOS + rcx + ISO_REC_BUS], al
	mov al, [rsi + 3]
	mov [INFO_ISOS + rcx + ISO_REC_SOURCE], al
	mov eax, [rsi + 4]
	mov [INFO_ISOS + rcx + ISO_REC_GSI], eax
	mov ax, [rsi + 8]
	mov [INFO_ISOS + rcx + ISO_REC_FLAGS], ax
	inc byte ptr [INFO_ISO_COUNT]
	jmp madt_skip

madt_lapic_override:
	cmp byte ptr [rsi + 1], 12
	jb madt_skip
	mov rax, [rsi + 4]
	mov [lapic_base], rax
	jmp madt_skip

madt_done:
	ret

# fadt_parse -- IA-PC boot architecture flags, PM1 control ports, reset register, then \_S5 from the DSDT
#  IN:  RDI = table
# OUT:  nothing; clobbers RAX, RBX, RCX, RDX, RSI, RDI
fadt_parse:
	mov ebx, [rdi + 4]			# length
	mov eax, [rdi + 64]
	mov [INFO_PM1A_CNT], eax
	mov eax, [rdi + 68]
	mov [INFO_PM1B_CNT], eax
	cmp ebx, 111
	jb 1f
	mov ax, [rdi + 109]
	mov [INFO_BOOT_ARCH], ax
1:	cmp ebx, 129
	jb 2f
	bt dword ptr [rdi + 112], 10		# RESET_REG_SUP
	jnc 2f
	cmp byte ptr [rdi + 116], 1		# system I/O space
	jne 2f
	mov ax, [rdi + 120]
	mov [INFO_RESET_PORT], ax
	mov al, [rdi + 128]
	mov [INFO_RESET_VALUE], al
	mov byte ptr [INFO_RESET_VALID], 1
2:	mov esi, [rdi + 40]			# DSDT
	cmp ebx, 148
	jb 3f
	mov rax, [rdi + 140]			# X_DSDT wins when present
	test rax, rax
	jz 3f
	mov rsi, rax
3:	test rsi, rsi
	jz 9f
	cmp dword ptr [rsi], 0x54445344		# "DSDT"
	jne 9f
	mov ecx, [rsi + 4]
	lea rbx, [rsi + rcx - 4]		# last position a name can start
	add rsi, 36
4:	cmp rsi, rbx
	jae 9f
	mov rdi, rsi				# find the next '_' (one string instruction per byte), then the whole name
	mov rcx, rbx
	sub rcx, rsi
	mov al, '_'
	repne scasb
	jne 9f
	lea rsi, [rdi - 1]
	cmp dword ptr [rsi], NAME_S5
	je 5f
	inc rsi
	jmp 4b
5:	cmp byte ptr [rsi - 1], 0x08		# NameOp _S5_
	je 6f
	cmp byte ptr [rsi - 1], 0x5C		# NameOp \_S5_
	jne 8f
	cmp byte ptr [rsi - 2], 0x08
	jne 8f
6:	cmp byte ptr [rsi + 4], 0x12		# PackageOp
	jne 8f
	movzx eax, byte ptr [rsi + 5]		# PkgLength lead byte: bits 7:6 = extra length bytes
	shr eax, 6
	lea rdi, [rsi + rax + 7]		# skip name, PackageOp, PkgLength and NumElements
	call aml_small_int
	jc 8f
	mov [INFO_SLP_TYPA], al
	call aml_small_int
	jc 8f
	mov [INFO_SLP_TYPB], al
	cmp dword ptr [INFO_PM1A_CNT], 0
	je 9f
	mov byte ptr [INFO_S5_VALID], 1
	jmp 9f
8:	inc rsi					# not the package we want: keep scanning
	jmp 4b
9:	ret

# aml_small_int -- decode ZeroOp, OneOp, BytePrefix or WordPrefix
#  IN:  RDI = AML byte stream
# OUT:  CF clear and AL = value (low byte), RDI advanced; CF set if not a small integer
aml_small_int:
	movzx eax, byte ptr [rdi]
	cmp al, 0x00
	je 1f
	cmp al, 0x01
	je 1f
	cmp al, 0x0A
	je 2f
	cmp al, 0x0B
	je 3f
	stc
	ret
1:	inc rdi
	clc
	ret
2:	mov al, [rdi + 1]
	add rdi, 2
	clc
	ret
3:	mov al, [rdi + 1]
	add rdi, 3
	clc
	ret

.section .rodata
msg_nordsp:	.asciz "ACPI RSDP not found in 0xE0000-0xFFFFF"
msg_badroot:	.asciz "ACPI RSDT/XSDT checksum is wrong"
msg_nohpet:	.asciz "no ACPI HPET table (the HPET is required)"
