// The ISA loader's last pass over the instructions: the decode table (one opcode's instructions
// chained by their `where` sub-opcodes; an error where one word would match two), the OP_ and
// INTERCEPT_ constants, and one instruction per intercept bit.
#include "isa/elaborator.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace pgsim::isa::detail {

void Elaborator::elaborate_decoding(IsaModel* m) {
  // Decode table: per opcode value, the first of the instructions with that opcode; the
  // others (sub-opcodes: `where` fields) follow in decode_next. No word may match two.
  m->decode_table.assign(std::size_t{1} << m->opcode_width, -1);
  m->decode_next.assign(m->instructions.size(), -1);
  for (std::size_t i = 0; i < m->instructions.size(); ++i) {
    auto& ins = m->instructions[i];
    std::int16_t* slot = &m->decode_table[ins.opcode];
    bool overlaps = false;
    for (; *slot >= 0; slot = &m->decode_next[static_cast<std::size_t>(*slot)]) {
      auto& other = m->instructions[static_cast<std::size_t>(*slot)];
      if (((ins.match ^ other.match) & ins.mask & other.mask) != 0) continue;  // a fixed bit tells them apart
      diags.push_back({find_file(ins.decl_file), ins.decl_offset,
                       fmt::format("instruction {}: encoding overlaps {} (both have opcode {:#x}); no `where` field "
                                   "fixes a bit that tells them apart: give each a `where FIELD = VALUE` of its own",
                                   ins.mnemonic, other.mnemonic, ins.opcode)});
      overlaps = true;
      break;
    }
    if (!overlaps) *slot = static_cast<std::int16_t>(i);
  }
  for (auto& ins : m->instructions) m->constants["OP_" + upper(ins.mnemonic)] = ins.opcode;
  // Two instructions with one intercept bit could not be told apart by a monitor.
  for (std::size_t i = 0; i < m->instructions.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      auto &a = m->instructions[i], &b = m->instructions[j];
      if (a.intercept && a.intercept == b.intercept)
        diags.push_back({find_file(a.decl_file), a.decl_offset,
                         fmt::format("instruction {}: intercept bit {} is also {}'s (each bit names one instruction)",
                                     a.mnemonic, a.intercept_bit, b.mnemonic)});
    }
  for (auto& ins : m->instructions)
    if (ins.intercept) m->constants["INTERCEPT_" + upper(ins.mnemonic)] = ins.intercept;
}

}  // namespace pgsim::isa::detail
