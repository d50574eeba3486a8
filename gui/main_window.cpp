#include "gui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QTextBlock>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QScreen>
#include <QScrollBar>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "assembler/assembler.hpp"
#include "gui/cost_view.hpp"
#include "gui/isa_view.hpp"
#include "gui/lesson_panel.hpp"
#include "gui/levels_view.hpp"
#include "gui/storage_view.hpp"
#include "gui/source_view.hpp"
#include "gui/trap_chain_view.hpp"
#include "gui/translation_cache_view.hpp"
#include "isa/loader.hpp"
#include "vmm/lesson.hpp"  // vmm::kMaxDepth
#include "vmm/data_files.hpp"
#include "vmm/monitor_catalog.hpp"
#include "gui/code_editor.hpp"

namespace pgsim::gui {

namespace {
/// A data file's path (vmm::find_data_file), or the bare name when none is found.
QString data_file(const QString& name) {
  std::string p = vmm::find_data_file(name.toStdString());
  return p.empty() ? name : QString::fromStdString(p);
}

/// Directory `sub` of the first data root (vmm::data_roots), where the file dialogs start; the
/// current directory when there is none.
QString data_dir(const QString& sub) {
  auto roots = vmm::data_roots();
  return roots.empty() ? QString(".") : QString::fromStdString(roots.front()) + "/" + sub;
}
}  // namespace

MainWindow::MainWindow(const OpenSpec& spec, QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("pgsim — Popek–Goldberg machine");
  base_point_size_ = QApplication::font().pointSizeF() > 0 ? QApplication::font().pointSizeF() : 10;
  build_ui();
  QSettings st;  // the application's organization and name (main.cpp: pgsim / pgsim-gui)
  restoreGeometry(st.value("geometry").toByteArray());
  restoreState(st.value("state").toByteArray());
  fit_to_screen();
  set_zoom(st.value("zoom", 1.0).toDouble());
  open(spec);
}

MainWindow::~MainWindow() {
  // The views are children, destroyed after the session member: let go of it first.
  detach_views();
}

void MainWindow::detach_views() {
  chain_->set_session(nullptr);
  levels_->set_session(nullptr);
  source_->set_session(nullptr);
  storage_->set_session(nullptr);
  tc_->set_session(nullptr);
}

void MainWindow::closeEvent(QCloseEvent* e) {
  QStringList unsaved = source_->modified_files();
  if (!unsaved.isEmpty()) {
    auto answer = QMessageBox::question(this, "Unsaved edits",
                                        "These files have edits that are not saved:\n" + unsaved.join('\n') +
                                            "\n\nSave them? (An autosaved copy FILE.autosave exists either way.)",
                                        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel) {
      e->ignore();
      return;
    }
    if (answer == QMessageBox::Save)
      for (const auto& f : unsaved) source_->save(f);
  }
  QSettings st;
  st.setValue("geometry", saveGeometry());
  st.setValue("state", saveState());
  if (!zoom_overridden_) st.setValue("zoom", zoom_);  // --demo / --zoom are for this run only
  e->accept();
}

QAction* MainWindow::add_action(const QString& name, const QString& text, const QKeySequence& key,
                                void (MainWindow::*slot)()) {
  auto* a = new QAction(text, this);
  a->setObjectName(name);
  a->setShortcut(key);
  a->setToolTip(QString("%1 (%2)").arg(text, key.toString()));
  connect(a, &QAction::triggered, this, slot);
  return a;
}

void MainWindow::build_ui() {
  auto* tb = addToolBar("Controls");
  tb->setObjectName("controls");
  tb->addAction(add_action("reset", "Reset", QKeySequence("Ctrl+R"), &MainWindow::do_reset));
  run_action_ = add_action("run", "Run", QKeySequence("F5"), &MainWindow::toggle_run);
  tb->addAction(run_action_);
  tb->addAction(add_action("step_cycle", "Step cycle", QKeySequence("F7"), &MainWindow::do_step_cycle));
  tb->addAction(add_action("step", "Step", QKeySequence("F10"), &MainWindow::do_step));
  tb->addAction(add_action("step_back", "Step back", QKeySequence("Shift+F10"), &MainWindow::do_step_back));
  tb->addAction(add_action("forward", "Forward", QKeySequence("Alt+Right"), &MainWindow::do_forward));
  tb->addAction(add_action("step_over_trap", "Step over trap", QKeySequence("F8"), &MainWindow::do_step_over_trap));
  tb->addAction(add_action("finish_trap", "Finish trap", QKeySequence("Shift+F8"), &MainWindow::do_finish_trap));
  // History (going back keeps the recorded future; see vmm::Session).
  addAction(add_action("back_to_previous_trap", "Back to the previous event", QKeySequence("Alt+Left"),
                       &MainWindow::do_back_to_previous_trap));
  addAction(add_action("forward_to_present", "Forward to the present", QKeySequence("Alt+End"),
                       &MainWindow::do_forward_to_present));
  findChild<QAction*>("forward")->setToolTip("Forward along the recorded history to the next event (Alt+Right)");
  findChild<QAction*>("finish_trap")->setToolTip("Finish trap: run until the trapping level is about to run again (Shift+F8)");
  tb->addAction(add_action("next_trap", "Run to next trap", QKeySequence("F9"), &MainWindow::do_run_to_next_trap));
  tb->addAction(add_action("step_in_level", "Step in level", QKeySequence("F11"), &MainWindow::do_step_in_level));
  level_box_ = new QSpinBox(this);
  level_box_->setPrefix("L");
  level_box_->setToolTip("The level for 'Step in level' (F11)");
  tb->addWidget(level_box_);
  tb->addSeparator();
  tb->addWidget(new QLabel(" depth ", this));
  depth_box_ = new QSpinBox(this);
  depth_box_->setObjectName("depth");
  depth_box_->setRange(0, static_cast<int>(vmm::kMaxDepth));  // the CLI's limit (pgsim run --depth)
  depth_box_->setToolTip(QString("Nesting depth, 0 to %1: rebuilds the stack").arg(vmm::kMaxDepth));
  tb->addWidget(depth_box_);
  connect(depth_box_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int d) {
    if (session_ && static_cast<unsigned>(d) == session_->stack().depth()) return;
    OpenSpec s = spec_;
    s.depth = static_cast<unsigned>(d);
    open(s);
  });
  tb->addWidget(new QLabel(" speed ", this));
  speed_ = new QSlider(Qt::Horizontal, this);
  speed_->setRange(0, 7);  // 1, 10, 100, … steps per second; 7 = full speed
  speed_->setValue(7);
  speed_->setMaximumWidth(120);
  speed_->setToolTip("Run speed: from one step per second to full speed");
  tb->addWidget(speed_);
  auto* zin = add_action("zoom_in", "Zoom in", QKeySequence("Ctrl+="), nullptr);
  disconnect(zin, nullptr, this, nullptr);
  connect(zin, &QAction::triggered, this, [this] { set_zoom(zoom_ * 1.2); });
  auto* zout = add_action("zoom_out", "Zoom out", QKeySequence("Ctrl+-"), nullptr);
  disconnect(zout, nullptr, this, nullptr);
  connect(zout, &QAction::triggered, this, [this] { set_zoom(zoom_ / 1.2); });
  addAction(zin);
  addAction(zout);
  auto* save = add_action("save", "Save", QKeySequence::Save, &MainWindow::do_save);
  auto* apply = add_action("apply", "Save and restart", QKeySequence("Ctrl+Return"), &MainWindow::do_apply);
  addAction(save);
  tb->addAction(apply);
  auto* dark = new QAction("Dark palette", this);
  dark->setObjectName("dark");
  dark->setCheckable(true);
  dark->setShortcut(QKeySequence("Ctrl+D"));
  dark->setToolTip("Light / dark palette (Ctrl+D)");
  connect(dark, &QAction::toggled, this, [this](bool on) { set_dark(on); });
  tb->addAction(dark);

