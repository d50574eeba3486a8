#pragma once
// The table-driven two-pass assembler: any ISA described in isa/ assembles, with no code per ISA.
// Syntax: PG1.md "Assembly syntax (any ISA)".
#include <functional>
#include <optional>
#include <string>

#include "assembler/image.hpp"

namespace pgsim::assembler {

/// Assembles the file at `path` for `isa` (following .include relative to each file).
/// Throws InputError carrying every error of every line (file:line:col, source, caret).
Image assemble_file(const isa::IsaModel& isa, const std::string& path);

/// Text of a file by path, when an editor holds a newer version than the disk; nullopt: read the disk.
using FileProvider = std::function<std::optional<std::string>(const std::string& path)>;

/// The same for text in memory; `display_path` names it in messages and anchors .include.
/// `provider` (optional) supplies the text of included files that are being edited.
Image assemble_text(const isa::IsaModel& isa, const std::string& display_path, const std::string& text,
                    const FileProvider& provider = {});

}  // namespace pgsim::assembler
