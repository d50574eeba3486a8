#pragma once
// A debugging session over a VMM stack: the step kinds a person uses to follow a trap through
// the levels (instruction, in level k, over a trap, finish a trap, to the next trap), a bounded
// record of the real traps with their handling chains, per-level counters, and reverse
// execution by checkpoints and deterministic re-execution that keeps the recorded future.
// Used by the GUI and the lessons; Qt-free, so it is tested on its own.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vmm/stack.hpp"

namespace pgsim::vmm {

/// One real trap as the session saw it.
struct TrapRecord {
  std::uint64_t step = 0;      ///< index of the step that took it (0-based)
  std::uint64_t cycle = 0;     ///< cycle at which the trap sequence began
  unsigned level = 0;          ///< the level whose code trapped
  isa::Word cause = 0, info = 0, word = 0;
  bool interrupt = false;
  std::vector<Stack::Handling> chain;  ///< who reflected / emulated it
  isa::Word real_pc = 0;
  /// Trap (a trap sequence), or VmEntry / VmExit (interpretive execution, docs/pg1-assist.md):
  /// for those `level` is the guest entered / exited, `cause` the exit reason, `info` its info,
  /// `word` the intercepted instruction (else 0), and `chain` names the host that handles an
  /// exit (level − 1, "emulates"); an entry's chain is empty.
  machine::EventKind kind = machine::EventKind::Trap;
};

/// A level's own view of <M, P, R>, ie and its registers (the hardware's for the running level
/// and for L0; a VMM's control block for the others), with its current instruction.
struct LevelView {
  unsigned level = 0;
  bool vmm = false;       ///< role: VMM or guest
  bool running = false;   ///< its code is the one executing now (at base + P)
  bool stopped = false;   ///< the machine stopped (halt, trap storm) with this level's code at base + P
  isa::Word mode = 0, pc = 0, base = 0, bound = 0, ie = 0;
  std::vector<isa::Word> regs;
  std::string instruction;  ///< disassembled instruction at its pc ("" if none)
  std::string where;        ///< file:line of it ("" if unknown)
  LevelStats stats;
  /// For a monitor whose ISA has an assist and whose image names its state description `sd`
  /// (vmm/monitors/assist.s): its guest's state description as one line of text -- the guest's
  /// PSW, virtual CPU timer, region, intercepts and last exit reason (live from the hardware
  /// while the guest runs under interpretive execution, else the SD in storage); "" otherwise.
  std::string state_description;
};

/// One micro-step of a machine step, for "Step cycle": the fetch, the execution, and each
/// store and load of a trap sequence.
struct MicroStep {
  std::string text;                ///< e.g. "store old PSW[1] = 17 at real 0"
  std::int64_t real_address = -1;  ///< the storage word it touches, if any
  std::uint64_t cycle = 0;         ///< the machine's cycle counter after this micro-step (it charges
                                   ///< an instruction's and a trap sequence's cycles when they complete)
};

/// Where a run stops: before executing code at a real address, or after a trap of a cause or
/// taken while a level's code ran.
struct Breakpoints {
  std::set<isa::Word> addresses;  ///< real addresses
  std::set<isa::Word> causes;
  std::set<unsigned> levels;
  bool empty() const { return addresses.empty() && causes.empty() && levels.empty(); }
};

/// Which breakpoint stopped the last Session::run() (Kind::None: none did).
struct StopInfo {
  enum class Kind : std::uint8_t { None, Address, Cause, Level };
  Kind kind = Kind::None;
  isa::Word address = 0;  ///< Kind::Address: the real address about to execute
  isa::Word cause = 0;    ///< Kind::Cause / Kind::Level: the trap's cause
  unsigned level = 0;         ///< the level whose code is at `address` / took the trap
};

/// The traps taken before the current step, as far as they are kept in full (a view into the
/// session's record: index 0 is the oldest kept one; it stays valid until the session moves).
class TrapLog {
 public:
  TrapLog(const std::deque<TrapRecord>& d, std::size_t n) : d_(&d), n_(n) {}
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  const TrapRecord& operator[](std::size_t i) const { return (*d_)[i]; }
  const TrapRecord& front() const { return d_->front(); }
  const TrapRecord& back() const { return (*d_)[n_ - 1]; }
  std::deque<TrapRecord>::const_iterator begin() const { return d_->begin(); }
  std::deque<TrapRecord>::const_iterator end() const { return d_->begin() + static_cast<std::ptrdiff_t>(n_); }

