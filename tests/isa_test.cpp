// The ISA description language: every construct, every error kind.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include <set>

#include <fmt/format.h>

#include "isa/disasm.hpp"

using namespace pgsim;
using namespace pgsim::test;

namespace {
// A small but complete ISA used to probe constructs; tests append declarations to it.
const std::string kMini = R"(
name "mini";
word 32;
memory 1024;
registers r 4;
zero r0;
control ie : 1 = 0;
control flags : 8 = 3;
psw mode, pc, base, bound, ie;
trap old_psw = 0, cause = 5, info = 6, new_psw = 8, cycles = 10;
reset 16;
cause PRIV = 1 (privileged);
cause MEMORY = 2 (memory);
cause ILLEGAL = 4 (illegal);
cause TIMER = 6 (timer);
timer TIMER enable ie;
const K = 2 + 3 * 4;
format R { op 8; reg rd 4; reg rs 4; reg rt 4; zero 12; }
format I { op 8; reg rd 4; reg rs 4; simm imm 16; }
instruction add "rd, rs, rt" R 1 cycles 1 { rd = rs + rt; }
instruction li  "rd, imm" I 2 cycles 1 { rd = imm; }
instruction halt "" R 3 cycles 1 privileged { halt; }
)";

std::shared_ptr<const isa::IsaModel> mini(const std::string& extra = "") {
  return isa::load_isa_text("mini.isa", kMini + extra);
}
std::string mini_error(const std::string& extra) {
  return error_of([&] { mini(extra); });
}
}  // namespace

TEST_CASE("PG-1 loads with the machine of PG1.md", "[isa]") {
  auto m = pg1();
  CHECK(m->name == "PG-1");
  CHECK(m->word_bits == 32);
  CHECK(m->memory_words == 65536);
  CHECK(m->registers.size() == 8);
  CHECK(m->zero_register == 0);
  REQUIRE(m->psw.size() == 5);
  CHECK(m->psw[0].slot == isa::PswSlot::Mode);
  CHECK(m->psw[1].slot == isa::PswSlot::Pc);
  CHECK(m->psw[4].slot == isa::PswSlot::Control);
  CHECK(m->trap_old_psw == 0);
  CHECK(m->trap_cause == 5);
  CHECK(m->trap_info == 6);
  CHECK(m->trap_new_psw == 8);
  CHECK(m->trap_cycles == 10);
  CHECK(m->reset_pc == 16);
  CHECK(m->causes.privileged == 1);
  CHECK(m->causes.memory == 2);
  CHECK(m->causes.illegal == 4);
  CHECK(m->causes.timer == 6);
  for (auto [name, value] : {std::pair{"SUPERVISOR", 0}, {"USER", 1}, {"OLD_PSW", 0}, {"CAUSE", 5}, {"INFO", 6},
                             {"NEW_PSW", 8}, {"RESET", 16}, {"PRIV", 1}, {"MEMORY", 2}, {"SVC", 3},
                             {"ILLEGAL", 4}, {"ARITH", 5}, {"TIMER", 6}}) {
    INFO(name);
    CHECK(m->constants.at(name) == static_cast<std::uint32_t>(value));
  }
  std::set<std::string> privileged;
  for (auto& ins : m->instructions)
    if (ins.privileged) privileged.insert(ins.mnemonic);
  CHECK(privileged == std::set<std::string>{"lpsw", "spsw", "getm", "ldp", "stp", "out", "in", "stimer", "halt"});
  CHECK(m->instructions.size() == 37);
  // Every instruction has an OP_ constant equal to its opcode (PG1.md rule 9).
  for (auto& ins : m->instructions) {
    std::string up = ins.mnemonic;
    for (auto& c : up) c = static_cast<char>(std::toupper(c));
    CHECK(m->constants.at("OP_" + up) == ins.opcode);
  }
  // Cycle costs of PG1.md's table.
  auto cost = [&](const char* n) { return m->instructions[static_cast<std::size_t>(m->find_instruction(n))].cycles; };
  CHECK(cost("add") == 1);
  CHECK(cost("mul") == 3);
  CHECK(cost("div") == 12);
  CHECK(cost("ld") == 2);
  CHECK(cost("jal") == 2);
  CHECK(cost("lpsw") == 5);
  CHECK(cost("out") == 8);
  CHECK(cost("stimer") == 2);
  CHECK(m->find_pseudo("li") >= 0);
  CHECK(m->find_pseudo("ret") >= 0);
}

TEST_CASE("constants are expressions - formats place fields from the top bit", "[isa]") {
  auto m = mini();
  CHECK(m->constants.at("K") == 14);
  const auto& R = m->formats[0];
  CHECK(R.fields[0].shift == 24);
  CHECK(R.fields[1].shift == 20);
  CHECK(R.fields[3].shift == 12);
  CHECK(R.fields[4].kind == isa::FieldKind::Zero);
  CHECK(m->controls.size() == 2);
  CHECK(m->controls[1].reset == 3);
}

TEST_CASE("semantics: if / else if / else / compound assignment / sext/zext / unsigned functions", "[isa]") {
  auto m = mini(R"(
instruction pick "rd, rs, rt" R 4 cycles 1 {
  if (rs == 0) { rd = 100; } else if (rs == 1) { rd = sext(0xff, 8); } else { rd = zext(0x1ff, 8); }
}
instruction acc "rd, rs, rt" R 5 cycles 1 { rd += rs; rd <<= 1; rd ^= ltu(rs, rt) + divu(rt, 2) + remu(rt, 3); }
instruction sw "rd, rs, rt" R 6 cycles 2 { rd = rs >>> 1; cycles += rt; }
)");
  auto run = [&](const std::string& body, int reg) {
    machine::Machine mc(m);
    mc.load(0, assembler::assemble_text(*m, "t.s", ".org 16\n" + body + "\nhalt\n").words);
    mc.run(1000);
    return mc.reg(reg);
  };
  CHECK(run("li r2, 0\npick r1, r2, r0", 1) == 100);
  CHECK(run("li r2, 1\npick r1, r2, r0", 1) == 0xffffffffu);
  CHECK(run("li r2, 2\npick r1, r2, r0", 1) == 0xffu);
  // r1 = ((0 + 2) << 1) ^ (ltu(2,7)=1 + 3 + 1) = 4 ^ 5 = 1
  CHECK(run("li r2, 2\nli r3, 7\nacc r1, r2, r3", 1) == 1);
  CHECK(run("li r2, -8\nsw r1, r2, r0", 1) == static_cast<std::uint32_t>(-4));
  machine::Machine mc(m);
  mc.load(0, assembler::assemble_text(*m, "t.s", ".org 16\nli r3, 5\nsw r1, r2, r3\nhalt\n").words);
  mc.run(1000);
  CHECK(mc.cycles() == 1 + (2 + 5) + 1);
}

TEST_CASE("an instruction whose trapping depends on a control-register bit", "[isa]") {
  auto m = mini(R"(
const CTL_TRAP = 1;
instruction guard "rd" R 7 cycles 1 {
  if (flags & 1) { trap(PRIV, insn); }
  rd = 42;
}
instruction setf "rs" R 8 cycles 1 privileged { flags = rs; }
)");
  machine::Machine mc(m);
  mc.load(0, assembler::assemble_text(*m, "t.s", ".org 8\n.word 0, 100, 0, 1024, 0\n.org 16\nguard r1\nli r2, 0\nsetf r2\nguard r3\nhalt\n.org 100\nhalt\n").words);
  mc.run(1000);
  CHECK(mc.reg(1) == 0);          // flags reset to 3: bit 0 set, so guard trapped
  CHECK(mc.storage()[5] == 1);    // cause PRIV
  CHECK(mc.pc() == 101);          // the handler at 100 halted
}

TEST_CASE("include / replace and remove derive one ISA from another", "[isa]") {
  auto dir = source_path("examples/isa/");
  auto m = isa::load_isa_text(dir + "derived.isa", R"(
include "pg1.isa";
replace instruction getm "rd" R 0x22 cycles 1 { rd = mode; }
remove instruction nop;
)");
  auto i = m->find_instruction("getm");
  REQUIRE(i >= 0);
  CHECK_FALSE(m->instructions[static_cast<std::size_t>(i)].privileged);
  CHECK(m->find_instruction("nop") < 0);
  CHECK(m->instructions.size() == 36);
}

