; user/badmem.s -- a bad tinyos program: it tries to read the OS's storage.
;
; It aims at real address 8, where the OS keeps its new PSW.  Its region
; starts at real address u_badmem (2304), so the virtual address that would
; name real address 8 is 8 - 2304 = -2296.  But the hardware compares a
; virtual address with the bound as an UNSIGNED number: -2296 is 0xfffff708,
; far beyond the bound (256), so the load traps MEMORY with that address as
; the info, and the OS kills the program.  There is no address with which a
; user program can reach outside its region: not below its base, not above
; its bound.
u_badmem:
        li r1, badmem_msg - u_badmem
        svc SYS_PUTS
        li r1, NEW_PSW - u_badmem       ; the virtual address we will try
        svc SYS_PUTN
        li r1, 10
        svc SYS_PUTC
        svc SYS_YIELD                   ; run once more, after the others
        ld r1, NEW_PSW - u_badmem(r0)   ; MEMORY trap
        ; never reached: the OS does not resume a program that faulted
        li r1, badmem_oops - u_badmem
        svc SYS_PUTS
        li r1, 1
        svc SYS_EXIT

badmem_msg:
        .asciz "[badmem] next I read real address 8 (the OS's new PSW) as virtual address "
badmem_oops:
        .asciz "[badmem] I read the OS's storage!\n"
