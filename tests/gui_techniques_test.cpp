// pgsim-gui and the software techniques side by side (issue 11 §5), driven like a class uses it
// (offscreen): the Translation cache view of the bt monitor, hypercalls in the trap chain under
// pv, and the comparison chart in the Cost view. One test function per scenario; every number
// the view shows is checked against what vmm/ computes for the same run.
#include <QAbstractAxis>
#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QElapsedTimer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QDockWidget>
#include <QLabel>
#include <QLocale>
#include <QTableWidget>
#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <QTest>
#include <QThread>
#include <QComboBox>
#include <memory>
#include <set>

#include "gui/cost_view.hpp"
#include "gui/main_window.hpp"
#include "gui/translation_cache_view.hpp"
#include "gui/trap_chain_view.hpp"
#include "isa/loader.hpp"
#include "vmm/bt_stats.hpp"
#include "vmm/comparison.hpp"
#include "vmm/data_files.hpp"

using pgsim::gui::CostView;
using pgsim::gui::MainWindow;
using pgsim::gui::OpenSpec;
using pgsim::gui::TranslationCacheView;
using pgsim::gui::TrapChainView;

namespace {
QString src(const char* rel) { return QString(PGSIM_SOURCE_DIR) + "/" + rel; }

/// A window on `program` under `vmm` at `depth` on PG-1, shown.
std::unique_ptr<MainWindow> window(const QString& program, const QString& vmm, unsigned depth) {
  auto w = std::make_unique<MainWindow>(OpenSpec{"", program, depth, vmm});
  w->resize(1600, 1000);
  w->show();
  if (!QTest::qWaitForWindowExposed(w.get())) QTest::qWait(50);
  return w;
}

/// Runs the session to its end (halt) and redraws the views, as the Run button does when it stops.
bool run_to_halt(MainWindow& w) {
  auto* s = w.session();
  s->run_until([](const pgsim::machine::Event&) { return false; }, 50'000'000);
  w.refresh_views();
  return s->machine().halted();
}

/// Pixels of `img` within a small distance of colour `c`.
int pixels_near(const QImage& img, const QColor& c) {
  int n = 0;
  for (int y = 0; y < img.height(); ++y)
    for (int x = 0; x < img.width(); ++x) {
      const QColor p = img.pixelColor(x, y);
      if (std::abs(p.red() - c.red()) + std::abs(p.green() - c.green()) + std::abs(p.blue() - c.blue()) < 24) ++n;
    }
  return n;
}

void raise_dock(MainWindow& w, const char* name) {
  auto* d = w.findChild<QDockWidget*>(name);
  QVERIFY(d != nullptr);
  d->show();
  d->raise();
  QApplication::processEvents();
}
}  // namespace

class TechniquesTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QApplication::setOrganizationName("pgsim-test"); }

  /// tinyos under bt, run to its end: the Translation cache view lists every TU of the TC, its
  /// counters and each TU's IDENT / non-IDENT counts are those of vmm::read_bt_stats, and the most
  /// hit TU's guest code (with its tinyos.s line) stands beside its CCF, marked and coloured.
  void tcViewListsTranslationUnits() {
    auto w = window(src("examples/os/tinyos.s"), "bt", 1);
    raise_dock(*w, "translation_cache");
    QVERIFY(run_to_halt(*w));
    auto* tc = w->translation_cache_view();
    QVERIFY(tc != nullptr);
    QVERIFY(tc->showing_cache());
    auto st = pgsim::vmm::read_bt_stats(w->session()->stack(), 0, true);
    QVERIFY(st.has_value());
    QVERIFY(st->tus > 0);
    QCOMPARE(tc->tu_rows(), static_cast<int>(st->cache.size()));
    const QString counters = tc->findChild<QLabel*>("tc_counters")->text();
    QCOMPARE(counters, tc->counters_text());
    for (auto [name, value] : {std::pair{"TUs", st->tus}, {"IDENT", st->ident}, {"non-IDENT", st->non_ident},
                               {"CCF words", st->ccf_words}, {"hits", st->hits}, {"misses", st->misses},
                               {"chains", st->chains}, {"call-outs", st->callouts},
                               {"invalidations", st->invalidations}}) {
      const QString shown = QString("%1 %2").arg(name, QLocale(QLocale::English).toString(qulonglong(value)));
      QVERIFY2(counters.startsWith(shown + " ") || counters.contains(" " + shown + " ") || counters.endsWith(" " + shown),
               qPrintable(counters + " lacks " + shown));
    }
    // Every TU of the TC once, the most hit first, with its IDENT / non-IDENT counts.
    auto* table = tc->findChild<QTableWidget*>("tc_tus");
    QVERIFY(table != nullptr);
    std::uint64_t ident = 0, non_ident = 0, prev_hits = ~0ull;
    for (int r = 0; r < tc->tu_rows(); ++r) {
      const auto& tu = tc->tu_at(r);
      QVERIFY(tu.hits <= prev_hits);
      prev_hits = tu.hits;
      std::uint64_t i = 0;
      for (const auto& g : tu.guest) i += g.ident;
      QCOMPARE(table->item(r, 3)->text().toULongLong(), i);
      QCOMPARE(table->item(r, 4)->text().toULongLong(), tu.guest.size() - i);
      QCOMPARE(table->item(r, 0)->text().toUInt(), tu.guest_pc);
      ident += i;
      non_ident += tu.guest.size() - i;
    }
    std::uint64_t want_ident = 0, want_non = 0;
    for (const auto& tu : st->cache)
      for (const auto& g : tu.guest) (g.ident ? want_ident : want_non) += 1;
    QCOMPARE(ident, want_ident);
    QCOMPARE(non_ident, want_non);
    QVERIFY(want_ident > 0 && want_non > 0);
    // The detail of the first (most hit) TU: guest code beside the CCF.
    tc->select_tu(0);
    const auto& tu = tc->tu_at(0);
    QVERIFY(tc->detail_rows() >= static_cast<int>(tu.guest.size()));
    for (int r = 0; r < static_cast<int>(tu.guest.size()); ++r) {
      const auto& g = tu.guest[static_cast<std::size_t>(r)];
      QCOMPARE(tc->detail_text(r, 0).toUInt(), g.pc);
      QCOMPARE(tc->detail_text(r, 1), g.ident ? QString("= IDENT") : QString("≠ non-IDENT"));
      QCOMPARE(tc->detail_color(r, 2), g.ident ? TranslationCacheView::ident_color() : TranslationCacheView::non_ident_color());
      QCOMPARE(tc->detail_text(r, 2), QString::fromStdString(g.text));
      QVERIFY2(tc->detail_text(r, 3).startsWith("tinyos.s:"), qPrintable(tc->detail_text(r, 3)));
    }
    QCOMPARE(tc->detail_rows(), static_cast<int>(std::max(tu.guest.size(), tu.code.size())));
    for (int r = 0; r < static_cast<int>(tu.code.size()); ++r)
      QCOMPARE(tc->detail_text(r, 6), QString::fromStdString(tu.code[static_cast<std::size_t>(r)].text));
    w->grab().save(QString(PGSIM_BINARY_DIR_FOR_TESTS) + "/gui-translation-cache.png");
  }

  /// Stepping refreshes the view: before the guest's kernel ran the cache is empty; after some
  /// steps the view shows the TUs vmm::read_bt_stats reads at that moment; Reset empties it again.
  void tcViewFollowsSteps() {
    auto w = window(src("examples/os/tinyos.s"), "bt", 1);
    auto* tc = w->translation_cache_view();
    QVERIFY(tc->showing_cache());
    QCOMPARE(tc->tu_rows(), 0);
    w->session()->run(3000);  // as Run does, then a Step refreshes the views
    w->do_step();
    auto st = pgsim::vmm::read_bt_stats(w->session()->stack(), 0, true);
    QVERIFY(st.has_value());
    QVERIFY(!st->cache.empty());
    QCOMPARE(tc->tu_rows(), static_cast<int>(st->cache.size()));
    QVERIFY2(tc->counters_text().startsWith(QString("TUs %1 ").arg(st->tus)), qPrintable(tc->counters_text()));
    w->do_reset();
    QCOMPARE(tc->tu_rows(), 0);
  }

  /// Under another monitor, or at depth 0, the view says clearly why there is no cache and how to
  /// see one.
  void tcViewExplainsOtherMonitors() {
    auto w = window(src("examples/os/tinyos.s"), "trap-and-emulate", 2);
    auto* tc = w->translation_cache_view();
    QVERIFY(!tc->showing_cache());
    QVERIFY2(tc->message().contains("not the binary-translating monitor") && tc->message().contains("--vmm bt"),
             qPrintable(tc->message()));
    QCOMPARE(tc->tu_rows(), 0);
    auto bare = window(src("examples/os/tinyos.s"), "bt", 0);
    QVERIFY(!bare->translation_cache_view()->showing_cache());
    QVERIFY2(bare->translation_cache_view()->message().contains("bare machine"),
             qPrintable(bare->translation_cache_view()->message()));
  }

  /// tinyos-pv under pv: each `svc 256..264` its kernel makes is a hypercall event in the trap
  /// chain, labelled with the hypercall's name as docs/hypercalls.md names it, drawn in the
  /// hypercall colour, and listed in the legend; its programs' system calls stay traps that L0
  /// reflects. Under trap-and-emulate no event is a hypercall.
  void pvHypercallsInTrapChain() {
    auto w = window(src("examples/os/tinyos-pv.s"), "pv", 1);
    QVERIFY(run_to_halt(*w));
    auto* chain = w->trap_chain();
    QVERIFY(chain->legend().contains("hypercall"));
    QFile doc(src("docs/hypercalls.md"));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    const QString table = QString::fromUtf8(doc.readAll());
    const QRegularExpression name("HYPERCALL  (HC_[A-Z_]+) \\((\\d+)\\)  svc (\\d+)");
    std::set<QString> seen;
    int hypercalls = 0, reflected_svcs = 0, first = -1;
    const int svc = static_cast<int>(w->session()->machine().isa().constants.at("SVC"));
    for (int r = 0; r < chain->rows(); ++r) {
      const auto& t = chain->record(r);
      const QString label = chain->label(r);
      if (!chain->hypercall(r)) {
        QVERIFY2(!label.contains("HYPERCALL"), qPrintable(label));
        if (static_cast<int>(t.cause) == svc) ++reflected_svcs;
        continue;
      }
      ++hypercalls;
      if (first < 0) first = r;
      QCOMPARE(static_cast<int>(t.cause), svc);
      QVERIFY(t.info >= 256 && t.info <= 264);
      const auto m = name.match(label);
      QVERIFY2(m.hasMatch(), qPrintable(label));
      QCOMPARE(m.captured(2).toUInt(), t.info);
      QCOMPARE(m.captured(3).toUInt(), t.info);
      QVERIFY2(table.contains("| " + m.captured(2) + " | `" + m.captured(1) + "` |"), qPrintable(label));
      QVERIFY2(chain->chain_text(r) == "L0 handles hypercall " + m.captured(1) + " (" + m.captured(2) + ")",
               qPrintable(chain->chain_text(r)));
      seen.insert(m.captured(1));
    }
    QVERIFY(hypercalls > 10);
    QVERIFY(seen.count("HC_CONSOLE_WRITE") && seen.count("HC_SET_TRAP_TABLE"));
    QVERIFY(reflected_svcs > 0);  // the programs' own system calls are no hypercalls
    // Drawn in the hypercall colour: the event's row has it, a reflected system call's has not.
    chain->scroll_to_row(first);
    QApplication::processEvents();
    const QImage rows = chain->viewport()->grab().toImage().copy(0, chain->row_y(first), chain->viewport()->width(),
                                                                 chain->row_height());
    QVERIFY(pixels_near(rows, TrapChainView::hypercall_color()) > 50);
    auto te = window(src("examples/os/tinyos.s"), "trap-and-emulate", 1);
    QVERIFY(run_to_halt(*te));
    QVERIFY(te->trap_chain()->rows() > 0);
    for (int r = 0; r < te->trap_chain()->rows(); ++r) QCOMPARE(te->trap_chain()->hypercall(r), 0u);
    const int r0 = te->trap_chain()->rows() - 1;
    te->trap_chain()->scroll_to_row(r0);
    QApplication::processEvents();
    const QImage plain = te->trap_chain()->viewport()->grab().toImage().copy(
        0, te->trap_chain()->row_y(r0), te->trap_chain()->viewport()->width(), te->trap_chain()->row_height());
    QCOMPARE(pixels_near(plain, TrapChainView::hypercall_color()), 0);
  }

  /// The Cost view's second tab is `pgsim compare`'s table as a chart: in front, it computes in
  /// the background (the window keeps answering), then shows one bar set per monitor over the
  /// four workloads with the values vmm::compare gives for the same runs; the metric box switches
  /// to real traps (the bare machine's bars first), instructions and cycles. At 1280x720 no
  /// axis label is cut.
  void comparisonChartMatchesCompare() {
    auto w = window(src("examples/os/tinyos.s"), "trap-and-emulate", 1);
    w->resize(1280, 720);
    raise_dock(*w, "cost");
    auto* cost = w->cost_view();
    QVERIFY(!cost->comparing());
    QVERIFY(cost->comparison().empty());  // lazy: nothing until its tab is in front
    cost->show_comparison();
    QVERIFY(cost->comparing());           // in the background: the call returned at once
    QVERIFY(cost->comparison().empty());
    QElapsedTimer t;
    t.start();
    while (cost->comparing() && t.elapsed() < 120000) QTest::qWait(50);
    QVERIFY(!cost->comparing());
    // The same comparison, computed here with vmm/comparison.
    auto pg1 = pgsim::isa::load_isa(pgsim::vmm::find_isa(""));
    auto monitors = pgsim::vmm::compared_monitors(pg1, "", {});
    auto rows = pgsim::vmm::compare(pg1, pgsim::vmm::default_workloads(), monitors, {});
    QCOMPARE(cost->comparison().size(), rows.size());
    QCOMPARE(cost->compared_monitors().size(), monitors.size());
    auto* series = cost->comparison_series();
    QVERIFY(series != nullptr);
    QCOMPARE(series->count(), static_cast<int>(monitors.size()));  // one bar set per monitor
    for (std::size_t i = 0; i < monitors.size(); ++i) {
      auto* set = series->barSets()[static_cast<int>(i)];
      QCOMPARE(set->label(), QString::fromStdString(monitors[i].name));
      QCOMPARE(set->count(), static_cast<int>(rows.size()));
      for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& m = rows[r].monitors[i];
        const double want = m.ran ? double(m.cycles) / double(rows[r].bare.cycles) : 0.0;
        QCOMPARE(set->at(static_cast<int>(r)), want);
      }
    }
    auto* x = qobject_cast<QBarCategoryAxis*>(series->attachedAxes().value(0));
    QVERIFY(x != nullptr);
    QStringList names;
    for (const auto& r : rows) names << QString::fromStdString(r.workload.name);
    QCOMPARE(x->categories(), names);
    QVERIFY(series->isLabelsVisible());
    QTest::qWait(200);
    w->grab().save(QString(PGSIM_BINARY_DIR_FOR_TESTS) + "/gui-compare-ratio-1280.png");
    for (auto* a : series->attachedAxes()) QVERIFY2(!a->labelsTruncated(), qPrintable(a->titleText()));
    // Real traps: the bare machine first, then each monitor.
    auto* metric = cost->findChild<QComboBox*>("cost_metric");
    QVERIFY(metric != nullptr);
    metric->setCurrentIndex(static_cast<int>(CostView::Metric::RealTraps));
    series = cost->comparison_series();
    QCOMPARE(series->count(), static_cast<int>(monitors.size()) + 1);
    QCOMPARE(series->barSets()[0]->label(), QString("bare machine"));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      QCOMPARE(series->barSets()[0]->at(static_cast<int>(r)), double(rows[r].bare.real_traps));
      for (std::size_t i = 0; i < monitors.size(); ++i)
        QCOMPARE(series->barSets()[static_cast<int>(i) + 1]->at(static_cast<int>(r)),
                 rows[r].monitors[i].ran ? double(rows[r].monitors[i].real_traps) : 0.0);
    }
    // Readable at 1280x720: every axis label whole, the chart's text no smaller than the window's.
    QTest::qWait(200);  // laid out and painted, the previous metric's axes deleted
    auto* view = cost->findChild<QChartView*>("cost_compare_chart");
    QVERIFY(view != nullptr && view->isVisible());
    w->grab().save(QString(PGSIM_BINARY_DIR_FOR_TESTS) + "/gui-compare-1280.png");
    for (auto* a : view->chart()->axes()) QVERIFY2(!a->labelsTruncated(), qPrintable(a->titleText()));
    QVERIFY(view->chart()->legend()->font().pointSizeF() >= cost->font().pointSizeF());
  }

  /// Stop cancels the comparison at once (a run is cut between two slices), and what the worker
  /// had finished is not drawn afterwards; Compare starts over.
  void comparisonCancellable() {
    auto w = window(src("examples/guests/hello.s"), "trap-and-emulate", 1);
    raise_dock(*w, "cost");
    auto* cost = w->cost_view();
    cost->findChild<QSpinBox*>("cost_compare_depth")->setValue(3);  // two minutes of runs
    cost->show_comparison();
    QVERIFY(cost->comparing());
    auto* progress = cost->findChild<QProgressBar*>("cost_compare_progress");
    QVERIFY(progress != nullptr && progress->isVisible());
    QElapsedTimer t;
    t.start();
    while (progress->value() < 3 && t.elapsed() < 60000) QTest::qWait(20);  // a few runs done
    QVERIFY(progress->value() >= 3);
    auto* button = cost->findChild<QPushButton*>("cost_compare");
    QCOMPARE(button->text(), QString("Stop"));
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(!cost->comparing());
    QTest::qWait(200);  // anything the worker queued arrives now
    QVERIFY(cost->comparison().empty());
    QVERIFY(cost->comparison_series() == nullptr);
    QVERIFY2(cost->findChild<QLabel*>("cost_compare_message")->text().contains("stopped"),
             qPrintable(cost->findChild<QLabel*>("cost_compare_message")->text()));
    QCOMPARE(button->text(), QString("Compare"));
    // Hiding the tab does not restart it (the user stopped it); Compare at depth 1 does, to the end.
    cost->findChild<QSpinBox*>("cost_compare_depth")->setValue(1);
    QVERIFY(!cost->comparing());
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(cost->comparing());
    t.restart();
    while (cost->comparing() && t.elapsed() < 120000) QTest::qWait(50);
    QCOMPARE(cost->comparison().size(), pgsim::vmm::default_workloads().size());
  }

  /// The cost-of-depth curve: a point the worker computed just before Stop is not drawn late
  /// (it used to arrive after the cancel); started again, the curve has each depth once.
  void costNoLatePointAfterStop() {
    // A window not shown: the curve starts only when asked, and no event is handled between
    // start() and stop() below.
    MainWindow w(OpenSpec{"", src("examples/guests/hello.s"), 3, "trap-and-emulate"});
    auto* cost = w.cost_view();
    QVERIFY(!cost->computing());
    cost->start();
    QVERIFY(cost->computing());
    // Without letting the window handle events, wait until depth 1's point has been queued (the
    // worker is past it), then stop.
    QElapsedTimer t;
    t.start();
    while (cost->depth_being_computed() < 2 && t.elapsed() < 60000) QThread::msleep(5);
    QVERIFY(cost->depth_being_computed() >= 2);
    cost->stop();
    QTest::qWait(200);
    QCOMPARE(cost->depth_points(), 0);
    cost->start();
    t.restart();
    while (cost->computing() && t.elapsed() < 120000) QTest::qWait(50);
    QCOMPARE(cost->depth_points(), 3);  // depths 1, 2, 3, each once
  }
};

QTEST_MAIN(TechniquesTest)
#include "gui_techniques_test.moc"
