; tests/data/late-spsw.s -- a guest whose only divergence under a VMM on
; pg1-spsw.isa (spsw NOT privileged) is one storage word, written late: it
; counts down from 1000 (2001 guest instructions), then stores its PSW with spsw.
; The bare machine stores mode 0 (supervisor) at word 200; under a VMM the
; guest runs in user mode and the unprivileged spsw stores the REAL mode, 1.
; Registers, pc and console stay equal: only `pgsim equiv`'s storage
; comparison can see it, at the spsw (guest instruction 2002).
        .org RESET
        li r2, 1000
count:  addi r2, r2, -1
        bne r2, r0, count
        spsw 200(r0)
        li r2, 7
        halt
