#include "isa/source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace pgsim {

const std::vector<std::size_t>& SourceFile::index() const {
  std::lock_guard lock(index_mutex_);
  if (line_starts_.empty()) {
    line_starts_.push_back(0);
    for (std::size_t i = text.find('\n'); i != std::string::npos; i = text.find('\n', i + 1))
      line_starts_.push_back(i + 1);
  }
  return line_starts_;
}

std::pair<int, int> SourceFile::line_col(std::size_t offset) const {
  if (offset > text.size()) offset = text.size();
  const auto& starts = index();
  // The last line start at or before `offset`.
  auto it = std::upper_bound(starts.begin(), starts.end(), offset);
  std::size_t line = static_cast<std::size_t>(it - starts.begin());  // 1-based
  std::size_t col = offset - starts[line - 1] + 1;
  return {static_cast<int>(line), static_cast<int>(col)};
}

int SourceFile::line_count() const { return static_cast<int>(index().size()); }

std::string SourceFile::line_text(int line) const {
  const auto& starts = index();
  if (line < 1 || static_cast<std::size_t>(line) > starts.size()) return {};
  std::size_t start = starts[static_cast<std::size_t>(line) - 1];
  std::size_t end = static_cast<std::size_t>(line) < starts.size() ? starts[static_cast<std::size_t>(line)] - 1 : text.size();
  std::string s = text.substr(start, end - start);
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

bool read_bounded_file(const std::string& path, std::uint64_t max_bytes, std::string& out, std::string& error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    error = fmt::format("cannot open '{}': {}", path, ec ? ec.message() : std::string("no such file"));
    return false;
  }
  if (fs::is_directory(st)) {
    error = fmt::format("'{}' is a directory, not a file", path);
    return false;
  }
  if (!fs::is_regular_file(st)) {
    error = fmt::format("'{}' is not a regular file (a device, pipe or socket); pgsim reads only regular files", path);
    return false;
  }
  auto size = fs::file_size(path, ec);
  if (!ec && size > max_bytes) {
    error = fmt::format("'{}' is {} bytes, larger than the limit of {} bytes", path, size, max_bytes);
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = fmt::format("cannot open '{}': {}", path, std::strerror(errno));
    return false;
  }
  // Read at most max_bytes + 1 bytes, whatever the size said (the file may grow meanwhile).
  out.clear();
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    auto n = static_cast<std::size_t>(in.gcount());
    if (out.size() + n > max_bytes) {
      error = fmt::format("'{}' is larger than the limit of {} bytes", path, max_bytes);
      out.clear();
      return false;
    }
    out.append(buf, n);
  }
  if (in.bad()) {
    error = fmt::format("cannot read '{}'", path);
    return false;
  }
  return true;
}

std::shared_ptr<const SourceFile> read_source_file(const std::string& path, std::string& error) {
  auto f = std::make_shared<SourceFile>();
  if (!read_bounded_file(path, kMaxSourceFileBytes, f->text, error)) return nullptr;
  f->path = path;
  return f;
}

std::string Diagnostic::format() const {
  const char* severity = warning ? "warning" : "error";
  if (!file) return fmt::format("{}: {}\n", severity, message);
  auto [line, col] = file->line_col(offset);
  std::string src = file->line_text(line);
  // Clip a long line to a window around the caret, so that each diagnostic stays small.
  std::size_t c = static_cast<std::size_t>(col) - 1;  // 0-based column
  std::string prefix;
  if (src.size() > kMaxShownLine) {
    std::size_t before = kMaxShownLine / 2;
    std::size_t from = c > before ? c - before : 0;
    if (from + kMaxShownLine > src.size()) from = src.size() > kMaxShownLine ? src.size() - kMaxShownLine : 0;
    std::string shown = src.substr(from, kMaxShownLine);
    if (from > 0) prefix = "...";
    if (from + kMaxShownLine < src.size()) shown += "...";
    src = prefix + shown;
    c = c - from + prefix.size();
  }
  std::string caret;
  for (std::size_t i = 0; i < c && i < src.size(); ++i) caret += (src[i] == '\t') ? '\t' : ' ';
  caret += '^';
  return fmt::format("{}:{}:{}: {}: {}\n{}\n{}\n", file->path, line, col, severity, message, src, caret);
}

Diagnostic too_many_errors() {
  return Diagnostic{nullptr, 0, fmt::format("too many errors (limit {}); stopping", kMaxDiagnostics)};
}

bool add_diagnostic(Diagnostics& diags, Diagnostic d) {
  if (diags.size() > kMaxDiagnostics) return false;
  if (diags.size() == kMaxDiagnostics) {
    diags.push_back(too_many_errors());
    return false;
  }
  diags.push_back(std::move(d));
  return true;
}

std::string format_all(const Diagnostics& diags) {
  std::string out;
  std::size_t n = 0;
  for (const auto& d : diags) {
    if (n++ == kMaxDiagnostics) {
      // Already ended by add_diagnostic? Then the last one is that message; print it once.
      out += too_many_errors().format();
      break;
    }
    out += d.format();
  }
  return out;
}

InputError::InputError(Diagnostics d) : diags_(std::move(d)), text_(format_all(diags_)) {}

}  // namespace pgsim