  levels_ = new LevelsView(this);
  auto* levels_scroll = new QScrollArea(this);
  levels_scroll->setWidget(levels_);
  levels_scroll->setWidgetResizable(true);
  levels_scroll->setFrameShape(QFrame::NoFrame);
  setCentralWidget(levels_scroll);

  auto* chain_box = new QWidget(this);
  auto* cl = new QVBoxLayout(chain_box);
  cl->setContentsMargins(0, 0, 0, 0);
  auto* filters = new QHBoxLayout;
  cause_filter_ = new QComboBox(this);
  level_filter_ = new QComboBox(this);
  filters->addWidget(new QLabel("cause", this));
  filters->addWidget(cause_filter_);
  filters->addWidget(new QLabel("level", this));
  filters->addWidget(level_filter_);
  filters->addStretch();
  cl->addLayout(filters);
  chain_ = new TrapChainView(this);
  chain_->setObjectName("trap_chain_view");
  cl->addWidget(chain_);
  auto* chain_dock = new QDockWidget("Trap chain", this);
  chain_dock->setObjectName("trap_chain");
  chain_dock->setWidget(chain_box);
  addDockWidget(Qt::RightDockWidgetArea, chain_dock);
  resizeDocks({chain_dock}, {560}, Qt::Horizontal);
  connect(chain_, &TrapChainView::trap_clicked, this, [this](quint64 step) {
    if (!session_) return;
    micro_.clear();
    session_->go_to_step(step + 1);  // the recorded future is kept: Forward (Alt+Right) replays it
    stop_note_ = QString("right after the trap of step %1").arg(step);
    refresh_views();
  });
  auto apply_filter = [this] {
    std::optional<isa::Word> c;
    std::optional<unsigned> l;
    if (cause_filter_->currentIndex() > 0) c = cause_filter_->currentData().toULongLong();
    if (level_filter_->currentIndex() > 0) l = level_filter_->currentData().toUInt();
    chain_->set_filter(c, l);
  };
  connect(cause_filter_, qOverload<int>(&QComboBox::currentIndexChanged), this, apply_filter);
  connect(level_filter_, qOverload<int>(&QComboBox::currentIndexChanged), this, apply_filter);

