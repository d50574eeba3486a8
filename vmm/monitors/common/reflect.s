; ============================================================================
; common/reflect.s -- delivering a trap to the guest, shared by pgvmm.s and
; hybrid.s.  It needs the control block, VMM_SIZE, and `resume` right after
; the .include (reflect falls through to it).
; ============================================================================

; ----------------------------------------------------------------------------
; reflect -- deliver the trap (r1 cause, r2 info, r3 pc) to the guest, doing
; to its virtual machine what its hardware would do: store the old virtual
; PSW, cause and info in the guest's low storage, load its new virtual PSW.
; The guest's real address g is our address VMM_SIZE + g.
; ----------------------------------------------------------------------------
reflect:
        ld      r4, vm_mode(r0)         ; old PSW = the virtual PSW ...
        st      r4, VMM_SIZE+OLD_PSW+0(r0)
        st      r3, VMM_SIZE+OLD_PSW+1(r0)      ; ... with the trap's pc
        ld      r4, vm_base(r0)
        st      r4, VMM_SIZE+OLD_PSW+2(r0)
        ld      r4, vm_bound(r0)
        st      r4, VMM_SIZE+OLD_PSW+3(r0)
        ld      r4, vm_ie(r0)
        st      r4, VMM_SIZE+OLD_PSW+4(r0)
        st      r1, VMM_SIZE+CAUSE(r0)
        st      r2, VMM_SIZE+INFO(r0)

reflect_new:                            ; (pgvmm.s's fast paths join here)
        ld      r4, VMM_SIZE+NEW_PSW+0(r0)      ; virtual PSW = new PSW
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
        ; fall through to resume
