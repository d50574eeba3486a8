#pragma once
// The fast engine (issue 13): a threaded interpreter over predecoded entries (machine/
// predecode.hpp), one per real address, dispatched by computed goto. It runs bursts of the
// common instructions (ALU, loads, stores, branches, jal, constants, nop) with the hot state
// in locals, and leaves to the reference step (run_loop.hpp) every instruction it has no
// handler for, every fault, trap, interrupt and VM entry: a burst stops BEFORE such an
// instruction, so the reference step sees the machine exactly as it would have.
//
// Exactness (counts of cycles, instructions, traps and per-level statistics identical to the
// reference engine): the burst's one deadline, `cycles >= deadline`, folds the cycle budget, the
// step budget (every instruction costs >= 1 cycle, so a step budget is a cycle deadline) and the
// timer's expiry (cycles + timer); a pending interrupt that is enabled allows no burst at all.
// Instructions of a burst change no control state, so the timer counts down the burst's cycles
// at its end exactly as it would have one instruction at a time. Each store invalidates the
// entry of the word it writes and the runs that reach it (self-modifying code); so do the
// reference engine's stores and the trap sequence. The fetch window [base, min(base + bound,
// |E|)) is closed by a kExit entry put at its end for the burst; jumps and branches check their
// target.
//
// Blocks (issue 13, item 3): the deadline is checked once per straight-line run (predecode.hpp):
// a run whose cycles end at or before the deadline is counted whole at its start (instructions
// and cycles; a taken branch adds its cycle) and its handlers follow each other with no check.
// A run that would cross the deadline is not entered: the rest of the burst goes one
// instruction at a time, one check each, exactly as without blocks. An instruction of a run
// that faults (a load, store, jump or branch outside the window) takes back its own counts and
// those of the rest of its run, and the reference step takes the fault. A run ends at every
// store, so the code it runs cannot change under it; the next run is looked up afresh.
//
// Observers: a burst tells its observer of completed instructions in bulk, per level
// (Obs::on_instructions), at each change of level and at its end; an observer without
// on_instructions (trace, GUI, lessons stepping, run_until) gets the reference engine. A
// StoppingObserver (lockstep equivalence) also makes a burst stop before a level and before
// given addresses, and may keep a store log.
#include <algorithm>
#include <array>
#include <concepts>
#include <vector>

#include "machine/machine.hpp"
#include "machine/predecode.hpp"

namespace pgsim::machine {

/// An observer the fast engine can serve (see Machine::run_with): either disabled, or it takes
/// `n` completed instructions of level `level` costing `cycles` cycles at once, none of which
/// trapped, set the timer, or changed the mode, R or a control register; and its optional
/// `accepts_bulk()` says yes now.
template <class Obs>
concept BulkObserver = !Obs::enabled || requires(Obs& o, const Machine& m, unsigned level, std::uint64_t n,
                                                 std::uint64_t cycles) { o.on_instructions(m, level, n, cycles); };

/// A bulk observer that also says where a burst must stop BEFORE executing: at the first
/// instruction of level `stop_level()` (Machine::set_levels; 0xffff: none) and at the real
/// addresses `stops()` (a range of at most kMaxStops words; those outside the fetch window are
/// ignored). Its runs may keep a store log (Machine::set_store_log): the burst's stores are
/// logged as the reference step's are. Machine::run_with asks its should_stop() after each burst
/// too, before the reference step. vmm::Stack runs to its guest's instruction boundaries this way
/// (vmm/equivalence.cpp: lockstep without stepping every real instruction).
template <class Obs>
concept StoppingObserver = BulkObserver<Obs> && Obs::enabled && requires(const Obs& o) {
  { o.stop_level() } -> std::convertible_to<unsigned>;
  { o.stops().size() } -> std::convertible_to<std::size_t>;
  { o.should_stop() } -> std::convertible_to<bool>;
};
/// The most addresses a StoppingObserver may name (a VMM stack's levels: one each).
inline constexpr std::size_t kMaxStops = 64;

/// The ALU operator O on words of the mask M (sign extension by `sxs` bits), exactly as the
/// reference engine's bytecode computes it (machine.cpp, execute_bytecode).
template <isa::Op O>
inline isa::Word fast_alu(isa::Word a, isa::Word b, isa::Word M, int sxs) {
  auto sx = [sxs](isa::Word v) { return static_cast<isa::SWord>(v << sxs) >> sxs; };
  using isa::Op;
  if constexpr (O == Op::Add) return (a + b) & M;
  else if constexpr (O == Op::Sub) return (a - b) & M;
  else if constexpr (O == Op::Mul) return (a * b) & M;
  else if constexpr (O == Op::And) return a & b;
  else if constexpr (O == Op::Or) return a | b;
  else if constexpr (O == Op::Xor) return a ^ b;
  else if constexpr (O == Op::Shl) return b >= 64 ? 0u : (a << b) & M;
  else if constexpr (O == Op::ShrU) return b >= 64 ? 0u : a >> b;
  else if constexpr (O == Op::ShrS) return static_cast<isa::Word>(sx(a) >> (b >= 63 ? 63 : b)) & M;
  else if constexpr (O == Op::Eq) return a == b;
  else if constexpr (O == Op::Ne) return a != b;
  else if constexpr (O == Op::LtS) return sx(a) < sx(b);
  else if constexpr (O == Op::LeS) return sx(a) <= sx(b);
  else if constexpr (O == Op::GtS) return sx(a) > sx(b);
  else if constexpr (O == Op::GeS) return sx(a) >= sx(b);
  else if constexpr (O == Op::LtU) return a < b;
  else if constexpr (O == Op::LeU) return a <= b;
  else if constexpr (O == Op::GtU) return a > b;
  else return a >= b;  // GeU
}

inline bool Machine::fast_ready(bool logs_stores) const {
  return engine_ == Engine::Fast && sie_depth_ == 0 && (!store_log_ || logs_stores) && !halted_ &&
         !(timer_pending_ && interrupts_enabled());
}

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"  // computed goto (&&label, goto *p): a GNU extension of gcc and clang
#endif

template <class Obs>
std::uint64_t Machine::fast_burst(std::uint64_t deadline, Obs& obs) {
  constexpr bool kLevels = Obs::enabled;  // a counting observer: tell it per level
  constexpr bool kStops = StoppingObserver<Obs>;  // stop before a level or addresses; log stores
  cache_.prepare(E_.size());
  FastEntry* const E0 = cache_.data();
  isa::Word* const mem = E_.data();
  const isa::Word base = base_, M = mask_;
  const int sxs = sxshift_;
  const std::uint64_t hi = std::min<std::uint64_t>(std::uint64_t{base} + bound_, E_.size());  // fetch window end
  if (std::uint64_t{base} + pc_ >= hi) return 0;  // the fetch faults: the reference step
  if (timer_ != 0) deadline = std::min<std::uint64_t>(deadline, cycles_ + timer_);
  const FastEntry closed = E0[hi];
  E0[hi].handler = kExit;  // the window's end; no run reaches past it (cut those that did)
  E0[hi].run_n = 0;
  cache_.cut_before(hi);
  // The observer's stops are exits too for this burst (kept entries restored at leave:).
  [[maybe_unused]] std::array<FastEntry, kStops ? kMaxStops : 0> kept;
  [[maybe_unused]] std::array<std::uint64_t, kStops ? kMaxStops : 0> stop_at;
  [[maybe_unused]] std::size_t nstops = 0;
  [[maybe_unused]] unsigned stop_level = 0x10000;  // no entry's level (16 bits; 0xffff: not decoded yet)
  [[maybe_unused]] std::vector<isa::Word>* const log = store_log_;
  if constexpr (kStops) {
    if (obs.stop_level() < 0xffff) stop_level = obs.stop_level();
    for (const auto a : obs.stops()) {
      const std::uint64_t r = a;
      if (r < base || r >= hi || nstops == kMaxStops) continue;
      if (E0[r].handler == kExit) continue;  // named twice
      stop_at[nstops] = r;
      kept[nstops++] = E0[r];
      E0[r].handler = kExit;
      E0[r].run_n = 0;
      cache_.cut_before(r);
    }
  }
  isa::Word R[kSinkRegister + 1];
  const std::size_t nregs = std::min<std::size_t>(m_->registers.size(), kSinkRegister);
  std::copy_n(regs_.begin(), nregs, R);
  FastEntry* e = E0 + base + pc_;
  std::uint64_t cyc = cycles_, n = 0, n_mark = 0, c_mark = cyc, runs = 0;
  unsigned lvl = 0xffff;
  auto flush = [&] {  // tell the observer of the instructions since the last flush (one level)
    if constexpr (kLevels) if (n != n_mark) obs.on_instructions(*this, lvl, n - n_mark, cyc - c_mark);
    n_mark = n;
    c_mark = cyc;
  };
  // A store of the burst (kStops): logged, and if it wrote a stop, the stop stays an exit and
  // gets back an undecoded entry at leave: (the word changed).
  [[maybe_unused]] auto stored_at_stop = [&](std::uint64_t ra) {
    if (log) log->push_back(static_cast<isa::Word>(ra));
    for (std::size_t i = 0; i < nstops; ++i)
      if (stop_at[i] == ra) {
        kept[i] = FastEntry{};
        E0[ra].handler = kExit;
      }
  };
  auto target = [&](isa::Word t) { return std::uint64_t{base} + (t & M); };  // real address of virtual t
  auto pc_of = [&](const FastEntry* x) { return static_cast<isa::Word>(x - E0) - base; };
  auto decode_at = [&](std::size_t real) {
    const isa::Word w = mem[real];
    return predecode(m_->decode(w), w, zero_, M, level_of(static_cast<isa::Word>(real)));
  };
  // Three copies of every handler (predecode.hpp, FastEntry::in_run): one instruction at a time
  // (counts and checks its own cycles), inside a run with more to follow (the run's counts were
  // taken at its start: straight on to the next handler), and ending a run (back to `run`).
#define PGSIM_T(OP, MODE, K) &&MODE##_##K##_##OP,
#define PGSIM_TABLE(MODE, DECODE)                                                                     \
  DECODE, &&leave, &&leave, &&MODE##_nop, &&MODE##_constant, &&MODE##_load, &&MODE##_store, &&MODE##_jal, \
      PGSIM_FAST_ALU_OPS(PGSIM_T, MODE, rr) PGSIM_FAST_ALU_OPS(PGSIM_T, MODE, ri)                    \
      PGSIM_FAST_ALU_OPS(PGSIM_T, MODE, rm) PGSIM_FAST_ALU_OPS(PGSIM_T, MODE, br)
  static const void* const labels[3 * kHandlers] = {PGSIM_TABLE(one, &&decode) PGSIM_TABLE(mid, &&leave) PGSIM_TABLE(end, &&leave)};
  static_assert(sizeof(labels) / sizeof(labels[0]) == 3 * kHandlers);
  // What follows a handler, and where a fault (the reference step's to take) goes, per copy.
#define PGSIM_NEXT_one(STEP) { cyc += e->cycles; ++n; e += (STEP); goto next; }
#define PGSIM_NEXT_mid(STEP) { e += (STEP); goto *labels[e->in_run]; }
#define PGSIM_NEXT_end(STEP) { e += (STEP); goto run; }
#define PGSIM_FAIL_one goto leave
#define PGSIM_FAIL_mid goto unrun
#define PGSIM_FAIL_end goto unrun

  // ---- the dispatch loop. A run that ends before the deadline costs one check (run:); else the
  // rest of the burst goes one instruction at a time, one check each (next:).
  if (!blocks_) goto next;
run:
  if (e->run_n == 0) [[unlikely]] {
    if (!cache_.plan(static_cast<std::size_t>(e - E0), decode_at)) goto next;  // the reference step's
  }
  if constexpr (kLevels) if (e->level != lvl) {
    flush();
    lvl = e->level;
    if constexpr (kStops) if (lvl == stop_level) goto leave;
  }
  if (cyc + e->run_cycles <= deadline) [[likely]] {
    n += e->run_n;
    cyc += e->run_cycles;
    ++runs;
    goto *labels[e->in_run];
  }
next:
  if (cyc >= deadline) goto leave;
  if constexpr (kLevels) if (e->level != lvl) {
    flush();
    lvl = e->level;
    if constexpr (kStops) if (lvl == stop_level) goto leave;
  }
  goto *labels[e->handler];
unrun:  // e faults inside a run: take back the counts of e and the rest of its run
  n -= e->run_n;
  cyc -= e->run_cycles;
  --runs;
  goto leave;

decode:  // then look again: the entry now knows its level
  *e = decode_at(static_cast<std::size_t>(e - E0));
  goto next;
#define PGSIM_HANDLERS(MODE)                                                          \
  MODE##_nop: PGSIM_NEXT_##MODE(1)                                                    \
  MODE##_constant: R[e->d] = e->imm; PGSIM_NEXT_##MODE(1)                             \
  MODE##_load: {                                                                      \
    const std::uint64_t ra = target(R[e->a] + e->imm);                                \
    if (ra >= hi) PGSIM_FAIL_##MODE; /* a MEMORY trap: the reference step takes it */ \
    R[e->d] = mem[ra];                                                                \
    PGSIM_NEXT_##MODE(1)                                                              \
  }                                                                                   \
  MODE##_store: {                                                                     \
    const std::uint64_t ra = target(R[e->a] + e->imm);                                \
    if (ra >= hi) PGSIM_FAIL_##MODE;                                                  \
    mem[ra] = R[e->b];                                                                \
    cache_.invalidate(ra); /* self-modifying code: decode that word, plan its runs again */ \
    if constexpr (kStops) stored_at_stop(ra);                                         \
    PGSIM_NEXT_##MODE(1)                                                              \
  }                                                                                   \
  MODE##_jal: {                                                                       \
    const std::uint64_t rt = target(R[e->a] + e->imm); /* read before R[d] is written */ \
    if (rt >= hi) PGSIM_FAIL_##MODE; /* the fetch there faults */                     \
    R[e->d] = (pc_of(e) + 1) & M;                                                     \
    PGSIM_NEXT_##MODE(E0 + rt - e)                                                    \
  }                                                                                   \
  PGSIM_FAST_ALU_OPS(PGSIM_ALU, MODE)
#define PGSIM_ALU(OP, MODE)                                                                  \
  MODE##_rr_##OP : R[e->d] = fast_alu<isa::Op::OP>(R[e->a], R[e->b], M, sxs);                \
  PGSIM_NEXT_##MODE(1)                                                                       \
  MODE##_ri_##OP : R[e->d] = fast_alu<isa::Op::OP>(R[e->a], e->imm, M, sxs);                 \
  PGSIM_NEXT_##MODE(1)                                                                       \
  MODE##_rm_##OP : R[e->d] = fast_alu<isa::Op::OP>(R[e->a], R[e->b] & e->imm, M, sxs);      \
  PGSIM_NEXT_##MODE(1)                                                                       \
  MODE##_br_##OP : if (!fast_alu<isa::Op::OP>(R[e->a], R[e->b], M, sxs)) PGSIM_NEXT_##MODE(1) { \
    const std::uint64_t rt = target(pc_of(e) + 1 + e->imm);                                  \
    if (rt >= hi) PGSIM_FAIL_##MODE;                                                         \
    cyc += 1; /* taken */                                                                    \
    PGSIM_NEXT_##MODE(E0 + rt - e)                                                           \
  }
  PGSIM_HANDLERS(one)
  PGSIM_HANDLERS(mid)
  PGSIM_HANDLERS(end)
#undef PGSIM_T
#undef PGSIM_TABLE
#undef PGSIM_NEXT_one
#undef PGSIM_NEXT_mid
#undef PGSIM_NEXT_end
#undef PGSIM_FAIL_one
#undef PGSIM_FAIL_mid
#undef PGSIM_FAIL_end
#undef PGSIM_HANDLERS
#undef PGSIM_ALU

leave:  // e is the instruction not run: write the hot state back
  flush();
  E0[hi] = closed;  // still valid: the burst stored nothing at or past hi
  if constexpr (kStops) {
    // The stops get their entries back (undecoded if the burst wrote them); the runs cut before
    // them are planned again when next entered. A stop's own run is kept only if the entry after
    // it still continues it with the same sums (a store into the run cut it while the stop, an
    // exit, stopped the cut from reaching the stop).
    for (std::size_t i = nstops; i-- > 0;) {
      FastEntry& x = E0[stop_at[i]];
      const FastEntry& after = E0[stop_at[i] + 1];  // stop < hi <= |E|: entry |E| exists (kExit)
      x = kept[i];
      if (x.run_n > 1 && !(after.run_n == x.run_n - 1 && x.cycles + after.run_cycles == x.run_cycles)) x.run_n = 0;
    }
  }
  std::copy_n(R, nregs, regs_.begin());
  pc_ = pc_of(e);
  if (n) {
    const std::uint64_t spent = cyc - cycles_;
    if (timer_ != 0) {  // as count_down, one instruction at a time, would have
      if (spent >= timer_) timer_expired(0);
      else timer_ -= static_cast<isa::Word>(spent);
    }
    cycles_ = cyc;
    instructions_ += n;
    fast_instructions_ += n;
    fast_runs_ += runs;
    consecutive_traps_ = 0;
  }
  return n;
}

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

}  // namespace pgsim::machine
