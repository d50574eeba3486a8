#include "isa/compile_semantics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace pgsim::isa {
namespace {

using syntax::ExprKind;
using syntax::ExprNode;
using syntax::StmtKind;
using syntax::StmtNode;

class Compiler {
 public:
  Compiler(const IsaModel& m, const Format& f, const syntax::Pool& p, std::shared_ptr<const SourceFile> file,
           Diagnostics& d, Diagnostics& w, bool trap_block = false)
      : model_(m), format_(f), pool_(p), file_(std::move(file)), diags_(d), warnings_(w), trap_block_(trap_block) {}

  Program run(const std::vector<int>& body) {
    block(body);
    if (prog_.code.size() > kMaxCodeLength && !too_long_)
      error(body.empty() ? 0 : pool_.stmts[static_cast<std::size_t>(body.front())].offset,
            fmt::format("the semantics compile to more than {} operations (the limit)", kMaxCodeLength));
    emit(Op::End);
    prog_.max_stack = max_depth_;
    prog_.needs_journal = needs_journal();
    // A trap block always runs on the bytecode path (the machine gives it the trap's values).
    if (!trap_block_) prog_.fast = fast_form(prog_.code);
    return std::move(prog_);
  }

 private:
  const IsaModel& model_;
  const Format& format_;
  const syntax::Pool& pool_;
  std::shared_ptr<const SourceFile> file_;
  Diagnostics& diags_;
  Diagnostics& warnings_;
  /// Compiling a `trap { ... }` block (docs/isa-language.md "Trap delivery"): `cause`, `info`
  /// and `epc` are the trap's; what only an instruction has (its fields, `insn`, `pc` as a value,
  /// `cycles`) and the effects a delivery may not have are errors.
  bool trap_block_ = false;
  Program prog_;
  int depth_ = 0;
  unsigned max_depth_ = 0;
  /// The temporaries in scope (`let`), innermost last: name, slot, where declared.
  struct Local {
    std::string name;
    isa::Word slot;
    std::size_t offset;
  };
  std::vector<Local> locals_;
  /// The variables of the enclosing `for` loops, innermost last: name, value in this copy of the body.
  std::vector<std::pair<std::string, isa::Word>> loop_vars_;
  bool too_long_ = false;  ///< the code-length limit was reported
  int dead_ = 0;           ///< > 0 while compiling a branch that a constant condition drops

