#pragma once
// The N-deep stack of VMMs: lays the VMM image and the guest out in real storage, attributes
// every instruction and trap to a level, and reads each level's own view of its guest.
// DESIGN.md "The recursive VMM"; levels are named as in the Turtles paper (L0 .. LN).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "assembler/image.hpp"
#include "machine/machine.hpp"
#include "vmm/livelock.hpp"

namespace pgsim::vmm {

/// Per-level counters: what ran while code of that level was executing.
struct LevelStats {
  std::uint64_t instructions = 0;  ///< instructions completed by the level's code
  std::uint64_t cycles = 0;        ///< their cycles plus the trap sequences they caused
  std::uint64_t traps = 0;         ///< real traps taken while the level's code ran (VM exits included)
  /// VM exits taken while the level's code ran (interpretive execution: the level is a guest
  /// the hardware ran; docs/pg1-assist.md). Also counted in `traps`.
  std::uint64_t exits = 0;
};

/// A level's view of its virtual machine: its own <M, P, R, ie> and registers, as the VMM below it
/// keeps them (its control block or state description), or as the hardware holds them while it
/// runs the level under interpretive execution (Stack::virtual_state_of_guest_of).
struct VirtualState {
  isa::Word mode = 0, pc = 0, base = 0, bound = 0, ie = 0;
  std::vector<isa::Word> regs;  ///< r0..r7 as the level sees them
};

/// The guest-visible state compared by P&G's equivalence property: registers, the PSW as
/// the guest sees it, and its whole storage. Time (cycles) is deliberately absent.
struct GuestState {
  std::vector<isa::Word> regs;
  std::vector<isa::Word> psw;      ///< mode, pc, base, bound, ie
  std::vector<isa::Word> storage;  ///< the guest machine's E, from its address 0
  std::string console;
  bool operator==(const GuestState&) const = default;
};

/// A real machine holding L0 .. L(depth-1) VMMs and the guest at L(depth).
class Stack {
 public:
  /// Builds the stack. `vmm` may be null when depth is 0. `guest_memory` is the size of the
  /// guest's machine in words (0: the ISA's default); the real machine has
  /// guest_memory + depth * V words, V = the VMM's symbol VMM_SIZE (else its image size).
  /// The VMM image is validated first: its size V > 0, its image fits in V words, and each
  /// control-block symbol (vm_mode, vm_pc, vm_base, vm_bound, vm_ie, vm_regs + one word per
  /// register) lies inside the image.
  /// Throws std::invalid_argument (bad depth/sizes, a bad VMM image: the message names the
  /// symbol) or std::out_of_range (the guest image does not fit in its machine).
  Stack(std::shared_ptr<const isa::IsaModel> isa, std::shared_ptr<const assembler::Image> vmm,
        std::shared_ptr<const assembler::Image> guest, unsigned depth, isa::Word guest_memory = 0);

  machine::Machine& machine() { return machine_; }
  const machine::Machine& machine() const { return machine_; }
  unsigned depth() const { return depth_; }
  isa::Word vmm_size() const { return V_; }
  isa::Word guest_memory() const { return guest_memory_; }
  const assembler::Image& guest_image() const { return *guest_; }
  const assembler::Image* vmm_image() const { return vmm_.get(); }
  std::shared_ptr<const assembler::Image> vmm_image_ptr() const { return vmm_; }
  std::shared_ptr<const assembler::Image> guest_image_ptr() const { return guest_; }

  /// The level whose code lives at real address `a`, O(1): L(a / V) for VMMs, else the guest.
  unsigned level_of(isa::Word real_address) const {
    if (depth_ == 0) return 0;
    isa::Word k = real_address / V_;
    return k < depth_ ? k : depth_;
  }
  /// Real address of the first word of level k's machine (k * V).
  isa::Word level_origin(unsigned k) const { return k * V_; }

  /// Counts one machine event into the per-level counters (`stats` has depth + 1 entries):
  /// the level is the one whose storage holds the code's real address.
  /// A VM exit counts as a trap and an exit of the guest level that exited (its cost, charged to
  /// the host's timers, is the exiting level's here, like a trap sequence's); a VM entry costs
  /// nothing beyond its instruction.
  void account(const machine::Event& e, LevelStats* stats) const { count(e, stats[level_of(e.real_pc)]); }
  /// Counts one machine event into one level's counters (see account()).
  static void count(const machine::Event& e, LevelStats& s) {
    switch (e.kind) {
      case machine::EventKind::Instruction: ++s.instructions; break;
      case machine::EventKind::Trap: ++s.traps; break;
      case machine::EventKind::VmExit: ++s.traps; ++s.exits; break;
      case machine::EventKind::VmEntry: break;
    }
    s.cycles += e.cost;
  }
  /// Observes one machine event, right after the machine reported it: counts it into `stats`
  /// (as account(); null: not counted) and into the timer-livelock watch (vmm/livelock.hpp).
  /// Every run of the stack's machine must go through this (run(), step(), Session) for the
  /// watch to see every event in order.
  void observe(const machine::Event& e, LevelStats* stats) {
    const unsigned k = level_of(e.real_pc);  // once: a division per event
    if (stats) count(e, stats[k]);
    watch_.observe(*this, machine_, e, k);
  }
  /// Observes `n` completed instructions of level `level` costing `cycles` cycles, reported at once
  /// by the fast engine (machine::BulkObserver: none trapped, set a timer or changed control
  /// state): the same counts and watch state as observe() of each one.
  void observe_instructions(unsigned level, std::uint64_t n, std::uint64_t cycles, LevelStats* stats) {
    if (stats) {
      stats[level].instructions += n;
      stats[level].cycles += cycles;
    }
    watch_.observe_instructions(machine_, level, n);
  }
  /// The timer livelock diagnosed so far, if any (vmm/livelock.hpp). Once there is one, the
  /// stack is stopped: run() and step() do nothing more.
  const std::optional<TimerLivelock>& livelock() const { return watch_.livelock(); }
  /// The watch's state (a session keeps it in its checkpoints, to restore with the machine).
  const TimerLivelockWatch& livelock_watch() const { return watch_; }
  void set_livelock_watch(const TimerLivelockWatch& w) { watch_ = w; }
  /// True when the stack cannot run on: the machine halted or is in a trap storm, or a timer
  /// livelock was diagnosed.
  bool stopped() const {
    return machine_.halted() || machine_.stop_reason() == machine::StopReason::TrapStorm || livelock().has_value();
  }
  /// Why the stack stopped, in a few words: "timer livelock" (kTimerLivelockReason), else the
  /// machine's reason ("halted", "trap storm", "cycle budget exhausted", "running", …).
  std::string stop_reason() const {
    return livelock() ? std::string(kTimerLivelockReason) : std::string(machine::to_string(machine_.stop_reason()));
  }
  /// The same in full: for a timer livelock its message (TimerLivelock::message()).
  std::string stop_description() const { return livelock() ? livelock()->message() : stop_reason(); }

  /// Level k+1's virtual state (k < depth), the same view for every monitor: when the hardware
  /// is running level k+1 under interpretive execution (machine().interpretive_levels()[k]
  /// describes it; pg1-assist), from the hardware -- the live machine state for the innermost
  /// level, the host state saved by the next VM entry for the others; otherwise from L(k)'s
  /// control block or state description in storage (symbols vm_mode, vm_pc, vm_base, vm_bound,
  /// vm_ie, vm_regs), which is the whole truth while L(k) runs or after a VM exit. A monitor whose
  /// trap path saves only some of its guest's registers (vmm/monitors/pgvmm.s) says how many in
  /// the control-block word `vm_saved`: its guest's r1 .. r(vm_saved) are in vm_regs, and the
  /// others are still in its own registers, which it leaves untouched; those are read as level
  /// k's own registers (the machine's when level k is running or k = 0, else from L(k-1)'s
  /// control block in the same way). Without the symbol, all registers are in vm_regs.
  VirtualState virtual_state_of_guest_of(unsigned k) const;
  /// Level `level` (>= 1) is running under interpretive execution now: the hardware delivers its
  /// traps into its own low storage and interprets its privileged instructions (the entry of
  /// the hardware's level `level` has this stack's level origin).
  bool interpreted(unsigned level) const {
    const auto& l = machine_.interpretive_levels();
    return level >= 1 && level <= l.size() && l[level - 1].origin == level_origin(level);
  }
  /// Would L(k) emulate (true) or reflect (false) a trap with `cause` from its guest now?
  /// A paravirtualizing monitor (one whose image defines HC_CAUSE, HC_BASE and HC_LIMIT, as
  /// vmm/monitors/pv.s does) never emulates: false.
  bool would_emulate(unsigned k, isa::Word cause) const;
  /// Is a trap with `cause` and `info` from L(k)'s guest, now, a hypercall that L(k) handles?
  /// Only for a paravirtualizing monitor: cause == its HC_CAUSE, info in [HC_BASE, HC_LIMIT),
  /// and the guest in virtual supervisor mode (docs/hypercalls.md; Barham et al., SOSP 2003).
  bool is_hypercall(unsigned k, isa::Word cause, isa::Word info) const;
  /// "HC_CONSOLE_WRITE (259)": a hypercall number by the monitor's own symbol for it, or
  /// "259" when it defines none.
  std::string hypercall_name(isa::Word number) const;

  /// One step of a real trap's journey: level `level` reflects it upward, or emulates it, or
  /// (a paravirtualizing monitor) handles the hypercall numbered `hypercall` (0: none).
  struct Handling {
    unsigned level;
    bool emulates;
    isa::Word hypercall = 0;
  };
  /// What the VMMs do with a real trap taken while level `level`'s code ran (read from the
  /// control blocks now, i.e. right after the trap): L0 .. L(level-2) reflect it upward, and
  /// L(level-1) emulates it (a privileged instruction in virtual supervisor mode) or reflects
  /// it into L(level). Empty at depth 0 or for level 0 (the trap is its own handler's), and for a
  /// level running under interpretive execution (the hardware delivered it; see interpreted()).
  /// `info` (the trap's info) tells a hypercall from another trap of the same cause; with the
  /// default 0 no trap is one.
  std::vector<Handling> handling_chain(unsigned level, isa::Word cause, isa::Word info = 0) const;
  /// The chain as text: "L0 reflects -> L1 emulates", "L0 handles hypercall HC_IRET (258)" (as the
  /// control blocks are now); for a level running under interpretive execution, "the hardware
  /// delivers it into Lk's own low storage".
  std::string describe_chain(unsigned level, isa::Word cause, isa::Word info = 0) const;
  /// A recorded chain as text, for a trap taken while level `level`'s code ran.
  std::string describe_chain(unsigned level, const std::vector<Handling>& chain) const;

  /// Code at a real address: the image it belongs to (the VMM's or the guest's) and the
  /// address within that image (real address minus the level's origin).
  struct CodeLocation {
    const assembler::Image* image;
    isa::Word address;
  };
  CodeLocation code_at(isa::Word real_address) const {
    unsigned k = level_of(real_address);
    return {k < depth_ ? vmm_.get() : guest_.get(), real_address - level_origin(k)};
  }

  /// Where the guest (level depth) stands between two of its instructions, if it does now.
  enum class GuestBoundary {
    None,         ///< in the middle of something: a VMM is running, or interpreting one instruction
    Direct,       ///< the guest's own code is about to execute on the machine (its registers and pc
                  ///< are the machine's)
    Interpreted,  ///< the monitor below it interprets it and is about to fetch its next instruction:
                  ///< its registers and pc are in that monitor's control block (vm_regs, vm_pc)
  };
  /// The guest's boundary now, O(depth). Direct: the code about to execute lies in the guest's
  /// storage. Interpreted: the monitor L(depth-1) defines the symbol `vm_fetch` (an interpreter's
  /// instruction boundary, e.g. the hybrid VMM of P&G 1974 Theorem 3), its guest is in virtual
  /// supervisor mode, and L(depth-1) itself is about to execute vm_fetch -- directly, or as its
  /// own monitor's interpreted instruction (found the same way, down to L0).
  GuestBoundary guest_boundary() const;
  /// The address (in its own machine) of the interpreter boundary `vm_fetch` of the monitor
  /// image, or nullopt when it defines none (a monitor that never interprets, like pgvmm.s).
  std::optional<isa::Word> interpreter_fetch() const { return fetch_; }

  /// The guest's state as the guest sees it (see GuestState).
  GuestState guest_state() const;

  /// Runs to halt / trap storm / timer livelock / cycle_limit, counting per level into `stats`
  /// (resized to depth + 1 entries) and telling `also` (if not null) of every event after it
  /// was observed. Returns the machine's reason; StopReason::None when the run stopped at a
  /// timer livelock (then livelock() says so), also when one was diagnosed before.
  machine::StopReason run(std::uint64_t cycle_limit, std::vector<LevelStats>& stats, machine::Observer* also = nullptr);
  /// One machine step, observed (see observe(); `stats` may be null). Does nothing and returns
  /// an empty event when stopped() (a trap storm or halt: the machine's own behaviour).
  machine::Event step(LevelStats* stats = nullptr);
  /// Runs, observed (as step(); nothing counted), until the guest's code is about to run again
  /// (guest_boundary() is not None), the stack stops (stopped()) or the machine's cycle counter
  /// reaches `cycle_limit` (cycles; checked at instruction boundaries). It stops BEFORE the
  /// boundary instruction, as a loop of step() testing guest_boundary() after each step would,
  /// with the same states, counts and events; but the fast engine runs the stretches between
  /// (a burst stops at the guest's level and at each level's vm_fetch, the only places where a
  /// boundary can begin). Returns true if a timer interrupt was taken on the way. Used by
  /// lockstep equivalence (vmm/equivalence.cpp): P&G 1974's equivalence property compared at
  /// every instruction of the guest.
  bool run_to_guest_boundary(std::uint64_t cycle_limit);

 private:
  std::shared_ptr<const assembler::Image> vmm_, guest_;
  unsigned depth_;
  isa::Word V_ = 0, guest_memory_;
  machine::Machine machine_;
  TimerLivelockWatch watch_;
  isa::Word cb_mode_ = 0, cb_pc_ = 0, cb_base_ = 0, cb_bound_ = 0, cb_ie_ = 0, cb_regs_ = 0;
  bool paravirtual_ = false;  ///< the VMM defines HC_CAUSE, HC_BASE, HC_LIMIT
  isa::Word hc_cause_ = 0, hc_base_ = 0, hc_limit_ = 0;
  std::optional<isa::Word> fetch_;  ///< the monitor's vm_fetch, if it interprets
  std::vector<isa::Word> fetch_stops_;  ///< real address of each level's vm_fetch (run_to_guest_boundary)
  std::optional<isa::Word> cb_saved_;  ///< the monitor's vm_saved, if it saves only some registers
  /// regs[r] for every r > L(k)'s vm_saved: level k's own register r (see virtual_state_of_guest_of).
  void fill_unsaved(unsigned k, std::vector<isa::Word>& regs) const;
  /// Is level k's code about to execute the word at address `a` of level k's machine?
  bool level_about_to_execute(unsigned k, isa::Word a) const;
  static isa::Word real_size(const isa::IsaModel& isa, const assembler::Image* vmm, unsigned depth,
                                 isa::Word guest_memory);
};

}  // namespace pgsim::vmm
