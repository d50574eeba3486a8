#include "vmm/comparison.hpp"

#include <algorithm>
#include <filesystem>

#include "assembler/assembler.hpp"
#include "isa/loader.hpp"
#include "vmm/data_files.hpp"
#include "vmm/monitor_catalog.hpp"
#include "vmm/stack.hpp"

namespace pgsim::vmm {

namespace fs = std::filesystem;

std::vector<Workload> default_workloads() {
  return {
      {"compute", find_program("examples/os/compute.s"), "user-mode computation, one system call"},
      {"syscalls", find_program("examples/os/syscalls.s"), "2,000 system calls that do almost nothing"},
      {"critical", find_program("examples/os/critical.s"), "a kernel's 1,000 cli/sti pairs (lpsw)"},
      {"tinyos", find_program("examples/os/tinyos.s"), "the reference OS: six tasks, system calls, faults, ticks"},
  };
}

std::string program_for(const Workload& w, const std::string& monitor) {
  fs::path p(w.program);
  fs::path port = p.parent_path() / (p.stem().string() + "-" + monitor + p.extension().string());
  std::error_code ec;
  return fs::is_regular_file(port, ec) ? port.string() : w.program;
}

namespace {

Measurement measure(const std::shared_ptr<const isa::IsaModel>& isa, const std::string& program,
                    const std::shared_ptr<const assembler::Image>& vmm, unsigned depth, const ComparisonOptions& o) {
  Measurement r;
  r.program = program;
  try {
    auto guest = std::make_shared<assembler::Image>(assembler::assemble_file(*isa, program));
    Stack stack(isa, vmm, guest, depth, o.memory);
    std::vector<LevelStats> stats(depth + 1);
    const auto& m = stack.machine();
    machine::StopReason reason;
    if (!o.cancelled) {
      reason = stack.run(o.max_cycles, stats);
    } else {  // in slices, asking between them
      std::uint64_t limit = 0;
      do {
        if (o.cancelled()) {
          r.note = "cancelled";
          return r;
        }
        limit = std::min(o.max_cycles, std::max(limit, m.cycles()) + std::max<std::uint64_t>(1, o.slice_cycles));
        reason = stack.run(limit, stats);
      } while (reason == machine::StopReason::CycleBudget && limit < o.max_cycles);
    }
    r.ran = true;
    r.halted = reason == machine::StopReason::Halted;
    r.stop = stack.stop_reason();  // "timer livelock" too
    r.real_traps = m.traps();
    r.real_instructions = m.instructions();
    r.cycles = m.cycles();
    r.guest_instructions = stats[depth].instructions;
    r.console = m.console_output();
  } catch (const std::exception& e) {
    r.note = e.what();
  }
  return r;
}

}  // namespace

std::vector<ComparedMonitor> compared_monitors(const std::shared_ptr<const isa::IsaModel>& isa,
                                               const std::string& isa_arg, std::vector<std::string> names) {
  if (names.empty())
    for (const auto& m : monitor_catalog()) names.push_back(m.name);
  std::vector<ComparedMonitor> monitors;
  for (const auto& n : names) {
    ComparedMonitor cm{n, nullptr, {}};
    const std::string file = find_monitor(n);  // DataNotFound: neither a monitor nor a file
    // Without --isa, a monitor that needs hardware of its own (the assist) runs on its ISA.
    if (std::string own = isa_for_monitor(isa_arg, n, 1); !own.empty()) cm.isa = isa::load_isa(find_isa(own));
    const auto& on = cm.isa ? *cm.isa : *isa;
    try {
      cm.image = std::make_shared<assembler::Image>(assembler::assemble_file(on, file));
    } catch (const std::exception& e) {
      cm.error = "the monitor does not assemble for " + on.name + ": " + e.what();
    }
    monitors.push_back(std::move(cm));
  }
  return monitors;
}

std::vector<ComparisonRow> compare(std::shared_ptr<const isa::IsaModel> isa, const std::vector<Workload>& workloads,
                                   const std::vector<ComparedMonitor>& monitors, const ComparisonOptions& o) {
  std::vector<ComparisonRow> rows;
  const std::size_t total = workloads.size() * (1 + monitors.size());
  std::size_t done = 0;
  auto ran_one = [&] {  // counts a run; true: cancelled
    if (o.progress) o.progress(++done, total);
    return o.cancelled && o.cancelled();
  };
  for (const auto& w : workloads) {
    ComparisonRow row{w, measure(isa, w.program, nullptr, 0, o), {}};
    row.bare.console_matches = row.bare.ran;
    if (ran_one()) return rows;
    for (const auto& mon : monitors) {
      if (!mon.image) {
        Measurement m;
        m.note = mon.error;
        row.monitors.push_back(m);
        if (ran_one()) break;
        continue;
      }
      std::string program = program_for(w, mon.name);
      const auto& on = mon.isa ? mon.isa : isa;
      Measurement m = measure(on, program, mon.image, o.depth, o);
      if (o.cancelled && o.cancelled()) return rows;  // m was cut short
      if (program != w.program) m.note = "ran the port " + fs::path(program).filename().string();
      if (mon.isa && m.ran) m.note += (m.note.empty() ? "on " : ", on ") + mon.isa->name;
      m.console_matches = m.ran && row.bare.ran && m.console == row.bare.console;
      row.monitors.push_back(std::move(m));
      if (ran_one()) break;
    }
    if (row.monitors.size() < monitors.size()) return rows;  // cancelled within the row
    rows.push_back(std::move(row));
    if (o.cancelled && o.cancelled()) return rows;
  }
  return rows;
}

}  // namespace pgsim::vmm
