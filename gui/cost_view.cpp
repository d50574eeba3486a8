#include "gui/cost_view.hpp"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QStackedBarSeries>
#include <QValueAxis>

#include "gui/level_colors.hpp"

namespace pgsim::gui {

CostView::CostView(QWidget* parent) : QWidget(parent) {
  auto* h = new QHBoxLayout(this);
  levels_view_ = new QChartView(new QChart, this);
  depth_view_ = new QChartView(new QChart, this);
  levels_view_->setRenderHint(QPainter::Antialiasing);
  depth_view_->setRenderHint(QPainter::Antialiasing);
  h->addWidget(levels_view_);
  h->addWidget(depth_view_);
  auto* c = depth_view_->chart();
  c->setTitle("The cost of depth: per guest trap (log scale)");
  traps_series_ = new QLineSeries;
  traps_series_->setName("real traps");
  cycles_series_ = new QLineSeries;
  cycles_series_->setName("real cycles / 100");
  traps_series_->setPointsVisible(true);
  cycles_series_->setPointsVisible(true);
  c->addSeries(traps_series_);
  c->addSeries(cycles_series_);
  auto* x = new QValueAxis;
  x->setTitleText("depth");
  x->setLabelFormat("%d");
  auto* y = new QLogValueAxis;
  y->setBase(2);
  y->setLabelFormat("%g");
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y, Qt::AlignLeft);
  for (auto* s : {traps_series_, cycles_series_}) {
    s->attachAxis(x);
    s->attachAxis(y);
  }
  levels_view_->chart()->setTitle("Cycles per level so far");
}

CostView::~CostView() { stop_worker(); }

void CostView::stop_worker() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
  cancel_ = false;
}

int CostView::depth_points() const { return static_cast<int>(traps_series_->count()); }

void CostView::add_point(unsigned depth, double traps, double cycles) {
  traps_series_->append(depth, std::max(traps, 0.5));
  cycles_series_->append(depth, std::max(cycles / 100.0, 0.5));
  auto* x = qobject_cast<QValueAxis*>(depth_view_->chart()->axes(Qt::Horizontal).first());
  x->setRange(0, std::max<double>(1, depth));
  x->setTickCount(static_cast<int>(std::max<double>(1, depth)) + 1);
  auto* y = qobject_cast<QLogValueAxis*>(depth_view_->chart()->axes(Qt::Vertical).first());
  double top = 1;
  for (auto* s : {traps_series_, cycles_series_})
    for (int i = 0; i < s->count(); ++i) top = std::max(top, s->at(i).y());
  y->setRange(0.5, top * 2);
}

void CostView::set_session(const vmm::Session* s, std::shared_ptr<const isa::IsaModel> isa,
                           std::shared_ptr<const assembler::Image> vmm, std::shared_ptr<const assembler::Image> guest) {
  stop_worker();
  session_ = s;
  traps_series_->clear();
  cycles_series_->clear();
  refresh();
  if (!s || !vmm) return;
  unsigned max_depth = std::min(8u, std::max(1u, s->stack().depth()));
  std::uint32_t memory = s->stack().guest_memory();
  worker_ = std::thread([this, isa, vmm, guest, max_depth, memory] {
    // Guest traps at depth 1: every privileged instruction and every trap of the guest, the
    // same work at every depth (the guest does not know its depth).
    double guest_traps = 0;
    for (unsigned d = 0; d <= max_depth && !cancel_; ++d) {
      vmm::Stack st(isa, d ? vmm : nullptr, guest, d, memory);
      std::vector<vmm::LevelStats> stats;
      std::uint64_t limit = 0;
      while (!cancel_ && !st.machine().halted() && st.machine().stop_reason() != machine::StopReason::TrapStorm &&
             limit < 4'000'000'000ull) {
        limit += 20'000'000;
        st.run(limit, stats);
      }
      if (cancel_) return;
      if (d == 1) guest_traps = static_cast<double>(stats[1].traps);
      double traps = static_cast<double>(st.machine().traps()), cycles = static_cast<double>(st.machine().cycles());
      QMetaObject::invokeMethod(this, [this, d, traps, cycles, guest_traps] {
        if (d == 0) return;  // no VMM: nothing to divide
        add_point(d, traps / std::max(1.0, guest_traps), cycles / std::max(1.0, guest_traps));
      }, Qt::QueuedConnection);
    }
  });
}

void CostView::refresh() {
  auto* c = levels_view_->chart();
  c->removeAllSeries();
  for (auto* a : c->axes()) {
    c->removeAxis(a);  // releases ownership: the axis is ours to delete
    delete a;
  }
  if (!session_) return;
  auto* series = new QStackedBarSeries;
  const auto& st = session_->stats();
  for (unsigned k = 0; k < st.size(); ++k) {
    auto* set = new QBarSet(QString("L%1").arg(k));
    set->setColor(level_color(k));
    *set << static_cast<double>(st[k].cycles);
    series->append(set);
  }
  c->addSeries(series);
  auto* x = new QBarCategoryAxis;
  x->append("cycles");
  auto* y = new QValueAxis;
  y->setLabelFormat("%.0f");
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
}

}  // namespace pgsim::gui
