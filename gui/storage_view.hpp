#pragma once
// The Storage view: E as rows of words, colored by the level whose region a word is in, low
// storage (the PSW areas) labelled, each level's R shown, words changed by the last step
// highlighted, hex / decimal / disassembly modes, and go-to address.
#include <QAbstractTableModel>
#include <QWidget>

#include "vmm/session.hpp"

class QTableView;
class QComboBox;
class QLineEdit;

namespace pgsim::gui {

/// The table model behind the Storage view (one row per word of real storage).
class StorageModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Mode { Hex, Decimal, Disassembly };
  explicit StorageModel(QObject* parent = nullptr) : QAbstractTableModel(parent) {}
  void set_session(const vmm::Session* s);
  void set_mode(Mode m);
  /// Re-reads storage; words that differ from the previous refresh are highlighted.
  void refresh();
  int rowCount(const QModelIndex& = {}) const override;
  int columnCount(const QModelIndex& = {}) const override { return 4; }
  QVariant data(const QModelIndex& i, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;
  bool changed(std::uint32_t a) const { return a < changed_.size() && changed_[a]; }

 private:
  QString label(std::uint32_t a) const;
  const vmm::Session* session_ = nullptr;
  Mode mode_ = Hex;
  std::vector<std::uint32_t> previous_;
  std::vector<bool> changed_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> r_of_;  ///< each level's R, as real [from, to)
};

class StorageView : public QWidget {
  Q_OBJECT
 public:
  explicit StorageView(QWidget* parent = nullptr);
  void set_session(const vmm::Session* s);
  void refresh();
  /// Scrolls to real address `a`.
  void go_to(std::uint32_t a);
  StorageModel* model() { return model_; }

 signals:
  /// The user double-clicked the word at real address `a`: toggle an address breakpoint.
  void address_double_clicked(quint32 a);

 private:
  StorageModel* model_;
  QTableView* table_;
  QComboBox* mode_;
  QLineEdit* goto_;
};

}  // namespace pgsim::gui
