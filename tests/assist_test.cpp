// The hardware assist (issue 10): the ISA language's assist block and intercept markers, and the
// machine's interpretive execution (machine/interpretive.cpp, docs/pg1-assist.md): each privileged
// instruction interpreted against the state description, the guest's traps in its own low storage,
// the virtual CPU timer, a host's timer interrupt while nested, intercepts, costs, invalid state
// descriptions and the nesting limit.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "helpers.hpp"
#include "vmm/classifier.hpp"
#include "vmm/equivalence.hpp"

using namespace pgsim;
using namespace pgsim::test;

namespace {

std::shared_ptr<const isa::IsaModel> assist_isa() {
  static auto m = isa::load_isa(source_path("examples/isa/pg1-assist.isa"));
  return m;
}

/// An ISA text next to pg1-assist.isa (so that `include "pg1-assist.isa"` resolves).
std::shared_ptr<const isa::IsaModel> variant(const std::string& text) {
  return isa::load_isa_text(source_path("examples/isa/test-variant.isa"), text);
}
std::string variant_error(const std::string& text) {
  return error_of([&] { variant(text); });
}

const isa::Instruction& ins(const isa::IsaModel& m, const char* mnemonic) {
  int i = m.find_instruction(mnemonic);
  REQUIRE(i >= 0);
  return m.instructions[static_cast<std::size_t>(i)];
}

// A host at real address 0 that runs one guest (loaded at ORIGIN, SIZE words) with intercept mask
// ICPT. On an intercepted out it prints the guest's character, then spends cycles of its own (work
// the guest's virtual timer must not see) and resumes the guest after it; on any other exit it
// halts. `exits` counts the exits it saw.
std::string host_text(std::uint32_t origin, std::uint32_t size, const std::string& intercepts,
                      const std::string& before_entry = "") {
  return fmt::format(R"(
        .equ ORIGIN, {}
        .equ SIZE, {}
        .org 16
        li r1, ORIGIN
        st r1, sd+SD_ORIGIN(r0)
        li r1, SIZE
        st r1, sd+SD_SIZE(r0)
        st r1, sd+SD_PSW+3(r0)          ; the guest resets: bound = its size
        li r1, RESET
        st r1, sd+SD_PSW+1(r0)
        li r1, {}
        st r1, sd+SD_INTERCEPTS(r0)
        {}
again:  sie sd(r0)
        ld r1, exits(r0)
        addi r1, r1, 1
        st r1, exits(r0)
        ld r2, sd+SD_REASON(r0)
        li r3, EXIT_INTERCEPT
        bne r2, r3, done
        ld r2, sd+SD_INFO(r0)
        li r3, 24
        shr r4, r2, r3
        li r3, OP_OUT
        bne r4, r3, done
        li r3, 16
        shr r5, r2, r3
        andi r5, r5, 7
        ld r5, sd+SD_REGS(r5)
        out r5
        li r6, 50
burn:   addi r6, r6, -1
        bne r6, r0, burn
        ld r3, sd+SD_PSW+1(r0)
        addi r3, r3, 1
        st r3, sd+SD_PSW+1(r0)
        jmp again
done:   halt
exits:  .word 0
sd:     .space SD_WORDS
)",
                     origin, size, intercepts, before_entry);
}

constexpr std::uint32_t kOrigin = 1024, kSize = 512;

/// A bare pg1-assist machine of `size` words running `guest`.
machine::Machine bare(const std::string& guest, std::uint32_t size = kSize, const std::string& input = "") {
  machine::Machine m(assist_isa(), size);
  m.load(0, assemble(guest, assist_isa())->words);
  for (char c : input) m.push_input(static_cast<unsigned char>(c));
  return m;
}
/// The same guest run by host_text() at kOrigin.
machine::Machine hosted(const std::string& guest, const std::string& intercepts = "0", const std::string& input = "",
                        const std::string& before_entry = "") {
  machine::Machine m(assist_isa(), kOrigin + kSize);
  m.load(0, assemble(host_text(kOrigin, kSize, intercepts, before_entry), assist_isa())->words);
  m.load(kOrigin, assemble(guest, assist_isa())->words);
  for (char c : input) m.push_input(static_cast<unsigned char>(c));
  return m;
}

/// A guest OS in miniature using every privileged instruction in (virtual) supervisor mode, and
/// traps: svc, a MEMORY fault of ldp past its machine, a PRIV trap from user mode (then it halts).
const char* kPrivGuest = R"(
        .org 8
        .word 0, handler, 0, 512, 0     ; new PSW: supervisor, handler, R = (0, 512), ie 0
        .org 16
        li r1, 'A'
        out r1
        in r2
        getm r3
        li r4, 77
        stp r4, 300(r0)
        ldp r5, 300(r0)
        spsw 200(r0)
        li r1, 1000
        stimer r1
        svc 9
        nop                             ; (the handler skips one word after every trap)
        ldp r6, 5000(r0)                ; past the guest's 512-word machine: MEMORY, info 5000
        lpsw upsw(r0)
user:   addi r7, r7, 1
        getm r1                         ; PRIV in user mode
        halt
handler:
        ld r1, ntraps(r0)
        ld r2, CAUSE(r0)
        st r2, log(r1)
        addi r1, r1, 1
        ld r2, INFO(r0)
        st r2, log(r1)
        addi r1, r1, 1
        st r1, ntraps(r0)
        li r2, 6
        beq r1, r2, finish
        ld r1, OLD_PSW+1(r0)
        addi r1, r1, 1
        st r1, OLD_PSW+1(r0)
        lpsw OLD_PSW(r0)
