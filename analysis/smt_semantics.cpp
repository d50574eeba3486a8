#include "analysis/smt_semantics.hpp"

#include <fmt/format.h>

#include <map>

namespace pgsim::analysis {
namespace {

using isa::Op;

/// One path through the bytecode: its condition, evaluation stack and the machine state so far.
struct Path {
  z3::expr g;
  std::vector<z3::expr> stack;
  z3::expr mode, next_pc, base, bound, timer, halted, out_len, in_pos;
  std::vector<z3::expr> regs, controls, out;
  std::vector<SymWrite> writes;
  std::vector<z3::expr> locals;  ///< the instruction's temporaries (`let`)
};

class Executor {
 public:
  Executor(z3::context& ctx, const isa::IsaModel& isa, const isa::Instruction& ins, const SymState& s, const z3::expr& w)
      : c_(ctx), isa_(isa), ins_(ins), s_(s), w_(w), wb_(isa.word_bits), vw_(std::max(32u, isa.word_bits)) {}

  SymRun run() {
    const auto& code = ins_.semantics.code;
    for (const auto& k : code)
      if (k.op == Op::VmEntry)
        throw Unsupported("vmentry (a VM entry starts interpretive execution, which the prover does not model)");
      else if (k.op == Op::PushTimer)
        throw Unsupported("reading the timer (timer: a running timer is outside the proofs' state space)");
      else if (k.op == Op::StoreClock)
        throw Unsupported("setting the clock (clock = ...)");
    std::size_t outs = 0;
    for (const auto& k : code) outs += k.op == Op::ConsoleOut;
    Path p{c_.bool_val(true), {}, s_.mode, mask(s_.pc + 1), s_.base, s_.bound, bv(0), c_.bool_val(false), bv(0), bv(0),
           s_.regs, s_.controls, std::vector<z3::expr>(outs, bv(0)), {},
           std::vector<z3::expr>(ins_.semantics.locals, bv(0))};
    if (ins_.privileged) {  // the machine's check before any effect (step_impl): a less privileged level traps
      z3::expr below = z3::ugt(s_.mode, bv(ins_.max_level));
      traps_.push_back({below, bv(static_cast<isa::Word>(isa_.causes.privileged))});
      p.g = !below;
    }
    std::map<std::size_t, Path> incoming;
    std::optional<Path> cur = std::move(p);
    for (std::size_t ip = 0; ip < code.size(); ++ip) {
      if (auto it = incoming.find(ip); it != incoming.end()) {
        if (cur) merge(*cur, it->second);
        else cur = std::move(it->second);
        incoming.erase(it);
      }
      if (!cur) continue;
      step(code[ip], ip, cur, incoming);
    }
    if (cur || !incoming.empty()) throw Unsupported("the bytecode does not end with End on every path");
    return finish();
  }

 private:
  z3::context& c_;
  const isa::IsaModel& isa_;
  const isa::Instruction& ins_;
  const SymState& s_;
  z3::expr w_;
  unsigned wb_;
  unsigned vw_;  ///< bits of every bit vector: 32, or the word's bits when the word is wider
  std::uint64_t next_id_ = 0;
  struct TrapOut {
    z3::expr g, cause;
  };
  std::vector<TrapOut> traps_;
  std::vector<Path> done_;

