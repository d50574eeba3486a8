// The fast engine against the reference engine (issue 13): every example guest, the reference OS
// at depths 0..8 under the trap-and-emulate VMM, under the assist, bt and hybrid monitors, and
// every lesson program as its lesson sets it up, run on both engines. Every counter (cycles,
// instructions, traps, VM entries and exits, per-level statistics), the console, the stop reason
// and the machine's full state are compared at a sample of cycle budgets along the run (each run
// stops and resumes there, so bursts end at arbitrary budgets too). Plus self-modifying code.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <regex>
#include <sstream>

#include "helpers.hpp"
#include "vmm/monitor_catalog.hpp"

using namespace pgsim;
using namespace pgsim::test;
using machine::Engine;

namespace {

std::shared_ptr<const isa::IsaModel> isa_file(const std::string& path) {
  static std::map<std::string, std::shared_ptr<const isa::IsaModel>> cache;
  auto& m = cache[path];
  if (!m) m = isa::load_isa(path);
  return m;
}
std::shared_ptr<const isa::IsaModel> isa_named(const std::string& name) {
  return isa_file(source_path("examples/isa/" + name + ".isa"));
}
std::shared_ptr<const assembler::Image> image(std::shared_ptr<const isa::IsaModel> isa, const std::string& path) {
  return std::make_shared<assembler::Image>(assembler::assemble_file(*isa, path));
}
/// A catalog monitor's image on `isa`.
std::shared_ptr<const assembler::Image> monitor(std::shared_ptr<const isa::IsaModel> isa, const std::string& name) {
  return image(isa, source_path("vmm/monitors/" + vmm::find_monitor_info(name)->file));
}

/// One run to compare: a stack and a cycle budget.
struct Config {
  std::string name;
  std::shared_ptr<const isa::IsaModel> isa;
  std::shared_ptr<const assembler::Image> vmm, guest;
  unsigned depth = 0;
  std::uint64_t budget = 20'000'000;
};

/// What a run shows: the machine's state at each sample (the whole Snapshot: storage, registers,
/// PSW, controls, timers, counters, console, interpretive levels), the per-level statistics, and
/// why the stack stopped.
struct Outcome {
  std::vector<machine::Machine::Snapshot> samples;
  std::vector<vmm::LevelStats> stats;
  std::string stop;
  std::uint64_t fast_instructions = 0;
};

Outcome run(const Config& c, Engine engine, int samples = 7) {
  vmm::Stack s(c.isa, c.vmm, c.guest, c.depth);
  s.machine().set_engine(engine);
  for (char ch : std::string("pgsim\n")) s.machine().push_input(static_cast<unsigned char>(ch));
  Outcome o;
  // Budgets at uneven steps (a prime stride), the last one the run's budget.
  const std::uint64_t stride = c.budget / static_cast<std::uint64_t>(samples) + 7919;
  for (std::uint64_t limit = stride;; limit += stride) {
    s.run(std::min(limit, c.budget), o.stats);
    o.samples.push_back(s.machine().snapshot());
    if (s.stopped() || limit >= c.budget) break;
  }
  o.stop = s.stop_description();
  o.fast_instructions = s.machine().fast_instructions();
  return o;
}

/// Runs `c` on both engines and checks that they agree on everything.
void check_same(const Config& c) {
  INFO(c.name << " at depth " << c.depth);
  const Outcome ref = run(c, Engine::Reference), fast = run(c, Engine::Fast);
  CHECK(ref.fast_instructions == 0);
  REQUIRE(ref.samples.size() == fast.samples.size());
  for (std::size_t i = 0; i < ref.samples.size(); ++i) {
    INFO("sample " << i << " at cycle " << ref.samples[i].cycles);
    const auto &a = ref.samples[i], &b = fast.samples[i];
    CHECK(a.cycles == b.cycles);
    CHECK(a.instructions == b.instructions);
    CHECK(a.traps == b.traps);
    CHECK(a.exits == b.exits);
    CHECK(a.entries == b.entries);
    CHECK(a.out == b.out);
    CHECK(a.pc == b.pc);
    CHECK(a.regs == b.regs);
    CHECK(a.E == b.E);
    CHECK(a == b);  // and everything else: mode, R, controls, timers, interpretive levels
  }
  REQUIRE(ref.stats.size() == fast.stats.size());
  for (std::size_t k = 0; k < ref.stats.size(); ++k) {
    INFO("level L" << k);
    CHECK(ref.stats[k].instructions == fast.stats[k].instructions);
    CHECK(ref.stats[k].cycles == fast.stats[k].cycles);
    CHECK(ref.stats[k].traps == fast.stats[k].traps);
    CHECK(ref.stats[k].exits == fast.stats[k].exits);
  }
  CHECK(ref.stop == fast.stop);
}

/// The share of the instructions the fast engine ran in its bursts (the rest were reference steps).
double fast_share(const Config& c) {
  const Outcome o = run(c, Engine::Fast, 1);
  return o.samples.back().instructions ? double(o.fast_instructions) / double(o.samples.back().instructions) : 0.0;
}

std::vector<std::string> files_in(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& f : std::filesystem::directory_iterator(source_path(dir)))
    if (f.path().extension() == ext) out.push_back(f.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("engines agree: every example guest, bare and under the trap-and-emulate VMM", "[engine]") {
  auto pg1 = isa_named("pg1");
  auto tae = monitor(pg1, "trap-and-emulate");
  for (const auto& f : files_in("examples/guests", ".s"))
    for (unsigned d : {0u, 1u, 2u}) check_same({f, pg1, d ? tae : nullptr, image(pg1, f), d});
}

TEST_CASE("engines agree: every example OS, bare and under the trap-and-emulate VMM", "[engine]") {
  auto pg1 = isa_named("pg1");
  auto tae = monitor(pg1, "trap-and-emulate"), pv = monitor(pg1, "pv");
  for (const auto& f : files_in("examples/os", ".s")) {
    if (f.find("-pv.s") != std::string::npos) {
      for (unsigned d : {1u, 2u}) check_same({f, pg1, pv, image(pg1, f), d});
    } else {
      for (unsigned d : {0u, 1u, 2u}) check_same({f, pg1, d ? tae : nullptr, image(pg1, f), d, 5'000'000});
    }
  }
}

TEST_CASE("engines agree: the reference OS at depths 0 to 8 under the trap-and-emulate VMM", "[engine]") {
  auto pg1 = isa_named("pg1");
  auto tae = monitor(pg1, "trap-and-emulate");
  auto os = image(pg1, source_path("examples/os/tinyos.s"));
  for (unsigned d = 0; d <= 8; ++d) check_same({"tinyos", pg1, d ? tae : nullptr, os, d, 200'000'000});
  // The differential test means something only if the fast engine ran most of it.
  CHECK(fast_share({"tinyos", pg1, tae, os, 4, 200'000'000}) > 0.5);
}

TEST_CASE("engines agree: the reference OS under the assist, bt and hybrid monitors", "[engine]") {
  auto pga = isa_named("pg1-assist");
  auto os_a = image(pga, source_path("examples/os/tinyos.s"));
  for (unsigned d : {1u, 3u, 8u}) check_same({"tinyos/assist", pga, monitor(pga, "assist"), os_a, d});
  auto pg1 = isa_named("pg1");
  auto os = image(pg1, source_path("examples/os/tinyos.s"));
  check_same({"tinyos/bt", pg1, monitor(pg1, "bt"), os, 1});
  check_same({"tinyos/hybrid", pg1, monitor(pg1, "hybrid"), os, 1});
  CHECK(fast_share({"tinyos/bt", pg1, monitor(pg1, "bt"), os, 1}) > 0.5);
}

TEST_CASE("engines agree: every lesson program as its lesson sets it up", "[engine]") {
  // `setup [isa=FILE] program=FILE [depth=N] [vmm=NAME]` lines of every lesson.
  const std::regex setup_line(R"(^setup (.*)$)"), kv(R"((\w+)=(\S+))");
  std::set<std::string> seen;
  int n = 0;
  for (const auto& lesson : files_in("lessons", ".md")) {
    std::ifstream in(lesson);
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (!std::regex_match(line, m, setup_line) || line.find('$') != std::string::npos || !seen.insert(line).second)
        continue;  // a setup of the student's own file ($FILE) has no program to run here
      std::map<std::string, std::string> opt;
      const std::string args = m[1];
      for (std::sregex_iterator it(args.begin(), args.end(), kv), end; it != end; ++it) opt[(*it)[1]] = (*it)[2];
      if (!opt.count("program")) continue;
      const unsigned depth = opt.count("depth") ? static_cast<unsigned>(std::stoul(opt["depth"])) : 0;
      const std::string vmm_name = opt.count("vmm") ? opt["vmm"] : "trap-and-emulate";
      const auto* info = vmm::find_monitor_info(vmm_name);  // null: a monitor's file (vmm=lessons/programs/…)
      std::shared_ptr<const isa::IsaModel> isa = opt.count("isa")            ? isa_file(source_path(opt["isa"]))
                                                 : info && !info->isa.empty() ? isa_named(info->isa)
                                                                              : isa_named("pg1");
      auto vmm_image = !depth ? nullptr : info ? monitor(isa, vmm_name) : image(isa, source_path(vmm_name));
      check_same({line, isa, vmm_image, image(isa, source_path(opt["program"])), depth, 5'000'000});
      ++n;
    }
  }
  CHECK(n >= 40);  // the lessons set up about fifty programs
}

TEST_CASE("engines agree at every cycle budget of a timer-driven OS's first 6000 cycles", "[engine]") {
  // Each run stops at budget b and resumes: bursts end at every possible place, around timer
  // interrupts, traps and lpsw.
  auto pg1 = isa_named("pg1");
  auto os = image(pg1, source_path("examples/os/tinyos.s"));
  for (unsigned depth : {0u, 1u}) {
    vmm::Stack a(pg1, depth ? monitor(pg1, "trap-and-emulate") : nullptr, os, depth, 4096);
    vmm::Stack b(pg1, depth ? monitor(pg1, "trap-and-emulate") : nullptr, os, depth, 4096);
    a.machine().set_engine(Engine::Reference);
    b.machine().set_engine(Engine::Fast);
    std::vector<vmm::LevelStats> sa, sb;
    for (std::uint64_t limit = 1; limit <= 6000; ++limit) {
      a.run(limit, sa);
      b.run(limit, sb);
      INFO("depth " << depth << ", budget " << limit);
      REQUIRE(a.machine().snapshot() == b.machine().snapshot());
    }
    for (std::size_t k = 0; k < sa.size(); ++k) {
      CHECK(sa[k].instructions == sb[k].instructions);
      CHECK(sa[k].cycles == sb[k].cycles);
    }
    CHECK(b.machine().cycles() >= 6000);
    CHECK(b.machine().fast_instructions() > 0);
  }
}

TEST_CASE("engines agree under a step limit", "[engine]") {
  auto pg1 = isa_named("pg1");
  auto os = image(pg1, source_path("examples/os/tinyos.s"));
  vmm::Stack a(pg1, nullptr, os, 0), b(pg1, nullptr, os, 0);
  a.machine().set_engine(Engine::Reference);
  b.machine().set_engine(Engine::Fast);
  for (std::uint64_t steps : {1u, 2u, 3u, 17u, 100u, 999u}) {
    a.machine().set_max_steps(steps);
    b.machine().set_max_steps(steps);
    std::vector<vmm::LevelStats> s;
    INFO("steps " << steps);
    CHECK(a.run(~0ull, s) == b.run(~0ull, s));
    CHECK(a.machine().snapshot() == b.machine().snapshot());
  }
}

namespace {
/// Runs `text` (PG-1) on both engines to its halt; checks they agree and returns the fast run's machine.
machine::Machine both(const std::string& text, const std::function<void(machine::Machine&)>& between = {}) {
  machine::Machine ref = machine_with(text, 4096), fast = machine_with(text, 4096);
  ref.set_engine(Engine::Reference);
  fast.set_engine(Engine::Fast);
  if (between) {
    ref.run(200);
    fast.run(200);
    between(ref);
    between(fast);
  }
  ref.run(1'000'000);
  fast.run(1'000'000);
  CHECK(ref.snapshot() == fast.snapshot());
  CHECK(fast.halted());
  return fast;
}
}  // namespace

TEST_CASE("self-modifying code: a store into an already-decoded word runs the new instruction", "[engine]") {
  // The loop body's `addi r1, r1, 1` runs three times, then the program overwrites it with
  // `addi r1, r1, 100` (a store into a word the fast engine has decoded) and loops again.
  auto m = both(R"(
        .org 16
        li r2, 0
again:  li r3, 3
loop:
patch:  addi r1, r1, 1
        addi r3, r3, -1
        bne r3, r0, loop
        bne r2, r0, done
        li r2, 1
        ld r4, newins(r0)
        st r4, patch(r0)
        jmp again
done:   halt
newins: addi r1, r1, 100
)");
  CHECK(m.reg(1) == 3 + 300);
  CHECK(m.fast_instructions() > 0);
}

TEST_CASE("self-modifying code: a store into the next instruction of the same straight line", "[engine]") {
  // The store overwrites the instruction right after it, which the burst has not reached yet;
  // executed once before (decoded), then patched on the second pass.
  auto m = both(R"(
        .org 16
        li r5, 2
pass:   ld r4, newins(r0)
        bne r5, r6, skip      ; first pass: no patch
        st r4, next(r0)
skip:   li r6, 1
next:   addi r1, r1, 1
        addi r5, r5, -1
        bne r5, r0, pass
        halt
newins: addi r1, r1, 40
)");
  CHECK(m.reg(1) == 1 + 40);
}

TEST_CASE("self-modifying code: stp and a write through storage() between runs also invalidate", "[engine]") {
  // stp (the reference step's bytecode) patches code the fast engine has decoded; then, between
  // two runs, a host tool patches the loop's first instruction through storage().
  auto m = both(R"(
        .org 16
        li r3, 2
loop1:
code:   addi r1, r1, 1
        ld r4, newins(r0)
        stp r4, code(r0)
        addi r3, r3, -1
        bne r3, r0, loop1
        li r6, 1000
loop2:
ext:    addi r2, r2, 1
        addi r6, r6, -1
        bne r6, r0, loop2
        halt
newins: addi r1, r1, 10
)",
                [](machine::Machine& mc) {
                  // `ext` is at address 23: make it add 100 from now on.
                  mc.storage()[23] = assemble(".org 16\naddi r2, r2, 100\n")->words[16];
                });
  CHECK(m.reg(1) == 1 + 10);
  CHECK(m.reg(2) > 1000);  // the patched instruction ran (the reference run says how often)
}
