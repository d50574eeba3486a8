// pgsim-gui [PROGRAM.s] [--isa FILE] [--depth N]: step through nested traps interactively.
#include <QApplication>
#include <QCommandLineParser>

#include "gui/main_window.hpp"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("pgsim-gui");
  QCommandLineParser p;
  p.setApplicationDescription("pgsim-gui: watch traps travel through nested VMMs");
  p.addHelpOption();
  p.addPositionalArgument("program", "Guest program (default: the reference guest OS)");
  QCommandLineOption isa("isa", "ISA description file (default: PG-1)", "file");
  QCommandLineOption depth("depth", "Nesting depth (default 3)", "n", "3");
  p.addOption(isa);
  p.addOption(depth);
  p.process(app);
  pgsim::gui::OpenSpec spec;
  spec.isa = p.value(isa);
  spec.depth = p.value(depth).toUInt();
  if (!p.positionalArguments().isEmpty()) spec.program = p.positionalArguments().first();
  pgsim::gui::MainWindow w(spec);
  w.show();
  return app.exec();
}
