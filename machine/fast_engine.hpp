#pragma once
// The fast engine (issue 13): a threaded interpreter over predecoded entries (machine/
// predecode.hpp), one per real address, dispatched by computed goto. It runs bursts of the
// common instructions (ALU, loads, stores, branches, jal, constants, nop) with the hot state
// in locals, and leaves to the reference step (run_loop.hpp) every instruction it has no
// handler for, every fault, trap, interrupt and VM entry: a burst stops BEFORE such an
// instruction, so the reference step sees the machine exactly as it would have.
//
// Exactness (counts of cycles, instructions, traps and per-level statistics identical to the
// reference engine): the burst's one comparison per instruction, `cycles >= deadline`, folds the
// cycle budget, the step budget (every instruction costs >= 1 cycle, so a step budget is a cycle
// deadline) and the timer's expiry (cycles + timer); a pending interrupt that is enabled allows
// no burst at all. Instructions of a burst change no control state, so the timer counts down the
// burst's cycles at its end exactly as it would have one instruction at a time. Each store
// invalidates the entry of the word it writes (self-modifying code); so do the reference
// engine's stores and the trap sequence. The fetch window [base, min(base + bound, |E|)) is
// closed by a kExit entry put at its end for the burst; jumps and branches check their target.
//
// Observers: a burst tells its observer of completed instructions in bulk, per level
// (Obs::on_instructions), at each change of level and at its end; an observer without
// on_instructions (trace, GUI, lessons stepping, run_until) gets the reference engine.
#include <algorithm>

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

/// The ALU operator O on words of the mask M (sign extension by `sxs` bits), exactly as the
/// reference engine's bytecode computes it (machine.cpp, execute_bytecode).
template <isa::Op O>
inline std::uint32_t fast_alu(std::uint32_t a, std::uint32_t b, std::uint32_t M, int sxs) {
  auto sx = [sxs](std::uint32_t v) { return static_cast<std::int32_t>(v << sxs) >> sxs; };
  using isa::Op;
  if constexpr (O == Op::Add) return (a + b) & M;
  else if constexpr (O == Op::Sub) return (a - b) & M;
  else if constexpr (O == Op::Mul) return (a * b) & M;
  else if constexpr (O == Op::And) return a & b;
  else if constexpr (O == Op::Or) return a | b;
  else if constexpr (O == Op::Xor) return a ^ b;
  else if constexpr (O == Op::Shl) return b >= 32 ? 0u : (a << b) & M;
  else if constexpr (O == Op::ShrU) return b >= 32 ? 0u : a >> b;
  else if constexpr (O == Op::ShrS) return static_cast<std::uint32_t>(sx(a) >> (b >= 31 ? 31 : b)) & M;
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

inline bool Machine::fast_ready() const {
  return engine_ == Engine::Fast && sie_depth_ == 0 && !store_log_ && !halted_ &&
         !(timer_pending_ && interrupts_enabled());
}

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"  // computed goto (&&label, goto *p): a GNU extension of gcc and clang
#endif

template <class Obs>
std::uint64_t Machine::fast_burst(std::uint64_t deadline, Obs& obs) {
  constexpr bool kLevels = Obs::enabled;  // a counting observer: tell it per level
  cache_.prepare(E_.size());
  FastEntry* const E0 = cache_.data();
  std::uint32_t* const mem = E_.data();
  const std::uint32_t base = base_, M = mask_;
  const int sxs = sxshift_;
  const std::uint64_t hi = std::min<std::uint64_t>(std::uint64_t{base} + bound_, E_.size());  // fetch window end
  if (std::uint64_t{base} + pc_ >= hi) return 0;  // the fetch faults: the reference step
  if (timer_ != 0) deadline = std::min<std::uint64_t>(deadline, cycles_ + timer_);
  const FastEntry closed = E0[hi];
  E0[hi].handler = kExit;
  std::uint32_t R[kSinkRegister + 1];
  const std::size_t nregs = std::min<std::size_t>(m_->registers.size(), kSinkRegister);
  std::copy_n(regs_.begin(), nregs, R);
  FastEntry* e = E0 + base + pc_;
  std::uint64_t cyc = cycles_, n = 0, n_mark = 0, c_mark = cyc;
  unsigned lvl = 0xffff;
  auto flush = [&] {  // tell the observer of the instructions since the last flush (one level)
    if constexpr (kLevels) if (n != n_mark) obs.on_instructions(*this, lvl, n - n_mark, cyc - c_mark);
    n_mark = n;
    c_mark = cyc;
  };
  auto target = [&](std::uint32_t t) { return std::uint64_t{base} + (t & M); };  // real address of virtual t
  auto pc_of = [&](const FastEntry* x) { return static_cast<std::uint32_t>(x - E0) - base; };
  static const void* const labels[kHandlers] = {
      &&decode, &&leave, &&leave, &&nop, &&constant, &&load, &&store, &&jal,
#define PGSIM_X(OP) &&rr_##OP,
      PGSIM_FAST_ALU_OPS(PGSIM_X)
#undef PGSIM_X
#define PGSIM_X(OP) &&ri_##OP,
      PGSIM_FAST_ALU_OPS(PGSIM_X)
#undef PGSIM_X
#define PGSIM_X(OP) &&rm_##OP,
      PGSIM_FAST_ALU_OPS(PGSIM_X)
#undef PGSIM_X
#define PGSIM_X(OP) &&br_##OP,
      PGSIM_FAST_ALU_OPS(PGSIM_X)
#undef PGSIM_X
  };
#define PGSIM_NEXT(STEP)   \
  {                        \
    cyc += e->cycles;      \
    ++n;                   \
    e += (STEP);           \
    goto next;             \
  }

  // ---- the dispatch loop: one comparison, the level (counting observers only), the handler
next:
  if (cyc >= deadline) goto leave;
dispatch:
  if constexpr (kLevels) if (e->level != lvl) { flush(); lvl = e->level; }
  goto *labels[e->handler];

decode: {
  const std::uint32_t real = static_cast<std::uint32_t>(e - E0), w = mem[real];
  *e = predecode(m_->decode(w), w, zero_, M, level_of(real));
  goto dispatch;
}
nop:
  PGSIM_NEXT(1)
constant:
  R[e->d] = e->imm;
  PGSIM_NEXT(1)
load: {
  const std::uint64_t ra = target(R[e->a] + e->imm);
  if (ra >= hi) goto leave;  // a MEMORY trap: the reference step takes it
  R[e->d] = mem[ra];
  PGSIM_NEXT(1)
}
store: {
  const std::uint64_t ra = target(R[e->a] + e->imm);
  if (ra >= hi) goto leave;
  mem[ra] = R[e->b];
  E0[ra].handler = kDecode;  // self-modifying code: decode that word again
  PGSIM_NEXT(1)
}
jal: {
  const std::uint64_t rt = target(R[e->a] + e->imm);  // read before R[d] is written
  if (rt >= hi) goto leave;  // the fetch there faults: both steps are the reference engine's
  R[e->d] = (pc_of(e) + 1) & M;
  PGSIM_NEXT(E0 + rt - e)
}
#define PGSIM_X(OP)                                                 \
  rr_##OP : R[e->d] = fast_alu<isa::Op::OP>(R[e->a], R[e->b], M, sxs); \
  PGSIM_NEXT(1)                                                     \
  ri_##OP : R[e->d] = fast_alu<isa::Op::OP>(R[e->a], e->imm, M, sxs);  \
  PGSIM_NEXT(1)                                                     \
  rm_##OP : R[e->d] = fast_alu<isa::Op::OP>(R[e->a], R[e->b] & e->imm, M, sxs); \
  PGSIM_NEXT(1)                                                     \
  br_##OP : if (!fast_alu<isa::Op::OP>(R[e->a], R[e->b], M, sxs)) PGSIM_NEXT(1) { \
    const std::uint64_t rt = target(pc_of(e) + 1 + e->imm);         \
    if (rt >= hi) goto leave;                                       \
    cyc += 1; /* taken */                                           \
    PGSIM_NEXT(E0 + rt - e)                                         \
  }
  PGSIM_FAST_ALU_OPS(PGSIM_X)
#undef PGSIM_X
#undef PGSIM_NEXT

leave:  // e is the instruction not run: write the hot state back
  flush();
  E0[hi] = closed;
  std::copy_n(R, nregs, regs_.begin());
  pc_ = pc_of(e);
  if (n) {
    const std::uint64_t spent = cyc - cycles_;
    if (timer_ != 0) {  // as count_down, one instruction at a time, would have
      if (spent >= timer_) timer_expired(0);
      else timer_ -= static_cast<std::uint32_t>(spent);
    }
    cycles_ = cyc;
    instructions_ += n;
    fast_instructions_ += n;
    consecutive_traps_ = 0;
  }
  return n;
}

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

}  // namespace pgsim::machine
