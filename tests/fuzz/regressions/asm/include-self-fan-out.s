.org 16
.include "fuzz.s"
.include "fuzz.s"
.include "fuzz.s"
.include "fuzz.s"
.include "fuzz.s"
.include "fuzz.s"
.include "fuzz.s"
.include "fuzz.s"
.include "fuzz.s"
.include "fuzz.s"
halt
