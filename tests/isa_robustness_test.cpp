// Robustness of the ISA language, the assembly grammar and the machine (issue 9): every
// hostile input below is an ordinary error at its place, naming the limit or the problem —
// never a stack overflow, an assertion, a wrapped number, a shift past the word or a hang.
//
// This file is compiled into its own test program together with the two grammars
// (isa/isa_parser.cpp, assembler/line_parser.cpp) WITHOUT NDEBUG and without optimization
// (tests/CMakeLists.txt), whatever the build type: so the non-ASCII cases run with
// Boost.Spirit's assertions on, and the nesting limits are checked with the deepest stack frames.
#include <catch2/catch.hpp>

#include <fstream>

#include "helpers.hpp"

using namespace pgsim;
using namespace pgsim::test;

namespace {
// A complete small ISA; tests append declarations to it (they start on line 20).
const std::string kBase = R"(name "robust";
word 32;
memory 1024;
registers r 4;
zero r0;
control ie : 1 = 0;
psw mode, pc, base, bound, ie;
trap old_psw = 0, cause = 5, info = 6, new_psw = 8, cycles = 10;
reset 16;
cause PRIV = 1 (privileged);
cause MEMORY = 2 (memory);
cause ILLEGAL = 4 (illegal);
cause TIMER = 6 (timer);
timer TIMER enable ie;
format R { op 8; reg rd 4; reg rs 4; reg rt 4; zero 12; }
format I { op 8; reg rd 4; reg rs 4; simm imm 16; }
instruction add "rd, rs, rt" R 1 cycles 1 { rd = rs + rt; }
instruction li  "rd, imm" I 2 cycles 1 { rd = imm; }
instruction halt "" R 3 cycles 1 privileged { halt; }
)";
std::shared_ptr<const isa::IsaModel> isa_with(const std::string& extra) {
  return isa::load_isa_text("robust.isa", kBase + extra);
}
std::string isa_error(const std::string& extra) {
  return error_of([&] { isa_with(extra); });
}
std::string asm_error(const std::string& text) {
  return error_of([&] { assemble(text); });
}
std::string repeat(const std::string& s, int n) {
  std::string r;
  r.reserve(s.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) r += s;
  return r;
}
/// `pgsim ARGS` with stderr merged, stopped after 20 s (a hang is a failure, not a stuck test).
CommandResult run_pgsim_bounded(const std::string& args) {
  std::string cmd = "timeout 20 " + std::string(PGSIM_BINARY) + " " + args + " 2>&1";
  CommandResult r{0, {}};
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, {}};
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}
/// A message a person can act on: no C++ type names or namespaces.
void check_readable(const std::string& e) {
  CHECK(e.find("boost") == std::string::npos);
  CHECK(e.find("x3") == std::string::npos);
  CHECK(e.find("N5") == std::string::npos);
  CHECK(e.find("::") == std::string::npos);
}
}  // namespace

// ---- recursion without a limit

TEST_CASE("thousands of nested parentheses are an error naming the limit, not a stack overflow", "[robust][limits]") {
  const std::string deep = repeat("(", 100000) + "1" + repeat(")", 100000);
  CHECK_THAT(isa_error("const C = " + deep + ";"),
             Catch::Contains("robust.isa:20:267: error: expression nested deeper than 256 levels (the limit)"));
  CHECK_THAT(isa_error("instruction x \"rd\" R 9 cycles 1 { rd = " + deep + "; }"),
             Catch::Contains("error: expression nested deeper than 256 levels (the limit)"));
  CHECK_THAT(asm_error(".word " + deep + "\n"),
             Catch::Contains("test.s:1:263: error: expression nested deeper than 256 levels (the limit)"));
  // Calls and mem[...] nest as well.
  CHECK_THAT(isa_error("instruction x \"rd\" R 9 cycles 1 { rd = " + repeat("mem[", 20000) + "0" + repeat("]", 20000) +
                       "; }"),
             Catch::Contains("error: expression nested deeper than 256 levels (the limit)"));
  CHECK_THAT(isa_error("instruction x \"rd\" R 9 cycles 1 { rd = " + repeat("zext(", 20000) + "0" +
                       repeat(", 8)", 20000) + "; }"),
             Catch::Contains("error: expression nested deeper than 256 levels (the limit)"));
  // Below the limit, nesting works.
  auto m = isa_with("const C = " + repeat("(", 200) + "7" + repeat(")", 200) + ";");
  CHECK(m->constants.at("C") == 7);
  CHECK(assemble(".word " + repeat("(", 200) + "7" + repeat(")", 200) + "\n")->words[0] == 7);
}

TEST_CASE("long unary chains are an error naming the limit", "[robust][limits]") {
  for (const char* op : {"-", "~", "!", "+"}) {
    INFO(op);
    CHECK_THAT(isa_error("const C = " + repeat(std::string(op) + " ", 50000) + "1;"),
               Catch::Contains("error: expression nested deeper than 256 levels (the limit)"));
    CHECK_THAT(asm_error(".word " + repeat(op, 50000) + "1\n"),
               Catch::Contains("error: expression nested deeper than 256 levels (the limit)"));
  }
  CHECK(isa_with("const C = " + repeat("- ", 100) + "5;")->constants.at("C") == 5);  // an even count
}

TEST_CASE("a 50,000-term sum is an error naming the length limit", "[robust][limits]") {
  const std::string sum = "1" + repeat(" + 1", 49999);
  CHECK_THAT(isa_error("const C = " + sum + ";"),
             Catch::Contains("error: expression longer than 1024 operands and operators (the limit)"));
  CHECK_THAT(isa_error("instruction x \"rd\" R 9 cycles 1 { rd = " + sum + "; }"),
             Catch::Contains("error: expression longer than 1024 operands and operators (the limit)"));
  CHECK_THAT(asm_error(".word " + sum + "\n"),
             Catch::Contains("error: expression longer than 1024 operands and operators (the limit)"));
  // The place is where the limit is crossed: the operand that makes the expression too long.
  CHECK_THAT(asm_error(".word " + sum + "\n"), Catch::Contains("test.s:1:2055:"));
  // 500 terms are fine, and add up.
  CHECK(isa_with("const C = 1" + repeat(" + 1", 499) + ";")->constants.at("C") == 500);
  CHECK(assemble(".word 1" + repeat("+1", 499) + "\n")->words[0] == 500);
}

TEST_CASE("20,000 nested ifs, or an else-if chain as long, are an error naming the limit", "[robust][limits]") {
  const std::string nested = repeat("if (rs) { ", 20000) + "rd = 1;" + repeat(" }", 20000);
  CHECK_THAT(isa_error("instruction x \"rd, rs\" R 9 cycles 1 { " + nested + " }"),
             Catch::Contains("error: 'if' statements (each 'else if' counts as a level) nested deeper than 128 "
                             "levels (the limit)"));
  const std::string chain = "if (rs == 0) { rd = 0; }" + repeat(" else if (rs == 1) { rd = 1; }", 20000);
  CHECK_THAT(isa_error("instruction x \"rd, rs\" R 9 cycles 1 { " + chain + " }"),
             Catch::Contains("robust.isa:20:3879: error: 'if' statements (each 'else if' counts as a level) "
                             "nested deeper than 128 levels (the limit)"));
  // 100 levels compile and run.
  auto m = isa_with("instruction x \"rd, rs\" R 9 cycles 1 { " + repeat("if (rs) { ", 100) + "rd = 5;" +
                    repeat(" }", 100) + " }");
  machine::Machine mc(m, 1024);
  mc.load(0, assemble(".org 16\nli r2, 1\nx r1, r2\nhalt\n", m)->words);
  CHECK(mc.run(100) == machine::StopReason::Halted);
  CHECK(mc.reg(1) == 5);
}

TEST_CASE("everything just inside the limits at once loads, compiles and runs", "[robust][limits]") {
  // 127 nested ifs around an expression nested 254 deep: the deepest stack the grammar allows.
  // (Unoptimized, as this program is compiled, it needs about 2 MB of stack of the 8 MB.)
  const std::string deep = repeat("(", 254) + "rs" + repeat(")", 254);
  auto m = isa_with("instruction x \"rd, rs\" R 9 cycles 1 { " + repeat("if (rs) { ", 127) + "rd = " + deep + " + 1;" +
                    repeat(" }", 127) + " }");
  machine::Machine mc(m, 1024);
  mc.load(0, assemble(".org 16\nli r2, " + repeat("(", 254) + "41" + repeat(")", 254) + "\nx r1, r2\nhalt\n", m)->words);
  CHECK(mc.run(100) == machine::StopReason::Halted);
  CHECK(mc.reg(1) == 42);
}

// ---- numbers and widths without wrap-around

TEST_CASE("format field widths never wrap around: 8 + 64 + 4294967256 is not 32", "[robust][widths]") {
  std::string e = isa_error("format W { op 8; uimm a 64; uimm b 4294967256; }");
  CHECK_THAT(e, Catch::Contains("robust.isa:20:18: error: format W: a 64-bit field is wider than the 32-bit word"));
  CHECK_THAT(e, Catch::Contains("robust.isa:20:29: error: format W: a 4294967256-bit field is wider than the 32-bit word"));
  CHECK_THAT(isa_error("format W { op 8; uimm a 4294967295; uimm b 25; }"),
             Catch::Contains("a 4294967295-bit field is wider than the 32-bit word"));
  CHECK_THAT(isa_error("format W { op 24; uimm a 8; }"), Catch::Contains("the opcode field may be at most 16 bits"));
}

TEST_CASE("constant expressions in checked 64-bit arithmetic", "[robust][constants]") {
  CHECK_THAT(isa_error("const A = 9223372036854775807 + 1;"),
             Catch::Contains("robust.isa:20:11: error: constant expression overflows"));
  CHECK_THAT(isa_error("const A = (-9223372036854775807 - 1) / -1;"), Catch::Contains("constant expression overflows"));
  CHECK_THAT(isa_error("const A = (-9223372036854775807 - 1) % -1;"), Catch::Contains("constant expression overflows"));
  CHECK_THAT(isa_error("const A = 4294967296 * 4294967296;"), Catch::Contains("constant expression overflows"));
  CHECK_THAT(isa_error("const A = 1 << 63;"), Catch::Contains("constant expression overflows"));
  CHECK_THAT(isa_error("const A = -(-9223372036854775807 - 1);"), Catch::Contains("constant expression overflows"));
  CHECK_THAT(isa_error("const A = 9223372036854775808;"), Catch::Contains("constant expression overflows"));
  CHECK_THAT(isa_error("const A = 18446744073709551616;"),
             Catch::Contains("error: number '18446744073709551616' does not fit in 64 bits"));
  CHECK_THAT(isa_error("const A = 7 / 0;"), Catch::Contains("error: division by zero in a constant expression"));
  CHECK_THAT(isa_error("const A = 7 % (3 - 3);"), Catch::Contains("error: division by zero in a constant expression"));
  CHECK_THAT(isa_error("const A = 1 << 64;"), Catch::Contains("error: shift by 64: the shift must be 0 to 63"));
  CHECK_THAT(isa_error("const A = 1 << 40;"), Catch::Contains("error: constant A = 1099511627776 does not fit in 32 bits"));
  // In range: negative constants are words in two's complement and keep their sign in later ones.
  auto m = isa_with("const M = -1;\nconst N = M + 1;\nconst H = (1 << 31) >>> 4;\nconst D = -7 / 2;");
  CHECK(m->constants.at("M") == 0xffffffffu);
  CHECK(m->constants.at("N") == 0);
  CHECK(m->constants.at("H") == 0x08000000u);
  CHECK(m->constants.at("D") == static_cast<std::uint32_t>(-3));
}

