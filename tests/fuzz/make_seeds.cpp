// fuzz_make_seeds SOURCE_DIR OUT_DIR: writes the seed corpora of the fuzz targets, from the
// project's own files, into OUT_DIR/<target>/ (run by the build; see tests/fuzz/CMakeLists.txt):
//   isa      every *.isa under examples/ and lessons/
//   asm      every *.s under examples/, lessons/ and vmm/
//   lesson   every *.md under lessons/
//   machine  every program that assembles for PG-1 on its own, as an image in fuzz_machine's
//            input layout, at depths 0, 1 and 2 (and once through a Session)
//   equiv    the same images in fuzz_equiv's layout (depth 1)
// Exit status 1 (with a message) when the source directory has none of these files.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "assembler/assembler.hpp"
#include "isa/loader.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file() && it->path().extension() == ext) out.push_back(it->path());
  return out;
}

std::string seed_name(const fs::path& root, const fs::path& f) {
  std::string s = fs::relative(f, root).string();
  for (char& c : s)
    if (c == '/') c = '_';
  return s;
}

void write(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
}

void copy_all(const fs::path& root, const std::vector<fs::path>& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& f : from) fs::copy_file(f, to / seed_name(root, f), fs::copy_options::overwrite_existing);
}

std::string le(const std::vector<pgsim::isa::Word>& words) {
  std::string s;
  for (auto w : words)
    for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((w >> (8 * i)) & 0xffu));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_make_seeds SOURCE_DIR OUT_DIR\n");
    return 2;
  }
  fs::path root = argv[1], out = argv[2];
  std::vector<fs::path> isa_files, asm_files, md_files;
  for (const char* d : {"examples", "lessons"}) {
    for (auto& f : files(root / d, ".isa")) isa_files.push_back(f);
    for (auto& f : files(root / d, ".s")) asm_files.push_back(f);
  }
  for (auto& f : files(root / "vmm", ".s")) asm_files.push_back(f);
  md_files = files(root / "lessons", ".md");
  if (isa_files.empty() || asm_files.empty() || md_files.empty()) {
    std::fprintf(stderr, "fuzz_make_seeds: no examples or lessons under %s\n", argv[1]);
    return 1;
  }
  copy_all(root, isa_files, out / "isa");
  copy_all(root, asm_files, out / "asm");
  copy_all(root, md_files, out / "lesson");
  fs::create_directories(out / "machine");
  fs::create_directories(out / "equiv");
  auto pg1 = pgsim::isa::load_isa((root / "examples/isa/pg1.isa").string());
  int images = 0;
  for (const auto& f : asm_files) {
    std::vector<pgsim::isa::Word> words;
    try {
      words = pgsim::assembler::assemble_file(*pg1, f.string()).words;
    } catch (const std::exception&) {
      continue;  // a part of a program (a library, an exercise with a gap) or another ISA's
    }
    if (words.size() > 4000) continue;
    std::uint8_t size = static_cast<std::uint8_t>(std::min<std::size_t>(255, (words.size() + 16 + 15) / 16 + 8));
    std::string name = seed_name(root, f);
    std::string image = le(words);
    for (std::uint8_t depth : {0, 1, 2})
      write(out / "machine" / (name + ".d" + std::to_string(depth)), std::string{char(depth), char(size), 0, 0} + image);
    write(out / "machine" / (name + ".session"), std::string{char(0x81), char(size), 0, 0} + image);
    std::uint8_t esize = static_cast<std::uint8_t>(std::min<std::size_t>(255, (words.size() + 16 + 7) / 8 + 16));
    write(out / "equiv" / name, std::string{0, char(esize)} + image);
    ++images;
  }
  std::printf("fuzz seeds: %zu isa, %zu asm, %zu lesson, %d machine images in %s\n", isa_files.size(), asm_files.size(),
              md_files.size(), images, out.c_str());
  return 0;
}
