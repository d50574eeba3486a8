// The lesson engine: parsing a lesson, carrying out its steps, failing with file:line.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "helpers.hpp"
#include "vmm/lesson.hpp"

using namespace pgsim;

namespace {
const char* kLesson = R"(# Lesson 99: A test lesson

Some prose about the trap.

```pgsim
setup program=examples/guests/hello.s depth=2
run to-trap level=2
expect last-trap cause == PRIV   # the guest's out traps
expect last-trap chain == "L0 reflects -> L1 emulates"
expect last-trap level == 2
expect running-level == 0
expect level 2 mode == supervisor
expect level 1 mode == user
show levels
show trap
```

More prose.

```pgsim
step-over-trap
expect running-level == 2
run to-halt
expect halted
expect console == "Hello from PG-1!\n"
expect real-traps > 10
expect level-traps 2 == 18
expect equivalent
expect traps-per "getm r1" depth=3 == 4
expect traps-per "out r0" depth=3 == 7
```

```pgsim-exercise
file=examples/isa/pg1-getm.isa solution=examples/isa/pg1.isa
task: make getm privileged.
setup isa=$FILE program=examples/guests/whoami.s depth=1
expect theorem1 holds
expect check getm privileged
expect equivalent
```

## Questions for discussion

1. Why?

## For the instructor

1. Because.
)";
}  // namespace

TEST_CASE("a lesson parses into prose, steps and an exercise -- the instructor section is apart", "[lesson]") {
  auto l = vmm::parse_lesson("t.md", kLesson);
  CHECK(l.number == 99);
  CHECK(l.title == "Lesson 99: A test lesson");
  int steps = 0, exercises = 0;
  for (const auto& p : l.parts) {
    steps += p.kind == vmm::LessonPart::Step;
    exercises += p.kind == vmm::LessonPart::Exercise;
  }
  CHECK(steps == 2);
  CHECK(exercises == 1);
  CHECK_THAT(l.instructor, Catch::Contains("Because."));
  for (const auto& p : l.parts) CHECK_THAT(p.text, !Catch::Contains("Because."));
}

TEST_CASE("a lesson's steps run, and its exercise passes with the solution and fails without", "[lesson]") {
  auto l = vmm::parse_lesson("t.md", kLesson);
  std::vector<const vmm::LessonPart*> parts;
  for (const auto& p : l.parts)
    if (p.kind != vmm::LessonPart::Prose) parts.push_back(&p);
  vmm::LessonRunner solved(PGSIM_SOURCE_DIR, true);
  std::string out = solved.run_part(l, *parts[0]);
  CHECK_THAT(out, Catch::Contains("✓ last-trap chain == L0 reflects -> L1 emulates"));
  CHECK_THAT(out, Catch::Contains("L2 guest"));
  CHECK_NOTHROW(solved.run_part(l, *parts[1]));
  CHECK_NOTHROW(solved.run_part(l, *parts[2]));
  vmm::LessonRunner student(PGSIM_SOURCE_DIR, false);
  try {
    student.run_part(l, *parts[2]);
    FAIL("the unsolved exercise passed");
  } catch (const vmm::LessonFailure& f) {
    CHECK_THAT(f.what(), Catch::Contains("t.md:37: expectation failed: theorem1 holds (got it fails)"));
  }
}

TEST_CASE("a failing expectation names the lesson's file and line and what it got", "[lesson]") {
  auto l = vmm::parse_lesson("bad.md", "# Lesson 98: bad\n```pgsim\nsetup program=examples/guests/hello.s\nrun to-halt\nexpect console contains \"Goodbye\"\n```\n");
  vmm::LessonRunner r(PGSIM_SOURCE_DIR, true);
  try {
    r.run_part(l, l.parts[0]);
    FAIL("no failure");
  } catch (const vmm::LessonFailure& f) {
    CHECK_THAT(f.what(), Catch::Contains("bad.md:5: expectation failed: console contains Goodbye (got \"Hello from PG-1!\\n\")"));
  }
  auto u = vmm::parse_lesson("u.md", "# Lesson 97: u\n```pgsim\nexpect halted\n```\n");
  vmm::LessonRunner fresh(PGSIM_SOURCE_DIR, true);
  CHECK_THROWS_WITH(fresh.run_part(u, u.parts[0]), Catch::Contains("u.md:3: no machine yet"));
}

