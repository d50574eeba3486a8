; compute.s -- a compute-bound workload for `pgsim compare`: one user task
; runs a loop of innocuous instructions (an xorshift generator summed 20,000
; times) and makes a single system call at the end to print the sum.
;
; Run it:   pgsim run examples/os/compute.s
;           pgsim compare              (the table of every monitor)
;
; Nearly every instruction is innocuous and runs in user mode: under
; trap-and-emulate it runs directly at full speed, and the monitors' costs
; differ only by how they treat the few kernel instructions.
        .include "lib/onetask.s"
        .include "task/compute.s"