  z3::expr bv(isa::Word v) { return c_.bv_val(v, vw_); }
  isa::Word M() const { return isa::low_bits(wb_); }
  z3::expr mask(const z3::expr& x) { return wb_ >= vw_ ? x : (x & bv(M())); }
  /// The value sign-extended from the word (the machine's sx()).
  z3::expr sx(const z3::expr& x) { return wb_ >= vw_ ? x : z3::sext(x.extract(wb_ - 1, 0), vw_ - wb_); }
  z3::expr b2v(const z3::expr& b) { return z3::ite(b, bv(1), bv(0)); }
  /// A word (a BV of vw_ bits) as stored in E: its low word_bits bits.
  z3::expr to_word(const z3::expr& x) { return wb_ >= vw_ ? x : x.extract(wb_ - 1, 0); }
  z3::expr from_word(const z3::expr& x) { return wb_ >= vw_ ? x : z3::zext(x, vw_ - wb_); }
  /// A field of the instruction word from its pre-resolved argument (machine.cpp field_of).
  z3::expr field(isa::Word arg) {
    unsigned shift = arg & 0x3fu, width = (arg >> 8) & 0x7fu;
    if (width == 0 || shift + width > vw_) throw Unsupported("a field outside the instruction word");
    z3::expr f = w_.extract(shift + width - 1, shift);
    if (width == vw_) return f;
    return (arg & 0x10000u) ? z3::sext(f, vw_ - width) : z3::zext(f, vw_ - width);
  }
  z3::expr reg_at(const Path& p, const z3::expr& idx) {
    z3::expr r = bv(0);  // a register number past the declared ones (excluded by the state space)
    for (std::size_t i = p.regs.size(); i-- > 0;) r = z3::ite(idx == bv(static_cast<isa::Word>(i)), p.regs[i], r);
    return r;
  }
  /// The word at virtual address a of a path whose access was checked (a < bound).
  z3::expr read_virtual(const Path& p, const z3::expr& a) {
    if (!z3::eq(p.base, s_.base) || !z3::eq(p.bound, s_.bound)) return read(p, p.base + a);
    z3::expr i = p.base + a;
    z3::expr r = s_.virtual_storage(a);
    for (const auto& wr : p.writes) r = z3::ite(wr.guard && wr.addr == i, wr.value, r);
    return from_word(r);
  }
  z3::expr read(const Path& p, const z3::expr& i) {
    z3::expr r = s_.storage(i);
    for (const auto& wr : p.writes) r = z3::ite(wr.guard && wr.addr == i, wr.value, r);
    return from_word(r);
  }
  void write(Path& p, const z3::expr& addr, const z3::expr& v) {
    p.writes.push_back({next_id_++, p.g, addr, to_word(v)});
  }
  z3::expr valid_virtual(const Path& p, const z3::expr& a) {
    return z3::ult(a, p.bound) && z3::ult(z3::zext(p.base, 1) + z3::zext(a, 1), z3::zext(s_.n, 1));
  }
  z3::expr mem_cause() { return bv(static_cast<isa::Word>(isa_.causes.memory)); }
  /// Ends the part of `p` where `bad` holds with a memory trap; `p` goes on where it does not.
  void fault_unless(Path& p, const z3::expr& ok) {
    traps_.push_back({p.g && !ok, mem_cause()});
    p.g = p.g && ok;
  }
  /// The virtual addresses a, a+1, .. of a PSW's words (loadpsw / storepsw), all checked before
  /// any is used, as the machine does: `p` memory-traps where one is invalid.
  std::vector<z3::expr> psw_area(Path& p, const z3::expr& a) {
    std::vector<z3::expr> addr;
    z3::expr ok = c_.bool_val(true);
    for (std::size_t i = 0; i < isa_.psw.size(); ++i) {
      addr.push_back(mask(a + bv(static_cast<isa::Word>(i))));
      ok = ok && valid_virtual(p, addr.back());
    }
    fault_unless(p, ok);
    return addr;
  }

  z3::expr pop(Path& p) {
    if (p.stack.empty()) throw Unsupported("the evaluation stack underflows");
    z3::expr v = p.stack.back();
    p.stack.pop_back();
    return v;
  }

