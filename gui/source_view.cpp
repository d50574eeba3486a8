#include "gui/source_view.hpp"

#include <QFile>
#include <QMouseEvent>
#include <QFileInfo>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextBlock>
#include <set>

#include "gui/level_colors.hpp"

namespace pgsim::gui {
namespace {

/// Highlights the ISA's mnemonics, registers, comments and labels.
class AsmHighlighter : public QSyntaxHighlighter {
 public:
  AsmHighlighter(QTextDocument* doc, const isa::IsaModel& isa) : QSyntaxHighlighter(doc) {
    QStringList words;
    for (const auto& i : isa.instructions) words << QString::fromStdString(i.mnemonic);
    for (const auto& p : isa.pseudos) words << QString::fromStdString(p.mnemonic);
    mnemonic_ = QRegularExpression("\\b(" + words.join('|') + ")\\b", QRegularExpression::CaseInsensitiveOption);
    mnemonic_fmt_.setForeground(QColor(0x00, 0x55, 0xaa));
    mnemonic_fmt_.setFontWeight(QFont::Bold);
    comment_fmt_.setForeground(QColor(0x5a, 0x7a, 0x5a));
    label_fmt_.setForeground(QColor(0x99, 0x33, 0x00));
  }

 protected:
  void highlightBlock(const QString& text) override {
    int semi = text.indexOf(';');
    QString code = semi >= 0 ? text.left(semi) : text;
    auto it = mnemonic_.globalMatch(code);
    while (it.hasNext()) {
      auto m = it.next();
      setFormat(static_cast<int>(m.capturedStart()), static_cast<int>(m.capturedLength()), mnemonic_fmt_);
    }
    static const QRegularExpression label("^\\s*([A-Za-z_][A-Za-z0-9_]*):");
    auto lm = label.match(code);
    if (lm.hasMatch()) setFormat(static_cast<int>(lm.capturedStart(1)), static_cast<int>(lm.capturedLength(1)), label_fmt_);
    if (semi >= 0) setFormat(semi, static_cast<int>(text.size()) - semi, comment_fmt_);
  }

 private:
  QRegularExpression mnemonic_;
  QTextCharFormat mnemonic_fmt_, comment_fmt_, label_fmt_;
};

}  // namespace

SourceView::SourceView(QWidget* parent) : QTabWidget(parent) { setDocumentMode(true); }

QPlainTextEdit* SourceView::editor(const QString& path) const {
  auto it = editors_.find(path);
  return it == editors_.end() ? nullptr : it->second;
}

void SourceView::set_session(const vmm::Session* s) {
  session_ = s;
  clear();
  for (auto& [p, e] : editors_) e->deleteLater();
  editors_.clear();
  if (!s) return;
  std::vector<std::shared_ptr<const SourceFile>> files;
  std::set<std::string> seen;
  for (const assembler::Image* img : {&s->stack().guest_image(), s->stack().vmm_image()}) {
    if (!img) continue;
    for (const auto& l : img->lines)
      if (seen.insert(l.file->path).second) files.push_back(l.file);
  }
  for (const auto& f : files) {
    auto* ed = new QPlainTextEdit(this);
    ed->setReadOnly(true);
    ed->setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono("DejaVu Sans Mono");
    mono.setStyleHint(QFont::Monospace);
    mono.setPointSizeF(font().pointSizeF());
    ed->setFont(mono);
    // Line numbers are part of the text shown (the file on disk is not changed).
    QStringList lines = QString::fromStdString(f->text).split('\n');
    QString numbered;
    for (int i = 0; i < lines.size(); ++i) numbered += QString("%1  %2\n").arg(i + 1, 4).arg(lines[i]);
    ed->setPlainText(numbered);
    new AsmHighlighter(ed->document(), s->machine().isa());
    QString path = QString::fromStdString(f->path);
    editors_[path] = ed;
    ed->viewport()->installEventFilter(this);
    ed->setToolTip("Double-click a line to set or clear a breakpoint");
    addTab(ed, QFileInfo(path).fileName());
  }
  refresh();
}

bool SourceView::eventFilter(QObject* o, QEvent* e) {
  if (e->type() == QEvent::MouseButtonDblClick) {
    for (auto& [path, ed] : editors_)
      if (ed->viewport() == o) {
        auto* me = static_cast<QMouseEvent*>(e);
        int line = ed->cursorForPosition(me->position().toPoint()).blockNumber() + 1;
        emit line_double_clicked(path, line);
        return true;
      }
  }
  return QTabWidget::eventFilter(o, e);
}

void SourceView::refresh() {
  if (!session_) return;
  std::map<QPlainTextEdit*, QList<QTextEdit::ExtraSelection>> marks;
  for (auto& [path, lines] : breakpoints_) {
    QPlainTextEdit* ed = editor(path);
    if (!ed) continue;
    for (int line : lines) {
      QTextEdit::ExtraSelection sel;
      sel.format.setBackground(QColor(0xff, 0x70, 0x70));
      sel.format.setProperty(QTextFormat::FullWidthSelection, true);
      sel.cursor = QTextCursor(ed->document()->findBlockByNumber(line - 1));
      marks[ed].append(sel);
    }
  }
  QPlainTextEdit* running_editor = nullptr;
  int running_line = 0;
  for (unsigned k = 0; k <= session_->stack().depth(); ++k) {
    auto v = session_->view(k);
    if (v.where.empty()) continue;
    auto colon = v.where.rfind(':');
    QString path = QString::fromStdString(v.where.substr(0, colon));
    int line = std::stoi(v.where.substr(colon + 1));
    QPlainTextEdit* ed = editor(path);
    if (!ed) continue;
    QTextEdit::ExtraSelection sel;
    QColor c = level_color(k);
    c.setAlpha(v.running ? 110 : 50);
    sel.format.setBackground(c);
    sel.format.setProperty(QTextFormat::FullWidthSelection, true);
    sel.cursor = QTextCursor(ed->document()->findBlockByNumber(line - 1));
    marks[ed].append(sel);
    if (v.running) {
      running_editor = ed;
      running_line = line;
    }
  }
  for (auto& [p, ed] : editors_) ed->setExtraSelections(marks[ed]);
  if (running_editor) {
    setCurrentWidget(running_editor);
    QTextCursor c(running_editor->document()->findBlockByNumber(running_line - 1));
    running_editor->setTextCursor(c);
    running_editor->centerCursor();
  }
}

}  // namespace pgsim::gui
