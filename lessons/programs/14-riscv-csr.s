; lessons/programs/14-riscv-csr.s -- lesson 14, on the RISC-V model
; (examples/isa/real/riscv-rv32-s.isa): in S-mode after reset, read the cycle counter (CSR
; 0xc00, which user code may read too) and sstatus (0x100). The lesson only classifies the
; ISA; a setup needs a program that assembles on it.
.org 16
        csrrs x1, 0xc00, x0
        csrrs x2, 0x100, x0
