# Guest entry for the benchmark workloads (flat binary at 0x100000, entered by `bmjit bare` / Machine.loadBare in
# 64-bit long mode with the low 4 GiB identity-mapped and interrupts off).
# IN:  rdi = size parameter n, rsi = repetitions (set by the harness; 0 = the workload's default size, 1 rep)
# OUT: never returns: writes guest_main's status to isa-debug-exit (port 0xF4, 32-bit), then halts
# Clobbers: everything
        .intel_syntax noprefix
        .section .text.start, "ax"
        .global _start
_start:
        mov r12, rdi
        mov r13, rsi
        lea rsp, [rip + __stack_top]
        cld
        # .bss is not part of the flat image; RAM is zero at power-on, but clear it so reruns are identical.
        lea rdi, [rip + __bss_start]
        lea rcx, [rip + __bss_end]
        sub rcx, rdi
        xor eax, eax
        rep stosb
        mov rdi, r12
        mov rsi, r13
        call guest_main
        mov edx, 0xf4
        out dx, eax
1:      hlt
        jmp 1b
