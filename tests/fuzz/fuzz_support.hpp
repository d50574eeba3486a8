#pragma once
// Shared pieces of the libFuzzer harnesses in tests/fuzz (README "Fuzzing and sanitizers").
// Each harness defines LLVMFuzzerTestOneInput; inputs that pgsim rejects with an error are
// expected (exceptions are caught), anything else - a signal, a sanitizer report, a timeout,
// an out-of-memory - is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "assembler/assembler.hpp"
#include "isa/loader.hpp"

namespace pgsim::fuzz {

/// The source checkout the harness was built from (examples/, lessons/, vmm/monitors/pgvmm.s).
inline std::string source_dir() { return PGSIM_SOURCE_DIR; }

/// Little-endian 32-bit words from `n` bytes at `p` (a trailing partial word is zero-padded).
inline std::vector<isa::Word> words_of(const std::uint8_t* p, std::size_t n) {
  std::vector<isa::Word> w((n + 3) / 4, 0);
  for (std::size_t i = 0; i < n; ++i) w[i / 4] |= static_cast<isa::Word>(p[i]) << (8 * (i % 4));
  return w;
}

/// Reads one byte from the front of [p, p + n) (0 when empty) and advances.
inline std::uint8_t take_byte(const std::uint8_t*& p, std::size_t& n) {
  if (n == 0) return 0;
  --n;
  return *p++;
}

/// Reads a little-endian 32-bit word (missing bytes are 0) and advances.
inline std::uint32_t take_word(const std::uint8_t*& p, std::size_t& n) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(take_byte(p, n)) << (8 * i);
  return v;
}

/// An image with `words` at addresses 0.. and no symbols or source lines (an arbitrary image,
/// as `pgsim run` gets from a file it did not assemble).
inline std::shared_ptr<const assembler::Image> raw_image(std::vector<isa::Word> words) {
  auto img = std::make_shared<assembler::Image>();
  img->source_of.assign(words.size(), -1);
  img->is_code.assign(words.size(), false);
  img->words = std::move(words);
  return img;
}

/// The ISA descriptions a machine harness chooses from (PG-1 first, then its variants):
/// each with the reference VMM assembled for it (null when pgvmm.s does not assemble for it).
/// PG-1's own VMM must assemble: without it every run would be at depth 0, and the harness says so
/// and aborts rather than fuzzing silently less than it claims (pgvmm.s moved, say).
struct IsaChoice {
  std::string name;
  std::shared_ptr<const isa::IsaModel> isa;
  std::shared_ptr<const assembler::Image> vmm;  ///< the ISA's own monitor: pgvmm.s, or assist.s on pg1-assist
  /// The other monitors of the catalog assembled for this ISA, by `monitor_choices()`'s index
  /// (0 is `vmm`); null where a monitor does not assemble for the ISA.
  std::vector<std::shared_ptr<const assembler::Image>> monitors;
};
/// The monitors a harness can put under a guest, by index: 0 the ISA's own (`IsaChoice::vmm`),
/// then the software techniques of vmm/monitors/.
inline const std::vector<std::string>& monitor_choices() {
  static const std::vector<std::string> m{"", "hybrid.s", "bt.s", "pv.s"};
  return m;
}
inline const std::vector<IsaChoice>& isa_choices() {
  static const std::vector<IsaChoice> choices = [] {
    std::vector<IsaChoice> c;
    const std::string s = source_dir();
    for (const char* f : {"examples/isa/pg1.isa", "examples/isa/pg1-jru.isa", "examples/isa/pg1-getm.isa",
                          "examples/isa/pg1-setie.isa", "examples/isa/pg1-spsw.isa",
                          "lessons/programs/10-pg1-setie-trap.isa", "examples/isa/pg1-assist.isa"}) {
      IsaChoice ch;
      ch.name = f;
      ch.isa = isa::load_isa(s + "/" + f);  // the project's own files: an error here is fatal
      const bool assist = ch.isa->assist.present;
      for (const auto& m : monitor_choices()) {
        std::shared_ptr<const assembler::Image> img;
        try {
          const std::string file = m.empty() ? (assist ? "assist.s" : "pgvmm.s") : m;
          img = std::make_shared<assembler::Image>(assembler::assemble_file(*ch.isa, s + "/vmm/monitors/" + file));
        } catch (const std::exception&) {
        }
        ch.monitors.push_back(std::move(img));
      }
      ch.vmm = ch.monitors.front();
      c.push_back(std::move(ch));
    }
    for (const auto& ch : c)
      if (!ch.vmm || (ch.name == "examples/isa/pg1.isa" && std::count(ch.monitors.begin(), ch.monitors.end(), nullptr))) {
        std::fprintf(stderr, "fuzz harness: a monitor of %s/vmm/monitors/ does not assemble for %s\n", s.c_str(),
                     ch.name.c_str());
        std::abort();
      }
    return c;
  }();
  return choices;
}

/// Sends stdout to /dev/null (commands under test print their results; libFuzzer reports on stderr).
inline void silence_stdout() {
  if (!std::freopen("/dev/null", "w", stdout)) std::perror("/dev/null");
}

}  // namespace pgsim::fuzz