  source_ = new SourceView(this);
  connect(source_, &SourceView::line_clicked, this, [this](const QString& path, int line) {
    toggle_line_breakpoint(path, line);
  });
  connect(source_, &SourceView::edited, this, [this](const QString& path) { reassemble(path); });
  diagnostics_ = new DiagnosticsList(this);
  diagnostics_->hide();
  connect(diagnostics_, &DiagnosticsList::go_to, this, [this](const QString& path, int line, int column) {
    show_place(path, line, column);
    if (auto* ed = source_->editor(path)) ed->setFocus();
  });
  auto* src_split = new QSplitter(Qt::Vertical, this);
  src_split->setObjectName("source_split");
  src_split->addWidget(source_);
  src_split->addWidget(diagnostics_);
  src_split->setStretchFactor(0, 4);
  src_split->setStretchFactor(1, 1);
  src_split->setChildrenCollapsible(false);
  auto* src_dock = new QDockWidget("Source", this);
  src_dock->setObjectName("source");
  src_dock->setWidget(src_split);
  addDockWidget(Qt::BottomDockWidgetArea, src_dock);

  auto* con = new QWidget(this);
  auto* vl = new QVBoxLayout(con);
  vl->setContentsMargins(0, 0, 0, 0);
  console_ = new QPlainTextEdit(this);
  console_->setReadOnly(true);
  console_->setObjectName("console");
  input_ = new QLineEdit(this);
  input_->setObjectName("console_input");
  input_->setPlaceholderText("type here and press Enter to feed the console device");
  input_->setToolTip("Input typed after going back in time rewrites the recorded future from that step on");
  connect(input_, &QLineEdit::returnPressed, this, [this] {
    if (!session_) return;
    for (QChar ch : input_->text() + "\n") session_->push_input(static_cast<isa::Word>(ch.unicode() & 0xff));
    input_->clear();
  });
  vl->addWidget(console_);
  vl->addWidget(input_);
  auto* con_dock = new QDockWidget("Console", this);
  con_dock->setObjectName("console_dock");
  con_dock->setWidget(con);
  addDockWidget(Qt::BottomDockWidgetArea, con_dock);
  tabifyDockWidget(src_dock, con_dock);
  src_dock->raise();

  storage_ = new StorageView(this);
  auto* st_dock = new QDockWidget("Storage", this);
  st_dock->setObjectName("storage");
  st_dock->setWidget(storage_);
  addDockWidget(Qt::BottomDockWidgetArea, st_dock);
  tabifyDockWidget(src_dock, st_dock);
  connect(storage_, &StorageView::address_double_clicked, this, [this](quint32 a) {
    if (!session_) return;
    auto& bp = session_->breakpoints().addresses;
    bool on = !bp.count(a);
    if (on) bp.insert(a);
    else bp.erase(a);
    status_->setText(QString("breakpoint at real address %1 %2").arg(a, 0, 16).arg(on ? "set" : "cleared"));
  });
  cost_ = new CostView(this);
  auto* cost_dock = new QDockWidget("Cost", this);
  cost_dock->setObjectName("cost");
  cost_dock->setWidget(cost_);
  connect(cost_dock, &QDockWidget::visibilityChanged, cost_, &CostView::set_shown);  // lazy: only in front
  connect(cost_, &CostView::comparison_shown, this, [this, cost_dock] {
    // The chart needs room: at least 55% of the window's height (the user can drag it back).
    const int want = height() * 55 / 100;
    if (!cost_dock->isFloating() && cost_dock->height() < want) resizeDocks({cost_dock}, {want}, Qt::Vertical);
  });
  addDockWidget(Qt::BottomDockWidgetArea, cost_dock);
  tabifyDockWidget(src_dock, cost_dock);
  tc_ = new TranslationCacheView(this);
  auto* tc_dock = new QDockWidget("Translation cache", this);
  tc_dock->setObjectName("translation_cache");
  tc_dock->setWidget(tc_);
  connect(tc_dock, &QDockWidget::visibilityChanged, this, [this](bool shown) {
    if (shown && session_) tc_->refresh();
  });
  addDockWidget(Qt::BottomDockWidgetArea, tc_dock);
  tabifyDockWidget(src_dock, tc_dock);
  isa_view_ = new IsaView(this);
  auto* isa_dock = new QDockWidget("ISA", this);
  isa_dock->setObjectName("isa");
  isa_dock->setWidget(isa_view_);
  connect(isa_dock, &QDockWidget::visibilityChanged, this, [this, isa_dock](bool shown) {
    // The table, the theorems and a witness need room: brought to the front with less than 40%
    // of the window's height, the view takes 60% (the user can drag it back).
    if (shown && !isa_dock->isFloating() && isa_dock->height() < height() * 40 / 100)
      resizeDocks({isa_dock}, {height() * 60 / 100}, Qt::Vertical);
  });
  connect(isa_view_, &IsaView::enlarge_requested, this, [this, isa_dock](bool on) {
    // For a projector: the view alone, floating over the main window at its size.
    isa_dock->setFloating(on);
    if (on) {
      isa_dock->setGeometry(geometry());
      isa_dock->raise();
    }
  });
  connect(isa_dock, &QDockWidget::topLevelChanged, isa_view_, &IsaView::set_enlarged);
  addDockWidget(Qt::BottomDockWidgetArea, isa_dock);
  tabifyDockWidget(src_dock, isa_dock);
  src_dock->raise();
  resizeDocks({src_dock}, {320}, Qt::Vertical);
  connect(isa_view_, &IsaView::load_isa_requested, this, [this] {
    QString f = QFileDialog::getOpenFileName(this, "Load an ISA file", data_dir("examples/isa"),
                                             "ISA files (*.isa)");
    if (!f.isEmpty()) load_isa_file(f);
  });
  connect(isa_view_, &IsaView::isa_file_chosen, this, [this](const QString& f) { load_isa_file(f); });

