; ============================================================================
; pgvmm.s -- the reference trap-and-emulate virtual machine monitor for PG-1
; ============================================================================
;
; WHAT A VMM IS
;
; A virtual machine monitor runs a guest program -- usually an operating
; system -- on a machine that looks exactly like the real one, while keeping
; the real machine's control state for itself.  Popek & Goldberg (CACM 17(7),
; 1974) build a VMM from three kinds of module, and so does this file:
;
;   the dispatcher   `handler`: the first code to run after every trap.  It
;                    decides which module handles the trap.
;   the allocator    `boot` and `resume`: decide which storage the guest gets
;                    (here the fixed region [VMM_SIZE, size) of our machine)
;                    and build the relocation-bounds register R that confines
;                    the guest to it.
;   the interpreter  `emu_lpsw`, `emu_spsw`, `emu_getm`, `emu_ldp`, `emu_stp`,
;   routines         `emu_out`, `emu_in`, `emu_stimer`, `emu_halt`: one per
;                    privileged instruction.  Each carries out the instruction
;                    on the guest's *virtual* state instead of the real one.
;
; The guest runs directly on the hardware, but always in user mode.  Every
; instruction it executes that is innocuous runs at full speed; every
; privileged one traps (cause PRIV) to us.  PG-1 satisfies P&G's Theorem 1
; (every sensitive instruction is privileged), so those traps are all the VMM
; needs to see to keep the guest from noticing that it is not alone:
;
;   guest in virtual supervisor mode hits a privileged instruction
;                                       -> EMULATE it on the virtual state;
;   anything else (any trap while the guest is in virtual user mode, svc,
;   memory, illegal, arith, timer)      -> REFLECT it: do to the guest what
;                                          its own hardware would have done,
;                                          i.e. a trap in its virtual machine.
;   either way                          -> RESUME the guest with one lpsw.
;
; ONE IMAGE, EVERY LEVEL
;
; This image is the same at every nesting level and knows nothing of its
; level.  It occupies virtual [0, VMM_SIZE) of the machine it boots on -- the
; real machine for L0, the virtual machine that the VMM below provides for
; L1, L2, ...  Its guest's machine is [VMM_SIZE, size) of that machine,
; presented to the guest as [0, gsize), gsize = size - VMM_SIZE.  The stack
; builder has already placed the guest's image there.  The guest may itself
; be this same VMM, which then runs its own guest in [VMM_SIZE, gsize) of
; *its* machine, and so on: a matryoshka of monitors.
;
;   our machine:  0 ........ VMM_SIZE ............................. size
;                 | this VMM | the guest's machine, its address 0.. gsize |
;
; Our machine's low storage (our addresses; real only for L0):
;   0..4 old PSW, 5 cause, 6 info, 8..12 new PSW (-> handler), 16 boot.
; The guest's low storage is at our addresses VMM_SIZE+0 .. VMM_SIZE+16.
; A PSW is 5 words: mode (0 supervisor, 1 user), pc, base, bound, ie.
;
; THE CONTROL BLOCK (tools read these symbols to show each level's view)
;
;   vm_mode   1 word   the guest's virtual mode: SUPERVISOR (0) or USER (1)
;   vm_pc     1 word   the guest's virtual pc (a guest virtual address)
;   vm_base   1 word   the guest's virtual R: base, relative to the guest's
;   vm_bound  1 word     machine (guest real address 0 = our VMM_SIZE)
;   vm_ie     1 word   the guest's virtual interrupt enable (0/1)
;   vm_regs   8 words  the guest's registers while we run: vm_regs+k holds
;                      guest rk; vm_regs+0 stands for r0 and is always 0.
;                      (While the guest runs, its registers are simply the
;                      machine's registers; the VMM never changes them
;                      except for an emulated `in`, `getm` or `ldp`.)
;   gsize     1 word   the size of the guest's machine, in words
;
; vm_mode..vm_ie are five consecutive words laid out like a PSW: the guest's
; virtual PSW.  The block is the whole truth while the VMM runs (from a trap
; to its resume).  While the guest runs, it holds what the guest was resumed
; with; the live pc and registers are then in the machine itself.  The guest's virtual timer needs no storage: it *is* our own
; machine's timer (see emu_stimer).
;
; COMPOSING R
;
; To run the guest we load, with lpsw, the real PSW (as our machine sees it)
;   (USER, vm_pc, VMM_SIZE + vm_base, cbound, vm_ie)
; where cbound = min(vm_bound, gsize - vm_base), or 0 when vm_base >= gsize
; (unsigned).  Then the guest's virtual address a is valid exactly when it
; would be on its own bare machine (a < vm_bound and vm_base + a < gsize), and
; it names our word VMM_SIZE + vm_base + a.  An invalid access traps MEMORY
; with info = a, the same info the guest's own machine would give: we only
; have to reflect it.
;
; WHAT NESTING COSTS: THE REAL-TRAPS ARITHMETIC
;
; The VMM itself runs, on its own machine, in supervisor mode.  When it is
; nested, that machine is virtual, so each privileged instruction the VMM
; executes is itself a trap to the VMM below.  That is why the trap path
; below executes NO privileged instruction except the resuming lpsw and, for
; out/in/stimer/halt, the one instruction the emulation must perform.  (The
; VMM always runs with ie = 0 and never needs spsw or getm after boot.)
;
; Count the real traps.  Let depth k = the number of VMMs below a
; program (the guest at depth 1 runs on L0 alone).  Let T(k) = the real traps
; caused by one trap of a program at depth k that its VMM handles with the
; resuming lpsw as its only privileged instruction: a reflected trap (svc,
; memory, timer, ...) or an emulated lpsw, spsw, getm, ldp or stp.
;
;   T(1) = 1: the hardware trap.  L0 runs on the real machine in real
;          supervisor mode, so its own lpsw costs nothing more.
;   T(k) = 2 T(k-1): the VMM right below the program (at depth k-1) runs in
;          a virtual machine itself.  To the VMM below *it*, our program's
;          trap is just a trap of its own guest, which it reflects up to
;          us: T(k-1) real traps.  Then we resume the program with lpsw, a
;          privileged instruction at depth k-1: another T(k-1).
;
; So T(k) = 2^(k-1): every level doubles the cost.  The interpreter routines
; for out, in and stimer execute one more privileged instruction, at depth
; k-1, before the lpsw; they cost O(k) = T(k) + O(k-1) = 2^k - 1.  (halt
; costs 2^(k-1): it executes halt instead of lpsw.)  Innocuous instructions
; cost no trap at any depth.
;
;   depth k                                      1   2   3   4   5
;   svc, memory, timer; lpsw spsw getm ldp stp   1   2   4   8  16
;   out, in, stimer                              1   3   7  15  31
;
; Had the trap path used one more privileged instruction (a getm to check
; our own mode, an spsw to save a PSW), each of these numbers would grow
; like 3^(k-1) instead of 2^(k-1).  This is the naive construction whose
; growth pgsim sets out to measure.
;
; REGISTER USE ON THE TRAP PATH
;   r1 cause   r2 info   r3 the guest's pc (the trapping instruction, or the
;   next one for svc and timer); emulation also uses r4 op, r5 rd (index),
;   r6 the value of the guest's rs, r7 imm.  All guest registers are saved in
;   vm_regs first and restored by resume.
;
; All VMM data lies below 32768, so that a 16-bit signed immediate can name
; it: `ld rX, vm_pc(r0)`.
; ============================================================================

        .equ    VMM_SIZE, 512           ; words [0, VMM_SIZE) of our machine
                                        ; are ours; the image must fit below
        .equ    CUR_R, OLD_PSW+2        ; where psw_area finds the composed R
                                        ; the guest ran with: in the PSW it
                                        ; trapped from (common/privileged.s)

