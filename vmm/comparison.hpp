#pragma once
// One table of the virtualization techniques side by side: the same workloads run on the bare
// machine and under each monitor, with what each run cost (issue "The software techniques side by
// side"; the comparison the lecture notes end on: Adams & Agesen, "A Comparison of Software and
// Hardware Techniques for x86 Virtualization", ASPLOS 2006).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "assembler/image.hpp"
#include "isa/model.hpp"

namespace pgsim::vmm {

/// A workload: a guest program and what kind of load it is.
struct Workload {
  std::string name;     ///< short name for the table ("compute")
  std::string program;  ///< path of its source
  std::string kind;     ///< one line: what it stresses ("user-mode computation, one system call")
};

/// The default workloads, found in the data roots (vmm/data_files.hpp): a compute-bound task
/// (examples/os/compute.s), a system-call-heavy task (examples/os/syscalls.s), a kernel that
/// executes many privileged instructions (examples/os/critical.s, Adams & Agesen's `cli`
/// loop) and the reference OS (examples/os/tinyos.s). Throws DataNotFound when one is missing.
std::vector<Workload> default_workloads();

/// The source a monitor runs for a workload: `<dir>/<stem>-<monitor>.s` when that file exists
/// (a port of the workload for that monitor, e.g. examples/os/tinyos-pv.s, a paravirtualized
/// reference OS), else the workload's own program.
std::string program_for(const Workload& w, const std::string& monitor);

/// What one run cost. Cycles and instructions are the real machine's: every level's together.
struct Measurement {
  bool ran = false;            ///< false: it could not be built (see note)
  bool halted = false;         ///< the run ended with a halt (not the cycle budget, …)
  std::string stop;            ///< the stop reason ("halted", "cycle budget exhausted", …)
  bool console_matches = false;  ///< the console output equals the bare machine's
  std::uint64_t real_traps = 0, real_instructions = 0, cycles = 0;
  std::uint64_t guest_instructions = 0;  ///< instructions completed by the guest level's code
  std::string program;         ///< the source that ran (a port, or the workload itself)
  std::string note;            ///< why it did not run, or which port ran
  std::string console;         ///< the console output
};

/// One monitor in a comparison: its catalog name and its image (assembled for the ISA), or null
/// with the reason it could not be assembled.
struct ComparedMonitor {
  std::string name;
  std::shared_ptr<const assembler::Image> image;
  std::string error;  ///< non-empty when image is null
  /// The ISA this monitor's column runs on when it is not the comparison's: a monitor that needs
  /// hardware of its own (the assist's pg1-assist, PG-1 plus `sie`) runs the same workloads on
  /// that superset; its bare machine is then this ISA's (the console must still equal the
  /// comparison's bare run). Null: the comparison's ISA.
  std::shared_ptr<const isa::IsaModel> isa = nullptr;
};

/// A workload's row: the bare run and one Measurement per monitor, in the monitors' order.
struct ComparisonRow {
  Workload workload;
  Measurement bare;
  std::vector<Measurement> monitors;
};

/// Settings of a comparison.
struct ComparisonOptions {
  unsigned depth = 1;                      ///< levels of monitor (1: each monitor alone)
  isa::Word memory = 0;                ///< guest machine words (0: the ISA's default)
  std::uint64_t max_cycles = 2'000'000'000;  ///< cycle budget of each run
  /// When set, asked between runs and every `slice_cycles` cycles within a run (from another
  /// thread than the caller's, if the caller likes: compare() only calls it): true abandons the
  /// comparison, and compare() returns the rows completed so far. A run cut in slices gives the
  /// same numbers as one in one piece (the machine's cycle limit is checked at instruction
  /// boundaries either way).
  std::function<bool()> cancelled = nullptr;
  /// When set, told after each run: (runs done, runs in all = workloads × (1 + monitors)).
  std::function<void(std::size_t done, std::size_t total)> progress = nullptr;
  std::uint64_t slice_cycles = 2'000'000;  ///< cycles between two questions to `cancelled`
};

/// The monitors of a comparison, as `pgsim compare` and the GUI's Cost view build them: each of
/// `names` (catalog names or monitor files; empty: every shipped monitor, in the catalog's order)
/// assembled for `isa`; when `isa_arg` (what the user gave as --isa) is empty and the monitor
/// needs hardware of its own (isa_for_monitor, vmm/monitor_catalog.hpp: the assist's
/// pg1-assist), assembled for that ISA and run on it (ComparedMonitor::isa). A monitor that does
/// not assemble has a null image and the reason in `error` ("the monitor does not assemble for
/// PG-1: …"). Throws DataNotFound when a name is neither a shipped monitor nor a file, and
/// InputError when a monitor's own ISA file does not load.
std::vector<ComparedMonitor> compared_monitors(const std::shared_ptr<const isa::IsaModel>& isa,
                                               const std::string& isa_arg, std::vector<std::string> names);

/// Runs every workload bare and under each monitor at `o.depth`. A program that does not
/// assemble for the ISA, or a monitor that could not be assembled, gives a Measurement with
/// ran = false and a note; nothing throws for a single failed run. Cost: one full run per cell.
std::vector<ComparisonRow> compare(std::shared_ptr<const isa::IsaModel> isa, const std::vector<Workload>& workloads,
                                   const std::vector<ComparedMonitor>& monitors, const ComparisonOptions& o);

}  // namespace pgsim::vmm
