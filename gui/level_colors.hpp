#pragma once
// One color per level, used everywhere in the window (cards, lanes, source markers, storage).
#include <QColor>

namespace pgsim::gui {

/// The color of level k (L0 … LN); the guest's is the last one asked for by the caller.
inline QColor level_color(unsigned k) {
  static const QColor colors[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c),
                                  QColor(0x94, 0x67, 0xbd), QColor(0xff, 0x7f, 0x0e), QColor(0x17, 0xbe, 0xcf),
                                  QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f),
                                  QColor(0xbc, 0xbd, 0x22)};
  return colors[k % (sizeof colors / sizeof colors[0])];
}

}  // namespace pgsim::gui