namespace {
/// The failure message of running the first step of `text` (a lesson), or "" if it passed.
std::string failure_of(const std::string& text, std::uint64_t step_limit = vmm::kRunStepLimit,
                       std::uint64_t cycle_limit = vmm::kRunCycleLimit) {
  auto l = vmm::parse_lesson("t.md", text);
  vmm::LessonRunner r(PGSIM_SOURCE_DIR, true);
  r.set_run_limits(step_limit, cycle_limit);
  try {
    for (const auto& p : l.parts)
      if (p.kind != vmm::LessonPart::Prose) r.run_part(l, p);
  } catch (const vmm::LessonFailure& f) {
    return f.what();
  }
  return {};
}
std::string step(const std::string& commands) { return "# Lesson 96: limits\n```pgsim\n" + commands + "```\n"; }
}  // namespace

TEST_CASE("a lesson number out of range is an error at its line, not a crash", "[lesson]") {
  CHECK_THROWS_WITH(vmm::parse_lesson("big.md", "# Lesson 99999999999: Too many\n"),
                    Catch::Contains("big.md:1: error: the lesson number 99999999999 is out of range: it must be from 1 to 999"));
  CHECK_THROWS_WITH(vmm::parse_lesson("99999999999-x.md", "# No number in the title\n"),
                    Catch::Contains("99999999999-x.md:1: error: the lesson number (from the file name) 99999999999 is out of range"));
  CHECK_THROWS_WITH(vmm::parse_lesson("open.md", "# Lesson 5: x\n\n```pgsim\nsetup\n"),
                    Catch::Contains("open.md:3: error: this step block is never closed"));
}

TEST_CASE("every number in a lesson's commands is range-checked, with file:line", "[lesson]") {
  CHECK_THAT(failure_of(step("setup program=tests/data/loop.s\nrun to-line X\n")),
             Catch::Contains("t.md:4: error: `run to-line X`: expected FILE:LINE after to-line"));
  CHECK_THAT(failure_of(step("setup program=tests/data/loop.s\nrun to-line tests/data/loop.s:x5\n")),
             Catch::Contains("t.md:4: error: the line number must be a number from 1 to 10,000,000, not 'x5'"));
  CHECK_THAT(failure_of(step("setup program=tests/data/loop.s depth=4294967296\n")),
             Catch::Contains("t.md:3: error: depth 4294967296 is out of range: it must be from 0 to 64"));
  CHECK_THAT(failure_of(step("setup program=tests/data/loop.s memory=99999999999999999999999\n")),
             Catch::Contains("t.md:3: error: memory 99999999999999999999999 is out of range: it must be from 32 to 67,108,864"));
  CHECK_THAT(failure_of(step("setup program=tests/data/loop.s dpeth=2\n")),
             Catch::Contains("t.md:3: error: setup takes KEY=VALUE words"));
  CHECK_THAT(failure_of(step("setup program=tests/data/loop.s\nrun steps 99999999999999\n")),
             Catch::Contains("t.md:4: error: the number of steps 99999999999999 is out of range: it must be from 1 to 50,000,000"));
  CHECK_THAT(failure_of(step("setup program=tests/data/loop.s\nrun to-level 3\n")),
             Catch::Contains("t.md:4: error: level 3 is out of range: it must be from 0 to 0"));
  CHECK_THAT(failure_of(step("setup program=tests/data/loop.s\nexpect level 4294967296 r1 == 0\n")),
             Catch::Contains("t.md:4: error: the level 4294967296 is out of range"));
  CHECK_THAT(failure_of(step("setup program=tests/data/loop.s\nstep-back -1\n")),
             Catch::Contains("t.md:4: error: the number of steps back must be a number"));
}

