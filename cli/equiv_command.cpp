// pgsim equiv: the guest on the bare machine and under N VMMs in lockstep, compared at every
// guest instruction boundary (P&G's equivalence property, checked as it runs).
#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "isa/disasm.hpp"
#include "vmm/stack.hpp"

namespace pgsim::cli {
namespace {


/// The guest-visible state while the guest runs (or after the machine stopped).
vmm::GuestState running_guest_state(const vmm::Stack& s) {
  if (s.depth() == 0 || s.machine().halted()) return s.guest_state();
  vmm::GuestState g = s.guest_state();
  const auto& m = s.machine();
  // The guest's code is running: its registers are the real ones, its pc the real pc.
  for (std::size_t r = 0; r < g.regs.size(); ++r) g.regs[r] = m.reg(static_cast<int>(r));
  g.psw[1] = m.pc();
  return g;
}

/// Steps the virtualized machine through one guest event (an instruction or a trap of the
/// guest) and on until the guest's code is about to run again. Returns true if a timer
/// interrupt was taken on the way.
bool guest_step(vmm::Stack& s, std::uint64_t max_cycles) {
  auto& m = s.machine();
  auto at_guest = [&] { return s.level_of(m.base() + m.pc()) == s.depth(); };
  bool interrupt = m.step().interrupt;
  while (!m.halted() && m.stop_reason() != machine::StopReason::TrapStorm && m.cycles() < max_cycles && !at_guest())
    interrupt = m.step().interrupt || interrupt;
  return interrupt;
}

std::vector<std::string> diff(const vmm::GuestState& a, const vmm::GuestState& b, const isa::IsaModel& isa,
                              std::string& first_word) {
  std::vector<std::string> d;
  for (std::size_t r = 0; r < a.regs.size(); ++r)
    if (a.regs[r] != b.regs[r]) d.push_back(isa.registers[r]);
  static const char* names[] = {"mode", "pc", "base", "bound", "ie"};
  for (std::size_t i = 0; i < a.psw.size() && i < 5; ++i)
    if (a.psw[i] != b.psw[i]) d.push_back(names[i]);
  if (a.console != b.console) d.push_back("console");
  for (std::size_t i = 0; i < a.storage.size(); ++i)
    if (a.storage[i] != b.storage[i]) {
      d.push_back("storage");
      first_word = fmt::format("E[{}]: {:#x} vs {:#x}", i, a.storage[i], b.storage[i]);
      break;
    }
  return d;
}

void print_state(const vmm::GuestState& a, const vmm::GuestState& b, const isa::IsaModel& isa, unsigned depth) {
  std::printf("    %-28s %s\n", "bare machine", fmt::format("under {} VMM{}", depth, depth == 1 ? "" : "s").c_str());
  auto row = [&](const std::string& n, std::uint32_t x, std::uint32_t y) {
    std::printf("  %s %-6s %-20s %-8s %#x\n", x == y ? " " : "*", n.c_str(), fmt::format("{:#x}", x).c_str(), n.c_str(), y);
  };
  static const char* names[] = {"mode", "pc", "base", "bound", "ie"};
  for (std::size_t i = 0; i < a.psw.size() && i < 5; ++i) row(names[i], a.psw[i], b.psw[i]);
  for (std::size_t r = 0; r < a.regs.size(); ++r) row(isa.registers[r], a.regs[r], b.regs[r]);
}

}  // namespace

int run_equiv(const EquivOptions& o) {
  return guarded([&] {
    auto isa = load_isa_or_default(o.isa);
    auto guest = assemble(*isa, o.program);
    auto vmm_image = assemble_vmm(*isa, o.vmm);
    vmm::Stack bare(isa, nullptr, guest, 0, o.memory);
    vmm::Stack virt(isa, vmm_image, guest, o.depth, o.memory);
    auto& vm = virt.machine();
    // Boot the VMMs: run until the guest's first instruction is about to execute.
    while (!vm.halted() && vm.cycles() < o.max_cycles && virt.level_of(vm.base() + vm.pc()) != o.depth) vm.step();
    std::uint64_t n = 0;
    bool interrupt = false;
    std::uint32_t last_pc = 0;  // the guest instruction stepped last (bare machine address)
    auto& bm = bare.machine();
    while (true) {
      auto a = running_guest_state(bare), b = running_guest_state(virt);
      std::string word;
      auto d = diff(a, b, *isa, word);
      if (!d.empty() && interrupt) {
        // P&G leave time out of equivalence: under a VMM the timer falls due after fewer guest
        // instructions, so lockstep ends at the first interrupt that the two runs take apart.
        std::printf("equivalent for %llu guest instructions, up to a timer interrupt that arrived at a different "
                    "instruction (timing is outside P&G's equivalence; `pgsim run` compares the final output)\n",
                    static_cast<unsigned long long>(n - 1));
        return 0;
      }
      if (!d.empty()) {
        std::printf("DIVERGED after %llu guest instructions.\n", static_cast<unsigned long long>(n));
        if (n > 0) {
          std::uint32_t at = last_pc;
          std::string where = guest->where(at);
          std::printf("  the guest instruction: %s   (%s)\n",
                      isa::disassemble(*isa, guest->words.size() > at ? guest->words[at] : 0, at).c_str(),
                      where.empty() ? "?" : where.c_str());
        }
        std::string list;
        for (auto& x : d) list += (list.empty() ? "" : ", ") + x;
        std::printf("  differs: %s%s\n\n", list.c_str(), word.empty() ? "" : ("  (first: " + word + ")").c_str());
        print_state(a, b, *isa, o.depth);
        if (a.console != b.console)
          std::printf("\n  console, bare: %s\n  console, virtualized: %s\n", fmt::format("{:?}", a.console).c_str(),
                      fmt::format("{:?}", b.console).c_str());
        return 3;
      }
      if (bm.halted() || bm.stop_reason() == machine::StopReason::TrapStorm || bm.cycles() >= o.max_cycles) break;
      last_pc = bm.base() + bm.pc();
      interrupt = bm.step().interrupt;
      interrupt = guest_step(virt, o.max_cycles) || interrupt;
      ++n;
    }
    std::printf("equivalent (%llu guest instructions; %s)\n", static_cast<unsigned long long>(n),
                machine::to_string(bm.stop_reason() == machine::StopReason::None ? machine::StopReason::CycleBudget
                                                                                 : bm.stop_reason()));
    return 0;
  });
}

}  // namespace pgsim::cli
