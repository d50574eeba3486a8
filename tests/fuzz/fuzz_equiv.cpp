// Fuzz target: `pgsim equiv`'s lockstep comparison (cli/equiv_command.cpp, run_equiv itself):
// an arbitrary guest image on the bare machine against the same image under the reference VMM
// (depth 1, or 2), compared at every guest instruction boundary.
//
// run_equiv loads its ISA, guest and VMM through three functions of cli/commands.cpp; this
// harness links equiv_command.cpp with its own definitions of those three (below), which hand
// over the ISA and VMM loaded once and the image made from the input - so each execution
// runs the comparison only, not the file loading (the loaders have fuzz targets of their own).
//
// Input layout: byte 0 bits 0-2 ISA (index into fuzz::isa_choices(), modulo), bit 3 depth 2
// instead of 1; byte 1 guest machine size 32 + 8 * byte words; the rest the guest image from
// address 0. Budget: 5,000 cycles per machine.
#include <cstddef>
#include <cstdint>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "fuzz_support.hpp"

namespace {
const pgsim::fuzz::IsaChoice* current = nullptr;
std::shared_ptr<const pgsim::assembler::Image> guest;
}  // namespace

namespace pgsim::cli {
std::shared_ptr<const isa::IsaModel> load_isa_or_default(const std::string&) { return current->isa; }
std::shared_ptr<const assembler::Image> assemble(const isa::IsaModel&, const std::string&) { return guest; }
std::shared_ptr<const assembler::Image> assemble_vmm(const isa::IsaModel&, const std::string&) { return current->vmm; }
}  // namespace pgsim::cli

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pgsim::fuzz::silence_stdout();  // run_equiv prints its verdict
  (void)pgsim::fuzz::isa_choices();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgsim;
  const auto& choices = fuzz::isa_choices();
  const std::uint8_t h0 = fuzz::take_byte(data, size);
  const std::uint8_t h1 = fuzz::take_byte(data, size);
  current = &choices[(h0 & 7u) % choices.size()];
  if (!current->vmm) current = &choices.front();
  guest = fuzz::raw_image(fuzz::words_of(data, size));
  cli::EquivOptions o;
  o.program = "fuzz.s";
  o.depth = (h0 & 8u) ? 2 : 1;
  o.memory = 32u + 8u * h1;
  o.max_cycles = 5000;
  int rc = cli::run_equiv(o);  // 0 equivalent, 3 diverged, 1 an error in the input (stderr)
  if (rc != 0 && rc != 1 && rc != 3) __builtin_trap();
  guest.reset();
  return 0;
}
