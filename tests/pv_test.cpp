// Paravirtualization (issue 11 §2): the hypercall interface of vmm/monitors/pv.s (docs/hypercalls.md),
// each hypercall's results and errors, multicall, trap delivery, the paravirtualized reference OS
// (examples/os/tinyos-pv.s) on pg1.isa and pg1-spsw.isa at depth 1 and 3, what happens to an
// unmodified guest, and the cost of a hypercall per nesting level against the documented formulas.
// Barham et al., "Xen and the Art of Virtualization", SOSP 2003.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "helpers.hpp"
#include "isa/disasm.hpp"
#include "vmm/comparison.hpp"
#include "vmm/equivalence.hpp"
#include "vmm/monitor_catalog.hpp"

using namespace pgsim;
using namespace pgsim::test;

namespace {

std::shared_ptr<const isa::IsaModel> isa_named(const std::string& name) {
  return isa::load_isa(source_path("examples/isa/" + name + ".isa"));
}

std::shared_ptr<const assembler::Image> assemble_file(const isa::IsaModel& isa, const std::string& rel) {
  return std::make_shared<assembler::Image>(assembler::assemble_file(isa, source_path(rel)));
}

/// The PV monitor, assembled for `isa`.
std::shared_ptr<const assembler::Image> pv(const isa::IsaModel& isa) {
  return assemble_file(isa, "vmm/monitors/pv.s");
}

struct Run {
  vmm::GuestState state;
  machine::StopReason reason;
  std::uint64_t traps, instructions, cycles;
  std::vector<vmm::LevelStats> levels;
  std::shared_ptr<const assembler::Image> guest;
  /// The guest's word at its symbol `name` + i, as the guest sees its storage.
  std::uint32_t at(const std::string& name, std::uint32_t i = 0) const { return state.storage.at(guest->symbol(name) + i); }
};

Run run(std::shared_ptr<const isa::IsaModel> isa, std::shared_ptr<const assembler::Image> monitor,
        std::shared_ptr<const assembler::Image> guest, unsigned depth, const std::string& input = "",
        std::uint32_t memory = 8192) {
  vmm::Stack s(isa, monitor, guest, depth, memory);
  for (char c : input) s.machine().push_input(static_cast<unsigned char>(c));
  Run r;
  r.reason = s.run(2'000'000'000ull, r.levels);
  r.state = s.guest_state();
  r.traps = s.machine().traps();
  r.instructions = s.machine().instructions();
  r.cycles = s.machine().cycles();
  r.guest = guest;
  return r;
}

std::uint32_t neg(std::int32_t x) { return static_cast<std::uint32_t>(x); }

}  // namespace

TEST_CASE("pv is in the monitor catalog and resolves to vmm/monitors/pv.s", "[pv]") {
  const auto* m = vmm::find_monitor_info("pv");
  REQUIRE(m != nullptr);
  CHECK(m->file == "pv.s");
  CHECK_THAT(m->source, Catch::Contains("Xen"));
  CHECK_THAT(vmm::find_monitor("pv"), Catch::EndsWith("vmm/monitors/pv.s"));
}

TEST_CASE("every hypercall: results, errors, preserved registers, multicall, trap delivery (depth 1 and 3)",
          "[pv][hypercall]") {
  auto isa = pg1();
  auto guest = assemble_file(*isa, "tests/data/pv-hypercalls.s");
  const auto& sym = guest->symbols;
  for (unsigned depth : {1u, 3u}) {
    INFO("depth " << depth);
    Run r = run(isa, pv(*isa), guest, depth, "A");
    REQUIRE(r.reason == machine::StopReason::Halted);
    CHECK(r.state.console == "ok\nmc\nbye\n");
    CHECK(r.at("res", 0) == sym.at("PV_MAGIC"));           // HC_PROBE: r1
    CHECK(r.at("res", 1) == 8192);                         // r2 = the guest machine's size
    CHECK(r.at("res", 2) == sym.at("PV_VERSION"));         // r3
    CHECK(r.at("res", 3) == neg(-22));                     // HC_IRET with no trap table: -EINVAL
    CHECK(r.at("res", 4) == neg(-38));                     // svc 300: -ENOSYS
    CHECK(r.at("res", 5) == 1234);                         // the other registers preserved
    CHECK(r.at("res", 6) == 0);                            // CONSOLE_WRITE "ok\n"
    CHECK(r.at("res", 7) == neg(-14));                     // past the bound: -EFAULT
    CHECK(r.at("res", 8) == neg(-14));                     // address -1
    CHECK(r.at("res", 9) == neg(-14));                     // 2^32 - 1 words
    CHECK(r.at("res", 10) == 0);                           // 0 words: nothing, no check
    CHECK(r.at("res", 11) == 'A');                         // CONSOLE_READ
    CHECK(r.at("res", 12) == neg(-1));                     // ... no more input
    CHECK(r.at("res", 13) == neg(-14));                    // SET_TRAP_TABLE, 13 words do not fit
    CHECK(r.at("res", 14) == 0);
    CHECK(r.at("res", 15) == 0);                           // SET_IE returns the old ie
    CHECK(r.at("res", 16) == 1);
    CHECK(r.at("res", 17) == 0);                           // MULTICALL
    const std::uint32_t mc = sym.at("mc_list"), entry = sym.at("MC_ENTRY"), result = sym.at("MC_RESULT");
    auto mc_result = [&](std::uint32_t i) { return r.state.storage.at(mc + i * entry + result); };
    CHECK(mc_result(0) == 0);                              // CONSOLE_WRITE "mc\n"
    CHECK(mc_result(1) == 0);                              // SET_IE 1: old 0
    CHECK(mc_result(2) == 1);                              // SET_IE 0: old 1
    CHECK(mc_result(3) == neg(-22));                       // PROBE cannot be batched
    CHECK(mc_result(4) == neg(-38));                       // no such hypercall
    CHECK(mc_result(5) == neg(-22));                       // no multicall in a multicall
    CHECK(r.at("res", 18) == neg(-22));                    // 65 entries > MC_MAX
    CHECK(r.at("res", 19) == neg(-14));                    // the list past the bound
    CHECK(r.at("res", 20) == 77);                          // svc 3 in supervisor mode: delivered
    CHECK(r.at("res", 21) == 111);                         // the multicall's IRET entry: r1 ...
    CHECK(r.at("res", 22) == 222);                         // ... and r2 of the task
    CHECK(r.at("res", 23) == 0);                           // SET_TIMER
    CHECK(r.at("res", 24) == 1);                           // one tick; SET_TIMER 0 cleared the second
    CHECK(r.at("res", 25) == 4);                           // four traps delivered:
    auto log = [&](std::uint32_t t, std::uint32_t k) { return r.at("log", 4 * t + k); };
    CHECK(log(0, 0) == 3);                                 // SVC, info 3, from supervisor mode
    CHECK(log(0, 1) == 3);
    CHECK(log(0, 2) == 0);
    CHECK(log(1, 0) == 3);                                 // the task's svc 256: a system call,
    CHECK(log(1, 1) == 256);                               // not a hypercall (user mode)
    CHECK(log(1, 2) == 1);
    CHECK(log(1, 3) == 3);                                 // saved pc: after the svc
    CHECK(log(2, 0) == 1);                                 // PRIV, info = the task's `out r1`
    CHECK(log(2, 1) == guest->words.at(sym.at("TASK") + 3));
    CHECK(log(2, 3) == 3);                                 // saved pc: the out itself
    CHECK(log(3, 0) == 6);                                 // TIMER, from supervisor mode
    CHECK(log(3, 2) == 0);
  }
}

TEST_CASE("the paravirtualized reference OS: tinyos's console on pg1 and pg1-spsw, depth 1 and 3, equal final "
          "states",
          "[pv][tinyos]") {
  Run bare = run(pg1(), nullptr, assemble_file(*pg1(), "examples/os/tinyos.s"), 0);
  REQUIRE(bare.reason == machine::StopReason::Halted);
  REQUIRE_THAT(bare.state.console, Catch::Contains("[os] halting"));
  for (const char* name : {"pg1", "pg1-spsw"}) {
    INFO(name);
    auto isa = isa_named(name);
    auto monitor = pv(*isa);
    auto guest = assemble_file(*isa, "examples/os/tinyos-pv.s");
    Run d1 = run(isa, monitor, guest, 1);
    Run d3 = run(isa, monitor, guest, 3);
    REQUIRE(d1.reason == machine::StopReason::Halted);
    REQUIRE(d3.reason == machine::StopReason::Halted);
    CHECK(d1.state.console == bare.state.console);
    CHECK(d3.state.console == bare.state.console);
    CHECK(d3.state == d1.state);  // registers, virtual PSW, every word of its storage, console
    // Not a privileged instruction at any level: every real trap at depth 1 is the guest's (its
    // hypercalls, its programs' system calls and faults, the timer) but L0's probe at boot.
    CHECK(d1.levels[0].traps == 1);
    // In lockstep, depth 3 against depth 1 (the reference for a guest that cannot run bare).
    auto e = vmm::check_equivalence(isa, monitor, guest, 3, 8192, 100'000'000, 1);
    CHECK((e.verdict == vmm::EquivalenceResult::Verdict::Equivalent ||
           e.verdict == vmm::EquivalenceResult::Verdict::TimerThenEqual));
    CHECK(e.differs.empty());
    CHECK(e.lockstep_instructions > 1000);
  }
}

TEST_CASE("every paravirtualized port of a workload (examples/os/*-pv.s): the original's bare console on pg1 and "
          "pg1-spsw, depth 1 and 3, in lockstep depth 3 against depth 1",
          "[pv][compare]") {
  std::vector<std::string> ports;
  for (const auto& e : std::filesystem::directory_iterator(source_path("examples/os"))) {
    std::string f = e.path().filename().string();
    if (f.size() > 5 && f.substr(f.size() - 5) == "-pv.s" && f != "tinyos-pv.s") ports.push_back(f);
  }
  std::sort(ports.begin(), ports.end());
  REQUIRE(ports.size() >= 3);  // compute, critical, syscalls
  for (const auto& port : ports) {
    std::string original = "examples/os/" + port.substr(0, port.size() - 5) + ".s";
    Run bare = run(pg1(), nullptr, assemble_file(*pg1(), original), 0);
    REQUIRE(bare.reason == machine::StopReason::Halted);
    for (const char* name : {"pg1", "pg1-spsw"}) {
      INFO(port << " on " << name);
      auto isa = isa_named(name);
      auto monitor = pv(*isa);
      auto guest = assemble_file(*isa, "examples/os/" + port);
      Run d1 = run(isa, monitor, guest, 1);
      Run d3 = run(isa, monitor, guest, 3);
      REQUIRE(d1.reason == machine::StopReason::Halted);
      REQUIRE(d3.reason == machine::StopReason::Halted);
      CHECK(d1.state.console == bare.state.console);
      CHECK(d3.state == d1.state);
      auto e = vmm::check_equivalence(isa, monitor, guest, 3, 8192, 400'000'000, 1);
      CHECK((e.verdict == vmm::EquivalenceResult::Verdict::Equivalent ||
             e.verdict == vmm::EquivalenceResult::Verdict::TimerThenEqual));
      CHECK(e.differs.empty());
      CHECK(e.lockstep_instructions > 100);
    }
  }
}

TEST_CASE("the paravirtualized OS costs fewer real traps and cycles than tinyos under trap-and-emulate",
          "[pv][tinyos][cost]") {
  auto isa = pg1();
  auto pv_guest = assemble_file(*isa, "examples/os/tinyos-pv.s");
  auto te_guest = assemble_file(*isa, "examples/os/tinyos.s");
  for (unsigned depth : {1u, 3u}) {
    INFO("depth " << depth);
    Run p = run(isa, pv(*isa), pv_guest, depth);
    Run t = run(isa, reference_vmm(), te_guest, depth);
    REQUIRE(p.reason == machine::StopReason::Halted);
    REQUIRE(t.reason == machine::StopReason::Halted);
    CHECK(p.state.console == t.state.console);
    CHECK(p.traps * 3 < t.traps);  // console output: one hypercall per line, not a trap per character
    CHECK(p.cycles < t.cycles);
  }
}

TEST_CASE("an unmodified guest under pv: its first privileged instruction stops the machine with a message",
          "[pv][unmodified]") {
  auto isa = pg1();
  for (const char* g : {"hello", "fib", "arith", "sieve", "whoami"}) {
    INFO(g);
    auto guest = assemble_file(*isa, std::string("examples/guests/") + g + ".s");
    for (unsigned depth : {1u, 3u}) {
      Run r = run(isa, pv(*isa), guest, depth);
      CHECK(r.reason == machine::StopReason::Halted);
      CHECK_THAT(r.state.console, Catch::StartsWith("pv: the guest took a trap, cause PRIV"));
      CHECK_THAT(r.state.console, Catch::Contains("before it registered a trap table"));
      CHECK_THAT(r.state.console, Catch::Contains("docs/hypercalls.md"));
      // The level view: stopped at the privileged instruction, still in virtual supervisor mode.
      CHECK(r.state.psw[0] == 0);
      std::uint32_t pc = r.state.psw[1];
      REQUIRE(pc < guest->words.size());
      std::string insn = isa::disassemble(*isa, guest->words[pc], pc);
      CHECK((insn.rfind("out", 0) == 0 || insn.rfind("getm", 0) == 0 || insn.rfind("halt", 0) == 0));
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08x", pc);
      CHECK_THAT(r.state.console, Catch::Contains(std::string("at pc ") + hex));
    }
  }
  // ... and a PV guest on the bare machine says that it needs a monitor.
  Run bare = run(isa, nullptr, assemble_file(*isa, "examples/os/tinyos-pv.s"), 0);
  CHECK(bare.reason == machine::StopReason::Halted);
  CHECK_THAT(bare.state.console, Catch::StartsWith("tinyos-pv: no paravirtual monitor below me"));
}

TEST_CASE("pgsim equiv --reference-depth: a PV guest under 3 monitors against 1 -- errors", "[pv][cli]") {
  auto ok = run_pgsim("equiv --vmm pv --depth 3 --reference-depth 1 --isa pg1-spsw " +
                      source_path("examples/os/tinyos-pv.s"));
  CHECK(ok.code == 0);
  CHECK_THAT(ok.out, Catch::Contains("reference: the guest under 1 VMM (not the bare machine); compared: under 3 VMMs"));
  CHECK_THAT(ok.out, Catch::Contains("final state: equal"));
  auto bad = run_pgsim("equiv --vmm pv --depth 2 --reference-depth 2 " + source_path("examples/os/tinyos-pv.s"));
  CHECK(bad.code != 0);
  CHECK_THAT(bad.out, Catch::Contains("--reference-depth 2 must be less than --depth 2"));
  // Against the bare machine an unmodified guest diverges at its first privileged instruction.
  auto hello = run_pgsim("equiv --vmm pv --depth 1 " + source_path("examples/guests/hello.s"));
  CHECK(hello.code == 3);
  CHECK_THAT(hello.out, Catch::Contains("the guest instruction: out r1"));
  CHECK_THAT(hello.out, Catch::Contains("pv: the guest took a trap, cause PRIV"));
}

namespace {
/// A PV guest that makes `n` hypercalls `op` (r1 = arg), then halts with HC_HALT.
std::shared_ptr<const assembler::Image> hypercalls(const std::string& op, int arg, unsigned n) {
  std::string text = ".include \"" + source_path("vmm/monitors/pv-abi.s") + "\"\n.org RESET\n";
  for (unsigned i = 0; i < n; ++i) text += "li r1, " + std::to_string(arg) + "\nli r2, 0\nsvc " + op + "\n";
  text += "svc HC_HALT\n";
  return assemble(text);
}
/// Real traps and real instructions one hypercall costs at `depth`: (64 more of them - none) / 64.
std::pair<double, double> cost_of(const std::string& op, int arg, unsigned depth) {
  auto monitor = pv(*pg1());
  Run none = run(pg1(), monitor, hypercalls(op, arg, 0), depth);
  Run many = run(pg1(), monitor, hypercalls(op, arg, 64), depth);
  REQUIRE(none.reason == machine::StopReason::Halted);
  REQUIRE(many.reason == machine::StopReason::Halted);
  return {(static_cast<double>(many.traps) - static_cast<double>(none.traps)) / 64.0,
          (static_cast<double>(many.instructions) - static_cast<double>(none.instructions)) / 64.0};
}
}  // namespace

TEST_CASE("the cost of a hypercall per level: D(k) = 2^(k-1) real traps, C(k) = 2^k - 1 when the monitor makes one "
          "of its own (docs/hypercalls.md)",
          "[pv][cost]") {
  double prev_instr = 0;
  for (unsigned k = 1; k <= 4; ++k) {
    INFO("depth " << k);
    const double D = static_cast<double>(1u << (k - 1)), C = static_cast<double>((1u << k) - 1);
    auto set_ie = cost_of("HC_SET_IE", 0, k);      // answered by L(k-1) alone
    auto timer = cost_of("HC_SET_TIMER", 0, k);    // L(k-1) makes HC_SET_TIMER below
    auto write = cost_of("HC_CONSOLE_WRITE", 0, k);
    CHECK(set_ie.first == D);
    CHECK(timer.first == C);
    CHECK(write.first == C);
    // Real instructions grow with depth too (each level's dispatcher runs for it).
    CHECK(set_ie.second > prev_instr);
    prev_instr = set_ie.second;
  }
}

TEST_CASE("the trap chain names hypercalls: 'L0 reflects -> L1 reflects -> L2 handles hypercall HC_... (N)' -- pv "
          "never emulates",
          "[pv][chain]") {
  auto isa = pg1();
  auto guest = assemble_file(*isa, "tests/data/pv-hypercalls.s");
  for (unsigned depth : {1u, 3u}) {
    INFO("depth " << depth);
    vmm::Stack s(isa, pv(*isa), guest, depth, 8192);
    // Run until the guest's first trap (its HC_PROBE), and read the chain as the tools do.
    std::vector<std::string> chains;
    struct Obs : machine::Observer {
      vmm::Stack* s;
      std::vector<std::string>* chains;
      void on_event(const machine::Machine&, const machine::Event& e) override {
        if (e.kind == machine::EventKind::Instruction) return;
        unsigned level = s->level_of(e.real_pc);
        if (level == s->depth()) chains->push_back(s->describe_chain(level, e.cause, e.info));
      }
    } obs;
    obs.s = &s;
    obs.chains = &chains;
    s.machine().run(10'000'000, obs);
    REQUIRE(chains.size() >= 4);
    std::string prefix;
    for (unsigned k = 0; k + 1 < depth; ++k) prefix += fmt::format("L{} reflects -> ", k);
    const std::string handler = fmt::format("L{}", depth - 1);
    CHECK(chains[0] == prefix + handler + " handles hypercall HC_PROBE (256)");
    CHECK(chains[1] == prefix + handler + " handles hypercall HC_IRET (258)");
    CHECK(chains[2] == prefix + handler + " handles hypercall 300");
    CHECK(chains[3] == prefix + handler + " handles hypercall HC_CONSOLE_WRITE (259)");
  }
  // An unmodified guest's privileged instruction: pv does not emulate it.
  vmm::Stack s(isa, pv(*isa), assemble_file(*isa, "examples/guests/hello.s"), 1, 8192);
  CHECK_FALSE(s.would_emulate(0, static_cast<std::uint32_t>(isa->causes.privileged)));
  vmm::Stack t(isa, reference_vmm(), assemble_file(*isa, "examples/guests/hello.s"), 1, 8192);
  CHECK(t.would_emulate(0, static_cast<std::uint32_t>(isa->causes.privileged)));
}

TEST_CASE("pgsim compare runs each workload's PV port under pv, with the bare machine's console", "[pv][compare]") {
  auto isa = pg1();
  std::vector<vmm::ComparedMonitor> monitors{{"pv", pv(*isa), ""}};
  vmm::ComparisonOptions o;
  for (unsigned depth : {1u, 3u}) {
    INFO("depth " << depth);
    o.depth = depth;
    auto rows = vmm::compare(isa, vmm::default_workloads(), monitors, o);
    REQUIRE(rows.size() >= 4);
    for (const auto& row : rows) {
      INFO(row.workload.name);
      REQUIRE(row.monitors.size() == 1);
      const auto& m = row.monitors[0];
      CHECK(m.ran);
      CHECK(m.halted);
      CHECK(m.console_matches);
      CHECK_THAT(m.program, Catch::EndsWith("-pv.s"));
    }
  }
}

TEST_CASE("lesson 12: the exercise's parts around the solution assemble to pv.s exactly", "[pv][lesson]") {
  // lessons/programs/12-pv-before.s and 12-pv-after.s are cut out of pv.s by
  // scripts/split-pv-for-lesson12.sh; if pv.s changed, run it again.
  auto isa = pg1();
  auto solution = assemble_file(*isa, "lessons/solutions/12-console-write.s");
  auto monitor = pv(*isa);
  INFO("pv.s changed since lessons/programs/12-pv-{before,after}.s were cut: run scripts/split-pv-for-lesson12.sh");
  CHECK(solution->words == monitor->words);
  CHECK(solution->symbol("vm_regs") == monitor->symbol("vm_regs"));
  auto exercise = assemble_file(*isa, "lessons/exercises/12-console-write.s");
  CHECK(exercise->words.size() < monitor->words.size());
}
