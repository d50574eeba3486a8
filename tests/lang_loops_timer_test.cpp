// Issue 12's language gaps: bounded `for` loops over a register list (unrolled when compiled),
// indexed registers `r[e]`, the readable interval timer (`timer`) and the settable clock
// (`clock`), as docs/isa-language.md describes them. Each construct runs on both engines with the
// same result; each error names its place, with the caret, in words; the classifier and the
// prover read the new operations.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "analysis/prover.hpp"
#include "helpers.hpp"
#include "machine/run_loop.hpp"
#include "vmm/classifier.hpp"
#include "vmm/selectors.hpp"

using namespace pgsim;
using namespace pgsim::test;
using machine::Engine;

namespace {

// A 16-register machine with ARM-like LDM/STM (a 16-bit register list), x86-like POPA, a move
// between computed registers, S/370-like STPT/SPT and STCK/SCK.
const std::string kIsa = R"(
name "loops";
word 32;
memory 4096;
registers r 16;
control ie : 1 = 0;
psw mode, pc, base, bound, ie;
trap old_psw = 0, cause = 5, info = 6, new_psw = 8, cycles = 10;
reset 16;
cause PRIV = 1 (privileged);
cause MEMORY = 2 (memory);
cause SVC = 3;
cause ILLEGAL = 4 (illegal);
cause TIMER = 6 (timer);
timer TIMER enable ie;
format R { op 8; reg rd 4; reg rs 4; reg rt 4; zero 12; }
format I { op 8; reg rd 4; reg rs 4; simm imm 16; }
format L { op 8; reg rn 4; uimm list 16; zero 4; }
format X { op 8; uimm a 4; uimm b 4; reg rt 4; zero 12; }
instruction addi "rd, rs, imm" I 0x01 cycles 1 { rd = rs + imm; }
instruction ldm "rn, list" L 0x10 cycles 2 {
  let a = rn;
  for i in 0 .. 15 { if ((list >> i) & 1) { r[i] = mem[a]; a += 1; } }
}
instruction stm "rn, list" L 0x11 cycles 2 {
  let a = rn;
  for i in 0 .. 15 { if ((list >> i) & 1) { mem[a] = r[i]; a += 1; } }
}
instruction popa "rs" R 0x12 cycles 2 {
  let from = rs;
  for i in reverse 0 .. 15 { let v = mem[from + 15 - i]; r[i] = v + i; }
}
instruction movx "a, b, rt" X 0x13 cycles 1 { r[a + rt] = r[b + rt]; }
instruction setn "rs" R 0x14 cycles 1 { for i in 0 .. 3 { if ((rs >> i) & 1) { r[i + 4] = i; } } }
instruction stpt "rd" R 0x20 cycles 1 { rd = timer; }
instruction spt "rs" R 0x21 cycles 1 privileged { stimer(rs); }
instruction stck "rd" R 0x22 cycles 1 { rd = clock; }
instruction sck "rs" R 0x23 cycles 2 privileged { clock = rs; }
instruction halt "" R 0x3f cycles 1 privileged { halt; }
)";

std::shared_ptr<const isa::IsaModel> loops_isa() {
  static auto m = isa::load_isa_text("loops.isa", kIsa);
  return m;
}

/// Runs `program` (assembled for loops.isa) to its halt on `engine` (blocks on or off).
machine::Machine run(const std::string& program, Engine engine, bool blocks = true) {
  auto m = machine_with(program, 4096, loops_isa());
  m.set_engine(engine);
  m.set_blocks(blocks);
  m.run(100000);
  return m;
}

/// Runs `program` on the reference engine and on the fast one (blocks on and off) and checks
/// that the three agree on the whole state; returns the reference run.
machine::Machine run_both(const std::string& program) {
  auto ref = run(program, Engine::Reference);
  CHECK(ref.halted());
  for (bool blocks : {true, false}) {
    INFO("fast engine, blocks " << blocks);
    auto fast = run(program, Engine::Fast, blocks);
    CHECK(fast.snapshot() == ref.snapshot());
  }
  return ref;
}

