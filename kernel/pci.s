# PCI configuration access for BUS_READ / BUS_WRITE (PCI Express Base 4.0 §7.2.2 ECAM via the ACPI MCFG record of
# segment 0; PCI Local Bus 3.0 §3.2.2.3.2 configuration mechanism #1 when there is no MCFG).
# Address format (RDX), as upstream: segment << 32 | bus << 24 | device << 19 | function << 16 | dword index.
.intel_syntax noprefix
.include "abi.inc"
.include "hw.inc"

.text

# -----------------------------------------------------------------------------
# bus_init -- choose ECAM (first MCFG record of segment 0) or mechanism #1
#  IN:  nothing
# OUT:  k_bus_mode, k_ecam_base, k_ecam_bus_end; clobbers RAX, RCX
.globl bus_init
bus_init:
	mov byte ptr [k_bus_mode], 1
	xor ecx, ecx
1:	cmp cx, [INFO_PCIE_COUNT]
	jae 3f
	mov eax, ecx
	shl eax, 4
	cmp word ptr [INFO_PCIE + rax + PCIE_REC_SEGMENT], 0
	jne 2f
	cmp byte ptr [INFO_PCIE + rax + PCIE_REC_BUS_START], 0
	jne 2f
	mov rcx, [INFO_PCIE + rax + PCIE_REC_BASE]
	mov [k_ecam_base], rcx
	mov cl, [INFO_PCIE + rax + PCIE_REC_BUS_END]
	mov [k_ecam_bus_end], cl
	mov byte ptr [k_bus_mode], 2
	ret
2:	inc ecx
	jmp 1b
3:	ret

# bus_address -- validate an address and compute the ECAM pointer or the 0xCF8 value
#  IN:  RDX = bus address
# OUT:  CF set if invalid; else RCX = ECAM pointer (mode 2) or 0xCF8 value (mode 1); all other registers preserved
bus_address:
	push rax
	mov rax, rdx
	shr rax, BUS_SEGMENT_SHIFT
	test ax, ax				# only segment 0 is supported
	jnz 9f
	movzx ecx, dx				# dword index
	cmp byte ptr [k_bus_mode], 2
	jne 2f
	cmp ecx, 1024
	jae 9f
	mov eax, edx
	shr eax, BUS_BUS_SHIFT
	movzx eax, al
	cmp al, [k_ecam_bus_end]
	ja 9f
	shl eax, 8
	push rdx
	shr edx, BUS_DEVFN_SHIFT
	movzx edx, dl
	or eax, edx				# bus << 8 | devfn
	pop rdx
	shl rax, 12
	lea rax, [rax + rcx * 4]
	add rax, [k_ecam_base]
	mov rcx, rax
	pop rax
	clc
	ret
2:	cmp ecx, 64
	jae 9f
	mov eax, edx
	shr eax, BUS_DEVFN_SHIFT
	and eax, 0xFFFF				# bus << 8 | devfn
	shl eax, 8
	or eax, 0x80000000
	lea ecx, [rax + rcx * 4]
	pop rax
	clc
	ret
9:	pop rax
	stc
	ret

# -----------------------------------------------------------------------------
# bus_read -- BUS_READ
#  IN:  RDX = bus address
# OUT:  RAX = 32-bit register value (0xFFFFFFFF for an invalid address); all other registers preserved
.globl bus_read
bus_read:
	push rcx
	push rdx
	call bus_address
	jc 8f
	cmp byte ptr [k_bus_mode], 2
	jne 1f
	mov eax, [rcx]
	jmp 9f
1:	pushfq
	cli
	call pci_lock
	mov eax, ecx
	mov dx, PCI_CONFIG_ADDRESS_PORT
	out dx, eax
	mov dx, PCI_CONFIG_DATA_PORT
	in eax, dx
	call pci_unlock
	popfq
	jmp 9f
8:	mov eax, 0xFFFFFFFF
9:	pop rdx
	pop rcx
	ret

# -----------------------------------------------------------------------------
# bus_write -- BUS_WRITE
#  IN:  RDX = bus address, EAX = value
# OUT:  nothing (invalid addresses are ignored); all registers preserved
.globl bus_write
bus_write:
	push rcx
	push rdx
	push rax
	call bus_address
	jc 9f
	cmp byte ptr [k_bus_mode], 2
	jne 1f
	mov [rcx], eax
	jmp 9f
1:	pushfq
	cli
	call pci_lock
	mov eax, ecx
	mov dx, PCI_CONFIG_ADDRESS_PORT
	out dx, eax
	mov eax, [rsp + 8]
	mov dx, PCI_CONFIG_DATA_PORT
	out dx, eax
	call pci_unlock
	popfq
9:	pop rax
	pop rdx
	pop rcx
	ret

# pci_lock / pci_unlock -- serialise the two-step mechanism #1 access between cores (callers disable interrupts)
#  IN:  nothing
# OUT:  nothing; all registers preserved
pci_lock:
	push rax
	push rcx
	call core_id
	lea ecx, [rax + 1]
1:	xor eax, eax
	lock cmpxchg [k_pci_owner], rcx
	jz 2f
	pause
	jmp 1b
2:	pop rcx
	pop rax
	ret
pci_unlock:
	mov qword ptr [k_pci_owner], 0
	ret
