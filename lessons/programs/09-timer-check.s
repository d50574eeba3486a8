; 09-timer-check.s -- lesson 9's check of a VMM's `stimer`: a guest that prints
; what it observes of its timer, so that its output depends on the PERIOD it
; asked for and on what the VMM does after emulating stimer.
;
; Each phase sets the timer with ie = 0, works for a known number of cycles
; (a busy loop of 3 cycles per iteration), then enables interrupts with lpsw
; for exactly one instruction and looks whether the tick was taken there.
;
;   A  period 2000, work 3000: the tick is PENDING (2000 < 3000)   -> "yes"
;   B  period 6000, work 3000: the tick is NOT due yet             -> "no"
;   C  the tick of B arrives later, while we wait with ie = 1      -> "yes"
;   D  period 50, work 300, then stimer 0: the pending tick is
;      cleared, none comes                                         -> "yes"
;   E  read one word of console input after all those stimers      -> it
;
; Under a correct VMM the virtual timer also counts the VMM's own cycles, so it
; falls due a little EARLIER in guest terms (a few hundred cycles at depth 2):
; the margins below are wide enough for that, and narrow enough that a period
; twice as long, a constant one, or no timer at all changes the output.
; A VMM that does not finish its emu_stimer with `jmp advance` falls into the
; next routine, emu_in, and eats the console input meant for phase E.
;
;   pgsim run --input <(printf k) lessons/programs/09-timer-check.s
;   pgsim run --depth 2 --input <(printf k) lessons/programs/09-timer-check.s

        .equ OS_BOUND, 1024

        .org NEW_PSW
        .word SUPERVISOR, on_timer, 0, OS_BOUND, 0

        .org RESET
boot:   li r6, stack_top

; A: period 2000, then 3000 cycles of work with ie = 0: pending.
        st r0, ticked(r0)
        li r1, 2000
        stimer r1
        li r2, 1000
busy_a: addi r2, r2, -1
        bne r2, r0, busy_a
        lpsw psw_a(r0)          ; ie = 1 for one instruction, at after_a
after_a:
        lpsw psw_a_off(r0)      ; ie = 0 again
back_a: li r1, s_a
        call puts
        li r4, after_a
        call report

; B: period 6000, then 3000 cycles of work: not due yet.
        st r0, ticked(r0)
        li r1, 6000
        stimer r1
        li r2, 1000
busy_b: addi r2, r2, -1
        bne r2, r0, busy_b
        lpsw psw_b(r0)
after_b:
        lpsw psw_b_off(r0)
back_b: li r1, s_b
        call puts
        li r4, after_b
        call report

; C: B's tick must still come: wait for it with ie = 1 (at most ~60000 cycles).
        lpsw psw_c(r0)
wait_c: li r2, 10000
spin_c: ld r1, ticked(r0)
        bne r1, r0, got_c
        addi r2, r2, -1
        bne r2, r0, spin_c
got_c:  lpsw psw_c_off(r0)      ; ie = 0 (if the tick came, the handler left it 0)
back_c: li r2, 0                ; forget where the tick found us: that is timing
        st r0, tick_pc(r0)
        st r0, OLD_PSW+1(r0)
        st r0, save_r1(r0)
        li r1, s_c
        call puts
        ld r1, ticked(r0)
        call yes_no

; D: period 50, 300 cycles of work (pending), then stimer 0 clears it.
        st r0, ticked(r0)
        li r1, 50
        stimer r1
        li r2, 100
busy_d: addi r2, r2, -1
        bne r2, r0, busy_d
        stimer r0               ; off, and the pending tick is forgotten
        lpsw psw_d(r0)
after_d:
        lpsw psw_d_off(r0)
back_d: li r1, s_d
        call puts
        ld r1, ticked(r0)
        xori r1, r1, 1          ; "yes" when no tick came
        call yes_no

; E: the console input is still ours.
        li r1, s_e
        call puts
        in r1
        blt r1, r0, no_input
        call putc
        call newline
        halt
no_input:
        li r1, s_none
        call puts
        halt

; report -- print whether the tick was taken at the instruction in r4.
report: addi r6, r6, -1
        st r7, 0(r6)
        ld r1, ticked(r0)
        beq r1, r0, rep_no
        ld r1, tick_pc(r0)
        bne r1, r4, rep_else
        li r1, 1
        call yes_no
        jmp rep_done
rep_else:
        li r1, s_else
        call puts
        jmp rep_done
rep_no: li r1, 0
        call yes_no
rep_done:
        ld r7, 0(r6)
        addi r6, r6, 1
        ret

; yes_no -- print "yes" if r1 != 0, else "no", and a newline.
yes_no: addi r6, r6, -1
        st r7, 0(r6)
        beq r1, r0, yn_no
        li r1, s_yes
        jmp yn_put
yn_no:  li r1, s_no
yn_put: call puts
        ld r7, 0(r6)
        addi r6, r6, 1
        ret

; The timer interrupt: note it and where it came, and resume the interrupted
; program with interrupts off.
on_timer:
        st r1, save_r1(r0)
        li r1, 1
        st r1, ticked(r0)
        ld r1, OLD_PSW+1(r0)
        st r1, tick_pc(r0)
        st r0, OLD_PSW+4(r0)    ; ie = 0 in the PSW we return to
        ld r1, save_r1(r0)
        lpsw OLD_PSW(r0)

psw_a:     .word SUPERVISOR, after_a, 0, OS_BOUND, 1
psw_a_off: .word SUPERVISOR, back_a, 0, OS_BOUND, 0
psw_b:     .word SUPERVISOR, after_b, 0, OS_BOUND, 1
psw_b_off: .word SUPERVISOR, back_b, 0, OS_BOUND, 0
psw_c:     .word SUPERVISOR, wait_c, 0, OS_BOUND, 1
psw_c_off: .word SUPERVISOR, back_c, 0, OS_BOUND, 0
psw_d:     .word SUPERVISOR, after_d, 0, OS_BOUND, 1
psw_d_off: .word SUPERVISOR, back_d, 0, OS_BOUND, 0
ticked:    .word 0
tick_pc:   .word 0
save_r1:   .word 0

        .include "../../examples/guests/lib/print.s"

s_a:    .asciz "timer check A: period 2000, 3000 cycles of work: the tick was pending: "
s_b:    .asciz "timer check B: period 6000, 3000 cycles of work: the tick was pending: "
s_c:    .asciz "timer check C: the tick of B came later: "
s_d:    .asciz "timer check D: stimer 0 cleared a pending tick: "
s_e:    .asciz "timer check E: the console input after the stimers: "
s_yes:  .asciz "yes\n"
s_no:   .asciz "no\n"
s_else: .asciz "at another instruction\n"
s_none: .asciz "none (eaten by someone else?)\n"
stack:  .space 16
stack_top:
