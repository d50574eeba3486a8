; lessons/wrong/07-unchanged.s -- a WRONG answer to lesson 7's exercise, kept so that
; a test can check that the exercise rejects it with a helpful message:
; the exercise as given: jru, which the VMM never sees.
; expect: hint: The user program must run in user mode
;
; exercises/07-jru-os.s -- lesson 7's exercise: the monitor of
; lessons/programs/07-jru-os.s, still entering user mode with `jru`.
;
; TASK: change the marked line (add data if you need it) so that the monitor
; starts its user program in a way a trap-and-emulate VMM can see, and the
; monitor behaves the same on the bare machine and under the VMM, on
; pg1-jru.isa.  The user program must still run in user mode and be stopped
; when it tries its `out`.  Check:
;
;   pgsim lesson run 7
;   pgsim run --isa examples/isa/pg1-jru.isa --depth 1 lessons/exercises/07-jru-os.s

        .equ OS_BOUND, 1024

        .org NEW_PSW
        .word SUPERVISOR, trap_entry, 0, OS_BOUND, 0

        .org RESET
boot:   li r6, stack_top
        li r1, s_hello
        call puts
        jru user_prog(r0)       ; TODO: enter user mode so that the VMM sees it

; Every trap comes here, in supervisor mode.  Who trapped, and why?
trap_entry:
        li r6, stack_top
        ld r3, OLD_PSW(r0)      ; the mode the trap came from (1 = user)
        ld r4, CAUSE(r0)
        li r1, s_trap
        call puts
        mov r1, r4
        call print_dec          ; the cause
        li r1, s_from_sup
        beq r3, r0, from
        li r1, s_from_user
from:   call puts
        li r1, PRIV
        bne r4, r1, stop
        beq r3, r0, stop
        li r1, s_caught         ; a user program tried a privileged instruction
        call puts
stop:   li r1, s_bye
        call puts
        halt

; The user program.  It has no business writing to the console itself.
user_prog:
        li r1, '!'
        out r1                  ; privileged: traps in user mode
        svc 0                   ; "I'm done" (never reached on the bare machine)

        .include "../../examples/guests/lib/print.s"

s_hello:     .asciz "jruos: starting the user program in user mode\n"
s_trap:      .asciz "\njruos: trap, cause "
s_from_user: .asciz ", from user mode\n"
s_from_sup:  .asciz ", from supervisor mode\n"
s_caught:    .asciz "jruos: the user program tried a privileged instruction: stopped\n"
s_bye:       .asciz "jruos: halting\n"
stack:       .space 16
stack_top:
