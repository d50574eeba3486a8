; tinyos-pv.s -- tinyos, PARAVIRTUALIZED: the reference OS ported to the
; hypercall interface of vmm/monitors/pv.s (docs/hypercalls.md).
;
; Run it:   pgsim run --vmm pv --depth 1 examples/os/tinyos-pv.s
;           pgsim run --vmm pv --depth 3 --isa pg1-spsw examples/os/tinyos-pv.s
;
; Same six user programs (examples/os/user/, unchanged: user programs are not
; ported -- Xen ran unmodified applications), same scheduler, same system
; calls, same console output as tinyos.s on the bare machine.  What changed
; is only what the KERNEL does with the machine's control state.  tinyos.s
; executes privileged instructions; under a trap-and-emulate VMM each one
; traps and is emulated.  This port executes none.  It asks the monitor:
;
;   tinyos.s (bare machine)           tinyos-pv.s (PV guest)
;   ------------------------------    --------------------------------------
;   new PSW at real 8..12             the same 5 words, registered as the
;                                     handler PSW of its trap table at 0
;                                     (HC_SET_TRAP_TABLE): the monitor, not
;                                     the hardware, delivers its traps there
;   out r1  (one trap per character   putc appends to a buffer; the buffer
;   under a VMM)                      goes out in one HC_CONSOLE_WRITE
;   stimer r1                         HC_SET_TIMER
;   lpsw OLD_PSW(r0)  (return to a    HC_IRET: load the PSW in the trap
;   program, or from the timer)       table's old-PSW slot -- or, when there
;                                     is text to write, ONE multicall:
;                                     [CONSOLE_WRITE buffer, IRET]
;   lpsw wait_psw / report_psw        HC_SET_IE 1 / HC_SET_IE 0
;   halt                              a multicall: [CONSOLE_WRITE, HALT]
;
; It cannot run on the bare machine (there, svc HC_... is a plain svc: it
; traps to its own handler, which panics), only on the machine that the PV
; monitor provides; it does not care how many monitors lie below (depth 1,
; 2, 3 ...), nor whether spsw is privileged (it never executes spsw:
; pg1.isa and pg1-spsw.isa run it alike).  Its hypercalls are made in virtual
; supervisor mode; its programs' svc are system calls, which the monitor
; delivers to it as traps.
;
; The rest of this header is tinyos.s's; where it says lpsw, stimer, out or
; halt, read the hypercalls above.
;
; tinyos runs six user programs, each in user mode in its own region of
; storage, and gives them system calls through `svc`.  Three programs behave;
; three are bad on purpose (an out-of-bounds load, a privileged instruction in
; user mode, a division by zero) and get killed, while the others carry on.
;
; ---- How a PG-1 operating system keeps control ------------------------------
; A program in USER mode cannot do anything that would let it escape:
;   * every address it uses is relocated and checked by the hardware through
;     R = (base, bound): virtual address a is real address base + a, and
;     a >= bound traps MEMORY.  So each program sees its own region as
;     addresses 0 .. bound-1 and cannot even name anyone else's storage;
;   * the instructions that could undo this are PRIVILEGED: they trap PRIV in
;     user mode.  tinyos uses these, in supervisor mode:
;       lpsw   load a whole PSW (mode, pc, base, bound, ie).  This is how the
;              OS starts or resumes a program: one instruction switches to user
;              mode, into the program's region, with interrupts enabled.  If
;              user mode could execute it, a program would just load
;              (supervisor, base 0, bound everything) -- see user/badpriv.s.
;       stimer set the interval timer.  The timer is the OS's alarm clock;
;              a program must not be able to switch it off or reset it.
;       out    write to the console.  The console is shared; programs print
;              through the OS (svc), which can check and interleave them.
;       halt   stop the whole machine: only the OS may decide that.
; The only door from user mode into the OS is a TRAP.  The hardware then
; stores the old PSW at real addresses 0..4, the cause at 5, the info at 6,
; and loads the new PSW from 8..12 -- which we fill in below, so that every
; trap lands in `trap_entry` in supervisor mode.
;
; ---- System calls (svc N, argument in r1; all registers are preserved) ------
;   svc SYS_EXIT    0  end the program; r1 = exit code
;   svc SYS_PUTC    1  print the character r1
;   svc SYS_YIELD   2  let the next program run (round robin)
;   svc SYS_PUTS    3  print the zero-terminated string at VIRTUAL address r1
;   svc SYS_PUTN    4  print r1 in decimal
;
; ---- Scheduling and the timer ------------------------------------------------
; Programs are switched ONLY when they yield, exit or are killed: round robin,
; in the order of the process table.  The timer does interrupt them, but the
; TIMER handler only counts ticks (re-arming the timer until it has counted
; NTICKS of them) and then returns to exactly where the program was.  Why not
; preempt?  Because this same OS is also run under a trap-and-emulate VMM, 1
; to 8 levels deep, and the final state (registers, PSW, all of storage) and
; the console output are compared with a run on the bare machine.  Under a
; VMM every trap costs many more cycles, so timer interrupts arrive after
; fewer guest instructions: anything that depended on WHEN the timer fires
; would differ.  So in tinyos nothing observable does:
;   * the tick handler prints nothing and leaves no trace in storage (it
;     erases the registers it saved; the trap area 0..6 it leaves behind is
;     overwritten by later, deterministic traps and finally scrubbed);
;   * the tick counter always ends at exactly NTICKS: if the programs finish
;     before all ticks came, the OS waits for them (with interrupts enabled)
;     before its final report;
;   * nobody reads the clock (no rdtime).
;
; ---- Storage layout (real addresses; the OS itself runs with base 0) ---------
;   0 .. 15        low storage: trap area, new PSW, unused
;   16 ..          the kernel: code, process table, strings, kernel stack
;   USER0 + k*REGION   program k's region (its code, data and stack),
;                      REGION words each: 6 * 256 words from 2048 to 3583
; Everything stays below OS_BOUND = 4096 words, so tinyos runs on small
; machines too, and its supervisor bound is the same whatever the machine's size.

