#pragma once
// The Source view: every source file of the guest and the VMM in tabs, editable, mnemonics
// highlighted, line numbers and breakpoint dots in a gutter (click to toggle), the current
// line of each level marked in the level's color, and compiler diagnostics inline. Edits are
// autosaved to FILE.autosave (offered back when the file is opened again); Save writes the file.
#include <QListWidget>
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
  /// Shows `path` with `text` in an editor of its own (e.g. a program that did not assemble, so
  /// has no session yet), highlighted for `isa`. The tab stays until another session is shown.
  /// Returns the editor (an existing one for `path` if any: its unsaved edits are kept).
  CodeEditor* open_file(const QString& path, const QString& text, const isa::IsaModel& isa);
  /// The editors' monospace font at `point_size` (<= 0: the default size).
  static QFont monospace(double point_size);
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
  /// The editor of `path`, created (with `text`) if there is none; offers its autosaved copy.
  CodeEditor* add_editor(const QString& path, const QString& text, const isa::IsaModel& isa);
  std::set<QString> pinned_;                     ///< files opened with open_file: kept by set_session
  const vmm::Session* pinned_session_ = nullptr;  ///< the session shown when they were opened
  /// If FILE.autosave is newer than FILE and differs from it, asks "Restore / Discard": Restore
  /// puts the autosaved text in `ed` (modified, not saved), Discard deletes the copy.
  void offer_autosave(const QString& path, CodeEditor* ed);
  std::map<QString, QString> last_text_;  ///< text last reported as edited (formatting changes are not edits)
};

/// The assembly errors of the program being edited, one entry per error, as the assembler prints
/// them: "file:line:col: error: message", the source line and a caret under the column, in the
/// editors' monospace font (tabs shown as spaces, columns in characters) so the caret lines up.
/// Hidden when there are none. Clicking an entry (or Enter) asks to show its place (go_to).
class DiagnosticsList : public QListWidget {
  Q_OBJECT
 public:
  /// One error: the file's path, 1-based line and column (characters), message, display text.
  struct Entry {
    QString path;
    int line = 0, column = 0;
    QString message, text;
  };
  explicit DiagnosticsList(QWidget* parent = nullptr);
  /// The entry of an assembler or ISA diagnostic.
  static Entry entry(const Diagnostic& d);
  /// Shows `entries` (in order) and becomes visible, or hides when there are none. Never touches
  /// an editor's cursor or scroll position.
  void set_entries(const std::vector<Entry>& entries);

 signals:
  /// The user picked the error at `line`:`column` of `path`.
  void go_to(const QString& path, int line, int column);
};

}  // namespace pgsim::gui
