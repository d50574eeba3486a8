// pgsim-gui's stepping, history and status, driven like a person uses them (offscreen): the
// step commands stop before the line about to run, Finish trap, clicking an event keeps the
// recorded future and Forward walks it, the "you are here" marker, a trap chain far past Qt's
// widget size limit, the console following new output, a halt shown as such, a timer livelock shown
// with its reason (issue 10), and a breakpoint stop that says which breakpoint. One test function
// per scenario (issue 8 items 1, 2, 9, 10, 12).
#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QTextBlock>
#include <cstdio>
#include <memory>

#include "gui/code_editor.hpp"
#include "gui/levels_view.hpp"
#include "gui/main_window.hpp"
#include "gui/source_view.hpp"
#include "gui/trap_chain_view.hpp"

using pgsim::gui::MainWindow;
using pgsim::gui::OpenSpec;

namespace {
QString src(const char* rel) { return QString(PGSIM_SOURCE_DIR) + "/" + rel; }
QString out(const char* name) { return QString(PGSIM_BINARY_DIR_FOR_TESTS) + "/" + name; }

/// Warnings Qt printed while a test ran (e.g. "QWidget::setMaximumSize: ...").
QStringList qt_warnings;
void collect(QtMsgType type, const QMessageLogContext&, const QString& msg) {
  if (type == QtWarningMsg || type == QtCriticalMsg) qt_warnings << msg;
}

void trigger(MainWindow& w, const char* name) {
  auto* a = w.findChild<QAction*>(name);
  QVERIFY2(a != nullptr, name);
  a->trigger();
}

/// Presses Run (F5) and waits until the window is paused again (a breakpoint or a halt).
bool run_until_paused(MainWindow& w, int ms = 60000) {
  trigger(w, "run");
  QElapsedTimer t;
  t.start();
  while (w.running() && t.elapsed() < ms) QTest::qWait(10);
  return !w.running();
}

/// The path of the guest's source file whose name ends with `tail`.
QString file_of(const pgsim::vmm::Session& s, const std::string& tail) {
  for (const auto& l : s.stack().guest_image().lines)
    if (l.file->path.size() >= tail.size() && l.file->path.compare(l.file->path.size() - tail.size(), tail.size(), tail) == 0)
      return QString::fromStdString(l.file->path);
  return {};
}

/// A window on `program` at `depth`, shown and active.
std::unique_ptr<MainWindow> window(const QString& program, unsigned depth) {
  auto w = std::make_unique<MainWindow>(OpenSpec{"", program, depth});
  w->resize(1600, 1000);
  w->show();
  w->activateWindow();
  if (!QTest::qWaitForWindowActive(w.get())) QTest::qWait(50);
  return w;
}

/// The line the Source view shows as the one about to run: its current tab and cursor line.
QString shown_line(MainWindow& w) {
  auto* ed = qobject_cast<pgsim::gui::CodeEditor*>(w.source_view()->currentWidget());
  if (!ed) return {};
  QString path = w.source_view()->current_path();
  return QString("%1:%2").arg(path.mid(path.lastIndexOf('/') + 1)).arg(ed->textCursor().blockNumber() + 1);
}
}  // namespace

class SteppingTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("pgsim-test");  // keep the user's settings out of it
    qInstallMessageHandler(collect);
  }
  void init() { qt_warnings.clear(); }

  /// F8 on `out r1` (print.s:48) in the guest OS at depth 2 stops with print.s:49 shown, not run.
  void stepOverOutStopsBeforeNextLine() {
    auto w = window(src("examples/os/tinyos.s"), 2);
    auto* s = w->session();
    QString print = file_of(*s, "lib/print.s");
    QVERIFY(w->toggle_line_breakpoint(print, 48));
    QVERIFY(run_until_paused(*w));
    QCOMPARE(shown_line(*w), QString("print.s:48"));
    QVERIFY(!w->toggle_line_breakpoint(print, 48));
    const auto r2 = s->view(2).regs[2];
    QTest::keyClick(w.get(), Qt::Key_F8);
    QCOMPARE(shown_line(*w), QString("print.s:49"));  // the line about to run
    QVERIFY(s->about_to_run(2));
    QCOMPARE(s->view(2).regs[2], r2);  // `addi r2, r2, 1` (line 49) has not run
    QVERIFY(w->status_text().contains("paused, L2 about to run"));
  }

  /// Finish trap (Shift+F8, Run menu and toolbar) from inside the handling returns to the guest.
  void finishTrap() {
    auto w = window(src("examples/os/tinyos.s"), 2);
    auto* s = w->session();
    auto* finish = w->findChild<QAction*>("finish_trap");
    QVERIFY(finish);
    QCOMPARE(finish->shortcut(), QKeySequence("Shift+F8"));
    bool in_menu = false;
    for (auto* m : w->menuBar()->findChildren<QMenu*>())
      if (m->title() == "&Run") in_menu = m->actions().contains(finish);
    QVERIFY(in_menu);
    QVERIFY(!finish->associatedObjects().isEmpty());
    while (s->traps().empty() || s->traps().back().level != 2) trigger(*w, "next_trap");
    const auto trapped_pc = s->traps().back().real_pc - s->stack().level_origin(2);
    // Step in level L1 (F11): into L1's handling of the guest's trap (L1 emulates it).
    QSpinBox* level_box = nullptr;
    for (auto* b : w->findChildren<QSpinBox*>())
      if (b->prefix() == "L") level_box = b;
    QVERIFY(level_box);
    level_box->setValue(1);
    QTest::keyClick(w.get(), Qt::Key_F11);
    QVERIFY(s->about_to_run(1));
    QCOMPARE(s->trap_in_progress(), std::optional<unsigned>(2));
    QTest::keyClick(w.get(), Qt::Key_F8, Qt::ShiftModifier);
    QVERIFY(s->about_to_run(2));
    QCOMPARE(s->view(2).pc, trapped_pc + 1);
    QVERIFY2(w->status_text().contains("finished the trap: L2 about to run again"), qPrintable(w->status_text()));
    const auto steps = s->steps();
    QTest::keyClick(w.get(), Qt::Key_F8, Qt::ShiftModifier);
    QCOMPARE(s->steps(), steps);
    QVERIFY2(w->status_text().contains("no trap in progress"), qPrintable(w->status_text()));
  }

  /// Clicking an event goes back to it and keeps what came after; Forward walks it again.
  void clickEventKeepsHistoryAndForward() {
    auto w = window(src("examples/os/tinyos.s"), 2);
    auto* s = w->session();
    for (int i = 0; i < 40; ++i) trigger(*w, "next_trap");
    const auto end = s->machine().snapshot();
    const auto end_step = s->steps();
    auto* chain = w->trap_chain();
    const int rows = chain->rows();
    QCOMPARE(rows, 40);
    const int r = chain->first_visible_row() + 1;  // a row in view, well before the end
    const auto clicked = chain->record(r).step;
    const auto next = chain->record(r + 1).step;
    QTest::mouseClick(chain->viewport(), Qt::LeftButton, {}, QPoint(40, chain->row_y(r) + chain->row_height() / 2));
    QCOMPARE(s->steps(), clicked + 1);
    QCOMPARE(chain->rows(), rows);  // the later events are still there
    QCOMPARE(s->horizon(), end_step);
    QVERIFY(w->status_text().contains("in the past"));
    auto* input = w->findChild<QLineEdit*>("console_input");
    QVERIFY(input);
    QVERIFY(input->placeholderText().contains("rewrites the recorded future"));
    QTest::keyClick(w.get(), Qt::Key_Right, Qt::AltModifier);  // Forward
    QCOMPARE(s->steps(), next + 1);
    QCOMPARE(chain->current_row(), r + 1);
    trigger(*w, "back_to_previous_trap");
    QCOMPARE(s->steps(), clicked + 1);
    trigger(*w, "forward_to_present");
    QCOMPARE(s->steps(), end_step);
    QVERIFY(s->machine().snapshot() == end);
    QVERIFY(!w->status_text().contains("in the past"));
  }

  /// The current event carries a visible "you are here" marker; the future after it is faded.
  void youAreHereMarker() {
    auto w = window(src("examples/os/tinyos.s"), 3);
    auto* s = w->session();
    for (int i = 0; i < 24; ++i) trigger(*w, "next_trap");
    auto* chain = w->trap_chain();
    if (auto* d = w->findChild<QDockWidget*>("trap_chain")) d->raise();
    QCOMPARE(chain->current_row(), chain->rows() - 1);  // at the present: the newest event
    const int r = chain->rows() - 8;
    QTest::mouseClick(chain->viewport(), Qt::LeftButton, {}, QPoint(40, chain->row_y(r) + chain->row_height() / 2));
    QCOMPARE(chain->current_row(), r);
    QVERIFY(chain->in_future(r + 1));
    QVERIFY(!chain->in_future(r));
    QVERIFY(chain->summary().contains("recorded future"));
    // The marker is drawn: the highlight stripe at the left edge of its row, and nowhere else.
    QImage img = chain->viewport()->grab().toImage();
    const QColor stripe = chain->palette().highlight().color();
    auto at = [&](int row) { return QColor(img.pixel(2, chain->row_y(row) + chain->row_height() / 2)); };
    QCOMPARE(at(r), stripe);
    QVERIFY(at(r - 1) != stripe);
    QVERIFY(at(r + 1) != stripe);
    w->grab().save(out("gui-trap-chain-you-are-here.png"));
    chain->grab().save(out("trap-chain-you-are-here.png"));
    QCOMPARE(s->steps(), chain->record(r).step + 1);
  }

  /// 393,005 traps (the OS at depth 8): rows × row height is past Qt's 16,777,215 px widget
  /// limit; the last event (the halt's) is reachable, clickable, and Qt prints no warnings.
  void trapChainReachesLastOfHugeRun() {
    auto w = window(src("examples/os/tinyos.s"), 8);
    w->set_zoom(1.5);  // as projected in a lecture
    auto* s = w->session();
    s->set_trap_record_limit(1'000'000);
    s->run(2'000'000'000);
    QVERIFY(s->machine().halted());
    auto* chain = w->trap_chain();
    QElapsedTimer t;
    t.start();
    chain->refresh();
    chain->viewport()->repaint();
    std::printf("trap chain: %d events, first refresh + repaint %.1f ms\n", chain->rows(), t.nsecsElapsed() / 1e6);
    t.restart();
    chain->verticalScrollBar()->setValue(chain->rows() / 2);
    chain->viewport()->repaint();
    std::printf("trap chain: scroll to the middle + repaint %.1f ms\n", t.nsecsElapsed() / 1e6);
    w->refresh_views();
    QCOMPARE(static_cast<std::uint64_t>(chain->rows()), s->machine().traps());
    QVERIFY(static_cast<double>(chain->rows()) * chain->row_height() > 16'777'215.0);
    QVERIFY(chain->summary().contains("393,005 events"));
    chain->verticalScrollBar()->setValue(chain->verticalScrollBar()->maximum());
    const int last = chain->rows() - 1;
    const int y = chain->row_y(last) + chain->row_height() / 2;
    QVERIFY(y < chain->viewport()->height());
    QCOMPARE(chain->row_at(y), last);
    QSignalSpy spy(chain, &pgsim::gui::TrapChainView::trap_clicked);
    QTest::mouseClick(chain->viewport(), Qt::LeftButton, {}, QPoint(40, y));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toULongLong(), s->recorded_traps().back().step);
    // (The offscreen platform's own "does not support propagateSizeHints()" is not ours.)
    const QStringList widget_warnings = qt_warnings.filter("QWidget");
    QVERIFY2(widget_warnings.isEmpty(), qPrintable(widget_warnings.join('\n')));
  }

  /// The Console follows new output to its last line.
  void consoleScrollsToNewOutput() {
    QString prog = out("many-lines.s");
    QFile f(prog);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("        .org RESET\n        li r3, 120\nloop:   li r1, 'x'\n        out r1\n        li r1, 10\n"
            "        out r1\n        addi r3, r3, -1\n        bne r3, r0, loop\n        halt\n");
    f.close();
    auto w = window(prog, 1);
    if (auto* d = w->findChild<QDockWidget*>("console_dock")) d->raise();
    QVERIFY(run_until_paused(*w));
    QVERIFY(w->session()->machine().halted());
    auto* console = w->console();
    QCOMPARE(console->document()->blockCount(), 121);
    auto* sb = console->verticalScrollBar();
    QVERIFY(sb->maximum() > 0);
    QCOMPARE(sb->value(), sb->maximum());
    // The last line is in view.
    QTextCursor bottom = console->cursorForPosition(QPoint(2, console->viewport()->height() - 4));
    QVERIFY(bottom.blockNumber() >= 118);
  }

  /// After a halt, the level card says HALTED (none says RUNNING) and so does the status bar.
  void haltShowsHalted() {
    auto w = window(src("examples/guests/hello.s"), 2);
    QVERIFY(run_until_paused(*w));
    auto* s = w->session();
    QVERIFY(s->machine().halted());
    int halted = 0;
    for (unsigned k = 0; k <= 2; ++k) {
      QString t = w->levels_view()->card_title(k);
      QVERIFY2(!t.contains("RUNNING"), qPrintable(t));
      halted += t.contains("HALTED");
    }
    QCOMPARE(halted, 1);
    QVERIFY(w->levels_view()->card_title(s->running_level()).contains("HALTED"));
    QVERIFY2(w->status_text().contains("halted"), qPrintable(w->status_text()));
    QVERIFY2(!w->status_text().contains("running"), qPrintable(w->status_text()));
  }

  /// A guest in a timer livelock under the naive VMM (examples/os/quantum.s at depth 5): Run
  /// stops by itself, and the status bar says why, with the level and the period.
  void timerLivelockShowsReason() {
    auto w = window(src("examples/os/quantum.s"), 5);
    QVERIFY(run_until_paused(*w));
    auto* s = w->session();
    QVERIFY(s->stack().livelock().has_value());
    QVERIFY(!s->machine().halted());
    QVERIFY2(w->status_text().contains("stopped: timer livelock in L5: its timer period is 4000 cycles"),
             qPrintable(w->status_text()));
    QVERIFY2(w->status_text().contains(QString("one tick costs %1 cycles at depth 5").arg(s->stack().livelock()->tick_cycles)),
             qPrintable(w->status_text()));
    trigger(*w, "run");  // Run again: nothing more happens, the reason stays
    QTest::qWait(100);
    QVERIFY(!w->running());
    QVERIFY(w->status_text().contains("timer livelock"));
  }

  /// A breakpoint stop says which breakpoint: a source line, a trap cause.
  void breakpointStopNamesBreakpoint() {
    auto w = window(src("examples/os/tinyos.s"), 2);
    QString print = file_of(*w->session(), "lib/print.s");
    QVERIFY(w->toggle_line_breakpoint(print, 48));
    QVERIFY(run_until_paused(*w));
    QVERIFY2(w->status_text().contains("stopped at breakpoint print.s:48 (L2)"), qPrintable(w->status_text()));
    QVERIFY(!w->toggle_line_breakpoint(print, 48));
    auto* priv = w->findChild<QAction*>("break_cause_PRIV");
    QVERIFY(priv);
    priv->trigger();
    QVERIFY(run_until_paused(*w));
    const auto level = w->session()->traps().back().level;
    QVERIFY2(w->status_text().contains(QString("stopped at breakpoint on trap cause PRIV (L%1 trapped)").arg(level)),
             qPrintable(w->status_text()));
    trigger(*w, "step");  // any other command: the note goes
    QVERIFY(!w->status_text().contains("breakpoint"));
  }
};

QTEST_MAIN(SteppingTest)
#include "gui_stepping_test.moc"
