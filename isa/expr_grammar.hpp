#pragma once
// The expression grammar (Boost.Spirit X3) shared by the ISA parser and the assembler's
// line parser. Included by exactly those two translation units; it builds nodes into a
// syntax::Pool reached through the parse context (x3::with<state_tag>).
//
// Precedence, lowest first (C's): || && | ^ & (== !=) (< <= > >=) (<< >> >>>) (+ -) (* / %)
// unary (- ~ ! +), primary (number, 'c', name, name(args), name[expr], (expr), .).
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

#include <type_traits>

#include "isa/syntax.hpp"

namespace pgsim::grammar {

namespace x3 = boost::spirit::x3;
namespace fusion = boost::fusion;

/// What the semantic actions need: the pool to fill, the start of the text (for offsets)
/// and the positions recorded by the mark parsers.
struct ParseState {
  syntax::Pool* pool = nullptr;
  const char* begin = nullptr;
  const char* marks[2] = {nullptr, nullptr};
};
struct state_tag;

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


template <class Ctx, class Range>
std::size_t offset_of(Ctx& ctx, const Range& r) { return static_cast<std::size_t>(&*r.begin() - state(ctx).begin); }

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
  x3::_val(ctx) = state(ctx).pool->add(std::move(n));
};
inline auto const make_index = [](auto& ctx) {
  syntax::ExprNode n;
  n.kind = syntax::ExprKind::Index;
  auto& r = fusion::at_c<0>(x3::_attr(ctx));
  n.text.assign(r.begin(), r.end());
  n.offset = offset_of(ctx, r);
  n.args = {fusion::at_c<1>(x3::_attr(ctx))};
  x3::_val(ctx) = state(ctx).pool->add(std::move(n));
};
inline auto const make_unary = [](auto& ctx) {
  syntax::ExprNode n;
  n.kind = syntax::ExprKind::Unary;
  auto& r = fusion::at_c<0>(x3::_attr(ctx));
  n.text.assign(r.begin(), r.end());
  n.offset = offset_of(ctx, r);
  n.a = fusion::at_c<1>(x3::_attr(ctx));
  x3::_val(ctx) = state(ctx).pool->add(std::move(n));
};
inline auto const fold_binary = [](auto& ctx) {
  auto& pool = *state(ctx).pool;
  syntax::ExprNode n;
  n.kind = syntax::ExprKind::Binary;
  n.text = fusion::at_c<0>(x3::_attr(ctx));
  n.a = x3::_val(ctx);
  n.b = fusion::at_c<1>(x3::_attr(ctx));
  n.offset = pool.exprs[static_cast<std::size_t>(n.a)].offset;
  x3::_val(ctx) = pool.add(std::move(n));
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
x3::rule<class char_lit_r, char> const char_literal = "character";
x3::rule<class string_lit_r, std::string> const string_literal = "string";
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

inline auto const identifier_def =
    x3::lexeme[(x3::alpha | x3::char_('_')) >> *(x3::alnum | x3::char_('_'))];
inline auto const number_def =
    x3::lexeme[x3::no_case["0x"] > x3::uint_parser<std::uint64_t, 16>()] |
    x3::lexeme[x3::no_case["0b"] > x3::uint_parser<std::uint64_t, 2>()] |
    x3::lexeme[x3::uint_parser<std::uint64_t, 10>() >> !(x3::alpha | '_')];
inline auto const char_literal_def =
    x3::lexeme['\'' >> (('\\' > escapes) | (x3::char_ - '\'' - '\\')) > '\''];
inline auto const string_literal_def =
    x3::lexeme['"' >> *(('\\' > escapes) | (x3::char_ - '"' - '\\' - x3::eol)) > '"'];

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
inline auto const unary_expr_def = (located_unary_op >> unary_expr)[make_unary] | primary_expr[copy_attr];
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
inline auto const expression_def = lor_expr[copy_attr];

BOOST_SPIRIT_DEFINE(identifier, number, char_literal, string_literal, expression, lor_expr, land_expr,
                    bor_expr, bxor_expr, band_expr, eq_expr, rel_expr, shift_expr, add_expr, mul_expr,
                    unary_expr, primary_expr)

}  // namespace pgsim::grammar
