// The Popek–Goldberg classifier's public entry points (vmm/classifier.hpp): vmm::classify, which
// runs the per-instruction driver on worker threads and gives the theorems' verdicts, and
// vmm::confirm; the driver itself (one instruction, its selector classes grouped by how they
// classify); and how two snapshots differ. The engine's other parts: vmm/classifier_engine.hpp.
#include "vmm/classifier_engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <thread>
#include <utility>

namespace pgsim::vmm::classifier_engine {

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

std::vector<std::string> owned_differences(const isa::IsaModel& isa, const Snap& before_a, const Snap& after_a,
                                           const Snap& before_b, const Snap& after_b, std::size_t reg) {
  Snap b = after_b;
  bool written = after_a.controls[reg] != before_a.controls[reg] || after_b.controls[reg] != before_b.controls[reg];
  if (!written) b.controls[reg] = after_a.controls[reg];
  return differences(isa, after_a, b, 0, before_a.bound, false);
}

Classifier::Classifier(std::shared_ptr<const isa::IsaModel> isa, const ClassifierOptions& o,
                       std::chrono::steady_clock::time_point start)
    : isa_(std::move(isa)), o_(o), rng_(o.seed), m_(isa_, std::max<isa::Word>(o.memory, 64)), start_(start) {
  // One solver context for all the instructions this classifier proves (creating one costs
  // more than most proofs).
  if (o.prove != ClassifierOptions::Prove::Off)
    prover_ = std::make_unique<analysis::Prover>(isa_, analysis::ProverOptions{o.prove_instruction_ms, size(), o.prove_instruction_rlimit});
  for (std::size_t i = 0; i < isa_->controls.size(); ++i)
    if (isa_->controls[i].owned) owned_.push_back(i);
}

std::vector<Classification> Classifier::classify(const isa::Instruction& ins, std::size_t index) {
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

std::vector<bool> Classifier::signature(const Classification& c) {
  return {c.privileged, c.strictly_privileged, c.control_sensitive, c.location_sensitive, c.mode_sensitive,
          c.trap_mode_sensitive, c.owned_sensitive, c.user_sensitive, c.timing_source};
}

void Classifier::merge(Classification& a, const Classification& b) {
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

void Classifier::static_cross_check(const isa::Instruction& ins, Classification& c) {
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

}  // namespace pgsim::vmm::classifier_engine

namespace pgsim::vmm {

using classifier_engine::Classifier;
using classifier_engine::control_changes;
using classifier_engine::differences;
using classifier_engine::owned_differences;
using classifier_engine::Snap;

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
