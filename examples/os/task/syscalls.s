; task/syscalls.s -- the user task of examples/os/syscalls.s and syscalls-pv.s (see there).
; It runs in user mode at its region's virtual address 0, after a kernel's .org.
task:
        li r3, 2000             ; r3 = calls left
s_loop:
        svc 2                   ; count: r1 = calls so far
        addi r3, r3, -1
        bne r3, r0, s_loop
        svc 0                   ; exit: the kernel prints r1 = 2000
