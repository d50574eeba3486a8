#include "vmm/session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "isa/disasm.hpp"

namespace pgsim::vmm {

Session::Session(std::shared_ptr<const isa::IsaModel> isa, std::shared_ptr<const assembler::Image> vmm,
                 std::shared_ptr<const assembler::Image> guest, unsigned depth, isa::Word guest_memory)
    : stack_(std::move(isa), std::move(vmm), std::move(guest), depth, guest_memory), stats_(depth + 1) {
  checkpoint();
}

bool Session::stopped() const { return stack_.stopped(); }

bool Session::next_is_interrupt() const {
  const auto& mc = machine();
  if (!mc.timer_pending()) return false;
  const int enable = mc.isa().timer_enable;  // PG1.md rule 6: taken at the next boundary when enabled
  return enable < 0 || (mc.control(enable) & 1u) != 0;
}

void Session::checkpoint() {
  // Re-executing the recorded history passes steps that may have one already.
  auto it = std::lower_bound(checkpoints_.begin(), checkpoints_.end(), steps_,
                             [](const Checkpoint& c, std::uint64_t s) { return c.step < s; });
  if (it != checkpoints_.end() && it->step == steps_) return;
  checkpoints_.insert(it, Checkpoint{steps_, machine().snapshot(), stats_, trap_pos_, pending_, stack_.livelock_watch(),
                                     serial_++});
  prune_checkpoints();
}

void Session::prune_checkpoints() {
  // Tiers: the reset state; dense, every kEvery steps over the newest kHistory steps of the
  // recorded history; sparse, at multiples of sparse_every_ (doubled while more than
  // kSparseCheckpoints qualify); local, the kLocalCheckpoints made most recently among the rest
  // (re-execution after going far back makes them, so stepping about there stays quick).
  const std::uint64_t horizon = std::max(horizon_, steps_);
  auto dense = [&](const Checkpoint& c) { return c.step == 0 || c.step + kHistory + kEvery >= horizon; };
  for (;;) {
    std::size_t n = 0;
    for (const auto& c : checkpoints_) n += !dense(c) && c.step % sparse_every_ == 0;
    if (n <= kSparseCheckpoints) break;
    sparse_every_ *= 2;
  }
  auto sparse = [&](const Checkpoint& c) { return !dense(c) && c.step % sparse_every_ == 0; };
  std::vector<std::uint64_t> local;
  for (const auto& c : checkpoints_)
    if (!dense(c) && !sparse(c)) local.push_back(c.serial);
  if (local.size() <= kLocalCheckpoints) return;
  std::nth_element(local.begin(), local.begin() + static_cast<std::ptrdiff_t>(kLocalCheckpoints - 1), local.end(),
                   std::greater<>());
  const std::uint64_t oldest_kept = local[kLocalCheckpoints - 1];
  std::erase_if(checkpoints_, [&](const Checkpoint& c) { return !dense(c) && !sparse(c) && c.serial < oldest_kept; });
}

void Session::set_trap_record_limit(std::size_t n) {
  trap_limit_ = std::max<std::size_t>(1, n);
  while (traps_.size() > trap_limit_) {
    traps_.pop_front();
    ++dropped_;
  }
}

void Session::record(const machine::Event& e) {
  step_events_.push_back(e);
  stack_.observe(e, stats_.data());
  if (e.kind == machine::EventKind::Instruction) return;
  unsigned level = stack_.level_of(e.real_pc);
  pending_.push_back(level);
  if (pending_.size() > 64) pending_.erase(pending_.begin());  // cannot happen with nested levels; a bound anyway
  // Re-executing the recorded history: this trap is recorded already (or counted, if dropped).
  if (trap_pos_++ < dropped_ + traps_.size()) return;
  TrapRecord t;
  t.kind = e.kind;
  t.step = steps_;
  t.cycle = e.cycle;
  t.level = level;
  t.cause = e.cause;
  t.info = e.info;
  t.word = e.word;
  t.interrupt = e.interrupt;
  t.real_pc = e.real_pc;
  if (e.kind == machine::EventKind::Trap) {
    t.chain = stack_.handling_chain(level, e.cause, e.info);
  } else {
    t.level = e.level;  // the guest entered / exited
    if (e.kind == machine::EventKind::VmExit && e.level > 0) t.chain.push_back({e.level - 1, true});
  }
  traps_.push_back(std::move(t));
  if (traps_.size() > trap_limit_) {
    traps_.pop_front();
    ++dropped_;
  }
}

machine::Event Session::step() {
  if (stopped()) return {};
  // Re-execution after a step back: feed the console input at the step it came originally.
  while (replay_ < inputs_.size() && inputs_[replay_].first <= steps_) m().push_input(inputs_[replay_++].second);
  struct Rec : machine::Observer {
    Session* s;
    void on_event(const machine::Machine&, const machine::Event& e) override { s->record(e); }
  } rec;
  rec.s = this;
  step_events_.clear();
  machine::Event e = m().step(rec);
  ++steps_;
  horizon_ = std::max(horizon_, steps_);
  // A level about to run again has finished its traps in progress, and those of the levels
  // below it taken while handling them (they are above it on the stack).
  if (!pending_.empty() && !stopped() && !next_is_interrupt()) {
    const unsigned j = running_level();
    while (!pending_.empty() && pending_.back() <= j) pending_.pop_back();
  }
  if (steps_ % kEvery == 0) checkpoint();
  return e;
}

bool Session::run_until(const std::function<bool(const machine::Event&)>& stop, std::uint64_t max_steps) {
  for (std::uint64_t i = 0; i < max_steps && !stopped(); ++i) {
    step();
    // A step can hold two events (svc: its instruction, then its trap): ask about each.
    for (const auto& e : step_events_)
      if (stop(e)) return true;
  }
  return false;
}

bool Session::run_to_level(unsigned k, std::uint64_t max_steps) {
  for (std::uint64_t i = 0; i < max_steps && !stopped(); ++i) {
    step();
    if (about_to_run(k)) return true;
  }
  return false;
}

std::vector<isa::Word> Session::addresses_of_line(const std::string& file, int line) const {
  std::vector<isa::Word> out;
  auto scan = [&](const assembler::Image& img, std::vector<isa::Word> origins) {
    for (isa::Word a = 0; a < img.source_of.size(); ++a) {
      int li = img.source_of[a];
      if (li < 0 || !img.is_code[a]) continue;
      const auto& sl = img.lines[static_cast<std::size_t>(li)];
      if (sl.line == line && sl.file->path == file)
        for (auto o : origins) out.push_back(o + a);
    }
  };
  scan(stack_.guest_image(), {stack_.level_origin(stack_.depth())});
  if (stack_.vmm_image()) {
    std::vector<isa::Word> origins;
    for (unsigned k = 0; k < stack_.depth(); ++k) origins.push_back(stack_.level_origin(k));
    scan(*stack_.vmm_image(), origins);
  }
  return out;
}

std::vector<MicroStep> Session::next_micro_steps() const {
  std::vector<MicroStep> out;
  if (stopped()) return out;
  machine::Machine copy = machine();
  const auto& isa = copy.isa();
  struct Rec : machine::Observer {
    std::vector<machine::Event> events;
    void on_event(const machine::Machine&, const machine::Event& e) override { events.push_back(e); }
  } rec;
  const isa::Word pc = copy.pc(), base = copy.base();
  const std::uint64_t start = copy.cycles();
  copy.step(rec);
  static const char* slot_names[] = {"mode", "pc", "base", "bound", ""};
  auto slot_name = [&](const isa::PswWord& w) {
    return w.slot == isa::PswSlot::Control ? isa.controls[static_cast<std::size_t>(w.control)].name
                                           : std::string(slot_names[static_cast<int>(w.slot)]);
  };
  std::uint64_t cycle = start;
  bool first = true;
  for (const auto& e : rec.events) {
    if (e.kind == machine::EventKind::Instruction) {
      if (first) out.push_back({fmt::format("fetch the word at virtual {} (real {})", pc, base + pc), static_cast<std::int64_t>(base + pc), cycle});
      cycle += e.cost;
      out.push_back({fmt::format("execute {} ({} cycles)", isa::disassemble(isa, e.word, pc), e.cost), -1, cycle});
    } else {
      if (first && !e.interrupt) out.push_back({fmt::format("fetch the word at virtual {} (real {})", pc, base + pc), static_cast<std::int64_t>(base + pc), cycle});
      out.push_back({fmt::format("{} {} (info {}): the trap sequence begins", e.interrupt ? "interrupt" : "trap",
                                 isa.cause_name(e.cause), e.info), -1, cycle});
      const auto& E = copy.storage();
      if (isa.trap_block.present) {
        // The ISA's own delivery (docs/isa-language.md "Trap delivery"), not the PSW swap.
        out.push_back({fmt::format("the ISA's trap block delivers it: mode {}, pc {}", isa.level_name(copy.mode()), copy.pc()),
                       -1, cycle});
        if (copy.stop_reason() == machine::StopReason::Shutdown) out.push_back({copy.stop_detail(), -1, cycle});
        cycle += e.cost;
        out.back().cycle = cycle;
        out.back().text += fmt::format("  (the delivery's {} cycles are charged)", e.cost);
        first = false;
        continue;
      }
      for (std::size_t i = 0; i < isa.psw.size(); ++i) {
        isa::Word a = isa.trap_old_psw + static_cast<isa::Word>(i);
        out.push_back({fmt::format("store old PSW {} = {} at real {}", slot_name(isa.psw[i]), a < E.size() ? E[a] : 0, a), static_cast<std::int64_t>(a), cycle});
      }
      out.push_back({fmt::format("store cause = {} at real {}", e.cause, isa.trap_cause), isa.trap_cause, cycle});
      out.push_back({fmt::format("store info = {} at real {}", e.info, isa.trap_info), isa.trap_info, cycle});
      for (std::size_t i = 0; i < isa.psw.size(); ++i) {
        isa::Word a = isa.trap_new_psw + static_cast<isa::Word>(i);
        out.push_back({fmt::format("load new PSW {} = {} from real {}", slot_name(isa.psw[i]), a < E.size() ? E[a] : 0, a), static_cast<std::int64_t>(a), cycle});
      }
      cycle += e.cost;
      out.back().cycle = cycle;
      out.back().text += fmt::format("  (the sequence's {} cycles are charged)", e.cost);
    }
    first = false;
  }
  return out;
}

bool Session::run(std::uint64_t max_steps) {
  const auto& bp = breakpoints_;
  last_stop_ = {};
  for (std::uint64_t i = 0; i < max_steps && !stopped(); ++i) {
    if (i > 0 && !bp.addresses.empty()) {
      const isa::Word a = machine().base() + machine().pc();
      if (bp.addresses.count(a)) {
        last_stop_ = {StopInfo::Kind::Address, a, 0, stack_.level_of(a)};
        return true;
      }
    }
    step();
    if (bp.causes.empty() && bp.levels.empty()) continue;
    for (const auto& e : step_events_) {
      if (e.kind != machine::EventKind::Trap) continue;
      const unsigned level = stack_.level_of(e.real_pc);
      if (bp.causes.count(e.cause) || bp.levels.count(level)) {
        last_stop_ = {bp.causes.count(e.cause) ? StopInfo::Kind::Cause : StopInfo::Kind::Level, e.real_pc, e.cause, level};
        return true;
      }
    }
  }
  return false;
}

std::string Session::describe(const StopInfo& s) const {
  const auto& isa = machine().isa();
  switch (s.kind) {
    case StopInfo::Kind::None:
      return {};
    case StopInfo::Kind::Address: {
      auto at = stack_.code_at(s.address);
      std::string where = at.image ? at.image->where(at.address) : std::string();
      if (auto slash = where.rfind('/'); slash != std::string::npos) where = where.substr(slash + 1);
      if (where.empty()) return fmt::format("breakpoint at real address {:#x} (L{})", s.address, s.level);
      return fmt::format("breakpoint {} (L{})", where, s.level);
    }
    case StopInfo::Kind::Cause:
      return fmt::format("breakpoint on trap cause {} (L{} trapped)", isa.cause_name(s.cause), s.level);
    case StopInfo::Kind::Level:
      return fmt::format("breakpoint on traps taken by L{} (cause {})", s.level, isa.cause_name(s.cause));
  }
  return {};
}

bool Session::run_to_next_trap(std::optional<isa::Word> cause, std::optional<unsigned> level,
                               std::uint64_t max_steps) {
  return run_until(
      [&](const machine::Event& e) {
        return e.kind == machine::EventKind::Trap && (!cause || e.cause == *cause) &&
               (!level || stack_.level_of(e.real_pc) == *level);
      },
      max_steps);
}

bool Session::step_over_trap(std::uint64_t max_steps) {
  if (stopped()) return false;
  // Just after a trap (its handler's first instruction is next): finish that trap.
  const std::size_t pos = trap_position();
  if (pos > 0 && traps_[pos - 1].step + 1 == steps_)
    return run_to_level(traps_[pos - 1].level, max_steps);
  step();
  std::optional<unsigned> trapped;
  for (const auto& e : step_events_)
    if (e.kind == machine::EventKind::Trap) trapped = stack_.level_of(e.real_pc);
  if (!trapped || about_to_run(*trapped)) return true;  // no trap, or handled by the level itself
  return run_to_level(*trapped, max_steps);
}

std::optional<unsigned> Session::trap_in_progress() const {
  if (pending_.empty()) return std::nullopt;
  return pending_.back();
}

bool Session::finish_trap(std::uint64_t max_steps) {
  auto k = trap_in_progress();
  if (!k || stopped()) return false;
  return run_to_level(*k, max_steps);
}

void Session::step_back(std::uint64_t n) { go_to_step(n > steps_ ? 0 : steps_ - n); }

void Session::go_to_step(std::uint64_t target) {
  // The nearest checkpoint at or before the target: restore it when going back, or when going
  // forward along the recorded history past the current step (it saves re-execution).
  auto it = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), target,
                             [](std::uint64_t s, const Checkpoint& c) { return s < c.step; });
  const Checkpoint& cp = *std::prev(it);  // [0] is the reset state, at step 0
  if (target < steps_ || cp.step > steps_) {
    m().restore(cp.snap);
    stats_ = cp.stats;
    trap_pos_ = cp.trap_pos;
    pending_ = cp.pending;
    stack_.set_livelock_watch(cp.watch);
    steps_ = cp.step;
    step_events_.clear();
    replay_ = 0;
    while (replay_ < inputs_.size() && inputs_[replay_].first < cp.step) ++replay_;
  }
  while (steps_ < target && !stopped()) step();
}

