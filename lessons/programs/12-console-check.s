; 12-console-check.s -- lesson 12's check of an HC_CONSOLE_WRITE routine: a
; paravirtualized guest that writes buffers with the hypercall and says what
; came back.  It expects (docs/hypercalls.md):
;   A  a 27-word line at a valid address: the line on the console, result 0;
;   B  0 words, at an address outside R: result 0, nothing written;
;   C  6 words wholly outside R (the word SECRET, at LIMIT): -EFAULT, nothing;
;   D  4 words that start inside R and run past its bound: -EFAULT, nothing;
;   E  a 1-word buffer: its one character.
; The guest first narrows its own R to (base 0, bound LIMIT) -- with HC_IRET,
; like any PV kernel changing its PSW -- so that C and D lie inside its machine
; but outside R: a routine that does not check would print SECRET.
        .include "../../vmm/monitors/pv-abi.s"
        .equ LIMIT, 512                 ; the guest's bound after narrowing

        .org NEW_PSW                    ; the trap table's handler PSW (table at 0)
        .word SUPERVISOR, trapped, 0, LIMIT, 0

        .org RESET
        li r1, 0
        svc HC_SET_TRAP_TABLE
        li r1, SUPERVISOR               ; R = (0, LIMIT): HC_IRET to `narrowed`
        st r1, OLD_PSW+0(r0)
        li r1, narrowed
        st r1, OLD_PSW+1(r0)
        st r0, OLD_PSW+2(r0)
        li r1, LIMIT
        st r1, OLD_PSW+3(r0)
        st r0, OLD_PSW+4(r0)
        svc HC_IRET
narrowed:
        li r1, line_a                   ; A
        li r2, line_a_end - line_a
        svc HC_CONSOLE_WRITE
        mov r3, r1
        li r1, s_a_ok
        beq r3, r0, say_a
        li r1, s_a_bad
say_a:  call say
        li r1, -1                       ; B
        li r2, 0
        svc HC_CONSOLE_WRITE
        mov r3, r1
        li r1, s_b_ok
        beq r3, r0, say_b
        li r1, s_b_bad
say_b:  call say
        li r1, LIMIT                    ; C
        li r2, 6
        svc HC_CONSOLE_WRITE
        mov r3, r1
        li r1, s_c_ok
        li r2, -EFAULT
        beq r3, r2, say_c
        li r1, s_c_bad
say_c:  call say
        li r1, LIMIT-2                  ; D
        li r2, 4
        svc HC_CONSOLE_WRITE
        mov r3, r1
        li r1, s_d_ok
        li r2, -EFAULT
        beq r3, r2, say_d
        li r1, s_d_bad
say_d:  call say
        li r1, s_e                      ; E
        li r2, 1
        svc HC_CONSOLE_WRITE
        li r1, s_end
        call say
        svc HC_HALT

; say -- write the zero-terminated string at r1 (one hypercall).
say:    mov r2, r1
say_len:
        ld r4, 0(r2)
        beq r4, r0, say_go
        addi r2, r2, 1
        jmp say_len
say_go: sub r2, r2, r1
        svc HC_CONSOLE_WRITE
        ret

; Any trap: the check went wrong.
trapped:
        li r1, s_trap
        call say
        svc HC_HALT

line_a:     .ascii "A: one line, one hypercall\n"
line_a_end:
s_a_ok:     .asciz "A: result 0\n"
s_a_bad:    .asciz "A: the result was not 0\n"
s_b_ok:     .asciz "B: 0 words: result 0\n"
s_b_bad:    .asciz "B: 0 words: the result was not 0\n"
s_c_ok:     .asciz "C: outside R: refused (-EFAULT)\n"
s_c_bad:    .asciz "C: outside R: NOT refused with -EFAULT\n"
s_d_ok:     .asciz "D: past the bound: refused (-EFAULT)\n"
s_d_bad:    .asciz "D: past the bound: NOT refused with -EFAULT\n"
s_e:        .ascii "E"
s_end:      .asciz ": one word\n"
s_trap:     .asciz "the guest took an unexpected trap\n"
guest_end:

        .org LIMIT
secret:     .ascii "SECRET"
