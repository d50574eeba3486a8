// The PG-1 machine against PG1.md's precise rules: instructions in both modes, every trap
// cause with the stored old PSW / cause / info, relocation edges, the timer, trap storms, cycles.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace pgsim;
using namespace pgsim::test;
using machine::Machine;

namespace {
// Supervisor code at 16 enters user mode at virtual 0 of the region [0x1000, 0x1100);
// every trap goes to `handler`, which halts. USER_CODE is placed at real 0x1000.
std::string user_program(const std::string& user_code, const std::string& extra_super = "",
                         std::uint32_t ie = 0) {
  return ".org 8\n.word 0, handler, 0, 65536, 0\n.org 16\n" + extra_super +
         "        lpsw upsw(r0)\nhandler: halt\nupsw: .word 1, 0, 0x1000, 0x100, " + std::to_string(ie) +
         "\n.org 0x1000\n" + user_code + "\n";
}
std::vector<isa::Word> low(const Machine& m, std::uint32_t from, std::uint32_t n) {
  return {m.storage().begin() + from, m.storage().begin() + from + n};
}
constexpr std::uint32_t PRIV = 1, MEMORY = 2, SVC = 3, ILLEGAL = 4, ARITH = 5, TIMER = 6;
}  // namespace

TEST_CASE("reset state: supervisor / P = 16 / R = (0 / |E|) / ie 0", "[machine]") {
  Machine m(pg1(), 4096);
  CHECK(m.mode() == machine::Supervisor);
  CHECK(m.pc() == 16);
  CHECK(m.base() == 0);
  CHECK(m.bound() == 4096);
  CHECK(m.control(0) == 0);
  CHECK(m.psw() == std::vector<isa::Word>{0, 16, 0, 4096, 0});
}