  /// Joins `from` into `into` (a point that both reach): each component chooses by path.
  void merge(Path& into, const Path& from) {
    if (into.stack.size() != from.stack.size()) throw Unsupported("paths join with different stack depths");
    auto pick = [&](z3::expr& a, const z3::expr& b) {
      if (!z3::eq(a, b)) a = z3::ite(from.g, b, a);  // (the same term on both paths stays itself)
    };
    for (std::size_t i = 0; i < into.stack.size(); ++i) pick(into.stack[i], from.stack[i]);
    for (auto [a, b] : {std::pair{&into.mode, &from.mode}, {&into.next_pc, &from.next_pc}, {&into.base, &from.base},
                        {&into.bound, &from.bound}, {&into.timer, &from.timer}, {&into.halted, &from.halted},
                        {&into.out_len, &from.out_len}, {&into.in_pos, &from.in_pos}})
      pick(*a, *b);
    for (std::size_t i = 0; i < into.regs.size(); ++i) pick(into.regs[i], from.regs[i]);
    for (std::size_t i = 0; i < into.controls.size(); ++i) pick(into.controls[i], from.controls[i]);
    for (std::size_t i = 0; i < into.out.size(); ++i) pick(into.out[i], from.out[i]);
    for (std::size_t i = 0; i < into.locals.size(); ++i) pick(into.locals[i], from.locals[i]);
    // Writes: the common prefix, then each side's own (their guards are their exclusive paths).
    std::size_t k = 0;
    while (k < into.writes.size() && k < from.writes.size() && into.writes[k].id == from.writes[k].id) ++k;
    for (std::size_t i = k; i < from.writes.size(); ++i) into.writes.push_back(from.writes[i]);
    into.g = into.g || from.g;
  }
  void send(std::size_t target, std::size_t ip, Path p, std::map<std::size_t, Path>& incoming) {
    if (target <= ip || target >= ins_.semantics.code.size()) throw Unsupported("a jump backwards or out of the code");
    auto it = incoming.find(target);
    if (it == incoming.end()) incoming.emplace(target, std::move(p));
    else merge(it->second, p);
  }

  void step(const isa::Code& k, std::size_t ip, std::optional<Path>& cur, std::map<std::size_t, Path>& incoming) {
    Path& p = *cur;
    auto binary = [&](auto f) {
      z3::expr b = pop(p);
      z3::expr a = pop(p);
      p.stack.push_back(f(a, b));
    };
    auto unary = [&](auto f) {
      z3::expr a = pop(p);
      p.stack.push_back(f(a));
    };
    const z3::expr Mv = bv(M());
    switch (k.op) {
      case Op::PushConst: p.stack.push_back(bv(k.arg)); break;
      case Op::PushReg:
        if (k.arg >= p.regs.size()) throw Unsupported("a register number past the declared registers");
        p.stack.push_back(p.regs[k.arg]);
        break;
      case Op::PushRegField: p.stack.push_back(reg_at(p, field(k.arg))); break;
      case Op::PushField: p.stack.push_back(mask(field(k.arg))); break;
      case Op::PushPc: p.stack.push_back(s_.pc); break;
      case Op::PushMode: p.stack.push_back(p.mode); break;
      case Op::PushBase: p.stack.push_back(p.base); break;
      case Op::PushBound: p.stack.push_back(p.bound); break;
      case Op::PushControl:
        if (k.arg >= p.controls.size()) throw Unsupported("a control register number past the declared ones");
        p.stack.push_back(p.controls[k.arg]);
        break;
      case Op::PushCycles: p.stack.push_back(mask(s_.cycles)); break;
      // The clock is the cycle counter plus an offset (machine.hpp clock_offset()); over every
      // cycle count, offset 0 reaches every clock value, and a pair at two times differs in the
      // clock as in the cycles: the state space keeps the offset at 0. Setting it (StoreClock)
      // changes state the comparisons here do not hold: not covered.
      case Op::PushClock: p.stack.push_back(mask(s_.cycles)); break;
      // (PushTimer and StoreClock are refused before the run: see run().)
      case Op::StoreClock: case Op::PushTimer: throw Unsupported("reading the timer or setting the clock");
      case Op::PushRegIndex: {
        // r[i]: the register i mod the number of registers, as the machine reads it.
        z3::expr i = pop(p);
        p.stack.push_back(reg_at(p, z3::urem(i, bv(static_cast<isa::Word>(p.regs.size())))));
        break;
      }
      case Op::StoreRegIndex: {
        z3::expr v = pop(p);
        z3::expr r = z3::urem(pop(p), bv(static_cast<isa::Word>(p.regs.size())));
        for (std::size_t i = 0; i < p.regs.size(); ++i)
          if (static_cast<int>(i) != isa_.zero_register)
            p.regs[i] = z3::ite(r == bv(static_cast<isa::Word>(i)), mask(v), p.regs[i]);
        break;
      }
      case Op::PushInsn: p.stack.push_back(w_); break;
      case Op::PushLocal:
        if (k.arg >= p.locals.size()) throw Unsupported("a temporary past the instruction's own");
        p.stack.push_back(p.locals[k.arg]);
        break;
      case Op::StoreLocal:
        if (k.arg >= p.locals.size()) throw Unsupported("a temporary past the instruction's own");
        p.locals[k.arg] = pop(p);
        break;
      case Op::LoadVirtual: {
        z3::expr a = pop(p);
        fault_unless(p, valid_virtual(p, a));
        p.stack.push_back(read_virtual(p, a));
        break;
      }
      case Op::LoadReal: {
        z3::expr a = pop(p);
        fault_unless(p, z3::ult(a, s_.n));
        p.stack.push_back(read(p, a));
        break;
      }
      case Op::ConsoleIn: {
        z3::expr avail = z3::ult(p.in_pos, s_.in_size);
        z3::expr word = Mv;
        for (std::size_t i = s_.in_words.size(); i-- > 0;)
          word = z3::ite(p.in_pos == bv(static_cast<isa::Word>(i)), s_.in_words[i] & Mv, word);
        p.stack.push_back(z3::ite(avail, word, Mv));
        p.in_pos = z3::ite(avail, p.in_pos + 1, p.in_pos);
        break;
      }
      case Op::Add: binary([&](auto a, auto b) { return mask(a + b); }); break;
      case Op::Sub: binary([&](auto a, auto b) { return mask(a - b); }); break;
      case Op::Mul: binary([&](auto a, auto b) { return mask(a * b); }); break;
      case Op::And: binary([&](auto a, auto b) { return a & b; }); break;
      case Op::Or: binary([&](auto a, auto b) { return a | b; }); break;
      case Op::Xor: binary([&](auto a, auto b) { return a ^ b; }); break;
      // Shifts by vw_ (32, or the wider word's bits) or more give 0 in both the machine (after
      // its mask) and SMT-LIB; the arithmetic shift by >= vw_ gives the sign, as the machine's
      // shift by 63 of the sign-extended value does.
      case Op::Shl: binary([&](auto a, auto b) { return mask(z3::shl(a, b)); }); break;
      case Op::ShrU: binary([&](auto a, auto b) { return z3::lshr(a, b); }); break;
      case Op::ShrS: binary([&](auto a, auto b) { return mask(z3::ashr(sx(a), b)); }); break;
      case Op::Eq: binary([&](auto a, auto b) { return b2v(a == b); }); break;
      case Op::Ne: binary([&](auto a, auto b) { return b2v(a != b); }); break;
      case Op::LtS: binary([&](auto a, auto b) { return b2v(sx(a) < sx(b)); }); break;
      case Op::LeS: binary([&](auto a, auto b) { return b2v(sx(a) <= sx(b)); }); break;
      case Op::GtS: binary([&](auto a, auto b) { return b2v(sx(a) > sx(b)); }); break;
      case Op::GeS: binary([&](auto a, auto b) { return b2v(sx(a) >= sx(b)); }); break;
      case Op::LtU: binary([&](auto a, auto b) { return b2v(z3::ult(a, b)); }); break;
      case Op::LeU: binary([&](auto a, auto b) { return b2v(z3::ule(a, b)); }); break;
      case Op::GtU: binary([&](auto a, auto b) { return b2v(z3::ugt(a, b)); }); break;
      case Op::GeU: binary([&](auto a, auto b) { return b2v(z3::uge(a, b)); }); break;
      case Op::DivU: binary([&](auto a, auto b) { return z3::ite(b == bv(0), Mv, z3::udiv(a, b)); }); break;
      case Op::RemU: binary([&](auto a, auto b) { return z3::ite(b == bv(0), a, z3::urem(a, b)); }); break;
      case Op::DivS:
        binary([&](auto a, auto b) { return z3::ite(sx(b) == bv(0), Mv, mask(sx(a) / sx(b))); });
        break;
      case Op::RemS:
        binary([&](auto a, auto b) { return z3::ite(sx(b) == bv(0), mask(a), mask(z3::srem(sx(a), sx(b)))); });
        break;
      case Op::Neg: unary([&](auto a) { return mask(bv(0) - a); }); break;
      case Op::Not: unary([&](auto a) { return mask(~a); }); break;
      case Op::LNot: unary([&](auto a) { return b2v(a == bv(0)); }); break;
      case Op::Bool: unary([&](auto a) { return b2v(a != bv(0)); }); break;
      case Op::Sext: {
        unsigned bits = k.arg;
        if (bits < 1 || bits > vw_) throw Unsupported(fmt::format("sext of a width outside 1..{}", vw_));
        unary([&](auto a) { return bits == vw_ ? mask(a) : mask(z3::sext(a.extract(bits - 1, 0), vw_ - bits)); });
        break;
      }
      case Op::Zext: unary([&](auto a) { return a & bv(isa::low_bits(k.arg)); }); break;
      case Op::StoreReg: {
        z3::expr v = pop(p);
        if (static_cast<int>(k.arg) != isa_.zero_register) {
          if (k.arg >= p.regs.size()) throw Unsupported("a register number past the declared registers");
          p.regs[k.arg] = mask(v);
        }
        break;
      }
      case Op::StoreRegField: {
        z3::expr v = pop(p);
        z3::expr r = field(k.arg);
        for (std::size_t i = 0; i < p.regs.size(); ++i)
          if (static_cast<int>(i) != isa_.zero_register)
            p.regs[i] = z3::ite(r == bv(static_cast<isa::Word>(i)), mask(v), p.regs[i]);
        break;
      }
      case Op::StorePc: p.next_pc = mask(pop(p)); break;
      case Op::StoreMode: p.mode = pop(p) & bv(isa_.mode_mask()); break;
      case Op::StoreBase: p.base = mask(pop(p)); break;
      case Op::StoreBound: p.bound = mask(pop(p)); break;
      case Op::StoreControl:
        if (k.arg >= p.controls.size()) throw Unsupported("a control register number past the declared ones");
        p.controls[k.arg] = pop(p) & bv(isa_.controls[k.arg].mask());
        break;
      case Op::StoreVirtual: {
        z3::expr v = pop(p);
        z3::expr a = pop(p);
        fault_unless(p, valid_virtual(p, a));
        write(p, p.base + a, v);
        break;
      }
      case Op::StoreReal: {
        z3::expr v = pop(p);
        z3::expr a = pop(p);
        fault_unless(p, z3::ult(a, s_.n));
        write(p, a, v);
        break;
      }
      case Op::AddCycles: pop(p); break;  // time: not part of the state the definitions compare
      case Op::Trap: {
        pop(p);  // info
        z3::expr cause = pop(p);
        traps_.push_back({p.g, cause});
        cur.reset();
        break;
      }
      case Op::TrapAfter: {  // completes, then traps: for the definitions, a run that traps
        pop(p);
        z3::expr cause = pop(p);
        traps_.push_back({p.g, cause});
        cur.reset();
        break;
      }
      case Op::Halt: p.halted = c_.bool_val(true); break;
      case Op::ConsoleOut: {
        z3::expr ch = pop(p) & bv(0xffu);
        for (std::size_t i = 0; i < p.out.size(); ++i)
          p.out[i] = z3::ite(p.out_len == bv(static_cast<isa::Word>(i)), ch, p.out[i]);
        p.out_len = p.out_len + 1;
        break;
      }
      case Op::SetTimer: p.timer = mask(pop(p)); break;
      case Op::LoadPsw: {
        z3::expr a = pop(p);
        const std::size_t n = isa_.psw.size();
        const std::vector<z3::expr> addr = psw_area(p, a);
        std::vector<z3::expr> words;
        for (std::size_t i = 0; i < n; ++i) words.push_back(read_virtual(p, addr[i]));
        for (std::size_t i = 0; i < n; ++i) {
          const auto& pw = isa_.psw[i];
          const z3::expr& v = words[i];
          switch (pw.slot) {
            case isa::PswSlot::Mode: p.mode = v & bv(isa_.mode_mask()); break;
            case isa::PswSlot::Pc: p.next_pc = v; break;
            case isa::PswSlot::Base: p.base = v; break;
            case isa::PswSlot::Bound: p.bound = v; break;
            case isa::PswSlot::Control:
              p.controls[static_cast<std::size_t>(pw.control)] =
                  v & bv(isa_.controls[static_cast<std::size_t>(pw.control)].mask());
              break;
          }
        }
        break;
      }
      case Op::StorePsw: {
        z3::expr a = pop(p);
        const std::size_t n = isa_.psw.size();
        const std::vector<z3::expr> addr = psw_area(p, a);
        z3::expr b = p.base;
        for (std::size_t i = 0; i < n; ++i) {
          const auto& pw = isa_.psw[i];
          z3::expr v = bv(0);
          switch (pw.slot) {
            case isa::PswSlot::Mode: v = p.mode; break;
            case isa::PswSlot::Pc: v = mask(s_.pc + 1); break;
            case isa::PswSlot::Base: v = p.base; break;
            case isa::PswSlot::Bound: v = p.bound; break;
            case isa::PswSlot::Control: v = p.controls[static_cast<std::size_t>(pw.control)]; break;
          }
          write(p, b + addr[i], v);
        }
        break;
      }
      case Op::VmEntry: throw Unsupported("vmentry");
      case Op::JumpIfZero: {
        z3::expr v = pop(p);
        Path taken = p;
        taken.g = p.g && v == bv(0);
        p.g = p.g && v != bv(0);
        send(k.arg, ip, std::move(taken), incoming);
        break;
      }
      case Op::Jump:
        send(k.arg, ip, std::move(p), incoming);
        cur.reset();
        break;
      case Op::AndJump: {
        if (p.stack.empty()) throw Unsupported("the evaluation stack underflows");
        z3::expr top = p.stack.back();
        Path taken = p;
        taken.g = p.g && top == bv(0);
        p.g = p.g && top != bv(0);
        p.stack.pop_back();
        send(k.arg, ip, std::move(taken), incoming);
        break;
      }
      case Op::OrJump: {
        if (p.stack.empty()) throw Unsupported("the evaluation stack underflows");
        z3::expr top = p.stack.back();
        Path taken = p;
        taken.g = p.g && top != bv(0);
        taken.stack.back() = bv(1);
        p.g = p.g && top == bv(0);
        p.stack.pop_back();
        send(k.arg, ip, std::move(taken), incoming);
        break;
      }
      case Op::End:
        done_.push_back(std::move(p));
        cur.reset();
        break;
      default: throw Unsupported(fmt::format("bytecode operation {}", static_cast<int>(k.op)));
    }
  }