finish: halt
upsw:   .word USER, user, 0, 512, 0
ntraps: .word 0
log:    .space 6
)";

struct Seen : machine::Observer {
  std::vector<machine::Event> events;
  void on_event(const machine::Machine&, const machine::Event& e) override {
    if (e.kind != machine::EventKind::Instruction) events.push_back(e);
  }
  std::size_t count(machine::EventKind k) const {
    return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](auto& e) { return e.kind == k; }));
  }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// The language
// ---------------------------------------------------------------------------------------------

TEST_CASE("pg1-assist declares the state description, exit reasons, costs and nesting limit", "[assist][isa]") {
  auto m = assist_isa();
  const auto& a = m->assist;
  REQUIRE(a.present);
  CHECK(a.psw == 0);
  CHECK(a.regs == 5);
  CHECK(a.timer == 13);
  CHECK(a.pending == 14);
  CHECK(a.origin == 15);
  CHECK(a.size == 16);
  CHECK(a.intercepts == 17);
  CHECK(a.reason == 18);
  CHECK(a.info == 19);
  CHECK(a.words == 20);
  CHECK(a.exit_cycles == 10);
  CHECK(a.interpret_cycles == 0);
  CHECK(a.levels == 64);
  CHECK(a.reason_name(a.intercept) == "EXIT_INTERCEPT");
  CHECK(a.reason_name(a.validity) == "EXIT_VALIDITY");
  // Exported to the assembler.
  CHECK(m->constants.at("SD_WORDS") == 20);
  CHECK(m->constants.at("SD_INTERCEPTS") == 17);
  CHECK(m->constants.at("EXIT_NESTING") == a.nesting);
  CHECK(m->constants.at("INTERCEPT_OUT") == (1u << 5));
  CHECK(m->constants.at("INTERCEPT_SIE") == (1u << 9));
  // sie: privileged, its own intercept bit; PG-1's instructions keep their semantics and costs.
  const auto& sie = ins(*m, "sie");
  CHECK(sie.privileged);
  CHECK(sie.intercept == (1u << 9));
  CHECK(sie.cycles == 10);
  CHECK(ins(*m, "out").intercept == (1u << 5));
  CHECK(ins(*m, "add").intercept == 0);
  CHECK(ins(*m, "lpsw").cycles == ins(*pg1(), "lpsw").cycles);
  // PG-1 itself has no assist.
  CHECK_FALSE(pg1()->assist.present);
  CHECK(pg1()->constants.count("SD_WORDS") == 0);
}

TEST_CASE("a later assist block overrides items -- intercept bits are per instruction", "[assist][isa]") {
  auto m = variant("include \"pg1-assist.isa\";\nassist { levels 2; cost exit = 37, interpret = 3; }\n");
  CHECK(m->assist.levels == 2);
  CHECK(m->assist.exit_cycles == 37);
  CHECK(m->assist.interpret_cycles == 3);
  CHECK(m->assist.words == 20);  // the layout of the included block stays
}

TEST_CASE("assist syntax errors have file:line:col and a caret", "[assist][isa][errors]") {
  std::string e = variant_error("include \"pg1-assist.isa\";\nassist {\n  levels 3\n}\n");
  CHECK_THAT(e, Catch::Contains("test-variant.isa:4:1: error: expected ';' at the end of the item"));
  CHECK_THAT(e, Catch::Contains("}\n^"));
  e = variant_error("include \"pg1-assist.isa\";\nassist { frob 1; }\n");
  CHECK_THAT(e, Catch::Contains("test-variant.isa:2:10: error: expected an assist item (state, reason, cost, levels) or '}'"));
  e = variant_error("include \"pg1-assist.isa\";\nassist { reason X = 9; }\n");
  CHECK_THAT(e, Catch::Contains("2:22: error: expected '(' and the reason's role"));
  e = variant_error("include \"pg1-assist.isa\";\nassist { state psw 0; }\n");
  CHECK_THAT(e, Catch::Contains("2:20: error: expected '=' and the field's word offset"));
  e = variant_error("include \"pg1-assist.isa\";\ninstruction v \"\" R 0x40 cycles 1 privileged intercept { }\n");
  CHECK_THAT(e, Catch::Contains("2:55: error: expected the intercept bit (a number, 0 to 31) after 'intercept'"));
}

