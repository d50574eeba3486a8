#include "vmm/selectors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace pgsim::vmm {
namespace {

using isa::Op;

/// What the abstract pass knows of one evaluation-stack slot.
struct Slot {
  isa::Word fields = 0;  ///< bit i: depends on the format's field i (a candidate selector)
  bool pure = true;          ///< computed from candidate fields and constants only
  std::size_t start = 0;     ///< first bytecode of the code that computes it
};

/// A code range [start, end) computing one value from candidate fields and constants.
struct Key {
  std::size_t start = 0, end = 0;
  isa::Word fields = 0;
};

bool binary(Op op) {
  switch (op) {
    case Op::Add: case Op::Sub: case Op::Mul: case Op::DivS: case Op::RemS: case Op::DivU: case Op::RemU:
    case Op::And: case Op::Or: case Op::Xor: case Op::Shl: case Op::ShrU: case Op::ShrS:
    case Op::Eq: case Op::Ne: case Op::LtS: case Op::LeS: case Op::GtS: case Op::GeS:
    case Op::LtU: case Op::LeU: case Op::GtU: case Op::GeU:
      return true;
    default: return false;
  }
}

bool comparison(Op op) { return op >= Op::Eq && op <= Op::GeU; }

/// Evaluation-stack pops and pushes of the effects (values and operators are handled apart).
int effect_pops(Op op) {
  switch (op) {
    case Op::StoreVirtual: case Op::StoreReal: case Op::Trap: case Op::TrapAfter: case Op::StoreRegIndex: return 2;
    case Op::StoreReg: case Op::StoreRegField: case Op::StorePc: case Op::StoreMode: case Op::StoreBase:
    case Op::StoreBound: case Op::StoreControl: case Op::AddCycles: case Op::ConsoleOut: case Op::SetTimer:
    case Op::LoadPsw: case Op::StorePsw: case Op::VmEntry: case Op::StoreLocal: case Op::StoreClock:
      return 1;
    default: return 0;
  }
}

/// Evaluates the pure code range of a key for instruction word `w` (word of `bits` bits).
std::optional<isa::Word> evaluate(const std::vector<isa::Code>& code, const Key& k, isa::Word w, unsigned bits) {
  const isa::Word M = isa::low_bits(bits);
  auto sx = [&](isa::Word v) {
    int s = 64 - static_cast<int>(bits);
    return static_cast<isa::SWord>(v << s) >> s;
  };
  std::vector<isa::Word> st;
  for (std::size_t pc = k.start; pc < k.end;) {
    const auto& c = code[pc];
    std::size_t next = pc + 1;
    if (c.op == Op::PushConst) {
      st.push_back(c.arg & M);
    } else if (c.op == Op::PushField) {
      unsigned shift = c.arg & 0x3fu, width = (c.arg >> 8) & 0x7fu;
      isa::Word v = (w >> shift) & isa::low_bits(width);
      if ((c.arg & 0x10000u) && width < 64) {
        isa::Word sign = isa::Word{1} << (width - 1);
        v = (v ^ sign) - sign;
      }
      st.push_back(v & M);
    } else if (binary(c.op)) {
      if (st.size() < 2) return std::nullopt;
      isa::Word b = st.back();
      st.pop_back();
      isa::Word a = st.back(), r = 0;
      switch (c.op) {
        case Op::Add: r = a + b; break;
        case Op::Sub: r = a - b; break;
        case Op::Mul: r = a * b; break;
        case Op::DivU: r = b == 0 ? M : a / b; break;
        case Op::RemU: r = b == 0 ? a : a % b; break;
        case Op::DivS: r = b == 0 ? M : (sx(b) == -1 ? 0u - a : static_cast<isa::Word>(sx(a) / sx(b))); break;
        case Op::RemS: r = b == 0 ? a : (sx(b) == -1 ? 0u : static_cast<isa::Word>(sx(a) % sx(b))); break;
        case Op::And: r = a & b; break;
        case Op::Or: r = a | b; break;
        case Op::Xor: r = a ^ b; break;
        case Op::Shl: r = b >= 64 ? 0u : a << b; break;
        case Op::ShrU: r = b >= 64 ? 0u : a >> b; break;
        case Op::ShrS: r = static_cast<isa::Word>(sx(a) >> (b >= 63 ? 63 : b)); break;
        case Op::Eq: r = a == b; break;
        case Op::Ne: r = a != b; break;
        case Op::LtS: r = sx(a) < sx(b); break;
        case Op::LeS: r = sx(a) <= sx(b); break;
        case Op::GtS: r = sx(a) > sx(b); break;
        case Op::GeS: r = sx(a) >= sx(b); break;
        case Op::LtU: r = a < b; break;
        case Op::LeU: r = a <= b; break;
        case Op::GtU: r = a > b; break;
        case Op::GeU: r = a >= b; break;
        default: return std::nullopt;
      }
      st.back() = r & M;
    } else if (!st.empty() && (c.op == Op::Neg || c.op == Op::Not || c.op == Op::LNot || c.op == Op::Bool ||
                               c.op == Op::Sext || c.op == Op::Zext)) {
      isa::Word& v = st.back();
      switch (c.op) {
        case Op::Neg: v = (0u - v) & M; break;
        case Op::Not: v = ~v & M; break;
        case Op::LNot: v = v == 0; break;
        case Op::Bool: v = v != 0; break;
        case Op::Sext: {
          int s = 64 - static_cast<int>(std::clamp<isa::Word>(c.arg, 1, 64));
          v = static_cast<isa::Word>(static_cast<isa::SWord>(v << s) >> s) & M;
          break;
        }
        default: v &= isa::low_bits(c.arg); break;
      }
    } else if (c.op == Op::AndJump || c.op == Op::OrJump) {
      if (st.empty() || c.arg <= pc || c.arg > k.end) return std::nullopt;
      bool decided = c.op == Op::AndJump ? st.back() == 0 : st.back() != 0;
      if (decided) {
        if (c.op == Op::OrJump) st.back() = 1;
        next = c.arg;
      } else {
        st.pop_back();
      }
    } else if (c.op == Op::Jump) {
      if (c.arg <= pc || c.arg > k.end) return std::nullopt;
      next = c.arg;
    } else {
      return std::nullopt;
    }
    pc = next;
  }
  if (st.size() != 1) return std::nullopt;
  return st.back();
}

/// The abstract pass: every condition, and every side of a comparison, that is computed from
/// candidate fields and constants only. Returns nothing when the code has a shape it does not
/// know (then the instruction simply has no selectors).
std::optional<std::vector<Key>> find_keys(const std::vector<isa::Code>& code, const isa::Format& f,
                                          isa::Word candidates) {
  std::vector<Key> keys;
  std::vector<Slot> st;
  std::map<std::size_t, std::vector<Slot>> saved;
  bool dead = false;
  auto field_index = [&](isa::Word arg) -> int {
    unsigned shift = arg & 0x1fu, width = (arg >> 8) & 0x3fu;
    for (std::size_t i = 0; i < f.fields.size(); ++i)
      if (f.fields[i].shift == shift && f.fields[i].width == width) return static_cast<int>(i);
    return -1;
  };
  auto save = [&](std::size_t target, const std::vector<Slot>& s) {
    auto it = saved.find(target);
    if (it == saved.end()) { saved.emplace(target, s); return true; }
    if (it->second.size() != s.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      it->second[i].fields |= s[i].fields;
      it->second[i].pure = it->second[i].pure && s[i].pure;
      it->second[i].start = std::min(it->second[i].start, s[i].start);
    }
    return true;
  };
  auto record = [&](const Slot& s, std::size_t end) {
    if (s.pure && s.fields) keys.push_back({s.start, end, s.fields});
  };
  for (std::size_t pc = 0; pc < code.size(); ++pc) {
    if (auto it = saved.find(pc); it != saved.end()) {
      if (dead) {
        st = it->second;
      } else {
        if (!save(pc, st)) return std::nullopt;
        st = saved[pc];
      }
      saved.erase(pc);
      dead = false;
    }
    if (dead) continue;  // unreachable code
    const auto& c = code[pc];
    auto pop = [&]() -> std::optional<Slot> {
      if (st.empty()) return std::nullopt;
      Slot s = st.back();
      st.pop_back();
      return s;
    };
    switch (c.op) {
      case Op::PushConst: st.push_back({0, true, pc}); break;
      case Op::PushField: {
        int i = field_index(c.arg);
        if (i >= 0 && (candidates >> i) & 1u) st.push_back({1u << i, true, pc});
        else st.push_back({0, false, pc});
        break;
      }
      case Op::PushReg: case Op::PushRegField: case Op::PushPc: case Op::PushMode: case Op::PushBase:
      case Op::PushBound: case Op::PushControl: case Op::PushCycles: case Op::PushInsn: case Op::ConsoleIn:
      case Op::PushLocal:  // a temporary: not followed through (its value is not a selector)
      case Op::PushTimer: case Op::PushClock:
        st.push_back({0, false, pc});
        break;
      case Op::LoadVirtual: case Op::LoadReal: case Op::PushRegIndex:
        if (st.empty()) return std::nullopt;
        st.back().pure = false;
        break;
      case Op::Bool:  // the right operand of && or ||: a condition too
        if (st.empty()) return std::nullopt;
        record(st.back(), pc);
        break;
      case Op::Neg: case Op::Not: case Op::LNot: case Op::Sext: case Op::Zext:
        if (st.empty()) return std::nullopt;
        break;
      case Op::JumpIfZero: {
        auto s = pop();
        if (!s || c.arg <= pc) return std::nullopt;
        record(*s, pc);
        if (!save(c.arg, st)) return std::nullopt;
        break;
      }
      case Op::Jump:
        if (c.arg <= pc || !save(c.arg, st)) return std::nullopt;
        dead = true;
        break;
      case Op::AndJump: case Op::OrJump: {
        if (st.empty() || c.arg <= pc) return std::nullopt;
        record(st.back(), pc);
        if (!save(c.arg, st)) return std::nullopt;
        st.pop_back();
        break;
      }
      case Op::End: dead = true; break;
      default:
        if (binary(c.op)) {
          auto b = pop(), a = pop();
          if (!a || !b) return std::nullopt;
          if (comparison(c.op)) {  // one side of a comparison with state: its value selects
            if (a->pure != b->pure) record(a->pure ? *a : *b, a->pure ? b->start : pc);
          }
          st.push_back({a->fields | b->fields, a->pure && b->pure, a->start});
        } else {
          for (int n = effect_pops(c.op); n > 0; --n)
            if (!pop()) return std::nullopt;
        }
    }
  }
  return keys;
}

}  // namespace

