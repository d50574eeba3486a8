// Fuzz target: the ISA description loader (text -> IsaModel), then the model in use: every
// instruction word of the input disassembled, and a small machine built from the model running
// the input's bytes as its storage for a few thousand cycles.
// Input: the text of an ISA file, loaded as if it were examples/isa/fuzz.isa (so that
// `include "pg1.isa"` finds PG-1, as the variants do).
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "fuzz_support.hpp"
#include "isa/disasm.hpp"
#include "isa/loader.hpp"
#include "machine/machine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgsim;
  static const std::string path = fuzz::source_dir() + "/examples/isa/fuzz.isa";
  std::string text(reinterpret_cast<const char*>(data), size);
  std::shared_ptr<const isa::IsaModel> model;
  try {
    model = isa::load_isa_text(path, text);
  } catch (const InputError& e) {
    (void)e.diagnostics();
    return 0;  // a rejected description is the expected outcome for most inputs
  }
  auto words = fuzz::words_of(data, size);
  for (std::size_t a = 0; a < words.size() && a < 256; ++a) (void)isa::disassemble(*model, words[a], static_cast<std::uint32_t>(a));
  try {
    machine::Machine m(model, 256);
    for (std::size_t a = 0; a < words.size() && a < m.storage().size(); ++a) m.storage()[a] = words[a];
    m.push_input(0x41);
    m.run(5000);
    (void)m.psw();
  } catch (const std::exception&) {
    // a machine the model cannot build (e.g. 256 words too small for its trap area)
  }
  return 0;
}
