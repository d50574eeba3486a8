// The reference VMM's trap path (issue 13 item 4): how many VMM instructions one guest trap costs
// at depth 1, by kind -- each privileged instruction the VMM emulates and each kind of trap it
// reflects -- measured on the events of a run, and the cost of depth that follows from it.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "helpers.hpp"
#include "isa/disasm.hpp"

using namespace pgsim;
using namespace pgsim::test;

namespace {

// A guest OS in miniature: in virtual supervisor mode each privileged instruction N times
// (lpsw to the next instruction, spsw, getm, ldp, stp, out, in, stimer) and N svc's; then N
// rounds of a user program whose svc, privileged instruction (getm) and bad access (MEMORY) are
// reflected into the kernel's handler in supervisor mode, which returns with lpsw to user mode.
const char* kGuest = R"(
        .equ N, 16
        .org 8
        .word SUPERVISOR, handler, 0, 4096, 0
        .org 16
        li r1, N
l_lpsw: lpsw p_next(r0)
next:   addi r1, r1, -1
        bne r1, r0, l_lpsw
        li r1, N
l_spsw: spsw area(r0)
        addi r1, r1, -1
        bne r1, r0, l_spsw
        li r1, N
l_getm: getm r2
        addi r1, r1, -1
        bne r1, r0, l_getm
        li r1, N
l_ldp:  ldp r2, 3000(r0)
        addi r1, r1, -1
        bne r1, r0, l_ldp
        li r1, N
l_stp:  stp r1, 3000(r0)
        addi r1, r1, -1
        bne r1, r0, l_stp
        li r1, N
        li r3, '.'
l_out:  out r3
        addi r1, r1, -1
        bne r1, r0, l_out
        li r1, N
l_in:   in r4
        addi r1, r1, -1
        bne r1, r0, l_in
        li r1, N
l_tim:  stimer r0
        addi r1, r1, -1
        bne r1, r0, l_tim
        li r1, N
l_svc:  svc 1                   ; reflected: the handler returns after it
        addi r1, r1, -1
        bne r1, r0, l_svc
        li r6, N
        lpsw p_user(r0)         ; into user mode
handler:
        ld r4, CAUSE(r0)
        li r5, 2                ; MEMORY: skip the faulting instruction
        beq r4, r5, skip
        li r5, 1                ; PRIV: skip it too
        bne r4, r5, back
skip:   ld r5, OLD_PSW+1(r0)
        addi r5, r5, 1
        st r5, OLD_PSW+1(r0)
back:   lpsw OLD_PSW(r0)
finish: halt
p_next: .word SUPERVISOR, next, 0, 4096, 0
p_user: .word USER, user, 0, 4096, 0
area:   .space 5
user:   svc 2
        getm r2
        ld r2, -1(r0)
        addi r6, r6, -1
        bne r6, r0, user
        li r4, finish           ; done: the handler's next svc goes to `finish`
        st r4, NEW_PSW+1(r0)
        svc 3
)";

/// VMM instructions per guest trap, by kind ("emulate getm supervisor->supervisor", "reflect svc
/// user->supervisor", ...: what the VMM did, the guest's virtual mode before and after): the VMM
/// (level 0) instructions from each real trap to the guest's next instruction or trap. `first` is
/// the first trap of the kind (it may compose a real PSW that later ones reuse), `min`/`max` the
/// range over the `n - 1` others.
struct Cost {
  unsigned n = 0;
  std::uint64_t first = 0, min = ~0ull, max = 0, total = 0;
};

