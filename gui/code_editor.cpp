#include "gui/code_editor.hpp"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QTextBlock>
#include <QToolTip>

namespace pgsim::gui {

/// The gutter widget: paints line numbers and breakpoint dots, reports clicks.
class Gutter : public QWidget {
 public:
  explicit Gutter(CodeEditor* e) : QWidget(e), editor_(e) { setCursor(Qt::PointingHandCursor); }
  QSize sizeHint() const override { return {editor_->gutter_width(), 0}; }

 protected:
  void paintEvent(QPaintEvent* e) override { editor_->paint_gutter(e); }
  void mousePressEvent(QMouseEvent* e) override {
    QTextCursor c = editor_->cursorForPosition(QPoint(0, static_cast<int>(e->position().y())));
    emit editor_->gutter_clicked(c.blockNumber() + 1);
  }

 private:
  CodeEditor* editor_;
};

CodeEditor::CodeEditor(QWidget* parent) : QPlainTextEdit(parent), gutter_(new Gutter(this)) {
  setLineWrapMode(QPlainTextEdit::NoWrap);
  connect(this, &QPlainTextEdit::blockCountChanged, this, [this] { setViewportMargins(gutter_width(), 0, 0, 0); });
  connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect& r, int dy) {
    if (dy) gutter_->scroll(0, dy);
    else gutter_->update(0, r.y(), gutter_->width(), r.height());
  });
  setViewportMargins(gutter_width(), 0, 0, 0);
}

int CodeEditor::gutter_width() const {
  int digits = QString::number(std::max(1, blockCount())).size();
  return 8 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * (digits + 2);
}

void CodeEditor::resizeEvent(QResizeEvent* e) {
  QPlainTextEdit::resizeEvent(e);
  QRect cr = contentsRect();
  gutter_->setGeometry(QRect(cr.left(), cr.top(), gutter_width(), cr.height()));
  setViewportMargins(gutter_width(), 0, 0, 0);
}

void CodeEditor::paint_gutter(QPaintEvent* e) {
  QPainter p(gutter_);
  p.fillRect(e->rect(), palette().window());
  QTextBlock block = firstVisibleBlock();
  int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
  const int h = fontMetrics().height();
  while (block.isValid() && top <= e->rect().bottom()) {
    int line = block.blockNumber() + 1;
    if (breakpoints_.count(line)) {
      p.setBrush(QColor(0xd0, 0x20, 0x20));
      p.setPen(Qt::NoPen);
      p.drawEllipse(QPoint(h / 2 + 2, top + h / 2), h / 3, h / 3);
    }
    bool error = std::any_of(diagnostics_.begin(), diagnostics_.end(), [&](auto& d) { return d.line == line; });
    p.setPen(error ? QColor(0xd0, 0x20, 0x20) : palette().placeholderText().color());
    p.drawText(0, top, gutter_->width() - 4, h, Qt::AlignRight, QString::number(line));
    block = block.next();
    top += qRound(blockBoundingRect(block).height());
  }
}

void CodeEditor::set_breakpoint_lines(const std::set<int>& lines) {
  breakpoints_ = lines;
  gutter_->update();
}

void CodeEditor::set_marks(const QList<QTextEdit::ExtraSelection>& marks) {
  marks_ = marks;
  apply_selections();
}

void CodeEditor::set_diagnostics(const std::vector<InlineDiagnostic>& d) {
  diagnostics_ = d;
  apply_selections();
  gutter_->update();
}

void CodeEditor::apply_selections() {
  QList<QTextEdit::ExtraSelection> all = marks_;
  for (const auto& d : diagnostics_) {
    QTextBlock b = document()->findBlockByNumber(d.line - 1);
    if (!b.isValid()) continue;
    QTextEdit::ExtraSelection sel;
    sel.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
    sel.format.setUnderlineColor(QColor(0xd0, 0x20, 0x20));
    sel.format.setToolTip(d.message);
    QTextCursor c(b);
    int col = std::max(0, d.column - 1);
    c.setPosition(b.position() + std::min(col, std::max(0, b.length() - 1)));
    c.movePosition(QTextCursor::EndOfWord, QTextCursor::KeepAnchor);
    if (!c.hasSelection()) c.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
    sel.cursor = c;
    all.append(sel);
  }
  setExtraSelections(all);
}

bool CodeEditor::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* he = static_cast<QHelpEvent*>(e);
    QTextCursor c = cursorForPosition(viewport()->mapFromParent(he->pos()));
    int line = c.blockNumber() + 1;
    QStringList msgs;
    for (const auto& d : diagnostics_)
      if (d.line == line) msgs << d.message;
    if (!msgs.isEmpty()) {
      QToolTip::showText(he->globalPos(), msgs.join('\n'));
      return true;
    }
  }
  return QPlainTextEdit::event(e);
}

}  // namespace pgsim::gui
