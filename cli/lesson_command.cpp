// pgsim lesson list | show N | run N [--solutions]: the guided lessons in the terminal.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "vmm/data_files.hpp"
#include "vmm/lesson.hpp"

namespace pgsim::cli {

int run_lesson(const LessonOptions& o) {
  return guarded([&] {
    std::string root;
    try {
      root = o.root.empty() ? vmm::find_lesson_root() : o.root;
    } catch (const vmm::DataNotFound& e) {
      throw UserError(e.what());
    }
    std::vector<vmm::Lesson> lessons;
    try {
      lessons = vmm::load_lessons(root + "/lessons");
    } catch (const vmm::LessonFailure& f) {
      throw UserError(std::string(f.what()) + "\n");  // already "FILE:LINE: error: …"
    }
    if (lessons.empty()) throw UserError(fmt::format("error: there are no lessons (NN-*.md) in {}/lessons\n", root));
    // The file a student edits for an exercise: in place, or their own copy when the lessons are
    // installed (vmm::exercise_file); say where when the copy is made.
    auto exercise = [&](const vmm::LessonPart& p) {
      auto f = vmm::exercise_file(root, p.file);
      if (!f.copied_from.empty())
        std::fprintf(stderr, "(your copy of the exercise is %s, copied from %s)\n", f.path.c_str(), f.copied_from.c_str());
      return f.path;
    };
    if (o.action == "list") {
      for (const auto& l : lessons) std::printf("%2d  %s\n", l.number, l.title.c_str());
      return 0;
    }
    auto it = std::find_if(lessons.begin(), lessons.end(), [&](auto& l) { return l.number == o.number; });
    if (it == lessons.end()) throw UserError(fmt::format("error: there is no lesson {} (see `pgsim lesson list`)\n", o.number));
    const auto& lesson = *it;
    if (o.action == "show") {
      std::printf("# %s\n", lesson.title.c_str());
      for (const auto& p : lesson.parts) {
        if (p.kind == vmm::LessonPart::Prose) {
          std::fputs(p.text.c_str(), stdout);
          continue;
        }
        std::printf("%s", p.kind == vmm::LessonPart::Exercise ? "    [exercise] " : "    [step]\n");
        if (p.kind == vmm::LessonPart::Exercise) std::printf("%s    edit %s\n", p.text.c_str(), exercise(p).c_str());
        for (const auto& c : p.commands)  // hints are for failures, not for reading ahead
          if (c.text.rfind("hint", 0) != 0) std::printf("      %s\n", c.text.c_str());
      }
      if (o.instructor) {
        if (lesson.instructor.empty()) std::printf("\n(lesson %d has no instructor's notes)\n", lesson.number);
        else std::printf("\n---- instructor's notes (%s) ----\n%s", lesson.instructor_path.c_str(), lesson.instructor.c_str());
      }
      return 0;
    }
    vmm::LessonRunner runner(root, o.solutions);
    std::string answer;
    if (!o.answer.empty()) {
      std::error_code ec;
      answer = std::filesystem::absolute(o.answer, ec).string();
      if (!std::filesystem::is_regular_file(answer, ec))
        throw UserError(fmt::format("error: {}: no such file (the answer to check)\n", o.answer));
      if (std::none_of(lesson.parts.begin(), lesson.parts.end(),
                       [](const auto& p) { return p.kind == vmm::LessonPart::Exercise; }))
        throw UserError(fmt::format("error: lesson {} has no exercise to check {} against\n", lesson.number, o.answer));
      runner.set_answer(answer);
    }
    int step = 0;
    for (const auto& p : lesson.parts) {
      if (p.kind == vmm::LessonPart::Prose) continue;
      ++step;
      if (!answer.empty() && p.kind != vmm::LessonPart::Exercise) continue;  // --answer: the exercise only
      std::string file = !answer.empty()                                    ? answer
                         : p.kind == vmm::LessonPart::Exercise && !o.solutions ? exercise(p)
                                                                              : p.file;
      std::printf("-- %s %d (line %d)\n", p.kind == vmm::LessonPart::Exercise ? "exercise" : "step", step, p.line);
      try {
        std::fputs(runner.run_part(lesson, p).c_str(), stdout);
      } catch (const vmm::LessonFailure& f) {
        std::fputs(f.output.c_str(), stdout);
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n", f.what());
        if (!answer.empty()) std::fprintf(stderr, "(%s does not solve the exercise)\n", o.answer.c_str());
        else if (p.kind == vmm::LessonPart::Exercise && !o.solutions)
          std::fprintf(stderr, "(the exercise is not solved yet: edit %s and run again)\n", file.c_str());
        return 1;
      }
    }
    if (!answer.empty()) std::printf("lesson %d: %s solves the exercise\n", lesson.number, o.answer.c_str());
    else std::printf("lesson %d: all %d steps passed\n", lesson.number, step);
    return 0;
  });
}

}  // namespace pgsim::cli
