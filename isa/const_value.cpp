// The ISA loader's constant expressions (`const NAME = EXPR;`): their values in checked 64-bit
// signed arithmetic.
#include "isa/elaborator.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <limits>

namespace pgsim::isa::detail {

std::optional<std::int64_t> Elaborator::const_value(const IsaSyntax& syn, int e, const IsaModel& m) {
  const auto& n = syn.pool.exprs[static_cast<std::size_t>(e)];
  using syntax::ExprKind;
  auto sub = [&](int i) { return const_value(syn, i, m); };
  auto overflow = [&]() -> std::optional<std::int64_t> {
    diags.push_back({syn.file, n.offset, "constant expression overflows (64-bit signed arithmetic)"});
    return std::nullopt;
  };
  switch (n.kind) {
    case ExprKind::Number:
      if (n.value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return overflow();
      return static_cast<std::int64_t>(n.value);
    case ExprKind::Name:
      if (auto it = const_values_.find(n.text); it != const_values_.end()) return it->second;
      if (auto it = m.constants.find(n.text); it != m.constants.end()) return it->second;
      diags.push_back({syn.file, n.offset, fmt::format("unknown constant '{}'", n.text)});
      return std::nullopt;
    case ExprKind::Cond: {  // c ? a : b: only the chosen operand is computed
      auto c = sub(n.args[0]);
      if (!c) return c;
      return sub(n.args[*c != 0 ? 1 : 2]);
    }
    case ExprKind::Unary: {
      auto a = sub(n.a);
      if (!a) return a;
      if (n.text == "-") {
        std::int64_t r;
        if (__builtin_sub_overflow(std::int64_t{0}, *a, &r)) return overflow();
        return r;
      }
      if (n.text == "~") return ~*a;
      if (n.text == "!") return *a == 0 ? 1 : 0;
      return a;
    }
    case ExprKind::Binary: {
      auto a = sub(n.a), b = sub(n.b);
      if (!a || !b) return std::nullopt;
      const std::string& o = n.text;
      const std::int64_t x = *a, y = *b;
      std::int64_t r = 0;
      if (o == "+") { if (__builtin_add_overflow(x, y, &r)) return overflow(); return r; }
      if (o == "-") { if (__builtin_sub_overflow(x, y, &r)) return overflow(); return r; }
      if (o == "*") { if (__builtin_mul_overflow(x, y, &r)) return overflow(); return r; }
      if (o == "&") return x & y;
      if (o == "|") return x | y;
      if (o == "^") return x ^ y;
      if (o == "<<" || o == ">>" || o == ">>>") {
        if (y < 0 || y > 63) {
          diags.push_back({syn.file, n.offset, fmt::format("shift by {}: the shift must be 0 to 63", y)});
          return std::nullopt;
        }
        if (o == ">>>") return x >> y;  // arithmetic
        if (o == ">>") {
          if (x < 0) {
            diags.push_back({syn.file, n.offset, "'>>' (logical) of a negative constant: use '>>>' (arithmetic)"});
            return std::nullopt;
          }
          return x >> y;
        }
        // x << y without leaving the 64-bit signed range.
        if (x != 0 && (y >= 63 || x > (std::numeric_limits<std::int64_t>::max() >> y) ||
                       x < (std::numeric_limits<std::int64_t>::min() >> y)))
          return overflow();
        return static_cast<std::int64_t>(static_cast<std::uint64_t>(x) << y);
      }
      if ((o == "/" || o == "%") && y == 0) {
        diags.push_back({syn.file, n.offset, "division by zero in a constant expression"});
        return std::nullopt;
      }
      if ((o == "/" || o == "%") && x == std::numeric_limits<std::int64_t>::min() && y == -1) return overflow();
      if (o == "/") return x / y;
      if (o == "%") return x % y;
      diags.push_back({syn.file, n.offset, fmt::format("operator '{}' is not allowed in a constant", o)});
      return std::nullopt;
    }
    default:
      diags.push_back({syn.file, n.offset, "not a constant expression"});
      return std::nullopt;
  }
}

}  // namespace pgsim::isa::detail
