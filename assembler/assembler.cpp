#include "assembler/assembler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <filesystem>
#include <functional>
#include <list>
#include <optional>
#include <set>
#include <stdexcept>

#include "assembler/line_syntax.hpp"
#include "isa/disasm.hpp"

namespace pgsim::assembler {

isa::Word Image::symbol(const std::string& name) const {
  auto it = symbols.find(name);
  if (it == symbols.end()) throw std::out_of_range("the program defines no symbol '" + name + "'");
  return it->second;
}

std::string Image::where(isa::Word address) const {
  if (address >= source_of.size() || source_of[address] < 0) return {};
  const auto& l = lines[static_cast<std::size_t>(source_of[address])];
  return fmt::format("{}:{}", l.file->path, l.line);
}

std::string Image::source_text(isa::Word address) const {
  if (address >= source_of.size() || source_of[address] < 0) return {};
  const auto& l = lines[static_cast<std::size_t>(source_of[address])];
  return l.file->line_text(l.line);
}

std::string Image::listing(const isa::IsaModel& isa) const {
  std::string out;
  int last_line = -1;
  for (isa::Word a = 0; a < words.size(); ++a) {
    if (source_of[a] < 0) continue;
    bool first = source_of[a] != last_line;
    last_line = source_of[a];
    std::string src = first ? source_text(a) : std::string();
    std::string dis = is_code[a] ? isa::disassemble(isa, words[a], a) : std::string();
    // 8 hex digits, or as many as a wider word has (9 for 36 bits, 16 for 64).
    out += fmt::format("{:06x}  {:0{}x}  {:<28} {}\n", a, words[a], std::max(8u, (isa.word_bits + 3) / 4), dis, src);
  }
  return out;
}

namespace {

using syntax::ExprKind;

constexpr std::uint64_t kMaxImage = kMaxImageWords;

/// A source file's identity for include-cycle detection: its canonical path. A path the system
/// cannot resolve (a name longer than it allows, say) stands for itself, normalized; reading it
/// then fails with the ordinary "cannot include" error at the .include.
std::string file_key(const std::string& path) {
  std::error_code ec;
  auto key = std::filesystem::weakly_canonical(path, ec);
  return ec ? std::filesystem::path(path).lexically_normal().string() : key.string();
}

/// One statement of the program (a source line, or one line of a pseudo's expansion).
struct Item {
  std::shared_ptr<const SourceFile> file;
  std::size_t line_start = 0;   ///< offset of the line in the file
  std::size_t expansion_at = std::string::npos;  ///< for expansions: file offset to report at
  std::string expansion_of;     ///< pseudo mnemonic for expansions
  int line_index = -1;          ///< index into Image::lines
  syntax::Pool pool;
  LineSyntax ls;
  isa::Word address = 0;
  bool rejected = false;        ///< pass 1 found an error in the statement: pass 2 skips it
  std::uint64_t words = 0;      ///< words the statement reserves (.space count, string length)
};

struct Symbol {
  bool label = false;
  std::int64_t value = 0;
  Item* item = nullptr;
  int expr = -1;
  int state = 0;  // 0 unevaluated, 1 evaluating, 2 done, 3 failed
  std::size_t offset = 0;
};

std::string strip_comment(const std::string& line) {
  bool in_str = false, in_chr = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if ((in_str || in_chr) && c == '\\') { ++i; continue; }
    if (in_str) { if (c == '"') in_str = false; continue; }
    if (in_chr) { if (c == '\'') in_chr = false; continue; }
    if (c == '"') in_str = true;
    else if (c == '\'') in_chr = true;
    else if (c == ';') return line.substr(0, i);
  }
  return line;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Splits operand text at top-level commas (outside quotes and parentheses).
std::vector<std::string> split_top(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  bool in_str = false, in_chr = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if ((in_str || in_chr) && c == '\\' && i + 1 < s.size()) { cur += c; cur += s[++i]; continue; }
    if (in_str) { if (c == '"') in_str = false; cur += c; continue; }
    if (in_chr) { if (c == '\'') in_chr = false; cur += c; continue; }
    if (c == '"') in_str = true;
    else if (c == '\'') in_chr = true;
    else if (c == '(') ++depth;
    else if (c == ')') --depth;
    else if (c == ',' && depth == 0) { out.push_back(cur); cur.clear(); continue; }
    cur += c;
  }
  auto trim = [](std::string t) {
    auto b = t.find_first_not_of(" \t"), e = t.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : t.substr(b, e - b + 1);
  };
  for (auto& o : out) o = trim(o);
  cur = trim(cur);
  if (!cur.empty() || !out.empty()) out.push_back(cur);
  return out;
}

class Assembler {
 public:
  explicit Assembler(const isa::IsaModel& isa, FileProvider provider = {}) : isa_(isa), provider_(std::move(provider)) {}

  Image run(std::shared_ptr<const SourceFile> file) {
    if (file->text.size() > kMaxProgramBytes)
      throw InputError({Diagnostic{nullptr, 0, fmt::format("'{}' is {} bytes, larger than the program size limit of {} bytes",
                                                           file->path, file->text.size(), kMaxProgramBytes)}});
    std::vector<std::string> open;
    source_bytes_ = file->text.size();
    pass1_file(file, open);
    pass2();
    if (!diags_.empty()) throw InputError(diags_);
    return std::move(image_);
  }

 private:
  const isa::IsaModel& isa_;
  FileProvider provider_;
  Diagnostics diags_;
  std::list<Item> items_;
  std::map<std::string, Symbol> syms_;
  std::uint64_t addr_ = 0;
  Image image_;
  std::vector<Item*> written_by_;
  std::uint64_t source_bytes_ = 0;  ///< text of every file read so far (each inclusion counts)
  std::size_t includes_ = 0;        ///< .include directives followed so far
  std::size_t lines_ = 0;           ///< statements kept so far (source lines and expansion lines)
  std::size_t sym_depth_ = 0;       ///< symbols being evaluated, nested

  /// Reports an error at `line_offset` in the item's line (at its pseudo-instruction for an
  /// expansion). Stops the assembly (throws InputError) once kMaxDiagnostics are reported.
  void error(const Item& it, std::size_t line_offset, std::string msg) {
    Diagnostic d = it.expansion_at != std::string::npos
                       ? Diagnostic{it.file, it.expansion_at, fmt::format("in the expansion of '{}': {}", it.expansion_of, msg)}
                       : Diagnostic{it.file, it.line_start + line_offset, std::move(msg)};
    if (!add_diagnostic(diags_, std::move(d))) throw InputError(diags_);
  }
  /// Reports an error that ends the assembly at once (a limit was reached).
  [[noreturn]] void fatal(const Item& it, std::size_t line_offset, std::string msg) {
    diags_.push_back({it.file, it.line_start + line_offset, std::move(msg)});
    throw InputError(diags_);
  }
  const syntax::ExprNode& node(const Item& it, int e) const { return it.pool.exprs[static_cast<std::size_t>(e)]; }

  // ---------------------------------------------------------------- pass 1
  /// An open conditional-assembly block (.ifdef / .ifndef ... [.else ...] .endif) of one file.
  struct Conditional {
    std::size_t offset;  ///< file offset of its .ifdef / .ifndef, for "never closed"
    bool parent_on;      ///< were the lines around the block being assembled?
    bool taken;          ///< does the condition hold (its first branch is assembled)?
    bool in_else;        ///< past its .else
  };

  /// Is `name` defined for .ifdef: a constant of the ISA (OP_<MNEMONIC> for every instruction
  /// it has, its causes and consts) or a label or .equ on an earlier line.
  bool defined_for_ifdef(const std::string& name) const {
    return isa_.constants.count(name) > 0 || syms_.count(name) > 0;
  }

  /// Handles a conditional-assembly directive on the line `it` (parsed as `ls`), whether or not
  /// the lines around it are assembled; returns false if the line is no such directive.
  bool conditional(Item& it, const LineSyntax& ls, const syntax::Pool& pool, std::vector<Conditional>& conds) {
    const std::string op = lower(ls.op);
    if (op != ".ifdef" && op != ".ifndef" && op != ".else" && op != ".endif") return false;
    it.rejected = true;  // nothing for pass 2 to do
    const bool on = conds.empty() || (conds.back().in_else ? !conds.back().taken && conds.back().parent_on
                                                           : conds.back().taken && conds.back().parent_on);
    if (op == ".ifdef" || op == ".ifndef") {
      bool ok = ls.operands.size() == 1 && !ls.operands[0].is_string && ls.operands[0].base < 0 &&
                pool.exprs[static_cast<std::size_t>(ls.operands[0].expr)].kind == ExprKind::Name;
      if (!ok && on)
        error(it, ls.op_offset,
              fmt::format("{} takes one name: {} NAME (an ISA constant such as OP_JRU, or a label or .equ "
                          "defined on an earlier line)", op, op));
      bool def = ok && defined_for_ifdef(pool.exprs[static_cast<std::size_t>(ls.operands[0].expr)].text);
      if (conds.size() >= kMaxConditionalNesting)
        fatal(it, ls.op_offset, fmt::format("conditional blocks nested more than {} deep (the nesting limit)",
                                            kMaxConditionalNesting));
      conds.push_back({it.line_start + ls.op_offset, on, ok && (op == ".ifdef" ? def : !def), false});
      return true;
    }
    if (conds.empty()) {
      error(it, ls.op_offset, fmt::format("{} without an .ifdef or .ifndef before it in this file", op));
      return true;
    }
    if (!ls.operands.empty())
      error(it, ls.operands[0].offset, fmt::format("{} takes no operands", op));
    if (op == ".else") {
      if (conds.back().in_else) error(it, ls.op_offset, "a second .else in the same .ifdef / .ifndef block");
      conds.back().in_else = true;
    } else {
      conds.pop_back();
    }
    return true;
  }

