; 01-trap.s -- lesson 1: a supervisor starts a user program, and the user
; program traps twice: once on purpose (svc), once by accident (MEMORY).
;
; Run it:   pgsim run --trace-traps lessons/programs/01-trap.s
;
; Storage (real addresses; the machine has at least 4096 words):
;   0 .. 6      the trap area: old PSW (0..4), cause (5), info (6)
;   8 .. 12     the new PSW: where every trap goes (`handler`, supervisor)
;   16 ..       the supervisor's code (the reset entry is 16)
;   1024 .. 1087   the user program's region: base 1024, bound 64
; When the program halts, the supervisor has copied what the hardware stored
; into registers, so that you can read them:
;   r1 old mode   r2 old pc   r3 old base   r4 old bound   (the MEMORY trap)
;   r5 cause      r6 info     r7 the pc that the svc trap saved
        .equ UBASE, 1024        ; real address of the user region
        .equ UBOUND, 64         ; its size: virtual addresses 0 .. 63

; The new PSW: supervisor mode, pc = handler, R = (0, 4096), interrupts off.
        .org NEW_PSW
        .word SUPERVISOR, handler, 0, 4096, 0

; ---- the supervisor ----------------------------------------------------------
        .org RESET
boot:
        lpsw user_psw(r0)       ; ONE instruction: user mode, pc 0, R = (1024, 64)

; Every trap lands here, in supervisor mode with base 0 (the new PSW above).
; The user program's registers are still in r1..r7: save the two we need.
handler:
        st r1, saved1(r0)
        st r2, saved2(r0)
        ld r1, CAUSE(r0)        ; why are we here?
        li r2, SVC
        bne r1, r2, fault
        ; A system call.  Note the pc it saved, and go back to the program:
        ; for svc the saved pc is already the NEXT instruction.
        ld r1, OLD_PSW+1(r0)
        st r1, svc_pc(r0)
        ld r1, saved1(r0)
        ld r2, saved2(r0)
        lpsw OLD_PSW(r0)        ; resume: mode, pc, base, bound, ie as they were
fault:
        ; Anything else: the program did something it may not do.  Copy what
        ; the hardware stored into registers and stop the machine.
        ld r1, OLD_PSW+0(r0)    ; old mode
        ld r2, OLD_PSW+1(r0)    ; old pc (virtual: the faulting instruction)
        ld r3, OLD_PSW+2(r0)    ; old base
        ld r4, OLD_PSW+3(r0)    ; old bound
        ld r5, CAUSE(r0)
        ld r6, INFO(r0)
        ld r7, svc_pc(r0)
        halt

user_psw:  .word USER, 0, UBASE, UBOUND, 0     ; mode, pc, base, bound, ie
saved1:    .word 0
saved2:    .word 0
svc_pc:    .word 0

; ---- the user program: virtual addresses 0 .. 63 ------------------------------
        .org UBASE
user:
        li r1, 5                ; virtual address 0 (real 1024)
        svc 7                   ; 1: a system call; the trap saves pc 2
        li r2, 100              ; 2
        ld r1, 0(r2)            ; 3: virtual 100 >= bound 64: MEMORY trap, info 100
        li r1, 6                ; never reached
