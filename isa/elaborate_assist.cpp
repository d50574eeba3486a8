// Pass 2b of the ISA loader: the `assist { ... }` block (interpretive execution: the state
// description's layout, the exit reasons, the costs, the nesting limit) into IsaModel::assist.
#include "isa/elaborator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace pgsim::isa::detail {

constexpr std::uint64_t kMaxSdWords = 1024;  ///< longest state description (words)

void Elaborator::elaborate_assist(IsaModel& m) {
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

}  // namespace pgsim::isa::detail
