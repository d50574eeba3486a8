; quantum.s -- a small PREEMPTIVE operating system for PG-1, with a realistic
; time slice: every 4,000 cycles the timer takes the processor away from the
; running task and gives it to the next one (round robin).
;
; Run it:   pgsim run examples/os/quantum.s
;           pgsim run --depth 4 examples/os/quantum.s     (still finishes)
;           pgsim run --depth 5 examples/os/quantum.s     (timer livelock)
;
; Three tasks compute in user mode, each in its own region of storage:
;   primes    counts the primes below 1000 by trial division
;   collatz   finds the start below 300 of the longest Collatz chain
;   sort      sorts 200 pseudo-random numbers by insertion and checks them
; Each ends with `svc SYS_EXIT`, leaving its results in r1 and r2.  When all
; three are done the OS turns the timer off, prints each task's results in
; the order of its task table, and halts.
;
; ---- Preemption without a timing dependency in the output ---------------------
; Which instruction a tick interrupts depends on time, and time is not part of
; P&G's equivalence: under a VMM every trap costs more cycles, so a 4,000-cycle
; quantum holds fewer of the guest's instructions (lesson 9).  The console
; output and the final state must therefore not depend on WHEN the ticks come:
;   * the tasks never print while they run (their order of finishing depends
;     on the schedule); the OS prints everything at the end, in table order;
;   * a task's PCB keeps the state of its LAST stop, which is its exit (svc
;     is an instruction: the same registers and pc whatever the schedule);
;   * the OS counts no ticks, and before halting it scrubs what a tick may
;     have left behind: the trap area (0..6), trap_regs and `current`.
;
; ---- Why this OS livelocks under the naive VMM ------------------------------
; The tick handler re-arms the timer (`stimer`, privileged) and resumes the
; next task (`lpsw`, privileged).  On the bare machine that takes about a
; hundred cycles, so a task gets nearly all of its 4,000-cycle quantum.  Under
; the reference VMM nested d deep, each privileged instruction of the guest
; costs 2^(d-1) (lpsw, the reflected tick) or 2^d - 1 (stimer) real traps, and
; the time from the real `stimer` to the task's next instruction grows like
; about 158 * (2^d - 1) cycles (4,904 at depth 5, 9,889 at depth 6).  From the depth where that exceeds the quantum, the
; next tick is already due when the task is resumed: it is taken before the
; task's first instruction, the handler re-arms, resumes, and so on -- every
; tick, no task ever runs an instruction again.  pgsim diagnoses that as a
; "timer livelock" (vmm/livelock.hpp) instead of spinning to the cycle budget.
;
; ---- Storage layout (real addresses; the kernel runs with base 0) -------------
;   0 .. 15        low storage: trap area, new PSW
;   16 ..          the kernel: code, task table, strings, kernel stack
;   USER0 + k*REGION   task k's region (its code and data), REGION words
; Everything stays below OS_BOUND = 4096 words.

; ---- constants ---------------------------------------------------------------
        .equ OS_BOUND, 4096     ; bound of the kernel's own R (with base 0)
        .equ USER0, 2048        ; real address of the first task region
        .equ REGION, 512        ; words per task region (its bound)
        .equ NTASK, 3           ; number of tasks
        .equ QUANTUM, 4000      ; cycles per time slice: the timer's period

        .equ SYS_EXIT, 0        ; the one system call: end the task (r1, r2 = results)

; A task control block (PCB).
        .equ PCB_STATE, 0       ; 1 = ready, 0 = exited, 2 = killed
        .equ PCB_NAME, 1        ; its name (a string)
        .equ PCB_PSW, 2         ; 5 words: its PSW (mode, pc, base, bound, ie)
        .equ PCB_REGS, 7        ; 7 words: its registers r1 .. r7
        .equ PCB_TEXT, 14       ; 3 strings: the report reads TEXT0 r1 TEXT1 r2 TEXT2
        .equ PCB_CAUSE, 17      ; killed: the trap's cause
        .equ PCB_SIZE, 20

        .equ PRIMES_BELOW, 1000
        .equ COLLATZ_BELOW, 300
        .equ SORT_N, 200

