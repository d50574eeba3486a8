#pragma once
// The Source view: every source file of the guest and the VMM in tabs, mnemonics highlighted,
// line numbers, and the current line of each level marked in the level's color.
#include <QTabWidget>
#include <map>
#include <set>

#include "vmm/session.hpp"

class QPlainTextEdit;

namespace pgsim::gui {

class SourceView : public QTabWidget {
  Q_OBJECT
 public:
  explicit SourceView(QWidget* parent = nullptr);
  /// Loads the session's source files (guest first, then the VMM).
  void set_session(const vmm::Session* s);
  /// Marks each level's current line.
  void refresh();
  /// The editor of a file (by path), or null.
  QPlainTextEdit* editor(const QString& path) const;
  /// Lines with a breakpoint, per file (marked in red).
  std::map<QString, std::set<int>>& breakpoint_lines() { return breakpoints_; }

 signals:
  /// The user double-clicked line `line` (1-based) of `path`: toggle a breakpoint there.
  void line_double_clicked(const QString& path, int line);

 protected:
  bool eventFilter(QObject* o, QEvent* e) override;

 private:
  const vmm::Session* session_ = nullptr;
  std::map<QString, QPlainTextEdit*> editors_;
  std::map<QString, std::set<int>> breakpoints_;
};

}  // namespace pgsim::gui
