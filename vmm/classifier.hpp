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
#include <vector>

#include "machine/machine.hpp"

namespace pgsim::vmm {

/// A concrete demonstration: the instruction word executed from one or two states, and the
/// components whose results differ (or, for control sensitivity, which control state changed).
struct Witness {
  std::string property;  ///< "control", "location", "mode", "timing", "not privileged"
  std::uint32_t word = 0;
  std::string instruction;  ///< disassembled
  machine::Machine::Snapshot before_a, after_a;
  std::optional<machine::Machine::Snapshot> before_b, after_b;  ///< absent for "control"
  std::uint32_t shift = 0;                ///< the relocation x, for "location"
  std::vector<std::string> differs;       ///< components that differ / changed
  std::string explanation;                ///< one sentence
};

/// The classification of one instruction.
struct Classification {
  std::string mnemonic;
  bool privileged = false;
  bool control_sensitive = false;
  bool location_sensitive = false;
  bool mode_sensitive = false;
  bool user_sensitive = false;
  bool timing_source = false;
  std::uint64_t privileged_pairs = 0;   ///< mode pairs tested for "privileged" (neither memory-trapped)
  std::uint64_t trials = 0;             ///< executions in all
  bool exhaustive = false;              ///< every operand value was tried (operand fields <= 16 bits)
  std::optional<Witness> control, location, mode, timing, user, not_privileged;
  std::vector<std::string> notes;       ///< static cross-check remarks
  bool sensitive() const { return control_sensitive || location_sensitive || mode_sensitive; }
};

/// One theorem's verdict.
struct TheoremVerdict {
  bool holds = false;
  std::vector<std::string> violations;  ///< mnemonics
};

/// The whole analysis.
struct Analysis {
  std::string isa_name;
  std::uint64_t seed = 0;
  std::vector<Classification> instructions;
  TheoremVerdict theorem1, theorem2, theorem3;
  std::vector<std::string> timing_sources;
};

/// Options of the classifier.
struct ClassifierOptions {
  std::uint64_t seed = 1974;             ///< fixed by default: reports are reproducible
  std::uint32_t memory = 256;            ///< words of the test machine's storage
  unsigned sampled_words = 160;          ///< operand words tried when not exhaustive
  unsigned states_per_word = 4;          ///< random states per operand word
  std::vector<std::string> only;         ///< restrict to these mnemonics (empty: all)
};

/// Classifies every instruction of `isa` (or those in options.only). Deterministic for a seed.
Analysis classify(std::shared_ptr<const isa::IsaModel> isa, const ClassifierOptions& options = {});

/// Re-executes a witness and returns true when it still shows what it claims.
bool confirm(const isa::IsaModel& isa, const Witness& w);

}  // namespace pgsim::vmm
