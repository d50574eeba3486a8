// The time target of issue 12: `pgsim check` (tests and proofs) of every ISA file in
// examples/isa within 2 s on the project's 2-core machine. Times vmm::classify with the options
// `pgsim check` uses by default (Prove::Auto), and optionally with --prove (Prove::On) and
// --no-prove (Prove::Off), on each file: the median of N runs, wall clock and CPU (user+system)
// seconds, with the rows proved and the Z3 resource units are deterministic, so they are
// printed once. Speed is measured here, never in timed tests.
//
// Usage: pgsim_bench_classify [--runs N] [--on] [--off] [FILE.isa ...]
// (default: 5 runs, Auto only, the 6 PG-1 family files and examples/isa/real/*.isa).
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "isa/loader.hpp"
#include "vmm/classifier.hpp"

using namespace pgsim;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

void bench(const std::string& path, vmm::ClassifierOptions::Prove prove, const char* label, unsigned runs) {
  auto isa = isa::load_isa(path);
  std::vector<double> wall, cpu;
  vmm::Analysis a;
  for (unsigned r = 0; r < runs; ++r) {
    vmm::ClassifierOptions o;
    o.prove = prove;
    double c0 = cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    a = vmm::classify(isa, o);
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    cpu.push_back(cpu_seconds() - c0);
  }
  std::size_t proved = 0;
  for (const auto& c : a.instructions) proved += c.proved.all() ? 1 : 0;
  fmt::print("{:<40} {:<9} {:>7.2f} {:>7.2f} {:>5}/{:<5} {}\n", std::filesystem::path(path).filename().string(), label,
             median(wall), median(cpu), proved, a.instructions.size(),
             a.theorem1.proved && a.theorem3.proved ? "proved" : "tested");
}

}  // namespace

int main(int argc, char** argv) {
  unsigned runs = 5;
  bool on = false, off = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) runs = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    else if (a == "--on") on = true;
    else if (a == "--off") off = true;
    else files.push_back(a);
  }
  if (files.empty()) {
    const std::filesystem::path root = PGSIM_SOURCE_DIR "/examples/isa";
    for (const char* f : {"pg1.isa", "pg1-getm.isa", "pg1-jru.isa", "pg1-setie.isa", "pg1-spsw.isa", "pg1-assist.isa"})
      files.push_back((root / f).string());
    std::vector<std::string> real;
    for (const auto& e : std::filesystem::directory_iterator(root / "real"))
      if (e.path().extension() == ".isa") real.push_back(e.path().string());
    std::sort(real.begin(), real.end());
    files.insert(files.end(), real.begin(), real.end());
  }
  fmt::print("vmm::classify, median of {} runs: wall and CPU seconds; rows proved; Theorems 1 and 3\n", runs);
  fmt::print("{:<40} {:<9} {:>7} {:>7} {:>11} {}\n", "file", "proofs", "wall", "cpu", "proved", "theorems");
  for (const auto& f : files) {
    bench(f, vmm::ClassifierOptions::Prove::Auto, "auto", runs);
    if (on) bench(f, vmm::ClassifierOptions::Prove::On, "--prove", runs);
    if (off) bench(f, vmm::ClassifierOptions::Prove::Off, "--no-prove", runs);
  }
}
