; critical.s -- a kernel that executes many privileged instructions: 1,000
; critical sections, each entered by switching interrupts off and left by
; switching them on again -- the pattern of `cli` ... `sti` that Adams &
; Agesen (ASPLOS 2006) measured on a Pentium 4.  A workload of `pgsim compare`.
;
; Run it:   pgsim run examples/os/critical.s
;
; PG-1 has no cli/sti: the only way to change ie is to load a whole PSW with
; lpsw.  So "cli" is `lpsw psw_off` (the same PSW with ie = 0 and pc = the
; next instruction) and "sti" is `lpsw psw_on`.  Both are privileged: under
; trap-and-emulate every one of them is a trap and an emulation, while the
; work inside the section (three innocuous instructions) runs directly.
        .org RESET
start:
        spsw psw_off(r0)        ; copy the current PSW twice: same mode, base,
        spsw psw_on(r0)         ; bound (the machine's size, whatever it is)
        li r1, after_cli
        st r1, psw_off+1(r0)    ; psw_off: pc = after_cli, ie = 0
        st r0, psw_off+4(r0)
        li r1, after_sti
        st r1, psw_on+1(r0)     ; psw_on:  pc = after_sti, ie = 1
        li r1, 1
        st r1, psw_on+4(r0)
        li r3, 1000             ; r3 = sections left
loop:
        lpsw psw_off(r0)        ; "cli"
after_cli:
        ld r1, counter(r0)      ; the critical section: counter += 1
        addi r1, r1, 1
        st r1, counter(r0)
        lpsw psw_on(r0)         ; "sti"
after_sti:
        addi r3, r3, -1
        bne r3, r0, loop
        ld r1, counter(r0)      ; report (ie is 1, but no timer is set)
        li r6, stack_top
        call print_dec
        call newline
        halt

        .include "../guests/lib/print.s"

psw_off:   .space 5
psw_on:    .space 5
counter:   .word 0
           .space 16
stack_top:
