#pragma once
// Disassembly of instruction words of any described ISA.
#include <cstdint>
#include <string>

#include "isa/model.hpp"

namespace pgsim::isa {

/// Disassembles `word` found at address `address` (used to show branch targets as absolute
/// addresses). Words that decode to no instruction show as ".word 0x...".
std::string disassemble(const IsaModel& model, isa::Word word, isa::Word address);

}  // namespace pgsim::isa
