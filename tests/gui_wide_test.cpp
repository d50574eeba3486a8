// pgsim-gui on a machine with 36-bit words (issue 12, "word widths up to 64 bits"), driven as a
// user does (offscreen): the Storage view shows each word with the digits a 36-bit word has, in
// hex, decimal (signed at bit 35) and octal (the PDP-10's notation).
#include <QApplication>
#include <QComboBox>
#include <QTableView>
#include <QTest>
#include <memory>

#include "gui/main_window.hpp"
#include "gui/storage_view.hpp"

using pgsim::gui::MainWindow;
using pgsim::gui::OpenSpec;

namespace {
QString src(const char* rel) { return QString(PGSIM_SOURCE_DIR) + "/" + rel; }
}  // namespace

class WideTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QApplication::setOrganizationName("pgsim-test"); }

  /// The words `big` (2^35 - 1) and `out` (2^35 after the run) in the three modes of "words as".
  void storageShows36BitWords() {
    MainWindow w(OpenSpec{src("tests/data/wide36.isa"), src("tests/data/wide36.s"), 0});
    w.resize(1600, 1000);
    w.show();
    if (!QTest::qWaitForWindowExposed(&w)) QTest::qWait(50);
    auto* s = w.session();
    QVERIFY(s != nullptr);
    s->run_until([](const pgsim::machine::Event&) { return false; }, 1'000'000);
    w.refresh_views();
    QVERIFY(s->machine().halted());
    auto* view = w.storage_view();
    auto* model = view->model();
    auto* mode = view->findChild<QComboBox*>();
    QVERIFY(mode != nullptr);
    const int big = 20, out = 21;  // .org 16 + four instructions
    auto word = [&](int row) { return model->data(model->index(row, 2), Qt::DisplayRole).toString(); };
    QCOMPARE(word(big), QString("7ffffffff"));
    QCOMPARE(word(out), QString("800000000"));
    mode->setCurrentText("decimal");
    QCOMPARE(word(big), QString("34359738367"));
    QCOMPARE(word(out), QString("-34359738368"));
    mode->setCurrentText("octal");
    QCOMPARE(word(big), QString("377777777777"));
    QCOMPARE(word(out), QString("400000000000"));
  }
};

QTEST_MAIN(WideTest)
#include "gui_wide_test.moc"
