; ============================================================================
; hybrid.s -- a hybrid virtual machine monitor (HVMM): Popek & Goldberg 1974,
; Theorem 3, for PG-1 and the variants that break Theorem 1
; ============================================================================
;
; WHY ANOTHER MONITOR
;
; pgvmm.s runs ALL of its guest directly, in real user mode, and counts on a
; trap at every sensitive instruction.  That works when every sensitive
; instruction is privileged (P&G's Theorem 1).  On pg1-jru.isa, pg1-setie.isa
; and pg1-getm.isa it is not so:
;
;   jru   imm(rs)  jump AND enter user mode, without trapping (PDP-10 JRST 1);
;   setie rs       set ie in supervisor mode, silently nothing in user mode
;                  (x86 POPF);
;   getm  rd       read the mode, unprivileged (x86: CPL in CS).
;
; A guest OS run deprivileged executes them in real user mode, where they do
; the user-mode thing, and the monitor never hears of it: the guest loses its
; way (lessons 6 and 7).  P&G's Theorem 3 asks less of the machine: only the
; USER-sensitive instructions -- those that are sensitive from some user-mode
; state -- must be privileged.  jru, setie and getm are sensitive only from
; supervisor states, so these machines can host a HYBRID monitor:
;
;   the guest in VIRTUAL USER mode        -> run it directly, in real user
;                                            mode, relocated, exactly like
;                                            pgvmm.s (real user mode and
;                                            virtual user mode agree, so only
;                                            user-sensitive instructions could
;                                            tell, and those trap);
;   the guest in VIRTUAL SUPERVISOR mode  -> INTERPRET it: fetch, decode and
;                                            execute every instruction in
;                                            software, on the virtual state.
;                                            Nothing of it runs on the
;                                            hardware, so nothing can escape.
;
; Here is that monitor.  P&G's three modules are all here, and one more:
;
;   the dispatcher   `handler`: every trap from the guest (it comes only from
;                    virtual user mode, which is the only mode that runs on
;                    the hardware) is REFLECTED: in virtual user mode the
;                    guest's own machine would have trapped too.
;   the allocator    `boot`, `resume`: the same fixed region and composed R as
;                    pgvmm.s.  resume then looks at the virtual mode: user ->
;                    lpsw into the guest; supervisor -> the interpreter.
;   the interpreter  common/privileged.s: the very routines pgvmm.s uses for
;   routines         lpsw, spsw, getm, ldp, stp, out, in, stimer, halt --
;                    plus, for the interpreter loop, one routine per
;                    innocuous instruction and per variant (jru, setie).
;   the INTERPRETER  `interp`: a PG-1 processor written in PG-1.  Its
;                    registers are the control block: vm_pc is its program
;                    counter, vm_regs its register file, vm_mode..vm_ie its
;                    PSW, the guest's storage (through the guest's virtual R)
;                    its memory, and our machine's timer its timer.
;
; The price: every instruction of the guest's kernel costs some 30 of ours
; (see "WHAT INTERPRETING COSTS" below).  Tolerable when the guest spends its
; time in user code; and that split -- kernel code in software, user code on
; the hardware -- is the one VMware's binary translator made fast on x86.
;
; ONE IMAGE, EVERY LEVEL
;
; As pgvmm.s: the same bytes at every level, knowing nothing of the level; it
; occupies [0, VMM_SIZE) of its machine, and its guest's machine is the rest,
; presented to the guest as [0, gsize).  The guest may be this same monitor.
; Then the monitor below INTERPRETS it all the time (a monitor runs in its
; supervisor mode): at depth 3, L0 interprets L1, which interprets L2, which
; interprets the guest's kernel.  Only the guest's user code runs directly.
;
;   our machine:  0 ......... VMM_SIZE ............................ size
;                 | hybrid.s  | the guest's machine, its address 0.. gsize |
;
; THE CONTROL BLOCK -- as pgvmm.s, read by the tools (level views, `pgsim
; equiv`):
;
;   vm_mode, vm_pc, vm_base, vm_bound, vm_ie   the guest's virtual PSW
;   vm_regs   8 words   the guest's registers (vm_regs+0 = r0, always 0).
;                       While we interpret, THIS is the guest's register file;
;                       while the guest runs directly, the machine's.
;   gsize               the size of the guest's machine
;   vm_fetch            (a code label) the interpreter's instruction boundary:
;                       whenever our code is about to execute vm_fetch, the
;                       guest has just completed an instruction (or a trap)
;                       and the control block is its whole state.  `pgsim
;                       equiv` compares the guest with the bare machine there.
;
; THE VIRTUAL TIMER AND INTERRUPTS
;
; As in pgvmm.s, our machine's timer IS the guest's timer: an interpreted
; stimer executes stimer (common/privileged.s).  While the guest runs directly
; it interrupts it as the hardware does (the guest runs with its own ie) and we
; reflect the TIMER trap.  While we interpret, the guest must be interruptible
; too, at its instruction boundaries, when its ie is 1.  So the interpreter
; runs with OUR ie equal to the guest's ie (my_ie = vm_ie: see enter_interp).
; A timer interrupt then arrives in the middle of our interpretation of some
; guest instruction; `handler` notices it came from supervisor mode -- from
; us, not from the guest -- notes it in tick_due and returns to where we were.
; At the next boundary (the top of `interp`, or resume) the guest takes it:
; a TIMER trap reflected with pc = the next guest instruction, as the bare
; machine does.  If by then the guest has disabled interrupts (or trapped,
; which loads ie 0), the interrupt must stay pending until it enables them:
; we give it back to the hardware (`repend`: stimer 1 with our ie 0), so that
; it arrives again as soon as ie is 1 -- at once, like a pending interrupt.
; Time itself is not equivalent (P&G leave it out): the timer counts our
; cycles too, so under the interpreter it falls due after fewer guest
; instructions.
;
; WHAT INTERPRETING COSTS
;
; One guest instruction in virtual supervisor mode = the loop (boundary,
; fetch through the virtual R, a register-field check, decode, a jump through
; the opcode table: 22 instructions) + its routine (5 to 13, write-back and
; the next pc included): some 30 of our instructions, measured 32 on the
; reference OS's kernel (README, "Hybrid VMM").  No trap: the interpreter
; executes no privileged instruction except those it carries out for the
; guest (out, in, stimer, halt) and the lpsw that changes our own ie.
; Innocuous instructions in virtual user mode run at full speed.  The real
; traps of a guest TRAP (svc, memory, timer, a privileged instruction in user
; mode) are those of pgvmm.s at depth 1: the hardware trap, then no lpsw back
; if the guest's new PSW is supervisor (we interpret its handler), and one
; lpsw when it returns to user mode.
;
; Nested, each level multiplies.  A monitor runs in its supervisor mode, so
; the hybrid below interprets ALL of it: at depth k the guest's kernel costs
; about 32^k real instructions per instruction (32 000 at depth 3), its user
; code none.  That is why every instruction saved in the loop matters three
; times over at depth 3, and why the routines below repeat the write-back
; inline instead of jumping to a shared one.

