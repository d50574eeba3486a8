#include "vmm/stack.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "machine/run_loop.hpp"

namespace pgsim::vmm {

namespace {

/// The control-block symbols every VMM image defines (DESIGN.md "The recursive VMM").
constexpr const char* kControlBlock[] = {"vm_mode", "vm_pc", "vm_base", "vm_bound", "vm_ie", "vm_regs"};

std::string vmm_name(const assembler::Image& vmm) {
  return vmm.lines.empty() || !vmm.lines.front().file ? std::string("the VMM")
                                                      : fmt::format("the VMM '{}'", vmm.lines.front().file->path);
}

/// V, the words of storage each VMM level occupies: its symbol VMM_SIZE, else its image size.
/// Validates the image first, so that nothing later divides by V = 0 or reads a control block
/// outside the level's storage: V > 0, the image fits in V words, and every control-block symbol
/// (vm_regs with one word per register) lies inside the image. Throws std::invalid_argument
/// naming the symbol.
isa::Word checked_vmm_size(const isa::IsaModel& isa, const assembler::Image& vmm) {
  auto it = vmm.symbols.find("VMM_SIZE");
  isa::Word v = it != vmm.symbols.end() ? it->second : vmm.size();
  if (v == 0)
    throw std::invalid_argument(fmt::format("{} has size 0 ({}); a VMM level needs storage for the VMM", vmm_name(vmm),
                                            it != vmm.symbols.end() ? "its symbol VMM_SIZE is 0" : "its image is empty"));
  if (vmm.size() > v)
    throw std::invalid_argument(
        fmt::format("{}: its image ({} words) is larger than its VMM_SIZE ({})", vmm_name(vmm), vmm.size(), v));
  for (const char* name : kControlBlock) {
    auto s = vmm.symbols.find(name);
    if (s == vmm.symbols.end())
      throw std::invalid_argument(fmt::format("{} defines no control-block symbol '{}'", vmm_name(vmm), name));
    std::uint64_t words = std::string(name) == "vm_regs" ? isa.registers.size() : 1;
    if (std::uint64_t{s->second} + words > vmm.size())
      throw std::invalid_argument(fmt::format(
          "{}: its control-block symbol '{}' = {} lies outside the VMM image (addresses 0 .. {}){}", vmm_name(vmm), name,
          s->second, vmm.size() == 0 ? 0 : vmm.size() - 1,
          words > 1 ? fmt::format("; it needs {} words there, one per register", words) : std::string()));
  }
  return v;
}

}  // namespace

isa::Word Stack::real_size(const isa::IsaModel& isa, const assembler::Image* vmm, unsigned depth,
                               isa::Word guest_memory) {
  std::uint64_t g = guest_memory ? guest_memory : isa.memory_words;
  if (depth > 64) throw std::invalid_argument(fmt::format("depth {} is out of range (0 .. 64)", depth));
  std::uint64_t v = depth ? checked_vmm_size(isa, *vmm) : 0;
  std::uint64_t total = g + depth * v;
  if (total > (1u << 26)) throw std::invalid_argument(fmt::format("the real machine would need {} words (max 2^26)", total));
  return static_cast<isa::Word>(total);
}

Stack::Stack(std::shared_ptr<const isa::IsaModel> isa, std::shared_ptr<const assembler::Image> vmm,
             std::shared_ptr<const assembler::Image> guest, unsigned depth, isa::Word guest_memory)
    : vmm_(std::move(vmm)),
      guest_(std::move(guest)),
      depth_(depth),
      guest_memory_(guest_memory ? guest_memory : isa->memory_words),
      machine_(isa, (depth > 0 && !vmm_) ? throw std::invalid_argument("a VMM image is needed for depth > 0")
                                        : real_size(*isa, vmm_.get(), depth, guest_memory)),
      watch_(*isa, depth, isa->timer_enable < 0 || (machine_.control(isa->timer_enable) & 1u) != 0) {
  if (guest_->size() > guest_memory_)
    throw std::out_of_range(fmt::format("the guest image ({} words) does not fit in its {}-word machine", guest_->size(),
                                        guest_memory_));
  if (depth_ > 0) {
    V_ = checked_vmm_size(*isa, *vmm_);
    auto sym = [&](const char* n) { return vmm_->symbol(n); };
    cb_mode_ = sym("vm_mode");
    cb_pc_ = sym("vm_pc");
    cb_base_ = sym("vm_base");
    cb_bound_ = sym("vm_bound");
    cb_ie_ = sym("vm_ie");
    cb_regs_ = sym("vm_regs");
    const auto& S = vmm_->symbols;
    if (S.count("HC_CAUSE") && S.count("HC_BASE") && S.count("HC_LIMIT")) {
      paravirtual_ = true;
      hc_cause_ = S.at("HC_CAUSE");
      hc_base_ = S.at("HC_BASE");
      hc_limit_ = S.at("HC_LIMIT");
    }
    if (auto f = vmm_->symbols.find("vm_fetch"); f != vmm_->symbols.end() && f->second < V_) fetch_ = f->second;
    if (auto f = vmm_->symbols.find("vm_saved"); f != vmm_->symbols.end()) {
      if (f->second >= vmm_->size())
        throw std::invalid_argument(fmt::format(
            "{}: its control-block symbol 'vm_saved' = {} lies outside the VMM image (addresses 0 .. {})",
            vmm_name(*vmm_), f->second, vmm_->size() == 0 ? 0 : vmm_->size() - 1));
      cb_saved_ = f->second;
    }
    for (unsigned k = 0; k < depth_; ++k) machine_.load(k * V_, vmm_->words);
  }
  machine_.load(depth_ * V_, guest_->words);
  machine_.set_levels(depth_ ? V_ : 0, depth_);  // the fast engine's bulk counts per level (level_of)
  if (fetch_)
    for (unsigned k = 0; k < depth_ && k < machine::kMaxStops; ++k) fetch_stops_.push_back(level_origin(k) + *fetch_);
}

VirtualState Stack::virtual_state_of_guest_of(unsigned k) const {
  if (interpreted(k + 1)) {
    // In the hardware: live (the innermost level) or saved by the next level's VM entry.
    const auto& isa = machine_.isa();
    const auto& levels = machine_.interpretive_levels();
    VirtualState v;
    const std::size_t nregs = isa.registers.size();
    int ie_control = -1;
    for (const auto& w : isa.psw)
      if (w.slot == isa::PswSlot::Control) { ie_control = w.control; break; }
    if (k + 1 == levels.size()) {
      v.mode = machine_.mode();
      v.pc = machine_.pc();
      v.base = machine_.level_base();
      v.bound = machine_.level_bound();
      v.ie = ie_control >= 0 ? machine_.control(ie_control) : 0;
      for (std::size_t r = 0; r < nregs; ++r) v.regs.push_back(machine_.reg(static_cast<int>(r)));
    } else {
      const auto& h = levels[k + 1];  // the entry of level k+2 saved its host's (level k+1's) state
      v.mode = h.host_mode;
      v.pc = h.host_pc;
      v.base = h.host_base;
      v.bound = h.host_bound;
      v.ie = ie_control >= 0 ? h.host_controls[static_cast<std::size_t>(ie_control)] : 0;
      v.regs.assign(h.host_regs.begin(), h.host_regs.begin() + static_cast<std::ptrdiff_t>(nregs));
    }
    if (isa.zero_register >= 0 && static_cast<std::size_t>(isa.zero_register) < v.regs.size())
      v.regs[static_cast<std::size_t>(isa.zero_register)] = 0;
    return v;
  }
  const auto& E = machine_.storage();
  isa::Word o = level_origin(k);
  VirtualState v;
  v.mode = E[o + cb_mode_];
  v.pc = E[o + cb_pc_];
  v.base = E[o + cb_base_];
  v.bound = E[o + cb_bound_];
  v.ie = E[o + cb_ie_];
  for (std::size_t r = 0; r < machine_.isa().registers.size(); ++r) v.regs.push_back(E[o + cb_regs_ + r]);
  if (cb_saved_) fill_unsaved(k, v.regs);
  if (!v.regs.empty() && machine_.isa().zero_register >= 0) v.regs[static_cast<std::size_t>(machine_.isa().zero_register)] = 0;
  return v;
}

void Stack::fill_unsaved(unsigned k, std::vector<isa::Word>& regs) const {
  const auto& E = machine_.storage();
  // L(j)'s vm_saved + 1: its guest's registers below this index are in its vm_regs (a bad value
  // in a monitor's storage cannot take the reads outside vm_regs).
  auto saved_end = [&](unsigned j) {
    return std::min(static_cast<std::size_t>(E[level_origin(j) + *cb_saved_]) + 1, regs.size());
  };
  // The registers from `lo` on are level k's own: the machine's if level k is running (or is
  // L0), else level k's as L(k-1) keeps them -- and so on down.
  std::size_t lo = saved_end(k);
  const unsigned running = level_of(machine_.base() + machine_.pc());
  for (unsigned j = k; lo < regs.size(); --j) {
    if (j == 0 || j == running) {
      for (std::size_t r = lo; r < regs.size(); ++r) regs[r] = machine_.reg(static_cast<int>(r));
      return;
    }
    const std::size_t n = saved_end(j - 1);
    for (std::size_t r = lo; r < n; ++r) regs[r] = E[level_origin(j - 1) + cb_regs_ + r];
    lo = std::max(lo, n);
  }
}

bool Stack::would_emulate(unsigned k, isa::Word cause) const {
  return !paravirtual_ && static_cast<int>(cause) == machine_.isa().causes.privileged &&
         machine_.storage()[level_origin(k) + cb_mode_] == machine::Supervisor;
}

bool Stack::is_hypercall(unsigned k, isa::Word cause, isa::Word info) const {
  return paravirtual_ && k < depth_ && cause == hc_cause_ && info >= hc_base_ && info < hc_limit_ &&
         machine_.storage()[level_origin(k) + cb_mode_] == machine::Supervisor;
}

std::string Stack::hypercall_name(isa::Word number) const {
  if (vmm_)
    for (const auto& [name, value] : vmm_->symbols)
      if (value == number && name.rfind("HC_", 0) == 0 && name != "HC_BASE" && name != "HC_LIMIT" &&
          name != "HC_CAUSE" && name != "HC_COUNT")
        return fmt::format("{} ({})", name, number);
  return fmt::format("{}", number);
}

std::vector<Stack::Handling> Stack::handling_chain(unsigned level, isa::Word cause, isa::Word info) const {
  std::vector<Handling> chain;
  if (depth_ == 0 || level == 0 || interpreted(level)) return chain;  // interpreted: no monitor handles it
  for (unsigned k = 0; k + 1 < level; ++k) chain.push_back({k, false});
  bool hc = is_hypercall(level - 1, cause, info);
  chain.push_back({level - 1, !hc && would_emulate(level - 1, cause), hc ? info : 0u});
  return chain;
}

std::string Stack::describe_chain(unsigned level, isa::Word cause, isa::Word info) const {
  return describe_chain(level, handling_chain(level, cause, info));
}

std::string Stack::describe_chain(unsigned level, const std::vector<Handling>& chain) const {
  if (depth_ == 0) return "the guest's own handler";
  if (level == 0) return "L0's own handler";
  if (chain.empty()) return fmt::format("the hardware delivers it into L{}'s own low storage", level);
  std::string s;
  for (const auto& h : chain) {
    if (!s.empty()) s += " -> ";
    s += h.hypercall ? fmt::format("L{} handles hypercall {}", h.level, hypercall_name(h.hypercall))
         : h.emulates ? fmt::format("L{} emulates", h.level)
                    : (h.level + 1 == level ? fmt::format("L{} reflects into L{}", h.level, level)
                                            : fmt::format("L{} reflects", h.level));
  }
  return s;
}

bool Stack::level_about_to_execute(unsigned k, isa::Word a) const {
  const auto& m = machine_;
  if (std::uint64_t{m.base()} + m.pc() == std::uint64_t{level_origin(k)} + a) return true;  // directly
  if (k == 0 || !fetch_) return false;
  // Interpreted by L(k-1): it is at its fetch, and level k's pc (through level k's R) is `a`.
  const auto& E = m.storage();
  const isa::Word o = level_origin(k - 1);
  return E[o + cb_mode_] == machine::Supervisor && E[o + cb_base_] + E[o + cb_pc_] == a &&
         level_about_to_execute(k - 1, *fetch_);
}

Stack::GuestBoundary Stack::guest_boundary() const {
  if (level_of(machine_.base() + machine_.pc()) == depth_) return GuestBoundary::Direct;
  if (depth_ == 0 || !fetch_) return GuestBoundary::None;
  const isa::Word o = level_origin(depth_ - 1);
  if (machine_.storage()[o + cb_mode_] == machine::Supervisor && level_about_to_execute(depth_ - 1, *fetch_))
    return GuestBoundary::Interpreted;
  return GuestBoundary::None;
}

GuestState Stack::guest_state() const {
  GuestState g;
  const auto& E = machine_.storage();
  isa::Word o = depth_ * V_;
  g.storage.assign(E.begin() + o, E.begin() + o + guest_memory_);
  g.console = machine_.console_output();
  if (depth_ == 0) {
    for (std::size_t r = 0; r < machine_.isa().registers.size(); ++r) g.regs.push_back(machine_.reg(static_cast<int>(r)));
    g.psw = machine_.psw();
  } else {
    VirtualState v = virtual_state_of_guest_of(depth_ - 1);
    g.regs = v.regs;
    g.psw = {v.mode, v.pc, v.base, v.bound, v.ie};
  }
  return g;
}

namespace {
/// The compile-time observer of Stack::run: every event through Stack::observe; the run
/// stops at a timer livelock.
struct LevelCounter {
  static constexpr bool enabled = true;
  Stack* stack;
  LevelStats* stats;
  machine::Observer* also;
  void on_event(const machine::Machine& m, const machine::Event& e) {
    stack->observe(e, stats);
    if (also) also->on_event(m, e);
  }
  /// The fast engine's bulk count (machine::BulkObserver): only while nobody else watches events.
  bool accepts_bulk() const { return also == nullptr; }
  void on_instructions(const machine::Machine&, unsigned level, std::uint64_t n, std::uint64_t cycles) {
    stack->observe_instructions(level, n, cycles, stats);
  }
  bool should_stop() const { return stack->livelock().has_value(); }
};
}  // namespace

machine::StopReason Stack::run(std::uint64_t cycle_limit, std::vector<LevelStats>& stats, machine::Observer* also) {
  stats.resize(depth_ + 1);
  if (livelock()) return machine::StopReason::None;
  LevelCounter c{this, stats.data(), also};
  return machine_.run_with(cycle_limit, c);
}

namespace {
/// The compile-time observer of Stack::run_to_guest_boundary: every event through
/// Stack::observe (uncounted); bursts stop before the guest's level and before each level's
/// vm_fetch (machine::StoppingObserver); the run stops at a guest boundary or a timer livelock.
struct BoundaryRunner {
  static constexpr bool enabled = true;
  Stack* stack;
  const std::vector<isa::Word>* fetches;
  bool interrupt = false;
  void on_event(const machine::Machine&, const machine::Event& e) {
    stack->observe(e, nullptr);
    interrupt = interrupt || e.interrupt;
  }
  void on_instructions(const machine::Machine&, unsigned level, std::uint64_t n, std::uint64_t cycles) {
    stack->observe_instructions(level, n, cycles, nullptr);
  }
  unsigned stop_level() const { return stack->depth(); }
  const std::vector<isa::Word>& stops() const { return *fetches; }
  bool should_stop() const {
    return stack->livelock().has_value() || stack->guest_boundary() != Stack::GuestBoundary::None;
  }
};
static_assert(machine::StoppingObserver<BoundaryRunner>);
}  // namespace

bool Stack::run_to_guest_boundary(std::uint64_t cycle_limit) {
  BoundaryRunner r{this, &fetch_stops_};
  if (stopped() || guest_boundary() != GuestBoundary::None) return false;
  machine_.run_with(cycle_limit, r);
  return r.interrupt;
}

machine::Event Stack::step(LevelStats* stats) {
  if (stopped()) return {};
  struct Obs : machine::Observer {
    Stack* stack;
    LevelStats* stats;
    void on_event(const machine::Machine&, const machine::Event& e) override { stack->observe(e, stats); }
  } obs;
  obs.stack = this;
  obs.stats = stats;
  return machine_.step(obs);
}

}  // namespace pgsim::vmm
