#include "gui/levels_view.hpp"

#include <QEvent>
#include <QPainter>
#include <QPainterPath>

#include "gui/level_colors.hpp"

namespace pgsim::gui {

LevelsView::LevelsView(QWidget* parent) : QWidget(parent) { setMinimumSize(320, 240); }

void LevelsView::set_session(const vmm::Session* s) {
  session_ = s;
  update_minimum();
  update();
}

void LevelsView::update_minimum() {
  // Every level's card needs room for its four lines of text.
  QFont big = font();
  big.setPointSizeF(font().pointSizeF() * 1.25);
  const int line = QFontMetrics(big).height();
  const int n = session_ ? static_cast<int>(session_->stack().depth()) + 1 : 1;
  const bool sd = session_ && !session_->state_description(0).empty();
  setMinimumHeight(n * ((sd ? 6 : 5) * line + 16) + 2 * line);
}

void LevelsView::changeEvent(QEvent* e) {
  if (e->type() == QEvent::FontChange) update_minimum();
  QWidget::changeEvent(e);
}

QString LevelsView::card_title(unsigned k) const {
  if (!session_) return {};
  vmm::LevelView v = session_->view(k);
  QString title = QString("L%1  %2").arg(k).arg(v.vmm ? "VMM" : "guest");
  if (v.stopped) title += session_->machine().halted() ? "   ■ HALTED" : "   ■ TRAP STORM";
  else if (v.running) title += "   ◀ RUNNING";
  return title;
}

QString LevelsView::card_state_description(unsigned k) const {
  if (!session_ || k >= session_->stack().depth()) return {};
  return QString::fromStdString(session_->state_description(k));
}

void LevelsView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), palette().window());
  if (!session_) return;
  QFont big = font();
  big.setPointSizeF(font().pointSizeF() * 1.25);
  p.setFont(big);
  const unsigned depth = session_->stack().depth();
  const unsigned n = depth + 1;
  const QFontMetrics fm(big);
  const int line = fm.height();
  const int inset = std::max(8, std::min(28, width() / static_cast<int>(4 * n + 4)));
  const int header = 2 * line + 6;
  // Outer cards are L0; each next level nests inside the previous one. Each card shows its
  // text in the band above its child; the innermost (the guest) gets the rest.
  QRect r = rect().adjusted(4, 4, -4, -4);
  const int band = std::max(header + line, (r.height() - 5 * line) / static_cast<int>(n) - inset);
  for (unsigned k = 0; k < n; ++k) {
    vmm::LevelView v = session_->view(k);
    QColor c = level_color(k);
    QColor fill = c.lighter(185);
    if (palette().window().color().lightness() < 128) fill = c.darker(300);
    QPainterPath path;
    path.addRoundedRect(r, 10, 10);
    p.fillPath(path, fill);
    p.setPen(QPen(c, v.running || v.stopped ? 6 : 2));
    p.drawPath(path);
    QFont bold = big;
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(c.darker(palette().window().color().lightness() < 128 ? 60 : 140));
    QString title = card_title(k);
    int x = r.left() + 12, y = r.top() + line + 2;
    p.drawText(x, y, title);
    p.setFont(big);
    p.setPen(palette().windowText().color());
    QString psw = QString("M=%1  P=%2  R=(%3, %4)  ie=%5")
                      .arg(v.mode ? "user" : "supervisor")
                      .arg(v.pc)
                      .arg(v.base)
                      .arg(v.bound)
                      .arg(v.ie);
    p.drawText(x + QFontMetrics(bold).horizontalAdvance(title) + 24, y, psw);
    y += line;
    QString regs;
    for (std::size_t i = 1; i < v.regs.size(); ++i) regs += QString("r%1=%2 ").arg(i).arg(v.regs[i], 0, 16);
    p.drawText(x, y, regs);
    y += line;
    QString where = QString::fromStdString(v.where);
    where = where.mid(where.lastIndexOf('/') + 1);
    QString at = v.instruction.empty() ? QString("(its code is not running)")
                                       : QString("at  %1     %2").arg(QString::fromStdString(v.instruction), where);
    p.drawText(x, y, at);
    y += line;
    p.drawText(x, y, QString("instructions %1   cycles %2   traps %3")
                         .arg(v.stats.instructions)
                         .arg(v.stats.cycles)
                         .arg(v.stats.traps));
    if (!v.state_description.empty()) {
      // A monitor under the assist: its guest's state description (docs/pg1-assist.md).
      y += line;
      p.setPen(QColor(214, 39, 140).darker(palette().window().color().lightness() < 128 ? 60 : 120));
      p.drawText(x, y, card_state_description(k));
      p.setPen(palette().windowText().color());
    }
    const int used = y - r.top() + line / 2;
    // Leave the inner levels at least the room their text needs.
    const int inner = static_cast<int>(n - 1 - k);
    const int b = std::max(std::min(std::max(used, band), r.height() - inner * (used + inset)), used);
    if (k + 1 < n) r = QRect(r.left() + inset, r.top() + b, r.width() - 2 * inset, r.height() - b - inset);
    if (r.height() < 4 * line || r.width() < 100) break;
  }
}

}  // namespace pgsim::gui
