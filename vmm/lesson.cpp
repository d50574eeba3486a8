// Lessons read and run: parse_lesson/load_lessons read a lesson's prose, steps and exercises;
// LessonRunner carries out the steps (setup, run, show, …) and checks the exercises with the
// student's file, the solution or a given answer. The `expect` forms and their checks are in
// vmm/lesson_expect.cpp; the helpers both use in vmm/lesson_detail.hpp.
#include "vmm/lesson.hpp"

#include "vmm/bt_stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <utility>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "assembler/assembler.hpp"
#include "isa/disasm.hpp"
#include "isa/loader.hpp"
#include "vmm/data_files.hpp"
#include "vmm/lesson_detail.hpp"
#include "vmm/monitor_catalog.hpp"
#include "vmm/witness_report.hpp"

namespace pgsim::vmm {
namespace fs = std::filesystem;
using detail::checked_number;
using detail::grouped;
using detail::keyvals;
using detail::number;

Lesson parse_lesson(const std::string& path, const std::string& text) {
  Lesson l;
  l.path = path;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  LessonPart prose;
  bool instructor = false;
  auto flush = [&] {
    if (!prose.text.empty()) l.parts.push_back(prose);
    prose = LessonPart{};
    prose.line = n + 1;
  };
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (n == 1 && line.rfind("# ", 0) == 0) {
      l.title = line.substr(2);
      std::smatch m;
      if (std::regex_search(l.title, m, std::regex(R"(Lesson\s+(\d+))")))
        l.number = static_cast<int>(
            checked_number(fmt::format("{}:1", path), "the lesson number", m[1], 1, kMaxLessonNumber));
      continue;
    }
    if (line.rfind("## For the instructor", 0) == 0) {
      flush();
      instructor = true;
    }
    if (instructor) {
      l.instructor += line + "\n";
      l.instructor_path = path;
      continue;
    }
    bool step = line.rfind("```pgsim", 0) == 0;
    if (!step) {
      prose.text += line + "\n";
      continue;
    }
    flush();
    LessonPart p;
    p.kind = line.rfind("```pgsim-exercise", 0) == 0 ? LessonPart::Exercise : LessonPart::Step;
    p.line = n;
    bool closed = false;
    while (std::getline(in, line)) {
      ++n;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.rfind("```", 0) == 0) {
        closed = true;
        break;
      }
      std::string t = line;
      bool quoted = false;
      for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '"') quoted = !quoted;
        if (t[i] == '#' && !quoted) {
          t.resize(i);
          break;
        }
      }
      auto b = t.find_first_not_of(" \t");
      if (b == std::string::npos) continue;
      t = t.substr(b);
      while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
      if (p.kind == LessonPart::Exercise && t.rfind("file=", 0) == 0) {
        std::istringstream ws(t);
        std::string kv;
        while (ws >> kv) {
          if (kv.rfind("file=", 0) == 0) p.file = kv.substr(5);
          if (kv.rfind("solution=", 0) == 0) p.solution = kv.substr(9);
        }
        continue;
      }
      if (p.kind == LessonPart::Exercise && t.rfind("task:", 0) == 0) {
        p.text += t.substr(5) + "\n";
        continue;
      }
      p.commands.push_back({t, n});
    }
    if (!closed)
      throw LessonFailure(fmt::format("{}:{}", path, p.line),
                          "error: this step block is never closed: end it with a line ``` (three backquotes)");
    l.parts.push_back(p);
    prose.line = n + 1;
  }
  flush();
  if (l.number == 0) {
    std::string base = fs::path(path).filename().string();
    std::size_t d = 0;
    while (d < base.size() && std::isdigit(static_cast<unsigned char>(base[d]))) ++d;
    if (d > 0)
      l.number = static_cast<int>(checked_number(fmt::format("{}:1", path), "the lesson number (from the file name)",
                                                 base.substr(0, d), 1, kMaxLessonNumber));
  }
  return l;
}

