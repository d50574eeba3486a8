#pragma once
// Source text and compiler-style diagnostics shared by the ISA parser and the assembler,
// and the bounded, regular-files-only file reading that every input of pgsim goes through.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pgsim {

/// The largest file pgsim reads as source text (a program, an included file, an ISA file), in bytes.
inline constexpr std::uint64_t kMaxSourceFileBytes = 4u << 20;
/// Include directives followed while loading one input (an ISA file or a program); a file
/// included twice counts twice, so that a DAG of includes cannot multiply without bound.
inline constexpr std::size_t kMaxIncludes = 1000;
/// Text read while loading one input, in bytes: its file and every included file, counted at
/// each inclusion.
inline constexpr std::uint64_t kMaxIncludedBytes = std::uint64_t{4} << 20;
/// The most diagnostics one load keeps; the next error stops it with "too many errors (limit N); stopping".
inline constexpr std::size_t kMaxDiagnostics = 100;
/// A diagnostic shows at most this many characters of its source line (clipped around the caret).
inline constexpr std::size_t kMaxShownLine = 160;

/// One text file held in memory, with its display name (the path the user gave).
/// Set `path` and `text` before the first call to line_col / line_text; the line index those
/// build (once, thread-safely) assumes the text no longer changes.
struct SourceFile {
  std::string path;  ///< as given by the user (used in "file:line:col")
  std::string text;  ///< whole contents

  SourceFile() = default;
  SourceFile(const SourceFile& o) : path(o.path), text(o.text) {}
  SourceFile& operator=(const SourceFile& o) {
    if (this != &o) {
      std::lock_guard lock(index_mutex_);
      path = o.path;
      text = o.text;
      line_starts_.clear();
    }
    return *this;
  }

  /// 1-based line and column of a byte offset into `text`; offsets past the end clamp.
  /// O(log lines) after the first call (a line index), so that many diagnostics stay linear.
  std::pair<int, int> line_col(std::size_t offset) const;
  /// The text of 1-based line `line`, without its newline (and without a trailing '\r').
  std::string line_text(int line) const;
  /// Number of lines (a text ending in '\n' has an empty last line).
  int line_count() const;

 private:
  mutable std::mutex index_mutex_;
  mutable std::vector<std::size_t> line_starts_;  ///< offset of each line's first byte
  const std::vector<std::size_t>& index() const;
};

/// Reads the regular file at `path`, at most `max_bytes` bytes. On failure returns false and
/// sets `error` to a sentence naming the file: it does not exist or cannot be opened, "is a
/// directory", "is not a regular file" (devices, FIFOs: /dev/zero would never end), or is larger
/// than the limit (named, in bytes).
bool read_bounded_file(const std::string& path, std::uint64_t max_bytes, std::string& out, std::string& error);

/// Reads a source file (read_bounded_file with kMaxSourceFileBytes). Returns nullptr and sets
/// `error` (a sentence naming the file, without "error:") when it cannot be read.
std::shared_ptr<const SourceFile> read_source_file(const std::string& path, std::string& error);

/// One error message at a place in a source file.
struct Diagnostic {
  std::shared_ptr<const SourceFile> file;  ///< may be null for file-less errors
  std::size_t offset = 0;                  ///< byte offset in file->text
  std::string message;
  bool warning = false;  ///< a warning (the input is accepted) rather than an error
  /// "file:line:col: error: message" ("warning:" for a warning), then the source line and a
  /// caret under the column. A line longer than kMaxShownLine characters is shown clipped
  /// around the caret ("...").
  std::string format() const;
};

/// An ordered list of diagnostics; empty means success.
using Diagnostics = std::vector<Diagnostic>;

/// Joins formatted diagnostics, one after another; after kMaxDiagnostics of them, one line
/// "error: too many errors (limit N); stopping" instead of the rest.
std::string format_all(const Diagnostics& diags);

/// Appends `d` to `diags` unless kMaxDiagnostics are already there; returns false (and appends
/// the "too many errors (limit N); stopping" diagnostic once) when the limit is reached, so that
/// the caller can stop.
bool add_diagnostic(Diagnostics& diags, Diagnostic d);

/// The diagnostic that ends a load which reached kMaxDiagnostics.
Diagnostic too_many_errors();

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
