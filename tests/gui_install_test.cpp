// pgsim-gui with installed (read-only) data: the lessons and ISA variants come from a data
// directory ($PGSIM_DATA_DIR, as <prefix>/share/pgsim after `cmake --install`), and a
// student's Save and Check writes their own copy of the exercise, never the installed file.
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

#include "gui/lesson_panel.hpp"
#include "gui/main_window.hpp"
#include "isa/model.hpp"
#include "vmm/lesson.hpp"

using pgsim::gui::MainWindow;
using pgsim::gui::OpenSpec;

namespace {

QString src(const QString& rel) { return QString(PGSIM_SOURCE_DIR) + "/" + rel; }

QByteArray read(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Copies directory `from` to `to`, recursively (what `cmake --install` does with lessons/).
void copy_tree(const QString& from, const QString& to) {
  QDir().mkpath(to);
  for (const auto& e : QDir(from).entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot)) {
    if (e.isDir()) copy_tree(e.filePath(), to + "/" + e.fileName());
    else QFile::copy(e.filePath(), to + "/" + e.fileName());
  }
}

}  // namespace

class InstalledData : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString share_, xdg_;

 private slots:
  /// An installed data directory (laid out as <prefix>/share/pgsim) and an empty per-user
  /// data home; no lesson root of the student's own.
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    share_ = tmp_.path() + "/share/pgsim";
    xdg_ = tmp_.path() + "/xdg";
    copy_tree(src("examples"), share_ + "/examples");
    copy_tree(src("lessons"), share_ + "/lessons");
    copy_tree(src("vmm/monitors"), share_ + "/vmm/monitors");
    qputenv("PGSIM_DATA_DIR", share_.toUtf8());
    qputenv("XDG_DATA_HOME", xdg_.toUtf8());
    qunsetenv("PGSIM_LESSON_ROOT");
    QApplication::setOrganizationName("pgsim-test");  // keep the user's settings out of it
  }

  /// The student opens the first lesson with an exercise, presses Next up to it, types the
  /// solution in the editor and presses Save and Check: it passes, the log says where their
  /// copy is, the copy holds what they typed, and the installed exercise is untouched.
  void save_and_check_writes_the_students_copy() {
    auto lessons = pgsim::vmm::load_lessons((share_ + "/lessons").toStdString());
    const pgsim::vmm::Lesson* lesson = nullptr;
    const pgsim::vmm::LessonPart* exercise = nullptr;
    for (const auto& l : lessons)
      for (const auto& p : l.parts)
        if (!exercise && p.kind == pgsim::vmm::LessonPart::Exercise && !p.solution.empty()) {
          lesson = &l;
          exercise = &p;
        }
    QVERIFY2(exercise, "no lesson has an exercise with a solution");
    QString installed = share_ + "/" + QString::fromStdString(exercise->file);
    QByteArray pristine = read(installed);

    MainWindow w(OpenSpec{"", "", 1});
    w.resize(1600, 1000);
    w.show();
    if (auto* d = w.findChild<QDockWidget*>("lesson")) d->raise();
    auto* panel = w.lesson_panel();
    QVERIFY(panel->lesson_count() == static_cast<int>(lessons.size()));
    QVERIFY(panel->open_lesson(lesson->number));
    auto* next = panel->findChild<QPushButton*>("lesson_next");
    QVERIFY(next);
    for (int guard = 0; !panel->on_exercise() && guard < 200; ++guard) QTest::mouseClick(next, Qt::LeftButton);
    QVERIFY2(panel->on_exercise(), qPrintable(panel->last_result()));
    QCOMPARE(panel->current_part()->file, exercise->file);

    // The editor shows the exercise as installed; the student's copy now exists beside it.
    QString copy = xdg_ + "/pgsim/" + QString::fromStdString(exercise->file);
    QCOMPARE(panel->exercise_editor()->toPlainText().toUtf8(), pristine);
    QVERIFY(QFile::exists(copy));
    auto* log = panel->findChild<QPlainTextEdit*>("lesson_log");
    QVERIFY(log);
    QVERIFY2(log->toPlainText().contains(copy), qPrintable(log->toPlainText()));

    QByteArray solution = read(share_ + "/" + QString::fromStdString(exercise->solution));
    panel->exercise_editor()->setPlainText(QString::fromUtf8(solution));
    auto* check = panel->findChild<QPushButton*>("lesson_check");
    QVERIFY(check);
    QTest::mouseClick(check, Qt::LeftButton);
    QVERIFY2(panel->last_result().startsWith("✓"), qPrintable(panel->last_result()));
    QCOMPARE(read(copy), solution);
    QCOMPARE(read(installed), pristine);
  }

  /// `pgsim-gui --isa pg1-jru hello.s` from a directory holding neither: the installed
  /// variant and guest are found by name.
  void isa_variant_by_name() {
    QString cwd = QDir::currentPath();
    QVERIFY(QDir::setCurrent(tmp_.path()));
    MainWindow w(OpenSpec{"pg1-jru", "hello.s", 1});
    QVERIFY(QDir::setCurrent(cwd));
    QVERIFY(w.session());
    QCOMPARE(QString::fromStdString(w.session()->stack().machine().isa().path), share_ + "/examples/isa/pg1-jru.isa");
  }
};

QTEST_MAIN(InstalledData)
#include "gui_install_test.moc"