; ---- low storage ---------------------------------------------------------------
; Every trap enters trap_entry in supervisor mode, base 0, interrupts off.
        .org NEW_PSW
        .word SUPERVISOR, trap_entry, 0, OS_BOUND, 0

; ---- boot ------------------------------------------------------------------------
        .org RESET
boot:
        li r6, os_stack_top
        li r1, s_banner
        call puts
        li r3, tasks            ; list the tasks and their regions
        li r4, 0
boot_list:
        li r1, s_list_1
        call puts
        ld r1, PCB_NAME(r3)
        call puts
        li r1, s_list_2
        call puts
        ld r1, PCB_PSW+2(r3)
        call print_dec
        call newline
        addi r3, r3, PCB_SIZE
        addi r4, r4, 1
        li r1, NTASK
        blt r4, r1, boot_list

        li r1, QUANTUM          ; the first time slice begins
        stimer r1
        li r1, NTASK-1          ; so that the scheduler picks task 0
        st r1, current(r0)
        jmp schedule

; ---- every trap and interrupt --------------------------------------------------
trap_entry:
        st r1, trap_regs+1(r0)
        st r2, trap_regs+2(r0)
        st r3, trap_regs+3(r0)
        st r4, trap_regs+4(r0)
        st r5, trap_regs+5(r0)
        st r6, trap_regs+6(r0)
        st r7, trap_regs+7(r0)
        li r6, os_stack_top
        ld r1, CAUSE(r0)
        li r2, TIMER
        beq r1, r2, on_tick
        ld r2, OLD_PSW(r0)      ; from the kernel (mode 0)? a kernel bug
        beq r2, r0, panic
        li r2, SVC
        bne r1, r2, kill
        ld r1, INFO(r0)
        li r2, SYS_EXIT
        bne r1, r2, kill        ; an unknown system call kills too
; SYS_EXIT: keep the task's final state (its results are in r1, r2).
        call save_context
        call current_pcb
        st r0, PCB_STATE(r1)
        jmp schedule

; A task's fault (or an unknown svc): it is killed; the report says why.
kill:
        call save_context
        call current_pcb
        li r2, 2
        st r2, PCB_STATE(r1)
        ld r2, CAUSE(r0)
        st r2, PCB_CAUSE(r1)
        jmp schedule

; ---- the tick: the running task's quantum is over ---------------------------------
; Re-arm the timer first (it is one-shot), then put the task aside and run the
; next one.  Nothing here depends on which task was running or where.
on_tick:
        li r1, QUANTUM
        stimer r1
        call save_context
        jmp schedule

; A trap from the kernel itself.
panic:
        li r1, s_panic
        call puts
        ld r1, CAUSE(r0)
        call print_dec
        call newline
        halt

; ---- the scheduler: round robin over the ready tasks ------------------------------
schedule:
        li r6, os_stack_top
        ld r3, current(r0)
        li r4, NTASK            ; candidates left
sched_next:
        addi r3, r3, 1
        li r1, NTASK
        blt r3, r1, sched_check
        li r3, 0
sched_check:
        mov r1, r3
        call pcb_of
        mov r5, r1
        ld r1, PCB_STATE(r5)
        li r2, 1
        beq r1, r2, dispatch
        addi r4, r4, -1
        bne r4, r0, sched_next
        jmp all_done
dispatch:
        st r3, current(r0)
        addi r1, r5, PCB_PSW    ; its PSW -> the trap area
        li r2, OLD_PSW
        li r3, 5
        call copy
        addi r1, r5, PCB_REGS   ; its registers -> trap_regs
        li r2, trap_regs+1
        li r3, 7
        call copy
        ld r1, trap_regs+1(r0)
        ld r2, trap_regs+2(r0)
        ld r3, trap_regs+3(r0)
        ld r4, trap_regs+4(r0)
        ld r5, trap_regs+5(r0)
        ld r6, trap_regs+6(r0)
        ld r7, trap_regs+7(r0)
        lpsw OLD_PSW(r0)        ; user mode, its region, ie = 1

; save_context -- the current task's PSW (trap area) and registers
; (trap_regs) into its PCB.
save_context:
        addi r6, r6, -1
        st r7, 0(r6)
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
        ld r7, 0(r6)
        addi r6, r6, 1
        ret

