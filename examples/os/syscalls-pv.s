; syscalls-pv.s -- examples/os/syscalls.s for the paravirtualizing monitor: the same
; user task (task/syscalls.s) on the paravirtualized one-task kernel
; (lib/onetask-pv.s).  `pgsim compare` runs it for --vmm pv in place of syscalls.s.
;
; Run it:   pgsim run --vmm pv --depth 1 examples/os/syscalls-pv.s
        .include "lib/onetask-pv.s"
        .include "task/syscalls.s"