TEST_CASE("control state a VMM must own: `owned` after the reset value", "[isa]") {
  auto m = mini("control gdtr : 32 = 0 owned;\ncontrol cr0 : 32 = 17;\n");
  REQUIRE(m->controls.size() == 4);
  CHECK_FALSE(m->controls[0].owned);  // ie
  CHECK(m->controls[2].name == "gdtr");
  CHECK(m->controls[2].owned);
  CHECK_FALSE(m->controls[3].owned);
  CHECK(m->controls[3].reset == 17);
  // A misspelt attribute is an error at its place, saying what may come there.
  std::string e = mini_error("control gdtr : 32 = 0 own;");
  CHECK_THAT(e, Catch::Contains("mini.isa:23:23: error: expected ';' at the end of the declaration (or 'owned' before it"));
  CHECK_THAT(e, Catch::Contains("control gdtr : 32 = 0 own;\n                      ^"));
  e = mini_error("control gdtr : 32 = owned;");
  CHECK_THAT(e, Catch::Contains("mini.isa:23:21: error: expected the reset value (a number) after '='"));
}

TEST_CASE("syntax errors point at the place with file:line:col and a caret", "[isa][errors]") {
  std::string e = error_of([] { isa::load_isa_text("bad.isa", "word 32;\nmemory 1024\nregisters r 4;\n"); });
  CHECK_THAT(e, Catch::Contains("bad.isa:3:1: error: expected ';'"));
  CHECK_THAT(e, Catch::Contains("registers r 4;\n^"));
  e = error_of([] { isa::load_isa_text("bad.isa", "word 32;\nfrobnicate 3;\n"); });
  CHECK_THAT(e, Catch::Contains("bad.isa:2:1: error: expected a declaration"));
  e = mini_error("instruction x \"rd\" R 9 cycles 1 { rd = ; }");
  CHECK_THAT(e, Catch::Contains("error: expected expression"));
}

TEST_CASE("name / width / encoding and read-only errors are all reported", "[isa][errors]") {
  std::string e = mini_error(R"(
format Bad { op 8; reg rd 4; simm imm 8; }
instruction a "rd, rs, rt" R 9 cycles 1 { rd = nosuch + 1; }
instruction b "rd, rs, rt" R 1 cycles 1 { rd = rs; }
instruction c "rd, imm" I 10 cycles 1 { imm = 3; }
instruction d "rd, rs, rt" R 11 cycles 1 { insn = 3; K = 1; cycles = 4; }
instruction e "rd, rs, rt" Q 12 cycles 1 { }
instruction f "rd, nosuch" R 13 cycles 1 { }
instruction g "rd" R 14 cycles 1 { trap(PRIV); out(1, 2); frob(3); }
instruction h "rd" R 0x1ff cycles 1 { }
instruction add "rd, rs, rt" R 15 cycles 1 { rd = rs; }
replace instruction nosuch "rd" R 16 cycles 1 { }
)");
  CHECK_THAT(e, Catch::Contains("format Bad: field widths add up to 20 bits, but a word is 32 bits"));
  CHECK_THAT(e, Catch::Contains("unknown name 'nosuch'"));
  CHECK_THAT(e, Catch::Contains("instruction b: encoding overlaps add (both have opcode 0x1)"));
  CHECK_THAT(e, Catch::Contains("'imm' is an immediate field of the instruction: read-only"));
  CHECK_THAT(e, Catch::Contains("'insn' is read-only"));
  CHECK_THAT(e, Catch::Contains("'K' is read-only"));
  CHECK_THAT(e, Catch::Contains("cycles is read-only"));
  CHECK_THAT(e, Catch::Contains("unknown format 'Q'"));
  CHECK_THAT(e, Catch::Contains("'nosuch' is not a field of format R"));
  CHECK_THAT(e, Catch::Contains("'trap' takes 2 arguments, not 1"));
  CHECK_THAT(e, Catch::Contains("'out' takes 1 argument, not 2"));
  CHECK_THAT(e, Catch::Contains("unknown statement 'frob'"));
  CHECK_THAT(e, Catch::Contains("opcode 0x1ff does not fit the 8-bit op field"));
  CHECK_THAT(e, Catch::Contains("instruction add is declared twice"));
  CHECK_THAT(e, Catch::Contains("there is no nosuch to replace"));
  // Each message carries its own location.
  CHECK_THAT(e, Catch::Contains("mini.isa:25:"));
}

TEST_CASE("a bad ISA file never crashes: a corpus of broken inputs", "[isa][errors]") {
  const char* inputs[] = {"", "word", "word 32", "}", "format R {", "instruction", "instruction x \"", "const X = 1/0;",
                          "registers r 0;", "word 99;", "psw nosuch;", "include \"nosuch.isa\";",
                          "instruction a \"rd\" R 1 cycles 1 { if (1) { } else }", "\"unterminated"};
  for (const char* in : inputs) {
    INFO(in);
    std::string e = error_of([&] { isa::load_isa_text("broken.isa", in); });
    CHECK_THAT(e, Catch::Contains("error:"));
  }
}

TEST_CASE("disassembly shows registers / immediates and absolute branch targets", "[isa]") {
  auto img = assemble(".org 16\nloop: addi r1, r2, -5\nld r3, 7(r4)\nbne r1, r0, loop\nout r1\nhalt\n");
  auto m = pg1();
  CHECK(isa::disassemble(*m, img->words[16], 16) == "addi r1, r2, -5");
  CHECK(isa::disassemble(*m, img->words[17], 17) == "ld r3, 7(r4)");
  CHECK(isa::disassemble(*m, img->words[18], 18) == "bne r1, r0, 16");
  CHECK(isa::disassemble(*m, img->words[19], 19) == "out r1");
  CHECK(isa::disassemble(*m, img->words[20], 20) == "halt");
  CHECK(isa::disassemble(*m, 0, 0) == ".word 0x00000000");
}

// ---- issue 8, items 14-16: the ISA language does what a C programmer expects, or says why not

TEST_CASE("&& and || short-circuit as in C: a bounds check guards the load after it", "[isa][semantics]") {
  // probe: rd = 1 when the word at rs is zero, 0 when rs is outside R, without a MEMORY trap.
  auto m = mini(R"(
instruction probe "rd, rs" R 0x20 cycles 1 { rd = ltu(rs, bound) && mem[rs] == 0; }
instruction miss  "rd, rs" R 0x21 cycles 1 { rd = geu(rs, bound) || mem[rs] != 0; }
)");
  auto run_one = [&](const char* mnemonic, std::uint32_t address, std::uint32_t word_there) {
    machine::Machine mc(m, 1024);
    mc.storage()[100] = word_there;
    mc.set_reg(2, address);
    auto code = assemble(std::string(".org 16\n") + mnemonic + " r1, r2\nhalt\n", m);
    mc.load(0, code->words);
    CHECK(mc.run(1000) == machine::StopReason::Halted);
    CHECK(mc.traps() == 0);  // no MEMORY trap: the load is not evaluated when the left side decides
    return mc.reg(1);
  };
  CHECK(run_one("probe", 100, 0) == 1);
  CHECK(run_one("probe", 100, 7) == 0);
  CHECK(run_one("probe", 5000, 0) == 0);  // outside R (bound 1024): && stops at the left side
  CHECK(run_one("miss", 5000, 0) == 1);   // || stops at the left side
  CHECK(run_one("miss", 100, 7) == 1);
  CHECK(run_one("miss", 100, 0) == 0);
}

TEST_CASE("no syntax error ever shows a C++ type name: every prefix of an ISA file", "[isa][errors]") {
  // Cutting a complete ISA file after every character reaches every expectation of the
  // grammar (a declaration, a field, an instruction's parts, a statement, an expression ...).
  // (The text itself contains none of the strings looked for.)
  const std::string full = kMini + R"(
pseudo mv "rd, rs" = "add rd, rs, r0";
instruction br "rs, rt, imm" I 0x40 cycles 1 privileged {
  if (rs == rt && !(mode != 0)) { pc = pc + 1 + imm; cycles += 1; } else if (rs < 0x10) { out('a'); }
  else { trap(PRIV, insn); }
  mem[rs + 1] = real[0b101] + sext(imm, 16) - "x";
}
remove instruction br;
)";
  int checked = 0;
  for (std::size_t cut = 0; cut < full.size(); ++cut) {
    std::string e = error_of([&] { isa::load_isa_text("cut.isa", full.substr(0, cut)); });
    if (e.empty()) continue;
    INFO("cut after " << cut << " characters: " << e);
    ++checked;
    CHECK(e.find("boost") == std::string::npos);
    CHECK(e.find("x3") == std::string::npos);
    CHECK(e.find("N5") == std::string::npos);
    CHECK(e.find("::") == std::string::npos);
    CHECK_THAT(e, Catch::Contains("cut.isa:"));
  }
  CHECK(checked > 500);
}

