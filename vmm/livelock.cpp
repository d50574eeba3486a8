#include "vmm/livelock.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "vmm/stack.hpp"

namespace pgsim::vmm {
namespace {

/// 7301 as "7,301".
std::string grouped(std::uint64_t n) {
  std::string d = std::to_string(n), out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

}  // namespace

std::string TimerLivelock::message() const {
  std::string who = depth == 0       ? "the guest on the bare machine"
                    : level == depth ? fmt::format("the guest, depth {}", depth)
                                     : fmt::format("a VMM, depth {}", depth);
  std::string s = fmt::format(
      "{}: L{} ({}) completed no instruction with interrupts enabled across {} consecutive timer interrupts "
      "delivered to it. ",
      kTimerLivelockReason, level, who, ticks);
  s += period ? fmt::format("Its timer period is {} cycles; ", grouped(period)) : std::string("Its timer period is unknown; ");
  s += fmt::format("one tick costs {} cycles at depth {} (from one tick's real interrupt to the next)", grouped(tick_cycles),
                   depth);
  if (resume_cycles)
    s += fmt::format(", and {} cycles pass from the real stimer that re-arms the timer to L{}'s next instruction{}",
                     grouped(resume_cycles), level, period && resume_cycles >= period ? ", at least the period" : "");
  s += ": every tick falls due before the interrupted code runs again.";
  return s;
}

TimerLivelockWatch::TimerLivelockWatch(const isa::IsaModel& isa, unsigned depth, bool ie, unsigned threshold)
    : threshold_(std::max(1u, threshold)),
      depth_(depth),
      timer_cause_(isa.causes.timer),
      priv_cause_(isa.causes.privileged),
      timer_enable_(isa.timer_enable),
      levels_(depth + 1),
      ie_(ie) {
  if (!isa.instructions.empty()) first_ = &isa.instructions.front();
  for (const auto& ins : isa.instructions) {
    const bool sets = std::any_of(ins.semantics.code.begin(), ins.semantics.code.end(),
                                  [](const isa::Code& c) { return c.op == isa::Op::SetTimer; });
    sets_timer_.push_back(sets);
    if (sets) {
      if (!lo_) lo_ = &ins;
      hi_ = &ins;
    }
  }
}

std::optional<isa::Word> TimerLivelockWatch::timer_operand(const machine::Machine& m, const isa::Instruction& ins,
                                                               isa::Word word) const {
  // The value a timer-setting instruction would set, when its semantics name it directly: a
  // register field (`stimer(rs)`) or a constant just before the SetTimer. A trap changes no
  // register, so the register still holds it right after the trap.
  const auto& code = ins.semantics.code;
  for (std::size_t i = 1; i < code.size(); ++i) {
    if (code[i].op != isa::Op::SetTimer) continue;
    const auto& arg = code[i - 1];
    if (arg.op == isa::Op::PushRegField) {
      const unsigned shift = arg.arg & 0xffu, width = (arg.arg >> 8) & 0xffu;
      const isa::Word r = (word >> shift) & isa::low_bits(width);
      if (r < m.isa().registers.size()) return m.reg(static_cast<int>(r));
    }
    if (arg.op == isa::Op::PushConst) return arg.arg;
    return std::nullopt;
  }
  return std::nullopt;
}

void TimerLivelockWatch::on_timer_set(const machine::Machine& m, const machine::Event& e, unsigned level) {
  // A timer-setting instruction completed: its operand (the register it names still holds it),
  // else the real timer, which now holds exactly its value (its own cycles do not count
  // against it; under interpretive execution the machine's timer is the nearest of several).
  const isa::Word v = e.instruction ? timer_operand(m, *e.instruction, e.word).value_or(m.timer()) : m.timer();
  stimer_end_ = e.cycle + e.cost;
  stimer_value_ = v;
  stimer_seen_ = true;
  levels_[level].period = v;
  levels_[level].has_period = true;
}

void TimerLivelockWatch::on_trap(const Stack& s, const machine::Machine& m, const machine::Event& e, unsigned level,
                                 bool ie_before) {
  Level& L = levels_[level];
  if (e.interrupt && static_cast<int>(e.cause) == timer_cause_) {
    if (L.delivered && !L.progress) ++L.starved;
    else L.starved = 0;
    const std::uint64_t since = L.delivered ? e.cycle - L.last_tick : 0;
    L.delivered = true;
    L.progress = false;
    L.last_tick = e.cycle;
    if (L.starved >= threshold_) {
      TimerLivelock t;
      t.level = level;
      t.depth = depth_;
      t.ticks = L.starved;
      t.period = L.has_period ? L.period : (stimer_seen_ ? stimer_value_ : 0);
      t.tick_cycles = since;
      t.resume_cycles = stimer_seen_ && e.cycle >= stimer_end_ && e.cycle - stimer_end_ <= since ? e.cycle - stimer_end_ : 0;
      t.cycle = e.cycle;
      found_ = t;
    }
    return;
  }
  if (static_cast<int>(e.cause) == priv_cause_) {
    // The level attempted a privileged instruction: a stimer tells its period; one its VMM
    // emulates with interrupts enabled is progress (the level's pc moves on).
    if (const isa::Instruction* ins = m.isa().decode(e.word); sets_timer(ins))
      if (auto v = timer_operand(m, *ins, e.word)) {
        L.period = *v;
        L.has_period = true;
      }
    if (ie_before && level > 0 && s.would_emulate(level - 1, e.cause)) L.progress = true;
  }
}

}  // namespace pgsim::vmm
