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
inline auto kw(char const* w) { return x3::lexeme[x3::lit(w) >> !grammar::name_char]; }

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
x3::rule<class block_end_r> const block_end = "a statement or '}'";
x3::rule<class else_r, std::vector<int>> const else_body = "'{' or 'if' after 'else'";
x3::rule<class assign_op_r, std::string> const assign_op = "assignment";
x3::rule<class stmt_end_r> const statement_end = "';' at the end of the statement";
x3::rule<class unsupported_r> const unsupported_statement = "statement";

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
auto const make_for = [](auto& ctx) {
  syntax::StmtNode n;
  n.kind = syntax::StmtKind::For;
  auto& a = x3::_attr(ctx);
  n.offset = grammar::offset_of(ctx, fusion::at_c<0>(a));
  syntax::ExprNode name;
  name.kind = syntax::ExprKind::Name;
  auto& r = fusion::at_c<1>(a);
  name.text.assign(r.begin(), r.end());
  name.offset = grammar::offset_of(ctx, r);
  n.lhs = grammar::state(ctx).pool->add(std::move(name));
  if (fusion::at_c<2>(a)) n.op = "reverse";
  n.rhs = fusion::at_c<3>(a);
  n.cond = fusion::at_c<4>(a);
  n.body = fusion::at_c<5>(a);
  x3::_val(ctx) = grammar::state(ctx).pool->add(std::move(n));
};

// Statements the language does not have, recognized so that the message says so.
auto const reject_c_for = [](auto& ctx) {
  auto& r = x3::_attr(ctx);
  grammar::fail_at(&*r.begin(), "C's 'for (...; ...; ...)' is not ISA semantics: a loop has constant bounds and is "
                                "written 'for i in 0 .. 15 { ... }' (both bounds included; the body is copied once "
                                "per value of i)");
};
auto const reject_loop = [](auto& ctx) {
  auto& r = x3::_attr(ctx);
  std::string w(r.begin(), r.end());
  grammar::fail_at(&*r.begin(), fmt::format("'{}' is not supported in ISA semantics: an instruction's semantics run "
                                            "once, top to bottom (use if/else; a repeating instruction leaves pc "
                                            "unchanged so that it runs again)",
                                            w));
};
auto const reject_jump = [](auto& ctx) {
  auto& r = x3::_attr(ctx);
  grammar::fail_at(&*r.begin(), fmt::format("'{}' is not supported in ISA semantics (the semantics end at their "
                                            "last statement; use if/else)",
                                            std::string(r.begin(), r.end())));
};
auto const reject_local = [](auto& ctx) {
  auto& r = x3::_attr(ctx);
  std::string decl;  // "int t", blanks folded
  for (char c : r) {
    bool blank = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (!blank) decl += c;
    else if (!decl.empty() && decl.back() != ' ') decl += ' ';
  }
  std::string name = decl.substr(decl.rfind(' ') + 1);
  grammar::fail_at(&*r.begin(), fmt::format("'{}' is C, not ISA semantics: a temporary is declared with 'let' "
                                            "(let {} = ...;), and has no type (every value is a word)",
                                            decl, name));
};
auto const make_let = [](auto& ctx) {
  syntax::StmtNode n;
  n.kind = syntax::StmtKind::Let;
  n.offset = grammar::offset_of(ctx, fusion::at_c<0>(x3::_attr(ctx)));
  syntax::ExprNode name;
  name.kind = syntax::ExprKind::Name;
  auto& r = fusion::at_c<1>(x3::_attr(ctx));
  name.text.assign(r.begin(), r.end());
  name.offset = grammar::offset_of(ctx, r);
  n.lhs = grammar::state(ctx).pool->add(std::move(name));
  n.op = "=";
  n.rhs = fusion::at_c<2>(x3::_attr(ctx));
  x3::_val(ctx) = grammar::state(ctx).pool->add(std::move(n));
};
auto const assign_op_def = (x3::string("=") >> !x3::lit('=')) | x3::string("+=") | x3::string("-=") |
                           x3::string("|=") | x3::string("&=") | x3::string("^=") |
                           x3::string("<<=") | x3::string(">>=");
