; bt-smc.s -- self-modifying code under the binary-translating monitor (vmm/monitors/bt.s).
; The kernel calls a routine, then rewrites it, and calls it again: the second call must run
; the new code, although the old code was translated (the translation cache must be
; invalidated). Three ways to write: a store at a constant address, a store through a
; register, and an stp; and a store into the very TU that is running (its next instruction,
; translated but not yet run). Prints what each call returned: "1 2 3 4 6 6" on the bare
; machine, and under any correct monitor.
        .org RESET
boot:
        li r6, stack_top
        call f                  ; 1
        call show
        ld r2, insn2(r0)        ; f: li r1, 2  -- a store at a constant address
        st r2, f(r0)
        call f
        call show
        ld r2, insn3(r0)        ; li r1, 3 -- through a register
        li r3, f
        st r2, 0(r3)
        call f
        call show
        ld r2, insn4(r0)        ; li r1, 4 -- stp, at the real address
        stp r2, f(r0)
        call f
        call show
        ; a loop whose own TU rewrites its next instruction, twice: 6, 6
        li r4, 2
again:
        ld r2, insn6(r0)
        st r2, here(r0)         ; rewrites `here` (the same TU, not yet run)
here:   li r1, 5
        call show
        addi r4, r4, -1
        bne r4, r0, again
        call newline
        halt

f:      li r1, 1
        ret

show:   addi r6, r6, -1
        st r7, 0(r6)
        call print_dec
        li r1, ' '
        call putc
        ld r7, 0(r6)
        addi r6, r6, 1
        ret

insn2:  li r1, 2
insn3:  li r1, 3
insn4:  li r1, 4
insn6:  li r1, 6

        .include "../../examples/guests/lib/print.s"
stack:  .space 32
stack_top:
