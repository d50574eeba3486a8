#pragma once
// pgsim-gui's main window: the views (Levels, Trap chain, Source, Console) around a
// vmm::Session, the step controls with their shortcuts, Run/Pause in time slices.
#include <QMainWindow>
#include <functional>
#include <memory>

#include "isa/source.hpp"
#include "vmm/session.hpp"

class QAction;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QSlider;
class QComboBox;
class QTimer;
class QMenu;

namespace pgsim::gui {

class LevelsView;
class TrapChainView;
class SourceView;
class StorageView;
class CostView;
class TranslationCacheView;
class IsaView;
class LessonPanel;
class DiagnosticsList;

/// What to open: an ISA, a guest program, a depth, a monitor.
struct OpenSpec {
  QString isa;      ///< empty: PG-1
  QString program;  ///< empty: the reference guest OS
  unsigned depth = 3;
  QString vmm = {};  ///< the monitor at every level: a name (vmm/monitor_catalog.hpp) or a file; empty: the default
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  /// Opens `spec`; on an error shows it in the status bar and keeps the window usable.
  explicit MainWindow(const OpenSpec& spec, QWidget* parent = nullptr);
  ~MainWindow() override;

  vmm::Session* session() { return session_.get(); }
  /// Rebuilds the stack (e.g. another depth). Returns false (with a message) on an error.
  bool open(const OpenSpec& spec);
  /// Loads ISA file `path` (a path, or a name as `--isa` takes it): when the guest program
  /// assembles on it, re-runs the guest on it (open()); otherwise (a real machine's model) only
  /// the ISA view classifies it, with a note that the guest still runs on its ISA. Returns false
  /// when the file does not load (the error is shown as open() shows it).
  bool load_isa_file(const QString& path);
  /// Shows an existing session (e.g. a lesson's machine) in every view.
  void adopt(std::shared_ptr<vmm::Session> s, std::shared_ptr<const isa::IsaModel> isa);
  /// Redraws every view from the session (at most ~30 times a second while running).
  void refresh_views();
  /// The zoom factor of the presentation mode (1.0 = normal).
  double zoom() const { return zoom_; }
  void set_zoom(double z);
  /// Zoom for this run only (--demo, --zoom): applied now, never saved at exit (the saved zoom
  /// stays the one the user chose in a normal run). Zooming in or out afterwards is not saved either.
  void override_zoom(double z);
  /// Light or dark palette (for rooms where one reads better than the other).
  void set_dark(bool dark);
  bool dark() const { return dark_; }
  StorageView* storage_view() { return storage_; }
  CostView* cost_view() { return cost_; }
  /// The Translation cache view (the bt monitor's TC; a message for other monitors).
  TranslationCacheView* translation_cache_view() { return tc_; }
  IsaView* isa_view() { return isa_view_; }
  LessonPanel* lesson_panel() { return lesson_; }
  bool running() const;
  /// The micro-step Step cycle showed last ("" if none).
  QString micro_step_text() const { return micro_text_; }
  /// Sets or clears a breakpoint on a source line; returns true if it is now set.
  bool toggle_line_breakpoint(const QString& path, int line);
  /// Presentation mode: zoom 1.5, the Source view in front, stopped at the guest's first trap
  /// (the moment a lecture about trap-and-emulate starts from).
  void start_demo();
  /// Re-assembles the edited text of `path` and shows its diagnostics inline; returns how many.
  int reassemble(const QString& path);
  SourceView* source_view() { return source_; }
  /// The list of the assembly errors of the program being edited (under the Source editors).
  DiagnosticsList* diagnostics_list() { return diagnostics_; }
  /// The last error message ("" if none).
  QString last_error() const { return error_; }
  /// The status bar's text (step, cycle, traps, the machine's state, why it stopped).
  QString status_text() const;
  TrapChainView* trap_chain() { return chain_; }
  LevelsView* levels_view() { return levels_; }
  QPlainTextEdit* console() { return console_; }

 public slots:
  void do_reset();
  void do_step();
  void do_step_in_level();
  void do_step_over_trap();
  void do_finish_trap();
  void do_run_to_next_trap();
  void do_step_back();
  void do_forward();
  void do_back_to_previous_trap();
  void do_forward_to_present();
  void toggle_run();
  void do_save();
  void do_step_cycle();
  void do_apply();

 protected:
  void closeEvent(QCloseEvent* e) override;

 private:
  void build_ui();
  /// A program that did not assemble: its files in the editor, the errors inline and in the
  /// list, the first one shown and the list focused; Ctrl+Return saves and opens it again.
  void show_program_errors(const OpenSpec& spec, const QString& prog, const InputError& err);
  /// Shrinks the window to the screen's available geometry when it is larger (a saved or the
  /// default 1500x950 size on a 1280x720 projector), so the status bar and docks stay visible.
  void fit_to_screen();
  /// Points every view that reads the session (trap chain, levels, source, storage) at none,
  /// before the session they read is replaced or destroyed.
  void detach_views();
  /// Shows line `line`, column `column` (1-based) of `path` in its editor (a person asked to).
  void show_place(const QString& path, int line, int column);
  /// Runs a step kind on the session and refreshes the views.
  void act(const std::function<void(vmm::Session&)>& f);
  void run_slice();
  QAction* add_action(const QString& name, const QString& text, const QKeySequence& key, void (MainWindow::*slot)());

  OpenSpec spec_;
  std::shared_ptr<const isa::IsaModel> isa_;
  std::shared_ptr<vmm::Session> session_;
  LevelsView* levels_ = nullptr;
  TrapChainView* chain_ = nullptr;
  SourceView* source_ = nullptr;
  DiagnosticsList* diagnostics_ = nullptr;
  QString broken_main_;        ///< a program opened with errors (not yet assembled), or ""
  QStringList broken_files_;   ///< its files shown in the editor
  StorageView* storage_ = nullptr;
  CostView* cost_ = nullptr;
  TranslationCacheView* tc_ = nullptr;
  IsaView* isa_view_ = nullptr;
  LessonPanel* lesson_ = nullptr;
  qint64 last_cost_refresh_ = 0;
  bool dark_ = false;
  QPlainTextEdit* console_ = nullptr;
  QLineEdit* input_ = nullptr;
  QSpinBox* depth_box_ = nullptr;
  QSpinBox* level_box_ = nullptr;
  QSlider* speed_ = nullptr;
  QComboBox* cause_filter_ = nullptr;
  QComboBox* level_filter_ = nullptr;
  QLabel* status_ = nullptr;
  QMenu* cause_menu_ = nullptr;
  QMenu* level_menu_ = nullptr;
  QTimer* timer_ = nullptr;
  QAction* run_action_ = nullptr;
  double zoom_ = 1.0;
  bool zoom_overridden_ = false;  ///< --demo / --zoom: do not save zoom_ at exit
  double base_point_size_ = 10;
  QString error_;
  std::vector<vmm::MicroStep> micro_;  ///< the micro-steps of the step being walked by Step cycle
  std::size_t micro_index_ = 0;
  QString micro_text_;
  QString stop_note_;          ///< why the last command stopped where it did ("" if nothing to say)
  std::string console_shown_;  ///< the console output the Console view shows
};

}  // namespace pgsim::gui