x3::rule<class type_word_r> const type_word = "type";
auto const type_word_def = kw("int") | kw("unsigned") | kw("signed") | kw("long") | kw("short") | kw("char") |
                           kw("bool") | kw("auto") | kw("var") | kw("word") | kw("uint32_t") |
                           kw("int32_t") | kw("uint64_t") | kw("int64_t") | kw("const");
BOOST_SPIRIT_DEFINE(type_word)
// (Each needs what follows it in C, so that a field or register that happens to be called
// `do` or `char` still works: `do = 1;` is an assignment.)
auto const unsupported_statement_def =
    x3::raw[kw("for") >> &x3::lit('(')][reject_c_for] |
    x3::raw[((kw("while") | kw("switch")) >> &x3::lit('(')) | (kw("do") >> &x3::lit('{')) |
            (kw("goto") >> &grammar::name_start)][reject_loop] |
    x3::raw[(kw("return") | kw("break") | kw("continue")) >> !assign_op][reject_jump] |
    x3::raw[x3::lexeme[type_word >> +x3::ascii::space >> grammar::name_start >> *grammar::name_char]][reject_local];

x3::rule<class if_keyword_r, grammar::Range> const if_keyword = "if";
auto const if_keyword_def = x3::raw[kw("if")];
BOOST_SPIRIT_DEFINE(if_keyword)
inline constexpr const char* kIfWord = "'if' statements (each 'else if' counts as a level)";
/// Statements nested deeper than this (an `else if` counts) are an error: bounds the parser's
/// and the compiler's recursion. (With an expression nested grammar::kMaxNesting deep inside,
/// the unoptimized parser needs about 2 MB of stack; an optimized one a quarter of that.)
inline constexpr int kMaxIfNesting = 128;
inline constexpr grammar::nest_gen<&grammar::ParseState::stmt_nesting, kMaxIfNesting, &kIfWord> nest_if{};
x3::rule<class open_paren_r> const cond_open = "'(' after 'if'";
x3::rule<class close_paren_r> const cond_close = "')' after the condition";
auto const cond_open_def = x3::lit('(');
auto const cond_close_def = x3::lit(')');
BOOST_SPIRIT_DEFINE(cond_open, cond_close)
auto const block_end_def = x3::lit('}');
auto const statement_end_def = x3::lit(';');
auto const block_def = '{' > *statement > block_end;
auto const else_body_def = if_statement[wrap_vec] | block[grammar::copy_attr];
// (The level is counted only for an actual `if`: &if_keyword first.)
auto const if_statement_def =
    &if_keyword >>
    nest_if[(if_keyword > cond_open > expression > cond_close > block > -(kw("else") > else_body))[make_if]];
x3::rule<class let_keyword_r, grammar::Range> const let_keyword = "let";
auto const let_keyword_def = x3::raw[kw("let")];
x3::rule<class let_eq_r> const let_eq = "'=' and the temporary's value after its name (let t = rs + 1;)";
auto const let_eq_def = x3::lit('=') >> !x3::lit('=');
BOOST_SPIRIT_DEFINE(let_keyword, let_eq)
// `let t = e;` -- `let` followed by a name (so that a field or control register called `let`
// still works: `let = 1;` is an assignment).
x3::rule<class let_r, int> const let_statement = "let statement";
auto const let_statement_def = (let_keyword >> grammar::located_identifier > let_eq > expression > statement_end)[make_let];
// `for i in lo .. hi { ... }` (Ada's form): a bounded loop over constant bounds, both included;
// `for i in reverse lo .. hi` counts down. `for` followed by a name and `in`, so that a field or
// register called `for` still works. Counts as a level of statement nesting, as `if` does.
x3::rule<class for_keyword_r, grammar::Range> const for_keyword = "for";
auto const for_keyword_def = x3::raw[kw("for")];
x3::rule<class for_in_r> const for_in = "'in' after the loop variable (for i in 0 .. 15 { ... })";
auto const for_in_def = kw("in");
x3::rule<class for_dots_r> const for_dots = "'..' between the loop's bounds (for i in 0 .. 15 { ... })";
auto const for_dots_def = x3::lit("..");
x3::rule<class for_var_r, grammar::Range> const for_var = "the loop variable's name after 'for' (for i in 0 .. 15 { ... })";
auto const for_var_def = grammar::located_identifier;
x3::rule<class for_lo_r, int> const for_lo = "the first value (a constant expression) after 'in'";
auto const for_lo_def = grammar::lor_expr;
x3::rule<class for_hi_r, int> const for_hi = "the last value (a constant expression) after '..'";
auto const for_hi_def = grammar::lor_expr;
BOOST_SPIRIT_DEFINE(for_keyword, for_in, for_dots, for_var, for_lo, for_hi)
inline constexpr const char* kForWord = "'if' and 'for' statements (each 'else if' counts as a level)";
inline constexpr grammar::nest_gen<&grammar::ParseState::stmt_nesting, kMaxIfNesting, &kForWord> nest_for{};
x3::rule<class for_r, int> const for_statement = "for statement";
auto const for_statement_def =
    &(for_keyword >> grammar::name_start) >>
    nest_for[(for_keyword > for_var > for_in > x3::matches[kw("reverse")] > for_lo > for_dots > for_hi > block)[make_for]];
BOOST_SPIRIT_DEFINE(for_statement)
auto const simple_statement_def =
    (expression >> assign_op > expression > statement_end)[make_assign] | (expression > statement_end)[make_effect];
auto const statement_def =
    !unsupported_statement >>
    (if_statement[grammar::copy_attr] | for_statement[grammar::copy_attr] | let_statement[grammar::copy_attr] |
     simple_statement[grammar::copy_attr]);
BOOST_SPIRIT_DEFINE(let_statement)
BOOST_SPIRIT_DEFINE(statement, if_statement, simple_statement, block, block_end, else_body, assign_op,
                    statement_end, unsupported_statement)

// ---- declarations
/// `p`, named `name` for the message when an expectation of it fails ("expected <name>").
template <class Attr = x3::unused_type, class P>
auto as(char const* name, P const& p) {
  return x3::rule<class named_r, Attr>{name} = p;
}
auto const semi = as("';' at the end of the declaration", x3::lit(';'));

auto const d_name = (kw("name") > as<std::string>("the display name in quotes after 'name'", string_literal) > semi)[([](auto& ctx) {
  new_decl(ctx, "name").strings = {x3::_attr(ctx)};
})];
auto const number_decl = [](const char* k, const char* what) {
  return (kw(k) > as<std::uint64_t>(what, number) > semi)[([k](auto& ctx) { new_decl(ctx, k).numbers = {x3::_attr(ctx)}; })];
};
auto const d_registers = (kw("registers") > as<std::string>("the registers' name prefix after 'registers' (registers r 8;)", identifier) >
                          as<std::uint64_t>("the number of registers after the prefix (registers r 8;)", number) > semi)[([](auto& ctx) {
  auto& d = new_decl(ctx, "registers");
  d.names = {fusion::at_c<0>(x3::_attr(ctx))};
  d.numbers = {fusion::at_c<1>(x3::_attr(ctx))};
})];
auto const d_zero = (kw("zero") > as<std::string>("a register name after 'zero'", identifier) > semi)[([](auto& ctx) {
  new_decl(ctx, "zero").names = {x3::_attr(ctx)};
})];
auto const d_control = (kw("control") > as<std::string>("the control register's name after 'control'", identifier) >
                        as("':' and the width in bits (control ie : 1 = 0;)", x3::lit(':')) >
                        as<std::uint64_t>("the width in bits after ':'", number) >
                        as("'=' and the reset value (control ie : 1 = 0;)", x3::lit('=')) >
                        as<std::uint64_t>("the reset value (a number) after '='", number) >
                        x3::matches[kw("owned")] >
                        -(kw("guest") > as("'=' and the value a VMM keeps it at while a guest runs (owned guest = 0)",
                                           x3::lit('=')) >
                          as<std::uint64_t>("the value (a number) after 'guest ='", number)) >
                        as("';' at the end of the declaration (or 'owned' before it: control gdtr : 32 = 0 owned;)",
                           x3::lit(';')))[([](auto& ctx) {
  auto& d = new_decl(ctx, "control");
  d.names = {fusion::at_c<0>(x3::_attr(ctx))};
  d.numbers = {fusion::at_c<1>(x3::_attr(ctx)), fusion::at_c<2>(x3::_attr(ctx))};
  d.flag = fusion::at_c<3>(x3::_attr(ctx));
  if (auto& gv = fusion::at_c<4>(x3::_attr(ctx))) {  // numbers[2]: the value a VMM keeps it at while a guest runs
    d.flag2 = true;
    d.numbers.push_back(*gv);
  }
})];
auto const d_levels = (kw("levels") > (as<std::string>("a privilege level's name (levels ring0, ring1, ring2, ring3;)", identifier) % ',') >
                       semi)[([](auto& ctx) {
  auto& d = new_decl(ctx, "levels");
  d.names = x3::_attr(ctx);
})];
auto const d_guest_kernel = (kw("guest_kernel") > as<std::string>("the level a VMM runs a guest's kernel at, after "
                                                                   "'guest_kernel' (guest_kernel ring1;)",
                                                                   identifier) >
                             semi)[([](auto& ctx) { new_decl(ctx, "guest_kernel").names = {x3::_attr(ctx)}; })];
