// Trap-delivery blocks (issue 12, docs/isa-language.md "Trap delivery"): an ISA's own trap
// delivery in place of the PSW swap -- through a table in storage, through a register, writing
// registers -- the double- and triple-fault rule, both engines alike, the loader's errors for
// misuse, and PG-1 written out as a block behaving exactly as PG-1.
#include <catch2/catch.hpp>

#include <random>

#include "helpers.hpp"
#include "machine/run_loop.hpp"
#include "vmm/session.hpp"

using namespace pgsim;
using namespace pgsim::test;
using machine::Engine;
using machine::StopReason;

namespace {

/// PG-1 with `extra` declarations after it (a variant, loaded as if it were in examples/isa/).
std::shared_ptr<const isa::IsaModel> pg1_with(const std::string& extra) {
  return isa::load_isa_text(source_path("examples/isa/trap-block-test.isa"), "include \"pg1.isa\";\n" + extra);
}
std::string error_with(const std::string& extra) {
  return error_of([&] { pg1_with(extra); });
}

/// PG-1's PSW swap, written as a trap block: it must behave exactly as the built-in swap.
const char* const kSwapBlock = R"(
trap cycles = 10 {
  real[OLD_PSW] = mode; real[OLD_PSW + 1] = epc; real[OLD_PSW + 2] = base; real[OLD_PSW + 3] = bound;
  real[OLD_PSW + 4] = ie;
  real[CAUSE] = cause; real[INFO] = info;
  mode = real[NEW_PSW]; pc = real[NEW_PSW + 1]; base = real[NEW_PSW + 2]; bound = real[NEW_PSW + 3];
  ie = real[NEW_PSW + 4];
}
)";

/// A vectored PG-1: the old PSW, cause and info go where PG-1 puts them (so that `lpsw 0(r0)`
/// returns), the handler's address comes from a table at real `tbl` + cause, and r7 gets the info.
/// The table base is a control register; reading the table faults past the end of storage.
const char* const kVectored = R"(
control tbl : 32 = 32;
trap cycles = 7 {
  r7 = info;
  real[0] = mode; real[1] = epc; real[2] = base; real[3] = bound; real[4] = ie;
  real[5] = cause; real[6] = info;
  let handler = real[tbl + cause];
  mode = SUPERVISOR;
  ie = 0;
  pc = handler;
}
)";

/// Runs to a stop and returns the machine's snapshot.
machine::Machine::Snapshot run_on(std::shared_ptr<const isa::IsaModel> isa, const std::string& text, Engine e,
                                  std::uint32_t memory = 0, std::uint64_t budget = 1'000'000) {
  machine::Machine m = machine_with(text, memory, isa);
  m.set_engine(e);
  m.run(budget);
  return m.snapshot();
}

}  // namespace

TEST_CASE("a trap block that writes out PG-1's PSW swap runs the reference OS under the VMM exactly as PG-1",
          "[trapblock]") {
  auto block = pg1_with(kSwapBlock);
  REQUIRE(block->trap_block.present);
  REQUIRE_FALSE(pg1()->trap_block.present);
  auto vmm_img = reference_vmm();
  auto os_pg1 = std::make_shared<assembler::Image>(assembler::assemble_file(*pg1(), source_path("examples/os/tinyos.s")));
  auto os_blk = std::make_shared<assembler::Image>(assembler::assemble_file(*block, source_path("examples/os/tinyos.s")));
  auto vmm_blk = std::make_shared<assembler::Image>(assembler::assemble_file(*block, source_path("vmm/monitors/pgvmm.s")));
  for (unsigned depth : {0u, 2u}) {
    INFO("depth " << depth);
    vmm::Stack a(pg1(), depth ? vmm_img : nullptr, os_pg1, depth);
    vmm::Stack b(block, depth ? vmm_blk : nullptr, os_blk, depth);
    for (auto* s : {&a, &b})
      for (char ch : std::string("pgsim\n")) s->machine().push_input(static_cast<unsigned char>(ch));
    std::vector<vmm::LevelStats> sa, sb;
    a.run(3'000'000, sa);
    b.run(3'000'000, sb);
    REQUIRE(a.machine().traps() > 10);
    CHECK(a.machine().traps() == b.machine().traps());
    CHECK(a.machine().cycles() == b.machine().cycles());
    CHECK(a.machine().console_output() == b.machine().console_output());
    CHECK(a.machine().snapshot() == b.machine().snapshot());
  }
}

