#pragma once
// The pgsim subcommands. Each returns the process exit code:
// 0 success, 1 error in the user's input (compiler-style message on stderr), 2 usage.
#include <cstdint>
#include <string>
#include <vector>

namespace pgsim::cli {

// Ranges of the numeric options and sizes of the files the commands read. A value outside its
// range is an error naming the range (exit 1); so is a file above its limit.
inline constexpr std::uint64_t kMaxDepth = 64;                  ///< run --depth (vmm::Stack's limit)
inline constexpr std::uint64_t kMinMemory = 32;                 ///< --memory, words
inline constexpr std::uint64_t kMaxMemory = 1u << 26;           ///< run --memory, words (the real machine's limit)
inline constexpr std::uint64_t kMaxCycles = 1'000'000'000'000'000ull;  ///< --max-cycles
inline constexpr std::uint64_t kMaxAddress = 1u << 24;          ///< disasm --from / --count (the image size limit)
inline constexpr std::uint64_t kMaxInputBytes = 16u << 20;      ///< run --input: bytes fed to the console
inline constexpr std::uint64_t kMaxImageFileBytes = 256u << 20; ///< disasm: an image file from `pgsim asm -o`

/// Options of `pgsim asm`.
struct AsmOptions {
  std::string isa, program, output;
  bool listing = false;
};
int run_asm(const AsmOptions& o);

/// Options of `pgsim run`.
struct RunOptions {
  std::string isa, vmm, program, input;
  unsigned depth = 0;
  std::uint32_t memory = 0;            ///< guest machine words (0: the ISA's default)
  std::uint64_t max_cycles = 1000000000;
  bool trace_traps = false, json = false;
  unsigned show_tc = 0;  ///< print this many TUs of the bt monitor's translation cache after the run
};
int run_run(const RunOptions& o);

/// Options of `pgsim disasm`.
struct DisasmOptions {
  std::string isa, program;
  std::uint32_t from = 0, count = 0;  ///< count 0: the whole image
};
int run_disasm(const DisasmOptions& o);

/// Options of `pgsim check`.
struct CheckOptions {
  std::string isa;
  std::vector<std::string> only;
  std::uint64_t seed = 1974;
  bool json = false;
  bool prove = false;     ///< --prove: prove every instruction (no total time limit), report what was not decided
  bool no_prove = false;  ///< --no-prove: sampled states only
};
int run_check(const CheckOptions& o);

/// Options of `pgsim equiv`.
struct EquivOptions {
  std::string isa, vmm, program;
  unsigned depth = 1;
  std::uint32_t memory = 8192;  ///< guest machine words (storage is compared at every boundary)
  std::uint64_t max_cycles = 100000000;
  /// The reference run: 0 = the bare machine; N > 0 = under N monitors, for a paravirtualized
  /// guest that cannot run bare (docs/hypercalls.md, "Equivalence for a PV guest").
  unsigned reference_depth = 0;
};
int run_equiv(const EquivOptions& o);

/// Options of `pgsim compare`.
struct CompareOptions {
  std::string isa;
  std::vector<std::string> monitors;  ///< catalog names or files (empty: every catalog monitor)
  std::vector<std::string> programs;  ///< workloads (empty: vmm::default_workloads())
  unsigned depth = 1;
  std::uint32_t memory = 0;  ///< guest machine words (0: the ISA's default)
  std::uint64_t max_cycles = 2'000'000'000;
  bool json = false;
};
int run_compare(const CompareOptions& o);

/// Options of `pgsim lesson`.
struct LessonOptions {
  std::string action;  ///< list, show, run
  int number = 0;
  bool solutions = false, instructor = false;
  std::string answer;  ///< run: check this file as the exercise's answer (only the exercise runs)
  std::string root;    ///< directory holding lessons/ (default: vmm::find_lesson_root())
};
int run_lesson(const LessonOptions& o);

}  // namespace pgsim::cli
