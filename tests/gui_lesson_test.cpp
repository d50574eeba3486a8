// The Lesson panel as a student and an instructor use it: the instructor's notes appear only
// when asked for; a wrong answer gets a message with a hint (for a prediction: how far off,
// never the answer). Issue 8 items 5 and 6.
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "gui/lesson_panel.hpp"
#include "gui/main_window.hpp"

using pgsim::gui::MainWindow;
using pgsim::gui::OpenSpec;

namespace {

QString src(const QString& rel) { return QString(PGSIM_SOURCE_DIR) + "/" + rel; }

QString read(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

void copy_tree(const QString& from, const QString& to) {
  QDir().mkpath(to);
  for (const auto& e : QDir(from).entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot)) {
    if (e.isDir()) copy_tree(e.filePath(), to + "/" + e.fileName());
    else QFile::copy(e.filePath(), to + "/" + e.fileName());
  }
}

}  // namespace

class LessonPanelUse : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;

  /// Presses Next until the lesson's exercise is shown.
  static void next_to_exercise(pgsim::gui::LessonPanel* panel) {
    auto* next = panel->findChild<QPushButton*>("lesson_next");
    QVERIFY(next);
    for (int guard = 0; !panel->on_exercise() && guard < 200; ++guard) QTest::mouseClick(next, Qt::LeftButton);
    QVERIFY2(panel->on_exercise(), qPrintable(panel->last_result()));
  }
  /// Types `text` as the answer and presses Save and Check.
  static void answer(pgsim::gui::LessonPanel* panel, const QString& text) {
    panel->exercise_editor()->setPlainText(text);
    auto* check = panel->findChild<QPushButton*>("lesson_check");
    QVERIFY(check);
    QTest::mouseClick(check, Qt::LeftButton);
  }

 private slots:
  /// A lesson root of the student's own (a copy of lessons/, whose exercise files Check writes).
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    copy_tree(src("lessons"), tmp_.path() + "/lessons");
    for (const char* d : {"examples", "vmm"}) QVERIFY(QFile::link(src(d), tmp_.path() + "/" + d));
    qputenv("PGSIM_LESSON_ROOT", tmp_.path().toUtf8());
    QApplication::setOrganizationName("pgsim-test");
  }

  /// The notes are not in the lesson's text; the "Instructor's notes" button shows them, and
  /// opening a lesson hides them again.
  void instructor_notes_only_when_asked() {
    MainWindow w(OpenSpec{"", "", 1});
    w.show();
    if (auto* d = w.findChild<QDockWidget*>("lesson")) d->raise();
    auto* panel = w.lesson_panel();
    QVERIFY(panel->open_lesson(5));
    next_to_exercise(panel);
    QVERIFY(!panel->shown_text().contains("For the instructor"));
    QVERIFY(!panel->shown_text().contains("8 + 7"));
    auto* notes = panel->findChild<QPushButton*>("lesson_instructor");
    QVERIFY(notes && notes->isEnabled());
    QTest::mouseClick(notes, Qt::LeftButton);
    QVERIFY(panel->showing_instructor_notes());
    QVERIFY2(panel->shown_text().contains("8 + 7"), qPrintable(panel->shown_text()));
    QVERIFY(panel->open_lesson(5));
    QVERIFY(!panel->showing_instructor_notes());
    QVERIFY(!panel->shown_text().contains("For the instructor"));
  }

  /// A wrong prediction gets how far off it is and the lesson's hint for it, not the answer;
  /// the right one passes.
  void wrong_prediction_gets_a_graded_hint() {
    MainWindow w(OpenSpec{"", "", 1});
    w.show();
    auto* panel = w.lesson_panel();
    QVERIFY(panel->open_lesson(5));
    next_to_exercise(panel);
    answer(panel, "8\n");
    QString r = panel->last_result();
    QVERIFY2(r.contains("your answer (8) is not right yet: it is too low by a factor of about 2"), qPrintable(r));
    QVERIFY2(r.contains("hint: 8 = 2^(k−1) is T(4)"), qPrintable(r));
    QVERIFY2(!r.contains(QRegularExpression("(?<![0-9])15(?![0-9])")), qPrintable(r));  // the answer
    const auto labels = panel->findChildren<QLabel*>();
    bool shown = false;
    for (auto* l : labels) shown = shown || l->text().contains("too low by a factor of about 2");
    QVERIFY2(shown, "the status line does not show the hint");
    answer(panel, read(src("lessons/solutions/05-predict.txt")));
    QVERIFY2(panel->last_result().startsWith("✓"), qPrintable(panel->last_result()));
  }

  /// A VMM whose emu_stimer doubles the guest's period is rejected, with what the check guest
  /// expected and a hint.
  void wrong_vmm_is_rejected_with_a_hint() {
    MainWindow w(OpenSpec{"", "", 1});
    w.show();
    auto* panel = w.lesson_panel();
    QVERIFY(panel->open_lesson(9));
    next_to_exercise(panel);
    answer(panel, read(src("lessons/wrong/09-stimer-doubled.s")));
    QString r = panel->last_result();
    QVERIFY2(r.contains("expectation failed: console contains \"timer check A"), qPrintable(r));
    QVERIFY2(r.contains("the tick was pending: no"), qPrintable(r));
    QVERIFY2(r.contains("hint: A: the guest set its timer to 2000 cycles"), qPrintable(r));
  }
};

QTEST_MAIN(LessonPanelUse)
#include "gui_lesson_test.moc"
