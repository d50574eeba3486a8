; user/badpriv.s -- a bad tinyos program: it tries to take over the machine.
;
; It builds a PSW of its own -- supervisor mode, base 0, a bound covering all
; of storage -- and loads it with lpsw.  Had that worked, it would run in
; supervisor mode with every word of storage (the OS, the other programs,
; the trap vector) at its mercy.  This is exactly why lpsw is privileged: in
; user mode it traps PRIV (before even looking at its operand) and the OS
; kills the program.  The info of a PRIV trap is the instruction word itself.
u_badpriv:
        li r1, badpriv_msg - u_badpriv
        svc SYS_PUTS
        svc SYS_YIELD
        lpsw badpriv_psw - u_badpriv(r0)   ; PRIV trap
        ; never reached
        li r1, badpriv_oops - u_badpriv
        svc SYS_PUTS
        li r1, 1
        svc SYS_EXIT

badpriv_psw:                            ; mode, pc, base, bound, ie
        .word SUPERVISOR, badpriv_oops - u_badpriv, 0, 65536, 0
badpriv_msg:
        .asciz "[badpriv] next I load a supervisor PSW with lpsw\n"
badpriv_oops:
        .asciz "[badpriv] I own the machine!\n"
