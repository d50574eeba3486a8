; ============================================================================
; pv.s -- the paravirtualizing monitor for PG-1 (Xen's idea, on a small machine)
; ============================================================================
;
; WHAT PARAVIRTUALIZATION IS
;
; A trap-and-emulate VMM (pgvmm.s) runs an UNMODIFIED guest: every sensitive
; instruction the guest executes must trap, so that the VMM can emulate it.
; That needs Popek & Goldberg's Theorem 1 (every sensitive instruction is
; privileged), and it costs a trap, a decode and an emulation per privileged
; instruction -- for `out`, one per character printed.
;
; Xen (Barham et al., "Xen and the Art of Virtualization", SOSP 2003) gave up
; the unmodified guest.  Its guests are PORTED to a virtual machine that is
; "similar but not identical" to the hardware: the port replaces every
; privileged instruction by a HYPERCALL, a deliberate call into the monitor
; with a request -- to a hypervisor what a system call is to an OS.  The
; monitor no longer has to guess what the guest meant from a trapped
; instruction word: the guest says so, and can say much at once ("write this
; whole buffer to the console", "do these five things": a multicall).
; This file is such a monitor; docs/hypercalls.md is its interface, the
; hypercall table, and examples/os/tinyos-pv.s is the reference OS, ported.
;
; HOW A PV GUEST CALLS US, AND HOW WE CALL IT BACK
;
;   hypercall   `svc N` with N in HC_BASE .. HC_LIMIT-1 (pv-abi.s), executed
;               in the guest's VIRTUAL SUPERVISOR mode.  svc traps in every
;               mode on every PG-1 variant, so we always see it.  Arguments in
;               r1..r3, result in r1, the other registers preserved.  An svc
;               from virtual USER mode is a system call of the guest's user
;               program: it belongs to the guest OS and is delivered to it.
;   trap table  Xen's guest registers a table of trap handlers with a
;               hypercall (set_trap_table) instead of writing the hardware's
;               vector.  Ours registers, with HC_SET_TRAP_TABLE, TT_SIZE words
;               of its storage laid out like PG-1's low storage: the old PSW,
;               cause and info we write there (TT_OLD_PSW, TT_CAUSE, TT_INFO)
;               and the PSW we load to enter its handler (TT_HANDLER).
;   delivery    every trap of the guest that is not a hypercall -- its user
;               programs' system calls, PRIV, MEMORY, ILLEGAL, ARITH, and the
;               TIMER interrupt (Xen's "events") -- is DELIVERED: we write the
;               trap table as the hardware writes low storage and load the
;               handler PSW.  The guest's registers are left as they were.
;   return      HC_IRET loads the PSW in the table's old-PSW slot: the PV
;               guest's "return from trap", and its switch to a user task (it
;               writes the task's PSW there first; Xen's iret hypercall).
;
; We never EMULATE an instruction.  A privileged instruction that the guest
; executes in virtual supervisor mode (an unported guest: `out`, `halt`, ...)
; traps PRIV and is delivered to the guest like any other trap, as Xen
; delivers a general-protection fault.  A guest with no trap table yet (every
; unmodified example guest: they never register one) cannot take a trap, so we
; stop the machine with a message saying what it did and where.
;
; ONE IMAGE, EVERY LEVEL -- AND THE PROBE
;
; Like pgvmm.s we occupy virtual [0, VMM_SIZE) of our machine; our guest's
; machine is [VMM_SIZE, size), presented to it as [0, gsize).  And like
; pgvmm.s we run under ourselves.  But a monitor is an operating system too:
; under a PV monitor it must itself be paravirtualized.  It cannot execute
; `out`, `stimer`, `lpsw` or `halt` in the virtual machine it boots in (they
; would trap PRIV and be delivered to it, i.e. to nobody), nor `spsw` (on
; pg1-spsw.isa it does not even trap: it would read the REAL PSW).  So the same
; bytes must find out at boot where they run.  They ask:
;
;     li r1, 0  /  svc HC_PROBE
;
;   * under a PV monitor the svc is a hypercall: it returns r1 = PV_MAGIC and
;     r2 = the size of our machine.  From then on we make hypercalls too: our
;     `out` becomes HC_CONSOLE_WRITE, our `lpsw` HC_IRET, and so on.
;   * on bare hardware (and under a full virtualizer such as pgvmm.s, which
;     is indistinguishable from it -- Popek & Goldberg's point) the svc is a
;     plain trap.  We pointed our new PSW at the instruction after the svc,
;     so we arrive there with r1 still 0.  The old PSW the trap stored is the
;     PSW we had: its bound is our machine's size.  No spsw needed, ever.
;
; Each privileged instruction of ours is written twice, as the instruction
; (on_bare = 1) and as the hypercall that replaces it (on_bare = 0).
; (Linux's paravirt_ops does the same: every privileged operation of the
; kernel goes through a table filled in at boot for bare metal or for Xen.)
;
;   our machine:  0 ........ VMM_SIZE ............................. size
;                 | this VMM | the guest's machine, its address 0.. gsize |
;
; Our own trap table (under a PV monitor) is our low storage, 0..12, so the
; dispatcher reads OLD_PSW, CAUSE and INFO at the same addresses in both
; cases: the hardware writes them there, or the monitor below us does.
;
; THE CONTROL BLOCK (tools read these symbols to show each level's view)
;
;   vm_mode, vm_pc, vm_base, vm_bound, vm_ie   the guest's virtual PSW
;   vm_regs   8 words   the guest's registers while we run (vm_regs+k = rk)
;   gsize     1 word    the size of the guest's machine, in words
;   tt        1 word    the guest's trap table: its guest-real address
;                       (the address in the guest's machine), or -1: none
;   on_bare   1 word    1 if we run on bare hardware, 0 under a PV monitor
;
; WHAT A HYPERCALL COSTS, AND HOW IT TRAVELS DOWN THE LEVELS
;
; PG-1 has one trap vector, the real one, so every svc, at any depth, is a
; real trap into L0.  For a PV guest at depth k (k monitors below it):
;
;   * k = 1: L0 handles the hypercall and resumes the guest with lpsw (real
;     supervisor mode: free).  ONE real trap.
;   * k > 1: L0 sees a trap of its guest (L1) while L1 runs ITS guest, i.e.
;     in L1's virtual user mode: L0 delivers it to L1's trap table.  L1 does
;     the same for L2, ... until L(k-1), for which the caller is in virtual
;     supervisor mode: L(k-1) handles the hypercall.  Every delivery and
;     every return on the way is a resume by a monitor, and a monitor at
;     depth j >= 1 resumes with HC_IRET: a hypercall of its own.
;
; Let D(k) = the real traps of a hypercall at depth k that the monitor answers
; without a hypercall of its own (PROBE, SET_IE, SET_TRAP_TABLE, IRET):
;   D(1) = 1, D(k) = D(k-1) [deliver it to L(k-1)] + D(k-1) [L(k-1)'s HC_IRET]
;   so D(k) = 2^(k-1): 1, 2, 4, 8 ...  exactly trap-and-emulate's T(k).
; A hypercall that needs one of its own below (CONSOLE_WRITE, CONSOLE_READ,
; SET_TIMER) adds that one's cost at depth k-1:
;   C(1) = 1, C(k) = D(k) + C(k-1), so C(k) = 2^k - 1: 1, 3, 7, 15 ...
; -- again trap-and-emulate's cost of `out`, but per BUFFER, not per
; character.  Nesting multiplies traps the same way; what PV saves is the
; number of events: one hypercall where the unmodified guest took many traps.
;
; REGISTER USE
;   r1 cause, r2 info, r3 the guest's pc (the next instruction after svc and
;   timer, the faulting one otherwise).  Hypercall routines: r4, r5, r6 =
;   the arguments (the guest's r1, r2, r3), r7 = return address, result in
;   r1.  All guest registers are saved in vm_regs first and restored by resume.
; All our data lies below 32768, so that `ld rX, label(r0)` can name it.
; ============================================================================

        .include "pv-abi.s"

        .equ    VMM_SIZE, 1024          ; words [0, VMM_SIZE) of our machine
                                        ; are ours; the image must fit below

; ----------------------------------------------------------------------------
; boot -- every machine resets to (supervisor, 16, base 0, bound = its size,
; ie 0), registers 0.  First: where are we?  (See THE PROBE above.)
; ----------------------------------------------------------------------------
        .org    RESET
boot:
        li      r2, SUPERVISOR          ; on bare hardware the probe's trap
        st      r2, NEW_PSW+0(r0)       ; comes back to `probed`, with our
        li      r2, probed              ; own storage addressable (bound
        st      r2, NEW_PSW+1(r0)       ; VMM_SIZE: we do not know more yet)
        st      r0, NEW_PSW+2(r0)
        li      r2, VMM_SIZE
        st      r2, NEW_PSW+3(r0)
        st      r0, NEW_PSW+4(r0)
        li      r1, 0
        svc     HC_PROBE
probed:
        li      r3, PV_MAGIC
        beq     r1, r3, boot_pv
        li      r3, 1                   ; bare: the svc trapped to us.  The PSW
        st      r3, on_bare(r0)         ; it interrupted has bound = our size
        ld      r1, OLD_PSW+3(r0)
        jmp     boot_sized
boot_pv:
        st      r0, on_bare(r0)         ; under a PV monitor: r2 = our size
        mov     r1, r2
boot_sized:                             ; r1 = the size of our machine
        li      r2, VMM_SIZE+RESET+1    ; the guest needs at least its low
        sltu    r3, r1, r2              ; storage and its reset entry
        bne     r3, r0, too_small

        ; Our trap entry: `handler`, supervisor, our whole machine, ie 0.  On
        ; bare hardware this is the new PSW; under a PV monitor the same five
        ; words, at the same place, are the handler PSW of our trap table.
        li      r2, SUPERVISOR
        st      r2, NEW_PSW+0(r0)
        li      r2, handler
        st      r2, NEW_PSW+1(r0)
        st      r0, NEW_PSW+2(r0)
        st      r1, NEW_PSW+3(r0)
        st      r0, NEW_PSW+4(r0)
        ld      r2, on_bare(r0)
        bne     r2, r0, boot_guest
        mov     r4, r1
        li      r1, 0                   ; our trap table: our low storage
        svc     HC_SET_TRAP_TABLE
        mov     r1, r4

boot_guest:                             ; the allocator: the guest gets the rest
        addi    r3, r1, -VMM_SIZE
        st      r3, gsize(r0)
        li      r2, -1                  ; it has no trap table yet
        st      r2, tt(r0)
        li      r2, SUPERVISOR          ; it resets like any machine:
        st      r2, vm_mode(r0)         ; (supervisor, 16, 0, gsize, ie 0)
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
        call    say
        jmp     stop

; ----------------------------------------------------------------------------
; handler -- THE DISPATCHER.  Every trap of our guest arrives here, written
; into our low storage by the hardware or by the PV monitor below us.
; ----------------------------------------------------------------------------
handler:
        st      r1, vm_regs+1(r0)
        st      r2, vm_regs+2(r0)
        st      r3, vm_regs+3(r0)
        st      r4, vm_regs+4(r0)
        st      r5, vm_regs+5(r0)
        st      r6, vm_regs+6(r0)
        st      r7, vm_regs+7(r0)
        ld      r1, CAUSE(r0)
        ld      r2, INFO(r0)
        ld      r3, OLD_PSW+1(r0)       ; the guest's pc

        ; A hypercall is an svc with a number in the reserved range, from
        ; the guest's virtual supervisor mode.  Anything else is delivered.
        li      r4, SVC
        bne     r1, r4, deliver
        ld      r4, vm_mode(r0)
        bne     r4, r0, deliver         ; a user program's system call
        addi    r4, r2, -HC_BASE        ; r4 = the hypercall's index
        li      r5, HC_LIMIT-HC_BASE
        sltu    r5, r4, r5
        beq     r5, r0, deliver         ; not ours: the guest's own svc

        st      r3, vm_pc(r0)           ; it returns after its svc
        mov     r1, r4
        ld      r4, vm_regs+1(r0)       ; the arguments: its r1, r2, r3
        ld      r5, vm_regs+2(r0)
        ld      r6, vm_regs+3(r0)
        li      r2, HC_COUNT
        sltu    r2, r1, r2
        beq     r2, r0, hc_direct_nosys
        jal     r7, hc_table(r1)        ; call routine r1: r1 = its result
hc_direct_done:
        st      r1, vm_regs+1(r0)       ; the result is the guest's r1
        jmp     resume
hc_direct_nosys:
        li      r1, -ENOSYS
        jmp     hc_direct_done

; The hypercall table: entry i jumps to the routine of hypercall HC_BASE + i.
hc_table:
        jmp     hc_probe                ; 256 HC_PROBE
        jmp     hc_set_trap_table       ; 257 HC_SET_TRAP_TABLE
        jmp     hc_iret                 ; 258 HC_IRET
        jmp     hc_console_write        ; 259 HC_CONSOLE_WRITE
        jmp     hc_console_read         ; 260 HC_CONSOLE_READ
        jmp     hc_set_timer            ; 261 HC_SET_TIMER
        jmp     hc_set_ie               ; 262 HC_SET_IE
        jmp     hc_halt                 ; 263 HC_HALT
        jmp     hc_multicall            ; 264 HC_MULTICALL

; ----------------------------------------------------------------------------
; THE HYPERCALL ROUTINES.  In: r4, r5, r6 = the guest's r1, r2, r3; r7 =
; return address.  Out: r1 = the result (>= 0, or -EFAULT, -EINVAL, ...).
; HC_IRET and HC_HALT do not return.  They may use r1..r6.
; ----------------------------------------------------------------------------

; HC_PROBE: "is there a PV monitor, and how big is my machine?"
hc_probe:
        ld      r1, gsize(r0)
        st      r1, vm_regs+2(r0)       ; r2 = the size of the guest's machine
        li      r1, PV_VERSION
        st      r1, vm_regs+3(r0)       ; r3 = the interface version
        li      r1, PV_MAGIC
        ret

; HC_SET_TRAP_TABLE r1 = a: the trap table is the TT_SIZE words at the
; guest's virtual address a (checked now, through its R); we keep its
; guest-real address, so that it stays put whatever R the guest loads later.
hc_set_trap_table:
        st      r7, hc_link(r0)
        mov     r6, r4
        li      r5, TT_SIZE
        call    area
        bne     r1, r0, hc_return       ; -EFAULT
        addi    r6, r6, -VMM_SIZE       ; our address -> guest-real address
        st      r6, tt(r0)
        li      r1, 0
hc_return:
        ld      r7, hc_link(r0)
        ret

; HC_IRET: virtual PSW = the PSW in the trap table's old-PSW slot (any mode:
; back into the OS's own code, or into a user task).  Registers unchanged.
hc_iret:
        ld      r4, tt(r0)
        blt     r4, r0, hc_einval       ; no trap table: nowhere to load from
hc_iret_go:
        ld      r1, VMM_SIZE+TT_OLD_PSW+0(r4)
        andi    r1, r1, 1               ; only the low bit of mode counts
        st      r1, vm_mode(r0)
        ld      r1, VMM_SIZE+TT_OLD_PSW+1(r4)
        st      r1, vm_pc(r0)
        ld      r1, VMM_SIZE+TT_OLD_PSW+2(r4)
        st      r1, vm_base(r0)
        ld      r1, VMM_SIZE+TT_OLD_PSW+3(r4)
        st      r1, vm_bound(r0)
        ld      r1, VMM_SIZE+TT_OLD_PSW+4(r4)
        andi    r1, r1, 1               ; only the low bit of ie counts
        st      r1, vm_ie(r0)
        jmp     resume
hc_einval:
        li      r1, -EINVAL
        ret

; HC_CONSOLE_WRITE r1 = a, r2 = n: write the n words at guest virtual a..a+n-1
; (each word's low 8 bits, as `out` does), all checked first.
hc_console_write:
        st      r7, hc_link(r0)
        mov     r6, r4
        call    area                    ; r5 = n already
        bne     r1, r0, hc_return       ; -EFAULT
        ld      r1, on_bare(r0)
        beq     r1, r0, hc_cw_pv
hc_cw_loop:                             ; bare: the console is ours
        beq     r5, r0, hc_cw_done
        ld      r1, 0(r6)
        out     r1
        addi    r6, r6, 1
        addi    r5, r5, -1
        jmp     hc_cw_loop
hc_cw_done:
        li      r1, 0
        jmp     hc_return
hc_cw_pv:                               ; under a PV monitor: the whole buffer,
        mov     r1, r6                  ; at our address of it, in one
        mov     r2, r5                  ; hypercall of our own
        svc     HC_CONSOLE_WRITE
        jmp     hc_return

; HC_CONSOLE_READ: r1 = the next console input word, or -1 when there is none.
hc_console_read:
        ld      r1, on_bare(r0)
        beq     r1, r0, hc_cr_pv
        in      r1
        ret
hc_cr_pv:
        svc     HC_CONSOLE_READ
        ret

; HC_SET_TIMER r1 = cycles: our machine's timer IS the guest's virtual timer
; (as in pgvmm.s).  0 turns it off and clears a pending interrupt.  The
; interrupt is delivered when it falls due while the guest's virtual ie = 1.
hc_set_timer:
        ld      r1, on_bare(r0)
        beq     r1, r0, hc_st_pv
        stimer  r4
        li      r1, 0
        ret
hc_st_pv:
        mov     r1, r4
        svc     HC_SET_TIMER
        ret

; HC_SET_IE r1 = ie: the guest's virtual interrupt enable (the low bit).
; Returns the old one.  We resume the guest with the new ie, so a timer
; interrupt pending since it fell due is taken right after the svc.
hc_set_ie:
        ld      r1, vm_ie(r0)
        andi    r4, r4, 1
        st      r4, vm_ie(r0)
        ret

; HC_HALT: the guest stops, so does the machine (vm_pc: after the svc).
hc_halt:
        jmp     stop

; HC_MULTICALL r1 = a, r2 = n: run the n entries (MC_ENTRY words each) at
; guest virtual a, in order; write each one's result into it.  Returns 0, or
; -EINVAL (n > MC_MAX) / -EFAULT (the list outside R) with no entry run.
; An entry may not be HC_PROBE or HC_MULTICALL (its result: -EINVAL).
; HC_IRET and HC_HALT end the batch: put them last.  A final HC_IRET resumes
; the guest with r1 and r2 taken from its MC_ARG1 and MC_ARG2 -- the two
; registers the multicall itself needed (Xen's iret frame restores the
; registers its hypercall clobbers for the same reason).
hc_multicall:
        st      r7, mc_link(r0)
        li      r1, MC_MAX+1
        sltu    r1, r5, r1
        beq     r1, r0, mc_inval        ; n > MC_MAX (unsigned)
        mov     r6, r4
        li      r1, MC_ENTRY
        mul     r5, r5, r1              ; words (<= 320)
        call    area
        bne     r1, r0, mc_return       ; -EFAULT
        st      r6, mc_p(r0)            ; our address of the next entry
        add     r5, r6, r5
        st      r5, mc_end(r0)
mc_loop:
        ld      r6, mc_p(r0)
        ld      r5, mc_end(r0)
        beq     r6, r5, mc_done
        ld      r1, MC_OP(r6)
        addi    r1, r1, -HC_BASE
        li      r2, HC_COUNT
        sltu    r2, r1, r2
        beq     r2, r0, mc_nosys
        beq     r1, r0, mc_einval                       ; HC_PROBE
        li      r2, HC_MULTICALL-HC_BASE
        beq     r1, r2, mc_einval
        li      r2, HC_IRET-HC_BASE
        beq     r1, r2, mc_iret
        ld      r4, MC_ARG1(r6)
        ld      r5, MC_ARG2(r6)
        ld      r6, MC_ARG3(r6)
        jal     r7, hc_table(r1)
mc_result:
        ld      r6, mc_p(r0)
        st      r1, MC_RESULT(r6)
        addi    r6, r6, MC_ENTRY
        st      r6, mc_p(r0)
        jmp     mc_loop
mc_nosys:
        li      r1, -ENOSYS
        jmp     mc_result
mc_einval:
        li      r1, -EINVAL
        jmp     mc_result
mc_iret:
        ld      r4, tt(r0)
        blt     r4, r0, mc_einval
        st      r0, MC_RESULT(r6)
        ld      r1, MC_ARG1(r6)
        st      r1, vm_regs+1(r0)
        ld      r1, MC_ARG2(r6)
        st      r1, vm_regs+2(r0)
        jmp     hc_iret_go
mc_done:
        li      r1, 0
mc_return:
        ld      r7, mc_link(r0)
        ret
mc_inval:
        li      r1, -EINVAL
        jmp     mc_return

; area -- are the n words at guest virtual a..a+n-1 all inside the R the
; guest trapped with?  The composed PSW it ran with (our OLD_PSW) says: a is
; valid iff a < cb, its bound, and names our word cb_base + a.
; In: r6 = a, r5 = n (unsigned; 0 is always fine), r7 = link.
; Out: r1 = 0 and r6 = our address of a; or r1 = -EFAULT.  Uses r2.
area:
        beq     r5, r0, area_ok
        ld      r2, OLD_PSW+3(r0)       ; cb
        sltu    r1, r6, r2
        beq     r1, r0, area_fault      ; a >= cb
        sub     r2, r2, r6              ; cb - a words are valid from a on
        sltu    r1, r2, r5
        bne     r1, r0, area_fault      ; fewer than n
        ld      r2, OLD_PSW+2(r0)
        add     r6, r6, r2
area_ok:
        li      r1, 0
        ret
area_fault:
        li      r1, -EFAULT
        ret

; ----------------------------------------------------------------------------
; deliver -- the trap (r1 cause, r2 info, r3 pc) goes to the guest's trap
; table, as the hardware would write its low storage: old virtual PSW, cause,
; info; then the handler PSW becomes the virtual PSW.
; ----------------------------------------------------------------------------
deliver:
        ld      r4, tt(r0)
        blt     r4, r0, no_table
        ld      r5, vm_mode(r0)
        st      r5, VMM_SIZE+TT_OLD_PSW+0(r4)
        st      r3, VMM_SIZE+TT_OLD_PSW+1(r4)   ; with the trap's pc
        ld      r5, vm_base(r0)
        st      r5, VMM_SIZE+TT_OLD_PSW+2(r4)
        ld      r5, vm_bound(r0)
        st      r5, VMM_SIZE+TT_OLD_PSW+3(r4)
        ld      r5, vm_ie(r0)
        st      r5, VMM_SIZE+TT_OLD_PSW+4(r4)
        st      r1, VMM_SIZE+TT_CAUSE(r4)
        st      r2, VMM_SIZE+TT_INFO(r4)
        ld      r5, VMM_SIZE+TT_HANDLER+0(r4)
        andi    r5, r5, 1
        st      r5, vm_mode(r0)
        ld      r5, VMM_SIZE+TT_HANDLER+1(r4)
        st      r5, vm_pc(r0)
        ld      r5, VMM_SIZE+TT_HANDLER+2(r4)
        st      r5, vm_base(r0)
        ld      r5, VMM_SIZE+TT_HANDLER+3(r4)
        st      r5, vm_bound(r0)
        ld      r5, VMM_SIZE+TT_HANDLER+4(r4)
        andi    r5, r5, 1
        st      r5, vm_ie(r0)
        ; fall through to resume

; ----------------------------------------------------------------------------
; resume -- compose the real PSW from the virtual one and our guest region
; (exactly as pgvmm.s does), put it in our low storage's old-PSW slot, restore
; the guest's registers and load it: with lpsw on bare hardware, with HC_IRET
; (which loads the same slot of our trap table) under a PV monitor.
;   rpsw = (USER, vm_pc, VMM_SIZE + vm_base, cbound, vm_ie)
;   cbound = min(vm_bound, gsize - vm_base), unsigned; 0 if vm_base >= gsize.
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
resume_go:
        li      r4, USER
        st      r4, OLD_PSW+0(r0)
        ld      r4, vm_pc(r0)
        st      r4, OLD_PSW+1(r0)
        st      r1, OLD_PSW+2(r0)
        st      r3, OLD_PSW+3(r0)
        ld      r4, vm_ie(r0)
        st      r4, OLD_PSW+4(r0)       ; we ourselves always run with ie 0
        ld      r4, on_bare(r0)
        bne     r4, r0, resume_bare
        ld      r1, vm_regs+1(r0)
        ld      r2, vm_regs+2(r0)
        ld      r3, vm_regs+3(r0)
        ld      r4, vm_regs+4(r0)
        ld      r5, vm_regs+5(r0)
        ld      r6, vm_regs+6(r0)
        ld      r7, vm_regs+7(r0)
        svc     HC_IRET                 ; our only hypercall on a plain trap
resume_bare:
        ld      r1, vm_regs+1(r0)
        ld      r2, vm_regs+2(r0)
        ld      r3, vm_regs+3(r0)
        ld      r4, vm_regs+4(r0)
        ld      r5, vm_regs+5(r0)
        ld      r6, vm_regs+6(r0)
        ld      r7, vm_regs+7(r0)
        lpsw    OLD_PSW(r0)             ; our only privileged instruction on
                                        ; a plain trap
resume_empty:
        li      r1, VMM_SIZE
        mov     r3, r0
        jmp     resume_go

; ----------------------------------------------------------------------------
; The guest took a trap before it registered a trap table: an unmodified
; guest (or a PV guest's bug).  Say what it was, and stop.
;   pv: trap PRIV (info 0x25100000) at pc 0x00000012 before the guest
;   registered a trap table: ...
; ----------------------------------------------------------------------------
no_table:
        st      r3, vm_pc(r0)           ; the level view shows where it stopped
        st      r1, nt_cause(r0)
        st      r2, nt_info(r0)
        st      r3, nt_pc(r0)
        li      r1, msg_nt_1
        call    say
        ld      r1, nt_cause(r0)
        andi    r1, r1, 7
        ld      r1, cause_names(r1)
        call    say
        li      r1, msg_nt_2
        call    say
        ld      r1, nt_info(r0)
        call    say_hex
        li      r1, msg_nt_3
        call    say
        ld      r1, nt_pc(r0)
        call    say_hex
        li      r1, msg_nt_4
        call    say
        ; fall into stop

; stop -- halt the machine (bare), or ask the monitor below to (PV).
stop:
        ld      r1, on_bare(r0)
        beq     r1, r0, stop_pv
        halt
stop_pv:
        svc     HC_HALT

; say -- write the zero-terminated string at r1 to the console: with `out`
; on bare hardware, with one HC_CONSOLE_WRITE under a PV monitor.
; Uses r1, r2, r3; r7 = link.
say:
        mov     r2, r1
        ld      r3, on_bare(r0)
        beq     r3, r0, say_pv
say_loop:
        ld      r3, 0(r2)
        beq     r3, r0, say_done
        out     r3
        addi    r2, r2, 1
        jmp     say_loop
say_pv:                                 ; r2 = the end, then one hypercall
        ld      r3, 0(r2)
        beq     r3, r0, say_pv_write
        addi    r2, r2, 1
        jmp     say_pv
say_pv_write:
        sub     r2, r2, r1
        svc     HC_CONSOLE_WRITE
say_done:
        ret

; say_hex -- write r1 as 0x and 8 hex digits (through hexbuf and say).
say_hex:
        li      r2, 28
        li      r3, hexbuf+2
say_hex_digit:
        shr     r4, r1, r2
        andi    r4, r4, 15
        li      r5, 10
        slt     r5, r4, r5
        bne     r5, r0, say_hex_09
        addi    r4, r4, 'a'-'0'-10
say_hex_09:
        addi    r4, r4, '0'
        st      r4, 0(r3)
        addi    r3, r3, 1
        addi    r2, r2, -4
        bge     r2, r0, say_hex_digit
        li      r1, hexbuf
        jmp     say                     ; (tail call: say returns to our caller)

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
; ... the size of its machine, its trap table, and where we run.
gsize:    .word 0
tt:       .word -1
on_bare:  .word 0

hc_link:  .word 0                       ; return addresses of the routines
mc_link:  .word 0                       ; that call others
mc_p:     .word 0                       ; the multicall's next entry (our address)
mc_end:   .word 0                       ; and its end
nt_cause: .word 0
nt_info:  .word 0
nt_pc:    .word 0
hexbuf:   .asciz "0x00000000"

cause_names:
        .word s_c0, s_c1, s_c2, s_c3, s_c4, s_c5, s_c6, s_c0
s_c0:   .asciz "?"
s_c1:   .asciz "PRIV (a privileged instruction; info = its word)"
s_c2:   .asciz "MEMORY"
s_c3:   .asciz "SVC"
s_c4:   .asciz "ILLEGAL"
s_c5:   .asciz "ARITH"
s_c6:   .asciz "TIMER"

msg_nt_1: .asciz "pv: the guest took a trap, cause "
msg_nt_2: .asciz ", info "
msg_nt_3: .asciz ", at pc "
msg_nt_4: .asciz ", before it registered a trap table: an unmodified guest cannot run under the paravirtual monitor; port it to hypercalls (docs/hypercalls.md)\n"
msg_small: .asciz "pv: machine too small for a guest\n"

vmm_end:                                ; must be <= VMM_SIZE
