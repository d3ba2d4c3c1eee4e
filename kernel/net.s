# Network entries (b_net_tx / b_net_rx, NET_STATUS, NET_CONFIG). No network driver exists yet: transmit drops the
# frame, receive returns 0 bytes, the status is 0 ("no network").
.intel_syntax noprefix
.include "abi.inc"

.text

# -----------------------------------------------------------------------------
# b_net_tx -- transmit a frame
#  IN:  RSI = frame (with its 14-byte Ethernet header), RCX = length, RDX = interface
# OUT:  nothing; all registers preserved
.globl b_net_tx
b_net_tx:
	ret

# -----------------------------------------------------------------------------
# b_net_rx -- receive a frame
#  IN:  RDI = buffer, RDX = interface
# OUT:  RCX = length (always 0: no device); all other registers preserved
.globl b_net_rx
b_net_rx:
	xor ecx, ecx
	ret

# -----------------------------------------------------------------------------
# net_status -- NET_STATUS
#  IN:  RDX = interface
# OUT:  RAX = MAC address in bits 47:0, 0 if no network; all other registers preserved
.globl net_status
net_status:
	xor eax, eax
	ret

# -----------------------------------------------------------------------------
# net_config -- NET_CONFIG
#  IN:  RDX = interface, RAX = base for receive descriptors
# OUT:  RAX = 0 (no interface to configure); all other registers preserved
.globl net_config
net_config:
	xor eax, eax
	ret