  SymRun finish() {
    z3::expr trapped = c_.bool_val(false);
    z3::expr cause = bv(0);
    for (auto it = traps_.rbegin(); it != traps_.rend(); ++it) {
      trapped = trapped || it->g;
      cause = z3::ite(it->g, it->cause, cause);
    }
    std::optional<Path> end;
    for (auto& d : done_) {
      if (end) merge(*end, d);
      else end = std::move(d);
    }
    if (!end)  // no path completes: every run traps
      end = Path{c_.bool_val(false), {}, s_.mode, s_.pc, s_.base, s_.bound, bv(0), c_.bool_val(false), bv(0), bv(0),
                 s_.regs, s_.controls, {}, {}, {}};
    SymRun r{trapped, cause, end->halted, end->mode, end->next_pc, end->base, end->bound, end->timer,
             end->regs, end->controls, end->out_len, end->out, end->in_pos, s_.storage,
             s_.virtual_storage, s_.base, end->writes};
    return r;
  }
};

}  // namespace

z3::expr SymRun::read_virtual(const z3::expr& a) const {
  z3::expr i = initial_base + a;
  z3::expr r = initial_virtual(a);
  for (const auto& wr : writes) r = z3::ite(wr.guard && wr.addr == i, wr.value, r);
  return r;
}

z3::expr SymRun::read(const z3::expr& i) const {
  z3::expr r = initial(i);
  for (const auto& wr : writes) r = z3::ite(wr.guard && wr.addr == i, wr.value, r);
  return r;
}

SymRun execute(z3::context& ctx, const isa::IsaModel& isa, const isa::Instruction& ins, const SymState& s,
               const z3::expr& w) {
  return Executor(ctx, isa, ins, s, w).run();
}

unsigned console_reads(const isa::Instruction& ins) {
  unsigned n = 0;
  for (const auto& k : ins.semantics.code) n += k.op == Op::ConsoleIn;
  return n;
}

}  // namespace pgsim::analysis