std::vector<Lesson> load_lessons(const std::string& dir) {
  std::vector<Lesson> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (e.path().extension() != ".md" || name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::ifstream in(e.path());
    if (!in) throw std::runtime_error("cannot read " + e.path().string());
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(parse_lesson(e.path().string(), ss.str()));
    // The instructor's notes live apart from what students read.
    fs::path notes = fs::path(dir) / "instructor" / e.path().filename();
    if (std::ifstream ni(notes); ni) {
      std::stringstream ns;
      ns << ni.rdbuf();
      out.back().instructor += ns.str();
      out.back().instructor_path = notes.string();
    }
  }
  std::sort(out.begin(), out.end(), [](const Lesson& a, const Lesson& b) { return a.number < b.number; });
  return out;
}

namespace {

std::vector<std::string> tokens(const std::string& s) {
  std::vector<std::string> t;
  std::string cur;
  bool q = false, had = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (q && c == '\\' && i + 1 < s.size()) {
      char e = s[++i];
      cur += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      continue;
    }
    if (c == '"') { q = !q; had = true; continue; }
    if (!q && (c == ' ' || c == '\t')) {
      if (!cur.empty() || had) t.push_back(cur);
      cur.clear();
      had = false;
      continue;
    }
    cur += c;
  }
  if (!cur.empty() || had) t.push_back(cur);
  return t;
}

}  // namespace

LessonRunner::LessonRunner(std::string root, bool solutions) : root_(std::move(root)), solutions_(solutions) {}

std::string LessonRunner::path(const std::string& rel) const {
  fs::path p(rel);
  return p.is_absolute() ? rel : (fs::path(root_) / p).string();
}

std::string LessonRunner::monitor_path(const std::string& name_or_file) const {
  // A catalog name ("trap-and-emulate", the default "") is the monitor in this lesson root's
  // vmm/monitors/, so that a lesson runs the monitors shipped beside it; anything else is a file.
  const MonitorInfo* m = name_or_file.empty() ? &monitor_catalog().front() : find_monitor_info(name_or_file);
  return m ? path("vmm/monitors/" + m->file) : path(name_or_file);
}

const Analysis& LessonRunner::analysis() {
  if (!analysis_) {
    ClassifierOptions o;
    o.prove = prove_ ? ClassifierOptions::Prove::On : ClassifierOptions::Prove::Off;
    analysis_ = classify(isa_, o);
  }
  return *analysis_;
}

namespace {

/// Every word of `file` outside comment lines (# …), lower case: a list exercise's answer.
std::vector<std::string> answer_words(const std::string& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    std::istringstream ws(line.substr(b));
    for (std::string w; ws >> w;) {
      for (auto& ch : w) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      while (!w.empty() && (w.back() == ',' || w.back() == ';')) w.pop_back();
      if (!w.empty()) out.push_back(w);
    }
  }
  return out;
}

/// The first word of `file` that is not on a comment line (# …): a prediction's number.
std::string first_word(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    std::istringstream ws(line.substr(b));
    std::string w;
    ws >> w;
    return w;
  }
  return {};
}

}  // namespace

std::string graded_hint(double predicted, double actual) {
  if (predicted == actual) return "right";
  const char* dir = predicted > actual ? "too high" : "too low";
  if (predicted <= 0 || actual <= 0) return dir;
  double f = predicted > actual ? predicted / actual : actual / predicted;
  if (f >= 10) return fmt::format("{} by more than a factor of 10", dir);
  if (f >= 1.5) return fmt::format("{} by a factor of about {}", dir, static_cast<long long>(f + 0.5));
  if (f >= 1.2) return fmt::format("{}, by less than a factor of 1.5", dir);
  return fmt::format("{}, but close (less than 20% off)", dir);
}

std::string LessonRunner::run_part(const Lesson& lesson, const LessonPart& part) {
  std::string out;
  std::string hint;                                 // for the next expectation (`hint "…"`)
  std::map<std::string, std::string> hint_for;      // prediction exercises: answer -> hint
  for (const auto& c : part.commands) {
    std::string where = fmt::format("{}:{}", lesson.path, c.line);
    std::string cmd = c.text;
    auto fail_with = [&](LessonFailure g) {
      g.output = out;
      throw g;
    };
    {
      auto t = tokens(cmd);
      if (!t.empty() && t[0] == "hint") {
        if (t.size() != 2) fail_with(LessonFailure(where, "error: the form is `hint \"text\"` (for the next expectation)"));
        hint = t[1];
        continue;
      }
      if (!t.empty() && t[0] == "hint-for") {
        if (t.size() != 3)
          fail_with(LessonFailure(where, "error: the form is `hint-for ANSWER \"text\"` (a wrong prediction's hint)"));
        hint_for[t[1]] = t[2];
        continue;
      }
    }
    std::string answer;  // the number a prediction exercise's file holds
    std::string answer_file;  // a list exercise's answer file (for its messages)
    if (part.kind == LessonPart::Exercise) {
      std::string f = !answer_.empty()                          ? answer_
                      : solutions_ && !part.solution.empty()     ? path(part.solution)
                                                                 : exercise_file(root_, part.file).path;
      for (std::size_t at; (at = cmd.find("$FILE")) != std::string::npos;) cmd.replace(at, 5, f);
      if (cmd.find("$WORDS") != std::string::npos) {
        // A list exercise: every word of the answer (comment lines left out), comma-joined.
        std::string list;
        for (const auto& w : answer_words(f)) list += (list.empty() ? "" : ",") + w;
        for (std::size_t at; (at = cmd.find("$WORDS")) != std::string::npos;) cmd.replace(at, 6, list.empty() ? "," : list);
        answer_file = answer_.empty() ? part.file : answer_;
      }
      if (cmd.find("$NUMBER") != std::string::npos) {
        answer = first_word(f);
        for (std::size_t at; (at = cmd.find("$NUMBER")) != std::string::npos;) cmd.replace(at, 7, answer.empty() ? "?" : answer);
      }
    }
    bool expectation = cmd.rfind("expect", 0) == 0;
    std::string this_hint = expectation ? std::exchange(hint, std::string()) : std::string();
    auto with_hint = [&](const std::string& msg) { return this_hint.empty() ? msg : msg + "\n  hint: " + this_hint; };
    try {
      last_value_.reset();
      out += exec(where, cmd, part);
    } catch (const std::exception& e) {
      if (c.text.find("$NUMBER") != std::string::npos) {
        // A prediction exercise: a graded hint (how far off, and the lesson's hint for this
        // answer), never the answer itself.
        double predicted = 0;
        bool is_number = true;
        try {
          predicted = number(answer);
        } catch (const std::exception&) {
          is_number = false;
        }
        std::string file = answer_.empty() ? part.file : answer_;
        if (!is_number)
          fail_with(LessonFailure(where, fmt::format("your answer ('{}') is not a number: write only the number in {}, "
                                                     "then Check", answer.empty() ? "an empty file" : answer, file)));
        if (!last_value_) fail_with(LessonFailure(where, fmt::format("`{}`: {}", cmd, e.what())));
        std::string msg = fmt::format("your answer ({}) is not right yet: it is {}.", answer,
                                      graded_hint(predicted, *last_value_));
        auto h = hint_for.find(answer);
        if (h != hint_for.end()) msg += "\n  hint: " + h->second;
        else if (!this_hint.empty()) msg += "\n  hint: " + this_hint;
        fail_with(LessonFailure(where, msg + fmt::format("\n  Think again, edit {}, Check.", file)));
      }
      if (const auto* f = dynamic_cast<const LessonFailure*>(&e)) {
        LessonFailure g(*f);
        if (!this_hint.empty()) g = LessonFailure(where, with_hint(std::string(f->what()).substr(where.size() + 2)));
        fail_with(g);
      }
      if (const auto* ie = dynamic_cast<const InputError*>(&e))
        fail_with(LessonFailure(where, fmt::format("`{}`: the input has errors:\n{}", cmd, ie->what())));
      fail_with(LessonFailure(where, with_hint(fmt::format("`{}`: {}", cmd, e.what()))));
    }
  }
  return out;
}

std::string LessonRunner::exec(const std::string& where, const std::string& cmd, const LessonPart&) {
  auto t = tokens(cmd);
  if (t.empty()) return {};
  const std::string& verb = t[0];
  auto need_session = [&] {
    if (!session_) throw LessonFailure(where, "no machine yet: a step must begin with `setup`");
  };
  if (verb == "setup") {
    setup_.clear();
    for (std::size_t i = 1; i < t.size(); ++i) {
      auto eq = t[i].find('=');
      std::string key = eq == std::string::npos ? t[i] : t[i].substr(0, eq);
      if (eq == std::string::npos || (key != "isa" && key != "program" && key != "depth" && key != "memory" &&
                                      key != "vmm" && key != "check"))
        throw LessonFailure(where, fmt::format("error: setup takes KEY=VALUE words (isa=, program=, depth=, memory=, vmm=, "
                                               "check=), not '{}'",
                                               t[i]));
      setup_[key] = t[i].substr(eq + 1);
    }
    std::string program = path(setup_.count("program") ? setup_["program"] : "examples/os/tinyos.s");
    depth_ = setup_.count("depth") ? static_cast<unsigned>(checked_number(where, "depth", setup_["depth"], 0, kMaxDepth)) : 0;
    // Without isa=, a monitor that needs hardware of its own (vmm=assist) runs on its ISA.
    std::string own_isa = isa_for_monitor("", setup_.count("vmm") ? setup_["vmm"] : "", depth_);
    std::string isa_path = path(setup_.count("isa")    ? setup_["isa"]
                                : !own_isa.empty()     ? "examples/isa/" + own_isa + ".isa"
                                                       : "examples/isa/pg1.isa");
    memory_ = setup_.count("memory")
                  ? static_cast<isa::Word>(checked_number(where, "memory", setup_["memory"], 32, 1u << 26))
                  : 0;
    // check=tested (the default) classifies by testing; check=proved asks Z3 too (the ISA's
    // classification then rests on proofs where the prover decides: vmm/classifier.hpp).
    std::string check = setup_.count("check") ? setup_["check"] : "tested";
    if (check != "tested" && check != "proved")
      throw LessonFailure(where, fmt::format("error: check={} is not a way to classify: write check=tested or check=proved",
                                             check));
    prove_ = check == "proved";
    session_.reset();
    isa_ = isa::load_isa(isa_path);
    analysis_.reset();
    guest_ = std::make_shared<assembler::Image>(assembler::assemble_file(*isa_, program));
    // At depth 0 the monitor is needed only by later `expect equivalent depth=N`; a real
    // machine's model (examples/isa/real/) that the monitor is not written for is still set up,
    // for its classification.
    vmm_.reset();
    try {
      vmm_ = std::make_shared<assembler::Image>(
          assembler::assemble_file(*isa_, monitor_path(setup_.count("vmm") ? setup_["vmm"] : "")));
    } catch (const InputError&) {
      if (depth_ > 0) throw;
    }
    session_ = std::make_shared<Session>(isa_, depth_ ? vmm_ : nullptr, guest_, depth_, memory_);
    return fmt::format("setup: {} on {} at depth {}\n", fs::path(program).filename().string(), isa_->name, depth_);
  }
  if (verb == "run") {
    need_session();
    if (t.size() < 2) throw LessonFailure(where, "error: run what? (to-trap, to-level K, to-line FILE:LINE, steps N, to-halt)");
    auto kv = keyvals(t, 2);
    const std::uint64_t steps0 = session_->steps(), cycles0 = session_->machine().cycles();
    auto cycles_used = [&] { return session_->machine().cycles() - cycles0; };
    auto at_limit = [&](const char* what, unsigned long long limit) {
      return LessonFailure(where, fmt::format("`{}`: stopped at the limit of {} {} per run command, not there yet "
                                              "(is the guest in a loop? the limits: lessons/README.md)",
                                              cmd, grouped(limit), what));
    };
    // Runs `go(max_steps)` (true: got there) in pieces, within both limits of a run command.
    auto bounded = [&](const std::function<bool(std::uint64_t)>& go) {
      while (true) {
        std::uint64_t used = session_->steps() - steps0;
        if (go(std::min<std::uint64_t>(1'000'000, step_limit_ > used ? step_limit_ - used : 1))) return true;
        if (session_->stopped()) return false;
        if (session_->steps() - steps0 >= step_limit_) throw at_limit("steps", step_limit_);
        if (cycles_used() >= cycle_limit_) throw at_limit("cycles", cycle_limit_);
      }
    };
    auto words = [&](std::size_t n, const char* form) {
      if (t.size() != n) throw LessonFailure(where, fmt::format("error: `{}`: the form is `{}`", cmd, form));
    };
    bool hit = true;
    if (t[1] == "to-trap") {
      std::optional<isa::Word> cause;
      std::optional<unsigned> level;
      for (std::size_t i = 2; i < t.size(); ++i)
        if (t[i].rfind("cause=", 0) != 0 && t[i].rfind("level=", 0) != 0)
          throw LessonFailure(where, fmt::format("error: `{}`: the form is `run to-trap [cause=NAME] [level=K]`", cmd));
      if (kv.count("cause")) {
        auto it = isa_->constants.find(kv["cause"]);
        if (it == isa_->constants.end()) throw LessonFailure(where, "error: unknown cause '" + kv["cause"] + "'");
        cause = it->second;
      }
      if (kv.count("level"))
        level = static_cast<unsigned>(checked_number(where, "level", kv["level"], 0, session_->stack().depth()));
      hit = bounded([&](std::uint64_t n) { return session_->run_to_next_trap(cause, level, n); });
    } else if (t[1] == "to-level") {
      words(3, "run to-level K");
      auto k = static_cast<unsigned>(checked_number(where, "level", t[2], 0, session_->stack().depth()));
      hit = bounded([&](std::uint64_t n) { return session_->step_in_level(k, n); });
    } else if (t[1] == "to-line") {
      words(3, "run to-line FILE:LINE");
      auto colon = t[2].rfind(':');
      if (colon == std::string::npos || colon == 0)
        throw LessonFailure(where, fmt::format("error: `{}`: expected FILE:LINE after to-line, e.g. "
                                               "lessons/programs/01-trap.s:12",
                                               cmd));
      int line = static_cast<int>(checked_number(where, "the line number", t[2].substr(colon + 1), 1, 10'000'000));
      auto addrs = session_->addresses_of_line(path(t[2].substr(0, colon)), line);
      if (addrs.empty()) throw LessonFailure(where, "error: no code on " + t[2]);
      std::set<isa::Word> at(addrs.begin(), addrs.end());
      const auto& m = session_->machine();
      // About to execute the line's code (after at least one step, as the GUI's Run).
      hit = bounded([&](std::uint64_t n) {
        return session_->run_until([&](const machine::Event&) { return at.count(m.base() + m.pc()) > 0; }, n);
      });
    } else if (t[1] == "steps") {
      words(3, "run steps N");
      std::uint64_t n = checked_number(where, "the number of steps", t[2], 1, step_limit_);
      if (session_->run_until([&](const machine::Event&) { return cycles_used() >= cycle_limit_; }, n))
        throw at_limit("cycles", cycle_limit_);
    } else if (t[1] == "to-halt") {
      words(2, "run to-halt");
      bounded([&](std::uint64_t n) { return session_->run_until([](const machine::Event&) { return false; }, n); });
    } else {
      throw LessonFailure(where, "error: unknown run '" + t[1] + "' (to-trap, to-level K, to-line FILE:LINE, steps N, to-halt)");
    }
    if (!hit) throw LessonFailure(where, fmt::format("`{}`: never got there (the machine stopped: {})", cmd,
                                                    session_->stack().stop_description()));
    if (session_->stack().livelock())
      return fmt::format("{}: stopped at step {}, cycle {}: {}\n", cmd, session_->steps(), session_->machine().cycles(),
                         session_->stack().livelock()->message());
    return fmt::format("{}: now at step {}, cycle {}, L{} running\n", cmd, session_->steps(),
                       session_->machine().cycles(), session_->running_level());
  }
  if (verb == "step-over-trap") {
    need_session();
    session_->step_over_trap();
    return fmt::format("step over trap: L{} running\n", session_->running_level());
  }
  if (verb == "finish-trap") {
    need_session();
    auto k = session_->trap_in_progress();
    if (!k) throw LessonFailure(where, "`finish-trap`: no trap in progress (every trap has been resumed from)");
    if (!session_->finish_trap(step_limit_))
      throw LessonFailure(where, fmt::format("`finish-trap`: L{} never ran again (the machine stopped: {})", *k,
                                             session_->stack().stop_description()));
    return fmt::format("finish trap: L{} about to run again\n", *k);
  }
  if (verb == "step-back") {
    need_session();
    session_->step_back(t.size() > 1 ? checked_number(where, "the number of steps back", t[1], 1, step_limit_) : 1);
    return fmt::format("step back: at step {}\n", session_->steps());
  }
  if (verb == "input") {
    need_session();
    for (std::size_t i = 1; i < t.size(); ++i)
      for (unsigned char ch : t[i]) session_->push_input(ch);
    return {};
  }
  if (verb == "show") {
    need_session();
    std::string what = t.size() > 1 ? t[1] : "levels";
    std::string out;
    if (what == "levels") {
      for (unsigned k = 0; k <= session_->stack().depth(); ++k) {
        auto v = session_->view(k);
        out += fmt::format("  L{} {}{}: M={} P={} R=({}, {}) ie={}  at {} {}\n", k, v.vmm ? "VMM" : "guest",
                           v.running ? " (running)" : "", v.mode ? "user" : "supervisor", v.pc, v.base, v.bound, v.ie,
                           v.instruction, v.where);
        if (!v.state_description.empty()) out += fmt::format("     {}\n", v.state_description);
      }
    } else if (what == "trap") {
      if (session_->traps().empty()) return "  no trap yet\n";
      const auto& tr = session_->traps().back();
      auto at = session_->stack().code_at(tr.real_pc);
      out = fmt::format("  last trap: L{} {} info={} at {} ({}); {}\n", tr.level, isa_->cause_name(tr.cause), tr.info,
                        tr.interrupt ? "interrupt" : isa::disassemble(*isa_, tr.word, at.address),
                        at.image ? at.image->where(at.address) : "", session_->stack().describe_chain(tr.level, tr.chain));
    } else if (what == "console") {
      out = "  console: " + session_->machine().console_output() + "\n";
    } else if (what == "check") {
      const auto& a = analysis();
      for (const auto& c : a.instructions)
        if (c.sensitive() || c.privileged || c.timing_source)
          out += fmt::format("  {:<7} privileged={} control={} location={} mode={} user={} timing={}{}\n", c.name(),
                             c.privileged, c.control_sensitive, c.location_sensitive, c.mode_sensitive,
                             c.user_sensitive, c.timing_source, c.proved.all() ? " (proved)" : "");
      auto verdict = [](const TheoremVerdict& v) {
        return fmt::format("{}{}", v.holds ? "holds" : "fails", v.proved ? " (proved)" : "");
      };
      out += fmt::format("  Theorem 1 {}, Theorem 2 {}, Theorem 3 {}\n", verdict(a.theorem1), verdict(a.theorem2),
                         verdict(a.theorem3));
      for (const auto& c : a.instructions)
        if (c.sensitive() && !c.privileged)
          if (const auto& w = main_witness(c)) out += format_witness(*isa_, *w, 2);
    } else if (what == "tc") {
      // The translation cache of the monitor right below the guest (bt only).
      std::size_t n = t.size() > 2 ? static_cast<std::size_t>(checked_number(where, "the number of TUs", t[2], 1, 255)) : 3;
      const auto& st = session_->stack();
      auto s = st.depth() ? read_bt_stats(st, st.depth() - 1, true) : std::nullopt;
      if (!s) throw LessonFailure(where, "show tc: the monitor is not bt (setup ... depth=1 vmm=bt)");
      out = format_translation_cache(*s, n);
    } else {
      throw LessonFailure(where, "show what? (levels, trap, console, check, tc)");
    }
    return out;
  }
  if (verb == "expect") return expect(where, t);
  throw LessonFailure(where, "unknown command '" + verb + "' (setup, run, step-over-trap, finish-trap, step-back, input, show, expect)");
}

}  // namespace pgsim::vmm
