// The assembly line grammar (Boost.Spirit X3), table-free: mnemonics are checked later
// against the ISA model.
#include <fmt/format.h>

#include "assembler/line_syntax.hpp"
#include "isa/expr_grammar.hpp"

namespace pgsim::assembler {
namespace {

namespace x3 = boost::spirit::x3;
namespace fusion = boost::fusion;

struct line_tag;
template <class Ctx>
LineSyntax& line_out(Ctx& ctx) { return *x3::get<line_tag>(ctx); }

auto const add_label = [](auto& ctx) { line_out(ctx).labels.emplace_back(x3::_attr(ctx), grammar::marked(ctx)); };
auto const set_op = [](auto& ctx) {
  line_out(ctx).op = x3::_attr(ctx);
  line_out(ctx).op_offset = grammar::marked(ctx);
};
auto const set_directive = [](auto& ctx) {
  line_out(ctx).op = std::string(1, '.').append(x3::_attr(ctx));
  line_out(ctx).op_offset = grammar::marked(ctx);
};
auto const add_string = [](auto& ctx) {
  OperandSyntax o;
  o.is_string = true;
  o.text = x3::_attr(ctx);
  o.offset = grammar::marked(ctx);
  line_out(ctx).operands.push_back(o);
};
auto const add_expr_operand = [](auto& ctx) {
  OperandSyntax o;
  o.expr = fusion::at_c<0>(x3::_attr(ctx));
  if (auto& b = fusion::at_c<1>(x3::_attr(ctx))) o.base = *b;
  o.offset = grammar::marked(ctx);
  line_out(ctx).operands.push_back(o);
};

x3::rule<class operand_r> const operand = "operand";
auto const operand_def = grammar::mark >> (grammar::string_literal[add_string] |
                         (grammar::expression >> -('(' > grammar::expression > ')'))[add_expr_operand]);
BOOST_SPIRIT_DEFINE(operand)

auto const label = (grammar::mark >> grammar::identifier >> ':')[add_label];
auto const mnemonic = x3::lexeme[grammar::name_start >> *(grammar::name_char | x3::char_('.'))];
x3::rule<class mnemonic_r, std::string> const mnemonic_rule = "mnemonic";
auto const mnemonic_rule_def = mnemonic;
BOOST_SPIRIT_DEFINE(mnemonic_rule)
auto const statement = (grammar::mark >> x3::lexeme['.' >> grammar::identifier])[set_directive] >> -(operand % ',') |
                       (grammar::mark >> mnemonic_rule)[set_op] >> -(operand % ',');
x3::rule<class line_r> const line_rule = "end of line";
auto const line_rule_def = *label >> -statement > x3::eoi;
BOOST_SPIRIT_DEFINE(line_rule)

}  // namespace

bool parse_line(const std::string& line, syntax::Pool& pool, LineSyntax& out, std::size_t& error_offset,
                std::string& error) {
  const char* const begin = line.data();
  const char* first = begin;
  const char* last = first + line.size();
  grammar::ParseState ps{&pool, first};
  ps.language = "assembly";
  auto const g = x3::with<grammar::state_tag>(&ps)[x3::with<line_tag>(&out)[line_rule]];
  // The place and message of the error: a non-ASCII character there is named as such.
  auto report = [&](const char* where, std::string msg) {
    // A non-ASCII character after the place where the parse failed is the error to report.
    if (const char* na = grammar::first_non_ascii(begin, last, false); na && na >= where) where = na;
    if (auto na = grammar::non_ascii_message(begin, where, last); !na.empty()) msg = std::move(na);
    error_offset = static_cast<std::size_t>(where - begin);
    error = std::move(msg);
    return false;
  };
  try {
    // Only ASCII blanks separate tokens (x3::ascii: a byte >= 0x80 is an error, not an assertion).
    if (!x3::phrase_parse(first, last, g, x3::ascii::blank)) return report(first, "syntax error");
  } catch (const x3::expectation_failure<const char*>& e) {
    const char* where = e.where();  // where the expected thing would start: after blanks
    x3::parse(where, last, *x3::ascii::blank);
    std::string which = e.which();
    return report(where, which == "eoi" || which == "end of line"
                                 ? "unexpected text (expected ',' or the end of the line)"
                                 : grammar::expected_message(which));
  } catch (const grammar::SyntaxError& e) {
    return report(e.where, e.message);
  }
  return true;
}

}  // namespace pgsim::assembler
