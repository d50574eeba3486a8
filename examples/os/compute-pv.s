; compute-pv.s -- examples/os/compute.s for the paravirtualizing monitor: the same
; user task (task/compute.s) on the paravirtualized one-task kernel
; (lib/onetask-pv.s).  `pgsim compare` runs it for --vmm pv in place of compute.s.
;
; Run it:   pgsim run --vmm pv --depth 1 examples/os/compute-pv.s
        .include "lib/onetask-pv.s"
        .include "task/compute.s"
