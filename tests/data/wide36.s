; A program for tests/data/wide36.isa (36-bit words): 2^35 - 1 + 1 wraps to the most negative word.
        .org 16
        ld   r1, big(r0)
        addi r1, r1, 1
        st   r1, out(r0)
        halt
big:    .word 0x7ffffffff
out:    .word 0