  const isa::Word* loop_var(const std::string& name) const {
    for (std::size_t i = loop_vars_.size(); i-- > 0;)
      if (loop_vars_[i].first == name) return &loop_vars_[i].second;
    return nullptr;
  }
  /// Whether `name` (case-insensitive) is the register file's name (`r` of `registers r 16;`).
  bool is_register_file(const std::string& name) const {
    if (model_.registers.empty()) return false;
    const std::string& r0 = model_.registers.front();
    std::string prefix = r0.substr(0, r0.size() - 1), lower;
    for (char c : name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return lower == prefix;
  }

  int local_index(const std::string& name) const {
    for (std::size_t i = locals_.size(); i-- > 0;)
      if (locals_[i].name == name) return static_cast<int>(locals_[i].slot);
    return -1;
  }
  /// What an existing name `t` already is, in words, or "" when it is free for a temporary.
  std::string taken(const std::string& t) const {
    if (trap_block_ && trap_value(t) != Op::End) return "a value of the trap block";
    if (field_index(t) >= 0) return fmt::format("a field of format {}", format_.name);
    if (model_.find_register(t) >= 0) return "a general register";
    if (control_index(t) >= 0) return "a control register";
    if (model_.constants.count(t)) return "a constant";
    if (loop_var(t)) return "the variable of an enclosing for loop";
    if (is_register_file(t)) return "the register file (r[i])";
    static const char* const reserved[] = {"pc", "mode", "base", "bound", "cycles", "insn", "mem", "real", "in",
                                           "timer", "clock", "for", "reverse",
                                           "halt", "trap", "trap_after", "out", "stimer", "loadpsw", "storepsw",
                                           "vmentry", "sext", "zext", "ltu", "leu", "gtu", "geu", "divu", "remu",
                                           "if", "else", "let"};
    for (const char* r : reserved)
      if (t == r) return "a word of the language";
    return "";
  }
  /// Compiles a block: its temporaries go out of scope at its end.
  void block(const std::vector<int>& body) {
    std::size_t outer = locals_.size();
    for (int b : body) stmt(b);
    locals_.resize(outer);
  }

  void error(std::size_t off, std::string msg) {
    // An error in a loop's body would otherwise come once per copy.
    for (const auto& d : diags_)
      if (d.offset == off && d.message == msg && d.file == file_) return;
    diags_.push_back({file_, off, std::move(msg)});
  }
  void warning(std::size_t off, std::string msg) {
    for (const auto& d : warnings_)
      if (d.offset == off && d.message == msg && d.file == file_) return;
    warnings_.push_back({file_, off, std::move(msg), true});
  }
  /// The trap block's own values: `cause`, `info`, `epc` (Op::End for any other name).
  static Op trap_value(const std::string& t) {
    if (t == "cause") return Op::PushTrapCause;
    if (t == "info") return Op::PushTrapInfo;
    if (t == "epc") return Op::PushTrapPc;
    return Op::End;
  }
  /// In a trap block: reports `what` as something only an instruction's semantics may use.
  void not_in_trap_block(std::size_t off, const std::string& what, const char* why) {
    error(off, fmt::format("'{}' is not available in a trap block: {}", what, why));
  }

  /// The name and width in bits of a value that has fewer bits than a word (mode: 1; a
  /// control register: its width), or width 0.
  std::pair<std::string, unsigned> narrow_value(int e) const {
    const auto& n = E(e);
    if (n.kind != ExprKind::Name || field_index(n.text) >= 0 || model_.find_register(n.text) >= 0) return {"", 0};
    if (n.text == "mode") return {"mode", 1};
    if (int c = control_index(n.text); c >= 0 && model_.controls[static_cast<std::size_t>(c)].width < 64)
      return {n.text, model_.controls[static_cast<std::size_t>(c)].width};
    return {"", 0};
  }
  /// Warns about `x == k` / `x != k` where x has fewer bits than k needs: never / always true
  /// (issue 8.16: `mode == 3`).
  void check_comparison(const ExprNode& n) {
    if (n.text != "==" && n.text != "!=") return;
    for (auto [v, k] : {std::pair{n.a, n.b}, std::pair{n.b, n.a}}) {
      auto [name, bits] = narrow_value(v);
      auto c = constant_value(k);
      if (bits == 0 || !c) continue;
      std::uint64_t max = low_bits(bits);
      if (*c <= max) continue;
      warning(n.offset, fmt::format("'{} {} {}' is {} true: {} is {} bit{} wide (0 to {})", name, n.text, *c,
                                    n.text == "==" ? "never" : "always", name, bits, bits == 1 ? "" : "s", max));
      return;
    }
  }
  void emit(Op op, isa::Word arg = 0) {
    prog_.code.push_back({op, arg});
    depth_ += stack_effect(op);
    if (depth_ < 0) depth_ = 0;
    max_depth_ = std::max(max_depth_, static_cast<unsigned>(depth_));
  }
  static int stack_effect(Op op) {
    switch (op) {
      case Op::PushConst: case Op::PushReg: case Op::PushRegField: case Op::PushField: case Op::PushPc:
      case Op::PushMode: case Op::PushBase: case Op::PushBound: case Op::PushControl: case Op::PushCycles:
      case Op::PushInsn: case Op::ConsoleIn: case Op::PushLocal: case Op::PushTimer: case Op::PushClock:
      case Op::PushTrapCause: case Op::PushTrapInfo: case Op::PushTrapPc:
        return 1;
      case Op::LoadVirtual: case Op::LoadReal: case Op::Neg: case Op::Not: case Op::LNot: case Op::Sext:
      case Op::Zext: case Op::Jump: case Op::End: case Op::Halt: case Op::Bool: case Op::PushRegIndex:
        return 0;
      case Op::StoreVirtual: case Op::StoreReal: case Op::Trap: case Op::TrapAfter: case Op::StoreRegIndex:
        return -2;
      default:
        return -1;  // binary ops, single-operand effects, JumpIfZero, AndJump/OrJump (when they go on)
    }
  }
  /// Field operands are pre-resolved: shift | width << 8 | signed << 16 (see bytecode.hpp).
  static isa::Word field_arg(const Field& f) {
    return f.shift | (f.width << 8) | ((f.kind == FieldKind::Signed ? 1u : 0u) << 16);
  }
  const ExprNode& E(int i) const { return pool_.exprs[static_cast<std::size_t>(i)]; }

  int field_index(const std::string& name) const {
    for (std::size_t i = 0; i < format_.fields.size(); ++i)
      if (!format_.fields[i].name.empty() && format_.fields[i].name == name) return static_cast<int>(i);
    return -1;
  }
  int control_index(const std::string& name) const {
    for (std::size_t i = 0; i < model_.controls.size(); ++i)
      if (model_.controls[i].name == name) return static_cast<int>(i);
    return -1;
  }
  std::optional<std::uint64_t> constant_value(int e) const {
    const auto& n = E(e);
    if (n.kind == ExprKind::Number) return n.value;
    if (n.kind == ExprKind::Name) {
      if (const isa::Word* v = loop_var(n.text)) return *v;
      if (auto it = model_.constants.find(n.text); it != model_.constants.end()) return it->second;
    }
    return std::nullopt;
  }
  /// Bits a number in the semantics may have: 32, or the word's bits when the word is wider
  /// (a number wider than the word but within 32 bits is masked by the operators, as before
  /// words could be wider than 32 bits).
  unsigned literal_bits() const { return std::max(32u, model_.word_bits); }
  isa::SWord sx(isa::Word v) const {
    const int sh = 64 - static_cast<int>(model_.word_bits);
    return static_cast<isa::SWord>(v << sh) >> sh;
  }
  /// The value of `e` when it is a constant of this copy of the code (numbers, constants, the
  /// variables of the enclosing loops, and operators of them), computed exactly as the machine
  /// computes it (machine.cpp execute_bytecode); else nullopt. Division, functions and anything
  /// that reads the machine are not folded.
  std::optional<isa::Word> fold(int e) const {
    const auto& n = E(e);
    const isa::Word M = model_.word_mask();
    switch (n.kind) {
      case ExprKind::Number:
        if (n.value > low_bits(literal_bits())) return std::nullopt;
        return static_cast<isa::Word>(n.value);
      case ExprKind::Name:
        if (local_index(n.text) >= 0 || field_index(n.text) >= 0 || model_.find_register(n.text) >= 0 ||
            control_index(n.text) >= 0)
          return std::nullopt;
        return constant_value(e);
      case ExprKind::Unary: {
        auto a = fold(n.a);
        if (!a) return std::nullopt;
        if (n.text == "-") return (0u - *a) & M;
        if (n.text == "~") return ~*a & M;
        if (n.text == "!") return *a == 0 ? 1u : 0u;
        return a;
      }
      case ExprKind::Cond: {
        auto c = fold(n.args[0]);
        if (!c) return std::nullopt;
        return fold(n.args[*c ? 1 : 2]);
      }
      case ExprKind::Binary: {
        auto a = fold(n.a);
        if (n.text == "&&" || n.text == "||") {
          if (!a) return std::nullopt;
          if ((n.text == "&&") == (*a == 0)) return n.text == "&&" ? 0u : 1u;  // decided by the left operand
          auto b = fold(n.b);
          if (!b) return std::nullopt;
          return *b != 0 ? 1u : 0u;
        }
        auto b = fold(n.b);
        if (!a || !b) return std::nullopt;
        const isa::Word x = *a, y = *b;
        const std::string& o = n.text;
        if (o == "+") return (x + y) & M;
        if (o == "-") return (x - y) & M;
        if (o == "*") return (x * y) & M;
        if (o == "&") return x & y;
        if (o == "|") return x | y;
        if (o == "^") return x ^ y;
        if (o == "<<") return y >= 64 ? 0u : (x << y) & M;
        if (o == ">>") return y >= 64 ? 0u : x >> y;
        if (o == ">>>") return static_cast<isa::Word>(sx(x) >> (y >= 63 ? 63 : y)) & M;
        if (o == "==") return x == y ? 1u : 0u;
        if (o == "!=") return x != y ? 1u : 0u;
        if (o == "<") return sx(x) < sx(y) ? 1u : 0u;
        if (o == "<=") return sx(x) <= sx(y) ? 1u : 0u;
        if (o == ">") return sx(x) > sx(y) ? 1u : 0u;
        if (o == ">=") return sx(x) >= sx(y) ? 1u : 0u;
        return std::nullopt;
      }
      default:
        return std::nullopt;
    }
  }
  /// `r[e]`: the register number when `e` is a constant of this copy of the code (an error when
  /// it is past the register file), else -1 (the index is computed when the instruction runs).
  int constant_register(const ExprNode& n) {
    auto i = fold(n.args[0]);
    if (!i) return -1;
    if (*i >= model_.registers.size()) {
      if (dead_) return 0;  // in a branch this copy drops (`if (i < 15) { r[i] = 0; }`): never runs
      error(E(n.args[0]).offset, fmt::format("register index {} is past the register file ({} .. {})", *i,
                                             model_.registers.front(), model_.registers.back()));
      return 0;
    }
    return static_cast<int>(*i);
  }

  bool expect_args(const ExprNode& n, std::size_t count) {
    if (n.args.size() == count) return true;
    error(n.offset, fmt::format("'{}' takes {} argument{}, not {}", n.text, count, count == 1 ? "" : "s",
                                n.args.size()));
    return false;
  }

  void expr(int e) {
    const auto& n = E(e);
    switch (n.kind) {
      case ExprKind::Number:
        if (n.value > low_bits(literal_bits()))
          error(n.offset, fmt::format("number does not fit in {} bits", literal_bits()));
        emit(Op::PushConst, static_cast<isa::Word>(n.value));
        return;
      case ExprKind::String:
        error(n.offset, "a string is not a value");
        emit(Op::PushConst, 0);
        return;
      case ExprKind::Name: return name(n);
      case ExprKind::Cond: {
        // c ? a : b, as in C: only the chosen operand is evaluated.
        expr(n.args[0]);
        std::size_t jz = prog_.code.size();
        emit(Op::JumpIfZero);
        const int depth = depth_;
        expr(n.args[1]);
        std::size_t j = prog_.code.size();
        emit(Op::Jump);
        prog_.code[jz].arg = static_cast<isa::Word>(prog_.code.size());
        depth_ = depth;
        expr(n.args[2]);
        prog_.code[j].arg = static_cast<isa::Word>(prog_.code.size());
        return;
      }
      case ExprKind::Index: {
        if (n.text != "mem" && n.text != "real" && is_register_file(n.text)) {
          if (int r = constant_register(n); r >= 0) {
            emit(Op::PushReg, static_cast<isa::Word>(r));
          } else {
            expr(n.args[0]);
            emit(Op::PushRegIndex);
          }
          return;
        }
        expr(n.args[0]);
        if (n.text == "mem") emit(Op::LoadVirtual);
        else if (n.text == "real") emit(Op::LoadReal);
        else error(n.offset, fmt::format("unknown storage '{}' (use mem[...] for relocated storage, real[...] for real "
                                         "storage, {}[i] for register i)", n.text, register_file_name()));
        return;
      }
      case ExprKind::Call: return call_value(n);
      case ExprKind::Unary: {
        expr(n.a);
        if (n.text == "-") emit(Op::Neg);
        else if (n.text == "~") emit(Op::Not);
        else if (n.text == "!") emit(Op::LNot);
        return;  // unary plus: nothing
      }
      case ExprKind::Binary: {
        if (n.text == "&&" || n.text == "||") {
          // Short-circuit, as in C: the right operand is evaluated only when the left one
          // does not decide (so `a < bound && mem[a] == 0` cannot memory-trap).
          expr(n.a);
          std::size_t j = prog_.code.size();
          emit(n.text == "&&" ? Op::AndJump : Op::OrJump);
          expr(n.b);
          emit(Op::Bool);
          prog_.code[j].arg = static_cast<isa::Word>(prog_.code.size());
          return;
        }
        check_comparison(n);
        expr(n.a);
        expr(n.b);
        static const std::pair<const char*, Op> ops[] = {
            {"+", Op::Add}, {"-", Op::Sub}, {"*", Op::Mul}, {"/", Op::DivS}, {"%", Op::RemS},
            {"&", Op::And}, {"|", Op::Or}, {"^", Op::Xor}, {"<<", Op::Shl}, {">>", Op::ShrU},
            {">>>", Op::ShrS}, {"==", Op::Eq}, {"!=", Op::Ne}, {"<", Op::LtS}, {"<=", Op::LeS},
            {">", Op::GtS}, {">=", Op::GeS}};
        for (auto& [s, op] : ops)
          if (n.text == s) { emit(op); return; }
        error(n.offset, fmt::format("unknown operator '{}'", n.text));
        return;
      }
    }
  }

  std::string register_file_name() const {
    return model_.registers.empty() ? "r" : model_.registers.front().substr(0, model_.registers.front().size() - 1);
  }
  void name(const ExprNode& n) {
    const std::string& t = n.text;
    if (const isa::Word* v = loop_var(t)) { emit(Op::PushConst, *v); return; }
    if (int l = local_index(t); l >= 0) { emit(Op::PushLocal, static_cast<isa::Word>(l)); return; }
    if (trap_block_) {
      if (Op op = trap_value(t); op != Op::End) { emit(op); return; }
      if (t == "pc" || t == "insn" || t == "cycles") {
        not_in_trap_block(n.offset, t,
                          t == "pc"     ? "read the saved P as 'epc' (the faulting instruction, or the next one after "
                                          "a trap_after or an interrupt); assign the new P to 'pc'"
                          : t == "insn" ? "there is no instruction word (a PRIV or ILLEGAL trap's info holds it)"
                                        : "the trap costs the cycles declared with it (trap cycles = N { ... })");
        emit(Op::PushConst, 0);
        return;
      }
    }
    if (int f = field_index(t); f >= 0) {
      const Field& fl = format_.fields[static_cast<std::size_t>(f)];
      emit(fl.kind == FieldKind::Register ? Op::PushRegField : Op::PushField, field_arg(fl));
      return;
    }
    if (int r = model_.find_register(t); r >= 0) { emit(Op::PushReg, static_cast<isa::Word>(r)); return; }
    if (t == "pc") { emit(Op::PushPc); return; }
    if (t == "mode") { emit(Op::PushMode); return; }
    if (t == "base") { emit(Op::PushBase); return; }
    if (t == "bound") { emit(Op::PushBound); return; }
    if (t == "cycles") { emit(Op::PushCycles); return; }
    if (t == "insn") { emit(Op::PushInsn); return; }
    if (int c = control_index(t); c >= 0) { emit(Op::PushControl, static_cast<isa::Word>(c)); return; }
    if (auto it = model_.constants.find(t); it != model_.constants.end()) { emit(Op::PushConst, it->second); return; }
    if (t == "timer") { emit(Op::PushTimer); return; }
    if (t == "clock") { emit(Op::PushClock); return; }
    if (is_register_file(t)) {
      error(n.offset, fmt::format("'{}' is the register file: write {}[i] for register i", t, t));
      emit(Op::PushConst, 0);
      return;
    }
    if (t == "halt" || t == "trap" || t == "out" || t == "stimer")
      error(n.offset, fmt::format("'{}' is a statement, not a value", t));
    else if (trap_block_)
      error(n.offset, fmt::format("unknown name '{}' (in a trap block: cause, info, epc, a register, a control "
                                  "register, a temporary declared with let, mode, base, bound or a constant)", t));
    else
      error(n.offset, fmt::format("unknown name '{}' (not a field of format {}, a register, a control register, "
                                  "a temporary declared with let, a loop variable, pc, mode, base, bound, cycles, timer, clock, insn or a "
                                  "constant)", t, format_.name));
    emit(Op::PushConst, 0);
  }

  void call_value(const ExprNode& n) {
    const std::string& f = n.text;
    static const std::pair<const char*, Op> binfns[] = {{"ltu", Op::LtU}, {"leu", Op::LeU}, {"gtu", Op::GtU},
                                                        {"geu", Op::GeU}, {"divu", Op::DivU}, {"remu", Op::RemU}};
    for (auto& [s, op] : binfns)
      if (f == s) {
        if (expect_args(n, 2)) { expr(n.args[0]); expr(n.args[1]); }
        else emit(Op::PushConst, 0);
        emit(op);
        return;
      }
    if (f == "sext" || f == "zext") {
      if (!expect_args(n, 2)) { emit(Op::PushConst, 0); return; }
      auto bits = constant_value(n.args[1]);
      if (!bits || *bits < 1 || *bits > literal_bits()) {
        error(E(n.args[1]).offset, fmt::format("the width must be a constant from 1 to {}", literal_bits()));
        bits = literal_bits();
      }
      expr(n.args[0]);
      emit(f == "sext" ? Op::Sext : Op::Zext, static_cast<isa::Word>(*bits));
      return;
    }
    if (f == "in") {
      if (trap_block_) not_in_trap_block(n.offset, "in()", "a trap delivery does not read the console");
      expect_args(n, 0);
      emit(Op::ConsoleIn);
      return;
    }
    if (f == "trap" || f == "trap_after" || f == "halt" || f == "out" || f == "stimer" || f == "loadpsw" ||
        f == "storepsw" || f == "vmentry")
      error(n.offset, fmt::format("'{}' is a statement, not a value", f));
    else
      error(n.offset, fmt::format("unknown function '{}' (sext, zext, ltu, leu, gtu, geu, divu, remu, in)", f));
    emit(Op::PushConst, 0);
  }

  void stmt(int s) {
    const StmtNode& st = pool_.stmts[static_cast<std::size_t>(s)];
    switch (st.kind) {
      case StmtKind::If: {
        if (!loop_vars_.empty()) {
          // Inside a loop a condition that is constant in this copy (`i < 13`) keeps only the
          // branch it chooses; the other is compiled (for its errors) and dropped.
          if (auto c = fold(st.cond)) {
            const std::vector<int>& taken_body = *c ? st.body : st.else_body;
            const std::vector<int>& dropped = *c ? st.else_body : st.body;
            const std::size_t at = prog_.code.size();
            const int depth = depth_;
            const unsigned slots = prog_.locals;
            ++dead_;
            block(dropped);
            --dead_;
            prog_.code.resize(at);
            depth_ = depth;
            prog_.locals = std::max(prog_.locals, slots);
            block(taken_body);
            return;
          }
        }
        expr(st.cond);
        std::size_t jz = prog_.code.size();
        emit(Op::JumpIfZero);
        block(st.body);
        if (st.else_body.empty()) {
          prog_.code[jz].arg = static_cast<isa::Word>(prog_.code.size());
        } else {
          std::size_t j = prog_.code.size();
          emit(Op::Jump);
          prog_.code[jz].arg = static_cast<isa::Word>(prog_.code.size());
          block(st.else_body);
          prog_.code[j].arg = static_cast<isa::Word>(prog_.code.size());
        }
        return;
      }
      case StmtKind::Expr: return effect(E(st.lhs));
      case StmtKind::Assign: return assign(st);
      case StmtKind::Let: return let(st);
      case StmtKind::For: return for_loop(st);
    }
  }

  /// `for i in lo .. hi { body }`: the body compiled once per value of i, from lo up to hi (both
  /// included; `reverse`: from hi down to lo), i a constant in each copy. The bounds are constant
  /// expressions, compared as signed words; at most kMaxLoopIterations iterations. Each copy is a
  /// block of its own: its temporaries are new in every iteration (and share their slots).
  void for_loop(const StmtNode& st) {
    const ExprNode& var = E(st.lhs);
    if (local_index(var.text) >= 0) {
      error(var.offset, fmt::format("loop variable '{}' has the name of a temporary in scope: give it another name", var.text));
      return;
    }
    if (std::string what = taken(var.text); !what.empty()) {
      error(var.offset, fmt::format("loop variable '{}' has the name of {}: give it another name", var.text, what));
      return;
    }
    auto lo = fold(st.rhs), hi = fold(st.cond);
    for (auto [v, at] : {std::pair{lo, st.rhs}, std::pair{hi, st.cond}})
      if (!v)
        error(E(at).offset, "a bound of a for loop must be a constant expression (numbers, constants, the variables "
                            "of enclosing loops and operators of them), so that the loop can be unrolled");
    if (!lo || !hi) return;
    const std::int64_t a = sx(*lo), b = sx(*hi);
    // b - a in 64 bits without overflow (64-bit words: INT64_MIN .. INT64_MAX).
    const std::uint64_t span = b >= a ? static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a) : 0;
    if (b >= a && span >= kMaxLoopIterations) {
      error(st.offset, fmt::format("for loop of {} iterations ({} .. {}): at most {} (the limit)",
                                   span == ~std::uint64_t{0} ? std::string("2^64") : std::to_string(span + 1), a, b,
                                   kMaxLoopIterations));
      return;
    }
    const std::int64_t count = b >= a ? static_cast<std::int64_t>(span) + 1 : 0;
    if (count == 0)
      warning(st.offset, fmt::format("this loop runs 0 times ({} > {}): write 'for {} in reverse {} .. {}' to count down",
                                     a, b, var.text, b, a));
    const unsigned first_slot = prog_.locals;
    unsigned slots = first_slot;
    for (std::int64_t k = 0; k < count; ++k) {
      const std::int64_t v = st.op == "reverse" ? b - k : a + k;
      loop_vars_.emplace_back(var.text, static_cast<isa::Word>(v) & model_.word_mask());
      prog_.locals = first_slot;
      block(st.body);
      slots = std::max(slots, prog_.locals);
      loop_vars_.pop_back();
      if (prog_.code.size() > kMaxCodeLength) {
        if (!too_long_)
          error(st.offset, fmt::format("the semantics compile to more than {} operations (the limit): this loop "
                                       "copies its body {} times",
                                       kMaxCodeLength, count));
        too_long_ = true;
        break;
      }
    }
    prog_.locals = slots;
  }