bool Session::forward() {
  if (!in_past()) return false;
  if (trap_pos_ >= dropped_ && trap_position() < traps_.size()) {
    go_to_step(traps_[trap_position()].step + 1);
    return true;
  }
  // The next trap is not kept in full (or none is ahead): re-execute to it, or to the horizon.
  run_until([](const machine::Event& e) { return e.kind == machine::EventKind::Trap; }, horizon_ - steps_);
  return true;
}

bool Session::back_to_previous_trap() {
  // The newest kept trap whose "right after" state is before the current step.
  std::size_t i = trap_position();
  while (i > 0 && traps_[i - 1].step + 1 >= steps_) --i;
  if (i == 0) return false;
  go_to_step(traps_[i - 1].step + 1);
  return true;
}

void Session::truncate_future() {
  ++rewrites_;
  if (trap_pos_ <= dropped_) {
    traps_.clear();
    dropped_ = trap_pos_;
  } else {
    traps_.resize(static_cast<std::size_t>(trap_pos_ - dropped_));
  }
  std::erase_if(checkpoints_, [&](const Checkpoint& c) { return c.step > steps_; });
  horizon_ = steps_;
  inputs_.resize(replay_);
}

void Session::push_input(isa::Word word) {
  // Input typed at this step before (replayed at the start of the next step) comes first.
  while (replay_ < inputs_.size() && inputs_[replay_].first <= steps_) m().push_input(inputs_[replay_++].second);
  // Typed in the past, it rewrites the future: the recorded history after this step is dropped.
  if (in_past()) truncate_future();
  inputs_.resize(replay_);
  inputs_.emplace_back(steps_, word);
  replay_ = inputs_.size();
  m().push_input(word);
}

