#include "bench/yardstick.hpp"

namespace pgsim::bench {

namespace {
// PG-1's opcodes (examples/isa/pg1.isa), written in by hand: the yardstick knows its machine.
enum : std::uint8_t {
  ADD = 0x01, SUB, AND, OR, XOR, MUL,
  SHL = 0x09, SHR, SRA, SLT, SLTU,
  ADDI = 0x10, ANDI, ORI, XORI, LUI, LD, ST,
  BEQ = 0x18, BNE, BLT, BGE, JAL,
  NOP = 0x1f, HALT = 0x28,
};
}  // namespace

Yardstick::Yardstick(const std::vector<std::uint32_t>& image, std::uint32_t words)
    : E_(words, 0), code_(words, Decoded{0, 0, 0, 0, 0}), bound_(words) {
  for (std::size_t i = 0; i < image.size() && i < E_.size(); ++i) E_[i] = image[i];
}

bool Yardstick::run(std::uint64_t cycle_limit) {
  std::uint32_t* r = r_;
  std::uint32_t pc = pc_;
  const std::uint32_t bound = bound_;
  std::uint64_t cycles = cycles_, n = instructions_;
  bool halted = false;
  auto dst = [](std::uint32_t w) -> std::uint8_t { std::uint8_t d = (w >> 20) & 15; return d == 0 ? 8 : d; };
  while (cycles < cycle_limit) {
    if (pc >= bound) break;  // fetch: a MEMORY trap (not implemented)
    Decoded& d = code_[pc];
    if (d.op == 0) {  // predecode
      const std::uint32_t w = E_[pc];
      d.op = static_cast<std::uint8_t>(w >> 24);
      d.rd = dst(w);
      d.rs = (w >> 16) & 15;
      d.rt = (w >> 12) & 15;
      const bool zext = d.op == ANDI || d.op == ORI || d.op == XORI || d.op == LUI;
      d.imm = zext ? (w & 0xffffu) : static_cast<std::uint32_t>(static_cast<std::int16_t>(w & 0xffffu));
      if (d.op >= BEQ && d.op <= BGE) {  // format B: rs, rt in the first two register fields
        d.rs = (w >> 20) & 15;
        d.rt = (w >> 16) & 15;
      }
      const bool format_r = d.op < ADDI || d.op == NOP || d.op == HALT;
      if (d.rs > 7 || (format_r && d.rt > 7) || (d.rd > 7 && d.rd != 8)) { d.op = 0; break; }  // ILLEGAL
    }
    std::uint32_t next = pc + 1, cost = 1;
    switch (d.op) {
      case ADD: r[d.rd] = r[d.rs] + r[d.rt]; break;
      case SUB: r[d.rd] = r[d.rs] - r[d.rt]; break;
      case AND: r[d.rd] = r[d.rs] & r[d.rt]; break;
      case OR: r[d.rd] = r[d.rs] | r[d.rt]; break;
      case XOR: r[d.rd] = r[d.rs] ^ r[d.rt]; break;
      case MUL: r[d.rd] = r[d.rs] * r[d.rt]; cost = 3; break;
      case SHL: r[d.rd] = r[d.rs] << (r[d.rt] & 31); break;
      case SHR: r[d.rd] = r[d.rs] >> (r[d.rt] & 31); break;
      case SRA: r[d.rd] = static_cast<std::uint32_t>(static_cast<std::int32_t>(r[d.rs]) >> (r[d.rt] & 31)); break;
      case SLT: r[d.rd] = static_cast<std::int32_t>(r[d.rs]) < static_cast<std::int32_t>(r[d.rt]); break;
      case SLTU: r[d.rd] = r[d.rs] < r[d.rt]; break;
      case ADDI: r[d.rd] = r[d.rs] + d.imm; break;
      case ANDI: r[d.rd] = r[d.rs] & d.imm; break;
      case ORI: r[d.rd] = r[d.rs] | d.imm; break;
      case XORI: r[d.rd] = r[d.rs] ^ d.imm; break;
      case LUI: r[d.rd] = d.imm << 16; break;
      case LD: {
        const std::uint32_t a = r[d.rs] + d.imm;
        if (a >= bound) goto stop;
        r[d.rd] = E_[a];
        cost = 2;
        break;
      }
      case ST: {
        const std::uint32_t a = r[d.rs] + d.imm;
        if (a >= bound) goto stop;
        E_[a] = r[d.rd == 8 ? 0 : d.rd];
        code_[a].op = 0;  // invalidate
        cost = 2;
        break;
      }
      case BEQ: if (r[d.rs] == r[d.rt]) { next = pc + 1 + d.imm; cost = 2; } break;
      case BNE: if (r[d.rs] != r[d.rt]) { next = pc + 1 + d.imm; cost = 2; } break;
      case BLT: if (static_cast<std::int32_t>(r[d.rs]) < static_cast<std::int32_t>(r[d.rt])) { next = pc + 1 + d.imm; cost = 2; } break;
      case BGE: if (static_cast<std::int32_t>(r[d.rs]) >= static_cast<std::int32_t>(r[d.rt])) { next = pc + 1 + d.imm; cost = 2; } break;
      case JAL: next = r[d.rs] + d.imm; r[d.rd] = pc + 1; cost = 2; break;
      case NOP: break;
      case HALT: halted = true; ++n; ++cycles; ++pc; goto stop;
      default: goto stop;  // privileged or illegal: not implemented
    }
    ++n;
    cycles += cost;
    pc = next;
  }
stop:
  pc_ = pc;
  cycles_ = cycles;
  instructions_ = n;
  return halted;
}

}  // namespace pgsim::bench