; ONE SOURCE, EVERY ISA
;
; The assembler defines OP_<MNEMONIC> only for the instructions the ISA has.
; The opcode table at the end fills the entries for jru and setie inside
; `.ifdef OP_JRU` / `.ifdef OP_SETIE` blocks, so this file assembles on
; pg1.isa and on each variant; getm needs nothing (same opcode, privileged or
; not: we interpret it in virtual supervisor mode either way).  An opcode the
; table does not know is ILLEGAL, as on a machine without it.
;
; REGISTERS IN THE INTERPRETER
;   r2 the instruction word   r3 its address (the guest's pc)   r4 op
;   r5 the index of the register field at bits 20..23 (rd; a branch's rs)
;   r6 the VALUE of the register at bits 16..19 (rs; a branch's rt)
;   r7 imm, or the value of rt (R format)       r1 scratch, the result
; These are the conventions of pgvmm.s's dispatcher, so that the routines of
; common/privileged.s serve both monitors.
;
; All our data lies below 32768, so that `ld rX, label(r0)` reaches it.
; ============================================================================

        .equ    VMM_SIZE, 1024          ; words [0, VMM_SIZE) of our machine
        .equ    CUR_R, rpsw+2           ; the composed R (base, bound) of the
                                        ; guest, as resume composed it
        .equ    TICK_FLAG, 1            ; emu_stimer clears tick_due too

; ----------------------------------------------------------------------------
; boot -- every machine resets to (supervisor, 16, base 0, bound = its size,
; ie 0), registers 0, timer 0.  So do we; then the guest's machine does.
; ----------------------------------------------------------------------------
        .org    RESET
boot:
        spsw    own_psw(r0)             ; our size: the bound of our PSW
        ld      r1, own_psw+3(r0)
        li      r2, VMM_SIZE+RESET+1    ; room for the guest's low storage
        sltu    r3, r1, r2              ; and reset entry?
        bne     r3, r0, too_small

        li      r2, SUPERVISOR          ; our new PSW: every trap -> handler,
        st      r2, NEW_PSW+0(r0)       ; supervisor, all our machine, ie 0
        li      r2, handler
        st      r2, NEW_PSW+1(r0)
        st      r0, NEW_PSW+2(r0)
        st      r1, NEW_PSW+3(r0)
        st      r0, NEW_PSW+4(r0)
        st      r1, self_psw+3(r0)      ; the PSW set_ie loads: the same R

        addi    r3, r1, -VMM_SIZE       ; the guest gets the rest
        st      r3, gsize(r0)

        li      r2, SUPERVISOR          ; ... and resets:
        st      r2, vm_mode(r0)         ; (supervisor, 16, 0, gsize, ie 0);
        li      r2, RESET               ; its registers are the zeros of
        st      r2, vm_pc(r0)           ; vm_regs in this image
        st      r0, vm_base(r0)
        st      r3, vm_bound(r0)
        st      r0, vm_ie(r0)
        jmp     resume                  ; supervisor: resume interprets it

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
; handler -- THE DISPATCHER.  Every trap our machine takes lands here.
; Two kinds:
;   from USER mode: the guest, running directly in its virtual user mode.
;       Whatever it was (svc, memory, a privileged instruction, timer), the
;       guest's own machine would have trapped too: reflect it.
;   from SUPERVISOR mode: us, interpreting with ie 1 -- a timer interrupt.
;       Note it for the next guest instruction boundary and carry on.
; ----------------------------------------------------------------------------
handler:
        st      r1, h_r1(r0)            ; one register to think with
        ld      r1, OLD_PSW+0(r0)       ; the mode we were in
        beq     r1, r0, handler_tick
        ld      r1, h_r1(r0)            ; the guest's: save its registers
        st      r1, vm_regs+1(r0)
        st      r2, vm_regs+2(r0)
        st      r3, vm_regs+3(r0)
        st      r4, vm_regs+4(r0)
        st      r5, vm_regs+5(r0)
        st      r6, vm_regs+6(r0)
        st      r7, vm_regs+7(r0)
        st      r0, my_ie(r0)           ; the trap sequence loaded our ie 0
        ld      r1, CAUSE(r0)
        ld      r2, INFO(r0)
        ld      r3, OLD_PSW+1(r0)       ; the guest's pc
        jmp     reflect                 ; virtual user mode: reflect all

handler_tick:                           ; a timer interrupt of the interpreter
        st      r2, h_r2(r0)
        li      r1, 1
        st      r1, tick_due(r0)
        ld      r1, OLD_PSW+1(r0)       ; taken right at the boundary, before
        li      r2, vm_fetch            ; the next fetch?  Then go back to the
        bne     r1, r2, handler_back    ; top of the loop instead, where the
        li      r1, interp              ; guest takes it at this very boundary
        st      r1, OLD_PSW+1(r0)
handler_back:
        ld      r1, h_r1(r0)
        ld      r2, h_r2(r0)
        lpsw    OLD_PSW(r0)             ; back into the interpreter, ie 1

; ----------------------------------------------------------------------------
; The interpreter routines for the privileged instructions (emu_lpsw, emu_out,
; emu_spsw, emu_stimer, emu_in, emu_getm, emu_ldp, emu_stp, emu_halt), their
; helpers psw_area and mem_fault: the same as pgvmm.s's.
; ----------------------------------------------------------------------------
        .include "common/privileged.s"

; reflect -- deliver the trap r1 (cause), r2 (info), r3 (pc) to the guest:
; store its virtual old PSW, cause and info in its low storage, load its new
; virtual PSW; then fall through to resume.
        .include "common/reflect.s"

; ----------------------------------------------------------------------------
; resume -- THE ALLOCATOR, and the fork between the two ways of running the
; guest.  Compose the guest's R into rpsw (as pgvmm.s does:
;   cbase = VMM_SIZE + vm_base, cbound = min(vm_bound, gsize - vm_base),
;   (VMM_SIZE, 0) if vm_base >= gsize);
; the interpreter checks the guest's addresses against it too.  Then: a timer
; interrupt waiting for a boundary?  Virtual user mode: go, with lpsw.  Virtual
; supervisor mode: interpret.
; ----------------------------------------------------------------------------
resume:
        ld      r1, vm_base(r0)
        ld      r2, gsize(r0)
        ld      r3, vm_bound(r0)
        sltu    r4, r1, r2
        beq     r4, r0, resume_empty    ; vm_base >= gsize: nothing is valid
        sub     r2, r2, r1              ; room = gsize - vm_base
        sltu    r4, r2, r3
        beq     r4, r0, resume_cb       ; vm_bound <= room: cbound = vm_bound
        mov     r3, r2                  ; else cbound = room
resume_cb:
        beq     r3, r0, resume_empty
        addi    r1, r1, VMM_SIZE
resume_r:
        st      r1, rpsw+2(r0)
        st      r3, rpsw+3(r0)
        ld      r1, tick_due(r0)
        bne     r1, r0, tick            ; an interrupt waits for this boundary
        ld      r1, vm_mode(r0)
        beq     r1, r0, enter_interp    ; virtual supervisor: interpret

        ; Virtual user mode: run the guest directly, exactly as pgvmm.s does.
        ld      r4, vm_pc(r0)
        st      r4, rpsw+1(r0)          ; rpsw+0 is always USER
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
resume_empty:
        li      r1, VMM_SIZE
        mov     r3, r0
        jmp     resume_r

; enter_interp -- interpret from vm_pc on, with our ie = the guest's ie, so that
; a timer interrupt reaches us exactly when it could reach the guest.
enter_interp:
        ld      r1, vm_ie(r0)
        ld      r2, my_ie(r0)
        beq     r1, r2, interp
        li      r2, interp
        ; fall through to set_ie

; set_ie -- our ie = r1 (0/1), then continue at r2: one lpsw of our own PSW.
; (A privileged instruction: when we are nested, the monitor below us
; interprets it.  Rare: only when the guest's ie changes in its supervisor
; mode.)
set_ie:
        st      r1, my_ie(r0)
        st      r1, self_psw+4(r0)
        st      r2, self_psw+1(r0)
        lpsw    self_psw(r0)

; tick -- at a guest instruction boundary, with a timer interrupt in tick_due.
tick:
        st      r0, tick_due(r0)
        ld      r1, vm_ie(r0)
        beq     r1, r0, repend
        li      r1, TIMER               ; the guest takes it now: the trap of
        mov     r2, r0                  ; its machine, info 0, saved pc = the
        ld      r3, vm_pc(r0)           ; instruction it has not yet executed
        jmp     reflect
repend:                                 ; the guest's ie is 0: the interrupt
        ld      r1, my_ie(r0)           ; must stay pending.  Give it back to
        beq     r1, r0, repend_arm      ; the hardware: with our ie 0 ...
        mov     r1, r0
        li      r2, repend_arm
        jmp     set_ie
repend_arm:
        li      r1, 1                   ; ... a timer of 1 cycle, which falls
        stimer  r1                      ; due at once and waits, pending, for
        jmp     resume                  ; the next lpsw with ie 1

; ----------------------------------------------------------------------------
; interp -- THE INTERPRETER LOOP: one guest instruction per turn.
; Enter at `interp` (vm_pc in the control block) or at `next` (r3 = vm_pc:
; every routine ends there, having stored the new vm_pc).
; ----------------------------------------------------------------------------
interp:
        ld      r3, vm_pc(r0)
next:
        ld      r1, tick_due(r0)        ; a timer interrupt came in the last
        bne     r1, r0, tick            ; instruction: the guest takes it here
vm_fetch:                               ; == the guest's instruction boundary ==
        ld      r1, rpsw+3(r0)          ; fetch, through the guest's virtual R:
        sltu    r4, r3, r1              ; valid iff pc < composed bound
        beq     r4, r0, fetch_fault
        ld      r1, rpsw+2(r0)
        add     r1, r1, r3
        ld      r2, 0(r1)               ; r2 = the instruction word

        lui     r1, 0x88                ; bits 23 and 19: a register field
        and     r1, r2, r1              ; of 8..15 names no register, so the
        bne     r1, r0, i_illegal       ; word is no instruction (ILLEGAL)

        li      r1, 24
        shr     r4, r2, r1              ; r4 = op
        li      r1, 20
        shr     r5, r2, r1
        andi    r5, r5, 7               ; r5 = field a (rd), an index
        li      r1, 16
        shr     r6, r2, r1
        andi    r6, r6, 7
        ld      r6, vm_regs(r6)         ; r6 = the value of field b (rs)

        ld      r7, optab(r4)           ; the routine for op, as an offset
        jal     r0, i_illegal(r7)       ; from i_illegal (0: no such op);
                                        ; it starts with r1 = 16

fetch_fault:                            ; the pc itself is outside R
        mov     r6, r3
        jmp     mem_fault

; advance: the instruction at r3 is done; the guest goes on after it.  (The
; routines of common/privileged.s end here.  The routines below do the same
; inline: each instruction saved in this loop is saved again at every level
; of nesting, since the monitor below interprets ours.)
advance:
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next

; i_illegal: the word r2 at r3 is no instruction of this machine.
i_illegal:
        li      r1, ILLEGAL
        jmp     reflect

; ---- format R: op | rd | rs | rt | zero 12 ----------------------------------
; Each routine first checks what only format R has (rt < 8, a zero low field),
; then reads rt into r7, computes r1 and writes it to rd (unless rd is r0).
i_add:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        add     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_sub:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        sub     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_and:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        and     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_or:   andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        or      r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_xor:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        xor     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_mul:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        mul     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_div:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        beq     r7, r0, i_arith         ; division by zero: ARITH, precise
        div     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_rem:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        beq     r7, r0, i_arith
        rem     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_shl:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        shl     r1, r6, r7              ; the machine takes rt & 31 itself
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_shr:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        shr     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_sra:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        sra     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_slt:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        slt     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_sltu: andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        li      r4, 12
        shr     r7, r2, r4
        andi    r7, r7, 7
        ld      r7, vm_regs(r7)
        sltu    r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_arith:
        li      r1, ARITH               ; info = the instruction word (r2)
        jmp     reflect
; rdtime reads time, which no monitor can hide (P&G leave it out): ours.
i_rdtime:andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        rdtime  r1
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_nop:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        jmp     advance
; The privileged ones of format R: check, then the shared routine.
p_getm: andi    r4, r2, 0x8fff          ; (pg1-getm.isa's unprivileged getm too:
        bne     r4, r0, i_illegal       ; in virtual supervisor mode the answer
        jmp     emu_getm                ; is 0 either way)
p_out:  andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        jmp     emu_out
p_in:   andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        jmp     emu_in
p_stimer:andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        jmp     emu_stimer
p_halt: andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        jmp     emu_halt
; setie rs (pg1-setie.isa): in supervisor mode, ie = rs & 1 -- and our own ie
; follows (enter_interp), so that an interrupt now enabled can come in.
i_setie:
        andi    r4, r2, 0x8fff
        bne     r4, r0, i_illegal
        andi    r1, r6, 1
        st      r1, vm_ie(r0)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     enter_interp

; ---- format I: op | rd | rs | imm 16, sign-extended --------------------------
; r1 = 16 on entry: imm = (word << 16) >> 16, arithmetic.
i_addi: shl     r7, r2, r1
        sra     r7, r7, r1              ; r7 = imm
        add     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
; ld rd, imm(rs): through the guest's virtual R, i.e. the composed one.
i_ld:   shl     r7, r2, r1
        sra     r7, r7, r1
        add     r6, r6, r7              ; a = rs + imm (mod 2^32)
        ld      r1, rpsw+3(r0)
        sltu    r1, r6, r1
        beq     r1, r0, mem_fault       ; a >= bound: MEMORY, info a
        ld      r1, rpsw+2(r0)
        add     r1, r1, r6
        ld      r1, 0(r1)
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_st:   shl     r7, r2, r1
        sra     r7, r7, r1
        add     r6, r6, r7
        ld      r1, rpsw+3(r0)
        sltu    r1, r6, r1
        beq     r1, r0, mem_fault
        ld      r4, rpsw+2(r0)
        add     r4, r4, r6
        ld      r1, vm_regs(r5)         ; the guest's rd (r0 reads 0)
        st      r1, 0(r4)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
; jal rd, imm(rs): rd = P + 1; P = rs + imm (rs read before rd is written).
i_jal:  shl     r7, r2, r1
        sra     r7, r7, r1
        addi    r1, r3, 1
        add     r3, r6, r7
        st      r3, vm_pc(r0)
        beq     r5, r0, next
        st      r1, vm_regs(r5)
        jmp     next
; svc imm: completes, then traps SVC with info imm; the saved pc is the next.
i_svc:  shl     r7, r2, r1
        sra     r2, r7, r1              ; info = imm
        addi    r3, r3, 1
        li      r1, SVC
        jmp     reflect
; jru imm(rs) (pg1-jru.isa): P = rs + imm, and the guest enters USER mode.
; This is the instruction trap-and-emulate never sees; we interpret it, and
; resume then runs the guest's user program directly, in real user mode.
i_jru:  shl     r7, r2, r1
        sra     r7, r7, r1
        add     r3, r6, r7
        st      r3, vm_pc(r0)
        li      r1, USER
        st      r1, vm_mode(r0)
        jmp     resume
; The privileged ones of format I: imm into r7, then the shared routine.
p_lpsw: shl     r7, r2, r1
        sra     r7, r7, r1
        jmp     emu_lpsw
p_spsw: shl     r7, r2, r1
        sra     r7, r7, r1
        jmp     emu_spsw
p_ldp:  shl     r7, r2, r1
        sra     r7, r7, r1
        jmp     emu_ldp
p_stp:  shl     r7, r2, r1
        sra     r7, r7, r1
        jmp     emu_stp

; ---- format U: op | rd | rs | imm 16, zero-extended --------------------------
i_andi: andi    r7, r2, 0xffff
        and     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_ori:  andi    r7, r2, 0xffff
        or      r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_xori: andi    r7, r2, 0xffff
        xor     r1, r6, r7
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next
i_lui:  andi    r7, r2, 0xffff
        shl     r1, r7, r1              ; r1 = 16
        beq     r5, r0, advance
        st      r1, vm_regs(r5)
        addi    r3, r3, 1
        st      r3, vm_pc(r0)
        jmp     next

; ---- format B: op | rs | rt | imm 16: P = P + 1 + imm when taken ------------
; Here field a (r5) is rs, an index, and r6 is the value of rt.
i_beq:  ld      r5, vm_regs(r5)
        bne     r5, r6, advance
        jmp     taken
i_bne:  ld      r5, vm_regs(r5)
        beq     r5, r6, advance
        jmp     taken
i_blt:  ld      r5, vm_regs(r5)
        bge     r5, r6, advance
        jmp     taken
i_bge:  ld      r5, vm_regs(r5)
        blt     r5, r6, advance
taken:  shl     r7, r2, r1              ; (r1 = 16 still)
        sra     r7, r7, r1
        add     r3, r3, r7
        addi    r3, r3, 1               ; P = P + 1 + imm
        st      r3, vm_pc(r0)
        jmp     next

; ----------------------------------------------------------------------------
; Data.  All of it below 32768.
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

; The real PSW that resume composes: words 2 and 3 (CUR_R) are the guest's
; composed R, for the interpreter as for the hardware.  Mode always USER.
rpsw:     .word USER, 0, 0, 0, 0
; Our own PSW, loaded by set_ie to change our ie: (supervisor, where to go on,
; base 0, bound = our size, ie).
self_psw: .word SUPERVISOR, 0, 0, 0, 0
my_ie:    .word 0                       ; our ie while we interpret
tick_due: .word 0                       ; a timer interrupt taken, not yet
                                        ; delivered to the guest
h_r1:     .word 0                       ; handler's scratch
h_r2:     .word 0
own_psw:  .space 5                      ; boot's spsw

msg_small: .asciz "hybrid: machine too small for a guest\n"

; ----------------------------------------------------------------------------
; The opcode table: optab+op = (the routine for op) - i_illegal, so that an
; opcode this machine does not have -- a word of 0 -- lands on i_illegal.
; The entries are placed by opcode with .org; the opcodes are the ISA file's
; choice, named by the constants OP_<MNEMONIC> the assembler defines.
; ----------------------------------------------------------------------------
optab:
        .org optab+OP_ADD
        .word i_add-i_illegal
        .org optab+OP_SUB
        .word i_sub-i_illegal
        .org optab+OP_AND
        .word i_and-i_illegal
        .org optab+OP_OR
        .word i_or-i_illegal
        .org optab+OP_XOR
        .word i_xor-i_illegal
        .org optab+OP_MUL
        .word i_mul-i_illegal
        .org optab+OP_DIV
        .word i_div-i_illegal
        .org optab+OP_REM
        .word i_rem-i_illegal
        .org optab+OP_SHL
        .word i_shl-i_illegal
        .org optab+OP_SHR
        .word i_shr-i_illegal
        .org optab+OP_SRA
        .word i_sra-i_illegal
        .org optab+OP_SLT
        .word i_slt-i_illegal
        .org optab+OP_SLTU
        .word i_sltu-i_illegal
        .org optab+OP_ADDI
        .word i_addi-i_illegal
        .org optab+OP_ANDI
        .word i_andi-i_illegal
        .org optab+OP_ORI
        .word i_ori-i_illegal
        .org optab+OP_XORI
        .word i_xori-i_illegal
        .org optab+OP_LUI
        .word i_lui-i_illegal
        .org optab+OP_LD
        .word i_ld-i_illegal
        .org optab+OP_ST
        .word i_st-i_illegal
        .org optab+OP_BEQ
        .word i_beq-i_illegal
        .org optab+OP_BNE
        .word i_bne-i_illegal
        .org optab+OP_BLT
        .word i_blt-i_illegal
        .org optab+OP_BGE
        .word i_bge-i_illegal
        .org optab+OP_JAL
        .word i_jal-i_illegal
        .org optab+OP_SVC
        .word i_svc-i_illegal
        .org optab+OP_RDTIME
        .word i_rdtime-i_illegal
        .org optab+OP_NOP
        .word i_nop-i_illegal
        .org optab+OP_LPSW
        .word p_lpsw-i_illegal
        .org optab+OP_SPSW
        .word p_spsw-i_illegal
        .org optab+OP_GETM
        .word p_getm-i_illegal
        .org optab+OP_LDP
        .word p_ldp-i_illegal
        .org optab+OP_STP
        .word p_stp-i_illegal
        .org optab+OP_OUT
        .word p_out-i_illegal
        .org optab+OP_IN
        .word p_in-i_illegal
        .org optab+OP_STIMER
        .word p_stimer-i_illegal
        .org optab+OP_HALT
        .word p_halt-i_illegal
.ifdef OP_JRU                           ; pg1-jru.isa
        .org optab+OP_JRU
        .word i_jru-i_illegal
.endif
.ifdef OP_SETIE                         ; pg1-setie.isa
        .org optab+OP_SETIE
        .word i_setie-i_illegal
.endif
        .org optab+256                  ; (op is 8 bits)
vmm_end:                                ; must be <= VMM_SIZE