  auto* fmenu = menuBar()->addMenu("&File");
  auto* open_prog = add_action("open_program", "Open program…", QKeySequence::Open, nullptr);
  disconnect(open_prog, nullptr, this, nullptr);
  connect(open_prog, &QAction::triggered, this, [this] {
    QString f = QFileDialog::getOpenFileName(this, "Open a guest program", data_dir("examples"),
                                             "Assembly (*.s)");
    if (f.isEmpty()) return;
    OpenSpec s = spec_;
    s.program = f;
    open(s);
  });
  fmenu->addAction(open_prog);
  for (const char* n : {"save", "apply"})
    if (auto* a = findChild<QAction*>(n)) fmenu->addAction(a);
  auto* rmenu = menuBar()->addMenu("&Run");
  for (const char* n : {"reset", "run", "step_cycle", "step", "step_back", "forward", "back_to_previous_trap",
                        "forward_to_present", "step_over_trap", "finish_trap", "next_trap", "step_in_level"})
    if (auto* a = findChild<QAction*>(n)) rmenu->addAction(a);
  auto* vmenu = menuBar()->addMenu("&View");
  for (const char* n : {"zoom_in", "zoom_out", "dark"})
    if (auto* a = findChild<QAction*>(n)) vmenu->addAction(a);
  auto* bmenu = menuBar()->addMenu("&Breakpoints");
  bmenu->setObjectName("breakpoints_menu");
  cause_menu_ = bmenu->addMenu("Break after a trap of cause");
  level_menu_ = bmenu->addMenu("Break after a trap taken by level");

  // Lessons: $PGSIM_LESSON_ROOT (a student's copy), else the installed or built data; the
  // panel finds them (vmm::find_lesson_root) and says where it looked when there are none.
  lesson_ = new LessonPanel(this, QString(), this);
  auto* lesson_dock = new QDockWidget("Lesson", this);
  lesson_dock->setObjectName("lesson");
  lesson_dock->setWidget(lesson_);
  addDockWidget(Qt::RightDockWidgetArea, lesson_dock);
  tabifyDockWidget(chain_dock, lesson_dock);
  chain_dock->raise();

  // Every dock can be closed (its title bar's ×) and brought back from the View menu.
  vmenu->addSeparator();
  for (auto* d : findChildren<QDockWidget*>()) {
    QAction* a = d->toggleViewAction();
    a->setObjectName("show_" + d->objectName());
    connect(a, &QAction::triggered, d, [d](bool on) {
      if (on) d->raise();  // in front of the docks it is tabbed with
    });
    vmenu->addAction(a);
  }

  status_ = new QLabel(this);
  statusBar()->addWidget(status_, 1);
  timer_ = new QTimer(this);
  timer_->setInterval(33);
  connect(timer_, &QTimer::timeout, this, &MainWindow::run_slice);
  resize(1500, 950);
}

