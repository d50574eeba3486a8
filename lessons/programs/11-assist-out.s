; ============================================================================
; 11-assist-out.s -- lesson 11's monitor: vmm/monitors/assist.s with ONE line
; changed, INTERCEPTS = INTERCEPT_OUT (search for "INTERCEPTS,").  Every `out`
; of its guest now exits to it (a VM exit, reason EXIT_INTERCEPT); it prints
; the character itself with its own `out` and counts it in `out_count`.
; ============================================================================
; ============================================================================
; assist.s -- a virtual machine monitor that uses the hardware assist
;             (interpretive execution) of PG-1 + assist (docs/pg1-assist.md)
; ============================================================================
;
; Run it:   pgsim run --isa pg1-assist --vmm assist --depth 30 examples/os/tinyos.s
;
; WHAT THE HARDWARE DOES FOR US
;
; The naive monitor (pgvmm.s) runs its guest in user mode and does, in
; software, everything the guest's privileged instructions and traps need:
; every one of them is a real trap, and a nested monitor's own privileged
; instructions are traps of the monitor below, so the cost doubles with every
; level.  PG-1 + assist has one more instruction, `sie` -- "start interpretive
; execution", IBM's name (S/370-XA SIE, 1983; Osisek, Jackson & Gum, IBM
; Systems Journal 1991); Intel's VT-x calls it VM entry (VMLAUNCH/VMRESUME),
; with the host in "root" and the guest in "non-root" mode:
;
;   sie  sd(r0)     run the guest described by the STATE DESCRIPTION `sd`
;                   (VT-x: the VMCS) until a VM EXIT; then go on with the
;                   next instruction, like after a call.
;
; The state description holds the guest's whole state: its own PSW (mode,
; pc, base, bound, ie -- its VIRTUAL PSW), its registers, its virtual CPU
; timer, the region of our storage that is its machine (origin, size), and
; the INTERCEPT CONTROLS: a mask saying which instructions we, the host, want
; to see.  While the guest runs, the hardware
;   * runs its innocuous instructions directly, as always;
;   * carries out its privileged instructions in its virtual supervisor mode
;     against the state description -- lpsw, spsw, getm, ldp/stp inside its
;     region, stimer on its virtual timer, out/in on the console, halt --
;     unless we intercept them;
;   * delivers its traps (PRIV in virtual user mode, MEMORY, SVC, ILLEGAL,
;     ARITH) and its timer interrupts into ITS OWN low storage, as its own
;     bare machine would;
;   * on an intercepted instruction, exits: writes the guest's state back into
;     the state description with the reason (EXIT_INTERCEPT) and the info
;     (the instruction word), and we continue after our `sie`.
; So this file has no dispatcher, no reflect and no emulation of lpsw: the
; hardware is the interpreter.  What is left of P&G's three modules is the
; allocator (boot: the region we give the guest) and an exit handler for
; what we chose to intercept.
;
; NESTING: THE HARDWARE COMPOSES THE LEVELS
;
; Our guest may be this same monitor.  When it executes `sie` in its virtual
; supervisor mode, the hardware interprets that entry too (Goldberg's hardware
; virtualizer, 1973): it keeps a stack of active state descriptions (up to
; 64 levels), makes the region of each level a part of the region of the
; level below, and runs the innermost guest directly.  Every level's guest
; runs on the real machine; nobody traps to anybody.
;
; ONE IMAGE, EVERY LEVEL -- as pgvmm.s: this monitor occupies virtual
; [0, VMM_SIZE) of the machine it boots on; its guest's machine is the rest,
; [VMM_SIZE, size), which the guest sees as its [0, size - VMM_SIZE).
;
;   our machine:  0 ......... VMM_SIZE ............................ size
;                 | monitor, sd | the guest's machine (sd's origin, size) |
;
; THE STATE DESCRIPTION (tools read these symbols to show each level's view)
;
;   sd                 SD_WORDS words, laid out as the ISA file declares:
;     sd+SD_PSW        5 words: the guest's own PSW.  Named vm_mode, vm_pc,
;                      vm_base, vm_bound, vm_ie below, like pgvmm.s's
;                      control block, so that the same tools read both.
;     sd+SD_REGS       8 words: the guest's registers (vm_regs)
;     sd+SD_TIMER      its virtual CPU timer (cycles left; 0 = off) and
;     sd+SD_PENDING    whether its timer interrupt is pending
;     sd+SD_ORIGIN     its region: our address VMM_SIZE, and
;     sd+SD_SIZE       size - VMM_SIZE words (gsize)
;     sd+SD_INTERCEPTS what we intercept: INTERCEPTS, below
;     sd+SD_REASON     why it exited, and
;     sd+SD_INFO       the exit's info
; While the guest runs, the state description holds what it was entered
; with; the live state is in the machine (pgsim's views read it from there).
; After a VM exit the state description is the whole truth.
;
; WHAT WE INTERCEPT, AND WHY
;
; Nothing (INTERCEPTS = 0).  A monitor must intercept what it cannot let the
; hardware do for the guest; on PG-1 + assist the hardware does everything
; correctly against the state description: the console is shared anyway, the
; guest's timer is its own, ldp/stp are confined to its region, and halt stops
; the machine -- which is what the guest's halt would do at every level.
;
; Intercepting `out` is one line: set INTERCEPTS to INTERCEPT_OUT.  Then every
; out of our guest exits to us; we print its character ourselves and count it
; in `out_count`.  Our own `out` is in turn intercepted by the monitor below
; us (the intercept controls of the state description that runs the
; EXECUTING level apply), so at depth k an intercepted out costs k exits,
; one per level, each forwarding it down -- linear in k, not 2^k.
;
; WHAT AN EVENT COSTS (docs/pg1-assist.md "Cycle costs")
;
;   guest event at depth k                      real exits   real instructions
;   privileged instruction (not intercepted)         0              1
;   trap or timer interrupt (its own)                0              0 (+ one trap
;                                                                   sequence)
;   intercepted out, every level intercepting        k       about 22 per level
;
; against pgvmm.s's 2^(k-1) real traps per guest trap.  Each level costs one
; `sie` (10 cycles) at boot, and that is all.
;
; REGISTER USE: the monitor uses r1..r6 freely; the guest's registers live in
; the state description while we run.  All monitor data lies below 32768.
; ============================================================================

        .equ    VMM_SIZE, 512           ; words [0, VMM_SIZE) of our machine are ours
        .equ    INTERCEPTS, INTERCEPT_OUT ; lesson 11: intercept out (assist.s: 0)

; The control-block names of the tools (vmm/stack.hpp), inside the state description.
        .equ    vm_mode, sd+SD_PSW+0
        .equ    vm_pc, sd+SD_PSW+1
        .equ    vm_base, sd+SD_PSW+2
        .equ    vm_bound, sd+SD_PSW+3
        .equ    vm_ie, sd+SD_PSW+4
        .equ    vm_regs, sd+SD_REGS
        .equ    gsize, sd+SD_SIZE

; ----------------------------------------------------------------------------
; boot -- every machine resets to (supervisor, 16, base 0, bound = its size,
; ie 0), registers 0, timer 0.  So do we, and we build our guest's state
; description: the guest's machine resets the same way.
; ----------------------------------------------------------------------------
        .org    RESET
boot:
        spsw    own_psw(r0)             ; our machine's size is our bound (when
        ld      r1, own_psw+3(r0)       ; nested, the hardware interprets spsw)
        li      r2, VMM_SIZE+RESET+1    ; room for the guest's low storage
        sltu    r3, r1, r2              ; and its reset entry?
        bne     r3, r0, too_small

        ; Our own traps would be bugs (we run with ie 0; our guest's traps go
        ; into its own low storage): if one happens, say so and stop.
        st      r0, NEW_PSW+0(r0)       ; supervisor
        li      r2, fatal
        st      r2, NEW_PSW+1(r0)
        st      r0, NEW_PSW+2(r0)       ; base 0
        st      r1, NEW_PSW+3(r0)       ; bound = size
        st      r0, NEW_PSW+4(r0)       ; ie 0

        ; THE ALLOCATOR: the guest's machine is the rest of ours.
        li      r2, VMM_SIZE
        st      r2, sd+SD_ORIGIN(r0)
        addi    r3, r1, -VMM_SIZE
        st      r3, sd+SD_SIZE(r0)

        ; The guest resets: (supervisor, RESET, base 0, bound gsize, ie 0),
        ; registers 0, its timer off, nothing pending.
        st      r0, sd+SD_PSW+0(r0)
        li      r2, RESET
        st      r2, sd+SD_PSW+1(r0)
        st      r0, sd+SD_PSW+2(r0)
        st      r3, sd+SD_PSW+3(r0)
        st      r0, sd+SD_PSW+4(r0)
        li      r2, 0
reset_regs:
        st      r0, sd+SD_REGS(r2)
        addi    r2, r2, 1
        li      r4, 8
        bne     r2, r4, reset_regs
        st      r0, sd+SD_TIMER(r0)
        st      r0, sd+SD_PENDING(r0)
        li      r2, INTERCEPTS
        st      r2, sd+SD_INTERCEPTS(r0)

; ----------------------------------------------------------------------------
; run -- THE EXIT LOOP.  VM entry; the guest runs until a VM exit; we handle
; the exit and enter again.
; ----------------------------------------------------------------------------
run:
        sie     sd(r0)                  ; VM entry ... VM exit: here we are again
        ld      r1, sd+SD_REASON(r0)
        li      r2, EXIT_INTERCEPT
        bne     r1, r2, stop            ; validity or nesting: nothing to do
        ld      r2, sd+SD_INFO(r0)      ; the intercepted instruction word
        li      r3, 24
        shr     r4, r2, r3              ; its opcode
        li      r3, OP_OUT
        beq     r4, r3, exit_out
        li      r3, OP_IN
        beq     r4, r3, exit_in
        jmp     stop                    ; something we did not ask for

; out rs, intercepted: print the guest's rs ourselves, and count it.
exit_out:
        li      r3, 16
        shr     r5, r2, r3
        andi    r5, r5, 7               ; rs
        ld      r5, sd+SD_REGS(r5)      ; the guest's rs (its r0 is always 0)
        out     r5                      ; (intercepted in turn by our monitor, if it asks)
        ld      r6, out_count(r0)
        addi    r6, r6, 1
        st      r6, out_count(r0)
        ; fall through: the guest goes on after its out

; advance -- the intercepted instruction is done: the guest's pc moves past it.
advance:
        ld      r3, sd+SD_PSW+1(r0)
        addi    r3, r3, 1
        st      r3, sd+SD_PSW+1(r0)
        jmp     run

; in rd, intercepted: read the console for the guest.
exit_in:
        in      r6
        li      r3, 20
        shr     r5, r2, r3
        andi    r5, r5, 7               ; rd
        beq     r5, r0, advance         ; writes to r0 are ignored
        st      r6, sd+SD_REGS(r5)
        jmp     advance

; ----------------------------------------------------------------------------
; Stops: an exit we cannot handle, a trap of our own, a machine too small.
; ----------------------------------------------------------------------------
stop:
        li      r1, msg_exit
        jmp     say
fatal:
        li      r1, msg_fatal
        jmp     say
too_small:
        li      r1, msg_small
say:
        ld      r2, 0(r1)
        beq     r2, r0, say_done
        out     r2
        addi    r1, r1, 1
        jmp     say
say_done:
        halt

; ----------------------------------------------------------------------------
; Data.
; ----------------------------------------------------------------------------
sd:       .space SD_WORDS               ; the state description of our guest
out_count: .word 0                      ; outs intercepted (with INTERCEPT_OUT)
own_psw:  .space 5                      ; where boot stores our own PSW

msg_exit:  .asciz "assist: the guest exited for a reason this monitor does not handle\n"
msg_fatal: .asciz "assist: the monitor itself trapped\n"
msg_small: .asciz "assist: machine too small for a guest\n"

vmm_end:                                ; must be <= VMM_SIZE
