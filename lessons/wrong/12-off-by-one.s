; A WRONG ANSWER to lesson 12's exercise, kept so that a test can check that the exercise
; rejects it with a helpful message: its loop writes n-1 words (it tests the count after decrementing it).
; expect: E: .*one word|count
        .include "../programs/12-pv-before.s"

hc_console_write:
        st      r7, hc_link(r0)
        mov     r6, r4
        call    area
        bne     r1, r0, hc_return
        ld      r1, on_bare(r0)
        beq     r1, r0, ob_pv
        beq     r5, r0, ob_done
ob_loop:
        addi    r5, r5, -1
        beq     r5, r0, ob_done         ; leaves before writing the last word
        ld      r1, 0(r6)
        out     r1
        addi    r6, r6, 1
        jmp     ob_loop
ob_done:
        li      r1, 0
        jmp     hc_return
ob_pv:
        mov     r1, r6
        mov     r2, r5
        svc     HC_CONSOLE_WRITE
        jmp     hc_return
        .include "../programs/12-pv-after.s"