TEST_CASE("a missing or misplaced `cycles N` says so in words", "[isa][errors]") {
  std::string e = mini_error("instruction x \"rd\" R 9 { rd = 1; }");
  CHECK_THAT(e, Catch::Contains("mini.isa:23:24: error: expected `cycles N` after the opcode"));
  e = mini_error("instruction x \"rd\" R 9 privileged cycles 1 { rd = 1; }");
  CHECK_THAT(e, Catch::Contains("mini.isa:23:24: error: expected `cycles N` after the opcode (then `privileged`"));
  e = mini_error("remove x;");
  CHECK_THAT(e, Catch::Contains("error: expected 'instruction' after 'remove'"));
  e = mini_error("format Z { op 8; frob 24; }");
  CHECK_THAT(e, Catch::Contains("error: expected a field (op N; reg NAME N; simm NAME N; uimm NAME N; zero N;) or '}'"));
  e = mini_error("const Q = 0xg;");
  CHECK_THAT(e, Catch::Contains("error: expected hex digits after 0x"));
}

TEST_CASE("what the language does not have is named: C octal, loops, typed locals", "[isa][errors]") {
  auto in_semantics = [](const std::string& body) {
    return mini_error("instruction x \"rd, rs\" R 9 cycles 1 { " + body + " }");
  };
  CHECK_THAT(in_semantics("rd = 017;"), Catch::Contains("mini.isa:23:44: error: a leading 0 does not make an octal "
                                                        "literal in ISA semantics ('017'): write 0o17 for octal "
                                                        "(= 15 = 0xf), or 17 for decimal"));
  CHECK_THAT(in_semantics("rd = 019;"), Catch::Contains("error: a number with a leading 0 ('019') is not supported"));
  CHECK_THAT(in_semantics("while (rs) { rd = rd + 1; }"),
             Catch::Contains("error: 'while' is not supported in ISA semantics"));
  // C's for: the language's `for` is the bounded, unrolled loop, and the error shows it.
  CHECK_THAT(in_semantics("for (rd = 0; rd < 3; rd += 1) { }"),
             Catch::Contains("mini.isa:23:39: error: C's 'for (...; ...; ...)' is not ISA semantics: a loop has "
                             "constant bounds and is written 'for i in 0 .. 15 { ... }'"));
  CHECK_THAT(in_semantics("int t = rs + 1; rd = t;"),
             Catch::Contains("mini.isa:23:39: error: 'int t' is C, not ISA semantics: a temporary is declared with "
                             "'let' (let t = ...;)"));
  CHECK_THAT(in_semantics("return;"), Catch::Contains("error: 'return' is not supported in ISA semantics"));
  // Names that merely look like C keywords are still names.
  CHECK_NOTHROW(mini("control do : 4 = 0;\ninstruction x \"rd\" R 9 cycles 1 { do = rd; }"));
}

namespace {
/// Runs `asm_line` (then halt) on `m` with r2 = a, r3 = b; returns r1 (the machine must halt
/// without a trap).
std::uint32_t run_mini(const std::shared_ptr<const isa::IsaModel>& m, const std::string& asm_line, std::uint32_t a,
                       std::uint32_t b) {
  machine::Machine mc(m, 1024);
  mc.set_reg(2, a);
  mc.set_reg(3, b);
  auto code = assemble(".org 16\n" + asm_line + "\nhalt\n", m);
  mc.load(0, code->words);
  CHECK(mc.run(1000) == machine::StopReason::Halted);
  CHECK(mc.traps() == 0);
  return mc.reg(1);
}
}  // namespace

TEST_CASE("octal literals are written 0o17, in ISA files and in assembly", "[isa][semantics]") {
  auto m = mini("const O = 0o777;\ninstruction x \"rd\" R 9 cycles 1 { rd = 0o17 + O; }");
  CHECK(m->constants.at("O") == 511);
  CHECK(run_mini(m, "x r1", 0, 0) == 15 + 511);
  CHECK(run_mini(m, "li r1, 0O70", 0, 0) == 56);
  CHECK_THAT(mini_error("const Q = 0o8;"), Catch::Contains("mini.isa:23:13: error: expected octal digits (0 to 7) after 0o"));
  CHECK_THAT(mini_error("const Q = 0o2000000000000000000000;"), Catch::Contains("error: number '2000000000000000000000' does not fit in 64 bits"));
}

