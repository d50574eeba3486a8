#pragma once
// The Popek–Goldberg classifier: decides, by executing each instruction from concrete states
// with the machine as the oracle, which instructions are privileged, control sensitive,
// behavior sensitive (location / mode), user sensitive, or timing sources, with witnesses;
// and gives the verdicts of Theorems 1, 2 and 3. (P&G 1974, definitions of section 3 and
// Theorems 1-3; DESIGN.md "The Popek–Goldberg analysis".)
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "machine/machine.hpp"

namespace pgsim::vmm {

/// A concrete demonstration: the instruction word executed from one or two states, and the
/// components whose results differ (or, for control sensitivity, which control state changed).
struct Witness {
  /// "control", "location", "mode", "mode (trap)", "owned", "timing", "not privileged",
  /// "not strictly privileged"
  std::string property;
  isa::Word word = 0;
  std::string instruction;  ///< disassembled
  machine::Machine::Snapshot before_a, after_a;
  std::optional<machine::Machine::Snapshot> before_b, after_b;  ///< absent for "control"
  isa::Word shift = 0;                ///< the relocation x, for "location"
  std::vector<std::string> differs;       ///< components that differ / changed
  std::string explanation;                ///< one sentence
};

/// Which properties of a Classification the prover decided over all states of the declared
/// state space (analysis/prover.hpp), rather than tested on sampled states.
struct ProvedProperties {
  bool privileged = false, strictly_privileged = false, control = false, location = false, mode = false,
       trap_mode = false, owned = false, timing = false;
  /// Every property (and so user sensitivity, which follows from control, location and owned).
  bool all() const {
    return privileged && strictly_privileged && control && location && mode && trap_mode && owned && timing;
  }
  /// Sensitivity, every kind (what Theorem 1 asks besides "privileged").
  bool sensitivity() const { return control && location && mode && trap_mode && owned; }
  /// User sensitivity (Theorem 3): control, location, owned from user-mode states.
  bool user() const { return control && location && owned; }
};

/// The classification of one instruction (or, for an instruction with selector fields, of one
/// group of their values that classify alike: vmm/selectors.hpp).
///
/// Levels: with P&G's two modes, "user mode" below is level 1 and "supervisor mode" level 0. An ISA
/// with more levels (`levels ring0, ..., ring3;`) and a guest-kernel level g (`guest_kernel`):
/// "in user mode" reads "at every level from g on" (where a VMM runs guest code: ring
/// compression), and mode sensitivity compares the levels the guest's kernel believes it runs at
/// (0 .. g-1) with g. User sensitive (Theorem 3) means: from a state at a level from g on.
///
/// Readings of "privileged" (P&G 1974, section 3; DESIGN.md):
/// - `privileged`, the one Theorem 1 needs and the literature uses: in user mode it always
///   traps, with the ISA's privileged cause, whatever it does in supervisor mode (a
///   trap-and-emulate VMM needs only the user-mode trap; what supervisor mode does, the VMM
///   emulates). This is how IBM's S/370 is "virtualizable" although LPSW of an invalid PSW
///   traps in supervisor mode too (VM/370; Robin & Irvine 2000 use the same reading for x86).
/// - `strictly_privileged`, P&G's literal definition: it traps in user mode and does not trap
///   in supervisor mode, over the state pairs where neither run memory-traps.
struct Classification {
  std::string mnemonic;
  std::string selector;                 ///< e.g. "csr=0x180"; empty when not split by value
  /// When split by value: the selector fields' bits of every value in this row, placed at the
  /// fields' positions in the instruction word (vmm/selectors.hpp); empty otherwise.
  std::vector<isa::Word> selector_values;
  bool privileged = false;              ///< always traps with the privileged cause in user mode
  bool strictly_privileged = false;     ///< P&G's literal reading (see above)
  bool control_sensitive = false;
  bool location_sensitive = false;
  bool mode_sensitive = false;          ///< both runs complete and their results differ
  /// One run traps and the other completes (not the privileged pattern "user traps with the
  /// privileged cause"): e.g. it traps in supervisor mode but completes in user mode, so a VMM
  /// running a guest's supervisor code in user mode never sees it (x86 POP SS; issue 12).
  bool trap_mode_sensitive = false;
  /// Its result depends on control state that the ISA declares `owned` (a VMM must own it and
  /// give the guest another value: x86 GDTR, RISC-V satp), without a trap. Robin & Irvine 2000.
  bool owned_sensitive = false;
  /// (ISAs with more than two levels) every pair of levels (i, j), i < j, between which the
  /// instruction behaves differently from the same state: both complete with different results,
  /// or one traps and the other completes (not the privileged pattern). For the report; the
  /// theorems use the pairs (level v < guest kernel, guest kernel), in mode_sensitive and
  /// trap_mode_sensitive.
  std::vector<std::pair<isa::Word, isa::Word>> mode_pairs;
  bool user_sensitive = false;
  bool timing_source = false;
  std::uint64_t privileged_pairs = 0;   ///< user-mode runs tested for "privileged" (no memory trap)
  std::uint64_t strict_pairs = 0;       ///< mode pairs tested for the strict reading (neither memory-trapped)
  std::uint64_t states = 0;             ///< random states the instruction was executed from
  /// Runs from those states (at every level) that completed without a trap; 0 tells the prover
  /// to ask first whether any state completes (when none does, no sensitivity can hold).
  std::uint64_t completed = 0;
  std::uint64_t trials = 0;             ///< executions in all
  bool exhaustive = false;              ///< every operand value was tried (operand fields <= 16 bits)
  std::optional<Witness> control, location, mode, trap_mode, owned, timing, user, not_privileged, not_strictly_privileged;
  std::vector<std::string> notes;       ///< static cross-check remarks, and why a property was not proved
  ProvedProperties proved;              ///< the properties the prover decided (the rest were tested)
  /// Behavior sensitive: location, mode (both kinds) or owned state.
  bool behavior_sensitive() const { return location_sensitive || mode_sensitive || trap_mode_sensitive || owned_sensitive; }
  bool sensitive() const { return control_sensitive || behavior_sensitive(); }
  /// The name a report uses: the mnemonic, with the selector values when split ("csrrw[csr=0x180]").
  std::string name() const { return selector.empty() ? mnemonic : mnemonic + "[" + selector + "]"; }
};

/// One theorem's verdict.
struct TheoremVerdict {
  bool holds = false;
  /// Every property it rests on was proved for every row (else it was tested on `states` states).
  bool proved = false;
  std::uint64_t states = 0;             ///< random states its rows were tested on
  std::vector<std::string> violations;  ///< mnemonics
};

/// The whole analysis.
struct Analysis {
  std::string isa_name;
  std::uint64_t seed = 0;
  /// One entry per instruction, in the ISA's order; an instruction whose selector values
  /// classify differently has one entry per group of values (Classification::selector).
  std::vector<Classification> instructions;
  /// Theorem 1 (P&G 1974): every sensitive instruction is privileged (the literature's reading).
  /// Theorem 3: every user-sensitive instruction is privileged (a hybrid VMM).
  /// Theorem 2: recursive virtualizability, which needs Theorem 1 (and no timing dependencies).
  TheoremVerdict theorem1, theorem2, theorem3;
  /// Theorem 1 with P&G's strict reading of "privileged" (Classification::strictly_privileged).
  TheoremVerdict theorem1_strict;
  std::vector<std::string> timing_sources;
};

/// Options of the classifier.
struct ClassifierOptions {
  std::uint64_t seed = 1974;             ///< fixed by default: reports are reproducible
  isa::Word memory = 256;            ///< words of the test machine's storage
  unsigned sampled_words = 160;          ///< operand words tried when not exhaustive
  unsigned states_per_word = 4;          ///< random states per operand word (at least)
  unsigned min_states = 1000;            ///< random states per instruction at least, whatever its operands
  unsigned min_states_per_class = 64;    ///< random states per class of selector values at least
  std::vector<std::string> only;         ///< restrict to these mnemonics (empty: all)
  /// Proved verdicts (analysis/prover.hpp): each instruction (each class of selector values) is
  /// proved within prove_instruction_rlimit of Z3's resource units -- a count of solver steps,
  /// the same on a loaded machine as on an idle one, so that what is proved does not depend on
  /// the load. Auto also gives each instruction (all its classes together) at most
  /// prove_auto_rlimit units, and each class prove_auto_class_rlimit, and keeps the tested verdict, with a note naming the instruction
  /// and why, for what it could not decide; On has no such limit; Off only tests (sampled
  /// states, as before proofs). `pgsim check` asks for Auto (its --prove: On, --no-prove: Off).
  /// The wall-clock limits (prove_instruction_ms, and prove_total_ms with Auto) are only a
  /// safety net for a machine far slower or busier than usual: on one, the outcome can depend on
  /// the load.
  enum class Prove { Auto, On, Off } prove = Prove::Off;
  unsigned prove_instruction_ms = 4000;  ///< safety net: solver time per instruction (per class of selector values)
  unsigned prove_total_ms = 5000;        ///< safety net: no proof after the check has run this long, with Prove::Auto
  std::uint64_t prove_instruction_rlimit = 6'000'000;  ///< Z3 resource units per instruction (per class); 0: none
  std::uint64_t prove_auto_rlimit = 2'000'000;         ///< Z3 resource units per instruction (all classes), with Prove::Auto; 0: none
  /// Z3 resource units per class of selector values (an instruction without selectors is one
  /// class), with Prove::Auto; a group of k classes proved at once gets k times as many. 0: none.
  std::uint64_t prove_auto_class_rlimit = 200'000;
  /// Instructions classified at once, each by its own thread with its own test machine and
  /// prover (at least 1). Without proofs the result does not depend on it; with proofs the
  /// instructions that share a solver context do, so the default is the same on every machine.
  unsigned threads = 2;
};

/// Classifies every instruction of `isa` (or those in options.only). Deterministic for a seed.
///
/// States: E random (words that point into the test storage among them), R placed so that the
/// state can be moved, registers and control registers from boundary values (0, 1, all ones,
/// the sign bit), values that point into the region, and random words. Each instruction runs
/// from at least options.min_states states; selector fields (vmm/selectors.hpp) are enumerated
/// exhaustively and each class of their values is tested on its own.
Analysis classify(std::shared_ptr<const isa::IsaModel> isa, const ClassifierOptions& options = {});

/// Re-executes a witness and returns true when it still shows what it claims.
bool confirm(const isa::IsaModel& isa, const Witness& w);

}  // namespace pgsim::vmm
