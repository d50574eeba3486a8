#include "gui/isa_view.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "vmm/witness_report.hpp"

namespace pgsim::gui {

IsaView::IsaView(QWidget* parent) : QWidget(parent) {
  auto* v = new QVBoxLayout(this);
  v->setContentsMargins(0, 0, 0, 0);
  auto* load = new QPushButton("Load ISA…", this);
  load->setObjectName("load_isa");
  connect(load, &QPushButton::clicked, this, &IsaView::load_isa_requested);
  verdicts_ = new QLabel(this);
  verdicts_->setWordWrap(true);
  verdicts_->setTextFormat(Qt::RichText);
  auto* split = new QSplitter(Qt::Vertical, this);
  table_ = new QTableWidget(this);
  table_->setColumnCount(7);
  table_->setHorizontalHeaderLabels({"instruction", "privileged", "control", "behavior (loc/mode)", "user", "timing",
                                     "verdict"});
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->horizontalHeader()->setStretchLastSection(true);
  witness_ = new QPlainTextEdit(this);
  witness_->setReadOnly(true);
  QFont mono("DejaVu Sans Mono");
  mono.setStyleHint(QFont::Monospace);
  witness_->setFont(mono);
  split->addWidget(table_);
  split->addWidget(witness_);
  v->addWidget(load);
  v->addWidget(verdicts_);
  v->addWidget(split);
  connect(table_, &QTableWidget::currentCellChanged, this, [this](int row, int, int, int) { show_row(row); });
}

void IsaView::set_isa(std::shared_ptr<const isa::IsaModel> isa) {
  isa_ = std::move(isa);
  analysis_ = vmm::classify(isa_);
  table_->setRowCount(static_cast<int>(analysis_.instructions.size()));
  auto yes = [](bool b) { return new QTableWidgetItem(b ? "yes" : "–"); };
  for (int r = 0; r < table_->rowCount(); ++r) {
    const auto& c = analysis_.instructions[static_cast<std::size_t>(r)];
    table_->setItem(r, 0, new QTableWidgetItem(QString::fromStdString(c.name())));
    table_->setItem(r, 1, yes(c.privileged));
    table_->setItem(r, 2, yes(c.control_sensitive));
    table_->setItem(r, 3, new QTableWidgetItem(QString("%1 / %2").arg(c.location_sensitive ? "loc" : "–", c.mode_sensitive || c.trap_mode_sensitive ? "mode" : "–")));
    table_->setItem(r, 4, yes(c.user_sensitive));
    table_->setItem(r, 5, yes(c.timing_source));
    bool breaks = c.sensitive() && !c.privileged;
    auto* verdict = new QTableWidgetItem(breaks ? "BREAKS Theorem 1" : c.sensitive() ? "sensitive, privileged" : c.timing_source ? "timing source" : c.privileged ? "privileged" : "innocuous");
    if (breaks) {
      for (int col = 0; col < 7; ++col)
        if (auto* it = col == 6 ? verdict : table_->item(r, col)) it->setBackground(QColor(0xff, 0xc0, 0xc0));
    }
    table_->setItem(r, 6, verdict);
  }
  auto list = [](const std::vector<std::string>& v) {
    QStringList l;
    for (auto& x : v) l << QString::fromStdString(x);
    return l.join(", ");
  };
  auto line = [&](const char* name, const vmm::TheoremVerdict& t, const char* ok) {
    return QString("<b>%1</b>: %2").arg(name, t.holds ? QString("<span style='color:#1a7f1a'>holds</span> — %1").arg(ok)
                                                      : QString("<span style='color:#b00000'>fails</span> — %1").arg(list(t.violations)));
  };
  verdicts_->setText(QString("<b>%1</b><br>%2<br>%3<br>%4")
                         .arg(QString::fromStdString(analysis_.isa_name))
                         .arg(line("Theorem 1", analysis_.theorem1, "a VMM can be constructed"))
                         .arg(line("Theorem 3", analysis_.theorem3, "a hybrid VMM can be constructed"))
                         .arg(line("Theorem 2", analysis_.theorem2, "recursively virtualizable, without timing dependencies")));
  // Open on the first offender, if any.
  int first = 0;
  for (int r = 0; r < table_->rowCount(); ++r)
    if (analysis_.instructions[static_cast<std::size_t>(r)].sensitive() &&
        !analysis_.instructions[static_cast<std::size_t>(r)].privileged) {
      first = r;
      break;
    }
  table_->setCurrentCell(first, 0);
  show_row(first);
}

void IsaView::show_row(int row) {
  if (row < 0 || row >= static_cast<int>(analysis_.instructions.size())) return;
  const auto& c = analysis_.instructions[static_cast<std::size_t>(row)];
  QString text = QString("%1: tested on %2 mode pairs (%3 executions), operands %4.\n\n")
                     .arg(QString::fromStdString(c.name()))
                     .arg(c.privileged_pairs)
                     .arg(c.trials)
                     .arg(c.exhaustive ? "all" : "sampled");
  bool any = false;
  for (const auto* w : {&c.control, &c.mode, &c.trap_mode, &c.owned, &c.location, &c.timing})
    if (*w) {
      text += QString::fromStdString(vmm::format_witness(*isa_, **w, 0)) + "\n";
      any = true;
    }
  if (!any) text += c.privileged ? "Privileged: it traps in user mode, so a VMM sees every use of it.\n"
                                 : "No witness of sensitivity: innocuous, it runs directly under a VMM.\n";
  witness_->setPlainText(text);
}

}  // namespace pgsim::gui
