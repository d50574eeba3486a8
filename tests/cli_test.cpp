// The pgsim command: exit codes, messages and the JSON fields.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "helpers.hpp"

using pgsim::test::source_path;

namespace {
pgsim::test::CommandResult pgsim_cmd(const std::string& args, bool merge_stderr = false) {
  return pgsim::test::run_pgsim(args, merge_stderr);
}
std::string tmp(const std::string& name, const std::string& text) {
  std::string p = std::string(PGSIM_BINARY_DIR_FOR_TESTS) + "/" + name;
  std::ofstream(p) << text;
  return p;
}
}  // namespace

TEST_CASE("pgsim run prints the guest's output and a per-level table", "[cli]") {
  auto r = pgsim_cmd("run --depth 2 " + source_path("examples/guests/hello.s"), true);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("Hello from PG-1!"));
  CHECK_THAT(r.out, Catch::Contains("halted after"));
  CHECK_THAT(r.out, Catch::Contains("L0     vmm"));
  CHECK_THAT(r.out, Catch::Contains("L2     guest"));
}

TEST_CASE("pgsim run --json prints exactly one JSON object with the documented fields", "[cli]") {
  auto r = pgsim_cmd("run --json --depth 3 " + source_path("examples/guests/hello.s"));
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["console"] == "Hello from PG-1!\n");
  CHECK(j["halted"] == true);
  CHECK(j["reason"] == "halted");
  CHECK(j["cycles"].get<std::uint64_t>() > 0);
  CHECK(j["instructions"].get<std::uint64_t>() > 0);
  CHECK(j["real_traps"].get<std::uint64_t>() > 0);
  REQUIRE(j["levels"].size() == 4);
  std::uint64_t traps = 0, cycles = 0;
  for (unsigned k = 0; k < 4; ++k) {
    CHECK(j["levels"][k]["level"] == k);
    CHECK(j["levels"][k]["role"] == (k < 3 ? "vmm" : "guest"));
    traps += j["levels"][k]["traps"].get<std::uint64_t>();
    cycles += j["levels"][k]["cycles"].get<std::uint64_t>();
  }
  CHECK(traps == j["real_traps"].get<std::uint64_t>());
  CHECK(cycles == j["cycles"].get<std::uint64_t>());
}

TEST_CASE("pgsim exit codes: 1 for bad input with a compiler-style message / 2 for usage", "[cli]") {
  auto bad = tmp("bad.s", ".org 16\n  frob r1\n  addi r1, r0, 99999\n");
  auto r = pgsim_cmd("run " + bad, true);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains(bad + ":2:3: error: unknown instruction 'frob'"));
  CHECK_THAT(r.out, Catch::Contains(bad + ":3:16: error: value 99999 is out of range"));
  auto badisa = tmp("bad.isa", "word 32;\nregisters r 8\n");
  r = pgsim_cmd("asm --isa " + badisa + " " + bad, true);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains(badisa + ":3:1: error: expected ';'"));
  CHECK(pgsim_cmd("run").code == 2);
  CHECK(pgsim_cmd("frobnicate").code == 2);
  CHECK(pgsim_cmd("run --depth x foo.s").code == 1);  // a bad value is an input error; see robustness_test
  CHECK(pgsim_cmd("run /nonexistent.s").code == 1);
  CHECK(pgsim_cmd("--help").code == 0);
  CHECK(pgsim_cmd("run --help").code == 0);
}

TEST_CASE("pgsim asm writes an image and a listing - disasm reads it back", "[cli]") {
  auto src = tmp("small.s", ".org 16\nstart: li r1, 3\n        halt\n");
  auto img = std::string(PGSIM_BINARY_DIR_FOR_TESTS) + "/small.img";
  auto r = pgsim_cmd("asm --listing -o " + img + " " + src);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("000010  10100003  addi r1, r0, 3"));
  r = pgsim_cmd("disasm --from 16 " + img);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("addi r1, r0, 3"));
  CHECK_THAT(r.out, Catch::Contains("halt"));
}

TEST_CASE("pgsim run --trace-traps names the level / cause / instruction and handling chain", "[cli]") {
  auto r = pgsim_cmd("run --trace-traps --depth 2 " + source_path("examples/guests/hello.s"), true);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("L2 PRIV"));
  CHECK_THAT(r.out, Catch::Contains("out r"));
  CHECK_THAT(r.out, Catch::Contains("hello.s:"));
  CHECK_THAT(r.out, Catch::Contains("L0 reflects -> L1 emulates"));
  CHECK_THAT(r.out, Catch::Contains("L1 PRIV"));
  CHECK_THAT(r.out, Catch::Contains("L0 emulates"));
}

TEST_CASE("the input option feeds the console and the memory option sizes the guest machine the same at every depth", "[cli]") {
  auto src = tmp("echo.s", ".org 16\nl: in r1\nblt r1, r0, done\nout r1\njmp l\ndone: spsw 100(r0)\nld r2, 103(r0)\nhalt\n");
  auto in = tmp("echo.in", "abc");
  for (int d : {0, 2}) {
    auto r = pgsim_cmd("run --json --memory 2048 --input " + in + " --depth " + std::to_string(d) + " " + src);
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["console"] == "abc");
  }
}

TEST_CASE("the vmm option takes a monitor's name or its source file -- an unknown name lists the monitors", "[cli]") {
  const std::string hello = source_path("examples/guests/hello.s");
  auto by_default = pgsim_cmd("run --json --depth 2 " + hello);
  auto by_name = pgsim_cmd("run --json --depth 2 --vmm trap-and-emulate " + hello);
  auto by_file = pgsim_cmd("run --json --depth 2 --vmm " + source_path("vmm/monitors/pgvmm.s") + " " + hello);
  REQUIRE(by_default.code == 0);
  REQUIRE(by_name.code == 0);
  REQUIRE(by_file.code == 0);
  auto a = nlohmann::json::parse(by_default.out), b = nlohmann::json::parse(by_name.out),
       c = nlohmann::json::parse(by_file.out);
  CHECK(a["console"] == b["console"]);
  CHECK(a["real_traps"] == b["real_traps"]);
  CHECK(b["real_traps"] == c["real_traps"]);
  CHECK(b["cycles"] == c["cycles"]);

  auto bad = pgsim_cmd("run --depth 2 --vmm no-such-monitor " + hello, true);
  CHECK(bad.code == 1);
  CHECK_THAT(bad.out, Catch::Contains("no-such-monitor") && Catch::Contains("trap-and-emulate"));
  CHECK_THAT(pgsim_cmd("run --help").out, Catch::Contains("trap-and-emulate"));
}
