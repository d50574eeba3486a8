#pragma once
// Compiles an instruction's semantics (statements of the ISA language) into bytecode.
#include <string>
#include <vector>

#include "isa/model.hpp"
#include "isa/source.hpp"
#include "isa/syntax.hpp"

namespace pgsim::isa {

/// Compiles `body` (statement indices into `pool`) for an instruction of format `format` of
/// `model` (whose registers, controls and constants are already declared). Unknown names,
/// wrong argument counts and assignments to read-only things are appended to `diags`
/// (offsets into `file`). Constructs that compile but are probably mistakes (a comparison
/// that can never hold, such as `mode == 3` for the 1-bit mode) are appended to `warnings`
/// (Diagnostic::warning set). Returns the program (meaningless if diagnostics were added).
Program compile_semantics(const IsaModel& model, const Format& format, const syntax::Pool& pool,
                          const std::vector<int>& body, std::shared_ptr<const SourceFile> file,
                          Diagnostics& diags, Diagnostics& warnings);

}  // namespace pgsim::isa
