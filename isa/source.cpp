#include "isa/source.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace pgsim {

std::pair<int, int> SourceFile::line_col(std::size_t offset) const {
  if (offset > text.size()) offset = text.size();
  int line = 1, col = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') { ++line; col = 1; } else { ++col; }
  }
  return {line, col};
}

std::string SourceFile::line_text(int line) const {
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) {
    auto nl = text.find('\n', start);
    if (nl == std::string::npos) return {};
    start = nl + 1;
  }
  auto end = text.find('\n', start);
  std::string s = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

std::shared_ptr<const SourceFile> read_source_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = fmt::format("{}: error: cannot open file", path);
    return nullptr;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  auto f = std::make_shared<SourceFile>();
  f->path = path;
  f->text = ss.str();
  return f;
}

std::string Diagnostic::format() const {
  const char* severity = warning ? "warning" : "error";
  if (!file) return fmt::format("{}: {}\n", severity, message);
  auto [line, col] = file->line_col(offset);
  std::string src = file->line_text(line);
  std::string caret;
  for (int i = 1; i < col && i - 1 < static_cast<int>(src.size()); ++i)
    caret += (src[i - 1] == '\t') ? '\t' : ' ';
  caret += '^';
  return fmt::format("{}:{}:{}: {}: {}\n{}\n{}\n", file->path, line, col, severity, message, src, caret);
}

std::string format_all(const Diagnostics& diags) {
  std::string out;
  for (const auto& d : diags) out += d.format();
  return out;
}

InputError::InputError(Diagnostics d) : diags_(std::move(d)), text_(format_all(diags_)) {}

}  // namespace pgsim
