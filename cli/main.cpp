// pgsim: the command line. Subcommands: asm, run, disasm.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cli/commands.hpp"
#include "machine/machine.hpp"
#include "vmm/monitor_catalog.hpp"

namespace {

/// The value of a numeric option: decimal digits only (no sign, no fraction, no overflow),
/// within [lo, hi]. Throws CLI::ValidationError with a message naming the allowed range.
std::uint64_t parse_number(const std::string& name, const std::string& text, std::uint64_t lo, std::uint64_t hi) {
  auto range = [&] { return fmt::format("{} must be a whole number from {} to {}, not '{}'", name, lo, hi, text); };
  if (text.empty() || text.size() > 20) throw CLI::ValidationError(range());
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') throw CLI::ValidationError(range());
    if (__builtin_mul_overflow(v, std::uint64_t{10}, &v) || __builtin_add_overflow(v, std::uint64_t(c - '0'), &v))
      throw CLI::ValidationError(range());
  }
  if (v < lo || v > hi) throw CLI::ValidationError(range());
  return v;
}

/// Adds a numeric option `names` ("--depth" or "number") that stores into `target` a value in [lo, hi].
template <class T>
CLI::Option* number_option(CLI::App* app, const std::string& names, T& target, std::uint64_t lo, std::uint64_t hi,
                           const std::string& description) {
  std::string name = names.substr(names.rfind(',') + 1);
  if (name[0] != '-') name = "the " + std::string(app->get_name()) + " " + name;  // a positional: "the lesson number"
  auto* opt = app->add_option_function<std::string>(
      names, [&target, name, lo, hi](const std::string& text) { target = static_cast<T>(parse_number(name, text, lo, hi)); },
      fmt::format("{} ({} .. {})", description, lo, hi));
  opt->type_name("N");
  return opt;
}

/// Keeps freed memory in the process instead of returning it to the system at once: Z3 (the
/// proofs of `pgsim check`) allocates and frees its formulas question after question, and with
/// glibc's defaults a tenth of the check's time went to page faults for memory it had just
/// returned (ia32: 1.19 -> 1.09 s, median of 5). Memory in use is unchanged; at most 256 MiB
/// freed stays mapped until the process ends.
void keep_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pgsim::cli;
  keep_freed_memory();
  CLI::App app{"pgsim: an instructional simulator of a Popek-Goldberg machine and a recursive trap-and-emulate VMM"};
  app.require_subcommand(1);
  const std::string vmm_help = "The monitor at every level: " + pgsim::vmm::monitor_names() +
                               " (default: " + pgsim::vmm::monitor_catalog().front().name +
                               "), or a monitor's source file";

  // --engine of run, equiv and compare: how the simulated machines execute (machine::Engine).
  std::string engine = pgsim::machine::to_string(pgsim::machine::default_engine());
  auto engine_option = [&engine](CLI::App* cmd) {
    cmd->add_option("--engine", engine,
                    "Execution engine: fast (predecoded, threaded; the default) or reference (one bytecode step at a "
                    "time); both give the same results, cycle for cycle")
        ->check(CLI::IsMember({"reference", "fast"}));
  };

  AsmOptions ao;
  auto* asm_cmd = app.add_subcommand("asm", "Assemble a program; print errors like a compiler, or a listing");
  asm_cmd->add_option("--isa", ao.isa, "ISA description: a file, or an installed variant by name (pg1-jru); default PG-1");
  asm_cmd->add_option("program", ao.program, "Assembly source file")->required();
  asm_cmd->add_option("-o,--output", ao.output, "Write the image (one hex word per line) to this file");
  asm_cmd->add_flag("--listing", ao.listing, "Print a listing: address, word, disassembly, source line");

  RunOptions ro;
  auto* run_cmd = app.add_subcommand("run", "Run a program on the bare machine or under N levels of VMM");
  run_cmd->add_option("--isa", ro.isa, "ISA description: a file, or an installed variant by name (pg1-jru); default PG-1, "
                                       "or the ISA the --vmm monitor needs (assist: pg1-assist)");
  number_option(run_cmd, "--depth", ro.depth, 0, kMaxDepth, "Nesting depth: 0 = bare machine, N = under N VMMs");
  run_cmd->add_option("--vmm", ro.vmm, vmm_help);
  number_option(run_cmd, "--memory", ro.memory, kMinMemory, kMaxMemory,
                "Size of the guest's machine in words (default: the ISA's)");
  run_cmd->add_option("--input", ro.input, "Feed this file to the console device, one byte per input word");
  number_option(run_cmd, "--max-cycles", ro.max_cycles, 1, kMaxCycles, "Cycle budget of the real machine");
  run_cmd->add_flag("--trace-traps", ro.trace_traps, "Print every real trap and the levels that handled it, and every "
                                                     "VM entry and exit (pg1-assist)");
  run_cmd->add_flag("--json", ro.json, "Print one JSON object on standard output");
  number_option(run_cmd, "--show-tc", ro.show_tc, 1, 255,
                "With --vmm bt: after the run, print the N most hit translation units beside their compiled code");
  run_cmd->add_option("program", ro.program, "Assembly source file of the guest")->required();
  engine_option(run_cmd);

  DisasmOptions dopt;
  auto* dis_cmd = app.add_subcommand("disasm", "Disassemble a program (source or image file)");
  dis_cmd->add_option("--isa", dopt.isa, "ISA description: a file, or an installed variant by name (pg1-jru); default PG-1");
  number_option(dis_cmd, "--from", dopt.from, 0, kMaxAddress, "First address");
  number_option(dis_cmd, "--count", dopt.count, 0, kMaxAddress, "Number of words (default, or 0: to the end)");
  dis_cmd->add_option("program", dopt.program, "Assembly source (.s) or image file from 'pgsim asm -o'")->required();

  CheckOptions co;
  auto* check_cmd = app.add_subcommand("check", "Classify every instruction of an ISA by Popek & Goldberg's definitions");
  check_cmd->add_option("isa", co.isa, "ISA description: a file, or an installed variant by name (pg1-jru)")->required();
  check_cmd->add_option("--only", co.only, "Only these mnemonics");
  number_option(check_cmd, "--seed", co.seed, 0, UINT64_MAX, "Seed of the state generator (default 1974)");
  check_cmd->add_flag("--json", co.json, "Print one JSON object");
  auto* prove_flag = check_cmd->add_flag(
      "--prove", co.prove,
      "Prove every verdict with Z3 over all states, however long it takes (default: prove within a fixed budget of solver steps per instruction, test the rest, with a note)");
  check_cmd->add_flag("--no-prove", co.no_prove, "Only test sampled states (no proofs)")->excludes(prove_flag);

  EquivOptions eo;
  auto* equiv_cmd = app.add_subcommand("equiv", "Run bare and under N VMMs in lockstep; report the first divergence");
  equiv_cmd->add_option("--isa", eo.isa, "ISA description: a file, or an installed variant by name (pg1-jru); default PG-1");
  number_option(equiv_cmd, "--depth", eo.depth, 1, kMaxDepth, "Nesting depth of the virtualized run (default 1)");
  equiv_cmd->add_option("--vmm", eo.vmm, vmm_help);
  number_option(equiv_cmd, "--max-cycles", eo.max_cycles, 1, kMaxCycles, "Cycle budget of each real machine");
  number_option(equiv_cmd, "--memory", eo.memory, kMinMemory, 1u << 20, "Size of the guest's machine in words (default 8192)");
  number_option(equiv_cmd, "--reference-depth", eo.reference_depth, 0, 15,
                "Compare with the guest under this many monitors instead of the bare machine (default 0; 1 for a "
                "paravirtualized guest, e.g. --vmm pv examples/os/tinyos-pv.s); must be less than --depth");
  equiv_cmd->add_option("program", eo.program, "Assembly source file of the guest")->required();
  engine_option(equiv_cmd);

  CompareOptions cmp;
  auto* compare_cmd = app.add_subcommand(
      "compare", "Run workloads bare and under each monitor; one table of real traps, instructions and cycles");
  compare_cmd->add_option("--isa", cmp.isa, "ISA description: a file, or an installed variant by name (pg1-jru); default PG-1");
  number_option(compare_cmd, "--depth", cmp.depth, 1, kMaxDepth, "Levels of each monitor (default 1)");
  compare_cmd->add_option("--vmm", cmp.monitors, "Only this monitor (a name or a file; repeat for several; default: every shipped monitor)")
      ->allow_extra_args(false)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  number_option(compare_cmd, "--max-cycles", cmp.max_cycles, 1, kMaxCycles, "Cycle budget of each run (default 2e9)");
  number_option(compare_cmd, "--memory", cmp.memory, kMinMemory, kMaxMemory, "Size of the guest's machine in words");
  compare_cmd->add_flag("--json", cmp.json, "Print one JSON object");
  compare_cmd->add_option("programs", cmp.programs,
                          "Workloads (default: compute, syscalls, critical and the reference OS)");
  engine_option(compare_cmd);

  LessonOptions lo;
  auto* lesson_cmd = app.add_subcommand("lesson", "The guided lessons: list, show N, run N");
  lesson_cmd->add_option("action", lo.action, "list, show or run")->required()->check(CLI::IsMember({"list", "show", "run"}));
  number_option(lesson_cmd, "number", lo.number, 1, 999, "Lesson number");
  lesson_cmd->add_flag("--solutions", lo.solutions, "Check the exercises with the instructor's solutions");
  lesson_cmd->add_flag("--instructor", lo.instructor, "With show: include the instructor's notes (lessons/instructor/)");
  lesson_cmd->add_option("--answer", lo.answer, "With run: check FILE as the answer to the lesson's exercise (only the exercise runs)");
  lesson_cmd->add_option("--root", lo.root, "Directory that holds lessons/ (default: $PGSIM_LESSON_ROOT, else the installed or built data)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ValidationError& e) {
    // A value outside its option's range is an error in the input (exit 1), not a usage error.
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  pgsim::machine::set_default_engine(*pgsim::machine::engine_from_string(engine));
  if (asm_cmd->parsed()) return run_asm(ao);
  if (run_cmd->parsed()) return run_run(ro);
  if (dis_cmd->parsed()) return run_disasm(dopt);
  if (check_cmd->parsed()) return run_check(co);
  if (equiv_cmd->parsed()) return run_equiv(eo);
  if (compare_cmd->parsed()) return run_compare(cmp);
  if (lesson_cmd->parsed()) {
    if (lo.action != "list" && lo.number == 0) {
      std::fprintf(stderr, "pgsim lesson %s: which lesson? (a number; see `pgsim lesson list`)\n", lo.action.c_str());
      return 2;
    }
    return run_lesson(lo);
  }
  return 2;
}
