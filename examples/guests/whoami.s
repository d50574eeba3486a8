; whoami.s -- a guest OS that asks the machine which mode it runs in.
;
; On the bare machine an OS runs in supervisor mode, so getm gives 0. Under a
; trap-and-emulate VMM the OS really runs in USER mode. On PG-1 getm is
; privileged: it traps, and the VMM answers with the guest's *virtual* mode, 0.
; On pg1-getm.isa (getm unprivileged, like x86 reading CPL from CS) it does not
; trap: the guest reads the real mode, 1, and behaves differently:
;
;   pgsim equiv examples/guests/whoami.s                          -> equivalent
;   pgsim equiv --isa examples/isa/pg1-getm.isa examples/guests/whoami.s
;                                                                  -> diverges at the getm
        .org RESET
start:  getm r1                 ; 0 = supervisor, 1 = user
        li r2, sup - 16
        beq r1, r0, print       ; print "supervisor"
        li r2, usr - 16         ; print "user"
print:  ld r3, 16(r2)
        beq r3, r0, done
        out r3
        addi r2, r2, 1
        jmp print
done:   li r3, 10
        out r3
        halt
sup:    .asciz "I run in supervisor mode"
usr:    .asciz "I run in user mode"
