; user/baddiv.s -- a bad tinyos program: it divides by zero.
;
; div (and rem) with a zero divisor trap ARITH: the machine cannot produce a
; result, and the trap is precise -- r1 keeps its old value, the saved pc
; points at the div itself.  The trap goes to the OS like any other; tinyos
; has no way to let a program recover, so it kills it.
u_baddiv:
        li r1, baddiv_msg - u_baddiv
        svc SYS_PUTS
        svc SYS_YIELD
        li r3, 100
        li r4, 7
        li r5, 7
        sub r4, r4, r5                  ; r4 = 0
        div r1, r3, r4                  ; 100 / 0: ARITH trap
        ; never reached
        li r1, baddiv_oops - u_baddiv
        svc SYS_PUTS
        li r1, 1
        svc SYS_EXIT

baddiv_msg:
        .asciz "[baddiv] next I compute 100 / (7 - 7)\n"
baddiv_oops:
        .asciz "[baddiv] 100 / 0 went through!\n"
