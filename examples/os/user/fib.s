; user/fib.s -- a well-behaved tinyos program: Fibonacci numbers, the slow way.
;
; fib_rec computes fib(n) = fib(n-1) + fib(n-2) by RECURSION, so it needs a
; real stack: every call pushes the return address (r7) and what it must
; keep onto the stack in the program's own region.  The OS started the
; program with r6 = REGION, the top of its region; the stack grows down from
; there, and every push is relocated and bounds-checked like any other store.
;
; The number of calls grows like fib(n) itself, so this program does most of
; the computing in tinyos: it is where the timer interrupts usually land.
; They do not disturb it: the OS saves and restores every register.
;
; Prints, one line per turn:   [fib] fib(N) = F   (C calls)   for N = 1..10
u_fib:
        li r3, 1                        ; r3 = n
fib_loop:
        st r0, fib_calls - u_fib(r0)    ; calls = 0 (a variable at a virtual address)
        mov r1, r3
        call fib_rec - u_fib            ; jal r7, fib_rec - u_fib(r0): virtual target
        mov r4, r1                      ; r4 = fib(n)
        li r1, fib_msg_1 - u_fib
        svc SYS_PUTS
        mov r1, r3
        svc SYS_PUTN
        li r1, fib_msg_2 - u_fib
        svc SYS_PUTS
        mov r1, r4
        svc SYS_PUTN
        li r1, fib_msg_3 - u_fib
        svc SYS_PUTS
        ld r1, fib_calls - u_fib(r0)
        svc SYS_PUTN
        li r1, fib_msg_4 - u_fib
        svc SYS_PUTS
        svc SYS_YIELD
        addi r3, r3, 1
        li r1, 11
        blt r3, r1, fib_loop            ; n = 1 .. 10
        li r1, 0
        svc SYS_EXIT

; fib_rec -- r1 = n >= 0; returns r1 = fib(n).  Preserves r3..r5.
fib_rec:
        ld r2, fib_calls - u_fib(r0)    ; count this call
        addi r2, r2, 1
        st r2, fib_calls - u_fib(r0)
        li r2, 2
        blt r1, r2, fib_rec_done        ; fib(0) = 0, fib(1) = 1: r1 already is
        addi r6, r6, -3                 ; push r7 (we call), r3 (we use it) and n
        st r7, 2(r6)
        st r3, 1(r6)
        st r1, 0(r6)
        addi r1, r1, -1
        call fib_rec - u_fib            ; fib(n-1)
        mov r3, r1
        ld r1, 0(r6)                    ; n again
        addi r1, r1, -2
        call fib_rec - u_fib            ; fib(n-2)
        add r1, r1, r3
        ld r3, 1(r6)                    ; pop
        ld r7, 2(r6)
        addi r6, r6, 3
fib_rec_done:
        ret                             ; jal r0, 0(r7): r7 is a virtual address too

fib_calls:  .word 0
fib_msg_1:  .asciz "[fib] fib("
fib_msg_2:  .asciz ") = "
fib_msg_3:  .asciz "   ("
fib_msg_4:  .asciz " calls)\n"