; ---- constants -------------------------------------------------------------
        .equ OS_BOUND, 4096     ; bound of the kernel's own R (with base 0)
        .equ USER0, 2048        ; real address of the first user region
        .equ REGION, 256        ; words per user region (its bound)
        .equ NPROC, 6           ; number of programs
        .equ NTICKS, 3          ; timer ticks to count, then the timer stays off
        .equ PERIOD, 300        ; cycles between ticks

        .include "../../vmm/monitors/pv-abi.s"

        .equ SYS_EXIT, 0        ; system call numbers: the operand of svc,
        .equ SYS_PUTC, 1        ; which the hardware puts in INFO (real address 6)
        .equ SYS_YIELD, 2
        .equ SYS_PUTS, 3
        .equ SYS_PUTN, 4

; A process control block (PCB): everything the OS needs to stop a program
; and resume it later exactly where it was.
        .equ PCB_STATE, 0       ; 1 = ready to run, 0 = finished or killed
        .equ PCB_NAME, 1        ; address of the program's name (a string)
        .equ PCB_PSW, 2         ; 5 words: its PSW (mode, pc, base, bound, ie)
        .equ PCB_REGS, 7        ; 7 words: its registers r1 .. r7
        .equ PCB_SIZE, 16       ; (2 spare words: 16 makes the table easy to read)

; ---- low storage -----------------------------------------------------------
; The new PSW, at real 8..12: what the hardware loads on EVERY trap.
; Supervisor mode, pc = trap_entry, R = (0, OS_BOUND) so the kernel's virtual
; addresses are real addresses, ie = 0 so that no timer interrupt can
; interrupt the trap handler itself (it would overwrite the old PSW at 0..4
; that the handler still needs).
        .org NEW_PSW
        .word SUPERVISOR, trap_entry, 0, OS_BOUND, 0

; ---- boot ------------------------------------------------------------------
; Reset puts us here in supervisor mode with base 0 and ie 0.
        .org RESET