; ----------------------------------------------------------------------------
; boot -- every machine, real or virtual, resets to (supervisor, 16, base 0,
; bound = its size, ie 0), registers 0, timer 0.  So do we.
; ----------------------------------------------------------------------------
        .org    RESET
boot:
        ; How big is our machine?  Our own PSW tells us: its bound.  spsw is
        ; privileged; if we are nested, the VMM below emulates it and tells
        ; us the size of the virtual machine it gives us.  This is the only
        ; spsw we ever execute.
        spsw    own_psw(r0)
        ld      r1, own_psw+3(r0)       ; r1 = size of our machine

        ; The guest needs at least its low storage and its reset entry.
        li      r2, VMM_SIZE+RESET+1
        sltu    r3, r1, r2
        bne     r3, r0, too_small

        ; Our new PSW: every trap enters `handler` in supervisor mode, with
        ; our whole machine addressable and interrupts off.
        li      r2, SUPERVISOR
        st      r2, NEW_PSW+0(r0)
        li      r2, handler
        st      r2, NEW_PSW+1(r0)
        st      r0, NEW_PSW+2(r0)       ; base 0
        st      r1, NEW_PSW+3(r0)       ; bound = size
        st      r0, NEW_PSW+4(r0)       ; ie 0

        ; The allocator's one decision: the guest gets the rest.
        addi    r3, r1, -VMM_SIZE
        st      r3, gsize(r0)

        ; The guest's machine resets like any other:
        ; (supervisor, 16, base 0, bound gsize, ie 0), registers 0.
        li      r2, SUPERVISOR
        st      r2, vm_mode(r0)
        li      r2, RESET
        st      r2, vm_pc(r0)
        st      r0, vm_base(r0)
        st      r3, vm_bound(r0)
        st      r0, vm_ie(r0)
        st      r0, vm_regs+0(r0)
        st      r0, vm_regs+1(r0)
        st      r0, vm_regs+2(r0)
        st      r0, vm_regs+3(r0)
        st      r0, vm_regs+4(r0)
        st      r0, vm_regs+5(r0)
        st      r0, vm_regs+6(r0)
        st      r0, vm_regs+7(r0)
        jmp     resume

too_small:                              ; no room for a guest: say so, stop
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
; handler -- THE DISPATCHER.  Entered by every trap our machine takes (all of
; them come from the guest: we run with ie 0 and never fault ourselves).
; ----------------------------------------------------------------------------
handler:
        ; Save the guest's registers before we touch any.  (r0 needs no
        ; saving: it is always 0.)
        st      r1, vm_regs+1(r0)
        st      r2, vm_regs+2(r0)
        st      r3, vm_regs+3(r0)
        st      r4, vm_regs+4(r0)
        st      r5, vm_regs+5(r0)
        st      r6, vm_regs+6(r0)
        st      r7, vm_regs+7(r0)

        ; What did the hardware leave in our low storage?
        ld      r1, CAUSE(r0)
        ld      r2, INFO(r0)
        ld      r3, OLD_PSW+1(r0)       ; the guest's pc

        ; Emulate only a privileged instruction that the guest executed in
        ; its virtual supervisor mode; reflect everything else.
        li      r4, PRIV
        bne     r1, r4, reflect
        ld      r4, vm_mode(r0)
        bne     r4, r0, reflect         ; vm_mode != SUPERVISOR (0)

        ; Decode the instruction word (PRIV's info).  PG-1 encoding:
        ;   op 8 | rd 4 | rs 4 | imm 16 (sign-extended)
        ; (A register field of 8..15 names no register; the machine traps
        ; such a word ILLEGAL, so it never gets here.  The `andi 7` only
        ; keeps vm_regs(rX) inside vm_regs whatever happens.)
        li      r1, 24
        shr     r4, r2, r1              ; r4 = op
        li      r1, 20
        shr     r5, r2, r1
        andi    r5, r5, 7               ; r5 = rd, as a register index 0..7
        li      r1, 16
        shr     r6, r2, r1
        andi    r6, r6, 7               ; rs index ...
        ld      r6, vm_regs(r6)         ; ... r6 = the guest's rs (r0 reads 0)
        shl     r7, r2, r1
        sra     r7, r7, r1              ; r7 = imm, sign-extended

        ; Which interpreter routine?  Most frequent first: at the levels
        ; below a nested VMM, lpsw is what its every resume executes.
        li      r1, OP_LPSW
        beq     r4, r1, emu_lpsw
        li      r1, OP_OUT
        beq     r4, r1, emu_out
        li      r1, OP_SPSW
        beq     r4, r1, emu_spsw
        li      r1, OP_STIMER
        beq     r4, r1, emu_stimer
        li      r1, OP_IN
        beq     r4, r1, emu_in
        li      r1, OP_GETM
        beq     r4, r1, emu_getm
        li      r1, OP_LDP
        beq     r4, r1, emu_ldp
        li      r1, OP_STP
        beq     r4, r1, emu_stp
        li      r1, OP_HALT
        beq     r4, r1, emu_halt
        ; Not a PG-1 privileged instruction (an ISA variant may add one we
        ; do not know): hand the trap to the guest unchanged.
        li      r1, PRIV
        jmp     reflect

; ----------------------------------------------------------------------------
; THE INTERPRETER ROUTINES, one per privileged instruction: emu_lpsw, emu_out,
; emu_spsw, emu_stimer, emu_in, emu_getm, emu_ldp, emu_stp, emu_halt, with
; their helpers psw_area and mem_fault.  They live in common/privileged.s,
; because the hybrid VMM (hybrid.s) uses the very same routines: read them
; there.  On entry r3 = pc of the instruction, r5 = rd index, r6 = guest's rs
; value, r7 = imm.
; ----------------------------------------------------------------------------
        .include "common/privileged.s"

; advance -- the emulated instruction is done: the guest goes on after it
advance:
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     resume

        .include "common/reflect.s"

; ----------------------------------------------------------------------------
; resume -- THE ALLOCATOR's other half: compose the real PSW from the virtual
; one and our guest region, restore the guest's registers, and go.
;   rpsw = (USER, vm_pc, VMM_SIZE + vm_base, cbound, vm_ie)
;   cbound = min(vm_bound, gsize - vm_base), unsigned; 0 if vm_base >= gsize.
; An empty R is always composed as (base VMM_SIZE, bound 0): every access
; then traps MEMORY, and we reflect it.
; ----------------------------------------------------------------------------
resume:
        ld      r1, vm_base(r0)
        ld      r2, gsize(r0)
        ld      r3, vm_bound(r0)
        sltu    r4, r1, r2
        beq     r4, r0, resume_empty    ; vm_base >= gsize: nothing is valid
        sub     r2, r2, r1              ; room = gsize - vm_base (>= 1; no wrap)
        sltu    r4, r2, r3
        beq     r4, r0, resume_cb       ; vm_bound <= room: cbound = vm_bound
        mov     r3, r2                  ; else cbound = room
resume_cb:
        beq     r3, r0, resume_empty
        addi    r1, r1, VMM_SIZE        ; < size, no wrap since vm_base < gsize
resume_go:
        st      r1, rpsw+2(r0)          ; rpsw+0 is always USER
        st      r3, rpsw+3(r0)
        ld      r4, vm_pc(r0)
        st      r4, rpsw+1(r0)
        ld      r4, vm_ie(r0)
        st      r4, rpsw+4(r0)          ; the VMM itself always runs with ie 0
        ld      r1, vm_regs+1(r0)
        ld      r2, vm_regs+2(r0)
        ld      r3, vm_regs+3(r0)
        ld      r4, vm_regs+4(r0)
        ld      r5, vm_regs+5(r0)
        ld      r6, vm_regs+6(r0)
        ld      r7, vm_regs+7(r0)
        lpsw    rpsw(r0)                ; the only privileged instruction of a
                                        ; trap that is not emulating one
resume_empty:
        li      r1, VMM_SIZE
        mov     r3, r0
        jmp     resume_go

; ----------------------------------------------------------------------------
; Data.  All of it below 32768 (see the header).
; ----------------------------------------------------------------------------

; The control block: the guest's virtual PSW (five words, in PSW order) ...
vm_mode:  .word 0
vm_pc:    .word 0
vm_base:  .word 0
vm_bound: .word 0
vm_ie:    .word 0
; ... its registers (vm_regs+k = guest rk; vm_regs+0 = r0, always 0) ...
vm_regs:  .space 8
; ... and the size of its machine.
gsize:    .word 0

; The real PSW that resume composes and loads (mode is always USER).
rpsw:     .word USER, 0, 0, 0, 0

; Where boot stores our own PSW, to learn our machine's size.
own_psw:  .space 5

msg_small: .asciz "pgvmm: machine too small for a guest\n"

vmm_end:                                ; must be <= VMM_SIZE
