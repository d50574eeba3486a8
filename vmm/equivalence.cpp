#include "vmm/equivalence.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

namespace pgsim::vmm {
namespace {

constexpr const char* kPswNames[] = {"mode", "pc", "base", "bound", "ie"};

/// One side of the comparison: a stack, its store log, and what of its console was compared.
struct Side {
  Stack& stack;
  isa::Word origin;            ///< real address of the guest's word 0
  std::vector<isa::Word> log;  ///< real addresses written since the last boundary
  /// Lockstep's own steps and runs into this side (guest_step, the bare side's steps): with the
  /// cycle count, a bound on the comparison loop (each run to a boundary bounds its steps itself).
  std::uint64_t steps = 0;
  machine::Machine& m() { return stack.machine(); }
  bool ended(std::uint64_t max_cycles) const {
    const auto& mm = stack.machine();
    return stack.stopped() || mm.cycles() >= max_cycles || steps >= max_cycles;
  }
};

/// The guest's registers and PSW (mode, pc, base, bound, ie) as the guest sees them at a
/// boundary, read without allocating (this runs twice per guest instruction).
struct Visible {
  std::array<isa::Word, 64> regs{};
  std::array<isa::Word, 5> psw{};
  std::size_t nregs = 0, npsw = 0;
  bool operator==(const Visible& o) const {
    if (nregs != o.nregs) return false;
    for (std::size_t i = 0; i < nregs; ++i)
      if (regs[i] != o.regs[i]) return false;
    for (std::size_t i = 0; i < npsw && i < o.npsw; ++i)
      if (psw[i] != o.psw[i]) return false;
    return true;
  }
};

/// Reads Visible from a stack: on the bare machine its registers and PSW; under VMMs, while the
/// guest's code runs, the real registers and pc with the rest of the PSW from the guest's
/// virtual PSW (L(depth-1)'s control block); after the machine halted, all from the control block
/// (as Stack::guest_state); while the hardware runs the guest under interpretive execution
/// (pg1-assist), all from the machine (the guest's own PSW).
class VisibleReader {
 public:
  explicit VisibleReader(const Stack& s) : s_(s) {
    const auto& isa = s.machine().isa();
    nregs_ = std::min<std::size_t>(isa.registers.size(), 64);
    if (s.depth() == 0) return;
    const auto& img = *s.vmm_image();
    isa::Word o = s.level_origin(s.depth() - 1);
    const char* names[] = {"vm_mode", "vm_pc", "vm_base", "vm_bound", "vm_ie"};
    for (std::size_t i = 0; i < 5; ++i) cb_[i] = o + img.symbol(names[i]);
    regs_ = o + img.symbol("vm_regs");
    zero_ = isa.zero_register;
    for (const auto& w : isa.psw)
      if (w.slot == isa::PswSlot::Control) { ie_control_ = w.control; break; }
  }
  void read(Visible& v) const {
    const auto& m = s_.machine();
    v.nregs = nregs_;
    if (s_.depth() == 0) {
      for (std::size_t r = 0; r < nregs_; ++r) v.regs[r] = m.reg(static_cast<int>(r));
      v.npsw = 0;
      for (const auto& w : m.isa().psw) {
        if (v.npsw == v.psw.size()) break;
        isa::Word x = 0;
        switch (w.slot) {
          case isa::PswSlot::Mode: x = m.mode(); break;
          case isa::PswSlot::Pc: x = m.pc(); break;
          case isa::PswSlot::Base: x = m.base(); break;
          case isa::PswSlot::Bound: x = m.bound(); break;
          case isa::PswSlot::Control: x = m.control(w.control); break;
        }
        v.psw[v.npsw++] = x;
      }
      return;
    }
    if (s_.interpreted(s_.depth())) {
      // Under interpretive execution the hardware holds the guest's own state (pg1-assist).
      for (std::size_t r = 0; r < nregs_; ++r) v.regs[r] = m.reg(static_cast<int>(r));
      v.npsw = 5;
      v.psw = {m.mode(), m.pc(), m.level_base(), m.level_bound(), ie_control_ >= 0 ? m.control(ie_control_) : 0u};
      return;
    }
    const auto& E = m.storage();
    auto word = [&](std::uint64_t a) { return a < E.size() ? E[a] : 0u; };
    v.npsw = 5;
    for (std::size_t i = 0; i < 5; ++i) v.psw[i] = word(cb_[i]);
    if (m.halted()) {
      for (std::size_t r = 0; r < nregs_; ++r) v.regs[r] = word(static_cast<std::uint64_t>(regs_) + r);
      if (zero_ >= 0 && static_cast<std::size_t>(zero_) < nregs_) v.regs[static_cast<std::size_t>(zero_)] = 0;
      return;
    }
    if (s_.guest_boundary() == Stack::GuestBoundary::Interpreted) {
      // An interpreting monitor (vm_fetch) holds the guest's registers and pc in its control block.
      for (std::size_t r = 0; r < nregs_; ++r) v.regs[r] = word(static_cast<std::uint64_t>(regs_) + r);
      if (zero_ >= 0 && static_cast<std::size_t>(zero_) < nregs_) v.regs[static_cast<std::size_t>(zero_)] = 0;
      return;
    }
    for (std::size_t r = 0; r < nregs_; ++r) v.regs[r] = m.reg(static_cast<int>(r));
    v.psw[1] = m.pc();
  }