TEST_CASE("assist declarations are checked: fields, roles, costs, limits, intercept bits", "[assist][isa][errors]") {
  const std::string base = "include \"pg1.isa\";\n";
  const std::string roles = "reason A = 1 (intercept); reason B = 2 (validity); reason C = 3 (nesting); "
                            "reason D = 4 (preempted);";
  const std::string layout = "state psw = 0, regs = 5, timer = 13, pending = 14, origin = 15, size = 16, "
                             "intercepts = 17, reason = 18, info = 19;";
  // A complete block loads.
  CHECK(variant(base + "assist { " + layout + roles + " }\n")->assist.words == 20);
  CHECK_THAT(variant_error(base + "assist { " + roles + " }\n"), Catch::Contains("declares no `state` layout"));
  CHECK_THAT(variant_error(base + "assist { state psw = 0, regs = 5; " + roles + " }\n"),
             Catch::Contains("the state description has no 'timer' field"));
  CHECK_THAT(variant_error(base + "assist { state psw = 0, regs = 3, timer = 13, pending = 14, origin = 15, size = 16, "
                                  "intercepts = 17, reason = 18, info = 19; " + roles + " }\n"),
             Catch::Contains("state-description fields 'psw' (words 0 to 4) and 'regs' (words 3 to 10) overlap"));
  CHECK_THAT(variant_error(base + "assist { state psw = 0, colour = 3; " + roles + " }\n"),
             Catch::Contains("unknown state-description field 'colour'"));
  CHECK_THAT(variant_error(base + "assist { " + layout + " reason A = 1 (intercept); }\n"),
             Catch::Contains("no exit reason with the role (validity)"));
  CHECK_THAT(variant_error(base + "assist { " + layout + roles + " reason E = 5 (bored); }\n"),
             Catch::Contains("unknown exit-reason role 'bored'"));
  CHECK_THAT(variant_error(base + "assist { " + layout + roles + " levels 0; }\n"),
             Catch::Contains("levels must be 1 to 256"));
  CHECK_THAT(variant_error(base + "assist { " + layout + roles + " cost exit = 0; }\n"),
             Catch::Contains("the cost of a VM exit must be 1 to"));
  CHECK_THAT(variant_error(base + "assist { " + layout + roles + " cost speed = 3; }\n"),
             Catch::Contains("unknown cost 'speed' (exit, interpret)"));
  // intercept and vmentry need an assist; bits are 0..31 and each names one instruction.
  CHECK_THAT(variant_error(base + "instruction v \"\" R 0x40 cycles 1 privileged intercept 3 { }\n"),
             Catch::Contains("'intercept 3' needs an `assist { ... }` block"));
  CHECK_THAT(variant_error(base + "instruction v \"rs\" R 0x40 cycles 1 privileged { vmentry(rs); }\n"),
             Catch::Contains("vmentry(a) needs an `assist { ... }` block"));
  CHECK_THAT(variant_error("include \"pg1-assist.isa\";\ninstruction v \"\" R 0x40 cycles 1 intercept 32 { }\n"),
             Catch::Contains("intercept bit 32 is out of range"));
  CHECK_THAT(variant_error("include \"pg1-assist.isa\";\ninstruction v \"\" R 0x40 cycles 1 intercept 5 { }\n"),
             Catch::Contains("instruction v: intercept bit 5 is also out's"));
}

// ---------------------------------------------------------------------------------------------
// The machine
// ---------------------------------------------------------------------------------------------

TEST_CASE("each privileged instruction is interpreted against the state description: the guest ends "
          "as on its bare machine, with no VM exit",
          "[assist][machine]") {
  auto b = bare(kPrivGuest, kSize, "xy");
  auto h = hosted(kPrivGuest, "0", "xy");
  REQUIRE(b.run(1'000'000) == machine::StopReason::Halted);
  REQUIRE(h.run(1'000'000) == machine::StopReason::Halted);
  // The guest halted itself: the hardware still runs it (its halt stops the real machine).
  REQUIRE(h.interpretive_depth() == 1);
  CHECK(h.vm_exits() == 0);
  CHECK(h.vm_entries() == 1);
  for (int r = 0; r < 8; ++r) CHECK(h.reg(r) == b.reg(r));
  CHECK(h.level_psw() == b.psw());
  CHECK(h.psw()[2] == kOrigin + b.psw()[2]);  // the hardware's composed base
  CHECK(h.console_output() == b.console_output());
  CHECK(h.console_output() == "A");
  CHECK(h.input_position() == b.input_position());
  CHECK(h.timer() == b.timer());  // the virtual CPU timer saw exactly the guest's cycles
  CHECK(h.timer_pending() == b.timer_pending());
  CHECK(h.traps() == b.traps());  // svc, MEMORY, PRIV: each one trap sequence
  CHECK(b.traps() == 3);
  for (std::uint32_t a = 0; a < kSize; ++a) {
    INFO("guest word " << a);
    REQUIRE(h.storage()[kOrigin + a] == b.storage()[a]);
  }
  // What the guest saw: getm = supervisor, ldp of its own stp, spsw of its virtual R.
  CHECK(b.reg(3) == machine::Supervisor);
  CHECK(b.reg(5) == 77);
  auto img = assemble(kPrivGuest, assist_isa());
  CHECK(h.storage()[kOrigin + 300] == 77);
  CHECK(h.storage()[kOrigin + 200 + 2] == 0);    // the guest's own base, not the real one
  CHECK(h.storage()[kOrigin + 200 + 3] == 512);  // its own bound
}

TEST_CASE("the guest's traps go into its own low storage, with its own PSW", "[assist][machine]") {
  auto h = hosted(kPrivGuest, "0", "xy");
  h.run(1'000'000);
  auto img = assemble(kPrivGuest, assist_isa());
  const auto& E = h.storage();
  std::uint32_t log = img->symbol("log");
  CHECK(E[kOrigin + log + 0] == 3);  // SVC, info 9
  CHECK(E[kOrigin + log + 1] == 9);
  CHECK(E[kOrigin + log + 2] == 2);  // MEMORY, info 5000 (the guest's real address)
  CHECK(E[kOrigin + log + 3] == 5000);
  CHECK(E[kOrigin + log + 4] == 1);  // PRIV from virtual user mode, info = the getm word
  CHECK(E[kOrigin + log + 5] == h.storage()[kOrigin + img->symbol("user") + 1]);
  // The last old PSW: user mode, the getm's pc, the guest's own R.
  CHECK(E[kOrigin + 0] == machine::User);
  CHECK(E[kOrigin + 1] == img->symbol("user") + 1);
  CHECK(E[kOrigin + 2] == 0);
  CHECK(E[kOrigin + 3] == 512);
  // Nothing was written in the host's low storage.
  for (std::uint32_t a = 0; a < 7; ++a) CHECK(E[a] == 0);
}

