// pgsim equiv: lockstep equivalence compared incrementally (the machines' store logs), and what
// it says when a timer interrupt ends lockstep (issue 8 item 3, issue 9).
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "vmm/equivalence.hpp"

using namespace pgsim;
using test::run_pgsim;
using test::source_path;

TEST_CASE("the machine's store log names every word written, by instructions and trap sequences", "[equiv][machine]") {
  auto m = test::machine_with(".org NEW_PSW\n.word 0, handler, 0, 4096, 0\n.org RESET\nli r1, 5\nst r1, 300(r0)\n"
                              "svc 0\nhandler: st r1, 301(r0)\nhalt\n");
  std::vector<isa::Word> log;
  m.set_store_log(&log);
  m.run(1000);
  REQUIRE(m.halted());
  // st at 300, the trap sequence's old PSW (0..4), cause (5) and info (6), then st at 301.
  CHECK(log == std::vector<isa::Word>{300, 0, 1, 2, 3, 4, 5, 6, 301});
  log.clear();
  m.set_store_log(nullptr);
  m.storage()[400] = 1;
  CHECK(log.empty());
}

TEST_CASE("equiv finds a storage-only divergence at the very instruction, late in a run", "[equiv]") {
  auto isa = isa::load_isa(source_path("examples/isa/pg1-spsw.isa"));
  auto guest = std::make_shared<assembler::Image>(assembler::assemble_file(*isa, source_path("tests/data/late-spsw.s")));
  auto vmm = std::make_shared<assembler::Image>(assembler::assemble_file(*isa, source_path("vmm/monitors/pgvmm.s")));
  auto r = vmm::check_equivalence(isa, vmm, guest, 2, 8192, 100'000'000);
  CHECK(r.verdict == vmm::EquivalenceResult::Verdict::Diverged);
  CHECK(r.lockstep_instructions == 2002);
  CHECK(r.differs == std::vector<std::string>{"storage"});
  CHECK(r.first_word == "E[200]: 0x0 vs 0x1");
  auto cli = run_pgsim("equiv --isa " + source_path("examples/isa/pg1-spsw.isa") + " " + source_path("tests/data/late-spsw.s"));
  CHECK(cli.code == 3);
  CHECK_THAT(cli.out, Catch::Contains("DIVERGED after 2002 guest instructions"));
  CHECK_THAT(cli.out, Catch::Contains("late-spsw.s:12"));
  CHECK_THAT(cli.out, Catch::Contains("differs: storage  (first: E[200]: 0x0 vs 0x1)"));
}

TEST_CASE("equiv: when a timer interrupt ends lockstep, the final states decide (a VMM whose stimer ignores the "
          "guest's value is not equivalent)",
          "[equiv]") {
  std::string guest = source_path("lessons/programs/09-timer-check.s");
  auto bad = run_pgsim("equiv --depth 2 --vmm " + source_path("lessons/wrong/09-stimer-constant.s") + " " + guest);
  CHECK(bad.code == 3);
  CHECK_THAT(bad.out, Catch::Contains("NOT EQUIVALENT: lockstep up to guest instruction "));
  CHECK_THAT(bad.out, Catch::Contains("then a timer interrupt arrived at a different guest instruction"));
  CHECK_THAT(bad.out, Catch::Contains("final state: different"));
  CHECK_THAT(bad.out, Catch::Contains("differs: console"));
  CHECK_THAT(bad.out, Catch::Contains("the tick was pending: no"));   // the bare machine's console
  CHECK_THAT(bad.out, Catch::Contains("the tick was pending: yes"));  // the virtualized one's
  auto doubled = run_pgsim("equiv --depth 1 --vmm " + source_path("lessons/wrong/09-stimer-doubled.s") + " " + guest);
  CHECK(doubled.code == 3);
  CHECK_THAT(doubled.out, Catch::Contains("final state: different"));
  auto good = run_pgsim("equiv --depth 2 " + guest);
  CHECK(good.code == 0);
  CHECK_THAT(good.out, Catch::Contains("equivalent: lockstep up to guest instruction "));
  CHECK_THAT(good.out, Catch::Contains("final state: equal"));
}

TEST_CASE("equiv of a guest that never halts stops at its cycle budget and says so", "[equiv]") {
  auto r = run_pgsim("equiv --max-cycles 2000000 " + source_path("tests/data/loop.s"));
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("equivalent ("));
  CHECK_THAT(r.out, Catch::Contains("cycle budget exhausted"));
  CHECK_THAT(r.out, Catch::Contains("without a halt of the guest: the limit is --max-cycles 2000000 cycles"));
}
