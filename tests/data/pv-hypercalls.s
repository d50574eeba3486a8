; pv-hypercalls.s -- a paravirtualized test guest for vmm/monitors/pv.s: makes
; every hypercall, with good and bad arguments, and records each result in
; `res` (and every trap delivered to it in `log`), for tests/pv_test.cpp.
; res[i] is documented beside the code that writes it.
        .include "../../vmm/monitors/pv-abi.s"
        .equ TASK, 2048                 ; the user task's region (64 words)

        .org NEW_PSW                    ; the trap table's handler PSW (table at 0)
        .word SUPERVISOR, on_trap, 0, 4096, 0

        .org RESET
        li r1, 0
        svc HC_PROBE
        st r1, res+0(r0)                ; 0: PV_MAGIC
        st r2, res+1(r0)                ; 1: the machine's size
        st r3, res+2(r0)                ; 2: PV_VERSION
        mov r4, r2                      ; r4 = size, kept below
        svc HC_IRET
        st r1, res+3(r0)                ; 3: -EINVAL (no trap table yet)
        li r5, 1234
        svc 300
        st r1, res+4(r0)                ; 4: -ENOSYS
        st r5, res+5(r0)                ; 5: 1234 (preserved)
        li r1, s_ok
        li r2, 3
        svc HC_CONSOLE_WRITE
        st r1, res+6(r0)                ; 6: 0, console "ok\n"
        addi r1, r4, -2
        li r2, 5
        svc HC_CONSOLE_WRITE
        st r1, res+7(r0)                ; 7: -EFAULT (runs past the bound)
        li r1, -1
        li r2, 1
        svc HC_CONSOLE_WRITE
        st r1, res+8(r0)                ; 8: -EFAULT (address -1)
        li r1, s_ok
        li r2, -1
        svc HC_CONSOLE_WRITE
        st r1, res+9(r0)                ; 9: -EFAULT (2^32-1 words)
        li r1, -1
        li r2, 0
        svc HC_CONSOLE_WRITE
        st r1, res+10(r0)               ; 10: 0 (nothing to write)
        svc HC_CONSOLE_READ
        st r1, res+11(r0)               ; 11: the first input word
        svc HC_CONSOLE_READ
        st r1, res+12(r0)               ; 12: the second, or -1
        addi r1, r4, -5
        svc HC_SET_TRAP_TABLE
        st r1, res+13(r0)               ; 13: -EFAULT (13 words do not fit)
        li r1, 0
        svc HC_SET_TRAP_TABLE
        st r1, res+14(r0)               ; 14: 0
        li r1, 1
        svc HC_SET_IE
        st r1, res+15(r0)               ; 15: 0 (the old ie)
        li r1, 0
        svc HC_SET_IE
        st r1, res+16(r0)               ; 16: 1
        li r1, mc_list
        li r2, 6
        svc HC_MULTICALL
        st r1, res+17(r0)               ; 17: 0 (results in mc_list)
        li r1, mc_list
        li r2, 65
        svc HC_MULTICALL
        st r1, res+18(r0)               ; 18: -EINVAL (more than MC_MAX)
        addi r1, r4, -3
        li r2, 1
        svc HC_MULTICALL
        st r1, res+19(r0)               ; 19: -EFAULT (the list past the bound)

        svc 3                           ; not a hypercall: delivered as SVC 3
        st r1, res+20(r0)               ; 20: 77 (set by the handler)

        ; A user task: its PSW in the trap table's old-PSW slot, entered by a
        ; multicall whose IRET entry gives it r1 = 111 and r2 = 222.
        li r1, USER
        st r1, OLD_PSW+0(r0)
        st r0, OLD_PSW+1(r0)
        li r1, TASK
        st r1, OLD_PSW+2(r0)
        li r1, 64
        st r1, OLD_PSW+3(r0)
        st r0, OLD_PSW+4(r0)
        li r1, mc_enter
        li r2, 1
        svc HC_MULTICALL                ; does not return here: the task's PRIV
