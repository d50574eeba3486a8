; ============================================================================
; bt/callouts.s -- the call-outs of the binary-translating monitor: where
; translated code comes back into the monitor.  A CCF calls `callout` at
; every exit (the guest leaves the TU), at every instruction it could not
; translate into inline code (lpsw, spsw, ldp, stp, svc, a store through a
; register, ...) and when an inline store check finds translated code at the
; address written; the emulation routines here carry that instruction out on
; the guest's virtual state -- P&G's interpreter routines, reached by a jump
; from the CCF instead of by a trap.  Their checks of guest addresses and of
; stores into translated code (smc_test, invalidate_next) are here too.
; (vmm/monitors/bt.s includes it; the call-out sites the translator emits are
; described in its header.  It goes on through run (bt/dispatcher.s),
; reflect (bt/reflect.s) and flush (bt/flush.s).)
; ============================================================================

; ----------------------------------------------------------------------------
; callout -- entered from a CCF: r7 = the address of the site's kind word,
; the guest's r7 in vm_regs+7, its r1..r6 live.
; ----------------------------------------------------------------------------
callout:
        st      r1, vm_regs+1(r0)
        st      r2, vm_regs+2(r0)
        st      r3, vm_regs+3(r0)
        st      r4, vm_regs+4(r0)
        st      r5, vm_regs+5(r0)
        st      r6, vm_regs+6(r0)
        st      r7, co_site(r0)
        ld      r1, 0(r7)               ; kind
        ld      r2, 1(r7)               ; the guest instruction (an exit: its target)
        ld      r3, 2(r7)               ; its guest pc
        bne     r1, r0, co_insn
        ; K_EXIT: the guest goes to r2.  Remember the site, to chain it.
        st      r2, vm_pc(r0)
        addi    r7, r7, -2
        st      r7, chain_site(r0)
        ld      r1, bt_exits(r0)
        addi    r1, r1, 1
        st      r1, bt_exits(r0)
        jmp     run
