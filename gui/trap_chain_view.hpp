#pragma once
// The Trap chain view: a sequence diagram drawn as it happens. One lane for the hardware and
// one per level; time runs downwards; each real trap is an arrow from the level whose code
// trapped down to the hardware and L0, then the reflections upward and the emulation.
// A scroll area over a model of any size: the scroll bar counts rows, and only the rows in
// the viewport are painted (no widget as tall as the record, so no Qt size limit).
// The current event carries a "you are here" marker; the recorded future (after going back
// in time) is drawn faded. Click a trap to go to the state right after it.
#include <QAbstractScrollArea>
#include <deque>
#include <optional>

#include "vmm/session.hpp"

class QPainter;

namespace pgsim::gui {

class TrapChainView : public QAbstractScrollArea {
  Q_OBJECT
 public:
  explicit TrapChainView(QWidget* parent = nullptr);
  /// Shows the session's trap record (null: nothing), filtered by cause and by the level
  /// that trapped.
  void set_session(const vmm::Session* s);
  void set_filter(std::optional<isa::Word> cause, std::optional<unsigned> level);
  /// Re-reads the record (call after the session moved). When the session's position changed,
  /// scrolls so that the current event is in view.
  void refresh();
  /// Height of one row in pixels (three lines of text).
  int row_height() const;
  /// Rows that pass the filter: kept records before the current step and the recorded future.
  int rows() const { return static_cast<int>(rows_.size()); }
  /// The first row in the viewport (the scroll bar's value, in rows).
  int first_visible_row() const;
  /// How many whole rows fit in the viewport (at least 1).
  int visible_rows() const;
  /// Scrolls so that row `r` is in the viewport (at the bottom when it was below it).
  void scroll_to_row(int r);
  /// The row under viewport coordinate `y` (-1: none, e.g. the header or past the end).
  int row_at(int y) const;
  /// The viewport y of row `r`'s top edge (meaningful when the row is visible).
  int row_y(int r) const;
  /// The record shown in row `r` (an element of Session::recorded_traps()).
  const vmm::TrapRecord& record(int r) const;
  /// The row of the current event, the newest trap before the current step (-1 if none passes
  /// the filter or none is kept).
  int current_row() const;
  /// Row `r`'s first line: "#step  L2 PRIV  out r1" for a trap; for a hypercall
  /// "#step  L1 HYPERCALL  HC_CONSOLE_WRITE (259)  svc 259"; for interpretive execution
  /// (docs/pg1-assist.md) "#step  VM EXIT  L3 → L2  EXIT_INTERCEPT  out r1" (the guest exited,
  /// the reason, the intercepted instruction) or "#step  VM ENTRY  L2 → L3".
  QString label(int r) const;
  /// Row `r`'s second line: the trap's handling chain ("L0 reflects -> L1 emulates"), or for a
  /// VM exit the level that handles it ("L2 handles it: its sie returns"), for an entry the
  /// level now running.
  QString chain_text(int r) const;
  /// True if row `r`'s record is a VM entry or exit (drawn as its own kind of event: a
  /// diamond-headed arrow between the guest's and its host's lanes, in the exit colour).
  bool is_vm_event(int r) const;
  /// The hypercall number when row `r`'s record is a hypercall that a paravirtualizing monitor
  /// handles (docs/hypercalls.md: `svc N` from virtual supervisor mode under --vmm pv, as
  /// vmm::Stack::handling_chain classifies it), else 0. Drawn as its own kind of event: a
  /// filled square at the handling monitor's lane and a thick return to the caller, in the
  /// hypercall colour, labelled with the hypercall's name ("HYPERCALL  HC_CONSOLE_WRITE (259)").
  isa::Word hypercall(int r) const;
  /// The legend's entries in the header, in order ("trap", "reflects", "emulates", "hypercall",
  /// "VM exit", "VM entry").
  QStringList legend() const;
  /// The colour of hypercall events (their square, return arrow and label).
  static QColor hypercall_color();
  /// True if row `r` lies in the recorded future (after the current step).
  bool in_future(int r) const;
  /// The text above the lanes: how many events, and whether older ones are only counted, e.g.
  /// "showing the newest 200,000 of 1,583,104 events (older ones counted only)".
  QString summary() const;

 signals:
  /// The user clicked the trap taken at `step` (go to the state right after it).
  void trap_clicked(quint64 step);

 protected:
  void paintEvent(QPaintEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;
  void changeEvent(QEvent* e) override;

 private:
  int lane_x(int lane) const;  ///< lane 0 = hardware, lane k+1 = Lk
  int header_height() const;
  /// Draws the legend from viewport y `top`, wrapping at the viewport's width; returns the
  /// number of lines it takes (nothing is drawn when `p` is null).
  int draw_legend(QPainter* p, int top) const;
  void update_scroll_range();
  std::size_t index_of(std::uint64_t global) const;  ///< recorded_traps() index of a global record number
  const vmm::Session* session_ = nullptr;
  std::optional<isa::Word> cause_;
  std::optional<unsigned> level_;
  std::deque<std::uint64_t> rows_;  ///< global record numbers (since reset) that pass the filter, ascending
  std::uint64_t scanned_ = 0;       ///< global record number up to which rows_ covers the record
  std::uint64_t rewrites_ = 0;      ///< the session's rewrites() when rows_ was built
  std::uint64_t seen_steps_ = ~0ull;  ///< the session's step at the last refresh (to follow it)
};

}  // namespace pgsim::gui
