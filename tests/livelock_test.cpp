// Timer livelock (issue 10): the quantum OS (examples/os/quantum.s) finishes under the naive VMM
// as long as delivering a tick costs less than its 4,000-cycle period, and from the depth where
// it does not, the stack stops with the reason "timer livelock" (vmm/livelock.hpp) instead of
// spinning to the cycle budget. No healthy run is stopped.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "helpers.hpp"
#include "vmm/equivalence.hpp"
#include "vmm/lesson.hpp"
#include "vmm/session.hpp"

using namespace pgsim;
using pgsim::test::source_path;

namespace {

std::shared_ptr<const assembler::Image> quantum_os() {
  static auto g = std::make_shared<assembler::Image>(assembler::assemble_file(*test::pg1(), source_path("examples/os/quantum.s")));
  return g;
}

/// Counts the real timer interrupts of a run.
struct TickCounter : machine::Observer {
  std::uint64_t ticks = 0;
  void on_event(const machine::Machine&, const machine::Event& e) override { ticks += e.interrupt; }
};

struct Outcome {
  machine::StopReason reason;
  std::optional<vmm::TimerLivelock> livelock;
  std::string console;
  vmm::GuestState state;
  std::uint64_t ticks = 0, cycles = 0;
};

Outcome run(std::shared_ptr<const assembler::Image> guest, unsigned depth, std::uint64_t budget = 1'000'000'000) {
  vmm::Stack s(test::pg1(), depth ? test::reference_vmm() : nullptr, guest, depth);
  std::vector<vmm::LevelStats> stats;
  TickCounter c;
  Outcome o;
  o.reason = s.run(budget, stats, &c);
  o.livelock = s.livelock();
  o.console = s.machine().console_output();
  o.state = s.guest_state();
  o.ticks = c.ticks;
  o.cycles = s.machine().cycles();
  return o;
}

/// A bare-machine guest: a busy task with ie = 1 whose tick handler re-arms the timer with
/// PERIOD cycles until it has counted TICKS ticks, then leaves it off; the task then halts.
std::shared_ptr<const assembler::Image> ticking_guest(unsigned period, unsigned ticks) {
  return test::assemble(fmt::format(R"(
        .equ PERIOD, {}
        .equ TICKS, {}
        .org NEW_PSW
        .word SUPERVISOR, handler, 0, 1024, 0
        .org RESET
        li r1, PERIOD
        stimer r1
        lpsw task_psw(r0)
task:   addi r2, r2, 1          ; the interrupted code: 200 increments, then halt
        li r3, 200
        blt r2, r3, task
        halt
handler:
        ld r4, count(r0)
        addi r4, r4, 1
        st r4, count(r0)
        li r5, TICKS
        bge r4, r5, back        ; counted enough: leave the timer off
        li r5, PERIOD
        stimer r5
back:   lpsw OLD_PSW(r0)
task_psw: .word SUPERVISOR, task, 0, 1024, 1
count:  .word 0
)",
                                    period, ticks));
}

}  // namespace

TEST_CASE("the quantum OS prints its tasks' results and halts on the bare machine, preempted every 4,000 cycles",
          "[livelock]") {
  auto o = run(quantum_os(), 0);
  REQUIRE(o.reason == machine::StopReason::Halted);
  CHECK_FALSE(o.livelock);
  CHECK_THAT(o.console, Catch::StartsWith("quantum: 3 tasks, preemptive round robin, a time slice of 4000 cycles\n"));
  CHECK_THAT(o.console, Catch::Contains("[primes] 168 primes below 1000\n"));
  CHECK_THAT(o.console, Catch::Contains("[collatz] the longest chain below 300 starts at 231: 127 steps\n"));
  CHECK_THAT(o.console, Catch::Contains("[sort] 200 numbers in order, from "));
  CHECK_THAT(o.console, Catch::EndsWith("[os] halting\n"));
  // Really preemptive: a tick per quantum of the run, give or take the handler's cycles.
  const std::uint32_t quantum = quantum_os()->symbol("QUANTUM");
  CHECK(quantum == 4000);
  CHECK(o.ticks >= o.cycles / (2 * quantum));
  CHECK(o.ticks <= o.cycles / quantum);
}

