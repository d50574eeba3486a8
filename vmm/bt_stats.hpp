#pragma once
// What the binary-translating monitor (vmm/monitors/bt.s) keeps about its translation cache,
// read from its storage: the counters of its header ("STATISTICS") and the TUs now in the TC,
// each with its guest code and its compiled code fragment (CCF). Used by `pgsim run --json`,
// `pgsim tc` and the GUI's Translation cache view. Vocabulary: DESIGN.md (TU, IDENT / non-IDENT,
// CCF, TC); the technique: Adams & Agesen, ASPLOS 2006.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vmm/stack.hpp"

namespace pgsim::vmm {

/// One word of a CCF, explained.
struct CcfWord {
  isa::Word address = 0;  ///< the monitor's address of the word (in its level's machine)
  isa::Word word = 0;
  std::string text;           ///< "ld r7, 6012(r0)   ; prologue: reload the guest's r7", "exit -> guest pc 42", …
};

/// One guest instruction of a TU.
struct TuInstruction {
  isa::Word pc = 0;    ///< guest virtual address
  isa::Word word = 0;  ///< the guest's word there now
  std::string text;        ///< disassembled
  bool ident = false;      ///< copied IDENT (else translated non-IDENT)
  /// "file:line" of the source statement that produced the word there (the assembled image of
  /// the level the monitor runs: the guest's program, or the monitor's own source when the level
  /// above is a monitor too), or "" when no statement wrote that address (e.g. code the guest
  /// wrote at run time).
  std::string where;
};

/// A translation unit now in the translation cache.
struct BtTu {
  isa::Word guest_pc = 0;    ///< where it starts (guest virtual address)
  isa::Word length = 0;      ///< guest instructions, 1 .. 12
  isa::Word ccf = 0;         ///< the CCF's first word (the monitor's address)
  isa::Word ccf_words = 0;   ///< the CCF's size in words
  std::uint64_t hits = 0;        ///< dispatches that found it (chained entries are not counted)
  std::vector<TuInstruction> guest;
  std::vector<CcfWord> code;
};

/// The counters of bt.s (each counts from the monitor's boot; words, instructions, events).
struct BtStats {
  unsigned level = 0;                  ///< the monitor's level (L0 …)
  std::uint64_t tus = 0;               ///< TUs translated
  std::uint64_t translated = 0;        ///< guest instructions in them (= ident + non_ident)
  std::uint64_t ident = 0, non_ident = 0;
  std::uint64_t ccf_words = 0;         ///< words of CCF emitted
  std::uint64_t hits = 0, misses = 0;  ///< dispatcher lookups (hits + misses = TU entries through it)
  std::uint64_t exits = 0;             ///< CCF exits into the dispatcher
  std::uint64_t chains = 0;            ///< exits patched into direct jumps
  std::uint64_t callouts = 0;          ///< call-outs: guest instructions emulated by the monitor
  std::uint64_t invalidations = 0;     ///< TC flushes because the guest wrote translated code
  std::uint64_t flushes = 0;           ///< other flushes (TC full, new kernel R, interrupts on with chains)
  std::vector<std::uint64_t> lengths;  ///< lengths[n] = TUs of n instructions, n = 0 .. 12
  std::vector<BtTu> cache;             ///< the TUs now in the TC, in translation order
};

/// True when `vmm` is a binary-translating monitor that keeps bt.s's statistics (its symbols
/// bt_tus … bt_len, TU_TABLE, tu_count).
bool is_bt_monitor(const assembler::Image& vmm);

/// The statistics of the monitor at level `level` (0 .. depth-1) of `stack`, read from its
/// storage now; with `with_cache`, also the TUs in its TC, their guest code (disassembled with the
/// machine's ISA) and their CCFs explained word by word. Empty when the stack's monitor is not
/// bt (is_bt_monitor) or `level` >= depth.
std::optional<BtStats> read_bt_stats(const Stack& stack, unsigned level, bool with_cache = false);

/// The translation cache as text, for `pgsim tc` and lessons: each TU (at most `max_tus`, the most
/// hit first) as its guest code beside its CCF, IDENT / non-IDENT marked, with its hits.
std::string format_translation_cache(const BtStats& stats, std::size_t max_tus);

}  // namespace pgsim::vmm
