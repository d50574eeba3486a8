// Words wider than 32 bits (issue 12, "word widths up to 64 bits"; the PDP-10 has 36-bit words):
// `word N;` takes 8..64, and a machine of 36 or 64 bits loads, assembles, runs on both engines,
// is classified and proved, with arithmetic that wraps at its top bit (docs/isa-language.md).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "helpers.hpp"
#include "vmm/classifier.hpp"

using namespace pgsim;
using namespace pgsim::test;

namespace {

std::shared_ptr<const isa::IsaModel> wide36() {
  static auto m = isa::load_isa(source_path("tests/data/wide36.isa"));
  return m;
}
std::shared_ptr<const isa::IsaModel> wide64() {
  static auto m = isa::load_isa(source_path("tests/data/wide64.isa"));
  return m;
}

/// Runs `text` (assembled for `isa`, loaded at 0) on `engine` until it halts.
machine::Machine run(const std::string& text, std::shared_ptr<const isa::IsaModel> isa, machine::Engine engine) {
  machine::Machine m = machine_with(text, 0, isa);
  m.set_engine(engine);
  REQUIRE(m.run(1'000'000) == machine::StopReason::Halted);
  return m;
}

/// The diagnostics of loading `text` as an ISA description, or "".
std::string isa_error(const std::string& text) {
  return error_of([&] { isa::load_isa_text("t.isa", text); });
}

// A model as tests/data/wide36.isa but for the word line, and one more instruction.
std::string w36_with(const std::string& word_line, const std::string& extra = "") {
  std::string t = "name \"x\";\n" + word_line + R"(
memory 4096;
registers r 8;
zero r0;
control ie : 1 = 0;
psw mode, pc, base, bound, ie;
trap old_psw = 0, cause = 5, info = 6, new_psw = 8, cycles = 10;
reset 16;
cause PRIV = 1 (privileged);
cause MEMORY = 2 (memory);
cause ILLEGAL = 4 (illegal);
format R { op 9; reg rd 4; reg rs 4; reg rt 4; zero 15; }
instruction add "rd, rs, rt" R 1 cycles 1 { rd = rs + rt; }
)";
  return t + extra;
}

const machine::Engine kEngines[] = {machine::Engine::Reference, machine::Engine::Fast};

}  // namespace

TEST_CASE("a 36-bit machine wraps at bit 35 and reads bit 35 as the sign -- both engines", "[wide]") {
  const std::string prog = R"(
        .org 16
        ld   r1, big(r0)      ; 2^35 - 1, the largest positive word
        addi r1, r1, 1        ; 2^35: bit 35 alone, the most negative word
        add  r2, r1, r1       ; the carry out of bit 35 is lost: 0
        addi r6, r0, 35
        sra  r3, r1, r6       ; the sign, in all 36 bits
        slt  r4, r1, r0       ; negative: 1
        ld   r5, big(r0)
        mul  r5, r5, r5       ; (2^35 - 1)^2 mod 2^36 = 1
        hi   r7, -1           ; the 19-bit immediate -1, sign-extended to 36 bits, << 18 | 0x3ffff
        st   r1, out(r0)
        halt
big:    .word 0x7ffffffff
out:    .word 0
)";
  for (auto e : kEngines) {
    INFO("engine " << static_cast<int>(e));
    auto m = run(prog, wide36(), e);
    CHECK(m.reg(1) == 0x800000000u);
    CHECK(m.reg(2) == 0u);
    CHECK(m.reg(3) == 0xfffffffffu);
    CHECK(m.reg(4) == 1u);
    CHECK(m.reg(5) == 1u);
    CHECK(m.reg(7) == 0xfffffffffu);
    auto img = assemble(prog, wide36());
    CHECK(m.storage()[img->symbol("out")] == 0x800000000u);
  }
  // The listing shows every word with 9 hex digits.
  CHECK_THAT(assemble(prog, wide36())->listing(*wide36()), Catch::Contains("7ffffffff"));
}

