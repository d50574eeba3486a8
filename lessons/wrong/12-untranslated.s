; A WRONG ANSWER to lesson 12's exercise, kept so that a test can check that the exercise
; rejects it with a helpful message: it checks with area, then reads the guest's address a as if it were ours.
; expect: A: .*our address
        .include "../programs/12-pv-before.s"

hc_console_write:
        st      r7, hc_link(r0)
        mov     r6, r4
        call    area
        bne     r1, r0, hc_return
        ld      r1, on_bare(r0)
        beq     r1, r0, ut_pv
ut_loop:
        beq     r5, r0, ut_done
        ld      r1, 0(r4)               ; the guest's address, not ours (r6)
        out     r1
        addi    r4, r4, 1
        addi    r5, r5, -1
        jmp     ut_loop
ut_done:
        li      r1, 0
        jmp     hc_return
ut_pv:
        mov     r1, r4
        mov     r2, r5
        svc     HC_CONSOLE_WRITE
        jmp     hc_return
        .include "../programs/12-pv-after.s"
