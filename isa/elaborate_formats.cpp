// Pass 3 of the ISA loader: the `format` declarations (each field's bits and kind, the one
// opcode field every format shares) into IsaModel::formats.
#include "isa/elaborator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace pgsim::isa::detail {

void Elaborator::elaborate_formats(IsaModel* m) {
  // Pass 3: formats.
  bool opcode_known = false;
  for (auto& [syn, d] : decls_) {
    if (d->kind != "format") continue;
    auto err = [&, syn = syn](std::size_t off, std::string msg) { diags.push_back({syn->file, off, std::move(msg)}); };
    Format f;
    f.name = d->names[0];
    // Each width is at most the word, so the sum (in 64 bits) cannot wrap around: widths
    // such as 8 + 64 + 4294967256 never "add up" to 32 (issue 9).
    std::uint64_t total = 0;
    bool widths_ok = true;
    for (const auto& fd : d->fields) {
      if (fd.width > m->word_bits) {
        err(fd.offset, fmt::format("format {}: a {}-bit field is wider than the {}-bit word", f.name, fd.width, m->word_bits));
        widths_ok = false;
      }
      total += std::min<std::uint64_t>(fd.width, 64);
    }
    if (!widths_ok) continue;
    if (total != m->word_bits) {
      err(d->offset, fmt::format("format {}: field widths add up to {} bits, but a word is {} bits", f.name, total, m->word_bits));
      continue;
    }
    unsigned pos = static_cast<unsigned>(total);
    int ops = 0;
    for (const auto& fd : d->fields) {
      Field fl;
      fl.name = fd.name;
      fl.width = static_cast<unsigned>(fd.width);
      if (fl.width == 0) { err(fd.offset, "a field needs at least one bit"); fl.width = 1; }
      pos -= std::min(pos, fl.width);
      fl.shift = pos;
      if (fd.kind == "op") { fl.kind = FieldKind::Opcode; ++ops; }
      else if (fd.kind == "reg") fl.kind = FieldKind::Register;
      else if (fd.kind == "simm") fl.kind = FieldKind::Signed;
      else if (fd.kind == "uimm") fl.kind = FieldKind::Unsigned;
      else fl.kind = FieldKind::Zero;
      if (fl.kind == FieldKind::Register && (1ull << fl.width) < m->registers.size())
        err(fd.offset, fmt::format("a {}-bit field cannot name all {} registers", fl.width, m->registers.size()));
      if (!fl.name.empty() && (f.find(fl.name) || reserved(fl.name)))
        err(fd.offset, fmt::format("field name '{}' is already used", fl.name));
      // A field shadows a register or a control register of the same name in the semantics
      // of every instruction of this format (issue 8.16): `r1` would not mean register r1.
      else if (!fl.name.empty() && m->find_register(fl.name) >= 0)
        err(fd.offset, fmt::format("field name '{}' is the name of a general register: in the semantics it would "
                                   "hide the register; rename the field",
                                   fl.name));
      else if (!fl.name.empty() && control_index(*m, fl.name) >= 0)
        err(fd.offset, fmt::format("field name '{}' is the name of a control register: in the semantics it would "
                                   "hide the control register; rename the field",
                                   fl.name));
      if (fl.kind == FieldKind::Opcode) {
        if (fl.width > 16) err(fd.offset, "the opcode field may be at most 16 bits");
        else if (!opcode_known) { m->opcode_shift = fl.shift; m->opcode_width = fl.width; opcode_known = true; }
        else if (fl.shift != m->opcode_shift || fl.width != m->opcode_width)
          err(fd.offset, "every format must have its opcode field at the same bits");
      }
      f.fields.push_back(fl);
    }
    if (ops != 1) { err(d->offset, fmt::format("format {} needs exactly one op field", f.name)); continue; }
    if (std::any_of(m->formats.begin(), m->formats.end(), [&](auto& x) { return x.name == f.name; })) {
      err(d->offset, fmt::format("format {} is declared twice", f.name));
      continue;
    }
    m->formats.push_back(std::move(f));
  }
}

}  // namespace pgsim::isa::detail
