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
#include <QDateTime>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QFontInfo>
#include <QFontMetrics>
#include <QLabel>
#include <QLineEdit>
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
#include <QScreen>
#include <QStatusBar>
#include <QGuiApplication>
#include <QTest>
#include <QTextBlock>
#include <QTimer>
#include <functional>

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

void trigger(MainWindow& w, const char* name) {
  auto* a = w.findChild<QAction*>(name);
  QVERIFY2(a != nullptr, name);
  a->trigger();
}

/// The menu of the window's menu bar titled `title` (without the & of its shortcut), or null.
QMenu* menu(MainWindow& w, const QString& title) {
  for (auto* a : w.menuBar()->actions())
    if (a->menu() && a->text().remove('&') == title) return a->menu();
  return nullptr;
}

/// Answers the modal dialogs that open while the window code runs its own event loop, as a
/// person would: `answer` gets each one (and returns once it answered it).
class ModalDriver : public QObject {
 public:
  explicit ModalDriver(std::function<void(QWidget*)> answer) : answer_(std::move(answer)) {
    timer_.setInterval(20);
    QObject::connect(&timer_, &QTimer::timeout, this, [this] {
      if (auto* w = QApplication::activeModalWidget()) answer_(w);
    });
    timer_.start();
  }

 private:
  std::function<void(QWidget*)> answer_;
  QTimer timer_;
};

/// Answers message boxes by clicking the button labelled `button`; records each box's text.
class ModalAnswerer : public ModalDriver {
 public:
  explicit ModalAnswerer(const QString& button)
      : ModalDriver([this, button](QWidget* w) {
          auto* box = qobject_cast<QMessageBox*>(w);
          if (!box) return;
          texts << box->text();
          for (auto* b : box->buttons())
            if (b->text().remove('&') == button) {
              b->click();
              return;
            }
          box->reject();  // not the question expected: do not block
        }) {}
  QStringList texts;
};

/// A program with two errors: an unknown instruction after a tab (line 4) and an undefined
/// symbol (line 5).
const char* const bad_program =
    "; two errors\n"
    "        .org RESET\n"
    "start:\n"
    "\tfrob r1\n"
    "        li r1, nowhere\n"
    "        halt\n";

/// The checks a person makes on a window that opened `p` (bad_program): the file is in the
/// editor, in front, its errors underlined and listed in a monospace font with the caret under
/// the column, the list focused; the editor shows the first error.
void check_opened_with_errors(MainWindow& w, const QString& p) {
  auto* ed = w.source_view()->editor(p);
  QVERIFY2(ed != nullptr, "the program is not in the editor");
  QCOMPARE(ed->toPlainText(), QString(bad_program));
  QCOMPARE(w.source_view()->currentWidget(), static_cast<QWidget*>(ed));
  QVERIFY(ed->isVisible());
  QCOMPARE(static_cast<int>(ed->diagnostics().size()), 2);
  QCOMPARE(ed->diagnostics()[0].line, 4);
  QVERIFY(ed->diagnostics()[0].message.contains("frob"));
  QCOMPARE(ed->diagnostics()[1].line, 5);
  QVERIFY(ed->diagnostics()[1].message.contains("nowhere"));
  QCOMPARE(ed->textCursor().blockNumber(), 3);  // the first error is in view
  auto* list = w.diagnostics_list();
  QVERIFY(list != nullptr);
  QVERIFY(list->isVisible());
  QCOMPARE(list->count(), 2);
  QCOMPARE(w.focusWidget(), static_cast<QWidget*>(list));
  QVERIFY(QFontInfo(list->font()).fixedPitch());
  QVERIFY(QFontInfo(ed->font()).fixedPitch());
  for (int i = 0; i < 2; ++i) {
    // The word the diagnostic points at, in the editor (line 4 starts with a tab).
    const auto& d = ed->diagnostics()[static_cast<std::size_t>(i)];
    QString at = ed->document()->findBlockByNumber(d.line - 1).text().mid(d.column - 1).section(' ', 0, 0);
    if (i == 0) QCOMPARE(at, QString("frob"));
    QStringList lines = list->item(i)->text().split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[0].startsWith(QString("bad.s:%1:").arg(4 + i)));
    QVERIFY(lines[0].contains(": error: "));
    int caret = static_cast<int>(lines[2].indexOf('^'));
    QVERIFY(caret > 0);
    QCOMPARE(lines[1].mid(caret, static_cast<int>(at.size())), at);
    QFontMetrics fm(list->font());  // drawn: the caret starts where the word does
    QCOMPARE(fm.horizontalAdvance(lines[2].left(caret)), fm.horizontalAdvance(lines[1].left(caret)));
  }
}

