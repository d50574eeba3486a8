// pgsim equiv: the guest on the bare machine and under N VMMs in lockstep, compared at every
// guest instruction boundary (P&G's equivalence property, checked as it runs; vmm/equivalence).
#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "vmm/monitor_catalog.hpp"
#include "isa/disasm.hpp"
#include "vmm/equivalence.hpp"

namespace pgsim::cli {
namespace {

/// "bare machine" or "under 1 VMM", "under 3 VMMs".
std::string run_name(unsigned depth) {
  return depth == 0 ? std::string("bare machine") : fmt::format("under {} VMM{}", depth, depth == 1 ? "" : "s");
}

void print_state(const vmm::GuestState& a, const vmm::GuestState& b, const isa::IsaModel& isa, unsigned depth,
                 unsigned reference_depth) {
  std::printf("    %-28s %s\n", run_name(reference_depth).c_str(), run_name(depth).c_str());
  auto row = [&](const std::string& n, isa::Word x, isa::Word y) {
    std::printf("  %s %-6s %-20s %-8s %#llx\n", x == y ? " " : "*", n.c_str(), fmt::format("{:#x}", x).c_str(), n.c_str(),
                static_cast<unsigned long long>(y));
  };
  static const char* names[] = {"mode", "pc", "base", "bound", "ie"};
  for (std::size_t i = 0; i < a.psw.size() && i < b.psw.size() && i < 5; ++i) row(names[i], a.psw[i], b.psw[i]);
  for (std::size_t r = 0; r < a.regs.size() && r < b.regs.size(); ++r) row(isa.registers[r], a.regs[r], b.regs[r]);
}

/// "console, storage  (first: E[100]: 0x5 vs 0x0)"
std::string what_differs(const vmm::EquivalenceResult& r) {
  std::string list;
  for (const auto& x : r.differs) list += (list.empty() ? "" : ", ") + x;
  return list + (r.first_word.empty() ? "" : "  (first: " + r.first_word + ")");
}

/// The states side by side, and the consoles when they differ.
void print_difference(const vmm::EquivalenceResult& r, const isa::IsaModel& isa, unsigned depth,
                      unsigned reference_depth) {
  std::printf("  differs: %s\n\n", what_differs(r).c_str());
  print_state(r.bare, r.virtualized, isa, depth, reference_depth);
  if (r.bare.console != r.virtualized.console)
    std::printf("\n  console, %s: %s\n  console, %s: %s\n",
                reference_depth ? run_name(reference_depth).c_str() : "bare",
                fmt::format("{:?}", r.bare.console).c_str(),
                reference_depth ? run_name(depth).c_str() : "virtualized",
                fmt::format("{:?}", r.virtualized.console).c_str());
}

const char* ended(machine::StopReason s) {
  return machine::to_string(s == machine::StopReason::None ? machine::StopReason::CycleBudget : s);
}

}  // namespace

int run_equiv(const EquivOptions& o) {
  return guarded([&] {
    auto isa = load_isa_or_default(vmm::isa_for_monitor(o.isa, o.vmm, o.depth));
    auto guest = assemble(*isa, o.program);
    auto vmm_image = assemble_vmm(*isa, o.vmm);
    if (o.reference_depth >= o.depth)
      throw std::invalid_argument(fmt::format("--reference-depth {} must be less than --depth {}", o.reference_depth,
                                              o.depth));
    auto r = vmm::check_equivalence(isa, vmm_image, guest, o.depth, o.memory, o.max_cycles, o.reference_depth);
    if (o.reference_depth > 0)
      std::printf("reference: the guest %s (not the bare machine); compared: %s\n",
                  run_name(o.reference_depth).c_str(), run_name(o.depth).c_str());
    auto n = static_cast<unsigned long long>(r.lockstep_instructions);
    using V = vmm::EquivalenceResult::Verdict;
    switch (r.verdict) {
      case V::Equivalent: {
        if (r.bare_stop == machine::StopReason::Halted) {
          std::printf("equivalent (%llu guest instructions; halted)\n", n);
          return 0;
        }
        // Lockstep ended without a halt: say which run stopped, and which limit it was.
        bool bare_ended = r.bare_stop != machine::StopReason::None;
        auto stop = bare_ended ? r.bare_stop : r.virtualized_stop;
        std::printf("equivalent (%llu guest instructions; %s)\n", n, ended(stop));
        std::printf("  lockstep ended when the %s stopped (%s) after %llu cycles, without a halt of the guest: the "
                    "limit is --max-cycles %llu cycles (and as many steps) for each real machine\n",
                    bare_ended ? "bare machine" : "virtualized run", ended(stop),
                    static_cast<unsigned long long>(bare_ended ? r.bare_cycles : r.virtualized_cycles),
                    static_cast<unsigned long long>(o.max_cycles));
        return 0;
      }
      case V::Diverged: {
        std::printf("DIVERGED after %llu guest instructions.\n", n);
        if (n > 0) {
          isa::Word at = r.last_pc;
          std::string where = guest->where(at);
          std::printf("  the guest instruction: %s   (%s), in %s mode\n",
                      isa::disassemble(*isa, guest->words.size() > at ? guest->words[at] : 0, at).c_str(),
                      where.empty() ? "?" : where.c_str(), r.last_mode == machine::User ? "user" : "supervisor");
        }
        print_difference(r, *isa, o.depth, o.reference_depth);
        return 3;
      }
      case V::Livelock: {
        // A stop that is not equivalence: the run never finished, so there is no final state.
        const bool virt = r.virtualized_livelock.has_value();
        const auto& l = virt ? *r.virtualized_livelock : *r.bare_livelock;
        std::printf("NOT EQUIVALENT: the %s stopped at a timer livelock after %llu guest instructions in lockstep "
                    "(timing is outside P&G's equivalence, but this run never finishes):\n  %s\n",
                    virt ? fmt::format("run under {} VMM{}", o.depth, o.depth == 1 ? "" : "s").c_str() : "bare machine",
                    n, l.message().c_str());
        if (!r.differs.empty()) std::printf("  where it stopped, these differ from the %s: %s\n",
                                            virt ? "bare machine's" : "virtualized run's", what_differs(r).c_str());
        return 3;
      }
      case V::TimerThenEqual:
      case V::TimerThenDifferent: {
        bool same = r.verdict == V::TimerThenEqual;
        std::printf("%slockstep up to guest instruction %llu, then a timer interrupt arrived at a different guest "
                    "instruction in the two runs (timing is outside P&G's equivalence);\n"
                    "  then both runs were finished (%s: %s, %s: %s) and final state: %s\n",
                    same ? "equivalent: " : "NOT EQUIVALENT: ", n,
                    o.reference_depth ? run_name(o.reference_depth).c_str() : "bare machine", ended(r.bare_stop),
                    o.reference_depth ? run_name(o.depth).c_str() : "virtualized", ended(r.virtualized_stop),
                    same ? "equal (registers, PSW, storage and console)" : "different");
        if (!same) {
          print_difference(r, *isa, o.depth, o.reference_depth);
          return 3;
        }
        return 0;
      }
    }
    return 0;
  });
}

}  // namespace pgsim::cli
