#pragma once
// Syntax trees produced by the Spirit X3 parsers (ISA files and assembly lines):
// expressions and statements kept in flat pools and referred to by index.
#include <cstdint>
#include <string>
#include <vector>

namespace pgsim::syntax {

/// Kinds of expression nodes.
enum class ExprKind : std::uint8_t {
  Number,   ///< integer literal (value)
  Name,     ///< identifier (text); "." is the assembler's current address
  Call,     ///< text(args...)
  Index,    ///< text[args[0]]   (mem[...] / real[...] in ISA semantics)
  Unary,    ///< text = "-", "~", "!", "+"; a = operand
  Binary,   ///< text = operator; a, b = operands
  String,   ///< string literal (text), only as a directive operand
  Cond,     ///< c ? a : b (ISA semantics and constants): args = {c, a, b}
};

/// One expression node. `offset` is the byte offset in the source text where it starts.
struct ExprNode {
  ExprKind kind = ExprKind::Number;
  std::uint64_t value = 0;
  std::string text;
  int a = -1, b = -1;
  std::vector<int> args;
  std::size_t offset = 0;
  std::uint32_t size = 1;  ///< nodes in this subtree (the grammar limits it: grammar::kMaxExprNodes)
};

/// Kinds of statement nodes (ISA semantics only).
enum class StmtKind : std::uint8_t {
  Expr,    ///< a call or bare name used as a statement: trap(..), halt
  Assign,  ///< lhs op rhs, op is "=", "+=", "-=" ...
  If,      ///< if (cond) body else else_body
  Let,     ///< let name = rhs; (a block-scoped temporary): lhs = the Name node of its name
  /// for name in lo .. hi { body } (a bounded loop, unrolled when compiled): lhs = the Name node
  /// of the loop variable, rhs = lo, cond = hi (constant expressions, both bounds included);
  /// op = "reverse" when it counts down from hi to lo, else "".
  For,
};

/// One statement node.
struct StmtNode {
  StmtKind kind = StmtKind::Expr;
  int lhs = -1, rhs = -1, cond = -1;
  std::string op;
  std::vector<int> body, else_body;
  std::size_t offset = 0;
};

/// The pools a parse fills; indices into them are what the grammars' rules return.
struct Pool {
  std::vector<ExprNode> exprs;
  std::vector<StmtNode> stmts;
  int add(ExprNode n) { exprs.push_back(std::move(n)); return static_cast<int>(exprs.size()) - 1; }
  int add(StmtNode n) { stmts.push_back(std::move(n)); return static_cast<int>(stmts.size()) - 1; }
};

}  // namespace pgsim::syntax
