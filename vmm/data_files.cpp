#include "vmm/data_files.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

namespace pgsim::vmm {
namespace fs = std::filesystem;

namespace {

/// One place the lookup tries: the directory as tried, why, and where it leads.
struct Candidate {
  fs::path dir;          ///< as tried (for messages)
  std::string how;       ///< "$PGSIM_DATA_DIR", "next to the executable"
  std::optional<fs::path> root;  ///< the data root it leads to, when it exists
  bool source_checkout = false;  ///< led there by a build tree's `source-tree` file
};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec) && !fs::is_directory(p, ec);
}

/// `dir` as a candidate: a build tree's share/pgsim names the source checkout in `source-tree`.
Candidate candidate(fs::path dir, std::string how) {
  Candidate c{dir.lexically_normal(), std::move(how), std::nullopt, false};
  if (!is_dir(c.dir)) return c;
  std::ifstream marker(c.dir / "source-tree");
  std::string src;
  if (marker && std::getline(marker, src) && !src.empty() && is_dir(src)) {
    c.root = fs::path(src);
    c.source_checkout = true;
  } else {
    c.root = c.dir;
  }
  return c;
}

std::vector<Candidate> candidates() {
  std::vector<Candidate> out;
  std::string e = env("PGSIM_DATA_DIR");
  if (!e.empty()) out.push_back(candidate(e, "$PGSIM_DATA_DIR"));
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) out.push_back(candidate(exe.parent_path().parent_path() / "share" / "pgsim", "next to the executable"));
  return out;
}

/// The lines of a "looked in" list: each data root (or the reason it is not one), then
/// `subdirs` of each existing root.
std::vector<std::string> tried_dirs(const std::vector<Candidate>& cs, const std::vector<std::string>& subdirs) {
  std::vector<std::string> lines;
  for (const auto& c : cs) {
    if (!c.root) {
      lines.push_back(fmt::format("{} ({}; does not exist)", c.dir.string(), c.how));
      continue;
    }
    if (c.source_checkout)
      lines.push_back(fmt::format("{} ({}: the build tree of {})", c.dir.string(), c.how, c.root->string()));
    bool first = true;
    for (const auto& s : subdirs) {
      fs::path d = s.empty() ? *c.root : *c.root / s;
      std::string note = first && !c.source_checkout ? c.how : "";
      if (!is_dir(d)) note += note.empty() ? "does not exist" : "; does not exist";
      lines.push_back(note.empty() ? d.string() : d.string() + " (" + note + ")");
      first = false;
    }
  }
  return lines;
}

[[noreturn]] void not_found(const std::string& what, const std::vector<std::string>& lines) {
  std::string msg = fmt::format("error: cannot find {}; looked in:\n", what);
  for (const auto& l : lines) msg += "  " + l + "\n";
  bool env_set = !env("PGSIM_DATA_DIR").empty();
  msg += env_set ? "(PGSIM_DATA_DIR is set: it must be a directory holding examples/, vmm/ and lessons/, "
                   "as <prefix>/share/pgsim after `cmake --install`)\n"
                 : "(set PGSIM_DATA_DIR to a directory holding examples/, vmm/ and lessons/, "
                   "as <prefix>/share/pgsim after `cmake --install`, or give a path)\n";
  throw DataNotFound(msg);
}

/// Looks for `names` (tried in order) in the current directory, then in each data root and
/// its `subdirs`; throws DataNotFound naming `what`.
std::string find_named(const std::string& arg, const std::vector<std::string>& names,
                       const std::vector<std::string>& subdirs, const std::string& what) {
  for (const auto& n : names)
    if (is_file(n)) return n;
  std::vector<std::string> looked;
  std::error_code ec;
  if (fs::path(arg).is_absolute()) {
    if (is_dir(arg)) return arg;  // the reader says "... is a directory"
    throw DataNotFound(fmt::format("error: cannot find {} '{}' (no such file)\n", what, arg));
  }
  looked.push_back(fs::current_path(ec).string() + " (the current directory)");
  auto cs = candidates();
  for (const auto& c : cs) {
    if (!c.root) continue;
    for (const auto& s : subdirs)
      for (const auto& n : names) {
        fs::path p = (s.empty() ? *c.root : *c.root / s) / n;
        if (is_file(p)) return p.string();
      }
  }
  if (is_dir(arg)) return arg;  // a directory and nothing else by that name: the reader says so
  for (auto& l : tried_dirs(cs, subdirs)) looked.push_back(std::move(l));
  std::string alts = names.size() > 1 ? fmt::format(" (or {})", names[1]) : std::string();
  not_found(fmt::format("{} '{}'{}", what, arg, alts), looked);
}

bool has_lessons(const fs::path& root) {
  std::error_code ec;
  fs::directory_iterator it(root / "lessons", ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string n = it->path().filename().string();
    if (it->path().extension() == ".md" && !n.empty() && std::isdigit(static_cast<unsigned char>(n[0]))) return true;
  }
  return false;
}

