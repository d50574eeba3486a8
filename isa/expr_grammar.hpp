#pragma once
// The expression grammar (Boost.Spirit X3) shared by the ISA parser and the assembler's
// line parser. Included by exactly those two translation units; it builds nodes into a
// syntax::Pool reached through the parse context (x3::with<state_tag>).
//
// Precedence, lowest first (C's): ?: || && | ^ & (== !=) (< <= > >=) (<< >> >>>) (+ -) (* / %)
// unary (- ~ ! +), primary (number, 'c', name, name(args), name[expr], (expr), .).
//
// Robustness rules (issue 9): only ASCII character classes are used (x3::ascii::..., never
// the standard encoding's, whose classifiers assert on bytes >= 0x80), so non-ASCII input is
// an ordinary syntax error; nesting and expression length are limited (kMaxNesting,
// kMaxExprNodes), so neither the parse nor any recursive walk of the tree afterwards can
// overflow the stack; every expectation (`>`) names what it expects in words.
// GCC 12 reports a false -Wmaybe-uninitialized inside boost::optional<std::vector> as X3
// synthesizes optional attributes; it is silenced for the two grammar translation units only.
// Clang warns that `a >> b > c` parses as `(a >> b) > c`: that is X3's sequence-then-expect
// idiom, intended throughout the grammars, so that warning is silenced for them too.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Woverloaded-shift-op-parentheses"
#else
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/fusion/include/at_c.hpp>
#include <boost/spirit/home/x3.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <type_traits>

#include "isa/syntax.hpp"

namespace pgsim::grammar {

namespace x3 = boost::spirit::x3;
namespace fusion = boost::fusion;

/// Deepest nesting of one expression: parentheses, unary operators, call arguments and
/// `mem[...]` indexes each open a level. Bounds the parser's recursion.
inline constexpr int kMaxNesting = 256;
/// Most nodes (operands and operators) in one expression. Bounds the depth of the syntax tree
/// (a 50,000-term sum is a chain 50,000 deep), so later recursive walks stay shallow.
inline constexpr std::uint32_t kMaxExprNodes = 1024;

/// What the semantic actions need: the pool to fill, the start of the text (for offsets),
/// the positions recorded by the mark parsers, the current nesting depths, and the name of
/// the language for messages ("ISA semantics", "assembly").
struct ParseState {
  syntax::Pool* pool = nullptr;
  const char* begin = nullptr;
  const char* marks[2] = {nullptr, nullptr};
  const char* language = "this language";
  int nesting = 0;       ///< active nested expression levels (unary_expr)
  int stmt_nesting = 0;  ///< active nested statements (ISA `if`s)
};
struct state_tag;

/// A syntax error found by the grammar itself (a limit, or a construct the language does not
/// have), thrown out of the parse at `where` with a message a person can act on. The parse
/// functions turn it into a diagnostic, like an X3 expectation failure.
struct SyntaxError {
  const char* where;
  std::string message;
};

template <class Ctx>
ParseState& state(Ctx& ctx) { return *x3::get<state_tag>(ctx); }

/// A parser that matches nothing and records where it stands (after skipping) in mark slot
/// `Slot`. (In X3 1.74 an action's _where is the text *after* the match, so the start of a
/// construct is recorded with a mark before it, or by a rule ID's on_success.)
template <int Slot>
struct mark_parser : x3::parser<mark_parser<Slot>> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr&) const {
    x3::skip_over(first, last, ctx);
    state(ctx).marks[Slot] = first;
    return true;
  }
};
inline mark_parser<0> const mark{};       ///< for items: operands, labels, fields
inline mark_parser<1> const decl_mark{};  ///< for declarations

/// Offset of the position recorded in mark slot `Slot`.
template <int Slot = 0, class Ctx>
std::size_t marked(Ctx& ctx) { return static_cast<std::size_t>(state(ctx).marks[Slot] - state(ctx).begin); }