TEST_CASE("every form of run stops at its step and cycle limits, with a message naming the limit", "[lesson]") {
  // The looping guest never halts or traps; at depth 1, once it runs, its VMM (L0) never runs again.
  struct Case {
    const char *setup, *run;
  };
  for (auto c : {Case{"", "run to-halt"}, Case{"", "run to-trap"}, Case{" depth=1\nrun to-level 1", "run to-level 0"},
                 Case{"", "run to-line tests/data/loop.s:8"}}) {
    std::string text = step("setup program=tests/data/loop.s" + std::string(c.setup) + "\n" + c.run + "\n");
    int line = 4 + (std::string(c.setup).find('\n') != std::string::npos);
    CAPTURE(text);
    CHECK_THAT(failure_of(text, 200'000),
               Catch::Contains(fmt::format("t.md:{}: `{}`: stopped at the limit of 200,000 steps per run command", line, c.run)));
    CHECK_THAT(failure_of(text, 50'000'000, 300'000),
               Catch::Contains(fmt::format("t.md:{}: `{}`: stopped at the limit of 300,000 cycles per run command", line, c.run)));
  }
  CHECK_THAT(failure_of(step("setup program=tests/data/loop.s\nrun steps 400000\n"), 1'000'000, 300'000),
             Catch::Contains("t.md:4: `run steps 400000`: stopped at the limit of 300,000 cycles per run command"));
  CHECK(failure_of(step("setup program=tests/data/loop.s\nrun steps 400000\nexpect instructions == 400000\n")).empty());
}

TEST_CASE("pgsim lesson: a lesson file with an error says where, and exits 1", "[lesson][cli]") {
  std::string root = std::string(PGSIM_BINARY_DIR_FOR_TESTS) + "/bad-lesson-root";
  std::filesystem::create_directories(root + "/lessons");
  {
    std::ofstream(root + "/lessons/01-big.md") << "# Lesson 99999999999: Too many\n";
  }
  auto r = test::run_pgsim("lesson list --root " + root);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("lessons/01-big.md:1: error: the lesson number 99999999999 is out of range"));
  CHECK_THAT(r.out, !Catch::Contains("stoi"));
}

TEST_CASE("VM exits are expectations: vm-exits, level-exits K, exits-per INSTRUCTION", "[lesson][assist]") {
  // Every level of a depth-2 stack intercepts out: each character costs one exit while L2 runs
  // (its out, to L1) and one while L1 runs (L1 forwarding it, to L0).
  const std::string setup =
      "setup isa=examples/isa/pg1-assist.isa program=examples/guests/hello.s vmm=lessons/programs/11-assist-out.s depth=2\n"
      "run to-halt\n";
  CHECK(failure_of(step(setup + "expect vm-exits == 34\nexpect level-exits 2 == 17\nexpect level-exits 1 == 17\n"
                                "expect level-exits 0 == 0\nexpect exits-per \"out r0\" depth=2 == 2\n"
                                "expect exits-per \"getm r1\" depth=2 == 0\n")) == "");
  CHECK_THAT(failure_of(step(setup + "expect vm-exits == 17\n")), Catch::Contains("t.md:5: expectation failed") &&
                                                                     Catch::Contains("34"));
  CHECK_THAT(failure_of(step(setup + "expect level-exits 1 == 0\n")), Catch::Contains("17"));
  CHECK_THAT(failure_of(step(setup + "expect exits-per \"out r0\" depth=3 == 2\n")), Catch::Contains("3"));
  CHECK_THAT(failure_of(step(setup + "expect level-exits 3 == 0\n")), Catch::Contains("t.md:5"));
  // The naive monitor has no VM exits: its events are traps.
  CHECK(failure_of(step("setup program=examples/guests/hello.s depth=2\nrun to-halt\nexpect vm-exits == 0\n"
                        "expect exits-per \"out r0\" depth=2 == 0\nexpect traps-per \"out r0\" depth=2 == 3\n")) == "");
  CHECK_THAT(failure_of(step(setup + "expect vm-exits 34\n")), Catch::Contains("takes 3 words"));
}

TEST_CASE("setup vmm=assist without isa= runs on the assist's own ISA (pg1-assist), as pgsim run --vmm assist does",
          "[lesson][assist]") {
  CHECK(failure_of(step("setup program=examples/guests/hello.s vmm=assist depth=3\nrun to-halt\nexpect halted\n"
                        "expect vm-exits == 0\nexpect level-traps 3 == 0\n")) == "");
  // Named explicitly, PG-1 has no sie: the monitor does not assemble, and the lesson says where.
  CHECK_THAT(failure_of(step("setup isa=examples/isa/pg1.isa program=examples/guests/hello.s vmm=assist depth=1\n")),
             Catch::Contains("sie"));
}

TEST_CASE("lesson 8: the class finds Robin & Irvine's list on the IA-32 model -- a partial list is told how many are missing, not which",
          "[lesson]") {
  vmm::Lesson eight;
  for (auto& l : vmm::load_lessons(std::string(PGSIM_SOURCE_DIR) + "/lessons"))
    if (l.number == 8) eight = l;
  const vmm::LessonPart* ex = nullptr;
  for (const auto& p : eight.parts)
    if (p.kind == vmm::LessonPart::Exercise) ex = &p;
  REQUIRE(ex);
  vmm::LessonRunner solved(PGSIM_SOURCE_DIR, true);
  CHECK_THAT(solved.run_part(eight, *ex), Catch::Contains("✓ theorem1-violations =="));
  vmm::LessonRunner student(PGSIM_SOURCE_DIR, false);  // the exercise as given: sgdt only
  try {
    student.run_part(eight, *ex);
    FAIL("the unsolved exercise passed");
  } catch (const vmm::LessonFailure& f) {
    std::string m = f.what();
    CHECK_THAT(m, Catch::Contains("1 of your 1 are right; 19 more break Theorem 1 (look for BREAKS in the table)"));
    CHECK_THAT(m, Catch::Contains("hint: Read the verdict column"));
    for (auto missing : {"sidt", "popf", "lret", "movts"}) CHECK(m.find(missing) == std::string::npos);  // never the answer
  }
}

TEST_CASE("lesson 14: check=proved classifies with proofs -- rows by their printed name, proved or tested", "[lesson]") {
  const std::string cpuid = "setup isa=lessons/programs/14-cpuid.isa program=lessons/programs/14-cpuid.s";
  // Testing misses the one leaf that reads the mode; the proof finds it.
  CHECK(failure_of(step(cpuid + " check=tested\nexpect check cpuid innocuous\nexpect check cpuid tested\n")).empty());
  CHECK(failure_of(step(cpuid + " check=proved\nexpect check cpuid mode-sensitive\nexpect check cpuid proved\n"
                                "expect theorem1 fails\nexpect theorem1 proved\n"))
            .empty());
  CHECK_THAT(failure_of(step(cpuid + "\nexpect theorem1 proved\n")),
             Catch::Contains("expectation failed: theorem1 proved (got it was tested: classify with proofs by `setup ... "
                             "check=proved`)"));
  CHECK_THAT(failure_of(step(cpuid + " check=maybe\n")),
             Catch::Contains("t.md:3: error: check=maybe is not a way to classify: write check=tested or check=proved"));
  // An instruction split by the value of a field: name the row.
  const std::string riscv = "setup isa=examples/isa/real/riscv-rv32-s.isa program=lessons/programs/14-riscv-csr.s\n";
  CHECK_THAT(failure_of(step(riscv + "expect check csrrw privileged\n")),
             Catch::Contains("t.md:4: csrrw is split by the value of a field into") &&
                 Catch::Contains("name one as pgsim check prints it (csrrw[") && Catch::Contains("csrrw[csr=0x180]"));
  CHECK(failure_of(step(riscv + "expect check csrrw[csr=0x180] owned-sensitive\n")).empty());
}
