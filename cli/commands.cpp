#include "cli/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "vmm/bt_stats.hpp"
#include <sstream>

#include "assembler/assembler.hpp"
#include "cli/common.hpp"
#include "vmm/data_files.hpp"
#include "vmm/monitor_catalog.hpp"
#include "isa/disasm.hpp"
#include "isa/loader.hpp"
#include "vmm/stack.hpp"

namespace pgsim::cli {
namespace {

/// Prints every real trap with the level that trapped and the chain of levels that handled it
/// (passed to vmm::Stack::run, which counts and watches the events).
class TrapTracer : public machine::Observer {
 public:
  TrapTracer(const vmm::Stack& s, std::FILE* out) : stack_(s), out_(out) {}
  void on_event(const machine::Machine& m, const machine::Event& e) override {
    if (e.kind == machine::EventKind::Instruction) return;
    unsigned level = stack_.level_of(e.real_pc);
    const auto& isa = m.isa();
    if (e.kind == machine::EventKind::VmEntry || e.kind == machine::EventKind::VmExit) {
      // Interpretive execution (pg1-assist): the host is the level below the guest's.
      const bool entry = e.kind == machine::EventKind::VmEntry;
      unsigned host = level > 0 ? level - 1 : 0;
      auto at = stack_.code_at(e.real_pc);
      std::string where = at.image ? at.image->where(at.address) : std::string();
      if (entry) {
        std::fprintf(out_, "[cycle %10llu] L%u VM entry: L%u enters L%u (state description at real %llu)\n",
                     static_cast<unsigned long long>(e.cycle), host, host, level, static_cast<unsigned long long>(e.info));
      } else if (e.cause == isa.assist.validity) {
        // The entry was refused: the host's sie completed with the reason in its SD.
        std::fprintf(out_, "[cycle %10llu] L%u VM entry refused: %s info=%llu (the state description's field at that "
                     "offset)\n",
                     static_cast<unsigned long long>(e.cycle), level, isa.assist.reason_name(e.cause).c_str(),
                     static_cast<unsigned long long>(e.info));
      } else {
        std::string what = e.word ? isa::disassemble(isa, e.word, at.address) : std::string();
        std::fprintf(out_, "[cycle %10llu] L%u VM exit  %-14s info=%-10llu %-22s %-28s to L%u\n",
                     static_cast<unsigned long long>(e.cycle), level, isa.assist.reason_name(e.cause).c_str(),
                     static_cast<unsigned long long>(e.info),
                     what.c_str(), where.c_str(), host);
      }
      return;
    }
    auto at = stack_.code_at(e.real_pc);
    std::string what = e.interrupt ? std::string("(interrupt)") : isa::disassemble(isa, e.word, at.address);
    std::string where = at.image ? at.image->where(at.address) : std::string();
    std::string chain = stack_.describe_chain(level, e.cause, e.info);
    std::fprintf(out_, "[cycle %10llu] L%u %-7s info=%-10llu %-22s %-28s %s\n",
                 static_cast<unsigned long long>(e.cycle), level, isa.cause_name(e.cause).c_str(),
                 static_cast<unsigned long long>(e.info),
                 what.c_str(), where.c_str(), chain.c_str());
  }

