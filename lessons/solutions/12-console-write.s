; Lesson 12's solution: the HC_CONSOLE_WRITE routine of vmm/monitors/pv.s, between the
; rest of pv.s (lessons/programs/12-pv-before.s and 12-pv-after.s).
        .include "../programs/12-pv-before.s"

; HC_CONSOLE_WRITE r1 = a, r2 = n: write the n words at guest virtual a..a+n-1
; (each word's low 8 bits, as `out` does), all checked first.
hc_console_write:
        st      r7, hc_link(r0)
        mov     r6, r4
        call    area                    ; r5 = n already
        bne     r1, r0, hc_return       ; -EFAULT
        ld      r1, on_bare(r0)
        beq     r1, r0, hc_cw_pv
hc_cw_loop:                             ; bare: the console is ours
        beq     r5, r0, hc_cw_done
        ld      r1, 0(r6)
        out     r1
        addi    r6, r6, 1
        addi    r5, r5, -1
        jmp     hc_cw_loop
hc_cw_done:
        li      r1, 0
        jmp     hc_return
hc_cw_pv:                               ; under a PV monitor: the whole buffer,
        mov     r1, r6                  ; at our address of it, in one
        mov     r2, r5                  ; hypercall of our own
        svc     HC_CONSOLE_WRITE
        jmp     hc_return

        .include "../programs/12-pv-after.s"
