// Models of real machines (examples/isa/real/): `pgsim check` gives the published verdicts and,
// instruction by instruction, the published classifications (issue 12). The expectations come
// from the literature cited in each model's header, not from the classifier's output.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "helpers.hpp"
#include "vmm/classifier.hpp"

using namespace pgsim;
using namespace pgsim::test;

namespace {

std::shared_ptr<const isa::IsaModel> real_isa(const std::string& file) {
  return isa::load_isa(source_path("examples/isa/real/" + file));
}

/// The row that classifies `mnemonic` with its selector fields at the given values (a row that
/// is not split by value covers every value).
const vmm::Classification& row(const isa::IsaModel& isa, const vmm::Analysis& a, const std::string& mnemonic,
                               const std::map<std::string, std::uint32_t>& values = {}) {
  int i = isa.find_instruction(mnemonic);
  REQUIRE(i >= 0);
  const auto& ins = isa.instructions[static_cast<std::size_t>(i)];
  const auto& f = isa.formats[static_cast<std::size_t>(ins.format)];
  for (const auto& c : a.instructions) {
    if (c.mnemonic != mnemonic) continue;
    if (c.selector.empty()) return c;
    std::uint32_t mask = 0, bits = 0;
    for (const auto& [name, v] : values) {
      const auto* fl = f.find(name);
      REQUIRE(fl);
      mask |= isa::low_bits(fl->width) << fl->shift;
      bits |= v << fl->shift;
    }
    if (std::any_of(c.selector_values.begin(), c.selector_values.end(),
                    [&](std::uint32_t s) { return (s & mask) == bits; }))
      return c;
  }
  FAIL("no row for " << mnemonic);
  throw std::logic_error("unreachable");
}

/// Mnemonics of the rows listed by a theorem (without the selector part).
std::vector<std::string> mnemonics(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (auto n : names) {
    n = n.substr(0, n.find('['));
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void all_witnesses_confirm(const isa::IsaModel& isa, const vmm::Analysis& a) {
  for (const auto& c : a.instructions)
    for (const auto* w : {&c.control, &c.location, &c.mode, &c.trap_mode, &c.owned, &c.timing, &c.user,
                          &c.not_privileged, &c.not_strictly_privileged}) {
      if (!*w) continue;
      INFO(c.name() << " " << (*w)->property);
      CHECK(vmm::confirm(isa, **w));
    }
}

}  // namespace

TEST_CASE("PDP-10 (KA10): Theorem 1 fails (JRST 1, JRSTF, the PC word's USER flag), Theorem 3 holds", "[analysis][real]") {
  // P&G 1974: the PDP-10 has an unprivileged instruction that is sensitive in executive mode
  // only (JRST 1, return to user mode), so a hybrid monitor can be built but not a VMM.
  auto isa = real_isa("pdp10-ka10.isa");
  // The KA10's 36-bit word (issue 12): AC, I, X, Y as on the machine, USER at bit 5 of 36.
  REQUIRE(isa->word_bits == 36);
  CHECK(isa->constants.at("USER_FLAG") == isa::Word{1} << 30);
  for (std::uint64_t seed : {1974u, 3u}) {
    INFO("seed " << seed);
    vmm::ClassifierOptions options;
    options.seed = seed;
    auto a = vmm::classify(isa, options);
    CHECK_FALSE(a.theorem1.holds);
    CHECK(a.theorem3.holds);
    CHECK(mnemonics(a.theorem1.violations) == std::vector<std::string>{"jrst", "jsp", "jsr", "pushj"});
    const auto& jrst1 = row(*isa, a, "jrst", {{"f", 1}});  // JRST 1: enter user mode
    CHECK(jrst1.control_sensitive);
    CHECK_FALSE(jrst1.privileged);
    CHECK_FALSE(jrst1.user_sensitive);
    REQUIRE(jrst1.control);
    CHECK(jrst1.control->before_a.mode == machine::Supervisor);
    const auto& jrstf = row(*isa, a, "jrst", {{"f", 2}});  // JRSTF: restore flags (USER)
    CHECK(jrstf.control_sensitive);
    CHECK_FALSE(jrstf.privileged);
    CHECK_FALSE(row(*isa, a, "jrst", {{"f", 0}}).sensitive());  // a jump
    for (std::uint32_t f : {4u, 8u, 12u}) {  // dismiss, halt: MUUO in user mode
      INFO("jrst " << f);
      CHECK(row(*isa, a, "jrst", {{"f", f}}).privileged);
    }
    for (auto m : {"jsr", "jsp", "pushj"}) {  // the PC word they save holds the USER flag
      INFO(m);
      const auto& c = row(*isa, a, m);
      CHECK(c.mode_sensitive);
      CHECK_FALSE(c.privileged);
      CHECK_FALSE(c.user_sensitive);
    }
    for (std::uint32_t f : {1u, 3u, 4u, 5u}) {  // DATAI, DATAO, CONO, CONI: I/O is privileged
      INFO("apr/pi " << f);
      CHECK(row(*isa, a, "apr", {{"f", f}}).privileged);
      CHECK(row(*isa, a, "pi", {{"f", f}}).privileged);
    }
    CHECK(row(*isa, a, "apr", {{"f", 3}}).control_sensitive);  // DATAO APR: relocation and protection
    CHECK(row(*isa, a, "pi", {{"f", 4}}).control_sensitive);   // CONO PI: the interrupt system
    for (auto m : {"move", "movei", "movem", "add", "sub", "jumpe", "jumpa", "popj", "luuo", "call"}) {
      INFO(m);
      CHECK_FALSE(row(*isa, a, m).sensitive());
      CHECK_FALSE(row(*isa, a, m).privileged);
    }
    all_witnesses_confirm(*isa, a);
  }
}

TEST_CASE("System/370: every sensitive instruction is privileged (Theorem 1 holds) -- strictly, LPSW and SSM are not",
          "[analysis][real]") {
  // IBM GA22-7000: the privileged-operation exception in the problem state; VM/370 runs
  // System/370 operating systems by trap and emulate.
  auto isa = real_isa("s370.isa");
  for (std::uint64_t seed : {1974u, 3u}) {
    INFO("seed " << seed);
    vmm::ClassifierOptions options;
    options.seed = seed;
    auto a = vmm::classify(isa, options);
    CHECK(a.theorem1.holds);
    CHECK(a.theorem3.holds);
    CHECK_FALSE(a.theorem1_strict.holds);
    CHECK(mnemonics(a.theorem1_strict.violations) == std::vector<std::string>{"lpsw", "ssm"});
    for (auto m : {"lpsw", "ssm", "stnsm", "stosm", "lctl", "stctl", "lra", "stidp", "spt", "stpt", "sck", "ptlb", "sio",
                   "rdd"}) {
      INFO(m);
      for (const auto& c : a.instructions)
        if (c.mnemonic == m) CHECK(c.privileged);
    }
    CHECK_FALSE(row(*isa, a, "lpsw").strictly_privileged);  // an invalid PSW: specification exception
    CHECK_FALSE(row(*isa, a, "ssm").strictly_privileged);   // SSM suppression: special-operation exception
    CHECK(row(*isa, a, "stnsm").strictly_privileged);
    for (auto m : {"lpsw", "ssm", "stnsm", "stosm", "spt", "sck", "sio", "rdd"}) {
      INFO(m);
      CHECK(row(*isa, a, m).control_sensitive);
    }
    CHECK(row(*isa, a, "lctl", {{"c1", 0}, {"c3", 1}}).control_sensitive);
    CHECK(row(*isa, a, "lra").location_sensitive);
    for (auto m : {"lr", "ar", "sr", "balr", "bcr", "la", "l", "st", "a", "bal", "bct", "svc", "mc", "stck"}) {
      INFO(m);
      CHECK_FALSE(row(*isa, a, m).sensitive());
      CHECK_FALSE(row(*isa, a, m).privileged);
    }
    CHECK(a.timing_sources == std::vector<std::string>{"stck"});  // the TOD clock, unprivileged
    all_witnesses_confirm(*isa, a);
  }
}

TEST_CASE("pgsim check on the real models: the verdicts, and P&G's strict reading beside Theorem 1", "[analysis][real][cli]") {
  auto r = run_pgsim("check " + source_path("examples/isa/real/s370.isa"), true);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("Theorem 1 (sensitive ⊆ privileged): HOLDS"));
  CHECK_THAT(r.out, Catch::Contains("With P&G's strict reading of privileged (never traps in supervisor mode) it fails: lpsw, ssm."));
  CHECK_THAT(r.out, Catch::Contains("lpsw: `lpsw"));
  CHECK_THAT(r.out, Catch::Contains("it traps in supervisor mode too (cause SPECIFICATION (6))"));
  r = run_pgsim("check " + source_path("examples/isa/real/pdp10-ka10.isa"), true);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("Theorem 1 (sensitive ⊆ privileged): FAILS"));
  CHECK_THAT(r.out, Catch::Contains("Theorem 3 (user-sensitive ⊆ privileged): HOLDS"));
  // Rows split by value keep the table's columns: every row's "privileged" cell starts at the header's.
  auto header = r.out.find("instr");
  REQUIRE(header != std::string::npos);
  auto col = r.out.find("privileged", header) - header;
  for (auto name : {"jrst[f=", "move "}) {
    auto at = r.out.find(std::string("\n") + name);
    REQUIRE(at != std::string::npos);
    auto line = r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
    INFO(line);
    REQUIRE(line.size() > col);
    CHECK(line[col - 1] == ' ');
    CHECK(line[col] != ' ');
  }
}

TEST_CASE("IA-32: Robin & Irvine's seventeen sensitive unprivileged instructions -- Theorems 1 and 3 fail", "[analysis][real]") {
  // Robin & Irvine, USENIX Security 2000: SGDT, SIDT, SLDT, SMSW, STR, PUSHF, POPF, LAR, LSL,
  // VERR, VERW, PUSH/POP and MOV of segment registers, far CALL/JMP/RET, INT n, IRET are
  // sensitive and unprivileged, so neither a VMM (Theorem 1) nor a hybrid VMM (Theorem 3) can
  // be built; LGDT, LIDT, LLDT, LTR, LMSW, CLTS, MOV CR, HLT and (IOPL 0) CLI, STI, OUT trap at
  // CPL > 0 (SDM Vol. 2).
  auto isa = real_isa("ia32.isa");
  REQUIRE(isa->levels == std::vector<std::string>{"ring0", "ring1", "ring2", "ring3"});
  CHECK(isa->guest_kernel == 1);
  for (std::uint64_t seed : {1974u, 3u}) {
    INFO("seed " << seed);
    vmm::ClassifierOptions options;
    options.seed = seed;
    auto a = vmm::classify(isa, options);
    CHECK_FALSE(a.theorem1.holds);
    CHECK_FALSE(a.theorem3.holds);
    // The published list, by this model's mnemonics (movfs/movts: MOV from/to Sreg; pushs/pops:
    // PUSH/POP Sreg; ljmp/lcall/lret: far JMP/CALL/RET), and nothing else.
    CHECK(mnemonics(a.theorem1.violations) ==
          std::vector<std::string>{"int", "iret", "lar", "lcall", "ljmp", "lret", "lsl", "movfs", "movts", "popf", "pops",
                                   "pushf", "pushs", "sgdt", "sidt", "sldt", "smsw", "str", "verr", "verw"});
    // The "sensitive register" instructions read state a VMM must own, from any ring.
    for (auto m : {"sgdt", "sidt", "sldt", "str", "smsw", "pushf"}) {
      INFO(m);
      const auto& c = row(*isa, a, m);
      CHECK(c.owned_sensitive);
      CHECK(c.user_sensitive);
      CHECK_FALSE(c.privileged);
    }
    // POPF: at ring1 it silently leaves IOPL (and, above IOPL, IF) alone.
    CHECK(row(*isa, a, "popf").mode_sensitive);
    CHECK(row(*isa, a, "popf").control_sensitive);
    for (auto m : {"lar", "lsl", "verr", "verw", "ljmp", "lcall", "lret", "iret", "int"}) {
      INFO(m);
      const auto& c = row(*isa, a, m);
      CHECK(c.sensitive());
      CHECK_FALSE(c.privileged);
    }
    // Reading CS or SS shows the CPL; DS and ES do not.
    CHECK(row(*isa, a, "movfs", {{"sr", 1}}).mode_sensitive);
    CHECK(row(*isa, a, "pushs", {{"sr", 2}}).mode_sensitive);
    CHECK_FALSE(row(*isa, a, "movfs", {{"sr", 3}}).sensitive());
    CHECK(row(*isa, a, "movts", {{"sd", 3}}).control_sensitive);  // MOV DS: loads a segment register
    CHECK_FALSE(row(*isa, a, "movts", {{"sd", 3}}).privileged);
    CHECK(row(*isa, a, "pops", {{"sr", 0}}).control_sensitive);
    CHECK_FALSE(row(*isa, a, "pops", {{"sr", 0}}).privileged);
    for (auto m : {"lgdt", "lidt", "lldt", "ltr", "lmsw", "clts", "movtocr", "movfromcr", "hlt", "cli", "sti", "out"}) {
      INFO(m);
      for (const auto& c : a.instructions)
        if (c.mnemonic == m) CHECK(c.privileged);
    }
    for (auto m : {"mov", "movi", "add", "sub", "load", "store", "push", "pop", "jmp", "jz", "call", "ret", "nop"}) {
      INFO(m);
      CHECK_FALSE(row(*isa, a, m).sensitive());
      CHECK_FALSE(row(*isa, a, m).privileged);
    }
    all_witnesses_confirm(*isa, a);
  }
}

