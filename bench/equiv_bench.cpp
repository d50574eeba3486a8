// Lockstep equivalence's cost (`pgsim equiv`, vmm/equivalence.cpp): the virtualized side is run to
// its guest's next instruction boundary at every guest instruction. Times, on the same stacks in
// the same process, runs interleaved:
//   - fast: Stack::run_to_guest_boundary (the fast engine's bursts, stopping before the guest's
//     level and each level's vm_fetch; what lockstep does);
//   - stepping: one reference step at a time, testing Stack::guest_boundary after each (what
//     lockstep did before);
//   - equiv: the whole vmm::check_equivalence (both sides, the comparisons at every boundary).
// Each a median of N runs (wall clock); both ways must reach the same number of boundaries and
// the same cycle count, or the benchmark says so and fails. Speed is measured here, never in
// timed tests.
//
// Usage: pgsim_bench_equiv [--runs N]   (default 3)
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "assembler/assembler.hpp"
#include "isa/loader.hpp"
#include "vmm/equivalence.hpp"
#include "vmm/monitor_catalog.hpp"
#include "vmm/stack.hpp"

using namespace pgsim;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

template <class F>
double seconds(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Case {
  const char* isa;
  const char* monitor;
  const char* guest;
  unsigned depth;
};

/// Runs the virtualized side of lockstep to the end: at each boundary one step, then on to the
/// next boundary, `fast` or stepping. Returns the boundaries reached; `cycles` the machine's.
std::uint64_t boundaries(vmm::Stack& s, bool fast, std::uint64_t limit, std::uint64_t& cycles) {
  auto to_boundary = [&] {
    if (fast) {
      s.run_to_guest_boundary(limit);
      return;
    }
    while (!s.stopped() && s.machine().cycles() < limit && s.guest_boundary() == vmm::Stack::GuestBoundary::None)
      s.step();
  };
  std::uint64_t n = 0;
  to_boundary();
  while (!s.stopped() && s.machine().cycles() < limit) {
    s.step();
    to_boundary();
    ++n;
  }
  cycles = s.machine().cycles();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned runs = 3;
  if (argc == 3 && std::string(argv[1]) == "--runs") runs = static_cast<unsigned>(std::max(1, std::atoi(argv[2])));
  const std::string root = PGSIM_SOURCE_DIR;
  const Case cases[] = {
      {"pg1", "hybrid", "examples/guests/sieve.s", 1},
      {"pg1", "trap-and-emulate", "examples/os/tinyos.s", 3},
      {"pg1", "bt", "examples/os/tinyos.s", 3},
      {"pg1", "hybrid", "examples/os/tinyos.s", 3},
      {"pg1", "hybrid", "examples/guests/sieve.s", 3},
      {"pg1-getm", "hybrid", "examples/guests/fib.s", 3},
  };
  const std::uint64_t limit = 6'000'000'000ULL;
  bool ok = true;
  fmt::print("| guest, monitor, depth | guest boundaries | real cycles | stepping | fast | stepping / fast | "
             "whole `pgsim equiv` (fast) |\n|---|---|---|---|---|---|---|\n");
  for (const Case& c : cases) {
    auto isa = isa::load_isa(root + "/examples/isa/" + c.isa + ".isa");
    auto vmm = std::make_shared<assembler::Image>(
        assembler::assemble_file(*isa, root + "/vmm/monitors/" + vmm::find_monitor_info(c.monitor)->file));
    auto guest = std::make_shared<assembler::Image>(assembler::assemble_file(*isa, root + "/" + c.guest));
    std::vector<double> t_step, t_fast, t_equiv;
    std::uint64_t n_step = 0, n_fast = 0, c_step = 0, c_fast = 0;
    for (unsigned r = 0; r < runs; ++r) {
      {
        vmm::Stack s(isa, vmm, guest, c.depth);
        t_step.push_back(seconds([&] { n_step = boundaries(s, false, limit, c_step); }));
      }
      {
        vmm::Stack s(isa, vmm, guest, c.depth);
        t_fast.push_back(seconds([&] { n_fast = boundaries(s, true, limit, c_fast); }));
      }
      t_equiv.push_back(seconds([&] { vmm::check_equivalence(isa, vmm, guest, c.depth, 0, limit); }));
    }
    if (n_step != n_fast || c_step != c_fast) {
      fmt::print("DIFFERENT: {} {} {}: stepping {} boundaries, {} cycles; fast {} boundaries, {} cycles\n", c.guest,
                 c.monitor, c.depth, n_step, c_step, n_fast, c_fast);
      ok = false;
    }
    fmt::print("| {}, {}, {} on {} | {} | {} | {:.3f} s | {:.3f} s | {:.1f}× | {:.3f} s |\n", c.guest, c.monitor,
               c.depth, c.isa, n_fast, c_fast, median(t_step), median(t_fast), median(t_step) / median(t_fast),
               median(t_equiv));
  }
  return ok ? 0 : 1;
}
