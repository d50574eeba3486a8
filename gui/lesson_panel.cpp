#include "gui/lesson_panel.hpp"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSignalBlocker>
#include <QScrollBar>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "gui/main_window.hpp"
#include "vmm/data_files.hpp"

namespace pgsim::gui {

LessonPanel::LessonPanel(MainWindow* window, QString root, QWidget* parent)
    : QWidget(parent), window_(window), root_(std::move(root)) {
  auto* v = new QVBoxLayout(this);
  choose_ = new QComboBox(this);
  text_ = new QTextBrowser(this);
  text_->setOpenExternalLinks(true);
  editor_ = new QPlainTextEdit(this);
  editor_->setObjectName("exercise_editor");
  QFont mono("DejaVu Sans Mono");
  mono.setStyleHint(QFont::Monospace);
  editor_->setFont(mono);
  log_ = new QPlainTextEdit(this);
  log_->setObjectName("lesson_log");
  log_->setReadOnly(true);
  log_->setFont(mono);
  log_->setMaximumHeight(160);
  next_ = new QPushButton("Next ▶", this);
  next_->setObjectName("lesson_next");
  next_->setShortcut(QKeySequence("Ctrl+N"));
  next_->setToolTip("Carry out the next step of the lesson (Ctrl+N)");
  check_ = new QPushButton("Save and Check", this);
  check_->setObjectName("lesson_check");
  instructor_ = new QPushButton("Instructor's notes", this);
  instructor_->setObjectName("lesson_instructor");
  instructor_->setCheckable(true);
  instructor_->setToolTip("Show the instructor's notes on this lesson (answers to its questions and exercise); "
                          "hidden unless asked for");
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  v->addWidget(choose_);
  v->addWidget(text_, 3);
  v->addWidget(editor_, 2);
  v->addWidget(check_);
  v->addWidget(next_);
  v->addWidget(instructor_);
  v->addWidget(status_);
  v->addWidget(log_, 1);
  try {
    if (root_.isEmpty()) root_ = QString::fromStdString(vmm::find_lesson_root());
    lessons_ = vmm::load_lessons((root_ + "/lessons").toStdString());
  } catch (const std::exception& e) {
    status_->setText(e.what());
  }
  for (const auto& l : lessons_) choose_->addItem(QString::fromStdString(l.title), l.number);
  connect(choose_, qOverload<int>(&QComboBox::activated), this,
          [this](int i) { open_lesson(choose_->itemData(i).toInt()); });
  connect(next_, &QPushButton::clicked, this, [this] { next(); });
  connect(check_, &QPushButton::clicked, this, [this] { check(); });
  connect(instructor_, &QPushButton::toggled, this, [this] {
    if (lesson_ >= 0) show_part();
  });
  if (!lessons_.empty()) open_lesson(lessons_.front().number);
}

bool LessonPanel::open_lesson(int number) {
  for (int i = 0; i < static_cast<int>(lessons_.size()); ++i)
    if (lessons_[static_cast<std::size_t>(i)].number == number) {
      lesson_ = i;
      part_ = -1;
      runner_ = std::make_unique<vmm::LessonRunner>(root_.toStdString(), false);
      choose_->setCurrentIndex(i);
      {
        QSignalBlocker quiet(instructor_);
        instructor_->setChecked(false);  // a new lesson starts without the notes
      }
      instructor_->setEnabled(!lessons_[static_cast<std::size_t>(i)].instructor.empty());
      log_->clear();
      result_.clear();
      show_part();
      return true;
    }
  return false;
}

bool LessonPanel::showing_instructor_notes() const { return instructor_->isChecked(); }

QString LessonPanel::shown_text() const { return text_->toMarkdown(); }

bool LessonPanel::at_end() const {
  return lesson_ < 0 || part_ + 1 >= static_cast<int>(lessons_[static_cast<std::size_t>(lesson_)].parts.size());
}

const vmm::LessonPart* LessonPanel::current_part() const {
  if (lesson_ < 0 || part_ < 0) return nullptr;
  return &lessons_[static_cast<std::size_t>(lesson_)].parts[static_cast<std::size_t>(part_)];
}

bool LessonPanel::on_exercise() const {
  if (lesson_ < 0 || part_ < 0) return false;
  return lessons_[static_cast<std::size_t>(lesson_)].parts[static_cast<std::size_t>(part_)].kind ==
         vmm::LessonPart::Exercise;
}

void LessonPanel::show_part() {
  const auto& l = lessons_[static_cast<std::size_t>(lesson_)];
  QString md = QString("# %1\n\n").arg(QString::fromStdString(l.title));
  // Everything up to and including the current part, so the student can read back.
  for (int i = 0; i <= part_ && i < static_cast<int>(l.parts.size()); ++i) {
    const auto& p = l.parts[static_cast<std::size_t>(i)];
    if (p.kind == vmm::LessonPart::Prose) md += QString::fromStdString(p.text) + "\n";
    else if (p.kind == vmm::LessonPart::Exercise)
      md += QString("**Exercise.** %1\n\nEdit `%2` below, then *Save and Check*.\n\n")
                .arg(QString::fromStdString(p.text), QString::fromStdString(p.file));
    else {
      md += "```\n";
      for (const auto& c : p.commands)
        if (c.text.rfind("hint", 0) != 0) md += QString::fromStdString(c.text) + "\n";
      md += "```\n\n";
    }
  }
  if (part_ < 0) md += "*Press Next to begin.*\n";
  if (instructor_->isChecked() && !l.instructor.empty())
    md += "\n---\n\n" + QString::fromStdString(l.instructor) + "\n";
  text_->setMarkdown(md);
  text_->verticalScrollBar()->setValue(text_->verticalScrollBar()->maximum());
  bool ex = on_exercise();
  editor_->setVisible(ex);
  check_->setVisible(ex);
  if (ex) {
    const auto& p = l.parts[static_cast<std::size_t>(part_)];
    QFile f(exercise_path(p));
    editor_->setPlainText(f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString());
  }
  next_->setEnabled(!at_end());
}

QString LessonPanel::exercise_path(const vmm::LessonPart& p) {
  try {
    auto f = vmm::exercise_file(root_.toStdString(), p.file);
    if (!f.copied_from.empty())
      log_->appendPlainText(QString("Your copy of the exercise is %1 (copied from %2).")
                                .arg(QString::fromStdString(f.path), QString::fromStdString(f.copied_from)));
    return QString::fromStdString(f.path);
  } catch (const std::exception& e) {
    status_->setText(QString::fromStdString(e.what()));
    return {};
  }
}

bool LessonPanel::run_logged(const vmm::Lesson& l, const vmm::LessonPart& p, const QString& success) {
  try {
    log_->appendPlainText(QString::fromStdString(runner_->run_part(l, p)));
    result_ = success;
    return true;
  } catch (const vmm::LessonFailure& e) {
    log_->appendPlainText(QString::fromStdString(e.output));
    result_ = QString::fromStdString(e.what());
    log_->appendPlainText(result_);
    return false;
  }
}

bool LessonPanel::next() {
  if (at_end()) return false;
  ++part_;
  const auto& l = lessons_[static_cast<std::size_t>(lesson_)];
  const auto& p = l.parts[static_cast<std::size_t>(part_)];
  bool ok = true;
  if (p.kind == vmm::LessonPart::Step) {
    auto before = runner_->shared_session();
    ok = run_logged(l, p, "✓ step done");
    // Show the lesson's machine in every view (a new one after `setup`).
    if (auto s = runner_->shared_session()) {
      if (s != before) window_->adopt(s, runner_->isa());
      else window_->refresh_views();
    }
    status_->setText(result_);
  }
  show_part();
  return ok;
}

bool LessonPanel::check() {
  if (!on_exercise()) return false;
  const auto& l = lessons_[static_cast<std::size_t>(lesson_)];
  const auto& p = l.parts[static_cast<std::size_t>(part_)];
  QString path = exercise_path(p);
  QSaveFile f(path);
  if (path.isEmpty() || !f.open(QIODevice::WriteOnly) || f.write(editor_->toPlainText().toUtf8()) < 0 || !f.commit()) {
    result_ = path.isEmpty() ? status_->text() : QString("cannot save %1: %2").arg(path, f.errorString());
    status_->setText(result_);
    return false;
  }
  bool ok = run_logged(l, p, "✓ solved");
  if (auto s = runner_->shared_session()) window_->adopt(s, runner_->isa());
  status_->setText(result_);
  return ok;
}

}  // namespace pgsim::gui
