.space
.ascii
.asciz
.equ
.space ,
x: .ascii )
.word
.org