  /// `let t = e;`: a new temporary, in scope to the end of its block. Its value is computed
  /// before the name is in scope (`let t = t + 1;` needs an outer t, which is an error anyway).
  void let(const StmtNode& st) {
    const ExprNode& nm = E(st.lhs);
    expr(st.rhs);
    for (const auto& l : locals_)
      if (l.name == nm.text) {
        auto [line, col] = file_->line_col(l.offset);
        error(nm.offset, fmt::format("temporary '{}' is already declared (at {}:{}:{}): give this one another "
                                     "name, or assign to it without 'let'",
                                     nm.text, file_->path, line, col));
        emit(Op::StoreLocal, 0);
        return;
      }
    if (std::string what = taken(nm.text); !what.empty()) {
      error(nm.offset, fmt::format("temporary '{}' has the name of {}: give it another name", nm.text, what));
      emit(Op::StoreLocal, 0);
      return;
    }
    if (prog_.locals >= kMaxLocals) {
      error(nm.offset, fmt::format("more than {} temporaries (let) in one instruction (the limit)", kMaxLocals));
      emit(Op::StoreLocal, 0);
      return;
    }
    isa::Word slot = prog_.locals++;
    locals_.push_back({nm.text, slot, nm.offset});
    emit(Op::StoreLocal, slot);
  }

