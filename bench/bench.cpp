// pgsim benchmarks (not tests): simulator speed at depth 0 on both engines beside a hand-written
// PG-1 interpreter (the yardstick, bench/yardstick.hpp; issue 13), the cost of depth with the
// reference OS's wall time on both engines, and the hardware assist against the naive VMM from
// depth 1 to 30.
// Prints Markdown tables. Usage: pgsim_bench [max_depth (default 14)] [--assist-only | --no-assist]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "assembler/assembler.hpp"
#include "bench/yardstick.hpp"
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
          std::shared_ptr<const assembler::Image> guest, unsigned depth, std::uint32_t mem,
          machine::Engine engine = machine::Engine::Fast) {
  vmm::Stack s(isa, vmm, guest, depth, mem);
  s.machine().set_engine(engine);
  std::vector<vmm::LevelStats> st;
  s.run(~0ull, st);
  return {s.machine().traps(), s.machine().instructions()};
}
}  // namespace

/// A count: as an integer when it is one, else with two decimals (never in exponent form).
std::string num(double v) { return v == static_cast<double>(static_cast<long long>(v)) ? fmt::format("{}", static_cast<long long>(v)) : fmt::format("{:.2f}", v); }

struct PerInstruction {
  double real_traps, exits, instructions;  ///< per guest instruction; real_traps includes exits
};
/// Real traps (trap sequences + VM exits), VM exits and real instructions per guest instruction
/// `text` at `depth`: (a run with 64 more of them) minus (a run without), divided by 64.
/// `text` may use {i} for a unique number (lpsw needs a PSW of its own for each).
PerInstruction per_instruction(std::shared_ptr<const isa::IsaModel> isa, std::shared_ptr<const assembler::Image> vmm,
                               const std::string& text, unsigned depth) {
  auto prog = [&](int k) {
    std::string s = ".org 16\n", data;
    for (int i = 0; i < k; ++i) {
      std::string t = text;
      for (auto at = t.find("{i}"); at != std::string::npos; at = t.find("{i}")) t.replace(at, 3, std::to_string(i));
      s += t + "\n";
      if (text.find("lpsw") != std::string::npos)
        data += fmt::format("psw{0}: .word 0, next{0}, 0, 4096, 0\n", i);
    }
    return std::make_shared<assembler::Image>(assembler::assemble_text(*isa, "p.s", s + "halt\n" + data));
  };
  auto count = [&](std::shared_ptr<const assembler::Image> g) {
    vmm::Stack st(isa, vmm, g, depth, 4096);
    st.machine().push_input('x');
    for (int i = 0; i < 64; ++i) st.machine().push_input('y');
    std::vector<vmm::LevelStats> stats;
    st.run(~0ull, stats);
    const auto& m = st.machine();
    return PerInstruction{double(m.traps() + m.vm_exits()), double(m.vm_exits()), double(m.instructions())};
  };
  auto a = count(prog(0)), b = count(prog(64));
  return {(b.real_traps - a.real_traps) / 64, (b.exits - a.exits) / 64, (b.instructions - a.instructions) / 64};
}

/// Section 3: the assist monitor beside the naive one, per kind of privileged instruction, depths 1..30.
void assist_table(unsigned max_depth, double naive_seconds) {
  auto pg1 = isa::load_isa(src("examples/isa/pg1.isa"));
  auto pga = isa::load_isa(src("examples/isa/pg1-assist.isa"));
  auto naive = std::make_shared<assembler::Image>(assembler::assemble_file(*pg1, src("vmm/monitors/pgvmm.s")));
  auto assist = std::make_shared<assembler::Image>(assembler::assemble_file(*pga, src("vmm/monitors/assist.s")));
  // The same monitor, intercepting out at every level (the one-line change its header describes).
  std::string text, err;
  auto f = read_source_file(src("vmm/monitors/assist.s"), err);
  text = f->text;
  text.replace(text.find(".equ    INTERCEPTS, 0 "), 22, ".equ    INTERCEPTS, INTERCEPT_OUT ");
  auto assist_out = std::make_shared<assembler::Image>(assembler::assemble_text(*pga, "assist.s", text));
  auto os = std::make_shared<assembler::Image>(assembler::assemble_file(*pga, src("examples/os/tinyos.s")));
  const std::pair<const char*, const char*> kinds[] = {
      {"getm", "getm r1"}, {"lpsw", "lpsw psw{i}(r0)\nnext{i}:"}, {"spsw", "spsw 3000(r0)"},
      {"ldp", "ldp r1, 3000(r0)"}, {"stimer", "stimer r0"}, {"out", "out r0"}, {"in", "in r1"}};
  fmt::print("## The hardware assist beside the naive VMM, depths 1..{}\n\n", max_depth);
  fmt::print("Per guest privileged instruction: real traps (trap sequences + VM exits) / real instructions, from\n"
             "(a run with 64 more of them) minus (a run without), divided by 64. naive = vmm/monitors/pgvmm.s on\n"
             "PG-1 (measured while a depth takes under {:g} s); assist = vmm/monitors/assist.s on PG-1 + assist\n"
             "(its exits in the traps); assist+out = the same intercepting out at every level. tinyos = the\n"
             "reference OS under the assist: wall time, and whether it prints what it prints bare.\n\n",
             naive_seconds);
  fmt::print("| depth |");
  for (auto& [k, t] : kinds) fmt::print(" naive {0} | assist {0} |", k);
  fmt::print(" assist+out out | tinyos wall | tinyos output |\n|---|");
  for (std::size_t i = 0; i < std::size(kinds); ++i) fmt::print("---|---|");
  fmt::print("---|---|---|\n");
  vmm::Stack bare(pga, nullptr, os, 0);
  std::vector<vmm::LevelStats> st;
  bare.run(~0ull, st);
  const std::string bare_out = bare.machine().console_output();
  bool naive_on = true;
  for (unsigned d = 1; d <= max_depth; ++d) {
    fmt::print("| {} |", d);
    auto t0 = Clock::now();
    for (auto& [k, t] : kinds) {
      std::string n = "—";
      if (naive_on) {
        auto r = per_instruction(pg1, naive, t, d);
        n = num(r.real_traps) + " / " + num(r.instructions);
      }
      auto a = per_instruction(pga, assist, t, d);
      fmt::print(" {} | {} / {} |", n, num(a.real_traps), num(a.instructions));
    }
    if (naive_on && std::chrono::duration<double>(Clock::now() - t0).count() * 2 > naive_seconds) naive_on = false;
    auto o = per_instruction(pga, assist_out, "out r0", d);
    fmt::print(" {} / {} |", num(o.real_traps), num(o.instructions));
    std::string out;
    double t = median_seconds(3, [&] {
      vmm::Stack s(pga, assist, os, d);
      std::vector<vmm::LevelStats> ls;
      s.run(~0ull, ls);
      out = s.machine().console_output();
    });
    fmt::print(" {:.2f} ms | {} |\n", t * 1e3, out == bare_out ? "same as bare" : "DIFFERS");
    std::fflush(stdout);
  }
}

int main(int argc, char** argv) {
  bool assist_only = argc > 1 && std::string(argv[argc - 1]) == "--assist-only";
  bool no_assist = argc > 1 && std::string(argv[argc - 1]) == "--no-assist";
  if (assist_only || no_assist) --argc;
  unsigned max_depth = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 14;
  if (assist_only) {
    assist_table(30, 10.0);
    return 0;
  }
  auto isa = isa::load_isa(src("examples/isa/pg1.isa"));
  auto vmm = std::make_shared<assembler::Image>(assembler::assemble_file(*isa, src("vmm/monitors/pgvmm.s")));
  auto os = std::make_shared<assembler::Image>(assembler::assemble_file(*isa, src("examples/os/tinyos.s")));

  // 1. Simulated instructions per second at depth 0 on a compute loop: the yardstick and both
  // engines, interleaved run by run (so that all three see the same machine load), median of 7.
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
  const int kRuns = 7;
  // The fast engine runs twice: with block-level execution (its default) and without (one
  // deadline check per instruction: the engine before blocks), to show what blocks gain.
  std::vector<double> t_yard, t_ref, t_step, t_fast;
  std::uint64_t n_yard = 0, n_ref = 0, n_step = 0, n_fast = 0, c_yard = 0, c_step = 0, c_fast = 0;
  auto timed = [](auto&& f) {
    auto a = Clock::now();
    f();
    return std::chrono::duration<double>(Clock::now() - a).count();
  };
  for (int i = 0; i < kRuns; ++i) {
    t_yard.push_back(timed([&] {
      bench::Yardstick y(std::vector<std::uint32_t>(loop->words.begin(), loop->words.end()), isa->memory_words);
      y.run(~0ull);
      n_yard = y.instructions();
      c_yard = y.cycles();
    }));
    struct Variant {
      machine::Engine engine;
      bool blocks;
      std::vector<double>& t;
      std::uint64_t &n, &c;
    };
    std::uint64_t c_ref = 0;
    for (const Variant& v : {Variant{machine::Engine::Reference, false, t_ref, n_ref, c_ref},
                             Variant{machine::Engine::Fast, false, t_step, n_step, c_step},
                             Variant{machine::Engine::Fast, true, t_fast, n_fast, c_fast}}) {
      v.t.push_back(timed([&] {
        machine::Machine m(isa);
        m.set_engine(v.engine);
        m.set_blocks(v.blocks);
        m.load(0, loop->words);
        m.run(~0ull);
        v.n = m.instructions();
        v.c = m.cycles();
      }));
    }
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  const double y_rate = n_yard / median(t_yard), r_rate = n_ref / median(t_ref), s_rate = n_step / median(t_step),
               f_rate = n_fast / median(t_fast);
  fmt::print("## Simulator speed (depth 0, compute loop: addi/add/xor/ld/bne)\n\n");
  fmt::print("Medians of {} runs, interleaved in this one process. The yardstick is a hand-written PG-1\n"
             "interpreter (switch over PG-1's opcodes, predecode cache; bench/yardstick.cpp). Its counts\n"
             "{} pgsim's: {} instructions, {} cycles.\n\n",
             kRuns, n_yard == n_fast && c_yard == c_fast && n_step == n_fast && c_step == c_fast ? "equal" : "DIFFER FROM",
             n_fast, c_fast);
  fmt::print("| interpreter | median wall time | simulated instructions per second | ratio to the yardstick |\n");
  fmt::print("|---|---|---|---|\n");
  fmt::print("| yardstick (hand-written PG-1) | {:.3f} s | {:.1f} million | 1.00 |\n", median(t_yard), y_rate / 1e6);
  fmt::print("| pgsim --engine reference | {:.3f} s | {:.1f} million | {:.2f} |\n", median(t_ref), r_rate / 1e6,
             r_rate / y_rate);
  fmt::print("| pgsim --engine fast, one check per instruction (set_blocks(false)) | {:.3f} s | {:.1f} million | {:.2f} |\n",
             median(t_step), s_rate / 1e6, s_rate / y_rate);
  fmt::print("| pgsim --engine fast (block-level execution) | {:.3f} s | {:.1f} million | {:.2f} |\n\n", median(t_fast),
             f_rate / 1e6, f_rate / y_rate);
  std::fflush(stdout);

  // 2. The cost of depth, and the reference OS's wall time on both engines.
  const double kWithin = 10.0;
  fmt::print("## The cost of depth (reference VMM, naive trap-and-emulate)\n\n");
  fmt::print("Real traps and real instructions per guest privileged instruction: (run with 64 more of\n"
             "them) minus (run without), divided by 64. getm needs only the resuming lpsw; out needs\n"
             "the VMM's own out too. Theory: getm 2^(k-1) traps, out 2^k - 1. tinyos: the reference OS's\n"
             "whole run (median of 3 runs to depth 8, then 1), on each engine while a run takes under {:g} s.\n\n",
             kWithin);
  fmt::print("| depth | getm: real traps | getm: real instructions | out: real traps | out: real instructions "
             "| tinyos: real traps | tinyos: real instructions | tinyos: wall (reference) | tinyos: wall (fast) | ratio |\n");
  fmt::print("|---|---|---|---|---|---|---|---|---|---|\n");
  auto prog = [&](const char* ins, int k) {
    std::string s = ".org 16\n";
    for (int i = 0; i < k; ++i) s += std::string(ins) + "\n";
    return std::make_shared<assembler::Image>(assembler::assemble_text(*isa, "p.s", s + "halt\n"));
  };
  auto g0 = prog("getm r1", 0), g64 = prog("getm r1", 64), o64 = prog("out r0", 64);
  bool ref_on = true, fast_on = true;
  int deepest_ref = -1, deepest_fast = -1;
  for (unsigned d = 0; d <= max_depth && (ref_on || fast_on); ++d) {
    auto a = run(isa, vmm, g0, d, 4096), b = run(isa, vmm, g64, d, 4096), c = run(isa, vmm, o64, d, 4096);
    Count osc{};
    std::string wr = "—", wf = "—", ratio = "";
    double tr = 0, tf = 0;
    if (ref_on) {
      tr = median_seconds(d <= 8 ? 3 : 1, [&] { osc = run(isa, vmm, os, d, 0, machine::Engine::Reference); });
      wr = fmt::format("{:.3f} s", tr);
      if (tr <= kWithin) deepest_ref = static_cast<int>(d);
      else ref_on = false;
    }
    if (fast_on) {
      tf = median_seconds(d <= 8 ? 3 : 1, [&] { osc = run(isa, vmm, os, d, 0, machine::Engine::Fast); });
      wf = fmt::format("{:.3f} s", tf);
      if (tf <= kWithin) deepest_fast = static_cast<int>(d);
      else fast_on = false;
    }
    if (tr > 0 && tf > 0) ratio = fmt::format("{:.1f}x", tr / tf);
    fmt::print("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", d, num((b.traps - a.traps) / 64.0),
               num((b.instructions - a.instructions) / 64.0), num((c.traps - a.traps) / 64.0),
               num((c.instructions - a.instructions) / 64.0), osc.traps, osc.instructions, wr, wf, ratio);
    std::fflush(stdout);
  }
  fmt::print("\nDeepest depth of the reference OS within {:g} s: reference engine {}, fast engine {}{}.\n\n", kWithin,
             deepest_ref, deepest_fast, fast_on ? fmt::format(" (or more: the table stops at {})", max_depth) : "");
  if (!no_assist) assist_table(30, 10.0);
  fmt::print("\nMachine: {} hardware threads; one simulation runs on one core.\n", std::thread::hardware_concurrency());
  return 0;
}