TEST_CASE("the quantum OS finishes under the naive VMM while a tick costs less than its period, then livelocks",
          "[livelock]") {
  const auto bare = run(quantum_os(), 0);
  const std::uint32_t period = quantum_os()->symbol("QUANTUM");
  std::optional<unsigned> first;
  std::uint64_t previous_tick = 0;
  for (unsigned d = 1; d <= 7; ++d) {
    INFO("depth " << d);
    auto o = run(quantum_os(), d);
    if (!o.livelock) {
      // Still progressing: the same output and final state as on the bare machine.
      CHECK_FALSE(first);  // once livelocked, deeper is livelocked too
      CHECK(o.reason == machine::StopReason::Halted);
      CHECK(o.state == bare.state);
      continue;
    }
    if (!first) first = d;
    const auto& l = *o.livelock;
    CHECK(o.reason == machine::StopReason::None);
    CHECK(l.level == d);  // the guest
    CHECK(l.depth == d);
    CHECK(l.ticks == vmm::kLivelockTicks);
    CHECK(l.period == period);
    // Why: from the re-arming stimer to the guest's next instruction takes at least a period,
    // and one tick costs that plus the way from the interrupt to the handler's stimer.
    CHECK(l.resume_cycles >= period);
    CHECK(l.tick_cycles > l.resume_cycles);
    // The naive VMM doubles the cost per level (2^(d-1) .. 2^d - 1 real traps per privileged
    // instruction): the cost of a tick grows by a factor close to 2 with each level.
    if (previous_tick) {
      CHECK(l.tick_cycles > 19 * previous_tick / 10);
      CHECK(l.tick_cycles < 21 * previous_tick / 10);
    }
    previous_tick = l.tick_cycles;
    // It stopped soon after, not at the cycle budget.
    CHECK(o.cycles < 100 * vmm::kLivelockTicks * l.tick_cycles);
    const std::string m = l.message();
    CHECK_THAT(m, Catch::StartsWith(fmt::format("timer livelock: L{} (the guest, depth {})", d, d)));
    CHECK_THAT(m, Catch::Contains(fmt::format("across {} consecutive timer interrupts", vmm::kLivelockTicks)));
    CHECK_THAT(m, Catch::Contains("Its timer period is 4,000 cycles"));
    CHECK_THAT(m, Catch::Contains(fmt::format("at depth {} (from one tick's real interrupt to the next)", d)));
  }
  // From the real stimer to the guest's next instruction takes about 158 * (2^d - 1) cycles
  // under the reference VMM (its trap path in 2026-11: 4,904 at depth 5): over 4,000 from depth 5.
  CHECK(first == 5u);
}

TEST_CASE("no timer livelock on healthy runs: tinyos at depths 0..6, every example guest, the lesson programs",
          "[livelock]") {
  auto tinyos = std::make_shared<assembler::Image>(assembler::assemble_file(*test::pg1(), source_path("examples/os/tinyos.s")));
  const auto bare = run(tinyos, 0);
  for (unsigned d = 0; d <= 6; ++d) {
    INFO("tinyos at depth " << d);
    auto o = run(tinyos, d);
    CHECK(o.reason == machine::StopReason::Halted);
    CHECK_FALSE(o.livelock);
    CHECK(o.state == bare.state);
  }
  for (const char* g : {"examples/guests/hello.s", "examples/guests/fib.s", "examples/guests/arith.s",
                        "examples/guests/sieve.s", "examples/guests/whoami.s", "lessons/programs/09-pending.s",
                        "lessons/programs/09-timer-check.s"}) {
    auto img = std::make_shared<assembler::Image>(assembler::assemble_file(*test::pg1(), source_path(g)));
    for (unsigned d = 0; d <= 3; ++d) {
      INFO(g << " at depth " << d);
      CHECK_FALSE(run(img, d, 200'000'000).livelock);
    }
  }
}

TEST_CASE("the threshold: a burst of back-to-back ticks shorter than kLivelockTicks is not a livelock -- a longer one is",
          "[livelock]") {
  // Period 1: the tick is due again before the handler's lpsw returns to the task, on the bare
  // machine too, so every tick after the first is starved until the handler stops re-arming.
  auto below = run(ticking_guest(1, vmm::kLivelockTicks), 0);
  CHECK(below.reason == machine::StopReason::Halted);
  CHECK_FALSE(below.livelock);
  CHECK(below.ticks == vmm::kLivelockTicks);

  auto above = run(ticking_guest(1, vmm::kLivelockTicks + 2), 0);
  REQUIRE(above.livelock);
  CHECK(above.reason == machine::StopReason::None);
  CHECK(above.ticks == vmm::kLivelockTicks + 1);  // stopped at the delivery that completed the count
  CHECK(above.livelock->level == 0);
  CHECK(above.livelock->period == 1);
  CHECK_THAT(above.livelock->message(), Catch::StartsWith("timer livelock: L0 (the guest on the bare machine)"));

  // A period the handler fits in: the task runs between ticks; never a livelock, whatever the count.
  auto healthy = run(ticking_guest(40, 10 * vmm::kLivelockTicks), 0);
  CHECK(healthy.reason == machine::StopReason::Halted);
  CHECK_FALSE(healthy.livelock);
}

