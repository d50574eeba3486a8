#pragma once
// The monitors pgsim ships, by the names a user types (`--vmm trap-and-emulate`), and the lookup
// of a `--vmm` argument that is either such a name or a monitor's source file.
//
// Each monitor is a program in the machine's own assembly under vmm/monitors/, one file per
// technique of the lecture notes (DESIGN.md "The recursive VMM"): the same bytes at every level,
// its control block or state description named by symbols (vm_mode, vm_pc, …) so that the tools
// can show each level's own view.
#include <string>
#include <vector>

namespace pgsim::vmm {

/// One shipped monitor.
struct MonitorInfo {
  std::string name;       ///< what a user types after --vmm ("trap-and-emulate")
  std::string file;       ///< its source under vmm/monitors/ ("pgvmm.s")
  std::string technique;  ///< one line for --help and the GUI ("trap-and-emulate (naive, recursive)")
  std::string source;     ///< where the technique comes from ("Popek & Goldberg 1974, Theorems 1 and 2")
  /// The ISA it needs, by the name --isa takes ("pg1-assist": its hardware assist), used when the
  /// user names no ISA; empty: it runs on the ISA given (PG-1 by default).
  std::string isa = {};
};

/// The shipped monitors, in the order the lessons teach them; the first is the default.
const std::vector<MonitorInfo>& monitor_catalog();

/// The catalog entry named `name` (exact, case-sensitive), or null.
const MonitorInfo* find_monitor_info(const std::string& name);

/// "trap-and-emulate, hybrid, …": the catalog's names for help texts and error messages.
std::string monitor_names();

/// The source file of the monitor a user named with `--vmm ARG`:
///  - "" → the default monitor (the catalog's first entry);
///  - a catalog name → that monitor's file, found in the data roots (vmm/monitors/);
///  - otherwise ARG is a path, used when that file exists.
/// Throws DataNotFound (vmm/data_files.hpp) with a message naming the catalog's names when ARG is
/// neither, or when a catalog monitor is missing from every data root.
std::string find_monitor(const std::string& arg);

/// The ISA a run uses, by the name `--isa` takes: `isa` when given (non-empty); else, when there
/// are monitors (depth > 0) and `vmm` names a catalog monitor that needs an ISA of its own
/// (MonitorInfo::isa, e.g. the assist's pg1-assist), that one; else "" (PG-1).
std::string isa_for_monitor(const std::string& isa, const std::string& vmm, unsigned depth);

}  // namespace pgsim::vmm