SelectorPlan plan_selectors(const isa::IsaModel& isa, const isa::Instruction& ins) {
  SelectorPlan plan;
  const auto& f = isa.formats[static_cast<std::size_t>(ins.format)];
  if (f.fields.size() > 32) return plan;
  isa::Word candidates = 0;
  for (std::size_t i = 0; i < f.fields.size(); ++i) {
    const auto& fl = f.fields[i];
    if ((fl.kind == isa::FieldKind::Signed || fl.kind == isa::FieldKind::Unsigned) && fl.width <= kMaxSelectorBits &&
        !isa::fixed_by_where(ins, fl))
      candidates |= 1u << i;
  }
  if (!candidates) return plan;
  auto keys = find_keys(ins.semantics.code, f, candidates);
  if (!keys || keys->empty()) return plan;
  // The selector fields, in format order, while their bits fit the limit.
  isa::Word used = 0;
  unsigned bits = 0;
  std::vector<Key> kept;
  for (const auto& k : *keys) {
    isa::Word extra = k.fields & ~used;
    unsigned more = 0;
    for (std::size_t i = 0; i < f.fields.size(); ++i)
      if ((extra >> i) & 1u) more += f.fields[i].width;
    if (bits + more > kMaxSelectorBits) continue;
    used |= extra;
    bits += more;
    kept.push_back(k);
  }
  if (kept.empty()) return plan;
  for (std::size_t i = 0; i < f.fields.size(); ++i)
    if ((used >> i) & 1u) plan.fields.push_back(&f.fields[i]);
  // Every combination of the selector fields' values, as word bits.
  std::vector<isa::Word> combos{0};
  for (const auto* fl : plan.fields) {
    std::vector<isa::Word> next;
    for (auto c : combos)
      for (isa::Word v = 0; v <= isa::low_bits(fl->width); ++v) next.push_back(c | (v << fl->shift));
    combos = std::move(next);
  }
  // Each key's value for each combination; drop keys with many values (operands used as numbers).
  std::vector<std::vector<isa::Word>> table;
  for (const auto& k : kept) {
    std::vector<isa::Word> col;
    std::set<isa::Word> distinct;
    bool ok = true;
    for (auto c : combos) {
      auto v = evaluate(ins.semantics.code, k, ins.match | c, isa.word_bits);
      if (!v) { ok = false; break; }
      col.push_back(*v);
      distinct.insert(*v);
      if (distinct.size() > 16) { ok = false; break; }
    }
    if (ok && distinct.size() > 1) table.push_back(std::move(col));
  }
  if (table.empty()) { plan.fields.clear(); return plan; }
  for (;;) {
    std::map<std::vector<isa::Word>, std::size_t> index;
    std::vector<std::vector<isa::Word>> classes;
    for (std::size_t j = 0; j < combos.size(); ++j) {
      std::vector<isa::Word> key;
      for (const auto& col : table) key.push_back(col[j]);
      auto [it, fresh] = index.emplace(key, classes.size());
      if (fresh) classes.emplace_back();
      classes[it->second].push_back(combos[j]);
    }
    if (classes.size() <= 256 || table.size() == 1) {
      if (classes.size() <= 256) plan.classes = std::move(classes);
      break;
    }
    table.pop_back();
  }
  if (plan.classes.size() < 2) { plan.fields.clear(); plan.classes.clear(); }
  return plan;
}

