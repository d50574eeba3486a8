#pragma once
// The ISA view: the loaded ISA's instructions with their Popek–Goldberg classification, the
// theorem verdicts, and on click the witness states side by side. "Load ISA…" re-runs the guest
// on another ISA (e.g. a variant).
#include <QWidget>

#include "vmm/classifier.hpp"

class QTableWidget;
class QPlainTextEdit;
class QLabel;

namespace pgsim::gui {

class IsaView : public QWidget {
  Q_OBJECT
 public:
  explicit IsaView(QWidget* parent = nullptr);
  /// Classifies `isa` (about 0.1 s for PG-1) and shows the result.
  void set_isa(std::shared_ptr<const isa::IsaModel> isa);
  const vmm::Analysis& analysis() const { return analysis_; }
  /// Shows the witness of row `row`.
  void show_row(int row);

 signals:
  /// The user asked to load another ISA file.
  void load_isa_requested();

 private:
  std::shared_ptr<const isa::IsaModel> isa_;
  vmm::Analysis analysis_;
  QTableWidget* table_;
  QLabel* verdicts_;
  QPlainTextEdit* witness_;
};

}  // namespace pgsim::gui
