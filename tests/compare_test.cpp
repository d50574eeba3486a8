// `pgsim compare` and vmm/comparison: the same workloads bare and under each monitor.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "assembler/assembler.hpp"
#include "helpers.hpp"
#include "vmm/comparison.hpp"
#include "vmm/monitor_catalog.hpp"

using namespace pgsim;
using pgsim::test::source_path;

namespace {
std::vector<vmm::Workload> workloads() {
  return {{"compute", source_path("examples/os/compute.s"), ""},
          {"syscalls", source_path("examples/os/syscalls.s"), ""},
          {"critical", source_path("examples/os/critical.s"), ""},
          {"tinyos", source_path("examples/os/tinyos.s"), ""}};
}
}  // namespace

TEST_CASE("compare: under trap-and-emulate every workload prints what it prints bare, at a cost that follows its traps",
          "[compare]") {
  std::vector<vmm::ComparedMonitor> mons{{"trap-and-emulate", test::reference_vmm(), {}}};
  auto rows = vmm::compare(test::pg1(), workloads(), mons, {});
  REQUIRE(rows.size() == 4);
  for (const auto& r : rows) {
    INFO(r.workload.name);
    REQUIRE(r.bare.ran);
    CHECK(r.bare.halted);
    CHECK_FALSE(r.bare.console.empty());
    REQUIRE(r.monitors.size() == 1);
    const auto& t = r.monitors[0];
    REQUIRE(t.ran);
    CHECK(t.halted);
    CHECK(t.console_matches);
    CHECK(t.cycles > r.bare.cycles);               // the monitor's work is on top of the guest's
    // The guest's own code ran directly, except the privileged instructions the monitor emulated.
    CHECK(t.guest_instructions <= r.bare.guest_instructions);
    CHECK(t.guest_instructions + t.real_traps >= r.bare.guest_instructions);
  }
  // The workloads stress what their names say: the cli/sti kernel has no trap bare and at least
  // one per lpsw under trap-and-emulate (two per section); the compute task has almost none.
  const auto& critical = rows[2];
  CHECK(critical.bare.real_traps == 0);
  CHECK(critical.monitors[0].real_traps >= 2000);
  const auto& compute = rows[0];
  CHECK(compute.monitors[0].real_traps < 100);
  double compute_ratio = double(compute.monitors[0].cycles) / double(compute.bare.cycles);
  double critical_ratio = double(critical.monitors[0].cycles) / double(critical.bare.cycles);
  CHECK(compute_ratio < 1.1);
  CHECK(critical_ratio > 5 * compute_ratio);
}

TEST_CASE("compare: a monitor runs a workload's port for it when one exists beside the workload", "[compare]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "pgsim-compare-port";
  fs::create_directories(dir);
  std::ofstream(dir / "work.s") << "        .org RESET\n        li r1, 'a'\n        out r1\n        halt\n";
  std::ofstream(dir / "work-trap-and-emulate.s") << "        .org RESET\n        li r1, 'a'\n        out r1\n        out r1\n        halt\n";
  vmm::Workload w{"work", (dir / "work.s").string(), ""};
  CHECK(vmm::program_for(w, "trap-and-emulate") == (dir / "work-trap-and-emulate.s").string());
  CHECK(vmm::program_for(w, "other") == w.program);
  auto rows = vmm::compare(test::pg1(), {w}, {{"trap-and-emulate", test::reference_vmm(), {}}, {"broken", nullptr, "no"}}, {});
  REQUIRE(rows[0].monitors.size() == 2);
  CHECK(rows[0].monitors[0].console == "aa");  // the port ran ...
  CHECK_FALSE(rows[0].monitors[0].console_matches);  // ... and the table says its output differs
  CHECK_THAT(rows[0].monitors[0].note, Catch::Contains("work-trap-and-emulate.s"));
  CHECK_FALSE(rows[0].monitors[1].ran);
  CHECK(rows[0].monitors[1].note == "no");
  fs::remove_all(dir);
}

TEST_CASE("pgsim compare --json gives one row per workload with each monitor's costs and its ratio to bare", "[compare][cli]") {
  auto r = test::run_pgsim("compare --json --vmm trap-and-emulate " + source_path("examples/os/critical.s"), false);
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["workloads"].size() == 1);
  auto w = j["workloads"][0];
  CHECK(w["name"] == "critical");
  auto t = w["monitors"]["trap-and-emulate"];
  CHECK(t["console_matches_bare"] == true);
  CHECK(t["cycles_ratio_to_bare"].get<double>() ==
        Approx(t["cycles"].get<double>() / w["bare"]["cycles"].get<double>()));
  auto text = test::run_pgsim("compare --vmm trap-and-emulate " + source_path("examples/os/critical.s"));
  CHECK_THAT(text.out, Catch::Contains("bare machine") && Catch::Contains("trap-and-emulate"));
  auto two = test::run_pgsim("compare --json --vmm trap-and-emulate --vmm " + source_path("vmm/monitors/pgvmm.s") + " " +
                                 source_path("examples/guests/hello.s"), false);
  REQUIRE(two.code == 0);
  CHECK(nlohmann::json::parse(two.out)["workloads"][0]["monitors"].size() == 2);
  auto bad = test::run_pgsim("compare --vmm no-such-monitor " + source_path("examples/os/critical.s"));
  CHECK(bad.code == 1);
  CHECK_THAT(bad.out, Catch::Contains("no-such-monitor"));
}

TEST_CASE("compare: the paravirtual monitor runs each workload's port, which prints what the original prints bare",
          "[compare]") {
  auto pv = std::make_shared<assembler::Image>(assembler::assemble_file(*test::pg1(), source_path("vmm/monitors/pv.s")));
  for (unsigned depth : {1u, 2u}) {
    vmm::ComparisonOptions o;
    o.depth = depth;
    auto rows = vmm::compare(test::pg1(), workloads(), {{"pv", pv, {}}}, o);
    for (const auto& r : rows) {
      INFO(r.workload.name << " at depth " << depth);
      const auto& m = r.monitors.at(0);
      CHECK(m.program != r.workload.program);  // a port exists for every default workload
      CHECK(m.halted);
      CHECK(m.console_matches);
    }
  }
}

TEST_CASE("pgsim compare with no options: one table with every monitor of the catalog, each workload run by each "
          "to the bare machine's console (the assist on its own ISA, pg1-assist)",
          "[compare][cli]") {
  auto r = test::run_pgsim("compare --json", false);
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["workloads"].size() == 4);
  for (const auto& w : j["workloads"]) {
    INFO(w["name"].get<std::string>());
    REQUIRE(w["monitors"].size() == vmm::monitor_catalog().size());
    for (const auto& mon : vmm::monitor_catalog()) {
      INFO(mon.name);
      const auto& m = w["monitors"][mon.name];
      REQUIRE(m["ran"] == true);
      CHECK(m["halted"] == true);
      CHECK(m["console_matches_bare"] == true);
      CHECK(m.contains("isa") == !mon.isa.empty());
    }
  }
  // Named explicitly, the comparison's ISA is every column's: PG-1 has no sie, so the assist cannot run.
  auto pg1 = test::run_pgsim("compare --json --isa pg1 --vmm assist " + source_path("examples/guests/hello.s"), false);
  REQUIRE(pg1.code == 0);
  auto a = nlohmann::json::parse(pg1.out)["workloads"][0]["monitors"]["assist"];
  CHECK(a["ran"] == false);
  CHECK_THAT(a["note"].get<std::string>(), Catch::Contains("sie"));
}
