// Testing an instruction on sampled states: each state run at every level and compared for the
// P&G properties (privileged in both readings, control, mode, location, owned state, timing),
// and, while its semantics can do what no tested state showed, more states (the rare paths).
#include "vmm/classifier_engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "isa/disasm.hpp"

namespace pgsim::vmm::classifier_engine {

Classification Classifier::classify_values(const isa::Instruction& ins, const SelectorPlan* plan,
                                           const std::vector<isa::Word>* cls, unsigned min_states, std::size_t stream,
                                           bool sample_only) {
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
  // The states and runs a state's comparisons derive, kept from state to state so that their
  // storage is reused (a copy of E after every test run, without an allocation).
  Snap sg, moved, other, later;
  Run rguest, rb, rt;
  auto one_state = [&](isa::Word w) {
    {
      Snap s = random_state(w);
      ++c.states;
      // The same state at every level (P&G: in both modes).
      for (isa::Word l = N; l-- > 0;) {
        st[l] = s;
        st[l].mode = l;
        exec_into(st[l], rn[l]);
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
        if (guest_values) {
          sg = st[l];
          for (std::size_t i = 0; i < isa_->controls.size(); ++i)
            if (isa_->controls[i].has_guest_value) sg.controls[i] = isa_->controls[i].guest_value;
          exec_into(sg, rguest);
          ++c.trials;
          sl = &sg;
          rl = &rguest;
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
        move_by(*base, x, moved);
        exec_into(moved, rb);
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
          other = *base;
          const auto& cr = isa_->controls[reg];
          isa::Word v = control_value(cr, *base);
          if (v == base->controls[reg]) v = (v ^ 1u) & cr.mask();
          other.controls[reg] = v;
          exec_into(other, rb);
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
        later = ss;
        later.cycles += 1 + (rng_() % 100000);
        exec_into(later, rt);
        ++c.trials;
        if (!rt.trapped) {
          // A clock that either run set is compared by its value (offset + cycles), not its offset.
          const Snap* la = &rt.after;
          Snap set;
          if (rt.after.clock_offset != later.clock_offset || rs.after.clock_offset != ss.clock_offset) {
            set = rt.after;
            set.clock_offset = (set.clock_offset + static_cast<isa::Word>(set.cycles - rs.after.cycles)) & wide_mask();
            la = &set;
          }
          auto d = differences(*isa_, rs.after, *la, 0, s.bound, false);
          if (!d.empty()) {
            c.timing_source = true;
            c.timing = make2("timing", w, ss, rs, later, rt, 0, d, "the same state at another time gives different results");
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

Classifier::Reads Classifier::reads_of(const isa::Instruction& ins) const {
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

}  // namespace pgsim::vmm::classifier_engine
