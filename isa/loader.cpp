#include "isa/loader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <set>

#include "isa/compile_semantics.hpp"
#include "isa/isa_syntax.hpp"

namespace pgsim::isa {

const Field* Format::find(const std::string& n) const {
  for (const auto& f : fields)
    if (!f.name.empty() && f.name == n) return &f;
  return nullptr;
}

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
}  // namespace

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

namespace {

constexpr std::uint64_t kMaxCycles = kMaxDeclaredCycles;
constexpr std::uint64_t kMaxSdWords = 1024;  ///< longest state description (words)

struct Located {
  const IsaSyntax* syn;
  const Decl* decl;
};

class Elaborator {
 public:
  Diagnostics diags;
  std::size_t includes_ = 0;          ///< include declarations followed (kMaxIncludes)
  std::uint64_t included_bytes_ = 0;  ///< text of the included files, at each inclusion (kMaxIncludedBytes)

  void add_file(std::shared_ptr<const SourceFile> file, std::set<std::string>& open, std::size_t inc_off,
                std::shared_ptr<const SourceFile> includer) {
    std::string key = std::filesystem::weakly_canonical(file->path).string();
    if (open.count(key)) {
      diags.push_back({includer, inc_off, fmt::format("'{}' includes itself", file->path)});
      return;
    }
    auto syn = std::make_unique<IsaSyntax>();
    if (!parse_isa_syntax(file, *syn, diags)) return;
    open.insert(key);
    const IsaSyntax* s = syn.get();
    syntaxes_.push_back(std::move(syn));
    for (const auto& d : s->decls) {
      if (d.kind == "include") {
        auto dir = std::filesystem::path(file->path).parent_path();
        std::string p = (dir / d.strings[0]).string();
        std::string err;
        if (++includes_ > kMaxIncludes) {
          diags.resize(std::min(diags.size(), kMaxDiagnostics - 1));  // the limit is the error shown last
          diags.push_back({file, d.offset, fmt::format("more than {} include declarations followed (the include count "
                                                       "limit)", kMaxIncludes)});
          throw InputError(diags);
        }
        auto inc = read_source_file(p, err);
        if (!inc) {
          diags.push_back({file, d.offset, fmt::format("cannot include '{}': {}", p, err)});
          continue;
        }
        if ((included_bytes_ += inc->text.size()) > kMaxIncludedBytes) {
          diags.resize(std::min(diags.size(), kMaxDiagnostics - 1));
          diags.push_back({file, d.offset, fmt::format("including '{}' makes the ISA description {} bytes, more than the "
                                                       "limit of {} bytes (every included file counted at each inclusion)",
                                                       d.strings[0], included_bytes_, kMaxIncludedBytes)});
          throw InputError(diags);
        }
        add_file(inc, open, d.offset, file);
      } else {
        decls_.push_back({s, &d});
      }
    }
    open.erase(key);
  }

  std::shared_ptr<IsaModel> elaborate(const std::string& path) {
    auto m = std::make_shared<IsaModel>();
    m->path = path;
    m->registers.clear();
    bool have_psw = false;
    const Located* regs_decl = nullptr;
    const Located* levels_decl = nullptr;
    // Pass 1: machine-wide declarations, in order.
    for (const auto& loc : decls_) {
      const IsaSyntax* syn = loc.syn;
      const Decl* d = loc.decl;
      auto err = [&](std::size_t off, std::string msg) { diags.push_back({syn->file, off, std::move(msg)}); };
      // Numbers that the model keeps in 32 bits must fit (never silently truncated).
      auto fits32 = [&](std::uint64_t v, const char* what) {
        if (v <= 0xffffffffull) return true;
        err(d->offset, fmt::format("{} {} does not fit in 32 bits", what, v));
        return false;
      };
      const std::string& k = d->kind;
      if (k == "name") m->name = d->strings[0];
      else if (k == "word") {
        if (d->numbers[0] < kMinWordBits || d->numbers[0] > kMaxWordBits)
          err(d->offset, fmt::format("word width must be {} to {} bits", kMinWordBits, kMaxWordBits));
        else m->word_bits = static_cast<unsigned>(d->numbers[0]);
      } else if (k == "memory") {
        if (d->numbers[0] < 32 || d->numbers[0] > (1u << 26)) err(d->offset, "memory must be 32 to 67108864 words");
        else m->memory_words = static_cast<isa::Word>(d->numbers[0]);
      } else if (k == "reset") {
        if (fits32(d->numbers[0], "the reset address")) m->reset_pc = static_cast<isa::Word>(d->numbers[0]);
      } else if (k == "registers") {
        if (regs_decl) {
          // A second declaration would silently replace the first (issue 8.16).
          auto [line, col] = regs_decl->syn->file->line_col(regs_decl->decl->offset);
          err(d->offset, fmt::format("the registers are declared twice (first at {}:{}:{})", regs_decl->syn->file->path,
                                     line, col));
          continue;
        }
        if (d->numbers[0] < 1 || d->numbers[0] > 64) { err(d->offset, "1 to 64 registers"); continue; }
        for (std::uint64_t i = 0; i < d->numbers[0]; ++i) m->registers.push_back(lower(d->names[0]) + std::to_string(i));
        regs_decl = &loc;
      } else if (k == "zero") {
        m->zero_register = m->find_register(d->names[0]);
        if (m->zero_register < 0) err(d->offset, fmt::format("unknown register '{}'", d->names[0]));
      } else if (k == "control") {
        ControlRegister c{d->names[0], static_cast<unsigned>(d->numbers[0]), static_cast<isa::Word>(d->numbers[1]), d->flag};
        if (d->numbers[0] < 1 || d->numbers[0] > kMaxWordBits) {
          err(d->offset, fmt::format("control register width must be 1 to {} bits", kMaxWordBits));
          continue;
        }
        if (reserved(c.name)) { err(d->offset, fmt::format("'{}' is a built-in name", c.name)); continue; }
        if (std::any_of(m->controls.begin(), m->controls.end(), [&](auto& x) { return x.name == c.name; })) {
          err(d->offset, fmt::format("control register '{}' is declared twice", c.name));
          continue;
        }
        if (d->numbers[1] > c.mask()) err(d->offset, "reset value does not fit the width");
        if (d->flag2) {
          if (!d->flag)
            err(d->offset, fmt::format("'guest = {}' is the value a VMM keeps owned state at: write 'owned guest = {}'",
                                       d->numbers[2], d->numbers[2]));
          if (d->numbers[2] > c.mask())
            err(d->offset, fmt::format("the guest value {} of '{}' does not fit its {} bits", d->numbers[2], c.name, c.width));
          c.has_guest_value = true;
          c.guest_value = static_cast<isa::Word>(d->numbers[2] & c.mask());
        }
        m->controls.push_back(c);
      } else if (k == "levels") {
        if (levels_decl) {
          auto [line, col] = levels_decl->syn->file->line_col(levels_decl->decl->offset);
          err(d->offset, fmt::format("the levels are declared twice (first at {}:{}:{})", levels_decl->syn->file->path,
                                     line, col));
          continue;
        }
        levels_decl = &loc;
        if (d->names.size() < 2 || d->names.size() > kMaxLevels) {
          err(d->offset, fmt::format("{} privilege level{}: a machine has 2 to {} (the limit), most privileged first",
                                     d->names.size(), d->names.size() == 1 ? "" : "s", kMaxLevels));
          continue;
        }
        m->levels.clear();
        for (std::size_t i = 0; i < d->names.size(); ++i) {
          const std::string& n = d->names[i];
          if (reserved(n) || m->find_level(n) >= 0 || m->constants.count(n)) {
            err(d->offset, fmt::format("level name '{}' is {}", n,
                                       m->find_level(n) >= 0 ? "given twice" : reserved(n) ? "a built-in name" : "already a constant"));
            continue;
          }
          m->levels.push_back(n);
          m->constants[n] = static_cast<isa::Word>(i);  // the level's number, for semantics and assembly
        }
      } else if (k == "cause") {
        if (!fits32(d->numbers[0], fmt::format("cause {}'s value", d->names[0]).c_str())) continue;
        auto v = static_cast<isa::Word>(d->numbers[0]);
        m->constants[d->names[0]] = v;
        const_values_.erase(d->names[0]);
        m->cause_names.emplace_back(d->names[0], v);
        const std::string& role = d->names[1];
        if (role == "privileged") m->causes.privileged = static_cast<int>(v);
        else if (role == "memory") m->causes.memory = static_cast<int>(v);
        else if (role == "illegal") m->causes.illegal = static_cast<int>(v);
        else if (role == "timer") m->causes.timer = static_cast<int>(v);
        else if (!role.empty()) err(d->offset, fmt::format("unknown cause role '{}' (privileged, memory, illegal, timer)", role));
      } else if (k == "const") {
        if (auto v = const_value(*syn, d->expr, *m)) {
          // The value must be a word: -2^(n-1) .. 2^n - 1 for n = 32, or the word's bits when
          // the word is wider (negative values in two's complement; computed in 64 bits).
          const unsigned bits = std::max(32u, m->word_bits);
          const std::int64_t lo = bits >= 64 ? std::numeric_limits<std::int64_t>::min() : -(std::int64_t{1} << (bits - 1));
          const std::int64_t hi = bits >= 63 ? std::numeric_limits<std::int64_t>::max() : (std::int64_t{1} << bits) - 1;
          if (*v < lo || *v > hi)
            err(d->offset, fmt::format("constant {} = {} does not fit in {} bits", d->names[0], *v, bits));
          else {
            m->constants[d->names[0]] = static_cast<isa::Word>(*v) & low_bits(bits);  // two's complement in n bits
            const_values_[d->names[0]] = *v;  // with its sign, for later constant expressions
          }
        }
      }
    }
    if (!regs_decl) diags.push_back({nullptr, 0, fmt::format("{}: the ISA declares no registers", path)});
    // A control register named like a general register could never be read or written: the
    // register wins in the semantics (issue 8.16).
    for (auto& [syn, d] : decls_)
      if (d->kind == "control" && m->find_register(d->names[0]) >= 0)
        diags.push_back({syn->file, d->offset,
                         fmt::format("control register '{}' has the name of a general register: the semantics "
                                     "could never reach it (the register wins); rename it",
                                     d->names[0])});
    // Pass 2: things that refer to controls and causes.
    const IsaSyntax* tb_syn = nullptr;  // the trap block in force (the last `trap ... { }`)
    const Decl* tb_decl = nullptr;
    for (auto& [syn, d] : decls_) {
      auto err = [&, syn = syn](std::size_t off, std::string msg) { diags.push_back({syn->file, off, std::move(msg)}); };
      const std::string& k = d->kind;
      if (k == "psw") {
        have_psw = true;
        m->psw.clear();
        for (const auto& n : d->names) {
          if (n == "mode") m->psw.push_back({PswSlot::Mode});
          else if (n == "pc") m->psw.push_back({PswSlot::Pc});
          else if (n == "base") m->psw.push_back({PswSlot::Base});
          else if (n == "bound") m->psw.push_back({PswSlot::Bound});
          else if (int c = control_index(*m, n); c >= 0) m->psw.push_back({PswSlot::Control, c});
          else err(d->offset, fmt::format("unknown PSW component '{}' (mode, pc, base, bound or a control register)", n));
        }
      } else if (k == "trap") {
        // With a block, the block is the delivery (only `cycles` may be given with it); a later
        // declaration that gives the PSW swap's addresses goes back to the swap; `trap cycles = N;`
        // alone changes only the cost (a variant of an ISA with a block keeps the block).
        if (d->flag) {
          m->trap_block.present = true;
          m->trap_block.file = syn->file->path;
          m->trap_block.offset = d->offset;
          tb_syn = syn;
          tb_decl = d;
          for (const auto& n : d->names)
            if (n == "old_psw" || n == "cause" || n == "info" || n == "new_psw")
              err(d->offset, fmt::format("'trap {} = ...' with a trap block: the block is the delivery and stores "
                                         "what it wants itself (real[a] = ...;); give only 'cycles' with it",
                                         n));
        } else if (std::any_of(d->names.begin(), d->names.end(), [](auto& n) { return n != "cycles"; })) {
          m->trap_block.present = false;
          tb_syn = nullptr;
          tb_decl = nullptr;
        }
        for (std::size_t i = 0; i < d->names.size(); ++i) {
          auto v = static_cast<isa::Word>(d->numbers[i]);
          const auto& n = d->names[i];
          if (d->numbers[i] > 0xffffffffull) {
            err(d->offset, fmt::format("trap {} = {} does not fit in 32 bits", n, d->numbers[i]));
            continue;
          }
          if (n == "old_psw") m->trap_old_psw = v;
          else if (n == "cause") m->trap_cause = v;
          else if (n == "info") m->trap_info = v;
          else if (n == "new_psw") m->trap_new_psw = v;
          else if (n == "cycles") {
            if (d->numbers[i] < 1 || d->numbers[i] > kMaxCycles)
              err(d->offset, fmt::format("the trap sequence's cycles must be 1 to {}", kMaxCycles));
            m->trap_cycles = v;
          }
          else err(d->offset, fmt::format("unknown trap item '{}' (old_psw, cause, info, new_psw, cycles)", n));
        }
      } else if (k == "guest_kernel") {
        int l = m->find_level(d->names[0]);
        if (l < 0)
          err(d->offset, fmt::format("unknown level '{}' (the levels are {})", d->names[0], fmt::join(m->levels, ", ")));
        else if (l == 0)
          err(d->offset, fmt::format("guest_kernel {}: that is the most privileged level, where the VMM itself runs; "
                                     "name a less privileged one",
                                     d->names[0]));
        else
          m->guest_kernel = static_cast<isa::Word>(l);
      } else if (k == "timer") {
        auto it = m->constants.find(d->names[0]);
        if (it == m->constants.end()) err(d->offset, fmt::format("unknown cause '{}'", d->names[0]));
        else m->causes.timer = static_cast<int>(it->second);
        if (!d->names[1].empty()) {
          m->timer_enable = control_index(*m, d->names[1]);
          if (m->timer_enable < 0) err(d->offset, fmt::format("unknown control register '{}'", d->names[1]));
        }
      }
    }
    if (m->psw.size() > 16) diags.push_back({nullptr, 0, fmt::format("{}: a PSW may have at most 16 words", path)});
    // Pass 2b: the assist block(s), once the PSW and the registers are known.
    elaborate_assist(*m);
    if (!have_psw) diags.push_back({nullptr, 0, fmt::format("{}: the ISA declares no psw layout", path)});
    auto need_cause = [&](int c, const char* role) {
      if (c < 0) diags.push_back({nullptr, 0, fmt::format("{}: no cause has the role ({})", path, role)});
    };
    need_cause(m->causes.privileged, "privileged");
    need_cause(m->causes.memory, "memory");
    need_cause(m->causes.illegal, "illegal");
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
    if (tb_decl) compile_trap_block(*m, *tb_syn, *tb_decl);
    return m;
  }

 private:
  std::vector<std::unique_ptr<IsaSyntax>> syntaxes_;
  std::vector<Located> decls_;
  std::map<std::string, std::int64_t> const_values_;  ///< `const` values as computed (signed)

  /// Compiles the trap block `d` (docs/isa-language.md "Trap delivery") into m.trap_block.
  void compile_trap_block(IsaModel& m, const IsaSyntax& syn, const Decl& d) {
    auto err = [&](std::string msg) { diags.push_back({syn.file, d.offset, std::move(msg)}); };
    if (m.assist.present) {
      err("a trap block and an `assist { ... }` block cannot be combined: interpretive execution delivers a "
          "guest's traps with the PSW swap into the guest's own low storage (docs/pg1-assist.md); declare the "
          "PSW swap (trap old_psw = ..., cause = ..., info = ..., new_psw = ..., cycles = ...;) for this ISA");
      return;
    }
    // `cause`, `info` and `epc` are the trap's values in the block: an ISA name they would hide is an error.
    for (const char* n : {"cause", "info", "epc"}) {
      std::string what = m.find_register(n) >= 0                ? "a general register"
                         : control_index(m, n) >= 0             ? "a control register"
                         : m.constants.count(n)                 ? "a constant"
                                                                : "";
      if (!what.empty())
        err(fmt::format("the trap block's '{}' (the trap being delivered) has the name of {} of this ISA, which the "
                        "block could not reach: rename it",
                        n, what));
    }
    m.trap_block.code = isa::compile_trap_block(m, syn.pool, d.body, syn.file, diags, m.warnings);
    if (m.trap_block.code.max_stack > 64) err("the trap block's expressions are nested too deeply (more than 64 values)");
  }
  std::shared_ptr<const SourceFile> find_file(const std::string& path) const {
    for (auto& s : syntaxes_)
      if (s->file->path == path) return s->file;
    return nullptr;
  }
  static std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
  }
  /// The `assist { ... }` items, in order (a later block's items override earlier ones, so a
  /// variant can include an ISA with an assist and change, say, its nesting limit). Fills
  /// m.assist and exports SD_<FIELD>, SD_WORDS and the exit reasons as constants.
  void elaborate_assist(IsaModel& m) {
    Assist& a = m.assist;
    const Located* state = nullptr;
    const Located* block = nullptr;
    std::map<std::string, const Located*> roles;
    for (const auto& loc : decls_) {
      const Decl* d = loc.decl;
      auto err = [&](std::size_t off, std::string msg) { diags.push_back({loc.syn->file, off, std::move(msg)}); };
      if (d->kind == "assist") block = &loc;
      else if (d->kind == "assist_state") state = &loc;
      else if (d->kind == "assist_reason") {
        const std::string& role = d->names[1];
        if (role != "intercept" && role != "validity" && role != "nesting" && role != "preempted") {
          err(d->offset, fmt::format("unknown exit-reason role '{}' (intercept, validity, nesting, preempted)", role));
          continue;
        }
        if (d->numbers[0] > 0xffffffffull) {
          err(d->offset, fmt::format("exit reason {} = {} does not fit in 32 bits", d->names[0], d->numbers[0]));
          continue;
        }
        roles[role] = &loc;
      } else if (d->kind == "assist_cost") {
        for (std::size_t i = 0; i < d->names.size(); ++i) {
          const std::string& n = d->names[i];
          std::uint64_t v = d->numbers[i];
          if (n == "exit") {
            if (v < 1 || v > kMaxCycles) err(d->offset, fmt::format("the cost of a VM exit must be 1 to {} cycles", kMaxCycles));
            else a.exit_cycles = static_cast<unsigned>(v);
          } else if (n == "interpret") {
            if (v > kMaxCycles) err(d->offset, fmt::format("the interpretation cost must be 0 to {} cycles", kMaxCycles));
            else a.interpret_cycles = static_cast<unsigned>(v);
          } else {
            err(d->offset, fmt::format("unknown cost '{}' (exit, interpret)", n));
          }
        }
      } else if (d->kind == "assist_levels") {
        if (d->numbers[0] < 1 || d->numbers[0] > kMaxAssistLevels)
          err(d->offset, fmt::format("levels must be 1 to {} (the hardware's nesting limit)", kMaxAssistLevels));
        else a.levels = static_cast<unsigned>(d->numbers[0]);
      }
    }
    if (!block) return;
    a.present = true;
    auto block_err = [&](std::string msg) { diags.push_back({block->syn->file, block->decl->offset, std::move(msg)}); };
    if (!state) block_err("the assist declares no `state` layout (state psw = 0, regs = 5, ...;)");
    else {
      const Decl* d = state->decl;
      auto err = [&](std::string msg) { diags.push_back({state->syn->file, d->offset, std::move(msg)}); };
      struct F {
        const char* name;
        std::uint32_t* slot;
        std::uint64_t words;
        bool seen = false;
        std::uint64_t at = 0;
      };
      F fs[] = {{"psw", &a.psw, m.psw.size()},         {"regs", &a.regs, m.registers.size()},
                {"timer", &a.timer, 1},                {"pending", &a.pending, 1},
                {"origin", &a.origin, 1},              {"size", &a.size, 1},
                {"intercepts", &a.intercepts, 1},      {"reason", &a.reason, 1},
                {"info", &a.info, 1}};
      for (std::size_t i = 0; i < d->names.size(); ++i) {
        auto it = std::find_if(std::begin(fs), std::end(fs), [&](const F& f) { return d->names[i] == f.name; });
        if (it == std::end(fs)) {
          err(fmt::format("unknown state-description field '{}' (psw, regs, timer, pending, origin, size, intercepts, "
                          "reason, info)",
                          d->names[i]));
          continue;
        }
        if (it->seen) { err(fmt::format("state-description field '{}' is given twice", it->name)); continue; }
        if (d->numbers[i] > kMaxSdWords) {
          err(fmt::format("state-description field '{}' at word {}: the state description may have at most {} words",
                          it->name, d->numbers[i], kMaxSdWords));
          continue;
        }
        it->seen = true;
        it->at = d->numbers[i];
      }
      bool complete = true;
      for (const F& f : fs)
        if (!f.seen) {
          err(fmt::format("the state description has no '{}' field (every one of psw, regs, timer, pending, origin, "
                          "size, intercepts, reason, info is needed)",
                          f.name));
          complete = false;
        }
      if (complete) {
        std::uint64_t end = 0;
        for (const F& f : fs) {
          *f.slot = static_cast<isa::Word>(f.at);
          end = std::max(end, f.at + f.words);
          for (const F& g : fs)
            if (&g < &f && f.at < g.at + g.words && g.at < f.at + f.words)
              err(fmt::format("state-description fields '{}' (words {} to {}) and '{}' (words {} to {}) overlap", g.name,
                              g.at, g.at + g.words - 1, f.name, f.at, f.at + f.words - 1));
        }
        if (end > kMaxSdWords)
          err(fmt::format("the state description would have {} words; at most {}", end, kMaxSdWords));
        a.words = static_cast<isa::Word>(end);
        for (const F& f : fs) m.constants["SD_" + upper(f.name)] = *f.slot;
        m.constants["SD_WORDS"] = a.words;
      }
    }
    for (const char* role : {"intercept", "validity", "nesting", "preempted"}) {
      auto it = roles.find(role);
      if (it == roles.end()) {
        block_err(fmt::format("the assist declares no exit reason with the role ({}) (reason NAME = N ({});)", role, role));
        continue;
      }
      const Decl* d = it->second->decl;
      auto v = static_cast<isa::Word>(d->numbers[0]);
      if (std::string(role) == "intercept") a.intercept = v;
      else if (std::string(role) == "validity") a.validity = v;
      else if (std::string(role) == "nesting") a.nesting = v;
      else a.preempted = v;
      a.reason_names.emplace_back(d->names[0], v);
      m.constants[d->names[0]] = v;
    }
    for (std::size_t i = 0; i < a.reason_names.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (a.reason_names[i].second == a.reason_names[j].second)
          block_err(fmt::format("exit reasons {} and {} have the same value {}", a.reason_names[j].first,
                                a.reason_names[i].first, a.reason_names[i].second));
  }
  static bool reserved(const std::string& n) {
    static const std::set<std::string> r = {"pc", "mode", "base", "bound", "cycles", "insn", "mem", "real"};
    return r.count(n) > 0;
  }
  static int control_index(const IsaModel& m, const std::string& n) {
    for (std::size_t i = 0; i < m.controls.size(); ++i)
      if (m.controls[i].name == n) return static_cast<int>(i);
    return -1;
  }
  static std::vector<std::string> split_operands(const std::string& s) {
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
  /// The value of constant expression `e` in checked 64-bit signed arithmetic: an overflow
  /// (INT64_MIN / -1 included) or a division by zero is an error, never a wrapped value or a
  /// crash (issue 9). The grammar bounds the tree (grammar::kMaxExprNodes), so the recursion is
  /// shallow.
  std::optional<std::int64_t> const_value(const IsaSyntax& syn, int e, const IsaModel& m) {
    const auto& n = syn.pool.exprs[static_cast<std::size_t>(e)];
    using syntax::ExprKind;
    auto sub = [&](int i) { return const_value(syn, i, m); };
    auto overflow = [&]() -> std::optional<std::int64_t> {
      diags.push_back({syn.file, n.offset, "constant expression overflows (64-bit signed arithmetic)"});
      return std::nullopt;
    };
    switch (n.kind) {
      case ExprKind::Number:
        if (n.value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return overflow();
        return static_cast<std::int64_t>(n.value);
      case ExprKind::Name:
        if (auto it = const_values_.find(n.text); it != const_values_.end()) return it->second;
        if (auto it = m.constants.find(n.text); it != m.constants.end()) return it->second;
        diags.push_back({syn.file, n.offset, fmt::format("unknown constant '{}'", n.text)});
        return std::nullopt;
      case ExprKind::Cond: {  // c ? a : b: only the chosen operand is computed
        auto c = sub(n.args[0]);
        if (!c) return c;
        return sub(n.args[*c != 0 ? 1 : 2]);
      }
      case ExprKind::Unary: {
        auto a = sub(n.a);
        if (!a) return a;
        if (n.text == "-") {
          std::int64_t r;
          if (__builtin_sub_overflow(std::int64_t{0}, *a, &r)) return overflow();
          return r;
        }
        if (n.text == "~") return ~*a;
        if (n.text == "!") return *a == 0 ? 1 : 0;
        return a;
      }
      case ExprKind::Binary: {
        auto a = sub(n.a), b = sub(n.b);
        if (!a || !b) return std::nullopt;
        const std::string& o = n.text;
        const std::int64_t x = *a, y = *b;
        std::int64_t r = 0;
        if (o == "+") { if (__builtin_add_overflow(x, y, &r)) return overflow(); return r; }
        if (o == "-") { if (__builtin_sub_overflow(x, y, &r)) return overflow(); return r; }
        if (o == "*") { if (__builtin_mul_overflow(x, y, &r)) return overflow(); return r; }
        if (o == "&") return x & y;
        if (o == "|") return x | y;
        if (o == "^") return x ^ y;
        if (o == "<<" || o == ">>" || o == ">>>") {
          if (y < 0 || y > 63) {
            diags.push_back({syn.file, n.offset, fmt::format("shift by {}: the shift must be 0 to 63", y)});
            return std::nullopt;
          }
          if (o == ">>>") return x >> y;  // arithmetic
          if (o == ">>") {
            if (x < 0) {
              diags.push_back({syn.file, n.offset, "'>>' (logical) of a negative constant: use '>>>' (arithmetic)"});
              return std::nullopt;
            }
            return x >> y;
          }
          // x << y without leaving the 64-bit signed range.
          if (x != 0 && (y >= 63 || x > (std::numeric_limits<std::int64_t>::max() >> y) ||
                         x < (std::numeric_limits<std::int64_t>::min() >> y)))
            return overflow();
          return static_cast<std::int64_t>(static_cast<std::uint64_t>(x) << y);
        }
        if ((o == "/" || o == "%") && y == 0) {
          diags.push_back({syn.file, n.offset, "division by zero in a constant expression"});
          return std::nullopt;
        }
        if ((o == "/" || o == "%") && x == std::numeric_limits<std::int64_t>::min() && y == -1) return overflow();
        if (o == "/") return x / y;
        if (o == "%") return x % y;
        diags.push_back({syn.file, n.offset, fmt::format("operator '{}' is not allowed in a constant", o)});
        return std::nullopt;
      }
      default:
        diags.push_back({syn.file, n.offset, "not a constant expression"});
        return std::nullopt;
    }
  }
  /// The instruction's `where FIELD = VALUE` items (sub-opcodes such as RISC-V's funct3): each
  /// names an immediate or register field of its format that is not an operand of its syntax,
  /// with a value that fits the field; its bits join the opcode in mask/match.
  void fix_where_fields(Instruction& ins, const Format& f, const IsaSyntax& syn, const Decl& d) {
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
  void parse_syntax(Instruction& ins, const Format& f, const IsaSyntax& syn, const Decl& d) {
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
};

std::shared_ptr<const IsaModel> load(std::shared_ptr<const SourceFile> file) {
  Elaborator e;
  std::set<std::string> open;
  e.add_file(file, open, 0, nullptr);
  if (!e.diags.empty()) throw InputError(e.diags);
  auto m = e.elaborate(file->path);
  if (!e.diags.empty()) throw InputError(e.diags);
  return m;
}

}  // namespace

std::shared_ptr<const IsaModel> load_isa(const std::string& path) {
  std::string err;
  auto f = read_source_file(path, err);
  if (!f) throw InputError({Diagnostic{nullptr, 0, fmt::format("cannot load the ISA: {}", err)}});
  return load(f);
}

std::shared_ptr<const IsaModel> load_isa_text(const std::string& display_path, const std::string& text) {
  auto f = std::make_shared<SourceFile>();
  f->path = display_path;
  f->text = text;
  return load(f);
}

}  // namespace pgsim::isa
