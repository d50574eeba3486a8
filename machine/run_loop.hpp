#pragma once
// The machine's step and run loop as templates over a compile-time observer, so that a run
// without an observer (or with one that inlines, like vmm's level attribution) pays nothing
// for the hook. Include this only where you instantiate run_with<YourObserver>.
#include "machine/machine.hpp"

namespace pgsim::machine {

/// An observer type for run_with() that observes nothing (compiled away).
struct NoObserver {
  static constexpr bool enabled = false;
  void on_event(const Machine&, const Event&) {}
};

template <class Obs>
void Machine::step_impl(Obs& obs) {
  const std::uint64_t start = cycles_;
  // Interrupts are taken at instruction boundaries (PG1.md rule 6).
  if (timer_pending_ && interrupts_enabled()) {
    timer_pending_ = false;
    std::uint32_t saved = pc_, real = base_ + pc_;
    trap_sequence(static_cast<std::uint32_t>(m_->causes.timer), 0, saved);
    if constexpr (Obs::enabled) {
      Event e;
      e.kind = EventKind::Trap;
      e.pc = saved;
      e.real_pc = real;
      e.cause = static_cast<std::uint32_t>(m_->causes.timer);
      e.interrupt = true;
      e.cycle = start;
      e.cost = static_cast<std::uint32_t>(cycles_ - start);
      obs.on_event(*this, e);
    }
    return;
  }
  const std::uint32_t p = pc_;
  const std::uint32_t real = base_ + p;
  std::uint32_t w = 0;
  std::uint32_t cause, info;
  const isa::Instruction* ins = nullptr;
  if (!valid_virtual(p)) {
    cause = static_cast<std::uint32_t>(m_->causes.memory);
    info = p;
  } else {
    w = E_[real];
    ins = m_->decode(w);
    if (!ins) {
      cause = static_cast<std::uint32_t>(m_->causes.illegal);
      info = w;
    } else if (ins->privileged && mode_ == User) {
      cause = static_cast<std::uint32_t>(m_->causes.privileged);
      info = w;
    } else {
      Exec r = execute(*ins, w);
      if (r != Exec::Fault) {
        std::uint32_t cost = ins->cycles + extra_cycles_;
        cycles_ += cost;
        ++instructions_;
        consecutive_traps_ = 0;
        if (!timer_written_) count_down(cost);
        pc_ = next_pc_;
        if constexpr (Obs::enabled) {
          Event e;
          e.pc = p;
          e.real_pc = real;
          e.word = w;
          e.cycle = start;
          e.cost = cost;
          e.instruction = ins;
          obs.on_event(*this, e);
        }
        if (r == Exec::Ok) return;
        if (r == Exec::Halt) {
          halted_ = true;
          stop_ = StopReason::Halted;
          return;
        }
        // TrapAfter: the instruction completed; now the trap, saving the next P.
        const std::uint64_t tstart = cycles_;
        trap_sequence(fault_cause_, fault_info_, pc_);
        if constexpr (Obs::enabled) {
          Event e;
          e.kind = EventKind::Trap;
          e.pc = next_pc_;
          e.real_pc = real;
          e.word = w;
          e.cause = fault_cause_;
          e.info = fault_info_;
          e.cycle = tstart;
          e.cost = static_cast<std::uint32_t>(cycles_ - tstart);
          obs.on_event(*this, e);
        }
        return;
      }
      cause = fault_cause_;
      info = fault_info_;
    }
  }
  // A fault: precise, nothing changed; only the trap sequence runs (PG1.md rule 3).
  trap_sequence(cause, info, p);
  if constexpr (Obs::enabled) {
    Event e;
    e.kind = EventKind::Trap;
    e.pc = p;
    e.real_pc = real;
    e.word = w;
    e.cause = cause;
    e.info = info;
    e.cycle = start;
    e.cost = static_cast<std::uint32_t>(cycles_ - start);
    obs.on_event(*this, e);
  }
}

template <class Obs>
StopReason Machine::run_with(std::uint64_t cycle_limit, Obs& obs) {
  if (halted_ || stop_ == StopReason::TrapStorm) return stop_;
  while (cycles_ < cycle_limit) {
    step_impl(obs);
    if (halted_) return stop_ = StopReason::Halted;
    if (consecutive_traps_ >= 3) return stop_ = StopReason::TrapStorm;
  }
  return stop_ = StopReason::CycleBudget;
}

}  // namespace pgsim::machine