TEST_CASE("c ? a : b evaluates only the chosen operand, as in C", "[isa][semantics]") {
  // sel: rd = rs when rs < rt, else rt; probe: the unchosen side would memory-trap.
  auto m = mini(R"(
const BIG = 1 ? 7 : 1 / 0;
instruction sel   "rd, rs, rt" R 0x20 cycles 1 { rd = rs < rt ? rs : rt; }
instruction probe "rd, rs, rt" R 0x21 cycles 1 { rd = ltu(rs, bound) ? mem[rs] + 1 : 0 - 1; }
instruction chain "rd, rs, rt" R 0x22 cycles 1 { rd = rs == 0 ? 10 : rs == 1 ? 11 : rt == 0 ? 12 : 13; }
)");
  CHECK(m->constants.at("BIG") == 7);
  CHECK(run_mini(m, "sel r1, r2, r3", 5, 9) == 5);
  CHECK(run_mini(m, "sel r1, r2, r3", 9, 5) == 5);
  CHECK(run_mini(m, "sel r1, r2, r3", 0xffffffff, 1) == 0xffffffff);  // < is signed
  CHECK(run_mini(m, "probe r1, r2, r3", 100, 0) == 1);  // mem[100] is 0
  CHECK(run_mini(m, "probe r1, r2, r3", 5000, 0) == 0xffffffff);  // outside R: no MEMORY trap
  CHECK(run_mini(m, "chain r1, r2, r3", 0, 0) == 10);
  CHECK(run_mini(m, "chain r1, r2, r3", 1, 0) == 11);
  CHECK(run_mini(m, "chain r1, r2, r3", 2, 0) == 12);
  CHECK(run_mini(m, "chain r1, r2, r3", 2, 1) == 13);
  auto in_semantics = [](const std::string& body) {
    return mini_error("instruction x \"rd, rs\" R 9 cycles 1 { " + body + " }");
  };
  CHECK_THAT(in_semantics("rd = rs ? 1;"),
             Catch::Contains("mini.isa:23:50: error: expected ':' and the value when the condition is false (c ? a : b)"));
  CHECK_THAT(in_semantics("rd = rs ? : 2;"),
             Catch::Contains("mini.isa:23:49: error: expected the value when the condition is true after '?'"));
}

TEST_CASE("let declares a block-scoped temporary", "[isa][semantics]") {
  // swap: the old value of rd survives the write; scoped: each block's t is its own.
  auto m = mini(R"(
instruction swap   "rd, rs" R 0x20 cycles 1 { let old = rd; rd = rs; rs = old; }
instruction scoped "rd, rs, rt" R 0x21 cycles 1 {
  let t = rs + 1;
  if (rt != 0) { let u = t * 2; t = u + rt; } else { let u = 100; t += u; }
  rd = t;
}
instruction maxof "rd, rs, rt" R 0x22 cycles 1 { let a = rs; let b = rt; rd = a > b ? a : b; }
)");
  {
    machine::Machine mc(m, 1024);
    mc.set_reg(1, 7);
    mc.set_reg(2, 9);
    auto code = assemble(".org 16\nswap r1, r2\nhalt\n", m);
    mc.load(0, code->words);
    CHECK(mc.run(1000) == machine::StopReason::Halted);
    CHECK(mc.reg(1) == 9);
    CHECK(mc.reg(2) == 7);
  }
  CHECK(run_mini(m, "scoped r1, r2, r3", 4, 3) == 13);   // t = 5; u = 10; t = 13
  CHECK(run_mini(m, "scoped r1, r2, r3", 4, 0) == 105);  // t = 5 + 100
  CHECK(run_mini(m, "maxof r1, r2, r3", 4, 0xfffffffe) == 4);
  auto in_semantics = [](const std::string& body) {
    return mini_error("instruction x \"rd, rs\" R 9 cycles 1 { " + body + " }");
  };
  // Out of scope after its block; declared twice; a name that is taken; no '='.
  CHECK_THAT(in_semantics("if (rs) { let t = 1; } rd = t;"),
             Catch::Contains("mini.isa:23:67: error: unknown name 't'"));
  CHECK_THAT(in_semantics("let t = 1; if (rs) { let t = 2; } rd = t;"),
             Catch::Contains("mini.isa:23:64: error: temporary 't' is already declared (at mini.isa:23:43)"));
  CHECK_THAT(in_semantics("let rs = 1;"),
             Catch::Contains("mini.isa:23:43: error: temporary 'rs' has the name of a field of format R"));
  CHECK_THAT(in_semantics("let ie = 1;"), Catch::Contains("error: temporary 'ie' has the name of a control register"));
  CHECK_THAT(in_semantics("let K = 1;"), Catch::Contains("error: temporary 'K' has the name of a constant"));
  CHECK_THAT(in_semantics("let mode = 1;"), Catch::Contains("error: temporary 'mode' has the name of a word of the language"));
  CHECK_THAT(in_semantics("let t;"),
             Catch::Contains("mini.isa:23:44: error: expected '=' and the temporary's value after its name (let t = rs + 1;)"));
  std::string many;
  for (int i = 0; i <= 64; ++i) many += fmt::format("let t{} = {}; ", i, i);
  CHECK_THAT(in_semantics(many), Catch::Contains("error: more than 64 temporaries (let) in one instruction (the limit)"));
  // A field or control register called `let` is still a name.
  CHECK_NOTHROW(mini("control let : 4 = 0;\ninstruction x \"rd\" R 9 cycles 1 { let = rd; rd = let + 1; }"));
}

