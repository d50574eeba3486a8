; ============================================================================
; common/privileged.s -- the interpreter routines for PG-1's privileged
; instructions, shared by two monitors:
;
;   pgvmm.s   (trap-and-emulate) reaches them from its dispatcher, when the
;             guest, run directly in real user mode, trapped PRIV on one of
;             them in its virtual supervisor mode;
;   hybrid.s  (P&G's Theorem 3) reaches them from its interpreter, which
;             executes every instruction of the guest's virtual supervisor
;             mode in software, privileged ones included.
;
; Either way the work is the same: carry the instruction out on the guest's
; VIRTUAL state.  The including monitor provides what they use:
;   the control block  vm_mode, vm_pc, vm_base, vm_bound, vm_ie, vm_regs, gsize;
;   CUR_R              the address of two words: the composed base and bound
;                      of the R the guest runs with (see psw_area);
;   advance            the instruction is done: the guest goes on after it;
;   resume             go on with the guest as its virtual PSW now says;
;   reflect            deliver the trap r1 (cause), r2 (info), r3 (pc).
; and VMM_SIZE, the words of our machine below the guest's.
; ============================================================================

; ----------------------------------------------------------------------------
; THE INTERPRETER ROUTINES.  On entry r3 = pc of the instruction, r5 = rd
; index, r6 = guest's rs value, r7 = imm.  Each updates the virtual state and
; goes to `advance` (vm_pc = pc + 1, then resume), except lpsw, which loads a
; whole new virtual PSW, and halt.  A fault goes to `mem_fault` with the
; failing address in r6, to be reflected as the guest's machine would raise it.
; ----------------------------------------------------------------------------

; lpsw imm(rs): virtual PSW = the 5 words at guest virtual rs + imm
emu_lpsw:
        add     r6, r6, r7              ; a = rs + imm (mod 2^32)
        call    psw_area                ; r6 = our address of a..a+4
        ld      r1, 0(r6)
        andi    r1, r1, 1               ; only the low bit of mode counts
        st      r1, vm_mode(r0)
        ld      r1, 1(r6)
        st      r1, vm_pc(r0)
        ld      r1, 2(r6)
        st      r1, vm_base(r0)
        ld      r1, 3(r6)
        st      r1, vm_bound(r0)
        ld      r1, 4(r6)
        andi    r1, r1, 1               ; only the low bit of ie counts
        st      r1, vm_ie(r0)
        jmp     resume                  ; pc comes from the new PSW

; out rs: the console is shared; perform the guest's out ourselves.
emu_out:
        out     r6
        jmp     advance

; spsw imm(rs): the 5 words at guest virtual rs + imm = the virtual PSW,
; with pc = P + 1.  The guest sees its own virtual R, never the composed one.
emu_spsw:
        add     r6, r6, r7              ; a = rs + imm (mod 2^32)
        call    psw_area                ; r6 = our address of a..a+4
        ld      r1, vm_mode(r0)
        st      r1, 0(r6)
        addi    r1, r3, 1
        st      r1, 1(r6)
        ld      r1, vm_base(r0)
        st      r1, 2(r6)
        ld      r1, vm_bound(r0)
        st      r1, 3(r6)
        ld      r1, vm_ie(r0)
        st      r1, 4(r6)
        jmp     advance

; stimer rs: our machine's timer IS the guest's virtual timer.  It counts
; while the guest runs (and, a little, while we run for it); when it falls due
; our machine holds the interrupt pending -- we run with ie 0 -- until resume
; loads the guest's ie = 1; then it arrives as a TIMER trap, which we reflect.
; stimer 0 also clears a pending interrupt, for the guest as on bare metal.
; (A monitor that may have taken the interrupt already and holds it in a flag
; of its own -- hybrid.s's tick_due -- defines TICK_FLAG: stimer clears that
; flag too, as it clears the hardware's pending interrupt.)
emu_stimer:
        stimer  r6
.ifdef TICK_FLAG
        st      r0, tick_due(r0)
.endif
        jmp     advance

; in rd: read the console for the guest (even for rd = r0: the word is used up)
emu_in:
        in      r1
        beq     r5, r0, advance         ; writes to r0 are ignored
        st      r1, vm_regs(r5)
        jmp     advance

; getm rd: rd = the virtual mode (supervisor, or we would not be here)
emu_getm:
        beq     r5, r0, advance
        ld      r1, vm_mode(r0)
        st      r1, vm_regs(r5)
        jmp     advance

; ldp rd, imm(rs): rd = the guest machine's real word x = rs + imm.  The guest's
; real address x is our address VMM_SIZE + x, if x is inside its machine.
emu_ldp:
        add     r6, r6, r7              ; x = rs + imm (mod 2^32)
        ld      r1, gsize(r0)
        sltu    r1, r6, r1
        beq     r1, r0, mem_fault       ; x >= gsize (unsigned): MEMORY, info x
        ld      r1, VMM_SIZE(r6)
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        jmp     advance

; stp rd, imm(rs): the guest machine's real word x = rs + imm = rd
emu_stp:
        add     r6, r6, r7              ; x = rs + imm (mod 2^32)
        ld      r1, gsize(r0)
        sltu    r1, r6, r1
        beq     r1, r0, mem_fault       ; x >= gsize (unsigned): MEMORY, info x
        ld      r1, vm_regs(r5)         ; the guest's rd (r0 reads 0)
        st      r1, VMM_SIZE(r6)
        jmp     advance

; halt: the guest stops, so the machine stops.  Record the final virtual pc
; first, so that the control block shows the state the guest stopped in.
emu_halt:
        addi    r1, r3, 1
        st      r1, vm_pc(r0)
        halt

; psw_area -- subroutine of emu_lpsw and emu_spsw (called with r7 = link).
; In: r6 = a, a guest virtual address.  The five addresses a, a+1, .., a+4
; (mod 2^32) must all be valid in the guest's R, checked before any word is
; read or written, as the hardware does.  The composed R the guest runs with
; -- CUR_R (its base) and CUR_R+1 (its bound), which the including monitor
; defines: pgvmm.s reads it in the real PSW the guest trapped from (OLD_PSW+2),
; hybrid.s in the PSW its resume composed (rpsw+2) -- says exactly which guest
; virtual addresses are valid (those below the composed bound) and where they
; are in our machine (at the composed base).
; Out: r6 = VMM_SIZE + vm_base + a, our address of the area.  Or, if some
; address is invalid, no return: reflect MEMORY with info = the first one.
; Uses r1, r4, r5.
psw_area:
        ld      r1, CUR_R+1(r0)         ; r1 = cb, the composed bound
        sltu    r4, r6, r1
        beq     r4, r0, psw_area_find   ; a >= cb
        sub     r4, r1, r6              ; cb - a = how many words from a on
        li      r5, 5                   ;   are valid
        sltu    r4, r4, r5
        bne     r4, r0, psw_area_find   ; fewer than 5
        ld      r1, CUR_R(r0)           ; all five valid (and a+4 cannot wrap,
        add     r6, r6, r1              ; since a + 4 < cb <= gsize)
        ret
psw_area_find:                          ; find the first invalid address
        li      r5, 5
psw_area_loop:
        sltu    r4, r6, r1
        beq     r4, r0, mem_fault       ; r6 is invalid
        addi    r6, r6, 1
        addi    r5, r5, -1
        bne     r5, r0, psw_area_loop
        ; (not reached: the test above found an invalid address among five)

; mem_fault -- the guest's instruction at r3 faults MEMORY at address r6
mem_fault:
        mov     r2, r6                  ; info = the failing address
        li      r1, MEMORY
        jmp     reflect
