#pragma once
// The Translation cache view: what the binary-translating monitor (vmm/monitors/bt.s) right below
// the guest keeps in its translation cache (TC), read from its storage by vmm/bt_stats (the same
// code as `pgsim run --show-tc`). Its counters (TUs, IDENT / non-IDENT, CCF words, hits, misses,
// chains, call-outs, invalidations), the list of translation units (TUs) with their hits, and
// the selected TU's guest code (disassembled, with its source file:line) beside its compiled
// code fragment (CCF). IDENT and non-IDENT are told by colour AND by a text marker, so that they
// read on a projector and without colour. Vocabulary: DESIGN.md (TU, IDENT, CCF, TC);
// the technique: Adams & Agesen, ASPLOS 2006.
#include <QWidget>
#include <optional>

#include "vmm/bt_stats.hpp"
#include "vmm/session.hpp"

class QLabel;
class QStackedWidget;
class QTableWidget;

namespace pgsim::gui {

class TranslationCacheView : public QWidget {
  Q_OBJECT
 public:
  explicit TranslationCacheView(QWidget* parent = nullptr);
  /// Shows the TC of the session's monitor right below the guest (L(depth-1)); null: nothing.
  void set_session(const vmm::Session* s);
  /// Re-reads the monitor's storage (call when the simulation stopped or stepped). Keeps the
  /// selected TU selected when it is still in the TC.
  void refresh();
  /// True when the session's monitor below the guest is bt (the cache page is shown); false:
  /// the message page says why there is no TC to show (message()).
  bool showing_cache() const { return stats_.has_value(); }
  /// The text of the message page ("" when the cache is shown).
  QString message() const;
  /// The statistics shown (null when showing_cache() is false).
  const vmm::BtStats* stats() const { return stats_ ? &*stats_ : nullptr; }
  /// The counters line as shown: "TUs 42   IDENT 310   non-IDENT 120   CCF words …".
  QString counters_text() const;
  /// Rows of the TU list (the TUs now in the TC, the most hit first).
  int tu_rows() const;
  /// The TU shown in row `r` of the TU list.
  const vmm::BtTu& tu_at(int r) const;
  /// Selects row `r` of the TU list: the detail shows that TU.
  void select_tu(int r);
  /// The row selected in the TU list (-1: none).
  int selected_tu() const;
  /// Rows of the detail (max of the TU's guest instructions and CCF words).
  int detail_rows() const;
  /// The text of the detail's cell (row `r`, column `c`; columns: guest pc, IDENT / non-IDENT
  /// marker, guest instruction, source file:line, CCF address, CCF kind, CCF code).
  QString detail_text(int r, int c) const;
  /// The background colour of the detail's cell (row `r`, column `c`).
  QColor detail_color(int r, int c) const;
  /// The colours of IDENT and non-IDENT guest instructions (light backgrounds, dark text).
  static QColor ident_color();
  static QColor non_ident_color();

 private:
  void fill_tus();
  void show_tu(int r);
  const vmm::Session* session_ = nullptr;
  std::optional<vmm::BtStats> stats_;
  std::vector<std::size_t> order_;  ///< TU list row -> index in stats_->cache
  QStackedWidget* pages_;
  QLabel* message_;
  QLabel* title_;
  QLabel* counters_;
  QTableWidget* tus_;
  QLabel* detail_title_;
  QTableWidget* detail_;
};

}  // namespace pgsim::gui