  void effect(const ExprNode& n) {
    if (n.kind == ExprKind::Name && n.text == "halt") {
      if (trap_block_) { not_in_trap_block(n.offset, "halt", "a delivery that cannot go on faults (trap(cause, info))"); return; }
      emit(Op::Halt);
      return;
    }
    if (n.kind != ExprKind::Call) {
      error(n.offset, "expected a statement: an assignment or one of trap(cause, info), trap_after(cause, info), "
                      "halt, out(v), stimer(v), loadpsw(a), storepsw(a), vmentry(a)");
      return;
    }
    const std::string& f = n.text;
    if (trap_block_ && f != "trap") {
      static const char* const effects[] = {"halt", "trap_after", "out", "stimer", "loadpsw", "storepsw", "vmentry"};
      for (const char* e : effects)
        if (f == e) {
          not_in_trap_block(n.offset, f,
                            "a delivery writes registers, control registers, mode, base, bound, pc and storage; "
                            "trap(cause, info) inside it is a fault during delivery (a double fault)");
          return;
        }
    }
    if (f == "halt") { expect_args(n, 0); emit(Op::Halt); return; }
    if (f == "trap" || f == "trap_after") {
      if (!expect_args(n, 2)) return;
      expr(n.args[0]);
      expr(n.args[1]);
      emit(f == "trap" ? Op::Trap : Op::TrapAfter);
      return;
    }
    if (f == "vmentry" && !model_.assist.present) {
      error(n.offset, "vmentry(a) needs an `assist { ... }` block in the ISA, which declares the state "
                      "description that a VM entry reads (docs/isa-language.md)");
      return;
    }
    static const std::pair<const char*, Op> unary[] = {{"out", Op::ConsoleOut},   {"stimer", Op::SetTimer},
                                                       {"loadpsw", Op::LoadPsw},  {"storepsw", Op::StorePsw},
                                                       {"vmentry", Op::VmEntry}};
    for (auto& [s, op] : unary)
      if (f == s) {
        if (!expect_args(n, 1)) return;
        expr(n.args[0]);
        emit(op);
        return;
      }
    error(n.offset, fmt::format("unknown statement '{}' (trap, trap_after, halt, out, stimer, loadpsw, storepsw, "
                                "vmentry)", f));
  }

