#pragma once
// Shared helpers for the tests: the PG-1 model, assembling text, running programs.
#include <sys/wait.h>

#include <cstdio>
#include <memory>
#include <string>

#include "assembler/assembler.hpp"
#include "isa/loader.hpp"
#include "machine/machine.hpp"
#include "vmm/stack.hpp"

namespace pgsim::test {

inline std::string source_path(const std::string& rel) { return std::string(PGSIM_SOURCE_DIR) + "/" + rel; }

/// PG-1, loaded once.
inline std::shared_ptr<const isa::IsaModel> pg1() {
  static auto m = isa::load_isa(source_path("examples/isa/pg1.isa"));
  return m;
}

/// Assembles PG-1 text.
inline std::shared_ptr<const assembler::Image> assemble(const std::string& text,
                                                        std::shared_ptr<const isa::IsaModel> isa = pg1()) {
  return std::make_shared<assembler::Image>(assembler::assemble_text(*isa, "test.s", text));
}

/// A bare PG-1 machine with `text` assembled and loaded at 0, in its reset state.
inline machine::Machine machine_with(const std::string& text, std::uint32_t memory = 0,
                                     std::shared_ptr<const isa::IsaModel> isa = pg1()) {
  machine::Machine m(isa, memory);
  m.load(0, assemble(text, isa)->words);
  return m;
}

/// The reference VMM image, assembled once.
inline std::shared_ptr<const assembler::Image> reference_vmm() {
  static auto v = std::make_shared<assembler::Image>(assembler::assemble_file(*pg1(), source_path("vmm/monitors/pgvmm.s")));
  return v;
}

/// What running the pgsim binary printed, and its exit code.
struct CommandResult {
  int code;
  std::string out;
};
/// Runs `pgsim ARGS` (stderr merged into the output when `merge_stderr`, else discarded).
inline CommandResult run_pgsim(const std::string& args, bool merge_stderr = true) {
  std::string cmd = std::string(PGSIM_BINARY) + " " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null");
  CommandResult r{0, {}};
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, {}};
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

/// The diagnostics text of an InputError thrown by `f`, or "" if none was thrown.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return {};
}

}  // namespace pgsim::test
