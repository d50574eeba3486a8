lätt: halt
 halt
.ascii "ÿ"