TEST_CASE("delivery through a table in storage -- the handler's address at real tbl + cause, info in r7",
          "[trapblock]") {
  auto isa = pg1_with(kVectored);
  const std::string prog = R"(
.org 16
        li r1, 5
        svc 9
after:  halt
.org 32
        .word 0, 0, 0, on_svc, 0, 0, 0
on_svc: addi r2, r1, 1
        halt
)";
  for (Engine e : {Engine::Reference, Engine::Fast}) {
    machine::Machine m = machine_with(prog, 0, isa);
    m.set_engine(e);
    CHECK(m.run(1000) == StopReason::Halted);
    CHECK(m.reg(2) == 6);                  // the SVC handler ran
    CHECK(m.reg(7) == 9);                  // the block wrote the info into a register
    CHECK(m.storage()[1] == 18);           // epc: the instruction after the svc
    CHECK(m.storage()[5] == 3);            // cause SVC
    CHECK(m.traps() == 1);
    CHECK(m.cycles() == 1 + 1 + 7 + 1 + 1);  // li, svc, the block's 7 cycles, addi, halt
  }
}

TEST_CASE("delivery through a register -- tvec, and the trap's values in control registers", "[trapblock]") {
  auto isa = pg1_with(R"(
control tvec : 32 = 40;
control ecause : 32 = 0;
control eepc : 32 = 0;
control einfo : 32 = 0;
control emode : 1 = 0;
trap cycles = 4 {
  ecause = cause; eepc = epc; einfo = info; emode = mode;
  mode = SUPERVISOR;
  pc = tvec;
}
)");
  // A user-mode program that executes a privileged instruction: the block sees PRIV, the faulting
  // P (a fault: P stays at it), the word as info and the pre-trap mode.
  const std::string prog = R"(
.org 16
        lpsw upsw(r0)
.org 24
upsw:   .word USER, 30, 0, 4096, 0
.org 30
        getm r1
.org 40
        halt
)";
  machine::Machine m = machine_with(prog, 4096, isa);
  CHECK(m.run(1000) == StopReason::Halted);
  const auto& I = *isa;
  auto ctl = [&](const char* n) {
    for (std::size_t i = 0; i < I.controls.size(); ++i)
      if (I.controls[i].name == n) return m.control(static_cast<int>(i));
    FAIL("no control " << n);
    return isa::Word{0};
  };
  CHECK(ctl("ecause") == 1);  // PRIV
  CHECK(ctl("eepc") == 30);   // the getm itself
  CHECK(ctl("einfo") == m.storage()[30]);
  CHECK(ctl("emode") == 1);   // it trapped from user mode
  CHECK(m.mode() == 0);
  CHECK(m.pc() == 41);        // halted after the handler's halt at 40
}

TEST_CASE("a fault while delivering is delivered once -- a double fault, with the first attempt undone",
          "[trapblock]") {
  auto isa = pg1_with(kVectored);
  // Storage of 1024 words; the table at 1021: SVC's entry (1024) is past the end, MEMORY's (1023)
  // is not. The first attempt writes r7 and the old PSW, then faults: all of it is undone, and the
  // MEMORY fault (info = the address, 1024) is delivered in its place.
  const std::string prog = R"(
.org 16
        li r1, 1021
        li r7, 55
        svc 9
        halt
.org 200
on_mem: halt
.org 1023
        .word 200
)";
  for (Engine e : {Engine::Reference, Engine::Fast}) {
    machine::Machine m = machine_with(prog, 1024, isa);
    m.set_engine(e);
    for (std::size_t i = 0; i < isa->controls.size(); ++i)
      if (isa->controls[i].name == "tbl") m.set_control(static_cast<int>(i), 1021);
    CHECK(m.run(1000) == StopReason::Halted);
    CHECK(m.pc() == 201);
    CHECK(m.storage()[5] == 2);      // the MEMORY cause was delivered
    CHECK(m.storage()[6] == 1024);   // its info: the table address that faulted
    CHECK(m.reg(7) == 1024);         // r7 = the second delivery's info, not the first's 9
    CHECK(m.storage()[1] == 19);     // the saved P is still the svc's next instruction
    CHECK(m.traps() == 1);
    CHECK(m.cycles() == 1 + 1 + 1 + 7 + 7 + 1);  // both attempts cost the trap's cycles
  }
}

TEST_CASE("a fault while delivering a double fault stops the machine -- a triple fault, never a crash or a hang",
          "[trapblock]") {
  auto isa = pg1_with(kVectored);
  const std::string prog = R"(
.org 16
        svc 9
        halt
)";
  for (Engine e : {Engine::Reference, Engine::Fast}) {
    machine::Machine m = machine_with(prog, 1024, isa);
    m.set_engine(e);
    for (std::size_t i = 0; i < isa->controls.size(); ++i)
      if (isa->controls[i].name == "tbl") m.set_control(static_cast<int>(i), 1023);  // SVC 1026, MEMORY 1025
    CHECK(m.run(1'000'000) == StopReason::Shutdown);
    CHECK(m.halted());
    CHECK(m.stop_reason() == StopReason::Shutdown);
    CHECK(std::string(machine::to_string(m.stop_reason())) == "triple fault: the machine stopped");
    CHECK(m.stop_detail() ==
          "triple fault: delivering SVC (info 9) faulted with MEMORY (info 1026), and delivering that faulted "
          "with MEMORY (info 1025): the machine stopped");
    CHECK(m.cycles() == 1 + 7 + 7);
    CHECK(m.run(2'000'000) == StopReason::Shutdown);  // it stays stopped
    CHECK(m.cycles() == 15);
    // The step interface says the same.
    machine::Machine s = machine_with(prog, 1024, isa);
    for (std::size_t i = 0; i < isa->controls.size(); ++i)
      if (isa->controls[i].name == "tbl") s.set_control(static_cast<int>(i), 1023);
    s.step();
    CHECK(s.stop_reason() == StopReason::Shutdown);
    // A snapshot keeps it.
    machine::Machine r(isa, 1024);
    r.restore(s.snapshot());
    CHECK(r.stop_detail() == s.stop_detail());
  }
}

TEST_CASE("trap(cause, info) inside a trap block is a fault during delivery -- the double-fault rule", "[trapblock]") {
  // A block that refuses SVC from user mode (like x86's DPL check, with its own cause): the refusal
  // is delivered as PRIV with info 77.
  auto isa = pg1_with(R"(
control who : 32 = 0;
trap cycles = 3 {
  if (cause == SVC && mode == USER) { trap(PRIV, 77); }
  who = cause * 1000 + info;
  mode = SUPERVISOR;
  pc = 60;
}
)");
  const std::string prog = R"(
.org 16
        lpsw upsw(r0)
.org 24
upsw:   .word USER, 30, 0, 4096, 0
.org 30
        svc 5
.org 60
        halt
)";
  machine::Machine m = machine_with(prog, 4096, isa);
  CHECK(m.run(1000) == StopReason::Halted);
  CHECK(m.control(static_cast<int>(isa->controls.size() - 1)) == 1 * 1000 + 77);
}

TEST_CASE("both engines give identical results with a trap block -- a loop of system calls and faults",
          "[trapblock][engine]") {
  auto isa = pg1_with(kVectored);
  // 300 system calls and 300 memory faults, each handler returning with lpsw 0(r0); a memory
  // fault's handler steps past the faulting load.
  const std::string prog = R"(
.org 16
        li r1, 0
        li r5, 300
loop:   svc 1
        ld r4, -1(r0)
        addi r1, r1, 1
        blt r1, r5, loop
        halt
.org 32
        .word 0, 0, on_mem, on_svc, 0, 0, 0
on_svc: addi r2, r2, 1
        lpsw 0(r0)
on_mem: addi r3, r3, 1
        ldp r6, 1(r0)
        addi r6, r6, 1
        stp r6, 1(r0)
        lpsw 0(r0)
)";
  auto a = run_on(isa, prog, Engine::Reference);
  auto b = run_on(isa, prog, Engine::Fast);
  CHECK(a.halted);
  CHECK(a.regs[2] == 300);
  CHECK(a.regs[3] == 300);
  CHECK(a.traps == 600);
  CHECK(a == b);
}

