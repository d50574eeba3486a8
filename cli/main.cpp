// pgsim: the command line. Subcommands: asm, run, disasm.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace pgsim::cli;
  CLI::App app{"pgsim: an instructional simulator of a Popek-Goldberg machine and a recursive trap-and-emulate VMM"};
  app.require_subcommand(1);

  AsmOptions ao;
  auto* asm_cmd = app.add_subcommand("asm", "Assemble a program; print errors like a compiler, or a listing");
  asm_cmd->add_option("--isa", ao.isa, "ISA description: a file, or an installed variant by name (pg1-jru); default PG-1");
  asm_cmd->add_option("program", ao.program, "Assembly source file")->required();
  asm_cmd->add_option("-o,--output", ao.output, "Write the image (one hex word per line) to this file");
  asm_cmd->add_flag("--listing", ao.listing, "Print a listing: address, word, disassembly, source line");

  RunOptions ro;
  auto* run_cmd = app.add_subcommand("run", "Run a program on the bare machine or under N levels of VMM");
  run_cmd->add_option("--isa", ro.isa, "ISA description: a file, or an installed variant by name (pg1-jru); default PG-1");
  run_cmd->add_option("--depth", ro.depth, "Nesting depth: 0 = bare machine, N = under N VMMs")->check(CLI::Range(0, 64));
  run_cmd->add_option("--vmm", ro.vmm, "VMM source file (default: the reference VMM)");
  run_cmd->add_option("--memory", ro.memory, "Size of the guest's machine in words (default: the ISA's)")
      ->check(CLI::Range(32u, 1u << 26));
  run_cmd->add_option("--input", ro.input, "Feed this file to the console device, one byte per input word");
  run_cmd->add_option("--max-cycles", ro.max_cycles, "Cycle budget of the real machine");
  run_cmd->add_flag("--trace-traps", ro.trace_traps, "Print every real trap and the levels that handled it");
  run_cmd->add_flag("--json", ro.json, "Print one JSON object on standard output");
  run_cmd->add_option("program", ro.program, "Assembly source file of the guest")->required();

  DisasmOptions dopt;
  auto* dis_cmd = app.add_subcommand("disasm", "Disassemble a program (source or image file)");
  dis_cmd->add_option("--isa", dopt.isa, "ISA description: a file, or an installed variant by name (pg1-jru); default PG-1");
  dis_cmd->add_option("--from", dopt.from, "First address");
  dis_cmd->add_option("--count", dopt.count, "Number of words (default: to the end)");
  dis_cmd->add_option("program", dopt.program, "Assembly source (.s) or image file from 'pgsim asm -o'")->required();

  CheckOptions co;
  auto* check_cmd = app.add_subcommand("check", "Classify every instruction of an ISA by Popek & Goldberg's definitions");
  check_cmd->add_option("isa", co.isa, "ISA description: a file, or an installed variant by name (pg1-jru)")->required();
  check_cmd->add_option("--only", co.only, "Only these mnemonics");
  check_cmd->add_option("--seed", co.seed, "Seed of the state generator (default 1974)");
  check_cmd->add_flag("--json", co.json, "Print one JSON object");

  EquivOptions eo;
  auto* equiv_cmd = app.add_subcommand("equiv", "Run bare and under N VMMs in lockstep; report the first divergence");
  equiv_cmd->add_option("--isa", eo.isa, "ISA description: a file, or an installed variant by name (pg1-jru); default PG-1");
  equiv_cmd->add_option("--depth", eo.depth, "Nesting depth of the virtualized run (default 1)")->check(CLI::Range(1, 16));
  equiv_cmd->add_option("--vmm", eo.vmm, "VMM source file (default: the reference VMM)");
  equiv_cmd->add_option("--max-cycles", eo.max_cycles, "Cycle budget of each real machine");
  equiv_cmd->add_option("--memory", eo.memory, "Size of the guest's machine in words (default 8192)")
      ->check(CLI::Range(32u, 1u << 20));
  equiv_cmd->add_option("program", eo.program, "Assembly source file of the guest")->required();

  LessonOptions lo;
  auto* lesson_cmd = app.add_subcommand("lesson", "The guided lessons: list, show N, run N");
  lesson_cmd->add_option("action", lo.action, "list, show or run")->required()->check(CLI::IsMember({"list", "show", "run"}));
  lesson_cmd->add_option("number", lo.number, "Lesson number");
  lesson_cmd->add_flag("--solutions", lo.solutions, "Check the exercises with the instructor's solutions");
  lesson_cmd->add_flag("--instructor", lo.instructor, "With show: include the instructor's section");
  lesson_cmd->add_option("--root", lo.root, "Directory that holds lessons/ (default: $PGSIM_LESSON_ROOT, else the installed or built data)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (asm_cmd->parsed()) return run_asm(ao);
  if (run_cmd->parsed()) return run_run(ro);
  if (dis_cmd->parsed()) return run_disasm(dopt);
  if (check_cmd->parsed()) return run_check(co);
  if (equiv_cmd->parsed()) return run_equiv(eo);
  if (lesson_cmd->parsed()) {
    if (lo.action != "list" && lo.number == 0) {
      std::fprintf(stderr, "pgsim lesson %s: which lesson? (a number; see `pgsim lesson list`)\n", lo.action.c_str());
      return 2;
    }
    return run_lesson(lo);
  }
  return 2;
}
