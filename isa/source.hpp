#pragma once
// Source text and compiler-style diagnostics shared by the ISA parser and the assembler.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pgsim {

/// One text file held in memory, with its display name (the path the user gave).
struct SourceFile {
  std::string path;  ///< as given by the user (used in "file:line:col")
  std::string text;  ///< whole contents
  /// 1-based line and column of a byte offset into `text`; offsets past the end clamp.
  std::pair<int, int> line_col(std::size_t offset) const;
  /// The text of 1-based line `line`, without its newline.
  std::string line_text(int line) const;
};

/// Reads a file. Returns nullptr (and sets `error`) when it cannot be read.
std::shared_ptr<const SourceFile> read_source_file(const std::string& path, std::string& error);

/// One error message at a place in a source file.
struct Diagnostic {
  std::shared_ptr<const SourceFile> file;  ///< may be null for file-less errors
  std::size_t offset = 0;                  ///< byte offset in file->text
  std::string message;
  bool warning = false;  ///< a warning (the input is accepted) rather than an error
  /// "file:line:col: error: message" ("warning:" for a warning), then the source line and a
  /// caret under the column.
  std::string format() const;
};

/// An ordered list of diagnostics; empty means success.
using Diagnostics = std::vector<Diagnostic>;

/// Joins formatted diagnostics, one after another.
std::string format_all(const Diagnostics& diags);

/// Thrown by the loaders (ISA, assembler) when the input has errors; carries them all.
class InputError : public std::exception {
 public:
  explicit InputError(Diagnostics d);
  const char* what() const noexcept override { return text_.c_str(); }
  const Diagnostics& diagnostics() const { return diags_; }

 private:
  Diagnostics diags_;
  std::string text_;
};

}  // namespace pgsim