TEST_CASE("misuse of a trap block is an error at its place, in words", "[trapblock][errors]") {
  auto has = [](const std::string& e, const std::string& what) {
    INFO(e);
    CHECK(e.find(what) != std::string::npos);
    CHECK(e.find("trap-block-test.isa:") != std::string::npos);
    CHECK(e.find("error:") != std::string::npos);
    CHECK(e.find('^') != std::string::npos);
  };
  has(error_with("trap cycles = 10 { pc = pc + 1; }"),
      "'pc' is not available in a trap block: read the saved P as 'epc'");
  has(error_with("trap { halt; }"), "'halt' is not available in a trap block");
  has(error_with("trap { trap_after(SVC, 0); }"), "'trap_after' is not available in a trap block");
  has(error_with("trap { out(65); }"), "'out' is not available in a trap block");
  has(error_with("trap { r1 = insn; }"), "'insn' is not available in a trap block");
  has(error_with("trap { r1 = in(); }"), "'in()' is not available in a trap block");
  has(error_with("trap { cycles += 3; }"), "'cycles' is read-only in a trap block");
  has(error_with("trap { clock = 5; }"), "'clock =' is not available in a trap block");
  has(error_with("trap { cause = 1; }"), "'cause' is read-only in a trap block");
  has(error_with("trap { pc = handler; }"), "unknown name 'handler' (in a trap block: cause, info, epc");
  has(error_with("trap { let epc = 1; }"), "temporary 'epc' has the name of a value of the trap block");
  has(error_with("trap old_psw = 0, cycles = 5 { pc = 1; }"), "'trap old_psw = ...' with a trap block");
  has(error_with("control epc : 32 = 0;\ntrap { pc = epc; }"),
      "the trap block's 'epc' (the trap being delivered) has the name of a control register");
  has(error_with("trap cycles = 0 { pc = 1; }"), "the trap sequence's cycles must be 1 to");
  has(error_with("trap cycles = 10 { pc = 1; "), "expected a statement or '}'");
  has(error_with("trap cycles = 10 pc = 1;"), "expected ';' at the end of the declaration (or '{'");
  // An assist delivers a guest's traps with the PSW swap into the guest's low storage.
  std::string assist = error_of([&] {
    isa::load_isa_text(source_path("examples/isa/trap-block-test.isa"), "include \"pg1-assist.isa\";\ntrap { pc = 1; }");
  });
  has(assist, "a trap block and an `assist { ... }` block cannot be combined");
  // Outside a trap block, epc and cause mean nothing.
  has(error_with("instruction foo \"rd\" R 0x70 cycles 1 { rd = epc; }"), "unknown name 'epc'");
}

TEST_CASE("a later trap declaration with addresses goes back to the PSW swap -- cycles alone keeps the block",
          "[trapblock]") {
  auto keep = pg1_with(std::string(kVectored) + "trap cycles = 12;\n");
  CHECK(keep->trap_block.present);
  CHECK(keep->trap_cycles == 12);
  auto back = pg1_with(std::string(kVectored) + "trap old_psw = 0, cause = 5, info = 6, new_psw = 8, cycles = 10;\n");
  CHECK_FALSE(back->trap_block.present);
}

TEST_CASE("the session's trap chain and the stop reason with a trap block", "[trapblock][session]") {
  auto isa = pg1_with(kVectored);
  const std::string prog = ".org 16\n svc 9\n halt\n.org 32\n .word 0, 0, 0, 40\n.org 40\n halt\n";
  vmm::Session s(isa, nullptr, assemble(prog, isa), 0);
  // The next step is the svc and its trap: the chain says the block delivers it, where to, and
  // charges its cycles.
  auto steps = s.next_micro_steps();
  bool told = false;
  for (const auto& ms : steps)
    if (ms.text.find("the ISA's trap block delivers it: mode supervisor, pc 40") != std::string::npos) {
      told = true;
      CHECK(ms.text.find("(the delivery's 7 cycles are charged)") != std::string::npos);
    }
  CHECK(told);
}

