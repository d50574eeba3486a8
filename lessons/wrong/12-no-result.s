; A WRONG ANSWER to lesson 12's exercise, kept so that a test can check that the exercise
; rejects it with a helpful message: after the loop r1 still holds the last character: the guest gets it as its result.
; expect: A: the result was not 0|result in r1
        .include "../programs/12-pv-before.s"

hc_console_write:
        st      r7, hc_link(r0)
        mov     r6, r4
        call    area
        bne     r1, r0, hc_return
        ld      r1, on_bare(r0)
        beq     r1, r0, nr_pv
nr_loop:
        beq     r5, r0, hc_return       ; r1 = the last character, not 0
        ld      r1, 0(r6)
        out     r1
        addi    r6, r6, 1
        addi    r5, r5, -1
        jmp     nr_loop
nr_pv:
        mov     r1, r6
        mov     r2, r5
        svc     HC_CONSOLE_WRITE
        jmp     hc_return
        .include "../programs/12-pv-after.s"
