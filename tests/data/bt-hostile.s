; bt-hostile.s -- a hostile guest for the binary-translating monitor (vmm/monitors/bt.s).
; Its kernel (translated by bt) and a user task (run directly) load and store at addresses
; around and far beyond their bound, through a register and at constant addresses, including
; the ones that would land in the monitor or its translation cache if the monitor added its
; guest's base without checking (a = -VMM_SIZE .. -1 wraps to the monitor's words). Every one of
; them must fault MEMORY, exactly as on the bare machine: the kernel's trap handler counts the
; faults, sums their info words, skips the faulting instruction and goes on. Stores write
; MARK: after the run no word of the monitor may hold it (tests/bt_test.cpp).
        .equ MARK, 0x5ec0
        .equ UBASE, 4096        ; the user task's region
        .equ UBOUND, 256

        .org NEW_PSW
        .word SUPERVISOR, handler, 0, 0, 0      ; bound filled in at boot

        .org RESET
boot:
        spsw own(r0)            ; our bound = the machine's size
        ld r1, own+3(r0)
        st r1, NEW_PSW+3(r0)
        st r1, kbound(r0)
        li r6, stack_top
        li r5, MARK
        ; --- the kernel's probes, through a register: each address of the table
        li r3, probes
kloop:
        ld r4, 0(r3)
        beq r4, r0, kconst      ; 0 ends the table (address 0 itself is valid)
        ld r2, 0(r4)            ; must fault
        add r7, r7, r2          ; (never reached with a value from outside)
        st r5, 0(r4)            ; must fault
        ld r2, -1(r4)           ; and one below, one above
        st r5, 1(r4)
        addi r3, r3, 1
        jmp kloop
kconst:
        ; --- at constant addresses (checked when translated)
        ld r2, -1(r0)
        st r5, -1(r0)
        ld r2, -8192(r0)
        st r5, -8192(r0)
        ld r2, -32768(r0)
        st r5, -32768(r0)
        ld r2, 32767(r0)        ; valid if the machine is that big: then it reads our own word
        lpsw -3(r0)             ; a PSW area running off the end
        spsw -2(r0)
        ; --- a user task probes the same way, run directly
        li r1, utask_end - utask
        li r2, utask
        li r3, UBASE
ucopy:
        ld r4, 0(r2)
        stp r4, 0(r3)
        addi r2, r2, 1
        addi r3, r3, 1
        addi r1, r1, -1
        bne r1, r0, ucopy
        lpsw upsw(r0)
done:
        ld r1, faults(r0)
        call print_dec
        li r1, ' '
        call putc
        ld r1, infosum(r0)
        call print_hex
        call newline
        halt

; Every fault: count it, add its info, skip the faulting instruction.
handler:
        st r1, save1(r0)
        st r2, save2(r0)
        ld r1, CAUSE(r0)
        li r2, SVC
        beq r1, r2, from_user_done
        ld r1, faults(r0)
        addi r1, r1, 1
        st r1, faults(r0)
        ld r1, infosum(r0)
        ld r2, INFO(r0)
        xor r1, r1, r2
        ld r2, CAUSE(r0)
        shl r2, r2, r2
        add r1, r1, r2
        st r1, infosum(r0)
        ld r1, OLD_PSW+1(r0)
        addi r1, r1, 1
        st r1, OLD_PSW+1(r0)
        ld r1, save1(r0)
        ld r2, save2(r0)
        lpsw OLD_PSW(r0)
from_user_done:
        jmp done

        .include "../../examples/guests/lib/print.s"

own:     .space 5
kbound:  .word 0
faults:  .word 0
infosum: .word 0
save1:   .word 0
save2:   .word 0
upsw:    .word USER, 0, UBASE, UBOUND, 0
probes:  .word 0x10000, 0x10001, 0x12000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe
         .word 0xffffe000, 0xffffe001, 0xffffffff - 8192 + 100, 0xfffff000, 0x1000000, 0
stack:   .space 32
stack_top:

; The user task (copied to UBASE with stp): probes beyond its bound, then svc.
utask:
        li r5, MARK
        li r3, UBOUND
        ld r2, 0(r3)            ; its bound
        st r5, 0(r3)
        ld r2, -1(r0)           ; wraps
        st r5, -1(r0)
        li r3, -4096
        ld r2, 0(r3)            ; the kernel's words, seen from the task: a huge address
        st r5, 0(r3)
        svc 0
utask_end:
