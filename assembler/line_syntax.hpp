#pragma once
// The syntax of one assembly line, as parsed by the X3 line grammar (assembler/line_parser.cpp).
#include <optional>
#include <string>
#include <vector>

#include "isa/syntax.hpp"

namespace pgsim::assembler {

/// One operand: `expr`, `expr(base)` or a string literal.
struct OperandSyntax {
  int expr = -1;       ///< expression index (-1 for a string)
  int base = -1;       ///< expression in parentheses after it, or -1
  bool is_string = false;
  std::string text;    ///< the string literal's contents
  std::size_t offset = 0;
};

/// A parsed line: labels, then an optional instruction or directive with operands.
struct LineSyntax {
  std::vector<std::pair<std::string, std::size_t>> labels;  ///< name, offset
  std::string op;          ///< mnemonic, or directive with its dot (".word"); empty if none
  std::size_t op_offset = 0;
  std::vector<OperandSyntax> operands;
};

/// Parses one line (comment already removed). Offsets are relative to `line`.
/// Returns false with `error_offset` and `error` set on a syntax error.
bool parse_line(const std::string& line, syntax::Pool& pool, LineSyntax& out, std::size_t& error_offset,
                std::string& error);

}  // namespace pgsim::assembler