  void assign(const StmtNode& st) {
    const ExprNode& lhs = E(st.lhs);
    // Compound assignment x op= e is x = x op e.
    auto value = [&] {
      if (st.op == "=") { expr(st.rhs); return; }
      expr(st.lhs);
      expr(st.rhs);
      std::string op = st.op.substr(0, st.op.size() - 1);
      static const std::pair<const char*, Op> ops[] = {{"+", Op::Add}, {"-", Op::Sub}, {"|", Op::Or}, {"&", Op::And},
                                                       {"^", Op::Xor}, {"<<", Op::Shl}, {">>", Op::ShrU}};
      for (auto& [s, o] : ops)
        if (op == s) { emit(o); return; }
    };
    if (lhs.kind == ExprKind::Index && lhs.text != "mem" && lhs.text != "real" && is_register_file(lhs.text)) {
      if (int r = constant_register(lhs); r >= 0) {
        value();
        emit(Op::StoreReg, static_cast<isa::Word>(r));
      } else {
        expr(lhs.args[0]);
        value();
        emit(Op::StoreRegIndex);
      }
      return;
    }
    if (lhs.kind == ExprKind::Index) {
      expr(lhs.args[0]);
      value();
      if (lhs.text == "mem") emit(Op::StoreVirtual);
      else if (lhs.text == "real") emit(Op::StoreReal);
      else error(lhs.offset, fmt::format("unknown storage '{}' (mem or real)", lhs.text));
      return;
    }
    if (lhs.kind != ExprKind::Name) {
      error(lhs.offset, "cannot assign to this: assign to a register, pc, mode, base, bound, a control register, "
                        "mem[...] or real[...]");
      return;
    }
    const std::string& t = lhs.text;
    if (loop_var(t)) {
      error(lhs.offset, fmt::format("loop variable '{}' is read-only (a constant in each copy of the loop's body): "
                                    "use a temporary (let) for a value that changes", t));
      return;
    }
    if (int l = local_index(t); l >= 0) { value(); emit(Op::StoreLocal, static_cast<isa::Word>(l)); return; }
    if (trap_block_ && (trap_value(t) != Op::End || t == "cycles" || t == "insn")) {
      error(lhs.offset, fmt::format("'{}' is read-only in a trap block{}", t,
                                    t == "cycles" ? " (the trap costs the cycles declared with it: trap cycles = N { ... })"
                                                  : " (it is the trap being delivered)"));
      return;
    }
    if (t == "cycles") {
      if (st.op != "+=") { error(lhs.offset, "cycles is read-only; 'cycles += n' adds n cycles to this instruction"); return; }
      expr(st.rhs);
      emit(Op::AddCycles);
      return;
    }
    if (int f = field_index(t); f >= 0) {
      if (format_.fields[static_cast<std::size_t>(f)].kind != FieldKind::Register) {
        error(lhs.offset, fmt::format("'{}' is an immediate field of the instruction: read-only", t));
        return;
      }
      value();
      emit(Op::StoreRegField, field_arg(format_.fields[static_cast<std::size_t>(f)]));
      return;
    }
    if (int r = model_.find_register(t); r >= 0) { value(); emit(Op::StoreReg, static_cast<isa::Word>(r)); return; }
    if (t == "pc") { value(); emit(Op::StorePc); return; }
    if (t == "mode") { value(); emit(Op::StoreMode); return; }
    if (t == "base") { value(); emit(Op::StoreBase); return; }
    if (t == "bound") { value(); emit(Op::StoreBound); return; }
    if (int c = control_index(t); c >= 0) { value(); emit(Op::StoreControl, static_cast<isa::Word>(c)); return; }
    if (t == "clock" && trap_block_ && !model_.constants.count(t)) {
      not_in_trap_block(lhs.offset, "clock =", "a delivery does not set the clock");
      return;
    }
    if (t == "clock" && !model_.constants.count(t)) { value(); emit(Op::StoreClock); return; }
    if (t == "timer") {
      error(lhs.offset, "timer is read-only here: stimer(v) sets the interval timer");
      return;
    }
    if (t == "insn" || model_.constants.count(t))
      error(lhs.offset, fmt::format("'{}' is read-only", t));
    else
      error(lhs.offset, fmt::format("unknown name '{}'", t));
  }

