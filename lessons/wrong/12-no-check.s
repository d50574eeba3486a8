; A WRONG ANSWER to lesson 12's exercise, kept so that a test can check that the exercise
; rejects it with a helpful message: it never calls area: it writes whatever the guest names, inside R or not.
; expect: C: .*check
        .include "../programs/12-pv-before.s"

hc_console_write:
        ld      r1, on_bare(r0)
        beq     r1, r0, nc_pv
        addi    r6, r4, VMM_SIZE        ; (assumes base 0, checks nothing)
nc_loop:
        beq     r5, r0, nc_done
        ld      r1, 0(r6)
        out     r1
        addi    r6, r6, 1
        addi    r5, r5, -1
        jmp     nc_loop
nc_done:
        li      r1, 0
        ret
nc_pv:
        addi    r1, r4, VMM_SIZE
        mov     r2, r5
        svc     HC_CONSOLE_WRITE
        ret
        .include "../programs/12-pv-after.s"
