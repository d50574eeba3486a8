#pragma once
// The assembler's output: a memory image with its symbol table and source map.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "isa/model.hpp"
#include "isa/source.hpp"

namespace pgsim::assembler {

/// Where a word came from.
struct SourceLine {
  std::shared_ptr<const SourceFile> file;
  int line = 0;  ///< 1-based
};

/// An assembled program: words from virtual address 0 up to the highest address written.
struct Image {
  std::vector<isa::Word> words;              ///< unwritten addresses hold 0
  std::map<std::string, isa::Word> symbols;  ///< labels and .equ values (case-sensitive)
  std::vector<int> source_of;                    ///< per address: index into `lines`, or -1
  std::vector<SourceLine> lines;
  std::vector<bool> is_code;                     ///< per address: written by an instruction

  isa::Word size() const { return static_cast<isa::Word>(words.size()); }
  /// The symbol's value; throws std::out_of_range with a message if absent.
  isa::Word symbol(const std::string& name) const;
  /// "file:line" of the statement that produced `address`, or "" if none.
  std::string where(isa::Word address) const;
  /// The source text of the statement that produced `address`, or "".
  std::string source_text(isa::Word address) const;
  /// A listing: address, word in hex, source line, one row per word written.
  std::string listing(const isa::IsaModel& isa) const;
};

}  // namespace pgsim::assembler