/// Makes `dst` a directory whose entries are symbolic links to `src`'s, except `keep` (which the
/// caller makes a real directory). Links to another place (a moved data root) are renewed;
/// anything the student made is left alone.
void link_siblings(const fs::path& src, const fs::path& dst, const std::string& keep) {
  fs::create_directories(dst);
  for (const auto& e : fs::directory_iterator(src)) {
    std::string name = e.path().filename().string();
    if (name == keep) continue;
    fs::path d = dst / name;
    auto st = fs::symlink_status(d);
    if (fs::is_symlink(st)) {
      if (fs::read_symlink(d) == e.path()) continue;
      fs::remove(d);
    } else if (fs::exists(st)) {
      continue;
    }
    fs::create_symlink(e.path(), d);
  }
}

}  // namespace

std::vector<std::string> data_roots() {
  std::vector<std::string> out;
  for (const auto& c : candidates())
    if (c.root) out.push_back(c.root->string());
  return out;
}

std::string data_roots_tried() {
  std::string s;
  for (const auto& l : tried_dirs(candidates(), {""})) s += "  " + l + "\n";
  return s;
}

std::string find_data_file(const std::string& name) {
  for (const auto& c : candidates()) {
    if (!c.root) continue;
    for (const char* sub : {"", "examples/isa", "vmm/monitors", "examples/os", "examples/guests"}) {
      fs::path p = *c.root / sub / name;
      if (is_file(p)) return p.lexically_normal().string();
    }
  }
  return {};
}

std::string find_isa(const std::string& arg) {
  if (arg.empty()) {
    // The default is PG-1 from the data, never a pg1.isa that happens to be in the current directory.
    std::string p = find_data_file("pg1.isa");
    if (p.empty()) not_found("PG-1's description (pg1.isa)", tried_dirs(candidates(), {"", "examples/isa"}));
    return p;
  }
  std::vector<std::string> names{arg};
  if (fs::path(arg).extension() != ".isa") names.push_back(arg + ".isa");
  return find_named(arg, names, {"", "examples/isa", "lessons/programs"}, "the ISA description");
}

std::string find_program(const std::string& arg) {
  std::vector<std::string> names{arg};
  if (fs::path(arg).extension() != ".s") names.push_back(arg + ".s");
  return find_named(arg, names, {"", "examples/guests", "examples/os", "lessons/programs"}, "the program");
}

std::string find_lesson_root() {
  std::string own = env("PGSIM_LESSON_ROOT");
  if (!own.empty()) {
    if (has_lessons(own)) return own;
    not_found("the lessons (lessons/NN-*.md)", {(fs::path(own) / "lessons").string() + " ($PGSIM_LESSON_ROOT)"});
  }
  auto cs = candidates();
  for (const auto& c : cs)
    if (c.root && has_lessons(*c.root)) return c.root->string();
  not_found("the lessons (lessons/NN-*.md)", tried_dirs(cs, {"lessons"}));
}

std::string work_dir() {
  std::string xdg = env("XDG_DATA_HOME");
  if (!xdg.empty()) return (fs::path(xdg) / "pgsim").string();
  std::string home = env("HOME");
  if (!home.empty()) return (fs::path(home) / ".local" / "share" / "pgsim").string();
  throw std::runtime_error("no place for your copy of the exercise: set XDG_DATA_HOME or HOME");
}

ExerciseFile exercise_file(const std::string& root, const std::string& rel) {
  fs::path r(rel);
  if (r.is_absolute()) return {rel, {}};
  fs::path pristine = fs::path(root) / r;
  std::error_code ec;
  fs::path canon = fs::weakly_canonical(root, ec);
  bool found_root = false;
  for (const auto& c : candidates())
    if (c.root && !c.source_checkout && fs::weakly_canonical(*c.root, ec) == canon) found_root = true;
  if (!found_root || !is_file(pristine)) return {pristine.string(), {}};

  fs::path work(work_dir());
  fs::path copy = work / r;
  // The copy's directory tree mirrors the data root: every entry but the way to the exercise
  // is a link back to it (kept pointing at the current data root, which may have moved).
  auto mirror = [&] {
    fs::path src = canon, dst = work;
    for (const auto& part : r.parent_path()) {
      link_siblings(src, dst, part.string());
      src /= part;
      dst /= part;
    }
    fs::create_directories(dst);
  };
  if (is_file(copy)) {
    try {
      mirror();
    } catch (const fs::filesystem_error&) {
      // The copy exists; a stale link only matters to a relative include, which then says so.
    }
    return {copy.string(), {}};
  }
  try {
    mirror();
    fs::copy_file(pristine, copy);
    fs::permissions(copy, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
  } catch (const fs::filesystem_error& e) {
    throw std::runtime_error(fmt::format("cannot make your copy of {} in {}: {}", pristine.string(), work.string(),
                                         e.code().message()));
  }
  return {copy.string(), pristine.string()};
}

}  // namespace pgsim::vmm
