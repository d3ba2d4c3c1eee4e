/* System test kernel (flat binary, a.out kludge, 32-bit): interrupts from the platform's timers while the CPU halts.
 * PIT channel 0 at 100 Hz through the 8259 (LINT0 ExtINT), then through the I/O APIC (pin 2) with the PIC masked,
 * then the local APIC timer in periodic mode. Each phase waits for 10 interrupts with `sti; hlt`. Prints
 * PASS/FAIL lines on COM1 and exits through isa-debug-exit with the number of failures. */
.intel_syntax noprefix
.include "serial.inc"

.set MB_MAGIC, 0x1badb002
.set MB_FLAGS, 0x00010003
.set LAPIC, 0xfee00000
.set IOAPIC, 0xfec00000
.set TICKS, 10

.section .multiboot, "ax"
mb_header:
  .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
  .long mb_header, image_start, load_end, bss_end, entry32

.text
.code32
.globl entry32
entry32:
  mov esp, offset stack_top
  mov esi, offset msg_hello
  call puts32
  /* IDT: every vector to `unexpected`, then 0x20 (PIC IRQ0), 0x30 (I/O APIC pin 2), 0x31 (LAPIC timer) */
  xor ecx, ecx
1:
  mov eax, offset unexpected
  call set_gate
  inc ecx
  cmp ecx, 256
  jb 1b
  mov ecx, 0x20
  mov eax, offset irq_pic
  call set_gate
  mov ecx, 0x30
  mov eax, offset irq_ioapic
  call set_gate
  mov ecx, 0x31
  mov eax, offset irq_lapic
  call set_gate
  mov ecx, 0x27
  mov eax, offset spurious_pic
  call set_gate
  mov ecx, 0xff
  mov eax, offset spurious_apic
  call set_gate
  lidt [idt_ptr]

  /* 8259 pair: vectors 0x20/0x28, cascade on IR2, only IRQ0 unmasked */
  mov al, 0x11
  out 0x20, al
  out 0xa0, al
  mov al, 0x20
  out 0x21, al
  mov al, 0x28
  out 0xa1, al
  mov al, 4
  out 0x21, al
  mov al, 2
  out 0xa1, al
  mov al, 1
  out 0x21, al
  out 0xa1, al
  mov al, 0xfe
  out 0x21, al
  mov al, 0xff
  out 0xa1, al
  /* PIT channel 0: mode 2, 1193182 / 11932 = 100 Hz */
  mov al, 0x34
  out 0x43, al
  mov al, 0x9c
  out 0x40, al
  mov al, 0x2e
  out 0x40, al

  mov ebx, offset ticks_pic
  call wait_ticks
  mov edi, offset n_pic
  call report

  /* I/O APIC: PIC masked, pin 2 -> vector 0x30, fixed, edge, physical destination APIC 0; LAPIC enabled */
  mov al, 0xff
  out 0x21, al
  mov dword ptr [LAPIC + 0xf0], 0x1ff
  mov dword ptr [IOAPIC], 0x15
  mov dword ptr [IOAPIC + 0x10], 0
  mov dword ptr [IOAPIC], 0x14
  mov dword ptr [IOAPIC + 0x10], 0x30
  mov ebx, offset ticks_ioapic
  call wait_ticks
  mov edi, offset n_ioapic
  call report
  mov dword ptr [IOAPIC], 0x14
  mov dword ptr [IOAPIC + 0x10], 0x10000               /* mask pin 2 again */

  /* LAPIC timer: periodic, vector 0x31, divide by 1, 1,000,000 bus clocks */
  mov dword ptr [LAPIC + 0x3e0], 0xb
  mov dword ptr [LAPIC + 0x320], 0x20031
  mov dword ptr [LAPIC + 0x380], 1000000
  mov ebx, offset ticks_lapic
  call wait_ticks
  mov edi, offset n_lapic
  call report
  mov dword ptr [LAPIC + 0x320], 0x10031               /* masked */

  cli
  mov esi, offset msg_done
  call puts32
  mov eax, [failures]
  call hex32
  mov al, '\n'
  call putc32
  mov eax, [failures]
  out 0xf4, al
  hlt

/* set_gate: IN ecx = vector, eax = handler. OUT IDT entry. Clobbers edx. */
set_gate:
  mov [idt + ecx * 8], ax
  mov word ptr [idt + ecx * 8 + 2], 0x08
  mov word ptr [idt + ecx * 8 + 4], 0x8e00
  mov edx, eax
  shr edx, 16
  mov [idt + ecx * 8 + 6], dx
  ret

/* wait_ticks: IN ebx = counter address. Halts with interrupts on until the counter reaches TICKS (or a generous
 * spin limit of halts passes). OUT eax = counter. Clobbers ecx. */
wait_ticks:
  mov ecx, 1000
1:
  sti
  hlt
  cli
  cmp dword ptr [ebx], TICKS
  jae 2f
  loop 1b
2:
  mov eax, [ebx]
  ret

/* report: IN edi = name, eax = ticks seen. OUT PASS/FAIL line. Clobbers eax, edx, esi. */
report:
  cmp eax, TICKS
  jb 1f
  mov esi, offset msg_pass
  call puts32
  mov esi, edi
  call puts32
  mov al, '\n'
  call putc32
  ret
1:
  push eax
  mov esi, offset msg_fail
  call puts32
  mov esi, edi
  call puts32
  mov esi, offset msg_got
  call puts32
  pop eax
  call hex32
  mov al, '\n'
  call putc32
  inc dword ptr [failures]
  ret

irq_pic:
  push eax
  inc dword ptr [ticks_pic]
  mov al, 0x20
  out 0x20, al
  pop eax
  iret
irq_ioapic:
  inc dword ptr [ticks_ioapic]
  mov dword ptr [LAPIC + 0xb0], 0
  iret
irq_lapic:
  inc dword ptr [ticks_lapic]
  mov dword ptr [LAPIC + 0xb0], 0
  iret
spurious_pic:
spurious_apic:
  iret
unexpected:
  mov esi, offset msg_unexpected
  call puts32
  mov al, 0x7f
  out 0xf4, al
  hlt

SERIAL_ROUTINES 32
SERIAL_PUTS32

.section .rodata
msg_hello: .asciz "timer test kernel\n"
msg_pass: .asciz "PASS "
msg_fail: .asciz "FAIL "
msg_got: .asciz ": ticks "
msg_done: .asciz "DONE failures="
msg_unexpected: .asciz "FAIL unexpected interrupt or exception\n"
n_pic: .asciz "PIT IRQ0 through the 8259 (ExtINT)"
n_ioapic: .asciz "PIT IRQ0 through the I/O APIC pin 2"
n_lapic: .asciz "local APIC timer, periodic"

.data
.align 4
idt_ptr:
  .word 256 * 8 - 1
  .long idt
failures: .long 0
ticks_pic: .long 0
ticks_ioapic: .long 0
ticks_lapic: .long 0

.bss
.align 8
idt: .skip 256 * 8
.skip 4096
stack_top:
