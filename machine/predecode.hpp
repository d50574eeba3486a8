#pragma once
// The fast engine's predecoded code (issue 13): one entry per real address of storage, holding
// what the dispatch loop (machine/fast_engine.hpp) needs to run the instruction there without
// decoding it again: the handler (a semantic shape x an ALU operator, recognized from the
// instruction's compiled bytecode, so that any ISA file works), the register numbers with
// writes to the zero register redirected to a sink, the immediate, the cycles and the level the
// address belongs to. The ISA stays data: nothing here knows PG-1's opcodes.
#include <cstdint>
#include <vector>

#include "isa/model.hpp"

namespace pgsim::machine {

// The ALU operators a handler is instantiated for (isa::Op names), in handler-id order.
#define PGSIM_FAST_ALU_OPS(X) \
  X(Add) X(Sub) X(Mul) X(And) X(Or) X(Xor) X(Shl) X(ShrU) X(ShrS) X(Eq) X(Ne) X(LtS) X(LeS) X(GtS) X(GeS) \
  X(LtU) X(LeU) X(GtU) X(GeU)

/// What the dispatch loop runs for an entry. The operator shapes are followed by one handler
/// per ALU operator (PGSIM_FAST_ALU_OPS order): handler = shape + operator index.
enum FastHandler : std::uint16_t {
  kDecode,  ///< not decoded yet (or invalidated by a store): decode, then run
  kSlow,    ///< an instruction the fast engine leaves to the reference step (bytecode, privileged, ILLEGAL)
  kExit,    ///< the end of the fetch window (base + bound, or the end of storage): leave the loop
  kNop,     ///< no effect
  kConst,   ///< R[d] = imm (an operator of two constants, folded at decode: lui)
  kLoad,    ///< R[d] = E[virtual R[a] + imm]
  kStore,   ///< E[virtual R[a] + imm] = R[b]
  kJal,     ///< R[d] = P + 1; P = R[a] + imm
  kRegReg,  ///< + op: R[d] = R[a] op R[b]
  kRegImm = kRegReg + 19,    ///< + op: R[d] = R[a] op imm
  kRegMasked = kRegImm + 19, ///< + op: R[d] = R[a] op (R[b] & imm)   (shifts by rt & 31)
  kBranch = kRegMasked + 19, ///< + op: if (R[a] op R[b]) P = P + 1 + imm, one more cycle
  kHandlers = kBranch + 19,
};

/// The ALU operators of PGSIM_FAST_ALU_OPS, as isa::Op, in handler-id order.
inline constexpr isa::Op kFastAluOps[] = {
#define PGSIM_X(OP) isa::Op::OP,
    PGSIM_FAST_ALU_OPS(PGSIM_X)
#undef PGSIM_X
};
static_assert(sizeof(kFastAluOps) / sizeof(kFastAluOps[0]) == 19);

/// One predecoded instruction: 16 bytes, one per real address.
struct FastEntry {
  std::uint16_t handler = kDecode;
  std::uint8_t d = 0;   ///< destination register (the sink, register 64, when it is the zero register)
  std::uint8_t a = 0;   ///< first source register (the base register of a load or store)
  std::uint8_t b = 0;   ///< second source register (the stored register of a store)
  std::uint8_t pad = 0;
  std::uint16_t level = 0xffff;  ///< the level of this real address (Machine::set_levels); 0xffff: none yet
  std::uint32_t imm = 0;     ///< the immediate (masked to the word), the folded constant, or a branch's offset
  std::uint32_t cycles = 0;  ///< the instruction's declared cycles (a taken branch costs one more)
};

/// The register index that absorbs writes to the zero register (the machine has at most 64).
inline constexpr std::uint8_t kSinkRegister = 64;

/// Predecodes `word` (already known to decode to `ins`, or `ins` null: ILLEGAL). `zero_register`
/// is the ISA's zero register (-1: none), `mask` the word mask. Returns an entry whose handler is
/// kSlow when the instruction is not one of the shapes above or is privileged (its PRIV check
/// and semantics stay the reference step's). `level` is stored as given.
FastEntry predecode(const isa::Instruction* ins, std::uint32_t word, int zero_register, std::uint32_t mask,
                    std::uint16_t level);

/// The predecoded entries of a machine's storage: |E| + 1 entries (the last is a permanent
/// kExit). Copying a cache gives an empty one (it is rebuilt lazily), so that copying a machine
/// does not copy megabytes of derived data.
class PredecodeCache {
 public:
  PredecodeCache() = default;
  PredecodeCache(const PredecodeCache&) : stale_(true) {}
  PredecodeCache& operator=(const PredecodeCache&) {
    stale_ = true;
    return *this;
  }
  /// Makes the cache cover `words` words of storage, every entry undecoded, if it is stale or of
  /// another size; O(words) then, O(1) otherwise.
  void prepare(std::size_t words) {
    if (!stale_ && entries_.size() == words + 1) return;
    entries_.assign(words + 1, FastEntry{});
    entries_[words].handler = kExit;
    stale_ = false;
  }
  /// Forgets every entry (storage may have changed anywhere: load, restore, storage()).
  void invalidate_all() { stale_ = true; }
  /// A store into real address `a`: its entry must be decoded again. O(1).
  void invalidate(std::uint64_t a) {
    if (a + 1 < entries_.size()) entries_[a].handler = kDecode;
  }
  FastEntry* data() { return entries_.data(); }

 private:
  std::vector<FastEntry> entries_;
  bool stale_ = true;
};

}  // namespace pgsim::machine
