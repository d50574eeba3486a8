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
#include "machine/run_loop.hpp"
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

// ---- Block-level execution (issue 13, item 3): the fast engine checks its deadline once per
// straight-line run. These programs put the places where a run must not go on as planned --
// a timer deadline, a cycle budget, a store into code, the end of the fetch window, a fault, a
// pending interrupt, a change of level -- inside long straight lines, and compare the reference
// engine, the fast engine one instruction at a time (set_blocks(false)) and the fast engine
// with blocks, stopping and resuming at EVERY cycle budget (each budget is a state a user can
// see: `pgsim run --cycles N`, the GUI's run to a cycle), then in one uninterrupted run.

namespace {
/// `lines` repeated `times` times (a long straight line).
std::string repeat(const std::string& lines, int times) {
  std::string s;
  for (int i = 0; i < times; ++i) s += lines;
  return s;
}

/// Runs `text` (PG-1, 4096 words) on the three engines, stopping at every cycle budget from 1
/// until all have halted (at most `max_cycles`), comparing the full machine state at each; then
/// again in single runs to the halt. Returns the block engine's machine after the single run.
machine::Machine agree_at_every_cycle(const std::string& text, std::uint64_t max_cycles) {
  machine::Machine ref = machine_with(text, 4096), one = machine_with(text, 4096), blk = machine_with(text, 4096);
  ref.set_engine(Engine::Reference);
  one.set_engine(Engine::Fast);
  one.set_blocks(false);
  blk.set_engine(Engine::Fast);
  std::uint64_t budget = 1;
  for (; budget <= max_cycles && !(ref.halted() && blk.halted()); ++budget) {
    ref.run(budget);
    one.run(budget);
    blk.run(budget);
    INFO("cycle budget " << budget << ", pc " << ref.pc());
    REQUIRE(ref.snapshot() == one.snapshot());
    REQUIRE(ref.snapshot() == blk.snapshot());
    REQUIRE(ref.stop_reason() == blk.stop_reason());
  }
  CHECK(ref.halted());  // the program ran to its end within max_cycles
  CHECK(blk.fast_runs() > 0);
  machine::Machine ref1 = machine_with(text, 4096), blk1 = machine_with(text, 4096);
  ref1.set_engine(Engine::Reference);
  blk1.set_engine(Engine::Fast);
  ref1.run(max_cycles);
  blk1.run(max_cycles);
  CHECK(ref1.snapshot() == blk1.snapshot());
  CHECK(ref1.snapshot() == ref.snapshot());
  // Blocks did the work: most of the fast engine's instructions ran in multi-instruction runs.
  CHECK(blk1.fast_instructions() > 2 * blk1.fast_runs());
  return blk1;
}
}  // namespace

TEST_CASE("blocks: timer interrupts land at every place of a straight line", "[engine][blocks]") {
  // The timer's period changes after each interrupt (1..64 cycles), so that its deadline falls
  // on every instruction of the 40-instruction body (runs cross the 64-word spans too).
  auto m = agree_at_every_cycle(R"(
        .org 8
        .word 0, tick, 0, 4096, 0   ; new PSW: the timer handler, ie 0
        .org 16
        li r5, 3
        stimer r5
        lpsw go(r0)                 ; ie = 1
body:   addi r1, r1, 1
)" + repeat("        add r2, r2, r1\n        xor r3, r3, r2\n        ld r4, 1000(r1)\n        mul r2, r2, r3\n"
            "        shl r3, r3, r1\n        sub r4, r4, r3\n        lui r7, 3\n        nop\n", 5) + R"(
        li r4, 150
        blt r1, r4, body
        halt
tick:   addi r6, r6, 1              ; interrupts taken
        addi r5, r5, 7
        andi r5, r5, 63
        addi r5, r5, 1
        stimer r5
        lpsw 0(r0)
go:     .word 0, body, 0, 4096, 1
)", 40'000);
  CHECK(m.reg(1) == 150);
  CHECK(m.reg(6) > 200);  // hundreds of interrupts
}

TEST_CASE("blocks: stores into the following instruction, into a run ahead and into a run behind", "[engine][blocks]") {
  // Each pass, the line's own store writes the next patch of the table: the instruction right
  // after the store (its run starts there), one in the middle of a run ahead planned in the pass
  // before (that run must end before it now), one in the first run of the line (behind the
  // store: the next pass must see it), a jump into the middle of a run, a privileged out (an
  // instruction the fast engine leaves to the reference step) and a halt.
  auto m = agree_at_every_cycle(R"(
        .org 16
        li r5, table
        li r6, 7                    ; passes
line:   addi r1, r1, 1
        addi r2, r2, 2
behind: addi r1, r1, 3
        add r3, r3, r1
        ld r4, 0(r5)                ; the patch
        ld r7, 1(r5)                ; where it goes
        st r4, 0(r7)
follow: addi r2, r2, 5
        xor r3, r3, r2
        add r1, r1, r3
        andi r1, r1, 0x7fff
        addi r2, r2, 1
        addi r2, r2, 1
ahead:  addi r1, r1, 7
        addi r2, r2, 1
        addi r2, r2, 1
skipto: addi r3, r3, 9
        addi r5, r5, 2
        addi r6, r6, -1
        bne r6, r0, line
        halt
table:  addi r2, r2, 500
        .word follow
        sub r1, r1, r3
        .word ahead
        addi r1, r1, 300
        .word behind
        jmp skipto
        .word ahead-1
        out r1
        .word follow
        halt
        .word skipto
)", 5'000);
  CHECK(m.halted());
  CHECK(m.reg(6) == 2);  // the halt patched into `skipto` ended the 6th pass
  CHECK(m.console_output().size() == 2);  // `out`, patched into `follow` in the 5th pass, ran in the 5th and 6th
}

TEST_CASE("blocks: a straight line that runs into the end of its bounds", "[engine][blocks]") {
  // User code planned under the whole storage as its window, then run with its bound at every
  // word of it: the fetch at the bound, a load past it, a jump and a branch past it fault in
  // the middle or at the end of runs. The handler adds up each trap's cause and info.
  auto m = agree_at_every_cycle(R"(
        .org 8
        .word 0, trap, 0, 4096, 0
        .org 16
        li r6, 4096                 ; the user's bound: first all of storage, then from `end` down
user:   st r6, upsw+3(r0)
        lpsw upsw(r0)
trap:   add r5, r5, r5
        ld r1, 5(r0)                ; cause
        add r5, r5, r1
        ld r1, 6(r0)                ; info
        add r5, r5, r1
        li r1, end
        bge r1, r6, down
        mov r6, r1
        jmp user
down:   addi r6, r6, -1
        li r1, code
        bge r6, r1, user
        halt
upsw:   .word 1, code, 0, 0, 0      ; user mode at `code`, R = (0, r6)
code:   addi r2, r2, 1
)" + repeat("        xor r3, r3, r2\n        addi r2, r2, 3\n", 5) + R"(
        ld r4, mid(r0)              ; faults when the bound is at or below `mid`
)" + repeat("        add r3, r3, r4\n", 4) + R"(
mid:    jmp over
        .word 0, 0
over:   addi r2, r2, 1
        beq r0, r0, last
        .word 0
last:   addi r3, r3, 1
        svc 0
end:
)", 20'000);
  CHECK(m.reg(5) != 0);
}

TEST_CASE("blocks: a timer interrupt pending on entry to a run", "[engine][blocks]") {
  // The timer expires while interrupts are off (mid-line); lpsw turns them on, and the pending
  // interrupt must be taken before the next line's first instruction; with longer periods it
  // falls due inside the second line instead.
  auto m = agree_at_every_cycle(R"(
        .org 8
        .word 0, tick, 0, 4096, 0
        .org 16
        li r5, 1
        li r6, 40                   ; iterations
again:  stimer r5                   ; ie is 0
)" + repeat("        addi r1, r1, 1\n        xor r2, r2, r1\n", 12) + R"(
        lpsw on(r0)                 ; ie = 1
after:
)" + repeat("        add r3, r3, r2\n", 10) + R"(
        lpsw off(r0)                ; ie = 0 again
next:   addi r5, r5, 3
        andi r5, r5, 63
        addi r5, r5, 1
        addi r6, r6, -1
        bne r6, r0, again
        halt
tick:   addi r4, r4, 1              ; interrupts taken
        ld r1, 1(r0)                ; at which pc
        add r7, r7, r1
        lpsw 0(r0)
on:     .word 0, after, 0, 4096, 1
off:    .word 0, next, 0, 4096, 0
)", 20'000);
  CHECK(m.reg(4) >= 20);
}