boot:
        ; Is there a PV monitor below us?  HC_PROBE answers PV_MAGIC in r1.  On
        ; the bare machine (or under a trap-and-emulate VMM) the svc is a plain
        ; trap: for this one, our new PSW leads to `probed`, with r1 still 0.
        li r1, probed
        st r1, NEW_PSW+1(r0)
        li r1, 0
        svc HC_PROBE
probed:
        li r2, trap_entry       ; every later trap: trap_entry
        st r2, NEW_PSW+1(r0)
        li r2, PV_MAGIC
        bne r1, r2, no_monitor
        li r1, 0                ; the trap table: our low storage, 0..12,
        svc HC_SET_TRAP_TABLE   ; whose handler PSW (8..12) is set above
        li r6, os_stack_top     ; the kernel's stack
        li r1, s_banner
        call puts

        ; Show the process table: the programs and the region each will get.
        li r3, proctab          ; r3 = address of a PCB
        li r4, 0                ; r4 = its index
boot_list:
        li r1, s_list_1
        call puts
        ld r1, PCB_NAME(r3)
        call puts
        li r1, s_list_2
        call puts
        ld r1, PCB_PSW+2(r3)    ; base
        call print_dec
        li r1, s_list_3
        call puts
        ld r1, PCB_PSW+3(r3)    ; bound
        call print_dec
        call newline
        addi r3, r3, PCB_SIZE
        addi r4, r4, 1
        li r1, NPROC
        blt r4, r1, boot_list

        ; Start the interval timer (privileged: the timer belongs to the OS).
        ; Its interrupt can only be taken while ie = 1, i.e. while a user
        ; program runs; if it falls due in the kernel it waits, pending.
        li r1, PERIOD
        svc HC_SET_TIMER

        ; Run the first program: pretend the last one was running, so that
        ; the round-robin scheduler picks number 0.
        li r1, NPROC-1
        st r1, current(r0)
        jmp schedule

; No PV monitor: we run in real supervisor mode, where `out` and `halt` work.
; Say so (the only privileged instructions in this file), and stop.
no_monitor:
        li r2, s_no_monitor
no_monitor_loop:
        ld r1, 0(r2)
        beq r1, r0, no_monitor_halt
        out r1
        addi r2, r2, 1
        jmp no_monitor_loop
no_monitor_halt:
        halt

; ---- the trap handler ------------------------------------------------------
; Every trap and interrupt arrives here (see the new PSW above), in
; supervisor mode, with ie = 0, and with the interrupted program's registers
; still in r1..r7.  We may not destroy them before we have saved them, and
; we have no free register -- but the kernel runs with base 0, so `label(r0)`
; names a fixed real address without needing any register.
trap_entry:
        st r1, trap_regs+1(r0)
        st r2, trap_regs+2(r0)
        st r3, trap_regs+3(r0)
        st r4, trap_regs+4(r0)
        st r5, trap_regs+5(r0)
        st r6, trap_regs+6(r0)
        st r7, trap_regs+7(r0)
        li r6, os_stack_top     ; now the kernel can use its own stack

        ld r1, CAUSE(r0)        ; why are we here?
        li r2, TIMER
        beq r1, r2, on_timer
        ld r2, OLD_PSW(r0)      ; the mode we came from (0 = supervisor)
        beq r2, r0, panic       ; any other trap from the kernel is a kernel bug
        li r2, SVC
        beq r1, r2, on_svc
        ; PRIV, MEMORY, ILLEGAL or ARITH in user mode: the program did
        ; something it may not do.  Kill it, with the reason for its cause.
        ld r1, cause_text(r1)   ; cause_text[cause]
        jmp kill

