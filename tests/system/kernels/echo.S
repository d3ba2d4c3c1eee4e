/* System test kernel (flat binary, a.out kludge, 32-bit): a COM1 echo loop. Polls LSR.DR, echoes each byte in upper
 * case, and on 'q' prints "bye" and exits through isa-debug-exit with the number of bytes echoed. Exercises the
 * host -> guest serial path of the CLI (stdin) and of the library (machine.serial.write). */
.intel_syntax noprefix
.include "serial.inc"

.set MB_MAGIC, 0x1badb002
.set MB_FLAGS, 0x00010003

.section .multiboot, "ax"
mb_header:
  .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
  .long mb_header, image_start, load_end, bss_end, entry32

.text
.code32
.globl entry32
entry32:
  mov esp, offset stack_top
  mov esi, offset msg_ready
  call puts32
  xor ebx, ebx                       /* bytes echoed */
next:
  mov dx, 0x3fd
1:
  in al, dx
  test al, 1
  jz 1b
  mov dx, 0x3f8
  in al, dx
  cmp al, 'q'
  je done
  cmp al, 'a'
  jb 2f
  cmp al, 'z'
  ja 2f
  sub al, 0x20
2:
  call putc32
  inc ebx
  jmp next
done:
  mov esi, offset msg_bye
  call puts32
  mov eax, ebx
  out 0xf4, al
  cli
  hlt

SERIAL_ROUTINES 32
SERIAL_PUTS32

.section .rodata
msg_ready: .asciz "echo ready\n"
msg_bye: .asciz "\nbye\n"

.bss
.skip 4096
stack_top:
