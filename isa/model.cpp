// The lookups of the ISA model (isa/model.hpp): a format's fields, instructions, pseudos and
// registers by name, a cause's name.
#include "isa/model.hpp"

#include "isa/elaborator.hpp"

namespace pgsim::isa {

const Field* Format::find(const std::string& n) const {
  for (const auto& f : fields)
    if (!f.name.empty() && f.name == n) return &f;
  return nullptr;
}

using detail::lower;

int IsaModel::find_instruction(const std::string& m) const {
  std::string l = lower(m);
  for (std::size_t i = 0; i < instructions.size(); ++i)
    if (instructions[i].mnemonic == l) return static_cast<int>(i);
  return -1;
}
int IsaModel::find_pseudo(const std::string& m) const {
  std::string l = lower(m);
  for (std::size_t i = 0; i < pseudos.size(); ++i)
    if (pseudos[i].mnemonic == l) return static_cast<int>(i);
  return -1;
}
int IsaModel::find_register(const std::string& n) const {
  std::string l = lower(n);
  for (std::size_t i = 0; i < registers.size(); ++i)
    if (registers[i] == l) return static_cast<int>(i);
  return -1;
}
std::string IsaModel::cause_name(isa::Word cause) const {
  for (auto& [n, v] : cause_names)
    if (v == cause) return n;
  return std::to_string(cause);
}

}  // namespace pgsim::isa
