#pragma once
// Helpers shared by the pgsim subcommands: input errors, loading the ISA and programs.
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "assembler/image.hpp"
#include "isa/model.hpp"

namespace pgsim::cli {

/// An error in the user's input, already formatted for stderr; becomes exit code 1.
struct UserError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The ISA at `path`, or PG-1 when `path` is empty. Throws UserError with the diagnostics.
std::shared_ptr<const isa::IsaModel> load_isa_or_default(const std::string& path);

/// The program at `path` assembled for `isa`. Throws UserError with every diagnostic.
std::shared_ptr<const assembler::Image> assemble(const isa::IsaModel& isa, const std::string& path);

/// The reference VMM (or `path`) assembled for `isa`. Throws UserError.
std::shared_ptr<const assembler::Image> assemble_vmm(const isa::IsaModel& isa, const std::string& path);

/// Runs `f`, turning UserError and other exceptions into a message on stderr and exit code 1.
template <class F>
int guarded(F&& f) {
  try {
    return f();
  } catch (const UserError& e) {
    std::fputs(e.what(), stderr);
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

}  // namespace pgsim::cli
