#pragma once
// The Cost view (Qt Charts): cycles per level so far (stacked), and the real traps and cycles
// per guest trap against depth 1…N, computed by running the guest at each depth in a background
// thread, so a class sees the cost of recursion. The depth curve is computed lazily (only while
// the view is shown, or when Compute is pressed), is cancelled when the program or depth changes,
// when the view is hidden or with Stop, shows its progress, and spends at most a budget of
// cycles per depth that the user sees and can change (default 10^8).
#include <QWidget>
#include <atomic>
#include <memory>
#include <thread>

#include "vmm/session.hpp"

class QChart;
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
  /// (unless the user pressed Stop), hidden cancels it.
  void set_shown(bool shown);

 private:
  void add_point(unsigned depth, double traps, double cycles);
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
  std::uint32_t memory_ = 0;
  double guest_traps_ = 0;  ///< guest traps at depth 1 (the divisor of every point)
  bool finished_ = false;   ///< every depth done, or stopped by the budget
  bool user_stopped_ = false;
  bool shown_ = false;
  std::thread worker_;
  std::atomic<bool> cancel_{false}, running_{false};
  std::atomic<std::uint64_t> cycles_done_{0}, budget_cycles_{100'000'000};
  std::atomic<unsigned> depth_now_{0};
};

}  // namespace pgsim::gui
