#pragma once
// Timer livelock: a level whose timer ticks come faster than the VMMs below it can deliver them
// never runs its interrupted code again. Under the naive VMM (vmm/pgvmm.s) each guest
// privileged instruction costs 2^(d-1) .. 2^d - 1 real traps at depth d (pgvmm.s's header), so
// the time from the real `stimer` that re-arms a guest's timer to the guest's next instruction
// grows like 235 * (2^d - 1) cycles; a guest re-arming a 5,000-cycle period livelocks from
// depth 5 (issue 10; examples/os/quantum.s). The machine would spin silently to its cycle
// budget: this watch sees it and the stack stops with the reason "timer livelock".
//
// THE CRITERION (one definition, used by `pgsim run`, `pgsim equiv`, the lessons and the GUI,
// all through Stack::observe):
//
// - A timer interrupt is DELIVERED to level k when the real machine takes a TIMER interrupt
//   while level k's code runs (Stack::level_of of the interrupted real pc is k). A VMM level
//   of the naive construction runs with ie = 0 and composes its guest's real ie from the
//   guest's virtual ie, so the real interrupt can only be taken while a level with virtual
//   ie = 1 runs; L0 .. L(k-1) then reflect it into Lk's virtual trap area (Stack::handling_chain:
//   "L0 reflects -> ... -> L(k-1) reflects into Lk"). The criterion reads no control block, so
//   it holds for any monitor that delivers a tick by taking the real interrupt in the level's
//   code; at depth 0 it is the hardware's own delivery.
// - Level k makes PROGRESS when it completes an instruction while interrupts are enabled
//   (the real ie, i.e. its virtual ie, was 1 before the instruction), or when a privileged
//   instruction it attempts with ie = 1 is emulated by L(k-1) (Stack::would_emulate): code
//   that the next tick interrupts, not the tick handler, which runs with ie = 0.
// - Level k is LIVELOCKED when kLivelockTicks consecutive deliveries to it each followed the
//   previous one with no progress of level k in between.
//
// What is reported (TimerLivelock): the level; its PERIOD, the operand of the last `stimer`
// the level executed or attempted (read from the register its instruction names), else the
// value of the last real `stimer`; TICK CYCLES, the cycles from the previous delivery's real
// interrupt to the last one's: the whole cost of one tick at that depth (reflecting it,
// the handler, re-arming, resuming) in the steady state of the livelock; and RESUME CYCLES,
// the cycles from the end of the last real `stimer` (the re-arm; under pgvmm, L0's
// emu_stimer) to the last delivery, i.e. to the moment the level was about to run its next
// instruction: the livelock happens because this is at least the period.
//
// Limits of the criterion: a tick handler that re-enables interrupts counts as progress (such
// a guest is not reported); a guest that really wants more than kLivelockTicks ticks back to
// back without running any interruptible instruction is reported although it might end
// (without running it, the two cannot be told apart).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "machine/machine.hpp"

namespace pgsim::vmm {

class Stack;

/// Consecutive timer interrupts delivered to a level without progress of that level before a
/// timer livelock is reported. 64: far more than any finite burst of back-to-back ticks a
/// guest takes on purpose (tinyos counts at most 3; a handler catching up on missed ticks takes
/// a few), so healthy runs are never stopped; and few enough that the diagnosis costs little:
/// 64 ticks of about 15,000 cycles each at depth 5 is about 10^6 cycles, 0.1% of `pgsim run`'s
/// default budget of 10^9.
inline constexpr unsigned kLivelockTicks = 64;

/// A diagnosed timer livelock (see the header for the definitions of its fields).
struct TimerLivelock {
  unsigned level = 0;                ///< the starved level (Lk)
  unsigned depth = 0;                ///< the stack's depth (level == depth: the guest)
  unsigned ticks = 0;                ///< consecutive deliveries without progress (the threshold)
  isa::Word period = 0;          ///< cycles: the level's timer period (its stimer's operand)
  std::uint64_t tick_cycles = 0;     ///< cycles from the previous delivery to the last one
  std::uint64_t resume_cycles = 0;   ///< cycles from the end of the last real stimer to the last delivery
  std::uint64_t cycle = 0;           ///< the real cycle of the last delivery (when it was diagnosed)
  /// "timer livelock: L5 (the guest, depth 5) completed no instruction with interrupts enabled
  /// across 64 consecutive timer interrupts delivered to it: …" with the period and costs,
  /// one paragraph, no newline.
  std::string message() const;
};

/// The short stop reason, as `pgsim run --json` "reason" and the lessons' `expect stop-reason`.
inline constexpr const char* kTimerLivelockReason = "timer livelock";

/// Watches machine events of a stack for a timer livelock (the criterion in this header).
/// Copyable state (a session keeps it in its checkpoints); owned by Stack, fed by
/// Stack::observe with every event in order.
class TimerLivelockWatch {
 public:
  /// A watch for a stack of `depth` VMMs on a machine of ISA `isa`, whose interrupts are
  /// enabled (`ie`) in the machine's current state. `threshold`: kLivelockTicks, or another
  /// count for tests (at least 1).
  TimerLivelockWatch(const isa::IsaModel& isa, unsigned depth, bool ie, unsigned threshold = kLivelockTicks);

  /// Counts one event, reported by the machine `m` right after it, taken while level `level`'s
  /// code ran. `s` answers would_emulate. Once a livelock is diagnosed, further events are
  /// ignored (the stack stops). Inline for the common case, an instruction that sets no timer
  /// (every run of the stack pays it per event).
  void observe(const Stack& s, const machine::Machine& m, const machine::Event& e, unsigned level) {
    if (found_ || level >= levels_.size()) return;
    const bool ie_before = ie_;
    ie_ = timer_enable_ < 0 || (m.control(timer_enable_) & 1u) != 0;
    if (e.kind == machine::EventKind::Instruction) [[likely]] {
      if (ie_before) levels_[level].progress = true;
      if (sets_timer(e.instruction)) on_timer_set(m, e, level);
      return;
    }
    if (e.kind == machine::EventKind::Trap) on_trap(s, m, e, level, ie_before);
  }
  /// Counts `n` > 0 consecutive Instruction events of level `level` that set no timer and changed
  /// no control register (the fast engine's bulk report), exactly as observe() of each would.
  void observe_instructions(const machine::Machine& m, unsigned level, std::uint64_t n) {
    if (found_ || level >= levels_.size() || n == 0) return;
    const bool ie = timer_enable_ < 0 || (m.control(timer_enable_) & 1u) != 0;  // the same after each of them
    if (ie_ || (n > 1 && ie)) levels_[level].progress = true;
    ie_ = ie;
  }
  /// The livelock diagnosed, if any.
  const std::optional<TimerLivelock>& livelock() const { return found_; }
  unsigned threshold() const { return threshold_; }

 private:
  struct Level {
    bool delivered = false;        ///< a tick was delivered to it before
    bool progress = false;         ///< it made progress since the last delivery
    unsigned starved = 0;          ///< consecutive deliveries without progress before each
    std::uint64_t last_tick = 0;   ///< cycle of the last delivery
    isa::Word period = 0;      ///< the operand of its last stimer (0: none seen)
    bool has_period = false;
  };
  /// Does `ins` (an instruction of the ISA, or null) set the timer? O(1).
  bool sets_timer(const isa::Instruction* ins) const {
    if (ins < lo_ || ins > hi_ || !ins) return false;  // the common case: two compares
    const auto i = static_cast<std::size_t>(ins - first_);
    return i < sets_timer_.size() && sets_timer_[i];
  }
  void on_timer_set(const machine::Machine& m, const machine::Event& e, unsigned level);
  void on_trap(const Stack& s, const machine::Machine& m, const machine::Event& e, unsigned level, bool ie_before);
  std::optional<isa::Word> timer_operand(const machine::Machine& m, const isa::Instruction& ins,
                                             isa::Word word) const;

  unsigned threshold_;
  unsigned depth_;
  int timer_cause_ = -1, priv_cause_ = -1, timer_enable_ = -1;
  const isa::Instruction* first_ = nullptr;  ///< the ISA's first instruction (sets_timer_ is indexed from it)
  std::vector<char> sets_timer_;             ///< per instruction: its semantics set the timer (SetTimer)
  const isa::Instruction *lo_ = nullptr, *hi_ = nullptr;  ///< the first and last such instruction (none: null)
  std::vector<Level> levels_;
  bool ie_ = false;                 ///< interrupts enabled after the last event (before the next)
  std::uint64_t stimer_end_ = 0;    ///< cycle right after the last real stimer completed
  isa::Word stimer_value_ = 0;  ///< its value
  bool stimer_seen_ = false;
  std::optional<TimerLivelock> found_;
};

}  // namespace pgsim::vmm