TEST_CASE("innocuous instructions compute as PG1.md says / in user mode too", "[machine]") {
  auto m = machine_with(user_program(R"(
        li r1, 7
        li r2, -3
        add r3, r1, r2
        sub r4, r1, r2
        mul r5, r1, r2
        div r6, r1, r2
        rem r7, r1, r2
        svc 0
        and r3, r1, r2
        or r4, r1, r2
        xor r5, r1, r2
        shl r6, r1, r1
        shr r7, r2, r1
        svc 1
        sra r3, r2, r1
        slt r4, r2, r1
        sltu r5, r2, r1
        andi r6, r2, 0xff00
        lui r7, 0xabcd
        svc 2
)"));
  std::vector<std::vector<isa::Word>> want = {
      {7, static_cast<std::uint32_t>(-3), 4, 10, static_cast<std::uint32_t>(-21), static_cast<std::uint32_t>(-2), 1},
      {7, static_cast<std::uint32_t>(-3), 7 & -3u, 7 | -3u, 7 ^ -3u, 7u << 7, (-3u) >> 7},
      {7, static_cast<std::uint32_t>(-3), static_cast<std::uint32_t>(-1), 1, 0, 0xff00, 0xabcd0000u}};
  for (int k = 0; k < 3; ++k) {
    // Run to the k-th svc: the handler halts; inspect, then resume the user program.
    m.run(1'000'000);
    REQUIRE(m.storage()[5] == SVC);
    CHECK(m.storage()[6] == static_cast<std::uint32_t>(k));
    for (int r = 1; r <= 7; ++r) {
      INFO("svc " << k << " r" << r);
      CHECK(m.reg(r) == want[k][static_cast<std::size_t>(r - 1)]);
    }
    // resume: reload the old PSW
    m = [&] {
      Machine n = m;
      n.restore([&] {
        auto s = n.snapshot();
        s.halted = false;
        s.stop = machine::StopReason::None;
        s.mode = 1;
        s.pc = s.E[1];
        s.base = s.E[2];
        s.bound = s.E[3];
        return s;
      }());
      return n;
    }();
  }
}

TEST_CASE("r0 reads as zero and ignores writes", "[machine]") {
  auto m = machine_with(".org 16\nli r0, 5\nadd r1, r0, r0\naddi r0, r0, 1\nhalt\n");
  m.run(1000);
  CHECK(m.reg(0) == 0);
  CHECK(m.reg(1) == 0);
}

TEST_CASE("each privileged instruction traps PRIV in user mode before any effect", "[machine][trap]") {
  for (const char* ins : {"lpsw 0(r0)", "spsw 0(r0)", "getm r1", "ldp r1, 0(r0)", "stp r1, 0(r0)", "out r1", "in r1",
                          "stimer r1", "halt"}) {
    INFO(ins);
    auto m = machine_with(user_program(std::string("li r1, 9\n") + ins));
    auto word = assemble(std::string(".org 16\n") + ins)->words[16];
    m.push_input('x');
    m.run(1000);
    CHECK(low(m, 0, 7) == std::vector<isa::Word>{1, 1, 0x1000, 0x100, 0, PRIV, word});
    CHECK(m.reg(1) == 9);
    CHECK(m.console_output().empty());
    CHECK(m.timer() == 0);
    // lpsw + li (5 + 1), the trap sequence (10), the handler's halt (1)
    CHECK(m.cycles() == 17);
    CHECK(m.instructions() == 3);
    CHECK(m.traps() == 1);
  }
}

TEST_CASE("privileged instructions in supervisor mode", "[machine]") {
  SECTION("getm, spsw, ldp, stp, out, in") {
    auto m = machine_with(R"(.org 16
        getm r1
        spsw buf(r0)
        li r2, 0x77
        stp r2, 0x3000(r0)
        ldp r3, 0x3000(r0)
        li r4, 'Z'
        out r4
        in r5
        in r6
        halt
buf:    .space 5
)", 0x4000);
    m.push_input(65);
    m.run(1000);
    CHECK(m.reg(1) == 0);
    auto buf = assemble(".org 16\nnop\nnop\nnop\nnop\nnop\nnop\nnop\nnop\nnop\nnop\nbuf: .space 5\n")->symbol("buf");
    CHECK(low(m, buf, 5) == std::vector<isa::Word>{0, 18, 0, 0x4000, 0});
    CHECK(m.storage()[0x3000] == 0x77);
    CHECK(m.reg(3) == 0x77);
    CHECK(m.console_output() == "Z");
    CHECK(m.reg(5) == 65);
    CHECK(m.reg(6) == 0xffffffffu);
    CHECK(m.halted());
    CHECK(m.pc() == 26);
  }
  SECTION("ldp/stp past the end of E trap MEMORY with the real address") {
    auto m = machine_with(".org 8\n.word 0, 40, 0, 1024, 0\n.org 16\nli r1, 1000\nldp r2, 24(r1)\n.org 40\nhalt\n", 1024);
    m.run(1000);
    CHECK(low(m, 0, 7) == std::vector<isa::Word>{0, 17, 0, 1024, 0, MEMORY, 1024});
  }
}

TEST_CASE("relocation and bounds: a = bound - 1 is valid / a = bound traps", "[machine][trap]") {
  auto ok = machine_with(user_program("li r2, 0xff\nld r1, 0(r2)\nsvc 0"));
  ok.storage()[0x10ff] = 1234;
  ok.run(1000);
  CHECK(ok.storage()[5] == SVC);
  CHECK(ok.reg(1) == 1234);

  auto bad = machine_with(user_program("li r2, 0x100\nst r2, 0(r2)"));
  bad.run(1000);
  CHECK(low(bad, 0, 7) == std::vector<isa::Word>{1, 1, 0x1000, 0x100, 0, MEMORY, 0x100});
  CHECK(bad.storage()[0x1100] == 0);

  // Address arithmetic wraps modulo 2^32 and compares unsigned: -1 is far out of bounds.
  auto wrap = machine_with(user_program("ld r1, -1(r0)"));
  wrap.run(1000);
  CHECK(low(wrap, 5, 2) == std::vector<isa::Word>{MEMORY, 0xffffffffu});

  // base + a past the end of E traps although a < bound.
  auto past = machine_with(".org 8\n.word 0, 40, 0, 1024, 0\n.org 16\nlpsw p(r0)\np: .word 1, 0, 1000, 100, 0\n.org 40\nhalt\n", 1024);
  past.storage()[1000] = assemble(".org 16\nld r1, 30(r0)\n")->words[16];
  past.run(1000);
  CHECK(low(past, 0, 7) == std::vector<isa::Word>{1, 0, 1000, 100, 0, MEMORY, 30});
}

TEST_CASE("instruction fetch outside R traps MEMORY with the pc as info", "[machine][trap]") {
  auto m = machine_with(user_program("li r1, 0xff\njal r0, 0(r1)"));  // jumps to virtual 0xff: executes 0 -> ILLEGAL
  m.run(1000);
  CHECK(low(m, 0, 7) == std::vector<isa::Word>{1, 0xff, 0x1000, 0x100, 0, ILLEGAL, 0});
  auto n = machine_with(user_program("li r1, 0x100\njal r0, 0(r1)"));
  n.run(1000);
  CHECK(low(n, 0, 7) == std::vector<isa::Word>{1, 0x100, 0x1000, 0x100, 0, MEMORY, 0x100});
}

TEST_CASE("lpsw and spsw check all five addresses first - info is the first invalid one", "[machine][trap]") {
  auto m = machine_with(".org 8\n.word 0, h, 0, 1024, 0\n.org 16\nli r1, 1021\nlpsw 0(r1)\nh: halt\n", 1024);
  m.run(1000);
  CHECK(low(m, 0, 7) == std::vector<isa::Word>{0, 17, 0, 1024, 0, MEMORY, 1024});
  auto s = machine_with(".org 8\n.word 0, h, 0, 1024, 0\n.org 16\nli r1, 1020\nspsw 0(r1)\nh: halt\n", 1024);
  s.run(1000);
  CHECK(low(s, 5, 2) == std::vector<isa::Word>{MEMORY, 1025 - 1});
  CHECK(s.storage()[1020] == 0);  // nothing was written
}

TEST_CASE("only the low bit of mode and ie counts - the machine stores them back as 0/1", "[machine]") {
  auto m = machine_with(".org 16\nlpsw p(r0)\np: .word 2, 30, 0, 1024, 0xfffffffe\n.org 30\nspsw 40(r0)\nhalt\n", 1024);
  m.run(1000);
  CHECK(low(m, 40, 5) == std::vector<isa::Word>{0, 31, 0, 1024, 0});
}

TEST_CASE("svc completes / then traps with the next P - ILLEGAL and ARITH save the faulting P", "[machine][trap]") {
  auto m = machine_with(user_program("nop\nsvc -2"));
  m.run(1000);
  CHECK(low(m, 0, 7) == std::vector<isa::Word>{1, 2, 0x1000, 0x100, 0, SVC, 0xfffffffeu});
  // lpsw 5 + nop 1 + svc 1 + trap 10 + halt 1
  CHECK(m.cycles() == 18);
  CHECK(m.instructions() == 4);

  auto d = machine_with(user_program("li r1, 5\ndiv r2, r1, r0"));
  d.run(1000);
  auto word = assemble(".org 16\ndiv r2, r1, r0")->words[16];
  CHECK(low(d, 0, 7) == std::vector<isa::Word>{1, 1, 0x1000, 0x100, 0, ARITH, word});
  CHECK(d.cycles() == 5 + 1 + 10 + 1);

  auto i = machine_with(user_program(".word 0xff000000"));
  i.run(1000);
  CHECK(low(i, 0, 7) == std::vector<isa::Word>{1, 0, 0x1000, 0x100, 0, ILLEGAL, 0xff000000u});
}

TEST_CASE("branches cost one more cycle when taken - jal links P + 1", "[machine]") {
  auto m = machine_with(".org 16\nli r1, 1\nbeq r1, r0, 100\nbne r1, r0, t\nnop\nt: jal r7, f(r0)\nhalt\nf: ret\n");
  m.run(1000);
  // li 1, beq not taken 1, bne taken 2, jal 2, ret (jal) 2, halt 1
  CHECK(m.cycles() == 9);
  CHECK(m.reg(7) == 21);
  CHECK(m.halted());
}

TEST_CASE("rdtime returns the cycles spent before it", "[machine]") {
  auto m = machine_with(".org 16\nmul r1, r1, r1\nld r2, 0(r0)\nrdtime r3\nhalt\n");
  m.run(1000);
  CHECK(m.reg(3) == 5);
}

TEST_CASE("the timer: one-shot / counts every later instruction and trap / waits for ie", "[machine][timer]") {
  SECTION("with ie = 0 the interrupt stays pending; an lpsw that sets ie takes it at once") {
    auto m = machine_with(R"(.org 8
        .word 0, handler, 0, 65536, 0
        .org 16
        li r1, 10
        stimer r1          ; its own 2 cycles do not count
        mul r2, r2, r2     ; 3
        mul r2, r2, r2     ; 3
        mul r2, r2, r2     ; 3
        nop                ; 1: the timer reaches 0 here
        nop
        lpsw p(r0)         ; ie = 1: the interrupt comes before the first instruction at 50
handler: halt
p:      .word 0, 50, 0, 65536, 1
)");
    m.run(1000);
    CHECK(low(m, 0, 7) == std::vector<isa::Word>{0, 50, 0, 65536, 1, TIMER, 0});
    CHECK(m.traps() == 1);
  }
  SECTION("with ie = 1 it interrupts at the next boundary; saved P is the next instruction") {
    auto m = machine_with(user_program("nop\nnop\nnop\nnop\nnop\nnop", "        li r1, 8\n        stimer r1\n", 1));
    m.run(1000);
    // after stimer: lpsw 5 (timer 3), nop, nop, nop -> 0: interrupt before the 4th nop
    CHECK(low(m, 0, 7) == std::vector<isa::Word>{1, 3, 0x1000, 0x100, 1, TIMER, 0});
  }
  SECTION("stimer 0 turns it off and clears a pending interrupt") {
    auto m = machine_with(".org 8\n.word 0, h, 0, 65536, 0\n.org 16\nli r1, 1\nstimer r1\nnop\nstimer r0\nlpsw p(r0)\nh: halt\np: .word 0, h, 0, 65536, 1\n");
    m.run(1000);
    CHECK(m.traps() == 0);
    CHECK_FALSE(m.timer_pending());
  }
}

TEST_CASE("a trap storm stops the simulator with a reason - a cycle budget too", "[machine]") {
  auto m = machine_with(".org 8\n.word 0, 0x7fffffff, 0, 1024, 0\n.org 16\n.word 0\n", 1024);
  CHECK(m.run(1'000'000) == machine::StopReason::TrapStorm);
  CHECK(m.traps() == 3);
  auto loop = machine_with(".org 16\nl: jmp l\n");
  CHECK(loop.run(1000) == machine::StopReason::CycleBudget);
  CHECK(loop.cycles() >= 1000);
  CHECK(loop.cycles() < 1002);
}

TEST_CASE("step reports each event - snapshots restore the exact state", "[machine]") {
  auto m = machine_with(user_program("nop\nsvc 3"));
  auto s0 = m.snapshot();
  auto e = m.step();
  CHECK(e.kind == machine::EventKind::Instruction);
  CHECK(e.cost == 5);
  m.run(1000);
  CHECK(m.halted());
  m.restore(s0);
  CHECK(m.snapshot() == s0);
  m.run(1000);
  CHECK(m.storage()[5] == SVC);
}

TEST_CASE("run_until stops after the event a predicate chooses", "[machine]") {
  auto m = machine_with(user_program("nop\nnop\nsvc 1\nnop"));
  auto r = m.run_until(1000, [](const Machine&, const machine::Event& e) { return e.kind == machine::EventKind::Trap; });
  CHECK(r == machine::StopReason::None);
  CHECK(m.storage()[5] == SVC);
  CHECK(m.pc() == m.storage()[9]);  // at the handler, which has not run yet
  CHECK_FALSE(m.halted());
  CHECK(m.run(1000) == machine::StopReason::Halted);
}

TEST_CASE("a run is bounded in steps as well as cycles: the step limit stops it with its reason", "[machine]") {
  // A loop of single-cycle instructions and a cycle budget far beyond what 25 steps use.
  auto m = machine_with(".org 16\nl: addi r1, r1, 1\nbeq r0, r1, l\nbne r0, r1, l\n");
  m.set_max_steps(25);
  CHECK(m.run(1'000'000'000) == machine::StopReason::StepLimit);
  CHECK(std::string(machine::to_string(m.stop_reason())) == "step limit reached");
  CHECK(m.instructions() == 25);
  CHECK(m.reg(1) == 9);  // 25 steps = 8 rounds of three instructions, and one more addi
  // The machine stays runnable: the next run takes the next 25 steps.
  CHECK(m.run(1'000'000'000) == machine::StopReason::StepLimit);
  CHECK(m.instructions() == 50);
  // An svc and its trap sequence are one step: svc traps to itself forever.
  auto t = machine_with(".org 8\n.word 0, 16, 0, 65536, 0\n.org 16\nsvc 1\n");
  t.set_max_steps(10);
  CHECK(t.run(1'000'000'000) == machine::StopReason::StepLimit);
  CHECK(t.instructions() == 10);
  CHECK(t.traps() == 10);
  // Without a step limit, only the cycle budget ends the loop.
  m.set_max_steps(0);
  CHECK(m.run(m.cycles() + 1000) == machine::StopReason::CycleBudget);
}
