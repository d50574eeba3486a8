// pgsim check: the Popek–Goldberg analysis of an ISA, as a table, theorems and witnesses.
#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "vmm/classifier.hpp"
#include "vmm/witness_report.hpp"

namespace pgsim::cli {
namespace {

using Snap = machine::Machine::Snapshot;

void print_witness(const isa::IsaModel& isa, const vmm::Witness& w) {
  std::fputs(vmm::format_witness(isa, w).c_str(), stdout);
  std::fputs("\n", stdout);
}

nlohmann::json witness_json(const isa::IsaModel& isa, const std::optional<vmm::Witness>& w) {
  if (!w) return nullptr;
  auto state = [&](const Snap& s) {
    nlohmann::json regs = nlohmann::json::array();
    for (std::size_t r = 0; r < isa.registers.size(); ++r) regs.push_back(s.regs[r]);
    nlohmann::json j{{"mode", s.mode}, {"pc", s.pc}, {"base", s.base}, {"bound", s.bound}, {"registers", regs}};
    for (std::size_t c = 0; c < s.controls.size(); ++c) j[isa.controls[c].name] = s.controls[c];
    return j;
  };
  nlohmann::json j{{"property", w->property}, {"word", w->word}, {"instruction", w->instruction},
                   {"differs", w->differs}, {"explanation", w->explanation},
                   {"before_a", state(w->before_a)}, {"after_a", state(w->after_a)}};
  if (w->before_b) {
    j["before_b"] = state(*w->before_b);
    j["after_b"] = state(*w->after_b);
  }
  if (w->property == "location") j["shift"] = w->shift;
  return j;
}

}  // namespace

int run_check(const CheckOptions& o) {
  return guarded([&] {
    auto isa = load_isa_or_default(o.isa);
    vmm::ClassifierOptions co;
    co.seed = o.seed;
    for (auto m : o.only) {
      for (auto& ch : m) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (isa->find_instruction(m) < 0) throw UserError(fmt::format("error: the ISA has no instruction '{}'\n", m));
      co.only.push_back(m);
    }
    auto a = vmm::classify(isa, co);
    if (o.json) {
      nlohmann::json j;
      j["isa"] = a.isa_name;
      j["seed"] = a.seed;
      j["instructions"] = nlohmann::json::array();
      for (const auto& c : a.instructions) {
        j["instructions"].push_back({{"mnemonic", c.mnemonic}, {"privileged", c.privileged},
                                     {"control_sensitive", c.control_sensitive},
                                     {"behavior_sensitive", c.location_sensitive || c.mode_sensitive},
                                     {"location_sensitive", c.location_sensitive}, {"mode_sensitive", c.mode_sensitive},
                                     {"user_sensitive", c.user_sensitive}, {"timing_source", c.timing_source},
                                     {"trials", c.trials}, {"privileged_pairs", c.privileged_pairs},
                                     {"exhaustive", c.exhaustive}, {"witness", witness_json(*isa, vmm::main_witness(c))},
                                     {"notes", c.notes}});
      }
      auto th = [](const vmm::TheoremVerdict& t) { return nlohmann::json{{"holds", t.holds}, {"violations", t.violations}}; };
      j["theorem1"] = th(a.theorem1);
      j["theorem2"] = th(a.theorem2);
      j["theorem3"] = th(a.theorem3);
      j["timing_sources"] = a.timing_sources;
      // Names and texts come from the ISA file: bytes that are not UTF-8 print as U+FFFD.
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return 0;
    }
    std::printf("Popek-Goldberg analysis of %s (%s), seed %llu\n\n", a.isa_name.c_str(), isa->path.c_str(),
                static_cast<unsigned long long>(a.seed));
    std::printf("%-8s %-11s %-9s %-17s %-6s %-7s %-8s %s\n", "instr", "privileged", "control", "behavior (loc/mode)",
                "user", "timing", "verdict", "evidence");
    auto yn = [](bool b) { return b ? "yes" : "-"; };
    for (const auto& c : a.instructions) {
      std::string beh = fmt::format("{}/{}", c.location_sensitive ? "loc" : "-", c.mode_sensitive ? "mode" : "-");
      std::string verdict = c.sensitive() ? (c.privileged ? "ok" : "BREAKS") : (c.timing_source ? "timing" : "innocuous");
      if (c.privileged && !c.sensitive()) verdict = "ok";
      std::string evidence = fmt::format("{} pairs{}", c.privileged_pairs, c.exhaustive ? ", all operands" : ", sampled operands");
      std::printf("%-8s %-11s %-9s %-17s %-6s %-7s %-8s %s\n", c.mnemonic.c_str(), yn(c.privileged),
                  yn(c.control_sensitive), beh.c_str(), yn(c.user_sensitive), yn(c.timing_source), verdict.c_str(),
                  evidence.c_str());
    }
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    std::printf("\nTheorem 1 (sensitive ⊆ privileged): %s\n",
                a.theorem1.holds ? "HOLDS - a VMM can be constructed (trap-and-emulate)."
                                 : ("FAILS - sensitive but not privileged: " + list(a.theorem1.violations)).c_str());
    std::printf("Theorem 3 (user-sensitive ⊆ privileged): %s\n",
                a.theorem3.holds ? "HOLDS - a hybrid VMM can be constructed (interpret virtual-supervisor code)."
                                 : ("FAILS - user-sensitive but not privileged: " + list(a.theorem3.violations)).c_str());
    std::printf("Theorem 2 (recursive virtualizability): %s\n",
                a.theorem2.holds ? "HOLDS - the VMM can run itself, provided it has no timing dependencies."
                                 : "FAILS - it needs Theorem 1.");
    if (!a.timing_sources.empty())
      std::printf("  Timing sources: %s. P&G leave time out of equivalence; a VMM (at any depth) cannot hide how\n"
                  "  long it took, so a guest that acts on these readings may behave differently when nested.\n",
                  list(a.timing_sources).c_str());
    bool any = false;
    for (const auto& c : a.instructions) {
      if (!c.sensitive() || c.privileged) continue;
      if (!any) std::printf("\nWhy, and what can be done:\n\n");
      any = true;
      std::printf("  %s\n", c.mnemonic.c_str());
      for (const auto* w : {&c.control, &c.mode, &c.location})
        if (*w) print_witness(*isa, **w);
      if (c.not_privileged) std::printf("    not privileged: %s.\n", c.not_privileged->explanation.c_str());
      std::printf("    remedies:\n");
      std::printf("      - make %s privileged, so that it traps in user mode (then Theorem 1 can hold);\n", c.mnemonic.c_str());
      if (!c.user_sensitive)
        std::printf("      - a hybrid VMM: interpret the guest's virtual-supervisor code (Theorem 3 holds for %s);\n", c.mnemonic.c_str());
      std::printf("      - paravirtualize: change the guest to call the VMM (a hypercall through svc) instead;\n");
      std::printf("      - binary translation: rewrite %s in the guest's code into a trap or a call before it runs.\n\n", c.mnemonic.c_str());
    }
    for (const auto& c : a.instructions)
      for (const auto& n : c.notes) std::printf("note: %s: %s\n", c.mnemonic.c_str(), n.c_str());
    return 0;
  });
}

}  // namespace pgsim::cli