std::string selector_label(const SelectorPlan& plan, const std::vector<isa::Word>& values) {
  auto fmt_value = [](const isa::Field& fl, isa::Word v) {
    if (fl.kind == isa::FieldKind::Signed) {
      isa::Word sign = isa::Word{1} << (fl.width - 1);
      std::int64_t s = static_cast<std::int64_t>(static_cast<isa::SWord>((v ^ sign) - sign));
      return fmt::format("{}", s);
    }
    return fl.width >= 8 ? fmt::format("0x{:0{}x}", v, (fl.width + 3) / 4) : fmt::format("{}", v);
  };
  std::vector<isa::Word> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  constexpr std::size_t kMaxItems = 6;
  std::string out;
  if (plan.fields.size() == 1) {
    const auto& fl = *plan.fields[0];
    std::vector<isa::Word> raw;
    for (auto v : sorted) raw.push_back(fl.extract(v));
    std::sort(raw.begin(), raw.end());
    std::vector<std::string> items;
    for (std::size_t i = 0; i < raw.size();) {
      std::size_t j = i;
      while (j + 1 < raw.size() && raw[j + 1] == raw[j] + 1) ++j;
      if (j == i) items.push_back(fmt_value(fl, raw[i]));
      else if (j == i + 1) { items.push_back(fmt_value(fl, raw[i])); items.push_back(fmt_value(fl, raw[j])); }
      else items.push_back(fmt_value(fl, raw[i]) + ".." + fmt_value(fl, raw[j]));
      i = j + 1;
    }
    out = fl.name + "=";
    for (std::size_t i = 0; i < items.size() && i < kMaxItems; ++i) out += (i ? "," : "") + items[i];
    if (items.size() > kMaxItems) out += fmt::format(",... ({} values)", raw.size());
    return out;
  }
  if (sorted.size() > 3) {  // several fields, many values: their names and how many
    std::string names;
    for (const auto* fl : plan.fields) names += (names.empty() ? "" : ",") + fl->name;
    return fmt::format("{}: {} values", names, sorted.size());
  }
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    std::string t;
    for (const auto* fl : plan.fields) t += (t.empty() ? "" : ",") + fl->name + "=" + fmt_value(*fl, fl->extract(sorted[i]));
    out += (i ? " | " : "") + t;
  }
  return out;
}

}  // namespace pgsim::vmm
