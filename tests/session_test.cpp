// The debugging session behind the GUI: step kinds, the trap record, each level's view, and
// reverse execution that returns the machine exactly.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "vmm/session.hpp"

using namespace pgsim;
using namespace pgsim::test;

namespace {
std::shared_ptr<const assembler::Image> os() {
  static auto img = std::make_shared<assembler::Image>(assembler::assemble_file(*pg1(), source_path("examples/os/tinyos.s")));
  return img;
}
}  // namespace

TEST_CASE("session: the first trap at depth 2 is recorded with its chain, and the levels show the control blocks", "[session]") {
  vmm::Session s(pg1(), reference_vmm(), os(), 2);
  // Boot: L0 and L1 run first; the guest's first privileged instruction then traps.
  REQUIRE(s.run_to_next_trap({}, 2u));
  const auto& t = s.traps().back();
  CHECK(t.level == 2);
  CHECK(t.cause == 1);  // PRIV
  REQUIRE(t.chain.size() == 2);
  CHECK_FALSE(t.chain[0].emulates);  // L0 reflects
  CHECK(t.chain[1].emulates);        // L1 emulates (the guest OS is in virtual supervisor mode)
  CHECK(s.running_level() == 0);     // the real trap landed in L0
  auto l2 = s.view(2);
  auto cb = s.stack().virtual_state_of_guest_of(1);
  CHECK_FALSE(l2.running);
  CHECK(l2.mode == cb.mode);
  CHECK(l2.pc == cb.pc);
  CHECK(l2.bound == cb.bound);
  CHECK(l2.mode == 0);  // the guest OS believes it is in supervisor mode
  CHECK(l2.regs == cb.regs);
  CHECK_THAT(l2.where, Catch::Contains("tinyos.s:"));
  auto l1 = s.view(1);
  CHECK(l1.vmm);
  CHECK(l1.mode == 1);  // L1 was running its guest in user mode when the trap came
  // Step over the trap: control returns to L2, one instruction past the emulated one.
  auto l2_instructions = s.stats()[2].instructions;
  REQUIRE(s.step_over_trap());
  CHECK(s.running_level() == 2);
  CHECK(s.stats()[2].instructions == l2_instructions + 1);
  CHECK(s.stats()[1].instructions > 0);  // L1's interpreter routine ran in between
}

TEST_CASE("session: step back returns the machine exactly, for every step kind", "[session]") {
  vmm::Session s(pg1(), reference_vmm(), os(), 2);
  s.run_to_next_trap({}, 2u);
  using Snap = machine::Machine::Snapshot;
  auto check_back = [&](const char* kind, auto&& action) {
    INFO(kind);
    Snap before = s.machine().snapshot();
    auto steps = s.steps();
    auto traps = s.traps().size();
    auto stats = s.stats();
    action();
    REQUIRE(s.steps() > steps);
    s.step_back(s.steps() - steps);
    CHECK(s.steps() == steps);
    CHECK(s.machine().snapshot() == before);
    CHECK(s.traps().size() == traps);
    CHECK(s.stats()[2].instructions == stats[2].instructions);
    action();  // and forward again, to a different point for the next kind
  };
  check_back("step", [&] { s.step(); });
  check_back("step in level 1", [&] { s.step_in_level(1); });
  check_back("step over trap", [&] { s.run_to_next_trap(); s.step_over_trap(); });
  check_back("run to next SVC", [&] { s.run_to_next_trap(3u); });
  check_back("long run", [&] { for (int i = 0; i < 30000; ++i) s.step(); });
}

TEST_CASE("session: reverse execution reaches 100,000 steps back", "[session]") {
  vmm::Session s(pg1(), reference_vmm(), os(), 1);
  for (int i = 0; i < 20000; ++i) s.step();
  auto at = s.machine().snapshot();
  for (int i = 0; i < 100000 && !s.stopped(); ++i) s.step();
  REQUIRE(s.steps() == 120000);
  s.go_to_step(20000);
  CHECK(s.machine().snapshot() == at);
}

TEST_CASE("session: console input is replayed exactly after stepping back", "[session]") {
  auto echo = assemble(".org 16\nl: in r1\nblt r1, r0, l\nout r1\nli r2, 'q'\nbne r1, r2, l\nhalt\n");
  vmm::Session s(pg1(), reference_vmm(), echo, 1, 1024);
  for (int i = 0; i < 500; ++i) s.step();
  s.push_input('a');
  for (int i = 0; i < 500; ++i) s.step();
  s.push_input('q');
  s.run_until([](const machine::Event&) { return false; }, 100000);
  CHECK(s.machine().halted());
  CHECK(s.machine().console_output() == "aq");
  auto end = s.machine().snapshot();
  auto end_step = s.steps();
  s.go_to_step(400);
  CHECK(s.machine().console_output().empty());
  s.go_to_step(end_step);
  s.run_until([](const machine::Event&) { return false; }, 100000);
  CHECK(s.machine().snapshot() == end);
}

TEST_CASE("session: breakpoints on addresses / causes and levels", "[session]") {
  vmm::Session s(pg1(), reference_vmm(), os(), 2);
  auto entry = os()->symbol("trap_entry");
  auto where = os()->where(entry);
  auto colon = where.rfind(':');
  auto addrs = s.addresses_of_line(where.substr(0, colon), std::stoi(where.substr(colon + 1)));
  REQUIRE(addrs.size() == 1);
  CHECK(addrs[0] == s.stack().level_origin(2) + entry);
  s.breakpoints().addresses.insert(addrs[0]);
  REQUIRE(s.run(10'000'000));
  CHECK(s.machine().base() + s.machine().pc() == addrs[0]);
  s.breakpoints().addresses.clear();
  s.breakpoints().causes.insert(3);  // SVC
  REQUIRE(s.run(10'000'000));
  CHECK(s.traps().back().cause == 3);
  // A line of the VMM is a breakpoint at every VMM level.
  auto vmm_where = reference_vmm()->where(reference_vmm()->symbol("handler"));
  auto c2 = vmm_where.rfind(':');
  CHECK(s.addresses_of_line(vmm_where.substr(0, c2), std::stoi(vmm_where.substr(c2 + 1))).size() == 2);
}

TEST_CASE("session: the micro-steps of a trap, with the cycle counter as the machine accounts it", "[session]") {
  vmm::Session s(pg1(), reference_vmm(), os(), 1);
  // Go to just before the guest's first privileged instruction traps.
  REQUIRE(s.run_to_next_trap({}, 1u));
  s.step_back();
  auto micro = s.next_micro_steps();
  // fetch, "trap begins", 5 old-PSW stores, cause, info, 5 new-PSW loads
  REQUIRE(micro.size() == 1 + 1 + 5 + 2 + 5);  // fetch, trap, old PSW, cause, info, new PSW
  CHECK_THAT(micro[0].text, Catch::Contains("fetch"));
  CHECK_THAT(micro[1].text, Catch::Contains("trap PRIV"));
  CHECK_THAT(micro[3].text, Catch::Contains("store old PSW pc"));
  CHECK_THAT(micro[8].text, Catch::Contains("store info"));
  CHECK_THAT(micro.back().text, Catch::Contains("load new PSW ie"));
  auto before = s.machine().cycles();
  CHECK(micro.front().cycle == before);
  s.step();
  CHECK(micro.back().cycle == s.machine().cycles());
  CHECK(s.machine().cycles() == before + 10);
}
