// Interpretive execution: the machine's hardware assist (docs/pg1-assist.md), for an ISA that
// declares an `assist { ... }` block (isa::Assist).
//
// A host executes the VM-entry instruction with the address of a state description (SD); the
// hardware saves the host's state (as IBM's SIE does; Intel's VT-x keeps it in the VMCS's
// host-state area), loads the guest's PSW, registers and virtual CPU timer from the SD, and runs
// the guest directly against it until something the host intercepts happens ("VM exit"): the
// guest's state goes back into the SD with the exit reason and info, and the host resumes after
// its entry instruction. (Osisek, Jackson & Gum, "ESA/390 interpretive-execution architecture",
// IBM Systems Journal 30(1), 1991; Intel SDM Vol. 3C, VMX.)
//
// Nesting is composed in hardware, as Goldberg's hardware virtualizer composes the levels'
// maps (R. P. Goldberg, "Architecture of virtual machines", 1973): a guest that itself executes
// the entry instruction in its virtual supervisor mode has that entry interpreted too. The
// machine keeps a stack of active levels (Machine::InterpretiveLevel), at most the ISA's
// `levels`; the region of level g is the region of level g - 1 offset by its SD's origin and
// bounded by its size, and the innermost guest runs directly on the real machine. So an event
// at any depth costs O(1) real exits (The Turtles Project, Ben-Yehuda et al., OSDI 2010, does
// the same composition in software, with one hardware level).
//
// Representation while interpreting (sie_depth_ > 0): mode_, pc_, regs_ and controls_ are the
// innermost guest's own; vbase_ / vbound_ are its own R, and base_ / bound_ the composed real R
// the fetch and ld/st paths use unchanged: base_ = origin + vbase, bound_ = min(vbound, size -
// vbase) (0 when vbase >= size), so a guest address is valid exactly when it would be on the
// guest's own bare machine. The timers: every active level's timer counts the cycles executed
// at its level or deeper; timer_ counts down to the nearest expiry of any of them (the run loop's
// count_down, unchanged), and sync_timers() brings them all up to date when it expires or when
// a level is entered, exited or sets its timer.
#include <algorithm>

#include "machine/machine.hpp"

