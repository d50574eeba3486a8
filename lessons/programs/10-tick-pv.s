; 10-tick-pv.s -- the tiny guest OS of 06-tick-setie.s, PARAVIRTUALIZED for
; examples/isa/pg1-setie.isa: set_ie no longer executes the sensitive,
; unprivileged setie; it asks for the change with a supervisor call,
; `svc SYS_SETIE` -- the guest's "hypercall".
;
; svc traps in every mode, so a VMM always sees it.  The reference VMM has no
; hypercall interface of its own: it reflects the svc to the guest, like any
; trap, and the guest's own trap handler makes the change with the
; privileged lpsw (ie = r1 in the PSW it returns to) -- which the VMM, in
; turn, emulates on the guest's virtual PSW.  On the bare machine the same
; handler does the same work.  Either way the guest never executes setie:
;
;   pgsim run --isa examples/isa/pg1-setie.isa --depth 2 lessons/programs/10-tick-pv.s
;   pgsim equiv --isa examples/isa/pg1-setie.isa lessons/programs/10-tick-pv.s
;
; Everything but set_ie and the trap handler is 06-tick-setie.s.

        .equ OS_BOUND, 1024     ; the OS's R while it handles a trap: (0, 1024)
        .equ PERIOD, 100        ; cycles until the timer interrupt
        .equ PATIENCE, 1000     ; how many times we look for the tick
        .equ SYS_SETIE, 1       ; the system call "ie = r1"

; Every trap (here: the timer and our own svc) enters on_trap, in supervisor
; mode, ie 0.
        .org NEW_PSW
        .word SUPERVISOR, on_trap, 0, OS_BOUND, 0

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

; set_ie -- ie = r1 (0 or 1), by a system call: the paravirtual version.
set_ie: svc SYS_SETIE           ; traps in any mode: the VMM always sees it
        ret

; The trap handler.  svc SYS_SETIE: put r1 into the ie word of the PSW we
; return to (svc saved the pc of the instruction after it).  TIMER: count
; the tick.  Either way, go back where we were with lpsw.
on_trap:
        st r1, saved_r1(r0)
        ld r1, CAUSE(r0)
        addi r1, r1, -SVC
        bne r1, r0, on_timer
        ld r1, saved_r1(r0)     ; the caller's r1: the new ie
        st r1, OLD_PSW+4(r0)
        lpsw OLD_PSW(r0)        ; privileged: the VMM emulates it
on_timer:
        ld r1, ticks(r0)
        addi r1, r1, 1
        st r1, ticks(r0)
        ld r1, saved_r1(r0)
        lpsw OLD_PSW(r0)        ; the interrupted PSW, with ie = 1 again

        .include "../../examples/guests/lib/print.s"

ticks:    .word 0
saved_r1: .word 0
s_hello:  .asciz "tickos: waiting for one timer tick\n"
s_came:   .asciz "tickos: the timer tick came\n"
s_none:   .asciz "tickos: no tick came -- are interrupts off?\n"
stack:    .space 16
stack_top:
