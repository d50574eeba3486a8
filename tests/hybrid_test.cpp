// The hybrid VMM (vmm/monitors/hybrid.s, P&G 1974 Theorem 3): it interprets the guest's virtual
// supervisor mode and runs its user mode directly, so it stays equivalent on the ISAs where
// trap-and-emulate loses equivalence (pg1-jru, pg1-setie, pg1-getm), and loses it on pg1-spsw
// only where user-mode code executes the user-sensitive spsw. Every verdict here is computed by
// running the guest bare and under the monitor, in lockstep (vmm/equivalence).
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>

#include "helpers.hpp"
#include "isa/disasm.hpp"
#include "vmm/equivalence.hpp"
#include "vmm/monitor_catalog.hpp"

using namespace pgsim;
using test::source_path;
using Verdict = vmm::EquivalenceResult::Verdict;

namespace {

std::shared_ptr<const isa::IsaModel> isa_named(const std::string& name) {
  static std::map<std::string, std::shared_ptr<const isa::IsaModel>> cache;
  auto& m = cache[name];
  if (!m) m = isa::load_isa(source_path("examples/isa/" + name + ".isa"));
  return m;
}

std::shared_ptr<const assembler::Image> image(const std::string& isa, const std::string& rel) {
  return std::make_shared<assembler::Image>(assembler::assemble_file(*isa_named(isa), source_path(rel)));
}

std::shared_ptr<const assembler::Image> monitor(const std::string& isa, const std::string& name) {
  return image(isa, "vmm/monitors/" + vmm::find_monitor_info(name)->file);
}

vmm::EquivalenceResult equiv(const std::string& isa, const std::string& vmm_name, const std::string& guest,
                             unsigned depth, std::uint64_t max_cycles = 100'000'000) {
  return vmm::check_equivalence(isa_named(isa), monitor(isa, vmm_name), image(isa, guest), depth, 0, max_cycles);
}

/// Equivalent in P&G's sense: equal at every lockstep boundary to the end, or until a timer
/// interrupt came at different guest instructions and then equal in the final states.
bool equivalent(const vmm::EquivalenceResult& r) {
  return r.verdict == Verdict::Equivalent || r.verdict == Verdict::TimerThenEqual;
}

/// The example guests and the reference OS: every .s of examples/guests/, and tinyos.
std::vector<std::string> example_guests() {
  std::vector<std::string> g;
  for (const auto& e : std::filesystem::directory_iterator(source_path("examples/guests")))
    if (e.path().extension() == ".s") g.push_back("examples/guests/" + e.path().filename().string());
  std::sort(g.begin(), g.end());
  g.push_back("examples/os/tinyos.s");
  return g;
}

std::string describe(const vmm::EquivalenceResult& r) {
  std::string d;
  for (const auto& x : r.differs) d += x + " ";
  return d + r.first_word;
}

}  // namespace

TEST_CASE("hybrid: the catalog names it, and one source assembles on PG-1 and every variant with the variant's "
          "opcodes in its table",
          "[hybrid]") {
  const auto* info = vmm::find_monitor_info("hybrid");
  REQUIRE(info);
  CHECK(info->file == "hybrid.s");
  CHECK_THAT(vmm::monitor_names(), Catch::Contains("hybrid"));
  for (std::string isa : {"pg1", "pg1-jru", "pg1-setie", "pg1-getm", "pg1-spsw"}) {
    INFO(isa);
    auto v = monitor(isa, "hybrid");
    const auto& m = *isa_named(isa);
    CHECK(v->size() <= v->symbol("VMM_SIZE"));
    std::uint32_t optab = v->symbol("optab"), ill = v->symbol("i_illegal");
    // Every instruction of the ISA has a routine; jru and setie exactly where the ISA has them.
    for (const auto& ins : m.instructions) {
      INFO(ins.mnemonic);
      CHECK(v->words[optab + ins.opcode] != 0);
    }
    CHECK((m.find_instruction("jru") >= 0) == (isa == "pg1-jru"));
    CHECK((m.find_instruction("setie") >= 0) == (isa == "pg1-setie"));
    if (isa == "pg1-jru") CHECK(v->words[optab + m.constants.at("OP_JRU")] + ill == v->symbol("i_jru"));
    if (isa == "pg1-setie") CHECK(v->words[optab + m.constants.at("OP_SETIE")] + ill == v->symbol("i_setie"));
  }
}

