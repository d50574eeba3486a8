#pragma once
// A debugging session over a VMM stack: the step kinds a person uses to follow a trap through
// the levels (instruction, in level k, over a trap, to the next trap), a record of every real
// trap with its handling chain, per-level counters, and reverse execution by snapshots and
// deterministic re-execution. Used by the GUI; Qt-free, so it is tested on its own.
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
  std::uint32_t cause = 0, info = 0, word = 0;
  bool interrupt = false;
  std::vector<Stack::Handling> chain;  ///< who reflected / emulated it
  std::uint32_t real_pc = 0;
};

/// A level's own view of <M, P, R>, ie and its registers (the hardware's for the running level
/// and for L0; a VMM's control block for the others), with its current instruction.
struct LevelView {
  unsigned level = 0;
  bool vmm = false;       ///< role: VMM or guest
  bool running = false;   ///< its code is the one executing now
  std::uint32_t mode = 0, pc = 0, base = 0, bound = 0, ie = 0;
  std::vector<std::uint32_t> regs;
  std::string instruction;  ///< disassembled instruction at its pc ("" if none)
  std::string where;        ///< file:line of it ("" if unknown)
  LevelStats stats;
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
  std::set<std::uint32_t> addresses;  ///< real addresses
  std::set<std::uint32_t> causes;
  std::set<unsigned> levels;
  bool empty() const { return addresses.empty() && causes.empty() && levels.empty(); }
};

/// The session. Steps are machine steps (an instruction, a fault, or an interrupt).
class Session {
 public:
  /// Builds the stack (see Stack) and keeps the reset state for step back.
  Session(std::shared_ptr<const isa::IsaModel> isa, std::shared_ptr<const assembler::Image> vmm,
          std::shared_ptr<const assembler::Image> guest, unsigned depth, std::uint32_t guest_memory = 0);

  const Stack& stack() const { return stack_; }
  const machine::Machine& machine() const { return stack_.machine(); }
  std::uint64_t steps() const { return steps_; }
  bool stopped() const;  ///< halted or in a trap storm
  unsigned running_level() const { return stack_.level_of(machine().base() + machine().pc()); }

  /// One machine step. Returns its last event.
  machine::Event step();
  /// Runs up to `max_steps` steps, stopping after the first event for which `stop` is true.
  /// Returns true if `stop` fired.
  bool run_until(const std::function<bool(const machine::Event&)>& stop, std::uint64_t max_steps);
  /// Runs until an instruction of level k completes.
  bool step_in_level(unsigned k, std::uint64_t max_steps = 10'000'000);
  /// Runs until the next real trap (of `cause` / taken by `level`, if given).
  bool run_to_next_trap(std::optional<std::uint32_t> cause = {}, std::optional<unsigned> level = {},
                        std::uint64_t max_steps = 10'000'000);
  /// If the next step traps, runs until control is back in the level that trapped (an
  /// instruction of it completes); otherwise one step.
  bool step_over_trap(std::uint64_t max_steps = 10'000'000);
  /// The micro-steps the next step consists of (computed on a copy; the session is unchanged).
  std::vector<MicroStep> next_micro_steps() const;
  /// The breakpoints run() stops at.
  Breakpoints& breakpoints() { return breakpoints_; }
  /// Real addresses of the code of `file:line` (the guest's, or the VMM's at every VMM level).
  std::vector<std::uint32_t> addresses_of_line(const std::string& file, int line) const;
  /// Runs up to `max_steps` steps; stops at a breakpoint (returns true) or when stopped.
  /// A breakpoint at the current address does not stop the first step.
  bool run(std::uint64_t max_steps);
  /// Goes back `n` steps (reverse execution: restore a snapshot, re-execute deterministically).
  void step_back(std::uint64_t n = 1);
  /// Goes to the state after exactly `target` steps since reset (forward or backward).
  void go_to_step(std::uint64_t target);
  /// Back to the reset state.
  void reset() { go_to_step(0); }

  /// Feeds the console device (recorded, so that step back and re-execution see it too).
  void push_input(std::uint32_t word);

  const std::vector<TrapRecord>& traps() const { return traps_; }
  const std::vector<LevelStats>& stats() const { return stats_; }
  /// Level k's own view (see LevelView).
  LevelView view(unsigned k) const;

  /// How many steps of history snapshots are kept for (at least).
  static constexpr std::uint64_t kHistory = 200'000;

 private:
  struct Checkpoint {
    std::uint64_t step;
    machine::Machine::Snapshot snap;
    std::vector<LevelStats> stats;
    std::size_t traps;
  };
  void record(const machine::Event& e);
  void checkpoint();
  machine::Machine& m() { return stack_.machine(); }

  Stack stack_;
  Breakpoints breakpoints_;
  std::uint64_t steps_ = 0;
  std::vector<LevelStats> stats_;
  std::vector<TrapRecord> traps_;
  std::deque<Checkpoint> checkpoints_;
  std::vector<machine::Event> step_events_;  ///< the events of the last step
  std::vector<std::pair<std::uint64_t, std::uint32_t>> inputs_;
  std::size_t replay_ = 0;  ///< inputs_[replay_..] are still to be fed during re-execution  ///< (step, word) fed so far
  static constexpr std::uint64_t kEvery = 2000;  ///< steps between checkpoints
};

}  // namespace pgsim::vmm
