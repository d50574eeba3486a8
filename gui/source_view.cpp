#include "gui/source_view.hpp"

#include <QFile>
#include <QDateTime>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSyntaxHighlighter>
#include <QTextBlock>
#include <QTimer>
#include <set>

#include "gui/level_colors.hpp"

namespace pgsim::gui {
namespace {

/// Highlights the ISA's mnemonics, comments and labels.
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

SourceView::SourceView(QWidget* parent) : QTabWidget(parent), debounce_(new QTimer(this)) {
  setDocumentMode(true);
  debounce_->setSingleShot(true);
  debounce_->setInterval(300);
  connect(debounce_, &QTimer::timeout, this, [this] {
    if (pending_.isEmpty()) return;
    QString path = pending_;
    pending_.clear();
    if (auto* ed = editor(path); ed && ed->document()->isModified()) {
      QSaveFile f(path + ".autosave");  // never lose the user's work
      if (f.open(QIODevice::WriteOnly)) {
        f.write(ed->toPlainText().toUtf8());
        f.commit();
      }
    }
    emit edited(path);
  });
}

CodeEditor* SourceView::editor(const QString& path) const {
  auto it = editors_.find(path);
  return it == editors_.end() ? nullptr : it->second;
}

QString SourceView::current_path() const {
  for (auto& [p, e] : editors_)
    if (e == currentWidget()) return p;
  return {};
}

QStringList SourceView::files() const {
  QStringList l;
  for (auto& [p, e] : editors_) l << p;
  return l;
}

QStringList SourceView::modified_files() const {
  QStringList l;
  for (auto& [p, e] : editors_)
    if (e->document()->isModified()) l << p;
  return l;
}

bool SourceView::save(const QString& path) {
  auto* ed = editor(path);
  if (!ed) return false;
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return false;
  f.write(ed->toPlainText().toUtf8());
  if (!f.commit()) return false;
  ed->document()->setModified(false);
  QFile::remove(path + ".autosave");
  setTabText(indexOf(ed), QFileInfo(path).fileName());
  return true;
}

void SourceView::set_session(const vmm::Session* s) {
  session_ = s;
  if (!s) return;
  if (s != pinned_session_) pinned_.clear();  // another program: files opened with errors go
  std::vector<std::shared_ptr<const SourceFile>> files;
  std::set<std::string> seen;
  for (const assembler::Image* img : {&s->stack().guest_image(), s->stack().vmm_image()}) {
    if (!img) continue;
    for (const auto& l : img->lines)
      if (seen.insert(l.file->path).second) files.push_back(l.file);
  }
  // Drop editors of files no longer shown, unless they hold unsaved edits.
  for (auto it = editors_.begin(); it != editors_.end();) {
    if (!seen.count(it->first.toStdString()) && !it->second->document()->isModified() && !pinned_.count(it->first)) {
      removeTab(indexOf(it->second));
      it->second->deleteLater();
      it = editors_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& f : files) add_editor(QString::fromStdString(f->path), QString::fromStdString(f->text), s->machine().isa());
  refresh();
}

CodeEditor* SourceView::open_file(const QString& path, const QString& text, const isa::IsaModel& isa) {
  pinned_.insert(path);
  pinned_session_ = session_;
  return add_editor(path, text, isa);
}

QFont SourceView::monospace(double point_size) {
  QFont mono("DejaVu Sans Mono");
  mono.setStyleHint(QFont::Monospace);
  mono.setFixedPitch(true);
  if (point_size > 0) mono.setPointSizeF(point_size);
  return mono;
}

CodeEditor* SourceView::add_editor(const QString& path, const QString& text, const isa::IsaModel& isa) {
  if (auto* ed = editor(path)) {
    if (!ed->document()->isModified() && ed->toPlainText() != text) {
      last_text_[path] = text;
      ed->setPlainText(text);
    }
    return ed;
  }
  auto* ed = new CodeEditor(this);
  ed->setFont(monospace(font().pointSizeF()));
  ed->setPlainText(text);
  ed->document()->setModified(false);
  new AsmHighlighter(ed->document(), isa);
  editors_[path] = ed;
  addTab(ed, QFileInfo(path).fileName());
  ed->setToolTip("Click the gutter to set or clear a breakpoint");
  connect(ed, &CodeEditor::gutter_clicked, this, [this, path](int line) { emit line_clicked(path, line); });
  connect(ed->document(), &QTextDocument::modificationChanged, this, [this, ed, path](bool m) {
    setTabText(indexOf(ed), QFileInfo(path).fileName() + (m ? " *" : ""));
  });
  last_text_[path] = ed->toPlainText();
  connect(ed, &QPlainTextEdit::textChanged, this, [this, ed, path] {
    // Highlighting also signals textChanged: only a change of the text is an edit.
    QString t = ed->toPlainText();
    if (t == last_text_[path]) return;
    last_text_[path] = t;
    if (!pending_.isEmpty() && pending_ != path) emit edited(pending_);
    pending_ = path;
    debounce_->start();
  });
  offer_autosave(path, ed);
  return ed;
}

void SourceView::offer_autosave(const QString& path, CodeEditor* ed) {
  QFileInfo file(path), copy(path + ".autosave");
  if (!copy.exists() || !file.exists() || copy.lastModified() <= file.lastModified()) return;
  QFile f(copy.filePath());
  if (!f.open(QIODevice::ReadOnly)) return;
  QString text = QString::fromUtf8(f.readAll());
  if (text == ed->toPlainText()) {  // nothing to restore
    QFile::remove(copy.filePath());
    return;
  }
  QMessageBox box(QMessageBox::Question, "Autosaved copy",
                  "An autosaved copy newer than the file exists — Restore / Discard", QMessageBox::NoButton, this);
  box.setObjectName("autosave_prompt");
  box.setInformativeText(QString("%1\nautosaved %2; the file was saved %3.\n\nRestore puts the autosaved text in "
                                 "the editor (not yet saved to the file); Discard deletes the autosaved copy.")
                             .arg(copy.filePath(), copy.lastModified().toString(Qt::ISODate),
                                  file.lastModified().toString(Qt::ISODate)));
  QPushButton* restore = box.addButton("Restore", QMessageBox::AcceptRole);
  QPushButton* discard = box.addButton("Discard", QMessageBox::DestructiveRole);
  box.setDefaultButton(restore);
  box.exec();
  if (box.clickedButton() == restore) {
    ed->setPlainText(text);  // re-assembled like an edit
    ed->document()->setModified(true);
  } else if (box.clickedButton() == discard) {
    QFile::remove(copy.filePath());
  }  // closed without an answer: the copy stays for next time
}

void SourceView::refresh() {
  if (!session_) return;
  std::map<CodeEditor*, QList<QTextEdit::ExtraSelection>> marks;
  CodeEditor* running_editor = nullptr;
  int running_line = 0;
  for (unsigned k = 0; k <= session_->stack().depth(); ++k) {
    auto v = session_->view(k);
    if (v.where.empty()) continue;
    auto colon = v.where.rfind(':');
    QString path = QString::fromStdString(v.where.substr(0, colon));
    int line = std::stoi(v.where.substr(colon + 1));
    CodeEditor* ed = editor(path);
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
  for (auto& [p, ed] : editors_) {
    ed->set_marks(marks[ed]);
    ed->set_breakpoint_lines(breakpoints_[p]);
  }
  auto* current = qobject_cast<CodeEditor*>(currentWidget());
  bool editing = current && current->document()->isModified();
  if (running_editor && !editing) {
    setCurrentWidget(running_editor);
    QTextCursor c(running_editor->document()->findBlockByNumber(running_line - 1));
    running_editor->setTextCursor(c);
    running_editor->centerCursor();
  }
}

DiagnosticsList::DiagnosticsList(QWidget* parent) : QListWidget(parent) {
  setObjectName("diagnostics");
  setFont(SourceView::monospace(font().pointSizeF()));
  setSelectionMode(QAbstractItemView::SingleSelection);
  setWordWrap(false);
  setAlternatingRowColors(true);
  setToolTip("Assembly errors: click one (or press Enter) to go to its place in the editor");
  auto pick = [this](QListWidgetItem* it) {
    emit go_to(it->data(Qt::UserRole).toString(), it->data(Qt::UserRole + 1).toInt(), it->data(Qt::UserRole + 2).toInt());
  };
  connect(this, &QListWidget::itemActivated, this, pick);
  connect(this, &QListWidget::itemClicked, this, pick);
}

DiagnosticsList::Entry DiagnosticsList::entry(const Diagnostic& d) {
  Entry e;
  if (!d.file) {
    e.text = "error: " + QString::fromStdString(d.message);
    return e;
  }
  auto [line, byte_col] = d.file->line_col(d.offset);
  std::string src = d.file->line_text(line);
  // Columns count characters, not UTF-8 bytes; tabs are shown as spaces to the next multiple of 8
  // so the caret sits under the column in any monospace font.
  QString before = QString::fromUtf8(src.substr(0, std::min<std::size_t>(src.size(), static_cast<std::size_t>(byte_col - 1))));
  QString whole = QString::fromUtf8(src);
  auto expand = [](const QString& t) {
    QString r;
    for (QChar c : t) {
      if (c == '\t') r += QString(8 - r.size() % 8, ' ');
      else r += c;
    }
    return r;
  };
  e.path = QString::fromStdString(d.file->path);
  e.line = line;
  e.column = static_cast<int>(before.size()) + 1;
  e.message = QString::fromStdString(d.message);
  e.text = QString("%1:%2:%3: error: %4\n%5\n%6^")
               .arg(QFileInfo(e.path).fileName())
               .arg(line)
               .arg(e.column)
               .arg(e.message, expand(whole), QString(expand(before).size(), ' '));
  return e;
}

void DiagnosticsList::set_entries(const std::vector<Entry>& entries) {
  clear();
  for (const auto& e : entries) {
    auto* it = new QListWidgetItem(e.text, this);
    it->setData(Qt::UserRole, e.path);
    it->setData(Qt::UserRole + 1, e.line);
    it->setData(Qt::UserRole + 2, e.column);
    it->setToolTip(e.path.isEmpty() ? e.text : QString("%1:%2:%3").arg(e.path).arg(e.line).arg(e.column));
    it->setForeground(QColor(0xd0, 0x20, 0x20));
  }
  setVisible(!entries.empty());
}

}  // namespace pgsim::gui