  static bool is_alu(Op op) {
    switch (op) {
      case Op::Add: case Op::Sub: case Op::Mul: case Op::And: case Op::Or: case Op::Xor: case Op::Shl:
      case Op::ShrU: case Op::ShrS: case Op::Eq: case Op::Ne: case Op::LtS: case Op::LeS: case Op::GtS:
      case Op::GeS: case Op::LtU: case Op::LeU: case Op::GtU: case Op::GeU:
        return true;
      default:
        return false;
    }
  }
  /// Recognizes the common shapes of FastKind in `c`.
  static FastForm fast_form(const std::vector<Code>& c) {
    FastForm f;
    auto is = [&](std::size_t i, Op op) { return i < c.size() && c[i].op == op; };
    if (c.size() == 5 && is(0, Op::PushRegField) && (is(1, Op::PushRegField) || is(1, Op::PushField)) &&
        is_alu(c[2].op) && is(3, Op::StoreRegField) && is(4, Op::End)) {
      f.kind = c[1].op == Op::PushRegField ? FastKind::RegReg : FastKind::RegImm;
      f.op = c[2].op;
      f.a = c[0].arg; f.b = c[1].arg; f.d = c[3].arg;
      return f;
    }
    if (c.size() == 13 && is(0, Op::PushRegField) && is(1, Op::PushRegField) && is_alu(c[2].op) &&
        is(3, Op::JumpIfZero) && c[3].arg == 12 && is(4, Op::PushPc) && is(5, Op::PushConst) && c[5].arg == 1 &&
        is(6, Op::Add) && is(7, Op::PushField) && is(8, Op::Add) && is(9, Op::StorePc) && is(10, Op::PushConst) &&
        c[10].arg == 1 && is(11, Op::AddCycles) && is(12, Op::End)) {
      f.kind = FastKind::Branch;
      f.op = c[2].op;
      f.a = c[0].arg; f.b = c[1].arg; f.c = c[7].arg;
      return f;
    }
    if (c.size() == 6 && is(0, Op::PushRegField) && is(1, Op::PushField) && is(2, Op::Add) &&
        is(3, Op::LoadVirtual) && is(4, Op::StoreRegField) && is(5, Op::End)) {
      f.kind = FastKind::Load;
      f.a = c[0].arg; f.b = c[1].arg; f.d = c[4].arg;
      return f;
    }
    if (c.size() == 6 && is(0, Op::PushRegField) && is(1, Op::PushField) && is(2, Op::Add) &&
        is(3, Op::PushRegField) && is(4, Op::StoreVirtual) && is(5, Op::End)) {
      f.kind = FastKind::Store;
      f.a = c[0].arg; f.b = c[1].arg; f.d = c[3].arg;
      return f;
    }
    return f;
  }

