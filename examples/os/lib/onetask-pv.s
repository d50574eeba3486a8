; lib/onetask-pv.s -- lib/onetask.s PARAVIRTUALIZED: the same one-task kernel
; for the paravirtualizing monitor (--vmm pv; docs/hypercalls.md), so that
; `pgsim compare` can run the workloads compute-pv.s and syscalls-pv.s under
; it.  Same system calls, same output; every privileged instruction of
; onetask.s became a hypercall:
;
;   onetask.s                          onetask-pv.s
;   new PSW at 8..12 (hardware)        HC_SET_TRAP_TABLE 0: our low storage is
;                                      the trap table; its handler PSW at 8..12
;   lpsw k_task_psw (start the task)   the task's PSW into the table's old-PSW
;                                      slot, then HC_IRET
;   lpsw OLD_PSW (back to the task)    HC_IRET
;   out r1                             HC_CONSOLE_WRITE of a one-word buffer
;   halt                               HC_HALT
;
; It runs only under the PV monitor (on the bare machine `svc HC_...` is a
; plain trap into ourselves: we print "!" and stop).
        .include "../../../vmm/monitors/pv-abi.s"
        .equ TASK_BASE, 1024    ; real address of the task's region
        .equ TASK_BOUND, 1024   ; words in the task's region

        .org NEW_PSW            ; the handler PSW of our trap table (and, bare,
        .word SUPERVISOR, k_trap, 0, TASK_BASE, 0   ; the hardware's new PSW)

        .org RESET
k_start:
        li r1, 0
        svc HC_SET_TRAP_TABLE   ; r1 = 0: the table is our low storage 0..12
        bne r1, r0, k_fault     ; (bare: the svc trapped to k_trap instead)
        li r2, 4                ; copy the task's PSW into the old-PSW slot
k_copy:
        ld r1, k_task_psw(r2)
        st r1, OLD_PSW(r2)
        addi r2, r2, -1
        bge r2, r0, k_copy
        li r1, 0
        svc HC_IRET             ; start the task: user mode, its region

; A trap delivered through the table: save the registers we use, find out why.
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
        li r6, k_stack_top      ; a fault or an unknown call: say so, stop
        li r1, '!'
        call putc
        call flush
        svc HC_HALT
k_putc:
        st r1, k_char(r0)       ; a one-character buffer
        li r1, k_char
        li r2, 1
        svc HC_CONSOLE_WRITE    ; r1 = the buffer, r2 = 1 word
        ld r1, k_char(r0)       ; the task's r1, as after `out r1`
        jmp k_return
k_count:
        ld r1, k_calls(r0)
        addi r1, r1, 1
        st r1, k_calls(r0)
k_return:
        ld r2, k_save2(r0)
        ld r3, k_save3(r0)
        svc HC_IRET             ; back to the task, after its svc
k_exit:
        li r6, k_stack_top
        call print_dec
        call newline
        call flush
        svc HC_HALT

        .include "pvconsole.s"

k_task_psw: .word USER, 0, TASK_BASE, TASK_BOUND, 0
k_save2:    .word 0
k_save3:    .word 0
k_char:     .word 0
k_calls:    .word 0
            .space 16
k_stack_top:

        .org TASK_BASE