after_task:                             ; trap comes back to `after_task`
        ld r1, TASK+40(r0)
        st r1, res+21(r0)               ; 21: 111 (the task's r1)
        ld r1, TASK+41(r0)
        st r1, res+22(r0)               ; 22: 222 (the task's r2)

        ; The timer: 20 cycles, interrupts on, wait for the tick.
        li r1, 20
        svc HC_SET_TIMER
        st r1, res+23(r0)               ; 23: 0
        li r1, 1
        svc HC_SET_IE
wait_tick:
        ld r1, ticks(r0)
        beq r1, r0, wait_tick
        li r1, 0
        svc HC_SET_IE
        ; HC_SET_TIMER 0 clears a pending tick: none may come.
        li r1, 10
        svc HC_SET_TIMER
        li r3, 20
spin:   addi r3, r3, -1
        bne r3, r0, spin
        li r1, 0
        svc HC_SET_TIMER
        li r1, 1
        svc HC_SET_IE
        nop
        nop
        li r1, 0
        svc HC_SET_IE
        ld r1, ticks(r0)
        st r1, res+24(r0)               ; 24: 1 (only the first tick)
        ld r1, nlog(r0)
        st r1, res+25(r0)               ; 25: 4 traps delivered
        li r1, mc_end
        li r2, 2
        svc HC_MULTICALL                ; "bye\n", then HC_HALT
        st r1, res+26(r0)               ; (never: the machine halted)

; The trap handler: log (cause, info, old mode, old pc) and react.
on_trap:
        ld r1, nlog(r0)
        li r2, 4
        mul r2, r1, r2
        ld r3, CAUSE(r0)
        st r3, log+0(r2)
        ld r3, INFO(r0)
        st r3, log+1(r2)
        ld r3, OLD_PSW+0(r0)
        st r3, log+2(r2)
        ld r3, OLD_PSW+1(r0)
        st r3, log+3(r2)
        addi r1, r1, 1
        st r1, nlog(r0)
        ld r3, CAUSE(r0)
        li r2, PRIV
        beq r3, r2, after_task          ; the task is done
        li r2, TIMER
        bne r3, r2, on_trap_svc
        ld r1, ticks(r0)
        addi r1, r1, 1
        st r1, ticks(r0)
        svc HC_IRET
on_trap_svc:
        ld r3, OLD_PSW+0(r0)
        bne r3, r0, on_trap_ret         ; the task's svc: just return
        li r1, 77                       ; the kernel's own svc 3: r1 = 77
on_trap_ret:
        svc HC_IRET

nlog:   .word 0
ticks:  .word 0
res:    .space 32
log:    .space 32
s_ok:   .ascii "ok\n"
s_mc:   .ascii "mc\n"
s_bye:  .ascii "bye\n"
mc_list:                                ; op, result, r1, r2, r3
        .word HC_CONSOLE_WRITE, 99, s_mc, 3, 0      ; -> 0
        .word HC_SET_IE, 99, 1, 0, 0                ; -> 0 (old ie)
        .word HC_SET_IE, 99, 0, 0, 0                ; -> 1
        .word HC_PROBE, 99, 0, 0, 0                 ; -> -EINVAL
        .word 300, 99, 0, 0, 0                      ; -> -ENOSYS
        .word HC_MULTICALL, 99, 0, 0, 0             ; -> -EINVAL
mc_enter:
        .word HC_IRET, 99, 111, 222, 0              ; -> 0, enters the task
mc_end:
        .word HC_CONSOLE_WRITE, 99, s_bye, 4, 0
        .word HC_HALT, 99, 0, 0, 0

; The user task (virtual address 0 = real TASK): it keeps the r1 and r2 it
; was started with, makes a "hypercall" from user mode (delivered to the
; kernel as an svc), then executes a privileged instruction (PRIV).
        .org TASK
        st r1, 40(r0)
        st r2, 41(r0)
        svc HC_PROBE
        out r1
