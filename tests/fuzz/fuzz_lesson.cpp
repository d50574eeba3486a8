// Fuzz target: the lesson parser (vmm::parse_lesson: title and number, prose, ```pgsim step
// blocks and their commands, exercises with file=/solution=/task:, the instructor's section).
// Input: the text of a lesson file, parsed as lessons/01-fuzz.md.
// Besides not crashing, what the parser returns must describe the text it was given: parts in
// the order of the file, every command a non-blank line of a step at or after its step's line.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "fuzz_support.hpp"
#include "vmm/lesson.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgsim;
  std::string text(reinterpret_cast<const char*>(data), size);
  vmm::Lesson l;
  try {
    l = vmm::parse_lesson("lessons/01-fuzz.md", text);
  } catch (const vmm::LessonFailure&) {
    return 0;  // a lesson file with an error in it (file:line: ...)
  }
  int lines = 1;
  for (char c : text) lines += c == '\n';
  int last = 0;
  for (const auto& p : l.parts) {
    if (p.line < last || p.line > lines + 1) __builtin_trap();
    last = p.line;
    int prev = p.line;
    for (const auto& c : p.commands) {
      if (c.text.empty() || c.line < prev || c.line > lines) __builtin_trap();
      if (c.text.find('\n') != std::string::npos) __builtin_trap();
      prev = c.line;
    }
  }
  return 0;
}
