#pragma once
// Finds pgsim's data files (the PG-1 ISA, the reference VMM) wherever the build or install put them.
#include <string>

namespace pgsim::vmm {

/// Path of data file `name` ("pg1.isa", "pgvmm.s", "tinyos.s"): $PGSIM_DATA_DIR, then
/// <exe>/../share/pgsim (build tree and install tree alike), then the source tree. Returns ""
/// if none exists. Used by the CLI and the GUI alike.
std::string find_data_file(const std::string& name);

}  // namespace pgsim::vmm
