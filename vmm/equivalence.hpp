#pragma once
// P&G's equivalence property checked as the guest runs: the guest on the bare machine and under
// N VMMs, compared in lockstep at every guest instruction boundary (registers, the PSW as the
// guest sees it, the console, and every word of its storage), incrementally: only the storage
// words written since the last boundary are compared (the machines' store logs). Popek &
// Goldberg leave timing out of equivalence, so when a timer interrupt arrives at different
// guest instructions in the two runs, lockstep ends there; both runs are then finished and
// their final states compared. A run that stops at a timer livelock (vmm/livelock.hpp) ends the
// comparison with Verdict::Livelock. Used by `pgsim equiv`.
//
// A guest instruction boundary is where Stack::guest_boundary() says the guest stands between
// two instructions: its own code about to run on the machine, or -- under a monitor that
// interprets it (a hybrid VMM, P&G 1974 Theorem 3) -- that monitor about to fetch the guest's next
// instruction at its symbol `vm_fetch`, with the guest's registers and pc in its control block.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vmm/stack.hpp"

namespace pgsim::vmm {

/// What the lockstep comparison found.
struct EquivalenceResult {
  enum class Verdict {
    Equivalent,            ///< equal at every boundary until both runs ended
    Diverged,              ///< a difference at a boundary not explained by a timer interrupt
    TimerThenEqual,        ///< lockstep ended at a timer interrupt; the final states are equal
    TimerThenDifferent,    ///< lockstep ended at a timer interrupt; the final states differ
    Livelock,              ///< a run stopped at a timer livelock (vmm/livelock.hpp): not equivalent
  } verdict = Verdict::Equivalent;
  /// Guest instructions compared in lockstep (for Diverged: the one after which the states
  /// differ is the last of them; for the Timer verdicts: equal after each of these).
  std::uint64_t lockstep_instructions = 0;
  /// For Diverged: the bare-machine address of the guest instruction that made the difference.
  isa::Word last_pc = 0;
  /// For Diverged: the mode the bare machine executed that instruction in (0 supervisor, 1 user):
  /// where Theorem 3 fails, a user-mode instruction (P&G's "user sensitive").
  isa::Word last_mode = 0;
  /// The states compared last (at the divergence, or the final states), storage included.
  GuestState bare, virtualized;
  /// What differs ("r1", "pc", "console", "storage", …) and the first differing storage word
  /// ("E[100]: 0x5 vs 0x0"), empty when equal.
  std::vector<std::string> differs;
  std::string first_word;
  /// How each run ended (for the final comparison: halted, cycle budget exhausted, …).
  machine::StopReason bare_stop = machine::StopReason::None, virtualized_stop = machine::StopReason::None;
  std::uint64_t bare_cycles = 0, virtualized_cycles = 0;
  /// The timer livelock that stopped a run (Verdict::Livelock), per side.
  std::optional<TimerLivelock> bare_livelock, virtualized_livelock;
};

/// Runs `guest` on the bare machine and under `depth` VMMs (`vmm`, 1 <= depth <= 64) with
/// `guest_memory` words (0: the ISA's default), each real machine for at most `max_cycles`
/// cycles and as many steps, and compares them as described above. Throws what Stack throws
/// for bad images or sizes.
///
/// `reference_depth` > 0 replaces the bare machine by the guest under that many VMMs (the same
/// `vmm`): the reference run of a guest that cannot run on the bare machine, a paravirtualized
/// guest (Barham et al., "Xen and the Art of Virtualization", SOSP 2003), whose equivalence is
/// then "under N monitors as under one" (docs/hypercalls.md). Both runs are compared at every
/// guest instruction boundary as above; `last_pc` and the storage compared are the guest's own
/// addresses. Throws std::invalid_argument unless reference_depth < depth.
EquivalenceResult check_equivalence(std::shared_ptr<const isa::IsaModel> isa,
                                    std::shared_ptr<const assembler::Image> vmm,
                                    std::shared_ptr<const assembler::Image> guest, unsigned depth,
                                    isa::Word guest_memory, std::uint64_t max_cycles,
                                    unsigned reference_depth = 0);

/// True when the monitor image declares `.equ VM_SUPERVISOR_IN_PLACE, 0`: it never runs its
/// guest's virtual-supervisor code in place (it translates it, like VMware's binary translator,
/// or interprets it, like P&G's hybrid VMM). check_equivalence then compares in lockstep only where
/// the guest's code runs in place (virtual user mode), running the bare machine through each
/// stretch of supervisor code at once, and at the end. A monitor without the symbol runs the
/// guest's code in place in both modes (trap-and-emulate).
bool supervisor_not_in_place(const assembler::Image& vmm);

/// The names of what differs between two guest states (registers by the ISA's names, "mode",
/// "pc", "base", "bound", "ie", "console", "storage"); `first_word` gets the first differing
/// storage word as "E[a]: 0x… vs 0x…".
std::vector<std::string> guest_state_differences(const GuestState& a, const GuestState& b, const isa::IsaModel& isa,
                                                  std::string& first_word);

}  // namespace pgsim::vmm