namespace {
/// Per-level instruction and cycle counts, as vmm::Stack counts them: from each event on the
/// reference engine, in bulk from the fast engine (machine::BulkObserver).
struct PerLevel {
  static constexpr bool enabled = true;
  std::uint32_t stride = 0;
  unsigned last = 0;
  std::map<unsigned, std::pair<std::uint64_t, std::uint64_t>> counts;  // level -> (instructions, cycles)
  void on_event(const machine::Machine&, const machine::Event& e) {
    if (e.kind != machine::EventKind::Instruction) return;
    auto& c = counts[std::min<isa::Word>(e.real_pc / stride, last)];
    c.first += 1;
    c.second += e.cost;
  }
  void on_instructions(const machine::Machine&, unsigned level, std::uint64_t n, std::uint64_t cycles) {
    counts[level].first += n;
    counts[level].second += cycles;
  }
};
}  // namespace

TEST_CASE("blocks: a straight line across levels is counted per level", "[engine][blocks]") {
  // Levels of 24 words: the loop's straight line crosses levels 0 -> 1 -> 2 -> 3 (and the last
  // level takes the rest); a run must end where the level changes.
  const std::string text = ".org 16\nloop:\n" + repeat("        addi r1, r1, 1\n        xor r2, r2, r1\n", 40) +
                           "        addi r3, r3, 1\n        li r4, 50\n        bne r3, r4, loop\n        halt\n";
  PerLevel ref{24, 3, {}}, fast{24, 3, {}}, one{24, 3, {}};
  machine::Machine a = machine_with(text, 4096), b = machine_with(text, 4096), c = machine_with(text, 4096);
  a.set_engine(Engine::Reference);
  b.set_engine(Engine::Fast);
  c.set_engine(Engine::Fast);
  c.set_blocks(false);  // one instruction at a time: each newly decoded word is counted at its level too
  for (auto* m : {&a, &b, &c}) m->set_levels(24, 3);
  // Stop and resume at uneven budgets, so that runs also begin and end inside levels.
  for (std::uint64_t limit = 7; !(a.halted() && b.halted() && c.halted()) && limit < 100'000; limit += 37) {
    a.run_with(limit, ref);
    b.run_with(limit, fast);
    c.run_with(limit, one);
    REQUIRE(a.snapshot() == b.snapshot());
    REQUIRE(a.snapshot() == c.snapshot());
  }
  CHECK(a.halted());
  CHECK(ref.counts == fast.counts);
  CHECK(ref.counts == one.counts);
  CHECK(ref.counts.size() == 4);
  CHECK(b.fast_instructions() > 2 * b.fast_runs());
  CHECK(b.fast_runs() > 0);
}

// ---- Lockstep equivalence (vmm/equivalence.cpp) runs each stack to its guest's next instruction
// boundary in the fast engine (Stack::run_to_guest_boundary): bursts stop before the guest's
// level and before each level's vm_fetch, and log their stores. It must stop exactly where
// stepping one instruction at a time, testing the boundary after each step, stops: the same
// machine state, the same stores logged in the same order, the same timer interrupts seen.

