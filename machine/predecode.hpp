#pragma once
// The fast engine's predecoded code (issue 13): one entry per real address of storage, holding
// what the dispatch loop (machine/fast_engine.hpp) needs to run the instruction there without
// decoding it again: the handler (a semantic shape x an ALU operator, recognized from the
// instruction's compiled bytecode, so that any ISA file works), the register numbers with
// writes to the zero register redirected to a sink, the immediate, the cycles and the level the
// address belongs to. The ISA stays data: nothing here knows PG-1's opcodes.
//
// Blocks (issue 13, item 3): each entry also knows the straight-line run that starts at it --
// itself and the instructions after it up to the first that branches, jumps or stores (that one
// ends the run), or up to an instruction the fast engine does not run, a change of level, or
// the end of an aligned span of kBlockSpan words. The run's length and cycles are suffix sums
// (run_n(a) = run_n(a + 1) + 1 inside a run), so a run can be entered anywhere, and where a run
// ends is a property of the address, not of where it was entered. The dispatch loop checks its
// deadline once per run (machine/fast_engine.hpp). A store into word a invalidates the runs that
// reach a (those of the entries before it in its run), as it invalidates a's entry.
#include <cstdint>
#include <vector>

#include "isa/model.hpp"

namespace pgsim::machine {

// The ALU operators a handler is instantiated for (isa::Op names), in handler-id order.
// X(OP, ARGS...) for each, ARGS being the arguments after X.
#define PGSIM_FAST_ALU_OPS(X, ...)                                                                        \
  X(Add, __VA_ARGS__) X(Sub, __VA_ARGS__) X(Mul, __VA_ARGS__) X(And, __VA_ARGS__) X(Or, __VA_ARGS__)       \
  X(Xor, __VA_ARGS__) X(Shl, __VA_ARGS__) X(ShrU, __VA_ARGS__) X(ShrS, __VA_ARGS__) X(Eq, __VA_ARGS__)     \
  X(Ne, __VA_ARGS__) X(LtS, __VA_ARGS__) X(LeS, __VA_ARGS__) X(GtS, __VA_ARGS__) X(GeS, __VA_ARGS__)       \
  X(LtU, __VA_ARGS__) X(LeU, __VA_ARGS__) X(GtU, __VA_ARGS__) X(GeU, __VA_ARGS__)

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
#define PGSIM_X(OP, ...) isa::Op::OP,
    PGSIM_FAST_ALU_OPS(PGSIM_X)
#undef PGSIM_X
};
static_assert(sizeof(kFastAluOps) / sizeof(kFastAluOps[0]) == 19);

/// A handler the fast engine runs (not kDecode, kSlow or kExit): it may be part of a run.
constexpr bool runs_fast(std::uint16_t h) { return h >= kNop; }
/// A handler that ends a run: a branch, a jump or a store (the next instruction is elsewhere, or
/// its word may just have been written).
constexpr bool ends_run(std::uint16_t h) { return h == kStore || h == kJal || h >= kBranch; }

/// Runs never cross a multiple of this many words, so that invalidating the runs that reach a
/// word looks at most kBlockSpan - 1 entries back, and a run's cycles fit 32 bits.
inline constexpr std::uint32_t kBlockSpan = 64;

