; fib.s -- Fibonacci numbers, on bare metal.
;
; Run it:   pgsim run examples/guests/fib.s
;
; What it shows:
;   * arrays in memory: F(0), F(1), ... are stored in the array `fib` with st,
;     and read back with ld, using a register as the index;
;   * signed overflow: PG-1 arithmetic wraps around at 32 bits without
;     trapping, so the program must notice for itself (with slt) when the next
;     Fibonacci number no longer fits;
;   * mul, and how wrapping arithmetic still gives exact answers: Cassini's
;     identity F(n-1)*F(n+1) - F(n)*F(n) = (-1)^n holds modulo 2^32, so it
;     can be checked with 32-bit mul even where the products overflow;
;   * div and rem: long division prints the golden ratio F(40)/F(39);
;   * calls with a stack in memory (r6) and the link register r7, through
;     the subroutines of lib/print.s.
;
; It prints:
;   Fibonacci numbers that fit in a signed 32-bit word:
;   0 1 1 2 3 5 8 13
;   ... (47 numbers, 8 per line, up to 1836311903)
;   47 numbers; F(47) would overflow 32 bits
;   Cassini's identity holds for n = 1..45
;   F(40)/F(39) = 1.618033988
; and halts.

        .equ PER_LINE, 8
        .equ DECIMALS, 9

        .org RESET
start:
        li r6, stack_top        ; set up the stack before the first call

; ---- 1. fill the array: fib[0] = 0, fib[1] = 1, fib[i] = fib[i-1] + fib[i-2]
        st r0, fib(r0)          ; fib[0] = 0
        li r1, 1
        st r1, fib+1(r0)        ; fib[1] = 1
        li r3, 2                ; r3 = i
fill:
        ld r1, fib-1(r3)        ; r1 = fib[i-1]   (address fib + i - 1)
        ld r2, fib-2(r3)        ; r2 = fib[i-2]
        add r4, r1, r2          ; r4 = the next number, maybe wrapped around
        slt r5, r4, r1          ; both addends are >= 0, so the true sum is >= r1;
        bne r5, r0, full        ; a "sum" below r1 means it wrapped: stop
        st r4, fib(r3)          ; fib[i] = r4
        addi r3, r3, 1
        jmp fill
full:
        st r3, count(r0)        ; count = how many numbers fit (F(0)..F(count-1))

; ---- 2. print them, PER_LINE to a line
        li r1, title
        call puts
        li r3, 0                ; r3 = i
print_loop:
        ld r1, fib(r3)
        call print_dec          ; (print_dec preserves r3, r4, r5)
        addi r3, r3, 1
        li r2, PER_LINE
        rem r2, r3, r2          ; r2 = i mod PER_LINE
        ld r4, count(r0)
        beq r3, r4, print_eol   ; after the last number: end the line
        beq r2, r0, print_eol   ; every PER_LINE numbers: end the line
        li r1, ' '
        call putc
        jmp print_loop
print_eol:
        call newline
        bne r3, r4, print_loop
        ld r1, count(r0)
        call print_dec
        li r1, msg_overflow_1
        call puts
        ld r1, count(r0)
        call print_dec
        li r1, msg_overflow_2
        call puts

; ---- 3. Cassini's identity for n = 1 .. count-2 (needs F(n+1) in the array)
        li r3, 1                ; r3 = n
        ld r5, count(r0)
        addi r5, r5, -1         ; stop when n = count-1
cassini:
        ld r1, fib-1(r3)        ; F(n-1)
        ld r2, fib+1(r3)        ; F(n+1)
        mul r1, r1, r2          ; F(n-1)*F(n+1), wrapped to 32 bits
        ld r2, fib(r3)
        mul r2, r2, r2          ; F(n)^2, wrapped
        sub r1, r1, r2          ; the difference: must be exactly +1 or -1
        andi r2, r3, 1          ; r2 = n & 1 (1 when n is odd)
        li r4, 1
        shl r2, r2, r4          ; r2 = 2 * (n & 1)  (shift left by 1)
        sub r2, r4, r2          ; expected (-1)^n = 1 - 2*(n & 1)
        bne r1, r2, cassini_bad
        addi r3, r3, 1
        bne r3, r5, cassini
        li r1, msg_cassini
        call puts
        addi r1, r5, -1         ; last n checked
        call print_dec
        call newline
        jmp phi

cassini_bad:                    ; (never happens, unless mul is broken)
        li r1, msg_cassini_bad
        call puts
        mov r1, r3
        call print_dec
        call newline

; ---- 4. the golden ratio: long division of F(40) by F(39)
phi:
        li r1, msg_phi
        call puts
        ld r3, fib+40(r0)       ; r3 = dividend
        ld r4, fib+39(r0)       ; r4 = divisor
        div r1, r3, r4          ; integer part
        call print_dec
        li r1, '.'
        call putc
        rem r3, r3, r4          ; r3 = remainder (< divisor)
        li r5, DECIMALS
phi_digit:
        li r2, 10
        mul r3, r3, r2          ; bring down a 0 (remainder*10 < 2^31 here)
        div r1, r3, r4          ; next decimal digit
        rem r3, r3, r4
        call print_dec
        addi r5, r5, -1
        bne r5, r0, phi_digit
        call newline

        halt

; ---- subroutines and data (after the halt: never executed by falling in)
        .include "lib/print.s"

title:          .asciz "Fibonacci numbers that fit in a signed 32-bit word:\n"
msg_overflow_1: .asciz " numbers; F("
msg_overflow_2: .asciz ") would overflow 32 bits\n"
msg_cassini:    .asciz "Cassini's identity holds for n = 1.."
msg_cassini_bad: .asciz "Cassini's identity FAILS at n = "
msg_phi:        .asciz "F(40)/F(39) = "

count:  .word 0
fib:    .space 48               ; the array: F(0) .. F(46) fit (47 words), one spare
stack:  .space 32
stack_top:                      ; the stack grows down from here
