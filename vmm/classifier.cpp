#include "vmm/classifier.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <random>
#include <thread>

#include "analysis/prover.hpp"
#include "isa/disasm.hpp"
#include "vmm/selectors.hpp"

namespace pgsim::vmm {
namespace {

using Snap = machine::Machine::Snapshot;
using isa::FieldKind;

/// SplitMix64's output function (Steele, Lea, Flood 2014): a bijection of 64-bit words that
/// mixes every bit into every bit; also derives each instruction's seed from the check's.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// The classifier's random number generator: SplitMix64 (G. L. Steele, D. Lea, C. H. Flood,
/// "Fast splittable pseudorandom number generators", OOPSLA 2014; Java's SplittableRandom), a
/// 64-bit UniformRandomBitGenerator that passes BigCrush. One 64-bit word per call, about a
/// nanosecond: a random state fills its whole storage (256 words) from it, which with
/// std::mt19937_64 took half of `pgsim check`'s time. Deterministic for a seed on every platform.
class SplitMix64 {
 public:
  using result_type = std::uint64_t;
  explicit SplitMix64(std::uint64_t seed) : x_(seed) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() { return mix64(x_ += 0x9e3779b97f4a7c15ull); }

 private:
  std::uint64_t x_;
};
using isa::Op;

/// What one execution from a state did.
struct Run {
  Snap after;
  bool trapped = false;
  bool memory_trap = false;
  isa::Word cause = 0;  ///< the trap's cause, when trapped
};

/// The components of two snapshots that differ; `shift` relates B's storage to A's
/// (B's base = A's base + shift) within A's region [base, base + bound) of `region` words.
std::vector<std::string> differences(const isa::IsaModel& isa, const Snap& a, const Snap& b, isa::Word shift,
                                     isa::Word region, bool ignore_mode) {
  std::vector<std::string> d;
  for (std::size_t r = 0; r < isa.registers.size(); ++r)
    if (a.regs[r] != b.regs[r]) d.push_back(isa.registers[r]);
  if (a.pc != b.pc) d.push_back("pc");
  if (!ignore_mode && a.mode != b.mode) d.push_back("mode");
  if (a.base + shift != b.base) d.push_back("base");
  if (a.bound != b.bound) d.push_back("bound");
  for (std::size_t c = 0; c < a.controls.size(); ++c)
    if (a.controls[c] != b.controls[c]) d.push_back(isa.controls[c].name);
  if (a.timer != b.timer || a.timer_pending != b.timer_pending) d.push_back("timer");
  if (a.clock_offset != b.clock_offset) d.push_back("clock");
  if (a.out != b.out) d.push_back("console output");
  if (a.in_pos != b.in_pos) d.push_back("console input");
  if (a.halted != b.halted) d.push_back("halted");
  for (isa::Word v = 0; v < region; ++v) {
    std::uint64_t ra = static_cast<std::uint64_t>(a.base) + v, rb = ra + shift;
    if (ra >= a.E.size() || rb >= b.E.size()) break;
    if (a.E[ra] != b.E[rb]) {
      d.push_back(fmt::format("E[virtual {}] = {:#x} vs {:#x}", v, a.E[ra], b.E[rb]));
      break;
    }
  }
  return d;
}

/// Control state that an execution changed (P&G: M, R and the declared control state).
std::vector<std::string> control_changes(const isa::IsaModel& isa, const Snap& before, const Snap& after) {
  std::vector<std::string> d;
  if (before.mode != after.mode) d.push_back("mode");
  if (before.base != after.base) d.push_back("base");
  if (before.bound != after.bound) d.push_back("bound");
  for (std::size_t c = 0; c < before.controls.size(); ++c)
    if (before.controls[c] != after.controls[c]) d.push_back(isa.controls[c].name);
  if (before.timer != after.timer || before.timer_pending != after.timer_pending) d.push_back("timer");
  if (before.clock_offset != after.clock_offset) d.push_back("clock");  // `clock = v` (S/370 SCK)
  if (before.out != after.out) d.push_back("console output");
  if (before.in_pos != after.in_pos) d.push_back("console input");
  if (before.halted != after.halted) d.push_back("halted");
  return d;
}

/// The components in which two runs that differ only in the owned control register `reg`
/// (A: before_a -> after_a, B: before_b -> after_b) end differently. `reg` itself counts only
/// when the instruction wrote it in one of the runs (else it differs because it did before).
std::vector<std::string> owned_differences(const isa::IsaModel& isa, const Snap& before_a, const Snap& after_a,
                                           const Snap& before_b, const Snap& after_b, std::size_t reg) {
  Snap b = after_b;
  bool written = after_a.controls[reg] != before_a.controls[reg] || after_b.controls[reg] != before_b.controls[reg];
  if (!written) b.controls[reg] = after_a.controls[reg];
  return differences(isa, after_a, b, 0, before_a.bound, false);
}

class Classifier {
 public:
  Classifier(std::shared_ptr<const isa::IsaModel> isa, const ClassifierOptions& o,
             std::chrono::steady_clock::time_point start)
      : isa_(std::move(isa)), o_(o), rng_(o.seed), m_(isa_, std::max<isa::Word>(o.memory, 64)), start_(start) {
    // One solver context for all the instructions this classifier proves (creating one costs
    // more than most proofs).
    if (o.prove != ClassifierOptions::Prove::Off)
      prover_ = std::make_unique<analysis::Prover>(isa_, analysis::ProverOptions{o.prove_instruction_ms, size(), o.prove_instruction_rlimit});
    for (std::size_t i = 0; i < isa_->controls.size(); ++i)
      if (isa_->controls[i].owned) owned_.push_back(i);
  }

