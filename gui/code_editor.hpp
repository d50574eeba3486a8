#pragma once
// A source editor: line numbers and breakpoint dots in a gutter (click to toggle), and
// compiler diagnostics shown inline as a wavy underline with the message as a tooltip.
#include <QPlainTextEdit>
#include <set>

namespace pgsim::gui {

/// One diagnostic to show: 1-based line and column, and the message.
struct InlineDiagnostic {
  int line = 0, column = 0;
  QString message;
};

class CodeEditor : public QPlainTextEdit {
  Q_OBJECT
 public:
  explicit CodeEditor(QWidget* parent = nullptr);
  int gutter_width() const;
  /// Lines (1-based) that carry a breakpoint dot.
  void set_breakpoint_lines(const std::set<int>& lines);
  /// Diagnostics to underline; `marks` are extra line highlights (current lines of levels).
  void set_marks(const QList<QTextEdit::ExtraSelection>& marks);
  void set_diagnostics(const std::vector<InlineDiagnostic>& d);
  const std::vector<InlineDiagnostic>& diagnostics() const { return diagnostics_; }

 signals:
  /// The user clicked the gutter at line `line` (1-based).
  void gutter_clicked(int line);

 protected:
  void resizeEvent(QResizeEvent* e) override;
  bool event(QEvent* e) override;

 private:
  friend class Gutter;
  void paint_gutter(QPaintEvent* e);
  void apply_selections();
  QWidget* gutter_;
  std::set<int> breakpoints_;
  QList<QTextEdit::ExtraSelection> marks_;
  std::vector<InlineDiagnostic> diagnostics_;
};

}  // namespace pgsim::gui
