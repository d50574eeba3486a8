; A WRONG ANSWER to lesson 12's exercise, kept so that a test can check that the exercise
; rejects it with a helpful message: nested, it passes the buffer on one character per hypercall: right output, many more traps.
; expect: one hypercall per character|whole buffer
        .include "../programs/12-pv-before.s"

hc_console_write:
        st      r7, hc_link(r0)
        mov     r6, r4
        call    area
        bne     r1, r0, hc_return
        ld      r1, on_bare(r0)
        beq     r1, r0, pc_pv
pc_loop:
        beq     r5, r0, pc_done
        ld      r1, 0(r6)
        out     r1
        addi    r6, r6, 1
        addi    r5, r5, -1
        jmp     pc_loop
pc_done:
        li      r1, 0
        jmp     hc_return
pc_pv:
        beq     r5, r0, pc_done
        mov     r1, r6
        li      r2, 1
        svc     HC_CONSOLE_WRITE        ; one word per hypercall
        addi    r6, r6, 1
        addi    r5, r5, -1
        jmp     pc_pv
        .include "../programs/12-pv-after.s"
