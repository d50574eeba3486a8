#include "machine/machine.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <tuple>

#include "machine/run_loop.hpp"

namespace pgsim::machine {

const char* to_string(StopReason r) {
  switch (r) {
    case StopReason::None: return "running";
    case StopReason::Halted: return "halted";
    case StopReason::CycleBudget: return "cycle budget exhausted";
    case StopReason::TrapStorm: return "trap storm";
    case StopReason::StepLimit: return "step limit reached";
    case StopReason::Shutdown: return "triple fault: the machine stopped";
  }
  return "?";
}

const char* to_string(Engine e) { return e == Engine::Reference ? "reference" : "fast"; }

std::optional<Engine> engine_from_string(const std::string& name) {
  if (name == "reference") return Engine::Reference;
  if (name == "fast") return Engine::Fast;
  return std::nullopt;
}

namespace {
Engine& default_engine_ref() {
  static Engine e = [] {
    const char* v = std::getenv("PGSIM_ENGINE");
    return v && std::string(v) == "reference" ? Engine::Reference : Engine::Fast;
  }();
  return e;
}
}  // namespace

Engine default_engine() { return default_engine_ref(); }
void set_default_engine(Engine e) { default_engine_ref() = e; }

Machine::Machine(std::shared_ptr<const isa::IsaModel> isa, isa::Word memory_words)
    : isa_(std::move(isa)), m_(isa_.get()) {
  isa::Word n = memory_words ? memory_words : m_->memory_words;
  if (n < 32 || n > (1u << 26)) throw std::invalid_argument("memory must be 32 to 67108864 words");
  E_.assign(n, 0);
  mask_ = m_->word_mask();
  mode_mask_ = m_->mode_mask();
  sxshift_ = 64 - static_cast<int>(m_->word_bits);
  zero_ = m_->zero_register;
  timer_enable_ = m_->timer_enable;
  if (m_->trap_block.present) trap_ins_.semantics = m_->trap_block.code;
  reset();
}

void Machine::reset() {
  regs_.fill(0);
  controls_.assign(m_->controls.size(), 0);
  for (std::size_t i = 0; i < controls_.size(); ++i) controls_[i] = m_->controls[i].reset;
  mode_ = Supervisor;
  pc_ = m_->reset_pc & mask_;
  base_ = 0;
  bound_ = static_cast<isa::Word>(E_.size()) & mask_;
  timer_ = 0;
  timer_pending_ = false;
  clock_offset_ = 0;
  halted_ = false;
  stop_ = StopReason::None;
  stop_detail_.clear();
  cycles_ = instructions_ = traps_ = 0;
  fast_instructions_ = 0;
  fast_runs_ = 0;
  consecutive_traps_ = 0;
  out_.clear();
  in_pos_ = 0;
  sie_.clear();
  sie_depth_ = 0;
  vbase_ = vbound_ = intercepts_ = vtimer_ = tsync_ = 0;
  outer_due_ = false;
  exits_ = entries_ = 0;
  sie_events_.clear();
}

void Machine::set_reg(int i, isa::Word v) {
  if (i < 0 || i >= static_cast<int>(m_->registers.size()) || i == zero_) return;
  regs_[static_cast<std::size_t>(i)] = v & mask_;
}

void Machine::set_control(int i, isa::Word v) {
  controls_[static_cast<std::size_t>(i)] = v & m_->controls[static_cast<std::size_t>(i)].mask();
}

void Machine::timer_expired(isa::Word cycles) {
  if (sie_depth_) {
    sync_timers(cycles);
    return;
  }
  timer_ = 0;
  timer_pending_ = true;
}

void Machine::set_timer(isa::Word cycles) {
  if (sie_depth_) {
    sync_timers(0);
    vtimer_ = cycles & mask_;
    timer_pending_ = false;
    recompute_timers();
    return;
  }
  timer_ = cycles;
  timer_pending_ = false;
}

std::vector<isa::Word> Machine::psw() const {
  std::vector<isa::Word> out;
  for (const auto& w : m_->psw) {
    switch (w.slot) {
      case isa::PswSlot::Mode: out.push_back(mode_); break;
      case isa::PswSlot::Pc: out.push_back(pc_); break;
      case isa::PswSlot::Base: out.push_back(base_); break;
      case isa::PswSlot::Bound: out.push_back(bound_); break;
      case isa::PswSlot::Control: out.push_back(controls_[static_cast<std::size_t>(w.control)]); break;
    }
  }
  return out;
}

void Machine::load(isa::Word at, const std::vector<isa::Word>& words) {
  if (static_cast<std::uint64_t>(at) + words.size() > E_.size())
    throw std::out_of_range("the image does not fit in storage");
  for (std::size_t i = 0; i < words.size(); ++i) E_[at + i] = words[i] & mask_;
  cache_.invalidate_all();
}

Machine::Snapshot Machine::snapshot() const {
  Snapshot s;
  snapshot_into(s);
  return s;
}

void Machine::snapshot_into(Snapshot& s) const {
  s.E = E_;
  s.regs = regs_;
  s.controls = controls_;
  s.mode = mode_; s.pc = pc_; s.base = base_; s.bound = bound_; s.timer = timer_;
  s.timer_pending = timer_pending_; s.clock_offset = clock_offset_; s.halted = halted_; s.stop = stop_; s.stop_detail = stop_detail_;
  s.cycles = cycles_; s.instructions = instructions_; s.traps = traps_;
  s.consecutive_traps = consecutive_traps_;
  s.sie = sie_; s.vbase = vbase_; s.vbound = vbound_; s.intercepts = intercepts_; s.vtimer = vtimer_;
  s.tsync = tsync_; s.outer_due = outer_due_; s.exits = exits_; s.entries = entries_;
  s.out = out_; s.in = in_; s.in_pos = in_pos_;
}

void Machine::restore(const Snapshot& s) {
  E_ = s.E;
  regs_ = s.regs;
  controls_ = s.controls;
  mode_ = s.mode; pc_ = s.pc; base_ = s.base; bound_ = s.bound; timer_ = s.timer;
  timer_pending_ = s.timer_pending; clock_offset_ = s.clock_offset; halted_ = s.halted; stop_ = s.stop; stop_detail_ = s.stop_detail;
  cycles_ = s.cycles; instructions_ = s.instructions; traps_ = s.traps;
  consecutive_traps_ = s.consecutive_traps;
  sie_ = s.sie; sie_depth_ = static_cast<unsigned>(s.sie.size()); vbase_ = s.vbase; vbound_ = s.vbound;
  intercepts_ = s.intercepts; vtimer_ = s.vtimer; tsync_ = s.tsync; outer_due_ = s.outer_due;
  exits_ = s.exits; entries_ = s.entries;
  out_ = s.out; in_ = s.in; in_pos_ = s.in_pos;
  cache_.invalidate_all();
}

void Machine::trap_sequence(isa::Word cause, isa::Word info, isa::Word saved_pc) {
  // DESIGN.md "Trap sequence": store old PSW, cause, info in low storage (real addresses),
  // then load the new PSW from low storage. Addresses past the end of E are skipped.
  if (sie_depth_) {
    // A guest's trap: into its own low storage (docs/pg1-assist.md).
    trap_sequence_interpretive(cause, info, saved_pc);
    return;
  }
  if (m_->trap_block.present) {
    trap_block_sequence(cause, info, saved_pc);
    return;
  }
  const std::size_t n = E_.size();
  auto put = [&](std::uint64_t a, isa::Word v) {
    if (a >= n) return;
    E_[a] = v & mask_;
    cache_.invalidate(a);
    if (store_log_) store_log_->push_back(static_cast<isa::Word>(a));
  };
  auto get = [&](std::uint64_t a) -> isa::Word { return a < n ? E_[a] : 0; };
  std::uint64_t a = m_->trap_old_psw;
  for (const auto& w : m_->psw) {
    switch (w.slot) {
      case isa::PswSlot::Mode: put(a, mode_); break;
      case isa::PswSlot::Pc: put(a, saved_pc); break;
      case isa::PswSlot::Base: put(a, base_); break;
      case isa::PswSlot::Bound: put(a, bound_); break;
      case isa::PswSlot::Control: put(a, controls_[static_cast<std::size_t>(w.control)]); break;
    }
    ++a;
  }
  put(m_->trap_cause, cause);
  put(m_->trap_info, info);
  a = m_->trap_new_psw;
  for (const auto& w : m_->psw) {
    isa::Word v = get(a++);
    switch (w.slot) {
      case isa::PswSlot::Mode: mode_ = v & mode_mask_; break;
      case isa::PswSlot::Pc: pc_ = v; break;
      case isa::PswSlot::Base: base_ = v; break;
      case isa::PswSlot::Bound: bound_ = v; break;
      case isa::PswSlot::Control: set_control(w.control, v); break;
    }
  }
  cycles_ += m_->trap_cycles;
  ++traps_;
  ++consecutive_traps_;
  count_down(m_->trap_cycles);
}

void Machine::trap_block_sequence(isa::Word cause, isa::Word info, isa::Word saved_pc) {
  // docs/isa-language.md "Trap delivery": the block runs with the trap's cause, info and saved
  // P; each attempt costs the trap's cycles. A fault inside it undoes what it did (the journal)
  // and is delivered once through the block (a double fault); a fault while delivering that
  // stops the machine (a triple fault), halted with StopReason::Shutdown.
  auto attempt = [&](isa::Word c, isa::Word i) {
    trap_cause_ = c;
    trap_info_ = i & mask_;
    trap_pc_ = saved_pc;
    next_pc_ = saved_pc;  // a block that assigns no pc resumes at the saved P
    extra_cycles_ = 0;
    timer_written_ = 0;
    Exec r = execute_bytecode(trap_ins_, 0);
    cycles_ += m_->trap_cycles;
    count_down(m_->trap_cycles);
    return r;
  };
  ++traps_;
  ++consecutive_traps_;
  if (attempt(cause, info) != Exec::Fault) {
    pc_ = next_pc_;
    return;
  }
  const isa::Word c2 = fault_cause_, i2 = fault_info_;
  if (attempt(c2, i2) != Exec::Fault) {
    pc_ = next_pc_;
    return;
  }
  auto what = [&](isa::Word c, isa::Word i) {
    return m_->cause_name(c) + " (info " + std::to_string(i & mask_) + ")";
  };
  stop_detail_ = "triple fault: delivering " + what(cause, info) + " faulted with " + what(c2, i2) +
                 ", and delivering that faulted with " + what(fault_cause_, fault_info_) + ": the machine stopped";
  halted_ = true;
  stop_ = StopReason::Shutdown;
}

namespace {
/// A field's value from its pre-resolved argument (shift | width << 8 | signed << 16). The
/// loader guarantees 1 <= width and shift + width <= the word's bits <= 64; isa::low_bits
/// never shifts by the operand's width.
inline isa::Word field_of(isa::Word w, isa::Word arg) {
  isa::Word v = (w >> (arg & 0x3fu)) & isa::low_bits(static_cast<unsigned>((arg >> 8) & 0x7fu));
  if (arg & 0x10000u) {
    isa::Word sign = isa::Word{1} << (((arg >> 8) & 0x7fu) - 1u);
    v = (v ^ sign) - sign;
  }
  return v;
}
}  // namespace

inline isa::Word Machine::alu(isa::Op op, isa::Word a, isa::Word b) const {
  using isa::Op;
  const isa::Word M = mask_;
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

Machine::Exec Machine::execute(const isa::Instruction& ins, isa::Word w) {
  using isa::FastKind;
  const isa::FastForm& f = ins.semantics.fast;
  const isa::Word p = pc_;
  extra_cycles_ = 0;
  timer_written_ = 0;
  next_pc_ = (p + 1) & mask_;
  auto set = [&](isa::Word arg, isa::Word v) {
    isa::Word r = field_of(w, arg);
    if (static_cast<int>(r) != zero_) regs_[r] = v & mask_;
  };
  auto memory_fault = [this](isa::Word a) {
    fault_cause_ = static_cast<isa::Word>(m_->causes.memory);
    fault_info_ = a;
    return Exec::Fault;
  };
  switch (f.kind) {
    case FastKind::None: return execute_bytecode(ins, w);
    case FastKind::RegReg:
      set(f.d, alu(f.op, regs_[field_of(w, f.a)], regs_[field_of(w, f.b)]));
      return Exec::Ok;
    case FastKind::RegImm:
      set(f.d, alu(f.op, regs_[field_of(w, f.a)], field_of(w, f.b) & mask_));
      return Exec::Ok;
    case FastKind::Branch:
      if (alu(f.op, regs_[field_of(w, f.a)], regs_[field_of(w, f.b)])) {
        next_pc_ = (p + 1 + field_of(w, f.c)) & mask_;
        extra_cycles_ = 1;
      }
      return Exec::Ok;
    case FastKind::Load: {
      isa::Word a = (regs_[field_of(w, f.a)] + field_of(w, f.b)) & mask_;
      if (!valid_virtual(a)) return memory_fault(a);
      set(f.d, E_[base_ + a]);
      return Exec::Ok;
    }
    case FastKind::Store: {
      isa::Word a = (regs_[field_of(w, f.a)] + field_of(w, f.b)) & mask_;
      if (!valid_virtual(a)) return memory_fault(a);
      E_[base_ + a] = regs_[field_of(w, f.d)];
      cache_.invalidate(std::uint64_t{base_} + a);
      if (store_log_) store_log_->push_back(base_ + a);
      return Exec::Ok;
    }
  }
  return execute_bytecode(ins, w);
}

Machine::Exec Machine::execute_bytecode(const isa::Instruction& ins, isa::Word w) {
  using isa::Op;
  const isa::Program& prog = ins.semantics;
  const isa::Code* code = prog.code.data();
  if (sie_depth_) {
    // Interpretive execution: an intercepted instruction exits to the guest's monitor before any
    // effect; a privileged one (the guest is in its virtual supervisor mode, or it would have
    // trapped) costs the ISA's interpretation cycles more.
    if (ins.intercept & intercepts_) {
      fault_cause_ = m_->assist.intercept;
      fault_info_ = w;
      return Exec::Exit;
    }
    if (ins.privileged) extra_cycles_ = m_->assist.interpret_cycles;
  }
  isa::Word stack[64];
  int sp = 0;  // next free slot
  // The instruction's temporaries (`let`): each is written before it is read (the compiler's
  // scoping guarantees it); zeroed only so that nothing depends on stale host memory.
  isa::Word locals[isa::kMaxLocals];
  if (prog.locals) std::fill(locals, locals + prog.locals, 0u);
  const isa::Word p = pc_;
  Exec result = Exec::Ok;

  // Journal, for the rare instruction that can trap after an effect.
  struct Saved {
    std::array<isa::Word, 64> regs;
    std::vector<isa::Word> controls;
    isa::Word mode, base, bound, timer, clock_offset;
    bool pending;
    std::size_t out_size, in_pos;
    isa::Word vbase, vbound, vtimer, tsync;
    bool outer_due;
    std::vector<std::pair<isa::Word, bool>> host_timers;  ///< under interpretive execution
  };
  std::unique_ptr<Saved> saved;
  if (prog.needs_journal) {
    saved.reset(new Saved{regs_, controls_, mode_, base_, bound_, timer_, clock_offset_, timer_pending_, out_.size(), in_pos_,
                          vbase_, vbound_, vtimer_, tsync_, outer_due_, {}});
    for (const auto& l : sie_) saved->host_timers.emplace_back(l.host_timer, l.host_pending);
    journaling_ = true;
    journal_.clear();
  }
  auto fault = [&](isa::Word cause, isa::Word info) {
    fault_cause_ = cause;
    fault_info_ = info;
    if (saved) {
      for (auto it = journal_.rbegin(); it != journal_.rend(); ++it) {
        E_[it->first] = it->second;
        cache_.invalidate(it->first);
      }
      regs_ = saved->regs; controls_ = saved->controls; mode_ = saved->mode; base_ = saved->base;
      bound_ = saved->bound; timer_ = saved->timer; clock_offset_ = saved->clock_offset; timer_pending_ = saved->pending;
      out_.resize(saved->out_size); in_pos_ = saved->in_pos;
      vbase_ = saved->vbase; vbound_ = saved->vbound; vtimer_ = saved->vtimer; tsync_ = saved->tsync;
      outer_due_ = saved->outer_due;
      for (std::size_t i = 0; i < saved->host_timers.size() && i < sie_.size(); ++i)
        std::tie(sie_[i].host_timer, sie_[i].host_pending) = saved->host_timers[i];
      journaling_ = false;
    }
    return Exec::Fault;
  };
  auto write_mem = [&](std::uint64_t real, isa::Word v) {
    if (journaling_) journal_.emplace_back(static_cast<isa::Word>(real), E_[real]);
    E_[real] = v & mask_;
    cache_.invalidate(real);
    if (store_log_) store_log_->push_back(static_cast<isa::Word>(real));
  };
  auto field = [w](isa::Word arg) { return field_of(w, arg); };
  const isa::Word mem_cause = static_cast<isa::Word>(m_->causes.memory);
  const std::size_t psw_n = m_->psw.size();
  const isa::Word M = mask_;
  const isa::Word nregs = static_cast<isa::Word>(m_->registers.size());

  for (std::size_t ip = 0;; ++ip) {
    const isa::Code c = code[ip];
    switch (c.op) {
      case Op::PushConst: stack[sp++] = c.arg; break;
      case Op::PushReg: stack[sp++] = regs_[c.arg]; break;
      case Op::PushRegField: stack[sp++] = regs_[field(c.arg)]; break;
      case Op::PushField: stack[sp++] = field(c.arg) & M; break;
      case Op::PushPc: stack[sp++] = p; break;
      case Op::PushMode: stack[sp++] = mode_; break;
      case Op::PushBase: stack[sp++] = level_base(); break;
      case Op::PushBound: stack[sp++] = level_bound(); break;
      case Op::PushControl: stack[sp++] = controls_[c.arg]; break;
      case Op::PushCycles: stack[sp++] = static_cast<isa::Word>(cycles_) & M; break;
      case Op::PushInsn: stack[sp++] = w; break;
      case Op::PushRegIndex: stack[sp - 1] = regs_[stack[sp - 1] % nregs]; break;
      case Op::PushTimer: stack[sp++] = timer() & M; break;
      case Op::PushClock: stack[sp++] = (static_cast<isa::Word>(cycles_) + clock_offset_) & M; break;
      case Op::LoadVirtual: {
        isa::Word a = stack[sp - 1];
        if (!valid_virtual(a)) return fault(mem_cause, a);
        stack[sp - 1] = E_[base_ + a];
        break;
      }
      case Op::LoadReal: {
        // Real storage is the running level's machine: under interpretive execution the guest's
        // region (its real address a is origin + a, valid below its size).
        isa::Word a = stack[sp - 1];
        if (sie_depth_) {
          if (a >= sie_.back().size) return fault(mem_cause, a);
          stack[sp - 1] = E_[sie_.back().origin + a];
          break;
        }
        if (a >= E_.size()) return fault(mem_cause, a);
        stack[sp - 1] = E_[a];
        break;
      }
      case Op::ConsoleIn: stack[sp++] = in_pos_ < in_.size() ? (in_[in_pos_++] & M) : M; break;
      case Op::PushLocal: stack[sp++] = locals[c.arg]; break;
      case Op::PushTrapCause: stack[sp++] = trap_cause_; break;
      case Op::PushTrapInfo: stack[sp++] = trap_info_; break;
      case Op::PushTrapPc: stack[sp++] = trap_pc_; break;
      case Op::StoreLocal: locals[c.arg] = stack[--sp]; break;
#define PGSIM_BIN(OP, EXPR)                     \
  case Op::OP: {                                \
    isa::Word b = stack[--sp];              \
    isa::Word a = stack[sp - 1];            \
    stack[sp - 1] = (EXPR);                     \
    break;                                      \
  }
      PGSIM_BIN(Add, (a + b) & M)
      PGSIM_BIN(Sub, (a - b) & M)
      PGSIM_BIN(Mul, (a * b) & M)
      PGSIM_BIN(And, a & b)
      PGSIM_BIN(Or, a | b)
      PGSIM_BIN(Xor, a ^ b)
      PGSIM_BIN(Shl, b >= 64 ? 0u : (a << b) & M)
      PGSIM_BIN(ShrU, b >= 64 ? 0u : a >> b)
      PGSIM_BIN(ShrS, static_cast<isa::Word>(sx(a) >> (b >= 63 ? 63 : b)) & M)
      PGSIM_BIN(Eq, a == b ? 1u : 0u)
      PGSIM_BIN(Ne, a != b ? 1u : 0u)
      PGSIM_BIN(LtS, sx(a) < sx(b) ? 1u : 0u)
      PGSIM_BIN(LeS, sx(a) <= sx(b) ? 1u : 0u)
      PGSIM_BIN(GtS, sx(a) > sx(b) ? 1u : 0u)
      PGSIM_BIN(GeS, sx(a) >= sx(b) ? 1u : 0u)
      PGSIM_BIN(LtU, a < b ? 1u : 0u)
      PGSIM_BIN(LeU, a <= b ? 1u : 0u)
      PGSIM_BIN(GtU, a > b ? 1u : 0u)
      PGSIM_BIN(GeU, a >= b ? 1u : 0u)
      PGSIM_BIN(DivU, b == 0 ? M : a / b)
      PGSIM_BIN(RemU, b == 0 ? a : a % b)
#undef PGSIM_BIN
      case Op::DivS: {
        std::int64_t b = sx(stack[--sp]);
        std::int64_t a = sx(stack[sp - 1]);
        // Division by zero yields all ones (the ISA traps before, if it wants a trap); the
        // quotient by -1 is the negation (mod 2^64 too: INT64_MIN / -1 would overflow).
        stack[sp - 1] = b == 0    ? M
                        : b == -1 ? (isa::Word{0} - static_cast<isa::Word>(a)) & M
                                  : static_cast<isa::Word>(a / b) & M;
        break;
      }
      case Op::RemS: {
        std::int64_t b = sx(stack[--sp]);
        std::int64_t a = sx(stack[sp - 1]);
        stack[sp - 1] = b == 0    ? static_cast<isa::Word>(a) & M
                        : b == -1 ? 0u
                                  : static_cast<isa::Word>(a % b) & M;
        break;
      }
      case Op::Neg: stack[sp - 1] = (0u - stack[sp - 1]) & M; break;
      case Op::Not: stack[sp - 1] = ~stack[sp - 1] & M; break;
      case Op::LNot: stack[sp - 1] = stack[sp - 1] == 0 ? 1u : 0u; break;
      case Op::Bool: stack[sp - 1] = stack[sp - 1] != 0 ? 1u : 0u; break;
      case Op::Sext: {
        int s = 64 - static_cast<int>(c.arg);
        stack[sp - 1] = static_cast<isa::Word>(static_cast<isa::SWord>(stack[sp - 1] << s) >> s) & M;
        break;
      }
      case Op::Zext: stack[sp - 1] &= isa::low_bits(static_cast<unsigned>(c.arg)); break;
      case Op::StoreReg:
        --sp;
        if (static_cast<int>(c.arg) != zero_) regs_[c.arg] = stack[sp] & M;
        break;
      case Op::StoreRegField: {
        --sp;
        isa::Word r = field(c.arg);
        if (static_cast<int>(r) != zero_) regs_[r] = stack[sp] & M;
        break;
      }
      case Op::StoreRegIndex: {
        const isa::Word v = stack[--sp];
        const isa::Word r = stack[--sp] % nregs;
        if (static_cast<int>(r) != zero_) regs_[r] = v & M;
        break;
      }
      case Op::StoreClock:
        clock_offset_ = ((stack[--sp] & M) - static_cast<isa::Word>(cycles_)) & isa::low_bits(std::max(32u, m_->word_bits));
        break;
      case Op::StorePc: next_pc_ = stack[--sp] & M; break;
      case Op::StoreMode: mode_ = stack[--sp] & mode_mask_; break;
      case Op::StoreBase:
        if (sie_depth_) { vbase_ = stack[--sp] & M; recompose(); }
        else base_ = stack[--sp] & M;
        break;
      case Op::StoreBound:
        if (sie_depth_) { vbound_ = stack[--sp] & M; recompose(); }
        else bound_ = stack[--sp] & M;
        break;
      case Op::StoreControl: set_control(static_cast<int>(c.arg), stack[--sp]); break;
      case Op::StoreVirtual: {
        isa::Word v = stack[--sp];
        isa::Word a = stack[--sp];
        if (!valid_virtual(a)) return fault(mem_cause, a);
        write_mem(static_cast<std::uint64_t>(base_) + a, v);
        break;
      }
      case Op::StoreReal: {
        isa::Word v = stack[--sp];
        isa::Word a = stack[--sp];
        if (sie_depth_) {
          if (a >= sie_.back().size) return fault(mem_cause, a);
          write_mem(static_cast<std::uint64_t>(sie_.back().origin) + a, v);
          break;
        }
        if (a >= E_.size()) return fault(mem_cause, a);
        write_mem(a, v);
        break;
      }
      case Op::AddCycles: {
        // Saturating, so that the cost (declared cycles <= isa::kMaxDeclaredCycles, plus these)
        // cannot wrap around to 0: `cycles += 0xffffffff` costs about 2^31 cycles, not 0.
        constexpr isa::Word kMaxExtra = 0x7fffffffu;
        std::uint64_t e = static_cast<std::uint64_t>(extra_cycles_) + stack[--sp];
        extra_cycles_ = e > kMaxExtra ? kMaxExtra : static_cast<isa::Word>(e);
        break;
      }
      case Op::Trap: {
        isa::Word info = stack[--sp];
        isa::Word cause = stack[--sp];
        return fault(cause, info & M);
      }
      case Op::TrapAfter: {
        fault_info_ = stack[--sp] & M;
        fault_cause_ = stack[--sp];
        result = Exec::TrapAfter;
        goto done;
      }
      case Op::Halt: result = Exec::Halt; break;
      case Op::ConsoleOut: out_.push_back(static_cast<char>(stack[--sp] & 0xffu)); break;
      case Op::SetTimer:
        if (sie_depth_) {
          set_timer(stack[--sp] & M);  // the running guest's virtual CPU timer
        } else {
          timer_ = stack[--sp] & M;
          timer_pending_ = false;
        }
        timer_written_ = 1;
        break;
      case Op::LoadPsw: {
        // PG1.md rule 4: all addresses are checked before any word is read.
        isa::Word a = stack[--sp];
        for (std::size_t i = 0; i < psw_n; ++i) {
          isa::Word ai = (a + static_cast<isa::Word>(i)) & M;
          if (!valid_virtual(ai)) return fault(mem_cause, ai);
        }
        isa::Word words[16];
        for (std::size_t i = 0; i < psw_n && i < 16; ++i) words[i] = E_[base_ + ((a + i) & M)];
        for (std::size_t i = 0; i < psw_n && i < 16; ++i) {
          const auto& pw = m_->psw[i];
          isa::Word v = words[i];
          switch (pw.slot) {
            case isa::PswSlot::Mode: mode_ = v & mode_mask_; break;
            case isa::PswSlot::Pc: next_pc_ = v; break;
            case isa::PswSlot::Base: (sie_depth_ ? vbase_ : base_) = v; break;
            case isa::PswSlot::Bound: (sie_depth_ ? vbound_ : bound_) = v; break;
            case isa::PswSlot::Control: set_control(pw.control, v); break;
          }
        }
        if (sie_depth_) recompose();
        break;
      }
      case Op::StorePsw: {
        isa::Word a = stack[--sp];
        for (std::size_t i = 0; i < psw_n; ++i) {
          isa::Word ai = (a + static_cast<isa::Word>(i)) & M;
          if (!valid_virtual(ai)) return fault(mem_cause, ai);
        }
        const std::uint64_t b = base_;
        for (std::size_t i = 0; i < psw_n; ++i) {
          const auto& pw = m_->psw[i];
          isa::Word v = 0;
          switch (pw.slot) {
            case isa::PswSlot::Mode: v = mode_; break;
            case isa::PswSlot::Pc: v = (p + 1) & M; break;
            case isa::PswSlot::Base: v = level_base(); break;
            case isa::PswSlot::Bound: v = level_bound(); break;
            case isa::PswSlot::Control: v = controls_[static_cast<std::size_t>(pw.control)]; break;
          }
          write_mem(b + ((a + i) & M), v);
        }
        break;
      }
      case Op::VmEntry: {
        // The checks a VM entry makes before any effect (docs/pg1-assist.md "VM entry"); the
        // entry itself happens when the instruction has completed (step_impl: vm_entry).
        isa::Word a = stack[--sp];
        if (sie_depth_ >= m_->assist.levels) {
          // Past the hardware's nesting limit: the running guest exits to its monitor, its entry
          // instruction not executed, reason nesting, info = the limit.
          fault(m_->assist.nesting, m_->assist.levels);
          return Exec::Exit;
        }
        for (isa::Word i = 0; i < m_->assist.words; ++i) {
          std::uint64_t ai = static_cast<std::uint64_t>(a) + i;
          if (ai > M || !valid_virtual(static_cast<isa::Word>(ai)))
            return fault(mem_cause, static_cast<isa::Word>(ai & M));
        }
        entry_sd_ = base_ + a;
        result = Exec::Entry;
        break;
      }
      case Op::JumpIfZero:
        if (stack[--sp] == 0) ip = c.arg - 1;
        break;
      case Op::Jump: ip = c.arg - 1; break;
      case Op::AndJump:
        if (stack[sp - 1] == 0) ip = c.arg - 1;  // the result is the 0 on the stack
        else --sp;
        break;
      case Op::OrJump:
        if (stack[sp - 1] != 0) { stack[sp - 1] = 1; ip = c.arg - 1; }
        else --sp;
        break;
      case Op::End: goto done;
    }
  }
done:
  journaling_ = false;
  return result;
}

namespace {
struct DynamicObserver {
  static constexpr bool enabled = true;
  Observer* o;
  void on_event(const Machine& m, const Event& e) { o->on_event(m, e); }
};
struct PredicateObserver {
  static constexpr bool enabled = true;
  const std::function<bool(const Machine&, const Event&)>* pred;
  bool hit = false;
  void on_event(const Machine& m, const Event& e) { hit = hit || (*pred)(m, e); }
  bool should_stop() const { return hit; }
};
struct ForwardingRecorder {
  static constexpr bool enabled = true;
  Observer* o;
  Event last;
  void on_event(const Machine& m, const Event& e) {
    last = e;
    o->on_event(m, e);
  }
};
struct RecordingObserver {
  static constexpr bool enabled = true;
  Event last;
  void on_event(const Machine&, const Event& e) { last = e; }
};
}  // namespace

StopReason Machine::run(std::uint64_t cycle_limit) {
  NoObserver o;
  return run_with(cycle_limit, o);
}

StopReason Machine::run(std::uint64_t cycle_limit, Observer& obs) {
  DynamicObserver o{&obs};
  return run_with(cycle_limit, o);
}

StopReason Machine::run_until(std::uint64_t cycle_limit,
                              const std::function<bool(const Machine&, const Event&)>& stop) {
  PredicateObserver o{&stop};
  return run_with(cycle_limit, o);
}

Event Machine::step(Observer& obs) {
  ForwardingRecorder both{&obs, {}};
  if (halted_) return both.last;
  step_impl(both);
  if (halted_) stop_ = halt_reason();
  else if (consecutive_traps_ >= 3) stop_ = StopReason::TrapStorm;
  return both.last;
}

Event Machine::step() {
  RecordingObserver o;
  if (halted_) return o.last;
  step_impl(o);
  if (halted_) stop_ = halt_reason();
  else if (consecutive_traps_ >= 3) stop_ = StopReason::TrapStorm;
  return o.last;
}

}  // namespace pgsim::machine
