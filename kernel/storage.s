# Non-volatile storage entries (b_nvs_read / b_nvs_write, 4096-byte sectors). No storage driver exists yet, so
# every device answers "no device": 0 sectors. A driver must advance the memory pointer by 4096 per sector (the
# upstream multi-sector read bug re-used the first sector's buffer); see docs/kernel.md.
.intel_syntax noprefix
.include "abi.inc"

.text

# -----------------------------------------------------------------------------
# b_nvs_read -- read sectors
#  IN:  RAX = first sector, RCX = count, RDX = device, RDI = destination
# OUT:  RCX = sectors read (always 0: no device); all other registers preserved
.globl b_nvs_read
b_nvs_read:
	xor ecx, ecx
	ret

# -----------------------------------------------------------------------------
# b_nvs_write -- write sectors
#  IN:  RAX = first sector, RCX = count, RDX = device, RSI = source
# OUT:  RCX = sectors written (always 0: no device); all other registers preserved
.globl b_nvs_write
b_nvs_write:
	xor ecx, ecx
	ret
