// pgsim-gui [PROGRAM.s] [--isa FILE] [--depth N] [--vmm NAME]: step through nested traps interactively.
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <string>

#include "gui/main_window.hpp"
#include "vmm/monitor_catalog.hpp"

namespace {

/// The command line's options, for `app` (a QCoreApplication when only --help is asked for, so that
/// the help prints without a display).
struct Options {
  QCommandLineParser p;
  QCommandLineOption isa{"isa", "ISA description: a file, or an installed variant by name (pg1-jru); default PG-1",
                         "file"};
  QCommandLineOption depth{"depth", "Nesting depth (default 3)", "n", "3"};
  QCommandLineOption vmm{"vmm",
                         QString::fromStdString("The monitor at every level: " + pgsim::vmm::monitor_names() +
                                                " (default: " + pgsim::vmm::monitor_catalog().front().name +
                                                "), or a monitor's source file"),
                         "name"};
  QCommandLineOption demo{"demo", "Presentation mode: large text, stopped at the guest's first trap"};
  QCommandLineOption zoom{"zoom", "Presentation zoom factor (default 1, or 1.5 with --demo)", "factor"};
  Options() {
    p.setApplicationDescription("pgsim-gui: watch traps travel through nested VMMs");
    p.addHelpOption();
    p.addPositionalArgument("program", "Guest program (default: the reference guest OS)");
    for (auto* o : {&isa, &depth, &vmm, &demo, &zoom}) p.addOption(*o);
  }
};

bool asks_for_help(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help" || a == "-?" || a == "--help-all") return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (asks_for_help(argc, argv)) {  // no window, so no display needed
    QCoreApplication core(argc, argv);
    QCoreApplication::setApplicationName("pgsim-gui");
    Options o;
    o.p.process(core);  // prints the help and exits
    return 0;
  }
  QApplication app(argc, argv);
  QApplication::setOrganizationName("pgsim");  // settings: ~/.config/pgsim/pgsim-gui.conf
  QApplication::setApplicationName("pgsim-gui");
  Options o;
  o.p.process(app);
  pgsim::gui::OpenSpec spec;
  spec.isa = o.p.value(o.isa);
  spec.depth = o.p.value(o.depth).toUInt();
  spec.vmm = o.p.value(o.vmm);
  if (!o.p.positionalArguments().isEmpty()) spec.program = o.p.positionalArguments().first();
  pgsim::gui::MainWindow w(spec);
  if (o.p.isSet(o.demo)) w.start_demo();
  if (o.p.isSet(o.zoom)) w.override_zoom(o.p.value(o.zoom).toDouble());
  w.show();
  return app.exec();
}
