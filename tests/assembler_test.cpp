// The table-driven assembler: directives, expressions, pseudos, errors, round trip.
#include <catch2/catch.hpp>

#include <fstream>

#include "helpers.hpp"
#include "isa/disasm.hpp"

using namespace pgsim;
using namespace pgsim::test;

TEST_CASE("directives: .org .word .space .ascii .asciz .equ", "[asm]") {
  auto img = assemble(R"(
        .equ BASE, 0x20
        .org BASE
first:  .word 1, -1, 'A', BASE + 2, last - first
        .space 3
text:   .ascii "hi\n"
        .asciz "a;b"     ; a semicolon inside a string is not a comment
last:   .word .
)");
  auto& w = img->words;
  CHECK(w[0x20] == 1);
  CHECK(w[0x21] == 0xffffffffu);
  CHECK(w[0x22] == 'A');
  CHECK(w[0x23] == 0x22);
  CHECK(w[0x24] == img->symbol("last") - 0x20);
  CHECK(w[0x25] == 0);
  CHECK(w[0x28] == 'h');
  CHECK(w[0x2a] == '\n');
  CHECK(w[0x2b] == 'a');
  CHECK(w[0x2c] == ';');
  CHECK(w[0x2e] == 0);
  CHECK(img->symbol("last") == 0x2f);
  CHECK(w[0x2f] == 0x2f);
  CHECK(img->symbol("BASE") == 0x20);
  CHECK(img->symbol("text") == 0x28);
}

TEST_CASE("expressions: precedence / operators / numbers in every base / ISA constants", "[asm]") {
  auto img = assemble(".word 2 + 3 * 4, (2 + 3) * 4, 0x10 | 0b101, 1 << 4 >> 2, ~0 & 0xff, 17 % 5, -7 / 2, "
                      "NEW_PSW + 1, OP_HALT, 6 ^ 3, '\\n', 10 - 2 - 3\n");
  std::vector<isa::Word> want = {14, 20, 0x15, 4, 0xff, 2, static_cast<std::uint32_t>(-3), 9,
                                     pg1()->constants.at("OP_HALT"), 5, '\n', 5};
  CHECK(std::vector<isa::Word>(img->words.begin(), img->words.begin() + 12) == want);
}

TEST_CASE("labels are case-sensitive / mnemonics and registers are not", "[asm]") {
  auto img = assemble(".org 16\nLoop: ADDI R1, r1, 1\nloop: Bne r1, R0, Loop\n");
  CHECK(img->symbol("Loop") == 16);
  CHECK(img->symbol("loop") == 17);
  CHECK(isa::disassemble(*pg1(), img->words[17], 17) == "bne r1, r0, 16");
}

TEST_CASE("pseudo-instructions expand to real instructions", "[asm]") {
  auto img = assemble(".org 16\nli r1, -3\nmov r2, r1\njmp there\ncall there\nret\nthere: nop\n");
  auto d = [&](std::uint32_t a) { return isa::disassemble(*pg1(), img->words[a], a); };
  CHECK(d(16) == "addi r1, r0, -3");
  CHECK(d(17) == "addi r2, r1, 0");
  CHECK(d(18) == "jal r0, 21(r0)");
  CHECK(d(19) == "jal r7, 21(r0)");
  CHECK(d(20) == "jal r0, 0(r7)");
}

TEST_CASE("operands of the form expr(reg) / including a - b(reg)", "[asm]") {
  auto img = assemble(".org 16\nld r1, 8(r2)\nst r1, tbl - 3(r4)\nlpsw (tbl + 1)(r5)\ntbl: .word 0\n");
  auto d = [&](std::uint32_t a) { return isa::disassemble(*pg1(), img->words[a], a); };
  CHECK(d(16) == "ld r1, 8(r2)");
  CHECK(d(17) == "st r1, 16(r4)");
  CHECK(d(18) == "lpsw 20(r5)");
}

