#pragma once
// Loads an ISA description file into an IsaModel.
#include <memory>
#include <string>

#include "isa/model.hpp"
#include "isa/source.hpp"

namespace pgsim::isa {

/// Parses, checks and compiles the ISA file at `path` (following `include`s relative to the
/// including file). Throws InputError with every diagnostic found (syntax errors stop at the
/// first one per file; name, range and encoding errors are all reported).
std::shared_ptr<const IsaModel> load_isa(const std::string& path);

/// The same, from text in memory (`display_path` is used in messages and for includes).
std::shared_ptr<const IsaModel> load_isa_text(const std::string& display_path, const std::string& text);

}  // namespace pgsim::isa
