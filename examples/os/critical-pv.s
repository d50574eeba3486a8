; critical-pv.s -- examples/os/critical.s for the paravirtualizing monitor
; (--vmm pv; docs/hypercalls.md): the same 1,000 critical sections, entered
; with HC_SET_IE 0 and left with HC_SET_IE 1 -- where critical.s loads a
; whole PSW with lpsw, the paravirtualized kernel asks the monitor for just
; the interrupt-enable bit (Xen's guests likewise clear a flag in a page
; shared with Xen instead of executing cli).  Same output.
;
; Run it:   pgsim run --vmm pv --depth 1 examples/os/critical-pv.s
        .include "../../vmm/monitors/pv-abi.s"
        .org RESET
start:
        li r3, 1000             ; r3 = sections left
loop:
        li r1, 0
        svc HC_SET_IE           ; "cli"
        ld r1, counter(r0)      ; the critical section: counter += 1
        addi r1, r1, 1
        st r1, counter(r0)
        li r1, 1
        svc HC_SET_IE           ; "sti"
        addi r3, r3, -1
        bne r3, r0, loop
        ld r1, counter(r0)      ; report (ie is 1, but no timer is set)
        li r6, stack_top
        call print_dec
        call newline
        call flush
        svc HC_HALT

        .include "lib/pvconsole.s"

counter:   .word 0
           .space 16
stack_top:
