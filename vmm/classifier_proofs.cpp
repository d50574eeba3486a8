// The bridge to the prover (analysis/prover.hpp): what the tested states already showed (Known),
// the budgets of time and Z3 resource units, and the prover's answers put into a
// Classification, each witness re-executed on the machine before it counts.
#include "vmm/classifier_engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "isa/disasm.hpp"

namespace pgsim::vmm::classifier_engine {

std::optional<std::string> Classifier::prove_into(Classification& c, const isa::Instruction& ins, const SelectorPlan* plan,
                                                 const std::vector<isa::Word>* cls, std::size_t classes) {
  const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
  const bool automatic = o_.prove == ClassifierOptions::Prove::Auto;
  const std::uint64_t used = prover_->resources_used() - units_at_start_;  // by this instruction's proofs
  if (automatic && o_.prove_auto_rlimit && used >= o_.prove_auto_rlimit)
    return fmt::format("the resource limit for proofs of one instruction ({} Z3 resource units, with "
                       "`pgsim check` without --prove) ran out before it", o_.prove_auto_rlimit);
  if (automatic && spent.count() >= o_.prove_total_ms)
    return fmt::format("the check's time limit for proofs ({} ms from its start) ran out before it", o_.prove_total_ms);
  isa::Word sel_mask = 0;
  if (plan && cls)
    for (const auto* f : plan->fields) sel_mask |= isa::low_bits(f->width) << f->shift;
  // What the tested states already showed on the machine is not asked again.
  analysis::Known known;
  auto user_w = [&](const char* prop) { return c.user && c.user->property == prop; };
  known.not_privileged = c.not_privileged.has_value();
  known.user_state = c.privileged_pairs > 0;
  known.not_strict = c.not_strictly_privileged.has_value();
  known.strict_pair = c.strict_pairs > 0;
  known.control = c.control_sensitive;
  known.control_user = user_w("control");
  known.mode = c.mode_sensitive;
  known.trap_mode = c.trap_mode_sensitive;
  known.location = c.location_sensitive;
  known.location_user = user_w("location");
  known.owned = c.owned_sensitive;
  known.owned_user = user_w("owned");
  known.timing = c.timing_source;
  known.completes = c.completed > 0;
  unsigned budget = 0;  // with Auto, no instruction may take the check past its totals
  std::uint64_t units = 0;
  if (automatic) {
    budget = static_cast<unsigned>(std::max<std::int64_t>(
        1, static_cast<std::int64_t>(o_.prove_total_ms) - spent.count()));
    if (o_.prove_auto_rlimit) units = o_.prove_auto_rlimit - used;
    // A group of classes proved at once saves a proof (and, undecided, extra states) per class.
    if (o_.prove_auto_class_rlimit) {
      const std::uint64_t cap = o_.prove_auto_class_rlimit * classes;
      units = units ? std::min(units, cap) : cap;
    }
  }
  analysis::InstructionProof p = prover_->prove(ins, sel_mask, plan && cls ? cls : nullptr, known, budget, units);
  if (!p.decided) return p.reason;
  auto disagree = [&](const char* what, const char* how) {
    c.notes.push_back(fmt::format("not proved ({}): {}; the tested verdict is kept", what, how));
  };
  auto word_of = [](const Snap& s) { return s.E[static_cast<std::size_t>(s.base) + s.pc]; };
  // Privileged (the literature's reading).
  if (p.privileged) {
    if (c.not_privileged) disagree("privileged", "the prover found that every user-mode state traps, a tested one did not");
    else c.privileged = c.proved.privileged = true;
  } else if (p.not_privileged) {
    const auto& pw = *p.not_privileged;
    Run ru = exec(pw.a), rs = exec(*pw.b);
    if (!ru.memory_trap && !(ru.trapped && priv_cause(ru.cause))) {
      c.privileged = false;
      c.proved.privileged = true;
      if (!c.not_privileged)
        c.not_privileged = make2("not privileged", word_of(pw.a), pw.a, ru, *pw.b, rs, 0, {},
                                 ru.trapped ? fmt::format("in user mode it traps with cause {}, not the privileged cause", cause_text(ru.cause))
                                            : "it completes in user mode without a trap");
    } else {
      disagree("privileged", "the prover's witness did not reproduce on the machine");
    }
  } else if (c.not_privileged) {
    c.proved.privileged = true;  // the tested witness
  } else if (c.privileged_pairs == 0) {
    c.privileged = false;
    c.proved.privileged = true;  // no user-mode state escapes a memory trap: nothing to test
  } else {
    disagree("privileged", "the prover found no user-mode state without a memory trap, the tested states had some");
  }
  // Privileged (P&G's strict reading).
  if (p.strictly_privileged) {
    if (c.not_strictly_privileged) disagree("strict", "the prover found the strict reading holds, a tested pair did not");
    else c.strictly_privileged = c.proved.strictly_privileged = true;
  } else if (p.not_strictly_privileged) {
    const auto& pw = *p.not_strictly_privileged;
    Run ru = exec(pw.a), rs = exec(*pw.b);
    if (!ru.memory_trap && !rs.memory_trap && !(ru.trapped && !rs.trapped)) {
      c.strictly_privileged = false;
      c.proved.strictly_privileged = true;
      if (!c.not_strictly_privileged)
        c.not_strictly_privileged =
            make2("not strictly privileged", word_of(pw.a), pw.a, ru, *pw.b, rs, 0, {},
                  ru.trapped ? fmt::format("it traps in supervisor mode too (cause {})", cause_text(rs.cause))
                             : "it completes in user mode without a trap");
    } else {
      disagree("strict", "the prover's witness did not reproduce on the machine");
    }
  } else if (c.not_strictly_privileged) {
    c.proved.strictly_privileged = true;
  } else if (c.strict_pairs == 0) {
    c.strictly_privileged = false;
    c.proved.strictly_privileged = true;
  } else {
    disagree("strict", "the prover found no pair without memory traps, the tested states had some");
  }
  // The sensitivities: a witness must reproduce; a proof of none must agree with the tests.
  auto apply = [&](const char* name, bool& flag, std::optional<Witness>& slot, const analysis::ProvedProperty& pp,
                   bool& proved, bool counts_for_user, auto reproduce) {
    bool sampled_user = counts_for_user && c.user && c.user->property == name;
    if (!pp.holds) {
      if (flag) disagree(name, "the prover found no state that shows it, a tested state did");
      else proved = true;
      return;
    }
    if (sampled_user && !pp.user) {
      disagree(name, "the prover found no user-mode state that shows it, a tested one did");
      return;
    }
    std::optional<Witness> wt;
    if (pp.holds && !pp.witness) {  // the tested witness, which Known passed on
      proved = flag;
      if (!flag) disagree(name, "internal: a known witness is missing");
      return;
    }
    if (!flag || (counts_for_user && pp.user && !c.user_sensitive)) {
      wt = reproduce(*pp.witness);
      if (!wt) {
        disagree(name, "the prover's witness did not reproduce on the machine");
        return;
      }
    }
    flag = true;
    proved = true;
    if (wt && !slot) slot = wt;
    if (wt && counts_for_user && pp.user && !c.user_sensitive) {
      c.user_sensitive = true;
      c.user = wt;
    }
  };
  apply("control", c.control_sensitive, c.control, p.control, c.proved.control, true,
        [&](const analysis::ProvedWitness& pw) -> std::optional<Witness> {
          Run r = exec(pw.a);
          if (r.trapped) return std::nullopt;
          auto ch = control_changes(*isa_, pw.a, r.after);
          if (ch.empty()) return std::nullopt;
          Witness wt;
          wt.property = "control";
          wt.word = word_of(pw.a);
          wt.instruction = isa::disassemble(*isa_, wt.word, pw.a.pc);
          wt.before_a = pw.a;
          wt.after_a = r.after;
          wt.differs = ch;
          wt.explanation = "it completes without a trap and changes control state";
          return wt;
        });
  apply("mode", c.mode_sensitive, c.mode, p.mode, c.proved.mode, false,
        [&](const analysis::ProvedWitness& pw) -> std::optional<Witness> {
          Run rs = exec(pw.a), ru = exec(*pw.b);
          if (rs.trapped || ru.trapped) return std::nullopt;
          auto d = differences(*isa_, rs.after, ru.after, 0, pw.a.bound, true);
          if (d.empty()) return std::nullopt;
          return make2("mode", word_of(pw.a), pw.a, rs, *pw.b, ru, 0, d,
                       "the same state in supervisor and user mode gives different results");
        });
  apply("mode (trap)", c.trap_mode_sensitive, c.trap_mode, p.trap_mode, c.proved.trap_mode, false,
        [&](const analysis::ProvedWitness& pw) -> std::optional<Witness> {
          Run rs = exec(pw.a), ru = exec(*pw.b);
          if (rs.memory_trap || ru.memory_trap || rs.trapped == ru.trapped || (ru.trapped && priv_cause(ru.cause)))
            return std::nullopt;
          return make2(
              "mode (trap)", word_of(pw.a), pw.a, rs, *pw.b, ru, 0, {rs.trapped ? "supervisor mode traps" : "user mode traps"},
              rs.trapped ? fmt::format("it traps in supervisor mode (cause {}) but completes in user mode, so a VMM that "
                                       "runs a guest's supervisor code in user mode never sees it", cause_text(rs.cause))
                         : fmt::format("it traps in user mode with cause {}, not the privileged cause, and completes in "
                                       "supervisor mode", cause_text(ru.cause)));
        });
  apply("location", c.location_sensitive, c.location, p.location, c.proved.location, true,
        [&](const analysis::ProvedWitness& pw) -> std::optional<Witness> {
          Run ra = exec(pw.a), rb = exec(*pw.b);
          if (ra.trapped || rb.trapped) return std::nullopt;
          auto d = differences(*isa_, ra.after, rb.after, pw.shift, pw.a.bound, false);
          if (d.empty()) return std::nullopt;
          return make2("location", word_of(pw.a), pw.a, ra, *pw.b, rb, pw.shift, d,
                       fmt::format("the same state relocated by {} words gives results that differ by more than the relocation", pw.shift));
        });
  apply("owned", c.owned_sensitive, c.owned, p.owned, c.proved.owned, true,
        [&](const analysis::ProvedWitness& pw) -> std::optional<Witness> {
          Run ra = exec(pw.a), rb = exec(*pw.b);
          if (ra.trapped || rb.trapped) return std::nullopt;
          for (std::size_t reg : owned_) {
            if (pw.a.controls[reg] == pw.b->controls[reg]) continue;
            auto d = owned_differences(*isa_, pw.a, ra.after, *pw.b, rb.after, reg);
            if (d.empty()) return std::nullopt;
            return make2("owned", word_of(pw.a), pw.a, ra, *pw.b, rb, 0, d,
                         fmt::format("the same state with another value of {}, which a VMM must own, gives different results",
                                     isa_->controls[reg].name));
          }
          return std::nullopt;
        });
  apply("timing", c.timing_source, c.timing, p.timing, c.proved.timing, false,
        [&](const analysis::ProvedWitness& pw) -> std::optional<Witness> {
          Run rs = exec(pw.a), rl = exec(*pw.b);
          if (rs.trapped || rl.trapped) return std::nullopt;
          auto d = differences(*isa_, rs.after, rl.after, 0, pw.a.bound, false);
          if (d.empty()) return std::nullopt;
          return make2("timing", word_of(pw.a), pw.a, rs, *pw.b, rl, 0, d,
                       "the same state at another time gives different results");
        });
  return std::nullopt;
}

}  // namespace pgsim::vmm::classifier_engine
