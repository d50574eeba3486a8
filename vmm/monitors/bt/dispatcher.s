; ============================================================================
; bt/dispatcher.s -- the dispatcher of the binary-translating monitor: every
; real trap comes in here, and from here the guest goes on, its kernel
; through a CCF of the translation cache, its user code directly.
; (vmm/monitors/bt.s includes it; the layout, the control block and the TC's
; key live there.  It calls translate (bt/translator.s), reflect
; (bt/reflect.s) and flush (bt/flush.s); CCFs come back through callout
; (bt/callouts.s), which jumps to run.)
; ============================================================================

; ----------------------------------------------------------------------------
; handler -- every real trap.  The guest's kernel never runs in place and the
; CCFs never fault (their every access was checked), so a trap comes either
; from the guest's USER code (reflect it, as pgvmm.s does for a guest in
; virtual user mode), or from our interrupt window (a timer interrupt).
; ----------------------------------------------------------------------------
handler:
        st      r1, h_save(r0)
        ld      r1, OLD_PSW+0(r0)
        beq     r1, r0, h_window        ; from our own supervisor code
        ld      r1, h_save(r0)
        st      r1, vm_regs+1(r0)
        st      r2, vm_regs+2(r0)
        st      r3, vm_regs+3(r0)
        st      r4, vm_regs+4(r0)
        st      r5, vm_regs+5(r0)
        st      r6, vm_regs+6(r0)
        st      r7, vm_regs+7(r0)
        ld      r1, CAUSE(r0)
        ld      r2, INFO(r0)
        ld      r3, OLD_PSW+1(r0)
        jmp     reflect

h_window:                               ; the guest's registers are in vm_regs
        ld      r1, OLD_PSW+1(r0)
        li      r2, win_open
        bne     r1, r2, h_bug
        ld      r1, CAUSE(r0)
        ld      r2, INFO(r0)
        ld      r3, vm_pc(r0)           ; the boundary the guest was at
        jmp     reflect
h_bug:                                  ; cannot happen: say so and stop
        li      r1, msg_bug
        jmp     too_small_loop

