; ============================================================================
; pv-abi.s -- the hypercall interface of the paravirtualizing monitor (pv.s)
; ============================================================================
;
; Constants only: include this file in a paravirtualized guest (a "PV guest")
; and in a monitor, then name hypercalls by these symbols.  The table, with
; arguments, results, errors and costs, is in docs/hypercalls.md.
;
; A hypercall is `svc HC_...` executed in VIRTUAL SUPERVISOR mode.  The
; arguments are in r1, r2, r3; the result comes back in r1 (0 or a value, or
; a negative error); every other register is preserved, as after a system call.
; svc numbers HC_BASE .. HC_LIMIT-1 are reserved for hypercalls; from virtual
; user mode, any svc -- also one in this range -- is the guest OS's own system
; call, delivered to its trap handler like every other trap.
; (Barham et al., "Xen and the Art of Virtualization", SOSP 2003, section 2.)
; ============================================================================

        .equ    HC_CAUSE, SVC           ; the trap a hypercall is (tools read it)
        .equ    HC_BASE, 256            ; first hypercall number
        .equ    HC_LIMIT, 512           ; HC_BASE .. HC_LIMIT-1: reserved range

        .equ    HC_PROBE, 256           ; -> r1 = PV_MAGIC, r2 = machine size, r3 = version
        .equ    HC_SET_TRAP_TABLE, 257  ; r1 = address of the trap table (TT_SIZE words)
        .equ    HC_IRET, 258            ; load the PSW in the trap table's old-PSW slot
        .equ    HC_CONSOLE_WRITE, 259   ; r1 = address, r2 = number of words (characters)
        .equ    HC_CONSOLE_READ, 260    ; -> r1 = the next input word, or -1 if none
        .equ    HC_SET_TIMER, 261       ; r1 = cycles until the timer interrupt (0 = off)
        .equ    HC_SET_IE, 262          ; r1 = new virtual ie (low bit) -> r1 = old ie
        .equ    HC_HALT, 263            ; stop the guest (and the machine)
        .equ    HC_MULTICALL, 264       ; r1 = address of a list of entries, r2 = count
        .equ    HC_COUNT, 9             ; hypercalls defined: HC_BASE .. HC_BASE+8

        .equ    PV_MAGIC, 0x5056        ; 'P' 'V': HC_PROBE's answer in r1
        .equ    PV_VERSION, 1           ; HC_PROBE's answer in r3

; Errors (negative results in r1): the numbers Xen returns, Linux's errno values.
        .equ    EFAULT, 14              ; an address range outside the caller's R
        .equ    EINVAL, 22              ; an argument out of range, or not allowed here
        .equ    ENOSYS, 38              ; no such hypercall

; The trap table: TT_SIZE words of the guest's storage, laid out like PG-1's
; low storage, so that a PV OS that registers it at address 0 finds its trap
; information where the bare-machine OS found it (OLD_PSW, CAUSE, INFO).
        .equ    TT_OLD_PSW, 0           ; 5 words: the PSW the trap interrupted
        .equ    TT_CAUSE, 5             ; the trap's cause (PRIV, MEMORY, SVC, ...)
        .equ    TT_INFO, 6              ; its info
        .equ    TT_HANDLER, 8           ; 5 words: the PSW the monitor loads on a trap
        .equ    TT_SIZE, 13

; A multicall entry: MC_ENTRY words.  The monitor writes each result into it.
        .equ    MC_OP, 0                ; the hypercall number
        .equ    MC_RESULT, 1            ; written by the monitor: what r1 would be
        .equ    MC_ARG1, 2              ; r1
        .equ    MC_ARG2, 3              ; r2
        .equ    MC_ARG3, 4              ; r3
        .equ    MC_ENTRY, 5
        .equ    MC_MAX, 64              ; at most 64 entries per multicall
