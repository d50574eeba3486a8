#include "vmm/comparison.hpp"

#include <filesystem>

#include "assembler/assembler.hpp"
#include "vmm/data_files.hpp"
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
    auto reason = stack.run(o.max_cycles, stats);
    const auto& m = stack.machine();
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

std::vector<ComparisonRow> compare(std::shared_ptr<const isa::IsaModel> isa, const std::vector<Workload>& workloads,
                                   const std::vector<ComparedMonitor>& monitors, const ComparisonOptions& o) {
  std::vector<ComparisonRow> rows;
  for (const auto& w : workloads) {
    ComparisonRow row{w, measure(isa, w.program, nullptr, 0, o), {}};
    row.bare.console_matches = row.bare.ran;
    for (const auto& mon : monitors) {
      if (!mon.image) {
        Measurement m;
        m.note = mon.error;
        row.monitors.push_back(m);
        continue;
      }
      std::string program = program_for(w, mon.name);
      const auto& on = mon.isa ? mon.isa : isa;
      Measurement m = measure(on, program, mon.image, o.depth, o);
      if (program != w.program) m.note = "ran the port " + fs::path(program).filename().string();
      if (mon.isa && m.ran) m.note += (m.note.empty() ? "on " : ", on ") + mon.isa->name;
      m.console_matches = m.ran && row.bare.ran && m.console == row.bare.console;
      row.monitors.push_back(std::move(m));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace pgsim::vmm
