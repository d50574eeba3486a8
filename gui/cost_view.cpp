#include "gui/cost_view.hpp"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QStackedBarSeries>
#include <QValueAxis>

#include "gui/level_colors.hpp"

namespace pgsim::gui {

CostView::CostView(QWidget* parent) : QWidget(parent) {
  auto* v = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  compute_ = new QPushButton("Compute", this);
  compute_->setObjectName("cost_compute");
  compute_->setToolTip("Compute the cost-of-depth curve (Stop cancels; it resumes at the same depth)");
  connect(compute_, &QPushButton::clicked, this, [this] {
    if (running_) {
      user_stopped_ = true;
      stop();
    } else {
      user_stopped_ = false;
      finished_ = false;  // e.g. after raising the budget
      start();
    }
  });
  budget_box_ = new QSpinBox(this);
  budget_box_->setObjectName("cost_budget");
  budget_box_->setRange(1, 100000);
  budget_box_->setValue(100);
  budget_box_->setSuffix(" M cycles");
  budget_box_->setToolTip("The most real cycles the curve spends per depth (millions)");
  connect(budget_box_, qOverload<int>(&QSpinBox::valueChanged), this,
          [this](int m) { budget_cycles_ = static_cast<std::uint64_t>(m) * 1'000'000ull; });
  progress_ = new QProgressBar(this);
  progress_->setObjectName("cost_progress");
  progress_->setRange(0, 1000);
  progress_->setFormat("depth %v");
  message_ = new QLabel(this);
  message_->setObjectName("cost_message");
  bar->addWidget(compute_);
  bar->addWidget(new QLabel("budget per depth:", this));
  bar->addWidget(budget_box_);
  bar->addWidget(progress_, 1);
  bar->addWidget(message_, 2);
  v->addLayout(bar);
  poll_ = new QTimer(this);
  poll_->setInterval(100);
  connect(poll_, &QTimer::timeout, this, &CostView::update_controls);
  auto* h = new QHBoxLayout;
  v->addLayout(h, 1);
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
  running_ = false;
}

void CostView::stop() {
  stop_worker();
  update_controls();
}

void CostView::set_shown(bool shown) {
  shown_ = shown;
  if (shown) {
    refresh();
    if (!user_stopped_) start();
  } else {
    stop();  // nobody looks: spend no CPU
  }
}

void CostView::update_controls() {
  compute_->setText(running_ ? "Stop" : "Compute");
  compute_->setEnabled(running_ || (vmm_ && !finished_) || (vmm_ && finished_ && next_depth_ <= max_depth_));
  progress_->setVisible(running_);
  if (running_) {
    std::uint64_t b = std::max<std::uint64_t>(1, budget_cycles_);
    progress_->setValue(static_cast<int>(std::min<std::uint64_t>(1000, cycles_done_ * 1000 / b)));
    progress_->setFormat(QString("depth %1 of %2: %3 of %4 cycles")
                             .arg(depth_now_.load())
                             .arg(max_depth_)
                             .arg(QLocale(QLocale::English).toString(static_cast<qulonglong>(cycles_done_.load())))
                             .arg(QLocale(QLocale::English).toString(static_cast<qulonglong>(b))));
  } else {
    poll_->stop();
  }
}

void CostView::start() {
  if (running_ || finished_ || !vmm_ || !isa_ || !guest_ || next_depth_ > max_depth_) {
    update_controls();
    return;
  }
  if (worker_.joinable()) worker_.join();
  running_ = true;
  cycles_done_ = 0;
  message_->setText("computing the cost of depth…");
  auto isa = isa_;
  auto vmm = vmm_;
  auto guest = guest_;
  unsigned first = next_depth_, max_depth = max_depth_;
  std::uint32_t memory = memory_;
  worker_ = std::thread([this, isa, vmm, guest, first, max_depth, memory] {
    // Guest traps at depth 1: every privileged instruction and every trap of the guest, the
    // same work at every depth (the guest does not know its depth).
    for (unsigned d = first; d <= max_depth && !cancel_; ++d) {
      depth_now_ = d;
      cycles_done_ = 0;
      vmm::Stack st(isa, d ? vmm : nullptr, guest, d, memory);
      std::vector<vmm::LevelStats> stats;
      std::uint64_t limit = 0;
      while (!cancel_ && !st.machine().halted() && st.machine().stop_reason() != machine::StopReason::TrapStorm &&
             st.machine().cycles() < budget_cycles_) {
        limit = std::min<std::uint64_t>(limit + 2'000'000, budget_cycles_);
        st.run(limit, stats);
        cycles_done_ = st.machine().cycles();
      }
      if (cancel_) return;
      if (!st.machine().halted() && st.machine().stop_reason() != machine::StopReason::TrapStorm) {
        std::uint64_t b = budget_cycles_;
        QMetaObject::invokeMethod(this, [this, d, b] {
          worker_done(d, QString("depth %1: the guest did not halt within the budget of %2 cycles; raise the "
                                 "budget and press Compute to go on")
                             .arg(d)
                             .arg(QLocale(QLocale::English).toString(static_cast<qulonglong>(b))));
        }, Qt::QueuedConnection);
        return;
      }
      double gt = d == 1 && stats.size() > 1 ? static_cast<double>(stats[1].traps) : -1;
      double traps = static_cast<double>(st.machine().traps()), cycles = static_cast<double>(st.machine().cycles());
      QMetaObject::invokeMethod(this, [this, d, traps, cycles, gt] {
        if (gt >= 0) guest_traps_ = gt;
        next_depth_ = d + 1;
        if (d == 0) return;  // no VMM: nothing to divide
        add_point(d, traps / std::max(1.0, guest_traps_), cycles / std::max(1.0, guest_traps_));
      }, Qt::QueuedConnection);
    }
    QMetaObject::invokeMethod(this, [this, max_depth] {
      worker_done(max_depth + 1, QString("depths 1 to %1 computed").arg(max_depth));
    }, Qt::QueuedConnection);
  });
  poll_->start();
  update_controls();
}

void CostView::worker_done(unsigned next_depth, const QString& message) {
  if (worker_.joinable()) worker_.join();
  running_ = false;
  finished_ = true;
  next_depth_ = std::max(next_depth_, next_depth);
  if (next_depth <= max_depth_) next_depth_ = next_depth;  // the depth that ran out of budget
  message_->setText(message);
  update_controls();
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
  stop_worker();  // another program or depth: the old curve is void
  session_ = s;
  traps_series_->clear();
  cycles_series_->clear();
  isa_ = std::move(isa);
  vmm_ = s ? std::move(vmm) : nullptr;
  guest_ = std::move(guest);
  max_depth_ = s ? std::min(8u, std::max(1u, s->stack().depth())) : 0;
  memory_ = s ? s->stack().guest_memory() : 0;
  next_depth_ = 0;
  guest_traps_ = 0;
  finished_ = false;
  user_stopped_ = false;
  message_->setText(vmm_ ? "" : "depth 0: no VMM, no cost of depth");
  refresh();
  if (shown_) start();  // computed only while someone looks
  update_controls();
}

void CostView::refresh() {
  if (!shown_) return;  // redrawn when shown
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
