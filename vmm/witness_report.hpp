#pragma once
// Text pictures of the classifier's witnesses: two small state pictures side by side, as the
// CLI (`pgsim check`) and the GUI's ISA view show them.
#include <string>

#include "vmm/classifier.hpp"

namespace pgsim::vmm {

/// The witness as text: what it shows, the states before (and after) side by side, and the
/// components that differ. Lines are indented by `indent` spaces.
std::string format_witness(const isa::IsaModel& isa, const Witness& w, int indent = 4);

/// The witness a table shows for an instruction: control, then mode, mode (trap), owned, location, timing.
const std::optional<Witness>& main_witness(const Classification& c);

}  // namespace pgsim::vmm
