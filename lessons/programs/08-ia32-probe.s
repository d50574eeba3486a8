; lessons/programs/08-ia32-probe.s -- lesson 8, on the IA-32 model (examples/isa/real/ia32.isa):
; at ring 0 after reset, store GDTR and IDTR where any program could read them (SGDT, SIDT),
; read CR0's low half (SMSW), then halt. None of the three traps at any ring.
.org 64
        movi r1, 256
        sgdt 0(r1)
        sidt 2(r1)
        smsw r2
        hlt
