#pragma once
// The syntax tree of one ISA description file, as parsed (before names are checked).
#include <memory>
#include <string>
#include <vector>

#include "isa/source.hpp"
#include "isa/syntax.hpp"

namespace pgsim::isa {

/// One field of a `format` declaration: `reg rd 4;`, `simm imm 16;`, `op 8;`, `zero 12;`.
struct FieldDecl {
  std::string kind;  ///< op, reg, simm, uimm, zero
  std::string name;  ///< empty for op/zero
  std::uint64_t width = 0;
  std::size_t offset = 0;
};

/// One top-level declaration. Which members are used depends on `kind`:
/// name(strings[0]); word/memory/reset(numbers[0]); registers(names[0] prefix, numbers[0] count);
/// zero(names[0]); control(names[0], numbers[0] width, numbers[1] reset, flag owned, flag2 and numbers[2]
/// the value a VMM keeps it at while a guest runs); levels(names: most privileged first);
/// guest_kernel(names[0]); psw(names...);
/// trap(names[i] = numbers[i]; flag and body: a `trap ... { }` delivery block); timer(names[0] cause, names[1] enable or empty);
/// cause(names[0], numbers[0], names[1] role or empty); const(names[0], expr);
/// format(names[0], fields); instruction(names[0] mnemonic, strings[0] syntax, names[1] format,
/// numbers[0] opcode, numbers[1] cycles, numbers[2] the intercept bit if declared, flag privileged,
/// names[2] the level after `privileged` (or empty), flag2 replace, where (its `where FIELD =
/// VALUE, ...` items: name, value in width, offset), body);
/// pseudo(names[0], strings[0] syntax, strings[1..] expansion); include(strings[0]);
/// remove(names[0] mnemonic); the items of an `assist { }` block: assist_state and assist_cost
/// (names[i] = numbers[i]), assist_reason(names[0] name, names[1] role, numbers[0] value),
/// assist_levels(numbers[0]); and assist (the block, after its items).
struct Decl {
  std::string kind;
  std::size_t offset = 0;
  std::vector<std::string> names;
  std::vector<std::uint64_t> numbers;
  std::vector<std::size_t> name_offsets;
  std::vector<std::string> strings;
  std::vector<FieldDecl> fields;
  std::vector<FieldDecl> where;  ///< an instruction's fixed fields (sub-opcodes): name = value (in `width`)
  std::vector<int> body;
  int expr = -1;
  bool flag = false, flag2 = false;
};

/// A parsed ISA file: declarations in order, with the pools their expressions live in.
struct IsaSyntax {
  std::shared_ptr<const SourceFile> file;
  syntax::Pool pool;
  std::vector<Decl> decls;
};

/// Parses the text of an ISA file. On a syntax error returns false and appends a diagnostic.
bool parse_isa_syntax(std::shared_ptr<const SourceFile> file, IsaSyntax& out, Diagnostics& diags);

}  // namespace pgsim::isa
