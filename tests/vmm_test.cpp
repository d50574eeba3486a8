// The recursive VMM: each emulated instruction at depth 1 and 2, P&G's equivalence property
// for every example guest at depth 0..6, level attribution, and the cost of depth.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "helpers.hpp"

using namespace pgsim;
using namespace pgsim::test;

namespace {
struct Outcome {
  vmm::GuestState state;
  machine::StopReason reason;
  std::uint64_t real_traps;
  std::vector<vmm::LevelStats> levels;
};

Outcome run_at(std::shared_ptr<const assembler::Image> guest, unsigned depth, std::uint32_t memory = 0,
               const std::string& input = "") {
  vmm::Stack s(pg1(), reference_vmm(), guest, depth, memory);
  for (char c : input) s.machine().push_input(static_cast<unsigned char>(c));
  Outcome o;
  o.reason = s.run(4'000'000'000ull, o.levels);
  o.state = s.guest_state();
  o.real_traps = s.machine().traps();
  return o;
}

// A guest OS in miniature that uses every privileged instruction in (virtual) supervisor
// mode, then runs a user program whose svc, privileged instruction and bad access are
// reflected back to it.
const char* kPrivGuest = R"(
        .org 8
        .word 0, handler, 0, 4096, 0
        .org 16
        getm r1                 ; 0: supervisor
        spsw psw1(r0)
        li r2, 0x5a
        stp r2, 3000(r0)
        ldp r3, 3000(r0)
        li r4, 'o'
        out r4
        li r4, 'k'
        out r4
        in r5
        in r6
        li r4, 5000
        stimer r4
        stimer r0
        lpsw user(r0)           ; into user mode at 'prog'
handler:
        ld r1, CAUSE(r0)
        ld r2, INFO(r0)
        ld r3, OLD_PSW+1(r0)
        st r1, log(r7)
        addi r7, r7, 1
        li r4, 3
        blt r7, r4, back
        halt
back:   ld r4, OLD_PSW+1(r0)    ; resume after the trapping instruction
        addi r4, r4, 1
        st r4, OLD_PSW+1(r0)
        lpsw OLD_PSW(r0)
user:   .word 1, prog, 0, 4096, 0
psw1:   .space 5
log:    .space 4
prog:   svc 7
        nop
        getm r1                 ; PRIV in user mode: reflected
        li r2, 5000
        ld r3, 0(r2)            ; MEMORY: reflected
        nop
)";
}  // namespace

TEST_CASE("the stack lays out L0..LN-1 VMMs and the guest / and attributes code by address", "[vmm]") {
  auto guest = assemble(".org 16\nhalt\n");
  vmm::Stack s(pg1(), reference_vmm(), guest, 3, 4096);
  std::uint32_t V = s.vmm_size();
  CHECK(V == reference_vmm()->symbol("VMM_SIZE"));
  CHECK(s.machine().storage().size() == 4096 + 3 * V);
  CHECK(s.level_of(0) == 0);
  CHECK(s.level_of(V - 1) == 0);
  CHECK(s.level_of(V) == 1);
  CHECK(s.level_of(2 * V + 5) == 2);
  CHECK(s.level_of(3 * V) == 3);
  CHECK(s.level_of(3 * V + 4000) == 3);
  for (unsigned k = 0; k < 3; ++k)
    CHECK(std::equal(reference_vmm()->words.begin(), reference_vmm()->words.end(),
                     s.machine().storage().begin() + k * V));
}

TEST_CASE("every emulated instruction and every reflected trap: depth 1 and 2 equal the bare machine", "[vmm]") {
  auto guest = assemble(kPrivGuest);
  auto bare = run_at(guest, 0, 4096, "AB");
  REQUIRE(bare.reason == machine::StopReason::Halted);
  CHECK(bare.state.console == "ok");
  CHECK(bare.state.regs[5] == 'A');
  CHECK(bare.state.regs[6] == 'B');
  std::uint32_t log = guest->symbol("log"), psw1 = guest->symbol("psw1");
  CHECK(bare.state.storage[log] == 3);       // SVC
  CHECK(bare.state.storage[log + 1] == 1);   // PRIV
  CHECK(bare.state.storage[log + 2] == 2);   // MEMORY
  CHECK(bare.state.storage[psw1 + 1] == 18);
  CHECK(bare.state.storage[psw1 + 3] == 4096);
  for (unsigned depth : {1u, 2u}) {
    INFO("depth " << depth);
    auto v = run_at(guest, depth, 4096, "AB");
    CHECK(v.reason == machine::StopReason::Halted);
    CHECK(v.state.console == bare.state.console);
    CHECK(v.state.regs == bare.state.regs);
    CHECK(v.state.psw == bare.state.psw);
    CHECK(v.state.storage == bare.state.storage);
    CHECK(v.real_traps > bare.real_traps);
  }
}

TEST_CASE("P&G's equivalence property: every example guest / depth 0..6", "[vmm][equivalence]") {
  std::vector<std::string> guests;
  for (auto& e : std::filesystem::directory_iterator(source_path("examples/guests")))
    if (e.path().extension() == ".s") guests.push_back(e.path().string());
  guests.push_back(source_path("examples/os/tinyos.s"));
  REQUIRE(guests.size() >= 4);
  for (const auto& g : guests) {
    auto img = std::make_shared<assembler::Image>(assembler::assemble_file(*pg1(), g));
    auto bare = run_at(img, 0);
    INFO(g);
    REQUIRE(bare.reason == machine::StopReason::Halted);
    REQUIRE_FALSE(bare.state.console.empty());
    for (unsigned depth = 1; depth <= 6; ++depth) {
      INFO("depth " << depth);
      auto v = run_at(img, depth);
      CHECK(v.reason == machine::StopReason::Halted);
      CHECK(v.state.console == bare.state.console);
      CHECK(v.state.regs == bare.state.regs);
      CHECK(v.state.psw == bare.state.psw);
      CHECK(v.state.storage == bare.state.storage);
      // Only the guest's own innocuous instructions run as guest code; the VMMs did the rest.
      CHECK(v.levels[depth].instructions <= bare.levels[0].instructions);
      for (unsigned k = 0; k < depth; ++k) CHECK(v.levels[k].instructions > 0);
    }
  }
}

TEST_CASE("the cost of depth: real traps per guest privileged instruction double per level", "[vmm][cost]") {
  // getm is emulated with no privileged instruction but the resuming lpsw: 2^(k-1) real traps.
  // out needs one more privileged instruction (the VMM's own out): 2^k - 1 real traps.
  auto prog = [](const char* ins, int n) {
    std::string s = ".org 16\n";
    for (int i = 0; i < n; ++i) s += std::string(ins) + "\n";
    return assemble(s + "halt\n");
  };
  for (const char* ins : {"getm r1", "out r0"}) {
    auto base = prog(ins, 0), more = prog(ins, 64);
    for (unsigned k = 1; k <= 6; ++k) {
      INFO(ins << " at depth " << k);
      auto a = run_at(base, k, 4096), b = run_at(more, k, 4096);
      double per = static_cast<double>(b.real_traps - a.real_traps) / 64.0;
      double expect = std::string(ins) == "getm r1" ? std::pow(2.0, k - 1) : std::pow(2.0, k) - 1;
      CHECK(per == expect);
    }
  }
}