  /// The rows of one instruction: one, or one per group of selector classes that classify alike.
  /// `index` (the instruction's place in the ISA) seeds its states: each instruction, and each
  /// class of its selector values, draws its own stream, so that its rows do not depend on which
  /// others were classified before it, or on which thread classified it, and a class tested
  /// again (after a proof that did not decide) draws the states it drew without proofs.
  std::vector<Classification> classify(const isa::Instruction& ins, std::size_t index) {
    ins_seed_ = mix64(o_.seed ^ mix64(index + 1));
    units_at_start_ = prover_ ? prover_->resources_used() : 0;
    SelectorPlan plan = plan_selectors(*isa_, ins);
    if (plan.empty()) {
      Classification c = classify_values(ins, nullptr, nullptr, o_.min_states, 0);
      static_cross_check(ins, c);
      return {std::move(c)};
    }
    // Each class on its own; then classes that classify alike are one row.
    unsigned per_class = std::max<unsigned>(o_.min_states_per_class,
                                            (o_.min_states + static_cast<unsigned>(plan.classes.size()) - 1) /
                                                static_cast<unsigned>(plan.classes.size()));
    std::vector<Classification> rows;
    std::vector<std::vector<isa::Word>> values;
    auto add = [&](Classification c, const std::vector<isa::Word>& cls) {
      auto same = std::find_if(rows.begin(), rows.end(), [&](const Classification& r) { return signature(r) == signature(c); });
      if (same == rows.end()) {
        rows.push_back(std::move(c));
        values.push_back(cls);
        return;
      }
      auto& v = values[static_cast<std::size_t>(same - rows.begin())];
      v.insert(v.end(), cls.begin(), cls.end());
      merge(*same, c);
    };
    if (!prover_) {
      for (std::size_t k = 0; k < plan.classes.size(); ++k)
        add(classify_values(ins, &plan, &plan.classes[k], per_class, k), plan.classes[k]);
    } else {
      // With proofs: the classes are sampled, grouped as they classify alike, and each group is
      // proved at once, over all its values (a handful of proofs instead of one per class: a
      // CSR instruction's 4096 numbers fall into a few groups). A group the prover does not
      // decide, or where it finds what the group's tests did not show (so its classes may
      // differ), goes back to its classes, each tested and proved on its own.
      std::vector<Classification> sampled;
      std::vector<std::vector<std::size_t>> members;  // the classes of each group
      for (std::size_t k = 0; k < plan.classes.size(); ++k) {
        Classification c = classify_values(ins, &plan, &plan.classes[k], per_class, k, true);
        auto same = std::find_if(sampled.begin(), sampled.end(), [&](const Classification& r) { return signature(r) == signature(c); });
        if (same == sampled.end()) {
          sampled.push_back(std::move(c));
          members.push_back({k});
        } else {
          merge(*same, c);
          members[static_cast<std::size_t>(same - sampled.begin())].push_back(k);
        }
      }
      for (std::size_t g = 0; g < sampled.size(); ++g) {
        std::vector<isa::Word> group;
        for (std::size_t k : members[g]) group.insert(group.end(), plan.classes[k].begin(), plan.classes[k].end());
        Classification row = sampled[g];
        const auto before = signature(row);
        // (Two classes are proved one by one: proving them at once saves little, and when it
        // does not decide -- x86's MOV and POP to segment registers -- both are proved again.)
        if (members[g].size() != 2 && !prove_into(row, ins, &plan, &group, members[g].size()) && signature(row) == before &&
            row.notes.size() == sampled[g].notes.size()) {
          add(std::move(row), group);
          continue;
        }
        for (std::size_t k : members[g]) add(classify_values(ins, &plan, &plan.classes[k], per_class, k), plan.classes[k]);
      }
    }
    if (rows.size() > 1)
      for (std::size_t i = 0; i < rows.size(); ++i) {
        rows[i].selector = selector_label(plan, values[i]);
        std::sort(values[i].begin(), values[i].end());
        rows[i].selector_values = std::move(values[i]);
      }
    for (auto& r : rows) static_cross_check(ins, r);
    return rows;
  }

 private:
  std::shared_ptr<const isa::IsaModel> isa_;
  ClassifierOptions o_;
  SplitMix64 rng_;
  machine::Machine m_;
  std::vector<std::size_t> owned_;  ///< indices of the control registers declared `owned`

  std::unique_ptr<analysis::Prover> prover_;  ///< proved verdicts (null with ClassifierOptions::Prove::Off)
  std::chrono::steady_clock::time_point start_;  ///< the check began
  std::uint64_t ins_seed_ = 0;  ///< the seed of the instruction being classified
  std::uint64_t units_at_start_ = 0;  ///< the prover's resource units used before this instruction

  bool priv_cause(isa::Word cause) const {
    return isa_->causes.privileged >= 0 && cause == static_cast<isa::Word>(isa_->causes.privileged);
  }

