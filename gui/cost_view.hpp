#pragma once
// The Cost view (Qt Charts): cycles per level so far (stacked), and the real traps and cycles
// per guest trap against depth 1…N, computed by running the guest at each depth in a background
// thread, so a class sees the cost of recursion. The depth curve is computed lazily (only while
// the view is shown, or when Compute is pressed), is cancelled when the program or depth changes,
// when the view is hidden or with Stop, shows its progress, and spends at most a budget of
// cycles per depth that the user sees and can change (default 10^8).
// Its second tab, "Techniques compared", is `pgsim compare`'s table as a bar chart: the same
// workloads on the bare machine and under every shipped monitor (vmm/comparison.hpp), one bar
// set per monitor, a metric to choose (cycles / bare cycles, real traps, real instructions,
// cycles); computed in a background thread only while the tab is in front (or with Compare),
// with its progress shown and cancellable (Stop).
#include <QWidget>
#include <atomic>
#include <memory>
#include <thread>

#include "vmm/comparison.hpp"
#include "vmm/session.hpp"

class QBarSeries;
class QChart;
class QComboBox;
class QTabWidget;
class QChartView;
class QStackedBarSeries;
class QLineSeries;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;

namespace pgsim::gui {

class CostView : public QWidget {
  Q_OBJECT
 public:
  explicit CostView(QWidget* parent = nullptr);
  ~CostView() override;
  /// Shows the session's levels; starts computing the depth series for `guest` in the background.
  void set_session(const vmm::Session* s, std::shared_ptr<const isa::IsaModel> isa,
                   std::shared_ptr<const assembler::Image> vmm, std::shared_ptr<const assembler::Image> guest);
  void refresh();
  /// Points of the depth series computed so far (depth, real traps per guest trap).
  int depth_points() const;
  /// Whether the depth curve is being computed now (a background thread runs the guest).
  bool computing() const { return running_; }
  /// Real cycles run so far for the depth being computed.
  std::uint64_t cycles_spent() const { return cycles_done_; }
  /// The budget per depth, in cycles (the "budget" box, in millions).
  std::uint64_t budget() const { return budget_cycles_; }
  /// Starts (or resumes) computing the depth curve, if there is anything left to compute.
  void start();
  /// Cancels the computation (it resumes at the same depth when started again).
  void stop();
  /// Whether the view is in front (its dock's visibilityChanged): shown starts the computation
  /// of the tab in front (unless the user pressed Stop), hidden cancels it.
  void set_shown(bool shown);
  /// The depth whose run the depth curve's worker is in (0 before it starts).
  unsigned depth_being_computed() const { return depth_now_; }

  // ---- the comparison tab
  /// The comparison runs on `isa` (the window's); `isa_argument` is what the user named with
  /// --isa ("" for PG-1: then a monitor that needs hardware of its own, the assist, runs on its
  /// ISA, as in `pgsim compare`). A change of either (the ISA by its name) voids the results.
  void set_comparison_isa(std::shared_ptr<const isa::IsaModel> isa, const std::string& isa_argument);
  /// Brings the comparison tab to the front (which starts its computation when needed).
  void show_comparison();
  /// Starts computing the comparison in the background (nothing when running or done).
  void start_comparison();
  /// Cancels it; the chart keeps the workloads already measured (Compare starts over).
  void stop_comparison();
  /// Whether the comparison is being computed now.
  bool comparing() const { return comparing_; }
  /// The comparison's rows received so far (workloads, with the bare run and each monitor's).
  const std::vector<vmm::ComparisonRow>& comparison() const { return rows_; }
  /// The monitors of the comparison (their names, in the bar sets' order).
  const std::vector<vmm::ComparedMonitor>& compared_monitors() const { return monitors_; }
  /// The metrics the chart can show, in the metric box's order.
  enum class Metric { RatioToBare, RealTraps, RealInstructions, Cycles };
  void set_metric(Metric m);
  Metric current_metric() const { return metric_; }
  /// The value the chart shows for a measurement and its workload's bare run (0 when it did not
  /// run): cycles / bare cycles, or the count.
  static double metric_value(Metric m, const vmm::Measurement& x, const vmm::Measurement& bare);
  /// The chart's bar series (null before any row arrived).
  QBarSeries* comparison_series() const { return compare_series_; }

 signals:
  /// The comparison tab came to the front while the view is shown (the window gives the chart
  /// room: a bar chart needs more height than the dock's default on a 1280x720 projector).
  void comparison_shown();

 protected:
  void resizeEvent(QResizeEvent* e) override;

 private:
  void add_point(unsigned depth, double traps, double cycles);
  void comparison_done(std::uint64_t generation, std::vector<vmm::ComparisonRow> rows, const QString& message);
  void stop_comparison_worker();
  void draw_comparison();
  void update_compare_controls();
  bool comparison_in_front() const;
  void worker_done(unsigned next_depth, const QString& message);
  void stop_worker();
  void update_controls();
  const vmm::Session* session_ = nullptr;
  QChartView* levels_view_;
  QChartView* depth_view_;
  QLineSeries* traps_series_;
  QLineSeries* cycles_series_;
  QPushButton* compute_;
  QProgressBar* progress_;
  QSpinBox* budget_box_;
  QLabel* message_;
  QTimer* poll_;
  std::shared_ptr<const isa::IsaModel> isa_;
  std::shared_ptr<const assembler::Image> vmm_, guest_;
  unsigned max_depth_ = 0, next_depth_ = 0;
  isa::Word memory_ = 0;
  double guest_traps_ = 0;  ///< guest traps at depth 1 (the divisor of every point)
  bool finished_ = false;   ///< every depth done, or stopped by the budget
  bool user_stopped_ = false;
  bool shown_ = false;
  std::thread worker_;
  std::atomic<bool> cancel_{false}, running_{false};
  std::atomic<std::uint64_t> cycles_done_{0}, budget_cycles_{100'000'000};
  std::atomic<unsigned> depth_now_{0};
  /// Bumped whenever the worker is stopped or restarted: what an older worker queued for the
  /// window thread (a point computed just before Stop) is dropped, not drawn late.
  std::uint64_t generation_ = 0;

  QTabWidget* tabs_;
  QPushButton* compare_button_;
  QComboBox* metric_box_;
  QSpinBox* compare_depth_;
  QProgressBar* compare_progress_;
  QLabel* compare_message_;
  QLabel* compare_notes_;
  QChartView* compare_view_;
  QBarSeries* compare_series_ = nullptr;
  Metric metric_ = Metric::RatioToBare;
  std::shared_ptr<const isa::IsaModel> compare_isa_;
  std::string compare_isa_argument_;
  std::vector<vmm::ComparedMonitor> monitors_;
  std::vector<vmm::ComparisonRow> rows_;
  bool compare_done_ = false, compare_user_stopped_ = false;
  std::thread compare_worker_;
  std::atomic<bool> compare_cancel_{false}, comparing_{false};
  std::atomic<std::size_t> compare_runs_done_{0}, compare_runs_total_{0};
  std::uint64_t compare_generation_ = 0;
};

}  // namespace pgsim::gui
