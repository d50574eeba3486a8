; lib/pvconsole.s -- console output for a PARAVIRTUALIZED kernel (a PV guest
; of vmm/monitors/pv.s): the subroutines of examples/guests/lib/print.s, with
; `out` replaced by a buffer that the kernel hands to the monitor in one
; hypercall (HC_CONSOLE_WRITE) -- a whole line or more per hypercall instead of
; a trap per character.  Include it after pv-abi.s.
;
; Same calling convention as lib/print.s (r1 argument, r1 r2 scratch, r3..r5
; preserved, r6 stack pointer, r7 link).  putc only appends to cbuf; the text
; reaches the console when the kernel calls `flush` (or, cheaper, puts the
; buffer into the multicall that also returns to a user program: see
; tinyos-pv.s's `resume`).  A full buffer is flushed by putc itself.

        .equ CBUF_SIZE, 128             ; words (characters) in the buffer

; putc -- append the character r1 to the buffer (flush it first if full).
putc:
        ld r2, cbuf_len(r0)
        addi r2, r2, -CBUF_SIZE
        bne r2, r0, putc_room
        addi r6, r6, -2                 ; full: flush, keeping r1 and r7
        st r7, 1(r6)
        st r1, 0(r6)
        call flush
        ld r1, 0(r6)
        ld r7, 1(r6)
        addi r6, r6, 2
putc_room:
        ld r2, cbuf_len(r0)
        st r1, cbuf(r2)
        addi r2, r2, 1
        st r2, cbuf_len(r0)
        ret

; flush -- write the buffer to the console with one hypercall, empty it.
flush:
        ld r2, cbuf_len(r0)
        beq r2, r0, flush_done
        li r1, cbuf
        svc HC_CONSOLE_WRITE            ; r1 = cbuf, r2 = its length
        st r0, cbuf_len(r0)
flush_done:
        ret

; newline -- a line feed (character 10).
newline:
        li r1, 10
        jmp putc                        ; (tail call: putc returns to our caller)

; puts -- the zero-terminated string at address r1.
puts:
        addi r6, r6, -2
        st r7, 1(r6)
        st r3, 0(r6)
        mov r3, r1
puts_loop:
        ld r1, 0(r3)
        beq r1, r0, puts_done
        call putc
        addi r3, r3, 1
        jmp puts_loop
puts_done:
        ld r3, 0(r6)
        ld r7, 1(r6)
        addi r6, r6, 2
        ret

; print_dec -- r1 as a signed decimal number (see lib/print.s for how).
print_dec:
        addi r6, r6, -3
        st r7, 2(r6)
        st r3, 1(r6)
        st r4, 0(r6)
        mov r3, r1
        blt r3, r0, pd_negative
        sub r3, r0, r3
        jmp pd_digits
pd_negative:
        li r1, '-'
        call putc
pd_digits:
        li r4, 0
pd_divide:
        li r2, 10
        rem r1, r3, r2
        sub r1, r0, r1
        addi r1, r1, '0'
        addi r6, r6, -1
        st r1, 0(r6)
        addi r4, r4, 1
        div r3, r3, r2
        bne r3, r0, pd_divide
pd_print:
        ld r1, 0(r6)
        addi r6, r6, 1
        call putc
        addi r4, r4, -1
        bne r4, r0, pd_print
        ld r4, 0(r6)
        ld r3, 1(r6)
        ld r7, 2(r6)
        addi r6, r6, 3
        ret

; print_hex -- r1 as 0x and 8 hexadecimal digits.
print_hex:
        addi r6, r6, -3
        st r7, 2(r6)
        st r3, 1(r6)
        st r4, 0(r6)
        mov r3, r1
        li r1, '0'
        call putc
        li r1, 'x'
        call putc
        li r4, 28
ph_digit:
        shr r1, r3, r4
        andi r1, r1, 15
        li r2, 10
        slt r2, r1, r2
        beq r2, r0, ph_letter
        addi r1, r1, '0'
        jmp ph_put
ph_letter:
        addi r1, r1, 'a' - 10
ph_put:
        call putc
        addi r4, r4, -4
        bge r4, r0, ph_digit
        ld r4, 0(r6)
        ld r3, 1(r6)
        ld r7, 2(r6)
        addi r6, r6, 3
        ret

cbuf_len:  .word 0
cbuf:      .space CBUF_SIZE
