// Robustness (issue 9): inputs that used to crash pgsim, hang it or exhaust memory now give a
// clear error naming the problem (file:line:col where there is a file) and exit code 1.
// Each test writes its own small input (or generates a large one) into the build tree.
#include <sys/resource.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "assembler/assembler.hpp"
#include "helpers.hpp"
#include "isa/source.hpp"

using namespace pgsim;
using pgsim::test::error_of;
using pgsim::test::source_path;
namespace fs = std::filesystem;

namespace {

/// A directory of its own for this file's inputs.
std::string dir() {
  static std::string d = [] {
    std::string p = std::string(PGSIM_BINARY_DIR_FOR_TESTS) + "/robustness";
    fs::create_directories(p);
    return p;
  }();
  return d;
}

std::string write(const std::string& name, const std::string& text) {
  std::string p = dir() + "/" + name;
  fs::create_directories(fs::path(p).parent_path());
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

/// What `pgsim ARGS` printed (stdout and stderr), its exit code (-1 for a signal), and whether a
/// generous guard against hangs (60 s) stopped it.
struct Outcome {
  int code = -1;
  bool hung = false;
  std::string out;
};
Outcome run_cli(const std::string& args) {
  std::string cmd = "timeout -s KILL 60 " + std::string(PGSIM_BINARY) + " " + args + " 2>&1";
  Outcome r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    if (r.out.size() < (64u << 20)) r.out.append(buf, n);  // enough to see that it is too much
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  if (r.code == 137) r.hung = true, r.code = -1;  // killed by the guard
  if (r.code >= 128) r.code = -1;                  // the shell reports a signal as 128 + n
  return r;
}

/// The largest resident set of any pgsim run so far, in bytes (Linux reports kilobytes).
std::uint64_t peak_child_rss() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<std::uint64_t>(u.ru_maxrss) * 1024;
}

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

std::string asm_error(const std::string& text) {
  return error_of([&] { assembler::assemble_text(*test::pg1(), "test.s", text); });
}

}  // namespace

// ---------------------------------------------------------------- assembler: directives

TEST_CASE("a directive without its operands is an error at its column, never interpreted by pass 2", "[robust][asm]") {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {".space\n", "test.s:1:1: error: .space takes one count: .space EXPR (found 0 operands)"},
      {".ascii\n", "test.s:1:1: error: .ascii takes one string"},
      {".asciz\n", "test.s:1:1: error: .asciz takes one string"},
      {".equ\n", "test.s:1:1: error: .equ takes a name and a value"},
      {".word\n", "test.s:1:1: error: .word takes at least one value"},
      {".org\n", "test.s:1:1: error: .org takes one address"},
      {".space ,\n", "test.s:1:8: error: unexpected text"},
      {"x: .ascii )\n", "test.s:1:11: error: unexpected text"},
      {"  .ascii 5\n", "test.s:1:10: error: .ascii takes one string"},
      {"  .space \"abc\"\n", "test.s:1:10: error: .space takes one count"},
      {"  .equ 3, 4\n", "test.s:1:8: error: .equ takes a name and a value"},
      {"  .equ x, \"s\"\n", "test.s:1:11: error: .equ takes a name and a value"},
      {"  .include 7\n", "test.s:1:12: error: .include takes one file name in quotes"},
      {"  .asciz \"a\", \"b\"\n", "test.s:1:3: error: .asciz takes one string: .asciz \"text\" (found 2 operands)"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK_THAT(asm_error(c.text), Catch::Contains(c.error));
  }
  // The same lines in a program with good ones around them: each error once, nothing else.
  std::string e = asm_error(".org 16\n.space\nnop\n.ascii\nx: .ascii )\nhalt\n");
  CHECK_THAT(e, Catch::Contains("test.s:2:1: error: .space"));
  CHECK_THAT(e, Catch::Contains("test.s:4:1: error: .ascii"));
  CHECK_THAT(e, Catch::Contains("test.s:5:11: error"));
  CHECK(std::count(e.begin(), e.end(), '^') == 3);
}

TEST_CASE("pgsim asm of a lone .space exits 1 with the error (no signal)", "[robust][asm][cli]") {
  for (std::string text : {".space\n", ".ascii\n", ".asciz\n", ".equ\n", ".space ,\n", "x: .ascii )\n"}) {
    auto f = write("lone.s", text);
    auto r = run_cli("asm " + f);
    INFO(text << r.out);
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::Contains(f + ":1:"));
    CHECK_THAT(r.out, Catch::Contains("error:"));
  }
}

// ---------------------------------------------------------------- assembler: constant arithmetic

TEST_CASE("constant expressions use checked 64-bit arithmetic: overflow and division by zero are errors", "[robust][asm]") {
  const char* overflows[] = {
      ".word (1<<63)/-1\n",                       // 2^63 does not fit; INT64_MIN / -1 neither
      ".word (-(1<<62) * 2) / -1\n",              // INT64_MIN / -1 (SIGFPE before)
      ".word 0x7fffffff * 0x7fffffff * 8\n",      // *
      ".word (1<<62) + (1<<62)\n",                // +
      ".word -(1<<62) - (1<<62) - 1\n",           // -
      ".word 3 << 62\n",                          // <<
      ".word 1 << 64\n",                          // << by the width
      ".equ M, -(1<<62) * 2\n.word -M\n",        // unary -
  };
  for (const char* text : overflows) {
    INFO(text);
    CHECK_THAT(asm_error(text), Catch::Contains("error: constant expression overflows"));
  }
  CHECK_THAT(asm_error(".word 1/0\n"), Catch::Contains("test.s:1:7: error: division by zero"));
  CHECK_THAT(asm_error(".word 5 % (2-2)\n"), Catch::Contains("test.s:1:7: error: modulo by zero"));
  CHECK_THAT(asm_error(".word 1 << -1\n"), Catch::Contains("negative shift count"));
  // Results that fit are still computed, up to the edges of 64 bits.
  auto img = test::assemble(".word ((0x7fffffff * 0x7fffffff) >> 40), (-1 << 63) >> 62, (-(1<<62) * 2) % -1, "
                            "(1 << 62) / (1 << 61)\n");
  std::int64_t big = std::int64_t{0x7fffffff} * 0x7fffffff;
  CHECK(img->words[0] == static_cast<std::uint32_t>(big >> 40));
  CHECK(img->words[1] == static_cast<std::uint32_t>(-2));
  CHECK(img->words[2] == 0);
  CHECK(img->words[3] == 2);
}

TEST_CASE("a chain of symbols defined in terms of each other stops at the nesting limit", "[robust][asm]") {
  // 100,000 .equ, each in terms of the next: evaluating the first used to recurse 100,000 deep.
  std::string text = ".word s0\n";
  for (int i = 0; i < 100000; ++i) text += ".equ s" + std::to_string(i) + ", s" + std::to_string(i + 1) + " + 1\n";
  text += ".equ s100000, 0\n";
  std::string e = asm_error(text);
  CHECK_THAT(e, Catch::Contains("(the symbol nesting limit)"));
  CHECK_THAT(e, Catch::Contains(std::to_string(assembler::kMaxSymbolNesting)));
  // Below the limit, chains work.
  std::string ok = ".word s0\n";
  for (int i = 0; i < 500; ++i) ok += ".equ s" + std::to_string(i) + ", s" + std::to_string(i + 1) + " + 1\n";
  ok += ".equ s500, 0\n";
  CHECK(test::assemble(ok)->words[0] == 500);
}

// ---------------------------------------------------------------- diagnostics

TEST_CASE("the line index gives every offset's line and column, and each line's text", "[robust][source]") {
  SourceFile f;
  f.path = "x.s";
  f.text = "ab\ncd\r\n\nlast";
  CHECK(f.line_col(0) == std::pair{1, 1});
  CHECK(f.line_col(2) == std::pair{1, 3});  // the newline belongs to its line
  CHECK(f.line_col(3) == std::pair{2, 1});
  CHECK(f.line_col(7) == std::pair{3, 1});
  CHECK(f.line_col(8) == std::pair{4, 1});
  CHECK(f.line_col(11) == std::pair{4, 4});
  CHECK(f.line_col(999) == std::pair{4, 5});  // past the end: clamps
  CHECK(f.line_text(2) == "cd");
  CHECK(f.line_text(3).empty());
  CHECK(f.line_text(4) == "last");
  CHECK(f.line_text(5).empty());
  CHECK(f.line_count() == 4);
}

TEST_CASE("200,000 erroneous lines: the first 100 errors, then 'too many errors'", "[robust][diagnostics]") {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "  frob r1\n";
  auto f = write("many_errors.s", text);
  auto r = run_cli("asm " + f);
  CHECK(r.code == 1);
  CHECK_FALSE(r.hung);
  CHECK_THAT(r.out, Catch::Contains(f + ":1:3: error: unknown instruction 'frob'"));
  CHECK_THAT(r.out, Catch::Contains(f + ":100:3: error: unknown instruction 'frob'"));
  CHECK_THAT(r.out, !Catch::Contains(f + ":101:3:"));
  CHECK_THAT(r.out, Catch::Contains("error: too many errors (limit 100); stopping"));
  CHECK(r.out.size() < 64 * 1024);
}

TEST_CASE("a listing of a 200,000-line program finds each line through the index", "[robust][diagnostics]") {
  // Each listed word used to find its source line by scanning the file from the start.
  std::string text = ".org 16\n";
  for (int i = 0; i < 200000; ++i) text += "  nop\n";
  auto f = write("long_listing.s", text);
  auto r = run_cli("asm --listing " + f);
  CHECK(r.code == 0);
  CHECK_FALSE(r.hung);
  CHECK_THAT(r.out, Catch::Contains("030d4f  "));  // the last word: 16 + 199,999
}

TEST_CASE("one 40 KB line with thousands of undefined symbols: bounded output, clipped lines", "[robust][diagnostics]") {
  std::string line = ".word ";
  for (int i = 0; line.size() < 40 * 1024; ++i) {
    if (i) line += ',';
    line += "undefined_";
    line += std::to_string(i);
  }
  auto f = write("long_line.s", line + "\n");
  auto r = run_cli("asm " + f);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains(f + ":1:7: error: undefined symbol 'undefined_0'"));
  CHECK_THAT(r.out, Catch::Contains("error: too many errors (limit 100); stopping"));
  CHECK(r.out.size() < 64 * 1024);  // 100 diagnostics of at most a few hundred bytes each
  CHECK(peak_child_rss() < kGiB);
  // Each diagnostic shows a window of the line around its caret, the caret under the symbol.
  std::string e = asm_error(line + "\n");
  auto at = e.find("error: undefined symbol 'undefined_50'\n");
  REQUIRE(at != std::string::npos);
  auto src_start = e.find('\n', at) + 1, src_end = e.find('\n', src_start);
  std::string shown = e.substr(src_start, src_end - src_start);
  std::string caret = e.substr(src_end + 1, e.find('\n', src_end + 1) - src_end - 1);
  CHECK(shown.size() <= kMaxShownLine + 6);
  CHECK(shown.substr(0, 3) == "...");
  CHECK(shown.substr(caret.size() - 1, 12) == "undefined_50");
}

// ---------------------------------------------------------------- limits: includes and program size

TEST_CASE("an .include DAG bomb stops at the include count limit, with file:line:col", "[robust][limits]") {
  // f0 includes f1 ten times, f1 includes f2 ten times, ...: 10^9 inclusions without a cycle.
  for (int i = 0; i < 9; ++i) {
    std::string t;
    for (int k = 0; k < 10; ++k) t += ".include \"f" + std::to_string(i + 1) + ".s\"\n";
    write("bomb/f" + std::to_string(i) + ".s", t);
  }
  write("bomb/f9.s", "nop\n");
  auto r = run_cli("asm " + dir() + "/bomb/f0.s");
  CHECK(r.code == 1);
  CHECK_FALSE(r.hung);
  CHECK_THAT(r.out, Catch::Contains(":10: error: more than 1000 .include directives followed (the include count limit)"));
  CHECK_THAT(r.out, Catch::StartsWith(dir() + "/bomb/f"));
  CHECK(peak_child_rss() < kGiB);
}

TEST_CASE("an .include of a name longer than the system allows is an error at the .include", "[robust][limits]") {
  // Found by fuzz_asm: the name reached std::filesystem, whose exception escaped the assembler.
  std::string name;
  for (int i = 0; i < 3000; ++i) name += "a/";
  auto f = write("longname/main.s", "nop\n.include \"" + name + "x.s\"\n");
  auto r = run_cli("asm " + f);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::StartsWith(f + ":2:10: error: cannot include 'a/a/a/"));
  CHECK_THAT(r.out, !Catch::Contains("filesystem error"));
}

TEST_CASE("the total size of included text is limited", "[robust][limits]") {
  // A 1 MB file included five times: each inclusion counts.
  write("big/part.s", std::string(1 << 20, ';').replace((1 << 20) - 1, 1, "\n"));
  std::string main_text;
  for (int i = 0; i < 5; ++i) main_text += ".include \"part.s\"\n";
  auto f = write("big/main.s", main_text);
  auto r = run_cli("asm " + f);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains(f + ":4:10: error: including 'part.s' makes the program"));
  CHECK_THAT(r.out, Catch::Contains("more than the limit of 4194304 bytes"));
}

TEST_CASE("program size: source bytes, lines and image words are limited", "[robust][limits]") {
  // 5 MB of nop: above the size of a source file.
  std::string text;
  while (text.size() < (5u << 20)) text += "nop\n";
  auto f = write("huge.s", text);
  auto r = run_cli("asm " + f);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("error: '" + f + "' is 5242880 bytes, larger than the limit of 4194304 bytes"));
  // 600,000 lines in 2.4 MB: above the line limit.
  text.clear();
  for (int i = 0; i < 600000; ++i) text += "nop\n";
  f = write("many_lines.s", text);
  r = run_cli("asm " + f);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains(f + ":500001:1: error: the program has more than 500000 lines (the program size limit)"));
  CHECK(peak_child_rss() < kGiB);
  // Image words.
  CHECK_THAT(asm_error(".space 20000000\n"), Catch::Contains("test.s:1:8: error: .space count 20000000 is outside the program size limit"));
  CHECK_THAT(asm_error(".org 0xfffffe\n.word 1, 2, 3\n"),
             Catch::Contains("test.s:2:1: error: the program is larger than 16777216 words (the program size limit)"));
}

// ---------------------------------------------------------------- limits: files that are not regular files

TEST_CASE("a directory or a device as program, include, --input, image or ISA is a clear error", "[robust][limits][cli]") {
  auto hello = source_path("examples/guests/hello.s");
  auto d = dir() + "/a_directory";
  fs::create_directories(d);
  struct Case {
    std::string args, error;
  };
  auto inc_dir = write("inc_dir.s", "  .include \"a_directory\"\n");
  auto inc_dev = write("inc_dev.s", "nop\n  .include \"/dev/zero\"\n");
  const Case cases[] = {
      {"run " + d, "error: '" + d + "' is a directory, not a file"},
      {"asm " + d + ".s", "is a directory"},  // a directory named like a program
      {"run --input " + d + " " + hello, "error: --input: '" + d + "' is a directory, not a file"},
      {"disasm " + d, "error: '" + d + "' is a directory, not a file"},
      {"run --isa " + d + " " + hello, "error: cannot load the ISA: '" + d + "' is a directory, not a file"},
      {"check " + d, "is a directory, not a file"},
      {"run /dev/zero", "error: '/dev/zero' is not a regular file"},
      {"run --input /dev/zero " + hello, "error: --input: '/dev/zero' is not a regular file"},
      {"disasm /dev/zero", "'/dev/zero' is not a regular file"},
      {"asm " + inc_dir, inc_dir + ":1:12: error: cannot include 'a_directory':"},
      {"asm " + inc_dev, inc_dev + ":2:12: error: cannot include '/dev/zero': '/dev/zero' is not a regular file"},
  };
  fs::create_directories(d + ".s");
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    INFO(c.args << "\n" << r.out);
    CHECK(r.code == 1);
    CHECK_FALSE(r.hung);
    CHECK_THAT(r.out, Catch::Contains(c.error));
  }
  CHECK(peak_child_rss() < kGiB);
}

TEST_CASE("an --input file larger than its limit is an error naming the limit", "[robust][limits][cli]") {
  auto in = dir() + "/huge.in";
  { std::ofstream(in, std::ios::binary); }
  fs::resize_file(in, 500u << 20);  // 500 MB, sparse: it costs no disk
  auto r = run_cli("run --input " + in + " " + source_path("examples/guests/hello.s"));
  fs::remove(in);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("error: --input: '" + in + "' is 524288000 bytes, larger than the limit of 16777216 bytes"));
}

// ---------------------------------------------------------------- the command line

TEST_CASE("every numeric option is range-checked, the error names the range", "[robust][cli]") {
  auto hello = source_path("examples/guests/hello.s");
  auto isa = source_path("examples/isa/pg1.isa");
  struct Case {
    std::string args, error;
  };
  const Case cases[] = {
      {"run --max-cycles -1 " + hello, "error: --max-cycles must be a whole number from 1 to 1000000000000000, not '-1'"},
      {"run --max-cycles 18446744073709551616 " + hello, "--max-cycles must be a whole number from 1 to"},
      {"run --max-cycles 0 " + hello, "--max-cycles must be a whole number from 1 to"},
      {"run --max-cycles 1e9 " + hello, "--max-cycles must be a whole number from 1 to"},
      {"run --depth 65 " + hello, "error: --depth must be a whole number from 0 to 64, not '65'"},
      {"run --depth 4294967296 " + hello, "--depth must be a whole number from 0 to 64"},
      {"run --depth x " + hello, "--depth must be a whole number from 0 to 64, not 'x'"},
      {"run --memory 5 " + hello, "error: --memory must be a whole number from 32 to 67108864, not '5'"},
      {"run --memory -32 " + hello, "--memory must be a whole number from 32 to 67108864"},
      {"check --seed -5 " + isa, "error: --seed must be a whole number from 0 to 18446744073709551615, not '-5'"},
      {"check --seed 18446744073709551616 " + isa, "--seed must be a whole number from 0 to 18446744073709551615"},
      {"disasm --from -1 " + hello, "--from must be a whole number from 0 to 16777216"},
      {"disasm --count 99999999999 " + hello, "--count must be a whole number from 0 to 16777216"},
      {"equiv --depth 0 " + hello, "--depth must be a whole number from 1 to 64"},
      {"equiv --max-cycles -1 " + hello, "--max-cycles must be a whole number from 1 to"},
      {"lesson show 99999999999", "the lesson number must be a whole number from 1 to 999"},
  };
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    INFO(c.args << "\n" << r.out);
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::Contains(c.error));
  }
  // Values in range still work.
  auto r = run_cli("run --max-cycles 1000000000000000 --depth 1 --memory 4096 " + hello);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("Hello from PG-1!"));
}

TEST_CASE("pgsim run --json is valid JSON whatever bytes the guest prints", "[robust][cli]") {
  // The guest prints the bytes 0xff, 'A', 0x80, 0x00.
  auto f = write("bytes.s", ".org RESET\n  li r1, 0xff\n  out r1\n  li r1, 65\n  out r1\n  li r1, 0x80\n  out r1\n"
                            "  out r0\n  halt\n");
  auto r = run_cli("run --json " + f);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains(R"("console": "\u00ffA\u0080\u0000")"));
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["console"] == "\xc3\xbf" "A" "\xc2\x80" + std::string(1, '\0'));  // the bytes as Latin-1 code points
  CHECK(j["console_bytes"] == nlohmann::json::array({255, 65, 128, 0}));
  CHECK(j["halted"] == true);
  CHECK(j["levels"].size() == 1);
}

TEST_CASE("disasm of an image word wider than the ISA's word is an error, not a truncation", "[robust][cli]") {
  auto img = write("wide.img", "# pgsim image\n00000001\n123456789abc\n");
  auto r = run_cli("disasm " + img);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains(img + ":3:1: error: '123456789abc' does not fit in a 32-bit word of PG-1"));
  img = write("junk.img", "0000000f zz\n");
  r = run_cli("disasm " + img);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains(img + ":1:9: error: expected a hex word"));
  img = write("good.img", "# pgsim image\n00000000\n  0000000F  \r\n");
  r = run_cli("disasm " + img);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("000001  0000000f"));
}

// ---------------------------------------------------------------- the VMM stack

namespace {
/// A VMM source with the control block, whose VMM_SIZE and vm_regs lines are `size_line`, `regs_line`.
std::string vmm_source(const std::string& size_line, const std::string& regs_line) {
  return size_line + "\n.org 16\nhalt\nvm_mode: .word 0\nvm_pc: .word 0\nvm_base: .word 0\nvm_bound: .word 0\n"
                     "vm_ie: .word 0\n" + regs_line + "\n";
}
}  // namespace

TEST_CASE("a VMM image is validated when the stack is built: size, control-block symbols", "[robust][vmm]") {
  auto guest = test::assemble(".org RESET\nhalt\n");
  auto build = [&](const std::string& src) {
    auto vmm = test::assemble(src);
    try {
      vmm::Stack s(test::pg1(), vmm, guest, 2, 4096);
      (void)s.virtual_state_of_guest_of(1);
      (void)s.level_of(5000);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(build(vmm_source(".equ VMM_SIZE, 0", "vm_regs: .space 8")),
             Catch::Contains("has size 0 (its symbol VMM_SIZE is 0)"));
  // No words at all, only symbols: V = 0 used to divide by zero in level_of.
  CHECK_THAT(build(".equ VMM_SIZE, 0\n.equ vm_mode, 0\n.equ vm_pc, 0\n.equ vm_base, 0\n.equ vm_bound, 0\n"
                   ".equ vm_ie, 0\n.equ vm_regs, 0\n"),
             Catch::Contains("has size 0 (its symbol VMM_SIZE is 0)"));
  CHECK_THAT(build(".equ vm_mode, 0\n"), Catch::Contains("has size 0 (its image is empty)"));
  CHECK_THAT(build(vmm_source(".equ VMM_SIZE, 512", ".equ vm_regs, 70000")),
             Catch::Contains("its control-block symbol 'vm_regs' = 70000 lies outside the VMM image (addresses 0 .. 21)"));
  CHECK_THAT(build(vmm_source(".equ VMM_SIZE, 512", "vm_regs: .space 2")),  // room for 2 of the 8 registers
             Catch::Contains("'vm_regs' = 22 lies outside the VMM image"));
  CHECK_THAT(build(vmm_source(".equ VMM_SIZE, 512", "").replace(0, 0, ".equ vm_regs, 0xffffffff\n")),
             Catch::Contains("'vm_regs' = 4294967295 lies outside"));
  CHECK_THAT(build(".equ VMM_SIZE, 64\n.org 16\nhalt\n"), Catch::Contains("defines no control-block symbol 'vm_mode'"));
  CHECK_THAT(build(vmm_source(".equ VMM_SIZE, 8", "vm_regs: .space 8")), Catch::Contains("is larger than its VMM_SIZE (8)"));
  CHECK(build(vmm_source(".equ VMM_SIZE, 512", "vm_regs: .space 8")).empty());
}

TEST_CASE("pgsim run and equiv with a bad VMM exit 1 naming the symbol", "[robust][vmm][cli]") {
  auto hello = source_path("examples/guests/hello.s");
  auto zero = write("vmm_size0.s", vmm_source(".equ VMM_SIZE, 0", "vm_regs: .space 8"));
  auto outside = write("vmm_outside.s", vmm_source(".equ VMM_SIZE, 512", ".equ vm_regs, 70000"));
  for (const std::string cmd : {"run --depth 2", "run --trace-traps --depth 1", "equiv --depth 1"}) {
    auto r = run_cli(cmd + " --vmm " + zero + " " + hello);
    INFO(cmd << "\n" << r.out);
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::Contains("error: the VMM '" + zero + "' has size 0 (its symbol VMM_SIZE is 0)"));
    r = run_cli(cmd + " --vmm " + outside + " " + hello);
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::Contains("error: the VMM '" + outside + "': its control-block symbol 'vm_regs' = 70000"));
  }
}

TEST_CASE("an include DAG bomb in an ISA description stops at the include count limit", "[robust][limits][isa]") {
  for (int i = 0; i < 9; ++i) {
    std::string t;
    for (int k = 0; k < 10; ++k) t += "include \"f" + std::to_string(i + 1) + ".isa\";\n";
    write("isa_bomb/f" + std::to_string(i) + ".isa", t);
  }
  write("isa_bomb/f9.isa", "const X = 1;\n");
  auto r = run_cli("check " + dir() + "/isa_bomb/f0.isa");
  CHECK(r.code == 1);
  CHECK_FALSE(r.hung);
  CHECK_THAT(r.out, Catch::Contains(":1: error: more than 1000 include declarations followed (the include count limit)"));
  CHECK_THAT(r.out, Catch::StartsWith(dir() + "/isa_bomb/f"));
}

TEST_CASE("pgsim check --json is valid JSON whatever bytes the ISA's strings hold", "[robust][cli]") {
  std::ifstream in(source_path("examples/isa/pg1.isa"));
  std::string isa((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto at = isa.find("name \"PG-1\"");
  REQUIRE(at != std::string::npos);
  isa.replace(at, 11, "name \"PG-\xff\"");
  auto f = write("byte_ff.isa", isa);
  auto r = run_cli("check --json --only halt " + f);
  CHECK_THAT(r.out, !Catch::Contains("json.exception"));
  if (r.code == 0) {
    auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')));
    CHECK(j["isa"] == "PG-\xef\xbf\xbd");  // the byte 0xFF is not UTF-8: U+FFFD
  } else {
    CHECK(r.code == 1);  // or the ISA loader rejects the byte, with a message
    CHECK_THAT(r.out, Catch::Contains(f + ":"));
  }
}
