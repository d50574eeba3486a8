; bt-user-spsw.s -- a user task executes spsw. On pg1-spsw.isa (spsw NOT privileged) it
; completes in user mode and stores the REAL PSW: under any monitor that runs user code directly
; (trap-and-emulate, hybrid, bt) the real base is the monitor's composition, not the guest's
; base, so the guest sees where it really is (P&G's Theorem 3 fails: no monitor can hide it).
; On pg1.isa it traps PRIV and the kernel prints "trap".
        .equ UBASE, 4096
        .org NEW_PSW
        .word SUPERVISOR, handler, 0, 8192, 0
        .org RESET
        li r6, stack_top
        li r2, task
        ld r1, 0(r2)
        stp r1, UBASE(r0)
        ld r1, 1(r2)
        stp r1, UBASE+1(r0)
        lpsw upsw(r0)
handler:
        ld r1, CAUSE(r0)
        li r2, SVC
        bne r1, r2, trapped
        ldp r1, UBASE+10+2(r0)  ; the base the task's spsw stored
        call print_dec
        call newline
        halt
trapped:
        li r1, 't'
        call putc
        call newline
        halt
        .include "../../examples/guests/lib/print.s"
upsw:   .word USER, 0, UBASE, 64, 0
task:   spsw 10(r0)
        svc 0
stack:  .space 16
stack_top:
