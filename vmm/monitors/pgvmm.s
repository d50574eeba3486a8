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
;   the dispatcher   `handler_u` and `handler_s`: the first code to run
;                    after every trap (one for each virtual mode of the
;                    guest).  It decides which module handles the trap.
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
;   0..4 old PSW, 5 cause, 6 info, 8..12 new PSW (-> handler_s or _u), 16 boot.
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
;   vm_saved  1 word   how many of them, r1 up, are in vm_regs while we run:
;                      2 on the fast paths, 7 on the general path (see
;                      REGISTERS).  The others are in the machine's own
;                      registers, which we then leave alone.
;   gsize     1 word   the size of the guest's machine, in words
;
; vm_mode..vm_ie are the guest's virtual PSW.  (vm_pc and vm_ie are words of
; psw_s, the real PSW we load to run the guest in its supervisor mode: see
; THE TRAP PATH.)  The block is the whole truth while the VMM runs (from a
; trap to its resume).  While the guest runs, it holds what the guest was
; resumed with; the live pc and registers are then in the machine itself.
; The guest's virtual timer needs no storage: it *is* our own machine's
; timer (see emu_stimer).
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
; THE TRAP PATH: A FAST PATH AND A GENERAL ONE
;
; Every level doubles the real traps, and each costs our instructions, so
; the way from a trap back to the guest is worth making short.  The
; textbook way -- save all the registers, decode, compare the opcode with
; each privileged one in turn, run the interpreter routine, compose R,
; restore all the registers, lpsw -- is kept as the GENERAL PATH (from
; `priv_slow` on), for every case.  In front of it, FAST PATHS take the
; frequent cases in fewer instructions, and hand over to the general path
; whenever their case is not the simple one:
;
;   * two dispatchers.  Our NEW_PSW points at handler_s while the guest is
;     in virtual supervisor mode and at handler_u while it is in virtual
;     user mode (resume switches it when the mode changes).  handler_u knows
;     without asking that it must reflect; handler_s only asks for PRIV.
;   * two registers.  A fast path uses only r1 and r2, so it saves and
;     restores only those (vm_saved = 2); the guest's r3..r7 stay in the
;     machine.  A routine that must read any register rs (out, stimer)
;     copies r3..r7 into vm_regs to index them; one that writes rd (getm,
;     in) goes through `set_rd`, a table of two-word stubs, one per register.
;   * no recomposing.  The real PSW for each virtual mode, psw_s and psw_u,
;     stays composed between traps, with the virtual R it was composed for
;     (vr_s, vr_u).  A fast path compares the guest's new R with it, and
;     composes only when it changed (compose_u, or the general resume).
;   * one look at lpsw.  The frequent lpsw -- a kernel returning from a
;     trap, a nested VMM resuming its guest -- names its PSW with r0 and an
;     immediate, inside an R that starts at the guest's address 0.  lim_s
;     turns that test into one comparison, which handler_s makes first: it
;     also tells lpsw from every other instruction (see lpsw_fast).
;
; Measured at depth 1 (tests/trappath_test.cpp, pgsim_tests "[trappath]"
; prints the table), our instructions from a guest's trap to its next
; instruction, before (the textbook path alone) and now:
;
;   emulate, supervisor -> supervisor    before   now
;     lpsw                                  76     28
;     getm                                  68     32
;     out                                   58     32
;     in                                    66     34
;     stimer                                62     34
;     spsw / ldp / stp (general path)    81/74/75  85/72/73
;   emulate lpsw, supervisor -> user        76     36 (R composed: 47)
;   reflect svc, supervisor -> supervisor   59     33
;   reflect svc, memory, PRIV, timer,     59..61   37
;     user -> supervisor
;
; The two that change the guest's virtual mode cost a few more: they switch
; the dispatcher (NEW_PSW) and load the other mode's real PSW, whose R may
; have to be composed.  Nested, they are most of the work: L0 reflects its
; guest's traps into L1's kernel and emulates L1's lpsw back to user mode,
; and under a deep stack that lpsw names a different R almost every time
; (each level's machine is another R), so psw_u is mostly composed again.
;
; The number of real traps is the same as before: the fast paths execute
; the same privileged instructions (the resuming lpsw, and the emulated
; out, in or stimer).
;
; REGISTERS
;   Fast paths: r1, r2 only (the guest's r1, r2 in vm_regs+1, +2).
;   General path: all the guest's registers in vm_regs, then r1 cause or
;   scratch, r2 info, r3 the guest's pc (the trapping instruction, or the
;   next one for svc and timer); emulation also uses r4 op, r5 rd (index),
;   r6 the value of the guest's rs, r7 imm (common/privileged.s).
;
; All VMM data lies below 32768, so that a 16-bit signed immediate can name
; it: `ld rX, vm_pc(r0)`.
; ============================================================================

        .equ    VMM_SIZE, 512           ; words [0, VMM_SIZE) of our machine
                                        ; are ours; the image must fit below
        .equ    G, VMM_SIZE             ; the guest's address 0, in ours: its
                                        ; low storage is at G+OLD_PSW, G+CAUSE..
        .equ    CUR_R, OLD_PSW+2        ; where psw_area finds the composed R
                                        ; the guest ran with: in the PSW it
                                        ; trapped from (common/privileged.s)
        .equ    FAST_SAVED, 2           ; vm_saved on the fast paths: r1, r2

; ----------------------------------------------------------------------------
; boot -- every machine, real or virtual, resets to (supervisor, 16, base 0,
; bound = its size, ie 0), registers 0, timer 0.  So do we.
; ----------------------------------------------------------------------------
; Our new PSW: every trap enters a handler in supervisor mode, with our
; whole machine addressable (boot stores the bound) and interrupts off.
; Which handler, handler_s or handler_u, follows the guest's virtual mode:
; resume points NEW_PSW+1 at the one for the mode it resumes the guest in.
        .org    NEW_PSW
        .word   SUPERVISOR, handler_s, 0, 0, 0

        .org    RESET
boot:
        ; How big is our machine?  Our own PSW tells us: its bound.  spsw is
        ; privileged; if we are nested, the VMM below emulates it and tells
        ; us the size of the virtual machine it gives us.  This is the only
        ; spsw we ever execute.
        spsw    OLD_PSW(r0)             ; (that area is free until our first trap)
        ld      r1, OLD_PSW+3(r0)       ; r1 = size of our machine

        ; The guest needs at least its low storage and its reset entry.
        li      r2, VMM_SIZE+RESET+1
        sltu    r3, r1, r2
        bne     r3, r0, too_small

        ; Our new PSW (in this image, at NEW_PSW: see below) needs only
        ; its bound: our whole machine.
        st      r1, NEW_PSW+3(r0)

        ; The allocator's one decision: the guest gets the rest.
        addi    r3, r1, -VMM_SIZE
        st      r3, gsize(r0)

        ; The guest's machine resets like any other: (supervisor, 16,
        ; base 0, bound gsize, ie 0), registers 0.  All but its bound are
        ; already so in this image (the control block, below; and our own
        ; r3..r7, which are the guest's r3..r7: see REGISTERS).
        st      r3, vm_bound(r0)
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

; ============================================================================
; THE FAST PATHS.  Everything from here to `priv_slow` uses only r1 and r2,
; saved in vm_regs+1 and vm_regs+2 (vm_saved = 2); the guest's r3..r7 stay in
; the machine's registers, untouched, except where an emulated instruction
; writes one.  Each path ends in one lpsw of psw_u or psw_s, or hands over to
; the general path when its case is not the simple one.
; ============================================================================

; ----------------------------------------------------------------------------
; handler_u -- THE DISPATCHER while the guest is in virtual USER mode.  Every
; trap is reflected: the guest's own machine would have trapped too.
; ----------------------------------------------------------------------------
handler_u:
        st      r1, vm_regs+1(r0)
        st      r2, vm_regs+2(r0)
        ; The trap of the guest's machine: old PSW, cause and info into its
        ; low storage.  The old PSW is the virtual one with the trap's pc.
        ld      r1, CAUSE(r0)
        st      r1, G+CAUSE(r0)
        ld      r1, INFO(r0)
        st      r1, G+INFO(r0)
        ld      r1, OLD_PSW+1(r0)       ; the guest's pc
        st      r1, G+OLD_PSW+1(r0)
        li      r1, USER
        st      r1, G+OLD_PSW+0(r0)
        ld      r1, vm_ie(r0)
        st      r1, G+OLD_PSW+4(r0)
        ld      r1, vm_bound(r0)
        st      r1, G+OLD_PSW+3(r0)
        ld      r2, vm_base(r0)         ; (r2 = the old base, kept)
        st      r2, G+OLD_PSW+2(r0)
        ; Its new PSW: usually supervisor (the guest's trap handler).
        ld      r1, G+NEW_PSW+0(r0)
        bne     r1, r0, deliver_slow    ; user -> user (or a mode word other
                                        ; than 0): rare, the general way
u_to_s:                                 ; user -> supervisor
        st      r0, vm_mode(r0)         ; SUPERVISOR
        ld      r1, G+NEW_PSW+1(r0)
        st      r1, vm_pc(r0)
        ld      r1, G+NEW_PSW+4(r0)
        andi    r1, r1, 1
        st      r1, vm_ie(r0)
        ld      r1, G+NEW_PSW+2(r0)
        st      r1, vm_base(r0)
        ld      r2, vr_s(r0)
        bne     r1, r2, deliver_slow    ; not the R psw_s was composed for
        ld      r1, G+NEW_PSW+3(r0)
        st      r1, vm_bound(r0)
        ld      r2, vr_s+1(r0)
        bne     r1, r2, deliver_slow
        li      r1, handler_s           ; its next trap comes from supervisor
        st      r1, NEW_PSW+1(r0)
        ld      r1, vm_regs+1(r0)
        ld      r2, vm_regs+2(r0)
        lpsw    psw_s(r0)

; ----------------------------------------------------------------------------
; handler_s -- THE DISPATCHER while the guest is in virtual SUPERVISOR mode:
; a privileged instruction (PRIV) is emulated, anything else reflected.
; ----------------------------------------------------------------------------
handler_s:
        st      r1, vm_regs+1(r0)
        st      r2, vm_regs+2(r0)
        ld      r1, CAUSE(r0)
        li      r2, PRIV
        bne     r1, r2, reflect_s
        ; Which instruction?  PRIV's info is its word: op 8 | rd 4 | rs 4 |
        ; imm 16.  The most frequent, a simple lpsw (see lpsw_fast), is
        ; recognized in one comparison: x = the word minus lpsw's op field
        ; is below lim_s only for an lpsw, and then only in the simple case.
        ld      r1, INFO(r0)
        lui     r2, OP_LPSW<<8
        sub     r1, r1, r2              ; x = the word - (OP_LPSW << 24)
        ld      r2, lim_s(r0)
        sltu    r2, r1, r2
        bne     r2, r0, lpsw_fast
        ; The four others the guest uses most have a fast path too, most
        ; frequent first; everything else takes the general path.  x's top
        ; byte is op - OP_LPSW (mod 256); its other fields are the word's.
        li      r2, 24
        shr     r2, r1, r2
        addi    r2, r2, OP_LPSW-OP_OUT
        beq     r2, r0, out_fast
        addi    r2, r2, OP_OUT-OP_STIMER
        beq     r2, r0, stimer_fast
        addi    r2, r2, OP_STIMER-OP_GETM
        beq     r2, r0, getm_fast
        addi    r2, r2, OP_GETM-OP_IN
        beq     r2, r0, in_fast
        jmp     priv_slow

; reflect_s -- reflect a trap (cause r1) that the guest took in its virtual
; supervisor mode: svc, memory, timer, ...  As handler_u, with old mode 0.
reflect_s:
        st      r1, G+CAUSE(r0)
        ld      r1, INFO(r0)
        st      r1, G+INFO(r0)
        ld      r1, OLD_PSW+1(r0)
        st      r1, G+OLD_PSW+1(r0)
        st      r0, G+OLD_PSW+0(r0)     ; SUPERVISOR
        ld      r1, vm_ie(r0)
        st      r1, G+OLD_PSW+4(r0)
        ld      r1, vm_bound(r0)
        st      r1, G+OLD_PSW+3(r0)
        ld      r2, vm_base(r0)         ; (r2 = the old base, kept)
        st      r2, G+OLD_PSW+2(r0)
        ld      r1, G+NEW_PSW+0(r0)
        bne     r1, r0, deliver_slow    ; supervisor -> user: rare, likewise
        ; supervisor -> supervisor
        ld      r1, G+NEW_PSW+1(r0)
        st      r1, vm_pc(r0)
        ld      r1, G+NEW_PSW+4(r0)
        andi    r1, r1, 1
        st      r1, vm_ie(r0)
        ld      r1, G+NEW_PSW+2(r0)
        bne     r1, r2, deliver_slow
        ld      r1, G+NEW_PSW+3(r0)
        ld      r2, vm_bound(r0)
        bne     r1, r2, deliver_slow
        jmp     exit_s
; lpsw_fast -- lpsw imm(rs), r1 = x, its word minus the op field: rd|rs|imm.
; The simple case, which the dispatcher has checked: rs = r0, and the five
; words at imm all inside the guest's R, which starts at the guest's address
; 0 (vm_base = 0, the usual R of a kernel).  lim_s says how far that is
; true: x is below lim_s exactly in that case (resume computes lim_s with
; psw_s), and then x = imm.
lpsw_fast:
        ld      r2, G+0(r1)             ; the new mode: our G+x is its x
        andi    r2, r2, 1
        bne     r2, r0, lpsw_to_user
        ; supervisor -> supervisor, the same R (base 0, the same bound)?
        ld      r2, G+2(r1)
        bne     r2, r0, priv_slow
        ld      r2, G+1(r1)
        st      r2, vm_pc(r0)
        ld      r2, G+4(r1)
        andi    r2, r2, 1
        st      r2, vm_ie(r0)
        ld      r2, vm_bound(r0)
        ld      r1, G+3(r1)
        bne     r1, r2, priv_slow
        jmp     exit_s
lpsw_to_user:                           ; supervisor -> user: a kernel returns
        st      r2, vm_mode(r0)         ; USER
        ld      r2, G+1(r1)
        st      r2, vm_pc(r0)
        st      r2, psw_u+1(r0)
        ld      r2, G+4(r1)
        andi    r2, r2, 1
        st      r2, vm_ie(r0)
        st      r2, psw_u+4(r0)
        ld      r2, G+3(r1)
        st      r2, vm_bound(r0)
        ld      r1, G+2(r1)
        st      r1, vm_base(r0)         ; the control block is complete
        ld      r2, vr_u(r0)
        bne     r1, r2, compose_u       ; not the R psw_u was composed for
        ld      r1, vm_bound(r0)
        ld      r2, vr_u+1(r0)
        beq     r1, r2, to_user         ; psw_u is composed for this R

; compose_u -- compose psw_u's R for the new (vm_base, vm_bound), when it
; lies inside the guest's machine: (VMM_SIZE + vm_base, vm_bound).  Else
; (an empty R, or one reaching past gsize: rare) the general way.  The
; nested VMMs above us run their guests in as many Rs as there are levels,
; so this is frequent under a deep stack.
compose_u0:                             ; (from the bound's test)
        ld      r1, vm_base(r0)
compose_u:                              ; r1 = vm_base
        st      r1, vr_u(r0)
        ld      r2, gsize(r0)
        sltu    r2, r1, r2
        beq     r2, r0, resume_slow     ; vm_base >= gsize
        addi    r2, r1, VMM_SIZE
        st      r2, psw_u+2(r0)
        ld      r2, gsize(r0)
        sub     r1, r2, r1              ; room = gsize - vm_base
        ld      r2, vm_bound(r0)
        st      r2, vr_u+1(r0)
        sltu    r1, r1, r2
        bne     r1, r0, resume_slow     ; room < vm_bound
        beq     r2, r0, resume_slow     ; vm_bound = 0
        st      r2, psw_u+3(r0)
to_user:
        li      r1, handler_u           ; its next trap comes from user mode
        st      r1, NEW_PSW+1(r0)
exit_u: ld      r1, vm_regs+1(r0)       ; (the general resume ends here too)
        ld      r2, vm_regs+2(r0)
        lpsw    psw_u(r0)

; out_fast, stimer_fast -- out rs / stimer rs, r1 = the word.  The guest's
; rs may be any register: copy r3..r7 into vm_regs (the machine keeps them
; too, so vm_saved stays 2) and read it there.
out_fast:
        li      r2, 16
        shr     r2, r1, r2
        andi    r2, r2, 7               ; rs
        st      r3, vm_regs+3(r0)
        st      r4, vm_regs+4(r0)
        st      r5, vm_regs+5(r0)
        st      r6, vm_regs+6(r0)
        st      r7, vm_regs+7(r0)
        ld      r2, vm_regs(r2)         ; the guest's rs (r0 reads 0)
        out     r2                      ; the console is shared: do it
        jmp     advance_s
stimer_fast:                            ; (see emu_stimer in privileged.s)
        li      r2, 16
        shr     r2, r1, r2
        andi    r2, r2, 7
        st      r3, vm_regs+3(r0)
        st      r4, vm_regs+4(r0)
        st      r5, vm_regs+5(r0)
        st      r6, vm_regs+6(r0)
        st      r7, vm_regs+7(r0)
        ld      r2, vm_regs(r2)
        stimer  r2                      ; our timer IS the guest's
        jmp     advance_s

; getm_fast, in_fast -- getm rd / in rd: r1 = the value, then set_rd writes
; it into the guest's rd through a table of two-word stubs, one per register.
getm_fast:
        li      r2, 19
        shr     r2, r1, r2
        andi    r2, r2, 14              ; 2 * rd
        mov     r1, r0                  ; the virtual mode: SUPERVISOR
        jal     r0, set_rd(r2)
in_fast:
        li      r2, 19
        shr     r2, r1, r2
        andi    r2, r2, 14              ; 2 * rd
        in      r1                      ; (used up even for rd = r0)
        jal     r0, set_rd(r2)
set_rd:
        jmp     advance_s               ; r0: writes are ignored
        nop
        st      r1, vm_regs+1(r0)       ; r1, r2: where resume takes them
        jmp     advance_s
        st      r1, vm_regs+2(r0)
        jmp     advance_s
        mov     r3, r1                  ; r3..r7: the machine's own
        jmp     advance_s
        mov     r4, r1
        jmp     advance_s
        mov     r5, r1
        jmp     advance_s
        mov     r6, r1
        jmp     advance_s
        mov     r7, r1
        ; fall through

; advance_s -- the emulated instruction is done and changed neither the mode
; nor R: the guest goes on after it, with psw_s.
advance_s:
        ld      r1, OLD_PSW+1(r0)
        addi    r1, r1, 1
        st      r1, vm_pc(r0)
exit_s: ld      r1, vm_regs+1(r0)       ; (the general resume ends here too)
        ld      r2, vm_regs+2(r0)
        lpsw    psw_s(r0)

; ============================================================================
; THE GENERAL PATH: every case, the textbook way.  Save all the guest's
; registers (vm_saved = 7), decode, run the interpreter routine on the
; virtual state, compose R, restore all registers, lpsw.
; ============================================================================

; deliver_slow -- a fast reflect wrote the old PSW, cause and info; now load
; the guest's new PSW into the control block the general way, and resume.
deliver_slow:
        li      r1, reflect_new         ; (in common/reflect.s)
        jmp     save_rest

; resume_slow -- a fast path completed the control block but found R
; changed: compose it the general way.
resume_slow:
        li      r1, resume
        jmp     save_rest

; priv_slow -- the general emulation of a privileged instruction.
priv_slow:
        li      r1, priv_decode
        ; fall through

; save_rest -- the guest's r3..r7 join r1 and r2 in vm_regs; then go on at r1.
save_rest:
        st      r3, vm_regs+3(r0)
        st      r4, vm_regs+4(r0)
        st      r5, vm_regs+5(r0)
        st      r6, vm_regs+6(r0)
        st      r7, vm_regs+7(r0)
        li      r2, 7
        st      r2, vm_saved(r0)        ; all seven are in vm_regs now
        jal     r0, 0(r1)

priv_decode:
        ld      r2, INFO(r0)
        ld      r3, OLD_PSW+1(r0)       ; the guest's pc

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

        ; Which interpreter routine?  (out, stimer, getm and in always
        ; take their fast paths; their routines in common/privileged.s
        ; serve hybrid.s, and lesson 9.)
        li      r1, OP_LPSW
        beq     r4, r1, emu_lpsw
        li      r1, OP_SPSW
        beq     r4, r1, emu_spsw
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

; advance -- the emulated instruction (spsw, ldp, stp) is done, and changed
; neither the mode nor R: psw_s still holds.  Back to the fast path's exit.
advance:
        li      r1, FAST_SAVED
        st      r1, vm_saved(r0)
        ld      r3, vm_regs+3(r0)
        ld      r4, vm_regs+4(r0)
        ld      r5, vm_regs+5(r0)
        ld      r6, vm_regs+6(r0)
        ld      r7, vm_regs+7(r0)
        jmp     advance_s               ; (vm_pc = OLD_PSW+1 + 1 there)

        .include "common/reflect.s"

; ----------------------------------------------------------------------------
; resume -- THE ALLOCATOR's other half, the general way: compose the real PSW
; for the virtual one and our guest region, restore all the guest's
; registers, and go.  (vm_saved = 7: all of them are in vm_regs.)
;   psw = (USER, vm_pc, VMM_SIZE + vm_base, cbound, vm_ie)
;   cbound = min(vm_bound, gsize - vm_base), unsigned; 0 if vm_base >= gsize.
; An empty R is always composed as (base VMM_SIZE, bound 0): every access
; then traps MEMORY, and we reflect it.
; The PSW is psw_s or psw_u, after the virtual mode; resume also records
; the virtual R it was composed for (vr_s or vr_u), so that the fast paths
; can load it again without composing, and points our NEW_PSW at the
; handler for that mode.
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
        addi    r2, r1, VMM_SIZE        ; < size, no wrap since vm_base < gsize
resume_go:                              ; r2 = composed base, r3 = bound
        ld      r4, vm_pc(r0)
        ld      r5, vm_ie(r0)
        ld      r6, vm_bound(r0)
        ld      r7, vm_mode(r0)
        bne     r7, r0, resume_u
        ; virtual supervisor: psw_s, and lim_s for lpsw_fast:
        ;   lim_s = min(cbound, 0x7fff) - 4 if vm_base = 0 and that is > 0,
        ;   else 0 (no lpsw is simple).
        st      r2, psw_s+2(r0)
        st      r3, psw_s+3(r0)
        st      r1, vr_s(r0)
        st      r6, vr_s+1(r0)
        mov     r4, r0                  ; lim_s = 0 ...
        bne     r1, r0, resume_lim      ; ... unless vm_base = 0
        li      r5, 0x7fff              ; (then imm >= 0 and rd = rs = 0)
        sltu    r6, r3, r5
        beq     r6, r0, resume_cap
        mov     r5, r3
resume_cap:                             ; r5 = min(cbound, 0x7fff)
        addi    r5, r5, -4
        blt     r5, r0, resume_lim      ; fewer than 5 words
        mov     r4, r5
resume_lim:
        st      r4, lim_s(r0)
        li      r1, handler_s
        st      r1, NEW_PSW+1(r0)
        li      r1, FAST_SAVED
        st      r1, vm_saved(r0)
        ld      r3, vm_regs+3(r0)
        ld      r4, vm_regs+4(r0)
        ld      r5, vm_regs+5(r0)
        ld      r6, vm_regs+6(r0)
        ld      r7, vm_regs+7(r0)
        jmp     exit_s
resume_u:                               ; virtual user: psw_u
        st      r4, psw_u+1(r0)
        st      r2, psw_u+2(r0)
        st      r3, psw_u+3(r0)
        st      r5, psw_u+4(r0)
        st      r1, vr_u(r0)
        st      r6, vr_u+1(r0)
        li      r1, handler_u
        st      r1, NEW_PSW+1(r0)
        li      r1, FAST_SAVED
        st      r1, vm_saved(r0)
        ld      r3, vm_regs+3(r0)
        ld      r4, vm_regs+4(r0)
        ld      r5, vm_regs+5(r0)
        ld      r6, vm_regs+6(r0)
        ld      r7, vm_regs+7(r0)
        jmp     exit_u
resume_empty:
        li      r2, VMM_SIZE
        mov     r3, r0
        jmp     resume_go

; ----------------------------------------------------------------------------
; Data.  All of it below 32768 (see the header).
; ----------------------------------------------------------------------------

; The control block: the guest's virtual PSW (five words: vm_pc and vm_ie
; are words of psw_s, below) ...
vm_mode:  .word 0
vm_base:  .word 0
vm_bound: .word 0
; ... its registers (vm_regs+k = guest rk; vm_regs+0 = r0, always 0) ...
vm_regs:  .space 8
; ... how many of them, r1 up, are in vm_regs now (the others are in the
; machine's registers: see REGISTERS) ...
vm_saved: .word 7
; ... and the size of its machine.
gsize:    .word 0

; The real PSWs that resume composes and loads, one per virtual mode (their
; mode is always USER), each with the virtual R it was composed for.  At
; first both are composed for R = (0, 0): the empty R (VMM_SIZE, 0).
psw_s:    .word USER                    ; psw_s+0
vm_pc:    .word RESET                   ; psw_s+1: the guest's pc IS its pc
          .word VMM_SIZE, 0             ; psw_s+2, +3: the composed R
vm_ie:    .word 0                       ; psw_s+4: the guest's ie IS its ie
vr_s:     .word 0, 0
lim_s:    .word 0                       ; see lpsw_fast
psw_u:    .word USER, 0, VMM_SIZE, 0, 0
vr_u:     .word 0, 0

msg_small: .asciz "pgvmm: machine too small for a guest\n"

vmm_end:                                ; must be <= VMM_SIZE