TEST_CASE("an intercepted out exits before any effect, reason intercept, info = the word", "[assist][machine]") {
  const char* guest = R"(
        .org 16
        li r3, 'Z'
        out r3
        li r4, 5
        halt
)";
  auto h = hosted(guest, "INTERCEPT_OUT");
  auto img = assemble(host_text(kOrigin, kSize, "INTERCEPT_OUT"), assist_isa());
  Seen seen;
  // Stop right after the first VM exit: the host is running again, the guest's state is in the SD.
  std::vector<machine::Event> exits;
  h.run_until(100'000, [&](const machine::Machine&, const machine::Event& e) {
    if (e.kind == machine::EventKind::VmExit) exits.push_back(e);
    return !exits.empty();
  });
  REQUIRE(exits.size() == 1);
  const auto& a = assist_isa()->assist;
  std::uint32_t out_word = h.storage()[kOrigin + 17];
  CHECK(exits[0].cause == a.intercept);
  CHECK(exits[0].info == out_word);
  CHECK(exits[0].word == out_word);
  CHECK(exits[0].level == 1);
  CHECK(exits[0].pc == 17);
  CHECK(exits[0].cost == a.exit_cycles);
  CHECK(h.interpretive_depth() == 0);
  CHECK(h.console_output().empty());  // before any effect
  std::uint32_t sd = img->symbol("sd");
  CHECK(h.storage()[sd + a.reason] == a.intercept);
  CHECK(h.storage()[sd + a.info] == out_word);
  CHECK(h.storage()[sd + a.psw + 1] == 17);       // the guest's pc: at the out
  CHECK(h.storage()[sd + a.regs + 3] == 'Z');     // its registers, written back
  CHECK(h.pc() == img->symbol("again") + 1);       // the host goes on after its sie
  // The host prints for it and resumes it; the rest of the guest runs.
  REQUIRE(h.run(100'000) == machine::StopReason::Halted);
  CHECK(h.console_output() == "Z");
  CHECK(h.reg(4) == 5);
  CHECK(h.vm_exits() == 1);
  CHECK(h.vm_entries() == 2);
}

TEST_CASE("entry and exit cost the cycles the ISA declares, charged to the host", "[assist][machine]") {
  auto isa = variant("include \"pg1-assist.isa\";\nassist { cost exit = 37, interpret = 3; }\n"
                     "replace instruction sie \"imm(rs)\" I 0x2a cycles 13 privileged intercept 9 { vmentry(rs + imm); }\n");
  const char* guest = ".org 16\n getm r1\n out r1\n halt\n";
  machine::Machine m(isa, kOrigin + kSize);
  m.load(0, assemble(host_text(kOrigin, kSize, "INTERCEPT_OUT"), isa)->words);
  m.load(kOrigin, assemble(guest, isa)->words);
  Seen seen;
  std::vector<machine::Event> all;
  struct All : machine::Observer {
    std::vector<machine::Event>* v;
    void on_event(const machine::Machine&, const machine::Event& e) override { v->push_back(e); }
  } obs;
  obs.v = &all;
  REQUIRE(m.run(100'000, obs) == machine::StopReason::Halted);
  std::uint32_t sie_cost = 0, exit_cost = 0, getm_cost = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& e = all[i];
    if (e.kind == machine::EventKind::Instruction && e.instruction->mnemonic == "sie") sie_cost = e.cost;
    if (e.kind == machine::EventKind::Instruction && e.instruction->mnemonic == "getm") getm_cost = e.cost;
    if (e.kind == machine::EventKind::VmExit) {
      exit_cost = e.cost;
      REQUIRE(i + 1 < all.size());
      CHECK(all[i + 1].cycle == e.cycle + 37);  // the host's next instruction starts after the exit
    }
    if (e.kind == machine::EventKind::VmEntry) CHECK(all[i - 1].cost == 13);
  }
  CHECK(sie_cost == 13);
  CHECK(exit_cost == 37);
  CHECK(getm_cost == 1 + 3);  // interpreted for the guest: its cost plus the interpretation cost
  // The total: every event's cost adds up to the machine's cycles.
  std::uint64_t sum = 0;
  for (const auto& e : all) sum += e.cost;
  CHECK(sum == m.cycles());
}

TEST_CASE("the virtual CPU timer counts only the guest's own cycles, not its host's", "[assist][machine][timer]") {
  // The guest arms its timer for 400 cycles, enables interrupts and counts loop iterations until
  // the tick. Its host (L0) has a timer of its own, every 50 cycles, whose handler spends ~300
  // cycles each time: the guest is preempted (exits, the host's work, re-entries) again and again.
  const char* guest = R"(
        .org 8
        .word 0, tick, 0, 512, 0
        .org 16
        li r1, 400
        stimer r1
        lpsw on(r0)
loop:   addi r2, r2, 1
        jmp loop
tick:   halt
on:     .word 0, loop, 0, 512, 1
)";
  const std::string host = fmt::format(R"(
        .org 8
        .word 0, htick, 0, {0}, 0
        .org 16
        li r1, {1}
        st r1, sd+SD_ORIGIN(r0)
        li r1, {2}
        st r1, sd+SD_SIZE(r0)
        st r1, sd+SD_PSW+3(r0)
        li r1, RESET
        st r1, sd+SD_PSW+1(r0)
        li r1, 50
        stimer r1
        lpsw on(r0)
enter:  sie sd(r0)
        halt
htick:  ld r1, hticks(r0)
        addi r1, r1, 1
        st r1, hticks(r0)
        li r6, 100
burn:   addi r6, r6, -1
        bne r6, r0, burn
        li r1, 50
        stimer r1
        lpsw OLD_PSW(r0)
on:     .word 0, enter, 0, {0}, 1
hticks: .word 0
sd:     .space SD_WORDS
)",
                                       kOrigin + kSize, kOrigin, kSize);
  auto b = bare(guest);
  machine::Machine h(assist_isa(), kOrigin + kSize);
  auto himg = assemble(host, assist_isa());
  h.load(0, himg->words);
  h.load(kOrigin, assemble(guest, assist_isa())->words);
  REQUIRE(b.run(1'000'000) == machine::StopReason::Halted);
  REQUIRE(h.run(1'000'000) == machine::StopReason::Halted);
  // The same number of iterations: the exits, the host's work and the entries were not the guest's.
  CHECK(b.reg(2) > 100);
  CHECK(h.reg(2) == b.reg(2));
  // ... while the host's timer, which counts everything, fell due many times on the way.
  std::uint32_t host_ticks = h.storage()[himg->symbol("hticks")];
  CHECK(host_ticks >= 8);
  CHECK(h.vm_exits() == host_ticks);
  CHECK(h.cycles() > b.cycles() + host_ticks * 300);
}