/// Waits past the editor's re-assembly debounce (300 ms).
void wait_reassembly() { QTest::qWait(600); }

}  // namespace

class GuiEditorTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

  QString path(const QString& name) const { return dir_.filePath(name); }

  /// Opens `p`, types an edit (the greeting becomes "Howdy"), waits for the autosave, and lets
  /// the window die without Save or a close prompt (as when pgsim-gui is killed).
  void make_autosave(const QString& p) {
    {  // the file was saved a minute ago
      QFile f(p);
      QVERIFY(f.open(QIODevice::ReadWrite));
      QVERIFY(f.setFileTime(QDateTime::currentDateTime().addSecs(-60), QFileDevice::FileModificationTime));
    }
    MainWindow w(OpenSpec{"", p, 1});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    raise_dock(w, "source");
    auto* ed = w.source_view()->editor(p);
    QVERIFY(ed != nullptr);
    ed->setFocus();
    QTextCursor c = ed->document()->find("Hello from", 0, QTextDocument::FindCaseSensitively);
    c.setPosition(c.selectionStart());
    c.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor, 5);
    QVERIFY(!c.isNull());
    ed->setTextCursor(c);
    QTest::keyClicks(ed, "Howdy");
    wait_reassembly();
    QVERIFY(read_file(p + ".autosave").contains("Howdy from PG-1!"));
  }

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

  /// `pgsim-gui bad.s` with two assembly errors: the window opens with bad.s in the editor and
  /// its errors in front. The user clicks the second error, fixes both, and Ctrl+Return runs it.
  void openProgramWithErrorsShowsDiagnostics() {
    QString p = path("bad.s");
    write_file(p, bad_program);
    MainWindow w(OpenSpec{"", p, 1});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.last_error().contains("nowhere"));
    check_opened_with_errors(w, p);
    if (QTest::currentTestFailed()) return;
    auto* ed = w.source_view()->editor(p);
    auto* list = w.diagnostics_list();
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(list->item(1)).center());
    QCOMPARE(ed->textCursor().blockNumber(), 4);
    QCOMPARE(ed->textCursor().positionInBlock() + 1, ed->diagnostics()[1].column);
    QCOMPARE(w.focusWidget(), static_cast<QWidget*>(ed));
    // Fix both: "nowhere" becomes "start", "frob" becomes "addi r1, r1, 1" (cursor edits, as typing).
    QTextCursor c = ed->document()->find("nowhere");
    c.insertText("start");
    c = ed->document()->find("frob r1");
    c.insertText("addi r1, r1, 1");
    wait_reassembly();
    QVERIFY(ed->diagnostics().empty());
    QVERIFY(!list->isVisible());
    trigger(w, "apply");  // Ctrl+Return: save and run
    QVERIFY(w.last_error().isEmpty());
    QVERIFY(w.session() != nullptr);
    QVERIFY(read_file(p).contains("li r1, start"));
    QCOMPARE(QString::fromStdString(w.session()->stack().guest_image().lines.front().file->path), p);
  }

  /// A projector's screen: the window (default or saved size larger than the screen) fits on
  /// it with its status bar, and a program with errors shows its diagnostics list.
  void windowFitsTheScreenWithErrorsVisible() {
    const QRect avail = QGuiApplication::primaryScreen()->availableGeometry();
    {
      QSettings st;  // a saved geometry far larger than this screen
      MainWindow big(OpenSpec{"", src("examples/guests/hello.s"), 1});
      big.resize(avail.width() + 900, avail.height() + 700);
      st.setValue("geometry", big.saveGeometry());
    }
    QString p = path("bad.s");
    write_file(p, bad_program);
    MainWindow w(OpenSpec{"", p, 1});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY2(w.width() <= avail.width() && w.height() <= avail.height(),
             qPrintable(QString("window %1x%2 on a %3x%4 screen").arg(w.width()).arg(w.height())
                            .arg(avail.width()).arg(avail.height())));
    QVERIFY(w.statusBar()->isVisible());
    QVERIFY(w.statusBar()->geometry().bottom() < w.height());
    QVERIFY(w.diagnostics_list()->isVisible());
  }

  /// File > Open of a program with errors while another runs: the same, the editor in front.
  void openProgramWithErrorsFromFileMenu() {
    QString p = path("bad.s");
    write_file(p, bad_program);
    MainWindow w(OpenSpec{"", src("examples/guests/hello.s"), 1});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    raise_dock(w, "console_dock");
    ModalDriver choose([&p](QWidget* m) {
      if (auto* d = qobject_cast<QFileDialog*>(m)) {
        auto* name = d->findChild<QLineEdit*>("fileNameEdit");  // the person types the path
        if (name) name->setText(p);
        else d->selectFile(p);
        static_cast<QDialog*>(d)->accept();  // the Open button
      }
    });
    QMenu* file = menu(w, "File");
    QVERIFY(file != nullptr);
    QAction* open = nullptr;
    for (auto* a : file->actions())
      if (a->text().startsWith("Open program")) open = a;
    QVERIFY(open != nullptr);
    open->trigger();
    QVERIFY(w.last_error().contains("nowhere"));
    check_opened_with_errors(w, p);
  }

  /// A user zooms in during a normal run (saved), then gives a lecture with --demo (zoom 1.5) or
  /// --zoom 2: the next normal start has the user's zoom, not the lecture's.
  void demoZoomNotSaved() {
    QString p = src("examples/guests/hello.s");
    double user = 0;
    {
      MainWindow w(OpenSpec{"", p, 1});
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      trigger(w, "zoom_in");
      user = w.zoom();
      QVERIFY(user > 1.1);
      QVERIFY(w.close());
    }
    {
      MainWindow w(OpenSpec{"", p, 1});
      QCOMPARE(w.zoom(), user);
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      w.start_demo();  // pgsim-gui --demo
      QCOMPARE(w.zoom(), 1.5);
      QVERIFY(w.close());
    }
    {
      MainWindow w(OpenSpec{"", p, 1});
      QCOMPARE(w.zoom(), user);
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      w.override_zoom(2.0);  // pgsim-gui --zoom 2
      QCOMPARE(w.zoom(), 2.0);
      QVERIFY(w.close());
    }
    MainWindow w(OpenSpec{"", p, 1});
    QCOMPARE(w.zoom(), user);
  }

  /// Close each dock with its title bar's × and bring it back from the View menu.
  void closedDockRestoredFromViewMenu() {
    MainWindow w(OpenSpec{"", src("examples/guests/hello.s"), 1});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QMenu* view = menu(w, "View");
    QVERIFY(view != nullptr);
    const auto docks = w.findChildren<QDockWidget*>();
    QVERIFY(docks.size() >= 6);
    for (auto* d : docks) {
      d->close();
      QTest::qWait(10);
      QVERIFY(d->isHidden());
      QAction* show = nullptr;
      for (auto* a : view->actions())
        if (a->text().remove('&') == d->windowTitle()) show = a;
      QVERIFY2(show != nullptr, qPrintable("no View menu entry for " + d->windowTitle()));
      show->trigger();
      QTest::qWait(10);
      QVERIFY(!d->isHidden());
      QVERIFY2(d->isVisible(), qPrintable(d->windowTitle() + " is not in front"));
    }
  }

  /// Edits of hello.s are autosaved, then pgsim-gui dies (no Save). Reopening the file offers the
  /// autosaved copy; Restore puts the edit back in the editor, not yet saved.
  void autosaveOfferedOnReopenRestore() {
    QString p = hello_copy("restore.s");
    make_autosave(p);
    if (QTest::currentTestFailed()) return;
    ModalAnswerer answer("Restore");
    MainWindow w(OpenSpec{"", p, 1});
    QCOMPARE(answer.texts.size(), 1);
    QVERIFY(answer.texts.front().contains("An autosaved copy newer than the file exists"));
    auto* ed = w.source_view()->editor(p);
    QVERIFY(ed != nullptr);
    QVERIFY(ed->toPlainText().contains("Howdy from PG-1!"));
    QVERIFY(ed->document()->isModified());
    QVERIFY(read_file(p).contains("Hello from PG-1!"));  // the file itself is untouched
    QVERIFY(QFile::exists(p + ".autosave"));
  }

  /// The same, answered Discard: the editor shows the file and the autosaved copy is gone.
  void autosaveOfferedOnReopenDiscard() {
    QString p = hello_copy("discard.s");
    make_autosave(p);
    if (QTest::currentTestFailed()) return;
    ModalAnswerer answer("Discard");
    MainWindow w(OpenSpec{"", p, 1});
    QCOMPARE(answer.texts.size(), 1);
    QVERIFY(answer.texts.front().contains("An autosaved copy newer than the file exists"));
    auto* ed = w.source_view()->editor(p);
    QVERIFY(ed != nullptr);
    QVERIFY(ed->toPlainText().contains("Hello from PG-1!"));
    QVERIFY(!ed->document()->isModified());
    QVERIFY(!QFile::exists(p + ".autosave"));
  }

  /// A guest that never halts, at depth 2: the Cost curve costs nothing while the Cost tab is not
  /// shown; showing it starts the computation with a visible progress; leaving the tab, Stop,
  /// and another depth each cancel it.
  void costIsLazyAndCancellable() {
    QString p = path("loop.s");
    write_file(p, "        .org RESET\nloop:\n        addi r1, r1, 1\n        jmp loop\n");
    MainWindow w(OpenSpec{"", p, 2});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    raise_dock(w, "source");
    auto* cost = w.cost_view();
    // The largest budget per depth: with the fast engine a 100 M-cycle depth takes well under the
    // 300 ms this test waits, and the computation must still be running when it looks.
    auto* budget = cost->findChild<QSpinBox*>("cost_budget");
    QVERIFY(budget != nullptr);
    budget->setValue(budget->maximum());
    QTest::qWait(300);
    QVERIFY(!cost->computing());
    QCOMPARE(cost->cycles_spent(), std::uint64_t{0});
    raise_dock(w, "cost");
    QVERIFY(cost->computing());
    auto* progress = cost->findChild<QProgressBar*>("cost_progress");
    QVERIFY(progress != nullptr);
    QTest::qWait(300);
    QVERIFY(progress->isVisible());
    QVERIFY(cost->cycles_spent() > 0);
    QVERIFY(progress->text().contains("cycles"));
    raise_dock(w, "source");  // leave the tab
    QVERIFY(!cost->computing());
    raise_dock(w, "cost");
    QVERIFY(cost->computing());
    auto* button = cost->findChild<QPushButton*>("cost_compute");
    QVERIFY(button != nullptr);
    QCOMPARE(button->text(), QString("Stop"));
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(!cost->computing());
    QCOMPARE(button->text(), QString("Compute"));
    QTest::qWait(200);
    QVERIFY(!cost->computing());
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(cost->computing());
    QVERIFY(w.open(OpenSpec{"", p, 1}));  // another depth: the old computation is cancelled
    QCOMPARE(cost->depth_points(), 0);
  }

  /// The budget per depth is shown (10^8 cycles by default) and can be changed: with 1 M cycles
  /// the never-halting guest stops at depth 1 with a message naming the budget.
  void costBudgetVisible() {
    QString p = path("loop.s");
    write_file(p, "        .org RESET\nloop:\n        addi r1, r1, 1\n        jmp loop\n");
    MainWindow w(OpenSpec{"", p, 2});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    raise_dock(w, "source");
    auto* cost = w.cost_view();
    auto* box = cost->findChild<QSpinBox*>("cost_budget");
    QVERIFY(box != nullptr);
    QCOMPARE(box->value(), 100);
    QVERIFY(box->suffix().contains("M cycles"));
    QCOMPARE(cost->budget(), std::uint64_t{100'000'000});
    box->setValue(1);
    QCOMPARE(cost->budget(), std::uint64_t{1'000'000});
    raise_dock(w, "cost");
    QVERIFY(box->isVisible());
    QElapsedTimer t;
    t.start();
    while (cost->computing() && t.elapsed() < 20000) QTest::qWait(20);
    QVERIFY(!cost->computing());
    auto* msg = cost->findChild<QLabel*>("cost_message");
    QVERIFY(msg != nullptr);
    QVERIFY2(msg->text().contains("did not halt within the budget of 1,000,000 cycles"), qPrintable(msg->text()));
    QCOMPARE(cost->depth_points(), 0);
  }

  /// Refresh the Cost view many times (as the window does while a guest runs): the chart axes it
  /// replaces are destroyed, not leaked.
  void costRefreshDoesNotLeakAxes() {
    // Declared before the window: the axes' destroyed() handlers below update them while the
    // window is destroyed at the end of this function.
    int created = 0, destroyed = 0;
    QSet<QAbstractAxis*> seen;
    MainWindow w(OpenSpec{"", src("examples/guests/hello.s"), 1});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    raise_dock(w, "cost");
    QChart* levels = nullptr;
    for (auto* v : w.cost_view()->findChildren<QChartView*>())
      if (v->chart()->title().contains("per level")) levels = v->chart();
    QVERIFY(levels != nullptr);
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
