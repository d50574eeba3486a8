#include "vmm/data_files.hpp"

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace pgsim::vmm {

std::string find_data_file(const std::string& name) {
  namespace fs = std::filesystem;
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("PGSIM_DATA_DIR")) dirs.emplace_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path().parent_path() / "share" / "pgsim");
  dirs.push_back(fs::path(PGSIM_SOURCE_DIR) / "examples" / "isa");
  dirs.push_back(fs::path(PGSIM_SOURCE_DIR) / "vmm");
  dirs.push_back(fs::path(PGSIM_SOURCE_DIR) / "examples" / "os");
  for (const auto& d : dirs) {
    fs::path p = d / name;
    if (fs::exists(p, ec)) return p.string();
  }
  return {};
}

}  // namespace pgsim::vmm
