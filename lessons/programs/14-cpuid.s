; 14-cpuid.s -- lesson 14: a guest OS that asks cpuid about the machine.
;
; Leaf 0 gives the highest ordinary leaf, leaf 1 the feature bits (1: the timer, 2: the
; console). The guest prints both, then asks the debugging leaf 0x4d6f6465 ("Mode") which
; mode it runs in, as a kernel that checks it was started in supervisor mode would.
; On the bare machine: "leaves 1, features 3, mode 0". Under a VMM, cpuid does not trap:
; the guest reads the REAL mode, 1, and says so.
        .org RESET
start:  li r1, 0
        cpuid r2, r1            ; leaf 0: the highest leaf
        li r1, 1
        cpuid r3, r1            ; leaf 1: the features
        lui r1, 0x4d6f
        ori r1, r1, 0x6465      ; leaf "Mode"
        cpuid r4, r1
        li r5, txt1 - 16
        call print
        addi r6, r2, 48         ; one digit
        out r6
        li r5, txt2 - 16
        call print
        addi r6, r3, 48
        out r6
        li r5, txt3 - 16
        call print
        addi r6, r4, 48
        out r6
        li r6, 10
        out r6
        halt
print:  ld r6, 16(r5)           ; the string at r5 + 16, up to its 0
        beq r6, r0, back
        out r6
        addi r5, r5, 1
        jmp print
back:   ret
txt1:   .asciz "leaves "
txt2:   .asciz ", features "
txt3:   .asciz ", mode "
