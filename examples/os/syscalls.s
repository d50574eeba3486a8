; syscalls.s -- a system-call-heavy workload for `pgsim compare`: one user
; task makes 2,000 system calls that do almost nothing (svc 2, "count"),
; then prints how many the kernel counted.
;
; Run it:   pgsim run examples/os/syscalls.s
;
; Each svc is a trap into the kernel and an lpsw back: on the bare machine
; two events; under trap-and-emulate the svc is reflected to the guest
; kernel and its lpsw emulated -- the cost of a system call is what a
; monitor adds to every user/kernel crossing.
        .include "lib/onetask.s"
        .include "task/syscalls.s"
