// The debugging session behind the GUI: step kinds, the trap record, each level's view, and
// reverse execution that returns the machine exactly.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include <fmt/format.h>

#include "vmm/lesson.hpp"
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
  // Step over the trap: control returns to L2, about to execute the instruction after the
  // emulated one (which has not run yet).
  auto l2_instructions = s.stats()[2].instructions;
  auto trapped_pc = t.real_pc - s.stack().level_origin(2);
  REQUIRE(s.step_over_trap());
  CHECK(s.running_level() == 2);
  CHECK(s.about_to_run(2));
  CHECK(s.stats()[2].instructions == l2_instructions);
  CHECK(s.view(2).pc == trapped_pc + 1);
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
  vmm::Session s(pg1(), reference_vmm(), os(), 2);  // (at depth 1 the OS halts in fewer steps)
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
  auto vmm_where = reference_vmm()->where(reference_vmm()->symbol("handler_s"));
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

// ---- stepping stops before the instruction; finish trap; history; bounds; stop reasons ----

namespace {
/// The path of the guest's source file whose name ends with `tail` ("" if none).
std::string file_of(const assembler::Image& img, const std::string& tail) {
  for (const auto& l : img.lines)
    if (l.file->path.size() >= tail.size() && l.file->path.compare(l.file->path.size() - tail.size(), tail.size(), tail) == 0)
      return l.file->path;
  return {};
}
std::uint32_t cause(const char* name) { return pg1()->constants.at(name); }
/// A guest that polls the console (`in` is privileged: each poll is a trap, at any depth).
std::shared_ptr<const assembler::Image> echo() {
  static auto img = assemble(".org 16\nl: in r1\nblt r1, r0, l\nout r1\nli r2, 'q'\nbne r1, r2, l\nhalt\n");
  return img;
}
}  // namespace

TEST_CASE("session: step over `out r1` (print.s:48) stops before print.s:49, which has not run", "[session][stepping]") {
  vmm::Session s(pg1(), reference_vmm(), os(), 2);
  auto print = file_of(*os(), "lib/print.s");
  REQUIRE(!print.empty());
  auto at48 = s.addresses_of_line(print, 48);
  REQUIRE(at48.size() == 1);
  s.breakpoints().addresses.insert(at48[0]);
  REQUIRE(s.run(50'000'000));
  s.breakpoints().addresses.clear();
  REQUIRE(s.about_to_run(2));
  CHECK_THAT(s.view(2).where, Catch::EndsWith("print.s:48"));
  CHECK_THAT(s.view(2).instruction, Catch::StartsWith("out r1"));
  const auto r2 = s.view(2).regs[2];
  const auto printed = s.machine().console_output().size();
  REQUIRE(s.step_over_trap());
  CHECK(s.about_to_run(2));
  CHECK_THAT(s.view(2).where, Catch::EndsWith("print.s:49"));  // the line about to run
  CHECK(s.view(2).regs[2] == r2);                              // `addi r2, r2, 1` has not run
  CHECK(s.machine().console_output().size() == printed + 1);   // `out r1` has
  // The next step is that addi, completed by L2.
  const auto l2 = s.stats()[2].instructions;
  auto e = s.step();
  CHECK(e.kind == machine::EventKind::Instruction);
  CHECK(s.stack().level_of(e.real_pc) == 2);
  CHECK(s.stats()[2].instructions == l2 + 1);
  CHECK(s.view(2).regs[2] == r2 + 1);
}

TEST_CASE("session: step over a reflected svc stops before the first instruction of the guest's handler", "[session][stepping]") {
  vmm::Session s(pg1(), reference_vmm(), os(), 2);
  // The first svc of a user program: L0 reflects, L1 reflects into L2's trap_entry.
  REQUIRE(s.run_to_next_trap(cause("SVC"), 2u, 50'000'000));
  for (const auto& h : s.traps().back().chain) CHECK_FALSE(h.emulates);
  s.step_back();
  REQUIRE(s.about_to_run(2));
  CHECK_THAT(s.view(2).instruction, Catch::StartsWith("svc"));
  REQUIRE(s.step_over_trap());
  CHECK(s.about_to_run(2));
  const auto entry = os()->symbol("trap_entry");
  CHECK(s.machine().base() + s.machine().pc() == s.stack().level_origin(2) + entry);
  CHECK(s.view(2).where == os()->where(entry));
  CHECK(s.view(2).mode == 0);  // the guest's handler, in virtual supervisor mode
}

TEST_CASE("session: step in level k stops before level k's next instruction, never where an interrupt comes next", "[session][stepping]") {
  vmm::Session s(pg1(), reference_vmm(), os(), 2);
  // Find where the timer interrupt is next while L2's code is at base + P (the OS's time slice
  // ends): there L2's instruction is not the one about to execute.
  bool found = false;
  for (std::uint64_t i = 0; i < 20'000'000 && !s.stopped() && !found; ++i) {
    s.step();
    found = s.next_is_interrupt() && s.running_level() == 2;
  }
  REQUIRE(found);
  CHECK_FALSE(s.about_to_run(2));
  const auto at_interrupt = s.steps();
  s.step_back();
  const auto traps = s.machine().traps();
  REQUIRE(s.step_in_level(2));
  CHECK(s.about_to_run(2));
  CHECK_FALSE(s.next_is_interrupt());
  CHECK(s.steps() > at_interrupt);
  CHECK(s.machine().traps() > traps);  // the interrupt was taken and handled on the way
  // Whatever L2 executes next is its own instruction (which may trap), not an interrupt.
  for (unsigned k : {1u, 2u, 1u, 2u, 0u, 2u}) {
    REQUIRE(s.step_in_level(k));
    const auto before = s.traps().size();
    const auto instructions = s.stats()[k].instructions;
    s.step();
    const bool trapped = s.traps().size() > before;
    if (trapped) {
      CHECK(s.traps().back().level == k);
      CHECK_FALSE(s.traps().back().interrupt);
    } else {
      CHECK(s.stats()[k].instructions == instructions + 1);
    }
  }
}

TEST_CASE("session: finish trap runs until the trapping level is about to run again", "[session][stepping]") {
  vmm::Session s(pg1(), reference_vmm(), os(), 2);
  REQUIRE(s.run_to_next_trap({}, 2u));  // the guest OS's first privileged instruction
  const auto at_trap = s.steps();
  const auto trapped_pc = s.traps().back().real_pc - s.stack().level_origin(2);
  REQUIRE(s.trap_in_progress() == 2u);
  // L1 emulates it: in L1's interpreter routine (which traps itself) the guest's trap is still in progress.
  REQUIRE(s.step_in_level(1));
  CHECK(s.trap_in_progress() == 2u);
  const auto l2 = s.stats()[2].instructions;
  REQUIRE(s.finish_trap());
  CHECK(s.about_to_run(2));
  CHECK(s.view(2).pc == trapped_pc + 1);  // the emulated instruction done, the next one about to run
  CHECK(s.stats()[2].instructions == l2);
  CHECK_FALSE(s.trap_in_progress());
  const auto finished_at = s.steps();
  // Nothing in progress: Finish trap does not move.
  CHECK_FALSE(s.finish_trap());
  CHECK(s.steps() == finished_at);
  // From the trap itself, Finish trap and Step over trap stop at the same step.
  s.go_to_step(at_trap);
  REQUIRE(s.finish_trap());
  CHECK(s.steps() == finished_at);
  s.go_to_step(at_trap);
  REQUIRE(s.step_over_trap());
  CHECK(s.steps() == finished_at);
}

TEST_CASE("session: the lessons' run to-level and finish-trap stop before the level's instruction", "[session][stepping]") {
  auto l = vmm::parse_lesson("f.md", R"(# Lesson 96: finish
```pgsim
setup program=examples/guests/hello.s depth=2
run to-level 2
expect level 2 pc == 16
expect level-traps 2 == 0
run to-trap level=2
expect last-trap cause == PRIV
finish-trap
expect running-level == 2
expect level 2 pc == 20
expect console == "H"
```

```pgsim
finish-trap
```
)");
  vmm::LessonRunner r(PGSIM_SOURCE_DIR, true);
  std::vector<const vmm::LessonPart*> parts;
  for (const auto& p : l.parts)
    if (p.kind != vmm::LessonPart::Prose) parts.push_back(&p);
  REQUIRE(parts.size() == 2);
  try {
    r.run_part(l, *parts[0]);
  } catch (const vmm::LessonFailure& f) {
    FAIL(f.what());
  }
  CHECK_THROWS_WITH(r.run_part(l, *parts[1]), Catch::Contains("f.md:16: `finish-trap`: no trap in progress"));
}

TEST_CASE("session: going back keeps the recorded future -- forward and back walk it", "[session][history]") {
  vmm::Session s(pg1(), reference_vmm(), os(), 2);
  for (int i = 0; i < 40000 && !s.stopped(); ++i) s.step();
  const auto end = s.machine().snapshot();
  const auto end_step = s.steps();
  const std::vector<vmm::TrapRecord> all(s.recorded_traps().begin(), s.recorded_traps().end());
  REQUIRE(all.size() > 20);
  CHECK(s.horizon() == end_step);
  CHECK_FALSE(s.in_past());
  // Click on a trap in the middle: the state right after it.
  const std::size_t i = all.size() / 2;
  s.go_to_step(all[i].step + 1);
  CHECK(s.in_past());
  CHECK(s.horizon() == end_step);
  CHECK(s.recorded_traps().size() == all.size());  // the future is still there
  CHECK(s.trap_position() == i + 1);
  CHECK(s.traps().back().step == all[i].step);
  // Forward: the next recorded event; back: the one before.
  REQUIRE(s.forward());
  CHECK(s.steps() == all[i + 1].step + 1);
  CHECK(s.trap_position() == i + 2);
  REQUIRE(s.back_to_previous_trap());
  REQUIRE(s.back_to_previous_trap());
  CHECK(s.steps() == all[i - 1].step + 1);
  // Stepping in the past walks the same history; forward to the present returns exactly.
  for (int k = 0; k < 500; ++k) s.step();
  CHECK(s.recorded_traps().size() == all.size());
  s.forward_to_present();
  CHECK(s.steps() == end_step);
  CHECK_FALSE(s.in_past());
  CHECK(s.machine().snapshot() == end);
  CHECK_FALSE(s.forward());
  // Re-executed from reset, the record is the same, event for event.
  s.reset();
  CHECK(s.trap_position() == 0);
  while (s.forward()) {
  }
  CHECK(s.machine().snapshot() == end);
  REQUIRE(s.recorded_traps().size() == all.size());
  for (std::size_t k = 0; k < all.size(); ++k) {
    CHECK(s.recorded_traps()[k].step == all[k].step);
    CHECK(s.recorded_traps()[k].cause == all[k].cause);
  }
}

TEST_CASE("session: console input typed in the past rewrites the future from there", "[session][history]") {
  vmm::Session s(pg1(), reference_vmm(), echo(), 1, 1024);
  for (int i = 0; i < 500; ++i) s.step();
  s.push_input('a');
  for (int i = 0; i < 500; ++i) s.step();
  s.push_input('q');
  s.run_until([](const machine::Event&) { return false; }, 100000);
  REQUIRE(s.machine().halted());
  REQUIRE(s.machine().console_output() == "aq");
  s.go_to_step(800);
  CHECK(s.machine().console_output() == "a");
  CHECK(s.horizon() > 1000);
  s.push_input('z');
  CHECK(s.horizon() == 800);
  for (const auto& t : s.recorded_traps()) CHECK(t.step < 800);
  s.push_input('q');
  s.run_until([](const machine::Event&) { return false; }, 100000);
  CHECK(s.machine().halted());
  CHECK(s.machine().console_output() == "azq");
  // The new history replays as recorded.
  auto end = s.machine().snapshot();
  s.go_to_step(600);
  s.forward_to_present();
  CHECK(s.machine().snapshot() == end);
}