LevelView Session::view(unsigned k) const {
  LevelView v;
  v.level = k;
  v.vmm = k < stack_.depth();
  v.running = running_level() == k;
  v.stopped = v.running && stopped();
  v.stats = stats_[k];
  const auto& mc = machine();
  isa::Word image_address = 0;
  bool have = true;
  if (k == 0 && !mc.interpretive_levels().empty()) {
    // L0 is a host under interpretive execution: its own state is the one its VM entry saved.
    const auto& h = mc.interpretive_levels().front();
    v.mode = h.host_mode;
    v.pc = h.host_pc;
    v.base = h.host_base;
    v.bound = h.host_bound;
    const int ie = mc.isa().timer_enable;
    v.ie = ie >= 0 && static_cast<std::size_t>(ie) < h.host_controls.size() ? h.host_controls[static_cast<std::size_t>(ie)] : 0;
    v.regs.assign(h.host_regs.begin(), h.host_regs.begin() + static_cast<std::ptrdiff_t>(mc.isa().registers.size()));
    image_address = v.base + v.pc;
  } else if (k == 0) {
    // L0 sees the hardware.
    v.mode = mc.mode();
    v.pc = mc.pc();
    v.base = mc.base();
    v.bound = mc.bound();
    v.ie = mc.isa().timer_enable >= 0 ? mc.control(mc.isa().timer_enable) : 0;
    for (std::size_t r = 0; r < mc.isa().registers.size(); ++r) v.regs.push_back(mc.reg(static_cast<int>(r)));
    image_address = v.running ? mc.base() + mc.pc() : 0;
    have = v.running;
  } else {
    VirtualState s = stack_.virtual_state_of_guest_of(k - 1);
    v.mode = s.mode;
    v.base = s.base;
    v.bound = s.bound;
    v.ie = s.ie;
    if (v.running) {
      v.pc = mc.pc();
      for (std::size_t r = 0; r < mc.isa().registers.size(); ++r) v.regs.push_back(mc.reg(static_cast<int>(r)));
    } else {
      v.pc = s.pc;
      v.regs = s.regs;
    }
    image_address = v.base + v.pc;
  }
  const assembler::Image* img = v.vmm ? stack_.vmm_image() : &stack_.guest_image();
  if (have && img) {
    isa::Word real = stack_.level_origin(k) + image_address;
    if (real < mc.storage().size()) v.instruction = isa::disassemble(mc.isa(), mc.storage()[real], image_address);
    v.where = img->where(image_address);
  }
  v.state_description = state_description(k);
  return v;
}