std::map<std::string, Cost> trap_costs(const std::shared_ptr<const assembler::Image>& vmm, const std::string& console_in,
                                       std::string* console_out,
                                       std::shared_ptr<const assembler::Image> guest = assemble(kGuest),
                                       unsigned depth = 1, std::uint32_t memory = 4096) {
  vmm::Stack s(pg1(), vmm, guest, depth, memory);
  for (char c : console_in) s.machine().push_input(static_cast<unsigned char>(c));
  const std::uint32_t mode_at = vmm->symbol("vm_mode");
  struct Obs : machine::Observer {
    vmm::Stack* s;
    std::uint32_t mode_at;
    std::map<std::string, Cost> costs;
    std::string kind;  // the trap being handled ("" if none)
    std::uint64_t count = 0;
    static const char* mode(std::uint32_t m) { return m ? "user" : "supervisor"; }
    void close() {
      if (kind.empty()) return;
      auto& c = costs[kind + "->" + mode(s->machine().storage()[mode_at])];
      c.total += count;
      if (c.n++ == 0) {
        c.first = count;
      } else {
        c.min = std::min(c.min, count);
        c.max = std::max(c.max, count);
      }
      kind.clear();
    }
    void on_event(const machine::Machine& m, const machine::Event& e) override {
      const unsigned level = s->level_of(e.real_pc);
      if (e.kind == machine::EventKind::Trap) {
        close();
        if (level == 0) return;  // (the VMM never traps)
        std::uint32_t before = m.storage()[mode_at];
        std::string what;
        if (e.cause == 1 && before == 0) {
          std::string ins = isa::disassemble(m.isa(), e.word, e.pc);
          what = "emulate " + ins.substr(0, ins.find(' '));
        } else {
          const char* cause[] = {"?", "priv", "memory", "svc", "illegal", "arith", "timer"};
          what = std::string("reflect ") + (e.cause <= 6 ? cause[e.cause] : "?");
        }
        kind = what + " " + mode(before);
        count = 0;
      } else if (e.kind == machine::EventKind::Instruction) {
        if (level == 0)
          ++count;
        else
          close();
      }
    }
  } obs;
  obs.s = &s;
  obs.mode_at = mode_at;
  std::vector<vmm::LevelStats> stats;
  REQUIRE(s.run(4'000'000'000ull, stats, &obs) == machine::StopReason::Halted);
  obs.close();
  if (console_out) *console_out = s.machine().console_output();
  return obs.costs;
}

}  // namespace

TEST_CASE("trap path: VMM instructions per emulated instruction and per reflected trap at depth 1", "[vmm][trappath]") {
  // PGSIM_TRAPPATH_VMM=file.s measures another monitor's trap path (the checks below then say
  // how it compares with the reference VMM's).
  const char* other = std::getenv("PGSIM_TRAPPATH_VMM");
  auto vmm = other ? std::make_shared<assembler::Image>(assembler::assemble_file(*pg1(), other)) : reference_vmm();
  std::string out;
  auto costs = trap_costs(vmm, "abcdefghijklmnop", &out);
  CHECK(out == std::string(16, '.'));
  std::printf("VMM instructions per guest trap at depth 1 (%s):\n", other ? other : "vmm/monitors/pgvmm.s");
  std::printf("  %-42s %5s %5s %5s\n", "kind", "traps", "first", "then");
  for (const auto& [kind, c] : costs) {
    std::string then = c.n < 2 ? "" : std::to_string(c.min);
    if (c.n >= 2 && c.max != c.min) then += ".." + std::to_string(c.max);
    std::printf("  %-42s %5u %5llu %5s\n", kind.c_str(), c.n, static_cast<unsigned long long>(c.first), then.c_str());
  }
  auto at_most = [&](const std::string& kind, std::uint64_t limit) {
    INFO(kind);
    REQUIRE(costs.count(kind));
    const auto& c = costs.at(kind);
    CHECK(c.n >= 16);
    CHECK(c.max <= limit);  // all but the first: that one may compose the real PSW
  };
  // Issue 13's target: 35 VMM instructions or fewer for each of these (they were 58..76).
  for (const char* ins : {"lpsw", "getm", "out", "in", "stimer"})
    at_most(std::string("emulate ") + ins + " supervisor->supervisor", 35);
  at_most("reflect svc supervisor->supervisor", 35);
  // A trap from user mode into the kernel, and the kernel's lpsw back to user mode, change the
  // mode and R: a few more, to switch the dispatcher and the real PSW (they were 59 and 76).
  for (const char* cause : {"svc", "priv", "memory"}) at_most(std::string("reflect ") + cause + " user->supervisor", 37);
  at_most("emulate lpsw supervisor->user", 36);
  // The rare ones take the general path (81, 74, 75 before the fast paths; the dispatcher's
  // comparisons in front of it cost 3 or 4 more).
  at_most("emulate spsw supervisor->supervisor", 85);
  at_most("emulate ldp supervisor->supervisor", 78);
  at_most("emulate stp supervisor->supervisor", 79);
}

// Not run by default: `pgsim_tests "[.trappath-profile]"` prints the same table for L0 under the
// reference OS at depth 2 (L0's traps from L1, a VMM, and from L1's guest), to see where a
// nested stack's time goes; PGSIM_TRAPPATH_DEPTH=N for another depth, PGSIM_TRAPPATH_VMM=file.s
// for another monitor.
TEST_CASE("trap path: profile of L0 under tinyos at depth 2", "[.trappath-profile]") {
  auto os = std::make_shared<assembler::Image>(assembler::assemble_file(*pg1(), source_path("examples/os/tinyos.s")));
  const char* d = std::getenv("PGSIM_TRAPPATH_DEPTH");
  const char* other = std::getenv("PGSIM_TRAPPATH_VMM");
  auto vmm = other ? std::make_shared<assembler::Image>(assembler::assemble_file(*pg1(), other)) : reference_vmm();
  auto costs = trap_costs(vmm, "", nullptr, os, d ? static_cast<unsigned>(std::atoi(d)) : 2u, 0);
  for (const auto& [kind, c] : costs) {
    std::string then = c.n < 2 ? "" : std::to_string(c.min);
    if (c.n >= 2 && c.max != c.min) then += ".." + std::to_string(c.max);
    std::printf("  %-42s %7u %5llu %9s mean %.1f\n", kind.c_str(), c.n, static_cast<unsigned long long>(c.first),
                then.c_str(), static_cast<double>(c.total) / c.n);
  }
}

TEST_CASE("trap path: each level's view shows its guest's registers while the fast path runs (it saves only r1, r2)",
          "[vmm][trappath]") {
  // The guest's registers r1..r7 = 11..17, then a privileged instruction and a halt.
  auto guest = assemble(R"(
        .org 16
        li r1, 11
        li r2, 12
        li r3, 13
        li r4, 14
        li r5, 15
        li r6, 16
        li r7, 17
        out r3
        getm r5
        halt
)");
  const std::vector<isa::Word> regs{0, 11, 12, 13, 14, 15, 16, 17};
  {
    vmm::Stack s(pg1(), reference_vmm(), guest, 1, 1024);
    // Step to the `out` trap, then through the VMM's whole emulation of it: once the VMM has
    // saved r1 and r2 (its first two instructions; before, vm_regs shows them as the guest was
    // last resumed with, as it did for every register when the VMM saved them all), at every
    // step the guest's view (L0's control block and, for r3..r7, the machine) is its registers.
    machine::Event e;
    while ((e = s.step()).kind != machine::EventKind::Trap) REQUIRE_FALSE(s.stopped());
    CHECK(e.cause == 1);
    s.step();
    s.step();
    unsigned steps = 2;
    while (s.level_of(s.machine().base() + s.machine().pc()) == 0) {
      INFO("VMM step " << steps);
      CHECK(s.virtual_state_of_guest_of(0).regs == regs);
      s.step();
      ++steps;
    }
    CHECK(steps >= 20);
    CHECK(s.machine().console_output() == std::string(1, '\x0d'));
    // getm r5 writes r5 = 0 (virtual supervisor): the view shows it as soon as the VMM wrote it.
    while ((e = s.step()).kind != machine::EventKind::Trap) REQUIRE_FALSE(s.stopped());
    while (s.level_of(s.machine().base() + s.machine().pc()) == 0) s.step();
    auto after = regs;
    after[5] = 0;
    CHECK(s.virtual_state_of_guest_of(0).regs == after);
    // At the halt (the general path), all of them are in vm_regs.
    while (!s.stopped()) s.step();
    CHECK(s.virtual_state_of_guest_of(0).regs == after);
    CHECK(s.guest_state().regs == after);
  }
  {
    // Depth 2: when L1's emulation of the guest's `out` executes its own `out` (a trap to L0),
    // L1's view of the guest is still the guest's registers: r1, r2 in L1's vm_regs, r3..r7 in
    // the machine, which neither L1 nor L0 has touched.
    vmm::Stack s(pg1(), reference_vmm(), guest, 2, 1024);
    bool seen = false;
    while (!s.stopped() && !seen) {
      auto e = s.step();
      if (e.kind == machine::EventKind::Trap && s.level_of(e.real_pc) == 1 &&
          isa::disassemble(*pg1(), e.word, e.pc).rfind("out", 0) == 0) {
        seen = true;
        CHECK(s.virtual_state_of_guest_of(1).regs == regs);
      }
    }
    CHECK(seen);
  }
}

TEST_CASE("trap path: a kernel whose trap handler runs in other Rs than its boot code is equivalent at depths 1..3",
          "[vmm][trappath]") {
  // The ways around the fast paths' R checks: the handler's new PSW names another R than the boot
  // code's (a reflect from user mode finds psw_s composed for another R); two user programs in
  // two regions in turn (lpsw to user mode in another R than psw_u's); the handler's lpsw back
  // to R (0, 4096) from R (256, 1024) (no simple lpsw: its R does not start at 0); an lpsw to
  // supervisor mode in R (0x300, 64), whose svc is reflected into the handler in yet another R.
  auto guest = assemble(R"(
        .org 8
        .word SUPERVISOR, handler-256, 256, 1024, 0
        .org 16
        li r7, 6
        lpsw u1(r0)
back:   addi r7, r7, -1
        beq r7, r0, done
        andi r6, r7, 1
        beq r6, r0, even
        lpsw u1(r0)
even:   lpsw u2(r0)
done:   lpsw k2(r0)
final:  halt
u1:     .word USER, 0, 2048, 16, 0
u2:     .word USER, 0, 3072, 16, 0
k2:     .word SUPERVISOR, 0, 0x300, 64, 0
        .org 256                ; the handler, in R = (256, 1024)
handler:
        addi r5, r5, 1
        beq r7, r0, h_fin
        lpsw hbk-256(r0)
h_fin:  lpsw hfin-256(r0)
hbk:    .word SUPERVISOR, back, 0, 4096, 0
hfin:   .word SUPERVISOR, final, 0, 4096, 0
        .org 0x300              ; in R = (0x300, 64)
        li r6, 77
        svc 9
        .org 2048               ; user program 1: a system call
        addi r4, r4, 1
        svc 1
        .org 3072               ; user program 2: a privileged instruction
        addi r4, r4, 2
        getm r3
)");
  auto run = [&](unsigned depth) {
    vmm::Stack s(pg1(), reference_vmm(), guest, depth, 4096);
    std::vector<vmm::LevelStats> stats;
    CHECK(s.run(100'000'000, stats) == machine::StopReason::Halted);
    return s.guest_state();
  };
  auto bare = run(0);
  CHECK(bare.regs[5] == 7);   // 6 traps from the user programs, the svc from R (0x300, 64)
  CHECK(bare.regs[6] == 77);
  CHECK(bare.regs[4] == 8);   // u1, u1, u2, u1, u2, u1: 1 + 1 + 2 + 1 + 2 + 1
  for (unsigned depth = 1; depth <= 3; ++depth) {
    INFO("depth " << depth);
    auto v = run(depth);
    CHECK(v.regs == bare.regs);
    CHECK(v.psw == bare.psw);
    CHECK(v.storage == bare.storage);
    CHECK(v.console == bare.console);
  }
}