TEST_CASE("numbers that the model keeps in 32 bits must fit", "[robust][constants]") {
  CHECK_THAT(isa_error("reset 4294967312;"), Catch::Contains("error: the reset address 4294967312 does not fit in 32 bits"));
  CHECK_THAT(isa_error("cause BIG = 4294967297;"), Catch::Contains("error: cause BIG's value 4294967297 does not fit"));
  CHECK_THAT(isa_error("trap info = 4294967302;"), Catch::Contains("error: trap info = 4294967302 does not fit in 32 bits"));
}

// ---- every instruction costs at least one cycle; costs cannot wrap

TEST_CASE("cycles 0 is rejected, for instructions and the trap sequence", "[robust][cycles]") {
  CHECK_THAT(isa_error("instruction spin \"\" R 9 cycles 0 { pc = pc; }"),
             Catch::Contains("robust.isa:20:1: error: instruction spin: cycles must be 1 to 1000000 (every "
                             "instruction takes at least one cycle)"));
  // 2^32 + 1 would have been 1 after truncation.
  CHECK_THAT(isa_error("instruction spin \"\" R 9 cycles 4294967297 { pc = pc; }"),
             Catch::Contains("instruction spin: cycles must be 1 to 1000000"));
  CHECK_THAT(isa_error("trap cycles = 0;"), Catch::Contains("error: the trap sequence's cycles must be 1 to 1000000"));
}

TEST_CASE("cycles += 0xffffffff does not wrap the cost to 0: a spinning instruction uses up the budget",
          "[robust][cycles]") {
  auto m = isa_with("instruction spin \"\" R 9 cycles 1 { pc = pc; cycles += 0xffffffff; }");
  machine::Machine mc(m, 1024);
  mc.load(0, assemble(".org 16\nspin\n", m)->words);
  int events = 0;
  mc.run_until(1000, [&](const machine::Machine&, const machine::Event&) { return ++events == 5; });
  CHECK(events == 1);  // the first spin already went past the budget
  CHECK(mc.instructions() == 1);
  CHECK(mc.cycles() >= 0x80000000ull);
  CHECK(mc.stop_reason() == machine::StopReason::CycleBudget);
}

TEST_CASE("pgsim run --max-cycles 1000 returns for a spinning instruction", "[robust][cycles][cli]") {
  const std::string dir = PGSIM_BINARY_DIR_FOR_TESTS;
  {
    std::ofstream(dir + "/spin.isa") << kBase << "instruction spin \"\" R 9 cycles 1 { pc = pc; cycles += 0xffffffff; }\n";
    std::ofstream(dir + "/spin0.isa") << kBase << "instruction spin \"\" R 9 cycles 0 { pc = pc; }\n";
    std::ofstream(dir + "/spin.s") << ".org 16\nspin\n";
  }
  // (bounded: on a machine where the cost wraps to 0 this would never return)
  auto r = run_pgsim_bounded("run --max-cycles 1000 --isa " + dir + "/spin.isa " + dir + "/spin.s");
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("cycle budget exhausted"));
  r = run_pgsim_bounded("run --max-cycles 1000 --isa " + dir + "/spin0.isa " + dir + "/spin.s");
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("spin0.isa:20:1: error: instruction spin: cycles must be 1 to 1000000"));
}

// ---- non-ASCII input: an ordinary error in every build type (this program has assertions on)