TEST_CASE("a machine with a trap block on random storage always stops -- halt, trap storm, budget or triple fault",
          "[trapblock][robustness]") {
  // The fuzz_isa harness's point, on a trap block that faults at random: random words, 256 of
  // storage, any table base.
  auto isa = pg1_with(kVectored);
  std::mt19937 rng(12);
  int triple = 0;
  for (int trial = 0; trial < 300; ++trial) {
    machine::Machine m(isa, 256);
    for (auto& w : m.storage()) w = rng();
    m.set_control(static_cast<int>(isa->controls.size() - 1), rng() % 300);
    m.set_engine(trial % 2 ? Engine::Fast : Engine::Reference);
    StopReason r = m.run(20'000);
    CHECK(r != StopReason::None);
    triple += r == StopReason::Shutdown;
  }
  CHECK(triple > 0);
}

namespace {
std::shared_ptr<const isa::IsaModel> real_model(const std::string& file) {
  return isa::load_isa(source_path("examples/isa/real/" + file));
}
std::uint32_t control_of(const machine::Machine& m, const std::string& name) {
  const auto& cs = m.isa().controls;
  for (std::size_t i = 0; i < cs.size(); ++i)
    if (cs[i].name == name) return m.control(static_cast<int>(i));
  FAIL("no control register " << name);
  return 0;
}
/// Runs `prog` on `isa` for `budget` cycles on both engines; returns the reference machine after
/// checking that the fast one ended in the same state.
machine::Machine run_both(std::shared_ptr<const isa::IsaModel> isa, const std::string& prog, std::uint64_t budget,
                          std::uint32_t memory = 0) {
  machine::Machine a = machine_with(prog, memory, isa), b = machine_with(prog, memory, isa);
  a.set_engine(Engine::Reference);
  b.set_engine(Engine::Fast);
  a.run(budget);
  b.run(budget);
  CHECK(a.snapshot() == b.snapshot());
  return a;
}
}  // namespace

TEST_CASE("RISC-V: ECALL from U-mode writes sepc, scause, stval and SPP and enters S-mode at stvec", "[trapblock][real]") {
  auto isa = real_model("riscv-rv32-s.isa");
  REQUIRE(isa->trap_block.present);
  const std::string prog = R"(
.org 16
        addi x1, x0, handler << 2
        csrrw x0, 0x105, x1      ; stvec: BASE = the handler, MODE = 0 (direct)
        addi x1, x0, user
        csrrw x0, 0x141, x1      ; sepc
        addi x1, x0, 0x120
        csrrw x0, 0x100, x1      ; sstatus: SPP = U (1 in this model), SPIE = 1 (SIE after the sret)
        sret
user:   addi x3, x0, 7
        ecall
        jal x0, user
handler:
        csrrs x5, 0x142, x0      ; scause
        csrrs x6, 0x141, x0      ; sepc
        csrrs x7, 0x100, x0      ; sstatus
        csrrs x8, 0x143, x0      ; stval
        lw x9, 0(x0)             ; storage word 0: no PSW swap wrote it
spin:   jal x0, spin
)";
  auto m = run_both(isa, prog, 200);
  const std::uint32_t user = assemble(prog, isa)->symbol("user");  // the sret returns here, in U-mode
  CHECK(m.reg(3) == 7);
  CHECK(m.reg(5) == 8);                       // ECALL_U
  CHECK(m.reg(6) == user + 1);                // the ECALL itself
  CHECK(m.reg(7) == ((1u << 8) | (1u << 5)));  // SPP = U, SPIE = the SIE before (1), SIE = 0
  CHECK(m.reg(8) == 0);
  CHECK(m.reg(9) == m.storage()[0]);
  CHECK(m.storage()[0] == assemble(prog, isa)->words[0]);
  CHECK(m.mode() == 0);
  CHECK(control_of(m, "sie") == 0);
  CHECK(m.traps() == 1);
}