x3::rule<class psw_item_r, std::string> const psw_item = "a PSW component (mode, pc, base, bound or a control register)";
auto const psw_item_def = identifier;
x3::rule<class named_number_r, fusion::deque<std::string, std::uint64_t>> const named_number =
    "an item (old_psw, cause, info, new_psw, cycles) = number";
auto const named_number_def = identifier > as("'=' and a number after the item", x3::lit('=')) >
                              as<std::uint64_t>("a number after '='", number);
BOOST_SPIRIT_DEFINE(psw_item, named_number)
auto const d_psw = (kw("psw") > (psw_item % ',') > semi)[([](auto& ctx) {
  new_decl(ctx, "psw").names = x3::_attr(ctx);
})];
// `trap old_psw = 0, cause = 5, info = 6, new_psw = 8, cycles = 10;` (the PSW swap), or
// `trap cycles = 10 { statements }` (a trap-delivery block: flag set, body = its statements).
x3::rule<class trap_end_r, boost::optional<std::vector<int>>> const trap_end =
    "';' at the end of the declaration (or '{' and the trap's delivery statements)";
auto const trap_end_def = x3::lit(';') | block;
BOOST_SPIRIT_DEFINE(trap_end)
auto const d_trap = (kw("trap") > -(named_number % ',') > trap_end)[([](auto& ctx) {
  auto& d = new_decl(ctx, "trap");
  if (auto& items = fusion::at_c<0>(x3::_attr(ctx)))
    for (auto& nn : *items) {
      d.names.push_back(fusion::at_c<0>(nn));
      d.numbers.push_back(fusion::at_c<1>(nn));
    }
  if (auto& body = fusion::at_c<1>(x3::_attr(ctx))) {
    d.flag = true;
    d.body = *body;
  }
})];
auto const d_timer = (kw("timer") > as<std::string>("the timer's cause after 'timer'", identifier) >
                      -(kw("enable") > as<std::string>("a control register after 'enable'", identifier)) > semi)[([](auto& ctx) {
  auto& d = new_decl(ctx, "timer");
  d.names = {fusion::at_c<0>(x3::_attr(ctx)), fusion::at_c<1>(x3::_attr(ctx)).value_or("")};
})];
auto const d_cause =
    (kw("cause") > as<std::string>("the cause's name after 'cause'", identifier) >
     as("'=' and the cause's value (cause PRIV = 1;)", x3::lit('=')) > as<std::uint64_t>("the cause's value (a number)", number) >
     -('(' > as<std::string>("a role (privileged, memory, illegal, timer)", identifier) >
       as("')' after the role", x3::lit(')'))) > semi)[([](auto& ctx) {
      auto& d = new_decl(ctx, "cause");
      d.names = {fusion::at_c<0>(x3::_attr(ctx)), fusion::at_c<2>(x3::_attr(ctx)).value_or("")};
      d.numbers = {fusion::at_c<1>(x3::_attr(ctx))};
    })];
auto const d_const = (kw("const") > as<std::string>("the constant's name after 'const'", identifier) >
                      as("'=' and the constant's value (const USER = 1;)", x3::lit('=')) > expression > semi)[([](auto& ctx) {
  auto& d = new_decl(ctx, "const");
  d.names = {fusion::at_c<0>(x3::_attr(ctx))};
  d.expr = fusion::at_c<1>(x3::_attr(ctx));
})];

x3::rule<class field_r, FieldDecl> const field_decl = "field (op N; reg NAME N; simm NAME N; uimm NAME N; zero N)";
auto const field_end = as("';' after the field", x3::lit(';'));
auto const unnamed_field = [](const char* kind) {
  return (kw(kind) > as<std::uint64_t>("the field's width in bits", number) > field_end)[([kind](auto& ctx) {
    FieldDecl f;
    f.kind = kind;
    f.width = x3::_attr(ctx);
    f.offset = grammar::marked<0>(ctx);
    x3::_val(ctx) = f;
  })];
};
auto const named_field = [](const char* kind) {
  return (kw(kind) > as<std::string>("the field's name", identifier) >
          as<std::uint64_t>("the field's width in bits after its name", number) > field_end)[([kind](auto& ctx) {
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
auto const d_format = (kw("format") > as<std::string>("the format's name after 'format'", identifier) >
                       as("'{' and the format's fields", x3::lit('{')) > *field_decl >
                       as("a field (op N; reg NAME N; simm NAME N; uimm NAME N; zero N;) or '}'", x3::lit('}')))[([](auto& ctx) {
  auto& d = new_decl(ctx, "format");
  d.names = {fusion::at_c<0>(x3::_attr(ctx))};
  d.fields = fusion::at_c<1>(x3::_attr(ctx));
})];
// `where funct3 = 1, funct7 = 0x20`: fields whose value, with the opcode, names the instruction.
x3::rule<class where_item_r, FieldDecl> const where_item = "a fixed field (where funct3 = 1)";
auto const where_item_def =
    (grammar::mark >> as<std::string>("the name of a field of the format after 'where' (where funct3 = 1)", identifier) >
     as("'=' and the field's value (where funct3 = 1)", x3::lit('=')) >
     as<std::uint64_t>("the field's value (a number)", number))[([](auto& ctx) {
      FieldDecl f;
      f.kind = "where";
      f.name = fusion::at_c<0>(x3::_attr(ctx));
      f.width = fusion::at_c<1>(x3::_attr(ctx));
      f.offset = grammar::marked<0>(ctx);
      x3::_val(ctx) = f;
    })];
x3::rule<class where_clause_r, std::vector<FieldDecl>> const where_clause = "`where FIELD = VALUE` (or nothing)";
auto const where_clause_def = -(kw("where") > (where_item % ','));
BOOST_SPIRIT_DEFINE(where_item, where_clause)
auto const d_instruction =
    (x3::matches[kw("replace")] >> kw("instruction") >
     as<std::string>("the mnemonic after 'instruction'", identifier) >
     as<std::string>("the operand syntax in quotes after the mnemonic (\"rd, rs, rt\", or \"\" for none)", string_literal) >
     as<std::string>("the format's name after the operand syntax", identifier) >
     as<std::uint64_t>("the opcode (a number) after the format", number) >
     where_clause >
     as("`cycles N` after the opcode (then `privileged`, if the instruction is privileged; `where` fields go "
        "between the opcode and `cycles`)",
        kw("cycles")) >
     as<std::uint64_t>("the number of cycles after 'cycles'", number) >
     x3::matches[kw("privileged")] > -(!kw("intercept") >> identifier) >
     -(kw("intercept") > as<std::uint64_t>("the intercept bit (a number, 0 to 31) after 'intercept'", number)) >
     as<std::vector<int>>("'{' and the semantics (after `cycles N`, `privileged` and `intercept N`, if any)",
                          block))[([](auto& ctx) {
      auto& a = x3::_attr(ctx);
      auto& d = new_decl(ctx, "instruction");
      d.flag2 = fusion::at_c<0>(a);
      d.names = {fusion::at_c<1>(a), fusion::at_c<3>(a)};
      d.strings = {fusion::at_c<2>(a)};
      d.numbers = {fusion::at_c<4>(a), fusion::at_c<6>(a)};
      d.where = fusion::at_c<5>(a);
      d.flag = fusion::at_c<7>(a);
      d.names.push_back(fusion::at_c<8>(a).value_or(""));  // names[2]: the level after `privileged`
      if (auto& bit = fusion::at_c<9>(a)) d.numbers.push_back(*bit);  // numbers[2]: the intercept bit
      d.body = fusion::at_c<10>(a);
    })];
auto const d_pseudo =
    (kw("pseudo") > as<std::string>("the pseudo-instruction's mnemonic after 'pseudo'", identifier) >
     as<std::string>("the operand syntax in quotes after the mnemonic", string_literal) >
     as("'=' and the expansion", x3::lit('=')) >
     as<std::vector<std::string>>("the expansion in quotes (several lines: \"...\", \"...\")", string_literal % ',') >
     semi)[([](auto& ctx) {
      auto& a = x3::_attr(ctx);
      auto& d = new_decl(ctx, "pseudo");
      d.names = {fusion::at_c<0>(a)};
      d.strings = {fusion::at_c<1>(a)};
      for (auto& s : fusion::at_c<2>(a)) d.strings.push_back(s);
    })];
auto const d_include = (kw("include") > as<std::string>("the file name in quotes after 'include'", string_literal) > semi)[([](auto& ctx) {
  new_decl(ctx, "include").strings = {x3::_attr(ctx)};
})];
auto const d_remove = (kw("remove") > as("'instruction' after 'remove'", kw("instruction")) >
                       as<std::string>("the mnemonic of the instruction to remove", identifier) > semi)[([](auto& ctx) {
  new_decl(ctx, "remove").names = {x3::_attr(ctx)};
})];

// ---- the assist block: interpretive execution (docs/isa-language.md "Hardware assist")
// Each item becomes its own declaration ("assist_state", "assist_reason", "assist_cost",
// "assist_levels") at the item's place; the block itself adds "assist" at its end.
template <class Ctx>
Decl& new_item(Ctx& ctx, const char* kind) {
  auto& d = out(ctx).decls.emplace_back();
  d.kind = kind;
  d.offset = grammar::marked<0>(ctx);
  return d;
}
auto const item_end = as("';' at the end of the item", x3::lit(';'));
x3::rule<class sd_field_r, fusion::deque<std::string, std::uint64_t>> const sd_field =
    "a state-description field (psw, regs, timer, pending, origin, size, intercepts, reason, info) = word offset";
auto const sd_field_def = identifier > as("'=' and the field's word offset", x3::lit('=')) >
                          as<std::uint64_t>("the word offset (a number) after '='", number);
x3::rule<class assist_cost_r, fusion::deque<std::string, std::uint64_t>> const assist_cost =
    "a cost (exit, interpret) = cycles";
auto const assist_cost_def = identifier > as("'=' and the number of cycles", x3::lit('=')) >
                             as<std::uint64_t>("the number of cycles after '='", number);
BOOST_SPIRIT_DEFINE(sd_field, assist_cost)
auto const pairs_into = [](Decl& d, auto& list) {
  for (auto& nn : list) {
    d.names.push_back(fusion::at_c<0>(nn));
    d.numbers.push_back(fusion::at_c<1>(nn));
  }
};
auto const a_state = (kw("state") > (sd_field % ',') > item_end)[([](auto& ctx) {
  pairs_into(new_item(ctx, "assist_state"), x3::_attr(ctx));
})];
auto const a_reason =
    (kw("reason") > as<std::string>("the exit reason's name after 'reason'", identifier) >
     as("'=' and the reason's value (reason EXIT_INTERCEPT = 1 (intercept);)", x3::lit('=')) >
     as<std::uint64_t>("the reason's value (a number)", number) >
     as("'(' and the reason's role: intercept, validity, nesting or preempted", x3::lit('(')) >
     as<std::string>("a role (intercept, validity, nesting, preempted)", identifier) >
     as("')' after the role", x3::lit(')')) > item_end)[([](auto& ctx) {
      auto& d = new_item(ctx, "assist_reason");
      d.names = {fusion::at_c<0>(x3::_attr(ctx)), fusion::at_c<2>(x3::_attr(ctx))};
      d.numbers = {fusion::at_c<1>(x3::_attr(ctx))};
    })];
auto const a_cost = (kw("cost") > (assist_cost % ',') > item_end)[([](auto& ctx) {
  pairs_into(new_item(ctx, "assist_cost"), x3::_attr(ctx));
})];
auto const a_levels = (kw("levels") > as<std::uint64_t>("the nesting limit (a number) after 'levels'", number) >
                       item_end)[([](auto& ctx) { new_item(ctx, "assist_levels").numbers = {x3::_attr(ctx)}; })];
x3::rule<class assist_item_r> const assist_item = "an assist item (state, reason, cost, levels)";
auto const assist_item_def = grammar::mark >> (a_state | a_reason | a_cost | a_levels);
BOOST_SPIRIT_DEFINE(assist_item)
auto const d_assist = (kw("assist") > as("'{' and the assist's items (state, reason, cost, levels)", x3::lit('{')) >
                       *assist_item > as("an assist item (state, reason, cost, levels) or '}'", x3::lit('}')))[(
    [](auto& ctx) { new_decl(ctx, "assist"); })];

auto const declaration = grammar::decl_mark >> (d_name | number_decl("word", "the number of bits per word after 'word'") |
                         number_decl("memory", "the number of words of storage after 'memory'") |
                         number_decl("reset", "the reset address after 'reset'") |
                         d_registers | d_zero | d_control | d_levels | d_guest_kernel | d_psw | d_trap | d_timer | d_cause |
                         d_const | d_format | d_instruction | d_pseudo | d_include | d_remove | d_assist);

x3::rule<class isa_file_r> const isa_file = "a declaration (name, word, memory, registers, zero, control, "
                                            "levels, guest_kernel, psw, trap, reset, timer, cause, const, format, instruction, "
                                            "pseudo, include, remove, assist)";
auto const isa_file_def = *declaration > x3::eoi;
BOOST_SPIRIT_DEFINE(isa_file)

auto const skipper = x3::ascii::space | x3::lexeme['#' >> *(x3::char_ - x3::eol)] |
                     x3::lexeme["//" >> *(x3::char_ - x3::eol)];

}  // namespace

bool parse_isa_syntax(std::shared_ptr<const SourceFile> file, IsaSyntax& out, Diagnostics& diags) {
  out.file = file;
  const char* const begin = file->text.data();
  const char* first = begin;
  const char* last = first + file->text.size();
  grammar::ParseState ps{&out.pool, first};
  ps.language = "ISA semantics";
  auto const g = x3::with<grammar::state_tag>(&ps)[x3::with<out_tag>(&out)[isa_file]];
  // The place and message of the error, if any: a non-ASCII character there is named as such.
  auto report = [&](const char* where, std::string msg) {
    // A non-ASCII character on the line where the parse failed is the error to report.
    const char* line = where;
    while (line > begin && line[-1] != '\n') --line;
    const char* eol = where;
    while (eol < last && *eol != '\n') ++eol;
    if (const char* na = grammar::first_non_ascii(line, eol, true); na && na >= where) where = na;
    if (auto na = grammar::non_ascii_message(begin, where, last); !na.empty()) msg = std::move(na);
    diags.push_back({file, static_cast<std::size_t>(where - begin), std::move(msg)});
    return false;
  };
  try {
    bool ok = x3::phrase_parse(first, last, g, skipper);
    if (!ok) return report(first, "syntax error");
  } catch (const x3::expectation_failure<const char*>& e) {
    // The place is where the expected thing would start: after blanks and comments (a named
    // rule reports the place before them).
    const char* where = e.where();
    x3::parse(where, last, *skipper);
    std::string which = e.which();
    std::string msg = (which == "eoi" || which.rfind("a declaration", 0) == 0)
                          ? "expected a declaration (name, word, memory, registers, zero, control, levels, guest_kernel, psw, "
                            "trap, reset, timer, cause, const, format, instruction, pseudo, include, remove, "
                            "assist)"
                          : grammar::expected_message(which);
    return report(where, std::move(msg));
  } catch (const grammar::SyntaxError& e) {
    return report(e.where, e.message);
  }
  return true;
}

}  // namespace pgsim::isa
