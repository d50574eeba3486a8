// pgsim check: the Popek–Goldberg analysis of an ISA, as a table, theorems and witnesses.
#include <fmt/format.h>

#include <algorithm>
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
    co.prove = vmm::ClassifierOptions::Prove::Auto;  // proofs within the check's time limit
    if (o.prove) co.prove = vmm::ClassifierOptions::Prove::On;
    if (o.no_prove) co.prove = vmm::ClassifierOptions::Prove::Off;
    auto a = vmm::classify(isa, co);
    auto th = [](const vmm::TheoremVerdict& t) {
      return nlohmann::json{{"holds", t.holds}, {"violations", t.violations}, {"proved", t.proved}, {"states", t.states}};
    };
    auto proved_json = [](const vmm::ProvedProperties& p) {
      return nlohmann::json{{"privileged", p.privileged}, {"strictly_privileged", p.strictly_privileged},
                            {"control_sensitive", p.control}, {"location_sensitive", p.location},
                            {"mode_sensitive", p.mode}, {"trap_mode_sensitive", p.trap_mode},
                            {"owned_sensitive", p.owned}, {"user_sensitive", p.user()}, {"timing_source", p.timing}};
    };
    if (o.json) {
      nlohmann::json j;
      j["isa"] = a.isa_name;
      j["seed"] = a.seed;
      j["instructions"] = nlohmann::json::array();
      for (const auto& c : a.instructions) {
        j["instructions"].push_back({{"mnemonic", c.mnemonic}, {"name", c.name()}, {"selector", c.selector},
                                     {"privileged", c.privileged}, {"strictly_privileged", c.strictly_privileged},
                                     {"control_sensitive", c.control_sensitive},
                                     {"behavior_sensitive", c.behavior_sensitive()},
                                     {"location_sensitive", c.location_sensitive}, {"mode_sensitive", c.mode_sensitive},
                                     {"trap_mode_sensitive", c.trap_mode_sensitive}, {"owned_sensitive", c.owned_sensitive},
                                     {"user_sensitive", c.user_sensitive}, {"timing_source", c.timing_source},
                                     {"states", c.states}, {"trials", c.trials}, {"privileged_pairs", c.privileged_pairs},
                                     {"strict_pairs", c.strict_pairs},
                                     {"exhaustive", c.exhaustive}, {"witness", witness_json(*isa, vmm::main_witness(c))},
                                     {"not_strictly_privileged", witness_json(*isa, c.not_strictly_privileged)},
                                     {"notes", c.notes}, {"proved", c.proved.all()},
                                     {"proved_properties", proved_json(c.proved)}});
        if (isa->levels.size() > 2) {  // every pair of levels that behave differently, by name
          auto pairs = nlohmann::json::array();
          for (auto [x, y] : c.mode_pairs) pairs.push_back({isa->level_name(x), isa->level_name(y)});
          j["instructions"].back()["level_pairs"] = pairs;
        }
      }
      j["levels"] = isa->levels;
      j["guest_kernel"] = isa->level_name(isa->guest_kernel);
      j["theorem1"] = th(a.theorem1);
      j["theorem1_strict"] = th(a.theorem1_strict);
      j["theorem2"] = th(a.theorem2);
      j["theorem3"] = th(a.theorem3);
      j["timing_sources"] = a.timing_sources;
      // Names and texts come from the ISA file: bytes that are not UTF-8 print as U+FFFD.
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return 0;
    }
    std::printf("Popek-Goldberg analysis of %s (%s), seed %llu\n\n", a.isa_name.c_str(), isa->path.c_str(),
                static_cast<unsigned long long>(a.seed));
    // The first column is as wide as the longest name ("csrrw[csr=0x180]"), so columns stay aligned.
    int width = 8;
    for (const auto& c : a.instructions) width = std::max(width, static_cast<int>(c.name().size()));
    std::printf("%-*s %-10s %-6s %-8s %-18s %-5s %-6s %-9s %s\n", width, "instr", "privileged", "strict", "control",
                "behavior (l/m/t/o)", "user", "timing", "verdict", "evidence");
    auto yn = [](bool b) { return b ? "yes" : "-"; };
    for (const auto& c : a.instructions) {
      std::string beh = fmt::format("{}/{}/{}/{}", c.location_sensitive ? "loc" : "-", c.mode_sensitive ? "mode" : "-",
                                    c.trap_mode_sensitive ? "trap" : "-", c.owned_sensitive ? "own" : "-");
      std::string verdict = c.sensitive() ? (c.privileged ? "ok" : "BREAKS") : (c.timing_source ? "timing" : "innocuous");
      if (c.privileged && !c.sensitive()) verdict = "ok";
      if (c.privileged_pairs == 0 && !c.sensitive()) verdict = "untested";  // rests on no pair: never "innocuous"
      // "proved": every property decided by Z3 over all states; else the states it was tested on.
      std::string evidence = c.proved.all() ? std::string("proved")
                                            : fmt::format("tested on {} states{}", c.states,
                                                          c.exhaustive ? ", all operands" : ", sampled operands");
      std::printf("%-*s %-10s %-6s %-8s %-18s %-5s %-6s %-9s %s\n", width, c.name().c_str(), yn(c.privileged),
                  yn(c.strictly_privileged), yn(c.control_sensitive), beh.c_str(), yn(c.user_sensitive),
                  yn(c.timing_source), verdict.c_str(), evidence.c_str());
    }
    std::printf("(privileged: always traps in user mode with the privileged cause; strict: P&G's literal reading, and\n"
                " never traps in supervisor mode. behavior: location / mode / mode through a trap / owned state.\n"
                " proved: by Z3, over all states of the declared state space, for the semantics as compiled.)\n");
    if (isa->levels.size() > 2) {
      // More than P&G's two modes: what "user mode" means above, and each pair of levels that
      // an instruction tells apart.
      std::string lv;
      for (const auto& l : isa->levels) lv += (lv.empty() ? "" : ", ") + l;
      std::printf("Levels %s (most privileged first). A VMM runs at %s and the guest's kernel at %s: \"user mode\"\n"
                  "above means %s and every less privileged level, \"supervisor mode\" %s.\n",
                  lv.c_str(), isa->level_name(0).c_str(), isa->level_name(isa->guest_kernel).c_str(),
                  isa->level_name(isa->guest_kernel).c_str(), isa->level_name(0).c_str());
      bool head = false;
      for (const auto& c : a.instructions) {
        if (c.mode_pairs.empty() || c.privileged) continue;
        if (!head) std::printf("Levels that an unprivileged instruction tells apart (same state, other result or a trap):\n");
        head = true;
        std::string ps;
        for (auto [x, y] : c.mode_pairs) ps += (ps.empty() ? "" : ", ") + isa->level_name(x) + "/" + isa->level_name(y);
        std::printf("  %-*s %s\n", width, c.name().c_str(), ps.c_str());
      }
    }
    auto how = [](const vmm::TheoremVerdict& t) {
      return t.proved ? std::string("(proved)") : fmt::format("(tested on {} states)", t.states);
    };
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    std::printf("\nTheorem 1 (sensitive ⊆ privileged): %s\n",
                a.theorem1.holds ? "HOLDS - a VMM can be constructed (trap-and-emulate)."
                                 : ("FAILS - sensitive but not privileged: " + list(a.theorem1.violations)).c_str());
    std::printf("  %s\n", how(a.theorem1).c_str());
    if (a.theorem1_strict.holds != a.theorem1.holds || a.theorem1_strict.violations != a.theorem1.violations)
      std::printf("  With P&G's strict reading of privileged (never traps in supervisor mode) it %s: %s.\n"
                  "  A trap-and-emulate VMM needs only the user-mode trap; it emulates what supervisor mode does.\n",
                  a.theorem1_strict.holds ? "holds" : "fails", list(a.theorem1_strict.violations).c_str());
    else
      std::printf("  The same with P&G's strict reading of privileged (never traps in supervisor mode).\n");
    std::printf("Theorem 3 (user-sensitive ⊆ privileged): %s\n",
                a.theorem3.holds ? "HOLDS - a hybrid VMM can be constructed (interpret virtual-supervisor code)."
                                 : ("FAILS - user-sensitive but not privileged: " + list(a.theorem3.violations)).c_str());
    std::printf("  %s\n", how(a.theorem3).c_str());
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
      std::printf("  %s\n", c.name().c_str());
      for (const auto* w : {&c.control, &c.mode, &c.trap_mode, &c.owned, &c.location})
        if (*w) print_witness(*isa, **w);
      if (c.not_privileged) std::printf("    not privileged: %s.\n", c.not_privileged->explanation.c_str());
      std::printf("    remedies:\n");
      std::printf("      - make %s privileged, so that it traps in user mode (then Theorem 1 can hold);\n", c.name().c_str());
      if (!c.user_sensitive)
        std::printf("      - a hybrid VMM: interpret the guest's virtual-supervisor code (Theorem 3 holds for %s);\n", c.name().c_str());
      std::printf("      - paravirtualize: change the guest to call the VMM (a hypercall through svc) instead;\n");
      std::printf("      - binary translation: rewrite %s in the guest's code into a trap or a call before it runs.\n\n", c.name().c_str());
    }
    bool strict_any = false;
    for (const auto& c : a.instructions) {
      if (!c.privileged || c.strictly_privileged || !c.not_strictly_privileged) continue;
      if (!strict_any) std::printf("\nPrivileged, but not in P&G's strict reading:\n");
      strict_any = true;
      std::printf("  %s: `%s`: %s.\n", c.name().c_str(), c.not_strictly_privileged->instruction.c_str(),
                  c.not_strictly_privileged->explanation.c_str());
    }
    for (const auto& c : a.instructions)
      for (const auto& n : c.notes) std::printf("note: %s: %s\n", c.name().c_str(), n.c_str());
    return 0;
  });
}

}  // namespace pgsim::cli
