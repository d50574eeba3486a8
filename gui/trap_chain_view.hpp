#pragma once
// The Trap chain view: a sequence diagram drawn as it happens. One lane for the hardware and
// one per level; time runs downwards; each real trap is an arrow from the level whose code
// trapped down to the hardware and L0, then the reflections upward and the emulation.
// Only visible rows are painted, so 100,000 traps stay fast. Click a trap to go to it.
#include <QWidget>
#include <optional>

#include "vmm/session.hpp"

namespace pgsim::gui {

class TrapChainView : public QWidget {
  Q_OBJECT
 public:
  explicit TrapChainView(QWidget* parent = nullptr);
  /// Shows the session's trap record, filtered by cause and by the level that trapped.
  void set_session(const vmm::Session* s);
  void set_filter(std::optional<std::uint32_t> cause, std::optional<unsigned> level);
  /// Re-reads the record (call after the session moved).
  void refresh();
  int row_height() const;
  int rows() const { return static_cast<int>(rows_.size()); }

 signals:
  /// The user clicked the trap taken at `step` (go to the state right after it).
  void trap_clicked(quint64 step);

 protected:
  void paintEvent(QPaintEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;

 private:
  int lane_x(int lane) const;  ///< lane 0 = hardware, lane k+1 = Lk
  const vmm::Session* session_ = nullptr;
  std::optional<std::uint32_t> cause_;
  std::optional<unsigned> level_;
  std::vector<std::size_t> rows_;  ///< indices into the trap record that pass the filter
  std::size_t scanned_ = 0;        ///< how much of the record rows_ covers
};

}  // namespace pgsim::gui
