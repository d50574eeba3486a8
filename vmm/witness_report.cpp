#include "vmm/witness_report.hpp"

#include <fmt/format.h>

namespace pgsim::vmm {
namespace {

using Snap = machine::Machine::Snapshot;

std::vector<std::string> picture(const isa::IsaModel& isa, const Snap& s) {
  std::vector<std::string> l;
  if (isa.levels.size() == 2 && isa.levels[0] == "supervisor")
    l.push_back(fmt::format("M = {}", s.mode ? "user" : "supervisor"));
  else
    l.push_back(fmt::format("M = {}", isa.level_name(s.mode)));  // the level's name (ring0 .. ring3)
  l.push_back(fmt::format("P = {}", s.pc));
  l.push_back(fmt::format("R = (base {}, bound {})", s.base, s.bound));
  for (std::size_t c = 0; c < s.controls.size(); ++c) l.push_back(fmt::format("{} = {}", isa.controls[c].name, s.controls[c]));
  for (std::size_t r = 0; r < isa.registers.size(); ++r)
    if (static_cast<int>(r) != isa.zero_register) l.push_back(fmt::format("{} = {:#x}", isa.registers[r], s.regs[r]));
  if (s.halted) l.push_back("halted");
  if (!s.out.empty()) l.push_back(fmt::format("console: {:?}", s.out));
  return l;
}

std::string side_by_side(const std::vector<std::string>& a, const std::vector<std::string>& b, const char* ta,
                         const char* tb, int indent) {
  std::string out, pad(static_cast<std::size_t>(indent + 2), ' ');
  out += fmt::format("{}{:<34} {}\n", pad, ta, tb);
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i)
    out += fmt::format("{}{:<34} {}\n", pad, i < a.size() ? a[i] : "", i < b.size() ? b[i] : "");
  return out;
}

}  // namespace

std::string format_witness(const isa::IsaModel& isa, const Witness& w, int indent) {
  std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string out = fmt::format("{}{}: `{}` (word {:#010x}): {}.\n", pad, w.property, w.instruction, w.word, w.explanation);
  if (w.before_b) {
    out += side_by_side(picture(isa, w.before_a), picture(isa, *w.before_b), "state A, before", "state B, before", indent);
    out += side_by_side(picture(isa, w.after_a), picture(isa, *w.after_b), "state A, after", "state B, after", indent);
  } else {
    out += side_by_side(picture(isa, w.before_a), picture(isa, w.after_a), "before", "after", indent);
  }
  std::string d;
  for (const auto& x : w.differs) d += (d.empty() ? "" : ", ") + x;
  out += fmt::format("{}{}: {}\n", pad, w.property == "control" ? "changed" : "differs", d);
  return out;
}

const std::optional<Witness>& main_witness(const Classification& c) {
  if (c.control) return c.control;
  if (c.mode) return c.mode;
  if (c.trap_mode) return c.trap_mode;
  if (c.owned) return c.owned;
  if (c.location) return c.location;
  return c.timing;
}

}  // namespace pgsim::vmm
