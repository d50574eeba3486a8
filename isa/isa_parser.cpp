// The ISA description language's grammar (Boost.Spirit X3). See docs/isa-language.md.
#include <fmt/format.h>

#include "isa/expr_grammar.hpp"
#include "isa/isa_syntax.hpp"

namespace pgsim::isa {
namespace {

namespace x3 = boost::spirit::x3;
namespace fusion = boost::fusion;
using grammar::expression;
using grammar::identifier;
using grammar::number;
using grammar::string_literal;

struct out_tag;
template <class Ctx>
IsaSyntax& out(Ctx& ctx) { return *x3::get<out_tag>(ctx); }

/// A keyword: the word not followed by a name character.
inline auto kw(char const* w) { return x3::lexeme[x3::lit(w) >> !(x3::alnum | '_')]; }

template <class Ctx>
Decl& new_decl(Ctx& ctx, const char* kind) {
  auto& d = out(ctx).decls.emplace_back();
  d.kind = kind;
  d.offset = grammar::marked<1>(ctx);
  return d;
}

// ---- statements of the semantics language
x3::rule<class stmt_r, int> const statement = "statement";
x3::rule<class if_r, int> const if_statement = "if statement";
x3::rule<class simple_r, int> const simple_statement = "statement";
x3::rule<class block_r, std::vector<int>> const block = "'{'";
x3::rule<class else_r, std::vector<int>> const else_body = "'{' or 'if'";
x3::rule<class assign_op_r, std::string> const assign_op = "assignment";

auto const make_if = [](auto& ctx) {
  syntax::StmtNode n;
  n.kind = syntax::StmtKind::If;
  n.offset = grammar::offset_of(ctx, fusion::at_c<0>(x3::_attr(ctx)));
  n.cond = fusion::at_c<1>(x3::_attr(ctx));
  n.body = fusion::at_c<2>(x3::_attr(ctx));
  if (auto& e = fusion::at_c<3>(x3::_attr(ctx))) n.else_body = *e;
  x3::_val(ctx) = grammar::state(ctx).pool->add(std::move(n));
};
auto const make_assign = [](auto& ctx) {
  syntax::StmtNode n;
  n.kind = syntax::StmtKind::Assign;
  n.lhs = fusion::at_c<0>(x3::_attr(ctx));
  n.op = fusion::at_c<1>(x3::_attr(ctx));
  n.rhs = fusion::at_c<2>(x3::_attr(ctx));
  n.offset = grammar::state(ctx).pool->exprs[static_cast<std::size_t>(n.lhs)].offset;
  x3::_val(ctx) = grammar::state(ctx).pool->add(std::move(n));
};
auto const make_effect = [](auto& ctx) {
  syntax::StmtNode n;
  n.kind = syntax::StmtKind::Expr;
  n.lhs = x3::_attr(ctx);
  n.offset = grammar::state(ctx).pool->exprs[static_cast<std::size_t>(n.lhs)].offset;
  x3::_val(ctx) = grammar::state(ctx).pool->add(std::move(n));
};
auto const wrap_vec = [](auto& ctx) { x3::_val(ctx) = std::vector<int>{x3::_attr(ctx)}; };

x3::rule<class if_keyword_r, grammar::Range> const if_keyword = "if";
auto const if_keyword_def = x3::raw[kw("if")];
BOOST_SPIRIT_DEFINE(if_keyword)
auto const assign_op_def = (x3::string("=") >> !x3::lit('=')) | x3::string("+=") | x3::string("-=") |
                           x3::string("|=") | x3::string("&=") | x3::string("^=") |
                           x3::string("<<=") | x3::string(">>=");
auto const block_def = '{' > *statement > '}';
auto const else_body_def = if_statement[wrap_vec] | block[grammar::copy_attr];
auto const if_statement_def =
    (if_keyword > '(' > expression > ')' > block > -(kw("else") > else_body))[make_if];
auto const simple_statement_def =
    (expression >> assign_op > expression > ';')[make_assign] | (expression > ';')[make_effect];
auto const statement_def = if_statement[grammar::copy_attr] | simple_statement[grammar::copy_attr];
BOOST_SPIRIT_DEFINE(statement, if_statement, simple_statement, block, else_body, assign_op)

// ---- declarations
auto const d_name = (kw("name") > string_literal > ';')[([](auto& ctx) {
  new_decl(ctx, "name").strings = {x3::_attr(ctx)};
})];
auto const number_decl = [](const char* k) {
  return (kw(k) > number > ';')[([k](auto& ctx) { new_decl(ctx, k).numbers = {x3::_attr(ctx)}; })];
};
auto const d_registers = (kw("registers") > identifier > number > ';')[([](auto& ctx) {
  auto& d = new_decl(ctx, "registers");
  d.names = {fusion::at_c<0>(x3::_attr(ctx))};
  d.numbers = {fusion::at_c<1>(x3::_attr(ctx))};
})];
auto const d_zero = (kw("zero") > identifier > ';')[([](auto& ctx) {
  new_decl(ctx, "zero").names = {x3::_attr(ctx)};
})];
auto const d_control = (kw("control") > identifier > ':' > number > '=' > number > ';')[([](auto& ctx) {
  auto& d = new_decl(ctx, "control");
  d.names = {fusion::at_c<0>(x3::_attr(ctx))};
  d.numbers = {fusion::at_c<1>(x3::_attr(ctx)), fusion::at_c<2>(x3::_attr(ctx))};
})];
x3::rule<class psw_item_r, std::string> const psw_item = "PSW component";
auto const psw_item_def = identifier;
x3::rule<class named_number_r, fusion::deque<std::string, std::uint64_t>> const named_number = "name = number";
auto const named_number_def = identifier > '=' > number;
BOOST_SPIRIT_DEFINE(psw_item, named_number)
auto const d_psw = (kw("psw") > (psw_item % ',') > ';')[([](auto& ctx) {
  new_decl(ctx, "psw").names = x3::_attr(ctx);
})];
auto const d_trap = (kw("trap") > (named_number % ',') > ';')[([](auto& ctx) {
  auto& d = new_decl(ctx, "trap");
  for (auto& nn : x3::_attr(ctx)) {
    d.names.push_back(fusion::at_c<0>(nn));
    d.numbers.push_back(fusion::at_c<1>(nn));
  }
})];
auto const d_timer = (kw("timer") > identifier > -(kw("enable") > identifier) > ';')[([](auto& ctx) {
  auto& d = new_decl(ctx, "timer");
  d.names = {fusion::at_c<0>(x3::_attr(ctx)), fusion::at_c<1>(x3::_attr(ctx)).value_or("")};
})];
auto const d_cause =
    (kw("cause") > identifier > '=' > number > -('(' > identifier > ')') > ';')[([](auto& ctx) {
      auto& d = new_decl(ctx, "cause");
      d.names = {fusion::at_c<0>(x3::_attr(ctx)), fusion::at_c<2>(x3::_attr(ctx)).value_or("")};
      d.numbers = {fusion::at_c<1>(x3::_attr(ctx))};
    })];
auto const d_const = (kw("const") > identifier > '=' > expression > ';')[([](auto& ctx) {
  auto& d = new_decl(ctx, "const");
  d.names = {fusion::at_c<0>(x3::_attr(ctx))};
  d.expr = fusion::at_c<1>(x3::_attr(ctx));
})];

x3::rule<class field_r, FieldDecl> const field_decl = "field (op N; reg NAME N; simm NAME N; uimm NAME N; zero N)";
auto const unnamed_field = [](const char* kind) {
  return (kw(kind) > number > ';')[([kind](auto& ctx) {
    FieldDecl f;
    f.kind = kind;
    f.width = x3::_attr(ctx);
    f.offset = grammar::marked<0>(ctx);
    x3::_val(ctx) = f;
  })];
};
auto const named_field = [](const char* kind) {
  return (kw(kind) > identifier > number > ';')[([kind](auto& ctx) {
    FieldDecl f;
    f.kind = kind;
    f.name = fusion::at_c<0>(x3::_attr(ctx));
    f.width = fusion::at_c<1>(x3::_attr(ctx));
    f.offset = grammar::marked<0>(ctx);
    x3::_val(ctx) = f;
  })];
};
auto const field_decl_def = grammar::mark >> (unnamed_field("op") | unnamed_field("zero") | named_field("reg") |
                            named_field("simm") | named_field("uimm"));
BOOST_SPIRIT_DEFINE(field_decl)
auto const d_format = (kw("format") > identifier > '{' > *field_decl > '}')[([](auto& ctx) {
  auto& d = new_decl(ctx, "format");
  d.names = {fusion::at_c<0>(x3::_attr(ctx))};
  d.fields = fusion::at_c<1>(x3::_attr(ctx));
})];
auto const d_instruction =
    (x3::matches[kw("replace")] >> kw("instruction") > identifier > string_literal > identifier > number >
     kw("cycles") > number > x3::matches[kw("privileged")] > block)[([](auto& ctx) {
      auto& a = x3::_attr(ctx);
      auto& d = new_decl(ctx, "instruction");
      d.flag2 = fusion::at_c<0>(a);
      d.names = {fusion::at_c<1>(a), fusion::at_c<3>(a)};
      d.strings = {fusion::at_c<2>(a)};
      d.numbers = {fusion::at_c<4>(a), fusion::at_c<5>(a)};
      d.flag = fusion::at_c<6>(a);
      d.body = fusion::at_c<7>(a);
    })];
auto const d_pseudo =
    (kw("pseudo") > identifier > string_literal > '=' > (string_literal % ',') > ';')[([](auto& ctx) {
      auto& a = x3::_attr(ctx);
      auto& d = new_decl(ctx, "pseudo");
      d.names = {fusion::at_c<0>(a)};
      d.strings = {fusion::at_c<1>(a)};
      for (auto& s : fusion::at_c<2>(a)) d.strings.push_back(s);
    })];
auto const d_include = (kw("include") > string_literal > ';')[([](auto& ctx) {
  new_decl(ctx, "include").strings = {x3::_attr(ctx)};
})];
auto const d_remove = (kw("remove") > kw("instruction") > identifier > ';')[([](auto& ctx) {
  new_decl(ctx, "remove").names = {x3::_attr(ctx)};
})];

auto const declaration = grammar::decl_mark >> (d_name | number_decl("word") | number_decl("memory") | number_decl("reset") |
                         d_registers | d_zero | d_control | d_psw | d_trap | d_timer | d_cause |
                         d_const | d_format | d_instruction | d_pseudo | d_include | d_remove);

x3::rule<class isa_file_r> const isa_file = "a declaration (name, word, memory, registers, zero, control, "
                                            "psw, trap, reset, timer, cause, const, format, instruction, "
                                            "pseudo, include, remove)";
auto const isa_file_def = *declaration > x3::eoi;
BOOST_SPIRIT_DEFINE(isa_file)

auto const skipper = x3::space | x3::lexeme['#' >> *(x3::char_ - x3::eol)] |
                     x3::lexeme["//" >> *(x3::char_ - x3::eol)];

}  // namespace

bool parse_isa_syntax(std::shared_ptr<const SourceFile> file, IsaSyntax& out, Diagnostics& diags) {
  out.file = file;
  const char* first = file->text.data();
  const char* last = first + file->text.size();
  grammar::ParseState ps{&out.pool, first};
  auto const g = x3::with<grammar::state_tag>(&ps)[x3::with<out_tag>(&out)[isa_file]];
  try {
    bool ok = x3::phrase_parse(first, last, g, skipper);
    if (!ok) {
      diags.push_back({file, static_cast<std::size_t>(first - file->text.data()), "syntax error"});
      return false;
    }
  } catch (const x3::expectation_failure<const char*>& e) {
    std::string which = e.which();
    std::size_t off = static_cast<std::size_t>(e.where() - file->text.data());
    std::string msg = (which == "eoi" || which.rfind("a declaration", 0) == 0)
                          ? "expected a declaration (name, word, memory, registers, zero, control, psw, "
                            "trap, reset, timer, cause, const, format, instruction, pseudo, include, remove)"
                          : fmt::format("expected {}", which);
    diags.push_back({file, off, msg});
    return false;
  }
  return true;
}

}  // namespace pgsim::isa
