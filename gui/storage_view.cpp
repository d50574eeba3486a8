#include "gui/storage_view.hpp"

#include <algorithm>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>

#include "gui/level_colors.hpp"
#include "isa/disasm.hpp"

namespace pgsim::gui {

void StorageModel::set_session(const vmm::Session* s) {
  beginResetModel();
  session_ = s;
  previous_.clear();
  changed_.clear();
  endResetModel();
  refresh();
}

void StorageModel::set_mode(Mode m) {
  mode_ = m;
  emit dataChanged(index(0, 2), index(rowCount() - 1, 3));
}

void StorageModel::refresh() {
  if (!session_) return;
  const auto& E = session_->machine().storage();
  changed_.assign(E.size(), false);
  if (previous_.size() == E.size())
    for (std::size_t i = 0; i < E.size(); ++i) changed_[i] = E[i] != previous_[i];
  previous_ = E;
  r_of_.clear();
  for (unsigned k = 0; k <= session_->stack().depth(); ++k) {
    auto v = session_->view(k);
    std::uint64_t o = session_->stack().level_origin(k);
    r_of_.emplace_back(o + v.base, o + v.base + v.bound);
  }
  emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

int StorageModel::rowCount(const QModelIndex&) const {
  return session_ ? static_cast<int>(session_->machine().storage().size()) : 0;
}

QString StorageModel::label(isa::Word a) const {
  const auto& st = session_->stack();
  unsigned k = st.level_of(a);
  isa::Word local = a - st.level_origin(k);
  const auto& isa = session_->machine().isa();
  QString l;
  std::size_t n = isa.psw.size();
  // With a trap block (docs/isa-language.md "Trap delivery") the ISA has no PSW-swap words to label.
  const bool swap = !isa.trap_block.present;
  if (swap && local >= isa.trap_old_psw && local < isa.trap_old_psw + n) l = QString("old PSW[%1]").arg(local - isa.trap_old_psw);
  else if (swap && local == isa.trap_cause) l = "cause";
  else if (swap && local == isa.trap_info) l = "info";
  else if (swap && local >= isa.trap_new_psw && local < isa.trap_new_psw + n) l = QString("new PSW[%1]").arg(local - isa.trap_new_psw);
  else if (local == isa.reset_pc) l = "reset entry";
  QString r;
  for (std::size_t j = 0; j < r_of_.size(); ++j)
    if (a >= r_of_[j].first && a < r_of_[j].second) r += QString(" R(L%1)").arg(j);
  return QString("L%1 %2%3").arg(k).arg(l).arg(r);
}

QString StorageModel::word_text(isa::Word w, unsigned bits, Mode m) {
  w &= isa::low_bits(bits);
  if (m == Decimal) {
    const int sh = 64 - static_cast<int>(bits);  // sign extension from the word's bits
    return QString::number(static_cast<qint64>(static_cast<isa::SWord>(w << sh) >> sh));
  }
  if (m == Octal) return QString("%1").arg(static_cast<qulonglong>(w), static_cast<int>((bits + 2) / 3), 8, QChar('0'));
  return QString("%1").arg(static_cast<qulonglong>(w), static_cast<int>(std::max(8u, (bits + 3) / 4)), 16, QChar('0'));
}

QVariant StorageModel::data(const QModelIndex& i, int role) const {
  if (!session_ || !i.isValid()) return {};
  auto a = static_cast<isa::Word>(i.row());
  const auto& E = session_->machine().storage();
  if (role == Qt::BackgroundRole) {
    QColor c = level_color(session_->stack().level_of(a)).lighter(changed(a) ? 120 : 180);
    if (changed(a)) c = QColor(0xff, 0xe0, 0x40);
    return c;
  }
  if (role != Qt::DisplayRole) return {};
  auto local = a - session_->stack().level_origin(session_->stack().level_of(a));
  switch (i.column()) {
    case 0: return QString("%1").arg(a, 6, 16, QChar('0'));
    case 1: return label(a);
    case 2: return word_text(E[a], session_->machine().isa().word_bits, mode_);
    case 3: return QString::fromStdString(isa::disassemble(session_->machine().isa(), E[a], local));
  }
  return {};
}

QVariant StorageModel::headerData(int section, Qt::Orientation o, int role) const {
  if (role != Qt::DisplayRole || o != Qt::Horizontal) return {};
  static const char* h[] = {"real address", "level / label / in R of", "word", "as an instruction"};
  return h[section];
}

StorageView::StorageView(QWidget* parent) : QWidget(parent), model_(new StorageModel(this)) {
  auto* v = new QVBoxLayout(this);
  v->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout;
  mode_ = new QComboBox(this);
  mode_->addItems({"hex", "decimal", "octal"});
  goto_ = new QLineEdit(this);
  goto_->setPlaceholderText("go to address (hex)");
  goto_->setMaximumWidth(200);
  bar->addWidget(new QLabel("words as", this));
  bar->addWidget(mode_);
  bar->addWidget(goto_);
  bar->addStretch();
  v->addLayout(bar);
  table_ = new QTableView(this);
  table_->setModel(model_);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setColumnWidth(1, 260);
  v->addWidget(table_);
  table_->setToolTip("Double-click a word to set or clear a breakpoint at its address");
  connect(table_, &QTableView::doubleClicked, this,
          [this](const QModelIndex& i) { emit address_double_clicked(static_cast<quint32>(i.row())); });
  connect(mode_, qOverload<int>(&QComboBox::currentIndexChanged), this,
          [this](int m) { model_->set_mode(static_cast<StorageModel::Mode>(m)); });
  connect(goto_, &QLineEdit::returnPressed, this, [this] {
    bool ok = false;
    auto a = goto_->text().toUInt(&ok, 16);
    if (ok) go_to(a);
  });
}

void StorageView::set_session(const vmm::Session* s) { model_->set_session(s); }
void StorageView::refresh() { model_->refresh(); }
void StorageView::go_to(isa::Word a) {
  if (static_cast<int>(a) < model_->rowCount()) table_->scrollTo(model_->index(static_cast<int>(a), 0), QAbstractItemView::PositionAtTop);
}

}  // namespace pgsim::gui
