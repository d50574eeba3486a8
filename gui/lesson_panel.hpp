#pragma once
// The Lesson panel: a lesson's text, part by part; Next carries out each step on a live machine
// shown in every view of the window; exercises have an editor and a Check button.
#include <QWidget>
#include <memory>

#include "vmm/lesson.hpp"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTextBrowser;

namespace pgsim::gui {

class MainWindow;

class LessonPanel : public QWidget {
  Q_OBJECT
 public:
  /// `root`: the directory that holds lessons/ (paths in lessons are relative to it); empty:
  /// vmm::find_lesson_root() (the status line says where it looked when there are none).
  LessonPanel(MainWindow* window, QString root, QWidget* parent = nullptr);
  /// Opens lesson `number` at its beginning. False if there is no such lesson.
  bool open_lesson(int number);
  /// Carries out the next part (shows prose, runs a step). False at the end or on a failure.
  bool next();
  /// Saves the exercise editor to the exercise's file and checks it. True if it passes.
  bool check();
  /// The text of the last result line ("✓ …" or the failure).
  QString last_result() const { return result_; }
  int lesson_count() const { return static_cast<int>(lessons_.size()); }
  bool at_end() const;
  bool on_exercise() const;
  /// The part shown now (null before the first Next).
  const vmm::LessonPart* current_part() const;
  /// Whether the instructor's notes (vmm::Lesson::instructor) are shown below the text: only
  /// when asked for, with the "Instructor's notes" button; opening a lesson hides them.
  bool showing_instructor_notes() const;
  /// The text shown now (Markdown source), for tests.
  QString shown_text() const;
  /// The exercise editor (for tests).
  QPlainTextEdit* exercise_editor() { return editor_; }

 private:
  void show_part();
  /// Runs a step or exercise, logging its output; sets result_ to `success` or the failure.
  bool run_logged(const vmm::Lesson& l, const vmm::LessonPart& p, const QString& success);
  /// The file the student edits for exercise `p` (vmm::exercise_file: in place, or their own
  /// copy when the lessons are installed; the log says where when the copy is made). "" with
  /// the reason in the status line when no copy can be made.
  QString exercise_path(const vmm::LessonPart& p);
  MainWindow* window_;
  QString root_;
  std::vector<vmm::Lesson> lessons_;
  int lesson_ = -1;
  int part_ = -1;
  std::unique_ptr<vmm::LessonRunner> runner_;
  QComboBox* choose_;
  QTextBrowser* text_;
  QPlainTextEdit* editor_;
  QPlainTextEdit* log_;
  QPushButton* next_;
  QPushButton* check_;
  QPushButton* instructor_;
  QLabel* status_;
  QString result_;
};

}  // namespace pgsim::gui