TEST_CASE("round trip: disassembling every PG-1 instruction re-assembles to the same word", "[asm]") {
  auto m = pg1();
  std::string src = ".org 16\n";
  for (const auto& ins : m->instructions) {
    std::string ops = ins.syntax;
    std::string out;
    // fill operands: registers r1..r3 in order, immediates 5, pc-relative targets 16
    int reg = 1;
    for (std::size_t i = 0; i < ops.size();) {
      if (ops.compare(i, 2, "rd") == 0 || ops.compare(i, 2, "rs") == 0 || ops.compare(i, 2, "rt") == 0) {
        out += 'r';
        out += std::to_string(reg++);
        i += 2;
      } else if (ops.compare(i, 4, "@imm") == 0) {
        out += "16";
        i += 4;
      } else if (ops.compare(i, 3, "imm") == 0) {
        out += "5";
        i += 3;
      } else {
        out += ops[i++];
      }
    }
    src += ins.mnemonic + " " + out + "\n";
  }
  auto img = assemble(src);
  std::string again = ".org 16\n";
  for (std::uint32_t a = 16; a < img->size(); ++a) again += isa::disassemble(*m, img->words[a], a) + "\n";
  auto img2 = assemble(again);
  CHECK(img2->words == img->words);
  CHECK(img->size() == 16 + m->instructions.size());
}

TEST_CASE("every error of a file is reported / each with file:line:col and a caret", "[asm][errors]") {
  std::string e = error_of([] {
    assemble(R"(.org 16
        addi r1, r0, 40000
        frob r1
        add r1, r2
        beq r1, r2, far
        ld r1, r2
        add r1, r2, 5
        li r9, 1
        .word nosuch
dup:    nop
dup:    nop
        .org 16
        nop
        .bogus 3
        add r1, r2, r3 junk
        .org 0x9000
far:    nop
)");
  });
  CHECK_THAT(e, Catch::Contains("test.s:2:22: error: value 40000 is out of range for the 16-bit signed field 'imm' (-32768 .. 32767)"));
  CHECK_THAT(e, Catch::Contains("        addi r1, r0, 40000\n                     ^"));
  CHECK_THAT(e, Catch::Contains("test.s:3:9: error: unknown instruction 'frob'"));
  CHECK_THAT(e, Catch::Contains("test.s:4:9: error: 'add' takes 3 operands (rd, rs, rt), not 2"));
  CHECK_THAT(e, Catch::Contains("test.s:5:21: error: branch target is"));
  CHECK_THAT(e, Catch::Contains("test.s:6:16: error: expected an operand of the form imm(register)"));
  CHECK_THAT(e, Catch::Contains("test.s:7:21: error: expected a register (r0 .. r7)"));
  CHECK_THAT(e, Catch::Contains("test.s:8:9: error: in the expansion of 'li': expected a register"));
  CHECK_THAT(e, Catch::Contains("test.s:9:15: error: undefined symbol 'nosuch'"));
  CHECK_THAT(e, Catch::Contains("test.s:11:1: error: 'dup' is already defined"));
  CHECK_THAT(e, Catch::Contains("test.s:13:9: error: address 0x10 is already used by line 2"));
  CHECK_THAT(e, Catch::Contains("test.s:14:9: error: unknown directive '.bogus'"));
  CHECK_THAT(e, Catch::Contains("test.s:15:24: error: unexpected text"));
}

TEST_CASE(".include is relative to the including file - the source map names each file", "[asm]") {
  std::string dir = std::string(PGSIM_BINARY_DIR_FOR_TESTS);
  {
    std::ofstream(dir + "/inc_main.s") << ".org 16\n.include \"inc_part.s\"\nhalt\n";
    std::ofstream(dir + "/inc_part.s") << "part: li r1, 7\n";
  }
  auto img = assembler::assemble_file(*pg1(), dir + "/inc_main.s");
  CHECK(img.symbol("part") == 16);
  CHECK(img.where(16) == dir + "/inc_part.s:1");
  CHECK(img.where(17) == dir + "/inc_main.s:3");
  CHECK_THAT(img.listing(*pg1()), Catch::Contains("addi r1, r0, 7"));
  std::ofstream(dir + "/inc_self.s") << ".include \"inc_self.s\"\n";
  CHECK_THAT(error_of([&] { assembler::assemble_file(*pg1(), dir + "/inc_self.s"); }), Catch::Contains("includes itself"));
}

