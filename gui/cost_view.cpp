#include "gui/cost_view.hpp"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QComboBox>
#include <QLegend>
#include <QLegendMarker>
#include <QTabWidget>
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

#include <cmath>

#include "gui/level_colors.hpp"

namespace pgsim::gui {

CostView::CostView(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  tabs_ = new QTabWidget(this);
  tabs_->setObjectName("cost_tabs");
  outer->addWidget(tabs_);
  auto* run_page = new QWidget(this);
  tabs_->addTab(run_page, "This program: the cost of depth");
  auto* v = new QVBoxLayout(run_page);
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

  // The comparison tab: pgsim compare's table as a chart.
  auto* cmp_page = new QWidget(this);
  tabs_->addTab(cmp_page, "Techniques compared");
  auto* cv = new QVBoxLayout(cmp_page);
  auto* cbar = new QHBoxLayout;
  compare_button_ = new QPushButton("Compare", cmp_page);
  compare_button_->setObjectName("cost_compare");
  compare_button_->setToolTip("Run the workloads bare and under every monitor (Stop cancels; Compare starts over)");
  connect(compare_button_, &QPushButton::clicked, this, [this] {
    if (comparing_) {
      compare_user_stopped_ = true;
      stop_comparison();
    } else {
      compare_user_stopped_ = false;
      compare_done_ = false;
      start_comparison();
    }
  });
  metric_box_ = new QComboBox(cmp_page);
  metric_box_->setObjectName("cost_metric");
  metric_box_->addItems({"cycles ÷ bare cycles", "real traps", "real instructions", "cycles"});
  connect(metric_box_, qOverload<int>(&QComboBox::currentIndexChanged), this,
          [this](int i) { set_metric(static_cast<Metric>(i)); });
  compare_depth_ = new QSpinBox(cmp_page);
  compare_depth_->setObjectName("cost_compare_depth");
  compare_depth_->setRange(1, 4);
  compare_depth_->setValue(1);
  compare_depth_->setPrefix("depth ");
  compare_depth_->setToolTip("Levels of each monitor (1: each monitor alone on the machine), as pgsim compare --depth");
  connect(compare_depth_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int) {
    stop_comparison_worker();  // the results were for another depth
    rows_.clear();
    compare_done_ = false;
    draw_comparison();
    if (comparison_in_front() && !compare_user_stopped_) start_comparison();
    update_compare_controls();
  });
  compare_progress_ = new QProgressBar(cmp_page);
  compare_progress_->setObjectName("cost_compare_progress");
  compare_message_ = new QLabel(cmp_page);
  compare_message_->setObjectName("cost_compare_message");
  cbar->addWidget(compare_button_);
  cbar->addWidget(metric_box_);
  cbar->addWidget(compare_depth_);
  cbar->addWidget(compare_progress_, 1);
  cbar->addWidget(compare_message_, 2);
  cv->addLayout(cbar);
  compare_view_ = new QChartView(new QChart, cmp_page);
  compare_view_->setObjectName("cost_compare_chart");
  compare_view_->setRenderHint(QPainter::Antialiasing);
  cv->addWidget(compare_view_, 1);
  compare_notes_ = new QLabel(cmp_page);
  compare_notes_->setObjectName("cost_compare_notes");
  compare_notes_->setWordWrap(true);
  cv->addWidget(compare_notes_);
  connect(tabs_, &QTabWidget::currentChanged, this, [this](int) {
    if (!shown_) return;
    // Only the tab in front computes (two background runs would share the machine's cores).
    if (comparison_in_front()) {
      emit comparison_shown();
      stop();
      if (!compare_user_stopped_) start_comparison();
    } else {
      stop_comparison();
      if (!user_stopped_) start();
    }
  });
  connect(poll_, &QTimer::timeout, this, &CostView::update_compare_controls);
  update_compare_controls();
}

CostView::~CostView() {
  stop_worker();
  stop_comparison_worker();
}

void CostView::stop_worker() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
  cancel_ = false;
  running_ = false;
  ++generation_;  // what the stopped worker queued is void
}

void CostView::stop() {
  stop_worker();
  update_controls();
}

