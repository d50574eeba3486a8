// pgsim-gui with the hardware assist (issue 10, docs/pg1-assist.md), driven like a class uses it
// (offscreen): the depth selector reaches thirty and the CLI's limit, VM entries and exits are
// their own kind of event in the trap chain (exit reason, the level that handles it), and each
// monitor's card shows its guest's state description. One test function per scenario; a
// screenshot of the thirty-deep window is saved into the build tree.
#include <QApplication>
#include <QPlainTextEdit>
#include <QElapsedTimer>
#include <QSpinBox>
#include <QTest>
#include <memory>

#include "gui/levels_view.hpp"
#include "gui/main_window.hpp"
#include "gui/trap_chain_view.hpp"
#include "vmm/lesson.hpp"

using pgsim::gui::MainWindow;
using pgsim::gui::OpenSpec;

namespace {
QString src(const char* rel) { return QString(PGSIM_SOURCE_DIR) + "/" + rel; }

/// A window on `program` under `vmm` at `depth` on PG-1 + assist, shown.
std::unique_ptr<MainWindow> window(const QString& program, const QString& vmm, unsigned depth) {
  auto w = std::make_unique<MainWindow>(OpenSpec{src("examples/isa/pg1-assist.isa"), program, depth, vmm});
  w->resize(1600, 1000);
  w->show();
  if (!QTest::qWaitForWindowExposed(w.get())) QTest::qWait(50);
  return w;
}

/// Runs the session to its end (halt) in steps the test can bound.
bool run_to_halt(MainWindow& w) {
  auto* s = w.session();
  s->run_until([](const pgsim::machine::Event&) { return false; }, 50'000'000);
  w.refresh_views();
  return s->machine().halted();
}
}  // namespace

class AssistTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QApplication::setOrganizationName("pgsim-test"); }

  /// The depth selector goes to 30 and up to the CLI's limit, and choosing 30 rebuilds the stack
  /// thirty deep; the reference OS there prints what it prints on the bare machine.
  void depthSelectorReachesThirty() {
    auto w = window(src("examples/os/tinyos.s"), "assist", 3);
    auto* box = w->findChild<QSpinBox*>("depth");
    QVERIFY(box != nullptr);
    QCOMPARE(box->maximum(), static_cast<int>(pgsim::vmm::kMaxDepth));
    box->setValue(30);
    QCOMPARE(w->session()->stack().depth(), 30u);
    QVERIFY(run_to_halt(*w));
    QVERIFY(w->console()->toPlainText().contains("[os] all programs done; timer ticks: 3"));
    box->setValue(static_cast<int>(pgsim::vmm::kMaxDepth) + 1);  // clamped by the spin box: no crash
    QCOMPARE(box->value(), static_cast<int>(pgsim::vmm::kMaxDepth));
  }

  /// With every level intercepting out, the trap chain shows VM exits as their own kind of
  /// event: "VM EXIT  L3 → L2  EXIT_INTERCEPT  out r1", handled by L2; and VM entries.
  void vmExitsInTrapChain() {
    auto w = window(src("examples/guests/hello.s"), src("lessons/programs/11-assist-out.s"), 3);
    QVERIFY(run_to_halt(*w));
    auto* chain = w->trap_chain();
    int exits = 0, entries = 0, from3 = 0;
    for (int r = 0; r < chain->rows(); ++r) {
      if (!chain->is_vm_event(r)) continue;
      QString l = chain->label(r);
      if (l.contains("VM EXIT")) {
        ++exits;
        QVERIFY2(l.contains("EXIT_INTERCEPT") && l.contains("out"), qPrintable(l));
        if (l.contains("L3 → L2")) {
          ++from3;
          QVERIFY2(chain->chain_text(r).startsWith("L2 handles it"), qPrintable(chain->chain_text(r)));
        }
      } else {
        QVERIFY2(l.contains("VM ENTRY"), qPrintable(l));
        ++entries;
      }
    }
    QCOMPARE(exits, static_cast<int>(w->session()->machine().vm_exits()));
    QCOMPARE(from3, 17);  // one per character of "Hello from PG-1!\n"
    QVERIFY(entries >= exits);
    // A trap is still a trap, not a VM event (the naive monitor).
    auto n = std::make_unique<MainWindow>(OpenSpec{"", src("examples/guests/hello.s"), 2});
    QVERIFY(run_to_halt(*n));
    QVERIFY(n->trap_chain()->rows() > 0);
    for (int r = 0; r < n->trap_chain()->rows(); ++r) QVERIFY(!n->trap_chain()->is_vm_event(r));
  }

  /// Each monitor's card shows its guest's state description; the guest's card and the naive
  /// monitor's cards have none.
  void stateDescriptionInCards() {
    auto w = window(src("examples/guests/hello.s"), src("lessons/programs/11-assist-out.s"), 3);
    auto* s = w->session();
    QVERIFY(s->run_to_level(3));
    w->refresh_views();
    auto* lv = w->levels_view();
    for (unsigned k = 0; k < 3; ++k) {
      QString sd = lv->card_state_description(k);
      QVERIFY2(sd.contains("guest supervisor") && sd.contains("intercepts out") && sd.contains("timer"), qPrintable(sd));
      QVERIFY2(sd.contains("region 512+"), qPrintable(sd));
    }
    QVERIFY(lv->card_state_description(3).isEmpty());
    QVERIFY(run_to_halt(*w));
    QVERIFY2(lv->card_state_description(2).contains("last exit EXIT_INTERCEPT"), qPrintable(lv->card_state_description(2)));
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    auto n = std::make_unique<MainWindow>(OpenSpec{"", src("examples/guests/hello.s"), 2});
    for (unsigned k = 0; k <= 2; ++k) QVERIFY(n->levels_view()->card_state_description(k).isEmpty());
  }
};

QTEST_MAIN(AssistTest)
#include "gui_assist_test.moc"
