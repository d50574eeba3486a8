#pragma once
// The machine's step and run loop as templates over a compile-time observer, so that a run
// without an observer (or with one that inlines, like vmm's level attribution) pays nothing
// for the hook. Include this only where you instantiate run_with<YourObserver>.
#include "machine/fast_engine.hpp"
#include "machine/machine.hpp"

namespace pgsim::machine {

/// An observer type for run_with() that observes nothing (compiled away). An observer may also
/// have `bool should_stop()`, asked after every step.
struct NoObserver {
  static constexpr bool enabled = false;
  void on_event(const Machine&, const Event&) {}
};

template <class Obs>
void Machine::step_impl(Obs& obs) {
  const std::uint64_t start = cycles_;
  // Tells the observer of a trap sequence that began at cycle `from` (compiled away when the
  // observer is disabled).
  auto report_trap = [&](isa::Word saved_pc, isa::Word real, isa::Word word, isa::Word cause,
                         isa::Word info, bool interrupt, std::uint64_t from) {
    if constexpr (Obs::enabled) {
      Event e;
      e.kind = EventKind::Trap;
      e.pc = saved_pc;
      e.real_pc = real;
      e.word = word;
      e.cause = cause;
      e.info = info;
      e.interrupt = interrupt;
      e.cycle = from;
      e.cost = static_cast<isa::Word>(cycles_ - from);
      e.level = sie_depth_;
      obs.on_event(*this, e);
    }
  };
  // The VM entries and exits of this step (interpretive execution), in order.
  auto report_sie = [&] {
    if constexpr (Obs::enabled) {
      for (const Event& e : sie_events_) obs.on_event(*this, e);
    }
    sie_events_.clear();
  };
  // Interrupts are taken at instruction boundaries (PG1.md rule 6). Under interpretive
  // execution a host level's interrupt that is due first ends the levels above it.
  if ((timer_pending_ | outer_due_) && (outer_due_ || interrupts_enabled())) {
    if (outer_due_) {
      preempt_for_interrupt(start);
      report_sie();
    }
    timer_pending_ = false;
    const isa::Word saved = pc_, real = base_ + pc_, cause = static_cast<isa::Word>(m_->causes.timer);
    const std::uint64_t from = cycles_;
    trap_sequence(cause, 0, saved);
    report_trap(saved, real, 0, cause, 0, true, from);
    return;
  }
  const isa::Word real = base_ + pc_;
  const isa::Word p = pc_;
  isa::Word w = 0;
  isa::Word cause, info;
  const isa::Instruction* ins = nullptr;
  if (!valid_virtual(p)) {
    cause = static_cast<isa::Word>(m_->causes.memory);
    info = p;
  } else {
    w = E_[real];
    ins = m_->decode(w);
    if (!ins) {
      cause = static_cast<isa::Word>(m_->causes.illegal);
      info = w;
    } else if (ins->privileged && mode_ > ins->max_level) {  // less privileged than it allows
      cause = static_cast<isa::Word>(m_->causes.privileged);
      info = w;
    } else {
      Exec r = execute(*ins, w);
      if (r < Exec::Fault) {
        isa::Word cost = ins->cycles + extra_cycles_;
        cycles_ += cost;
        ++instructions_;
        consecutive_traps_ = 0;
        if (!timer_written_) count_down(cost);
        else if (timer_written_ == 1 && sie_depth_) charge_levels(sie_depth_ - 1, cost);  // stimer: the hosts' timers
        pc_ = next_pc_;
        if constexpr (Obs::enabled) {
          Event e;
          e.pc = p;
          e.real_pc = real;
          e.word = w;
          e.cycle = start;
          e.cost = cost;
          e.level = sie_depth_;
          e.instruction = ins;
          obs.on_event(*this, e);
        }
        if (r == Exec::Ok) return;
        if (r == Exec::Entry) {
          vm_entry(p, cycles_);
          report_sie();
          return;
        }
        if (r == Exec::Halt) {
          halted_ = true;
          stop_ = StopReason::Halted;
          return;
        }
        // TrapAfter: the instruction completed; now the trap, saving the next P.
        const std::uint64_t tstart = cycles_;
        const isa::Word saved = pc_;
        trap_sequence(fault_cause_, fault_info_, saved);
        report_trap(saved, real, w, fault_cause_, fault_info_, false, tstart);
        return;
      }
      cause = fault_cause_;
      info = fault_info_;
      if (r == Exec::Exit) {
        // Intercepted (or past the nesting limit): a VM exit before any effect, P stays at it.
        vm_exit(cause, info, w, false, start);
        report_sie();
        return;
      }
    }
  }
  // A fault: precise, nothing changed; only the trap sequence runs (PG1.md rule 3).
  trap_sequence(cause, info, p);
  report_trap(p, real, w, cause, info, false, start);
}

template <class Obs>
StopReason Machine::run_with(std::uint64_t cycle_limit, Obs& obs) {
  if (halted_ || stop_ == StopReason::TrapStorm) return stop_;
  // Bounded in steps as well as cycles (issue 9): even a step that cost no cycles could not
  // make the loop endless.
  std::uint64_t steps_left = max_steps_ ? max_steps_ : (cycle_limit > cycles_ ? cycle_limit - cycles_ : 0);
  while (cycles_ < cycle_limit) {
    if constexpr (BulkObserver<Obs>) {
      // The fast engine: a burst up to the next instruction it leaves to the reference step.
      bool bulk = fast_ready(StoppingObserver<Obs>);
      if constexpr (requires { obs.accepts_bulk(); }) bulk = bulk && obs.accepts_bulk();
      if (bulk) {
        const std::uint64_t by_steps = cycles_ + std::min(steps_left, ~std::uint64_t{0} - cycles_);
        steps_left -= fast_burst(std::min(cycle_limit, by_steps), obs);
        if (cycles_ >= cycle_limit) break;
        if constexpr (StoppingObserver<Obs>) {
          if (obs.should_stop()) return stop_ = StopReason::None;  // the burst stopped at one of its stops
        }
      }
    }
    if (steps_left == 0) return stop_ = StopReason::StepLimit;
    --steps_left;
    step_impl(obs);
    if constexpr (requires { obs.should_stop(); }) {
      if (obs.should_stop()) return stop_ = halted_ ? halt_reason() : StopReason::None;
    }
    if (halted_) return stop_ = halt_reason();
    if (consecutive_traps_ >= 3) return stop_ = StopReason::TrapStorm;
  }
  return stop_ = StopReason::CycleBudget;
}

}  // namespace pgsim::machine
