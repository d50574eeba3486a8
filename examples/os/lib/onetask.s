; lib/onetask.s -- the smallest kernel that runs ONE user task: the workloads
; of `pgsim compare` (compute.s, syscalls.s) include it, so that what they
; measure is the task, not an operating system.
;
; Include it FIRST in the file, then define the task at the label `task`
; (code that runs in USER mode in the region [TASK_BASE, TASK_BASE+TASK_BOUND),
; addressed from its own virtual address 0 -- so the task's labels must be
; used relative to `task`, as `label - task`).
;
; System calls (svc N, argument and result in r1; r2..r7 are preserved):
;   svc 0  exit: print r1 in decimal and a newline, then halt the machine
;   svc 1  putc: print the character r1
;   svc 2  count: r1 = the number of `count` calls so far, this one included
;              (a system call that does almost nothing: its cost is the trap)
;
; The kernel never enables the timer and never reads the clock, so the task's
; output and the final state do not depend on time: the run is deterministic
; at any depth, under any monitor.
        .equ TASK_BASE, 1024    ; real address of the task's region
        .equ TASK_BOUND, 1024   ; words in the task's region

        .org NEW_PSW            ; every trap enters the kernel at k_trap
        .word SUPERVISOR, k_trap, 0, TASK_BASE, 0

        .org RESET
k_start:
        lpsw k_task_psw(r0)     ; start the task: user mode, its region, ie 0

; A trap: save the two registers the kernel uses, find out why.
k_trap:
        st r2, k_save2(r0)
        st r3, k_save3(r0)
        ld r2, CAUSE(r0)
        li r3, SVC
        bne r2, r3, k_fault     ; anything but svc is the task's fault
        ld r2, INFO(r0)
        beq r2, r0, k_exit      ; svc 0
        li r3, 1
        beq r2, r3, k_putc      ; svc 1
        li r3, 2
        beq r2, r3, k_count     ; svc 2
k_fault:
        li r1, '!'              ; a fault or an unknown call: say so, stop
        out r1
        halt
k_putc:
        out r1
        jmp k_return
k_count:
        ld r1, k_calls(r0)
        addi r1, r1, 1
        st r1, k_calls(r0)
k_return:
        ld r2, k_save2(r0)
        ld r3, k_save3(r0)
        lpsw OLD_PSW(r0)        ; back to the task, after its svc
k_exit:
        li r6, k_stack_top
        call print_dec
        call newline
        halt

        .include "../../guests/lib/print.s"

k_task_psw: .word USER, 0, TASK_BASE, TASK_BOUND, 0
k_save2:    .word 0
k_save3:    .word 0
k_calls:    .word 0
            .space 16
k_stack_top:

        .org TASK_BASE
