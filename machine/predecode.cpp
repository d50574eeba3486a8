#include "machine/predecode.hpp"

#include <cstddef>

namespace pgsim::machine {
namespace {

using isa::Op;

/// A field's value from its pre-resolved argument (shift | width << 8 | signed << 16), as the
/// reference engine reads it (machine.cpp).
isa::Word field_of(isa::Word w, isa::Word arg) {
  isa::Word v = (w >> (arg & 0x3fu)) & isa::low_bits(static_cast<unsigned>((arg >> 8) & 0x7fu));
  if (arg & 0x10000u) {
    isa::Word sign = isa::Word{1} << (((arg >> 8) & 0x7fu) - 1u);
    v = (v ^ sign) - sign;
  }
  return v;
}

/// The handler index of ALU operator `op` (its place in kFastAluOps), or -1.
int alu_index(Op op) {
  for (std::size_t i = 0; i < std::size(kFastAluOps); ++i)
    if (kFastAluOps[i] == op) return static_cast<int>(i);
  return -1;
}

/// The value of a two-constant operator, as the reference engine's bytecode computes it
/// (machine.cpp, execute_bytecode) for the operators of kFastAluOps.
isa::Word fold(Op op, isa::Word a, isa::Word b, isa::Word M) {
  const int sxs = 64 - __builtin_popcountll(M);
  auto sx = [sxs](isa::Word v) { return static_cast<isa::SWord>(v << sxs) >> sxs; };
  switch (op) {
    case Op::Add: return (a + b) & M;
    case Op::Sub: return (a - b) & M;
    case Op::Mul: return (a * b) & M;
    case Op::And: return a & b;
    case Op::Or: return a | b;
    case Op::Xor: return a ^ b;
    case Op::Shl: return b >= 64 ? 0u : (a << b) & M;
    case Op::ShrU: return b >= 64 ? 0u : a >> b;
    case Op::ShrS: return static_cast<isa::Word>(sx(a) >> (b >= 63 ? 63 : b)) & M;
    case Op::Eq: return a == b;
    case Op::Ne: return a != b;
    case Op::LtS: return sx(a) < sx(b);
    case Op::LeS: return sx(a) <= sx(b);
    case Op::GtS: return sx(a) > sx(b);
    case Op::GeS: return sx(a) >= sx(b);
    case Op::LtU: return a < b;
    case Op::LeU: return a <= b;
    case Op::GtU: return a > b;
    case Op::GeU: return a >= b;
    default: return 0;
  }
}

}  // namespace

FastEntry predecode(const isa::Instruction* ins, isa::Word w, int zero_register, isa::Word mask,
                    std::uint16_t level) {
  FastEntry e;
  e.level = level;
  e.handler = kSlow;
  if (!ins || ins->privileged) return e;  // ILLEGAL, or the PRIV check and bytecode of the reference step
  e.cycles = ins->cycles;
  const auto& c = ins->semantics.code;
  auto is = [&](std::size_t i, Op op) { return i < c.size() && c[i].op == op; };
  bool regs_ok = true;
  auto reg = [&](isa::Word arg) {
    isa::Word r = field_of(w, arg);
    if (r >= kSinkRegister) regs_ok = false;
    return static_cast<std::uint8_t>(r);
  };
  auto dest = [&](isa::Word arg) {
    std::uint8_t r = reg(arg);
    return static_cast<int>(r) == zero_register ? kSinkRegister : r;
  };
  const isa::FastForm& f = ins->semantics.fast;
  std::uint16_t h = kSlow;
  switch (f.kind) {
    case isa::FastKind::RegReg:
      if (int k = alu_index(f.op); k >= 0) {
        h = static_cast<std::uint16_t>(kRegReg + k);
        e.a = reg(f.a); e.b = reg(f.b); e.d = dest(f.d);
      }
      break;
    case isa::FastKind::RegImm:
      if (int k = alu_index(f.op); k >= 0) {
        h = static_cast<std::uint16_t>(kRegImm + k);
        e.a = reg(f.a); e.imm = field_of(w, f.b) & mask; e.d = dest(f.d);
      }
      break;
    case isa::FastKind::Branch:
      if (int k = alu_index(f.op); k >= 0) {
        h = static_cast<std::uint16_t>(kBranch + k);
        e.a = reg(f.a); e.b = reg(f.b); e.imm = field_of(w, f.c);
      }
      break;
    case isa::FastKind::Load:
      h = kLoad;
      e.a = reg(f.a); e.imm = field_of(w, f.b); e.d = dest(f.d);
      break;
    case isa::FastKind::Store:
      h = kStore;
      e.a = reg(f.a); e.imm = field_of(w, f.b); e.b = reg(f.d);
      break;
    case isa::FastKind::None:
      if (c.size() == 1 && is(0, Op::End)) {
        h = kNop;
      } else if (c.size() == 7 && is(0, Op::PushRegField) && is(1, Op::PushRegField) && is(2, Op::PushConst) &&
                 is(3, Op::And) && is(5, Op::StoreRegField) && is(6, Op::End)) {
        // R[d] = R[a] op (R[b] & k): PG-1's shifts by rt & 31.
        if (int k = alu_index(c[4].op); k >= 0) {
          h = static_cast<std::uint16_t>(kRegMasked + k);
          e.a = reg(c[0].arg); e.b = reg(c[1].arg); e.imm = c[2].arg; e.d = dest(c[5].arg);
        }
      } else if (c.size() == 5 && (is(0, Op::PushField) || is(0, Op::PushConst)) &&
                 (is(1, Op::PushField) || is(1, Op::PushConst)) && is(3, Op::StoreRegField) && is(4, Op::End)) {
        // An operator of two constants of the word (lui: imm << 16), folded now.
        if (alu_index(c[2].op) >= 0) {
          auto value = [&](const isa::Code& x) { return x.op == Op::PushField ? field_of(w, x.arg) & mask : x.arg; };
          h = kConst;
          e.imm = fold(c[2].op, value(c[0]), value(c[1]), mask) & mask;  // StoreRegField masks
          e.d = dest(c[3].arg);
        }
      } else if (c.size() == 9 && is(0, Op::PushRegField) && is(1, Op::PushField) && is(2, Op::Add) &&
                 is(3, Op::StorePc) && is(4, Op::PushPc) && is(5, Op::PushConst) && c[5].arg == 1 && is(6, Op::Add) &&
                 is(7, Op::StoreRegField) && is(8, Op::End)) {
        // jal: P = R[a] + imm (read first), then R[d] = P + 1.
        h = kJal;
        e.a = reg(c[0].arg); e.imm = field_of(w, c[1].arg); e.d = dest(c[7].arg);
      }
      break;
  }
  if (regs_ok) e.handler = h;
  return e;
}

}  // namespace pgsim::machine
