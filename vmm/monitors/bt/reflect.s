; ============================================================================
; bt/reflect.s -- delivering a trap to the guest, for the binary-translating
; monitor (vmm/monitors/bt.s includes it).  pgvmm.s's and hybrid.s's reflect
; (common/reflect.s) does the same to the guest's virtual machine; this one
; also flushes the translation cache when the words it writes hold translated
; code, and goes on through the dispatcher (run, bt/dispatcher.s).
; ============================================================================

; ----------------------------------------------------------------------------
; reflect -- pgvmm.s's: deliver the trap (r1 cause, r2 info, r3 pc) to the
; guest.  Writing its low storage may write translated code (a guest can put
; code anywhere): then the TC goes.  Then the dispatcher.
; ----------------------------------------------------------------------------
reflect:
        ld      r4, vm_mode(r0)
        st      r4, VMM_SIZE+OLD_PSW+0(r0)
        st      r3, VMM_SIZE+OLD_PSW+1(r0)
        ld      r4, vm_base(r0)
        st      r4, VMM_SIZE+OLD_PSW+2(r0)
        ld      r4, vm_bound(r0)
        st      r4, VMM_SIZE+OLD_PSW+3(r0)
        ld      r4, vm_ie(r0)
        st      r4, VMM_SIZE+OLD_PSW+4(r0)
        st      r1, VMM_SIZE+CAUSE(r0)
        st      r2, VMM_SIZE+INFO(r0)

        ld      r4, VMM_SIZE+NEW_PSW+0(r0)
        andi    r4, r4, 1
        st      r4, vm_mode(r0)
        ld      r4, VMM_SIZE+NEW_PSW+1(r0)
        st      r4, vm_pc(r0)
        ld      r4, VMM_SIZE+NEW_PSW+2(r0)
        st      r4, vm_base(r0)
        ld      r4, VMM_SIZE+NEW_PSW+3(r0)
        st      r4, vm_bound(r0)
        ld      r4, VMM_SIZE+NEW_PSW+4(r0)
        andi    r4, r4, 1
        st      r4, vm_ie(r0)

        ld      r4, code_lo(r0)         ; translated code among words 0..6?
        li      r5, CAUSE+2
        sltu    r4, r4, r5
        beq     r4, r0, run
        call    flush
        ld      r1, bt_invalidations(r0)
        addi    r1, r1, 1
        st      r1, bt_invalidations(r0)
        jmp     run