bool MainWindow::open(const OpenSpec& spec) {
  if (timer_->isActive()) toggle_run();
  QString prog;
  bool assembling_program = false;  // an error now is the program's: open it in the editor
  try {
    // Names as on the command line (`--isa pg1-jru`, `hello.s`) find the installed data; a
    // DataNotFound says where it looked.
    QString isa_path = QString::fromStdString(
        vmm::find_isa(vmm::isa_for_monitor(spec.isa.toStdString(), spec.vmm.toStdString(), spec.depth)));
    prog = spec.program.isEmpty() ? data_file("tinyos.s")
                                  : QString::fromStdString(vmm::find_program(spec.program.toStdString()));
    isa_ = isa::load_isa(isa_path.toStdString());
    assembling_program = true;
    auto guest = std::make_shared<assembler::Image>(assembler::assemble_file(*isa_, prog.toStdString()));
    assembling_program = false;
    std::shared_ptr<const assembler::Image> vmm;
    if (spec.depth > 0)
      vmm = std::make_shared<assembler::Image>(
          assembler::assemble_file(*isa_, vmm::find_monitor(spec.vmm.toStdString())));
    auto s = std::make_shared<vmm::Session>(isa_, vmm, guest, spec.depth);
    detach_views();
    session_ = std::move(s);
    spec_ = spec;
    spec_.program = prog;
    spec_.depth = spec.depth;
  } catch (const std::exception& e) {
    error_ = e.what();
    status_->setText("error: " + error_.split('\n').first());
    console_->setPlainText(error_);
    depth_box_->blockSignals(true);
    depth_box_->setValue(session_ ? static_cast<int>(session_->stack().depth()) : 0);
    depth_box_->blockSignals(false);
    if (auto* ie = dynamic_cast<const InputError*>(&e); ie && assembling_program) show_program_errors(spec, prog, *ie);
    return false;
  }
  error_.clear();
  broken_main_.clear();  // the program assembled: its files are the session's
  broken_files_.clear();
  adopt(session_, isa_);
  refresh_views();
  return true;
}

void MainWindow::refresh_views() {
  if (!session_) return;
  levels_->update();
  chain_->refresh();  // follows the current event
  source_->refresh();
  storage_->refresh();
  if (!running()) tc_->refresh();  // when the simulation stopped or stepped (not 30 times a second)
  qint64 now = QDateTime::currentMSecsSinceEpoch();
  if (!running() || now - last_cost_refresh_ > 500) {
    cost_->refresh();
    last_cost_refresh_ = now;
  }
  // The console: append what is new and follow it (unless the user scrolled up to read);
  // after going back in time the output is shorter: show it again.
  const auto& out = session_->machine().console_output();
  if (out != console_shown_) {
    auto* sb = console_->verticalScrollBar();
    const bool follow = sb->value() >= sb->maximum() - 1;
    if (out.size() > console_shown_.size() && out.compare(0, console_shown_.size(), console_shown_) == 0) {
      QTextCursor c(console_->document());
      c.movePosition(QTextCursor::End);
      c.insertText(QString::fromStdString(out.substr(console_shown_.size())));
    } else {
      console_->setPlainText(QString::fromStdString(out));
    }
    console_shown_ = out;
    if (follow) sb->setValue(sb->maximum());
  }
  input_->setPlaceholderText(session_->in_past()
                                 ? QString("in the past: input typed now rewrites the recorded future from step %1")
                                       .arg(session_->steps())
                                 : QString("type here and press Enter to feed the console device"));
  status_->setText(status_text());
}

QString MainWindow::status_text() const {
  if (!session_) return {};
  const auto& m = session_->machine();
  const unsigned level = session_->running_level();
  QString state;
  if (m.halted()) state = QString("halted (L%1 executed halt)").arg(level);
  else if (const auto& l = session_->stack().livelock())
    state = QString("stopped: timer livelock in L%1: its timer period is %2 cycles, one tick costs %3 cycles at depth %4")
                .arg(l->level).arg(l->period).arg(l->tick_cycles).arg(l->depth);
  else if (session_->stopped()) state = QString("stopped: %1 in L%2").arg(machine::to_string(m.stop_reason())).arg(level);
  else if (running()) state = "running";
  else if (session_->next_is_interrupt()) state = QString("paused, a timer interrupt comes next (L%1's code at P)").arg(level);
  else state = QString("paused, L%1 about to run").arg(level);
  QString text = QString("step %1   cycle %2   real traps %3   %4")
                     .arg(session_->steps())
                     .arg(m.cycles())
                     .arg(m.traps())
                     .arg(state);
  if (!stop_note_.isEmpty()) text += "   — " + stop_note_;
  if (session_->in_past())
    text += QString("   — in the past: %1 more steps recorded; Forward (Alt+Right) replays them, input typed now rewrites them")
                .arg(session_->horizon() - session_->steps());
  return text;
}

void MainWindow::set_zoom(double z) {
  zoom_ = std::clamp(z, 0.6, 4.0);
  // Scale every widget's font, keeping its family (the source and witnesses stay monospace).
  QFont f = font();
  f.setPointSizeF(base_point_size_ * zoom_);
  setFont(f);
  for (auto* w : findChildren<QWidget*>()) {
    QFont wf = w->font();
    wf.setPointSizeF(base_point_size_ * zoom_);
    w->setFont(wf);
  }
  if (source_ && session_) source_->set_session(session_.get());
  if (chain_) chain_->refresh();
}

void MainWindow::set_dark(bool dark) {
  dark_ = dark;
  QPalette p;
  if (dark) {
    p.setColor(QPalette::Window, QColor(0x20, 0x22, 0x26));
    p.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::Base, QColor(0x16, 0x18, 0x1c));
    p.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2c, 0x30));
    p.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::Button, QColor(0x30, 0x32, 0x36));
    p.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::Highlight, QColor(0x3a, 0x6e, 0xa5));
    p.setColor(QPalette::PlaceholderText, QColor(0xa0, 0xa0, 0xa0));
  } else {
    p = QApplication::style()->standardPalette();
  }
  QApplication::setPalette(p);
  update();
}

void MainWindow::adopt(std::shared_ptr<vmm::Session> s, std::shared_ptr<const isa::IsaModel> isa) {
  if (timer_->isActive()) toggle_run();
  micro_.clear();
  session_ = std::move(s);
  isa_ = std::move(isa);
  const unsigned depth = session_->stack().depth();
  depth_box_->blockSignals(true);
  depth_box_->setValue(static_cast<int>(depth));
  depth_box_->blockSignals(false);
  level_box_->setRange(0, static_cast<int>(depth));
  level_box_->setValue(static_cast<int>(depth));
  cause_filter_->blockSignals(true);
  cause_filter_->clear();
  cause_filter_->addItem("all");
  for (const auto& [n, v] : isa_->cause_names) cause_filter_->addItem(QString::fromStdString(n), static_cast<qulonglong>(v));
  cause_filter_->blockSignals(false);
  level_filter_->blockSignals(true);
  level_filter_->clear();
  level_filter_->addItem("all");
  for (unsigned k = 0; k <= depth; ++k) level_filter_->addItem(QString("L%1").arg(k), k);
  level_filter_->blockSignals(false);
  cause_menu_->clear();
  for (const auto& [n, v] : isa_->cause_names) {
    auto* a = cause_menu_->addAction(QString::fromStdString(n));
    a->setCheckable(true);
    a->setObjectName(QString("break_cause_%1").arg(QString::fromStdString(n)));
    isa::Word cause = v;
    connect(a, &QAction::toggled, this, [this, cause](bool on) {
      if (on) session_->breakpoints().causes.insert(cause);
      else session_->breakpoints().causes.erase(cause);
    });
  }
  level_menu_->clear();
  for (unsigned k = 0; k <= depth; ++k) {
    auto* a = level_menu_->addAction(QString("L%1").arg(k));
    a->setCheckable(true);
    connect(a, &QAction::toggled, this, [this, k](bool on) {
      if (on) session_->breakpoints().levels.insert(k);
      else session_->breakpoints().levels.erase(k);
    });
  }
  source_->breakpoint_lines().clear();
  stop_note_.clear();
  console_->clear();
  console_shown_.clear();
  levels_->set_session(session_.get());
  chain_->set_session(session_.get());
  source_->set_session(session_.get());
  storage_->set_session(session_.get());
  tc_->set_session(session_.get());
  cost_->set_session(session_.get(), isa_, session_->stack().vmm_image_ptr(), session_->stack().guest_image_ptr());
  // The comparison runs on the ISA the user named, else on PG-1 as `pgsim compare` does (not
  // on the assist's ISA that --vmm assist chose for this window).
  std::shared_ptr<const isa::IsaModel> compared = isa_;
  if (spec_.isa.isEmpty()) {
    try {
      compared = isa::load_isa(vmm::find_isa(""));
    } catch (const std::exception&) {
      // PG-1 not found: compare on this window's ISA
    }
  }
  cost_->set_comparison_isa(compared, spec_.isa.toStdString());
  isa_view_->set_isa(isa_);
  refresh_views();
}

bool MainWindow::load_isa_file(const QString& path) {
  std::shared_ptr<const isa::IsaModel> m;
  try {
    m = isa::load_isa(vmm::find_isa(path.toStdString()));
  } catch (const std::exception&) {
    OpenSpec s = spec_;  // open() shows the error as it always has
    s.isa = path;
    return open(s);
  }
  // The guest re-runs on the new ISA when it is written for it. A real machine's model
  // (examples/isa/real) does not assemble PG-1's programs: the ISA view alone shows it.
  const QString prog = spec_.program.isEmpty() ? data_file("tinyos.s") : spec_.program;
  bool assembles = true;
  try {
    assembler::assemble_file(*m, prog.toStdString());
  } catch (const std::exception&) {
    assembles = false;
  }
  if (auto* d = findChild<QDockWidget*>("isa")) d->raise();
  if (assembles) {
    OpenSpec s = spec_;
    s.isa = path;
    return open(s);
  }
  isa_view_->set_isa(m, QString("%1 is written for another ISA (it does not assemble on %2): the guest still runs "
                                "on %3; this view shows %2 alone.")
                            .arg(QFileInfo(prog).fileName(), QFileInfo(path).fileName(),
                                 isa_ ? QString::fromStdString(isa_->name) : QString("PG-1")));
  return true;
}

bool MainWindow::running() const { return timer_ && timer_->isActive(); }

void MainWindow::toggle_run() {
  if (timer_->isActive()) {
    timer_->stop();
    run_action_->setText("Run");
  } else if (session_ && !session_->stopped()) {
    stop_note_.clear();
    timer_->start();
    run_action_->setText("Pause");
  }
  refresh_views();
}

void MainWindow::run_slice() {
  if (!session_ || session_->stopped()) {
    toggle_run();
    return;
  }
  const int speed = speed_->value();
  if (speed < 7) {
    // 10^speed steps per second, spread over the ticks.
    static double owed = 0;
    owed += std::pow(10.0, speed) * timer_->interval() / 1000.0;
    while (owed >= 1 && !session_->stopped()) {
      owed -= 1;
      if (session_->run(1)) {
        stop_note_ = "stopped at " + QString::fromStdString(session_->describe(session_->last_stop()));
        toggle_run();
        break;
      }
    }
  } else {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 20 && !session_->stopped())
      if (session_->run(2000)) {
        stop_note_ = "stopped at " + QString::fromStdString(session_->describe(session_->last_stop()));
        toggle_run();  // a breakpoint: pause there
        break;
      }
  }
  refresh_views();
}

void MainWindow::override_zoom(double z) {
  set_zoom(z);
  zoom_overridden_ = true;
}

void MainWindow::start_demo() {
  override_zoom(1.5);
  if (auto* d = findChild<QDockWidget*>("source")) d->raise();
  if (session_ && session_->stack().depth() > 0) session_->run_to_next_trap({}, session_->stack().depth());
  refresh_views();
}

int MainWindow::reassemble(const QString& path) {
  if (!isa_ || !source_->editor(path)) return 0;
  // Assemble the program the file belongs to (the guest or the VMM) as the editors hold it.
  auto belongs = [&](const assembler::Image* img) {
    if (!img) return false;
    for (const auto& l : img->lines)
      if (QString::fromStdString(l.file->path) == path) return true;
    return false;
  };
  const assembler::Image* img = !session_                                    ? nullptr
                                : belongs(&session_->stack().guest_image()) ? &session_->stack().guest_image()
                                : belongs(session_->stack().vmm_image())    ? session_->stack().vmm_image()
                                                                            : nullptr;
  // A file of a program that did not assemble (opened with its errors) belongs to that program.
  QString main = img && !img->lines.empty() ? QString::fromStdString(img->lines.front().file->path)
                 : broken_files_.contains(path) ? broken_main_
                                                : path;
  auto text_of = [&](const QString& p) -> std::optional<std::string> {
    if (auto* e = source_->editor(p)) return e->toPlainText().toStdString();
    return std::nullopt;
  };
  std::map<QString, std::vector<InlineDiagnostic>> found;
  std::vector<DiagnosticsList::Entry> entries;
  int count = 0;
  QString first;
  try {
    assembler::assemble_text(*isa_, main.toStdString(), text_of(main).value_or(""),
                             [&](const std::string& p) { return text_of(QString::fromStdString(p)); });
  } catch (const InputError& err) {
    for (const auto& d : err.diagnostics()) {
      auto e = DiagnosticsList::entry(d);
      entries.push_back(e);
      if (first.isEmpty()) first = e.text.section('\n', 0, 0);
      ++count;
      if (d.file) found[e.path].push_back({e.line, e.column, e.message});
    }
  }
  for (const auto& f : source_->files()) source_->editor(f)->set_diagnostics(found[f]);
  diagnostics_->set_entries(entries);
  status_->setText(count == 0 ? QString("%1 assembles: Ctrl+Return saves it and restarts the guest").arg(QFileInfo(main).fileName())
                              : QString("%1 error(s): %2").arg(count).arg(first));
  // Diagnostics never move the cursor or the scroll position: the user is typing there.
  return count;
}

void MainWindow::show_program_errors(const OpenSpec& spec, const QString& prog, const InputError& err) {
  // The program becomes the one being worked on: Ctrl+Return saves it and opens it again.
  spec_ = spec;
  spec_.program = prog;
  broken_main_ = prog;
  broken_files_ = QStringList{prog};
  QFile f(prog);
  QString text = f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
  source_->open_file(prog, text, *isa_);
  for (const auto& d : err.diagnostics()) {  // included files with errors get an editor too
    if (!d.file) continue;
    QString p = QString::fromStdString(d.file->path);
    if (broken_files_.contains(p)) continue;
    broken_files_ << p;
    source_->open_file(p, QString::fromStdString(d.file->text), *isa_);
  }
  int count = reassemble(prog);  // inline and in the list, from the editors' texts
  // Bring them to the front: the Source dock, the first error's line, the list focused.
  if (auto* d = findChild<QDockWidget*>("source")) {
    d->show();
    d->raise();
  }
  if (count > 0 && diagnostics_->count() > 0) {
    auto* first = diagnostics_->item(0);
    show_place(first->data(Qt::UserRole).toString(), first->data(Qt::UserRole + 1).toInt(),
               first->data(Qt::UserRole + 2).toInt());
    diagnostics_->setCurrentRow(0);
  } else if (auto* ed = source_->editor(prog)) {
    source_->setCurrentWidget(ed);
  }
  diagnostics_->setFocus();
  status_->setText(QString("%1: %2 error(s) — fix them in the Source editor; Ctrl+Return saves and runs it")
                       .arg(QFileInfo(prog).fileName())
                       .arg(count));
}

void MainWindow::fit_to_screen() {
  const QScreen* screen = this->screen() ? this->screen() : QGuiApplication::primaryScreen();
  if (!screen) return;
  const QRect avail = screen->availableGeometry();
  // A saved or default size larger than this screen (a projector at 1280x720) is shrunk to it,
  // so that the status bar and the bottom docks stay on the screen.
  if (width() <= avail.width() && height() <= avail.height() && avail.contains(frameGeometry().topLeft())) return;
  resize(std::min(width(), avail.width()), std::min(height(), avail.height()));
  move(avail.topLeft());
}

void MainWindow::show_place(const QString& path, int line, int column) {
  auto* ed = source_->editor(path);
  if (!ed) return;
  source_->setCurrentWidget(ed);
  QTextBlock b = ed->document()->findBlockByNumber(line - 1);
  if (!b.isValid()) return;
  QTextCursor c(b);
  c.setPosition(b.position() + std::clamp(column - 1, 0, std::max(0, b.length() - 1)));
  ed->setTextCursor(c);
  ed->centerCursor();
}

void MainWindow::do_save() {
  QString p = source_->current_path();
  if (!p.isEmpty() && !source_->save(p)) status_->setText("error: cannot write " + p);
}

void MainWindow::do_apply() {
  for (const auto& f : source_->modified_files()) {
    if (reassemble(f) > 0) return;  // fix the errors first
    if (!source_->save(f)) {
      status_->setText("error: cannot write " + f);
      return;
    }
  }
  open(spec_);
}

bool MainWindow::toggle_line_breakpoint(const QString& path, int line) {
  if (!session_) return false;
  auto addrs = session_->addresses_of_line(path.toStdString(), line);
  auto& lines = source_->breakpoint_lines()[path];
  auto& bp = session_->breakpoints().addresses;
  bool on = !lines.count(line);
  if (on && addrs.empty()) {
    status_->setText(QString("no code on line %1 of %2").arg(line).arg(path));
    return false;
  }
  if (on) {
    lines.insert(line);
    bp.insert(addrs.begin(), addrs.end());
  } else {
    lines.erase(line);
    for (auto a : addrs) bp.erase(a);
  }
  source_->refresh();
  return on;
}

void MainWindow::do_step_cycle() {
  if (!session_ || session_->stopped()) return;
  if (micro_.empty()) {
    micro_ = session_->next_micro_steps();
    micro_index_ = 0;
    if (micro_.empty()) return;
  }
  const auto& m = micro_[micro_index_];
  micro_text_ = QString("micro-step %1/%2, cycle %3: %4")
                    .arg(micro_index_ + 1)
                    .arg(micro_.size())
                    .arg(m.cycle)
                    .arg(QString::fromStdString(m.text));
  if (m.real_address >= 0) storage_->go_to(static_cast<isa::Word>(m.real_address));
  if (++micro_index_ == micro_.size()) {
    session_->step();  // the last micro-step completes the machine step
    micro_.clear();
  }
  refresh_views();
  status_->setText(micro_text_);
}

void MainWindow::act(const std::function<void(vmm::Session&)>& f) {
  if (!session_) return;
  micro_.clear();  // any other step ends a Step cycle walk
  stop_note_.clear();
  f(*session_);
  refresh_views();
}

void MainWindow::do_reset() { act([](vmm::Session& s) { s.reset(); }); }
void MainWindow::do_step() { act([](vmm::Session& s) { s.step(); }); }
void MainWindow::do_step_in_level() {
  auto k = static_cast<unsigned>(level_box_->value());
  act([k](vmm::Session& s) { s.step_in_level(k); });
}
void MainWindow::do_step_over_trap() { act([](vmm::Session& s) { s.step_over_trap(); }); }
void MainWindow::do_finish_trap() {
  act([this](vmm::Session& s) {
    auto k = s.trap_in_progress();
    if (!k) stop_note_ = "Finish trap: no trap in progress (every trap has been resumed from)";
    else if (s.finish_trap()) stop_note_ = QString("finished the trap: L%1 about to run again").arg(*k);
    else stop_note_ = QString("Finish trap: L%1 did not run again").arg(*k);
  });
}
void MainWindow::do_run_to_next_trap() { act([](vmm::Session& s) { s.run_to_next_trap(); }); }
void MainWindow::do_step_back() { act([](vmm::Session& s) { s.step_back(); }); }
void MainWindow::do_forward() {
  act([this](vmm::Session& s) {
    if (!s.forward()) stop_note_ = "Forward: already at the present (nothing recorded ahead)";
  });
}
void MainWindow::do_back_to_previous_trap() {
  act([this](vmm::Session& s) {
    if (!s.back_to_previous_trap()) stop_note_ = "Back: no earlier event kept";
  });
}
void MainWindow::do_forward_to_present() { act([](vmm::Session& s) { s.forward_to_present(); }); }

}  // namespace pgsim::gui
