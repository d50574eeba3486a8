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

/// Compiles a `trap { ... }` block (docs/isa-language.md "Trap delivery"; isa::TrapBlock) for
/// `model`: as compile_semantics, without instruction fields, with the trap's values `cause`,
/// `info` and `epc`. Names and statements a delivery may not use (`pc` as a value, `insn`,
/// `cycles`, `in()`, halt, trap_after, out, stimer, loadpsw, storepsw, vmentry) are errors in
/// `diags` that say so. The program never has a fast form.
Program compile_trap_block(const IsaModel& model, const syntax::Pool& pool, const std::vector<int>& body,
                           std::shared_ptr<const SourceFile> file, Diagnostics& diags, Diagnostics& warnings);

}  // namespace pgsim::isa