TEST_CASE("a comparison that can never hold is a warning with its place", "[isa][warnings]") {
  auto m = mini("instruction x \"rd\" R 9 cycles 1 { if (mode == 3) { rd = 1; } if (ie != 2) { rd = 2; } }");
  REQUIRE(m->warnings.size() == 2);
  CHECK_THAT(m->warnings[0].format(), Catch::StartsWith("mini.isa:23:39: warning: 'mode == 3' is never true: mode is "
                                                        "1 bit wide (0 to 1)"));
  CHECK_THAT(m->warnings[1].format(), Catch::Contains("warning: 'ie != 2' is always true: ie is 1 bit wide"));
  // Values that fit give no warning; PG-1 has none.
  CHECK(mini("instruction x \"rd\" R 9 cycles 1 { if (mode == 1 && flags == 255) { rd = 1; } }")->warnings.empty());
  CHECK(pg1()->warnings.empty());
}

TEST_CASE("silent replacements and shadowed names are errors", "[isa][errors]") {
  CHECK_THAT(mini_error("registers q 8;"),
             Catch::Contains("mini.isa:23:1: error: the registers are declared twice (first at mini.isa:5:1)"));
  CHECK_THAT(mini_error("format F { op 8; reg r1 4; zero 20; }"),
             Catch::Contains("mini.isa:23:18: error: field name 'r1' is the name of a general register"));
  CHECK_THAT(mini_error("format F { op 8; uimm ie 24; }"),
             Catch::Contains("mini.isa:23:18: error: field name 'ie' is the name of a control register"));
  CHECK_THAT(mini_error("control R2 : 4 = 0;"),
             Catch::Contains("mini.isa:23:1: error: control register 'R2' has the name of a general register"));
}

// ---- issue 12: N named privilege levels

namespace {
/// kMini with four rings: `levels` and a guest-kernel level, and instructions that may run at
/// ring0 only, down to ring1, and anywhere.
std::shared_ptr<const isa::IsaModel> rings(const std::string& extra = "") {
  return mini(R"(
levels ring0, ring1, ring2, ring3;
guest_kernel ring1;
instruction k0  "rd" R 0x20 cycles 1 privileged { rd = mode; }
instruction k1  "rd" R 0x21 cycles 1 privileged ring1 { rd = mode + 100; }
instruction any "rd" R 0x22 cycles 1 { rd = mode == ring3 ? 33 : mode; }
instruction setm "rs" R 0x23 cycles 1 privileged { mode = rs; }
)" + extra);
}
}  // namespace

TEST_CASE("levels: named privilege levels, most privileged first, in the PSW's mode", "[isa][levels]") {
  auto m = rings();
  CHECK(m->levels == std::vector<std::string>{"ring0", "ring1", "ring2", "ring3"});
  CHECK(m->guest_kernel == 1);
  CHECK(m->mode_mask() == 3);
  CHECK(m->constants.at("ring2") == 2);  // level names are constants (semantics and assembly)
  const auto& k0 = m->instructions[static_cast<std::size_t>(m->find_instruction("k0"))];
  const auto& k1 = m->instructions[static_cast<std::size_t>(m->find_instruction("k1"))];
  const auto& any = m->instructions[static_cast<std::size_t>(m->find_instruction("any"))];
  CHECK((k0.privileged && k0.max_level == 0));
  CHECK((k1.privileged && k1.max_level == 1));
  CHECK_FALSE(any.privileged);
  // P&G's two modes by default.
  CHECK(pg1()->levels == std::vector<std::string>{"supervisor", "user"});
  CHECK(pg1()->mode_mask() == 1);
  CHECK(pg1()->guest_kernel == 1);
}