  bool needs_journal() const {
    bool effect_seen = false;
    for (const auto& c : prog_.code) {
      switch (c.op) {
        case Op::LoadVirtual: case Op::LoadReal: case Op::Trap:
          if (effect_seen) return true;
          break;
        case Op::StoreVirtual: case Op::StoreReal: case Op::LoadPsw: case Op::StorePsw: case Op::VmEntry:
          if (effect_seen) return true;
          effect_seen = true;
          break;
        case Op::StoreReg: case Op::StoreRegField: case Op::StoreMode: case Op::StoreBase: case Op::StoreBound:
        case Op::StoreControl: case Op::ConsoleOut: case Op::ConsoleIn: case Op::SetTimer: case Op::StoreRegIndex:
        case Op::StoreClock:
          effect_seen = true;
          break;
        default:
          break;
      }
    }
    return false;
  }
};

}  // namespace

Program compile_semantics(const IsaModel& model, const Format& format, const syntax::Pool& pool,
                          const std::vector<int>& body, std::shared_ptr<const SourceFile> file, Diagnostics& diags,
                          Diagnostics& warnings) {
  return Compiler(model, format, pool, std::move(file), diags, warnings).run(body);
}

Program compile_trap_block(const IsaModel& model, const syntax::Pool& pool, const std::vector<int>& body,
                           std::shared_ptr<const SourceFile> file, Diagnostics& diags, Diagnostics& warnings) {
  static const Format none{"trap", {}};
  return Compiler(model, none, pool, std::move(file), diags, warnings, true).run(body);
}

}  // namespace pgsim::isa
