// The lesson engine: parsing a lesson, carrying out its steps, failing with file:line.
#include <catch2/catch.hpp>

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

TEST_CASE("a lesson parses into prose, steps and an exercise; the instructor section is apart", "[lesson]") {
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
