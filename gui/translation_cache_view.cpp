#include "gui/translation_cache_view.hpp"

#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace pgsim::gui {
namespace {

QString num(std::uint64_t v) { return QLocale(QLocale::English).toString(static_cast<qulonglong>(v)); }

/// "tinyos.s:120" from a full "…/examples/os/tinyos.s:120".
QString short_where(const std::string& where) {
  QString w = QString::fromStdString(where);
  const int colon = w.lastIndexOf(':');
  if (colon < 0) return w;
  return QFileInfo(w.left(colon)).fileName() + w.mid(colon);
}

// Column numbers of the detail table.
enum DetailColumn { kPc, kMarker, kGuest, kSource, kCcfAddress, kCcfKind, kCcfCode, kDetailColumns };

/// What a CCF word is, from its explanation (vmm/bt_stats.cpp) and the TU's IDENT words.
QString ccf_kind(const vmm::CcfWord& w, const vmm::BtTu& tu) {
  const std::string& t = w.text;
  if (t.find("; prologue") != std::string::npos) return "prologue";
  if (t.rfind("exit ->", 0) == 0) return "exit";
  if (t.rfind("call-out", 0) == 0) return "call-out";
  if (t.rfind("chained exit", 0) == 0) return "chained";
  for (const auto& g : tu.guest)
    if (g.ident && g.word == w.word) return "= copy";
  return "≠ inline";
}

QColor ccf_color(const QString& kind) {
  if (kind == "= copy") return TranslationCacheView::ident_color();
  if (kind == "≠ inline") return TranslationCacheView::non_ident_color();
  if (kind == "call-out") return QColor(0xf4, 0xc2, 0xe8);  // pink: the monitor emulates
  if (kind == "exit" || kind == "chained") return QColor(0xc6, 0xdc, 0xf5);  // blue: control leaves the CCF
  return QColor(0xe4, 0xe4, 0xe4);  // prologue
}

QTableWidgetItem* item(const QString& text, const QColor& bg = QColor(), Qt::Alignment align = Qt::AlignLeft) {
  auto* it = new QTableWidgetItem(text);
  it->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
  it->setTextAlignment(align | Qt::AlignVCenter);
  if (bg.isValid()) {
    it->setBackground(bg);
    it->setForeground(QColor(0x10, 0x10, 0x10));  // dark text on the light colours, in either palette
  }
  return it;
}

}  // namespace

QColor TranslationCacheView::ident_color() { return QColor(0xbf, 0xe8, 0xbf); }
QColor TranslationCacheView::non_ident_color() { return QColor(0xff, 0xd0, 0x99); }

TranslationCacheView::TranslationCacheView(QWidget* parent) : QWidget(parent) {
  auto* v = new QVBoxLayout(this);
  v->setContentsMargins(4, 4, 4, 4);
  pages_ = new QStackedWidget(this);
  v->addWidget(pages_);

  message_ = new QLabel(this);
  message_->setObjectName("tc_message");
  message_->setWordWrap(true);
  message_->setAlignment(Qt::AlignCenter);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  pages_->addWidget(message_);

  auto* page = new QWidget(this);
  auto* pv = new QVBoxLayout(page);
  pv->setContentsMargins(0, 0, 0, 0);
  title_ = new QLabel(page);
  title_->setObjectName("tc_title");
  QFont bold = title_->font();
  bold.setBold(true);
  title_->setFont(bold);
  counters_ = new QLabel(page);
  counters_->setObjectName("tc_counters");
  counters_->setWordWrap(true);
  counters_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  pv->addWidget(title_);
  pv->addWidget(counters_);
  auto* split = new QSplitter(Qt::Horizontal, page);
  split->setObjectName("tc_split");
  pv->addWidget(split, 1);

  tus_ = new QTableWidget(0, 7, split);
  tus_->setObjectName("tc_tus");
  tus_->setHorizontalHeaderLabels({"guest pc", "source", "instr.", "IDENT", "non-IDENT", "CCF words", "hits"});
  tus_->setSelectionBehavior(QAbstractItemView::SelectRows);
  tus_->setSelectionMode(QAbstractItemView::SingleSelection);
  tus_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  tus_->verticalHeader()->hide();
  tus_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  tus_->setToolTip("The translation units now in the translation cache, the most hit first");
  connect(tus_, &QTableWidget::currentCellChanged, this, [this](int row, int, int, int) { show_tu(row); });

  auto* right = new QWidget(split);
  auto* rv = new QVBoxLayout(right);
  rv->setContentsMargins(0, 0, 0, 0);
  detail_title_ = new QLabel(right);
  detail_title_->setObjectName("tc_detail_title");
  detail_title_->setWordWrap(true);
  detail_ = new QTableWidget(0, kDetailColumns, right);
  detail_->setObjectName("tc_detail");
  detail_->setHorizontalHeaderLabels({"guest pc", "kind", "guest instruction", "source", "CCF", "", "compiled code"});
  detail_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  detail_->verticalHeader()->hide();
  detail_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  detail_->horizontalHeader()->setStretchLastSection(true);
  detail_->setToolTip("Left: the guest's code (= IDENT: copied as it is; ≠ non-IDENT: rewritten). "
                      "Right: its compiled code fragment (= copy, ≠ inline emulation, call-out, exit, chained exit)");
  rv->addWidget(detail_title_);
  rv->addWidget(detail_, 1);
  split->addWidget(tus_);
  split->addWidget(right);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 5);
  pages_->addWidget(page);
  set_session(nullptr);
}

