// Passes 1 and 2 of the ISA loader: the machine-wide declarations (name, word, memory, reset,
// registers, zero, control registers, levels, causes, constants, psw, trap, guest_kernel,
// timer) into the model, the checks that need all of them, and the trap block's compilation.
#include "isa/elaborator.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "isa/compile_semantics.hpp"

namespace pgsim::isa::detail {

void Elaborator::elaborate_declarations(IsaModel* m, const std::string& path) {
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
}

void Elaborator::compile_trap_block(IsaModel& m, const IsaSyntax& syn, const Decl& d) {
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

}  // namespace pgsim::isa::detail