/// One predecoded instruction: 24 bytes, one per real address.
struct FastEntry {
  std::uint16_t handler = kDecode;
  /// The handler inside a run (valid when run_n > 0): kHandlers + handler when another
  /// instruction of the run follows, 2 * kHandlers + handler when this one ends the run.
  std::uint16_t in_run = 0;
  std::uint8_t d = 0;   ///< destination register (the sink, register 64, when it is the zero register)
  std::uint8_t a = 0;   ///< first source register (the base register of a load or store)
  std::uint8_t b = 0;   ///< second source register (the stored register of a store)
  std::uint8_t run_n = 0;        ///< instructions of the run from here to its end; 0: not planned yet
  std::uint16_t level = 0xffff;  ///< the level of this real address (Machine::set_levels); 0xffff: none yet
  std::uint16_t pad = 0;
  isa::Word imm = 0;     ///< the immediate (masked to the word), the folded constant, or a branch's offset
  std::uint32_t cycles = 0;  ///< the instruction's declared cycles (a taken branch costs one more)
  std::uint32_t run_cycles = 0;  ///< declared cycles of the run from here to its end (taken branch not included)
};
static_assert(kBlockSpan <= 255 && kBlockSpan * std::uint64_t{isa::kMaxDeclaredCycles} < (std::uint64_t{1} << 32));

/// The register index that absorbs writes to the zero register (the machine has at most 64).
inline constexpr std::uint8_t kSinkRegister = 64;

/// Predecodes `word` (already known to decode to `ins`, or `ins` null: ILLEGAL). `zero_register`
/// is the ISA's zero register (-1: none), `mask` the word mask. Returns an entry whose handler is
/// kSlow when the instruction is not one of the shapes above or is privileged (its PRIV check
/// and semantics stay the reference step's). `level` is stored as given.
FastEntry predecode(const isa::Instruction* ins, isa::Word word, int zero_register, isa::Word mask,
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
  /// A store into real address `a`: its entry must be decoded again, and the runs that reach
  /// it planned again. O(1) when `a` is not code; at most kBlockSpan entries otherwise.
  void invalidate(std::uint64_t a) {
    if (a + 1 >= entries_.size()) return;
    entries_[a].handler = kDecode;
    entries_[a].run_n = 0;
    cut_before(a);
  }
  /// Forgets the runs of the entries before `a` that reach `a` (`a` < size; the entry at `a`
  /// is kept). The fast engine cuts the runs at the end of its fetch window this way.
  void cut_before(std::uint64_t a) {
    FastEntry* x = entries_.data() + a;
    for (; a % kBlockSpan != 0 && x[-1].run_n > 1; --a, --x) x[-1].run_n = 0;
  }
  /// Plans the run that starts at entry `at` (its run_n is 0): decodes the entries it needs
  /// with `decode(real)` (-> FastEntry), then sets run_n, run_cycles and in_run of `at` and of
  /// the entries after it in its run that were not planned yet. Returns false, planning
  /// nothing, when the entry at `at` is not one the fast engine runs (kSlow, kExit).
  template <class Decode>
  bool plan(std::size_t at, Decode&& decode) {
    FastEntry* E = entries_.data();
    auto ready = [&](std::size_t x) -> const FastEntry& {
      if (E[x].handler == kDecode) E[x] = decode(x);
      return E[x];
    };
    if (!runs_fast(ready(at).handler)) return false;
    std::size_t end = at;  // the run's last instruction, or one whose run is planned already
    while (E[end].run_n == 0 && !ends_run(E[end].handler) && (end + 1) % kBlockSpan != 0) {
      const FastEntry& next = ready(end + 1);  // entries_.back() is kExit: end + 1 stays in range
      if (!runs_fast(next.handler) || next.level != E[end].level) break;
      ++end;
    }
    if (E[end].run_n == 0) {
      E[end].run_n = 1;
      E[end].run_cycles = E[end].cycles;
      E[end].in_run = static_cast<std::uint16_t>(2 * kHandlers + E[end].handler);
    }
    for (std::size_t x = end; x-- > at;) {
      E[x].run_n = static_cast<std::uint8_t>(E[x + 1].run_n + 1);
      E[x].run_cycles = E[x + 1].run_cycles + E[x].cycles;
      E[x].in_run = static_cast<std::uint16_t>(kHandlers + E[x].handler);
    }
    return true;
  }
  FastEntry* data() { return entries_.data(); }

 private:
  std::vector<FastEntry> entries_;
  bool stale_ = true;
};

}  // namespace pgsim::machine
