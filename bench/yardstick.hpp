#pragma once
// The yardstick of issue 13: a hand-written PG-1 interpreter, a switch over PG-1's opcodes with a
// predecode cache, as a programmer would write one for this one machine (no ISA file, no
// bytecode). It runs user programs of innocuous instructions on a bare PG-1 (supervisor mode,
// base 0, bound |E|) with PG-1's cycle costs, a cycle budget checked at every instruction,
// relocation checks on every fetch, load and store, and a predecoded entry invalidated on every
// store. Anything else (privileged instructions, traps) stops it: it exists to be timed beside
// pgsim on the benchmark's compute loop, not to run operating systems.
#include <cstdint>
#include <vector>

namespace pgsim::bench {

/// A bare PG-1 with a predecode cache, for timing only.
class Yardstick {
 public:
  /// A machine of `words` words of storage holding `image` from address 0, reset (P = 16).
  Yardstick(const std::vector<std::uint32_t>& image, std::uint32_t words);
  /// Runs until halt, a cycle budget of `cycle_limit`, or an instruction it does not implement.
  /// Returns true when it stopped at a halt.
  bool run(std::uint64_t cycle_limit);
  std::uint64_t cycles() const { return cycles_; }
  std::uint64_t instructions() const { return instructions_; }
  std::uint32_t reg(int i) const { return r_[i]; }

 private:
  struct Decoded {
    std::uint8_t op;  ///< PG-1 opcode; 0: not decoded yet
    std::uint8_t rd, rs, rt;
    std::uint32_t imm;  ///< sign- or zero-extended as the opcode wants
  };
  std::vector<std::uint32_t> E_;
  std::vector<Decoded> code_;
  std::uint32_t r_[9] = {};  ///< r0..r7 and a sink for writes to r0
  std::uint32_t pc_ = 16, bound_;
  std::uint64_t cycles_ = 0, instructions_ = 0;
};

}  // namespace pgsim::bench