namespace pgsim::machine {

namespace {
/// The smallest guest machine that holds the ISA's low storage (the trap sequence's words).
std::uint64_t low_storage_words(const isa::IsaModel& m) {
  std::uint64_t n = m.psw.size();
  return std::max({std::uint64_t{m.trap_old_psw} + n, std::uint64_t{m.trap_new_psw} + n,
                   std::uint64_t{m.trap_cause} + 1, std::uint64_t{m.trap_info} + 1});
}
}  // namespace

void Machine::recompose() {
  const InterpretiveLevel& l = sie_.back();
  if (vbase_ < l.size) {
    base_ = l.origin + vbase_;
    bound_ = std::min(vbound_, l.size - vbase_);
  } else {
    base_ = l.origin;  // nothing is valid: every access traps MEMORY, as on the guest's own machine
    bound_ = 0;
  }
}

void Machine::sync_timers(std::uint64_t extra) {
  const std::uint64_t e = static_cast<std::uint64_t>(tsync_ - timer_) + extra;
  if (e != 0) {
    auto apply = [e](isa::Word& t, bool& pending) {
      if (t == 0) return;
      if (e >= t) {
        t = 0;
        pending = true;
      } else {
        t -= static_cast<isa::Word>(e);
      }
    };
    for (auto& l : sie_) apply(l.host_timer, l.host_pending);
    apply(vtimer_, timer_pending_);
  }
  recompute_timers();
}

void Machine::recompute_timers() {
  isa::Word nearest = vtimer_;
  outer_due_ = false;
  for (const auto& l : sie_) {
    if (l.host_timer != 0 && (nearest == 0 || l.host_timer < nearest)) nearest = l.host_timer;
    if (l.host_pending && host_interrupts_enabled(l)) outer_due_ = true;
  }
  timer_ = tsync_ = nearest;
}

void Machine::charge_levels(unsigned upto, isa::Word cycles) {
  sync_timers(0);
  for (unsigned j = 0; j <= upto && j < sie_depth_; ++j) {
    auto& l = sie_[j];
    if (l.host_timer == 0) continue;
    if (cycles >= l.host_timer) {
      l.host_timer = 0;
      l.host_pending = true;
    } else {
      l.host_timer -= cycles;
    }
  }
  recompute_timers();
}

isa::Word Machine::level_timer(unsigned j) const {
  if (sie_depth_ == 0) return j == 0 ? timer_ : 0;
  if (j > sie_depth_) return 0;
  const isa::Word t = j == sie_depth_ ? vtimer_ : sie_[j].host_timer;
  const isa::Word e = tsync_ - timer_;
  return t > e ? t - e : 0;
}

bool Machine::level_timer_pending(unsigned j) const {
  if (sie_depth_ == 0) return j == 0 && timer_pending_;
  if (j > sie_depth_) return false;
  const bool p = j == sie_depth_ ? timer_pending_ : sie_[j].host_pending;
  const isa::Word t = j == sie_depth_ ? vtimer_ : sie_[j].host_timer;
  return p || (t != 0 && t <= tsync_ - timer_);
}

std::vector<isa::Word> Machine::level_psw() const {
  std::vector<isa::Word> out = psw();
  if (sie_depth_ == 0) return out;
  for (std::size_t i = 0; i < m_->psw.size(); ++i) {
    if (m_->psw[i].slot == isa::PswSlot::Base) out[i] = vbase_;
    if (m_->psw[i].slot == isa::PswSlot::Bound) out[i] = vbound_;
  }
  return out;
}

void Machine::vm_entry(isa::Word entry_pc, std::uint64_t start) {
  const isa::Assist& a = m_->assist;
  const isa::Word sd = entry_sd_;  // all a.words words checked by the VmEntry operation
  auto field = [&](isa::Word off) { return E_[static_cast<std::size_t>(sd) + off]; };
  auto put = [&](isa::Word off, isa::Word v) {
    std::size_t r = static_cast<std::size_t>(sd) + off;
    E_[r] = v & mask_;
    cache_.invalidate(r);
    if (store_log_) store_log_->push_back(static_cast<isa::Word>(r));
  };
  // The host's machine: the real machine, or the running guest's region.
  const std::uint64_t host_origin = sie_depth_ ? sie_.back().origin : 0;
  const std::uint64_t host_size = sie_depth_ ? sie_.back().size : E_.size();
  const isa::Word origin = field(a.origin), size = field(a.size);
  // Validity (docs/pg1-assist.md "Invalid state descriptions"): the region lies in the host's
  // machine and holds the low storage; else an immediate exit naming the field.
  std::int64_t bad = -1;
  if (origin >= host_size) bad = a.origin;
  else if (size < low_storage_words(*m_) || origin + std::uint64_t{size} > host_size) bad = a.size;
  if (bad >= 0) {
    put(a.reason, a.validity);
    put(a.info, static_cast<isa::Word>(bad));
    cycles_ += a.exit_cycles;
    ++exits_;
    count_down(a.exit_cycles);
    Event e;
    e.kind = EventKind::VmExit;
    e.pc = pc_;
    e.real_pc = base_ + pc_;
    e.cause = a.validity;
    e.info = static_cast<isa::Word>(bad);
    e.cycle = start;
    e.cost = a.exit_cycles;
    e.level = sie_depth_ + 1;
    sie_events_.push_back(e);
    return;
  }
  InterpretiveLevel l;
  l.sd = sd;
  l.origin = static_cast<isa::Word>(host_origin + origin);
  l.size = size;
  l.intercepts = field(a.intercepts);
  l.host_regs = regs_;
  l.host_mode = mode_;
  l.host_pc = entry_pc;
  l.host_base = level_base();
  l.host_bound = level_bound();
  l.host_controls = controls_;
  if (sie_depth_) sync_timers(0);
  l.host_timer = sie_depth_ ? vtimer_ : timer_;
  l.host_pending = timer_pending_;
  sie_.push_back(std::move(l));
  ++sie_depth_;
  // The guest's state, from the SD.
  regs_.fill(0);
  for (std::size_t r = 0; r < m_->registers.size(); ++r)
    if (static_cast<int>(r) != zero_) regs_[r] = field(a.regs + static_cast<isa::Word>(r)) & mask_;
  for (std::size_t i = 0; i < m_->psw.size(); ++i) {
    const isa::Word v = field(a.psw + static_cast<isa::Word>(i));
    const auto& pw = m_->psw[i];
    switch (pw.slot) {
      case isa::PswSlot::Mode: mode_ = v & mode_mask_; break;
      case isa::PswSlot::Pc: pc_ = v & mask_; break;
      case isa::PswSlot::Base: vbase_ = v & mask_; break;
      case isa::PswSlot::Bound: vbound_ = v & mask_; break;
      case isa::PswSlot::Control: set_control(pw.control, v); break;
    }
  }
  vtimer_ = field(a.timer) & mask_;
  timer_pending_ = (field(a.pending) & 1u) != 0;
  intercepts_ = sie_.back().intercepts;
  recompute_timers();
  recompose();
  ++entries_;
  Event e;
  e.kind = EventKind::VmEntry;
  e.pc = pc_;
  e.real_pc = base_ + pc_;
  e.info = sd;
  e.cycle = cycles_;
  e.level = sie_depth_;
  sie_events_.push_back(e);
}

void Machine::vm_exit(isa::Word reason, isa::Word info, isa::Word word, bool preempt,
                      std::uint64_t start) {
  const isa::Assist& a = m_->assist;
  sync_timers(0);
  InterpretiveLevel l = std::move(sie_.back());
  const isa::Word exited = sie_depth_;
  Event e;
  e.kind = EventKind::VmExit;
  e.pc = pc_;
  e.real_pc = base_ + pc_;
  e.word = word;
  e.cause = reason;
  e.info = info;
  e.cycle = start;
  e.cost = a.exit_cycles;
  e.level = exited;
  // The guest's state goes back into its SD, with the reason and info.
  auto put = [&](isa::Word off, isa::Word v) {
    std::size_t r = static_cast<std::size_t>(l.sd) + off;
    E_[r] = v & mask_;
    cache_.invalidate(r);
    if (store_log_) store_log_->push_back(static_cast<isa::Word>(r));
  };
  for (std::size_t i = 0; i < m_->psw.size(); ++i) {
    const auto& pw = m_->psw[i];
    isa::Word v = 0;
    switch (pw.slot) {
      case isa::PswSlot::Mode: v = mode_; break;
      case isa::PswSlot::Pc: v = pc_; break;
      case isa::PswSlot::Base: v = vbase_; break;
      case isa::PswSlot::Bound: v = vbound_; break;
      case isa::PswSlot::Control: v = controls_[static_cast<std::size_t>(pw.control)]; break;
    }
    put(a.psw + static_cast<isa::Word>(i), v);
  }
  for (std::size_t r = 0; r < m_->registers.size(); ++r)
    put(a.regs + static_cast<isa::Word>(r), static_cast<int>(r) == zero_ ? 0 : regs_[r]);
  put(a.timer, vtimer_);
  put(a.pending, timer_pending_ ? 1 : 0);
  put(a.reason, reason);
  put(a.info, info);
  // The host resumes: after its entry instruction, or at it when an interrupt preempted.
  sie_.pop_back();
  --sie_depth_;
  regs_ = l.host_regs;
  mode_ = l.host_mode;
  controls_ = l.host_controls;
  pc_ = preempt ? l.host_pc : (l.host_pc + 1) & mask_;
  timer_pending_ = l.host_pending;
  if (sie_depth_ == 0) {
    base_ = l.host_base;
    bound_ = l.host_bound;
    vbase_ = vbound_ = 0;
    timer_ = l.host_timer;
    tsync_ = 0;
    vtimer_ = 0;
    intercepts_ = 0;
    outer_due_ = false;
  } else {
    vbase_ = l.host_base;
    vbound_ = l.host_bound;
    recompose();
    vtimer_ = l.host_timer;
    intercepts_ = sie_.back().intercepts;
    recompute_timers();
  }
  // The exit's cost is the host's.
  cycles_ += a.exit_cycles;
  ++exits_;
  count_down(a.exit_cycles);
  sie_events_.push_back(e);
}

void Machine::preempt_for_interrupt(std::uint64_t start) {
  // The outermost host whose timer interrupt is pending and enabled takes it: the levels above
  // it exit, their state written back and their hosts' pc left at the entry instruction (as
  // S/370 SIE leaves the PSW at SIE on a host interruption), so that resuming the host re-enters.
  unsigned j = 0;
  while (j < sie_depth_ && !(sie_[j].host_pending && host_interrupts_enabled(sie_[j]))) ++j;
  while (sie_depth_ > j) vm_exit(m_->assist.preempted, 0, 0, true, start);
}

void Machine::trap_sequence_interpretive(isa::Word cause, isa::Word info, isa::Word saved_pc) {
  // The guest's own trap sequence, in its own low storage (guest real a = origin + a; the
  // region holds all of it, checked at entry), with its own PSW.
  const std::uint64_t o = sie_.back().origin;
  auto put = [&](std::uint64_t a, isa::Word v) {
    E_[o + a] = v & mask_;
    cache_.invalidate(o + a);
    if (store_log_) store_log_->push_back(static_cast<isa::Word>(o + a));
  };
  std::uint64_t a = m_->trap_old_psw;
  for (const auto& w : m_->psw) {
    switch (w.slot) {
      case isa::PswSlot::Mode: put(a, mode_); break;
      case isa::PswSlot::Pc: put(a, saved_pc); break;
      case isa::PswSlot::Base: put(a, vbase_); break;
      case isa::PswSlot::Bound: put(a, vbound_); break;
      case isa::PswSlot::Control: put(a, controls_[static_cast<std::size_t>(w.control)]); break;
    }
    ++a;
  }
  put(m_->trap_cause, cause);
  put(m_->trap_info, info);
  a = m_->trap_new_psw;
  for (const auto& w : m_->psw) {
    const isa::Word v = E_[o + a++];
    switch (w.slot) {
      case isa::PswSlot::Mode: mode_ = v & mode_mask_; break;
      case isa::PswSlot::Pc: pc_ = v; break;
      case isa::PswSlot::Base: vbase_ = v; break;
      case isa::PswSlot::Bound: vbound_ = v; break;
      case isa::PswSlot::Control: set_control(w.control, v); break;
    }
  }
  recompose();
  cycles_ += m_->trap_cycles;
  ++traps_;
  ++consecutive_traps_;
  count_down(m_->trap_cycles);
}

}  // namespace pgsim::machine
