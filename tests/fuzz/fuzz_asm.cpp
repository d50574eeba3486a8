// Fuzz target: the assembler (text -> image) for PG-1, then the image in use: its listing and
// the disassembly of every word.
// Input: the text of an assembly file. Every `.include "NAME"` receives the same text again
// (through the assembler's file provider, so the disk is never read): include cycles, include
// fan-out and nesting are all reachable from one input.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "assembler/assembler.hpp"
#include "fuzz_support.hpp"
#include "isa/disasm.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgsim;
  static const auto isa = fuzz::isa_choices().front().isa;
  std::string text(reinterpret_cast<const char*>(data), size);
  assembler::FileProvider provider = [&text](const std::string&) -> std::optional<std::string> { return text; };
  try {
    auto img = assembler::assemble_text(*isa, "/pgsim-fuzz/main.s", text, provider);
    (void)img.listing(*isa);
    for (std::uint32_t a = 0; a < img.size() && a < 4096; ++a) {
      (void)isa::disassemble(*isa, img.words[a], a);
      (void)img.where(a);
      (void)img.source_text(a);
    }
  } catch (const InputError& e) {
    (void)e.diagnostics();
  }
  return 0;
}
