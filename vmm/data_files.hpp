#pragma once
// Finds pgsim's data (ISA descriptions, the reference VMM, example guests, the lessons) wherever
// the build or the install put them, and gives each student a writable copy of an exercise when
// the lessons are installed read-only (e.g. /usr/share/pgsim from the Debian package).
//
// A data root mirrors the repository's layout: examples/{isa,guests,os}/, vmm/monitors/pgvmm.s, lessons/.
// pgsim looks for it, in order, in
//   1. $PGSIM_DATA_DIR (when set), then
//   2. <dir of the executable>/../share/pgsim: after `cmake --install` this is
//      <prefix>/share/pgsim; in the build tree (build/share/pgsim) a file named `source-tree`
//      holds the path of the source checkout, which is then the data root.
// The source tree is never compiled into the binaries, so an installed pgsim cannot silently use
// a build tree's data.
#include <stdexcept>
#include <string>
#include <vector>

namespace pgsim::vmm {

/// A data file or directory that is in none of the places pgsim looked. what() is a complete,
/// multi-line message for stderr ("error: cannot find …; looked in:\n  DIR\n  …\n") naming every
/// directory tried, and how to point pgsim at its data.
struct DataNotFound : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The data roots that exist, in lookup order (see the file comment). Empty when none exists.
std::vector<std::string> data_roots();

/// Every directory the lookup tries for data roots, in order, each followed by a remark
/// ("$PGSIM_DATA_DIR", "does not exist", …): the body of DataNotFound's messages.
std::string data_roots_tried();

/// Path of data file `name` ("pg1.isa", "pgvmm.s", "tinyos.s"): looked for in each data root,
/// itself and its examples/isa, vmm/monitors, examples/os and examples/guests. Returns "" if none exists.
/// Used by the CLI and the GUI alike for their defaults.
std::string find_data_file(const std::string& name);

/// The ISA description named by a user's `--isa ARG`: ARG itself when that file exists;
/// otherwise, for a relative ARG, ARG or ARG.isa in each data root and in its examples/isa and
/// lessons/programs (so `--isa pg1-jru` and `--isa pg1-jru.isa` find the installed variant).
/// An empty ARG is PG-1 (find_data_file("pg1.isa"); the current directory is not searched).
/// Throws DataNotFound listing every directory tried.
std::string find_isa(const std::string& arg);

/// A guest program named by a user: ARG itself when that file exists; otherwise, for a relative
/// ARG, ARG or ARG.s in each data root and in its examples/guests, examples/os and
/// lessons/programs (so `pgsim run hello.s` and `pgsim run examples/guests/hello.s` work from any
/// directory). Throws DataNotFound listing every directory tried.
std::string find_program(const std::string& arg);

/// The directory that holds lessons/ (the root lesson paths are relative to):
/// $PGSIM_LESSON_ROOT when set (a student's own copy), else the first data root that has a
/// lessons/ directory with at least one lesson (NN-*.md). Throws DataNotFound listing every
/// directory tried when there is none.
std::string find_lesson_root();

/// Where a student's copy of an exercise lives.
struct ExerciseFile {
  std::string path;         ///< the file to edit, read and check
  std::string copied_from;  ///< non-empty when this call created the copy: the pristine file
};

/// The file a student edits for exercise `rel` (a path relative to lesson root `root`, e.g.
/// "lessons/exercises/03-getm.isa"). pgsim never writes into a data root it found by itself
/// ($PGSIM_DATA_DIR, <prefix>/share/pgsim; these may be read-only and are replaced on upgrade):
/// for those, the exercise is the per-user copy under work_dir(), made from the pristine file on
/// first use, in a tree whose other entries are symbolic links back to `root` (so the
/// exercise's relative includes such as "../../examples/isa/pg1.isa" still resolve). Any other
/// root (a source checkout found through the build tree, $PGSIM_LESSON_ROOT, `--root`) is edited
/// in place. Throws std::runtime_error when the copy cannot be made.
ExerciseFile exercise_file(const std::string& root, const std::string& rel);

/// The per-user working directory for exercises: $XDG_DATA_HOME/pgsim, or
/// $HOME/.local/share/pgsim. Throws std::runtime_error when neither variable is set.
std::string work_dir();

}  // namespace pgsim::vmm