 private:
  const Stack& s_;
  std::size_t nregs_ = 0;
  std::array<std::uint64_t, 5> cb_{};
  std::uint64_t regs_ = 0;
  int zero_ = -1;
  int ie_control_ = -1;  ///< the PSW's control word (PG-1: ie)
};

/// The same into a GuestState (for the report).
void registers_and_psw(const VisibleReader& reader, GuestState& g) {
  Visible v;
  reader.read(v);
  g.regs.assign(v.regs.begin(), v.regs.begin() + static_cast<std::ptrdiff_t>(v.nregs));
  g.psw.assign(v.psw.begin(), v.psw.begin() + static_cast<std::ptrdiff_t>(v.npsw));
}

/// Steps the virtualized machine through one guest event (an instruction or a trap of the
/// guest) and on until the guest's code is about to run again (the monitors' work in between
/// runs in the fast engine: Stack::run_to_guest_boundary). True if a timer interrupt was taken
/// on the way.
bool guest_step(Side& v, std::uint64_t max_cycles) {
  bool interrupt = v.stack.step().interrupt;
  ++v.steps;
  if (!v.ended(max_cycles)) interrupt = v.stack.run_to_guest_boundary(max_cycles) || interrupt;
  return interrupt;
}

}  // namespace

bool supervisor_not_in_place(const assembler::Image& vmm) {
  auto it = vmm.symbols.find("VM_SUPERVISOR_IN_PLACE");
  return it != vmm.symbols.end() && it->second == 0;
}

std::vector<std::string> guest_state_differences(const GuestState& a, const GuestState& b, const isa::IsaModel& isa,
                                                  std::string& first_word) {
  std::vector<std::string> d;
  for (std::size_t r = 0; r < a.regs.size() && r < b.regs.size(); ++r)
    if (a.regs[r] != b.regs[r]) d.push_back(r < isa.registers.size() ? isa.registers[r] : fmt::format("r{}", r));
  for (std::size_t i = 0; i < a.psw.size() && i < b.psw.size() && i < 5; ++i)
    if (a.psw[i] != b.psw[i]) d.push_back(kPswNames[i]);
  if (a.console != b.console) d.push_back("console");
  first_word.clear();
  for (std::size_t i = 0; i < a.storage.size() && i < b.storage.size(); ++i)
    if (a.storage[i] != b.storage[i]) {
      d.push_back("storage");
      first_word = fmt::format("E[{}]: {:#x} vs {:#x}", i, a.storage[i], b.storage[i]);
      break;
    }
  return d;
}

EquivalenceResult check_equivalence(std::shared_ptr<const isa::IsaModel> isa,
                                    std::shared_ptr<const assembler::Image> vmm,
                                    std::shared_ptr<const assembler::Image> guest, unsigned depth,
                                    isa::Word guest_memory, std::uint64_t max_cycles, unsigned reference_depth) {
  if (reference_depth >= depth)
    throw std::invalid_argument(fmt::format("the reference depth ({}) must be less than the depth compared with it ({})",
                                            reference_depth, depth));
  Stack bare_stack(isa, reference_depth ? vmm : nullptr, guest, reference_depth, guest_memory);
  Stack virt_stack(isa, vmm, guest, depth, guest_memory);
  Side b{bare_stack, bare_stack.level_origin(reference_depth), {}}, v{virt_stack, virt_stack.level_origin(depth), {}};
  const isa::Word words = bare_stack.guest_memory();
  EquivalenceResult res;
  const VisibleReader read_b(bare_stack), read_v(virt_stack);

  // A monitor that translates or interprets its guest's virtual-supervisor code (binary
  // translation, a hybrid VMM) declares VM_SUPERVISOR_IN_PLACE = 0: the guest's kernel then never
  // runs in place, so its instruction boundaries cannot be seen from outside. Lockstep is then at
  // the boundaries where the guest's code does run in place (its user mode), the bare machine
  // running through each stretch of supervisor code in one go, and at the end. (A monitor that
  // interprets instead, like hybrid.s, can name its interpreter's boundary `vm_fetch` and be
  // compared at every guest instruction: Stack::guest_boundary.)
  const bool supervisor_hidden = vmm && supervisor_not_in_place(*vmm);
  bool interrupt = false;
  auto bare_through_supervisor = [&] {
    if (!supervisor_hidden) return;
    while (!b.ended(max_cycles) && b.m().mode() == 0) {
      interrupt = b.stack.step().interrupt || interrupt;
      ++b.steps;
      ++res.lockstep_instructions;
    }
  };

  // Boot the VMMs: run until the guest's first instruction is about to execute.
  for (Side* s : {&b, &v})
    if (!s->ended(max_cycles)) s->stack.run_to_guest_boundary(max_cycles);
  if (reference_depth == 0) bare_through_supervisor();

  auto finish = [&](EquivalenceResult::Verdict verdict) {
    b.m().set_store_log(nullptr);
    v.m().set_store_log(nullptr);
    res.verdict = verdict;
    res.bare = bare_stack.guest_state();
    res.virtualized = virt_stack.guest_state();
    if (verdict == EquivalenceResult::Verdict::Diverged || verdict == EquivalenceResult::Verdict::Equivalent) {
      // At a boundary while the guest runs: its live registers and pc, as compared.
      registers_and_psw(read_b, res.bare);
      registers_and_psw(read_v, res.virtualized);
    }
    // Equivalent: equal at every boundary compared (a run may have stopped inside a VMM since).
    if (verdict != EquivalenceResult::Verdict::Equivalent)
      res.differs = guest_state_differences(res.bare, res.virtualized, *isa, res.first_word);
    res.bare_stop = b.m().stop_reason();
    res.virtualized_stop = v.m().stop_reason();
    res.bare_livelock = bare_stack.livelock();
    res.virtualized_livelock = virt_stack.livelock();
    if (res.bare_livelock || res.virtualized_livelock) {
      // A run that stopped at a timer livelock has no final state to compare: not equivalent.
      res.verdict = EquivalenceResult::Verdict::Livelock;
      if (res.differs.empty()) res.differs = guest_state_differences(res.bare, res.virtualized, *isa, res.first_word);
    }
    res.bare_cycles = b.m().cycles();
    res.virtualized_cycles = v.m().cycles();
    return res;
  };

  // The first comparison is of everything (the VMMs' boot may have written the guest's
  // storage); after it, of the words either machine wrote since the last boundary.
  bool full = true;
  Visible vis_b, vis_v;
  std::size_t console_compared = 0;
  auto differs = [&] {
    read_b.read(vis_b);
    read_v.read(vis_v);
    if (!(vis_b == vis_v)) return true;
    const std::string &cb = b.m().console_output(), &cv = v.m().console_output();
    if (cb.size() != cv.size()) return true;
    if (console_compared > cb.size()) console_compared = 0;  // an undone output: look again
    if (cb.compare(console_compared, std::string::npos, cv, console_compared, std::string::npos) != 0) return true;
    console_compared = cb.size();
    // Read-only (the writable storage() would make the fast engine predecode everything again).
    const auto& Eb = std::as_const(b.m()).storage();
    const auto& Ev = std::as_const(v.m()).storage();
    if (full) {
      full = false;
      for (isa::Word a = 0; a < words; ++a)
        if (Eb[b.origin + a] != Ev[v.origin + a]) return true;
      b.m().set_store_log(&b.log);
      v.m().set_store_log(&v.log);
      return false;
    }
    bool diff = false;
    for (isa::Word r : b.log)
      if (r >= b.origin && r - b.origin < words && Eb[r] != Ev[v.origin + (r - b.origin)]) diff = true;
    for (isa::Word r : v.log)
      if (r >= v.origin && r - v.origin < words && Eb[b.origin + (r - v.origin)] != Ev[r]) diff = true;
    b.log.clear();
    v.log.clear();
    return diff;
  };

  while (true) {
    if (differs()) {
      if (interrupt) {
        // P&G leave time out of equivalence: under a VMM the timer falls due after fewer guest
        // instructions, so lockstep ends at an interrupt the two runs took at different
        // instructions. What remains comparable is where they end: finish both and compare.
        res.lockstep_instructions--;
        b.m().set_store_log(nullptr);
        v.m().set_store_log(nullptr);
        std::vector<LevelStats> stats;
        bare_stack.run(max_cycles, stats);
        virt_stack.run(max_cycles, stats);
        finish(EquivalenceResult::Verdict::TimerThenEqual);
        if (!res.differs.empty() && res.verdict == EquivalenceResult::Verdict::TimerThenEqual)
          res.verdict = EquivalenceResult::Verdict::TimerThenDifferent;
        return res;
      }
      return finish(EquivalenceResult::Verdict::Diverged);
    }
    if (b.ended(max_cycles) || v.ended(max_cycles)) break;
    res.last_pc = b.m().base() + b.m().pc() - b.origin;
    res.last_mode = vis_b.npsw ? vis_b.psw[0] : 0;  // the guest's mode, as compared at this boundary
    if (reference_depth == 0) {
      interrupt = bare_stack.step().interrupt;
      ++b.steps;
      bare_through_supervisor();
    } else {
      interrupt = guest_step(b, max_cycles);
    }
    interrupt = guest_step(v, max_cycles) || interrupt;
    ++res.lockstep_instructions;
    // The virtualized run stopped inside a VMM (its budget, or a trap storm): there is no
    // guest boundary to compare at; lockstep ends with what was compared so far.
    if (!v.m().halted() && v.ended(max_cycles) && virt_stack.guest_boundary() == Stack::GuestBoundary::None) {
      res.lockstep_instructions--;
      break;
    }
  }
  return finish(EquivalenceResult::Verdict::Equivalent);
}

}  // namespace pgsim::vmm
