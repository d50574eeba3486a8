#include "gui/isa_view.hpp"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPromise>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableWidget>
#include <QThreadPool>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

#include "vmm/data_files.hpp"
#include "vmm/witness_report.hpp"

namespace pgsim::gui {

namespace {

using Prove = vmm::ClassifierOptions::Prove;

/// Classifications running in worker threads (every view), for IsaView::jobs_running().
std::atomic<int> g_jobs{0};

enum Col { kName, kPriv, kStrict, kControl, kBehavior, kUser, kTiming, kVerdict, kEvidence, kLevels, kCols };

QString number(std::uint64_t n) { return QLocale(QLocale::English).toString(static_cast<qulonglong>(n)); }

QString join(const std::vector<std::string>& v, const char* sep = ", ") {
  QStringList l;
  for (const auto& x : v) l << QString::fromStdString(x);
  return l.join(sep);
}

/// The file's text ("" when unreadable): two loads of the same file with the same text give the
/// same model, so a restart of the guest need not classify again.
QString file_text(const std::string& path) {
  QFile f(QString::fromStdString(path));
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(f.readAll());
}

/// The behavior kinds of a row, as words ("location, owned"), or "–".
QString behavior(const vmm::Classification& c) {
  QStringList l;
  if (c.location_sensitive) l << "location";
  if (c.mode_sensitive) l << "mode";
  if (c.trap_mode_sensitive) l << "mode (trap)";
  if (c.owned_sensitive) l << "owned";
  return l.isEmpty() ? QString("–") : l.join(", ");
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

/// The verdict column: as `pgsim check` (ok, BREAKS, timing, innocuous, untested), naming the
/// theorems a row breaks (from the theorems' own lists).
QString verdict(const vmm::Analysis& a, const vmm::Classification& c) {
  const bool t1 = contains(a.theorem1.violations, c.name()), t3 = contains(a.theorem3.violations, c.name());
  if (t1 || t3) return QString("BREAKS Th. %1").arg(t1 && t3 ? "1, 3" : t1 ? "1" : "3");
  if (c.sensitive() || c.privileged) return "ok";
  if (c.privileged_pairs == 0) return "untested";  // rests on no pair: never "innocuous"
  return c.timing_source ? "timing source" : "innocuous";
}

QString evidence(const vmm::Classification& c) {
  return c.proved.all() ? QString("proved") : QString("tested on %1 states").arg(number(c.states));
}

/// Which properties were proved and which tested, one per line (the evidence cell's tooltip).
QString evidence_detail(const vmm::Classification& c) {
  const auto& p = c.proved;
  QStringList proved, tested;
  auto add = [&](bool b, const char* name) { (b ? proved : tested) << name; };
  add(p.privileged, "privileged");
  add(p.strictly_privileged, "strict");
  add(p.control, "control");
  add(p.location, "location");
  add(p.mode, "mode");
  add(p.trap_mode, "mode (trap)");
  add(p.owned, "owned");
  add(p.user(), "user");
  add(p.timing, "timing");
  // Short lines: the witness pane does not wrap (its state pictures are columns).
  QString s;
  if (p.all()) return "proved by Z3 over all states: every property";
  if (!proved.isEmpty()) s += "proved by Z3 over all states:\n  " + proved.join(", ") + "\n";
  if (!tested.isEmpty())
    s += QString("tested on %1 states (%2 executions, %3 operands):\n  %4\n")
             .arg(number(c.states), number(c.trials), c.exhaustive ? "all" : "sampled", tested.join(", "));
  return s.trimmed();
}

/// `text` with every unindented line longer than `width` characters broken at spaces,
/// continuation lines indented by two: the witness pane does not wrap (its state pictures, the
/// indented lines, are columns), but a witness's sentence is longer than a picture is wide.
QString wrap_long_lines(const QString& text, int width) {
  QStringList out;
  for (const QString& line : text.split('\n')) {
    if (line.size() <= width || line.startsWith(' ')) {  // indented: a state picture's row, kept whole
      out << line;
      continue;
    }
    int indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    QString cur;
    for (const QString& word : line.mid(indent).split(' ')) {
      if (!cur.isEmpty() && cur.size() + 1 + word.size() > width) {
        out << cur;
        cur = QString(indent + 2, ' ') + word;
      } else {
        cur = cur.isEmpty() ? QString(indent, ' ') + word : cur + ' ' + word;
      }
    }
    if (!cur.isEmpty()) out << cur;
  }
  return out.join('\n');
}

/// Pairs of levels an unprivileged instruction tells apart, by name ("ring0/ring1, …").
QString level_pairs(const isa::IsaModel& isa, const vmm::Classification& c) {
  if (c.privileged) return {};
  QStringList l;
  for (auto [x, y] : c.mode_pairs)
    l << QString::fromStdString(isa.level_name(x)) + "/" + QString::fromStdString(isa.level_name(y));
  return l.join(", ");
}

/// The ISA files shipped with pgsim (examples/isa and examples/isa/real of the first data root
/// that has them), as (label relative to examples/isa, absolute path).
std::vector<std::pair<QString, QString>> shipped_models() {
  std::vector<std::pair<QString, QString>> out;
  for (const auto& root : vmm::data_roots()) {
    QDir base(QString::fromStdString(root) + "/examples/isa");
    if (!base.exists()) continue;
    for (const char* sub : {".", "real"}) {
      QDir d(base.filePath(sub));
      for (const auto& f : d.entryInfoList({"*.isa"}, QDir::Files, QDir::Name))
        out.emplace_back(QDir::cleanPath(base.relativeFilePath(f.absoluteFilePath())), f.absoluteFilePath());
    }
    break;
  }
  return out;
}

}  // namespace

IsaView::IsaView(QWidget* parent) : QWidget(parent), wanted_(std::make_shared<std::atomic<std::uint64_t>>(0)) {
  auto* v = new QVBoxLayout(this);
  v->setContentsMargins(2, 2, 2, 2);
  auto* bar = new QHBoxLayout;
  models_ = new QComboBox(this);
  models_->setObjectName("isa_models");
  models_->addItem("Shipped ISAs…");
  for (const auto& [label, path] : shipped_models()) models_->addItem(label, path);
  models_->setToolTip("Classify one of the ISA files shipped with pgsim (examples/isa; real machines in real/)");
  connect(models_, &QComboBox::activated, this, [this](int i) {
    QString path = models_->itemData(i).toString();
    models_->setCurrentIndex(0);
    if (!path.isEmpty()) emit isa_file_chosen(path);
  });
  auto* load = new QPushButton("Load ISA file…", this);
  load->setObjectName("load_isa");
  load->setToolTip("Open an ISA file: the guest re-runs on it when it assembles there; otherwise only this view shows it");
  connect(load, &QPushButton::clicked, this, &IsaView::load_isa_requested);
  prove_box_ = new QComboBox(this);
  prove_box_->setObjectName("isa_prove");
  prove_box_->addItem("Z3 proofs within 1 s (as pgsim check)", static_cast<int>(Prove::Auto));
  prove_box_->addItem("Z3 proofs for every row (--prove)", static_cast<int>(Prove::On));
  prove_box_->addItem("no proofs: tested only (--no-prove)", static_cast<int>(Prove::Off));
  prove_box_->setToolTip("Proved: by Z3, over all states of the declared state space, for the semantics as compiled");
  connect(prove_box_, &QComboBox::activated, this,
          [this](int i) { set_prove(static_cast<Prove>(prove_box_->itemData(i).toInt())); });
  enlarge_ = new QPushButton("Enlarge", this);
  enlarge_->setObjectName("isa_enlarge");
  enlarge_->setCheckable(true);
  enlarge_->setToolTip("The ISA view alone, as large as the main window (for a projector); again to put it back");
  connect(enlarge_, &QPushButton::toggled, this, [this](bool on) {
    enlarge_->setText(on ? "Put back" : "Enlarge");
    emit enlarge_requested(on);
  });
  busy_ = new QProgressBar(this);
  busy_->setRange(0, 0);  // no measure of progress: classify reports none
  busy_->setMaximumWidth(120);
  busy_->setTextVisible(false);
  busy_->hide();
  status_ = new QLabel(this);
  status_->setObjectName("isa_status");
  status_->setWordWrap(true);
  bar->addWidget(models_);
  bar->addWidget(load);
  bar->addWidget(prove_box_);
  bar->addWidget(enlarge_);
  bar->addWidget(busy_);
  bar->addWidget(status_, 1);
  bar->addStretch(0);
  models_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  prove_box_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  verdicts_ = new QLabel(this);
  verdicts_->setObjectName("isa_verdicts");
  verdicts_->setWordWrap(true);
  verdicts_->setTextFormat(Qt::RichText);
  verdicts_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  split_ = new QSplitter(Qt::Horizontal, this);
  table_ = new QTableWidget(this);
  table_->setObjectName("isa_table");
  table_->setColumnCount(kCols);
  table_->setHorizontalHeaderLabels({"instruction", "privileged", "strict", "control", "behavior", "user", "timing",
                                     "verdict", "evidence", "levels told apart"});
  const char* tips[kCols] = {
      "the mnemonic; [field=values]: a row per group of selector values that classify alike",
      "always traps in user mode with the privileged cause (the reading Theorem 1 needs, as the literature uses it)",
      "P&G's literal reading: privileged, and never traps in supervisor mode",
      "control sensitive: completes without a trap and changes M, R, a control register, the timer or the console",
      ("behavior sensitive: location (relocated by x), mode (both complete, results differ), mode (trap) (one mode "
       "traps, the other completes), owned (another value of `owned` control state)"),
      "user sensitive (Theorem 3): control, location or owned-state sensitive from a user-mode state",
      "a timing source: another time gives another result (P&G leave time out of equivalence)",
      "BREAKS Th. 1 / Th. 3: sensitive (user sensitive) and not privileged",
      "proved by Z3 over all states, or tested on N sampled states",
      "pairs of levels an unprivileged instruction tells apart (same state, other result or a trap)"};
  for (int c = 0; c < kCols; ++c) table_->horizontalHeaderItem(c)->setToolTip(tips[c]);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setTextElideMode(Qt::ElideMiddle);  // csrrw[csr=0x000..0x17f,0x181..0xfff]: both ends stay
  table_->setWordWrap(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  witness_ = new QPlainTextEdit(this);
  witness_->setObjectName("isa_witness");
  witness_->setReadOnly(true);
  witness_->setLineWrapMode(QPlainTextEdit::NoWrap);
  QFont mono("DejaVu Sans Mono");
  mono.setStyleHint(QFont::Monospace);
  witness_->setFont(mono);
  split_->addWidget(table_);
  split_->addWidget(witness_);
  split_->setStretchFactor(0, 3);
  split_->setStretchFactor(1, 2);
  v->addLayout(bar);
  v->addWidget(verdicts_);
  v->addWidget(split_, 1);
  connect(table_, &QTableWidget::currentCellChanged, this, [this](int row, int, int, int) { show_row(row); });
  tick_ = new QTimer(this);
  tick_->setInterval(250);
  connect(tick_, &QTimer::timeout, this, &IsaView::update_status);
}

IsaView::~IsaView() {
  // A running job keeps its own ISA and result; its watcher (a child) goes with the view, so
  // nothing reaches a destroyed view. The global thread pool waits for it at exit.
  *wanted_ = ~std::uint64_t{0};
}

void IsaView::set_enlarged(bool on) {
  QSignalBlocker b(enlarge_);
  enlarge_->setChecked(on);
  enlarge_->setText(on ? "Put back" : "Enlarge");
}

int IsaView::jobs_running() { return g_jobs.load(); }

void IsaView::set_isa(std::shared_ptr<const isa::IsaModel> isa, const QString& note) {
  if (!isa) return;
  QString text = file_text(isa->path);
  const bool same = isa_ && (isa == isa_ || (isa->path == isa_->path && !text.isEmpty() && text == isa_text_));
  note_ = note;
  if (same && (pending_ || (shown_isa_ == isa_ && shown_prove_ == prove_ && error_.isEmpty()))) {
    update_status();  // the same model: keep the table (and the row the user looks at), or the job under way
    return;
  }
  isa_ = std::move(isa);
  isa_text_ = text;
  start_job();
}

void IsaView::set_prove(Prove p) {
  prove_ = p;
  int i = prove_box_->findData(static_cast<int>(p));
  if (i >= 0) prove_box_->setCurrentIndex(i);
  if (isa_ && (pending_ || shown_prove_ != p)) start_job();
}

void IsaView::start_job() {
  // Whatever was shown or under way is void from now on.
  if (pending_) {
    pending_->disconnect(this);
    pending_->deleteLater();
    pending_ = nullptr;
  }
  const std::uint64_t gen = ++generation_;
  *wanted_ = gen;
  analysis_ = {};
  shown_isa_.reset();
  error_.clear();
  table_->clearContents();
  table_->setRowCount(0);
  witness_->clear();
  verdicts_->clear();

  vmm::ClassifierOptions o;
  o.prove = prove_;
  auto promise = std::make_shared<QPromise<IsaClassifyResult>>();
  auto* w = new QFutureWatcher<IsaClassifyResult>(this);
  connect(w, &QFutureWatcher<IsaClassifyResult>::finished, this, [this, w] { finished(w); });
  w->setFuture(promise->future());
  pending_ = w;
  promise->start();
  ++g_jobs;
  auto isa = isa_;
  auto wanted = wanted_;
  QThreadPool::globalInstance()->start([promise, isa, o, wanted, gen] {
    IsaClassifyResult r;
    if (wanted->load() != gen) {
      r.skipped = true;  // another ISA was asked for while this one waited for a thread
    } else {
      try {
        r.analysis = vmm::classify(isa, o);
      } catch (const std::exception& e) {
        r.error = e.what();
      }
    }
    promise->addResult(std::move(r));
    promise->finish();
    --g_jobs;
  });
  started_ms_ = QDateTime::currentMSecsSinceEpoch();
  busy_->show();
  tick_->start();
  update_status();
}

void IsaView::finished(QFutureWatcher<IsaClassifyResult>* w) {
  w->deleteLater();
  if (w != pending_) return;  // a result asked for before another ISA: dropped
  pending_ = nullptr;
  tick_->stop();
  busy_->hide();
  if (w->future().resultCount() == 0) return;
  IsaClassifyResult r = w->future().result();
  if (r.skipped) return;
  if (!r.error.empty()) {
    error_ = QString::fromStdString(r.error);
    update_status();
    emit classified();
    return;
  }
  analysis_ = std::move(r.analysis);
  shown_isa_ = isa_;
  shown_prove_ = prove_;
  fill_table();
  fill_verdicts();
  update_status();
  // Open on the first row that breaks Theorem 1, if any.
  int first = 0;
  for (int row = 0; row < table_->rowCount(); ++row)
    if (contains(analysis_.theorem1.violations, analysis_.instructions[static_cast<std::size_t>(row)].name())) {
      first = row;
      break;
    }
  if (table_->rowCount() > 0) {
    table_->setCurrentCell(first, 0);
    table_->scrollToItem(table_->item(first, 0), QAbstractItemView::PositionAtCenter);
  }
  show_row(first);
  emit classified();
}

void IsaView::update_status() {
  QString s;
  if (pending_ && isa_) {
    const qint64 secs = (QDateTime::currentMSecsSinceEpoch() - started_ms_) / 1000;
    s = QString("Classifying %1%2… %3 s")
            .arg(QFileInfo(QString::fromStdString(isa_->path)).fileName(),
                 prove_ == Prove::Off ? QString(" (testing sampled states)")
                                      : QString(" (testing sampled states, then proving with Z3)"))
            .arg(secs);
  } else if (!error_.isEmpty()) {
    s = "<span style='color:#b00000'>" + error_.toHtmlEscaped() + "</span>";
  }
  if (!note_.isEmpty()) s += (s.isEmpty() ? "" : "<br>") + note_.toHtmlEscaped();
  status_->setText(s);
  status_->setVisible(!s.isEmpty());
}

QString IsaView::status_text() const { return status_->text(); }

void IsaView::fill_table() {
  const auto& a = analysis_;
  const bool levels = shown_isa_->levels.size() > 2;
  table_->setColumnHidden(kLevels, !levels);  // the last visible column stretches
  table_->setRowCount(static_cast<int>(a.instructions.size()));
  auto cell = [](const QString& s) {
    auto* it = new QTableWidgetItem(s);
    it->setTextAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    return it;
  };
  auto yes = [&](bool b) { return cell(b ? "yes" : "–"); };
  for (int r = 0; r < table_->rowCount(); ++r) {
    const auto& c = a.instructions[static_cast<std::size_t>(r)];
    auto* name = cell(QString::fromStdString(c.name()));
    name->setToolTip(QString::fromStdString(c.name()));
    QFont bold = table_->font();
    bold.setBold(true);
    table_->setItem(r, kName, name);
    table_->setItem(r, kPriv, yes(c.privileged));
    table_->setItem(r, kStrict, yes(c.strictly_privileged));
    table_->setItem(r, kControl, yes(c.control_sensitive));
    table_->setItem(r, kBehavior, cell(behavior(c)));
    table_->setItem(r, kUser, yes(c.user_sensitive));
    table_->setItem(r, kTiming, yes(c.timing_source));
    const QString v = verdict(a, c);
    auto* vi = cell(v);
    table_->setItem(r, kVerdict, vi);
    auto* ev = cell(evidence(c));
    ev->setToolTip(evidence_detail(c));
    table_->setItem(r, kEvidence, ev);
    auto* lv = cell(levels ? level_pairs(*shown_isa_, c) : QString());
    lv->setToolTip(lv->text());
    table_->setItem(r, kLevels, lv);
    // Rows that break a theorem: a red tint and a text marker (readable without colour).
    const bool breaks = v.startsWith("BREAKS");
    for (int col = 0; col < kCols; ++col) {
      auto* it = table_->item(r, col);
      if (breaks) {
        it->setBackground(QColor(0xff, 0xc8, 0xc8));
        it->setForeground(QColor(0x20, 0x00, 0x00));
      }
      if (breaks && (col == kName || col == kVerdict)) it->setFont(bold);
    }
  }
  fit_columns();
}

void IsaView::fit_columns() {
  // Rows a line high (the style's default is half a line more: fewer rows on a projector).
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  table_->resizeColumnsToContents();
  // The instruction column at most ~24 characters: longer selector groups elide in the middle
  // (the whole name is the cell's tooltip and heads the witness pane).
  const int cap = table_->fontMetrics().horizontalAdvance(QString(24, 'x'));
  if (table_->columnWidth(kName) > cap) table_->setColumnWidth(kName, cap);
  if (!table_->isColumnHidden(kLevels)) {
    const int lcap = table_->fontMetrics().horizontalAdvance(QString(28, 'x'));
    if (table_->columnWidth(kLevels) > lcap) table_->setColumnWidth(kLevels, lcap);
  }
}

void IsaView::fill_verdicts() {
  const auto& a = analysis_;
  const auto& isa = *shown_isa_;
  auto how = [](const vmm::TheoremVerdict& t) {
    return t.proved ? QString("proved") : QString("tested on %1 states").arg(number(t.states));
  };
  auto line = [&](const QString& name, const vmm::TheoremVerdict& t, const QString& ok, const QString& bad) {
    return QString("<b>%1</b>: %2 <i>(%3)</i>")
        .arg(name,
             t.holds ? QString("<b style='color:#1a7f1a'>HOLDS</b> — %1").arg(ok)
                     : QString("<b style='color:#b00000'>FAILS</b> — %1").arg(bad),
             how(t));
  };
  QString s = QString("<b>%1</b> &nbsp; <span style='color:gray'>%2</span>")
                  .arg(QString::fromStdString(a.isa_name).toHtmlEscaped(),
                       QString::fromStdString(isa.path).toHtmlEscaped());
  if (isa.levels.size() > 2) {
    s += QString("<br>Levels %1 (most privileged first); a VMM runs at %2, the guest's kernel at %3: "
                 "“user mode” means %3 and every less privileged level.")
             .arg(join(isa.levels).toHtmlEscaped(), QString::fromStdString(isa.level_name(0)).toHtmlEscaped(),
                  QString::fromStdString(isa.level_name(isa.guest_kernel)).toHtmlEscaped());
  }
  s += "<br>" + line("Theorem 1", a.theorem1, "a VMM can be constructed (trap-and-emulate)",
                     "sensitive but not privileged: " + join(a.theorem1.violations).toHtmlEscaped());
  if (a.theorem1_strict.holds != a.theorem1.holds || a.theorem1_strict.violations != a.theorem1.violations) {
    s += QString("<br>&nbsp;&nbsp;&nbsp;with P&amp;G's strict reading of privileged (never traps in supervisor "
                 "mode) it %1%2")
             .arg(a.theorem1_strict.holds ? "<b style='color:#1a7f1a'>holds</b>" : "<b style='color:#b00000'>fails</b>",
                  a.theorem1_strict.violations.empty() ? QString()
                                                       : ": " + join(a.theorem1_strict.violations).toHtmlEscaped());
    s += ". A trap-and-emulate VMM needs only the user-mode trap.";
  }
  s += "<br>" + line("Theorem 3", a.theorem3, "a hybrid VMM can be constructed",
                     "user sensitive but not privileged: " + join(a.theorem3.violations).toHtmlEscaped());
  s += "<br>" + line("Theorem 2", a.theorem2, "recursively virtualizable, without timing dependencies",
                     "it needs Theorem 1");
  if (!a.timing_sources.empty())
    s += "<br>Timing sources: " + join(a.timing_sources).toHtmlEscaped() +
         " (P&amp;G leave time out of equivalence: a VMM cannot hide how long it took).";
  verdicts_->setText(s);
}

void IsaView::show_row(int row) {
  if (!shown_isa_ || row < 0 || row >= static_cast<int>(analysis_.instructions.size())) return;
  if (table_->currentRow() != row) {
    table_->blockSignals(true);
    table_->setCurrentCell(row, 0);
    table_->blockSignals(false);
  }
  const auto& c = analysis_.instructions[static_cast<std::size_t>(row)];
  QStringList is;
  if (c.privileged) is << (c.strictly_privileged ? "privileged" : "privileged (not strictly)");
  else is << "not privileged";
  if (c.control_sensitive) is << "control sensitive";
  if (c.behavior_sensitive()) is << "behavior sensitive (" + behavior(c) + ")";
  if (c.user_sensitive) is << "user sensitive";
  if (c.timing_source) is << "a timing source";
  QString text = QString("%1: %2.\n%3\n").arg(QString::fromStdString(c.name()), is.join(", "), evidence_detail(c));
  if (shown_isa_->levels.size() > 2 && !c.privileged && !c.mode_pairs.empty())
    text += "Levels it tells apart: " + level_pairs(*shown_isa_, c) + "\n";
  text += "\n";
  bool any = false;
  for (const auto* w : {&c.control, &c.mode, &c.trap_mode, &c.owned, &c.location, &c.timing})
    if (*w) {
      text += QString::fromStdString(vmm::format_witness(*shown_isa_, **w, 0)) + "\n";
      any = true;
    }
  if (c.not_privileged && c.sensitive())
    text += "not privileged: " + QString::fromStdString(c.not_privileged->explanation) + ".\n";
  if (c.privileged && !c.strictly_privileged && c.not_strictly_privileged)
    text += QString("not strictly privileged: `%1`: %2.\n")
                .arg(QString::fromStdString(c.not_strictly_privileged->instruction),
                     QString::fromStdString(c.not_strictly_privileged->explanation));
  if (!any)
    text += c.privileged ? "Privileged: it traps in user mode, so a VMM sees every use of it.\n"
                         : "No witness of sensitivity: innocuous, it runs directly under a VMM.\n";
  for (const auto& n : c.notes) text += "note: " + QString::fromStdString(n) + "\n";
  witness_->setPlainText(wrap_long_lines(text, 76));
}

QString IsaView::witness_text() const { return witness_->toPlainText(); }

void IsaView::changeEvent(QEvent* e) {
  QWidget::changeEvent(e);
  if (e->type() == QEvent::FontChange && table_ && table_->rowCount() > 0) fit_columns();  // zoom
}

void IsaView::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  // Wide and low (the dock under the levels): table and witness side by side; otherwise stacked.
  split_->setOrientation(width() > 2 * height() ? Qt::Horizontal : Qt::Vertical);
}

}  // namespace pgsim::gui