TEST_CASE("a non-ASCII character in a name or a blank is an error naming it", "[robust][ascii]") {
  CHECK_THAT(asm_error(".org 16\nl\xc3\xa4tt: halt\n"),
             Catch::Contains("test.s:2:2: error: non-ASCII character U+00E4 '\xc3\xa4' is not allowed here"));
  CHECK_THAT(asm_error(".org 16\n\xc3\xa4: halt\n"), Catch::Contains("test.s:2:1: error: non-ASCII character U+00E4"));
  CHECK_THAT(asm_error(".org 16\nhalt\xc2\xa0\n"),
             Catch::Contains("test.s:2:5: error: non-ASCII character U+00A0 (a no-break space) is not allowed here"));
  CHECK_THAT(asm_error(".org 16\n\xa0halt\n"),
             Catch::Contains("test.s:2:1: error: non-ASCII byte 0xA0 (not UTF-8) is not allowed here"));
  CHECK_THAT(asm_error(".org 16\nli r1, \xe2\x88\x92" "1\n"), Catch::Contains("test.s:2:8: error: non-ASCII character U+2212"));
  CHECK_THAT(asm_error(".org 16\nli r1, '\xc3\xa4'\n"), Catch::Contains("test.s:2:9: error: non-ASCII character U+00E4"));
  CHECK_THAT(isa_error("instruction l\xc3\xa4tt \"\" R 9 cycles 1 { }"),
             Catch::Contains("robust.isa:20:14: error: non-ASCII character U+00E4 '\xc3\xa4' is not allowed here"));
  CHECK_THAT(isa_error("const\xa0K = 1;"), Catch::Contains("robust.isa:20:6: error: non-ASCII byte 0xA0"));
  CHECK_THAT(isa_error("instruction x \"rd\" R 9 cycles 1 { rd = \xc3\xa4; }"),
             Catch::Contains("error: non-ASCII character U+00E4"));
  // In comments and strings, any byte is fine.
  CHECK_NOTHROW(isa_with("# Gr\xc3\xbc\xc3\x9f" "e \xa0\n// \xff\nname \"PG-\xc3\xa4\";"));
  CHECK_NOTHROW(assemble(".org 16\nhalt ; l\xc3\xa4tt \xa0\n.ascii \"\xc3\xa4\"\n"));
}

// ---- every message is in words: every prefix of an assembly program

TEST_CASE("no assembly syntax error shows a C++ type name: every prefix of a program", "[robust][errors]") {
  // The directives stay whole (their operand checks are the assembler's own); every prefix of
  // the instruction lines, and each prefix with a stray character, is parsed.
  const std::string header = ".org 16\n.equ K, (0b101 << 2) | 'a' ^ ~1\n.word 1, 2 * (3 + 4), K\n";
  const std::string program = "start: li r1, -K + 0x1f * ('\\n' - 1)\nld r2, 4(r1)\nbne r1, r0, start\n"
                              "addi r3, r2, (K + 2) % 7 >> 1\nhalt\n";
  int checked = 0;
  for (std::size_t cut = 0; cut < program.size(); ++cut) {
    for (const auto& text : {header + program.substr(0, cut) + "\n", header + program.substr(0, cut) + "$\n"}) {
      std::string e = asm_error(text);
      if (e.empty()) continue;
      INFO("cut after " << cut << ": " << e);
      ++checked;
      check_readable(e);
    }
  }
  CHECK(checked > 100);
  CHECK_THAT(asm_error("li r1, 0xg\n"), Catch::Contains("error: expected hex digits after 0x"));
  CHECK_THAT(asm_error("li r1, 0b2\n"), Catch::Contains("error: expected binary digits (0 or 1) after 0b"));
  CHECK_THAT(asm_error("li r1, '\\q'\n"), Catch::Contains("error: expected an escape"));
  CHECK_THAT(asm_error("li r1, 'ab'\n"), Catch::Contains("error: expected ' closing the character"));
  CHECK_THAT(asm_error("li r1, 017\n"), Catch::Contains("test.s:1:8: error: a leading 0 does not make an octal literal "
                                                        "in assembly ('017'): write 0o17 for octal (= 15 = 0xf)"));
  CHECK_THAT(asm_error("li r1, 1 ? 2 : 3\n"),
             Catch::Contains("error: the conditional operator '? :' is not supported in assembly"));
}
