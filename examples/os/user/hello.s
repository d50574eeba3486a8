; user/hello.s -- a well-behaved tinyos program: three greetings, with a
; yield after each, then exit.
;
; A user program is written as if it started at address 0, because it does:
; the OS runs it with base = the real start of its region, so its virtual
; address 0 is the label u_hello.  Two consequences for the code:
;   * branches are fine as they are: a branch is encoded relative to the pc,
;     so it works wherever the program is placed;
;   * an ADDRESS that we load into a register, or a jal/call target, must be
;     the VIRTUAL address: `label - u_hello`.  The assembler only knows where
;     it put the label in the OS's image (a real address); subtracting the
;     region's start gives the address the program sees.
; The program cannot use `out` (privileged: it would trap), so it prints with
; system calls.  svc preserves all registers.
u_hello:
        li r3, 1                        ; r3 = pass number
hello_loop:
        li r1, hello_msg - u_hello      ; a virtual address, checked by the OS
        svc SYS_PUTS
        mov r1, r3
        svc SYS_PUTN
        li r1, 10                       ; line feed
        svc SYS_PUTC
        svc SYS_YIELD                   ; give the others a turn
        addi r3, r3, 1
        li r1, 4
        blt r3, r1, hello_loop          ; passes 1, 2, 3
        li r1, 0
        svc SYS_EXIT                    ; exit code 0

hello_msg:
        .asciz "[hello] greetings from user mode, pass "
