#pragma once
// The table-driven two-pass assembler: any ISA described in isa/ assembles, with no code per ISA.
// Syntax: PG1.md "Assembly syntax (any ISA)".
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "assembler/image.hpp"

namespace pgsim::assembler {

// Limits of one assembly. Reaching one is an error that names it (file:line:col where there is
// a line), so that no program, however large or wrong, can exhaust the host's memory or time.
/// Addresses of a program: the image holds words 0 .. kMaxImageWords - 1.
inline constexpr std::uint64_t kMaxImageWords = std::uint64_t{1} << 24;
/// Statements of a program: source lines of every file read, plus the lines of pseudo expansions.
inline constexpr std::size_t kMaxProgramLines = 500'000;
/// Source text of a program in bytes: its file and every included file, counted at each inclusion.
/// (.include directives followed: at most pgsim::kMaxIncludes, isa/source.hpp.)
inline constexpr std::uint64_t kMaxProgramBytes = kMaxIncludedBytes;
/// Symbols defined in terms of symbols (.equ a, b + 1; .equ b, c + 1; ...), nested.
inline constexpr std::size_t kMaxSymbolNesting = 1000;
/// Conditional-assembly blocks (.ifdef / .ifndef ... .endif) open at once, in one file.
inline constexpr std::size_t kMaxConditionalNesting = 64;

/// Assembles the file at `path` for `isa` (following .include relative to each file).
/// Throws InputError carrying every error of every line (file:line:col, source, caret), at most
/// kMaxDiagnostics of them; a path that is not a readable regular file, or a limit above, is an error.
Image assemble_file(const isa::IsaModel& isa, const std::string& path);

/// Text of a file by path, when an editor holds a newer version than the disk; nullopt: read the disk.
using FileProvider = std::function<std::optional<std::string>(const std::string& path)>;

/// The same for text in memory; `display_path` names it in messages and anchors .include.
/// `provider` (optional) supplies the text of included files that are being edited.
Image assemble_text(const isa::IsaModel& isa, const std::string& display_path, const std::string& text,
                    const FileProvider& provider = {});

}  // namespace pgsim::assembler