void CostView::set_shown(bool shown) {
  shown_ = shown;
  if (shown) {
    refresh();
    if (!comparison_in_front() && !user_stopped_) start();
    if (comparison_in_front() && !compare_user_stopped_) start_comparison();
  } else {
    stop();  // nobody looks: spend no CPU
    stop_comparison();
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
  } else if (!comparing_) {
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
  isa::Word memory = memory_;
  const std::uint64_t gen = ++generation_;
  worker_ = std::thread([this, isa, vmm, guest, first, max_depth, memory, gen] {
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
        QMetaObject::invokeMethod(this, [this, d, b, gen] {
          if (gen != generation_) return;  // stopped meanwhile
          worker_done(d, QString("depth %1: the guest did not halt within the budget of %2 cycles; raise the "
                                 "budget and press Compute to go on")
                             .arg(d)
                             .arg(QLocale(QLocale::English).toString(static_cast<qulonglong>(b))));
        }, Qt::QueuedConnection);
        return;
      }
      double gt = d == 1 && stats.size() > 1 ? static_cast<double>(stats[1].traps) : -1;
      double traps = static_cast<double>(st.machine().traps()), cycles = static_cast<double>(st.machine().cycles());
      QMetaObject::invokeMethod(this, [this, d, traps, cycles, gt, gen] {
        if (gen != generation_) return;  // computed just before Stop: dropped (resumes at this depth)
        if (gt >= 0) guest_traps_ = gt;
        next_depth_ = d + 1;
        if (d == 0) return;  // no VMM: nothing to divide
        add_point(d, traps / std::max(1.0, guest_traps_), cycles / std::max(1.0, guest_traps_));
      }, Qt::QueuedConnection);
    }
    QMetaObject::invokeMethod(this, [this, max_depth, gen] {
      if (gen != generation_) return;
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
  if (shown_ && !comparison_in_front()) start();  // computed only while someone looks
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

// ---- the comparison tab

namespace {

/// One colour per technique, the same as elsewhere in the window where it has one (the
/// hypercall's amber for pv, the VM exit's magenta for the assist).
QColor technique_color(const std::string& name) {
  if (name == "bare machine") return QColor(0x9a, 0x9a, 0x9a);
  if (name == "trap-and-emulate") return QColor(0x1f, 0x77, 0xb4);
  if (name == "hybrid") return QColor(0x94, 0x67, 0xbd);
  if (name == "pv") return QColor(196, 132, 0);
  if (name == "bt") return QColor(0x2c, 0xa0, 0x2c);
  if (name == "assist") return QColor(214, 39, 140);
  return QColor(0x8c, 0x56, 0x4b);
}

}  // namespace

void CostView::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  if (!rows_.empty()) draw_comparison();  // the ticks that fit the new height
}

bool CostView::comparison_in_front() const { return tabs_->currentIndex() == 1; }

void CostView::show_comparison() { tabs_->setCurrentIndex(1); }

void CostView::set_comparison_isa(std::shared_ptr<const isa::IsaModel> isa, const std::string& isa_argument) {
  // The same ISA again (another depth or program was opened): the results stand.
  if (isa && compare_isa_ && isa->name == compare_isa_->name && isa_argument == compare_isa_argument_) return;
  stop_comparison_worker();
  compare_isa_ = std::move(isa);
  compare_isa_argument_ = isa_argument;
  monitors_.clear();
  rows_.clear();
  compare_done_ = false;
  compare_user_stopped_ = false;
  compare_message_->clear();
  draw_comparison();
  if (shown_ && comparison_in_front()) start_comparison();
  update_compare_controls();
}

double CostView::metric_value(Metric m, const vmm::Measurement& x, const vmm::Measurement& bare) {
  if (!x.ran) return 0;
  switch (m) {
    case Metric::RatioToBare:
      return bare.ran && bare.cycles ? static_cast<double>(x.cycles) / static_cast<double>(bare.cycles) : 0;
    case Metric::RealTraps: return static_cast<double>(x.real_traps);
    case Metric::RealInstructions: return static_cast<double>(x.real_instructions);
    case Metric::Cycles: return static_cast<double>(x.cycles);
  }
  return 0;
}

void CostView::set_metric(Metric m) {
  metric_ = m;
  if (metric_box_->currentIndex() != static_cast<int>(m)) metric_box_->setCurrentIndex(static_cast<int>(m));
  draw_comparison();
}

void CostView::stop_comparison_worker() {
  compare_cancel_ = true;
  if (compare_worker_.joinable()) compare_worker_.join();
  compare_cancel_ = false;
  comparing_ = false;
  ++compare_generation_;  // what the stopped worker queued is void
}

void CostView::stop_comparison() {
  const bool was = comparing_;
  stop_comparison_worker();
  if (was) compare_message_->setText(QString("stopped after %1 of %2 runs; Compare starts over")
                                          .arg(compare_runs_done_.load())
                                          .arg(compare_runs_total_.load()));
  update_compare_controls();
}

void CostView::start_comparison() {
  if (comparing_ || compare_done_ || !compare_isa_) {
    update_compare_controls();
    return;
  }
  if (compare_worker_.joinable()) compare_worker_.join();
  std::vector<vmm::Workload> workloads;
  try {
    if (monitors_.empty()) monitors_ = vmm::compared_monitors(compare_isa_, compare_isa_argument_, {});
    workloads = vmm::default_workloads();
  } catch (const std::exception& e) {
    compare_message_->setText(QString::fromStdString(e.what()).trimmed());
    compare_done_ = true;
    update_compare_controls();
    return;
  }
  rows_.clear();
  draw_comparison();
  comparing_ = true;
  compare_runs_done_ = 0;
  compare_runs_total_ = workloads.size() * (1 + monitors_.size());
  compare_message_->setText(QString("running %1 workloads bare and under %2 monitors…")
                                .arg(workloads.size())
                                .arg(monitors_.size()));
  const std::uint64_t gen = ++compare_generation_;
  vmm::ComparisonOptions o;
  o.depth = static_cast<unsigned>(compare_depth_->value());
  o.cancelled = [this] { return compare_cancel_.load(); };
  o.progress = [this](std::size_t done, std::size_t total) {
    compare_runs_done_ = done;
    compare_runs_total_ = total;
  };
  auto isa = compare_isa_;
  auto monitors = monitors_;
  compare_worker_ = std::thread([this, isa, monitors, workloads, o, gen] {
    auto rows = vmm::compare(isa, workloads, monitors, o);
    const bool all = rows.size() == workloads.size();
    QMetaObject::invokeMethod(this, [this, gen, rows = std::move(rows), all]() mutable {
      if (gen != compare_generation_) return;  // stopped meanwhile: dropped
      comparison_done(gen, std::move(rows), all ? QString() : QString("cancelled"));
    }, Qt::QueuedConnection);
  });
  poll_->start();
  update_compare_controls();
}

void CostView::comparison_done(std::uint64_t, std::vector<vmm::ComparisonRow> rows, const QString& message) {
  if (compare_worker_.joinable()) compare_worker_.join();
  comparing_ = false;
  compare_done_ = message.isEmpty();
  rows_ = std::move(rows);
  compare_message_->setText(message.isEmpty() ? QString("%1 runs, each monitor at depth %2")
                                                    .arg(compare_runs_total_.load())
                                                    .arg(compare_depth_->value())
                                              : message);
  draw_comparison();
  update_compare_controls();
}

void CostView::update_compare_controls() {
  compare_button_->setText(comparing_ ? "Stop" : "Compare");
  compare_button_->setEnabled(comparing_ || compare_isa_ != nullptr);
  compare_progress_->setVisible(comparing_);
  if (comparing_) {
    const std::size_t total = std::max<std::size_t>(1, compare_runs_total_);
    compare_progress_->setRange(0, static_cast<int>(total));
    compare_progress_->setValue(static_cast<int>(compare_runs_done_));
    compare_progress_->setFormat(QString("run %1 of %2").arg(compare_runs_done_.load()).arg(total));
  } else if (!running_) {
    poll_->stop();
  }
}

void CostView::draw_comparison() {
  // A new chart each time: Qt Charts lays new axis labels ("4,000") out in the room of the
  // previous ones ("40") and cuts them to "...", whether the axes are replaced or updated.
  QChart* previous = compare_view_->chart();
  auto* c = new QChart;
  compare_view_->setChart(c);  // releases the previous chart, its series and axes: ours to delete
  delete previous;
  compare_series_ = nullptr;
  static const char* titles[] = {"cycles ÷ bare cycles", "real traps", "real instructions", "cycles"};
  const QString metric = titles[static_cast<int>(metric_)];
  // No chart title (the tab and the metric box say what it is): the room goes to the bars.
  c->setTitle(QString());
  c->setMargins(QMargins(4, 4, 4, 4));
  c->setBackgroundRoundness(0);
  // Fonts for the back of the room: the view's own size, whatever the chart's defaults.
  QFont f = font();
  c->legend()->setFont(f);
  c->legend()->setAlignment(Qt::AlignBottom);
  compare_notes_->clear();
  if (rows_.empty()) return;
  auto* series = new QBarSeries;
  const bool ratio = metric_ == Metric::RatioToBare;
  if (!ratio) {  // the bare machine as the first bar of each group (its ratio would be 1 everywhere)
    auto* set = new QBarSet("bare machine");
    set->setColor(technique_color("bare machine"));
    for (const auto& r : rows_) *set << metric_value(metric_, r.bare, r.bare);
    series->append(set);
  }
  QStringList notes;
  double top = 0;
  for (std::size_t i = 0; i < monitors_.size(); ++i) {
    auto* set = new QBarSet(QString::fromStdString(monitors_[i].name));
    set->setColor(technique_color(monitors_[i].name));
    for (const auto& r : rows_) {
      const auto& m = r.monitors[i];
      const double value = metric_value(metric_, m, r.bare);
      *set << value;
      top = std::max(top, value);
      const QString who = QString("%1 on %2").arg(QString::fromStdString(monitors_[i].name),
                                                   QString::fromStdString(r.workload.name));
      if (!m.ran) notes << QString("%1: did not run (%2)").arg(who, QString::fromStdString(m.note.substr(0, m.note.find('\n'))));
      else if (!m.console_matches) notes << QString("%1: its console output differs from the bare machine's").arg(who);
    }
    series->append(set);
  }
  for (const auto& r : rows_)
    if (!ratio) top = std::max(top, metric_value(metric_, r.bare, r.bare));
  series->setLabelsVisible(ratio);  // ratios are short numbers; counts would overlap
  series->setLabelsFormat("@value");
  series->setLabelsPrecision(3);
  series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
  for (auto* set : series->barSets()) {
    set->setLabelFont(f);
    set->setLabelColor(palette().text().color());
  }
  c->addSeries(series);
  compare_series_ = series;
  auto* x = new QBarCategoryAxis;
  for (const auto& r : rows_) x->append(QString::fromStdString(r.workload.name));
  x->setLabelsFont(f);
  auto* y = new QValueAxis;
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y, Qt::AlignLeft);
  y->setLabelFormat("%.0f");
  y->setLabelsFont(f);
  y->setTitleText(ratio ? "× bare cycles" : metric);
  y->setTitleFont(f);
  // As many ticks as fit the height with a line of space between labels (Qt Charts cuts a
  // label to "..." that is taller than its share of the axis), at a round interval.
  const int plot = std::max(1, compare_view_->height() - 5 * QFontMetrics(f).height());
  const int intervals = std::clamp(plot / (2 * QFontMetrics(f).height()), 1, 8);
  const double want = std::max(1.0, top * 1.12) / intervals;  // room for the labels above the bars
  const double magnitude = std::pow(10.0, std::floor(std::log10(want)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * magnitude >= want) {
      step = m * magnitude;
      break;
    }
  y->setTickType(QValueAxis::TicksDynamic);
  y->setTickAnchor(0);
  y->setTickInterval(step);
  y->setRange(0, step * std::ceil(std::max(1.0, top * 1.12) / step));
  series->attachAxis(x);
  series->attachAxis(y);
  for (std::size_t i = 0; i < monitors_.size(); ++i) {
    const QString name = QString::fromStdString(monitors_[i].name);
    if (std::any_of(rows_.begin(), rows_.end(),
                    [&](const auto& r) { return r.monitors[i].note.rfind("ran the port", 0) == 0; }))
      notes.prepend(QString("%1 ran the workloads' ports (…-%1.s)").arg(name));
    if (monitors_[i].isa) notes << QString("%1 ran on %2").arg(name, QString::fromStdString(monitors_[i].isa->name));
  }
  compare_notes_->setText(notes.join("; "));
}

}  // namespace pgsim::gui