  void pass1_file(std::shared_ptr<const SourceFile> file, std::vector<std::string>& open) {
    std::string key = file_key(file->path);
    open.push_back(key);
    // A file with more lines than the limit leaves: say so at once, at the first line past the
    // limit, before parsing hundreds of thousands of lines only to stop there (the same error
    // the loop below gives, found in one scan of the text).
    if (std::uint64_t room = kMaxProgramLines - std::min<std::uint64_t>(lines_, kMaxProgramLines);
        static_cast<std::uint64_t>(std::count(file->text.begin(), file->text.end(), '\n')) + 1 > room) {
      std::size_t at = 0;
      for (std::uint64_t l = 0; l < room; ++l) at = file->text.find('\n', at) + 1;
      diags_.push_back({file, at,
                        fmt::format("the program has more than {} lines (the program size limit), counting included "
                                    "files and expansions", kMaxProgramLines)});
      throw InputError(diags_);
    }
    std::size_t pos = 0;
    int line_no = 0;
    std::vector<Conditional> conds;
    while (pos <= file->text.size()) {
      std::size_t nl = file->text.find('\n', pos);
      std::size_t end = nl == std::string::npos ? file->text.size() : nl;
      ++line_no;
      std::string text = file->text.substr(pos, end - pos);
      if (!text.empty() && text.back() == '\r') text.pop_back();
      image_.lines.push_back({file, line_no});
      auto& it = items_.emplace_back();
      it.file = file;
      it.line_start = pos;
      it.line_index = static_cast<int>(image_.lines.size()) - 1;
      if (++lines_ > kMaxProgramLines)
        fatal(it, 0, fmt::format("the program has more than {} lines (the program size limit), counting included files "
                                 "and expansions", kMaxProgramLines));
      const bool on = conds.empty() || (conds.back().in_else ? !conds.back().taken && conds.back().parent_on
                                                             : conds.back().taken && conds.back().parent_on);
      if (!on) {
        // A line not assembled: only a conditional directive on it counts (it may name
        // instructions this ISA does not have; that is the point).
        syntax::Pool pool;
        LineSyntax ls;
        std::size_t eoff = 0;
        std::string emsg;
        it.rejected = true;
        if (parse_line(strip_comment(text), pool, ls, eoff, emsg)) conditional(it, ls, pool, conds);
      } else if (parse(it, strip_comment(text))) {
        if (!conditional(it, it.ls, it.pool, conds)) statement_pass1(it, text, open);
      } else {
        it.rejected = true;
      }
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
    if (!conds.empty()) {
      if (!add_diagnostic(diags_, {file, conds.back().offset,
                                   fmt::format("this .ifdef / .ifndef block has no .endif before the end of '{}'",
                                               file->path)}))
        throw InputError(diags_);
    }
    open.pop_back();
  }

  bool parse(Item& it, const std::string& text) {
    std::size_t eoff = 0;
    std::string emsg;
    if (!parse_line(text, it.pool, it.ls, eoff, emsg)) {
      error(it, eoff, emsg);
      return false;
    }
    // Keep only what the line needs: a program may have up to kMaxProgramLines of them.
    it.pool.exprs.shrink_to_fit();
    it.pool.stmts.shrink_to_fit();
    it.ls.operands.shrink_to_fit();
    // "x(r2)" and "a - x(r2)" parse with a call x(r2) at the right end of the expression; in
    // assembly that is the value (a - x) with base register r2.
    for (auto& op : it.ls.operands) {
      if (op.is_string || op.base >= 0) continue;
      int e = op.expr;
      while (true) {
        auto& n = it.pool.exprs[static_cast<std::size_t>(e)];
        if (n.kind == ExprKind::Binary) { e = n.b; continue; }
        if (n.kind == ExprKind::Unary) { e = n.a; continue; }
        if (n.kind == ExprKind::Call && n.args.size() == 1) {
          n.kind = ExprKind::Name;
          op.base = n.args[0];
          n.args.clear();
        }
        break;
      }
    }
    return true;
  }

  void define_label(Item& it, const std::string& name, std::size_t off) {
    if (auto s = syms_.find(name); s != syms_.end()) {
      error(it, off, fmt::format("'{}' is already defined", name));
      return;
    }
    if (isa_.constants.count(name)) {
      error(it, off, fmt::format("'{}' is a constant of the ISA", name));
      return;
    }
    Symbol s;
    s.label = true;
    s.value = static_cast<std::int64_t>(addr_);
    s.state = 2;
    s.item = &it;
    s.offset = off;
    syms_[name] = s;
  }

  /// Checks a directive's operands, count and kind, where the directive is interpreted (both
  /// passes); reports the error and returns false when they are not what it takes.
  bool directive_operands_ok(Item& it, const std::string& op) {
    const auto& ops = it.ls.operands;
    auto is_value = [&](std::size_t i) { return !ops[i].is_string && ops[i].base < 0; };
    std::string usage;
    bool count_ok = true;
    std::size_t bad = ops.size();  // first operand of the wrong kind
    if (op == ".org" || op == ".space") {
      usage = op == ".org" ? ".org takes one address: .org EXPR" : ".space takes one count: .space EXPR";
      count_ok = ops.size() == 1;
      if (count_ok && !is_value(0)) bad = 0;
    } else if (op == ".word") {
      usage = ".word takes at least one value: .word EXPR, ...";
      count_ok = !ops.empty();  // each value's kind is checked as it is evaluated
    } else if (op == ".ascii" || op == ".asciz" || op == ".include") {
      usage = op == ".include" ? ".include takes one file name in quotes: .include \"file.s\""
                               : fmt::format("{} takes one string: {} \"text\"", op, op);
      count_ok = ops.size() == 1;
      if (count_ok && !ops[0].is_string) bad = 0;
    } else if (op == ".equ") {
      usage = ".equ takes a name and a value: .equ NAME, EXPR";
      count_ok = ops.size() == 2;
      if (count_ok && (!is_value(0) || node(it, ops[0].expr).kind != ExprKind::Name)) bad = 0;
      else if (count_ok && !is_value(1)) bad = 1;
    } else {
      error(it, it.ls.op_offset,
            fmt::format("unknown directive '{}' (.org .word .space .ascii .asciz .equ .include .ifdef .ifndef .else "
                        ".endif)", it.ls.op));
      return false;
    }
    if (!count_ok) {
      error(it, it.ls.op_offset, fmt::format("{} (found {} operand{})", usage, ops.size(), ops.size() == 1 ? "" : "s"));
      return false;
    }
    if (bad < ops.size()) {
      error(it, ops[bad].offset, usage);
      return false;
    }
    return true;
  }

  void statement_pass1(Item& it, const std::string& raw, std::vector<std::string>& open) {
    it.address = static_cast<isa::Word>(addr_);
    for (auto& [name, off] : it.ls.labels) define_label(it, name, off);
    const std::string op = lower(it.ls.op);
    if (op.empty()) return;
    auto& ops = it.ls.operands;
    if (op[0] == '.') {
      if (!directive_operands_ok(it, op)) {
        it.rejected = true;
        return;
      }
      if (op == ".org") {
        auto v = eval(it, ops[0], true);
        if (!v) {
          it.rejected = true;
        } else if (*v < 0 || static_cast<std::uint64_t>(*v) >= kMaxImage) {
          error(it, ops[0].offset, fmt::format(".org address {} is outside the program size limit (0 .. {})", *v, kMaxImage - 1));
          it.rejected = true;
        } else {
          addr_ = static_cast<std::uint64_t>(*v);
        }
        it.address = static_cast<isa::Word>(addr_);
      } else if (op == ".word") {
        it.words = ops.size();
        advance(it, it.words);
      } else if (op == ".space") {
        auto v = eval(it, ops[0], true);
        if (!v) {
          it.rejected = true;
        } else if (*v < 0 || static_cast<std::uint64_t>(*v) > kMaxImage) {
          error(it, ops[0].offset, fmt::format(".space count {} is outside the program size limit (0 .. {})", *v, kMaxImage));
          it.rejected = true;
        } else {
          it.words = static_cast<std::uint64_t>(*v);
          advance(it, it.words);
        }
      } else if (op == ".ascii" || op == ".asciz") {
        it.words = ops[0].text.size() + (op == ".asciz" ? 1 : 0);
        advance(it, it.words);
      } else if (op == ".equ") {
        const std::string& name = node(it, ops[0].expr).text;
        if (syms_.count(name) || isa_.constants.count(name)) {
          error(it, ops[0].offset, fmt::format("'{}' is already defined", name));
          it.rejected = true;
          return;
        }
        Symbol s;
        s.item = &it;
        s.expr = ops[1].expr;
        s.offset = ops[1].offset;
        syms_[name] = s;
      } else if (op == ".include") {
        it.rejected = true;  // nothing for pass 2 to do
        include(it, ops[0], open);
      }
      return;
    }
    if (isa_.find_instruction(op) >= 0) {
      advance(it, 1);
      return;
    }
    if (int p = isa_.find_pseudo(op); p >= 0) {
      expand_pseudo(it, raw, isa_.pseudos[static_cast<std::size_t>(p)]);
      return;
    }
    it.rejected = true;
    error(it, it.ls.op_offset, fmt::format("unknown instruction '{}'", it.ls.op));
  }

  /// Follows `.include "name"` (relative to the including file), within the include limits.
  void include(Item& it, const OperandSyntax& name, std::vector<std::string>& open) {
    auto dir = std::filesystem::path(it.file->path).parent_path();
    std::string p = (dir / name.text).string();
    std::string key = file_key(p);
    if (std::find(open.begin(), open.end(), key) != open.end()) {
      error(it, name.offset, fmt::format("'{}' includes itself", name.text));
      return;
    }
    if (++includes_ > kMaxIncludes)
      fatal(it, name.offset, fmt::format("more than {} .include directives followed (the include count limit)", kMaxIncludes));
    std::shared_ptr<const SourceFile> f;
    if (auto text = provider_ ? provider_(p) : std::nullopt) {
      auto sf = std::make_shared<SourceFile>();
      sf->path = p;
      sf->text = std::move(*text);
      f = sf;
    } else {
      std::string err;
      f = read_source_file(p, err);
      if (!f) {
        error(it, name.offset, fmt::format("cannot include '{}': {}", name.text, err));
        return;
      }
    }
    source_bytes_ += f->text.size();
    if (source_bytes_ > kMaxProgramBytes)
      fatal(it, name.offset, fmt::format("including '{}' makes the program {} bytes, more than the limit of {} bytes "
                                         "(the total size of the source and every included file, counted at each inclusion)",
                                         name.text, source_bytes_, kMaxProgramBytes));
    pass1_file(f, open);
  }

  void advance(Item& it, std::uint64_t n) {
    addr_ += n;
    if (addr_ > kMaxImage)
      fatal(it, it.ls.op_offset, fmt::format("the program is larger than {} words (the program size limit)", kMaxImage));
  }

  void expand_pseudo(Item& it, const std::string& raw, const isa::Pseudo& p) {
    // Operand texts of the source line: what follows the mnemonic, split at top-level commas.
    std::string body = strip_comment(raw);
    std::string rest = body.substr(std::min(body.size(), it.ls.op_offset + it.ls.op.size()));
    auto args = split_top(rest);
    if (args.size() != p.params.size()) {
      it.rejected = true;
      error(it, it.ls.op_offset, fmt::format("'{}' takes {} operand{} ({}), not {}", p.mnemonic, p.params.size(),
                                             p.params.size() == 1 ? "" : "s", p.syntax, args.size()));
      return;
    }
    for (const auto& line : p.expansion) {
      std::string text;
      for (std::size_t i = 0; i < line.size();) {
        if (std::isalpha(static_cast<unsigned char>(line[i])) || line[i] == '_') {
          std::size_t j = i;
          while (j < line.size() && (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '_')) ++j;
          std::string word = line.substr(i, j - i);
          auto at = std::find(p.params.begin(), p.params.end(), word);
          text += at == p.params.end() ? word : "(" + args[static_cast<std::size_t>(at - p.params.begin())] + ")";
          i = j;
        } else {
          text += line[i++];
        }
      }
      auto& ex = items_.emplace_back();
      ex.file = it.file;
      ex.line_start = it.line_start;
      ex.expansion_at = it.line_start + it.ls.op_offset;
      ex.expansion_of = p.mnemonic;
      ex.line_index = it.line_index;
      ex.address = static_cast<isa::Word>(addr_);
      if (++lines_ > kMaxProgramLines)
        fatal(it, it.ls.op_offset, fmt::format("the program has more than {} lines (the program size limit), counting "
                                               "included files and expansions", kMaxProgramLines));
      if (!parse(ex, text)) {
        ex.rejected = true;
        continue;
      }
      // A register operand came in parentheses "(r1)": unwrap is automatic (parens make no node).
      if (isa_.find_instruction(ex.ls.op) < 0) {
        ex.rejected = true;
        error(ex, 0, fmt::format("'{}' is not an instruction", ex.ls.op));
        continue;
      }
      advance(ex, 1);
    }
    it.ls.op.clear();  // the expansion items carry the code
  }

  // ---------------------------------------------------------------- evaluation
  std::optional<std::int64_t> eval(Item& it, const OperandSyntax& op, bool early) {
    if (op.is_string) {
      error(it, op.offset, "expected a value, not a string");
      return std::nullopt;
    }
    if (op.base >= 0) {
      error(it, op.offset, "unexpected '(register)' here");
      return std::nullopt;
    }
    return eval_expr(it, op.expr, early);
  }

  std::optional<std::int64_t> lookup(Item& it, const syntax::ExprNode& n, bool early) {
    if (n.text == ".") return static_cast<std::int64_t>(it.address);
    if (auto s = syms_.find(n.text); s != syms_.end()) {
      Symbol& sym = s->second;
      if (sym.state == 2) return sym.value;
      if (sym.state == 3) return std::nullopt;
      if (sym.state == 1) {
        error(it, n.offset, fmt::format("'{}' is defined in terms of itself", n.text));
        sym.state = 3;
        return std::nullopt;
      }
      if (sym_depth_ >= kMaxSymbolNesting) {
        error(it, n.offset, fmt::format("'{}' is defined through more than {} symbols, one in terms of the next "
                                        "(the symbol nesting limit)", n.text, kMaxSymbolNesting));
        sym.state = 3;
        return std::nullopt;
      }
      sym.state = 1;
      ++sym_depth_;
      auto v = eval_expr(*sym.item, sym.expr, early);
      --sym_depth_;
      if (sym.state == 3) return std::nullopt;
      if (!v) { sym.state = early ? 0 : 3; return std::nullopt; }
      sym.state = 2;
      sym.value = *v;
      return v;
    }
    if (auto c = isa_.constants.find(n.text); c != isa_.constants.end()) return static_cast<std::int64_t>(c->second);
    if (isa_.find_register(n.text) >= 0) {
      error(it, n.offset, fmt::format("register '{}' where a value is expected", n.text));
      return std::nullopt;
    }
    error(it, n.offset, early ? fmt::format("'{}' is not defined before this line", n.text)
                              : fmt::format("undefined symbol '{}'", n.text));
    return std::nullopt;
  }

  std::optional<std::int64_t> eval_expr(Item& it, int e, bool early) {
    const auto& n = node(it, e);
    switch (n.kind) {
      case ExprKind::Number:
        // Numbers have up to 32 bits, or the word's bits when the word is wider; with 64-bit
        // words a number above 2^63 - 1 is read as the 64-bit two's-complement value it spells.
        if (n.value > isa::low_bits(std::max(32u, isa_.word_bits))) {
          error(it, n.offset, fmt::format("number does not fit in {} bits", std::max(32u, isa_.word_bits)));
          return std::nullopt;
        }
        return static_cast<std::int64_t>(n.value);
      case ExprKind::Name: return lookup(it, n, early);
      case ExprKind::Unary: {
        auto a = eval_expr(it, n.a, early);
        if (!a) return a;
        if (n.text == "-") {
          std::int64_t r = 0;
          if (__builtin_sub_overflow(std::int64_t{0}, *a, &r)) return overflows(it, n);
          return r;
        }
        if (n.text == "~") return ~*a;
        if (n.text == "!") return *a == 0 ? 1 : 0;
        return a;
      }
      case ExprKind::Binary: {
        auto a = eval_expr(it, n.a, early);
        auto b = eval_expr(it, n.b, early);
        if (!a || !b) return std::nullopt;
        const std::string& o = n.text;
        std::int64_t x = *a, y = *b, r = 0;
        // 64-bit signed arithmetic, checked: a result that does not fit is an error, never a wrap.
        if (o == "+") return __builtin_add_overflow(x, y, &r) ? overflows(it, n) : std::optional<std::int64_t>(r);
        if (o == "-") return __builtin_sub_overflow(x, y, &r) ? overflows(it, n) : std::optional<std::int64_t>(r);
        if (o == "*") return __builtin_mul_overflow(x, y, &r) ? overflows(it, n) : std::optional<std::int64_t>(r);
        if (o == "/" || o == "%") {
          if (y == 0) {
            error(it, n.offset, o == "/" ? "division by zero" : "modulo by zero");
            return std::nullopt;
          }
          if (x == INT64_MIN && y == -1) return o == "/" ? overflows(it, n) : std::optional<std::int64_t>(0);
          return o == "/" ? x / y : x % y;
        }
        if (o == "&") return x & y;
        if (o == "|") return x | y;
        if (o == "^") return x ^ y;
        if (o == "<<") {
          if (y < 0) {
            error(it, n.offset, fmt::format("negative shift count {}", y));
            return std::nullopt;
          }
          if (x == 0) return 0;
          if (y > 63) return overflows(it, n);
          r = static_cast<std::int64_t>(static_cast<std::uint64_t>(x) << y);
          return (r >> y) != x ? overflows(it, n) : std::optional<std::int64_t>(r);
        }
        if (o == ">>" || o == ">>>") return y < 0 || y > 63 ? 0 : x >> y;
        if (o == "==") return x == y;
        if (o == "!=") return x != y;
        if (o == "<") return x < y;
        if (o == "<=") return x <= y;
        if (o == ">") return x > y;
        if (o == ">=") return x >= y;
        if (o == "&&") return x && y;
        if (o == "||") return x || y;
        error(it, n.offset, fmt::format("unknown operator '{}'", o));
        return std::nullopt;
      }
      default:
        error(it, n.offset, "expected a value");
        return std::nullopt;
    }
  }

  /// Reports "constant expression overflows" at the operator of `n`; returns no value.
  std::optional<std::int64_t> overflows(Item& it, const syntax::ExprNode& n) {
    error(it, n.offset, fmt::format("constant expression overflows: the result of '{}' does not fit in 64-bit signed "
                                    "arithmetic", n.text));
    return std::nullopt;
  }

  int register_of(Item& it, int e, std::size_t offset) {
    const auto& n = node(it, e);
    if (n.kind == ExprKind::Name) {
      int r = isa_.find_register(n.text);
      if (r >= 0) return r;
    }
    error(it, offset, fmt::format("expected a register ({} .. {})", isa_.registers.front(), isa_.registers.back()));
    return -1;
  }

  // ---------------------------------------------------------------- pass 2
  void emit(Item& it, std::uint64_t a, isa::Word w, bool code) {
    if (a >= kMaxImage) return;
    if (a >= image_.words.size()) {
      image_.words.resize(a + 1, 0);
      image_.source_of.resize(a + 1, -1);
      image_.is_code.resize(a + 1, false);
      written_by_.resize(a + 1, nullptr);
    }
    if (written_by_[a]) {
      const Item& prev = *written_by_[a];
      error(it, it.ls.op_offset, fmt::format("address {:#x} is already used by line {}", a,
                                             image_.lines[static_cast<std::size_t>(prev.line_index)].line));
      return;
    }
    written_by_[a] = &it;
    image_.words[a] = w & isa_.word_mask();
    image_.source_of[a] = it.line_index;
    image_.is_code[a] = code;
  }

  /// The least value of a `bits`-bit two's-complement number (1 <= bits <= 64).
  static std::int64_t signed_min(unsigned bits) {
    return bits >= 64 ? std::numeric_limits<std::int64_t>::min() : -(std::int64_t{1} << (bits - 1));
  }
  /// The largest value of a `bits`-bit unsigned number, or INT64_MAX when it does not fit in
  /// int64 (bits >= 63; assembler values are 64-bit signed).
  static std::int64_t unsigned_max(unsigned bits) {
    return bits >= 63 ? std::numeric_limits<std::int64_t>::max() : (std::int64_t{1} << bits) - 1;
  }

  std::optional<isa::Word> word_value(Item& it, const OperandSyntax& op) {
    auto v = eval(it, op, false);
    if (!v) return std::nullopt;
    const std::int64_t lo = signed_min(isa_.word_bits), hi = unsigned_max(isa_.word_bits);
    if (*v < lo || *v > hi) {
      error(it, op.offset, fmt::format("value {} does not fit in a {}-bit word", *v, isa_.word_bits));
      return std::nullopt;
    }
    return static_cast<isa::Word>(*v);
  }

  void pass2() {
    for (auto& it : items_) {
      // A statement that pass 1 rejected (a syntax error, a directive's bad operands) has had
      // its error; interpreting it again would read operands it does not have.
      if (it.rejected) continue;
      const std::string op = lower(it.ls.op);
      if (op.empty()) continue;
      std::uint64_t a = it.address;
      auto& ops = it.ls.operands;
      if (op[0] == '.' && !directive_operands_ok(it, op)) continue;
      if (op == ".word") {
        for (auto& o : ops) {
          auto v = word_value(it, o);
          emit(it, a++, v.value_or(0), false);
        }
      } else if (op == ".space") {
        for (std::uint64_t i = 0; i < it.words; ++i) emit(it, a++, 0, false);
      } else if (op == ".ascii" || op == ".asciz") {
        for (unsigned char c : ops[0].text) emit(it, a++, c, false);
        if (op == ".asciz") emit(it, a++, 0, false);
      } else if (op == ".equ") {
        const std::string& name = node(it, ops[0].expr).text;
        auto s = syms_.find(name);
        if (s != syms_.end() && s->second.item == &it) lookup(it, node(it, ops[0].expr), false);
      } else if (op[0] != '.') {
        int idx = isa_.find_instruction(op);
        if (idx >= 0) emit(it, a, encode(it, isa_.instructions[static_cast<std::size_t>(idx)]), true);
      }
    }
    for (auto& [name, s] : syms_)
      if (s.state == 2)  // two's complement in 32 bits, or in the word's bits when the word is wider
        image_.symbols[name] = static_cast<isa::Word>(s.value) & isa::low_bits(std::max(32u, isa_.word_bits));
  }

  isa::Word encode(Item& it, const isa::Instruction& ins) {
    const isa::Format& f = isa_.formats[static_cast<std::size_t>(ins.format)];
    auto& ops = it.ls.operands;
    isa::Word w = ins.match;
    if (ops.size() != ins.operands.size()) {
      error(it, it.ls.op_offset, fmt::format("'{}' takes {} operand{} ({}), not {}", ins.mnemonic, ins.operands.size(),
                                             ins.operands.size() == 1 ? "" : "s", ins.syntax, ops.size()));
      return w;
    }
    auto put = [&](const isa::Field& fl, isa::Word v) {
      w |= (v & isa::low_bits(fl.width)) << fl.shift;  // the loader keeps shift < the word's bits
    };
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const auto& pat = ins.operands[i];
      auto& so = ops[i];
      const isa::Field& fl = f.fields[static_cast<std::size_t>(pat.field)];
      if (so.is_string) { error(it, so.offset, "a string is not an operand of an instruction"); continue; }
      if (pat.base_field >= 0) {
        if (so.base < 0) {
          error(it, so.offset, fmt::format("expected an operand of the form {}(register)", fl.name));
          continue;
        }
        int r = register_of(it, so.base, so.offset);
        if (r >= 0) put(f.fields[static_cast<std::size_t>(pat.base_field)], static_cast<isa::Word>(r));
      } else if (so.base >= 0) {
        error(it, so.offset, "unexpected '(register)': this operand is a plain value");
        continue;
      }
      if (fl.kind == isa::FieldKind::Register) {
        int r = register_of(it, so.expr, so.offset);
        if (r >= 0) put(fl, static_cast<isa::Word>(r));
        continue;
      }
      auto v = eval_expr(it, so.expr, false);
      if (!v) continue;
      std::int64_t x = *v;
      if (pat.pc_relative) x -= static_cast<std::int64_t>(it.address) + 1;
      std::int64_t lo, hi;
      if (fl.kind == isa::FieldKind::Signed) {
        lo = signed_min(fl.width);
        hi = -(lo + 1);
      } else {
        lo = 0;
        hi = unsigned_max(fl.width);
      }
      if (x < lo || x > hi) {
        if (pat.pc_relative)
          error(it, so.offset, fmt::format("branch target is {} words away; '{}' reaches {} .. {}", x, ins.mnemonic, lo, hi));
        else
          error(it, so.offset, fmt::format("value {} is out of range for the {}-bit {} field '{}' ({} .. {})", x,
                                           fl.width, fl.kind == isa::FieldKind::Signed ? "signed" : "unsigned",
                                           fl.name, lo, hi));
        continue;
      }
      put(fl, static_cast<isa::Word>(x));
    }
    return w;
  }
};

}  // namespace

Image assemble_file(const isa::IsaModel& isa, const std::string& path) {
  std::string err;
  auto f = read_source_file(path, err);
  if (!f) throw InputError({Diagnostic{nullptr, 0, err}});
  return Assembler(isa).run(f);
}

Image assemble_text(const isa::IsaModel& isa, const std::string& display_path, const std::string& text,
                    const FileProvider& provider) {
  auto f = std::make_shared<SourceFile>();
  f->path = display_path;
  f->text = text;
  return Assembler(isa, provider).run(f);
}

}  // namespace pgsim::assembler
