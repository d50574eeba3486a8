#pragma once
// Internal to vmm/ (include it nowhere else): the helpers that both halves of the lesson runner
// use to read the words of a lesson's commands -- vmm/lesson.cpp (reading a lesson, running its
// steps and exercises) and vmm/lesson_expect.cpp (the `expect` forms and their checks).
#include <charconv>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "vmm/lesson.hpp"

namespace pgsim::vmm::detail {

/// 100000000 as "100,000,000".
inline std::string grouped(unsigned long long n) {
  std::string d = std::to_string(n), out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

/// `text` as an unsigned number (decimal, or hexadecimal with 0x) in [lo, hi]. Throws
/// LessonFailure(where, "error: NAME …") naming the range when it is not a number or outside it.
inline std::uint64_t checked_number(const std::string& where, const std::string& name, const std::string& text,
                                    std::uint64_t lo, std::uint64_t hi) {
  std::string digits = text;
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits = digits.substr(2);
    base = 16;
  }
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  bool whole = !digits.empty() && end == digits.data() + digits.size();
  if (ec == std::errc::result_out_of_range || (whole && ec == std::errc{} && (v < lo || v > hi)))
    throw LessonFailure(where, fmt::format("error: {} {} is out of range: it must be from {} to {}", name, text, grouped(lo), grouped(hi)));
  if (ec != std::errc{} || !whole)
    throw LessonFailure(where, fmt::format("error: {} must be a number from {} to {}, not '{}'", name, grouped(lo), grouped(hi), text));
  return v;
}

/// The KEY=VALUE words of `t` from index `from` on, as a map (words without '=' are left out;
/// a repeated KEY keeps its last value).
inline std::map<std::string, std::string> keyvals(const std::vector<std::string>& t, std::size_t from) {
  std::map<std::string, std::string> m;
  for (std::size_t i = from; i < t.size(); ++i) {
    auto eq = t[i].find('=');
    if (eq != std::string::npos) m[t[i].substr(0, eq)] = t[i].substr(eq + 1);
  }
  return m;
}

/// A number in an expectation: decimal, 0x hexadecimal or 0 octal (std::stoll base 0), or the
/// mode names `supervisor` (0) and `user` (1). Throws std::invalid_argument ("not a number: '…'")
/// otherwise.
inline double number(const std::string& s) {
  if (s == "supervisor") return 0;
  if (s == "user") return 1;
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(s, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (s.empty() || used != s.size()) throw std::invalid_argument("not a number: '" + s + "'");
  return static_cast<double>(v);
}

}  // namespace pgsim::vmm::detail
