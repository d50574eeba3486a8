#pragma once
// Proved verdicts (issue 12, "Proved verdicts"): for one instruction, each property the
// classifier reports (vmm/classifier.hpp) asked of Z3 over ALL states of the declared state
// space, with the compiled semantics translated into bit-vector formulas
// (analysis/smt_semantics.hpp). Each answer is either a witness -- concrete states, which the
// caller executes on the machine -- or a proof that none exists (unsat). Definitions: Popek &
// Goldberg, "Formal requirements for virtualizable third generation architectures", CACM 17(7),
// 1974, section 3 (privileged, control sensitive, behavior sensitive) and Theorems 1 and 3; the
// readings the classifier uses (literature / strict privileged, mode sensitivity through a trap,
// owned control state) are documented in vmm/classifier.hpp.
//
// The state space: a machine of n words, 32 <= n <= max(the ISA's `memory`, the witness size)
// (every machine size a VMM could give a guest, up to the declared one); any E; M any declared
// level (isa/model.hpp `levels`; P&G's two modes by default);
// P inside R with the instruction's word at P; any R = (base, bound) of word values; any register
// and control-register values of their declared widths (the zero register 0); any cycle count;
// up to as many console input words as the semantics read. Not covered: a running timer or a
// pending interrupt (an interrupt is taken instead of the instruction), interpretive execution.
// Register fields range over the declared registers, as in the classifier.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "isa/model.hpp"
#include "machine/machine.hpp"

namespace pgsim::analysis {

/// Options of the prover.
struct ProverOptions {
  /// Solver time for one instruction (one class of selector values), in milliseconds, shared by
  /// all of its queries. When it runs out the instruction is "not decided" (reason: timeout).
  unsigned instruction_ms = 400;
  /// The machine size (words) a witness is first looked for in, so that it runs on the
  /// classifier's test machine; a witness that needs another size has that size.
  isa::Word witness_memory = 256;
  /// Z3's deterministic resource limit for one instruction (one class of selector values),
  /// shared by its queries, in Z3's resource units (its `rlimit`: counted steps of the solver,
  /// the same on a loaded machine as on an idle one); 0: none. When it runs out the instruction
  /// is "not decided" (reason: resource limit). instruction_ms still applies, as a safety net.
  std::uint64_t instruction_rlimit = 0;
};

/// A witness found by the solver: the state(s) to execute. For pairs, `b` is A changed in the
/// one way the property names (the other mode, R and the region moved by `shift` words, another
/// value of an owned control register, another cycle count).
struct ProvedWitness {
  machine::Machine::Snapshot a;
  std::optional<machine::Machine::Snapshot> b;
  isa::Word shift = 0;  ///< the relocation, for "location"
};

/// The solver's answer for one "is there a state such that ..." property.
struct ProvedProperty {
  bool holds = false;  ///< a witness exists (then `witness` is set)
  bool user = false;   ///< the witness starts at a guest level (P&G Theorem 3's user sensitivity)
  std::optional<ProvedWitness> witness;
};

/// All answers for one instruction (or one class of its selector values). Meaningful only when
/// `decided`; otherwise `reason` says which question was not answered and why (timeout, an
/// operation the formulas do not cover), in words.
struct InstructionProof {
  bool decided = false;
  std::string reason;
  /// Privileged (the literature's reading): every user-mode state that does not memory-trap
  /// traps with the privileged cause, and at least one such state exists.
  bool privileged = false;
  /// P&G's strict reading: additionally never traps in supervisor mode (pairs where neither run
  /// memory-traps), and at least one such pair exists.
  bool strictly_privileged = false;
  /// a: a guest level (the guest kernel's or less privileged; owned registers at their guest
  /// values), b: the same state at level 0. "User" below means a guest level.
  std::optional<ProvedWitness> not_privileged;
  std::optional<ProvedWitness> not_strictly_privileged;  ///< as not_privileged
  ProvedProperty control;    ///< completes and changes control state (a only)
  ProvedProperty mode;       ///< a: a level below the guest kernel's, b: the guest kernel's; both complete, results differ beyond M
  ProvedProperty trap_mode;  ///< as mode; one traps, the other completes (not with the privileged cause)
  ProvedProperty location;   ///< b: a with R and its contents moved by `shift`
  ProvedProperty owned;      ///< b: a with another value of one owned control register
  ProvedProperty timing;     ///< a: level 0, b: a at another time
  // (A property that Known said holds has holds = true and no witness.)
};

/// What the caller already knows from states it executed (a witness on the machine is itself a
/// proof that one exists): the prover does not ask again, and answers "holds" without a witness.
struct Known {
  bool not_privileged = false;    ///< a user-mode state that does not trap with the privileged cause
  bool user_state = false;        ///< a user-mode state without a memory trap
  bool not_strict = false;        ///< a pair that breaks the strict reading
  bool strict_pair = false;       ///< a pair in which neither run memory-traps
  bool control = false, control_user = false, mode = false, trap_mode = false, location = false,
       location_user = false, owned = false, owned_user = false, timing = false;
  /// a state (at some level, the controls as drawn) on which it completes without a trap; when
  /// not known, the prover asks first, and when no state completes, every sensitivity question
  /// (each needs a completing run) is answered "no" at once
  bool completes = false;
};

/// Proves the classification of instructions of one ISA. Not thread-safe (one Z3 context).
class Prover {
 public:
  /// Never throws for a model that the loader accepted.
  explicit Prover(std::shared_ptr<const isa::IsaModel> isa, ProverOptions options = {});
  ~Prover();
  Prover(const Prover&) = delete;
  Prover& operator=(const Prover&) = delete;

  /// Answers every property for `ins` over the instruction words that decode to it and, when
  /// `selector_values` is given, whose selector bits (`selector_mask`: the selector fields'
  /// bits in the word) equal one of the values (placed at the fields' positions, as
  /// vmm::SelectorPlan's classes). Errors (Z3's included) make the proof "not decided" with the
  /// reason; it never throws.
  /// `known`: what need not be asked (see Known). `time_ms` (when not 0) lowers this call's
  /// solver time below ProverOptions::instruction_ms; `rlimit` (when not 0) lowers its resource
  /// units below ProverOptions::instruction_rlimit.
  InstructionProof prove(const isa::Instruction& ins, isa::Word selector_mask = 0,
                         const std::vector<isa::Word>* selector_values = nullptr, const Known& known = {},
                         unsigned time_ms = 0, std::uint64_t rlimit = 0);

  /// Z3's resource units all calls of prove() used so far (deterministic for the same calls).
  std::uint64_t resources_used() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pgsim::analysis
