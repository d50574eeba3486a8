#pragma once
// The Levels view: the matryoshka of levels, one nested card per level, each with its own view
// of <M, P, R> and ie, its registers, its current instruction and its counters.
#include <QWidget>

#include "vmm/session.hpp"

namespace pgsim::gui {

class LevelsView : public QWidget {
  Q_OBJECT
 public:
  explicit LevelsView(QWidget* parent = nullptr);
  /// Shows the session's levels now (null: nothing).
  void set_session(const vmm::Session* s);
  QSize sizeHint() const override { return {560, 640}; }
  /// The title of level k's card: "L2  guest", with "◀ RUNNING" on the level whose code is
  /// executing, "■ HALTED" / "■ TRAP STORM" on the one whose code stopped the machine.
  QString card_title(unsigned k) const;
  /// The state-description line of level k's card (a monitor using the hardware assist: its
  /// guest's PSW, virtual timer, region, intercepts and last exit reason); "" for other monitors
  /// and for the guest.
  QString card_state_description(unsigned k) const;

 protected:
  void paintEvent(QPaintEvent*) override;
  void changeEvent(QEvent* e) override;

 private:
  void update_minimum();
  const vmm::Session* session_ = nullptr;
};

}  // namespace pgsim::gui
