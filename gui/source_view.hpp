#pragma once
// The Source view: every source file of the guest and the VMM in tabs, editable, mnemonics
// highlighted, line numbers and breakpoint dots in a gutter (click to toggle), the current
// line of each level marked in the level's color, and compiler diagnostics inline. Edits are
// autosaved to FILE.autosave (offered back when the file is opened again); Save writes the file.
#include <QTabWidget>
#include <map>
#include <set>

#include "gui/code_editor.hpp"
#include "vmm/session.hpp"

class QTimer;

namespace pgsim::gui {

class SourceView : public QTabWidget {
  Q_OBJECT
 public:
  explicit SourceView(QWidget* parent = nullptr);
  /// Loads the session's source files (guest first, then the VMM). Unsaved edits of files
  /// that are still shown are kept. A file with a newer FILE.autosave is offered back (a modal
  /// "Restore / Discard" question) when its editor is created.
  void set_session(const vmm::Session* s);
  /// Marks each level's current line and the breakpoints.
  void refresh();
  /// The editor of a file (by path), or null.
  CodeEditor* editor(const QString& path) const;
  /// Lines with a breakpoint, per file.
  std::map<QString, std::set<int>>& breakpoint_lines() { return breakpoints_; }
  /// Every file shown.
  QStringList files() const;
  /// Files with edits not saved to disk.
  QStringList modified_files() const;
  /// Writes a file's editor text to disk (and removes its autosave copy). False on an I/O error.
  bool save(const QString& path);
  /// The path of the file in the current tab.
  QString current_path() const;

 signals:
  /// The user clicked the gutter at `line` (1-based) of `path`: toggle a breakpoint there.
  void line_clicked(const QString& path, int line);
  /// The text of `path` changed (debounced): re-assemble it.
  void edited(const QString& path);

 private:
  const vmm::Session* session_ = nullptr;
  std::map<QString, CodeEditor*> editors_;
  std::map<QString, std::set<int>> breakpoints_;
  QTimer* debounce_;
  QString pending_;
  /// If FILE.autosave is newer than FILE and differs from it, asks "Restore / Discard": Restore
  /// puts the autosaved text in `ed` (modified, not saved), Discard deletes the copy.
  void offer_autosave(const QString& path, CodeEditor* ed);
  std::map<QString, QString> last_text_;  ///< text last reported as edited (formatting changes are not edits)
};

}  // namespace pgsim::gui
