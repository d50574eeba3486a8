; 09-stopwatch.s -- a guest that times one privileged instruction with rdtime
; and draws a conclusion.
;
; rdtime is innocuous by Popek & Goldberg's definitions: it traps nowhere,
; changes no control state, and its result depends neither on the mode nor
; on R.  It reads TIME, which P&G leave out of equivalence on purpose: a
; VMM's interpreter routines take time, and no VMM can hide it.  So even on
; PG-1, where Theorem 1 holds, this guest behaves differently under a VMM:
;
;   pgsim run lessons/programs/09-stopwatch.s
;   pgsim run --depth 1 lessons/programs/09-stopwatch.s
;
; (On the bare machine `out` costs 8 cycles and rdtime 1; under a VMM the out
; traps and is emulated: the trap sequence and dozens of VMM instructions.)

        .equ SUSPICIOUS, 20     ; more cycles than that: someone is watching

        .org RESET
boot:   li r6, stack_top
        li r1, s_start
        call puts
        li r1, '.'
        rdtime r3               ; start the stopwatch
        out r1                  ; one privileged instruction
        rdtime r4               ; stop it
        sub r3, r4, r3          ; r3 = cycles it took
        call newline
        li r1, s_took
        call puts
        mov r1, r3
        call print_dec
        li r1, s_cycles
        call puts
        li r1, SUSPICIOUS
        blt r1, r3, slow
        li r1, s_bare
        jmp say
slow:   li r1, s_virtual
say:    call puts
        halt

        .include "../../examples/guests/lib/print.s"

s_start:   .asciz "stopwatch: timing one out "
s_took:    .asciz "stopwatch: it took "
s_cycles:  .asciz " cycles: "
s_bare:    .asciz "I run on the bare machine\n"
s_virtual: .asciz "I run in a virtual machine\n"
stack:     .space 16
stack_top:
