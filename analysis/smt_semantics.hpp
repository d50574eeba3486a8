#pragma once
// The compiled semantics of one instruction (isa/bytecode.hpp) as bit-vector formulas (Z3): a
// symbolic execution of the bytecode over a symbolic machine state, with storage E as an array
// from real word addresses to words. It follows machine/machine.cpp (execute_bytecode) operation
// by operation: every value is a bit vector of 32 bits (or of the word's bits when the word is
// wider) computed exactly as the machine's masked isa::Word
// arithmetic computes it (masks to the word, sign extension from the word for the signed
// operators), so that a model of a formula is a state that the machine really executes.
// Used by the prover (analysis/prover.hpp); P&G 1974, section 3 (the state <E, M, P, R>).
#include <z3++.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/model.hpp"

namespace pgsim::analysis {

/// Thrown by execute() for bytecode the formulas do not cover (VM entry: interpretive
/// execution); what() names the operation, in words.
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A symbolic machine state before one instruction: the machine's own state in the space the
/// prover covers (no interpretive execution, the timer off with no interrupt pending, no console
/// output yet). All bit vectors are max(32, word bits) wide (32 as before for words of up to 32
/// bits; the machine keeps isa::Word values masked), holding values of the
/// declared widths.
struct SymState {
  z3::expr n;     ///< |E|, words of storage
  /// E before the instruction: the word at real address i (a 32-bit vector) as a word_bits vector.
  std::function<z3::expr(const z3::expr&)> storage;
  /// E before the instruction at virtual address a (BV32), for a < bound: storage(base + a),
  /// given directly so that a relocated state's region reads need no address arithmetic.
  std::function<z3::expr(const z3::expr&)> virtual_storage;
  z3::expr mode, pc, base, bound;  ///< M (0 supervisor, 1 user), P, R = (base, bound)
  std::vector<z3::expr> regs;      ///< one per declared register
  std::vector<z3::expr> controls;  ///< one per declared control register
  z3::expr cycles;                 ///< the low 32 bits of the cycle counter
  z3::expr in_size;                ///< console input words available (0 .. in_words.size())
  std::vector<z3::expr> in_words;  ///< the console input words, in order
};

/// One storage write of a symbolic run: E[addr] = value when `guard` (its path condition) holds.
struct SymWrite {
  std::uint64_t id;
  z3::expr guard, addr, value;  ///< Bool, BV32 real address, BV(word_bits)
};

/// The outcome of executing one instruction from a SymState. When `trapped` is false the
/// instruction completed and the other fields are the state after it (P = `pc`, the next P).
struct SymRun {
  z3::expr trapped;   ///< Bool: a trap sequence ran (a fault, trap_after, a privileged trap)
  z3::expr cause;     ///< BV32: its cause, when trapped
  z3::expr halted;    ///< Bool: a halt completed
  z3::expr mode, pc, base, bound, timer;  ///< BV32 after the instruction
  std::vector<z3::expr> regs, controls;   ///< BV32 after the instruction
  z3::expr out_len;                       ///< BV32: console characters written
  std::vector<z3::expr> out;              ///< BV32 character i (valid below out_len)
  z3::expr in_pos;                        ///< BV32: console input words consumed
  std::function<z3::expr(const z3::expr&)> initial;  ///< E before (the SymState's storage)
  std::function<z3::expr(const z3::expr&)> initial_virtual;  ///< the SymState's virtual_storage
  z3::expr initial_base;                                     ///< the SymState's base
  std::vector<SymWrite> writes;                      ///< the instruction's stores, in order
  /// E after the instruction at real address `i` (BV32), as a BV(word_bits).
  z3::expr read(const z3::expr& i) const;
  /// E after the instruction at real address initial_base + a, for a below the initial bound.
  z3::expr read_virtual(const z3::expr& a) const;
};

/// Executes the compiled semantics of `ins` (of `isa`), instruction word `w` (BV32), from `s`:
/// first the machine's privileged check (a privileged instruction in user mode traps with the
/// ISA's privileged cause before any effect), then the bytecode. The fetch itself (P inside R,
/// the word at P) is the caller's constraint. Throws Unsupported for vmentry.
SymRun execute(z3::context& ctx, const isa::IsaModel& isa, const isa::Instruction& ins, const SymState& s,
               const z3::expr& w);

/// How many console input words the semantics of `ins` can read at most (ConsoleIn operations).
unsigned console_reads(const isa::Instruction& ins);

}  // namespace pgsim::analysis