; current_pcb -- r1 = the current task's PCB.  pcb_of -- r1 = PCB of task r1.
current_pcb:
        ld r1, current(r0)
pcb_of:
        li r2, PCB_SIZE
        mul r1, r1, r2
        addi r1, r1, tasks
        ret

; copy -- r3 words from address r1 to address r2 (uses r1..r4).
copy:
        beq r3, r0, copy_done
        ld r4, 0(r1)
        st r4, 0(r2)
        addi r1, r1, 1
        addi r2, r2, 1
        addi r3, r3, -1
        jmp copy
copy_done:
        ret

; ---- the end: every task has exited (or was killed) --------------------------------
all_done:
        stimer r0               ; no more time slices
        li r1, s_done
        call puts
        li r3, tasks
        li r4, 0
report_next:
        li r1, s_open
        call puts
        ld r1, PCB_NAME(r3)
        call puts
        li r1, s_close
        call puts
        ld r1, PCB_STATE(r3)
        bne r1, r0, report_killed
        ld r1, PCB_TEXT+0(r3)
        call puts
        ld r1, PCB_REGS+0(r3)   ; its r1
        call print_dec
        ld r1, PCB_TEXT+1(r3)
        call puts
        ld r1, PCB_REGS+1(r3)   ; its r2
        call print_dec
        ld r1, PCB_TEXT+2(r3)
        call puts
        jmp report_step
report_killed:
        li r1, s_killed
        call puts
        ld r1, PCB_CAUSE(r3)
        call print_dec
        li r1, s_at_pc
        call puts
        ld r1, PCB_PSW+1(r3)
        call print_dec
        call newline
report_step:
        addi r3, r3, PCB_SIZE
        addi r4, r4, 1
        li r1, NTASK
        blt r4, r1, report_next
        li r1, s_bye
        call puts
        ; Scrub what the last tick or switch left (timing, not computation).
        st r0, 0(r0)
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
        st r0, current(r0)
        halt

        .include "../guests/lib/print.s"

; ---- kernel data ---------------------------------------------------------------------
current:   .word 0
trap_regs: .space 8

; The task table.  Each task starts at its virtual 0 in user mode, in its own
; region, with ie = 1 (the timer may interrupt it) and all registers 0.
;        state name       PSW: mode pc base       bound   ie   r1..r7               report texts                      cause spare
tasks:
        .word 1, n_primes,  USER, 0, t_primes,  REGION, 1,  0, 0, 0, 0, 0, 0, 0,  x_primes_0, x_primes_1, x_primes_2,  0, 0, 0
        .word 1, n_collatz, USER, 0, t_collatz, REGION, 1,  0, 0, 0, 0, 0, 0, 0,  x_coll_0, x_coll_1, x_coll_2,        0, 0, 0
        .word 1, n_sort,    USER, 0, t_sort,    REGION, 1,  0, 0, 0, 0, 0, 0, 0,  x_sort_0, x_sort_1, x_sort_2,        0, 0, 0

n_primes:  .asciz "primes"
n_collatz: .asciz "collatz"
n_sort:    .asciz "sort"
x_primes_0: .asciz ""
x_primes_1: .asciz " primes below "
x_primes_2: .asciz "\n"
x_coll_0:  .asciz "the longest chain below 300 starts at "
x_coll_1:  .asciz ": "
x_coll_2:  .asciz " steps\n"
x_sort_0:  .asciz "200 numbers in order, from "
x_sort_1:  .asciz " to "
x_sort_2:  .asciz "\n"

s_banner:  .asciz "quantum: 3 tasks, preemptive round robin, a time slice of 4000 cycles\n"
s_list_1:  .asciz "  "
s_list_2:  .asciz ": base "
s_done:    .asciz "[os] all tasks done\n"
s_open:    .asciz "["
s_close:   .asciz "] "
s_killed:  .asciz "killed by trap cause "
s_at_pc:   .asciz " at pc "
s_bye:     .asciz "[os] halting\n"
s_panic:   .asciz "[os] PANIC: trap in the kernel, cause "

