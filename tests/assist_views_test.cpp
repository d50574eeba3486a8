// What the views read for a stack of assist monitors (issue 10, item 4): L0's own state while
// its guests run under interpretive execution, each monitor's state description, and VM entries
// and exits in the session's record as their own kind of event.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "vmm/session.hpp"

using namespace pgsim;
using namespace pgsim::test;

namespace {
std::shared_ptr<const isa::IsaModel> assist_isa() {
  static auto m = isa::load_isa(source_path("examples/isa/pg1-assist.isa"));
  return m;
}
std::shared_ptr<const assembler::Image> image(const std::string& rel) {
  return std::make_shared<assembler::Image>(assembler::assemble_file(*assist_isa(), source_path(rel)));
}
}  // namespace

TEST_CASE("under interpretive execution L0's view is its own state (at its sie), not the guest's", "[assist][session]") {
  auto mon = image("vmm/monitors/assist.s");
  vmm::Session s(assist_isa(), mon, image("examples/guests/hello.s"), 3);
  REQUIRE(s.run_to_level(3));
  auto v0 = s.view(0);
  CHECK(v0.mode == 0);     // supervisor
  CHECK(v0.base == 0);     // the real machine's own R
  CHECK(v0.pc == mon->symbol("run"));  // its sie
  CHECK(v0.instruction.rfind("sie", 0) == 0);
  CHECK_FALSE(v0.running);
  CHECK(s.view(3).running);
}

TEST_CASE("each assist monitor's card has its guest's state description -- others have none", "[assist][session]") {
  vmm::Session s(assist_isa(), image("lessons/programs/11-assist-out.s"), image("examples/guests/hello.s"), 2);
  REQUIRE(s.run_to_level(2));
  for (unsigned k = 0; k < 2; ++k) {
    auto sd = s.view(k).state_description;
    CHECK_THAT(sd, Catch::Contains("SD (in hardware): guest supervisor") && Catch::Contains("intercepts out") &&
                       Catch::Contains("region 512+") && Catch::Contains("last exit none"));
  }
  CHECK(s.view(2).state_description.empty());
  s.run_until([](const machine::Event&) { return false; }, 1'000'000);
  REQUIRE(s.machine().halted());
  CHECK_THAT(s.view(1).state_description, Catch::Contains("last exit EXIT_INTERCEPT info 0x"));
  vmm::Session n(pg1(), reference_vmm(), image("examples/guests/hello.s"), 2);
  CHECK(n.view(0).state_description.empty());
}

TEST_CASE("VM entries and exits are recorded as their own kind, with the guest's level and the handling host", "[assist][session]") {
  vmm::Session s(assist_isa(), image("lessons/programs/11-assist-out.s"), image("examples/guests/hello.s"), 2);
  s.run_until([](const machine::Event&) { return false; }, 1'000'000);
  REQUIRE(s.machine().halted());
  std::size_t exits = 0, entries = 0, from2 = 0;
  for (const auto& t : s.recorded_traps()) {
    if (t.kind == machine::EventKind::VmExit) {
      ++exits;
      REQUIRE(t.chain.size() == 1);
      CHECK(t.chain[0].level == t.level - 1);
      CHECK(t.cause == assist_isa()->assist.intercept);
      if (t.level == 2) ++from2;
    } else if (t.kind == machine::EventKind::VmEntry) {
      ++entries;
      CHECK(t.chain.empty());
    }
  }
  CHECK(exits == s.machine().vm_exits());
  CHECK(from2 == 17);  // "Hello from PG-1!\n"
  CHECK(entries == exits + 2);  // the two boot entries, then one re-entry per exit
}
