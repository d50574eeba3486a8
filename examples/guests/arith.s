; arith.s -- a table of PG-1's arithmetic, on bare metal.
;
; Run it:   pgsim run examples/guests/arith.s
;
; For a few pairs (a, b) it prints the result of every two-operand
; arithmetic/logic instruction, so you can see exactly what each does with
; negative numbers and at the edges of 32 bits.  The interesting lines:
;   div truncates toward zero, rem takes the sign of a   (-7 / 2 = -3, -7 rem 2 = -1)
;   shr is logical (fills with 0), sra arithmetic (copies the sign bit)
;   slt compares signed, sltu unsigned (-7 is 4294967289 when unsigned)
;   add and mul wrap around silently (2147483647 + 1 = -2147483648)
;
; How it works: an INDIRECT CALL.  The table `ops` lists, for each
; instruction, the address of its name and the address of a tiny subroutine
; that computes r1 = r3 op r4.  The loop loads the subroutine's address into
; r5 and calls it with `jal r7, 0(r5)` -- the same jal as `call`, but the
; target comes from a register (as a function pointer in C).

        .org RESET
start:
        li r6, stack_top
        li r5, pairs            ; r5 walks the table of (a, b) pairs
next_pair:
        ld r3, 0(r5)            ; r3 = a
        ld r4, 1(r5)            ; r4 = b
        ld r1, 2(r5)            ; 0 marks the end of the table
        beq r1, r0, finished
        addi r5, r5, 3
        addi r6, r6, -1         ; keep our place in `pairs` on the stack
        st r5, 0(r6)
        li r1, s_a              ; "a = ..., b = ..."
        call puts
        mov r1, r3
        call print_dec
        li r1, s_b
        call puts
        mov r1, r4
        call print_dec
        call newline
        li r5, ops              ; r5 walks the table of operations
next_op:
        ld r1, 0(r5)            ; the name, or 0 at the end of the table
        beq r1, r0, pair_done
        call puts               ; "  add "
        addi r6, r6, -1
        st r5, 0(r6)            ; the operation may use r5: save our place
        ld r5, 1(r5)            ; r5 = the address of the operation's code
        jal r7, 0(r5)           ; indirect call: r1 = r3 op r4
        ld r5, 0(r6)
        addi r6, r6, 1
        call print_dec
        call newline
        addi r5, r5, 2
        jmp next_op
pair_done:
        ld r5, 0(r6)            ; back to our place in `pairs`
        addi r6, r6, 1
        jmp next_pair

finished:
        ; Constants wider than 16 bits: lui puts a 16-bit value in the top
        ; half, ori fills in the bottom half (ori zero-extends its immediate).
        li r1, s_lui
        call puts
        lui r1, 0x1234
        ori r1, r1, 0x5678
        call print_hex
        call newline
        halt

; ---- the operations: r1 = r3 op r4 -- each a leaf subroutine ---------------
op_add:  add  r1, r3, r4
         ret
op_sub:  sub  r1, r3, r4
         ret
op_mul:  mul  r1, r3, r4
         ret
op_div:  div  r1, r3, r4
         ret
op_rem:  rem  r1, r3, r4
         ret
op_and:  and  r1, r3, r4
         ret
op_or:   or   r1, r3, r4
         ret
op_xor:  xor  r1, r3, r4
         ret
op_shl:  shl  r1, r3, r4
         ret
op_shr:  shr  r1, r3, r4
         ret
op_sra:  sra  r1, r3, r4
         ret
op_slt:  slt  r1, r3, r4
         ret
op_sltu: sltu r1, r3, r4
         ret

        .include "lib/print.s"

; ---- data ------------------------------------------------------------------
; (a, b, 1) triples; a final triple with 0 in the third word ends the table.
pairs:
        .word -7, 2, 1
        .word 100, -3, 1
        .word 0x7fffffff, 1, 1          ; the largest int: watch add and shl wrap
        .word 65536, 65536, 1           ; 2^16 * 2^16 = 2^32, which wraps to 0
        .word 0, 0, 0

; (name, code) pairs, 0 at the end
ops:
        .word s_add, op_add
        .word s_sub, op_sub
        .word s_mul, op_mul
        .word s_div, op_div
        .word s_rem, op_rem
        .word s_and, op_and
        .word s_or, op_or
        .word s_xor, op_xor
        .word s_shl, op_shl
        .word s_shr, op_shr
        .word s_sra, op_sra
        .word s_slt, op_slt
        .word s_sltu, op_sltu
        .word 0

s_a:    .asciz "a = "
s_b:    .asciz ", b = "
s_add:  .asciz "  a add b  = "
s_sub:  .asciz "  a sub b  = "
s_mul:  .asciz "  a mul b  = "
s_div:  .asciz "  a div b  = "
s_rem:  .asciz "  a rem b  = "
s_and:  .asciz "  a and b  = "
s_or:   .asciz "  a or b   = "
s_xor:  .asciz "  a xor b  = "
s_shl:  .asciz "  a shl b  = "
s_shr:  .asciz "  a shr b  = "
s_sra:  .asciz "  a sra b  = "
s_slt:  .asciz "  a slt b  = "
s_sltu: .asciz "  a sltu b = "
s_lui:  .asciz "lui r1, 0x1234 then ori r1, r1, 0x5678 gives "

stack:  .space 32
stack_top:
