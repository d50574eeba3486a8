; sieve.s -- the sieve of Eratosthenes for the primes below 200, on bare metal.
;
; Run it:   pgsim run examples/guests/sieve.s
;
; What it shows:
;   * a bit array: one bit per number, 32 numbers per word, so 200 numbers
;     need only 7 words.  Number i lives in word i >> 5 (i / 32), at bit
;     i & 31 (i mod 32); its mask is 1 << (i & 31).  PG-1's shifts take their
;     amount from a register, so the amount is computed at run time.
;   * shl / shr to build masks and word indexes, and / or to test and set bits;
;   * mul (j starts at i*i), rem (10 primes per line), and
;   * sltu, the UNSIGNED comparison: `sltu r, j, LIMIT` is true only for
;     0 <= j < LIMIT, because a negative j looks like a huge unsigned number.
;     One comparison does a bounds check that would otherwise need two.
;   * calls through lib/print.s, with the stack in memory (r6) and r7.
;
; It prints:
;   Primes below 200:
;   2 3 5 7 11 13 17 19 23 29
;   ... (10 per line)
;   46 primes, sum 4227
; and halts.

        .equ LIMIT, 200
        .equ WORDS, (LIMIT + 31) / 32   ; 7 words of 32 bits
        .equ PER_LINE, 10

        .org RESET
start:
        li r6, stack_top

; ---- 1. cross out the multiples: for i = 2, 3, ... while i*i < LIMIT,
;         if i is not crossed out, cross out i*i, i*i + i, i*i + 2i, ...
;         (smaller multiples of i were crossed out by smaller primes)
        li r3, 2                ; r3 = i
outer:
        mul r4, r3, r3          ; r4 = j = i*i
        li r1, LIMIT
        slt r1, r4, r1
        beq r1, r0, count_primes ; i*i >= LIMIT: the sieve is complete
        mov r1, r3
        call is_crossed
        bne r1, r0, next_i      ; i is composite: its multiples are done already
inner:
        li r1, LIMIT
        sltu r1, r4, r1         ; unsigned: j < LIMIT (and j is not negative)
        beq r1, r0, next_i
        mov r1, r4
        call cross_out
        add r4, r4, r3          ; j = j + i
        jmp inner
next_i:
        addi r3, r3, 1
        jmp outer

; ---- 2. print every i in 2 .. LIMIT-1 that is not crossed out
count_primes:
        li r1, title
        call puts
        li r3, 2                ; r3 = i
        li r4, 0                ; r4 = number of primes so far
        li r5, 0                ; r5 = their sum
scan:
        mov r1, r3
        call is_crossed
        bne r1, r0, scan_next
        beq r4, r0, first       ; separator before every prime but the first:
        li r1, PER_LINE
        rem r1, r4, r1          ;   a newline after every PER_LINE primes,
        beq r1, r0, line_break
        li r1, ' '              ;   a space otherwise
        call putc
        jmp first
line_break:
        call newline
first:
        mov r1, r3
        call print_dec
        addi r4, r4, 1
        add r5, r5, r3
scan_next:
        addi r3, r3, 1
        li r1, LIMIT
        blt r3, r1, scan
        call newline
        mov r1, r4
        call print_dec
        li r1, msg_sum
        call puts
        mov r1, r5
        call print_dec
        call newline
        halt

; ---- subroutines --------------------------------------------------------

; bit_of -- r1 = a number i in 0..LIMIT-1.
; Returns r1 = the ADDRESS of the word holding i's bit, r2 = the bit's mask.
; A leaf: it calls nothing, so r7 stays intact.
bit_of:
        li r2, 31
        and r2, r1, r2          ; r2 = i & 31, the bit number within the word
        addi r6, r6, -1         ; need one more register: save r3
        st r3, 0(r6)
        li r3, 1
        shl r2, r3, r2          ; r2 = 1 << (i & 31), the mask
        li r3, 5
        shr r1, r1, r3          ; r1 = i >> 5, the word index (i / 32)
        addi r1, r1, bits       ; r1 = the word's address: bits + i/32
        ld r3, 0(r6)
        addi r6, r6, 1
        ret

; is_crossed -- r1 = i.  Returns r1 = 0 if i is still a prime candidate,
; nonzero if it has been crossed out.
is_crossed:
        addi r6, r6, -1         ; non-leaf: we call bit_of, so save r7
        st r7, 0(r6)
        call bit_of
        ld r1, 0(r1)            ; the word
        and r1, r1, r2          ; keep only i's bit
        ld r7, 0(r6)
        addi r6, r6, 1
        ret

; cross_out -- r1 = i.  Sets i's bit (read, or in the mask, write back).
cross_out:
        addi r6, r6, -2
        st r7, 1(r6)
        st r3, 0(r6)
        call bit_of
        ld r3, 0(r1)
        or r3, r3, r2
        st r3, 0(r1)
        ld r3, 0(r6)
        ld r7, 1(r6)
        addi r6, r6, 2
        ret

        .include "lib/print.s"

; ---- data ----------------------------------------------------------------
title:   .asciz "Primes below 200:\n"
msg_sum: .asciz " primes, sum "
bits:    .space WORDS           ; the bit array, all 0: nothing crossed out yet
stack:   .space 32
stack_top:
