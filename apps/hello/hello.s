# hello: the smallest BareMetal program, in assembly. Entered with `call`, prints one line, returns with `ret`.
.intel_syntax noprefix
.include "abi.inc"

.section .text.start, "ax"

# -----------------------------------------------------------------------------
# _start -- program entry
#  IN:  nothing
# OUT:  nothing; clobbers RCX, RSI
.globl _start
_start:
	lea rsi, [rip + message]
	mov ecx, message_end - message
	call [CALL_B_OUTPUT]
	ret

.section .rodata
message:	.ascii "Hello, world! (hello: assembly program at 0xFFFF800000000000)\n"
message_end:
