; lib/print.s -- console output subroutines for PG-1 programs that run in
; supervisor mode (bare-metal programs, and the kernel of examples/os/tinyos.s).
;
; Include it with   .include "lib/print.s"   (paths are relative to the file
; that includes it) somewhere the processor will not fall into it, e.g. after
; your program's final halt.
;
; All output goes through `out`, which is PRIVILEGED: a program in user mode
; must not touch the console directly (it would trap PRIV), it has to ask its
; operating system with `svc` instead -- see examples/os/tinyos.s.
;
; Calling convention (used by every example in examples/guests and examples/os):
;   call sub        jal r7, sub(r0): r7 = return address, jump to sub
;   ret             jal r0, 0(r7):   jump back to the address in r7
;   r1              the argument (and the result, if any)
;   r1, r2          scratch: a subroutine may destroy them
;   r3, r4, r5      preserved: a subroutine that uses them saves and restores them
;   r6              the stack pointer, sp. The stack grows DOWN and sp points
;                   at the last word pushed:
;                       push x:   addi r6, r6, -1   then   st x, 0(r6)
;                       pop  x:   ld x, 0(r6)       then   addi r6, r6, 1
;   r7              the link register. `call` overwrites r7, so a subroutine
;                   that calls another one must push its own r7 first and pop
;                   it before its `ret` (a "non-leaf" subroutine).
;
; The caller must have pointed r6 at a stack (a few dozen free words) first.

; putc -- print the character in r1.  A "leaf": it calls nothing, so it
; does not need to save r7.
putc:
        out r1
        ret

; newline -- print a line feed (character 10).
newline:
        li r1, 10
        out r1
        ret

; puts -- print the zero-terminated string at address r1.
; Strings are made by .asciz: ONE character per 32-bit word, then a 0 word.
; This is an array walk: r2 points at the current element.
puts:
        mov r2, r1
puts_loop:
        ld r1, 0(r2)            ; r1 = the character at address r2
        beq r1, r0, puts_done   ; the 0 word ends the string
        out r1
        addi r2, r2, 1          ; next word
        jmp puts_loop
puts_done:
        ret

; print_dec -- print r1 as a signed decimal number (e.g. -42, 0, 1836311903).
;
; Division by 10 produces the digits from the right (the least significant
; first), but we must print them from the left.  So we push each digit on
; the stack and then pop them: the stack reverses their order.
;
; A subtlety of two's complement: -2147483648 has no positive twin in 32
; bits (0 - (-2147483648) wraps around to itself).  So we do the opposite of
; the obvious thing: we make the number NEGATIVE (every positive number has
; a negative twin) and divide the negative number.  PG-1's div and rem are
; signed and truncate toward zero, so n rem 10 is in -9..0 and its digit is
; 0 - (n rem 10).
print_dec:
        addi r6, r6, -3         ; non-leaf: save r7 (we call putc) and r3, r4
        st r7, 2(r6)
        st r3, 1(r6)
        st r4, 0(r6)
        mov r3, r1              ; r3 = n
        blt r3, r0, pd_negative
        sub r3, r0, r3          ; n >= 0: use -n instead
        jmp pd_digits
pd_negative:
        li r1, '-'              ; n < 0: print the sign, keep n negative
        call putc
pd_digits:                      ; here r3 = -|n|, r3 <= 0
        li r4, 0                ; r4 = how many digits we pushed
        li r2, 10
pd_divide:
        rem r1, r3, r2          ; r1 = n rem 10, in -9..0
        sub r1, r0, r1          ; the digit's value 0..9
        addi r1, r1, '0'        ; ... as a character
        addi r6, r6, -1         ; push it
        st r1, 0(r6)
        addi r4, r4, 1
        div r3, r3, r2          ; n = n / 10 (toward zero)
        bne r3, r0, pd_divide   ; until no digits are left (0 prints as "0")
pd_print:
        ld r1, 0(r6)            ; pop the most significant digit left
        addi r6, r6, 1
        call putc
        addi r4, r4, -1
        bne r4, r0, pd_print
        ld r4, 0(r6)            ; restore r4, r3, r7 and drop the frame
        ld r3, 1(r6)
        ld r7, 2(r6)
        addi r6, r6, 3
        ret

; print_hex -- print r1 as 0x followed by 8 hexadecimal digits.
; Each hex digit is 4 bits; we take them from the top: shift the word right
; (shr, LOGICAL: fills with zeros -- sra would copy the sign bit in) by
; 28, 24, ..., 0 and keep the low 4 bits with andi.
print_hex:
        addi r6, r6, -3
        st r7, 2(r6)
        st r3, 1(r6)
        st r4, 0(r6)
        mov r3, r1              ; r3 = the word to print
        li r1, '0'
        call putc
        li r1, 'x'
        call putc
        li r4, 28               ; r4 = shift amount (shifts take it from a register)
ph_digit:
        shr r1, r3, r4          ; bring the next 4 bits down to bits 3..0
        andi r1, r1, 15         ; r1 = 0..15
        li r2, 10
        slt r2, r1, r2          ; r2 = (r1 < 10)
        beq r2, r0, ph_letter
        addi r1, r1, '0'        ; 0..9  -> '0'..'9'
        jmp ph_put
ph_letter:
        addi r1, r1, 'a' - 10   ; 10..15 -> 'a'..'f'
ph_put:
        call putc
        addi r4, r4, -4
        bge r4, r0, ph_digit    ; shift amounts 28, 24, ..., 4, 0
        ld r4, 0(r6)
        ld r3, 1(r6)
        ld r7, 2(r6)
        addi r6, r6, 3
        ret
