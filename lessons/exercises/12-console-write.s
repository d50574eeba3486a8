; Lesson 12's exercise: write the HC_CONSOLE_WRITE hypercall handler of the
; paravirtualizing monitor.
;
; This file is a whole monitor: vmm/monitors/pv.s with one routine missing.
; Everything before it comes from lessons/programs/12-pv-before.s, everything
; after it from lessons/programs/12-pv-after.s (read them: they are pv.s).
; Write `hc_console_write` below, then press Check (or `pgsim lesson run 12`).
;
; What the routine must do (docs/hypercalls.md, the hypercall table):
;   HC_CONSOLE_WRITE  r1 = a, r2 = n: write the n words at the guest's virtual
;   addresses a .. a+n-1 to the console (each word's low 8 bits, as `out`
;   does) and return 0 in r1; if any of those words lies outside the guest's
;   R, write nothing and return -EFAULT.
;
; What you get on entry (see THE HYPERCALL ROUTINES in pv.s):
;   r4 = the guest's r1 (a),  r5 = the guest's r2 (n),  r6 = the guest's r3,
;   r7 = your return address.  Return with `ret`, the result in r1.
; What you can use:
;   area      call it with r6 = a, r5 = n: it returns r1 = 0 and r6 = OUR
;             address of a (the guest's words as this monitor sees them), or
;             r1 = -EFAULT.  It uses r7 for its own return: save yours first
;             (st r7, hc_link(r0)) and return through `hc_return`, which
;             reloads it.
;   on_bare   1 if this monitor runs on the real machine: then the console is
;             ours and `out` works.  0 under a PV monitor (nested): then `out`
;             would trap; pass the whole buffer on with a hypercall of our own
;             (svc HC_CONSOLE_WRITE, r1 = our address, r2 = n).
        .include "../programs/12-pv-before.s"

hc_console_write:
        li      r1, -ENOSYS             ; replace these two lines by your routine
        ret

        .include "../programs/12-pv-after.s"
