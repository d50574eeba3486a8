#pragma once
// Compiled semantics: a small stack bytecode that the machine executes for each instruction.
// Compiled once per ISA (isa/compile_semantics.cpp); never re-walked as a syntax tree.
#include <cstdint>
#include <vector>

#include "isa/word.hpp"

namespace pgsim::isa {

/// Bytecode operations. "pop"/"push" refer to the evaluation stack of words.
enum class Op : std::uint8_t {
  // -- values
  PushConst,     ///< push arg
  PushReg,       ///< push register number arg (a fixed register, by name)
  PushRegField,  ///< push R[field of the instruction word]; arg = shift | width << 8
  PushField,     ///< push a field's value; arg = shift | width << 8 | signed << 16
  PushPc,        ///< push P, the address of this instruction
  PushMode,      ///< push M (0 supervisor, 1 user)
  PushBase, PushBound,
  PushControl,   ///< push control register arg
  PushCycles,    ///< push the low word of the cycle counter before this instruction
  PushInsn,      ///< push the instruction word
  LoadVirtual,   ///< pop a; push E[base + a], MEMORY trap unless a < bound and base+a < |E|
  LoadReal,      ///< pop a; push E[a], MEMORY trap unless a < |E|
  ConsoleIn,     ///< push next console input word, or all ones when there is none
  PushLocal,     ///< push temporary arg (a `let`; Program::locals slots, each written before it is read)
  /// pop i; push R[i mod the number of registers] (`r[e]` with an index that is not a constant)
  PushRegIndex,
  PushTimer,     ///< push the running level's interval timer: cycles left before this instruction (0: off)
  PushClock,     ///< push the low word of the clock: the cycle counter before this instruction + the clock offset
  // -- the trap being delivered (only in a `trap { ... }` block: isa::TrapBlock)
  PushTrapCause, ///< push the trap's cause
  PushTrapInfo,  ///< push the trap's info
  PushTrapPc,    ///< push the saved P (`epc`): the faulting instruction, or the next one for trap_after and interrupts
  // -- arithmetic (binary: pop b, pop a, push a op b; all modulo the word)
  Add, Sub, Mul, DivS, RemS, DivU, RemU, And, Or, Xor, Shl, ShrU, ShrS,
  Eq, Ne, LtS, LeS, GtS, GeS, LtU, LeU, GtU, GeU,
  Neg, Not, LNot,  ///< unary
  Bool,          ///< top = (top != 0): the right operand of && and || as 0/1
  Sext,          ///< pop x; push x sign-extended from arg bits
  Zext,          ///< pop x; push x & (2^arg - 1)
  // -- effects
  StoreLocal,    ///< pop v; temporary arg = v (not machine state: no journal, no effect)
  StoreReg,      ///< pop v; R[arg] = v (writes to the zero register are ignored)
  StoreRegField, ///< pop v; R[field] = v; arg = shift | width << 8
  /// pop v, pop i; R[i mod the number of registers] = v (writes to the zero register are ignored)
  StoreRegIndex,
  /// pop v; the clock reads v at this instruction: clock offset = v - the cycle counter before it
  StoreClock,
  StorePc,       ///< pop v; the next P = v
  StoreMode, StoreBase, StoreBound,
  StoreControl,  ///< pop v; control register arg = v & its mask
  StoreVirtual,  ///< pop v, pop a; E[base + a] = v (MEMORY trap as LoadVirtual)
  StoreReal,     ///< pop v, pop a; E[a] = v
  AddCycles,     ///< pop n; this instruction costs n more cycles
  Trap,          ///< pop info, pop cause; fault: the instruction has no effect, P stays
  TrapAfter,     ///< pop info, pop cause; the instruction completes, then the trap (P = next)
  Halt,          ///< stop the machine after this instruction
  ConsoleOut,    ///< pop v; console output of the character v & 0xff
  SetTimer,      ///< pop v; timer = v cycles (0 = off), clears a pending timer interrupt
  LoadPsw,       ///< pop a; PSW = the words at virtual a.. (all checked first)
  StorePsw,      ///< pop a; the words at virtual a.. = the PSW with P = this instruction + 1
  /// pop a; VM entry: after this instruction completes, run the guest described by the state
  /// description at virtual a.. (all of its words checked first: MEMORY trap). See machine/
  /// interpretive.cpp and docs/pg1-assist.md.
  VmEntry,
  // -- control flow within the semantics
  JumpIfZero,    ///< pop c; if c == 0 jump to arg
  Jump,          ///< jump to arg
  /// `a && b` short-circuits as in C: [a] AndJump L [b] Bool L: — if the top (a) is 0, keep
  /// it (the result) and jump to arg; else pop it and go on to evaluate b.
  AndJump,
  /// `a || b`: [a] OrJump L [b] Bool L: — if the top (a) is not 0, replace it by 1 (the
  /// result) and jump to arg; else pop it and go on to evaluate b.
  OrJump,
  End,
};

/// Most temporaries (`let`) one instruction's semantics may declare, all blocks together: the
/// machine keeps them in a fixed array while it executes the instruction.
inline constexpr unsigned kMaxLocals = 64;
/// Most iterations of one `for` loop (its body is copied once per iteration when compiled).
inline constexpr unsigned kMaxLoopIterations = 64;
/// Most bytecode operations one instruction's semantics may compile to (unrolled loops included).
inline constexpr unsigned kMaxCodeLength = 8192;

/// One bytecode instruction.
struct Code {
  Op op;
  Word arg = 0;
};

/// Shapes of semantics common enough to deserve a dedicated path in the machine. Recognized
/// from the bytecode after compilation (isa/compile_semantics.cpp); the bytecode stays the
/// definition, the fast form only executes it with fewer dispatches.
enum class FastKind : std::uint8_t {
  None,      ///< run the bytecode
  RegReg,    ///< R[d] = R[a] op R[b]
  RegImm,    ///< R[d] = R[a] op field b
  Branch,    ///< if (R[a] cmp R[b]) { pc = pc + 1 + field c; cycles += 1; }
  Load,      ///< R[d] = mem[R[a] + field b]
  Store,     ///< mem[R[a] + field b] = R[d]
};
struct FastForm {
  FastKind kind = FastKind::None;
  Op op = Op::End;  ///< the binary operator / comparison
  Word d = 0, a = 0, b = 0, c = 0;  ///< field args (shift | width << 8 | signed << 16)
};

/// The compiled semantics of one instruction.
struct Program {
  FastForm fast;           ///< a dedicated path, when the code has one of the common shapes
  std::vector<Code> code;
  unsigned max_stack = 0;  ///< deepest evaluation stack the code can need
  unsigned locals = 0;     ///< temporaries (`let`) the code uses: slots 0 .. locals-1 (<= kMaxLocals)
  /// True when some path can trap after an effect: the machine then journals the
  /// instruction's effects and undoes them on a trap, so traps stay precise.
  bool needs_journal = false;
};

}  // namespace pgsim::isa
