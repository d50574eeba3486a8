; 08-whereami.s -- a tiny OS that looks at its own PSW with spsw, then starts
; a user program that does the same (examples/isa/pg1-spsw.isa, where spsw
; is NOT privileged: x86's SGDT / SIDT / SMSW, Robin & Irvine 2000).
;
; spsw stores the real PSW: mode, pc, base, bound, ie.  On the bare machine
; the OS learns "supervisor, base 0", and its user program the base the OS
; gave it.  Under a VMM nobody traps, so both read the REAL PSW -- the mode
; the VMM runs them in (user) and where the VMM put them in real storage:
;
;   pgsim run --isa examples/isa/pg1-spsw.isa lessons/programs/08-whereami.s
;   pgsim run --isa examples/isa/pg1-spsw.isa --depth 1 lessons/programs/08-whereami.s
;   pgsim run --depth 1 lessons/programs/08-whereami.s     (PG-1: spsw traps)

        .equ OS_BOUND, 1024
        .equ UBASE, 768         ; the user program's region: real 768 .. 831
        .equ UBOUND, 64

        .org NEW_PSW
        .word SUPERVISOR, trap_entry, 0, OS_BOUND, 0

        .org RESET
boot:   li r6, stack_top
        spsw psw(r0)            ; where am I?
        ld r3, psw+0(r0)        ; r3 = my mode
        ld r4, psw+2(r0)        ; r4 = my base
        li r1, s_os_mode
        call puts
        mov r1, r3
        call print_dec
        li r1, s_base
        call puts
        mov r1, r4
        call print_dec
        call newline
        lpsw user_psw(r0)       ; start the user program (privileged)

; Traps: svc 1 = print the user's r1 in decimal; svc 0 = exit; anything else
; (on PG-1: the user program's spsw traps PRIV) stops the program.
trap_entry:
        st r1, user_r1(r0)
        li r6, stack_top
        ld r1, CAUSE(r0)
        li r2, SVC
        beq r1, r2, on_svc
        li r1, s_stopped
        call puts
        jmp finish
on_svc:
        ld r1, INFO(r0)
        beq r1, r0, finish      ; svc 0: the program is done
        li r1, s_user
        call puts
        ld r1, user_r1(r0)
        call print_dec
        call newline
        lpsw OLD_PSW(r0)        ; back to the user program, after its svc
finish: li r1, s_bye
        call puts
        halt

user_psw: .word USER, 0, UBASE, UBOUND, 0
user_r1:  .word 0
psw:      .space 5

        .include "../../examples/guests/lib/print.s"

s_os_mode: .asciz "whereami: the OS runs in mode "
s_base:    .asciz ", base "
s_user:    .asciz "whereami: the user program says its base is "
s_stopped: .asciz "whereami: the user program may not read its PSW: stopped\n"
s_bye:     .asciz "whereami: halting\n"
stack:     .space 16
stack_top:

; The user program, at virtual 0 of its region (real UBASE on the bare
; machine).  It reads its own PSW and reports the base it finds.
        .org UBASE
        spsw 32(r0)             ; its PSW at its virtual 32..36
        ld r1, 34(r0)           ; the base word
        svc 1                   ; "print r1"
        svc 0                   ; "exit"