  /// Asks the prover about the instruction words of `ins` whose selector values are `cls` (all,
  /// when null), and puts its answers into `c`: a proof that no witness exists marks the property
  /// proved; a witness is executed on the machine and, when it reproduces, becomes the property's
  /// witness (a sensitivity the sampled states missed). Where the prover and the machine disagree,
  /// or the prover could not decide, the tested verdict stays, with a note that says why.
  /// Returns why the prover did not decide (nullopt when it did); the caller adds the note.
  std::optional<std::string> prove_into(Classification& c, const isa::Instruction& ins, const SelectorPlan* plan,
                                        const std::vector<isa::Word>* cls, std::size_t classes = 1) {
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

  static std::vector<bool> signature(const Classification& c) {
    return {c.privileged, c.strictly_privileged, c.control_sensitive, c.location_sensitive, c.mode_sensitive,
            c.trap_mode_sensitive, c.owned_sensitive, c.user_sensitive, c.timing_source};
  }

  /// Adds the evidence of `b` (same signature) to `a`.
  static void merge(Classification& a, const Classification& b) {
    for (auto [x, y] : {std::pair{&a.proved.privileged, b.proved.privileged}, {&a.proved.strictly_privileged, b.proved.strictly_privileged},
                        {&a.proved.control, b.proved.control}, {&a.proved.location, b.proved.location},
                        {&a.proved.mode, b.proved.mode}, {&a.proved.trap_mode, b.proved.trap_mode},
                        {&a.proved.owned, b.proved.owned}, {&a.proved.timing, b.proved.timing}})
      *x = *x && y;  // proved for the group only when proved for each of its classes
    for (const auto& n : b.notes)
      if (std::find(a.notes.begin(), a.notes.end(), n) == a.notes.end()) a.notes.push_back(n);
    a.privileged_pairs += b.privileged_pairs;
    a.strict_pairs += b.strict_pairs;
    a.states += b.states;
    a.completed += b.completed;
    a.trials += b.trials;
    a.exhaustive = a.exhaustive && b.exhaustive;
    for (const auto& p : b.mode_pairs)
      if (std::find(a.mode_pairs.begin(), a.mode_pairs.end(), p) == a.mode_pairs.end()) a.mode_pairs.push_back(p);
    for (auto [x, y] : {std::pair{&a.control, &b.control}, {&a.location, &b.location}, {&a.mode, &b.mode},
                        {&a.trap_mode, &b.trap_mode}, {&a.owned, &b.owned}, {&a.timing, &b.timing}, {&a.user, &b.user},
                        {&a.not_privileged, &b.not_privileged}, {&a.not_strictly_privileged, &b.not_strictly_privileged}})
      if (!*x && *y) *x = *y;
  }

  /// "in supervisor mode" / "in user mode" for P&G's two modes, else "at ring3".
  std::string at_level(isa::Word l) const {
    if (isa_->levels.size() == 2 && isa_->levels[0] == "supervisor") return l == 0 ? "in supervisor mode" : "in user mode";
    return "at " + isa_->level_name(l);
  }
  /// "supervisor mode" / "user mode" for P&G's two modes, else the level's name.
  std::string level_word(isa::Word l) const {
    if (isa_->levels.size() == 2 && isa_->levels[0] == "supervisor") return l == 0 ? "supervisor mode" : "user mode";
    return isa_->level_name(l);
  }

  std::string cause_text(isa::Word cause) const {
    return fmt::format("{} ({})", isa_->cause_name(cause), cause);
  }

  /// Classifies the instruction over the operand words whose selector fields (of `plan`) take
  /// the values of `cls` (all words when null), from at least `min_states` states.
  /// The states come from stream `stream` of the instruction (its class's index). With
  /// `sample_only`, only the sampled states: no proof, no extra states for rare paths.
  Classification classify_values(const isa::Instruction& ins, const SelectorPlan* plan,
                                 const std::vector<isa::Word>* cls, unsigned min_states, std::size_t stream,
                                 bool sample_only = false) {
    rng_ = SplitMix64(mix64(ins_seed_ ^ mix64(0x5e1ec7ull + stream)));
    Classification c;
    c.mnemonic = ins.mnemonic;
    auto words = operand_words(ins, plan, cls, c.exhaustive);
    bool priv_ok = true, strict_ok = true;
    // A class of selector values draws one state per operand word (its values behave alike, and
    // the instruction's classes together still draw min_states and more); an instruction, or an
    // exhaustively enumerated class, draws states_per_word (2 when exhaustive) per word.
    const unsigned per_word = std::max<unsigned>(
        c.exhaustive ? 2u : cls ? 1u : o_.states_per_word,
        static_cast<unsigned>((min_states + words.size() - 1) / std::max<std::size_t>(words.size(), 1)));
    const isa::Word N = static_cast<isa::Word>(isa_->levels.size());
    const isa::Word g = std::min<isa::Word>(isa_->guest_kernel, N - 1);  // the guest kernel's level
    bool guest_values = false;  // some owned register has a value a VMM keeps while a guest runs
    for (const auto& cr : isa_->controls) guest_values = guest_values || cr.has_guest_value;
    std::vector<Snap> st(N);
    std::vector<Run> rn(N);
    // The levels whose states are tested for location, owned state and control changes: user
    // first (P&G's order, so that two-mode ISAs draw the same random numbers as ever).
    std::vector<isa::Word> order;
    for (isa::Word l = N; l-- > 0;) order.push_back(l);
    // One random state with word w at P, run at every level and compared.
    auto one_state = [&](isa::Word w) {
      {
        Snap s = random_state(w);
        ++c.states;
        // The same state at every level (P&G: in both modes).
        for (isa::Word l = N; l-- > 0;) {
          st[l] = s;
          st[l].mode = l;
          rn[l] = exec(st[l]);
          if (!rn[l].trapped) ++c.completed;
        }
        c.trials += N;
        const Snap& ss = st[0];
        const Run& rs = rn[0];
        auto priv_trap = [&](const Run& r) {
          return r.trapped && !r.memory_trap && isa_->causes.privileged >= 0 &&
                 r.cause == static_cast<isa::Word>(isa_->causes.privileged);
        };
        // Privileged: it traps at every level a guest runs at (the guest kernel's and less
        // privileged ones), with the owned registers at the values a VMM keeps them at.
        for (isa::Word l = g; l < N; ++l) {
          const Snap* sl = &st[l];
          const Run* rl = &rn[l];
          Snap sg;
          Run rg;
          if (guest_values) {
            sg = st[l];
            for (std::size_t i = 0; i < isa_->controls.size(); ++i)
              if (isa_->controls[i].has_guest_value) sg.controls[i] = isa_->controls[i].guest_value;
            rg = exec(sg);
            ++c.trials;
            sl = &sg;
            rl = &rg;
          }
          if (!rl->memory_trap) {  // the literature's reading: the guest's level alone decides
            ++c.privileged_pairs;
            if (priv_ok && !priv_trap(*rl)) {
              priv_ok = false;
              c.not_privileged = make2("not privileged", w, *sl, *rl, ss, rs, 0, {},
                                       rl->trapped ? fmt::format("{} it traps with cause {}, not the privileged cause",
                                                                 at_level(l), cause_text(rl->cause))
                                                   : fmt::format("it completes {} without a trap", at_level(l)));
            }
          }
          if (!rl->memory_trap && !rs.memory_trap) {  // P&G's strict reading
            ++c.strict_pairs;
            if (strict_ok && !(rl->trapped && !rs.trapped)) {
              strict_ok = false;
              c.not_strictly_privileged =
                  make2("not strictly privileged", w, *sl, *rl, ss, rs, 0, {},
                        rl->trapped ? fmt::format("it traps {} too (cause {})", at_level(0), cause_text(rs.cause))
                                    : fmt::format("it completes {} without a trap", at_level(l)));
            }
          }
        }
        // Mode sensitivity between what the guest's kernel believes (levels 0 .. g-1) and the
        // level it runs at (g): through a trap, or in the results.
        for (isa::Word v = 0; v < g; ++v) {
          const Snap& sv = st[v];
          const Run& rv = rn[v];
          const Run& rg = rn[g];
          if (!rv.memory_trap && !rg.memory_trap && rv.trapped != rg.trapped && !priv_trap(rg) && !c.trap_mode) {
            // One run traps, the other completes, and it is not the privileged pattern (the
            // guest's level traps with the privileged cause, the more privileged one completes).
            c.trap_mode_sensitive = true;
            c.trap_mode = make2(
                "mode (trap)", w, sv, rv, st[g], rg, 0,
                {rv.trapped ? fmt::format("{} traps", level_word(v)) : fmt::format("{} traps", level_word(g))},
                rv.trapped ? fmt::format("it traps {} (cause {}) but completes {}, so a VMM that runs a guest's {} "
                                         "code {} never sees it",
                                         at_level(v), cause_text(rv.cause), at_level(g),
                                         isa_->levels.size() == 2 && v == 0 ? std::string("supervisor") : level_word(v),
                                         at_level(g))
                           : fmt::format("it traps {} with cause {}, not the privileged cause, and completes {}",
                                         at_level(g), cause_text(rg.cause), at_level(v)));
          }
          if (!rv.trapped && !rg.trapped && !c.mode) {
            auto d = differences(*isa_, rv.after, rg.after, 0, s.bound, true);
            if (!d.empty()) {
              c.mode_sensitive = true;
              c.mode = make2("mode", w, sv, rv, st[g], rg, 0, d,
                             N == 2 && isa_->levels[0] == "supervisor"
                                 ? std::string("the same state in supervisor and user mode gives different results")
                                 : fmt::format("the same state at {} and at {} gives different results",
                                               isa_->levels[v], isa_->levels[g]));
            }
          }
        }
        // Every pair of levels, for the report (more than two levels).
        if (N > 2)
          for (isa::Word i = 0; i < N; ++i)
            for (isa::Word j = i + 1; j < N; ++j) {
              std::pair<isa::Word, isa::Word> pr{i, j};
              if (std::find(c.mode_pairs.begin(), c.mode_pairs.end(), pr) != c.mode_pairs.end()) continue;
              const Run &ri = rn[i], &rj = rn[j];
              if (ri.memory_trap || rj.memory_trap) continue;
              bool differ = ri.trapped != rj.trapped ? !(rj.trapped && priv_trap(rj))
                                                     : (!ri.trapped && !differences(*isa_, ri.after, rj.after, 0, s.bound, true).empty());
              if (differ) c.mode_pairs.push_back(pr);
            }
        // Control sensitive: completes without a trap and changes control state.
        for (isa::Word l : order) {
          const Snap& before = st[l];
          const Run& run = rn[l];
          if (run.trapped || (c.control && (before.mode < g || c.user))) continue;
          auto ch = control_changes(*isa_, before, run.after);
          if (!ch.empty()) {
            c.control_sensitive = true;
            Witness wt;
            wt.property = "control";
            wt.word = w;
            wt.instruction = isa::disassemble(*isa_, w, before.pc);
            wt.before_a = before;
            wt.after_a = run.after;
            wt.differs = ch;
            wt.explanation = "it completes without a trap and changes control state";
            if (!c.control) c.control = wt;
            if (before.mode >= g && !c.user) { c.user_sensitive = true; c.user = wt; }
          }
        }
        // Behavior sensitive (location): the same state moved by x, storage moved along.
        for (isa::Word l : order) {
          const Snap* base = &st[l];
          if (c.location && (base->mode < g || c.user)) continue;
          const Run& ra = rn[l];
          if (ra.trapped) continue;
          isa::Word x = relocation(*base);
          if (x == 0) continue;
          Snap moved = move_by(*base, x);
          Run rb = exec(moved);
          ++c.trials;
          if (rb.trapped) continue;
          auto d = differences(*isa_, ra.after, rb.after, x, base->bound, false);
          if (!d.empty()) {
            c.location_sensitive = true;
            auto wt = make2("location", w, *base, ra, moved, rb, x, d,
                            fmt::format("the same state relocated by {} words gives results that differ by more than the relocation", x));
            if (!c.location) c.location = wt;
            if (base->mode >= g && !c.user) { c.user_sensitive = true; c.user = wt; }
          }
        }
        // Behavior sensitive (owned state): the same state with another value of a control
        // register the ISA declares `owned` (a VMM gives its guest a virtual value of it).
        if (!owned_.empty()) {
          for (isa::Word l : order) {
            const Snap* base = &st[l];
            if (c.owned && (base->mode < g || c.user)) continue;
            const Run& ra = rn[l];
            if (ra.trapped) continue;
            std::size_t reg = owned_[rnd(static_cast<isa::Word>(owned_.size()))];
            Snap other = *base;
            const auto& cr = isa_->controls[reg];
            isa::Word v = control_value(cr, *base);
            if (v == base->controls[reg]) v = (v ^ 1u) & cr.mask();
            other.controls[reg] = v;
            Run rb = exec(other);
            ++c.trials;
            if (rb.trapped) continue;
            auto d = owned_differences(*isa_, *base, ra.after, other, rb.after, reg);
            if (!d.empty()) {
              c.owned_sensitive = true;
              auto wt = make2("owned", w, *base, ra, other, rb, 0, d,
                              fmt::format("the same state with another value of {}, which a VMM must own, gives different results",
                                          cr.name));
              if (!c.owned) c.owned = wt;
              if (base->mode >= g && !c.user) { c.user_sensitive = true; c.user = wt; }
            }
          }
        }
        // Timing source: the same state at another time.
        if (!c.timing && !rs.trapped) {
          Snap later = ss;
          later.cycles += 1 + (rng_() % 100000);
          Run rl = exec(later);
          ++c.trials;
          if (!rl.trapped) {
            // A clock that either run set is compared by its value (offset + cycles), not its offset.
            Snap la = rl.after;
            if (la.clock_offset != later.clock_offset || rs.after.clock_offset != ss.clock_offset)
              la.clock_offset = (la.clock_offset + static_cast<isa::Word>(la.cycles - rs.after.cycles)) & wide_mask();
            auto d = differences(*isa_, rs.after, la, 0, s.bound, false);
            if (!d.empty()) {
              c.timing_source = true;
              c.timing = make2("timing", w, ss, rs, later, rl, 0, d, "the same state at another time gives different results");
            }
          }
        }
      }
    };
    for (isa::Word w : words)
      for (unsigned k = 0; k < per_word; ++k) one_state(w);
    // Rare paths: when the semantics can do what no tested state showed -- an instruction that
    // is not declared privileged traps at every tested guest state, or its semantics read the
    // mode or owned state, or write control state, and no pair showed it -- keep drawing states
    // (up to kMoreStates times as many) until one does, or the instruction is sensitive anyway. Descriptor-table checks (x86 LAR, far
    // RET, INT n) pass on few random states. An instruction declared privileged, or one whose
    // tested states already show what its semantics can do, draws no more states.
    const Reads reads = reads_of(ins);
    const bool declared_privileged = ins.privileged && ins.max_level < g;
    auto unresolved = [&] {
      if (priv_ok && !declared_privileged) return true;
      if (priv_ok || c.sensitive()) return false;  // privileged as declared, or already sensitive
      return (reads.mode && !c.mode_sensitive && !c.trap_mode_sensitive) || (reads.owned && !c.owned_sensitive) ||
             (reads.writes_control && !c.control_sensitive);
    };
    // With proofs, the prover is asked first: what it decides over all states, more sampled
    // states cannot change (a proof that no state shows a property; a witness it found, which
    // the machine re-executes). Only when it cannot decide are the extra states drawn.
    std::optional<std::string> undecided;
    if (sample_only) {
      c.privileged = priv_ok && c.privileged_pairs > 0;
      c.strictly_privileged = strict_ok && c.strict_pairs > 0;
      if (c.privileged) c.not_privileged.reset();
      if (c.strictly_privileged) c.not_strictly_privileged.reset();
      return c;
    }
    if (prover_ && unresolved()) {
      c.privileged = priv_ok && c.privileged_pairs > 0;
      c.strictly_privileged = strict_ok && c.strict_pairs > 0;
      if (c.privileged) c.not_privileged.reset();
      if (c.strictly_privileged) c.not_strictly_privileged.reset();
      undecided = prove_into(c, ins, plan, cls);
      if (!undecided) return c;
    }
    if (!words.empty())
      for (std::uint64_t more = 0, cap = std::uint64_t{kMoreStates} * c.states; more < cap && unresolved(); ++more)
        one_state(words[rnd(static_cast<isa::Word>(words.size()))]);
    c.privileged = priv_ok && c.privileged_pairs > 0;
    c.strictly_privileged = strict_ok && c.strict_pairs > 0;
    if (c.privileged) c.not_privileged.reset();
    if (c.strictly_privileged) c.not_strictly_privileged.reset();
    if (undecided) c.notes.push_back(fmt::format("not proved: {}; tested on {} states instead", *undecided, c.states));
    else if (prover_) {
      undecided = prove_into(c, ins, plan, cls);
      if (undecided) c.notes.push_back(fmt::format("not proved: {}; tested on {} states instead", *undecided, c.states));
    }
    return c;
  }

  isa::Word size() const { return static_cast<isa::Word>(m_.storage().size()); }
  /// All ones in 32 bits, or in the word's bits when the word is wider: the boundary values
  /// and random words the classifier draws (32 bits as before for words of up to 32 bits).
  isa::Word wide_mask() const { return isa::low_bits(std::max(32u, isa_->word_bits)); }
  isa::Word rnd(isa::Word n) { return n ? static_cast<isa::Word>(rng_() % n) : 0; }

  Run exec(const Snap& s) {
    // A prover's witness may need another machine size than the test machine's.
    std::optional<machine::Machine> other;
    if (s.E.size() != m_.storage().size()) other.emplace(isa_, static_cast<isa::Word>(s.E.size()));
    machine::Machine& m = other ? *other : m_;
    m.restore(s);
    std::uint64_t traps = m.traps();
    machine::Event e = m.step();
    Run r;
    r.after = m.snapshot();
    r.trapped = m.traps() != traps;
    r.cause = r.trapped && e.kind == machine::EventKind::Trap ? e.cause : 0;
    r.memory_trap = r.trapped && isa_->causes.memory >= 0 && r.cause == static_cast<isa::Word>(isa_->causes.memory);
    return r;
  }

  Witness make2(const char* prop, isa::Word w, const Snap& a, const Run& ra, const Snap& b, const Run& rb,
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

  /// Operand words: every value of the operand fields when they total <= 16 bits and at most
  /// 4096 combinations (register fields only over existing registers), else boundary and
  /// random values. With a class of
  /// selector values, the selector fields take the class's values (all of them when there are
  /// at most 64, else 64 drawn at random) and the other fields as above.
  std::vector<isa::Word> operand_words(const isa::Instruction& ins, const SelectorPlan* plan,
                                           const std::vector<isa::Word>* cls, bool& exhaustive) {
    const auto& f = isa_->formats[static_cast<std::size_t>(ins.format)];
    auto is_selector = [&](const isa::Field& fl) {
      return cls && plan && std::find(plan->fields.begin(), plan->fields.end(), &fl) != plan->fields.end();
    };
    std::vector<const isa::Field*> fields;
    unsigned bits = 0;
    bool selector_field_all = true;
    for (const auto& fl : f.fields) {
      bool operand = fl.kind == FieldKind::Register || fl.kind == FieldKind::Signed || fl.kind == FieldKind::Unsigned;
      if (!operand || fixed_by_where(ins, fl)) continue;
      if (is_selector(fl)) continue;  // a selector: its values come from the class
      fields.push_back(&fl);
      bits += fl.width;
    }
    auto values = [&](const isa::Field& fl, bool all) {
      std::vector<isa::Word> v;
      isa::Word n = fl.kind == FieldKind::Register ? static_cast<isa::Word>(isa_->registers.size())
                                                       : isa::low_bits(fl.width) + 1u;  // (a field is < 32 bits)
      if (all || fl.kind == FieldKind::Register) {
        for (isa::Word i = 0; i < n; ++i) v.push_back(i);
        return v;
      }
      isa::Word top = n - 1, half = n / 2;
      for (isa::Word x : {isa::Word{0}, isa::Word{1}, isa::Word{2}, isa::Word{3}, isa::Word{4}, isa::Word{5},
                          isa::Word{8}, isa::Word{16}, half - 1, half, top, top - 1})
        v.push_back(x & top);
      for (int i = 0; i < 8; ++i) v.push_back(rnd(n));
      for (int i = 0; i < 8; ++i) v.push_back(rnd(64));
      return v;
    };
    // Every combination when the operand fields total <= 16 bits and give at most 4096 words.
    std::uint64_t combos = 1;
    for (const auto* fl : fields)
      combos *= fl->kind == FieldKind::Register ? isa_->registers.size() : std::uint64_t{isa::low_bits(fl->width)} + 1;
    exhaustive = bits <= 16 && combos <= 4096;
    std::vector<isa::Word> words{ins.match};
    if (cls) {
      words.clear();
      std::vector<isa::Word> pick = *cls;
      if (pick.size() > 64) {
        std::shuffle(pick.begin(), pick.end(), rng_);
        pick.resize(64);
        selector_field_all = false;
      }
      for (auto v : pick) words.push_back(ins.match | v);
    }
    for (const auto* fl : fields) {
      auto vals = values(*fl, exhaustive);
      std::vector<isa::Word> next;
      for (auto w : words)
        for (auto v : vals) next.push_back(w | (v << fl->shift));
      words = std::move(next);
      if (!exhaustive && words.size() > 4 * o_.sampled_words) {
        std::shuffle(words.begin(), words.end(), rng_);
        words.resize(o_.sampled_words);
      }
    }
    // With selectors, the class's values times the other fields can be many words: keep a
    // sample (the class's values are alike for every condition of the semantics).
    if (cls && exhaustive && words.size() > 4 * o_.sampled_words) exhaustive = false;
    if (!exhaustive && words.size() > o_.sampled_words) {
      std::shuffle(words.begin(), words.end(), rng_);
      words.resize(o_.sampled_words);
    }
    if (!selector_field_all) exhaustive = false;
    return words;
  }

  /// A control register's value: boundary values, its reset value, and values that make a
  /// pointer it holds land in the test storage (a table base, a trap vector) or in R's region.
  isa::Word control_value(const isa::ControlRegister& cr, const Snap& s) {
    isa::Word v = 0;
    switch (rnd(8)) {
      case 0: v = 0; break;
      case 1: v = cr.reset; break;
      case 2: v = wide_mask(); break;
      case 3: v = static_cast<isa::Word>(rng_()) & wide_mask(); break;
      case 4: v = 1; break;
      case 5: v = rnd(s.bound); break;
      default: v = rnd(size()); break;
    }
    return v & cr.mask();
  }

  isa::Word reg_value(isa::Word bound) {
    switch (rnd(9)) {
      case 0: return 0;
      case 1: return 1;
      case 2: return wide_mask();
      case 3: return wide_mask() >> 1;
      case 4: return (wide_mask() >> 1) + 1u;
      case 5: return static_cast<isa::Word>(rng_()) & wide_mask();
      default: return rnd(bound + 4);
    }
  }

  /// A random state with `w` at P; R leaves room to be moved (base + bound <= 5/8 of E).
  Snap random_state(isa::Word w) {
    m_.reset();
    Snap s = m_.snapshot();
    isa::Word n = size(), room = n * 5 / 8;
    for (auto& e : s.E) {  // random words, a quarter of them pointers into the storage
      std::uint64_t r = rng_();  // a pointer: the high 32 bits scaled to [0, n) (no division)
      e = (r & 3) == 0 ? static_cast<isa::Word>(((r >> 32) * n) >> 32) : static_cast<isa::Word>(r >> 2) & isa_->word_mask();
    }
    for (isa::Word i = 0; i < 64 && i < n; ++i) s.E[i] = rnd(64);  // low storage: small values
    switch (rnd(3)) {
      case 0: s.base = 0; break;
      case 1: s.base = 16 + rnd(16); break;
      default: s.base = rnd(room / 2);
    }
    s.bound = 8 + rnd(room - s.base - 8);
    s.pc = rnd(s.bound);
    s.E[s.base + s.pc] = w;
    for (std::size_t r = 0; r < isa_->registers.size(); ++r)
      s.regs[r] = static_cast<int>(r) == isa_->zero_register ? 0 : reg_value(s.bound) & isa_->word_mask();
    for (std::size_t c = 0; c < s.controls.size(); ++c) s.controls[c] = control_value(isa_->controls[c], s);
    s.timer = 0;
    s.timer_pending = false;
    s.cycles = rng_() % 1000000;
    s.in = {'a', 'b'};
    s.in_pos = 0;
    return s;
  }

  isa::Word relocation(const Snap& s) {
    isa::Word n = size();
    if (s.base + s.bound >= n) return 0;
    isa::Word room = n - (s.base + s.bound);
    return 1 + rnd(room);
  }

  /// P&G's relocated state: R moved by x, the region's contents moved along, same P.
  Snap move_by(const Snap& s, isa::Word x) {
    Snap t = s;
    t.base = s.base + x;
    for (isa::Word a = 0; a < s.bound; ++a) t.E[t.base + a] = s.E[s.base + a];
    return t;
  }

  /// What an instruction's semantics can do, read from its bytecode.
  struct Reads {
    bool writes_control = false, location = false, mode = false, owned = false;
  };
  /// Most states the classifier adds, as a multiple of those it drew, while a rare path is
  /// unresolved (see classify_values).
  static constexpr unsigned kMoreStates = 8;
  Reads reads_of(const isa::Instruction& ins) const {
    Reads r;
    for (const auto& code : ins.semantics.code) {
      switch (code.op) {
        case Op::StoreMode: case Op::StoreBase: case Op::StoreBound: case Op::StoreControl: case Op::SetTimer:
        case Op::ConsoleOut: case Op::ConsoleIn: case Op::Halt: case Op::LoadPsw: case Op::StoreClock:
          r.writes_control = true;
          break;
        case Op::VmEntry: r.writes_control = r.location = true; break;
        case Op::LoadReal: case Op::StoreReal: case Op::PushBase: case Op::PushBound: r.location = true; break;
        case Op::StorePsw: r.location = r.mode = true; break;
        case Op::PushMode: r.mode = true; break;
        case Op::PushControl:
          if (code.arg < isa_->controls.size() && isa_->controls[code.arg].owned) r.owned = true;
          break;
        default: break;
      }
    }
    return r;
  }

  void static_cross_check(const isa::Instruction& ins, Classification& c) {
    bool writes_control = false, reads_location = false, reads_mode = false, reads_owned = false, reads_timer = false;
    for (const auto& code : ins.semantics.code) {
      switch (code.op) {
        case Op::StoreMode: case Op::StoreBase: case Op::StoreBound: case Op::StoreControl: case Op::SetTimer:
        case Op::ConsoleOut: case Op::ConsoleIn: case Op::Halt: case Op::LoadPsw: case Op::StoreClock:
          writes_control = true;
          break;
        case Op::PushTimer: reads_timer = true; break;
        case Op::VmEntry:  // loads the guest's PSW into M and R; its region is a real address
          writes_control = reads_location = true;
          break;
        case Op::LoadReal: case Op::StoreReal: case Op::PushBase: case Op::PushBound: reads_location = true; break;
        case Op::StorePsw: reads_location = reads_mode = true; break;
        case Op::PushMode: reads_mode = true; break;
        case Op::PushControl:
          if (code.arg < isa_->controls.size() && isa_->controls[code.arg].owned) reads_owned = true;
          break;
        default: break;
      }
    }
    if (c.privileged) return;
    if (reads_timer)
      c.notes.push_back("its semantics read the timer, which every tested state (and proof) has off: a VMM that "
                        "keeps the real timer for itself must virtualize this read");
    if (writes_control && !c.control_sensitive && !c.proved.control)
      c.notes.push_back("its semantics write control state, but no tested state showed a change without a trap");
    if (reads_location && !c.location_sensitive && !c.proved.location)
      c.notes.push_back("its semantics read R or real storage, but no tested relocation changed its result");
    if (reads_owned && !c.owned_sensitive && !c.proved.owned)
      c.notes.push_back("its semantics read a control register declared owned, but no tested state pair showed a difference");
    if (reads_mode && !c.mode_sensitive && !c.proved.mode)
      c.notes.push_back("its semantics read the mode, but no tested state pair showed a difference");
  }
};

}  // namespace

Analysis classify(std::shared_ptr<const isa::IsaModel> isa, const ClassifierOptions& options) {
  Analysis a;
  a.isa_name = isa->name;
  a.seed = options.seed;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::size_t> todo;  // indices of the instructions to classify, in the ISA's order
  for (std::size_t i = 0; i < isa->instructions.size(); ++i)
    if (options.only.empty() ||
        std::find(options.only.begin(), options.only.end(), isa->instructions[i].mnemonic) != options.only.end())
      todo.push_back(i);
  // Worker t of T classifies the instructions t, t + T, t + 2T, ... of the list, each with its
  // own machine and prover. An instruction's states depend only on the seed and its index, so
  // without proofs the result is the same for any T. Z3's answers (and resource counts) can
  // depend on the terms its context already holds, so with proofs the fixed assignment keeps
  // the result the same from run to run (and on any machine, for the default T = 2).
  std::vector<std::vector<Classification>> rows(todo.size());
  const unsigned threads = static_cast<unsigned>(std::min<std::size_t>(std::max(1u, options.threads), todo.size()));
  std::vector<std::exception_ptr> failed(threads);
  auto work = [&](unsigned t) {
    try {
      Classifier cl(isa, options, start);
      for (std::size_t k = t; k < todo.size(); k += threads) rows[k] = cl.classify(isa->instructions[todo[k]], todo[k]);
    } catch (...) {
      failed[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& t : pool) t.join();
  for (auto& f : failed)
    if (f) std::rethrow_exception(f);
  for (auto& r : rows)
    for (auto& c : r) a.instructions.push_back(std::move(c));
  for (const auto& c : a.instructions) {
    if (c.sensitive() && !c.privileged) a.theorem1.violations.push_back(c.name());
    if (c.sensitive() && !c.strictly_privileged) a.theorem1_strict.violations.push_back(c.name());
    if (c.user_sensitive && !c.privileged) a.theorem3.violations.push_back(c.name());
    if (c.timing_source) a.timing_sources.push_back(c.name());
  }
  // A verdict is proved when every property it rests on is proved for every row.
  a.theorem1.proved = a.theorem1_strict.proved = a.theorem3.proved = !a.instructions.empty();
  for (const auto& c : a.instructions) {
    a.theorem1.proved = a.theorem1.proved && c.proved.privileged && c.proved.sensitivity();
    a.theorem1_strict.proved = a.theorem1_strict.proved && c.proved.strictly_privileged && c.proved.sensitivity();
    a.theorem3.proved = a.theorem3.proved && c.proved.privileged && c.proved.user();
    for (auto* t : {&a.theorem1, &a.theorem1_strict, &a.theorem3}) t->states += c.states;
  }
  a.theorem2.proved = a.theorem1.proved;
  a.theorem2.states = a.theorem1.states;
  a.theorem1.holds = a.theorem1.violations.empty();
  a.theorem1_strict.holds = a.theorem1_strict.violations.empty();
  a.theorem3.holds = a.theorem3.violations.empty();
  a.theorem2.holds = a.theorem1.holds;
  a.theorem2.violations = a.theorem1.violations;
  return a;
}

bool confirm(const isa::IsaModel& isa, const Witness& w) {
  machine::Machine m(std::make_shared<isa::IsaModel>(isa), static_cast<isa::Word>(w.before_a.E.size()));
  struct R {
    Snap s;
    bool trapped;
    isa::Word cause;
  };
  auto run = [&](const Snap& s) {
    m.restore(s);
    std::uint64_t t = m.traps();
    machine::Event e = m.step();
    bool trapped = m.traps() != t;
    return R{m.snapshot(), trapped, trapped && e.kind == machine::EventKind::Trap ? e.cause : 0u};
  };
  auto [a, ta, ca] = run(w.before_a);
  if (a.E != w.after_a.E || a.regs != w.after_a.regs || a.pc != w.after_a.pc) return false;
  if (w.property == "control") return !ta && !control_changes(isa, w.before_a, a).empty();
  if (!w.before_b) return false;
  auto [b, tb, cb] = run(*w.before_b);
  auto priv = [&](isa::Word cause) { return isa.causes.privileged >= 0 && cause == static_cast<isa::Word>(isa.causes.privileged); };
  const isa::Word g = isa.guest_kernel;  // the guest kernel's level (P&G: user mode)
  if (w.property == "not privileged") return w.before_a.mode >= g && !(ta && priv(ca));
  if (w.property == "not strictly privileged") return !(w.before_a.mode >= g && ta && !tb);
  if (w.property == "mode (trap)") {
    // A: a level the guest's kernel believes it runs at, B: the level it runs at; one traps, the
    // other completes, and not "the guest's level traps with the privileged cause".
    return w.before_a.mode < g && w.before_b->mode == g && ta != tb && !(tb && priv(cb));
  }
  (void)cb;
  if (ta || tb) return false;
  if (w.property == "owned") {
    for (std::size_t r = 0; r < isa.controls.size(); ++r)
      if (isa.controls[r].owned && w.before_a.controls[r] != w.before_b->controls[r])
        return !owned_differences(isa, w.before_a, a, *w.before_b, b, r).empty();
    return false;
  }
  bool ignore_mode = w.property == "mode";
  return !differences(isa, a, b, w.shift, w.before_a.bound, ignore_mode).empty();
}

}  // namespace pgsim::vmm