TEST_CASE("levels: an instruction traps when the level is less privileged than it allows, on both engines", "[isa][levels][engine]") {
  auto m = rings();
  auto code = assemble(".org 16\nk0 r1\nk1 r1\nany r1\nsetm r2\n", m);
  // (mnemonic's word offset, level) -> traps?
  const std::pair<int, std::vector<bool>> expect[] = {{0, {false, true, true, true}},
                                                      {1, {false, false, true, true}},
                                                      {2, {false, false, false, false}}};
  for (auto engine : {machine::Engine::Reference, machine::Engine::Fast})
    for (const auto& [at, traps] : expect)
      for (std::uint32_t level = 0; level < 4; ++level) {
        INFO("instruction " << at << " at ring" << level << (engine == machine::Engine::Fast ? " (fast)" : ""));
        machine::Machine mc(m, 1024);
        mc.set_engine(engine);
        mc.load(0, code->words);
        mc.set_pc(16 + static_cast<std::uint32_t>(at));
        mc.set_mode(level);
        CHECK(mc.mode() == level);
        mc.run(1);
        CHECK((mc.traps() == 1) == traps[level]);
        if (traps[level]) {
          CHECK(mc.storage()[5] == 1);  // the privileged cause (PRIV)
          CHECK(mc.storage()[6] == code->words[16 + static_cast<std::size_t>(at)]);  // info = the word
        } else {
          std::uint32_t want = at == 0 ? level : at == 1 ? level + 100 : (level == 3 ? 33 : level);
          CHECK(mc.reg(1) == want);
        }
      }
  // The mode keeps the levels' bits: 2 bits for 4 levels.
  machine::Machine mc(m, 1024);
  mc.load(0, code->words);
  mc.set_pc(19);
  mc.set_reg(2, 6);
  mc.run(1);
  CHECK(mc.mode() == 2);
}

TEST_CASE("levels: errors name the level and what to write", "[isa][levels][errors]") {
  CHECK_THAT(error_of([] { rings("instruction k2 \"rd\" R 0x24 cycles 1 privileged ring9 { rd = 1; }"); }),
             Catch::Contains("error: instruction k2: unknown level 'ring9' after 'privileged' (the levels are ring0, "
                             "ring1, ring2, ring3)"));
  CHECK_THAT(error_of([] { rings("instruction k3 \"rd\" R 0x24 cycles 1 privileged ring3 { rd = 1; }"); }),
             Catch::Contains("error: instruction k3: 'privileged ring3' never traps (ring3 is the least privileged "
                             "level): leave 'privileged' out"));
  CHECK_THAT(error_of([] { rings("instruction k4 \"rd\" R 0x24 cycles 1 ring1 { rd = 1; }"); }),
             Catch::Contains("error: instruction k4: 'ring1' after `cycles N`: a level belongs after 'privileged'"));
  CHECK_THAT(error_of([] { rings("levels a, b;"); }), Catch::Contains("error: the levels are declared twice (first at mini.isa:"));
  CHECK_THAT(mini_error("levels solo;"), Catch::Contains("mini.isa:23:1: error: 1 privilege level: a machine has 2 to 8 "
                                                         "(the limit), most privileged first"));
  CHECK_THAT(mini_error("levels a, b, c, d, e, f, g, h, i;"), Catch::Contains("error: 9 privilege levels: a machine has 2 to 8"));
  CHECK_THAT(mini_error("levels a, a;"), Catch::Contains("error: level name 'a' is given twice"));
  CHECK_THAT(mini_error("levels K, b;"), Catch::Contains("error: level name 'K' is already a constant"));
  CHECK_THAT(mini_error("levels x, y;\nguest_kernel x;"),
             Catch::Contains("mini.isa:24:1: error: guest_kernel x: that is the most privileged level, where the VMM "
                             "itself runs; name a less privileged one"));
  CHECK_THAT(mini_error("levels x, y;\nguest_kernel z;"), Catch::Contains("error: unknown level 'z' (the levels are x, y)"));
  CHECK_THAT(mini_error("levels x, y;\nguest_kernel;"),
             Catch::Contains("mini.isa:24:13: error: expected the level a VMM runs a guest's kernel at"));
  CHECK_THAT(mini_error("control io : 2 = 0 guest = 0;"),
             Catch::Contains("error: 'guest = 0' is the value a VMM keeps owned state at: write 'owned guest = 0'"));
  CHECK_THAT(mini_error("control io : 2 = 0 owned guest = 4;"),
             Catch::Contains("error: the guest value 4 of 'io' does not fit its 2 bits"));
  auto m = mini("control io : 2 = 1 owned guest = 0;");
  CHECK(m->controls.back().owned);
  CHECK(m->controls.back().has_guest_value);
  CHECK(m->controls.back().guest_value == 0);
}
