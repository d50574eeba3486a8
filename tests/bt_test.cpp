// The binary-translating monitor (vmm/monitors/bt.s, issue 11 §3): equivalence of every example
// guest and the reference OS, at depth 1 and under itself at depth 3, computed by running them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "helpers.hpp"
#include "vmm/equivalence.hpp"

using namespace pgsim;
using test::source_path;

namespace {

std::shared_ptr<const assembler::Image> assemble_on(const std::shared_ptr<const isa::IsaModel>& isa,
                                                    const std::string& rel) {
  return std::make_shared<assembler::Image>(assembler::assemble_file(*isa, source_path(rel)));
}

const std::vector<std::string> kGuests{"examples/guests/arith.s", "examples/guests/fib.s",
                                       "examples/guests/hello.s", "examples/guests/sieve.s",
                                       "examples/guests/whoami.s", "examples/os/tinyos.s"};

/// Every guest on `isa_file` under bt at `depth`: equivalent (a timer interrupt may end lockstep,
/// the final states must then be equal).
void check_all_equivalent(const std::string& isa_file, unsigned depth) {
  auto isa = isa::load_isa(source_path(isa_file));
  auto bt = assemble_on(isa, "vmm/monitors/bt.s");
  for (const auto& g : kGuests) {
    INFO(isa_file << ", depth " << depth << ": " << g);
    auto r = vmm::check_equivalence(isa, bt, assemble_on(isa, g), depth, 0, 4'000'000'000ull);
    CHECK(r.differs.empty());
    CHECK((r.verdict == vmm::EquivalenceResult::Verdict::Equivalent ||
           r.verdict == vmm::EquivalenceResult::Verdict::TimerThenEqual));
    CHECK(r.virtualized_stop == machine::StopReason::Halted);
    CHECK(r.bare.console == r.virtualized.console);
  }
}

}  // namespace

TEST_CASE("bt: every example guest and the reference OS are equivalent on pg1.isa at depth 1", "[bt][equiv]") {
  check_all_equivalent("examples/isa/pg1.isa", 1);
}

TEST_CASE("bt: every example guest and the reference OS are equivalent on pg1.isa under bt under bt (depth 3)",
          "[bt][equiv]") {
  check_all_equivalent("examples/isa/pg1.isa", 3);
}

TEST_CASE("bt: the reference OS's kernel takes no real trap under bt; under trap-and-emulate every privileged "
          "instruction does",
          "[bt]") {
  auto te = test::run_pgsim("run --json --depth 1 " + source_path("examples/os/tinyos.s"));
  auto bt = test::run_pgsim("run --json --depth 1 --vmm bt " + source_path("examples/os/tinyos.s"));
  REQUIRE(te.code == 0);
  REQUIRE(bt.code == 0);
  auto traps = [](const std::string& json) {
    auto p = json.find("\"real_traps\": ");
    REQUIRE(p != std::string::npos);
    return std::stoull(json.substr(p + 14));
  };
  // Under bt the real traps are the user programs' own (svc, their faults, timer ticks while they
  // run): the bare machine takes the same ones.
  auto bare = test::run_pgsim("run --json " + source_path("examples/os/tinyos.s"));
  CHECK(traps(bt.out) == traps(bare.out));
  CHECK(traps(te.out) > traps(bt.out));
}