TEST_CASE("a host's timer interrupt while nested: the levels above exit, the host takes it at its sie, "
          "and resuming it re-enters",
          "[assist][machine][timer]") {
  // L0: a host with ie = 1 and its own timer, running the assist monitor as L1, which runs a
  // counting guest as L2. L0's tick handler counts ticks, re-arms until 3, and resumes with lpsw.
  auto isa = assist_isa();
  auto monitor = assembler::assemble_file(*isa, source_path("vmm/monitors/assist.s"));
  const std::uint32_t V = monitor.symbol("VMM_SIZE");
  const std::uint32_t l1_size = V + kSize;
  const std::string l0 = fmt::format(R"(
        .org 8
        .word 0, tick, 0, {0}, 0        ; L0's new PSW: its tick handler, ie 0
        .org 16
        li r1, {1}
        st r1, sd+SD_ORIGIN(r0)
        li r1, {2}
        st r1, sd+SD_SIZE(r0)
        st r1, sd+SD_PSW+3(r0)
        li r1, RESET
        st r1, sd+SD_PSW+1(r0)
        li r1, 700
        stimer r1
        lpsw on(r0)                     ; ie = 1, at `enter`
enter:  sie sd(r0)
        halt                            ; (L1 never exits)
tick:   ld r1, ticks(r0)
        addi r1, r1, 1
        st r1, ticks(r0)
        li r2, 3
        beq r1, r2, quiet
        li r2, 700
        stimer r2
quiet:  lpsw OLD_PSW(r0)                ; back to `enter`: re-enter L1
on:     .word 0, enter, 0, {0}, 1
ticks:  .word 0
sd:     .space SD_WORDS
)",
                                     2048 + l1_size, 2048, l1_size);
  const char* l2 = R"(
        .org 16
        li r3, 2000
loop:   addi r2, r2, 1
        bne r2, r3, loop
        halt
)";
  machine::Machine m(isa, 2048 + l1_size);
  auto l0img = assemble(l0, isa);
  m.load(0, l0img->words);
  m.load(2048, monitor.words);
  m.load(2048 + V, assemble(l2, isa)->words);
  // Run to the first tick taken by L0.
  Seen seen;
  bool ticked = false;
  m.run_until(1'000'000, [&](const machine::Machine&, const machine::Event& e) {
    if (e.kind != machine::EventKind::Instruction) seen.events.push_back(e);
    ticked = e.kind == machine::EventKind::Trap && e.interrupt;
    return ticked;
  });
  REQUIRE(ticked);
  CHECK(m.interpretive_depth() == 0);
  // L2 and L1 exited, preempted, in that order.
  REQUIRE(seen.count(machine::EventKind::VmExit) == 2);
  const auto& a = isa->assist;
  std::vector<std::uint32_t> exited;
  for (const auto& e : seen.events)
    if (e.kind == machine::EventKind::VmExit) {
      CHECK(e.cause == a.preempted);
      exited.push_back(e.level);
    }
  CHECK(exited == std::vector<std::uint32_t>{2, 1});
  // L0 took the interrupt with its pc at its sie; L1's pc (in L0's SD) is at its own sie.
  const auto& E = m.storage();
  CHECK(E[1] == l0img->symbol("enter"));
  CHECK(E[l0img->symbol("sd") + a.psw + 1] == monitor.symbol("run"));
  // L2's state was written back into L1's SD (in L1's storage, at real 2048 + sd).
  CHECK(E[2048 + monitor.symbol("sd") + a.reason] == a.preempted);
  std::uint32_t count_at_tick = E[2048 + monitor.symbol("sd") + a.regs + 2];
  CHECK(count_at_tick > 0);
  CHECK(count_at_tick < 2000);
  // Resumed: every tick re-enters both levels; the guest finishes its count, unharmed.
  REQUIRE(m.run(1'000'000) == machine::StopReason::Halted);
  CHECK(m.reg(2) == 2000);
  CHECK(m.interpretive_depth() == 2);
  CHECK(E[l0img->symbol("ticks")] == 3);
  CHECK(m.vm_exits() == 6);       // two levels per tick
  CHECK(m.vm_entries() == 2 + 6);  // boot, then two per tick
}