os_stack:  .space 32
os_stack_top:

; ---- the tasks -------------------------------------------------------------------------
; Each is written as if it lived at address 0 -- relocated, it does.  Data is
; addressed as `label - task_start` (its virtual address); always-taken
; branches are `beq r0, r0, L` (relative: a jmp would need a virtual address).

; primes: r1 = the number of primes below PRIMES_BELOW, r2 = PRIMES_BELOW.
        .org USER0 + 0*REGION
t_primes:
        li r2, PRIMES_BELOW
        li r3, 2                        ; n, the candidate
        li r4, 0                        ; primes found
pr_next:
        li r5, 0                        ; index into the table of primes
pr_test:
        beq r5, r4, pr_found            ; no known prime divides n
        ld r1, pr_table - t_primes(r5)  ; p
        mul r7, r1, r1
        slt r7, r3, r7
        bne r7, r0, pr_found            ; n < p*p: n is prime
        rem r7, r3, r1
        beq r7, r0, pr_step             ; p divides n
        addi r5, r5, 1
        beq r0, r0, pr_test
pr_found:
        st r3, pr_table - t_primes(r4)
        addi r4, r4, 1
pr_step:
        addi r3, r3, 1
        blt r3, r2, pr_next
        mov r1, r4
        svc SYS_EXIT
pr_table:

; collatz: r1 = the n below COLLATZ_BELOW with the longest chain to 1, r2 = its steps.
        .org USER0 + 1*REGION
t_collatz:
        li r3, 1                        ; n
        li r1, 0                        ; best n so far
        li r2, 0                        ; its steps
co_next:
        mov r4, r3                      ; x
        li r5, 0                        ; steps
co_step:
        li r7, 1
        beq r4, r7, co_done
        andi r7, r4, 1
        bne r7, r0, co_odd
        li r7, 1
        shr r4, r4, r7                  ; even: x / 2
        beq r0, r0, co_count
co_odd:
        add r7, r4, r4                  ; odd: 3x + 1
        add r4, r7, r4
        addi r4, r4, 1
co_count:
        addi r5, r5, 1
        beq r0, r0, co_step
co_done:
        slt r7, r2, r5
        beq r7, r0, co_skip
        mov r1, r3
        mov r2, r5
co_skip:
        addi r3, r3, 1
        li r7, COLLATZ_BELOW
        blt r3, r7, co_next
        svc SYS_EXIT

; sort: SORT_N numbers from a linear congruential generator (x = 69069 x + 1,
; the upper half, 15 bits), insertion sort, then a check of the order.
; r1 = the smallest, r2 = the largest; both -1 if the order is wrong.
        .org USER0 + 2*REGION
t_sort:
        li r3, 0                        ; i
        li r4, 1                        ; x, the generator's state
        li r5, SORT_N
        lui r6, 1
        ori r6, r6, 3533                ; r6 = 69069
so_gen:
        mul r4, r4, r6
        addi r4, r4, 1
        li r7, 16
        shr r1, r4, r7
        andi r1, r1, 0x7fff
        st r1, so_data - t_sort(r3)
        addi r3, r3, 1
        blt r3, r5, so_gen
        li r3, 1
so_outer:
        ld r1, so_data - t_sort(r3)     ; the key
        mov r4, r3                      ; j
so_inner:
        beq r4, r0, so_place
        ld r2, so_data - t_sort - 1(r4) ; a[j-1]
        bge r1, r2, so_place
        st r2, so_data - t_sort(r4)     ; move it up
        addi r4, r4, -1
        beq r0, r0, so_inner
so_place:
        st r1, so_data - t_sort(r4)
        addi r3, r3, 1
        blt r3, r5, so_outer
        li r3, 1
so_check:
        ld r1, so_data - t_sort - 1(r3)
        ld r2, so_data - t_sort(r3)
        blt r2, r1, so_bad
        addi r3, r3, 1
        blt r3, r5, so_check
        ld r1, so_data - t_sort(r0)
        ld r2, so_data - t_sort + SORT_N - 1(r0)
        svc SYS_EXIT
so_bad:
        li r1, -1
        li r2, -1
        svc SYS_EXIT
so_data:
        .space SORT_N
