// Pass 4 of the ISA loader: the `instruction` declarations (with `replace instruction` and
// `remove`) and the pseudos: cycles, privilege level, intercept bit, format and opcode, the
// fixed bits of mask/match (zero fields, register numbers, `where` sub-opcodes), the operands
// of the syntax, and the semantics (compiled by compile_semantics.cpp).
#include "isa/elaborator.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>

#include "isa/compile_semantics.hpp"

namespace pgsim::isa::detail {

void Elaborator::elaborate_instructions(IsaModel* m) {
  // Pass 4: instructions (with replace/remove) and pseudos.
  for (auto& [syn, d] : decls_) {
    auto err = [&, syn = syn](std::size_t off, std::string msg) { diags.push_back({syn->file, off, std::move(msg)}); };
    if (d->kind == "remove") {
      int i = m->find_instruction(d->names[0]);
      if (i < 0) err(d->offset, fmt::format("no instruction '{}' to remove", d->names[0]));
      else m->instructions.erase(m->instructions.begin() + i);
      continue;
    }
    if (d->kind == "pseudo") {
      Pseudo p;
      p.mnemonic = lower(d->names[0]);
      p.syntax = d->strings[0];
      for (auto& part : split_operands(p.syntax)) p.params.push_back(part);
      p.expansion.assign(d->strings.begin() + 1, d->strings.end());
      if (m->find_pseudo(p.mnemonic) >= 0) err(d->offset, fmt::format("pseudo '{}' is declared twice", p.mnemonic));
      m->pseudos.push_back(std::move(p));
      continue;
    }
    if (d->kind != "instruction") continue;
    Instruction ins;
    ins.mnemonic = lower(d->names[0]);
    ins.syntax = d->strings[0];
    if (d->numbers[1] < 1 || d->numbers[1] > kMaxCycles) {
      // Every instruction takes time: with cycles 0, an instruction that does not advance P
      // would run forever within any cycle budget (issue 9).
      err(d->offset, fmt::format("instruction {}: cycles must be 1 to {} (every instruction takes at least one cycle)",
                                 lower(d->names[0]), kMaxCycles));
      continue;
    }
    ins.cycles = static_cast<unsigned>(d->numbers[1]);
    ins.privileged = d->flag;
    if (!d->flag && !d->names[2].empty()) {
      err(d->offset, fmt::format("instruction {}: '{}' after `cycles N`: a level belongs after 'privileged' "
                                 "(privileged {}), and the semantics start with '{{'",
                                 lower(d->names[0]), d->names[2], d->names[2]));
      continue;
    }
    if (d->flag) {
      ins.max_level = 0;
      if (const std::string& lv = d->names[2]; !lv.empty()) {
        int l = m->find_level(lv);
        if (l < 0) {
          err(d->offset, fmt::format("instruction {}: unknown level '{}' after 'privileged' (the levels are {})",
                                     lower(d->names[0]), lv, fmt::join(m->levels, ", ")));
          continue;
        }
        if (static_cast<std::size_t>(l) + 1 == m->levels.size()) {
          err(d->offset, fmt::format("instruction {}: 'privileged {}' never traps ({} is the least privileged "
                                     "level): leave 'privileged' out",
                                     lower(d->names[0]), lv, lv));
          continue;
        }
        ins.max_level = static_cast<isa::Word>(l);
      }
    }
    if (d->numbers.size() > 2) {
      if (!m->assist.present)
        err(d->offset, fmt::format("instruction {}: 'intercept {}' needs an `assist {{ ... }}` block in the ISA "
                                   "(intercept controls belong to interpretive execution)",
                                   lower(d->names[0]), d->numbers[2]));
      else if (d->numbers[2] > 31)
        err(d->offset, fmt::format("instruction {}: intercept bit {} is out of range (0 to 31: a bit of the state "
                                   "description's intercept word)",
                                   lower(d->names[0]), d->numbers[2]));
      else {
        ins.intercept_bit = static_cast<int>(d->numbers[2]);
        ins.intercept = 1u << d->numbers[2];
      }
    }
    ins.decl_offset = d->offset;
    ins.decl_file = syn->file->path;
    auto fit = std::find_if(m->formats.begin(), m->formats.end(), [&, d = d](auto& x) { return x.name == d->names[1]; });
    if (fit == m->formats.end()) {
      err(d->offset, fmt::format("instruction {}: unknown format '{}'", ins.mnemonic, d->names[1]));
      continue;
    }
    ins.format = static_cast<int>(fit - m->formats.begin());
    const Format& f = *fit;
    if (d->numbers[0] > low_bits(m->opcode_width)) {
      err(d->offset, fmt::format("instruction {}: opcode {:#x} does not fit the {}-bit op field", ins.mnemonic,
                                 d->numbers[0], m->opcode_width));
      continue;
    }
    ins.opcode = static_cast<isa::Word>(d->numbers[0]);
    ins.mask = low_bits(m->opcode_width) << m->opcode_shift;
    ins.match = ins.opcode << m->opcode_shift;
    for (const auto& fl : f.fields) {
      isa::Word fm = low_bits(fl.width) << fl.shift;
      if (fl.kind == FieldKind::Zero) ins.mask |= fm;
      if (fl.kind == FieldKind::Register) {
        // Register numbers past the register file do not decode (ILLEGAL).
        std::size_t n = m->registers.size();
        if ((n & (n - 1)) != 0) err(d->offset, "the register count must be a power of two");
        else ins.mask |= (fm & ~(static_cast<isa::Word>(n - 1) << fl.shift));
      }
    }
    parse_syntax(ins, f, *syn, *d);
    fix_where_fields(ins, f, *syn, *d);
    ins.semantics = compile_semantics(*m, f, syn->pool, d->body, syn->file, diags, m->warnings);
    if (ins.semantics.max_stack > 64)
      err(d->offset, fmt::format("instruction {}: its expressions are nested too deeply (more than 64 values)", ins.mnemonic));
    int existing = m->find_instruction(ins.mnemonic);
    if (existing >= 0 && !d->flag2) {
      err(d->offset, fmt::format("instruction {} is declared twice (write 'replace instruction' to redefine it)", ins.mnemonic));
      continue;
    }
    if (existing < 0 && d->flag2) {
      err(d->offset, fmt::format("'replace instruction {}': there is no {} to replace", ins.mnemonic, ins.mnemonic));
      continue;
    }
    // Under interpretive execution the machine checks intercepts and adds the interpretation
    // cost on the bytecode path: such instructions take no dedicated fast path.
    if (m->assist.present && (ins.privileged || ins.intercept)) ins.semantics.fast = FastForm{};
    if (existing >= 0) m->instructions[static_cast<std::size_t>(existing)] = std::move(ins);
    else m->instructions.push_back(std::move(ins));
  }
}

std::vector<std::string> Elaborator::split_operands(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    auto b = cur.find_first_not_of(" \t"), e = cur.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (char c : s) {
    if (c == ',') flush();
    else cur += c;
  }
  flush();
  return out;
}

void Elaborator::fix_where_fields(Instruction& ins, const Format& f, const IsaSyntax& syn, const Decl& d) {
  for (const auto& w : d.where) {
    auto err = [&](const std::string& msg) {
      diags.push_back({syn.file, w.offset, fmt::format("instruction {}: where {}: {}", ins.mnemonic, w.name, msg)});
    };
    const Field* fl = f.find(w.name);
    if (!fl) {
      std::string names;
      for (const auto& x : f.fields)
        if (!x.name.empty()) names += (names.empty() ? "" : ", ") + x.name;
      err(fmt::format("format {} has no field of that name (its named fields: {})", f.name, names.empty() ? "none" : names));
      continue;
    }
    const int index = static_cast<int>(fl - f.fields.data());
    if (std::any_of(ins.operands.begin(), ins.operands.end(),
                    [&](const SyntaxOperand& o) { return o.field == index || o.base_field == index; })) {
      err(fmt::format("the field is an operand of the syntax \"{}\"; a fixed field cannot also be written by the "
                      "program (remove it from the syntax, or from `where`)",
                      ins.syntax));
      continue;
    }
    const isa::Word fm = low_bits(fl->width) << fl->shift;
    if ((ins.mask & fm) != 0) {
      err("its bits are already fixed (a second `where` for the field, or a `zero` field)");
      continue;
    }
    if (w.width > low_bits(fl->width)) {
      err(fmt::format("the value {} does not fit the {}-bit field (0 to {})", w.width, fl->width, low_bits(fl->width)));
      continue;
    }
    ins.mask |= fm;
    ins.match |= static_cast<isa::Word>(w.width) << fl->shift;
  }
}

void Elaborator::parse_syntax(Instruction& ins, const Format& f, const IsaSyntax& syn, const Decl& d) {
  auto err = [&](std::string msg) {
    diags.push_back({syn.file, d.offset, fmt::format("instruction {}: syntax \"{}\": {}", ins.mnemonic, ins.syntax, msg)});
  };
  auto field = [&](std::string n, bool want_reg) -> int {
    const Field* fl = f.find(n);
    if (!fl) { err(fmt::format("'{}' is not a field of format {}", n, f.name)); return -1; }
    bool is_reg = fl->kind == FieldKind::Register;
    if (want_reg && !is_reg) { err(fmt::format("'{}' must be a register field", n)); return -1; }
    return static_cast<int>(fl - f.fields.data());
  };
  for (const auto& part : split_operands(ins.syntax)) {
    SyntaxOperand op;
    std::string p = part;
    if (!p.empty() && p[0] == '@') { op.pc_relative = true; p = p.substr(1); }
    auto lp = p.find('(');
    if (lp != std::string::npos) {
      auto rp = p.find(')', lp);
      if (rp == std::string::npos || rp != p.size() - 1) { err("expected 'field(register)'"); continue; }
      op.field = field(p.substr(0, lp), false);
      op.base_field = field(p.substr(lp + 1, rp - lp - 1), true);
    } else {
      op.field = field(p, false);
    }
    if (op.pc_relative && op.field >= 0 && f.fields[static_cast<std::size_t>(op.field)].kind == FieldKind::Register)
      err("'@' goes with an immediate field");
    ins.operands.push_back(op);
  }
}

}  // namespace pgsim::isa::detail