TEST_CASE("a host's pending timer interrupt waits while its ie is 0", "[assist][machine][timer]") {
  const char* guest = ".org 16\n li r3, 3000\nloop: addi r2, r2, 1\n bne r2, r3, loop\n halt\n";
  auto h = hosted(guest, "0", "", "li r7, 100\n        stimer r7");  // the host's timer, ie 0
  REQUIRE(h.run(1'000'000) == machine::StopReason::Halted);
  CHECK(h.vm_exits() == 0);
  CHECK(h.reg(2) == 3000);
  CHECK(h.level_timer_pending(0));  // fell due long ago, still pending for the host
  CHECK_FALSE(h.timer_pending());   // the guest's own timer was never set
}

TEST_CASE("invalid state descriptions: a MEMORY trap on sie, or a validity exit naming the field",
          "[assist][machine]") {
  const auto& a = assist_isa()->assist;
  auto run_host = [&](const std::string& text, std::uint32_t memory = 4096) {
    machine::Machine m(assist_isa(), memory);
    m.load(0, assemble(text, assist_isa())->words);
    m.run(100'000);
    return m;
  };
  // The SD's words must all be in the host's R: here it runs past the end of storage.
  auto m = run_host(".org 8\n .word 0, 100, 0, 4096, 0\n .org 16\n sie 4090(r0)\n halt\n.org 100\n halt\n");
  CHECK(m.storage()[5] == 2);      // MEMORY
  CHECK(m.storage()[6] == 4096);   // the first address outside R
  CHECK(m.storage()[1] == 16);     // at the sie
  CHECK(m.vm_entries() == 0);
  CHECK(m.vm_exits() == 0);
  // Validity: the region must lie in the host's machine and hold the low storage.
  auto validity = [&](std::uint32_t origin, std::uint32_t size) -> std::uint32_t {
    auto mm = run_host(fmt::format(".org 16\n li r1, {}\n st r1, sd+SD_ORIGIN(r0)\n li r1, {}\n st r1, sd+SD_SIZE(r0)\n"
                                   " sie sd(r0)\n halt\nsd: .space SD_WORDS\n",
                                   origin, size));
    auto img = assemble(".org 16\n li r1, 0\n st r1, 0(r0)\n li r1, 0\n st r1, 0(r0)\n sie 0(r0)\n halt\nsd: .space SD_WORDS\n",
                        assist_isa());
    std::uint32_t sd = img->symbol("sd");
    if (mm.vm_entries() != 0) return ~0u;  // entered: valid
    CHECK(mm.halted());
    CHECK(mm.vm_exits() == 1);
    CHECK(mm.storage()[sd + a.reason] == a.validity);
    return mm.storage()[sd + a.info];
  };
  CHECK(validity(5000, 100) == a.origin);  // origin outside the host's 4096 words
  CHECK(validity(4000, 200) == a.size);    // runs past the end
  CHECK(validity(1024, 12) == a.size);     // too small for the low storage (0 .. 12)
  CHECK(validity(1024, 13) == ~0u);        // 13 words hold it: a valid entry
}

TEST_CASE("sie in user mode traps PRIV -- past the nesting limit it exits with reason nesting", "[assist][machine]") {
  auto m = bare(".org 8\n .word 0, 40, 0, 512, 0\n .org 16\n lpsw u(r0)\nu: .word 1, 30, 0, 512, 0\n.org 30\n sie 100(r0)\n"
                ".org 40\n halt\n");
  REQUIRE(m.run(10'000) == machine::StopReason::Halted);
  CHECK(m.storage()[5] == 1);  // PRIV
  CHECK(m.storage()[1] == 30);
  // With `levels 2`, the third monitor's sie exits to the second, which says so and halts.
  auto isa = variant("include \"pg1-assist.isa\";\nassist { levels 2; }\n");
  auto vmm = std::make_shared<assembler::Image>(assembler::assemble_file(*isa, source_path("vmm/monitors/assist.s")));
  vmm::Stack s(isa, vmm, assemble(".org 16\n halt\n", isa), 3, 4096);
  std::vector<machine::Event> exits;
  auto r = s.machine().run_until(1'000'000, [&](const machine::Machine&, const machine::Event& e) {
    if (e.kind == machine::EventKind::VmExit) exits.push_back(e);
    return false;
  });
  CHECK(r == machine::StopReason::Halted);
  REQUIRE(exits.size() == 1);
  CHECK(exits[0].cause == isa->assist.nesting);
  CHECK(exits[0].info == 2);
  CHECK(exits[0].level == 2);
  CHECK(s.machine().console_output().find("assist: the guest exited") != std::string::npos);
}

TEST_CASE("a snapshot taken under interpretive execution restores it exactly", "[assist][machine]") {
  auto h = hosted(kPrivGuest, "INTERCEPT_OUT", "xy");
  h.run_until(100'000, [](const machine::Machine& m, const machine::Event&) { return m.interpretive_depth() == 1; });
  REQUIRE(h.interpretive_depth() == 1);
  auto snap = h.snapshot();
  h.run(1'000'000);
  auto end = h.snapshot();
  h.restore(snap);
  CHECK(h.interpretive_depth() == 1);
  h.run(1'000'000);
  CHECK(h.snapshot() == end);
}

// ---------------------------------------------------------------------------------------------
// The monitor (vmm/monitors/assist.s), the views, equivalence, the classifier
// ---------------------------------------------------------------------------------------------

namespace {
std::shared_ptr<const assembler::Image> assist_monitor(const std::string& patch_from = "", const std::string& patch_to = "") {
  std::string text;
  std::string err;
  auto f = read_source_file(source_path("vmm/monitors/assist.s"), err);
  REQUIRE(f);
  text = f->text;
  if (!patch_from.empty()) {
    auto at = text.find(patch_from);
    REQUIRE(at != std::string::npos);
    text.replace(at, patch_from.size(), patch_to);
  }
  return std::make_shared<assembler::Image>(assembler::assemble_text(*assist_isa(), "assist.s", text));
}
std::shared_ptr<const assembler::Image> example(const std::string& rel) {
  return std::make_shared<assembler::Image>(assembler::assemble_file(*assist_isa(), source_path(rel)));
}
}  // namespace

TEST_CASE("the assist monitor: every example guest and the reference OS are equivalent at depths 1..8",
          "[assist][equiv]") {
  auto vmm = assist_monitor();
  for (const char* g : {"examples/guests/arith.s", "examples/guests/fib.s", "examples/guests/hello.s",
                        "examples/guests/sieve.s", "examples/guests/whoami.s", "examples/os/tinyos.s"}) {
    auto guest = example(g);
    for (unsigned d = 1; d <= 8; ++d) {
      INFO(g << " at depth " << d);
      auto r = vmm::check_equivalence(assist_isa(), vmm, guest, d, 8192, 100'000'000);
      CHECK(r.verdict == vmm::EquivalenceResult::Verdict::Equivalent);
      CHECK(r.bare_stop == machine::StopReason::Halted);
      CHECK(r.virtualized_stop == machine::StopReason::Halted);
    }
  }
}

TEST_CASE("the assist monitor: the reference OS thirty deep is equivalent and prints what it prints bare",
          "[assist][equiv]") {
  auto os = example("examples/os/tinyos.s");
  auto r = vmm::check_equivalence(assist_isa(), assist_monitor(), os, 30, 8192, 100'000'000);
  CHECK(r.verdict == vmm::EquivalenceResult::Verdict::Equivalent);
  CHECK(r.virtualized_stop == machine::StopReason::Halted);
  CHECK(r.virtualized.console == r.bare.console);
  CHECK(r.bare.console.find("[os] all programs done") != std::string::npos);
  // With the default machine size, through the CLI: the same output, no VM exit at all.
  auto bare_run = run_pgsim("run --isa pg1-assist " + source_path("examples/os/tinyos.s"), false);
  auto deep = run_pgsim("run --vmm assist --depth 30 --json " + source_path("examples/os/tinyos.s"), false);
  REQUIRE(deep.code == 0);
  auto j = nlohmann::json::parse(deep.out);
  CHECK(j["console"].get<std::string>() == bare_run.out);
  CHECK(j["halted"] == true);
  CHECK(j["exits"] == 0);
  CHECK(j["levels"].size() == 31);
}

TEST_CASE("equiv catches a broken assist monitor (one that gives its guest a word too few)", "[assist][equiv]") {
  auto broken = assist_monitor("addi    r3, r1, -VMM_SIZE", "addi    r3, r1, -VMM_SIZE-1");
  auto r = vmm::check_equivalence(assist_isa(), broken, example("examples/guests/whoami.s"), 2, 8192, 10'000'000);
  CHECK(r.verdict == vmm::EquivalenceResult::Verdict::Diverged);
  CHECK(std::find(r.differs.begin(), r.differs.end(), "bound") != r.differs.end());
}

TEST_CASE("each level's view under the assist: live from the hardware while it runs, from the state "
          "description after an exit",
          "[assist][views]") {
  // Every level intercepts out: stop at the first exit of the guest (L3 exits to L2).
  auto vmm = assist_monitor(".equ    INTERCEPTS, 0 ", ".equ    INTERCEPTS, INTERCEPT_OUT ");
  auto guest = assemble(".org 16\n li r1, 'Q'\n li r5, 55\n out r1\n halt\n", assist_isa());
  vmm::Stack s(assist_isa(), vmm, guest, 3, 4096);
  auto& m = s.machine();
  // Run until the guest is about to execute its out: all of L1..L3 are in the hardware.
  m.run_until(1'000'000, [&](const machine::Machine& mm, const machine::Event&) {
    return s.level_of(mm.base() + mm.pc()) == 3 && mm.pc() == 18;
  });
  REQUIRE(m.interpretive_depth() == 3);
  CHECK(s.interpreted(3));
  auto g = s.virtual_state_of_guest_of(2);  // L3, the guest: live
  CHECK(g.mode == machine::Supervisor);
  CHECK(g.pc == 18);
  CHECK(g.base == 0);
  CHECK(g.bound == 4096);
  CHECK(g.regs[1] == 'Q');
  CHECK(g.regs[5] == 55);
  auto l1 = s.virtual_state_of_guest_of(0);  // L1, a monitor: saved by its VM entry, at its sie
  CHECK(l1.pc == vmm->symbol("run"));
  CHECK(l1.bound == 4096 + 2 * vmm->symbol("VMM_SIZE"));
  // The guest's out exits to L2: L3's view now comes from L2's state description.
  m.run_until(1'000'000, [](const machine::Machine&, const machine::Event& e) {
    return e.kind == machine::EventKind::VmExit;
  });
  CHECK(m.interpretive_depth() == 2);
  CHECK_FALSE(s.interpreted(3));
  auto after = s.virtual_state_of_guest_of(2);
  CHECK(after.pc == 18);
  CHECK(after.regs[1] == 'Q');
  CHECK(after.regs[5] == 55);
  // Per-level counts: the exit is the guest's (L3), in traps and exits.
  std::vector<vmm::LevelStats> stats;
  REQUIRE(s.run(1'000'000, stats) == machine::StopReason::Halted);
  CHECK(m.console_output() == "Q");
}

TEST_CASE("pgsim check: sie comes out privileged and sensitive -- Theorem 1 holds for PG-1 + assist",
          "[assist][analysis]") {
  vmm::ClassifierOptions o;
  o.only = {"sie"};
  auto a = vmm::classify(assist_isa(), o);
  REQUIRE(a.instructions.size() == 1);
  const auto& c = a.instructions[0];
  CHECK(c.privileged);
  CHECK(c.sensitive());
  CHECK(c.control_sensitive);
  CHECK(a.theorem1.holds);
  auto r = run_pgsim("check pg1-assist --only sie");
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("Theorem 1 (sensitive ⊆ privileged): HOLDS"));
  CHECK_THAT(r.out, Catch::Contains("Theorem 3"));
  CHECK_THAT(r.out, Catch::Contains("Theorem 2"));
}

namespace {
struct PerGuestInstruction {
  std::int64_t real_traps, exits, instructions;  ///< ×64: (run with 64 more) − (run without)
};
/// What 64 guest instructions `text` cost at `depth` under `vmm`: real trap sequences, VM exits and
/// real instructions, as (a run with 64 of them) minus (a run without).
PerGuestInstruction cost_of_64(std::shared_ptr<const assembler::Image> vmm, const std::string& text, unsigned depth) {
  auto count = [&](int n) {
    std::string s = ".org 16\n", data;
    for (int i = 0; i < n; ++i) {
      std::string t = text;
      for (auto at = t.find("{i}"); at != std::string::npos; at = t.find("{i}")) t.replace(at, 3, std::to_string(i));
      s += t + "\n";
      if (text.find("lpsw") != std::string::npos) data += fmt::format("psw{0}: .word 0, next{0}, 0, 4096, 0\n", i);
    }
    vmm::Stack st(assist_isa(), vmm, assemble(s + "halt\n" + data, assist_isa()), depth, 4096);
    for (int i = 0; i < 65; ++i) st.machine().push_input('i');
    std::vector<vmm::LevelStats> stats;
    REQUIRE(st.run(100'000'000, stats) == machine::StopReason::Halted);
    const auto& m = st.machine();
    return PerGuestInstruction{static_cast<std::int64_t>(m.traps() + m.vm_exits()), static_cast<std::int64_t>(m.vm_exits()),
                               static_cast<std::int64_t>(m.instructions())};
  };
  auto a = count(0), b = count(64);
  return {b.real_traps - a.real_traps, b.exits - a.exits, b.instructions - a.instructions};
}
}  // namespace

TEST_CASE("the exit-count table, depths 1..30: no real trap or exit per guest privileged instruction -- "
          "an intercepted out costs one exit per level",
          "[assist][cost]") {
  // The formula (README "The hardware assist (measured)", docs/pg1-assist.md): under the assist
  // monitor, a guest privileged instruction of any kind at depth k costs 0 real traps, 0 VM exits
  // and 1 real instruction (itself, interpreted by the hardware). With every level intercepting out,
  // an out costs k exits and P + (P - 1)(k - 1) real instructions, P = the monitor's exit path
  // (measured at depth 1): each level runs the path, its own out completing only at L0.
  auto vmm = assist_monitor();
  const char* kinds[] = {"getm r1", "lpsw psw{i}(r0)\nnext{i}:", "spsw 3000(r0)", "ldp r1, 3000(r0)",
                         "stp r1, 3000(r0)", "stimer r0", "out r0", "in r1"};
  for (unsigned k = 1; k <= 30; ++k)
    for (const char* kind : kinds) {
      INFO(kind << " at depth " << k);
      auto c = cost_of_64(vmm, kind, k);
      CHECK(c.real_traps == 0);
      CHECK(c.exits == 0);
      CHECK(c.instructions == 64);
    }
  auto intercepting = assist_monitor(".equ    INTERCEPTS, 0 ", ".equ    INTERCEPTS, INTERCEPT_OUT ");
  auto one = cost_of_64(intercepting, "out r0", 1);
  REQUIRE(one.instructions % 64 == 0);
  const std::int64_t P = one.instructions / 64;
  CHECK(P > 10);  // the monitor's path: decode, its own out, count, advance, sie
  for (unsigned k = 1; k <= 30; ++k) {
    INFO("intercepted out at depth " << k);
    auto c = cost_of_64(intercepting, "out r0", k);
    CHECK(c.exits == 64 * std::int64_t{k});
    CHECK(c.real_traps == 64 * std::int64_t{k});
    CHECK(c.instructions == 64 * (P + (P - 1) * (std::int64_t{k} - 1)));
  }
}
