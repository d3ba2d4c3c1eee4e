/* System test kernel (ELF32 Multiboot): prints a line, loads an empty IDT and executes UD2. #UD cannot be delivered
 * (vector beyond the IDT limit -> #GP), neither can #GP (-> #DF) nor #DF: the CPU shuts down (triple fault). */
.intel_syntax noprefix
.include "serial.inc"

.set MB_MAGIC, 0x1badb002
.set MB_FLAGS, 0x00000003

.section .multiboot, "a"
.align 4
  .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

.text
.code32
.globl entry32
entry32:
  mov esp, offset stack_top
  mov esi, offset msg
  call puts32
  lidt [empty_idt]
.globl triple_fault_here
triple_fault_here:
  ud2
  mov esi, offset msg_after
  call puts32
  EXIT 0x7f

SERIAL_ROUTINES 32
SERIAL_PUTS32

.section .rodata
msg: .asciz "about to triple fault\n"
msg_after: .asciz "still alive after UD2\n"
.align 4
empty_idt:
  .word 0
  .long 0

.bss
.skip 4096
stack_top:
