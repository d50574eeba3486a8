; 09-pending.s -- a timer interrupt that falls due while interrupts are off is
; not lost: it stays PENDING, and is taken at the first instruction boundary
; with ie = 1 (PG1.md, precise rules 6 and 7).
;
; We set the timer to 10 cycles with ie = 0, do 100 cycles of other work,
; then enable interrupts with lpsw.  The interrupt comes before the first
; instruction of the new PSW; the handler finds that pc in the old PSW.
;
; Under a VMM the guest's virtual timer IS the VMM's machine timer: the VMM
; performs the guest's stimer itself and runs the guest with real ie = its
; virtual ie, so the pending interrupt waits exactly as on the bare machine:
;
;   pgsim run --depth 2 --trace-traps lessons/programs/09-pending.s

        .equ OS_BOUND, 1024

        .org NEW_PSW
        .word SUPERVISOR, on_timer, 0, OS_BOUND, 0

        .org RESET
boot:   li r6, stack_top
        li r1, 10
        stimer r1               ; the tick falls due in 10 cycles ...
        li r2, 50
busy:   addi r2, r2, -1         ; ... while we work with ie = 0 (100 cycles)
        bne r2, r0, busy
        li r1, s_enable
        call puts
        lpsw on_psw(r0)         ; ie = 1, continue at `enabled`
enabled:
        li r1, s_late           ; (never reached: the interrupt comes first)
        call puts
        halt

on_timer:
        li r1, s_tick
        call puts
        ld r3, OLD_PSW+1(r0)    ; where was the interrupted program?
        li r4, enabled
        li r1, s_first
        beq r3, r4, say
        li r1, s_other
say:    call puts
        halt

on_psw: .word SUPERVISOR, enabled, 0, OS_BOUND, 1

        .include "../../examples/guests/lib/print.s"

s_enable: .asciz "pending: enabling interrupts\n"
s_tick:   .asciz "pending: timer interrupt; "
s_first:  .asciz "it was taken before the first instruction with ie = 1\n"
s_other:  .asciz "it was taken somewhere else\n"
s_late:   .asciz "pending: no interrupt came\n"
stack:    .space 16
stack_top:
