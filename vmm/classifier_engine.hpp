#pragma once
// The classifier's engine, internal to vmm/ (not installed, not included outside vmm/): the class
// Classifier that classifies the instructions of one ISA on one thread, and what its parts share
// (the random number generator, what one run did, how two snapshots differ). Its parts:
// classifier.cpp (the per-instruction driver and the public entry points), classifier_states.cpp
// (the states it tests), classifier_runs.cpp (one run and its witness), classifier_sampling.cpp
// (testing an instruction on sampled states) and classifier_proofs.cpp (the bridge to the prover).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/prover.hpp"
#include "machine/machine.hpp"
#include "vmm/classifier.hpp"
#include "vmm/selectors.hpp"

namespace pgsim::vmm::classifier_engine {

using Snap = machine::Machine::Snapshot;
using isa::FieldKind;

/// SplitMix64's output function (Steele, Lea, Flood 2014): a bijection of 64-bit words that
/// mixes every bit into every bit; also derives each instruction's seed from the check's.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// The classifier's random number generator: SplitMix64 (G. L. Steele, D. Lea, C. H. Flood,
/// "Fast splittable pseudorandom number generators", OOPSLA 2014; Java's SplittableRandom), a
/// 64-bit UniformRandomBitGenerator that passes BigCrush. One 64-bit word per call, about a
/// nanosecond: a random state fills its whole storage (256 words) from it, which with
/// std::mt19937_64 took half of `pgsim check`'s time. Deterministic for a seed on every platform.
class SplitMix64 {
 public:
  using result_type = std::uint64_t;
  explicit SplitMix64(std::uint64_t seed) : x_(seed) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() { return mix64(x_ += 0x9e3779b97f4a7c15ull); }

 private:
  std::uint64_t x_;
};
using isa::Op;

/// What one execution from a state did.
struct Run {
  Snap after;
  bool trapped = false;
  bool memory_trap = false;
  isa::Word cause = 0;  ///< the trap's cause, when trapped
};

/// The components of two snapshots that differ; `shift` relates B's storage to A's
/// (B's base = A's base + shift) within A's region [base, base + bound) of `region` words.
std::vector<std::string> differences(const isa::IsaModel& isa, const Snap& a, const Snap& b, isa::Word shift,
                                     isa::Word region, bool ignore_mode);

/// Control state that an execution changed (P&G: M, R and the declared control state).
std::vector<std::string> control_changes(const isa::IsaModel& isa, const Snap& before, const Snap& after);

/// The components in which two runs that differ only in the owned control register `reg`
/// (A: before_a -> after_a, B: before_b -> after_b) end differently. `reg` itself counts only
/// when the instruction wrote it in one of the runs (else it differs because it did before).
std::vector<std::string> owned_differences(const isa::IsaModel& isa, const Snap& before_a, const Snap& after_a,
                                           const Snap& before_b, const Snap& after_b, std::size_t reg);

class Classifier {
 public:
  Classifier(std::shared_ptr<const isa::IsaModel> isa, const ClassifierOptions& o,
             std::chrono::steady_clock::time_point start);

  /// The rows of one instruction: one, or one per group of selector classes that classify alike.
  /// `index` (the instruction's place in the ISA) seeds its states: each instruction, and each
  /// class of its selector values, draws its own stream, so that its rows do not depend on which
  /// others were classified before it, or on which thread classified it, and a class tested
  /// again (after a proof that did not decide) draws the states it drew without proofs.
  std::vector<Classification> classify(const isa::Instruction& ins, std::size_t index);

 private:
  std::shared_ptr<const isa::IsaModel> isa_;
  ClassifierOptions o_;
  SplitMix64 rng_;
  machine::Machine m_;
  std::vector<std::size_t> owned_;  ///< indices of the control registers declared `owned`

  std::unique_ptr<analysis::Prover> prover_;  ///< proved verdicts (null with ClassifierOptions::Prove::Off)
  std::chrono::steady_clock::time_point start_;  ///< the check began
  std::uint64_t ins_seed_ = 0;  ///< the seed of the instruction being classified
  std::uint64_t units_at_start_ = 0;  ///< the prover's resource units used before this instruction

  bool priv_cause(isa::Word cause) const {
    return isa_->causes.privileged >= 0 && cause == static_cast<isa::Word>(isa_->causes.privileged);
  }

  /// Asks the prover about the instruction words of `ins` whose selector values are `cls` (all,
  /// when null), and puts its answers into `c`: a proof that no witness exists marks the property
  /// proved; a witness is executed on the machine and, when it reproduces, becomes the property's
  /// witness (a sensitivity the sampled states missed). Where the prover and the machine disagree,
  /// or the prover could not decide, the tested verdict stays, with a note that says why.
  /// Returns why the prover did not decide (nullopt when it did); the caller adds the note.
  std::optional<std::string> prove_into(Classification& c, const isa::Instruction& ins, const SelectorPlan* plan,
                                        const std::vector<isa::Word>* cls, std::size_t classes = 1);

  static std::vector<bool> signature(const Classification& c);

  /// Adds the evidence of `b` (same signature) to `a`.
  static void merge(Classification& a, const Classification& b);

  /// "in supervisor mode" / "in user mode" for P&G's two modes, else "at ring3".
  std::string at_level(isa::Word l) const;
  /// "supervisor mode" / "user mode" for P&G's two modes, else the level's name.
  std::string level_word(isa::Word l) const;

  std::string cause_text(isa::Word cause) const;

  /// Classifies the instruction over the operand words whose selector fields (of `plan`) take
  /// the values of `cls` (all words when null), from at least `min_states` states.
  /// The states come from stream `stream` of the instruction (its class's index). With
  /// `sample_only`, only the sampled states: no proof, no extra states for rare paths.
  Classification classify_values(const isa::Instruction& ins, const SelectorPlan* plan,
                                 const std::vector<isa::Word>* cls, unsigned min_states, std::size_t stream,
                                 bool sample_only = false);

  isa::Word size() const { return static_cast<isa::Word>(m_.storage().size()); }
  /// All ones in 32 bits, or in the word's bits when the word is wider: the boundary values
  /// and random words the classifier draws (32 bits as before for words of up to 32 bits).
  isa::Word wide_mask() const { return isa::low_bits(std::max(32u, isa_->word_bits)); }
  isa::Word rnd(isa::Word n) { return n ? static_cast<isa::Word>(rng_() % n) : 0; }

  Run exec(const Snap& s);
  /// exec() into `r`, reusing its state's storage.
  void exec_into(const Snap& s, Run& r);

  Witness make2(const char* prop, isa::Word w, const Snap& a, const Run& ra, const Snap& b, const Run& rb,
                isa::Word shift, std::vector<std::string> d, std::string why);

  /// Operand words: every value of the operand fields when they total <= 16 bits and at most
  /// 4096 combinations (register fields only over existing registers), else boundary and
  /// random values. With a class of
  /// selector values, the selector fields take the class's values (all of them when there are
  /// at most 64, else 64 drawn at random) and the other fields as above.
  std::vector<isa::Word> operand_words(const isa::Instruction& ins, const SelectorPlan* plan,
                                           const std::vector<isa::Word>* cls, bool& exhaustive);

  /// A control register's value: boundary values, its reset value, and values that make a
  /// pointer it holds land in the test storage (a table base, a trap vector) or in R's region.
  isa::Word control_value(const isa::ControlRegister& cr, const Snap& s);

  isa::Word reg_value(isa::Word bound);

  /// A random state with `w` at P; R leaves room to be moved (base + bound <= 5/8 of E).
  Snap random_state(isa::Word w);

  isa::Word relocation(const Snap& s);

  /// P&G's relocated state, into `t`: R moved by x, the region's contents moved along, same P.
  void move_by(const Snap& s, isa::Word x, Snap& t);

  /// What an instruction's semantics can do, read from its bytecode.
  struct Reads {
    bool writes_control = false, location = false, mode = false, owned = false;
  };
  /// Most states the classifier adds, as a multiple of those it drew, while a rare path is
  /// unresolved (see classify_values).
  static constexpr unsigned kMoreStates = 8;
  Reads reads_of(const isa::Instruction& ins) const;

  void static_cross_check(const isa::Instruction& ins, Classification& c);
};

}  // namespace pgsim::vmm::classifier_engine
