#include "isa/disasm.hpp"

#include <fmt/format.h>

namespace pgsim::isa {

std::string disassemble(const IsaModel& model, isa::Word word, isa::Word address) {
  const Instruction* ins = model.decode(word);
  if (!ins) return fmt::format(".word {:#010x}", word);
  const Format& f = model.formats[static_cast<std::size_t>(ins->format)];
  std::string out = ins->mnemonic;
  bool first = true;
  for (const auto& op : ins->operands) {
    out += first ? " " : ", ";
    first = false;
    const Field& fl = f.fields[static_cast<std::size_t>(op.field)];
    if (fl.kind == FieldKind::Register) {
      out += model.registers[fl.extract(word)];
    } else if (op.pc_relative) {
      out += fmt::format("{}", static_cast<isa::Word>(address + 1 + fl.value(word)) & model.word_mask());
    } else if (fl.kind == FieldKind::Signed) {
      isa::Word v = fl.value(word);
      out += fmt::format("{}", static_cast<isa::SWord>(v));
    } else {
      isa::Word v = fl.value(word);
      out += v > 9 ? fmt::format("{:#x}", v) : fmt::format("{}", v);
    }
    if (op.base_field >= 0)
      out += fmt::format("({})", model.registers[f.fields[static_cast<std::size_t>(op.base_field)].extract(word)]);
  }
  return out;
}

}  // namespace pgsim::isa
