#include "vmm/session.hpp"

#include <fmt/format.h>

#include "isa/disasm.hpp"

namespace pgsim::vmm {

Session::Session(std::shared_ptr<const isa::IsaModel> isa, std::shared_ptr<const assembler::Image> vmm,
                 std::shared_ptr<const assembler::Image> guest, unsigned depth, std::uint32_t guest_memory)
    : stack_(std::move(isa), std::move(vmm), std::move(guest), depth, guest_memory), stats_(depth + 1) {
  checkpoint();
}

bool Session::stopped() const {
  return machine().halted() || machine().stop_reason() == machine::StopReason::TrapStorm;
}

void Session::checkpoint() {
  checkpoints_.push_back({steps_, machine().snapshot(), stats_, traps_.size()});
  // Keep the reset state and enough checkpoints to cover kHistory steps.
  while (checkpoints_.size() > 2 && checkpoints_[1].step + kHistory + kEvery < steps_)
    checkpoints_.erase(checkpoints_.begin() + 1);
}

void Session::record(const machine::Event& e) {
  step_events_.push_back(e);
  stack_.account(e, stats_.data());
  if (e.kind == machine::EventKind::Instruction) return;
  unsigned level = stack_.level_of(e.real_pc);
  TrapRecord t;
  t.step = steps_;
  t.cycle = e.cycle;
  t.level = level;
  t.cause = e.cause;
  t.info = e.info;
  t.word = e.word;
  t.interrupt = e.interrupt;
  t.real_pc = e.real_pc;
  t.chain = stack_.handling_chain(level, e.cause);
  traps_.push_back(std::move(t));
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

std::vector<std::uint32_t> Session::addresses_of_line(const std::string& file, int line) const {
  std::vector<std::uint32_t> out;
  auto scan = [&](const assembler::Image& img, std::vector<std::uint32_t> origins) {
    for (std::uint32_t a = 0; a < img.source_of.size(); ++a) {
      int li = img.source_of[a];
      if (li < 0 || !img.is_code[a]) continue;
      const auto& sl = img.lines[static_cast<std::size_t>(li)];
      if (sl.line == line && sl.file->path == file)
        for (auto o : origins) out.push_back(o + a);
    }
  };
  scan(stack_.guest_image(), {stack_.level_origin(stack_.depth())});
  if (stack_.vmm_image()) {
    std::vector<std::uint32_t> origins;
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
  const std::uint32_t pc = copy.pc(), base = copy.base();
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
      if (first) out.push_back({fmt::format("fetch the word at virtual {} (real {})", pc, base + pc), base + pc, cycle});
      cycle += e.cost;
      out.push_back({fmt::format("execute {} ({} cycles)", isa::disassemble(isa, e.word, pc), e.cost), -1, cycle});
    } else {
      if (first && !e.interrupt) out.push_back({fmt::format("fetch the word at virtual {} (real {})", pc, base + pc), base + pc, cycle});
      out.push_back({fmt::format("{} {} (info {}): the trap sequence begins", e.interrupt ? "interrupt" : "trap",
                                 isa.cause_name(e.cause), e.info), -1, cycle});
      const auto& E = copy.storage();
      for (std::size_t i = 0; i < isa.psw.size(); ++i) {
        std::uint32_t a = isa.trap_old_psw + static_cast<std::uint32_t>(i);
        out.push_back({fmt::format("store old PSW {} = {} at real {}", slot_name(isa.psw[i]), a < E.size() ? E[a] : 0, a), a, cycle});
      }
      out.push_back({fmt::format("store cause = {} at real {}", e.cause, isa.trap_cause), isa.trap_cause, cycle});
      out.push_back({fmt::format("store info = {} at real {}", e.info, isa.trap_info), isa.trap_info, cycle});
      for (std::size_t i = 0; i < isa.psw.size(); ++i) {
        std::uint32_t a = isa.trap_new_psw + static_cast<std::uint32_t>(i);
        out.push_back({fmt::format("load new PSW {} = {} from real {}", slot_name(isa.psw[i]), a < E.size() ? E[a] : 0, a), a, cycle});
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
  for (std::uint64_t i = 0; i < max_steps && !stopped(); ++i) {
    if (i > 0 && !bp.addresses.empty() && bp.addresses.count(machine().base() + machine().pc())) return true;
    step();
    if (bp.causes.empty() && bp.levels.empty()) continue;
    for (const auto& e : step_events_)
      if (e.kind == machine::EventKind::Trap &&
          (bp.causes.count(e.cause) || bp.levels.count(stack_.level_of(e.real_pc))))
        return true;
  }
  return false;
}

bool Session::step_in_level(unsigned k, std::uint64_t max_steps) {
  return run_until(
      [&](const machine::Event& e) {
        return e.kind == machine::EventKind::Instruction && stack_.level_of(e.real_pc) == k;
      },
      max_steps);
}

bool Session::run_to_next_trap(std::optional<std::uint32_t> cause, std::optional<unsigned> level,
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
  // Just after a trap (in a handler), or if the next step traps: run until the level that
  // trapped executes again.
  if (step_events_.empty() || step_events_.back().kind != machine::EventKind::Trap) step();
  if (step_events_.empty() || step_events_.back().kind != machine::EventKind::Trap) return true;
  unsigned level = stack_.level_of(step_events_.back().real_pc);
  return step_in_level(level, max_steps);
}

void Session::step_back(std::uint64_t n) { go_to_step(n > steps_ ? 0 : steps_ - n); }

void Session::go_to_step(std::uint64_t target) {
  if (target < steps_) {
    std::size_t i = checkpoints_.size();
    while (i > 0 && checkpoints_[i - 1].step > target) --i;
    const Checkpoint& cp = checkpoints_[i == 0 ? 0 : i - 1];
    m().restore(cp.snap);
    stats_ = cp.stats;
    traps_.resize(cp.traps);
    steps_ = cp.step;
    step_events_.clear();
    replay_ = 0;
    while (replay_ < inputs_.size() && inputs_[replay_].first < cp.step) ++replay_;
    checkpoints_.erase(checkpoints_.begin() + static_cast<std::ptrdiff_t>(i == 0 ? 1 : i), checkpoints_.end());
  }
  while (steps_ < target && !stopped()) step();
}

void Session::push_input(std::uint32_t word) {
  // Input typed after a step back rewrites the future: drop what was not replayed yet.
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
  v.stats = stats_[k];
  const auto& mc = machine();
  std::uint32_t image_address = 0;
  bool have = true;
  if (k == 0) {
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
    std::uint32_t real = stack_.level_origin(k) + image_address;
    if (real < mc.storage().size()) v.instruction = isa::disassemble(mc.isa(), mc.storage()[real], image_address);
    v.where = img->where(image_address);
  }
  return v;
}

}  // namespace pgsim::vmm