TEST_CASE("a session stops at the timer livelock, going back undoes it, and running again finds it again",
          "[livelock]") {
  vmm::Session s(test::pg1(), test::reference_vmm(), quantum_os(), 5);
  std::uint64_t steps = 0;
  while (!s.stopped() && steps < 20'000'000) {
    s.step();
    ++steps;
  }
  REQUIRE(s.stack().livelock());
  CHECK(s.stack().stop_reason() == "timer livelock");
  CHECK(s.stack().stop_description() == s.stack().livelock()->message());
  CHECK(s.step().cost == 0);  // stopped: no step
  const auto found = *s.stack().livelock();
  const std::uint64_t at = s.steps();
  s.step_back(1000);
  CHECK_FALSE(s.stopped());
  CHECK_FALSE(s.stack().livelock());
  s.go_to_step(at);
  REQUIRE(s.stack().livelock());
  CHECK(s.stack().livelock()->cycle == found.cycle);
  CHECK(s.stack().livelock()->tick_cycles == found.tick_cycles);
  // The same diagnosis as a whole run of the stack.
  auto o = run(quantum_os(), 5);
  REQUIRE(o.livelock);
  CHECK(o.livelock->cycle == found.cycle);
}

TEST_CASE("pgsim equiv: a run stopped at a timer livelock is not equivalent", "[livelock]") {
  auto r = vmm::check_equivalence(test::pg1(), test::reference_vmm(), quantum_os(), 5, 0, 100'000'000);
  CHECK(r.verdict == vmm::EquivalenceResult::Verdict::Livelock);
  REQUIRE(r.virtualized_livelock);
  CHECK_FALSE(r.bare_livelock);
  CHECK(r.bare_stop == machine::StopReason::Halted);
  CHECK(r.virtualized_livelock->level == 5);
  auto ok = vmm::check_equivalence(test::pg1(), test::reference_vmm(), quantum_os(), 2, 0, 100'000'000);
  CHECK(ok.verdict == vmm::EquivalenceResult::Verdict::TimerThenEqual);

  auto cli = test::run_pgsim("equiv --depth 5 " + source_path("examples/os/quantum.s"));
  CHECK(cli.code == 3);
  CHECK_THAT(cli.out, Catch::Contains("NOT EQUIVALENT: the run under 5 VMMs stopped at a timer livelock"));
  CHECK_THAT(cli.out, Catch::Contains("timer livelock: L5 (the guest, depth 5)"));
}

TEST_CASE("pgsim run reports the timer livelock in text and in --json", "[livelock][cli]") {
  auto text = test::run_pgsim("run --depth 5 " + source_path("examples/os/quantum.s"));
  CHECK(text.code == 0);
  CHECK_THAT(text.out, Catch::Contains("-- timer livelock after "));
  CHECK_THAT(text.out, Catch::Contains("-- timer livelock: L5 (the guest, depth 5) completed no instruction"));
  CHECK_THAT(text.out, !Catch::Contains("[os] halting"));

  auto js = test::run_pgsim("run --json --depth 5 " + source_path("examples/os/quantum.s"), false);
  REQUIRE(js.code == 0);
  auto j = nlohmann::json::parse(js.out);
  CHECK(j["reason"] == "timer livelock");
  CHECK(j["halted"] == false);
  CHECK(j["livelock"]["level"] == 5);
  CHECK(j["livelock"]["period"] == 4000);
  CHECK(j["livelock"]["ticks"] == vmm::kLivelockTicks);
  CHECK(j["livelock"]["resume_cycles"].get<std::uint64_t>() >= 4000);
  CHECK(j["livelock"]["tick_cycles"].get<std::uint64_t>() > j["livelock"]["resume_cycles"].get<std::uint64_t>());
  CHECK(j["livelock"]["message"].get<std::string>().rfind("timer livelock: L5", 0) == 0);

  auto fine = test::run_pgsim("run --json --depth 4 " + source_path("examples/os/quantum.s"), false);
  auto jf = nlohmann::json::parse(fine.out);
  CHECK(jf["reason"] == "halted");
  CHECK_FALSE(jf.contains("livelock"));
  // With --trace-traps too (the same stack run, with a tracer).
  auto traced = test::run_pgsim("run --trace-traps --depth 5 " + source_path("examples/os/quantum.s"));
  CHECK_THAT(traced.out, Catch::Contains("-- timer livelock: L5"));
}

