#pragma once
// The cycle-level machine: state <E, M, P, R> plus the ISA's control state, executing any
// described ISA (DESIGN.md "The machine"; for PG-1, PG1.md "Precise rules").
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "isa/model.hpp"
#include "machine/predecode.hpp"

namespace pgsim::machine {

/// Processor modes (P&G's M). With `levels` in the ISA the mode holds the level's number (0 = the most
/// privileged); only the ISA's mode bits count (isa::IsaModel::mode_mask: 1 bit for two levels).
enum Mode : isa::Word { Supervisor = 0, User = 1 };

/// What one step did.
enum class EventKind : std::uint8_t {
  Instruction,  ///< an instruction completed (svc: completed, then Trap follows)
  Trap,         ///< a trap sequence ran (fault, svc-style trap or interrupt)
  /// Interpretive execution began for a guest (after the VM-entry instruction's Instruction
  /// event): `level` is the level entered, `info` the state description's real address, `pc`
  /// and `real_pc` the guest's first instruction. Costs nothing (the entry instruction's cycles
  /// are its cost). docs/pg1-assist.md.
  VmEntry,
  /// Interpretive execution of guest `level` ended ("VM exit"): `cause` is the exit reason
  /// (isa::Assist: intercept, validity, nesting, preempted), `info` its info, `word` the
  /// intercepted instruction word (else 0), `pc` / `real_pc` the guest's pc (for an intercept:
  /// the intercepted instruction). `cost` = the ISA's exit cycles, charged to the host. A
  /// validity exit (the guest was never entered) has `level` = the level that would have been.
  VmExit,
};

/// One observed event. Passed to observers; built only when an observer is attached.
struct Event {
  EventKind kind = EventKind::Instruction;
  isa::Word pc = 0;        ///< virtual P of the instruction (for a trap: the saved P)
  isa::Word real_pc = 0;   ///< base + pc at the time (the code's real address)
  isa::Word word = 0;      ///< the instruction word (0 for interrupts / failed fetches)
  isa::Word cause = 0, info = 0;  ///< for traps
  bool interrupt = false;      ///< the trap is an interrupt (timer)
  std::uint64_t cycle = 0;     ///< cycle counter before the event
  isa::Word cost = 0;      ///< cycles the event took
  /// The level of interpretive execution the event belongs to: for Instruction and Trap events
  /// the running level (0 = the real machine's own code; g = the g-th nested guest the
  /// hardware runs), for VmEntry / VmExit the level entered / exited.
  std::uint32_t level = 0;
  const isa::Instruction* instruction = nullptr;  ///< for Instruction events
};

/// Why run() returned.
enum class StopReason : std::uint8_t {
  None,         ///< still runnable (a run limit other than cycles was reached)
  Halted,       ///< a halt instruction completed
  CycleBudget,  ///< the cycle budget was used up
  TrapStorm,    ///< three traps in a row with no instruction completed (PG1.md rule 10)
  StepLimit,    ///< the run's step limit was reached (set_max_steps; the machine stays runnable)
  /// A triple fault: the ISA's trap block faulted while delivering a fault that its delivery of
  /// a trap had raised (isa::TrapBlock; x86's shutdown, Intel SDM Vol. 3A 6.15 "Double Fault
  /// Exception"). The machine is halted; Machine::stop_detail() names the three causes.
  Shutdown,
};
/// "halted", "cycle budget exhausted", "trap storm", "step limit reached", "running",
/// "triple fault: the machine stopped".
const char* to_string(StopReason r);

/// How a machine executes runs (issue 13). Both give exactly the same states, events and counts.
enum class Engine : std::uint8_t {
  /// One step at a time through the compiled bytecode (machine.cpp, run_loop.hpp): the
  /// definition of the machine's behaviour.
  Reference,
  /// Bursts of predecoded, threaded code for the common instructions (machine/fast_engine.hpp),
  /// the reference step for everything else; runs with an observer that takes no bulk counts
  /// (see BulkObserver), steps and interpretive execution use the reference engine throughout.
  Fast,
};
/// "reference", "fast".
const char* to_string(Engine e);
/// The engine named `name` ("reference" or "fast"), or nullopt.
std::optional<Engine> engine_from_string(const std::string& name);
/// The engine new machines use: Engine::Fast, unless the environment variable PGSIM_ENGINE
/// says "reference" (so that a whole test suite can run on either engine).
Engine default_engine();
/// Sets the engine that machines built from now on use (pgsim's --engine).
void set_default_engine(Engine e);

/// Observer interface for run() with dynamic dispatch. (run() without an observer pays nothing.)
class Observer {
 public:
  virtual ~Observer() = default;
  /// Called after each completed instruction and after each trap sequence.
  virtual void on_event(const class Machine& m, const Event& e) = 0;
};

/// The PG machine. Storage is in words; time is in cycles.
class Machine {
 public:
  /// Builds a machine of `memory_words` words (0: the ISA's default) in its reset state.
  /// Throws std::invalid_argument when the size is below 32 words or above 2^26.
  explicit Machine(std::shared_ptr<const isa::IsaModel> isa, isa::Word memory_words = 0);

  /// Reset (PG1.md "Reset"): M = supervisor, P = reset entry, R = (0, |E|), controls at their
  /// reset values, registers 0, timer off, counters 0. Storage is kept.
  void reset();

  /// Runs until a halt, a trap storm, the cycle counter reaching `cycle_limit` (checked at
  /// instruction boundaries; an instruction that starts below the limit completes), or the
  /// step limit (see set_max_steps): a run is bounded in steps as well as in cycles.
  StopReason run(std::uint64_t cycle_limit);
  /// The same, telling `obs` of every instruction and trap.
  StopReason run(std::uint64_t cycle_limit, Observer& obs);
  /// Runs until `stop(machine, event)` returns true after some event (returns StopReason::None
  /// then), or until a halt, a trap storm or the cycle limit as run() does.
  StopReason run_until(std::uint64_t cycle_limit, const std::function<bool(const Machine&, const Event&)>& stop);
  /// Executes one step (an instruction, a fault, or an interrupt) and returns what happened
  /// (for svc, which completes and then traps, the trap).
  Event step();
  /// The same, telling `obs` of each event of the step (svc: its instruction, then its trap).
  Event step(Observer& obs);
  /// Runs with a compile-time observer (see machine/run_loop.hpp).
  template <class Obs>
  StopReason run_with(std::uint64_t cycle_limit, Obs& obs);
  /// Limits each run (run, run_until, run_with) to `steps` steps (instructions, faults and
  /// interrupts; an svc and its trap are one step); the run then stops with
  /// StopReason::StepLimit. 0, the default, allows as many steps as the run's cycle budget has
  /// cycles (every step costs at least one cycle, so only the cycle budget normally stops it).
  void set_max_steps(std::uint64_t steps) { max_steps_ = steps; }
  /// Chooses how runs execute (Engine); the default is default_engine().
  void set_engine(Engine e) { engine_ = e; }
  Engine engine() const { return engine_; }
  /// Block-level execution in the fast engine (on by default): one deadline check per
  /// straight-line run of instructions (machine/predecode.hpp) instead of one per instruction.
  /// Off, the fast engine checks every instruction; both give exactly the same states, events
  /// and counts (bench/ measures the two).
  void set_blocks(bool on) { blocks_ = on; }
  bool blocks() const { return blocks_; }
  /// The level attribution the fast engine reports with its bulk counts (BulkObserver): real
  /// address a belongs to level min(a / stride, last) (stride 0: everything is level 0). A VMM
  /// stack sets (V, depth), as vmm::Stack::level_of.
  void set_levels(isa::Word stride, unsigned last) {
    level_stride_ = stride;
    level_last_ = last;
    cache_.invalidate_all();
  }
  std::uint64_t max_steps() const { return max_steps_; }

  // ---- state access (the tools, the VMM stack and the GUI use these)
  const isa::IsaModel& isa() const { return *isa_; }
  std::shared_ptr<const isa::IsaModel> isa_ptr() const { return isa_; }
  /// Storage, writable: the predecoded code of the fast engine is rebuilt before its next run
  /// (write through this reference before running again, not during a run).
  std::vector<isa::Word>& storage() {
    cache_.invalidate_all();
    return E_;
  }
  const std::vector<isa::Word>& storage() const { return E_; }
  isa::Word reg(int i) const { return regs_[static_cast<std::size_t>(i)]; }
  void set_reg(int i, isa::Word v);
  isa::Word mode() const { return mode_; }
  isa::Word pc() const { return pc_; }
  isa::Word base() const { return base_; }
  isa::Word bound() const { return bound_; }
  void set_mode(isa::Word m) { mode_ = m & mode_mask_; }
  void set_pc(isa::Word v) { pc_ = v & mask_; }
  void set_base(isa::Word v) { base_ = v & mask_; }
  void set_bound(isa::Word v) { bound_ = v & mask_; }
  isa::Word control(int i) const { return controls_[static_cast<std::size_t>(i)]; }
  void set_control(int i, isa::Word v);
  /// The hardware's PSW as the ISA lays it out (P = the current pc). Under interpretive
  /// execution its base and bound are the composed real R (see level_psw() for the running
  /// guest's own view); on the real machine's own level the two are the same.
  std::vector<isa::Word> psw() const;
  /// The running level's timer in cycles (0 = off): under interpretive execution the running
  /// guest's virtual CPU timer, else the real interval timer.
  isa::Word timer() const { return sie_depth_ ? level_timer(sie_depth_) : timer_; }
  /// The running level's timer interrupt is pending.
  bool timer_pending() const { return timer_pending_; }
  /// Sets the running level's timer (as `stimer` does: clears a pending interrupt).
  void set_timer(isa::Word cycles);
  std::uint64_t cycles() const { return cycles_; }
  /// The clock (S/370's TOD clock) runs with the cycle counter: it reads (cycles() + clock_offset())
  /// mod 2^max(32, word bits), masked to the word; the semantics' `clock = v` sets the offset so that it reads v
  /// at the start of that instruction. 0 after reset (the clock reads the cycle counter).
  isa::Word clock_offset() const { return clock_offset_; }
  std::uint64_t instructions() const { return instructions_; }
  /// Of instructions(), those the fast engine completed in its bursts since the machine was
  /// built or reset (0 under Engine::Reference); not part of the state (Snapshot).
  std::uint64_t fast_instructions() const { return fast_instructions_; }
  /// Of fast_instructions(), the straight-line runs they were executed in, each with one
  /// deadline check (Machine::set_blocks), since the machine was built or reset; a run that a
  /// fault ended early is not counted.
  std::uint64_t fast_runs() const { return fast_runs_; }
  /// Trap sequences run (a VM exit is not one: see vm_exits(); `pgsim run --json` counts both
  /// in "real_traps").
  std::uint64_t traps() const { return traps_; }

  // ---- interpretive execution (hardware assist; machine/interpretive.cpp, docs/pg1-assist.md)
  /// One active level of interpretive execution: a guest the hardware runs against a state
  /// description (SD), and the state of its host saved by VM entry (IBM SIE keeps the host's
  /// state in hardware too; Intel VT-x in the VMCS's host-state area). Level g (1-based) is
  /// interpretive_levels()[g - 1]; its host is level g - 1 (0 = the real machine's own code).
  struct InterpretiveLevel {
    isa::Word sd = 0;          ///< real address of the SD's first word
    isa::Word origin = 0;      ///< real address of word 0 of the guest's machine (composed)
    isa::Word size = 0;        ///< words of the guest's machine (the SD's size field)
    isa::Word intercepts = 0;  ///< the SD's intercept mask, read at entry
    std::array<isa::Word, 64> host_regs{};  ///< the host's registers at its VM entry
    /// The host's own PSW at its VM entry: pc is the entry instruction's address (a VM exit
    /// resumes the host after it; a preempting interrupt leaves it there), base and bound are the
    /// host's own R (relative to its machine).
    isa::Word host_mode = 0, host_pc = 0, host_base = 0, host_bound = 0;
    std::vector<isa::Word> host_controls;
    /// The host's timer (cycles) and pending interrupt as of the machine's last timer
    /// synchronization; read level_timer() for the value now.
    isa::Word host_timer = 0;
    bool host_pending = false;
    bool operator==(const InterpretiveLevel&) const = default;
  };
  /// How many guests the hardware is running nested (0 = not interpreting).
  unsigned interpretive_depth() const { return sie_depth_; }
  /// The active levels, outermost first (size = interpretive_depth()).
  const std::vector<InterpretiveLevel>& interpretive_levels() const { return sie_; }
  /// The running level's own PSW (mode, pc, its own base and bound, controls): the guest's
  /// virtual PSW under interpretive execution, else psw().
  std::vector<isa::Word> level_psw() const;
  /// The running level's own R (relative to its machine): equal to base()/bound() when not
  /// interpreting.
  isa::Word level_base() const { return sie_depth_ ? vbase_ : base_; }
  isa::Word level_bound() const { return sie_depth_ ? vbound_ : bound_; }
  /// Level j's timer now, in cycles (0 <= j <= interpretive_depth(); 0 = the real timer), and
  /// whether its interrupt is pending. A level's timer counts the cycles executed at that level
  /// or deeper (VM/370's virtual CPU timer); VM entries and exits count for the host.
  isa::Word level_timer(unsigned j) const;
  bool level_timer_pending(unsigned j) const;
  std::uint64_t vm_exits() const { return exits_; }     ///< VM exits taken (validity exits included)
  std::uint64_t vm_entries() const { return entries_; }  ///< VM entries made
  bool halted() const { return halted_; }
  StopReason stop_reason() const { return stop_; }
  /// After StopReason::Shutdown: what happened, in words ("triple fault: delivering PRIV (info 5)
  /// faulted with MEMORY (info 70000), and delivering that faulted with MEMORY (info 70000): the
  /// machine stopped"); else empty.
  const std::string& stop_detail() const { return stop_detail_; }

  /// Console device: characters written by `out`, and the words `in` will read.
  const std::string& console_output() const { return out_; }
  void clear_console_output() { out_.clear(); }
  void push_input(isa::Word word) { in_.push_back(word); }
  std::size_t input_position() const { return in_pos_; }

  /// From now on, appends the real address of every storage word written (by instructions and
  /// trap sequences) to `*log`; null stops it. Lets a tool compare storage incrementally (only
  /// the words written since it last looked; `pgsim equiv`). Off, it costs one test per store.
  void set_store_log(std::vector<isa::Word>* log) { store_log_ = log; }

  /// Copies `words` into storage at real address `at`. Throws std::out_of_range if it does not fit.
  void load(isa::Word at, const std::vector<isa::Word>& words);

  /// A full copy of the machine's state (for snapshots, reverse execution and equivalence).
  struct Snapshot;
  Snapshot snapshot() const;
  /// The same copy into `s`, reusing its storage (no allocation when `s` already holds a state
  /// of this size: the classifier copies a state after every one of its ~10^6 test runs).
  void snapshot_into(Snapshot& s) const;
  void restore(const Snapshot& s);

 private:
  template <class Obs>
  void step_impl(Obs& obs);
  // The fast engine (machine/fast_engine.hpp): can a burst run now, and a burst to `deadline`
  // cycles (returns the instructions it completed).
  /// The fast engine may run a burst now (Engine::Fast, no interpretive execution, no enabled
  /// interrupt pending, not halted; a store log only for an observer that keeps it, `logs_stores`).
  bool fast_ready(bool logs_stores = false) const;
  template <class Obs>
  std::uint64_t fast_burst(std::uint64_t deadline, Obs& obs);
  std::uint16_t level_of(isa::Word real) const {
    return static_cast<std::uint16_t>(level_stride_ ? std::min<isa::Word>(real / level_stride_, level_last_) : 0);
  }
  // Completed outcomes first: step_impl tests `r < Exec::Fault`.
  enum class Exec : std::uint8_t { Ok, TrapAfter, Halt, Entry, Fault, Exit };
  Exec execute(const isa::Instruction& ins, isa::Word w);
  Exec execute_bytecode(const isa::Instruction& ins, isa::Word w);
  isa::Word alu(isa::Op op, isa::Word a, isa::Word b) const;
  void trap_sequence(isa::Word cause, isa::Word info, isa::Word saved_pc);
  /// The ISA's trap block in place of the PSW swap (isa::TrapBlock), with the double- and
  /// triple-fault rule.
  void trap_block_sequence(isa::Word cause, isa::Word info, isa::Word saved_pc);
  /// The reason to report when halted_: a halt, or a triple fault.
  StopReason halt_reason() const { return stop_ == StopReason::Shutdown ? stop_ : StopReason::Halted; }
  void count_down(isa::Word cycles) {
    if (timer_ != 0) {
      if (cycles >= timer_) timer_expired(cycles);
      else timer_ -= cycles;
    }
  }
  /// `cycles` reached the timer: it stops at zero and its interrupt becomes pending (under
  /// interpretive execution: the nearest of the levels' timers; all of them are brought up to date).
  void timer_expired(isa::Word cycles);
  // interpretive execution (machine/interpretive.cpp)
  void recompose();
  void sync_timers(std::uint64_t extra);
  void recompute_timers();
  void charge_levels(unsigned upto, isa::Word cycles);
  void vm_entry(isa::Word entry_pc, std::uint64_t start);
  void vm_exit(isa::Word reason, isa::Word info, isa::Word word, bool preempt, std::uint64_t start);
  void preempt_for_interrupt(std::uint64_t start);
  void trap_sequence_interpretive(isa::Word cause, isa::Word info, isa::Word saved_pc);
  bool host_interrupts_enabled(const InterpretiveLevel& l) const {
    return timer_enable_ < 0 || (l.host_controls[static_cast<std::size_t>(timer_enable_)] & 1u);
  }
  bool valid_virtual(isa::Word a) const {
    return a < bound_ && static_cast<std::uint64_t>(base_) + a < E_.size();
  }
  isa::SWord sx(isa::Word v) const { return static_cast<isa::SWord>(v << sxshift_) >> sxshift_; }
  bool interrupts_enabled() const { return timer_enable_ < 0 || (controls_[static_cast<std::size_t>(timer_enable_)] & 1u); }

  std::shared_ptr<const isa::IsaModel> isa_;
  const isa::IsaModel* m_;
  std::vector<isa::Word> E_;
  std::array<isa::Word, 64> regs_{};
  std::vector<isa::Word> controls_;
  isa::Word mode_ = 0, pc_ = 0, base_ = 0, bound_ = 0;
  isa::Word timer_ = 0;
  bool timer_pending_ = false;
  isa::Word clock_offset_ = 0;  ///< see clock_offset()
  bool halted_ = false;
  StopReason stop_ = StopReason::None;
  std::string stop_detail_;  ///< see stop_detail()
  // the trap block (isa::TrapBlock): its code as an instruction for execute_bytecode, and the
  // trap it is delivering (read by its PushTrapCause / PushTrapInfo / PushTrapPc)
  isa::Instruction trap_ins_;
  isa::Word trap_cause_ = 0, trap_info_ = 0, trap_pc_ = 0;
  std::uint64_t cycles_ = 0, instructions_ = 0, traps_ = 0;
  int consecutive_traps_ = 0;
  std::uint64_t max_steps_ = 0;
  isa::Word mask_ = 0xffffffffu;
  isa::Word mode_mask_ = 1u;  ///< the mode's bits (the ISA's levels: isa::IsaModel::mode_mask)
  int sxshift_ = 0;
  int zero_ = -1;
  int timer_enable_ = -1;
  std::string out_;
  std::vector<isa::Word> in_;
  std::size_t in_pos_ = 0;
  // per-instruction scratch set by execute()
  isa::Word next_pc_ = 0, extra_cycles_ = 0, fault_cause_ = 0, fault_info_ = 0;
  /// 0: count the instruction's cycles down on the timers; 1: it set the running level's timer
  /// (its own cycles do not count against it); 2: it accounted its cycles itself.
  std::uint8_t timer_written_ = 0;
  // interpretive execution (machine/interpretive.cpp): see InterpretiveLevel
  std::vector<InterpretiveLevel> sie_;
  unsigned sie_depth_ = 0;               ///< sie_.size()
  isa::Word vbase_ = 0, vbound_ = 0;  ///< the running guest's own R (when sie_depth_ > 0)
  isa::Word intercepts_ = 0;         ///< the running guest's intercept mask (0: none / not interpreting)
  isa::Word vtimer_ = 0;             ///< the running guest's timer at the last synchronization
  isa::Word tsync_ = 0;              ///< timer_ (the nearest level's countdown) at the last synchronization
  bool outer_due_ = false;               ///< a host level's timer interrupt is pending and enabled
  std::uint64_t exits_ = 0, entries_ = 0;
  isa::Word entry_sd_ = 0;           ///< set by the VmEntry operation: the SD's real address
  std::vector<Event> sie_events_;        ///< the step's VM entries and exits, for its observer
  // journal for instructions whose semantics may trap after an effect
  bool journaling_ = false;
  std::vector<std::pair<isa::Word, isa::Word>> journal_;
  std::vector<isa::Word>* store_log_ = nullptr;  ///< see set_store_log
  // the fast engine
  Engine engine_ = default_engine();
  PredecodeCache cache_;  ///< one entry per real address (machine/predecode.hpp)
  isa::Word level_stride_ = 0, level_last_ = 0;  ///< see set_levels
  std::uint64_t fast_instructions_ = 0, fast_runs_ = 0;
  bool blocks_ = true;  ///< see set_blocks
};

/// A full copy of a machine's state.
struct Machine::Snapshot {
  std::vector<isa::Word> E;
  std::array<isa::Word, 64> regs{};
  std::vector<isa::Word> controls;
  isa::Word mode = 0, pc = 0, base = 0, bound = 0, timer = 0;
  bool timer_pending = false, halted = false;
  isa::Word clock_offset = 0;  ///< Machine::clock_offset()
  StopReason stop = StopReason::None;
  std::string stop_detail;
  std::uint64_t cycles = 0, instructions = 0, traps = 0;
  int consecutive_traps = 0;
  // interpretive execution
  std::vector<InterpretiveLevel> sie;
  isa::Word vbase = 0, vbound = 0, intercepts = 0, vtimer = 0, tsync = 0;
  bool outer_due = false;
  std::uint64_t exits = 0, entries = 0;
  std::string out;
  std::vector<isa::Word> in;
  std::size_t in_pos = 0;
  bool operator==(const Snapshot&) const = default;
};

}  // namespace pgsim::machine