/// A directive that counts one level of nesting (ParseState::*Counter) while its subject
/// parses, and throws SyntaxError naming the limit when the level would exceed `Limit`.
/// `What` says what is nested, for the message.
template <class Subject, int ParseState::*Counter, int Limit, const char* const* What>
struct nest_directive : x3::unary_parser<Subject, nest_directive<Subject, Counter, Limit, What>> {
  using base_type = x3::unary_parser<Subject, nest_directive<Subject, Counter, Limit, What>>;
  static bool const is_pass_through_unary = true;
  constexpr nest_directive(Subject const& subject) : base_type(subject) {}
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx& rctx, Attr& attr) const {
    int& depth = state(ctx).*Counter;
    if (depth >= Limit) {
      x3::skip_over(first, last, ctx);
      throw SyntaxError{first, fmt::format("{} nested deeper than {} levels (the limit)", *What, Limit)};
    }
    ++depth;
    struct Leave {
      int& d;
      ~Leave() { --d; }
    } leave{depth};
    return this->subject.parse(first, last, ctx, rctx, attr);
  }
};
template <int ParseState::*Counter, int Limit, const char* const* What>
struct nest_gen {
  template <class Subject>
  constexpr nest_directive<typename x3::extension::as_parser<Subject>::value_type, Counter, Limit, What> operator[](
      Subject const& subject) const {
    return {x3::as_parser(subject)};
  }
};
inline constexpr const char* kExpressionWord = "expression";
inline constexpr nest_gen<&ParseState::nesting, kMaxNesting, &kExpressionWord> nest_expr{};

/// Throws SyntaxError at `where`.
[[noreturn]] inline void fail_at(const char* where, std::string message) { throw SyntaxError{where, std::move(message)}; }

template <class Ctx, class Range>
std::size_t offset_of(Ctx& ctx, const Range& r) { return static_cast<std::size_t>(&*r.begin() - state(ctx).begin); }

/// Adds `n` (whose `size` is already the size of its subtree) to the pool; an expression of
/// more than kMaxExprNodes nodes is an error at `at` (the offset where the limit was crossed).
template <class Ctx>
int add_node(Ctx& ctx, syntax::ExprNode&& n, std::size_t at) {
  if (n.size > kMaxExprNodes)
    fail_at(state(ctx).begin + at,
            fmt::format("expression longer than {} operands and operators (the limit)", kMaxExprNodes));
  return state(ctx).pool->add(std::move(n));
}
template <class Ctx>
std::uint32_t size_of(Ctx& ctx, int e) { return state(ctx).pool->exprs[static_cast<std::size_t>(e)].size; }

inline auto const copy_attr = [](auto& ctx) { x3::_val(ctx) = x3::_attr(ctx); };

inline auto const make_number = [](auto& ctx) {
  syntax::ExprNode n;
  n.kind = syntax::ExprKind::Number;
  n.value = static_cast<std::uint64_t>(x3::_attr(ctx));
  n.offset = marked(ctx);
  x3::_val(ctx) = state(ctx).pool->add(std::move(n));
};
inline auto const make_name = [](auto& ctx) {
  syntax::ExprNode n;
  n.kind = syntax::ExprKind::Name;
  auto& r = x3::_attr(ctx);
  n.text.assign(r.begin(), r.end());
  n.offset = offset_of(ctx, r);
  x3::_val(ctx) = state(ctx).pool->add(std::move(n));
};
inline auto const make_dot = [](auto& ctx) {
  syntax::ExprNode n;
  n.kind = syntax::ExprKind::Name;
  n.text = ".";
  n.offset = marked(ctx);
  x3::_val(ctx) = state(ctx).pool->add(std::move(n));
};
inline auto const make_call = [](auto& ctx) {
  syntax::ExprNode n;
  n.kind = syntax::ExprKind::Call;
  auto& r = fusion::at_c<0>(x3::_attr(ctx));
  n.text.assign(r.begin(), r.end());
  n.offset = offset_of(ctx, r);
  if (auto& args = fusion::at_c<1>(x3::_attr(ctx))) n.args = *args;
  for (int a : n.args) n.size += size_of(ctx, a);
  std::size_t at = n.offset;
  x3::_val(ctx) = add_node(ctx, std::move(n), at);
};
inline auto const make_index = [](auto& ctx) {
  syntax::ExprNode n;
  n.kind = syntax::ExprKind::Index;
  auto& r = fusion::at_c<0>(x3::_attr(ctx));
  n.text.assign(r.begin(), r.end());
  n.offset = offset_of(ctx, r);
  n.args = {fusion::at_c<1>(x3::_attr(ctx))};
  n.size += size_of(ctx, n.args[0]);
  std::size_t at = n.offset;
  x3::_val(ctx) = add_node(ctx, std::move(n), at);
};
inline auto const make_unary = [](auto& ctx) {
  syntax::ExprNode n;
  n.kind = syntax::ExprKind::Unary;
  auto& r = fusion::at_c<0>(x3::_attr(ctx));
  n.text.assign(r.begin(), r.end());
  n.offset = offset_of(ctx, r);
  n.a = fusion::at_c<1>(x3::_attr(ctx));
  n.size += size_of(ctx, n.a);
  std::size_t at = n.offset;
  x3::_val(ctx) = add_node(ctx, std::move(n), at);
};
inline auto const fold_binary = [](auto& ctx) {
  auto& pool = *state(ctx).pool;
  syntax::ExprNode n;
  n.kind = syntax::ExprKind::Binary;
  n.text = fusion::at_c<0>(x3::_attr(ctx));
  n.a = x3::_val(ctx);
  n.b = fusion::at_c<1>(x3::_attr(ctx));
  n.offset = pool.exprs[static_cast<std::size_t>(n.a)].offset;
  n.size += size_of(ctx, n.a) + size_of(ctx, n.b);
  std::size_t at = pool.exprs[static_cast<std::size_t>(n.b)].offset;
  x3::_val(ctx) = add_node(ctx, std::move(n), at);
};

// ---- constructs the languages do not have: a clear error instead of a puzzling one
/// `017`: C's octal literal, which would silently mean 17 here. Octal is written `0o17`.
inline auto const reject_octal = [](auto& ctx) {
  auto& r = x3::_attr(ctx);
  std::string t(r.begin(), r.end());
  std::uint64_t v = 0;
  bool octal = t.size() <= 22;
  for (char c : t) {
    if (c > '7') octal = false;
    v = v * 8 + static_cast<std::uint64_t>(c - '0');
  }
  std::string digits = t.substr(t.find_first_not_of('0') == std::string::npos ? t.size() - 1 : t.find_first_not_of('0'));
  fail_at(&*r.begin(), octal ? fmt::format("a leading 0 does not make an octal literal in {} ('{}'): write 0o{} "
                                           "for octal (= {} = {:#x}), or {} for decimal",
                                           state(ctx).language, t, digits, v, v, digits)
                             : fmt::format("a number with a leading 0 ('{}') is not supported in {} (octal "
                                           "literals are written 0o17): write it without the 0",
                                           t, state(ctx).language));
};
/// A number too large for 64 bits.
inline auto const reject_too_large = [](auto& ctx) {
  auto& r = x3::_attr(ctx);
  fail_at(&*r.begin(), fmt::format("number '{}' does not fit in 64 bits", std::string(r.begin(), r.end())));
};
/// Whether the language being parsed has the conditional operator (ISA semantics and ISA
/// constants do; assembly does not).
template <class Ctx>
bool has_conditional(Ctx& ctx) { return std::string(state(ctx).language) == "ISA semantics"; }
/// `c ? a : b` (ISA semantics): a Cond node, args = {c, a, b}; only the chosen operand is
/// evaluated, as in C.
inline auto const make_conditional = [](auto& ctx) {
  auto& pool = *state(ctx).pool;
  auto& tail = x3::_attr(ctx);
  auto& q = fusion::at_c<0>(tail);
  if (!has_conditional(ctx))
    fail_at(&*q.begin(), fmt::format("the conditional operator '? :' is not supported in {}", state(ctx).language));
  syntax::ExprNode n;
  n.kind = syntax::ExprKind::Cond;
  n.args = {x3::_val(ctx), fusion::at_c<1>(tail), fusion::at_c<2>(tail)};
  n.offset = pool.exprs[static_cast<std::size_t>(n.args[0])].offset;
  for (int a : n.args) n.size += size_of(ctx, a);
  std::size_t at = static_cast<std::size_t>(&*q.begin() - state(ctx).begin);
  x3::_val(ctx) = add_node(ctx, std::move(n), at);
};

struct escapes_ : x3::symbols<char> {
  escapes_() { add("n", '\n')("t", '\t')("r", '\r')("0", '\0')("\\", '\\')("'", '\'')("\"", '"'); }
};
inline escapes_ const escapes;

x3::rule<class identifier_r, std::string> const identifier = "name";
/// A name or unary operator with where it stands (X3 raw[] gives the matched range).
using Range = boost::iterator_range<const char*>;
x3::rule<class located_identifier_r, Range> const located_identifier = "name";
x3::rule<class located_unary_op_r, Range> const located_unary_op = "operator";
x3::rule<class number_r, std::uint64_t> const number = "number";
x3::rule<class hex_digits_r, std::uint64_t> const hex_digits = "hex digits after 0x";
x3::rule<class bin_digits_r, std::uint64_t> const bin_digits = "binary digits (0 or 1) after 0b";
x3::rule<class oct_digits_r, std::uint64_t> const oct_digits = "octal digits (0 to 7) after 0o";
x3::rule<class cond_mark_r, boost::iterator_range<const char*>> const cond_mark = "'?'";
x3::rule<class cond_colon_r> const cond_colon = "':' and the value when the condition is false (c ? a : b)";
x3::rule<class cond_then_r, int> const cond_then = "the value when the condition is true after '?' (c ? a : b)";
x3::rule<class cond_else_r, int> const cond_else = "the value when the condition is false after ':' (c ? a : b)";
x3::rule<class escape_r, char> const escape = "an escape (\\n \\t \\r \\0 \\\\ \\' \\\")";
x3::rule<class char_lit_r, char> const char_literal = "character";
x3::rule<class char_end_r> const char_end = "' closing the character";
x3::rule<class string_lit_r, std::string> const string_literal = "string";
x3::rule<class string_end_r> const string_end = "'\"' closing the string (on the same line)";
x3::rule<class expr_r, int> const expression = "expression";
x3::rule<class lor_r, int> const lor_expr = "expression";
x3::rule<class land_r, int> const land_expr = "expression";
x3::rule<class bor_r, int> const bor_expr = "expression";
x3::rule<class bxor_r, int> const bxor_expr = "expression";
x3::rule<class band_r, int> const band_expr = "expression";
x3::rule<class eq_r, int> const eq_expr = "expression";
x3::rule<class rel_r, int> const rel_expr = "expression";
x3::rule<class shift_r, int> const shift_expr = "expression";
x3::rule<class add_r, int> const add_expr = "expression";
x3::rule<class mul_r, int> const mul_expr = "expression";
x3::rule<class unary_r, int> const unary_expr = "expression";
x3::rule<class primary_r, int> const primary_expr = "expression";

x3::rule<class unary_op_r, std::string> const unary_op = "operator";
x3::rule<class mul_op_r, std::string> const mul_op = "operator";
x3::rule<class add_op_r, std::string> const add_op = "operator";
x3::rule<class shift_op_r, std::string> const shift_op = "operator";
x3::rule<class rel_op_r, std::string> const rel_op = "operator";
x3::rule<class eq_op_r, std::string> const eq_op = "operator";
x3::rule<class band_op_r, std::string> const band_op = "operator";
x3::rule<class bor_op_r, std::string> const bor_op = "operator";
inline auto const unary_op_def = (x3::string("-") | x3::string("~") | (x3::string("!") >> !x3::lit('=')) | x3::string("+"));
inline auto const mul_op_def = (x3::string("*") | x3::string("/") | x3::string("%"));
inline auto const add_op_def = (x3::string("+") | (x3::string("-")));
inline auto const shift_op_def = (x3::string("<<") | x3::string(">>>") | x3::string(">>"));
inline auto const rel_op_def = (x3::string("<=") | x3::string(">=") | x3::string("<") | x3::string(">"));
inline auto const eq_op_def = (x3::string("==") | x3::string("!="));
inline auto const band_op_def = (x3::string("&") >> !x3::lit('&'));
inline auto const bor_op_def = (x3::string("|") >> !x3::lit('|'));
BOOST_SPIRIT_DEFINE(unary_op, mul_op, add_op, shift_op, rel_op, eq_op, band_op, bor_op)

/// ASCII-only character classes (see the file comment).
inline auto const name_start = x3::ascii::alpha | x3::char_('_');
inline auto const name_char = x3::ascii::alnum | x3::char_('_');
inline auto const digit = x3::ascii::digit;

inline auto const identifier_def = x3::lexeme[name_start >> *name_char];
// (Every alternative that yields the number sets it with copy_attr: alternatives whose
// attribute is a text range, the rejected forms, would otherwise keep X3 from passing it on.)
inline auto const hex_digits_def = (x3::uint_parser<std::uint64_t, 16>() >> !x3::ascii::xdigit)[copy_attr] |
                                   x3::raw[+x3::ascii::xdigit][reject_too_large];
inline auto const bin_digits_def = (x3::uint_parser<std::uint64_t, 2>() >> !x3::char_("01"))[copy_attr] |
                                   x3::raw[+x3::char_("01")][reject_too_large];
inline auto const oct_digits_def = (x3::uint_parser<std::uint64_t, 8>() >> !digit)[copy_attr] |
                                   x3::raw[+x3::char_("0-7") >> !digit][reject_too_large];
inline auto const number_def =
    x3::lexeme[(x3::lit("0x") | x3::lit("0X")) > hex_digits][copy_attr] |
    x3::lexeme[(x3::lit("0o") | x3::lit("0O")) > oct_digits][copy_attr] |
    x3::lexeme[(x3::lit("0b") | x3::lit("0B")) > bin_digits][copy_attr] |
    x3::lexeme[x3::raw[x3::char_('0') >> +digit]][reject_octal] |
    x3::lexeme[x3::uint_parser<std::uint64_t, 10>() >> !name_char][copy_attr] |
    x3::lexeme[x3::raw[+digit] >> !name_char][reject_too_large];
inline auto const escape_def = escapes;
inline auto const char_end_def = x3::lit('\'');
inline auto const string_end_def = x3::lit('"');
inline auto const char_literal_def =
    x3::lexeme['\'' >> (('\\' > escape) | (x3::char_ - '\'' - '\\')) > char_end];
inline auto const string_literal_def =
    x3::lexeme['"' >> *(('\\' > escape) | (x3::char_ - '"' - '\\' - x3::eol)) > string_end];
BOOST_SPIRIT_DEFINE(hex_digits, bin_digits, oct_digits, escape, char_end, string_end)

inline auto const located_identifier_def = x3::raw[identifier];
inline auto const located_unary_op_def = x3::raw[unary_op];
BOOST_SPIRIT_DEFINE(located_identifier, located_unary_op)

inline auto const primary_expr_def =
    (mark >> number)[make_number] |
    (mark >> char_literal)[make_number] |
    (located_identifier >> '(' >> -(expression % ',') >> ')')[make_call] |
    (located_identifier >> '[' >> expression >> ']')[make_index] |
    located_identifier[make_name] |
    ('(' >> expression >> ')')[copy_attr] |
    (mark >> x3::lit('.'))[make_dot];
inline auto const unary_expr_def =
    nest_expr[(located_unary_op >> unary_expr)[make_unary] | primary_expr[copy_attr]];
inline auto const mul_expr_def =
    unary_expr[copy_attr] >> *(mul_op >> unary_expr)[fold_binary];
inline auto const add_expr_def =
    mul_expr[copy_attr] >> *(add_op >> mul_expr)[fold_binary];
inline auto const shift_expr_def =
    add_expr[copy_attr] >> *(shift_op >> add_expr)[fold_binary];
inline auto const rel_expr_def =
    shift_expr[copy_attr] >>
    *(rel_op >> shift_expr)[fold_binary];
inline auto const eq_expr_def =
    rel_expr[copy_attr] >> *(eq_op >> rel_expr)[fold_binary];
inline auto const band_expr_def =
    eq_expr[copy_attr] >> *(band_op >> eq_expr)[fold_binary];
inline auto const bxor_expr_def = band_expr[copy_attr] >> *(x3::string("^") >> band_expr)[fold_binary];
inline auto const bor_expr_def =
    bxor_expr[copy_attr] >> *(bor_op >> bxor_expr)[fold_binary];
inline auto const land_expr_def = bor_expr[copy_attr] >> *(x3::string("&&") >> bor_expr)[fold_binary];
inline auto const lor_expr_def = land_expr[copy_attr] >> *(x3::string("||") >> land_expr)[fold_binary];
// `c ? a : b` is right-associative (`a ? b : c ? d : e` is `a ? b : (c ? d : e)`), as in C; each
// `?` opens a nesting level, so a long chain is bounded like parentheses.
inline auto const cond_mark_def = x3::raw[x3::lit('?')];
inline auto const cond_colon_def = x3::lit(':');
inline auto const cond_then_def = expression[copy_attr];
inline auto const cond_else_def = expression[copy_attr];
inline auto const expression_def =
    lor_expr[copy_attr] >> -nest_expr[(cond_mark > cond_then > cond_colon > cond_else)[make_conditional]];

BOOST_SPIRIT_DEFINE(cond_mark, cond_colon, cond_then, cond_else)
BOOST_SPIRIT_DEFINE(identifier, number, char_literal, string_literal, expression, lor_expr, land_expr,
                    bor_expr, bxor_expr, band_expr, eq_expr, rel_expr, shift_expr, add_expr, mul_expr,
                    unary_expr, primary_expr)

/// The message for an X3 expectation failure whose `which` is what was expected: the rule's
/// name, or a literal such as ';'. (Every expectation names a rule or a literal; a `which`
/// that is not one — a C++ type name — never reaches the user.)
inline std::string expected_message(const std::string& which) {
  bool cxx = which.find("boost") != std::string::npos || which.find("::") != std::string::npos ||
             (which.size() > 1 && which[0] == 'N' && which[1] >= '0' && which[1] <= '9');
  return cxx ? std::string("syntax error") : "expected " + which;
}

/// The first byte >= 0x80 in [from, to) outside string and character literals (and, when
/// `hash_comments`, outside `#` and `//` comments), or nullptr. `from` must be the start of a
/// line (no literal or comment spans lines). Such a byte is always a syntax error; the parse
/// usually fails before it (X3 backtracks to the start of the construct), so the parse
/// functions look for it on the line where the parse failed and report it instead.
inline const char* first_non_ascii(const char* from, const char* to, bool hash_comments) {
  char quote = 0;
  for (const char* p = from; p < to; ++p) {
    char c = *p;
    if (c == '\n') { quote = 0; continue; }
    if (quote) {
      if (c == '\\' && p + 1 < to && p[1] != '\n') ++p;
      else if (c == quote) quote = 0;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80) return p;
    if (c == '"' || c == '\'') quote = c;
    else if (hash_comments && (c == '#' || (c == '/' && p + 1 < to && p[1] == '/'))) {
      while (p < to && *p != '\n') ++p;
      --p;
    }
  }
  return nullptr;
}

/// When the text at `where` is a non-ASCII character, the message that says so (with its
/// code point, or its byte when it is not UTF-8), and `where` moved back to the character's
/// first byte when it pointed into a UTF-8 sequence; else "" (and `where` unchanged).
inline std::string non_ascii_message(const char* begin, const char*& where, const char* end) {
  if (where >= end || static_cast<unsigned char>(*where) < 0x80) return "";
  for (int back = 0; back < 3 && where > begin && (static_cast<unsigned char>(*where) & 0xc0u) == 0x80u &&
                     static_cast<unsigned char>(where[-1]) >= 0x80u;
       ++back)
    --where;
  auto b = [&](int i) { return static_cast<unsigned char>(where[i]); };
  std::size_t left = static_cast<std::size_t>(end - where);
  std::uint32_t cp = 0;
  int len = 0;
  unsigned char c = b(0);
  if (c >= 0xc2 && c <= 0xdf) { cp = c & 0x1fu; len = 2; }
  else if (c >= 0xe0 && c <= 0xef) { cp = c & 0x0fu; len = 3; }
  else if (c >= 0xf0 && c <= 0xf4) { cp = c & 0x07u; len = 4; }
  bool ok = len > 0 && left >= static_cast<std::size_t>(len);
  for (int i = 1; ok && i < len; ++i) {
    if ((b(i) & 0xc0u) != 0x80u) ok = false;
    else cp = (cp << 6) | (b(i) & 0x3fu);
  }
  if (ok && ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
             (cp >= 0xd800 && cp <= 0xdfff)))
    ok = false;
  std::string what = ok ? fmt::format("non-ASCII character U+{:04X} '{}'", cp, std::string(where, static_cast<std::size_t>(len)))
                        : fmt::format("non-ASCII byte 0x{:02X} (not UTF-8)", static_cast<unsigned>(c));
  if (ok && cp == 0xa0) what = "non-ASCII character U+00A0 (a no-break space)";
  return what + " is not allowed here: names, operators and blanks are ASCII (other characters may appear "
                "only in strings and comments)";
}

}  // namespace pgsim::grammar
