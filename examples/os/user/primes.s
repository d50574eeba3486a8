; user/primes.s -- a well-behaved tinyos program: the primes below 100, by
; trial division, five to a line, with a yield after each line.
;
; The primes found so far are kept in an array in the program's region
; (primes_table): a candidate n is prime if no prime p with p*p <= n divides
; it (rem n, p = 0).  The array is addressed as `primes_table - u_primes`
; (its virtual address) plus an index register.
;
; Prints:   [primes] 2 3 5 7 11   ...   [primes] 25 primes below 100
u_primes:
        li r3, 2                        ; r3 = n, the candidate
        li r4, 0                        ; r4 = number of primes found
primes_next:
        li r5, 0                        ; r5 = index into the table
primes_test:
        beq r5, r4, primes_found        ; no known prime divides n
        ld r1, primes_table - u_primes(r5)  ; r1 = p
        mul r2, r1, r1
        slt r2, r3, r2                  ; n < p*p: no larger divisor possible
        bne r2, r0, primes_found
        rem r2, r3, r1
        beq r2, r0, primes_step         ; p divides n: not a prime
        addi r5, r5, 1
        beq r0, r0, primes_test         ; (an always-taken branch: relative, so
                                        ;  unlike jmp it needs no virtual address)
primes_found:
        st r3, primes_table - u_primes(r4)
        li r1, 5
        rem r1, r4, r1
        bne r1, r0, primes_print        ; first on its line? then the prefix
        li r1, primes_prefix - u_primes
        svc SYS_PUTS
primes_print:
        li r1, ' '
        svc SYS_PUTC
        mov r1, r3
        svc SYS_PUTN
        addi r4, r4, 1
        li r1, 5
        rem r1, r4, r1
        bne r1, r0, primes_step         ; line full? end it and yield
        li r1, 10
        svc SYS_PUTC
        svc SYS_YIELD
primes_step:
        addi r3, r3, 1
        li r1, 100
        blt r3, r1, primes_next
        li r1, 5
        rem r1, r4, r1
        beq r1, r0, primes_total        ; a partial last line needs its line feed
        li r1, 10
        svc SYS_PUTC
primes_total:
        li r1, primes_prefix - u_primes
        svc SYS_PUTS
        li r1, ' '
        svc SYS_PUTC
        mov r1, r4
        svc SYS_PUTN
        li r1, primes_msg - u_primes
        svc SYS_PUTS
        li r1, 0
        svc SYS_EXIT

primes_prefix: .asciz "[primes]"
primes_msg:    .asciz " primes below 100\n"
primes_table:  .space 32                ; 25 primes below 100