void TranslationCacheView::set_session(const vmm::Session* s) {
  session_ = s;
  refresh();
}

QString TranslationCacheView::message() const { return stats_ ? QString() : message_->text(); }

void TranslationCacheView::refresh() {
  std::optional<std::uint64_t> keep;  // the guest pc of the TU selected now
  if (stats_ && selected_tu() >= 0) keep = tu_at(selected_tu()).guest_pc;
  stats_.reset();
  if (!session_) {
    message_->setText("No program is open.");
    pages_->setCurrentIndex(0);
    return;
  }
  const auto& stack = session_->stack();
  const unsigned depth = stack.depth();
  if (depth == 0) {
    message_->setText("Depth 0: the guest runs on the bare machine. There is no monitor, so no translation cache.\n\n"
                      "The Translation cache view shows the binary-translating monitor's cache: "
                      "open the program with depth 1 or more and --vmm bt (pgsim-gui --vmm bt --depth 1 PROGRAM).");
    pages_->setCurrentIndex(0);
    return;
  }
  stats_ = vmm::read_bt_stats(stack, depth - 1, true);
  if (!stats_) {
    message_->setText(QString("The monitor below the guest (L%1) is not the binary-translating monitor bt: it keeps "
                              "no translation cache.\n\nTo see one, start pgsim-gui with --vmm bt, e.g.\n"
                              "pgsim-gui --vmm bt --depth 1 examples/os/tinyos.s")
                          .arg(depth - 1));
    pages_->setCurrentIndex(0);
    return;
  }
  pages_->setCurrentIndex(1);
  const auto& s = *stats_;
  title_->setText(QString("L%1's translation cache (bt), translating L%2's kernel code: %3 TUs in the cache now")
                      .arg(s.level)
                      .arg(s.level + 1)
                      .arg(s.cache.size()));
  counters_->setText(counters_text());
  fill_tus();
  int row = order_.empty() ? -1 : 0;
  if (keep)
    for (std::size_t r = 0; r < order_.size(); ++r)
      if (s.cache[order_[r]].guest_pc == *keep) row = static_cast<int>(r);
  tus_->blockSignals(true);
  tus_->setCurrentCell(row, 0);
  tus_->blockSignals(false);
  show_tu(row);
}

QString TranslationCacheView::counters_text() const {
  if (!stats_) return {};
  const auto& s = *stats_;
  return QString("TUs %1    IDENT %2    non-IDENT %3    CCF words %4    hits %5    misses %6    chains %7    "
                 "call-outs %8    invalidations %9")
      .arg(num(s.tus), num(s.ident), num(s.non_ident), num(s.ccf_words), num(s.hits), num(s.misses), num(s.chains),
           num(s.callouts), num(s.invalidations));
}

void TranslationCacheView::fill_tus() {
  const auto& cache = stats_->cache;
  order_.resize(cache.size());
  for (std::size_t i = 0; i < cache.size(); ++i) order_[i] = i;
  std::stable_sort(order_.begin(), order_.end(),
                   [&](std::size_t a, std::size_t b) { return cache[a].hits > cache[b].hits; });
  tus_->setRowCount(static_cast<int>(order_.size()));
  for (std::size_t r = 0; r < order_.size(); ++r) {
    const auto& tu = cache[order_[r]];
    const auto ident = std::count_if(tu.guest.begin(), tu.guest.end(), [](const auto& g) { return g.ident; });
    const auto non_ident = static_cast<std::ptrdiff_t>(tu.guest.size()) - ident;
    const int row = static_cast<int>(r);
    const QString where = tu.guest.empty() ? QString() : short_where(tu.guest.front().where);
    tus_->setItem(row, 0, item(QString::number(tu.guest_pc), {}, Qt::AlignRight));
    tus_->setItem(row, 1, item(where));
    tus_->setItem(row, 2, item(QString::number(tu.length), {}, Qt::AlignRight));
    tus_->setItem(row, 3, item(QString::number(ident), ident ? ident_color() : QColor(), Qt::AlignRight));
    tus_->setItem(row, 4, item(QString::number(non_ident), non_ident ? non_ident_color() : QColor(), Qt::AlignRight));
    tus_->setItem(row, 5, item(QString::number(tu.ccf_words), {}, Qt::AlignRight));
    tus_->setItem(row, 6, item(num(tu.hits), {}, Qt::AlignRight));
  }
}

int TranslationCacheView::tu_rows() const { return stats_ ? static_cast<int>(order_.size()) : 0; }

const vmm::BtTu& TranslationCacheView::tu_at(int r) const { return stats_->cache[order_.at(static_cast<std::size_t>(r))]; }

void TranslationCacheView::select_tu(int r) { tus_->setCurrentCell(r, 0); }

int TranslationCacheView::selected_tu() const { return stats_ && tus_->currentRow() < tu_rows() ? tus_->currentRow() : -1; }

void TranslationCacheView::show_tu(int r) {
  detail_->setRowCount(0);
  if (!stats_ || r < 0 || r >= tu_rows()) {
    detail_title_->setText(stats_ && order_.empty() ? "The cache is empty: the guest's kernel code has not run yet."
                                                    : QString());
    return;
  }
  const auto& tu = tu_at(r);
  const auto ident = std::count_if(tu.guest.begin(), tu.guest.end(), [](const auto& g) { return g.ident; });
  detail_title_->setText(QString("TU at guest pc %1 (%2): %3 guest instructions (%4 IDENT, %5 non-IDENT)  →  CCF at "
                                 "%6, %7 words;  %8 hits")
                             .arg(tu.guest_pc)
                             .arg(tu.guest.empty() ? QString("?") : short_where(tu.guest.front().where))
                             .arg(tu.length)
                             .arg(ident)
                             .arg(static_cast<long long>(tu.guest.size()) - ident)
                             .arg(tu.ccf)
                             .arg(tu.ccf_words)
                             .arg(num(tu.hits)));
  const std::size_t rows = std::max(tu.guest.size(), tu.code.size());
  detail_->setRowCount(static_cast<int>(rows));
  for (std::size_t i = 0; i < rows; ++i) {
    const int row = static_cast<int>(i);
    if (i < tu.guest.size()) {
      const auto& g = tu.guest[i];
      const QColor bg = g.ident ? ident_color() : non_ident_color();
      detail_->setItem(row, kPc, item(QString::number(g.pc), bg, Qt::AlignRight));
      detail_->setItem(row, kMarker, item(g.ident ? "= IDENT" : "≠ non-IDENT", bg));
      detail_->setItem(row, kGuest, item(QString::fromStdString(g.text), bg));
      auto* src = item(short_where(g.where), bg);
      src->setToolTip(QString::fromStdString(g.where));
      detail_->setItem(row, kSource, src);
    } else {
      for (int c : {kPc, kMarker, kGuest, kSource}) detail_->setItem(row, c, item(QString()));
    }
    if (i < tu.code.size()) {
      const auto& w = tu.code[i];
      const QString kind = ccf_kind(w, tu);
      const QColor bg = ccf_color(kind);
      detail_->setItem(row, kCcfAddress, item(QString::number(w.address), bg, Qt::AlignRight));
      detail_->setItem(row, kCcfKind, item(kind, bg));
      detail_->setItem(row, kCcfCode, item(QString::fromStdString(w.text), bg));
    } else {
      for (int c : {kCcfAddress, kCcfKind, kCcfCode}) detail_->setItem(row, c, item(QString()));
    }
  }
}

int TranslationCacheView::detail_rows() const { return detail_->rowCount(); }

QString TranslationCacheView::detail_text(int r, int c) const {
  auto* it = detail_->item(r, c);
  return it ? it->text() : QString();
}

QColor TranslationCacheView::detail_color(int r, int c) const {
  auto* it = detail_->item(r, c);
  return it ? it->background().color() : QColor();
}

}  // namespace pgsim::gui
