; Lesson 9, the solution: the reference VMM itself, whose interpreter routine
; for stimer is (in vmm/monitors/common/privileged.s, which pgvmm.s includes):
;
;   emu_stimer:
;           stimer  r6              ; our machine's timer IS the guest's timer
;           jmp     advance         ; the guest goes on after its stimer
;
        .include "../../vmm/monitors/pgvmm.s"