namespace {
/// What lockstep did before the fast engine: the reference step until the guest's boundary.
/// True if a timer interrupt was taken.
bool step_to_boundary(vmm::Stack& s, std::uint64_t limit) {
  bool interrupt = false;
  while (!s.stopped() && s.machine().cycles() < limit && s.guest_boundary() == vmm::Stack::GuestBoundary::None)
    interrupt = s.step().interrupt || interrupt;
  return interrupt;
}

/// Runs `guest` under `vmm` at `depth` to each of its first `boundaries` instruction boundaries both
/// ways, comparing everything at each. Returns the timer interrupts seen.
int check_boundaries(const std::string& name, std::shared_ptr<const isa::IsaModel> isa,
                     std::shared_ptr<const assembler::Image> vmm, std::shared_ptr<const assembler::Image> guest,
                     unsigned depth, int boundaries) {
  INFO(name << " at depth " << depth);
  vmm::Stack a(isa, vmm, guest, depth), b(isa, vmm, guest, depth);
  const std::uint64_t limit = 500'000'000;
  std::vector<isa::Word> log_a, log_b;
  a.machine().set_store_log(&log_a);
  b.machine().set_store_log(&log_b);
  step_to_boundary(a, limit);
  b.run_to_guest_boundary(limit);
  int n = 0, interrupts = 0;
  for (; n < boundaries; ++n) {
    INFO("guest boundary " << n << " at cycle " << a.machine().cycles());
    const auto &ma = a.machine(), &mb = b.machine();
    REQUIRE(ma.cycles() == mb.cycles());
    REQUIRE(ma.instructions() == mb.instructions());
    REQUIRE(ma.traps() == mb.traps());
    REQUIRE(ma.base() + ma.pc() == mb.base() + mb.pc());
    REQUIRE(ma.storage() == mb.storage());
    if (n % 256 == 0) REQUIRE(ma.snapshot() == mb.snapshot());  // and everything else, now and then
    REQUIRE(log_a == log_b);
    REQUIRE(a.guest_boundary() == b.guest_boundary());
    REQUIRE(a.stopped() == b.stopped());
    if (a.stopped() || a.machine().cycles() >= limit) break;
    log_a.clear();
    log_b.clear();
    const bool ia = a.step().interrupt, ja = step_to_boundary(a, limit);
    const bool ib = b.step().interrupt, jb = b.run_to_guest_boundary(limit);
    REQUIRE((ia || ja) == (ib || jb));
    interrupts += (ia || ja);
  }
  CHECK(a.machine().snapshot() == b.machine().snapshot());
  CHECK(n > 100);
  return interrupts;
}
}  // namespace

