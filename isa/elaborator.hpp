#pragma once
// Internal to isa/ (include it nowhere else): the state the ISA loader's passes share -- the
// parsed files, their declarations in order, the diagnostics found -- and the helpers several
// passes use. Each pass is defined in a file of its own: loader.cpp (the entry points, the
// included files, the order of the passes), elaborate_declarations.cpp, elaborate_assist.cpp,
// const_value.cpp, elaborate_formats.cpp, elaborate_instructions.cpp, elaborate_decoding.cpp.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "isa/isa_syntax.hpp"
#include "isa/model.hpp"
#include "isa/source.hpp"

namespace pgsim::isa::detail {

/// `s` in lower case (ASCII): mnemonics and register names are kept in lower case.
inline std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

inline constexpr std::uint64_t kMaxCycles = kMaxDeclaredCycles;

/// A declaration and the parsed file it stands in.
struct Located {
  const IsaSyntax* syn;
  const Decl* decl;
};

/// Turns the parsed declarations of an ISA description (the file and what it includes) into an
/// IsaModel, collecting every diagnostic in `diags`: add_file() gathers the declarations in
/// order, elaborate() runs the passes over them.
class Elaborator {
 public:
  Diagnostics diags;
  std::size_t includes_ = 0;          ///< include declarations followed (kMaxIncludes)
  std::uint64_t included_bytes_ = 0;  ///< text of the included files, at each inclusion (kMaxIncludedBytes)

  /// Parses `file` and, where they stand, the files it includes (relative to the including file),
  /// appending their declarations to the ones in order; `open` holds the files being read (an
  /// include of one of them is an error at `inc_off` in `includer`). Syntax errors go to `diags`;
  /// the include count and size limits throw InputError.
  void add_file(std::shared_ptr<const SourceFile> file, std::set<std::string>& open, std::size_t inc_off,
                std::shared_ptr<const SourceFile> includer);

  /// Runs the passes over the declarations gathered, in order (declarations, formats,
  /// instructions, decoding, the trap block) and returns the model of the ISA at `path`; errors
  /// go to `diags`.
  std::shared_ptr<IsaModel> elaborate(const std::string& path);

 private:
  std::vector<std::unique_ptr<IsaSyntax>> syntaxes_;
  std::vector<Located> decls_;
  std::map<std::string, std::int64_t> const_values_;  ///< `const` values as computed (signed)
  const IsaSyntax* tb_syn = nullptr;  // the trap block in force (the last `trap ... { }`)
  const Decl* tb_decl = nullptr;

  /// Passes 1, 2 and 2b: the machine-wide declarations (name, word, memory, reset, registers,
  /// zero, controls, levels, causes, constants; then psw, trap, guest_kernel, timer; then the
  /// assist) into `m`, the model being built for the ISA at `path`; finds the trap block in force.
  void elaborate_declarations(IsaModel* m, const std::string& path);
  /// Compiles the trap block `d` (docs/isa-language.md "Trap delivery") into m.trap_block.
  void compile_trap_block(IsaModel& m, const IsaSyntax& syn, const Decl& d);
  std::shared_ptr<const SourceFile> find_file(const std::string& path) const {
    for (auto& s : syntaxes_)
      if (s->file->path == path) return s->file;
    return nullptr;
  }
  static std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
  }
  /// The `assist { ... }` items, in order (a later block's items override earlier ones, so a
  /// variant can include an ISA with an assist and change, say, its nesting limit). Fills
  /// m.assist and exports SD_<FIELD>, SD_WORDS and the exit reasons as constants.
  void elaborate_assist(IsaModel& m);
  static bool reserved(const std::string& n) {
    static const std::set<std::string> r = {"pc", "mode", "base", "bound", "cycles", "insn", "mem", "real"};
    return r.count(n) > 0;
  }
  static int control_index(const IsaModel& m, const std::string& n) {
    for (std::size_t i = 0; i < m.controls.size(); ++i)
      if (m.controls[i].name == n) return static_cast<int>(i);
    return -1;
  }
  /// The operands of a syntax string such as "rd, imm(rs)": split at the commas, blanks trimmed.
  static std::vector<std::string> split_operands(const std::string& s);
  /// The value of constant expression `e` in checked 64-bit signed arithmetic: an overflow
  /// (INT64_MIN / -1 included) or a division by zero is an error, never a wrapped value or a
  /// crash (issue 9). The grammar bounds the tree (grammar::kMaxExprNodes), so the recursion is
  /// shallow.
  std::optional<std::int64_t> const_value(const IsaSyntax& syn, int e, const IsaModel& m);
  /// Pass 3: the `format` declarations into m->formats (field positions, kinds, the opcode field).
  void elaborate_formats(IsaModel* m);
  /// Pass 4: the instructions (with replace and remove) and the pseudos into `m`.
  void elaborate_instructions(IsaModel* m);
  /// The instruction's `where FIELD = VALUE` items (sub-opcodes such as RISC-V's funct3): each
  /// names an immediate or register field of its format that is not an operand of its syntax,
  /// with a value that fits the field; its bits join the opcode in mask/match.
  void fix_where_fields(Instruction& ins, const Format& f, const IsaSyntax& syn, const Decl& d);
  /// The operands of the instruction's syntax (fields of its format `f`) into ins.operands.
  void parse_syntax(Instruction& ins, const Format& f, const IsaSyntax& syn, const Decl& d);
  /// Once every instruction is known: the decode table (an error for two instructions that one
  /// word matches), the constants OP_<MNEMONIC> and INTERCEPT_<MNEMONIC>, and an error for two
  /// instructions with one intercept bit.
  void elaborate_decoding(IsaModel* m);
};

}  // namespace pgsim::isa::detail