TEST_CASE("a 64-bit machine -- multiply and shifts wrap at bit 63, INT64_MIN / -1 is defined, both engines",
          "[wide]") {
  const std::string prog = R"(
        .org 16
        ld   r1, two32(r0)    ; 2^32
        mul  r2, r1, r1       ; 2^64 mod 2^64 = 0
        ld   r3, min(r0)      ; 2^63
        addi r4, r0, -1
        div  r5, r3, r4       ; INT64_MIN / -1 wraps to INT64_MIN
        addi r6, r0, 63
        sra  r6, r3, r6       ; the sign: all 64 bits
        add  r7, r3, r3       ; the carry out of bit 63 is lost: 0
        ld   r1, big(r0)
        halt
two32:  .word 0x100000000
min:    .word 0x8000000000000000
big:    .word 0xfedcba9876543210
)";
  for (auto e : kEngines) {
    INFO("engine " << static_cast<int>(e));
    auto m = run(prog, wide64(), e);
    CHECK(m.reg(1) == 0xfedcba9876543210u);
    CHECK(m.reg(2) == 0u);
    CHECK(m.reg(4) == ~isa::Word{0});
    CHECK(m.reg(5) == 0x8000000000000000u);
    CHECK(m.reg(6) == ~isa::Word{0});
    CHECK(m.reg(7) == 0u);
  }
}

TEST_CASE("word widths outside 8 to 64 are errors that name the limit", "[wide]") {
  CHECK_THAT(isa_error(w36_with("word 65;")), Catch::Contains("t.isa:2:1: error: word width must be 8 to 64 bits"));
  CHECK_THAT(isa_error(w36_with("word 7;")), Catch::Contains("t.isa:2:1: error: word width must be 8 to 64 bits"));
  CHECK(isa_error(w36_with("word 36;")).empty());
}

TEST_CASE("numbers wider than the word are errors -- in the ISA description and in assembly", "[wide]") {
  // 2^36 in a 36-bit machine's semantics.
  CHECK_THAT(isa_error(w36_with("word 36;", "instruction k \"rd\" R 2 cycles 1 { rd = 0x1000000000; }\n")),
             Catch::Contains("error: number does not fit in 36 bits"));
  CHECK(isa_error(w36_with("word 36;", "instruction k \"rd\" R 2 cycles 1 { rd = 0xfffffffff; }\n")).empty());
  // A constant of 2^36.
  CHECK_THAT(isa_error(w36_with("word 36;", "const BIG = 1 << 36;\n")),
             Catch::Contains("error: constant BIG = 68719476736 does not fit in 36 bits"));
  // In assembly: a word of 2^36, and 2^64 for the 64-bit machine.
  auto asm_error = [](const std::string& text, std::shared_ptr<const isa::IsaModel> isa) {
    return error_of([&] { assemble(text, isa); });
  };
  CHECK_THAT(asm_error("        .org 16\n        .word 0x1000000000\n", wide36()),
             Catch::Contains("test.s:2:15: error: number does not fit in 36 bits"));
  CHECK(asm_error("        .org 16\n        .word 0xfffffffff\n", wide36()).empty());
  CHECK_THAT(asm_error("        .org 16\n        .word 0x10000000000000000\n", wide64()),
             Catch::Contains("does not fit in 64 bits"));
  // An immediate too wide for its 19-bit field.
  CHECK_THAT(asm_error("        .org 16\n        addi r1, r0, 0x40000\n", wide36()),
             Catch::Contains("out of range for the 19-bit signed field"));
}

TEST_CASE("pgsim check --prove on a 64-bit machine proves a sensitivity at a value above 2^32 -- the JSON keeps it",
          "[wide]") {
  // Sampling does not find magic's one value in 2^64; the proof does, with 64-bit bit vectors.
  vmm::ClassifierOptions o;
  o.prove = vmm::ClassifierOptions::Prove::On;
  auto a = vmm::classify(wide64(), o);
  const vmm::Classification* magic = nullptr;
  for (const auto& c : a.instructions)
    if (c.name() == "magic") magic = &c;
  REQUIRE(magic);
  CHECK(magic->control_sensitive);
  CHECK(magic->proved.all());
  CHECK_FALSE(a.theorem1.holds);
  CHECK(a.theorem1.proved);

  auto r = run_pgsim("check --prove --json " + source_path("tests/data/wide64.isa"), false);
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& row : j["instructions"]) {
    if (row["name"] != "magic") continue;
    const auto& w = row["witness"];
    REQUIRE(w.is_object());
    auto word = w["word"].get<isa::Word>();
    auto rs = (word >> 47) & 0xf;  // format R: op 9 (bits 63..55), rd 4, rs 4 (bits 50..47)
    CHECK(w["before_a"]["registers"][rs].get<isa::Word>() == 0xdeadbeef00000001u);
    CHECK(w["after_a"]["ie"].get<isa::Word>() == 1u);
    found = true;
  }
  CHECK(found);
}
