#pragma once
// Lessons: Markdown files with embedded steps (```pgsim blocks) that set up the machine, run
// it to a point and state what must hold there; exercises (```pgsim-exercise blocks) that
// check a student's file. Parsed here and carried out on a Session; used by `pgsim lesson`
// and the GUI's Lesson panel. Format: lessons/README.md.
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "vmm/classifier.hpp"
#include "vmm/session.hpp"

namespace pgsim::vmm {

/// One line of a step block.
struct LessonCommand {
  std::string text;
  int line = 0;  ///< 1-based line in the lesson file
};

/// A piece of a lesson: prose, a step, or an exercise.
struct LessonPart {
  enum Kind { Prose, Step, Exercise } kind = Prose;
  std::string text;                    ///< prose (Markdown), or the exercise's task text
  std::vector<LessonCommand> commands; ///< for steps and exercises
  std::string file, solution;          ///< exercises: the student's file and the solution
  int line = 0;
};

/// A parsed lesson.
struct Lesson {
  int number = 0;
  std::string title, path;
  std::vector<LessonPart> parts;
  /// The instructor's notes: lessons/instructor/<the lesson's file name> (shown only on request:
  /// `pgsim lesson show N --instructor`, the GUI's "Instructor's notes"); a section
  /// "## For the instructor" at the end of the lesson file itself is also read, for old lessons.
  std::string instructor;
  std::string instructor_path;  ///< where the notes came from ("" if none)
};

/// The largest lesson number (a title `# Lesson N: …` with a larger N is an error).
inline constexpr unsigned long long kMaxLessonNumber = 999;
/// The deepest stack a lesson may set up (as `pgsim run --depth`).
inline constexpr unsigned long long kMaxDepth = 64;
/// The most machine steps one `run` command may take (every form of `run`).
inline constexpr unsigned long long kRunStepLimit = 50'000'000;
/// The most cycles one `run` command may take (every form of `run`), counted from its start.
inline constexpr unsigned long long kRunCycleLimit = 2'000'000'000;

/// An expectation that did not hold, or a command that could not be carried out, or a lesson
/// file that cannot be parsed. what() is "FILE:LINE: …" (errors in the lesson itself read
/// "FILE:LINE: error: …").
struct LessonFailure : std::runtime_error {
  LessonFailure(const std::string& where, const std::string& what) : std::runtime_error(where + ": " + what) {}
  std::string output;  ///< what the step printed before it failed (context for the student)
};

/// How far a prediction is from the measured value, without giving the value away: "too low by
/// a factor of about 2", "too high, but close (less than 20% off)", … ("right" when equal).
std::string graded_hint(double predicted, double actual);

/// Reads every lessons/NN-*.md under `dir`, sorted by number. Throws std::runtime_error on a
/// file that cannot be read, LessonFailure ("FILE:LINE: error: …") on one that cannot be parsed.
std::vector<Lesson> load_lessons(const std::string& dir);
/// Parses one lesson file. Throws LessonFailure ("PATH:LINE: error: …") for a lesson number
/// out of range (1 to kMaxLessonNumber) or a step block that is never closed.
Lesson parse_lesson(const std::string& path, const std::string& text);

/// Carries out a lesson's steps on a live machine.
class LessonRunner {
 public:
  /// `root`: the directory lesson paths are relative to (the repository / data root).
  /// `solutions`: exercises use their solution files instead of the student's.
  LessonRunner(std::string root, bool solutions);

  /// Checks the exercises with `file` as the student's answer (instead of the exercise's file or
  /// its solution): `pgsim lesson run N --answer FILE`, and the tests of wrong answers.
  void set_answer(std::string file) { answer_ = std::move(file); }

  /// Lowers (or raises) the limits of one `run` command (default kRunStepLimit steps and
  /// kRunCycleLimit cycles); a run that reaches one fails with a message naming it.
  void set_run_limits(std::uint64_t steps, std::uint64_t cycles) {
    step_limit_ = steps;
    cycle_limit_ = cycles;
  }

  /// Carries out one step or exercise; returns what happened, one line per command.
  /// Throws LessonFailure ("file:line: …") when an expectation fails.
  std::string run_part(const Lesson& lesson, const LessonPart& part);
  /// The session of the last `setup` (null before).
  Session* session() { return session_.get(); }
  /// The same, shared (the GUI shows the lesson's machine in its views).
  std::shared_ptr<Session> shared_session() const { return session_; }
  std::shared_ptr<const isa::IsaModel> isa() const { return isa_; }

 private:
  std::string exec(const std::string& where, const std::string& cmd, const LessonPart& part);
  /// The monitor a lesson's `setup vmm=…` names: a catalog name (vmm/monitor_catalog.hpp; "" is
  /// the default monitor) is its file under this root's vmm/monitors/; anything else a path.
  std::string monitor_path(const std::string& name_or_file) const;
  std::string path(const std::string& rel) const;
  std::string expect(const std::string& where, const std::vector<std::string>& t);
  const Analysis& analysis();
  GuestState final_state(unsigned depth);
  /// Real traps (or, with `exits`, VM exits) one guest `instruction` costs at `depth` under the
  /// lesson's ISA and monitor: (a run of 64 of them, then halt − a run of just halt) / 64.
  /// Throws std::runtime_error when a measurement run does not halt within 10^9 cycles.
  double traps_per(const std::string& instruction, unsigned depth, bool exits = false);

  std::string root_;
  bool solutions_;
  std::map<std::string, std::string> setup_;
  std::string answer_;                 ///< see set_answer
  /// Throws (a message naming the ISA) when depth > 0 and the monitor did not assemble on the
  /// lesson's ISA (a real machine's model is set up for its classification only).
  void need_monitor(unsigned depth) const;
  std::optional<double> last_value_;   ///< the value the last numeric expectation measured
  std::uint64_t step_limit_ = kRunStepLimit, cycle_limit_ = kRunCycleLimit;
  unsigned depth_ = 0;         ///< of the last setup
  isa::Word memory_ = 0;   ///< guest words of the last setup (0: the ISA's default)
  std::shared_ptr<const isa::IsaModel> isa_;
  std::shared_ptr<const assembler::Image> guest_, vmm_;
  std::shared_ptr<Session> session_;
  std::optional<Analysis> analysis_;
  bool prove_ = false;         ///< `setup check=proved`: classify with proofs (Z3)
};

}  // namespace pgsim::vmm
