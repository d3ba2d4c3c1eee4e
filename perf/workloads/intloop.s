# Tight integer loop kernel: the dependency chain add/xor/dec/jnz, 4 instructions per iteration.
# IN:  rdi = iterations (>= 1)
# OUT: rax = the mixed accumulator
# Clobbers: rcx, rdx
        .intel_syntax noprefix
        .text
        .global intloop_kernel
intloop_kernel:
        mov rcx, rdi
        xor eax, eax
        mov edx, 0x9e3779b9
1:      add rax, rcx
        xor rdx, rax
        dec rcx
        jnz 1b
        add rax, rdx
        ret
        .section .note.GNU-stack, "", @progbits