; Return from a trap: reload the registers saved in trap_regs, and the PSW in
; the trap area, which puts the processor back into user mode at the saved pc.
; The scheduler switches programs by copying the next program's PSW and
; registers into these two places first.
; PV: with nothing to print, HC_IRET returns; with text in the console
; buffer, one multicall writes it AND returns (its IRET entry gives the program
; back its r1 and r2, which the multicall itself needed): one hypercall where
; tinyos.s, under a VMM, took a trap per character and one for its lpsw.
resume:
        ld r1, cbuf_len(r0)
        bne r1, r0, resume_write
        ld r1, trap_regs+1(r0)
        ld r2, trap_regs+2(r0)
        ld r3, trap_regs+3(r0)
        ld r4, trap_regs+4(r0)
        ld r5, trap_regs+5(r0)
        ld r6, trap_regs+6(r0)
        ld r7, trap_regs+7(r0)
        svc HC_IRET             ; the PSW in the trap table's old-PSW slot
resume_write:
        st r1, mc_write+MC_ARG2(r0)     ; [CONSOLE_WRITE cbuf, length]
        st r0, cbuf_len(r0)
        ld r1, trap_regs+1(r0)          ; [IRET, the program's r1 and r2]
        st r1, mc_iret+MC_ARG1(r0)
        ld r1, trap_regs+2(r0)
        st r1, mc_iret+MC_ARG2(r0)
        ld r3, trap_regs+3(r0)
        ld r4, trap_regs+4(r0)
        ld r5, trap_regs+5(r0)
        ld r6, trap_regs+6(r0)
        ld r7, trap_regs+7(r0)
        li r1, mc_write
        li r2, 2
        svc HC_MULTICALL

; ---- TIMER: count a tick, change nothing else --------------------------------
on_timer:
        ld r1, ticks(r0)
        addi r1, r1, 1
        st r1, ticks(r0)
        li r2, NTICKS
        bge r1, r2, timer_done  ; counted enough: leave the timer off
        li r1, PERIOD
        svc HC_SET_TIMER        ; the timer is one-shot: re-arm it
timer_done:
        ; Reload the interrupted code's registers, erase our copy of them
        ; (WHEN the tick came is timing, and must leave no trace in storage;
        ; st r0 needs no free register), and go back to exactly where it was
        ; interrupted: the pc in the old PSW.  No rescheduling: a tick never
        ; switches programs.
        ld r1, trap_regs+1(r0)
        ld r2, trap_regs+2(r0)
        ld r3, trap_regs+3(r0)
        ld r4, trap_regs+4(r0)
        ld r5, trap_regs+5(r0)
        ld r6, trap_regs+6(r0)
        ld r7, trap_regs+7(r0)
        st r0, trap_regs+1(r0)
        st r0, trap_regs+2(r0)
        st r0, trap_regs+3(r0)
        st r0, trap_regs+4(r0)
        st r0, trap_regs+5(r0)
        st r0, trap_regs+6(r0)
        st r0, trap_regs+7(r0)
        svc HC_IRET

; ---- SVC: system calls -------------------------------------------------------
; svc has completed, so the saved pc is already the instruction after it:
; resuming continues the program after its system call.
on_svc:
        ld r1, INFO(r0)         ; the svc operand = the system call number
        li r2, SYS_PUTC
        beq r1, r2, sys_putc
        li r2, SYS_PUTS
        beq r1, r2, sys_puts
        li r2, SYS_PUTN
        beq r1, r2, sys_putn
        li r2, SYS_YIELD
        beq r1, r2, sys_yield
        li r2, SYS_EXIT
        beq r1, r2, sys_exit
        li r1, s_bad_svc        ; an unknown system call: kill the program
        jmp kill

sys_putc:
        ld r1, trap_regs+1(r0)  ; the program's r1
        call putc
        jmp resume

sys_putn:
        ld r1, trap_regs+1(r0)
        call print_dec
        jmp resume

; The program passes a VIRTUAL address: an address in ITS region.  The OS
; must translate it the way the hardware would (real = base + virtual), and
; must first check it (virtual < bound), or a program could make the OS print
; -- i.e. read -- anybody's storage.  The check is unsigned, like the
; hardware's: a "negative" address is a huge one, and fails.
; To read the characters we could use ldp (load from a real address: a
; privileged instruction made for this).  But the kernel runs with base 0, so
; for it virtual = real, and a plain ld does the same job -- and ld is
; innocuous: under a VMM it runs at full speed, whereas every ldp would trap
; to the VMM to be emulated.  The fewer privileged instructions a guest OS
; executes, the cheaper it is to virtualize (and nesting multiplies the cost).
sys_puts:
        ld r3, trap_regs+1(r0)  ; r3 = virtual address of the next character
        ld r4, OLD_PSW+2(r0)    ; r4 = the program's base
        ld r5, OLD_PSW+3(r0)    ; r5 = the program's bound
sys_puts_loop:
        sltu r1, r3, r5
        beq r1, r0, sys_puts_bad
        add r2, r4, r3          ; the real address
        ld r1, 0(r2)            ; the kernel's base is 0: virtual = real
        beq r1, r0, resume      ; the 0 word ends the string
        call putc
        addi r3, r3, 1
        jmp sys_puts_loop
sys_puts_bad:
        li r1, s_bad_pointer
        jmp kill

sys_yield:
        call save_context       ; it stops here ...
        jmp schedule            ; ... and the next program runs

sys_exit:
        li r1, s_os
        call puts
        call current_pcb
        mov r5, r1
        ld r1, PCB_NAME(r5)
        call puts
        li r1, s_exited
        call puts
        ld r1, trap_regs+1(r0)  ; the exit code is in its r1
        call print_dec
        call newline
        st r0, PCB_STATE(r5)    ; finished: never schedule it again
        jmp schedule

; ---- kill the current program ------------------------------------------------
; r1 = the reason (a string).  Prints
;   [os] killed NAME: REASON at pc P, info 0x...
; where P is the program's (virtual) pc: the faulting instruction itself for
; PRIV, MEMORY, ILLEGAL and ARITH.  Then its PCB is marked finished; its
; saved state is simply never loaded again.
kill:
        mov r3, r1
        li r1, s_killed
        call puts
        call current_pcb
        mov r5, r1
        ld r1, PCB_NAME(r5)
        call puts
        li r1, s_colon
        call puts
        mov r1, r3
        call puts
        li r1, s_at_pc
        call puts
        ld r1, OLD_PSW+1(r0)
        call print_dec
        li r1, s_info
        call puts
        ld r1, INFO(r0)
        call print_hex
        call newline
        st r0, PCB_STATE(r5)
        jmp schedule

; A trap in supervisor mode that is not the timer: the kernel itself is broken.
panic:
        li r1, s_panic
        call puts
        ld r1, CAUSE(r0)
        call print_dec
        li r1, s_at_pc
        call puts
        ld r1, OLD_PSW+1(r0)
        call print_dec
        li r1, s_info
        call puts
        ld r1, INFO(r0)
        call print_hex
        call newline
        call flush
        svc HC_HALT

; ---- the scheduler -----------------------------------------------------------
; Round robin: starting after the current program, find the next PCB that is
; ready, load its PSW and registers into the trap area, and resume it.
; If none is left, everyone is done.
schedule:
        li r6, os_stack_top
        ld r3, current(r0)      ; r3 = candidate index
        li r4, NPROC            ; r4 = candidates left to try
sched_next:
        addi r3, r3, 1
        li r1, NPROC
        blt r3, r1, sched_check
        li r3, 0                ; wrap around to the first program
sched_check:
        mov r1, r3
        call pcb_of
        mov r5, r1              ; r5 = its PCB
        ld r1, PCB_STATE(r5)
        bne r1, r0, dispatch
        addi r4, r4, -1
        bne r4, r0, sched_next
        jmp all_done
dispatch:
        st r3, current(r0)
        addi r1, r5, PCB_PSW    ; its PSW -> the trap area 0..4
        li r2, OLD_PSW
        li r3, 5
        call copy
        addi r1, r5, PCB_REGS   ; its registers -> trap_regs
        li r2, trap_regs+1
        li r3, 7
        call copy
        jmp resume              ; "return" from a trap it never took

; save_context -- copy the current program's state, as the trap left it,
; into its PCB: its PSW from the trap area, its registers from trap_regs.
save_context:
        addi r6, r6, -3
        st r7, 2(r6)
        st r5, 1(r6)
        st r3, 0(r6)
        call current_pcb
        mov r5, r1
        li r1, OLD_PSW
        addi r2, r5, PCB_PSW
        li r3, 5
        call copy
        li r1, trap_regs+1
        addi r2, r5, PCB_REGS
        li r3, 7
        call copy
        ld r3, 0(r6)
        ld r5, 1(r6)
        ld r7, 2(r6)
        addi r6, r6, 3
        ret

; current_pcb -- r1 = the address of the current program's PCB.
current_pcb:
        ld r1, current(r0)
        ; fall into pcb_of
; pcb_of -- r1 = a process index; returns r1 = the address of its PCB.
pcb_of:
        li r2, PCB_SIZE
        mul r1, r1, r2
        addi r1, r1, proctab
        ret

; copy -- copy r3 words from address r1 to address r2 (preserves r3..r5).
copy:
        addi r6, r6, -2
        st r3, 1(r6)
        st r4, 0(r6)
copy_loop:
        beq r3, r0, copy_done
        ld r4, 0(r1)
        st r4, 0(r2)
        addi r1, r1, 1
        addi r2, r2, 1
        addi r3, r3, -1
        jmp copy_loop
copy_done:
        ld r4, 0(r6)
        ld r3, 1(r6)
        addi r6, r6, 2
        ret

; ---- the end --------------------------------------------------------------------
all_done:
        ; Every program has exited or been killed.  Have all NTICKS timer
        ; ticks come?  On the bare machine they normally have, long ago; but
        ; the report must not depend on it, so if not, wait for them here:
        ; lpsw to a supervisor PSW with ie = 1 lets the timer interrupt in
        ; (the handler counts the tick and returns into this loop), then a
        ; second lpsw turns interrupts off again.  PV: HC_SET_IE 1, then 0.
        ld r1, ticks(r0)
        li r2, NTICKS
        bge r1, r2, report
        li r1, 1
        svc HC_SET_IE           ; virtual ie = 1: a pending tick comes now
wait_ticks:
        ld r1, ticks(r0)
        blt r1, r2, wait_ticks
        li r1, 0
        svc HC_SET_IE           ; virtual ie = 0 again (r1 = the old ie, 1)
        ld r1, ticks(r0)
report:                         ; (both ways, here r1 = r2 = NTICKS, ie = 0)
        li r1, s_ticks
        call puts
        ld r1, ticks(r0)
        call print_dec
        call newline
        li r1, s_bye
        call puts
        ; Scrub the trap area and trap_regs, so that the final storage is the
        ; same whichever way we came here.  If we waited above, the last trap
        ; was a timer interrupt: its old PSW records where the wait loop was
        ; when the tick came (timing, not computation), and the tick handler
        ; zeroed trap_regs.  If we did not wait, they hold the last program's
        ; final system call.
        st r0, 0(r0)            ; old PSW
        st r0, 1(r0)
        st r0, 2(r0)
        st r0, 3(r0)
        st r0, 4(r0)
        st r0, CAUSE(r0)
        st r0, INFO(r0)
        st r0, trap_regs+1(r0)
        st r0, trap_regs+2(r0)
        st r0, trap_regs+3(r0)
        st r0, trap_regs+4(r0)
        st r0, trap_regs+5(r0)
        st r0, trap_regs+6(r0)
        st r0, trap_regs+7(r0)
        ld r1, cbuf_len(r0)     ; the last words and the halt: one multicall
        st r1, mc_write+MC_ARG2(r0)
        st r0, cbuf_len(r0)
        li r2, HC_HALT          ; (its 2nd entry becomes HC_HALT)
        st r2, mc_iret+MC_OP(r0)
        li r1, mc_write
        li r2, 2
        svc HC_MULTICALL        ; only the OS stops the machine

; The multicall that writes the console buffer and returns to a program.
mc_write:   .word HC_CONSOLE_WRITE, 0, cbuf, 0, 0
mc_iret:    .word HC_IRET, 0, 0, 0, 0

; ---- kernel subroutines: putc, newline, puts, print_dec, print_hex, flush ------
; PV: putc appends to a buffer (cbuf) instead of executing `out`.
        .include "lib/pvconsole.s"

; ---- kernel data -------------------------------------------------------------
current:   .word 0              ; index of the running program
ticks:     .word 0              ; timer ticks counted so far
trap_regs: .space 8             ; r1..r7 of the trapped program at trap_regs+1..+7

; The process table.  Each program starts at its virtual address 0 (pc 0) in
; user mode, relocated to its region (base = where the assembler placed it,
; bound = REGION), with ie = 1 so that the timer can interrupt it.  Its
; registers start at 0, except r6, its stack pointer: the top of its region.
;            state name      PSW: mode pc base       bound   ie   r1 .. r7                  spare
proctab:
        .word 1, n_hello,   USER, 0, u_hello,   REGION, 1,   0, 0, 0, 0, 0, REGION, 0,  0, 0
        .word 1, n_badmem,  USER, 0, u_badmem,  REGION, 1,   0, 0, 0, 0, 0, REGION, 0,  0, 0
        .word 1, n_fib,     USER, 0, u_fib,     REGION, 1,   0, 0, 0, 0, 0, REGION, 0,  0, 0
        .word 1, n_badpriv, USER, 0, u_badpriv, REGION, 1,   0, 0, 0, 0, 0, REGION, 0,  0, 0
        .word 1, n_primes,  USER, 0, u_primes,  REGION, 1,   0, 0, 0, 0, 0, REGION, 0,  0, 0
        .word 1, n_baddiv,  USER, 0, u_baddiv,  REGION, 1,   0, 0, 0, 0, 0, REGION, 0,  0, 0

; Why each kind of fault kills: indexed by the trap cause (1..6).
cause_text:
        .word 0, s_priv, s_memory, 0, s_illegal, s_arith, 0

n_hello:   .asciz "hello"
n_badmem:  .asciz "badmem"
n_fib:     .asciz "fib"
n_badpriv: .asciz "badpriv"
n_primes:  .asciz "primes"
n_baddiv:  .asciz "baddiv"

s_banner:  .asciz "tinyos: 6 programs in user mode, each in its own region\n"
s_list_1:  .asciz "  "
s_list_2:  .asciz ": base "
s_list_3:  .asciz ", bound "
s_os:      .asciz "[os] "
s_exited:  .asciz " exited with code "
s_killed:  .asciz "[os] killed "
s_colon:   .asciz ": "
s_at_pc:   .asciz " at pc "
s_info:    .asciz ", info "
s_priv:    .asciz "privileged instruction in user mode (PRIV)"
s_memory:  .asciz "address outside its region (MEMORY)"
s_illegal: .asciz "undefined instruction (ILLEGAL)"
s_arith:   .asciz "division by zero (ARITH)"
s_bad_svc: .asciz "unknown system call"
s_bad_pointer: .asciz "system call with an address outside its region"
s_panic:   .asciz "[os] PANIC: trap in supervisor mode, cause "
s_ticks:   .asciz "[os] all programs done; timer ticks: "
s_bye:     .asciz "[os] halting\n"
s_no_monitor: .asciz "tinyos-pv: no paravirtual monitor below me (HC_PROBE was not answered): run me under one, e.g. pgsim run --vmm pv --depth 1\n"

os_stack:  .space 64
os_stack_top:

; ---- the user programs ---------------------------------------------------------
; Each program is placed by the assembler at the start of its region; the
; process table above gives that address as the program's base.  A program
; is written as if it lived at address 0 -- which, relocated, it does.
        .org USER0 + 0*REGION
        .include "user/hello.s"
        .org USER0 + 1*REGION
        .include "user/badmem.s"
        .org USER0 + 2*REGION
        .include "user/fib.s"
        .org USER0 + 3*REGION
        .include "user/badpriv.s"
        .org USER0 + 4*REGION
        .include "user/primes.s"
        .org USER0 + 5*REGION
        .include "user/baddiv.s"