 private:
  const vmm::Stack& stack_;
  std::FILE* out_;
};

/// The words of an image file written by `pgsim asm -o`: one hex word per line, '#' comments.
/// Every word must fit in the ISA's word; the file is a regular file of bounded size, with at
/// most kMaxAddress words. Throws UserError (file:line:col, the line and a caret).
std::vector<isa::Word> read_image_file(const isa::IsaModel& isa, const std::string& path) {
  std::string text, err;
  if (!read_bounded_file(path, kMaxImageFileBytes, text, err)) throw UserError(fmt::format("error: {}\n", err));
  auto file = std::make_shared<SourceFile>();
  file->path = path;
  file->text = std::move(text);
  auto fail = [&](std::size_t offset, const std::string& msg) {
    throw UserError(Diagnostic{file, offset, msg}.format());
  };
  std::vector<isa::Word> words;
  const std::string& t = file->text;
  for (std::size_t pos = 0; pos < t.size();) {
    std::size_t end = t.find('\n', pos);
    if (end == std::string::npos) end = t.size();
    std::size_t i = pos, stop = end;
    while (stop > i && (t[stop - 1] == '\r' || t[stop - 1] == ' ' || t[stop - 1] == '\t')) --stop;
    while (i < stop && (t[i] == ' ' || t[i] == '\t')) ++i;
    if (i < stop && t[i] != '#') {
      std::uint64_t v = 0;
      bool too_wide = false;  // more hex digits than 64 bits hold
      std::size_t first = i;
      for (; i < stop; ++i) {
        char c = t[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) fail(i, "expected a hex word (one per line, as written by 'pgsim asm -o')");
        if (v > (~std::uint64_t{0} >> 4)) { too_wide = true; break; }  // reported below
        v = v * 16 + static_cast<std::uint64_t>(d);
      }
      if (too_wide || v > isa.word_mask())
        fail(first, fmt::format("'{}' does not fit in a {}-bit word of {}", t.substr(first, std::min<std::size_t>(stop - first, 40)),
                                isa.word_bits, isa.name));
      if (words.size() >= kMaxAddress)
        fail(first, fmt::format("the image has more than {} words (the program size limit)", kMaxAddress));
      words.push_back(static_cast<isa::Word>(v));
    }
    pos = end + 1;
  }
  return words;
}

/// Writes `img` as an image file (see read_image_file): a comment line, then one hex word per line.
void write_image(const isa::IsaModel& isa, const assembler::Image& img, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw UserError(fmt::format("error: cannot write '{}'\n", path));
  out << "# pgsim image: one word per line, in hex, from address 0\n";
  // As many hex digits as the word has: 8 for words of up to 32 bits (as always), 9 for 36, 16 for 64.
  const unsigned digits = std::max(8u, (isa.word_bits + 3) / 4);
  for (auto w : img.words) out << fmt::format("{:0{}x}\n", w, digits);
}

/// Writes the members `"console": ...,` and `"console_bytes": [...],` of `pgsim run --json`.
/// The console holds bytes, not UTF-8 text, so "console" is a JSON string with each byte as the
/// code point of the same value (Latin-1): printable ASCII as itself, bytes >= 0x80 and control
/// bytes escaped as \u00XX; "console_bytes" lists the bytes as numbers (README "Commands").
/// Valid JSON whatever the bytes; written in pieces, so memory stays bounded by the console.
void write_console_json(const std::string& console, std::FILE* out) {
  std::string buf = "  \"console\": \"";
  auto flush = [&] {
    std::fwrite(buf.data(), 1, buf.size(), out);
    buf.clear();
  };
  for (unsigned char c : console) {
    switch (c) {
      case '"': buf += "\\\""; break;
      case '\\': buf += "\\\\"; break;
      case '\b': buf += "\\b"; break;
      case '\f': buf += "\\f"; break;
      case '\n': buf += "\\n"; break;
      case '\r': buf += "\\r"; break;
      case '\t': buf += "\\t"; break;
      default:
        if (c < 0x20 || c >= 0x7f) buf += fmt::format("\\u{:04x}", c);
        else buf += static_cast<char>(c);
    }
    if (buf.size() > (1u << 16)) flush();
  }
  buf += "\",\n  \"console_bytes\": [";
  bool first = true;
  for (unsigned char c : console) {
    if (!first) buf += ", ";
    first = false;
    buf += fmt::format("{}", static_cast<unsigned>(c));
    if (buf.size() > (1u << 16)) flush();
  }
  buf += "],\n";
  flush();
}

}  // namespace

std::shared_ptr<const isa::IsaModel> load_isa_or_default(const std::string& path) {
  try {
    auto m = isa::load_isa(vmm::find_isa(path));
    std::cerr << format_all(m->warnings);  // accepted, but probably not what was meant
    return m;
  } catch (const vmm::DataNotFound& e) {
    throw UserError(e.what());
  } catch (const InputError& e) {
    throw UserError(e.what());
  }
}

std::shared_ptr<const assembler::Image> assemble(const isa::IsaModel& isa, const std::string& path) {
  try {
    return std::make_shared<assembler::Image>(assembler::assemble_file(isa, vmm::find_program(path)));
  } catch (const vmm::DataNotFound& e) {
    throw UserError(e.what());
  } catch (const InputError& e) {
    throw UserError(e.what());
  }
}

std::shared_ptr<const assembler::Image> assemble_vmm(const isa::IsaModel& isa, const std::string& name_or_path) {
  try {
    return std::make_shared<assembler::Image>(assembler::assemble_file(isa, vmm::find_monitor(name_or_path)));
  } catch (const vmm::DataNotFound& e) {
    throw UserError(e.what());
  } catch (const InputError& e) {
    throw UserError(e.what());
  }
}

int run_asm(const AsmOptions& o) {
  return guarded([&] {
    auto isa = load_isa_or_default(o.isa);
    auto img = assemble(*isa, o.program);
    if (!o.output.empty()) write_image(*isa, *img, o.output);
    if (o.listing) std::fputs(img->listing(*isa).c_str(), stdout);
    if (!o.listing && o.output.empty())
      std::printf("%s: %llu words, %zu symbols\n", o.program.c_str(), static_cast<unsigned long long>(img->size()),
                  img->symbols.size());
    return 0;
  });
}

int run_disasm(const DisasmOptions& o) {
  return guarded([&] {
    auto isa = load_isa_or_default(o.isa);
    std::vector<isa::Word> words;
    std::shared_ptr<const assembler::Image> img;
    if (o.program.size() > 2 && o.program.substr(o.program.size() - 2) == ".s") {
      img = assemble(*isa, o.program);
      words = img->words;
    } else {
      words = read_image_file(*isa, o.program);
    }
    isa::Word end = o.count ? std::min<std::uint64_t>(words.size(), std::uint64_t{o.from} + o.count)
                                : static_cast<isa::Word>(words.size());
    for (isa::Word a = o.from; a < end; ++a) {
      std::string where = img ? img->where(a) : std::string();
      // The word in hex: 8 digits, or as many as a wider word has (9 for 36 bits, 16 for 64).
      std::printf("%06llx  %0*llx  %-28s %s\n", static_cast<unsigned long long>(a), static_cast<int>(std::max(8u, (isa->word_bits + 3) / 4)),
                  static_cast<unsigned long long>(words[a]), isa::disassemble(*isa, words[a], a).c_str(), where.c_str());
    }
    return 0;
  });
}

int run_run(const RunOptions& o) {
  return guarded([&] {
    auto isa = load_isa_or_default(vmm::isa_for_monitor(o.isa, o.vmm, o.depth));
    auto guest = assemble(*isa, o.program);
    std::shared_ptr<const assembler::Image> vmm;
    if (o.depth > 0) {
      vmm = assemble_vmm(*isa, o.vmm);
    }
    vmm::Stack stack(isa, vmm, guest, o.depth, o.memory);
    auto& m = stack.machine();
    if (!o.input.empty()) {
      std::string bytes, err;
      if (!read_bounded_file(o.input, kMaxInputBytes, bytes, err))
        throw UserError(fmt::format("error: --input: {}\n", err));
      for (char c : bytes) m.push_input(static_cast<unsigned char>(c));
    }
    std::vector<vmm::LevelStats> stats(o.depth + 1);
    TrapTracer tracer(stack, stderr);
    machine::StopReason reason;
    std::size_t printed = 0;
    // Run in slices so the guest's console output appears as it is produced.
    const std::uint64_t slice = 4'000'000;
    do {
      std::uint64_t limit = std::min(o.max_cycles, m.cycles() + slice);
      reason = stack.run(limit, stats, o.trace_traps ? &tracer : nullptr);
      if (!o.json && m.console_output().size() > printed) {
        std::fwrite(m.console_output().data() + printed, 1, m.console_output().size() - printed, stdout);
        std::fflush(stdout);
        printed = m.console_output().size();
      }
    } while (reason == machine::StopReason::CycleBudget && m.cycles() < o.max_cycles);

    auto role = [&](unsigned k) { return k < o.depth ? "vmm" : "guest"; };
    if (o.json) {
      nlohmann::json j;
      j["halted"] = reason == machine::StopReason::Halted;
      j["reason"] = stack.stop_reason();
      if (const auto& l = stack.livelock())
        j["livelock"] = {{"level", l->level},       {"period", l->period}, {"tick_cycles", l->tick_cycles},
                         {"resume_cycles", l->resume_cycles}, {"ticks", l->ticks}, {"message", l->message()}};
      j["cycles"] = m.cycles();
      j["instructions"] = m.instructions();
      j["real_traps"] = m.traps() + m.vm_exits();  // VM exits are real traps to the host too
      j["exits"] = m.vm_exits();
      j["depth"] = o.depth;
      j["levels"] = nlohmann::json::array();
      for (unsigned k = 0; k <= o.depth; ++k)
        j["levels"].push_back({{"level", k}, {"role", role(k)}, {"instructions", stats[k].instructions},
                               {"cycles", stats[k].cycles}, {"traps", stats[k].traps}, {"exits", stats[k].exits}});
      // A binary-translating monitor's translation cache, per level (vmm/bt_stats.hpp).
      for (unsigned k = 0; k < o.depth; ++k)
        if (auto s = vmm::read_bt_stats(stack, k)) {
          if (!j.contains("bt")) j["bt"] = nlohmann::json::array();
          j["bt"].push_back({{"level", k},
                             {"tus", s->tus},
                             {"translated", s->translated},
                             {"ident", s->ident},
                             {"non_ident", s->non_ident},
                             {"ccf_words", s->ccf_words},
                             {"tu_lengths", s->lengths},
                             {"hits", s->hits},
                             {"misses", s->misses},
                             {"exits", s->exits},
                             {"chains", s->chains},
                             {"callouts", s->callouts},
                             {"invalidations", s->invalidations},
                             {"flushes", s->flushes}});
        }
      // The console fields come first (keys are in alphabetical order) and are written as
      // they are encoded, so that a long console output is never held twice in memory.
      std::string rest = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
      std::fputs("{\n", stdout);
      write_console_json(m.console_output(), stdout);
      std::fputs(rest.c_str() + 2, stdout);  // after "{\n"
      std::fputs("\n", stdout);
      return 0;
    }
    if (o.show_tc) {
      auto s = o.depth ? vmm::read_bt_stats(stack, o.depth - 1, true) : std::nullopt;
      if (!s) throw UserError("error: --show-tc: the monitor is not bt (use --vmm bt --depth 1 or more)\n");
      std::fputs("\n", stdout);
      std::fputs(vmm::format_translation_cache(*s, o.show_tc).c_str(), stdout);
    }
    std::fprintf(stderr, "\n-- %s after %llu cycles, %llu instructions, %llu real traps (depth %u)\n",
                 stack.stop_reason().c_str(), static_cast<unsigned long long>(m.cycles()),
                 static_cast<unsigned long long>(m.instructions()),
                 static_cast<unsigned long long>(m.traps() + m.vm_exits()), o.depth);
    if (m.isa().assist.present)
      std::fprintf(stderr, "   of which %llu VM exits (%llu VM entries)\n", static_cast<unsigned long long>(m.vm_exits()),
                   static_cast<unsigned long long>(m.vm_entries()));
    if (const auto& l = stack.livelock()) std::fprintf(stderr, "-- %s\n", l->message().c_str());
    std::fprintf(stderr, "%-6s %-6s %14s %14s %10s\n", "level", "role", "instructions", "cycles", "traps");
    for (unsigned k = 0; k <= o.depth; ++k)
      std::fprintf(stderr, "L%-5u %-6s %14llu %14llu %10llu\n", k, role(k),
                   static_cast<unsigned long long>(stats[k].instructions),
                   static_cast<unsigned long long>(stats[k].cycles), static_cast<unsigned long long>(stats[k].traps));
    return 0;
  });
}

}  // namespace pgsim::cli