TEST_CASE("session: a long run's record stays bounded -- older traps are counted and re-derived by replay", "[session][bounds]") {
  // A guest polling the console at depth 3: every poll is a real trap chain.
  vmm::Session s(pg1(), reference_vmm(), echo(), 3, 1024);
  s.set_trap_record_limit(5000);
  for (int i = 0; i < 60000; ++i) s.step();
  const auto early = s.machine().snapshot();
  const auto early_step = s.steps();
  const std::size_t checkpoint_bound = 2 + vmm::Session::kHistory / vmm::Session::kEvery + 1 +
                                       vmm::Session::kSparseCheckpoints + vmm::Session::kLocalCheckpoints;
  std::size_t most_checkpoints = 0;
  for (int chunk = 0; chunk < 30; ++chunk) {
    for (int i = 0; i < 100000; ++i) s.step();
    CHECK(s.recorded_traps().size() <= 5000);
    most_checkpoints = std::max(most_checkpoints, s.checkpoint_count());
  }
  REQUIRE(!s.stopped());
  CHECK(s.machine().traps() > 5 * 5000);
  CHECK(s.recorded_traps().size() == 5000);  // the newest, in full
  CHECK(s.traps_recorded() == s.machine().traps());  // every trap counted
  CHECK(s.traps_dropped() == s.machine().traps() - 5000);
  CHECK(s.recorded_traps().back().step + 100 > s.steps());
  CHECK(most_checkpoints <= checkpoint_bound);
  // An early state, long out of the kept records, is re-derived exactly by re-execution.
  const auto end = s.machine().snapshot();
  s.go_to_step(early_step);
  CHECK(s.machine().snapshot() == early);
  CHECK(s.checkpoint_count() <= checkpoint_bound);
  s.forward_to_present();
  CHECK(s.machine().snapshot() == end);
  CHECK(s.checkpoint_count() <= checkpoint_bound);
}

TEST_CASE("session: a breakpoint stop says which breakpoint", "[session]") {
  vmm::Session s(pg1(), reference_vmm(), os(), 2);
  auto print = file_of(*os(), "lib/print.s");
  s.breakpoints().addresses.insert(s.addresses_of_line(print, 48).at(0));
  REQUIRE(s.run(50'000'000));
  CHECK(s.describe(s.last_stop()) == "breakpoint print.s:48 (L2)");
  s.breakpoints().addresses.clear();
  s.breakpoints().causes.insert(cause("PRIV"));
  REQUIRE(s.run(50'000'000));
  CHECK(s.describe(s.last_stop()) == fmt::format("breakpoint on trap cause PRIV (L{} trapped)", s.traps().back().level));
  s.breakpoints().causes.clear();
  s.breakpoints().levels.insert(1);
  REQUIRE(s.run(50'000'000));
  CHECK(s.traps().back().level == 1);
  CHECK(s.describe(s.last_stop()) ==
        fmt::format("breakpoint on traps taken by L1 (cause {})", pg1()->cause_name(s.traps().back().cause)));
  s.breakpoints().levels.clear();
  CHECK_FALSE(s.run(1000));
  CHECK(s.describe(s.last_stop()).empty());
}

TEST_CASE("session: after a halt, the level whose code halted is shown stopped", "[session]") {
  vmm::Session s(pg1(), reference_vmm(), assemble(".org 16\nli r1, 'k'\nout r1\nhalt\n"), 2, 1024);
  CHECK_FALSE(s.view(0).stopped);
  s.run(1'000'000);
  REQUIRE(s.machine().halted());
  int stopped = 0;
  for (unsigned k = 0; k <= 2; ++k) stopped += s.view(k).stopped;
  CHECK(stopped == 1);
  CHECK(s.view(s.running_level()).stopped);
}
