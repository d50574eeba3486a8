// The ISA loader's entry points (isa/loader.hpp): reads the ISA file, gathers the files it
// includes, and runs the passes of the Elaborator (isa/elaborator.hpp) in order.
#include "isa/loader.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <set>

#include "isa/elaborator.hpp"
#include "isa/isa_syntax.hpp"

namespace pgsim::isa::detail {

void Elaborator::add_file(std::shared_ptr<const SourceFile> file, std::set<std::string>& open, std::size_t inc_off,
                          std::shared_ptr<const SourceFile> includer) {
  std::string key = std::filesystem::weakly_canonical(file->path).string();
  if (open.count(key)) {
    diags.push_back({includer, inc_off, fmt::format("'{}' includes itself", file->path)});
    return;
  }
  auto syn = std::make_unique<IsaSyntax>();
  if (!parse_isa_syntax(file, *syn, diags)) return;
  open.insert(key);
  const IsaSyntax* s = syn.get();
  syntaxes_.push_back(std::move(syn));
  for (const auto& d : s->decls) {
    if (d.kind == "include") {
      auto dir = std::filesystem::path(file->path).parent_path();
      std::string p = (dir / d.strings[0]).string();
      std::string err;
      if (++includes_ > kMaxIncludes) {
        diags.resize(std::min(diags.size(), kMaxDiagnostics - 1));  // the limit is the error shown last
        diags.push_back({file, d.offset, fmt::format("more than {} include declarations followed (the include count "
                                                     "limit)", kMaxIncludes)});
        throw InputError(diags);
      }
      auto inc = read_source_file(p, err);
      if (!inc) {
        diags.push_back({file, d.offset, fmt::format("cannot include '{}': {}", p, err)});
        continue;
      }
      if ((included_bytes_ += inc->text.size()) > kMaxIncludedBytes) {
        diags.resize(std::min(diags.size(), kMaxDiagnostics - 1));
        diags.push_back({file, d.offset, fmt::format("including '{}' makes the ISA description {} bytes, more than the "
                                                     "limit of {} bytes (every included file counted at each inclusion)",
                                                     d.strings[0], included_bytes_, kMaxIncludedBytes)});
        throw InputError(diags);
      }
      add_file(inc, open, d.offset, file);
    } else {
      decls_.push_back({s, &d});
    }
  }
  open.erase(key);
}

std::shared_ptr<IsaModel> Elaborator::elaborate(const std::string& path) {
  auto m = std::make_shared<IsaModel>();
  m->path = path;
  m->registers.clear();
  elaborate_declarations(m.get(), path);
  elaborate_formats(m.get());
  elaborate_instructions(m.get());
  elaborate_decoding(m.get());
  if (tb_decl) compile_trap_block(*m, *tb_syn, *tb_decl);
  return m;
}

}  // namespace pgsim::isa::detail

namespace pgsim::isa {

namespace {

using detail::Elaborator;

std::shared_ptr<const IsaModel> load(std::shared_ptr<const SourceFile> file) {
  Elaborator e;
  std::set<std::string> open;
  e.add_file(file, open, 0, nullptr);
  if (!e.diags.empty()) throw InputError(e.diags);
  auto m = e.elaborate(file->path);
  if (!e.diags.empty()) throw InputError(e.diags);
  return m;
}

}  // namespace

std::shared_ptr<const IsaModel> load_isa(const std::string& path) {
  std::string err;
  auto f = read_source_file(path, err);
  if (!f) throw InputError({Diagnostic{nullptr, 0, fmt::format("cannot load the ISA: {}", err)}});
  return load(f);
}

std::shared_ptr<const IsaModel> load_isa_text(const std::string& display_path, const std::string& text) {
  auto f = std::make_shared<SourceFile>();
  f->path = display_path;
  f->text = text;
  return load(f);
}

}  // namespace pgsim::isa
