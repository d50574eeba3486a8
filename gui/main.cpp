// pgsim-gui [PROGRAM.s] [--isa FILE] [--depth N] [--vmm NAME]: step through nested traps interactively.
#include <QApplication>
#include <QCommandLineParser>

#include "gui/main_window.hpp"
#include "vmm/monitor_catalog.hpp"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("pgsim");  // settings: ~/.config/pgsim/pgsim-gui.conf
  QApplication::setApplicationName("pgsim-gui");
  QCommandLineParser p;
  p.setApplicationDescription("pgsim-gui: watch traps travel through nested VMMs");
  p.addHelpOption();
  p.addPositionalArgument("program", "Guest program (default: the reference guest OS)");
  QCommandLineOption isa("isa", "ISA description: a file, or an installed variant by name (pg1-jru); default PG-1", "file");
  QCommandLineOption depth("depth", "Nesting depth (default 3)", "n", "3");
  QCommandLineOption vmm("vmm",
                         QString::fromStdString("The monitor at every level: " + pgsim::vmm::monitor_names() +
                                                " (default: " + pgsim::vmm::monitor_catalog().front().name +
                                                "), or a monitor's source file"),
                         "name");
  QCommandLineOption demo("demo", "Presentation mode: large text, stopped at the guest's first trap");
  QCommandLineOption zoom("zoom", "Presentation zoom factor (default 1, or 1.5 with --demo)", "factor");
  p.addOption(isa);
  p.addOption(depth);
  p.addOption(vmm);
  p.addOption(demo);
  p.addOption(zoom);
  p.process(app);
  pgsim::gui::OpenSpec spec;
  spec.isa = p.value(isa);
  spec.depth = p.value(depth).toUInt();
  spec.vmm = p.value(vmm);
  if (!p.positionalArguments().isEmpty()) spec.program = p.positionalArguments().first();
  pgsim::gui::MainWindow w(spec);
  if (p.isSet(demo)) w.start_demo();
  if (p.isSet(zoom)) w.override_zoom(p.value(zoom).toDouble());
  w.show();
  return app.exec();
}
