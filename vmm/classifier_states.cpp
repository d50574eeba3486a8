// The states the classifier tests: the operand words of an instruction (every combination, or
// boundary and random values), random machine states with a word at P (register, control
// register and storage values), and P&G's relocated state.
#include "vmm/classifier_engine.hpp"

#include <algorithm>

namespace pgsim::vmm::classifier_engine {

std::vector<isa::Word> Classifier::operand_words(const isa::Instruction& ins, const SelectorPlan* plan,
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

isa::Word Classifier::control_value(const isa::ControlRegister& cr, const Snap& s) {
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

isa::Word Classifier::reg_value(isa::Word bound) {
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

Snap Classifier::random_state(isa::Word w) {
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

isa::Word Classifier::relocation(const Snap& s) {
  isa::Word n = size();
  if (s.base + s.bound >= n) return 0;
  isa::Word room = n - (s.base + s.bound);
  return 1 + rnd(room);
}

void Classifier::move_by(const Snap& s, isa::Word x, Snap& t) {
  t = s;
  t.base = s.base + x;
  for (isa::Word a = 0; a < s.bound; ++a) t.E[t.base + a] = s.E[s.base + a];
}

}  // namespace pgsim::vmm::classifier_engine