TEST_CASE("IA-32: a #GP is delivered through the IDT gate with an error code -- a too-short IDT is a triple fault",
          "[trapblock][real]") {
  auto isa = real_model("ia32.isa");
  REQUIRE(isa->trap_block.present);
  auto prog = [](int limit) {
    return R"(
.org 64
        movi r4, 1000
        movi r1, idtp
        lidt 0(r1)
        movi r2, 0x18
fault:  movts 3, r2          ; MOV DS: the GDT is empty, #GP(0x18)
        hlt
on_gp:  hlt
.org 200
idtp:   .word )" + std::to_string(limit) + R"(, idt
idt:    .space 26
        .word on_gp, 0x00088e00  ; gate 13: CS 8, present, DPL 0, interrupt gate
)";
  };
  auto m = run_both(isa, prog(14), 1000);
  CHECK(m.halted());
  CHECK(m.stop_reason() == StopReason::Halted);
  CHECK(m.pc() == 71);            // after on_gp's hlt
  CHECK(m.reg(4) == 1000 - 4);    // EFLAGS, CS, EIP and the error code pushed on the ring-0 stack
  CHECK(m.storage()[996] == 0x18);  // the error code: the selector
  CHECK(m.storage()[997] == 68);    // EIP: the faulting MOV
  CHECK(m.storage()[998] == 8);     // CS, RPL 0
  CHECK((m.storage()[999] & 2) == 2);
  CHECK(m.traps() == 1);
  // IDT limit 5: gate 13 is outside it, so delivering the #GP faults with #GP(13 * 8 + 2), whose
  // own delivery faults again: x86's triple fault, the machine shuts down.
  auto t = run_both(isa, prog(5), 1000);
  CHECK(t.stop_reason() == StopReason::Shutdown);
  CHECK(t.stop_detail() ==
        "triple fault: delivering GP (info 24) faulted with GP (info 106), and delivering that faulted with GP (info "
        "106): the machine stopped");
}

TEST_CASE("ARMv7-A: SVC and Undefined save the CPSR in SPSR and the return address in LR, bank SP and LR, and enter "
          "at VBAR + the vector",
          "[trapblock][real]") {
  auto isa = real_model("armv7-a.isa");
  REQUIRE(isa->trap_block.present);
  const std::string prog = R"(
.org 64
        mov r1, 128
        mcr 12, r1          ; VBAR = 128
        mov r13, 200        ; SP_svc
        mov r2, 0x10        ; SPSR: User mode, interrupts enabled
        msr_spsr r2
        mov r14, user
        subs_pc_lr 0        ; the exception return to User mode at `user`
user:   mov r13, 90         ; User's SP and LR
        mov r14, 91
call:   svc 7
undef:  mcr 12, r1          ; Undefined in User mode
spin:   b spin
.org 128
        b spin              ; reset
        b on_und            ; Undefined Instruction
        b on_svc            ; Supervisor Call
on_svc: movr r7, r14        ; LR_svc
        mrs_spsr r8         ; SPSR_svc
        movr r9, r13        ; SP_svc
        subs_pc_lr 0        ; back to User after the SVC
on_und: mov r6, 1
hang:   b hang
)";
  auto img = assemble(prog, isa);
  auto m = run_both(isa, prog, 400);
  auto sym = [&](const char* s) { return static_cast<std::uint32_t>(img->symbols.at(s)); };
  CHECK(m.reg(7) == sym("call") + 1);   // SVC: LR = the next instruction
  CHECK(m.reg(8) == 0x10);              // SPSR = User mode's CPSR
  CHECK(m.reg(9) == 200);               // SP_svc, banked in
  CHECK(m.reg(6) == 1);                 // the Undefined Instruction vector ran
  CHECK(m.reg(14) == sym("undef") + 1); // Undefined: LR = the next instruction
  CHECK(m.reg(13) == 200);
  CHECK(control_of(m, "usr_r13") == 90);
  CHECK(control_of(m, "usr_r14") == 91);
  CHECK(control_of(m, "irq_off") == 1);
  CHECK(m.mode() == 0);
  CHECK(m.traps() == 2);
}
