; task/compute.s -- the user task of examples/os/compute.s and compute-pv.s (see there).
; It runs in user mode at its region's virtual address 0, after a kernel's .org.
task:
        li r3, 20000            ; r3 = iterations left
        li r4, 0                ; r4 = the sum
        lui r5, 0x1234          ; r5 = the generator's state, never 0
        ori r5, r5, 0x5678
        li r2, 13
        li r6, 17
        li r7, 5
c_loop:
        shl r1, r5, r2          ; xorshift32: x ^= x << 13; x ^= x >> 17; x ^= x << 5
        xor r5, r5, r1
        shr r1, r5, r6
        xor r5, r5, r1
        shl r1, r5, r7
        xor r5, r5, r1
        add r4, r4, r5
        addi r3, r3, -1
        bne r3, r0, c_loop
        mov r1, r4
        svc 0                   ; exit: the kernel prints the sum
