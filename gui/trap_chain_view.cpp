#include "gui/trap_chain_view.hpp"

#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>

#include "gui/level_colors.hpp"
#include "isa/disasm.hpp"

namespace pgsim::gui {

TrapChainView::TrapChainView(QWidget* parent) : QWidget(parent) { setMinimumWidth(360); }

void TrapChainView::set_session(const vmm::Session* s) {
  session_ = s;
  rows_.clear();
  scanned_ = 0;
  refresh();
}

void TrapChainView::set_filter(std::optional<std::uint32_t> cause, std::optional<unsigned> level) {
  cause_ = cause;
  level_ = level;
  rows_.clear();
  scanned_ = 0;
  refresh();
}

int TrapChainView::row_height() const { return fontMetrics().height() * 3; }

void TrapChainView::refresh() {
  if (!session_) return;
  const auto& traps = session_->traps();
  if (traps.size() < scanned_) {  // the session went back: drop rows past the record
    while (!rows_.empty() && rows_.back() >= traps.size()) rows_.pop_back();
    scanned_ = traps.size();
  }
  for (; scanned_ < traps.size(); ++scanned_) {
    const auto& t = traps[scanned_];
    if (cause_ && t.cause != *cause_) continue;
    if (level_ && t.level != *level_) continue;
    rows_.push_back(scanned_);
  }
  setFixedHeight(std::max(200, (rows() + 1) * row_height() + fontMetrics().height() * 2));
  update();
}

int TrapChainView::lane_x(int lane) const {
  // Fixed spacing, so the labels to the right of the lanes have room at any depth.
  const int spacing = std::max(22, fontMetrics().height() * 3 / 2);
  return 24 + spacing * lane;
}

void TrapChainView::paintEvent(QPaintEvent* e) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(e->rect(), palette().base());
  if (!session_) return;
  const auto& traps = session_->traps();
  const auto& isa = session_->machine().isa();
  const int lanes = static_cast<int>(session_->stack().depth()) + 2;
  const int rh = row_height(), top = fontMetrics().height() * 2;
  // Lanes and their titles.
  for (int l = 0; l < lanes; ++l) {
    QColor c = l == 0 ? palette().text().color() : level_color(static_cast<unsigned>(l - 1));
    p.setPen(QPen(c, 1, Qt::DashLine));
    p.drawLine(lane_x(l), std::max(e->rect().top(), top), lane_x(l), e->rect().bottom());
    if (e->rect().top() < top) {
      p.setPen(c);
      QString t = l == 0 ? "HW" : QString("L%1").arg(l - 1);
      p.drawText(lane_x(l) - fontMetrics().horizontalAdvance(t) / 2, fontMetrics().ascent() + 2, t);
    }
  }
  const int first = std::max(0, (e->rect().top() - top) / rh);
  const int last = std::min(rows() - 1, (e->rect().bottom() - top) / rh + 1);
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
  for (int r = first; r <= last; ++r) {
    const auto& t = traps[rows_[static_cast<std::size_t>(r)]];
    const int y = top + r * rh + rh / 4;
    const int yb = y + rh / 2;
    QColor lc = level_color(t.level);
    // The trap: from the trapping level down to the hardware.
    arrow(lane_x(static_cast<int>(t.level) + 1), y, lane_x(0), y + rh / 6, lc, 3);
    // The hardware hands it to L0, which reflects it up, level by level, to the handler.
    int x = lane_x(0), yy = y + rh / 6;
    int step_y = std::max(2, (yb - yy) / std::max<int>(1, static_cast<int>(t.chain.size()) + 1));
    arrow(x, yy, lane_x(1), yy + step_y, level_color(0), 1);
    x = lane_x(1);
    yy += step_y;
    for (const auto& h : t.chain) {
      int hx = lane_x(static_cast<int>(h.level) + 1);
      if (h.emulates) {
        p.setPen(QPen(level_color(h.level), 2));
        p.drawEllipse(QPoint(hx, yy), 5, 5);
        arrow(hx, yy, lane_x(static_cast<int>(t.level) + 1), yb, level_color(h.level), 1);  // resume (lpsw)
      } else {
        int nx = lane_x(static_cast<int>(h.level) + 2);
        arrow(hx, yy, nx, yy + step_y, level_color(h.level), 1);
        yy += step_y;
      }
    }
    // Label: cause, info and the instruction.
    auto at = session_->stack().code_at(t.real_pc);
    QString what = t.interrupt ? QString("interrupt") : QString::fromStdString(isa::disassemble(isa, t.word, at.address));
    QString label = QString("#%1  L%2 %3  %4").arg(t.step).arg(t.level).arg(QString::fromStdString(isa.cause_name(t.cause))).arg(what);
    QString chain = QString::fromStdString(session_->stack().describe_chain(t.level, t.chain));
    p.setPen(palette().text().color());
    int tx = lane_x(lanes - 1) + 16;
    p.drawText(tx, y + fontMetrics().ascent(), label);
    p.setPen(palette().placeholderText().color());
    p.drawText(tx, y + fontMetrics().ascent() + fontMetrics().height(), chain);
  }
}

void TrapChainView::mousePressEvent(QMouseEvent* e) {
  if (!session_) return;
  const int top = fontMetrics().height() * 2;
  int r = (static_cast<int>(e->position().y()) - top) / row_height();
  if (r < 0 || r >= rows()) return;
  emit trap_clicked(session_->traps()[rows_[static_cast<std::size_t>(r)]].step);
}

}  // namespace pgsim::gui
