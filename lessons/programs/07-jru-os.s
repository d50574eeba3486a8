; 07-jru-os.s -- a tiny monitor that starts a user program with `jru`
; (examples/isa/pg1-jru.isa), the way PDP-10 monitors did with JRST 1.
;
; jru imm(rs) jumps AND enters user mode, without trapping: P = rs + imm,
; M = user.  R stays as it is, so this monitor keeps one region (base 0) and
; relies on the hardware's mode alone: in user mode the program may not touch
; the console (`out` is privileged).  It tries anyway; on the bare machine the
; PRIV trap brings us back and we stop it.
;
; Under a trap-and-emulate VMM the monitor itself already runs in real user
; mode: its jru changes nothing the VMM can see, and the VMM still believes
; its guest is in (virtual) supervisor mode.  So it EMULATES the user
; program's `out` -- the forbidden character reaches the console:
;
;   pgsim run --isa examples/isa/pg1-jru.isa lessons/programs/07-jru-os.s
;   pgsim run --isa examples/isa/pg1-jru.isa --depth 1 lessons/programs/07-jru-os.s

        .equ OS_BOUND, 1024

        .org NEW_PSW
        .word SUPERVISOR, trap_entry, 0, OS_BOUND, 0

        .org RESET
boot:   li r6, stack_top
        li r1, s_hello
        call puts
        jru user_prog(r0)       ; "JRST 1": go to user mode, at user_prog

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