TEST_CASE("hybrid: pgvmm.s and hybrid.s share the interpreter routines of common/privileged.s", "[hybrid]") {
  auto t = monitor("pg1", "trap-and-emulate");
  auto h = monitor("pg1", "hybrid");
  for (const char* routine : {"emu_lpsw", "emu_spsw", "emu_stimer", "emu_ldp", "psw_area", "reflect"}) {
    INFO(routine);
    CHECK_THAT(t->where(t->symbol(routine)), Catch::Contains("vmm/monitors/common/"));
    CHECK_THAT(h->where(h->symbol(routine)), Catch::Contains("vmm/monitors/common/"));
  }
}

TEST_CASE("hybrid: every example guest and the reference OS are equivalent at depth 1 on PG-1, pg1-jru, pg1-setie and "
          "pg1-getm",
          "[hybrid][equiv]") {
  for (std::string isa : {"pg1", "pg1-jru", "pg1-setie", "pg1-getm"})
    for (const auto& g : example_guests()) {
      INFO(isa << " " << g);
      auto r = equiv(isa, "hybrid", g, 1);
      INFO(describe(r));
      CHECK(equivalent(r));
      CHECK(r.virtualized_stop == machine::StopReason::Halted);
      CHECK(r.lockstep_instructions > 50);
    }
}

TEST_CASE("hybrid: where trap-and-emulate loses equivalence (jru, setie, getm), the hybrid VMM keeps it", "[hybrid][equiv]") {
  struct Case {
    std::string isa, guest, instruction;
  };
  for (const Case& c : {Case{"pg1-jru", "lessons/programs/07-jru-os.s", "jru"},
                        Case{"pg1-setie", "lessons/programs/06-tick-setie.s", "setie"},
                        Case{"pg1-getm", "examples/guests/whoami.s", "getm"}}) {
    INFO(c.isa << " " << c.guest);
    for (unsigned depth : {1u, 2u}) {
      INFO("depth " << depth);
      auto te = equiv(c.isa, "trap-and-emulate", c.guest, depth);
      CHECK(te.verdict == Verdict::Diverged);
      // trap-and-emulate diverges at the sensitive, unprivileged instruction itself
      CHECK_THAT(isa::disassemble(*isa_named(c.isa), te.bare.storage.at(te.last_pc), te.last_pc),
                 Catch::StartsWith(c.instruction));
      auto hy = equiv(c.isa, "hybrid", c.guest, depth);
      INFO(describe(hy));
      CHECK(equivalent(hy));
      CHECK(hy.virtualized_stop == machine::StopReason::Halted);
      CHECK(hy.virtualized.console == hy.bare.console);
    }
  }
}

TEST_CASE("hybrid: on pg1-spsw (Theorem 3 fails) it loses equivalence at the spsw of user-mode code, where "
          "trap-and-emulate already lost it at the supervisor's",
          "[hybrid][equiv]") {
  const std::string guest = "lessons/programs/08-whereami.s";  // the OS and its user program both spsw
  auto isa = isa_named("pg1-spsw");
  auto hy = equiv("pg1-spsw", "hybrid", guest, 1);
  REQUIRE(hy.verdict == Verdict::Diverged);
  // The instruction that made the difference: an spsw, executed in user mode (the bare guest's PSW).
  std::uint32_t pc_real = hy.last_pc;
  CHECK_THAT(isa::disassemble(*isa, hy.bare.storage.at(pc_real), pc_real), Catch::StartsWith("spsw"));
  CHECK(hy.bare.psw.at(0) == machine::User);
  CHECK(hy.differs == std::vector<std::string>{"storage"});
  // It stored the real, composed base (where the hybrid VMM put the guest) instead of the virtual one.
  auto te = equiv("pg1-spsw", "trap-and-emulate", guest, 1);
  REQUIRE(te.verdict == Verdict::Diverged);
  CHECK(te.lockstep_instructions < hy.lockstep_instructions);
  CHECK_THAT(isa::disassemble(*isa, te.bare.storage.at(te.last_pc), te.last_pc), Catch::StartsWith("spsw"));
  CHECK(te.bare.psw.at(0) == machine::Supervisor);
  // pgsim equiv shows it: the instruction, its line, the user mode.
  auto cli = test::run_pgsim("equiv --isa " + source_path("examples/isa/pg1-spsw.isa") + " --vmm hybrid " +
                             source_path(guest));
  CHECK(cli.code == 3);
  CHECK_THAT(cli.out, Catch::Contains("the guest instruction: spsw"));
  CHECK_THAT(cli.out, Catch::Contains("08-whereami.s:"));
  CHECK_THAT(cli.out, Catch::Contains("in user mode"));
}

TEST_CASE("hybrid: a guest that never leaves supervisor mode runs without one real trap (all of it interpreted) -- "
          "trap-and-emulate traps at each privileged instruction",
          "[hybrid]") {
  auto isa = isa_named("pg1");
  auto guest = image("pg1", "examples/guests/hello.s");
  std::vector<vmm::LevelStats> stats_h, stats_t;
  vmm::Stack h(isa, monitor("pg1", "hybrid"), guest, 1), t(isa, monitor("pg1", "trap-and-emulate"), guest, 1);
  REQUIRE(h.run(100'000'000, stats_h) == machine::StopReason::Halted);
  REQUIRE(t.run(100'000'000, stats_t) == machine::StopReason::Halted);
  CHECK(h.machine().console_output() == t.machine().console_output());
  CHECK(h.machine().traps() == 0);
  CHECK(t.machine().traps() > 10);
  // ... and pays in instructions: the interpreter executes tens of its own per guest instruction.
  CHECK(stats_h[0].instructions > 20 * stats_t[1].instructions);
}

// Depth 3: hybrid under hybrid under hybrid. L0 interprets L1, which interprets L2, which
// interprets the guest's kernel: about 32^3 real instructions per kernel instruction, so the
// longer guests take seconds each (README, "Hybrid VMM"); each is its own test. Every guest runs
// on all four ISAs: the guests use no variant instruction, but the monitor's interpreter is
// assembled differently for each (.ifdef), and it is the monitor that is under test.
namespace {
void check_depth3(const std::string& isa, const std::string& guest) {
  INFO(isa << " " << guest);
  auto r = equiv(isa, "hybrid", guest, 3, 6'000'000'000ULL);
  INFO(describe(r));
  CHECK(equivalent(r));
  CHECK(r.bare_stop == machine::StopReason::Halted);
  CHECK(r.virtualized_stop == machine::StopReason::Halted);
  CHECK(r.virtualized.console == r.bare.console);
}
}  // namespace

TEST_CASE("hybrid at depth 3: the small guests and the lesson programs on every ISA they concern", "[hybrid][equiv][depth3][slow]") {
  for (std::string isa : {"pg1", "pg1-jru", "pg1-setie", "pg1-getm"})
    for (std::string g : {"examples/guests/hello.s", "examples/guests/whoami.s"}) check_depth3(isa, g);
  check_depth3("pg1-jru", "lessons/programs/07-jru-os.s");
  check_depth3("pg1-setie", "lessons/programs/06-tick-setie.s");
}

// The longer guests, each on PG-1 and on every variant the hybrid VMM is for, one test each
// (1-4 s each in a Release build, lockstep running in the fast engine; labelled asan_slow, left
// out of the sanitizer run).
#define PGSIM_HYBRID_DEPTH3(isa, guest)                                                      \
  TEST_CASE("hybrid at depth 3: " guest " on " isa, "[hybrid][equiv][depth3][slow]") {       \
    check_depth3(isa, "examples/" guest);                                                     \
  }
#define PGSIM_HYBRID_DEPTH3_ALL(guest)                                                        \
  PGSIM_HYBRID_DEPTH3("pg1", guest)                                                           \
  PGSIM_HYBRID_DEPTH3("pg1-jru", guest)                                                       \
  PGSIM_HYBRID_DEPTH3("pg1-setie", guest)                                                     \
  PGSIM_HYBRID_DEPTH3("pg1-getm", guest)
PGSIM_HYBRID_DEPTH3_ALL("os/tinyos.s")
PGSIM_HYBRID_DEPTH3_ALL("guests/fib.s")
PGSIM_HYBRID_DEPTH3_ALL("guests/arith.s")
PGSIM_HYBRID_DEPTH3_ALL("guests/sieve.s")
#undef PGSIM_HYBRID_DEPTH3_ALL
#undef PGSIM_HYBRID_DEPTH3

TEST_CASE("hybrid at depth 3: every example guest is in one of the depth-3 tests above", "[hybrid]") {
  // A new example guest must be added to a depth-3 test (this fails until it is).
  std::set<std::string> covered{"examples/guests/hello.s", "examples/guests/whoami.s", "examples/guests/fib.s",
                                "examples/guests/arith.s", "examples/guests/sieve.s", "examples/os/tinyos.s"};
  for (const auto& g : example_guests()) CHECK(covered.count(g) == 1);
}
