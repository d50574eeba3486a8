// The ISA description language: every construct, every error kind.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include <set>

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
