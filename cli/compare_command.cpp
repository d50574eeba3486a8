// pgsim compare: the same workloads on the bare machine and under each monitor, one table of
// what each costs (vmm/comparison.hpp; Adams & Agesen, ASPLOS 2006).
#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "assembler/assembler.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "vmm/comparison.hpp"
#include "vmm/data_files.hpp"
#include "vmm/monitor_catalog.hpp"

namespace pgsim::cli {
namespace {

nlohmann::json to_json(const vmm::Measurement& m, const vmm::Measurement& bare) {
  nlohmann::json j{{"ran", m.ran}};
  if (!m.note.empty()) j["note"] = m.note;
  if (!m.ran) return j;
  j["halted"] = m.halted;
  j["reason"] = m.stop;
  j["console_matches_bare"] = m.console_matches;
  j["real_traps"] = m.real_traps;
  j["real_instructions"] = m.real_instructions;
  j["cycles"] = m.cycles;
  j["guest_instructions"] = m.guest_instructions;
  if (bare.ran && bare.cycles) j["cycles_ratio_to_bare"] = static_cast<double>(m.cycles) / static_cast<double>(bare.cycles);
  return j;
}

void print_cell(const std::string& technique, const vmm::Measurement& m, const vmm::Measurement& bare) {
  if (!m.ran) {
    std::string why = m.note.substr(0, m.note.find('\n'));
    std::printf("  %-18s %s\n", technique.c_str(), ("did not run: " + why).c_str());
    return;
  }
  std::string ratio = bare.ran && bare.cycles ? fmt::format("{:.2f}", static_cast<double>(m.cycles) / bare.cycles) : "-";
  std::string remark = !m.halted ? m.stop : "";
  if (!m.console_matches) {
    // The first line of what it printed instead often says why (a monitor's message).
    std::string first = m.console.substr(0, m.console.find('\n'));
    if (first.size() > 70) first = first.substr(0, 67) + "...";
    remark += (remark.empty() ? "" : "; ") + fmt::format("console differs from bare: {:?}", first);
  }
  if (!m.note.empty()) remark += (remark.empty() ? "" : "; ") + m.note;
  std::printf("  %-18s %12llu %14llu %14llu %9s  %s\n", technique.c_str(),
              static_cast<unsigned long long>(m.real_traps), static_cast<unsigned long long>(m.real_instructions),
              static_cast<unsigned long long>(m.cycles), ratio.c_str(), remark.c_str());
}

}  // namespace

int run_compare(const CompareOptions& o) {
  return guarded([&] {
    auto isa = load_isa_or_default(o.isa);
    std::vector<vmm::Workload> workloads;
    try {
      if (o.programs.empty()) {
        workloads = vmm::default_workloads();
      } else {
        for (const auto& p : o.programs) {
          std::string path = vmm::find_program(p);
          workloads.push_back({std::filesystem::path(path).stem().string(), path, "given on the command line"});
        }
      }
    } catch (const vmm::DataNotFound& e) {
      throw UserError(e.what());
    }
    std::vector<vmm::ComparedMonitor> monitors;
    try {
      monitors = vmm::compared_monitors(isa, o.isa, o.monitors);
    } catch (const vmm::DataNotFound& e) {
      throw UserError(e.what());
    }
    vmm::ComparisonOptions co;
    co.depth = o.depth;
    co.memory = o.memory;
    co.max_cycles = o.max_cycles;
    auto rows = vmm::compare(isa, workloads, monitors, co);

    if (o.json) {
      nlohmann::json j{{"isa", isa->name}, {"depth", o.depth}, {"max_cycles", o.max_cycles},
                       {"workloads", nlohmann::json::array()}};
      for (const auto& r : rows) {
        nlohmann::json w{{"name", r.workload.name}, {"program", r.workload.program}, {"kind", r.workload.kind},
                         {"bare", to_json(r.bare, r.bare)}, {"monitors", nlohmann::json::object()}};
        for (std::size_t i = 0; i < monitors.size(); ++i) {
          w["monitors"][monitors[i].name] = to_json(r.monitors[i], r.bare);
          if (monitors[i].isa) w["monitors"][monitors[i].name]["isa"] = monitors[i].isa->name;
        }
        j["workloads"].push_back(w);
      }
      std::puts(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      return 0;
    }
    std::printf("%s, each monitor at depth %u (it and the levels below it are the same monitor)\n\n", isa->name.c_str(),
                o.depth);
    for (const auto& r : rows) {
      std::printf("%s -- %s\n", r.workload.name.c_str(), r.workload.kind.c_str());
      std::printf("  %-18s %12s %14s %14s %9s\n", "technique", "real traps", "real instr.", "cycles", "x bare");
      print_cell("bare machine", r.bare, r.bare);
      for (std::size_t i = 0; i < monitors.size(); ++i) print_cell(monitors[i].name, r.monitors[i], r.bare);
      std::puts("");
    }
    std::puts("real traps and instructions are the real machine's, every level's together; x bare = cycles / bare cycles");
    return 0;
  });
}

}  // namespace pgsim::cli
