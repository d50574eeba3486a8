; A WRONG ANSWER to lesson 12's exercise, kept so that a test can check that the exercise
; rejects it with a helpful message: it always uses out, also when the monitor itself runs under a PV monitor.
; expect: Nested.*hypercall of its own
        .include "../programs/12-pv-before.s"

hc_console_write:
        st      r7, hc_link(r0)
        mov     r6, r4
        call    area
        bne     r1, r0, hc_return
ao_loop:
        beq     r5, r0, ao_done
        ld      r1, 0(r6)
        out     r1
        addi    r6, r6, 1
        addi    r5, r5, -1
        jmp     ao_loop
ao_done:
        li      r1, 0
        jmp     hc_return
        .include "../programs/12-pv-after.s"
