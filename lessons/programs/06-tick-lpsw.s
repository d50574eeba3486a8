; 06-tick-lpsw.s -- the tiny guest OS of 06-tick-setie.s, on PG-1 itself
; (examples/isa/pg1.isa), where there is no setie: set_ie turns interrupts on
; and off with the PRIVILEGED pair spsw/lpsw -- store the PSW, change its ie
; word, load it back (on x86 that would be pushf / or / popf).  Both trap in
; user mode, so under a VMM each is emulated on the guest's virtual PSW, and
; the OS behaves exactly as on the bare machine, at any depth:
;
;   pgsim run --depth 3 lessons/programs/06-tick-lpsw.s
;   pgsim equiv --depth 2 lessons/programs/06-tick-lpsw.s
;
; Everything but set_ie (and the psw scratch area) is 06-tick-setie.s.

        .equ OS_BOUND, 1024     ; the OS's R while it handles a trap: (0, 1024)
        .equ PERIOD, 100        ; cycles until the timer interrupt
        .equ PATIENCE, 1000     ; how many times we look for the tick

; Every trap (here: only the timer) enters on_timer, in supervisor mode, ie 0.
        .org NEW_PSW
        .word SUPERVISOR, on_timer, 0, OS_BOUND, 0

        .org RESET
boot:   li r6, stack_top
        li r1, s_hello
        call puts
        li r1, PERIOD
        stimer r1               ; privileged: the VMM emulates it
        li r1, 1
        call set_ie             ; interrupts on: now the tick may come
        li r2, PATIENCE
wait:   ld r1, ticks(r0)        ; did the timer handler count a tick?
        bne r1, r0, came
        addi r2, r2, -1
        bne r2, r0, wait
        li r1, s_none           ; we gave up waiting
        jmp report
came:   li r1, s_came
report: call puts
        li r1, 0
        call set_ie             ; interrupts off again
        ; Erase what depends on WHEN the tick came (timing is not part of
        ; equivalence): the patience left, and the trap area the tick wrote.
        mov r2, r0
        st r0, 0(r0)
        st r0, 1(r0)
        st r0, 2(r0)
        st r0, 3(r0)
        st r0, 4(r0)
        st r0, CAUSE(r0)
        st r0, INFO(r0)
        st r0, saved_r1(r0)
        halt

; set_ie -- ie = r1 (0 or 1).  THE routine that differs between the versions:
; read the whole PSW, change its ie word, and load it back, continuing at the
; return address (so lpsw is also our `ret`).
set_ie: spsw psw(r0)            ; privileged: trap in user mode
        st r1, psw+4(r0)        ; the new ie
        st r7, psw+1(r0)        ; the new pc: back to the caller
        lpsw psw(r0)            ; privileged: trap in user mode

; The timer interrupt handler: count the tick, go back where we were.
on_timer:
        st r1, saved_r1(r0)
        ld r1, ticks(r0)
        addi r1, r1, 1
        st r1, ticks(r0)
        ld r1, saved_r1(r0)
        lpsw OLD_PSW(r0)        ; the interrupted PSW, with ie = 1 again

        .include "../../examples/guests/lib/print.s"

ticks:    .word 0
saved_r1: .word 0
psw:      .space 5         ; set_ie's copy of the PSW
s_hello:  .asciz "tickos: waiting for one timer tick\n"
s_came:   .asciz "tickos: the timer tick came\n"
s_none:   .asciz "tickos: no tick came -- are interrupts off?\n"
stack:    .space 16
stack_top:
