; ============================================================================
; bt/flush.s -- emptying the translation cache of the binary-translating
; monitor (vmm/monitors/bt.s includes it; the TC's layout -- DIR, TU_TABLE,
; BITMAP, TC_START -- and its state words are there).
; ============================================================================

; ----------------------------------------------------------------------------
; flush -- empty the TC: the directory, the bitmap words in use, the TU table.
; Uses r1, r2 (r4 is kept).
; ----------------------------------------------------------------------------
flush:
        st      r4, fl_save(r0)
        li      r1, DIR
        li      r2, DIR+256
flush_dir:
        st      r0, 0(r1)
        addi    r1, r1, 1
        bne     r1, r2, flush_dir
        ld      r1, code_lo(r0)         ; bitmap words code_lo/16 .. (code_hi-1)/16
        ld      r2, code_hi(r0)
        sltu    r4, r1, r2
        beq     r4, r0, flush_rest
        li      r4, 4
        shr     r1, r1, r4
        addi    r2, r2, -1
        shr     r2, r2, r4
        addi    r2, r2, 1
flush_bits:
        st      r0, BITMAP(r1)
        addi    r1, r1, 1
        bne     r1, r2, flush_bits
flush_rest:
        li      r1, CODE_LIMIT
        st      r1, code_lo(r0)
        st      r0, code_hi(r0)
        st      r0, tu_count(r0)
        li      r1, TC_START
        st      r1, tc_ptr(r0)
        st      r0, tc_chains(r0)
        st      r0, chain_site(r0)
        ld      r4, fl_save(r0)
        ret