TEST_CASE("lessons: expect stop-reason and expect livelock check the diagnosis -- a wrong expectation fails",
          "[livelock][lesson][asan_slow]") {
  auto failure = [](const std::string& commands) -> std::string {
    auto l = vmm::parse_lesson("t.md", "# Lesson 95: livelock\n```pgsim\n" + commands + "```\n");
    vmm::LessonRunner r(PGSIM_SOURCE_DIR, true);
    try {
      for (const auto& p : l.parts)
        if (p.kind != vmm::LessonPart::Prose) r.run_part(l, p);
    } catch (const vmm::LessonFailure& f) {
      return f.what();
    }
    return {};
  };
  const std::string setup = "setup program=examples/os/quantum.s depth=5\nrun to-halt\n";
  CHECK(failure(setup + "expect stop-reason == \"timer livelock\"\nexpect livelock level == 5\n"
                        "expect livelock period == 4000\nexpect livelock ticks == " +
                std::to_string(vmm::kLivelockTicks) + "\nexpect livelock resume-cycles >= 4000\n") == "");
  CHECK_THAT(failure(setup + "expect stop-reason == \"halted\"\n"),
             Catch::Contains("t.md:5: expectation failed: stop-reason == halted (got timer livelock: L5 (the guest, depth 5)"));
  CHECK_THAT(failure(setup + "expect livelock level == 4\n"),
             Catch::Contains("t.md:5: expectation failed: livelock level == 4 (got 5)"));
  CHECK_THAT(failure(setup + "expect halted\n"), Catch::Contains("expectation failed: halted (got timer livelock: L5"));
  // At depth 4 the OS finishes: no livelock to expect.
  const std::string fine = "setup program=examples/os/quantum.s depth=4\nrun to-halt\n";
  CHECK(failure(fine + "expect stop-reason == \"halted\"\nexpect stop-reason != \"timer livelock\"\n") == "");
  CHECK_THAT(failure(fine + "expect stop-reason == \"timer livelock\"\n"),
             Catch::Contains("expectation failed: stop-reason == timer livelock (got \"halted\")"));
  CHECK_THAT(failure(fine + "expect livelock level == 4\n"), Catch::Contains("(got no timer livelock (the machine: halted))"));
  // A run command that cannot get where it goes says why.
  CHECK_THAT(failure("setup program=examples/os/quantum.s depth=6\nrun to-trap cause=ILLEGAL\n"),
             Catch::Contains("never got there (the machine stopped: timer livelock: L6"));
  CHECK_THAT(failure(setup + "expect stop-reason is \"halted\"\n"), Catch::Contains("the form is `expect stop-reason =="));
  CHECK_THAT(failure(setup + "expect livelock colour == 1\n"), Catch::Contains("unknown livelock field 'colour'"));
}

TEST_CASE("under the hardware assist the quantum OS finishes at depth 30 with its depth-0 output, no livelock",
          "[livelock][assist]") {
  auto isa = isa::load_isa(source_path("examples/isa/pg1-assist.isa"));
  auto guest = std::make_shared<assembler::Image>(assembler::assemble_file(*isa, source_path("examples/os/quantum.s")));
  auto monitor = std::make_shared<assembler::Image>(assembler::assemble_file(*isa, source_path("vmm/monitors/assist.s")));
  auto console_at = [&](unsigned depth) {
    vmm::Stack stack(isa, depth ? monitor : nullptr, guest, depth);
    std::vector<vmm::LevelStats> stats(depth + 1);
    auto reason = stack.run(1'000'000'000, stats);
    INFO("depth " << depth);
    CHECK(reason == machine::StopReason::Halted);
    CHECK_FALSE(stack.livelock());
    return stack.machine().console_output();
  };
  const std::string bare = console_at(0);
  REQUIRE_FALSE(bare.empty());
  CHECK(console_at(5) == bare);   // the naive VMM livelocks here
  CHECK(console_at(30) == bare);
}