TEST_CASE("pgsim check on IA-32 names the rings and the pairs of rings an instruction tells apart", "[analysis][real][cli]") {
  auto r = run_pgsim("check " + source_path("examples/isa/real/ia32.isa"), true);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("Levels ring0, ring1, ring2, ring3 (most privileged first). A VMM runs at ring0 and the "
                                    "guest's kernel at ring1"));
  CHECK_THAT(r.out, Catch::Contains("Theorem 3 (user-sensitive ⊆ privileged): FAILS"));
  CHECK_THAT(r.out, Catch::Contains("M = ring1"));
  CHECK_THAT(r.out, Catch::Contains("  popf "));
  CHECK_THAT(r.out, Catch::Contains("ring0/ring1"));
}

TEST_CASE("RISC-V (S and U): Theorem 1 holds -- every access to supervisor state traps in U-mode, per CSR", "[analysis][real]") {
  // The privileged architecture (20211203): the CSR address's bits 9-8 give the lowest level that
  // may access it; SRET, WFI and SFENCE.VMA raise an illegal-instruction exception in U-mode;
  // TSR, TW and TVM make them (and satp accesses) raise it in S-mode too.
  auto isa = real_isa("riscv-rv32-s.isa");
  for (std::uint64_t seed : {1974u, 3u}) {
    INFO("seed " << seed);
    vmm::ClassifierOptions options;
    options.seed = seed;
    auto a = vmm::classify(isa, options);
    CHECK(a.theorem1.holds);
    CHECK(a.theorem3.holds);
    // Strictly (never traps in S-mode), SRET (TSR) and the satp accesses (TVM) are not privileged.
    CHECK_FALSE(a.theorem1_strict.holds);
    for (const auto& v : a.theorem1_strict.violations) {
      INFO(v);
      CHECK((v == "sret" || v.find("[csr=0x180]") != std::string::npos));
    }
    for (auto m : {"sret", "wfi", "sfence_vma"}) {
      INFO(m);
      CHECK(row(*isa, a, m).privileged);
      CHECK_FALSE(row(*isa, a, m).strictly_privileged);
    }
    CHECK(row(*isa, a, "sret").control_sensitive);  // mode = SPP, pc = sepc
    // Each CSR instruction, per CSR: the supervisor CSRs are sensitive and privileged (sstatus
    // 0x100, stvec 0x105, sepc 0x141); satp (0x180) is owned state; the user counter CYCLE
    // (0xC00) may be read in U-mode (a timing source, not sensitive) and written by no one.
    for (auto m : {"csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci"}) {
      INFO(m);
      for (std::uint32_t csr : {0x100u, 0x105u, 0x141u}) {
        INFO("csr " << csr);
        const auto& c = row(*isa, a, m, {{"csr", csr}});
        CHECK(c.privileged);
        CHECK(c.sensitive());
        CHECK(c.strictly_privileged);
      }
      const auto& satp = row(*isa, a, m, {{"csr", 0x180}});
      CHECK(satp.privileged);
      CHECK(satp.owned_sensitive);
      const auto& cycle = row(*isa, a, m, {{"csr", 0xc00}});
      if (std::string(m) == "csrrw" || std::string(m) == "csrrwi") {
        CHECK(cycle.privileged);  // a write to a read-only CSR: illegal in every mode
      } else {
        CHECK_FALSE(cycle.sensitive());
        CHECK_FALSE(cycle.privileged);
      }
      CHECK(row(*isa, a, m, {{"csr", 0x001}}).privileged);  // fflags: no F extension, no CSR
    }
    for (auto m : {"lui", "auipc", "jal", "jalr", "beq", "bltu", "lw", "sw", "addi", "srai", "add", "sub", "sra",
                   "fence", "ecall", "ebreak"}) {
      INFO(m);
      CHECK_FALSE(row(*isa, a, m).sensitive());
      CHECK_FALSE(row(*isa, a, m).privileged);
    }
    all_witnesses_confirm(*isa, a);
  }
}