co_insn:
        ld      r4, bt_callouts(r0)
        addi    r4, r4, 1
        st      r4, bt_callouts(r0)
        li      r4, K_SMC
        beq     r1, r4, co_smc
        ; K_INSN: emulate the guest instruction r2 at pc r3 (pgvmm.s's decoding)
        li      r1, 24
        shr     r4, r2, r1              ; r4 = op
        ld      r1, MASKS(r4)
        and     r1, r2, r1
        bne     r1, r0, e_ill           ; not an instruction of this ISA
        li      r1, 20
        shr     r5, r2, r1
        andi    r5, r5, 7               ; r5 = rd index
        li      r1, 16
        shr     r6, r2, r1
        andi    r6, r6, 7
        ld      r6, vm_regs(r6)         ; r6 = the guest's rs
        shl     r7, r2, r1
        sra     r7, r7, r1              ; r7 = imm
        li      r1, OP_LD
        beq     r4, r1, e_ld
        li      r1, OP_ST
        beq     r4, r1, e_st
        li      r1, OP_JAL
        beq     r4, r1, e_jal
        li      r1, OP_SVC
        beq     r4, r1, e_svc
        li      r1, OP_LPSW
        beq     r4, r1, e_lpsw
        li      r1, OP_SPSW
        beq     r4, r1, e_spsw
        li      r1, OP_LDP
        beq     r4, r1, e_ldp
        li      r1, OP_STP
        beq     r4, r1, e_stp
        li      r1, OP_HALT
        beq     r4, r1, e_halt
        li      r1, OP_DIV
        beq     r4, r1, e_arith
        li      r1, OP_REM
        beq     r4, r1, e_arith
        jmp     e_variant

; co_return -- the emulated instruction is done: back into the CCF.
co_return:
        ld      r1, vm_regs+1(r0)
        ld      r2, vm_regs+2(r0)
        ld      r3, vm_regs+3(r0)
        ld      r4, vm_regs+4(r0)
        ld      r5, vm_regs+5(r0)
        ld      r6, vm_regs+6(r0)
        ld      r7, co_site(r0)
        jal     r0, 3(r7)               ; to the site's `ld r7, vm_regs+7(r0)`

; co_smc -- an inline store check found translated code at the address just
; written.  Its scratch register t (r1, or r2 when the store's rd is r1) is
; in `spill`.
co_smc:
        li      r1, 20
        shr     r5, r2, r1
        andi    r5, r5, 7
        li      r4, 1
        bne     r5, r4, co_smc_t
        li      r4, 2
co_smc_t:
        ld      r1, spill(r0)
        st      r1, vm_regs(r4)
        jmp     invalidate_next

; invalidate_next -- the guest's instruction at r3 wrote translated code.
; Drop the TC and go on after the instruction, through the translator.
invalidate_next:
        ld      r1, bt_invalidations(r0)
        addi    r1, r1, 1
        st      r1, bt_invalidations(r0)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        call    flush
        jmp     run

; ----------------------------------------------------------------------------
; THE EMULATION ROUTINES (call-outs).  r3 = pc, r5 = rd index, r6 = the
; guest's rs, r7 = imm; as pgvmm.s's interpreter routines, with the guest's
; R taken from tc_gb / tc_cbound (there was no trap to leave it in OLD_PSW).
; ----------------------------------------------------------------------------

; ld rd, imm(rs) through a register
e_ld:
        add     r6, r6, r7
        call    g_addr
        ld      r1, 0(r6)
        beq     r5, r0, co_return
        st      r1, vm_regs(r5)
        jmp     co_return

; st rd, imm(rs) through a register, then the invalidation check
e_st:
        add     r6, r6, r7
        call    g_addr
        ld      r1, vm_regs(r5)
        st      r1, 0(r6)
        addi    r1, r6, -VMM_SIZE       ; the guest real address written
        call    smc_test
        bne     r1, r0, invalidate_next
        jmp     co_return

; jal rd, imm(rs) through a register (or with a link too big for li)
e_jal:
        add     r6, r6, r7              ; the target, before rd changes
        st      r6, vm_pc(r0)
        beq     r5, r0, run
        addi    r1, r3, 1
        st      r1, vm_regs(r5)
        jmp     run

; svc imm: reflect SVC (info = imm, pc = the next instruction)
e_svc:
        li      r1, SVC
        mov     r2, r7
        addi    r3, r3, 1
        jmp     reflect

; div/rem: the CCF calls out only when the divisor is 0
e_arith:
        li      r1, ARITH
        jmp     reflect

; lpsw imm(rs): the virtual PSW = the 5 words at guest virtual rs + imm
e_lpsw:
        add     r6, r6, r7
        call    psw_area
        ld      r1, 0(r6)
        andi    r1, r1, 1
        st      r1, vm_mode(r0)
        ld      r1, 1(r6)
        st      r1, vm_pc(r0)
        ld      r1, 2(r6)
        st      r1, vm_base(r0)
        ld      r1, 3(r6)
        st      r1, vm_bound(r0)
        ld      r1, 4(r6)
        andi    r1, r1, 1
        st      r1, vm_ie(r0)
        jmp     run

; spsw imm(rs): the 5 words at guest virtual rs + imm = the virtual PSW
e_spsw:
        add     r6, r6, r7
        call    psw_area
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
        addi    r6, r6, -VMM_SIZE       ; did it write translated code?
        li      r5, 5
e_spsw_smc:
        mov     r1, r6
        call    smc_test
        bne     r1, r0, invalidate_next
        addi    r6, r6, 1
        addi    r5, r5, -1
        bne     r5, r0, e_spsw_smc
        jmp     co_return

; ldp rd, imm(rs): the guest machine's real word x
e_ldp:
        add     r6, r6, r7
        ld      r1, gsize(r0)
        sltu    r1, r6, r1
        beq     r1, r0, mem_fault
        ld      r1, VMM_SIZE(r6)
        beq     r5, r0, co_return
        st      r1, vm_regs(r5)
        jmp     co_return

; stp rd, imm(rs): the guest machine's real word x = rd
e_stp:
        add     r6, r6, r7
        ld      r1, gsize(r0)
        sltu    r1, r6, r1
        beq     r1, r0, mem_fault
        ld      r1, vm_regs(r5)
        st      r1, VMM_SIZE(r6)
        mov     r1, r6
        call    smc_test
        bne     r1, r0, invalidate_next
        jmp     co_return

; halt: record the final virtual pc, stop
e_halt:
        addi    r1, r3, 1
        st      r1, vm_pc(r0)
        halt

; An instruction this ISA does not have (or a malformed word): ILLEGAL
e_ill:
        li      r1, ILLEGAL
        jmp     reflect

; The ISA variants' extra instructions, when the ISA has them (.ifdef: this
; one source assembles on PG-1 and on every variant).
e_variant:
.ifdef OP_SETIE
        li      r1, OP_SETIE
        beq     r4, r1, e_setie
.endif
.ifdef OP_JRU
        li      r1, OP_JRU
        beq     r4, r1, e_jru
.endif
        jmp     e_ill

.ifdef OP_SETIE
; setie rs (pg1-setie): in virtual supervisor mode, vcpu.ie := rs & 1 -- the
; lecture notes' "cli replaced by vcpu.flags.IF := 0".  When that enables
; interrupts, go back through the dispatcher (its window for a pending tick).
e_setie:
        andi    r6, r6, 1
        st      r6, vm_ie(r0)
        beq     r6, r0, co_return
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     run
.endif

.ifdef OP_JRU
; jru imm(rs) (pg1-jru): P = rs + imm, and the virtual mode becomes USER (the
; PDP-10's JRST 1): it ends the TU; the dispatcher then runs user code directly.
e_jru:
        add     r6, r6, r7
        st      r6, vm_pc(r0)
        li      r1, USER
        st      r1, vm_mode(r0)
        jmp     run
.endif



; g_addr -- r6 = a guest virtual address; returns r6 = our address of it, or
; faults MEMORY (no return).  Uses r1.
g_addr:
        ld      r1, tc_cbound(r0)
        sltu    r1, r6, r1
        beq     r1, r0, mem_fault
        ld      r1, tc_gb(r0)
        add     r6, r6, r1
        ret

; psw_area -- pgvmm.s's check of a, a+1, .., a+4 (r6 = a), with the kernel's
; composed R from tc_gb / tc_cbound.  Returns r6 = our address of a, or
; faults MEMORY at the first invalid address.  Uses r1, r4, r5.
psw_area:
        ld      r1, tc_cbound(r0)
        sltu    r4, r6, r1
        beq     r4, r0, psw_area_find
        sub     r4, r1, r6
        li      r5, 5
        sltu    r4, r4, r5
        bne     r4, r0, psw_area_find
        ld      r1, tc_gb(r0)
        add     r6, r6, r1
        ret
psw_area_find:
        li      r5, 5
psw_area_loop:
        sltu    r4, r6, r1
        beq     r4, r0, mem_fault
        addi    r6, r6, 1
        addi    r5, r5, -1
        bne     r5, r0, psw_area_loop

; mem_fault -- the guest's instruction at r3 faults MEMORY at address r6
mem_fault:
        mov     r2, r6
        li      r1, MEMORY
        jmp     reflect

; smc_test -- r1 = a guest real address; returns r1 != 0 when some CCF was
; translated from that word.  Uses r2, r4.
smc_test:
        li      r2, CODE_LIMIT
        sltu    r2, r1, r2
        beq     r2, r0, smc_no
        andi    r4, r1, 15
        li      r2, 4
        shr     r1, r1, r2
        ld      r1, BITMAP(r1)
        shr     r1, r1, r4
        andi    r1, r1, 1
        ret
smc_no:
        mov     r1, r0
        ret
