#pragma once
// The Storage view: E as rows of words, colored by the level whose region a word is in, low
// storage (the PSW areas) labelled, each level's R shown, words changed by the last step
// highlighted, hex / decimal / octal modes (as many digits as the ISA's word has), and go-to
// address.
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
  /// How the "word" column shows a word (the order of the view's "words as" choices).
  enum Mode { Hex, Decimal, Octal, Disassembly };
  explicit StorageModel(QObject* parent = nullptr) : QAbstractTableModel(parent) {}
  void set_session(const vmm::Session* s);
  void set_mode(Mode m);
  /// Re-reads storage; words that differ from the previous refresh are highlighted.
  void refresh();
  int rowCount(const QModelIndex& = {}) const override;
  int columnCount(const QModelIndex& = {}) const override { return 4; }
  QVariant data(const QModelIndex& i, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;
  bool changed(isa::Word a) const { return a < changed_.size() && changed_[a]; }
  /// Word `w` of a `bits`-bit word (8..64) as the "word" column shows it: Hex with 8 digits or,
  /// for a wider word, as many as it has ((bits + 3) / 4: 9 for 36 bits, 16 for 64); Decimal
  /// as a signed two's-complement number of `bits` bits; Octal with (bits + 2) / 3 digits (12
  /// for the PDP-10's 36 bits).
  static QString word_text(isa::Word w, unsigned bits, Mode m);

 private:
  QString label(isa::Word a) const;
  const vmm::Session* session_ = nullptr;
  Mode mode_ = Hex;
  std::vector<isa::Word> previous_;
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
  void go_to(isa::Word a);
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
