// The `expect` forms of a lesson's steps and their checks: LessonRunner::expect and what it
// measures (the final state of a run to halt, the traps one instruction costs). The rest of the
// runner is in vmm/lesson.cpp; the format is lessons/README.md.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "assembler/assembler.hpp"
#include "vmm/bt_stats.hpp"
#include "vmm/equivalence.hpp"
#include "vmm/lesson.hpp"
#include "vmm/lesson_detail.hpp"

namespace pgsim::vmm {

using detail::checked_number;
using detail::grouped;
using detail::keyvals;
using detail::number;

namespace {

/// `a OP b` for OP one of == != < <= > >=. Throws std::invalid_argument naming the six for any
/// other OP.
bool compare(double a, const std::string& op, double b) {
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  throw std::invalid_argument("unknown comparison '" + op + "' (== != < <= > >=)");
}

}  // namespace

void LessonRunner::need_monitor(unsigned depth) const {
  if (depth > 0 && !vmm_)
    throw std::runtime_error(fmt::format("the monitor does not assemble on {}: nothing can run at depth {} there",
                                         isa_ ? isa_->name : std::string("this ISA"), depth));
}

GuestState LessonRunner::final_state(unsigned depth) {
  need_monitor(depth);
  Stack s(isa_, depth ? vmm_ : nullptr, guest_, depth, memory_);
  std::vector<LevelStats> st;
  s.run(300'000'000ull, st);  // enough for the OS at depth 8; a guest stuck in a loop fails in ~1 s
  return s.guest_state();
}

double LessonRunner::traps_per(const std::string& instruction, unsigned depth, bool exits) {
  auto prog = [&](int n) {
    std::string src = ".org 16\n";
    for (int i = 0; i < n; ++i) src += instruction + "\n";
    return std::make_shared<assembler::Image>(assembler::assemble_text(*isa_, "measure.s", src + "halt\n"));
  };
  need_monitor(depth);
  auto count = [&](std::shared_ptr<const assembler::Image> g) {
    Stack s(isa_, depth ? vmm_ : nullptr, g, depth, 4096);
    std::vector<LevelStats> st;
    constexpr std::uint64_t kLimit = 1'000'000'000;
    if (s.run(kLimit, st) != machine::StopReason::Halted)
      throw std::runtime_error(fmt::format("the measurement program (64 times `{}`, then halt) did not halt within the "
                                           "limit of {} cycles at depth {} (it {})",
                                           instruction, grouped(kLimit), depth, s.stop_description()));
    return static_cast<double>(exits ? s.machine().vm_exits() : s.machine().traps());
  };
  return (count(prog(64)) - count(prog(0))) / 64.0;
}

std::string LessonRunner::expect(const std::string& where, const std::vector<std::string>& t) {
  // The expectation as written (a word with a newline or tab shown quoted, with escapes).
  auto shown = [](const std::string& w) {
    return w.find_first_of("\n\t") == std::string::npos ? w : fmt::format("{:?}", w);
  };
  auto joined = [&] {
    std::string text;
    for (std::size_t i = 1; i < t.size(); ++i) {
      if (i > 1) text += ' ';
      text += shown(t[i]);
    }
    return text;
  };
  auto fail = [&](const std::string& got) {
    throw LessonFailure(where, fmt::format("expectation failed: {} (got {})", joined(), got));
  };
  auto ok = [&] { return "  ✓ " + joined() + "\n"; };
  if (t.size() < 2) throw LessonFailure(where, "expect what?");
  const std::string& what = t[1];
  // Every form has a fixed number of words: anything extra is a mistake, not a comment.
  auto words = [&](std::size_t n) {
    if (t.size() != n) throw LessonFailure(where, fmt::format("`expect {}` takes {} words here, not {} (see lessons/README.md)",
                                                             what, n - 1, t.size() - 1));
  };
  // The theorems and the classifier need only an ISA.
  if (what == "theorem1" || what == "theorem2" || what == "theorem3") {
    words(3);
    if (t[2] != "holds" && t[2] != "fails" && t[2] != "proved" && t[2] != "tested")
      throw LessonFailure(where, "expect theoremN holds|fails|proved|tested");
    if (!isa_) throw LessonFailure(where, "no machine yet: `setup` first");
    const auto& a = analysis();
    const auto& v = what == "theorem1" ? a.theorem1 : what == "theorem2" ? a.theorem2 : a.theorem3;
    if (t[2] == "proved" || t[2] == "tested") {
      // Whether the verdict rests on proofs (setup check=proved) or on tested states.
      if (v.proved != (t[2] == "proved"))
        fail(v.proved ? "it was proved" : prove_ ? "it was tested: the prover did not decide every row (pgsim check --prove says why)"
                                               : "it was tested: classify with proofs by `setup ... check=proved`");
      return ok();
    }
    bool want = t[2] == "holds";
    if (v.holds != want) fail(v.holds ? "it holds" : "it fails");
    return ok();
  }
  if (what == "theorem1-violations") {
    // expect theorem1-violations == a,b,c: the mnemonics of the instructions that break
    // Theorem 1 (rows split by value count once), as a set. For a list exercise ($WORDS) the
    // message says which named ones are wrong and how many are missing, never which.
    words(4);
    if (t[2] != "==") throw LessonFailure(where, "the form is `expect theorem1-violations == NAME,NAME,...`");
    if (!isa_) throw LessonFailure(where, "no machine yet: `setup` first");
    const auto& a = analysis();
    std::set<std::string> want, got;
    for (const auto& v : a.theorem1.violations) want.insert(v.substr(0, v.find('[')));
    std::istringstream in(t[3]);
    for (std::string w; std::getline(in, w, ',');)
      if (!w.empty()) got.insert(w);
    if (got.empty()) fail("your answer names no instruction: write the mnemonics, one per line");
    std::vector<std::string> wrong;
    std::size_t right = 0;
    for (const auto& g : got) {
      if (want.count(g)) { ++right; continue; }
      int i = isa_->find_instruction(g);
      if (i < 0) {
        wrong.push_back(fmt::format("'{}' is not an instruction of {} (write the mnemonics that pgsim check prints)",
                                    g, isa_->name));
        continue;
      }
      bool privileged = false;
      for (const auto& c : a.instructions)
        if (c.mnemonic == g && c.privileged) privileged = true;
      wrong.push_back(fmt::format("{} does not break Theorem 1: it is {}", g,
                                  privileged ? "privileged (it traps wherever a VMM runs guest code)" : "innocuous"));
    }
    if (!wrong.empty() || right != want.size()) {
      std::string msg = fmt::format("{} of your {} are right", right, got.size());
      if (right < want.size()) msg += fmt::format("; {} more break Theorem 1 (look for BREAKS in the table)", want.size() - right);
      for (const auto& w : wrong) msg += "; " + w;
      fail(msg);
    }
    return ok();
  }
  if (what == "check") {
    words(4);
    if (!isa_) throw LessonFailure(where, "no machine yet: `setup` first");
    const auto& a = analysis();
    // A row by its name as pgsim check prints it (`csrrw[csr=0x180]`), or by its mnemonic when
    // the instruction has one row.
    auto it = std::find_if(a.instructions.begin(), a.instructions.end(), [&](auto& c) { return c.name() == t[2]; });
    if (it == a.instructions.end()) {
      std::vector<std::string> rows;
      for (const auto& c : a.instructions)
        if (c.mnemonic == t[2]) rows.push_back(c.name());
      if (rows.empty()) fail("no instruction " + t[2]);
      if (rows.size() > 1)
        throw LessonFailure(where, fmt::format("{} is split by the value of a field into {} rows: name one as pgsim check "
                                               "prints it ({})",
                                               t[2], rows.size(), fmt::join(rows, ", ")));
      it = std::find_if(a.instructions.begin(), a.instructions.end(), [&](auto& c) { return c.mnemonic == t[2]; });
    }
    std::string prop = t[3];
    if (prop == "proved" || prop == "tested") {
      // Every property of the row proved by Z3 (setup check=proved), or some of them only tested.
      if (it->proved.all() != (prop == "proved")) {
        std::string why;
        for (const auto& n : it->notes) why += "; " + n;
        fail(it->proved.all() ? "every property was proved"
                              : (prove_ ? "some properties were only tested" + why
                                        : std::string("it was tested: classify with proofs by `setup ... check=proved`")));
      }
      return ok();
    }
    bool neg = prop.rfind("not-", 0) == 0;
    if (neg) prop = prop.substr(4);
    bool v;
    if (prop == "privileged") v = it->privileged;
    else if (prop == "control-sensitive") v = it->control_sensitive;
    else if (prop == "location-sensitive") v = it->location_sensitive;
    else if (prop == "mode-sensitive") v = it->mode_sensitive;
    else if (prop == "behavior-sensitive") v = it->location_sensitive || it->mode_sensitive;
    else if (prop == "sensitive") v = it->sensitive();
    else if (prop == "user-sensitive") v = it->user_sensitive;
    else if (prop == "owned-sensitive") v = it->owned_sensitive;
    else if (prop == "trap-mode-sensitive") v = it->trap_mode_sensitive;
    else if (prop == "timing-source") v = it->timing_source;
    else if (prop == "innocuous") v = !it->sensitive();
    else throw LessonFailure(where, "unknown property '" + t[3] + "'");
    if (v == neg) fail(fmt::format("{} is {}{}", t[2], v ? "" : "not ", prop));
    return ok();
  }
  if (!session_) throw LessonFailure(where, "no machine yet: `setup` first");
  const auto& m = session_->machine();
  if (what == "halted") {
    words(2);
    if (!m.halted()) fail(session_->stack().stop_description());
    return ok();
  }
  if (what == "stop-reason") {
    // expect stop-reason == "timer livelock" / != "halted": the short reason of Stack::stop_reason()
    words(4);
    if (t[2] != "==" && t[2] != "!=")
      throw LessonFailure(where, "the form is `expect stop-reason == \"REASON\"` or `!= \"REASON\"` (halted, trap storm, "
                                 "timer livelock, running)");
    std::string reason = session_->stopped() ? session_->stack().stop_reason() : std::string("running");
    if ((t[2] == "==") != (reason == t[3]))
      fail(session_->stack().livelock() ? session_->stack().livelock()->message() : fmt::format("{:?}", reason));
    return ok();
  }
  if (what == "livelock") {
    // expect livelock FIELD OP N: the diagnosed timer livelock's level, period, tick-cycles,
    // resume-cycles or ticks (vmm/livelock.hpp).
    words(5);
    const auto& l = session_->stack().livelock();
    if (!l) fail(fmt::format("no timer livelock (the machine: {})", session_->stopped() ? session_->stack().stop_reason()
                                                                                        : std::string("running")));
    const std::string& f = t[2];
    double val;
    if (f == "level") val = l->level;
    else if (f == "period") val = l->period;
    else if (f == "tick-cycles") val = static_cast<double>(l->tick_cycles);
    else if (f == "resume-cycles") val = static_cast<double>(l->resume_cycles);
    else if (f == "ticks") val = l->ticks;
    else throw LessonFailure(where, "unknown livelock field '" + f + "' (level, period, tick-cycles, resume-cycles, ticks)");
    last_value_ = val;
    if (!compare(val, t[3], number(t[4]))) fail(fmt::format("{}", val));
    return ok();
  }
  if (what == "console") {
    words(4);
    const auto& out = m.console_output();
    bool has = out.find(t[3]) != std::string::npos;
    bool v;
    if (t[2] == "contains") v = has;
    else if (t[2] == "not-contains") v = !has;
    else if (t[2] == "==") v = out == t[3];
    else if (t[2] == "!=") v = out != t[3];
    else throw LessonFailure(where, "expect console contains|not-contains|==|!= \"text\"");
    if (!v) fail(fmt::format("{:?}", out));
    return ok();
  }
  if ((what == "equivalent" || what == "diverges")) {
    if (t.size() > 3 || (t.size() == 3 && t[2].rfind("depth=", 0) != 0)) words(2);
    auto kv = keyvals(t, 2);
    unsigned depth = kv.count("depth") ? static_cast<unsigned>(checked_number(where, "depth", kv["depth"], 0, kMaxDepth))
                                       : session_->stack().depth();
    GuestState bare = final_state(0), virt = final_state(depth);
    bool same = bare == virt;
    if (same != (what == "equivalent")) {
      if (same) fail("the same final state");
      std::string first, list;
      for (const auto& d : guest_state_differences(bare, virt, *isa_, first)) list += (list.empty() ? "" : ", ") + d;
      std::string got = fmt::format("a different final state at depth {}: {} differ{}", depth, list,
                                    first.empty() ? "" : " (first word: " + first + ")");
      auto clip = [](const std::string& c) { return c.size() > 300 ? c.substr(c.size() - 300) : c; };
      if (bare.console != virt.console)
        got += fmt::format(";\n  console on the bare machine: {:?}\n  console at depth {}: {:?}\n", clip(bare.console), depth,
                           clip(virt.console));
      fail(got);
    }
    return ok();
  }
  if (what == "traps-per" || what == "exits-per") {
    words(6);
    auto kv = keyvals(t, 3);
    unsigned depth = kv.count("depth") ? static_cast<unsigned>(checked_number(where, "depth", kv["depth"], 0, kMaxDepth))
                                       : session_->stack().depth();
    double v = traps_per(t[2], depth, what == "exits-per");
    last_value_ = v;
    std::size_t opi = t.size() - 2;
    if (!compare(v, t[opi], number(t[opi + 1]))) fail(fmt::format("{}", v));
    return ok();
  }

  // expect running-level == K / real-traps OP N / cycles OP N / instructions OP N
  auto num_check = [&](double v, std::size_t opi) {
    last_value_ = v;
    if (!compare(v, t[opi], number(t[opi + 1]))) fail(fmt::format("{}", v));
    return ok();
  };
  if (what == "running-level" || what == "real-traps" || what == "cycles" || what == "instructions") words(4);
  if (what == "running-level") return num_check(session_->running_level(), 2);
  if (what == "real-traps") return num_check(static_cast<double>(m.traps()), 2);
  if (what == "cycles") return num_check(static_cast<double>(m.cycles()), 2);
  if (what == "instructions") return num_check(static_cast<double>(m.instructions()), 2);
  if (what == "vm-exits") {
    words(4);
    return num_check(static_cast<double>(m.vm_exits()), 2);
  }
  if (what == "level-exits") {
    words(5);
    auto k = static_cast<unsigned>(checked_number(where, "the level", t[2], 0, session_->stack().depth()));
    return num_check(static_cast<double>(session_->stats()[k].exits), 3);
  }
  if (what == "tc") {
    // expect tc FIELD OP N: a counter of the bt monitor right below the guest (vmm/bt_stats.hpp)
    words(5);
    const auto& st = session_->stack();
    auto s = st.depth() ? read_bt_stats(st, st.depth() - 1) : std::nullopt;
    if (!s) throw LessonFailure(where, "expect tc: the monitor is not bt (setup ... depth=1 vmm=bt)");
    const std::string& f = t[2];
    double val;
    if (f == "tus") val = static_cast<double>(s->tus);
    else if (f == "translated") val = static_cast<double>(s->translated);
    else if (f == "ident") val = static_cast<double>(s->ident);
    else if (f == "non-ident") val = static_cast<double>(s->non_ident);
    else if (f == "ccf-words") val = static_cast<double>(s->ccf_words);
    else if (f == "hits") val = static_cast<double>(s->hits);
    else if (f == "misses") val = static_cast<double>(s->misses);
    else if (f == "exits") val = static_cast<double>(s->exits);
    else if (f == "chains") val = static_cast<double>(s->chains);
    else if (f == "callouts") val = static_cast<double>(s->callouts);
    else if (f == "invalidations") val = static_cast<double>(s->invalidations);
    else
      throw LessonFailure(where, fmt::format("unknown field '{}' (tus, translated, ident, non-ident, ccf-words, hits, "
                                             "misses, exits, chains, callouts, invalidations)",
                                             f));
    return num_check(val, 3);
  }
  if (what == "level-traps") {
    words(5);
    auto k = static_cast<unsigned>(checked_number(where, "the level", t[2], 0, session_->stack().depth()));
    return num_check(static_cast<double>(session_->stats()[k].traps), 3);
  }
  if (what == "level") {
    words(6);
    auto k = static_cast<unsigned>(checked_number(where, "the level", t[2], 0, session_->stack().depth()));
    auto v = session_->view(k);
    const std::string& f = t[3];
    double val;
    if (f == "mode") val = v.mode;
    else if (f == "pc") val = v.pc;
    else if (f == "base") val = v.base;
    else if (f == "bound") val = v.bound;
    else if (f == "ie") val = v.ie;
    else if (int r = isa_->find_register(f); r >= 0) val = v.regs[static_cast<std::size_t>(r)];
    else throw LessonFailure(where, "unknown field '" + f + "' (mode, pc, base, bound, ie, a register)");
    return num_check(val, 4);
  }
  if (what == "last-trap") {
    words(5);
    if (session_->traps().empty()) fail("no trap yet");
    const auto& tr = session_->traps().back();
    const std::string& f = t[2];
    if (f == "cause") {
      std::string name = isa_->cause_name(tr.cause);
      if ((t[3] == "==") != (name == t[4])) fail(name);
      return ok();
    }
    if (f == "chain") {
      std::string chain = session_->stack().describe_chain(tr.level, tr.chain);
      if ((t[3] == "==") != (chain == t[4])) fail(fmt::format("{:?}", chain));
      return ok();
    }
    if (f == "level") return num_check(tr.level, 3);
    if (f == "info") return num_check(tr.info, 3);
    throw LessonFailure(where, "unknown last-trap field '" + f + "' (cause, chain, level, info)");
  }
  throw LessonFailure(where, "unknown expectation '" + what + "' (see lessons/README.md)");
}

}  // namespace pgsim::vmm
