/* System test kernel (flat binary, a.out kludge, 32-bit): warm reset through the keyboard controller (0xFE to port
 * 0x64). RAM survives a reset, so a marker outside the image tells the second boot from the first; the second boot
 * exits through isa-debug-exit with status (2 << 1) | 1. */
.intel_syntax noprefix
.include "serial.inc"

.set MB_MAGIC, 0x1badb002
.set MB_FLAGS, 0x00010003
.set MARKER, 0x500000

.section .multiboot, "ax"
mb_header:
  .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
  .long mb_header, image_start, load_end, bss_end, entry32

.text
.code32
.globl entry32
entry32:
  mov esp, offset stack_top
  cmp dword ptr [MARKER], 0x7eb007
  je second
  mov dword ptr [MARKER], 0x7eb007
  mov esi, offset msg_first
  call puts32
  mov al, 0xfe
  out 0x64, al                       /* pulse the CPU reset line */
1:
  hlt
  jmp 1b
second:
  mov esi, offset msg_second
  call puts32
  mov al, 2
  out 0xf4, al
  cli
  hlt

SERIAL_ROUTINES 32
SERIAL_PUTS32

.section .rodata
msg_first: .asciz "first boot, resetting\n"
msg_second: .asciz "second boot\n"

.bss
.skip 4096
stack_top:
