; vmm/monitors/bt/translator.s -- the translator of the binary-translating monitor
; (vmm/monitors/bt.s includes it; the TC layout and the CLASS/MASKS tables are
; there, and the runtime it emits calls into is bt/callouts.s).
;
; ----------------------------------------------------------------------------
; translate -- THE TRANSLATOR.  In: r4 = the guest pc of a new TU (valid in
; the kernel's R).  Out: r7 = its CCF.  Emits into the TC at tc_ptr.
; Registers while translating: r2 the guest word, r3 its pc, r4 its opcode,
; r6 the emit pointer; r1, r5, r7 scratch.
; ----------------------------------------------------------------------------
translate:
        st      r7, tr_link(r0)
        ld      r1, tc_ptr(r0)          ; room for one more TU?
        li      r2, TC_END-CCF_ROOM
        sltu    r1, r2, r1
        bne     r1, r0, tr_full
        ld      r1, tu_count(r0)
        li      r2, NTU
        bne     r1, r2, tr_room
tr_full:
        call    flush
        ld      r1, bt_flushes(r0)
        addi    r1, r1, 1
        st      r1, bt_flushes(r0)
tr_room:
        mov     r3, r4
        ld      r6, tc_ptr(r0)
        st      r6, tr_ccf(r0)
        st      r4, tr_pc(r0)
        st      r0, tr_n(r0)
        li      r1, 1
        st      r1, tr_cache(r0)
        ld      r1, c_ld_r7(r0)         ; the CCF's prologue: ld r7, vm_regs+7(r0)
        st      r1, 0(r6)
        addi    r6, r6, 1

tr_next:                                ; translate the guest instruction at r3
        ld      r1, tc_cbound(r0)
        sltu    r1, r3, r1
        beq     r1, r0, tr_exit_here    ; outside R: the fetch will fault
        ld      r1, tc_gb(r0)
        addi    r1, r1, -VMM_SIZE
        add     r1, r1, r3              ; r1 = its guest real address
        li      r2, CODE_LIMIT
        sltu    r2, r1, r2
        bne     r2, r0, tr_mark
        st      r0, tr_cache(r0)        ; no bit to watch it by: not kept
        jmp     tr_fetch
tr_mark:                                ; BITMAP bit, code_lo, code_hi
        andi    r4, r1, 15
        li      r2, 1
        shl     r4, r2, r4
        li      r2, 4
        shr     r2, r1, r2
        ld      r5, BITMAP(r2)
        or      r5, r5, r4
        st      r5, BITMAP(r2)
        ld      r2, code_lo(r0)
        sltu    r5, r1, r2
        beq     r5, r0, tr_mark_hi
        st      r1, code_lo(r0)
tr_mark_hi:
        addi    r1, r1, 1
        ld      r2, code_hi(r0)
        sltu    r5, r2, r1
        beq     r5, r0, tr_fetch
        st      r1, code_hi(r0)
tr_fetch:
        ld      r1, tc_gb(r0)
        add     r1, r1, r3
        ld      r2, 0(r1)               ; r2 = the guest's instruction word
        li      r1, 24
        shr     r4, r2, r1              ; r4 = its opcode
        ld      r1, MASKS(r4)
        and     r1, r2, r1
        bne     r1, r0, tr_callend      ; malformed: ILLEGAL, by call-out
        ld      r5, CLASS(r4)
        ld      r1, tr_jump(r5)
        jal     r0, 0(r1)

; IDENT: the word itself
tr_ident:
        st      r2, 0(r6)
        addi    r6, r6, 1
        ld      r1, bt_ident(r0)
        addi    r1, r1, 1
        st      r1, bt_ident(r0)
        jmp     tr_cont

; div/rem: bne rt, r0, +6 / call-out (reflects ARITH) / the word itself
tr_div:
        li      r1, 12
        shr     r5, r2, r1
        andi    r5, r5, 7
        li      r1, 20
        shl     r5, r5, r1
        ld      r1, c_bne6(r0)
        or      r5, r5, r1
        st      r5, 0(r6)
        addi    r6, r6, 1
        li      r1, K_INSN
        call    emit_co
        st      r2, 0(r6)
        addi    r6, r6, 1
        jmp     tr_nonident

; out, in, stimer: the monitor would do exactly this on the guest's behalf
; (pgvmm.s's emu_out does `out r6`), so the CCF does it inline
tr_self:
        st      r2, 0(r6)
        addi    r6, r6, 1
        jmp     tr_nonident

; getm rd: the guest's kernel is in virtual supervisor mode whenever a CCF
; runs, so "rd := vcpu.mode" is li rd, SUPERVISOR.
tr_getm:
        li      r1, 20
        shr     r5, r2, r1
        andi    r5, r5, 7
        beq     r5, r0, tr_nonident     ; getm r0: nothing at all
        shl     r5, r5, r1
        ld      r1, c_addi0(r0)
        or      r5, r5, r1
        ori     r5, r5, SUPERVISOR
        st      r5, 0(r6)
        addi    r6, r6, 1
        jmp     tr_nonident

; A call-out that continues in the CCF (spsw, ldp, stp, setie)
tr_call:
        li      r1, K_INSN
        call    emit_co
        jmp     tr_nonident

; A call-out that ends the TU (svc, lpsw, halt, jru, ILLEGAL, jal via rs)
tr_callend:
        li      r1, K_INSN
        call    emit_co
        jmp     tr_end_nonident

; ld/st: at a constant address, checked now; a load through a register,
; checked inline (tr_ld_reg); a store through a register, a call-out
tr_ld:
tr_st:
        li      r1, 16
        shr     r5, r2, r1
        andi    r5, r5, 7
        bne     r5, r0, tr_mem_reg      ; through a register
        shl     r7, r2, r1
        sra     r7, r7, r1              ; r7 = a = imm
        ld      r1, tc_cbound(r0)
        sltu    r1, r7, r1
        beq     r1, r0, tr_call         ; a >= cbound: the call-out faults
        ld      r1, tc_gb(r0)
        add     r7, r7, r1              ; our address of a
        li      r1, IMM_LIMIT-1
        sltu    r1, r1, r7
        bne     r1, r0, tr_mem_reg      ; too far for an immediate
        ld      r1, c_hi16(r0)
        and     r1, r2, r1
        or      r1, r1, r7              ; ld/st rd, VMM_SIZE+vbase+a(r0)
        st      r1, 0(r6)
        addi    r6, r6, 1
        li      r1, OP_ST
        bne     r4, r1, tr_nonident
        addi    r7, r7, -VMM_SIZE       ; a store: the guest real address x
        li      r1, CODE_LIMIT
        sltu    r1, r7, r1
        beq     r1, r0, tr_nonident     ; beyond the bitmap: never kept anyway
        ; st t, spill(r0) / ld t, BITMAP+x/16(r0) / andi t, t, 1<<(x%16)
        ; beq t, r0, +6 / call-out K_SMC / ld t, spill(r0)
        li      r1, 20
        shr     r5, r2, r1
        andi    r5, r5, 7
        li      r4, 1                   ; t = r1, or r2 if rd is r1
        bne     r5, r4, tr_st_t
        li      r4, 2
tr_st_t:
        shl     r4, r4, r1              ; r4 = t << 20
        ld      r1, c_st_spill(r0)
        or      r1, r1, r4
        st      r1, 0(r6)
        li      r1, 4
        shr     r5, r7, r1
        addi    r5, r5, BITMAP
        ld      r1, c_ld0(r0)
        or      r1, r1, r5
        or      r1, r1, r4
        st      r1, 1(r6)
        andi    r5, r7, 15
        li      r1, 1
        shl     r5, r1, r5
        ld      r1, c_andi0(r0)
        or      r1, r1, r5
        or      r1, r1, r4
        li      r5, 4
        shr     r5, r4, r5              ; t << 16
        or      r1, r1, r5
        st      r1, 2(r6)
        ld      r1, c_beq6(r0)
        or      r1, r1, r4
        st      r1, 3(r6)
        addi    r6, r6, 4
        li      r1, K_SMC
        call    emit_co
        ld      r1, c_ld_spill(r0)
        or      r1, r1, r4
        st      r1, 0(r6)
        addi    r6, r6, 1
        jmp     tr_nonident

tr_mem_reg:
        li      r1, OP_LD
        bne     r4, r1, tr_call         ; a store through a register: call-out
; A load through a register, inline, with scratch registers s and t (the
; first two of r1..r4 that are neither its rd nor its rs), saved in spill and
; spill2:
;   st s, spill(r0) / st t, spill2(r0) / addi s, rs, imm       s = a
;   li t, cbound (or lui/ori) / sltu t, s, t / beq t, r0, +4   a >= cbound?
;   ld rd, VMM_SIZE+vbase(s) / ld t, spill2(r0) / ld s, spill(r0)
;   beq r0, r0, +8                                             done
;   ld t, spill2(r0) / ld s, spill(r0) / call-out              fault: the
;                                       monitor raises MEMORY as the hardware would
tr_ld_reg:
        ld      r1, tc_gb(r0)
        li      r5, IMM_LIMIT-1
        sltu    r5, r5, r1
        bne     r5, r0, tr_call         ; the base does not fit an immediate
        li      r1, 20
        shr     r5, r2, r1
        andi    r5, r5, 7
        st      r5, tr_rd(r0)
        li      r1, 16
        shr     r5, r2, r1
        andi    r5, r5, 7
        st      r5, tr_rs(r0)
        li      r1, 1
        call    pick
        st      r1, tr_s(r0)
        addi    r1, r1, 1
        call    pick
        st      r1, tr_t(r0)
        li      r5, 20
        ld      r1, tr_s(r0)
        shl     r1, r1, r5
        st      r1, tr_s(r0)            ; tr_s = s << 20
        ld      r1, tr_t(r0)
        shl     r1, r1, r5
        st      r1, tr_t(r0)            ; tr_t = t << 20
        ld      r5, tr_s(r0)            ; st s, spill(r0)
        ld      r1, c_st_spill(r0)
        or      r1, r1, r5
        st      r1, 0(r6)
        ld      r5, tr_t(r0)            ; st t, spill2(r0)
        ld      r1, c_st_spill2(r0)
        or      r1, r1, r5
        st      r1, 1(r6)
        andi    r1, r2, 0xffff          ; addi s, rs, imm
        ld      r5, tr_rs(r0)
        li      r7, 16
        shl     r5, r5, r7
        or      r1, r1, r5
        ld      r5, tr_s(r0)
        or      r1, r1, r5
        ld      r5, c_addi0(r0)
        or      r1, r1, r5
        st      r1, 2(r6)
        addi    r6, r6, 3
        ld      r7, tc_cbound(r0)       ; t = cbound
        li      r1, IMM_LIMIT-1
        sltu    r1, r1, r7
        bne     r1, r0, tr_ld_big
        ld      r1, c_addi0(r0)         ; addi t, r0, cbound
        or      r1, r1, r7
        ld      r5, tr_t(r0)
        or      r1, r1, r5
        st      r1, 0(r6)
        addi    r6, r6, 1
        jmp     tr_ld_cmp
tr_ld_big:                              ; lui t, cbound >> 16 / ori t, t, cbound & 0xffff
        li      r1, 16
        shr     r5, r7, r1
        ld      r1, c_lui0(r0)
        or      r1, r1, r5
        ld      r5, tr_t(r0)
        or      r1, r1, r5
        st      r1, 0(r6)
        andi    r7, r7, 0xffff
        ld      r1, c_ori0(r0)
        or      r1, r1, r7
        or      r1, r1, r5
        li      r7, 4
        shr     r5, r5, r7              ; t << 16
        or      r1, r1, r5
        st      r1, 1(r6)
        addi    r6, r6, 2
tr_ld_cmp:
        ld      r5, tr_t(r0)            ; sltu t, s, t
        ld      r1, c_sltu0(r0)
        or      r1, r1, r5
        li      r7, 8
        shr     r7, r5, r7              ; t << 12
        or      r1, r1, r7
        ld      r7, tr_s(r0)
        li      r5, 4
        shr     r7, r7, r5              ; s << 16
        or      r1, r1, r7
        st      r1, 0(r6)
        ld      r5, tr_t(r0)            ; beq t, r0, +4
        ld      r1, c_beq0(r0)
        or      r1, r1, r5
        ori     r1, r1, 4
        st      r1, 1(r6)
        ld      r1, c_ld0(r0)           ; ld rd, VMM_SIZE+vbase(s)
        ld      r5, tr_rd(r0)
        li      r7, 20
        shl     r5, r5, r7
        or      r1, r1, r5
        ld      r5, tr_s(r0)
        li      r7, 4
        shr     r5, r5, r7
        or      r1, r1, r5
        ld      r5, tc_gb(r0)
        or      r1, r1, r5
        st      r1, 2(r6)
        ld      r5, tr_t(r0)            ; ld t, spill2(r0) / ld s, spill(r0)
        ld      r1, c_ld_spill2(r0)
        or      r1, r1, r5
        st      r1, 3(r6)
        st      r1, 6(r6)
        ld      r5, tr_s(r0)
        ld      r1, c_ld_spill(r0)
        or      r1, r1, r5
        st      r1, 4(r6)
        st      r1, 7(r6)
        ld      r1, c_beq0(r0)          ; beq r0, r0, +8
        ori     r1, r1, 8
        st      r1, 5(r6)
        addi    r6, r6, 8
        li      r1, K_INSN              ; the fault path's call-out
        call    emit_co
        jmp     tr_nonident

; pick -- r1 = the first register number >= r1 that is neither tr_rd nor
; tr_rs.  Uses r5.
pick:
        ld      r5, tr_rd(r0)
        beq     r1, r5, pick_next
        ld      r5, tr_rs(r0)
        beq     r1, r5, pick_next
        ret
pick_next:
        addi    r1, r1, 1
        jmp     pick

; Branch: bxx rs, rt, +4 / exit to pc+1 / exit to the target.  Ends the TU.
tr_br:
        ld      r1, c_hi16(r0)
        and     r1, r2, r1
        ori     r1, r1, 4
        st      r1, 0(r6)
        addi    r6, r6, 1
        addi    r1, r3, 1
        call    emit_exit
        li      r1, 16
        shl     r5, r2, r1
        sra     r5, r5, r1
        addi    r1, r3, 1
        add     r1, r1, r5
        call    emit_exit
        jmp     tr_end_nonident

; jal rd, imm(r0): li rd, pc+1 / exit to imm.  Through a register: call-out.
tr_jal:
        li      r1, 16
        shr     r5, r2, r1
        andi    r5, r5, 7
        bne     r5, r0, tr_callend
        li      r1, 20
        shr     r5, r2, r1
        andi    r5, r5, 7
        beq     r5, r0, tr_jal_exit
        addi    r7, r3, 1
        li      r1, IMM_LIMIT-1
        sltu    r1, r1, r7
        bne     r1, r0, tr_callend      ; the link does not fit li
        li      r1, 20
        shl     r5, r5, r1
        ld      r1, c_addi0(r0)
        or      r1, r1, r5
        or      r1, r1, r7
        st      r1, 0(r6)
        addi    r6, r6, 1
tr_jal_exit:
        li      r1, 16
        shl     r5, r2, r1
        sra     r1, r5, r1
        call    emit_exit
        jmp     tr_end_nonident

tr_nonident:
        ld      r1, bt_nonident(r0)
        addi    r1, r1, 1
        st      r1, bt_nonident(r0)
tr_cont:                                ; next instruction, unless 12 are done
        ld      r1, tr_n(r0)
        addi    r1, r1, 1
        st      r1, tr_n(r0)
        addi    r3, r3, 1
        li      r2, MAX_TU
        bne     r1, r2, tr_next
tr_exit_here:                           ; end the TU with an exit to r3
        mov     r1, r3
        call    emit_exit
        jmp     tr_done
tr_end_nonident:
        ld      r1, bt_nonident(r0)
        addi    r1, r1, 1
        st      r1, bt_nonident(r0)
        ld      r1, tr_n(r0)
        addi    r1, r1, 1
        st      r1, tr_n(r0)
tr_done:                                ; record the TU
        st      r6, tc_ptr(r0)
        ld      r1, tr_ccf(r0)
        sub     r5, r6, r1              ; r5 = CCF size
        ld      r1, bt_ccf_words(r0)
        add     r1, r1, r5
        st      r1, bt_ccf_words(r0)
        ld      r1, bt_tus(r0)
        addi    r1, r1, 1
        st      r1, bt_tus(r0)
        ld      r4, tr_n(r0)
        ld      r1, bt_tu_insns(r0)
        add     r1, r1, r4
        st      r1, bt_tu_insns(r0)
        ld      r1, bt_len(r4)
        addi    r1, r1, 1
        st      r1, bt_len(r4)
        ld      r1, tr_cache(r0)
        st      r1, tgt_cached(r0)
        beq     r1, r0, tr_return
        ld      r1, tu_count(r0)        ; into the TU table and the directory
        addi    r1, r1, 1
        st      r1, tu_count(r0)
        li      r2, 2
        shl     r2, r1, r2
        ld      r7, tr_pc(r0)
        st      r7, TU_TABLE+0(r2)
        li      r6, 8
        shl     r5, r5, r6
        or      r5, r5, r4
        st      r5, TU_TABLE+1(r2)
        ld      r5, tr_ccf(r0)
        st      r5, TU_TABLE+2(r2)
        st      r0, TU_TABLE+3(r2)
        andi    r7, r7, 255
        st      r1, DIR(r7)
tr_return:
        ld      r7, tr_ccf(r0)
        ld      r1, tr_link(r0)
        jal     r0, 0(r1)

; emit_co -- emit a call-out site: r1 = kind, r2 = guest word, r3 = its pc.
; Uses r5.
emit_co:
        ld      r5, c_st_r7(r0)
        st      r5, 0(r6)
        ld      r5, c_jal_co(r0)
        st      r5, 1(r6)
        st      r1, 2(r6)
        st      r2, 3(r6)
        st      r3, 4(r6)
        ld      r5, c_ld_r7(r0)
        st      r5, 5(r6)
        addi    r6, r6, 6
        ret

; emit_exit -- emit an exit to guest pc r1.  Uses r5.
emit_exit:
        ld      r5, c_st_r7(r0)
        st      r5, 0(r6)
        ld      r5, c_jal_co(r0)
        st      r5, 1(r6)
        st      r0, 2(r6)               ; K_EXIT
        st      r1, 3(r6)
        addi    r6, r6, 4
        ret