TEST_CASE("ARMv7-A: Penneman et al.'s sensitive unprivileged instructions -- Theorem 1 fails", "[analysis][real]") {
  // Penneman, Kudinskas, Rawsthorne, De Sutter, De Bosschere, J. Systems Architecture 59(3), 2013:
  // CPS, MRS, MSR, SRS, RFE, LDM/STM of the User registers (^) and SUBS PC, LR are sensitive and
  // complete in User mode; MCR/MRC to CP15 raise the Undefined Instruction exception there.
  auto isa = real_isa("armv7-a.isa");
  for (std::uint64_t seed : {1974u, 3u}) {
    INFO("seed " << seed);
    vmm::ClassifierOptions options;
    options.seed = seed;
    auto a = vmm::classify(isa, options);
    CHECK_FALSE(a.theorem1.holds);
    CHECK(mnemonics(a.theorem1.violations) ==
          std::vector<std::string>{"cps", "ldm_user", "mrs", "msr", "rfe", "srs", "stm_user", "subs_pc_lr"});
    // Control sensitive in Supervisor mode, a no-op (or a plain branch) in User mode.
    CHECK(row(*isa, a, "cps", {{"imod", 3}, {"mmod", 0}, {"aif", 2}, {"newmode", 0}}).control_sensitive);
    CHECK(row(*isa, a, "msr", {{"mask", 1}}).control_sensitive);
    CHECK_FALSE(row(*isa, a, "msr", {{"mask", 8}}).sensitive());  // the flags byte only
    for (auto m : {"rfe", "subs_pc_lr", "ldm_user"}) {
      INFO(m);
      CHECK(row(*isa, a, m).control_sensitive);
      CHECK_FALSE(row(*isa, a, m).privileged);
    }
    for (auto m : {"mrs", "srs", "stm_user"}) {  // their result shows the mode
      INFO(m);
      CHECK(row(*isa, a, m).mode_sensitive);
      CHECK_FALSE(row(*isa, a, m).privileged);
    }
    // MRS reads the interrupt masks, which a VMM owns: user-sensitive, so no hybrid VMM either.
    CHECK(row(*isa, a, "mrs").owned_sensitive);
    CHECK_FALSE(a.theorem3.holds);
    for (auto m : {"msr_spsr", "mrs_spsr"}) {
      INFO(m);
      CHECK(row(*isa, a, m).privileged);
    }
    for (std::uint32_t crn : {1u, 2u, 3u, 12u}) {
      INFO("crn " << crn);
      CHECK(row(*isa, a, "mcr", {{"crn", crn}}).privileged);
      CHECK(row(*isa, a, "mcr", {{"crn", crn}}).control_sensitive);
      CHECK(row(*isa, a, "mrc", {{"crn", crn}}).privileged);
    }
    CHECK(row(*isa, a, "mrc", {{"crn", 2}}).owned_sensitive);  // TTBR0
    for (auto m : {"mov", "movr", "add", "sub", "addi", "ldr", "str", "b", "bl", "bx", "ldm", "stm", "svc", "wfi"}) {
      INFO(m);
      CHECK_FALSE(row(*isa, a, m).sensitive());
      CHECK_FALSE(row(*isa, a, m).privileged);
    }
    all_witnesses_confirm(*isa, a);
  }
}
