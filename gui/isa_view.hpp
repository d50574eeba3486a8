#pragma once
// The ISA view: an ISA's instructions with their Popek–Goldberg classification as `pgsim check`
// reports it (privileged in both readings, control, behavior: location / mode / mode through a
// trap / owned state, user, timing, the verdict, and whether each row was proved by Z3 or tested
// on N states), the theorem verdicts (Theorem 1 under both readings of "privileged" when they
// differ), the pairs of levels an unprivileged instruction tells apart (ISAs with more than two
// levels), and on click the witness states side by side.
//
// The classification runs in a worker thread (vmm::classify, about 0.3 s for PG-1 and up to
// 5 s for RISC-V with proofs): the view says "classifying…" meanwhile and fills the table when it
// is done; giving it another ISA meanwhile discards the older result (a running classification
// cannot be interrupted: it finishes in the background and its result is dropped).
// "Load ISA file…" and the list of shipped models (examples/isa, examples/isa/real in the data
// roots of vmm/data_files.hpp) ask the main window to load another ISA.
#include <QWidget>
#include <atomic>
#include <cstdint>
#include <memory>

#include "vmm/classifier.hpp"

class QTableWidget;
class QPlainTextEdit;
class QLabel;
class QComboBox;
class QProgressBar;
class QSplitter;
class QTimer;
class QPushButton;
template <typename T>
class QFutureWatcher;

namespace pgsim::gui {

/// What a worker thread hands back: the analysis, or the message of the error that stopped it.
struct IsaClassifyResult {
  vmm::Analysis analysis;
  std::string error;      ///< empty unless classify threw (a limit of the classifier, named)
  bool skipped = false;   ///< another ISA was asked for before this job started: not run
};

class IsaView : public QWidget {
  Q_OBJECT
 public:
  explicit IsaView(QWidget* parent = nullptr);
  ~IsaView() override;

  /// Starts classifying `isa` in a worker thread and returns at once; the table is emptied, the
  /// view says "classifying…", and classified() is emitted when the table is filled. `note`
  /// (may be empty) is shown above the theorems, e.g. that the guest runs on another ISA.
  /// The same file with the same text as the ISA shown (or being classified) with the same
  /// proof setting is not classified again (a restart of the guest keeps the table and the row).
  void set_isa(std::shared_ptr<const isa::IsaModel> isa, const QString& note = {});
  /// True while the ISA asked for last is being classified (the table is then empty).
  bool classifying() const { return pending_ != nullptr; }
  /// The analysis shown (empty while classifying or after an error).
  const vmm::Analysis& analysis() const { return analysis_; }
  /// The ISA of analysis() (null before the first classification finished).
  const isa::IsaModel* shown_isa() const { return shown_isa_.get(); }
  /// Selects row `row` and shows its witnesses.
  void show_row(int row);
  /// The text of the witness pane (what show_row put there).
  QString witness_text() const;
  /// The status line above the table ("classifying ia32.isa and proving with Z3… 2 s", an error, or the
  /// note of set_isa).
  QString status_text() const;
  /// How proofs run (ClassifierOptions::prove): Auto as `pgsim check` (default), On, Off.
  void set_prove(vmm::ClassifierOptions::Prove p);
  vmm::ClassifierOptions::Prove prove() const { return prove_; }
  /// Checks or unchecks the "Enlarge" button (when the main window put the view back).
  void set_enlarged(bool on);
  /// Classifications still running in worker threads of every IsaView, discarded ones included
  /// (for tests: a discarded result must not reach the table even after it finishes).
  static int jobs_running();

 signals:
  /// The user asked to load another ISA file (the "Load ISA file…" button).
  void load_isa_requested();
  /// The user picked a shipped ISA file (absolute path) from the list of models.
  void isa_file_chosen(const QString& path);
  /// The table was filled with the analysis of the ISA asked for last (or its error shown).
  void classified();
  /// The user asked for the view to fill the window (true) or to go back into it (false).
  void enlarge_requested(bool on);

 protected:
  void changeEvent(QEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;

 private:
  void start_job();
  void finished(QFutureWatcher<IsaClassifyResult>* w);
  void fill_table();
  void fill_verdicts();
  void fit_columns();
  void update_status();

  std::shared_ptr<const isa::IsaModel> isa_;        ///< asked for last (classifying or shown)
  std::shared_ptr<const isa::IsaModel> shown_isa_;  ///< the ISA of analysis_
  QString isa_text_;                                ///< its file's text when asked for (see set_isa)
  QString note_;
  QString error_;
  vmm::Analysis analysis_;
  vmm::ClassifierOptions::Prove prove_ = vmm::ClassifierOptions::Prove::Auto;
  vmm::ClassifierOptions::Prove shown_prove_ = vmm::ClassifierOptions::Prove::Auto;
  std::shared_ptr<std::atomic<std::uint64_t>> wanted_;  ///< the generation asked for last (workers read it)
  std::uint64_t generation_ = 0;
  QFutureWatcher<IsaClassifyResult>* pending_ = nullptr;
  qint64 started_ms_ = 0;
  QTimer* tick_ = nullptr;
  QComboBox* models_ = nullptr;
  QComboBox* prove_box_ = nullptr;
  QPushButton* enlarge_ = nullptr;
  QProgressBar* busy_ = nullptr;
  QLabel* status_ = nullptr;
  QLabel* verdicts_ = nullptr;
  QSplitter* split_ = nullptr;
  QTableWidget* table_ = nullptr;
  QPlainTextEdit* witness_ = nullptr;
};

}  // namespace pgsim::gui