TEST_CASE(".ifdef / .ifndef / .else / .endif assemble a block only on the ISAs that have what it names", "[asm]") {
  const std::string src = R"(
        .org RESET
.ifdef OP_JRU
        jru     done(r0)        ; only pg1-jru.isa has jru
.else
        jmp     done
.endif
.ifndef OP_SETIE
        li      r1, 1
.ifdef LATER                    ; defined only further down: not yet
        li      r1, 2
.endif
.endif
done:   halt
        .equ    LATER, 1
.ifdef done                     ; a label on an earlier line counts
        .word   0x77
.endif
)";
  auto jru = isa::load_isa(source_path("examples/isa/pg1-jru.isa"));
  auto setie = isa::load_isa(source_path("examples/isa/pg1-setie.isa"));
  auto on_jru = test::assemble(src, jru);
  auto on_pg1 = test::assemble(src, pg1());
  auto on_setie = test::assemble(src, setie);
  CHECK(isa::disassemble(*jru, on_jru->words[16], 16).rfind("jru", 0) == 0);
  CHECK(isa::disassemble(*pg1(), on_pg1->words[16], 16).rfind("jal", 0) == 0);
  // pg1: no setie, so `li r1, 1` is assembled; LATER was not yet defined where it was asked.
  CHECK(on_pg1->symbol("done") == 18);
  CHECK(on_pg1->words[17] == on_jru->words[17]);
  CHECK(isa::disassemble(*pg1(), on_pg1->words[17], 17) == "addi r1, r0, 1");
  CHECK(on_setie->symbol("done") == 17);  // pg1-setie: the .ifndef block is skipped
  CHECK(on_pg1->words[on_pg1->symbol("done") + 1] == 0x77);
}

TEST_CASE("conditional assembly errors name the line: unbalanced, a second .else, a missing name", "[asm]") {
  auto err = [](const std::string& text) { return error_of([&] { test::assemble(text); }); };
  CHECK_THAT(err("nop\n.ifdef OP_ADD\nnop\n"),
             Catch::Contains("test.s:2:1: error: this .ifdef / .ifndef block has no .endif before the end of 'test.s'"));
  CHECK_THAT(err("nop\n  .endif\n"), Catch::Contains("test.s:2:3: error: .endif without an .ifdef or .ifndef before it"));
  CHECK_THAT(err(".else\n"), Catch::Contains("test.s:1:1: error: .else without an .ifdef"));
  CHECK_THAT(err(".ifdef OP_ADD\n.else\n.else\n.endif\n"), Catch::Contains("test.s:3:1: error: a second .else"));
  CHECK_THAT(err(".ifdef\nnop\n.endif\n"), Catch::Contains("test.s:1:1: error: .ifdef takes one name"));
  CHECK_THAT(err(".ifndef 3 + 4\nnop\n.endif\n"), Catch::Contains("test.s:1:1: error: .ifndef takes one name"));
  CHECK_THAT(err(".ifdef OP_ADD\n.endif OP_ADD\n"), Catch::Contains("test.s:2:8: error: .endif takes no operands"));
  // A skipped block may name instructions this ISA does not have; an assembled one may not.
  CHECK(err(".ifdef OP_JRU\n  jru 0(r0)\n.endif\n").empty());
  CHECK_THAT(err(".ifndef OP_JRU\n  jru 0(r0)\n.endif\n"), Catch::Contains("unknown instruction 'jru'"));
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += ".ifdef OP_ADD\n";
  CHECK_THAT(err(deep), Catch::Contains("conditional blocks nested more than 64 deep"));
}
