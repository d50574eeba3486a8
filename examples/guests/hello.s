; hello.s -- the smallest complete PG-1 program: print a greeting and halt.
;
; Run it:   pgsim run examples/guests/hello.s
;
; Every PG-1 machine resets to the PSW (supervisor, pc 16, base 0,
; bound = size of storage, ie 0), so a bare-metal program starts at address
; 16 (the constant RESET) in supervisor mode.  Words 0..15 are the machine's
; low storage (the trap area); we leave them alone.
;
; Supervisor mode matters here: `out` (console output) and `halt` are
; PRIVILEGED instructions.  They do their job in supervisor mode and would
; trap (cause PRIV) in user mode, so that an operating system -- or a VMM --
; keeps control of the devices and of the machine.

        .org RESET
start:
        li r2, message          ; r2 = address of the first character
next:
        ld r1, 0(r2)            ; r1 = the character at r2 (.asciz stores one per word)
        beq r1, r0, done        ; a 0 word ends the string
        out r1                  ; privileged: write the character to the console
        addi r2, r2, 1          ; advance to the next word
        jmp next
done:
        halt                    ; privileged: stop the machine

message:
        .asciz "Hello from PG-1!\n"
