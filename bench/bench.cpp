// pgsim benchmarks (not tests): simulator speed at depth 0, and the cost of depth.
// Prints Markdown tables. Usage: pgsim_bench [max_depth (default 12)]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "assembler/assembler.hpp"
#include "isa/loader.hpp"
#include "vmm/stack.hpp"

using namespace pgsim;
using Clock = std::chrono::steady_clock;

namespace {
std::string src(const std::string& rel) { return std::string(PGSIM_SOURCE_DIR) + "/" + rel; }

template <class F>
double median_seconds(int runs, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto a = Clock::now();
    f();
    t.push_back(std::chrono::duration<double>(Clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

struct Count {
  std::uint64_t traps, instructions;
};
Count run(std::shared_ptr<const isa::IsaModel> isa, std::shared_ptr<const assembler::Image> vmm,
          std::shared_ptr<const assembler::Image> guest, unsigned depth, std::uint32_t mem) {
  vmm::Stack s(isa, vmm, guest, depth, mem);
  std::vector<vmm::LevelStats> st;
  s.run(~0ull, st);
  return {s.machine().traps(), s.machine().instructions()};
}
}  // namespace

int main(int argc, char** argv) {
  unsigned max_depth = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 12;
  auto isa = isa::load_isa(src("examples/isa/pg1.isa"));
  auto vmm = std::make_shared<assembler::Image>(assembler::assemble_file(*isa, src("vmm/monitors/pgvmm.s")));
  auto os = std::make_shared<assembler::Image>(assembler::assemble_file(*isa, src("examples/os/tinyos.s")));

  // 1. Simulated instructions per second at depth 0 on a compute loop.
  auto loop = std::make_shared<assembler::Image>(assembler::assemble_text(*isa, "loop.s", R"(
        .org 16
        li r1, 0
        lui r2, 0x0200          ; 32M iterations of 5 instructions
        li r5, 1000
loop:   addi r1, r1, 1
        add r3, r3, r1
        xor r4, r4, r3
        ld r6, 0(r5)
        bne r1, r2, loop
        halt
)"));
  std::uint64_t n = 0;
  double secs = median_seconds(5, [&] {
    machine::Machine m(isa);
    m.load(0, loop->words);
    m.run(~0ull);
    n = m.instructions();
  });
  fmt::print("## Simulator speed (depth 0, compute loop: addi/add/xor/ld/bne)\n\n");
  fmt::print("| instructions | median wall time (5 runs) | simulated instructions per second |\n|---|---|---|\n");
  fmt::print("| {} | {:.3f} s | {:.1f} million |\n\n", n, secs, n / secs / 1e6);

  // 2. The cost of depth.
  fmt::print("## The cost of depth (reference VMM, naive trap-and-emulate)\n\n");
  fmt::print("Real traps and real instructions per guest privileged instruction: (run with 64 more of\n"
             "them) minus (run without), divided by 64. getm needs only the resuming lpsw; out needs\n"
             "the VMM's own out too. Theory: getm 2^(k-1) traps, out 2^k - 1.\n\n");
  fmt::print("| depth | getm: real traps | getm: real instructions | out: real traps | out: real instructions "
             "| tinyos: real traps | tinyos: real instructions | tinyos: wall time |\n");
  fmt::print("|---|---|---|---|---|---|---|---|\n");
  auto prog = [&](const char* ins, int k) {
    std::string s = ".org 16\n";
    for (int i = 0; i < k; ++i) s += std::string(ins) + "\n";
    return std::make_shared<assembler::Image>(assembler::assemble_text(*isa, "p.s", s + "halt\n"));
  };
  auto g0 = prog("getm r1", 0), g64 = prog("getm r1", 64), o64 = prog("out r0", 64);
  for (unsigned d = 0; d <= max_depth; ++d) {
    auto a = run(isa, vmm, g0, d, 4096), b = run(isa, vmm, g64, d, 4096), c = run(isa, vmm, o64, d, 4096);
    Count osc{};
    double t = median_seconds(d <= 8 ? 3 : 1, [&] { osc = run(isa, vmm, os, d, 0); });
    fmt::print("| {} | {:g} | {:g} | {:g} | {:g} | {} | {} | {:.3f} s |\n", d, (b.traps - a.traps) / 64.0,
               (b.instructions - a.instructions) / 64.0, (c.traps - a.traps) / 64.0,
               (c.instructions - a.instructions) / 64.0, osc.traps, osc.instructions, t);
    std::fflush(stdout);
  }
  fmt::print("\nMachine: {} hardware threads; one simulation runs on one core.\n", std::thread::hardware_concurrency());
  return 0;
}
