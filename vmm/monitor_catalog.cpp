#include "vmm/monitor_catalog.hpp"

#include <filesystem>

#include "vmm/data_files.hpp"

namespace pgsim::vmm {

const std::vector<MonitorInfo>& monitor_catalog() {
  static const std::vector<MonitorInfo> catalog{
      {"trap-and-emulate", "pgvmm.s", "trap-and-emulate, the naive recursive VMM (2^(k-1) real traps per guest trap)",
       "Popek & Goldberg 1974, Theorems 1 and 2"},
      {"hybrid", "hybrid.s",
       "hybrid VMM: interprets the guest's virtual supervisor mode, runs its user mode directly",
       "Popek & Goldberg 1974, Theorem 3"},
      {"pv", "pv.s",
       "paravirtualization: hypercalls instead of privileged instructions; runs only ported guests "
       "(examples/os/tinyos-pv.s; docs/hypercalls.md)",
       "Barham et al., \"Xen and the Art of Virtualization\", SOSP 2003"},
      {"bt", "bt.s",
       "binary translation: the guest's kernel code translated into a translation cache, its user code run directly",
       "Adams & Agesen, ASPLOS 2006 (VMware)"},
      {"assist", "assist.s",
       "hardware assist: interpretive execution (IBM SIE, Intel VT-x), nested in hardware (no exit per guest "
       "privileged instruction at any depth)",
       "Goldberg 1973; Osisek, Jackson & Gum 1991 (ESA/390 SIE); Intel SDM Vol. 3C", "pg1-assist"},
  };
  return catalog;
}

const MonitorInfo* find_monitor_info(const std::string& name) {
  for (const auto& m : monitor_catalog())
    if (m.name == name) return &m;
  return nullptr;
}

std::string monitor_names() {
  std::string s;
  for (const auto& m : monitor_catalog()) s += (s.empty() ? "" : ", ") + m.name;
  return s;
}

std::string find_monitor(const std::string& arg) {
  const MonitorInfo* m = arg.empty() ? &monitor_catalog().front() : find_monitor_info(arg);
  if (m) {
    std::string p = find_data_file(m->file);
    if (p.empty())
      throw DataNotFound("error: cannot find the monitor '" + m->name + "' (vmm/monitors/" + m->file +
                         "); looked in:\n" + data_roots_tried() +
                         "(set PGSIM_DATA_DIR to a directory holding examples/, vmm/ and lessons/, or pass "
                         "--vmm FILE)\n");
    return p;
  }
  std::error_code ec;
  if (std::filesystem::is_regular_file(arg, ec)) return arg;
  throw DataNotFound("error: --vmm " + arg + ": no such monitor and no such file (the monitors are: " +
                     monitor_names() + "; or give a monitor's source file)\n");
}

std::string isa_for_monitor(const std::string& isa, const std::string& vmm, unsigned depth) {
  if (!isa.empty() || depth == 0) return isa;
  const MonitorInfo* m = vmm.empty() ? &monitor_catalog().front() : find_monitor_info(vmm);
  return m ? m->isa : std::string();
}

}  // namespace pgsim::vmm
