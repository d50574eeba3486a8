#pragma once
// The Cost view (Qt Charts): cycles per level so far (stacked), and the real traps and cycles
// per guest trap against depth 0…N, computed by running the guest at each depth in the
// background, so a class sees the cost of recursion.
#include <QWidget>
#include <atomic>
#include <memory>
#include <thread>

#include "vmm/session.hpp"

class QChart;
class QChartView;
class QStackedBarSeries;
class QLineSeries;

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

 private:
  void add_point(unsigned depth, double traps, double cycles);
  void stop_worker();
  const vmm::Session* session_ = nullptr;
  QChartView* levels_view_;
  QChartView* depth_view_;
  QLineSeries* traps_series_;
  QLineSeries* cycles_series_;
  std::thread worker_;
  std::atomic<bool> cancel_{false};
};

}  // namespace pgsim::gui
