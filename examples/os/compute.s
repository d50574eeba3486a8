; compute.s -- a compute-bound workload for `pgsim compare`: one user task
; runs a loop of innocuous instructions (an xorshift generator summed 20,000
; times) and makes a single system call at the end to print the sum.
;
; Run it:   pgsim run examples/os/compute.s
;           pgsim compare              (the table of every monitor)
;
; Nearly every instruction is innocuous and runs in user mode: under
; trap-and-emulate it runs directly at full speed, and the monitors' costs
; differ only by how they treat the few kernel instructions.
        .include "lib/onetask.s"
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
