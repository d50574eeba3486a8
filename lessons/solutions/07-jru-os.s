; solutions/07-jru-os.s -- the solution of lesson 7's exercise.
;
; The monitor enters user mode with lpsw, which is privileged: under a VMM it
; traps, and the VMM's interpreter routine loads the new PSW into the guest's
; VIRTUAL PSW -- virtual mode = user.  The user program's `out` then traps
; with the guest in virtual user mode, so the VMM reflects the PRIV trap to
; the monitor, exactly as the bare machine delivers it.  (On PG-1 and all its
; variants lpsw is privileged: the monitor no longer needs jru at all.)

        .equ OS_BOUND, 1024

        .org NEW_PSW
        .word SUPERVISOR, trap_entry, 0, OS_BOUND, 0

        .org RESET
boot:   li r6, stack_top
        li r1, s_hello
        call puts
        lpsw user_psw(r0)       ; privileged: (user, user_prog, base 0, OS_BOUND, ie 0)

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
user_psw:    .word USER, user_prog, 0, OS_BOUND, 0
stack:       .space 16
stack_top:
