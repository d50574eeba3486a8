// Fuzz target: the assembler (text -> image) for PG-1, then the image in use: its listing and
// the disassembly of every word.
// Input: the text of an assembly file, assembled as if it were examples/guests/fuzz.s: its
// `.include`s of the project's files find them (as the seeds' `.include "lib/print.s"` does),
// and an `.include` of any file named fuzz.s receives the input itself again (through the
// assembler's file provider), so include cycles, fan-out and nesting are reachable from one input.
// Only PG-1 is loaded (once): the target needs no VMM. scripts/fuzz.sh runs it with
// -max_len=2048: under ASan assembly costs ~1.5 us per source byte, included files counted, and
// 4 KB inputs (plus lib/print.s, which most seeds include) ran under 170 executions per CPU second.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "assembler/assembler.hpp"
#include "fuzz_support.hpp"
#include "isa/disasm.hpp"
#include "isa/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgsim;
  static const auto isa = isa::load_isa(fuzz::source_dir() + "/examples/isa/pg1.isa");
  static const std::string path = fuzz::source_dir() + "/examples/guests/fuzz.s";
  std::string text(reinterpret_cast<const char*>(data), size);
  assembler::FileProvider provider = [&text](const std::string& p) -> std::optional<std::string> {
    if (p.size() >= 7 && p.compare(p.size() - 7, 7, "/fuzz.s") == 0) return text;
    return std::nullopt;
  };
  try {
    auto img = assembler::assemble_text(*isa, path, text, provider);
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