TEST_CASE("lockstep: a run to the guest's next instruction boundary stops where stepping stops, under every monitor",
          "[engine][equiv]") {
  auto pg1 = isa_named("pg1");
  auto os = image(pg1, source_path("examples/os/tinyos.s"));
  int interrupts = 0;
  // Boundaries in the guest's storage (trap-and-emulate, bt: the level stop), and at the
  // interpreter's vm_fetch of each level below (hybrid: the address stops).
  interrupts += check_boundaries("tinyos/trap-and-emulate", pg1, monitor(pg1, "trap-and-emulate"), os, 2, 20'000);
  interrupts += check_boundaries("tinyos/bt", pg1, monitor(pg1, "bt"), os, 2, 20'000);
  interrupts += check_boundaries("tinyos/hybrid", pg1, monitor(pg1, "hybrid"), os, 2, 20'000);
  auto getm = isa_named("pg1-getm");
  check_boundaries("whoami/hybrid", getm, monitor(getm, "hybrid"), image(getm, source_path("examples/guests/whoami.s")),
                   3, 2'000);
  auto setie = isa_named("pg1-setie");
  interrupts += check_boundaries("06-tick-setie/hybrid", setie, monitor(setie, "hybrid"),
                                 image(setie, source_path("lessons/programs/06-tick-setie.s")), 2, 20'000);
  auto pv = monitor(pg1, "pv");
  check_boundaries("tinyos-pv/pv", pg1, pv, image(pg1, source_path("examples/os/tinyos-pv.s")), 2, 20'000);
  // Interpretive execution (no fast engine there: the reference step, as before).
  auto pga = isa_named("pg1-assist");
  check_boundaries("tinyos/assist", pga, monitor(pga, "assist"), image(pga, source_path("examples/os/tinyos.s")), 2,
                   20'000);
  CHECK(interrupts > 0);  // timer interrupts arrived between boundaries
}

namespace {
/// A StoppingObserver for a bare machine: bursts stop before the real addresses `at` and before
/// the first instruction of level `level` (levels of `stride` words, the last one `last`), and so
/// does the run (it is asked after each step too).
struct StopBefore {
  static constexpr bool enabled = true;
  const machine::Machine* m;
  std::vector<isa::Word> at;
  unsigned level = 0xffff;
  isa::Word stride = 0;
  unsigned last = 0;
  void on_event(const machine::Machine&, const machine::Event&) {}
  void on_instructions(const machine::Machine&, unsigned, std::uint64_t, std::uint64_t) {}
  unsigned stop_level() const { return level; }
  const std::vector<isa::Word>& stops() const { return at; }
  bool in_level() const { return stride && std::min<isa::Word>((m->base() + m->pc()) / stride, last) == level; }
  bool should_stop() const { return in_level() || std::find(at.begin(), at.end(), m->base() + m->pc()) != at.end(); }
};
}  // namespace

TEST_CASE("lockstep: a burst stops before an address it has just written, and runs the new instruction after it",
          "[engine][blocks]") {
  // `stop` is a stop; each pass writes a new instruction into it (the burst's own store) and into
  // the word after it (inside the stop's run), then jumps there.
  const std::string text = R"(
        .org 16
        li r5, 4                    ; passes
pass:   ld r4, ins1(r0)
        st r4, stop(r0)
        ld r4, ins2(r0)
        st r4, after(r0)
        addi r6, r6, 1
        jmp stop
stop:   addi r1, r1, 1
after:  addi r2, r2, 1
        addi r3, r3, 1
        addi r5, r5, -1
        ld r4, ins3(r0)
        st r4, ins1(r0)             ; the next pass writes another instruction
        bne r5, r0, pass
        halt
ins1:   addi r1, r1, 10
ins2:   addi r2, r2, 20
ins3:   addi r1, r1, 300
)";
  auto img = assemble(text);
  const isa::Word stop = static_cast<isa::Word>(img->symbol("stop"));
  machine::Machine ref = machine_with(text, 4096), fast = machine_with(text, 4096);
  ref.set_engine(Engine::Reference);
  std::vector<isa::Word> log_ref, log_fast;
  ref.set_store_log(&log_ref);
  fast.set_store_log(&log_fast);
  StopBefore sr{&ref, {stop}}, sf{&fast, {stop}};
  int stops = 0;
  for (; !ref.halted() && stops < 100; ++stops) {
    ref.run_with(1'000'000, sr);
    fast.run_with(1'000'000, sf);
    INFO("stop " << stops);
    REQUIRE(ref.snapshot() == fast.snapshot());
    REQUIRE(log_ref == log_fast);
    if (ref.halted()) break;
    CHECK(ref.pc() == stop);
    ref.step();
    fast.step();
  }
  CHECK(stops == 4);
  CHECK(fast.halted());
  CHECK(fast.reg(1) == 10 + 3 * 300);
  CHECK(fast.reg(2) == 4 * 20);
  CHECK(fast.fast_instructions() > 0);
}

TEST_CASE("lockstep: a burst stops before the first instruction of a level, however it gets there", "[engine][blocks]") {
  // Levels of 24 words; each pass of the loop runs straight from level 0 through level 1 into
  // level 2 (the guest's level in a stack) and on into level 3, then branches back to level 0.
  const std::string text = ".org 16\nloop:\n" + repeat("        addi r1, r1, 1\n        xor r2, r2, r1\n", 40) +
                           "        addi r3, r3, 1\n        li r4, 20\n        bne r3, r4, loop\n        halt\n";
  machine::Machine ref = machine_with(text, 4096), fast = machine_with(text, 4096);
  ref.set_engine(Engine::Reference);
  StopBefore sr{&ref, {}, 2, 24, 3}, sf{&fast, {}, 2, 24, 3};
  for (auto* m : {&ref, &fast}) m->set_levels(24, 3);
  int entries = 0;
  while (!ref.halted() && entries < 100) {
    ref.run_with(1'000'000, sr);
    fast.run_with(1'000'000, sf);
    INFO("entry " << entries << " into level 2");
    REQUIRE(ref.snapshot() == fast.snapshot());
    if (ref.halted()) break;
    REQUIRE(sr.in_level());
    ++entries;
    while (sr.in_level()) ref.step();  // through level 2, one instruction at a time
    while (sf.in_level()) fast.step();
  }
  CHECK(entries == 20);  // once per pass
  CHECK(fast.halted());
  CHECK(fast.fast_instructions() > fast.instructions() / 2);
}
