; tests/data/loop.s -- a guest that never halts: it counts in r1 and stores the
; count, forever.  For the tests of run limits (lessons) and of `pgsim equiv`'s
; cost per guest instruction (one store per iteration).
        .org RESET
loop:   addi r1, r1, 1
        st r1, 100(r0)
        jmp loop
        halt                    ; never reached (a line for `run to-line`)
