// One run and its witness: one step from a state on the test machine (or on a machine of the
// state's size, for a prover's witness), a pair of runs written up as a Witness, and the words
// witnesses use for levels and trap causes.
#include "vmm/classifier_engine.hpp"

#include <fmt/format.h>

#include <optional>
#include <utility>

#include "isa/disasm.hpp"

namespace pgsim::vmm::classifier_engine {

std::string Classifier::at_level(isa::Word l) const {
  if (isa_->levels.size() == 2 && isa_->levels[0] == "supervisor") return l == 0 ? "in supervisor mode" : "in user mode";
  return "at " + isa_->level_name(l);
}

std::string Classifier::level_word(isa::Word l) const {
  if (isa_->levels.size() == 2 && isa_->levels[0] == "supervisor") return l == 0 ? "supervisor mode" : "user mode";
  return isa_->level_name(l);
}

std::string Classifier::cause_text(isa::Word cause) const {
  return fmt::format("{} ({})", isa_->cause_name(cause), cause);
}

Run Classifier::exec(const Snap& s) {
  Run r;
  exec_into(s, r);
  return r;
}

void Classifier::exec_into(const Snap& s, Run& r) {
  // A prover's witness may need another machine size than the test machine's.
  std::optional<machine::Machine> other;
  if (s.E.size() != m_.storage().size()) other.emplace(isa_, static_cast<isa::Word>(s.E.size()));
  machine::Machine& m = other ? *other : m_;
  m.restore(s);
  std::uint64_t traps = m.traps();
  machine::Event e = m.step();
  m.snapshot_into(r.after);
  r.trapped = m.traps() != traps;
  r.cause = r.trapped && e.kind == machine::EventKind::Trap ? e.cause : 0;
  r.memory_trap = r.trapped && isa_->causes.memory >= 0 && r.cause == static_cast<isa::Word>(isa_->causes.memory);
}

Witness Classifier::make2(const char* prop, isa::Word w, const Snap& a, const Run& ra, const Snap& b, const Run& rb,
                         isa::Word shift, std::vector<std::string> d, std::string why) {
  Witness wt;
  wt.property = prop;
  wt.word = w;
  wt.instruction = isa::disassemble(*isa_, w, a.pc);
  wt.before_a = a;
  wt.after_a = ra.after;
  wt.before_b = b;
  wt.after_b = rb.after;
  wt.shift = shift;
  wt.differs = std::move(d);
  wt.explanation = std::move(why);
  return wt;
}

}  // namespace pgsim::vmm::classifier_engine
