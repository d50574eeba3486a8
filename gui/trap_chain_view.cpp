#include "gui/trap_chain_view.hpp"

#include <QEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <algorithm>

#include "gui/level_colors.hpp"
#include "isa/disasm.hpp"

namespace pgsim::gui {

TrapChainView::TrapChainView(QWidget* parent) : QAbstractScrollArea(parent) {
  setMinimumWidth(360);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  verticalScrollBar()->setSingleStep(1);
  connect(verticalScrollBar(), &QScrollBar::valueChanged, viewport(), [this] { viewport()->update(); });
}

void TrapChainView::set_session(const vmm::Session* s) {
  session_ = s;
  rows_.clear();
  scanned_ = 0;
  rewrites_ = 0;
  seen_steps_ = ~0ull;
  refresh();
}

void TrapChainView::set_filter(std::optional<isa::Word> cause, std::optional<unsigned> level) {
  cause_ = cause;
  level_ = level;
  rows_.clear();
  scanned_ = 0;
  seen_steps_ = ~0ull;
  refresh();
}

int TrapChainView::row_height() const { return fontMetrics().height() * 3; }
int TrapChainView::header_height() const { return fontMetrics().height() * (2 + draw_legend(nullptr, 0)) + 6; }

QColor TrapChainView::hypercall_color() { return QColor(196, 132, 0); }  // amber: not a level colour

namespace {
const QColor kVmExitColor(214, 39, 140), kVmEntryColor(0, 150, 136);
}  // namespace

QStringList TrapChainView::legend() const { return {"trap", "reflects", "emulates", "hypercall", "VM exit", "VM entry"}; }

int TrapChainView::draw_legend(QPainter* p, int top) const {
  const auto& fm = fontMetrics();
  const int h = fm.height(), glyph = h + 4, gap = h;
  const int width = std::max(1, viewport()->width() - lane_x(0));
  int x = 0, lines = 1;
  const QStringList names = legend();
  for (int i = 0; i < names.size(); ++i) {
    const int w = glyph + fm.horizontalAdvance(names[i]) + gap;
    if (x > 0 && x + w > width) {
      x = 0;
      ++lines;
    }
    if (p) {
      const int x0 = lane_x(0) + x, y = top + (lines - 1) * h, ym = y + h / 2;
      const QColor text = palette().text().color();
      switch (i) {
        case 0:  // a trap: the thick arrow down to the hardware lane, in the trapping level's colour
          p->setPen(QPen(level_color(1), 3));
          p->drawLine(x0 + glyph - 4, ym - 3, x0 + 2, ym + 3);
          break;
        case 1:  // reflects: a thin arrow up one lane
          p->setPen(QPen(level_color(0), 1));
          p->drawLine(x0 + 2, ym - 3, x0 + glyph - 4, ym + 3);
          break;
        case 2:  // emulates: a circle
          p->setPen(QPen(level_color(0), 2));
          p->setBrush(Qt::NoBrush);
          p->drawEllipse(QPoint(x0 + glyph / 2 - 2, ym), 5, 5);
          break;
        case 3:  // a hypercall: a filled square
          p->setPen(QPen(hypercall_color(), 2));
          p->setBrush(hypercall_color());
          p->drawRect(QRect(x0 + glyph / 2 - 7, ym - 5, 11, 11));
          p->setBrush(Qt::NoBrush);
          break;
        default: {  // VM exit / entry: a diamond
          const QColor c = i == 4 ? kVmExitColor : kVmEntryColor;
          const int cx = x0 + glyph / 2 - 2;
          QPolygon d;
          d << QPoint(cx, ym - 6) << QPoint(cx + 6, ym) << QPoint(cx, ym + 6) << QPoint(cx - 6, ym);
          p->setPen(c);
          p->setBrush(c);
          p->drawPolygon(d);
          p->setBrush(Qt::NoBrush);
        }
      }
      p->setPen(i == 3 ? hypercall_color() : text);
      p->drawText(x0 + glyph, y + fm.ascent(), names[i]);
    }
    x += w;
  }
  return lines;
}

int TrapChainView::visible_rows() const {
  return std::max(1, (viewport()->height() - header_height()) / row_height());
}

int TrapChainView::first_visible_row() const { return verticalScrollBar()->value(); }

std::size_t TrapChainView::index_of(std::uint64_t global) const {
  return static_cast<std::size_t>(global - session_->traps_dropped());
}

const vmm::TrapRecord& TrapChainView::record(int r) const {
  return session_->recorded_traps()[index_of(rows_[static_cast<std::size_t>(r)])];
}

void TrapChainView::update_scroll_range() {
  auto* sb = verticalScrollBar();
  sb->setPageStep(visible_rows());
  sb->setRange(0, std::max(0, rows() - visible_rows()));
}

void TrapChainView::refresh() {
  if (!session_) {
    rows_.clear();
    update_scroll_range();
    viewport()->update();
    return;
  }
  const std::uint64_t lo = session_->traps_dropped(), hi = session_->traps_recorded();
  if (session_->rewrites() != rewrites_) {  // the future was rewritten: records past the cut differ
    rows_.clear();
    scanned_ = 0;
    rewrites_ = session_->rewrites();
  }
  while (!rows_.empty() && rows_.front() < lo) rows_.pop_front();  // counted only now
  while (!rows_.empty() && rows_.back() >= hi) rows_.pop_back();
  scanned_ = std::clamp(scanned_, lo, hi);
  const auto& traps = session_->recorded_traps();
  for (; scanned_ < hi; ++scanned_) {
    const auto& t = traps[index_of(scanned_)];
    if (cause_ && t.cause != *cause_) continue;
    if (level_ && t.level != *level_) continue;
    rows_.push_back(scanned_);
  }
  update_scroll_range();
  // Follow the session: keep the current event in view when it moved (running: the newest).
  if (session_->steps() != seen_steps_) {
    seen_steps_ = session_->steps();
    const int cur = current_row();
    if (!session_->in_past()) verticalScrollBar()->setValue(verticalScrollBar()->maximum());
    else if (cur >= 0) scroll_to_row(cur);
  }
  viewport()->update();
}

void TrapChainView::scroll_to_row(int r) {
  const int first = first_visible_row(), n = visible_rows();
  if (r < first) verticalScrollBar()->setValue(r);
  else if (r >= first + n) verticalScrollBar()->setValue(r - n + 1);
}

int TrapChainView::row_at(int y) const {
  if (!session_ || y < header_height()) return -1;
  const int r = first_visible_row() + (y - header_height()) / row_height();
  return r < rows() ? r : -1;
}

int TrapChainView::row_y(int r) const { return header_height() + (r - first_visible_row()) * row_height(); }

int TrapChainView::current_row() const {
  if (!session_ || session_->trap_position() == 0) return -1;
  const std::uint64_t current = session_->traps_dropped() + session_->trap_position() - 1;
  auto it = std::lower_bound(rows_.begin(), rows_.end(), current);
  if (it == rows_.end() || *it != current) return -1;
  return static_cast<int>(it - rows_.begin());
}

bool TrapChainView::in_future(int r) const {
  return rows_[static_cast<std::size_t>(r)] >= session_->traps_dropped() + session_->trap_position();
}

QString TrapChainView::summary() const {
  if (!session_) return {};
  QLocale en(QLocale::English);
  const auto kept = session_->recorded_traps().size();
  const auto total = session_->traps_recorded();
  QString s = total == kept ? QString("%1 events").arg(en.toString(static_cast<qulonglong>(total)))
                            : QString("showing the newest %1 of %2 events (older ones counted only)")
                                  .arg(en.toString(static_cast<qulonglong>(kept)))
                                  .arg(en.toString(static_cast<qulonglong>(total)));
  if (cause_ || level_) s += QString(", %1 pass the filter").arg(en.toString(rows()));
  if (session_->in_past()) s += "; faded: the recorded future (Forward replays it)";
  return s;
}

bool TrapChainView::is_vm_event(int r) const { return record(r).kind != machine::EventKind::Trap; }

isa::Word TrapChainView::hypercall(int r) const {
  const auto& t = record(r);
  return t.kind == machine::EventKind::Trap && !t.chain.empty() ? t.chain.back().hypercall : 0;
}

QString TrapChainView::label(int r) const {
  const auto& t = record(r);
  const auto& isa = session_->machine().isa();
  if (t.kind == machine::EventKind::VmEntry)
    return QString("#%1  VM ENTRY  L%2 → L%3  (sie)").arg(t.step).arg(t.level ? t.level - 1 : 0).arg(t.level);
  if (t.kind == machine::EventKind::VmExit) {
    QString what = t.word ? QString::fromStdString(isa::disassemble(isa, t.word, 0)) : QString();
    return QString("#%1  VM EXIT  L%2 → L%3  %4  %5")
        .arg(t.step)
        .arg(t.level)
        .arg(t.level ? t.level - 1 : 0)
        .arg(QString::fromStdString(isa.assist.reason_name(t.cause)))
        .arg(what)
        .trimmed();
  }
  auto at = session_->stack().code_at(t.real_pc);
  if (const isa::Word hc = hypercall(r))
    return QString("#%1  L%2 HYPERCALL  %3  %4")
        .arg(t.step)
        .arg(t.level)
        .arg(QString::fromStdString(session_->stack().hypercall_name(hc)))
        .arg(QString::fromStdString(isa::disassemble(isa, t.word, at.address)));
  QString what = t.interrupt ? QString("interrupt") : QString::fromStdString(isa::disassemble(isa, t.word, at.address));
  return QString("#%1  L%2 %3  %4").arg(t.step).arg(t.level).arg(QString::fromStdString(isa.cause_name(t.cause))).arg(what);
}

QString TrapChainView::chain_text(int r) const {
  const auto& t = record(r);
  if (t.kind == machine::EventKind::VmEntry) return QString("L%1 runs under interpretive execution").arg(t.level);
  if (t.kind == machine::EventKind::VmExit)
    return QString("L%1 handles it: its sie returns (info %2)").arg(t.level ? t.level - 1 : 0).arg(t.info, 0, 16);
  return QString::fromStdString(session_->stack().describe_chain(t.level, t.chain));
}

int TrapChainView::lane_x(int lane) const {
  // Fixed spacing, so the labels to the right of the lanes have room at any depth.
  const int spacing = std::max(22, fontMetrics().height() * 3 / 2);
  return 24 + spacing * lane;
}

void TrapChainView::resizeEvent(QResizeEvent* e) {
  QAbstractScrollArea::resizeEvent(e);
  update_scroll_range();
}

void TrapChainView::changeEvent(QEvent* e) {
  if (e->type() == QEvent::FontChange) update_scroll_range();
  QAbstractScrollArea::changeEvent(e);
}

void TrapChainView::paintEvent(QPaintEvent*) {
  QPainter p(viewport());
  p.setRenderHint(QPainter::Antialiasing);
  const QRect area = viewport()->rect();
  p.fillRect(area, palette().base());
  if (!session_) return;
  const auto& fm = fontMetrics();
  const int lanes = static_cast<int>(session_->stack().depth()) + 2;
  const int rh = row_height(), top = header_height();
  // Lanes, and their titles and the summary in the header.
  for (int l = 0; l < lanes; ++l) {
    QColor c = l == 0 ? palette().text().color() : level_color(static_cast<unsigned>(l - 1));
    p.setPen(QPen(c, 1, Qt::DashLine));
    p.drawLine(lane_x(l), top, lane_x(l), area.bottom());
    p.setPen(c);
    QString t = l == 0 ? "HW" : QString("L%1").arg(l - 1);
    p.drawText(lane_x(l) - fm.horizontalAdvance(t) / 2, fm.ascent() + 2, t);
  }
  p.setPen(palette().placeholderText().color());
  p.drawText(lane_x(0), fm.ascent() + fm.height() + 2, summary());
  draw_legend(&p, fm.height() * 2 + 4);
  p.setClipRect(QRect(0, top, area.width(), area.height() - top));
  const int first = first_visible_row();
  const int last = std::min(rows() - 1, first + (area.height() - top) / rh + 1);
  const int current = current_row();
  auto arrow = [&](int x0, int y0, int x1, int y1, const QColor& c, int width) {
    p.setPen(QPen(c, width));
    p.drawLine(x0, y0, x1, y1);
    QLineF l(x1, y1, x0, y0);
    l.setLength(8);
    QLineF a = l, b = l;
    a.setAngle(l.angle() + 25);
    b.setAngle(l.angle() - 25);
    p.drawLine(a);
    p.drawLine(b);
  };
  const int tx = lane_x(lanes - 1) + 16;
  for (int r = first; r <= last; ++r) {
    const auto& t = record(r);
    const int row_top = row_y(r);
    const bool future = in_future(r);
    if (r == current) {
      // You are here: the newest event before the current step.
      QColor band = palette().highlight().color();
      band.setAlpha(60);
      p.fillRect(QRect(0, row_top, area.width(), rh), band);
      p.fillRect(QRect(0, row_top, 5, rh), palette().highlight());
    }
    p.setOpacity(future ? 0.35 : 1.0);
    const int y = row_top + rh / 4;
    const int yb = y + rh / 2;
    QColor lc = level_color(t.level);
    if (t.kind != machine::EventKind::Trap) {
      // A VM entry or exit: its own kind of event, a thick arrow with a diamond between the
      // guest's lane and its host's, in the exit colour (no trip through the hardware lane).
      const bool exit = t.kind == machine::EventKind::VmExit;
      const QColor vc = exit ? kVmExitColor : kVmEntryColor;
      const int guest = lane_x(static_cast<int>(t.level) + 1), host = lane_x(static_cast<int>(t.level));
      const int x0 = exit ? guest : host, x1 = exit ? host : guest, ym = y + rh / 4;
      arrow(x0, ym, x1, ym, vc, 3);
      QPolygon diamond;
      diamond << QPoint(x0, ym - 6) << QPoint(x0 + 6, ym) << QPoint(x0, ym + 6) << QPoint(x0 - 6, ym);
      p.setBrush(vc);
      p.drawPolygon(diamond);
      p.setBrush(Qt::NoBrush);
    } else {
      // The trap: from the trapping level down to the hardware.
      arrow(lane_x(static_cast<int>(t.level) + 1), y, lane_x(0), y + rh / 6, lc, 3);
      // The hardware hands it to L0, which reflects it up, level by level, to the handler.
      int yy = y + rh / 6;
      int step_y = std::max(2, (yb - yy) / std::max<int>(1, static_cast<int>(t.chain.size()) + 1));
      arrow(lane_x(0), yy, lane_x(1), yy + step_y, level_color(0), 1);
      yy += step_y;
      for (const auto& h : t.chain) {
        int hx = lane_x(static_cast<int>(h.level) + 1);
        if (h.hypercall) {
          // A hypercall: the monitor handles the guest's request (docs/hypercalls.md) and
          // returns to it; a filled square, in the hypercall colour, and a thick return.
          p.setPen(QPen(hypercall_color(), 2));
          p.setBrush(hypercall_color());
          p.drawRect(QRect(hx - 6, yy - 6, 12, 12));
          p.setBrush(Qt::NoBrush);
          arrow(hx, yy, lane_x(static_cast<int>(t.level) + 1), yb, hypercall_color(), 3);
        } else if (h.emulates) {
          p.setPen(QPen(level_color(h.level), 2));
          p.drawEllipse(QPoint(hx, yy), 5, 5);
          arrow(hx, yy, lane_x(static_cast<int>(t.level) + 1), yb, level_color(h.level), 1);  // resume (lpsw)
        } else {
          int nx = lane_x(static_cast<int>(h.level) + 2);
          arrow(hx, yy, nx, yy + step_y, level_color(h.level), 1);
          yy += step_y;
        }
      }
    }
    // Label: cause, info and the instruction (a VM event: its kind, who exits to whom, the reason).
    const QString first_line = label(r);
    QString chain = chain_text(r);
    if (t.kind != machine::EventKind::Trap) {
      QFont bold = font();
      bold.setBold(true);
      p.setFont(bold);
      p.setPen(t.kind == machine::EventKind::VmExit ? kVmExitColor : kVmEntryColor);
      p.drawText(tx, y + fm.ascent(), first_line);
      p.setFont(font());
    } else if (hypercall(r)) {
      QFont bold = font();
      bold.setBold(true);
      p.setFont(bold);
      p.setPen(hypercall_color());
      p.drawText(tx, y + fm.ascent(), first_line);
      p.setFont(font());
    } else {
      p.setPen(palette().text().color());
      p.drawText(tx, y + fm.ascent(), first_line);
    }
    p.setPen(palette().placeholderText().color());
    p.drawText(tx, y + fm.ascent() + fm.height(), chain);
    p.setOpacity(1.0);
    if (r == current) {
      const std::uint64_t after = session_->steps() - (t.step + 1);
      QString here = after == 0 ? QString("◀ you are here") : QString("◀ you are here (+%1 steps)").arg(after);
      QFont bold = font();
      bold.setBold(true);
      p.setFont(bold);
      p.setPen(palette().highlight().color().darker(palette().base().color().lightness() < 128 ? 60 : 130));
      p.drawText(tx + fm.horizontalAdvance(first_line) + 16, y + fm.ascent(), here);
      p.setFont(font());
    }
  }
}

void TrapChainView::mousePressEvent(QMouseEvent* e) {
  const int r = row_at(static_cast<int>(e->position().y()));
  if (r < 0) return;
  emit trap_clicked(record(r).step);
}

}  // namespace pgsim::gui
