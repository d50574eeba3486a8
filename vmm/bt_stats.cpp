#include "vmm/bt_stats.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "isa/disasm.hpp"

namespace pgsim::vmm {
namespace {

constexpr const char* kCounters[] = {"bt_tus",  "bt_tu_insns", "bt_ident",  "bt_nonident",      "bt_ccf_words",
                                     "bt_hits", "bt_misses",   "bt_exits",  "bt_chains",        "bt_callouts",
                                     "bt_invalidations", "bt_flushes"};
constexpr const char* kTables[] = {"bt_len", "TU_TABLE", "tu_count", "CLASS", "MASKS", "tc_gb", "c_st_r7", "c_jal_co",
                                   "c_ld_r7", "TC_START", "TC_END", "VMM_SIZE"};
constexpr unsigned kMaxTu = 12;
constexpr isa::Word kClassIdentR = 1, kClassIdentI = 2;

}  // namespace

bool is_bt_monitor(const assembler::Image& vmm) {
  for (const char* s : kCounters)
    if (!vmm.symbols.count(s)) return false;
  for (const char* s : kTables)
    if (!vmm.symbols.count(s)) return false;
  return true;
}

std::optional<BtStats> read_bt_stats(const Stack& stack, unsigned level, bool with_cache) {
  const assembler::Image* img = stack.vmm_image();
  if (!img || level >= stack.depth() || !is_bt_monitor(*img)) return std::nullopt;
  const auto& E = stack.machine().storage();
  const std::uint64_t origin = stack.level_origin(level);
  auto at = [&](std::uint64_t a) -> isa::Word { return origin + a < E.size() ? E[origin + a] : 0u; };
  auto sym = [&](const char* s) { return img->symbols.at(s); };
  BtStats st;
  st.level = level;
  std::uint64_t* fields[] = {&st.tus,    &st.translated, &st.ident,  &st.non_ident, &st.ccf_words,     &st.hits,
                             &st.misses, &st.exits,      &st.chains, &st.callouts,  &st.invalidations, &st.flushes};
  for (std::size_t i = 0; i < std::size(kCounters); ++i) *fields[i] = at(sym(kCounters[i]));
  for (unsigned n = 0; n <= kMaxTu; ++n) st.lengths.push_back(at(sym("bt_len") + n));
  if (!with_cache) return st;

  const auto& isa = stack.machine().isa();
  const isa::Word table = sym("TU_TABLE"), count = std::min<isa::Word>(at(sym("tu_count")), 255);
  const isa::Word gb = at(sym("tc_gb")), cls = sym("CLASS"), masks = sym("MASKS");
  const isa::Word st_r7 = at(sym("c_st_r7")), jal_co = at(sym("c_jal_co")), ld_r7 = at(sym("c_ld_r7"));
  const isa::Word tc_lo = sym("TC_START"), tc_hi = sym("TC_END");
  const isa::Word jal0 = jal_co & 0xff000000u;
  for (isa::Word i = 1; i <= count; ++i) {
    BtTu tu;
    tu.guest_pc = at(table + 4 * i);
    isa::Word packed = at(table + 4 * i + 1);
    tu.length = std::min<isa::Word>(packed & 0xff, kMaxTu);
    tu.ccf_words = std::min<isa::Word>(packed >> 8, tc_hi > tc_lo ? tc_hi - tc_lo : 0);  // a broken monitor: none
    tu.ccf = at(table + 4 * i + 2);
    tu.hits = at(table + 4 * i + 3);
    for (isa::Word k = 0; k < tu.length; ++k) {
      TuInstruction g;
      g.pc = tu.guest_pc + k;
      const std::uint64_t a = origin + gb + g.pc;  // the real address of the guest's word
      g.word = at(static_cast<std::uint64_t>(gb) + g.pc);
      if (a < E.size()) {
        const auto loc = stack.code_at(static_cast<isa::Word>(a));
        if (loc.image) g.where = loc.image->where(loc.address);
      }
      g.text = isa::disassemble(isa, g.word, g.pc);
      isa::Word op = g.word >> 24;
      isa::Word c = at(cls + op);
      g.ident = (g.word & at(masks + op)) == 0 && (c == kClassIdentR || c == kClassIdentI);
      tu.guest.push_back(std::move(g));
    }
    for (isa::Word k = 0; k < tu.ccf_words;) {
      isa::Word a = tu.ccf + k, w = at(a);
      CcfWord cw{a, w, ""};
      if (k == 0 && w == ld_r7) {
        cw.text = fmt::format("{}   ; prologue: the guest's r7", isa::disassemble(isa, w, a));
        ++k;
      } else if (w == st_r7 && k + 1 < tu.ccf_words && at(a + 1) == jal_co) {
        isa::Word kind = at(a + 2), arg = at(a + 3);
        if (kind == 0) {
          cw.text = fmt::format("exit -> guest pc {}", arg);
          k += 4;
        } else {
          cw.text = fmt::format("call-out: {}{}", isa::disassemble(isa, arg, at(a + 4)),
                                kind == 2 ? "   (only if the store hit translated code: invalidate)" : "");
          k += 6;
        }
      } else if ((w & 0xffff0000u) == jal0 && (w & 0xffffu) > tc_lo && (w & 0xffffu) <= tc_hi) {
        // A chained exit: its first word patched into a jump; the rest of the exit (jal to the
        // call-out, K_EXIT, the target pc) stays in place, never executed again.
        if (k + 3 < tu.ccf_words && at(a + 1) == jal_co && at(a + 2) == 0) {
          cw.text = fmt::format("chained exit -> guest pc {}: jump to its CCF at {}", at(a + 3), (w & 0xffffu) - 1);
          k += 4;
        } else {
          cw.text = fmt::format("chained exit: jump to the CCF at {}", (w & 0xffffu) - 1);
          ++k;
        }
      } else {
        cw.text = isa::disassemble(isa, w, a);
        ++k;
      }
      tu.code.push_back(std::move(cw));
    }
    st.cache.push_back(std::move(tu));
  }
  return st;
}

std::string format_translation_cache(const BtStats& s, std::size_t max_tus) {
  std::string out = fmt::format(
      "L{} translation cache: {} TUs translated ({} guest instructions: {} IDENT, {} non-IDENT), {} words of CCF;\n"
      "  dispatches: {} hits, {} misses; {} exits, {} chained; {} call-outs; {} invalidations, {} other flushes\n",
      s.level, s.tus, s.translated, s.ident, s.non_ident, s.ccf_words, s.hits, s.misses, s.exits, s.chains, s.callouts,
      s.invalidations, s.flushes);
  std::vector<const BtTu*> order;
  for (const auto& t : s.cache) order.push_back(&t);
  std::stable_sort(order.begin(), order.end(), [](const BtTu* a, const BtTu* b) { return a->hits > b->hits; });
  if (order.size() > max_tus) order.resize(max_tus);
  for (const BtTu* t : order) {
    out += fmt::format("\nTU at guest pc {}: {} instructions, CCF at {} ({} words), {} hits\n", t->guest_pc, t->length,
                       t->ccf, t->ccf_words, t->hits);
    out += fmt::format("  {:<40} | {}\n", "guest code", "compiled code fragment");
    std::size_t rows = std::max(t->guest.size(), t->code.size());
    for (std::size_t r = 0; r < rows; ++r) {
      std::string left, right;
      if (r < t->guest.size()) {
        const auto& g = t->guest[r];
        left = fmt::format("{:>5}  {:<9} {}", g.pc, g.ident ? "IDENT" : "non-IDENT", g.text);
      }
      if (r < t->code.size()) right = fmt::format("{:>5}  {}", t->code[r].address, t->code[r].text);
      out += fmt::format("  {:<40} | {}\n", left, right);
    }
  }
  return out;
}

}  // namespace pgsim::vmm
