; ============================================================================
; bt.s -- a binary-translating virtual machine monitor for PG-1 (VMware-style)
; ============================================================================
;
; THE IDEA
;
; A trap-and-emulate VMM (pgvmm.s) runs its guest's kernel directly, in real
; user mode, and pays a trap for every privileged instruction the kernel
; executes -- a trap that, nested k deep, costs 2^(k-1) real traps.  VMware's
; answer (Adams & Agesen, ASPLOS 2006; the lecture notes' "Binary Translation")
; is to never run the guest's kernel code as it is.  The monitor reads the
; guest's virtual-supervisor code on first execution and rewrites it:
;
;   a TRANSLATION UNIT (TU) = up to 12 guest instructions, stopping at the
;       first control-flow instruction (branch, jal, svc, lpsw, halt, ...);
;   each instruction is translated
;       IDENT     -- copied word for word: add, addi, mul, shl, slt, rdtime,
;                    nop, ... (innocuous, and independent of where they are);
;       non-IDENT -- rewritten: privileged and sensitive instructions become
;                    INLINE EMULATION on the virtual state (getm rd becomes
;                    "rd := vcpu.mode", i.e. li rd, SUPERVISOR -- no trap, like
;                    the notes' "cli -> vcpu.flags.IF := 0") or a CALL-OUT to
;                    the monitor (lpsw, spsw, ldp, stp, svc, setie, jru, a load
;                    or store through a register); pc-relative and control-flow
;                    instructions become EXITS that name the guest target;
;   the result, a COMPILED CODE FRAGMENT (CCF), goes into the TRANSLATION
;       CACHE (TC) and runs in place of the guest's code; the next time the
;       guest reaches that pc, the CCF is found in the cache (a HIT) and runs
;       again without translating.  An exit whose target is translated too is
;       CHAINED: patched into a direct jump from CCF to CCF, so hot loops run
;       from the TC without coming back to the monitor at all.
;
; Guest USER code is not translated: as in trap-and-emulate, it runs directly
; in real user mode, relocated into the guest's region; its traps are
; reflected.  Only the kernel, the code that would trap, goes through the
; translator.  (Binary translation for the kernel, direct execution for the
; user: exactly VMware's split.)
;
; THE CENTRAL PROBLEM ON PG-1: ONE RELOCATION-BOUNDS REGISTER
;
; The translated code lives in the TC, in OUR storage [0, VMM_SIZE); the data
; it must load and store lives in the GUEST's storage, at our addresses
; VMM_SIZE + vbase + a.  PG-1 has a single R: code and data are fetched
; through the same (base, bound).  With R = the guest's window, the CCFs
; could not be fetched; with R = our whole machine, the guest's loads and
; stores would reach the monitor.  (x86 had the same problem; VMware solved it
; with segment truncation.)  This monitor's design:
;
;   * CCFs run in OUR supervisor mode with OUR R (base 0, all our machine),
;     with interrupts off -- the very PSW the monitor itself runs with.  So
;     going from the monitor into a CCF and back costs a jump, never an lpsw,
;     never a trap, at any nesting depth: that is where BT wins.
;   * Every guest address is therefore checked BY THE TRANSLATION, never by
;     the hardware.  A load or store at a constant address (`ld r1, 40(r0)`,
;     the kernel's favourite) is checked once, when it is translated: the
;     TC is valid for one guest R only (tc_gb, tc_cbound below; a new R
;     flushes it), so `ld r1, 40(r0)` becomes `ld r1, VMM_SIZE+vbase+40(r0)`
;     (one instruction; non-IDENT, because its address changed).  A load
;     through a register computes the guest virtual address a into a scratch
;     register, compares it with cbound (unsigned, as the hardware does) and
;     loads from VMM_SIZE + vbase + a -- nine instructions inline (tr_ld_reg);
;     a store through a register is a call-out, which does the same and then
;     the invalidation check below.  An address that fails the check goes to
;     the monitor, which reflects MEMORY exactly as the hardware would.
;   * Every other way out of the guest's storage is closed: branches and
;     jumps leave a CCF only through exits to the monitor (or chained jumps
;     the monitor itself wrote), and an exit's target pc is checked against
;     the guest's bound before anything is fetched there.
;
; SELF-MODIFYING CODE: INVALIDATION
;
; A guest may write into code that is already translated (a JIT, a loader, a
; patched kernel).  Then the CCF is stale.  The monitor keeps a BITMAP with
; one bit per guest word that some CCF was translated from (guest real
; addresses below CODE_LIMIT).  Every store the guest's kernel makes is
; checked against it: a constant-address store by four inline instructions
; after it, a register store inside its call-out, the monitor's own writes
; (spsw, stp, reflect) likewise.  A hit INVALIDATES: the whole TC is flushed
; and execution goes on after the store, through the translator, which reads
; the new code.  User code runs directly and cannot be watched word by word:
; before it runs, if its window overlaps translated code, the TC is flushed.
; (Code above CODE_LIMIT is translated afresh every time it runs: there is no
; bit to watch it by.)
;
; INTERRUPTS
;
; CCFs run with real ie = 0 (between two guest instructions a CCF may be in
; the middle of an expansion; an interrupt there could not be delivered at a
; guest instruction boundary).  When the guest's kernel runs with virtual
; ie = 1, every exit comes back to the dispatcher (chains are flushed, and no
; exit is chained while ie = 1), which opens an INTERRUPT WINDOW before each
; TU: lpsw to ie = 1 at `win_open`, then lpsw back to ie = 0.  A pending timer
; interrupt is taken between the two, at a guest instruction boundary, and
; reflected.  Our machine's timer is the guest's virtual timer, as in pgvmm.s.
;
; NESTING: BT UNDER BT
;
; The image is the same at every level and knows nothing of its level; its
; layout and control block are pgvmm.s's (see there).  Under another bt, this
; monitor's code -- its translator, its dispatcher and its CCFs -- is simply
; supervisor code of a guest, which the monitor below translates.  When we
; write a CCF or patch a chain, we store into our own code, which the monitor
; below may have translated: it invalidates, as for any self-modifying guest.
; Nothing in our run-time path traps: an lpsw we execute is a call-out below.
;
; LAYOUT OF OUR MACHINE (our addresses)
;
;   0 .. 16            low storage, boot
;   16 .. DIR          the monitor's code and data
;   DIR                256 words: the TC directory, guest pc & 255 -> TU index
;   TU_TABLE           256 x 4 words: per TU: guest pc, length | CCF size << 8,
;                      CCF address, hits (index 0 unused)
;   BITMAP             1024 words x 16 bits: guest real words translated
;   CLASS, MASKS       256 words each: per opcode, its translation class and
;                      the encoding bits that must be zero (else ILLEGAL)
;   TC_START..TC_END   the translation cache
;   VMM_SIZE ..        the guest's machine, as in pgvmm.s
;
; THE CONTROL BLOCK: vm_mode, vm_pc, vm_base, vm_bound, vm_ie, vm_regs, gsize
; as in pgvmm.s.  While a CCF runs, the guest's live registers are the
; machine's registers (IDENT instructions use them directly) and vm_pc is the
; pc of the last TU the dispatcher entered.
;
; STATISTICS (read by vmm/bt_stats.cpp; each one word, from boot on)
;   bt_tus        TUs translated          bt_tu_insns   guest instructions in them
;   bt_ident      of which IDENT          bt_nonident   of which non-IDENT
;   bt_ccf_words  words of CCF emitted    bt_len+n      TUs of n instructions
;   bt_hits       dispatches that found their TU in the TC
;   bt_misses     dispatches that translated (bt_hits + bt_misses = TU entries
;                 through the dispatcher; chained entries are not counted)
;   bt_exits      exits into the dispatcher   bt_chains   exits chained
;   bt_callouts   call-outs (emulated instructions)
;   bt_invalidations  TC flushes because the guest wrote translated code
;   bt_flushes    other flushes (TC full, the guest's kernel R changed,
;                 interrupts enabled with chains in the TC)
;
; CALL-OUT SITES IN A CCF (6 words)        EXITS (4 words)
;   st  r7, vm_regs+7(r0)                   st  r7, vm_regs+7(r0)
;   jal r7, callout(r0)                     jal r7, callout(r0)
;   .word kind (K_INSN or K_SMC)            .word K_EXIT
;   .word the guest instruction             .word the guest target pc
;   .word its guest pc                    A chained exit's first word becomes
;   ld  r7, vm_regs+7(r0)  <- return here   jal r0, CCF+1(r0).
; Every CCF starts with `ld r7, vm_regs+7(r0)`: the dispatcher enters it with
; jal r0, 0(r7); chained jumps enter one word later, r7 being live.
;
; All monitor data lies below 32768, so that a 16-bit immediate names it.
; ============================================================================

        .equ    VMM_SIZE, 8192          ; words [0, VMM_SIZE) of our machine are ours
        .equ    VM_SUPERVISOR_IN_PLACE, 0   ; tells `pgsim equiv`: the guest's kernel
                                        ; never runs in place (vmm/equivalence.hpp)
        .equ    DIR, 2560               ; 256 words
        .equ    TU_TABLE, 2816          ; 256 entries x 4 words
        .equ    BITMAP, 3840            ; 1024 words
        .equ    CODE_LIMIT, 16384       ; 1024 x 16 bits
        .equ    CLASS, 4864             ; 256 words
        .equ    MASKS, 5120             ; 256 words
        .equ    TC_START, 5376
        .equ    TC_END, 8192            ; 2816 words of translation cache
        .equ    MAX_TU, 12              ; guest instructions per TU at most
        .equ    CCF_ROOM, 240           ; words one TU can need (12 x 19 + 5)
        .equ    NTU, 255                ; TUs in the TC at most
        .equ    IMM_LIMIT, 32768        ; addresses a 16-bit immediate can name

        .equ    K_EXIT, 0               ; call-out kinds
        .equ    K_INSN, 1
        .equ    K_SMC, 2

        .equ    C_ILL, 0                ; translation classes (CLASS table)
        .equ    C_R, 1                  ; IDENT, format R
        .equ    C_I, 2                  ; IDENT, format I/U
        .equ    C_DIV, 3                ; IDENT behind a zero-divisor test
        .equ    C_LD, 4
        .equ    C_ST, 5
        .equ    C_BR, 6                 ; conditional branch: ends the TU
        .equ    C_JAL, 7                ; ends the TU
        .equ    C_END, 8                ; call-out that ends the TU
        .equ    C_CALL, 9               ; call-out, then on in the CCF
        .equ    C_SELF, 10              ; out/in/stimer: done by us inline
        .equ    C_GETM, 11              ; getm rd -> li rd, SUPERVISOR

        .equ    M_R, 0x00888fff         ; must-be-zero bits, format R
        .equ    M_I, 0x00880000         ; format I, U, B

; ----------------------------------------------------------------------------
; boot -- as pgvmm.s's, plus the opcode tables and an empty TC
; ----------------------------------------------------------------------------
        .org    RESET
boot:
        spsw    own_psw(r0)             ; the size of our machine: our bound
        ld      r1, own_psw+3(r0)
        li      r2, VMM_SIZE+RESET+1
        sltu    r3, r1, r2
        bne     r3, r0, too_small

        li      r2, SUPERVISOR          ; new PSW: (supervisor, handler, 0, size, 0)
        st      r2, NEW_PSW+0(r0)
        li      r2, handler
        st      r2, NEW_PSW+1(r0)
        st      r0, NEW_PSW+2(r0)
        st      r1, NEW_PSW+3(r0)
        st      r0, NEW_PSW+4(r0)
        st      r1, win_on+3(r0)        ; the interrupt window's PSWs
        st      r1, win_off+3(r0)

        addi    r3, r1, -VMM_SIZE       ; the guest gets the rest
        st      r3, gsize(r0)
        li      r2, SUPERVISOR          ; and resets like any machine
        st      r2, vm_mode(r0)
        li      r2, RESET
        st      r2, vm_pc(r0)
        st      r0, vm_base(r0)
        st      r3, vm_bound(r0)
        st      r0, vm_ie(r0)

        li      r1, optab               ; CLASS[op], MASKS[op] from optab
boot_tab:
        ld      r2, 0(r1)
        ld      r3, 1(r1)
        st      r3, CLASS(r2)
        ld      r3, 2(r1)
        st      r3, MASKS(r2)
        addi    r1, r1, 3
        li      r2, optab_end
        bne     r1, r2, boot_tab

        li      r1, CODE_LIMIT          ; nothing translated yet
        st      r1, code_lo(r0)
        call    flush
        jmp     run

too_small:
        li      r1, msg_small
too_small_loop:
        ld      r2, 0(r1)
        beq     r2, r0, too_small_halt
        out     r2
        addi    r1, r1, 1
        jmp     too_small_loop
too_small_halt:
        halt

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

; ----------------------------------------------------------------------------
; The translator (translate, its emitters and the call-out stubs): one job,
; one file.
; ----------------------------------------------------------------------------
        .include "bt/translator.s"

; ----------------------------------------------------------------------------
; Data.  All of it below 32768.
; ----------------------------------------------------------------------------

; The control block (as pgvmm.s's) ...
vm_mode:  .word 0
vm_pc:    .word 0
vm_base:  .word 0
vm_bound: .word 0
vm_ie:    .word 0
vm_regs:  .space 8
gsize:    .word 0

rpsw:     .word USER, 0, 0, 0, 0        ; the guest's user PSW (run_user)
own_psw:  .space 5
win_on:   .word SUPERVISOR, win_open, 0, 0, 1    ; the interrupt window
win_off:  .word SUPERVISOR, win_closed, 0, 0, 0

; The TC's key and state
tc_gb:      .word 0     ; our address of the kernel's virtual 0 (VMM_SIZE + vbase)
tc_cbound:  .word 0     ; the kernel's composed bound
tc_ptr:     .word 0     ; where the next CCF goes
tu_count:   .word 0     ; TUs in the TU table (1 .. tu_count)
tc_chains:  .word 0     ; 1 when some exit is chained
code_lo:    .word 0     ; guest real addresses translated: [code_lo, code_hi)
code_hi:    .word 0
chain_site: .word 0     ; the exit the dispatcher was entered from (0: none)
tgt_cached: .word 0     ; the CCF about to run is in the directory
co_site:    .word 0     ; the call-out being served
spill:      .word 0     ; a CCF's scratch registers, during a check
spill2:     .word 0
h_save:     .word 0
fl_save:    .word 0
tr_link:    .word 0
tr_ccf:     .word 0
tr_pc:      .word 0
tr_n:       .word 0
tr_cache:   .word 0
tr_rd:      .word 0
tr_rs:      .word 0
tr_s:       .word 0
tr_t:       .word 0

; Statistics (see the header)
bt_tus:           .word 0
bt_tu_insns:      .word 0
bt_ident:         .word 0
bt_nonident:      .word 0
bt_ccf_words:     .word 0
bt_hits:          .word 0
bt_misses:        .word 0
bt_exits:         .word 0
bt_chains:        .word 0
bt_callouts:      .word 0
bt_invalidations: .word 0
bt_flushes:       .word 0
bt_len:           .space MAX_TU+1       ; bt_len+n: TUs of n instructions

; Instruction words the translator emits
c_ld_r7:    .word (OP_LD << 24) | (7 << 20) | (vm_regs + 7)
c_st_r7:    .word (OP_ST << 24) | (7 << 20) | (vm_regs + 7)
c_jal_co:   .word (OP_JAL << 24) | (7 << 20) | callout
c_jal0:     .word OP_JAL << 24
c_addi0:    .word OP_ADDI << 24
c_bne6:     .word (OP_BNE << 24) | 6
c_beq6:     .word (OP_BEQ << 24) | 6
c_st_spill: .word (OP_ST << 24) | spill
c_ld_spill: .word (OP_LD << 24) | spill
c_st_spill2: .word (OP_ST << 24) | spill2
c_ld_spill2: .word (OP_LD << 24) | spill2
c_lui0:     .word OP_LUI << 24
c_ori0:     .word OP_ORI << 24
c_sltu0:    .word OP_SLTU << 24
c_beq0:     .word OP_BEQ << 24
c_ld0:      .word OP_LD << 24
c_andi0:    .word OP_ANDI << 24
c_hi16:     .word 0xffff0000

; The translator's jump table, by class
tr_jump:  .word tr_callend, tr_ident, tr_ident, tr_div, tr_ld, tr_st, tr_br, tr_jal
          .word tr_callend, tr_call, tr_self, tr_getm

; Every opcode the translator knows: opcode, class, must-be-zero bits.
; (Any other opcode is C_ILL: ILLEGAL, by call-out.)
optab:
        .word OP_ADD, C_R, M_R
        .word OP_SUB, C_R, M_R
        .word OP_AND, C_R, M_R
        .word OP_OR, C_R, M_R
        .word OP_XOR, C_R, M_R
        .word OP_MUL, C_R, M_R
        .word OP_SHL, C_R, M_R
        .word OP_SHR, C_R, M_R
        .word OP_SRA, C_R, M_R
        .word OP_SLT, C_R, M_R
        .word OP_SLTU, C_R, M_R
        .word OP_RDTIME, C_R, M_R
        .word OP_NOP, C_R, M_R
        .word OP_DIV, C_DIV, M_R
        .word OP_REM, C_DIV, M_R
        .word OP_ADDI, C_I, M_I
        .word OP_ANDI, C_I, M_I
        .word OP_ORI, C_I, M_I
        .word OP_XORI, C_I, M_I
        .word OP_LUI, C_I, M_I
        .word OP_LD, C_LD, M_I
        .word OP_ST, C_ST, M_I
        .word OP_BEQ, C_BR, M_I
        .word OP_BNE, C_BR, M_I
        .word OP_BLT, C_BR, M_I
        .word OP_BGE, C_BR, M_I
        .word OP_JAL, C_JAL, M_I
        .word OP_SVC, C_END, M_I
        .word OP_LPSW, C_END, M_I
        .word OP_HALT, C_END, M_R
        .word OP_SPSW, C_CALL, M_I
        .word OP_LDP, C_CALL, M_I
        .word OP_STP, C_CALL, M_I
        .word OP_OUT, C_SELF, M_R
        .word OP_IN, C_SELF, M_R
        .word OP_STIMER, C_SELF, M_R
        .word OP_GETM, C_GETM, M_R
.ifdef OP_SETIE
        .word OP_SETIE, C_CALL, M_R             ; sensitive on pg1-setie: a call-out
.endif
.ifdef OP_JRU
        .word OP_JRU, C_END, M_I                ; control flow into user mode: ends the TU
.endif
optab_end:

msg_small: .asciz "bt: machine too small for a guest\n"
msg_bug:   .asciz "bt: a trap from the monitor's own code\n"

vmm_end:                                ; must be <= DIR