 private:
  const std::deque<TrapRecord>* d_;
  std::size_t n_;
};

/// The session. Steps are machine steps (an instruction, a fault, or an interrupt).
///
/// Stepping stops *before* an instruction: every "run until level k runs" (step in level k,
/// step over trap, finish trap, the lessons' `run to-level`) stops at the first step boundary
/// where level k's code is at base + P and the next step is not an interrupt, so that k's
/// next instruction is the one about to execute.
///
/// History: going back (step back, go_to_step to an earlier step) keeps the recorded future;
/// forward() / forward_to_present() walk it again by deterministic re-execution (console
/// input is replayed at the step it was typed). Input typed while in the past rewrites the
/// future from there on.
///
/// Bounds (so that a long run's memory stays bounded): the newest trap_record_limit() traps
/// are kept in full, older ones only counted (traps_dropped()); checkpoints are kept every
/// kEvery steps for the newest kHistory steps of the recorded history, plus at most
/// kSparseCheckpoints spread over all of it and kLocalCheckpoints near where one went back to.
/// Any earlier state is re-derived by re-execution from the nearest checkpoint.
class Session {
 public:
  /// Builds the stack (see Stack) and keeps the reset state for step back.
  Session(std::shared_ptr<const isa::IsaModel> isa, std::shared_ptr<const assembler::Image> vmm,
          std::shared_ptr<const assembler::Image> guest, unsigned depth, isa::Word guest_memory = 0);

  const Stack& stack() const { return stack_; }
  const machine::Machine& machine() const { return stack_.machine(); }
  std::uint64_t steps() const { return steps_; }
  bool stopped() const;  ///< halted, in a trap storm, or at a timer livelock (Stack::stopped)
  /// The level whose code is at base + P (after a halt: the level that halted).
  unsigned running_level() const { return stack_.level_of(machine().base() + machine().pc()); }
  /// True if the next step is a timer interrupt (pending and enabled), not an instruction.
  bool next_is_interrupt() const;
  /// True if level k's next instruction is the one about to execute: not stopped, k's code is
  /// at base + P and the next step is not an interrupt. (The instruction may still trap.)
  bool about_to_run(unsigned k) const { return !stopped() && !next_is_interrupt() && running_level() == k; }

  /// One machine step. Returns its last event.
  machine::Event step();
  /// Runs up to `max_steps` steps, stopping after the first event for which `stop` is true.
  /// Returns true if `stop` fired.
  bool run_until(const std::function<bool(const machine::Event&)>& stop, std::uint64_t max_steps);
  /// Runs at least one step, then until level k is about to run (see about_to_run()), at most
  /// `max_steps` steps. Returns true if it got there.
  bool run_to_level(unsigned k, std::uint64_t max_steps = 10'000'000);
  /// "Step in level k": the same as run_to_level().
  bool step_in_level(unsigned k, std::uint64_t max_steps = 10'000'000) { return run_to_level(k, max_steps); }
  /// Runs until the next real trap (of `cause` / taken by `level`, if given).
  bool run_to_next_trap(std::optional<isa::Word> cause = {}, std::optional<unsigned> level = {},
                        std::uint64_t max_steps = 10'000'000);
  /// One step; if it trapped (or was interrupted), runs on until the level that trapped is
  /// about to run again: its next instruction after an emulation, the first instruction of its
  /// handler after a reflection. Just after a trap (the last step took it), runs until that
  /// trap's level is about to run again. Returns false if stopped or `max_steps` ran out first.
  bool step_over_trap(std::uint64_t max_steps = 10'000'000);
  /// The level of the trap in progress, the one finish_trap() finishes: the most recent trap
  /// whose level has not been about to run since (none: every trap has been resumed from).
  std::optional<unsigned> trap_in_progress() const;
  /// "Finish trap": runs until the level of the trap in progress is about to run again.
  /// Returns false (without stepping) when no trap is in progress, or if it did not get there.
  bool finish_trap(std::uint64_t max_steps = 10'000'000);
  /// The micro-steps the next step consists of (computed on a copy; the session is unchanged).
  std::vector<MicroStep> next_micro_steps() const;
  /// The breakpoints run() stops at.
  Breakpoints& breakpoints() { return breakpoints_; }
  /// Real addresses of the code of `file:line` (the guest's, or the VMM's at every VMM level).
  std::vector<isa::Word> addresses_of_line(const std::string& file, int line) const;
  /// Runs up to `max_steps` steps; stops at a breakpoint (returns true; last_stop() says which)
  /// or when stopped. A breakpoint at the current address does not stop the first step.
  bool run(std::uint64_t max_steps);
  /// The breakpoint that stopped the last run() (Kind::None if it did not stop at one).
  const StopInfo& last_stop() const { return last_stop_; }
  /// A person's words for a stop: "breakpoint print.s:48 (L2)", "breakpoint on trap cause PRIV
  /// (L2 trapped)", "breakpoint on traps taken by L1 (cause SVC)"; "" for Kind::None.
  std::string describe(const StopInfo& s) const;
  /// Goes back `n` steps (reverse execution: restore a checkpoint, re-execute deterministically).
  /// The recorded future is kept.
  void step_back(std::uint64_t n = 1);
  /// Goes to the state after exactly `target` steps since reset (forward or backward), along
  /// the recorded history as far as it goes, then by running on.
  void go_to_step(std::uint64_t target);
  /// Back to the reset state (the recorded history is kept).
  void reset() { go_to_step(0); }
  /// How far the recorded history goes (the furthest step reached since the future was last
  /// rewritten); steps() < horizon() means "in the past".
  std::uint64_t horizon() const { return horizon_; }
  bool in_past() const { return steps_ < horizon_; }
  /// Forward along the recorded history: to the state right after the next recorded trap
  /// (as a click on it in the trap chain), or to horizon() if no trap is ahead. Returns false
  /// (and does nothing) when already at the horizon.
  bool forward();
  /// Back along the history: to the state right after the newest kept trap before the current
  /// one (the "current" one being the trap taken in the step just before). Returns false if none.
  bool back_to_previous_trap();
  /// To where one was before going back: go_to_step(horizon()).
  void forward_to_present() { go_to_step(horizon_); }

  /// Feeds the console device (recorded, so that step back and re-execution see it too). In
  /// the past, it rewrites the future: the recorded history after this step is dropped.
  void push_input(isa::Word word);

  /// The traps taken before the current step (the kept ones; see TrapLog).
  TrapLog traps() const { return {traps_, trap_position()}; }
  /// Every kept trap record: those before the current step, then the recorded future.
  const std::deque<TrapRecord>& recorded_traps() const { return traps_; }
  /// How many of recorded_traps() lie before the current step.
  std::size_t trap_position() const {
    return trap_pos_ > dropped_ ? static_cast<std::size_t>(trap_pos_ - dropped_) : 0;
  }
  /// Traps recorded since reset up to horizon(), kept or not.
  std::uint64_t traps_recorded() const { return dropped_ + traps_.size(); }
  /// The oldest traps, no longer kept in full (counted only).
  std::uint64_t traps_dropped() const { return dropped_; }
  /// How many trap records are kept in full (default kTrapRecords).
  std::size_t trap_record_limit() const { return trap_limit_; }
  /// Sets that limit (at least 1); drops the oldest records beyond it.
  void set_trap_record_limit(std::size_t n);
  /// How many times the recorded future was rewritten (input typed in the past); records
  /// from the cut on are new then.
  std::uint64_t rewrites() const { return rewrites_; }
  /// Checkpoints held now (each a full machine snapshot).
  std::size_t checkpoint_count() const { return checkpoints_.size(); }

  const std::vector<LevelStats>& stats() const { return stats_; }
  /// Level k's own view (see LevelView).
  LevelView view(unsigned k) const;
  /// LevelView::state_description of level k (k < depth: a monitor; "" when its ISA has no
  /// assist or its image no symbol `sd`). E.g. "SD (in hardware): guest supervisor P=23
  /// R=(0, 65536) ie=0  timer 0  region 512+65536  intercepts out  last exit EXIT_INTERCEPT info 0x…".
  std::string state_description(unsigned k) const;

  /// Steps between checkpoints.
  static constexpr std::uint64_t kEvery = 2000;
  /// How many steps back from horizon() checkpoints are dense (every kEvery steps).
  static constexpr std::uint64_t kHistory = 200'000;
  /// Checkpoints kept spread over the whole history, older than kHistory (besides reset).
  static constexpr std::size_t kSparseCheckpoints = 32;
  /// Checkpoints kept near the places one went back to, older than kHistory.
  static constexpr std::size_t kLocalCheckpoints = 16;
  /// Trap records kept in full by default.
  static constexpr std::size_t kTrapRecords = 200'000;

 private:
  struct Checkpoint {
    std::uint64_t step;
    machine::Machine::Snapshot snap;
    std::vector<LevelStats> stats;
    std::uint64_t trap_pos;          ///< traps taken before `step`
    std::vector<unsigned> pending;   ///< the trap-in-progress stack
    TimerLivelockWatch watch;        ///< the stack's timer-livelock watch
    std::uint64_t serial;            ///< creation order (for the local tier)
  };
  void record(const machine::Event& e);
  void checkpoint();
  void prune_checkpoints();
  void truncate_future();
  machine::Machine& m() { return stack_.machine(); }

  Stack stack_;
  Breakpoints breakpoints_;
  StopInfo last_stop_;
  std::uint64_t steps_ = 0;
  std::uint64_t horizon_ = 0;
  std::vector<LevelStats> stats_;
  std::deque<TrapRecord> traps_;   ///< the newest kept records, past and recorded future
  std::uint64_t dropped_ = 0;      ///< records older than traps_.front(), counted only
  std::uint64_t rewrites_ = 0;
  std::uint64_t trap_pos_ = 0;     ///< traps taken before the current step (since reset)
  std::size_t trap_limit_ = kTrapRecords;
  std::vector<unsigned> pending_;  ///< levels of the traps in progress, oldest first
  std::deque<Checkpoint> checkpoints_;  ///< sorted by step; [0] is the reset state
  std::uint64_t sparse_every_ = kEvery;
  std::uint64_t serial_ = 0;
  std::vector<machine::Event> step_events_;  ///< the events of the last step
  std::vector<std::pair<std::uint64_t, isa::Word>> inputs_;  ///< (step, word) fed so far
  std::size_t replay_ = 0;  ///< inputs_[replay_..] are still to be fed during re-execution
};

}  // namespace pgsim::vmm