/// The error text of loading `semantics` as the body of an instruction of loops.isa.
std::string error_in(const std::string& semantics) {
  return error_of([&] {
    isa::load_isa_text("bad.isa", kIsa + "instruction bad \"rd, rs\" R 0x30 cycles 1 {\n" + semantics + "\n}\n");
  });
}
/// Line of the instruction body in error_in's text (the line after `instruction bad`).
int body_line() {
  return static_cast<int>(std::count(kIsa.begin(), kIsa.end(), '\n')) + 2;
}

const vmm::Classification& row(const vmm::Analysis& a, const std::string& name) {
  for (const auto& c : a.instructions)
    if (c.name() == name) return c;
  FAIL("no row " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("a for loop over a 16-bit register list loads and stores the listed registers -- both engines",
          "[isa][lang]") {
  std::string program = ".org 16\naddi r15, r0, 100\nldm r15, 0x7ffe\naddi r15, r0, 200\nstm r15, 0xffff\n"
                        "ldm r1, 0x0006\nhalt\n.org 1000\n.word 7\n.word 8\n.org 100\n";
  for (int i = 0; i < 16; ++i) program += ".word " + std::to_string(1000 + i) + "\n";
  auto m = run_both(program);
  // ldm r15, {r1..r14}: word 100 + k to the k-th listed register (r1 = 1000 ... r14 = 1013).
  for (int i = 3; i <= 14; ++i) {
    INFO("register " << i);
    CHECK(m.reg(i) == 999u + static_cast<unsigned>(i));
  }
  // stm r15, {r0..r15}: every register in order, r15 = 200 among them.
  for (int i = 0; i < 16; ++i) {
    INFO("register " << i);
    std::uint32_t expected = i == 15 ? 200u : i == 0 ? 0u : 999u + static_cast<unsigned>(i);
    CHECK(m.storage()[200 + static_cast<unsigned>(i)] == expected);
  }
  // ldm r1, {r1, r2}: the address (r1 = 1000) is read before r1 is loaded.
  CHECK(m.reg(1) == 7u);
  CHECK(m.reg(2) == 8u);
}

TEST_CASE("a for loop unrolls -- the loop variable is a constant in each copy, reverse counts down, let is new per iteration",
          "[isa][lang]") {
  auto isa = loops_isa();
  const auto& popa = isa->instructions[static_cast<std::size_t>(isa->find_instruction("popa"))];
  // No backward jump (the machine, the fast engine and the formulas have no loops), and one
  // slot serves each iteration's `let v`.
  for (std::size_t i = 0; i < popa.semantics.code.size(); ++i)
    if (popa.semantics.code[i].op == isa::Op::Jump || popa.semantics.code[i].op == isa::Op::JumpIfZero)
      CHECK(popa.semantics.code[i].arg > i);
  CHECK(popa.semantics.locals == 2);  // `from`, and `v` shared by the 16 copies
  std::string program = ".org 16\naddi r1, r0, 300\npopa r1\nhalt\n.org 300\n";
  for (int i = 0; i < 16; ++i) program += ".word " + std::to_string(10 * i) + "\n";
  auto m = run_both(program);
  // for i in reverse 0 .. 15: r[i] = mem[300 + 15 - i] + i.
  for (int i = 0; i < 16; ++i) {
    INFO("register " << i);
    CHECK(m.reg(i) == static_cast<std::uint32_t>(10 * (15 - i) + i));
  }
}

TEST_CASE("r[e] with a computed index reads and writes the register it names, modulo the register file -- both engines",
          "[isa][lang]") {
  // movx a, b, rt: r[a + rt] = r[b + rt], the index computed from rt's value when it runs.
  auto m = run_both(".org 16\naddi r5, r0, 55\nmovx 3, 5, r0\naddi r1, r0, 77\naddi r9, r0, 9\nmovx 9, 8, r9\nhalt\n");
  CHECK(m.reg(3) == 55u);  // r[3 + 0] = r[5 + 0]
  CHECK(m.reg(2) == 77u);  // r[(9 + 9) mod 16] = r[(8 + 9) mod 16]: r2 = r1
  // A constant index compiles to the plain register operation.
  auto isa = loops_isa();
  const auto& ldm = isa->instructions[static_cast<std::size_t>(isa->find_instruction("ldm"))];
  for (const auto& c : ldm.semantics.code) CHECK(c.op != isa::Op::StoreRegIndex);
  const auto& movx = isa->instructions[static_cast<std::size_t>(isa->find_instruction("movx"))];
  CHECK(std::any_of(movx.semantics.code.begin(), movx.semantics.code.end(),
                    [](const isa::Code& c) { return c.op == isa::Op::StoreRegIndex; }));
}

TEST_CASE("the timer reads the cycles left, exactly as the reference engine counts them -- both engines, blocks on and off",
          "[isa][lang][machine]") {
  std::string adds;
  for (int i = 0; i < 20; ++i) adds += "addi r2, r2, 1\n";
  // spt's own cycle does not count against the timer it sets; each addi costs 1, stpt 1.
  auto m = run_both(".org 16\naddi r1, r0, 1000\nspt r1\n" + adds + "stpt r3\naddi r2, r2, 1\nstpt r4\n" +
                    "addi r5, r0, 5\nspt r5\n" + adds + "stpt r6\nhalt\n");
  CHECK(m.reg(3) == 980u);
  CHECK(m.reg(4) == 978u);
  CHECK(m.reg(6) == 0u);  // ran out (the interrupt is pending, ie is 0): the timer reads 0
  CHECK(m.timer_pending());
}

TEST_CASE("the clock counts cycles from the value sck sets -- both engines, snapshot and reset", "[isa][lang][machine]") {
  auto m = run_both(".org 16\nstck r1\naddi r2, r0, 5000\nsck r2\naddi r3, r3, 1\naddi r3, r3, 1\naddi r3, r3, 1\n"
                    "stck r4\nhalt\n");
  CHECK(m.reg(1) == 0u);     // cycle 0: the clock reads the cycle counter after reset
  CHECK(m.reg(4) == 5005u);  // 5000 at sck's start (cycle 2), + 2 (sck) + 3 (addi)
  CHECK(m.clock_offset() == 4998u);
  auto s = m.snapshot();
  machine::Machine other(loops_isa(), 4096);
  other.restore(s);
  CHECK(other.clock_offset() == 4998u);
  other.reset();
  CHECK(other.clock_offset() == 0u);
}

TEST_CASE("loop, index, timer and clock errors name their place and the limit in words", "[isa][lang][errors]") {
  auto check = [](const std::string& semantics, int col, const std::string& words) {
    INFO(semantics);
    std::string e = error_in(semantics);
    CHECK_THAT(e, Catch::Contains(fmt::format("bad.isa:{}:{}: error:", body_line(), col)));
    CHECK_THAT(e, Catch::Contains(words));
    CHECK_THAT(e, Catch::Contains("^"));
    CHECK(e.find("::") == std::string::npos);
    CHECK(e.find("boost") == std::string::npos);
  };
  check("for (i = 0; i < 4; i++) { rd = 1; }", 1, "for i in 0 .. 15 { ... }");
  check("while (rd) { rd = 1; }", 1, "'while' is not supported");
  check("do { rd = 1; } while (rd);", 1, "'do' is not supported");
  check("for i in 0 .. rs { rd = i; }", 15, "a bound of a for loop must be a constant expression");
  check("for i in 0 .. 64 { rd = i; }", 1, "for loop of 65 iterations (0 .. 64): at most 64 (the limit)");
  check("for i in 0 .. 3 { i = 1; }", 19, "loop variable 'i' is read-only");
  check("for rd in 0 .. 3 { }", 5, "loop variable 'rd' has the name of a field");
  check("for i in 0 .. 3 { for i in 0 .. 3 { } }", 23, "the variable of an enclosing for loop");
  check("for i in 0 .. 15 { r[i + 1] = 0; }", 22, "register index 16 is past the register file (r0 .. r15)");
  check("for i in 0 .. 3 { let i = 1; }", 23, "temporary 'i' has the name of the variable of an enclosing for loop");
  check("timer = 5;", 1, "timer is read-only here: stimer(v) sets the interval timer");
  check("for i in 0 3 { }", 12, "expected '..' between the loop's bounds");
  check("for i 0 .. 3 { }", 7, "expected 'in' after the loop variable");
  check("rd = r;", 6, "'r' is the register file: write r[i] for register i");
  // Unrolled code is bounded: 64 x 64 copies of a body of a few operations.
  check("for i in 0 .. 63 { for j in 0 .. 63 { mem[i + j] = rs + i * j; } }", 20,
        "the semantics compile to more than 8192 operations (the limit)");
  // Loops nest under the statement nesting limit (`if`s and `for`s together).
  std::string deep, close;
  for (int k = 0; k < 129; ++k) {
    deep += "for i" + std::to_string(k) + " in 0 .. 0 { ";
    close += "} ";
  }
  CHECK_THAT(error_in(deep + close), Catch::Contains("'if' and 'for' statements (each 'else if' counts as a level) "
                                                     "nested deeper than 128 levels (the limit)"));
  // A loop of no iterations is legal, with a warning that says how to count down.
  auto isa = isa::load_isa_text("warn.isa", kIsa + "instruction w \"rd\" R 0x30 cycles 1 { for i in 3 .. 0 { rd = i; } }\n");
  REQUIRE(isa->warnings.size() == 1);
  CHECK_THAT(isa->warnings[0].message, Catch::Contains("this loop runs 0 times (3 > 0): write 'for i in reverse 0 .. 3'"));
  // A constant condition in a copy drops the other branch, and its register index with it.
  CHECK_NOTHROW(isa::load_isa_text("ok.isa", kIsa + "instruction ok \"rd\" R 0x30 cycles 1 { for i in 0 .. 15 { "
                                                    "if (i < 15) { r[i + 1] = r[i]; } else { rd = r[i]; } } }\n"));
  // `for` stays a usable name when it is not a loop: a field called `for`.
  CHECK_NOTHROW(isa::load_isa_text("ok.isa", kIsa + "format F { op 8; reg for 4; zero 20; }\n"
                                                    "instruction ok \"for\" F 0x30 cycles 1 { for = 1; }\n"));
}

TEST_CASE("the classifier on the new operations -- sck control sensitive, stck a timing source, a 16-bit list no selector",
          "[analysis][lang]") {
  auto isa = loops_isa();
  for (const char* m : {"ldm", "stm"}) {
    INFO(m);
    const auto& ins = isa->instructions[static_cast<std::size_t>(isa->find_instruction(m))];
    CHECK(vmm::plan_selectors(*isa, ins).empty());  // `list` is 16 bits: a number, not a selector
  }
  vmm::ClassifierOptions o;
  auto a = vmm::classify(isa, o);
  for (const char* m : {"ldm", "stm", "popa", "movx", "setn", "addi"}) {
    INFO(m);
    CHECK_FALSE(row(a, m).sensitive());
    CHECK_FALSE(row(a, m).privileged);
  }
  CHECK(row(a, "sck").privileged);
  CHECK(row(a, "sck").control_sensitive);
  CHECK_FALSE(row(a, "sck").timing_source);  // setting the clock at two times sets it alike
  CHECK(a.timing_sources == std::vector<std::string>{"stck"});
  CHECK(a.theorem1.holds);
  bool noted = false;
  for (const auto& n : row(a, "stpt").notes) noted = noted || n.find("read the timer") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("the prover translates loops and r[e], and says why it leaves the timer and setting the clock",
          "[analysis][prove][lang]") {
  auto isa = loops_isa();
  analysis::ProverOptions po;
  po.instruction_ms = 30000;
  analysis::Prover p(isa, po);
  auto ins = [&](const char* m) -> const isa::Instruction& {
    return isa->instructions[static_cast<std::size_t>(isa->find_instruction(m))];
  };
  for (const char* m : {"movx", "setn"}) {
    INFO(m);
    auto pr = p.prove(ins(m));
    INFO(pr.reason);
    REQUIRE(pr.decided);
    CHECK_FALSE(pr.control.holds);
    CHECK_FALSE(pr.mode.holds);
    CHECK_FALSE(pr.location.holds);
    CHECK_FALSE(pr.timing.holds);
  }
  auto stck = p.prove(ins("stck"));
  REQUIRE(stck.decided);
  CHECK(stck.timing.holds);
  CHECK_FALSE(stck.control.holds);
  auto stpt = p.prove(ins("stpt"));
  CHECK_FALSE(stpt.decided);
  CHECK_THAT(stpt.reason, Catch::Contains("reading the timer"));
  auto sck = p.prove(ins("sck"));
  CHECK_FALSE(sck.decided);
  CHECK_THAT(sck.reason, Catch::Contains("setting the clock"));
}