; ----------------------------------------------------------------------------
; run -- THE DISPATCHER.  The guest's state is all in the control block.
; Virtual user mode: run the guest directly (pgvmm.s's resume).  Virtual
; supervisor mode: find (or make) the CCF for vm_pc and jump into it.
; ----------------------------------------------------------------------------
run:
        ld      r1, vm_mode(r0)
        bne     r1, r0, run_user
        call    compose                 ; r1 = our address of guest virtual 0, r3 = cbound
        ld      r4, tc_gb(r0)
        bne     r1, r4, run_rekey
        ld      r4, tc_cbound(r0)
        beq     r3, r4, run_keyed
run_rekey:                              ; the TC is for one kernel R only
        st      r1, tc_gb(r0)
        st      r3, tc_cbound(r0)
        call    flush
        ld      r1, bt_flushes(r0)
        addi    r1, r1, 1
        st      r1, bt_flushes(r0)
run_keyed:
        ld      r4, vm_pc(r0)
        sltu    r5, r4, r3
        beq     r5, r0, run_fetch_fault ; pc >= cbound: the fetch faults
        ld      r5, vm_ie(r0)
        beq     r5, r0, run_lookup
        ld      r5, tc_chains(r0)       ; ie = 1: every exit must come back here
        beq     r5, r0, run_window
        call    flush
        ld      r1, bt_flushes(r0)
        addi    r1, r1, 1
        st      r1, bt_flushes(r0)
        ld      r4, vm_pc(r0)
run_window:                             ; let a pending interrupt in, here,
        lpsw    win_on(r0)              ; at a guest instruction boundary
win_open:
        lpsw    win_off(r0)
win_closed:
run_lookup:                             ; r4 = vm_pc
        andi    r5, r4, 255
        ld      r5, DIR(r5)
        beq     r5, r0, run_miss
        li      r6, 2
        shl     r6, r5, r6
        ld      r1, TU_TABLE+0(r6)
        bne     r1, r4, run_miss
        ld      r1, TU_TABLE+3(r6)      ; a hit
        addi    r1, r1, 1
        st      r1, TU_TABLE+3(r6)
        ld      r1, bt_hits(r0)
        addi    r1, r1, 1
        st      r1, bt_hits(r0)
        li      r1, 1
        st      r1, tgt_cached(r0)
        ld      r7, TU_TABLE+2(r6)
        jmp     run_chain
run_miss:
        ld      r1, bt_misses(r0)
        addi    r1, r1, 1
        st      r1, bt_misses(r0)
        call    translate               ; r7 = the new CCF
run_chain:                              ; chain the exit we came from, if any
        ld      r1, chain_site(r0)
        beq     r1, r0, run_enter
        st      r0, chain_site(r0)
        ld      r2, vm_ie(r0)
        bne     r2, r0, run_enter
        ld      r2, tgt_cached(r0)
        beq     r2, r0, run_enter
        addi    r2, r7, 1               ; jal r0, CCF+1(r0)
        ld      r3, c_jal0(r0)
        or      r2, r2, r3
        st      r2, 0(r1)
        li      r2, 1
        st      r2, tc_chains(r0)
        ld      r2, bt_chains(r0)
        addi    r2, r2, 1
        st      r2, bt_chains(r0)
run_enter:
        ld      r1, vm_regs+1(r0)
        ld      r2, vm_regs+2(r0)
        ld      r3, vm_regs+3(r0)
        ld      r4, vm_regs+4(r0)
        ld      r5, vm_regs+5(r0)
        ld      r6, vm_regs+6(r0)
        jal     r0, 0(r7)               ; the CCF's first word reloads r7
run_fetch_fault:
        li      r1, MEMORY
        mov     r2, r4
        mov     r3, r4
        jmp     reflect

; run_user -- the guest runs directly, in real user mode (pgvmm.s's resume).
; Its code may write anything its R reaches: if that overlaps translated
; code, the TC goes first.
run_user:
        call    compose
        beq     r3, r0, run_user_go
        addi    r4, r1, -VMM_SIZE       ; window [r4, r4 + r3), guest real
        ld      r5, code_hi(r0)
        sltu    r6, r4, r5
        beq     r6, r0, run_user_go
        add     r6, r4, r3
        ld      r5, code_lo(r0)
        sltu    r6, r5, r6
        beq     r6, r0, run_user_go
        call    flush
        ld      r1, bt_invalidations(r0)
        addi    r1, r1, 1
        st      r1, bt_invalidations(r0)
        call    compose
run_user_go:
        st      r1, rpsw+2(r0)
        st      r3, rpsw+3(r0)
        ld      r4, vm_pc(r0)
        st      r4, rpsw+1(r0)
        ld      r4, vm_ie(r0)
        st      r4, rpsw+4(r0)
        ld      r1, vm_regs+1(r0)
        ld      r2, vm_regs+2(r0)
        ld      r3, vm_regs+3(r0)
        ld      r4, vm_regs+4(r0)
        ld      r5, vm_regs+5(r0)
        ld      r6, vm_regs+6(r0)
        ld      r7, vm_regs+7(r0)
        lpsw    rpsw(r0)

; compose -- pgvmm.s's composition of R: r1 = VMM_SIZE + vm_base, r3 = cbound
; = min(vm_bound, gsize - vm_base), or r1 = VMM_SIZE, r3 = 0 when empty.
; Uses r2, r4.
compose:
        ld      r1, vm_base(r0)
        ld      r2, gsize(r0)
        ld      r3, vm_bound(r0)
        sltu    r4, r1, r2
        beq     r4, r0, compose_empty
        sub     r2, r2, r1
        sltu    r4, r2, r3
        beq     r4, r0, compose_cb
        mov     r3, r2
compose_cb:
        beq     r3, r0, compose_empty
        addi    r1, r1, VMM_SIZE
        ret
compose_empty:
        li      r1, VMM_SIZE
        mov     r3, r0
        ret
