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
; The rest of the code, one job to a file, in this order in our storage:
;   bt/dispatcher.s  handler (every real trap) and run, THE DISPATCHER: find
;                    or make the CCF for vm_pc and jump into it, or run the
;                    guest's user code directly; compose
;   bt/callouts.s    callout, where CCFs come back to the monitor (exits and
;                    call-outs), and the emulation routines (THE CALL-OUTS)
;   bt/reflect.s     reflect: deliver a trap to the guest
;   bt/flush.s       flush: empty the TC
;   bt/translator.s  the translator (translate, its emitters and the
;                    call-out stubs)
; ----------------------------------------------------------------------------
        .include "bt/dispatcher.s"
        .include "bt/callouts.s"
        .include "bt/reflect.s"
        .include "bt/flush.s"
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