std::string Session::state_description(unsigned k) const {
  const auto& mc = machine();
  const auto& a = mc.isa().assist;
  const assembler::Image* img = stack_.vmm_image();
  if (!a.present || k >= stack_.depth() || !img) return {};
  auto sym = img->symbols.find("sd");
  if (sym == img->symbols.end()) return {};
  const auto& E = mc.storage();
  // 64-bit: a broken monitor's `sd` may lie anywhere, and the sum must not wrap into storage.
  const std::uint64_t sd64 = std::uint64_t{stack_.level_origin(k)} + sym->second;
  if (sd64 + a.words > E.size()) return {};
  const auto sd = static_cast<isa::Word>(sd64);
  auto word = [&](isa::Word off) { return E[sd + off]; };
  const bool live = stack_.interpreted(k + 1);
  VirtualState g = stack_.virtual_state_of_guest_of(k);
  isa::Word timer = live ? mc.level_timer(k + 1) : word(a.timer);
  bool pending = live ? mc.level_timer_pending(k + 1) : word(a.pending) != 0;
  isa::Word intercepts = live ? mc.interpretive_levels()[k].intercepts : word(a.intercepts);
  std::string names;
  for (const auto& in : mc.isa().instructions)
    if (in.intercept && (intercepts & in.intercept)) names += (names.empty() ? "" : " ") + in.mnemonic;
  isa::Word reason = word(a.reason);
  std::string last = reason == 0 ? std::string("none")
                                 : fmt::format("{} info {:#x}", a.reason_name(reason), word(a.info));
  return fmt::format("SD{}: guest {} P={} R=({}, {}) ie={}  timer {}{}  region {}+{}  intercepts {}  last exit {}",
                     live ? " (in hardware)" : "", g.mode ? "user" : "supervisor", g.pc, g.base, g.bound, g.ie, timer,
                     pending ? " pending" : "", word(a.origin), word(a.size), names.empty() ? "none" : names, last);
}

}  // namespace pgsim::vmm
