#include "analysis/prover.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "analysis/smt_semantics.hpp"

namespace pgsim::analysis {
namespace {

using Snap = machine::Machine::Snapshot;
using Clock = std::chrono::steady_clock;

/// A question was not answered: which one and why (ends the instruction's proof).
struct Undecided {
  std::string reason;
};

/// Z3 resource units the "does any state complete" question may use (see Impl::answer): a
/// CSR-number class that always traps answers it in about 25,000.
constexpr std::uint64_t kCompletionUnits = 100'000;

}  // namespace

struct Prover::Impl {
  std::shared_ptr<const isa::IsaModel> isa;
  ProverOptions o;
  z3::context ctx;

  Impl(std::shared_ptr<const isa::IsaModel> m, ProverOptions opt) : isa(std::move(m)), o(opt) {}

  /// Bits of the bit vectors the proofs compute in: 32 (values as the machine keeps them, masked
  /// to the word where the machine masks), or the word's bits when the word is wider.
  unsigned vw() const { return std::max(32u, isa->word_bits); }
  z3::expr bv(std::uint64_t v) { return ctx.bv_val(static_cast<std::uint64_t>(v), vw()); }

  /// The variables of one base state and the instruction word.
  struct Vars {
    z3::expr n, E, pc, base, bound, cycles, in_size, w;
    std::vector<z3::expr> regs, controls, in_words;
  };

  /// Everything one instruction's questions share.
  struct Job {
    const isa::Instruction* ins;
    Vars v;
    z3::expr space;  ///< the state space and the instruction word's constraints
    Clock::time_point deadline;
    std::uint64_t rlimit = 0;  ///< resource units left for its questions (0: no limit)
    bool limited = false;      ///< a resource limit applies
  };

  std::uint64_t used = 0;  ///< the context's resource units counted so far (Z3's "rlimit count")

  /// The solver's statistics "rlimit count": the context's resource units so far.
  std::uint64_t rlimit_count(const z3::solver& s) {
    z3::stats st = s.statistics();
    for (unsigned i = 0; i < st.size(); ++i)
      if (st.key(i) == "rlimit count")
        return st.is_uint(i) ? st.uint_value(i) : static_cast<std::uint64_t>(st.double_value(i));
    return used;
  }

  isa::Word M() const { return isa->word_mask(); }
  isa::Word max_memory() const {
    std::uint64_t m = std::max<std::uint64_t>(isa->memory_words, o.witness_memory);
    return static_cast<isa::Word>(std::clamp<std::uint64_t>(m, 32, std::uint64_t{1} << 26));
  }
  z3::expr to_word(const z3::expr& x) { return isa->word_bits >= vw() ? x : x.extract(isa->word_bits - 1, 0); }

  Vars make_vars(const isa::Instruction& ins, const std::string& tag) {
    unsigned wb = isa->word_bits;
    auto var = [&](const std::string& name) { return ctx.bv_const((tag + name).c_str(), vw()); };
    Vars v{var("n"),
           ctx.constant((tag + "E").c_str(), ctx.array_sort(ctx.bv_sort(vw()), ctx.bv_sort(wb))),
           var("pc"), var("base"), var("bound"), var("cycles"), var("in_size"), var("w"), {}, {}, {}};
    for (std::size_t r = 0; r < isa->registers.size(); ++r) v.regs.push_back(var(fmt::format("r{}", r)));
    for (std::size_t c = 0; c < isa->controls.size(); ++c) v.controls.push_back(var("ctl_" + isa->controls[c].name));
    for (unsigned i = 0; i < console_reads(ins); ++i) v.in_words.push_back(var(fmt::format("in{}", i)));
    return v;
  }

  /// The state space (see prover.hpp) and the instruction word's constraints.
  z3::expr space(const isa::Instruction& ins, const Vars& v, isa::Word sel_mask,
                 const std::vector<isa::Word>* sel_values) {
    const z3::expr Mv = bv(M());
    z3::expr c = z3::uge(v.n, bv(32)) && z3::ule(v.n, bv(max_memory()));
    c = c && (v.w & bv(ins.mask)) == bv(ins.match) && z3::ule(v.w, Mv);
    const auto& f = isa->formats[static_cast<std::size_t>(ins.format)];
    for (const auto& fl : f.fields)
      if (fl.kind == isa::FieldKind::Register)
        c = c && z3::ult(z3::lshr(v.w, bv(fl.shift)) & bv(isa::low_bits(fl.width)),
                         bv(static_cast<isa::Word>(isa->registers.size())));
    if (sel_values) {
      // The values as runs of consecutive selector values (a class of CSR numbers is thousands
      // of values in a few runs): one range test per run instead of one equation per value.
      // Values are the selector bits in place, so the next value after x is
      // ((x | ~mask) + 1) & mask, and a run [lo, hi] is exactly lo <= (w & mask) <= hi.
      std::vector<isa::Word> vals(sel_values->begin(), sel_values->end());
      std::sort(vals.begin(), vals.end());
      vals.erase(std::unique(vals.begin(), vals.end()), vals.end());
      const z3::expr sel = v.w & bv(sel_mask);
      z3::expr any = ctx.bool_val(false);
      for (std::size_t i = 0; i < vals.size();) {
        std::size_t k = i;
        while (k + 1 < vals.size() && vals[k + 1] == (((vals[k] | ~sel_mask) + 1u) & sel_mask)) ++k;
        any = any || (i == k ? sel == bv(vals[i]) : z3::uge(sel, bv(vals[i])) && z3::ule(sel, bv(vals[k])));
        i = k + 1;
      }
      c = c && any;
    }
    c = c && z3::ule(v.base, Mv) && z3::ule(v.bound, Mv) && z3::ult(v.pc, v.bound);
    c = c && z3::ult(z3::zext(v.base, 1) + z3::zext(v.pc, 1), z3::zext(v.n, 1));
    c = c && z3::select(v.E, v.base + v.pc) == to_word(v.w);
    for (std::size_t r = 0; r < v.regs.size(); ++r)
      c = c && (static_cast<int>(r) == isa->zero_register ? v.regs[r] == bv(0) : z3::ule(v.regs[r], Mv));
    for (std::size_t i = 0; i < v.controls.size(); ++i) c = c && z3::ule(v.controls[i], bv(isa->controls[i].mask()));
    c = c && z3::ule(v.in_size, bv(v.in_words.size()));
    return c;
  }

  SymState state(const Vars& v, const z3::expr& mode) {
    z3::expr E = v.E, base = v.base;
    return SymState{v.n,           [E](const z3::expr& i) { return z3::select(E, i); },
                    [E, base](const z3::expr& a) { return z3::select(E, base + a); },
                    mode,          v.pc, v.base, v.bound, v.regs, v.controls, v.cycles, v.in_size, v.in_words};
  }

  SymRun run(const Job& j, const SymState& s) { return execute(ctx, *isa, *j.ins, s, j.v.w); }

  z3::expr is_cause(const z3::expr& cause, int role) {
    return role < 0 ? ctx.bool_val(false) : cause == bv(static_cast<isa::Word>(role));
  }
  z3::expr memory_trap(const SymRun& r) { return r.trapped && is_cause(r.cause, isa->causes.memory); }

  /// Builds a disjunction, leaving out the terms that are the constant false: a question whose
  /// every term is left out is answered "no" without the solver (see trivially_false()).
  struct AnyOf {
    z3::context& ctx;
    std::vector<z3::expr> terms;
    void add(const z3::expr& e) {
      if (!e.is_false()) terms.push_back(e);
    }
    /// a != b, or false when a and b are the same term (the runs computed it alike: Z3 shares
    /// equal terms, so one term is one value whatever the state).
    void differs(const z3::expr& a, const z3::expr& b) {
      if (!z3::eq(a, b)) terms.push_back(a != b);
    }
    z3::expr any() const {
      if (terms.empty()) return ctx.bool_val(false);
      z3::expr d = terms[0];
      for (std::size_t i = 1; i < terms.size(); ++i) d = d || terms[i];
      return d;
    }
  };

  /// The results of two completed runs differ (vmm/classifier.cpp differences()): B's storage
  /// and base are A's moved by `shift`; storage is compared over A's region of `region` words.
  /// Components the two runs computed as the same term are left out; false when all are.
  z3::expr differ(const SymRun& a, const SymRun& b, const z3::expr& n, const z3::expr& shift, const z3::expr& region,
                  bool ignore_mode, const std::string& tag) {
    AnyOf d{ctx, {}};
    for (std::size_t r = 0; r < a.regs.size(); ++r) d.differs(a.regs[r], b.regs[r]);
    d.differs(a.pc, b.pc);
    if (!ignore_mode) d.differs(a.mode, b.mode);
    d.differs(a.base + shift, b.base);
    d.differs(a.bound, b.bound);
    for (std::size_t c = 0; c < a.controls.size(); ++c) d.differs(a.controls[c], b.controls[c]);
    d.differs(a.timer, b.timer);
    d.differs(a.halted, b.halted);
    d.differs(a.in_pos, b.in_pos);
    d.differs(a.out_len, b.out_len);
    for (std::size_t i = 0; i < a.out.size(); ++i)
      if (!z3::eq(a.out[i], b.out[i])) d.add(z3::ult(bv(i), a.out_len) && a.out[i] != b.out[i]);
    // Some word of the region, inside both machines, differs.
    z3::expr x = ctx.bv_const((tag + "region_word").c_str(), vw());
    // When neither run changed its base, the region is read by virtual address (no arithmetic
    // relating the relocated addresses for the solver to undo); else by real address.
    bool kept = z3::eq(a.base, a.initial_base) && z3::eq(b.base, b.initial_base);
    z3::expr wa = kept ? a.read_virtual(x) : a.read(a.base + x);
    z3::expr wb = kept ? b.read_virtual(x) : b.read(a.base + x + shift);
    if (!z3::eq(wa, wb)) {
      z3::expr ra = z3::zext(a.base, 2) + z3::zext(x, 2), rb = ra + z3::zext(shift, 2);
      z3::expr in = z3::ult(x, region) && z3::ult(ra, z3::zext(n, 2)) && z3::ult(rb, z3::zext(n, 2));
      d.add(in && wa != wb);
    }
    return d.any();
  }

  /// The run changed control state (vmm/classifier.cpp control_changes()); false when the run
  /// left every control component as the same term.
  z3::expr control_change(const SymState& s, const SymRun& r) {
    AnyOf d{ctx, {}};
    d.differs(s.mode, r.mode);
    d.differs(s.base, r.base);
    d.differs(s.bound, r.bound);
    for (std::size_t c = 0; c < s.controls.size(); ++c) d.differs(s.controls[c], r.controls[c]);
    for (const auto* e : {&r.timer, &r.out_len, &r.in_pos}) d.differs(*e, bv(0));
    if (!r.halted.is_false()) d.add(r.halted);
    return d.any();
  }

  /// `e` is false by its form alone: the constant false, a conjunction with a trivially false
  /// part, a disjunction of trivially false parts, or a != between one term and itself. (The
  /// questions are built from such parts: a run that does not read the cycle counter gives the
  /// same terms at both times, and the timing question is then "no" without the solver.)
  static bool trivially_false(const z3::expr& e) {
    if (e.is_false()) return true;
    if (!e.is_app()) return false;
    switch (e.decl().decl_kind()) {
      case Z3_OP_AND:
        for (unsigned i = 0; i < e.num_args(); ++i)
          if (trivially_false(e.arg(i))) return true;
        return false;
      case Z3_OP_OR:
        for (unsigned i = 0; i < e.num_args(); ++i)
          if (!trivially_false(e.arg(i))) return false;
        return true;
      case Z3_OP_DISTINCT: return e.num_args() == 2 && z3::eq(e.arg(0), e.arg(1));
      case Z3_OP_NOT: return e.arg(0).is_true();
      default: return false;
    }
  }

  /// Asks whether `q` (with the state space) has a model. Sat: the model, preferring a machine of
  /// o.witness_memory words. Unsat: nullopt. Unknown (time, resources): throws Undecided.
  std::optional<z3::model> ask(Job& j, const z3::expr& q, const char* what) { return ask(j, q, what, 0, nullptr); }

  /// As above; with `cap` (not 0) at most that many resource units, and with `gave_up` (not
  /// null) an unanswered question sets it and returns nullopt instead of throwing.
  std::optional<z3::model> ask(Job& j, const z3::expr& q, const char* what, std::uint64_t cap, bool* gave_up) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(j.deadline - Clock::now()).count();
    if (left <= 0) throw Undecided{fmt::format("the time limit ran out before the {} question", what)};
    if (trivially_false(q)) {
      if (std::getenv("PGSIM_PROVE_DEBUG")) std::fprintf(stderr, "%s %s: no by its form\n", j.ins->mnemonic.c_str(), what);
      return std::nullopt;
    }
    if (j.limited && j.rlimit == 0)
      throw Undecided{fmt::format("the resource limit ran out before the {} question", what)};
    // The solver for quantifier-free arrays and bit vectors: on these formulas several times
    // faster than the default (incremental) solver.
    z3::solver s(ctx, "QF_AUFBV");
    z3::params p(ctx);
    p.set("timeout", static_cast<unsigned>(left));
    std::uint64_t units = j.limited ? j.rlimit : 0xffffffffu;
    if (cap) units = std::min(units, cap);
    if (j.limited || cap) p.set("rlimit", static_cast<unsigned>(std::min<std::uint64_t>(units, 0xffffffffu)));
    s.set(p);
    s.add(j.space);
    s.add(q);
    auto t0 = Clock::now();
    auto res = s.check();
    // What this question cost, in resource units (the counter is the context's, cumulative).
    auto charge = [&] {
      std::uint64_t now = std::max(rlimit_count(s), used), cost = now - used;
      used = now;
      j.rlimit = cost >= j.rlimit ? 0 : j.rlimit - cost;
      return cost;
    };
    std::uint64_t cost = charge();
    if (std::getenv("PGSIM_PROVE_DEBUG"))  // each question's answer, solver time and resource units, on stderr
      std::fprintf(stderr, "%s %s: %s %lld us %llu units\n", j.ins->mnemonic.c_str(), what,
                   res == z3::sat ? "sat" : res == z3::unsat ? "unsat" : "unknown",
                   static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count()),
                   static_cast<unsigned long long>(cost));
    switch (res) {
      case z3::unsat: return std::nullopt;
      case z3::unknown: {
        if (gave_up && !(j.limited && j.rlimit == 0)) {
          *gave_up = true;
          return std::nullopt;
        }
        std::string why = s.reason_unknown();
        if (why.find("resource") != std::string::npos || (j.limited && j.rlimit == 0))
          throw Undecided{fmt::format("the {} question was not answered within the resource limit", what)};
        throw Undecided{fmt::format("the {} question was not answered in time ({})", what, why)};
      }
      case z3::sat: break;
    }
    z3::model m = s.get_model();
    // A witness that fits the test machine runs there; ask for that size only when it does not.
    std::uint64_t n = 0;
    if (m.eval(j.v.n, true).is_numeral_u64(n) && n == o.witness_memory) return m;
    z3::expr_vector small(ctx);
    small.push_back(j.v.n == bv(o.witness_memory));
    auto again = s.check(small);
    charge();
    if (again == z3::sat) return s.get_model();
    return m;
  }

  std::uint64_t value(const z3::model& m, const z3::expr& e) {
    z3::expr v = m.eval(e, true);
    std::uint64_t x = 0;
    if (!v.is_numeral_u64(x)) throw Undecided{"the solver's model has no value for " + e.to_string()};
    return x;
  }

  /// Fills `E` (n words) from the model's value of the array `arr`.
  void fill_array(const z3::model& m, const z3::expr& arr, std::vector<isa::Word>& E) {
    if (arr.is_app()) {
      switch (arr.decl().decl_kind()) {
        case Z3_OP_STORE: {
          fill_array(m, arr.arg(0), E);
          std::uint64_t i = 0, x = 0;
          if (arr.arg(1).is_numeral_u64(i) && arr.arg(2).is_numeral_u64(x)) {
            if (i < E.size()) E[i] = static_cast<isa::Word>(x);
            return;
          }
          break;
        }
        case Z3_OP_CONST_ARRAY: {
          std::uint64_t x = 0;
          if (arr.arg(0).is_numeral_u64(x)) {
            std::fill(E.begin(), E.end(), static_cast<isa::Word>(x));
            return;
          }
          break;
        }
        case Z3_OP_AS_ARRAY: {
          z3::func_decl f(ctx, Z3_get_as_array_func_decl(ctx, arr));
          z3::func_interp fi = m.get_func_interp(f);
          std::uint64_t x = 0;
          if (fi.else_value().is_numeral_u64(x)) std::fill(E.begin(), E.end(), static_cast<isa::Word>(x));
          for (unsigned k = 0; k < fi.num_entries(); ++k) {
            std::uint64_t i = 0;
            if (fi.entry(k).arg(0).is_numeral_u64(i) && fi.entry(k).value().is_numeral_u64(x) && i < E.size())
              E[i] = static_cast<isa::Word>(x);
          }
          return;
        }
        default: break;
      }
    }
    for (std::size_t i = 0; i < E.size(); ++i)  // any other form: word by word
      E[i] = static_cast<isa::Word>(value(m, z3::select(arr, bv(i))));
  }

  /// The concrete base state of a model, in mode `mode`.
  Snap snapshot(const z3::model& m, const Vars& v, isa::Word mode) {
    Snap s;
    std::uint64_t n = value(m, v.n);
    s.E.assign(n, 0);
    fill_array(m, m.eval(v.E, true), s.E);
    for (std::size_t r = 0; r < v.regs.size(); ++r) s.regs[r] = static_cast<isa::Word>(value(m, v.regs[r]));
    for (const auto& c : v.controls) s.controls.push_back(static_cast<isa::Word>(value(m, c)));
    s.mode = mode;
    s.pc = static_cast<isa::Word>(value(m, v.pc));
    s.base = static_cast<isa::Word>(value(m, v.base));
    s.bound = static_cast<isa::Word>(value(m, v.bound));
    s.cycles = value(m, v.cycles);
    std::uint64_t k = value(m, v.in_size);
    for (std::uint64_t i = 0; i < k && i < v.in_words.size(); ++i)
      s.in.push_back(static_cast<isa::Word>(value(m, v.in_words[i])));
    return s;
  }

  InstructionProof prove(const isa::Instruction& ins, isa::Word sel_mask, const std::vector<isa::Word>* sel,
                         const Known& known, unsigned budget_ms, std::uint64_t rlimit) {
    InstructionProof pr;
    const std::uint64_t used_before = used;
    struct Report {  // with PGSIM_PROVE_DEBUG: each proof's resource units and outcome, on stderr
      const InstructionProof& pr;
      const isa::Instruction& ins;
      const std::uint64_t& used;
      std::uint64_t before;
      std::size_t values;
      ~Report() {
        if (std::getenv("PGSIM_PROVE_DEBUG"))
          std::fprintf(stderr, "proof of %s (%zu selector values): %s, %llu units\n", ins.mnemonic.c_str(), values,
                       pr.decided ? "decided" : "not decided", static_cast<unsigned long long>(used - before));
      }
    } report{pr, ins, used, used_before, sel ? sel->size() : 0};
    try {
      Vars v = make_vars(ins, "");
      {
        // The bits every instruction word of the proof has (the opcode's, and a single selector
        // value's) are constants in the word itself, so that the solver's simplifier folds the
        // fields the semantics test against them (a CSR number compared with each CSR's).
        isa::Word fixed = sel ? ins.mask : 0, val = sel ? ins.match : 0;
        z3::expr chosen = bv(0);
        if (sel && !sel->empty() && sel->size() <= 64) {
          fixed |= sel_mask;
          z3::expr idx = ctx.bv_const("selector_index", vw());
          chosen = bv(sel->back() & sel_mask);
          for (std::size_t i = sel->size() - 1; i-- > 0;)
            chosen = z3::ite(idx == bv(i), bv((*sel)[i] & sel_mask), chosen);
        }
        if (fixed) v.w = (v.w & bv(~fixed & M())) | bv(val & M()) | chosen;
      }
      Job j{&ins, v, space(ins, v, sel_mask, sel), Clock::now() + std::chrono::milliseconds(budget_ms), rlimit,
            rlimit != 0};
      answer(j, pr, known);
      pr.decided = true;
    } catch (const Undecided& u) {
      pr.reason = u.reason;
    } catch (const Unsupported& u) {
      pr.reason = fmt::format("its semantics use {}, which the prover does not translate", u.what());
    } catch (const z3::exception& e) {
      pr.reason = fmt::format("the solver failed: {}", e.msg());
    }
    return pr;
  }

  void answer(Job& j, InstructionProof& pr, const Known& k) {
    std::vector<std::size_t> owned;
    for (std::size_t reg = 0; reg < isa->controls.size(); ++reg)
      if (isa->controls[reg].owned) owned.push_back(reg);
    const Vars& v = j.v;
    // Levels (isa/model.hpp): 0 is the most privileged; a guest's kernel runs at g; "user" in
    // P&G's sense is every level from g on (vmm/classifier_sampling.cpp reads them the same way).
    const isa::Word N = static_cast<isa::Word>(isa->levels.size());
    const isa::Word g = std::min<isa::Word>(isa->guest_kernel, N - 1);
    auto priv_trap = [&](const SymRun& r) {
      return r.trapped && !memory_trap(r) && is_cause(r.cause, isa->causes.privileged);
    };
    // A state at level `mode`, with the owned registers at the values a VMM keeps while a guest
    // runs (`owned guest = V`) when `guest_values`.
    auto at = [&](const z3::expr& mode, bool guest_values) {
      SymState s = state(v, mode);
      if (guest_values)
        for (std::size_t i = 0; i < isa->controls.size(); ++i)
          if (isa->controls[i].has_guest_value) s.controls[i] = bv(isa->controls[i].guest_value);
      return s;
    };
    auto snap = [&](const z3::model& m, const z3::expr& mode, bool guest_values) {
      Snap s = snapshot(m, v, static_cast<isa::Word>(value(m, mode)));
      if (guest_values)
        for (std::size_t i = 0; i < isa->controls.size(); ++i)
          if (isa->controls[i].has_guest_value) s.controls[i] = isa->controls[i].guest_value;
      return s;
    };
    const z3::expr zero = bv(0), gk = bv(g);
    z3::expr lv = ctx.bv_const("level", vw());
    z3::expr guest_level = z3::uge(lv, gk) && z3::ult(lv, bv(N));
    z3::expr kernel_level = z3::ult(lv, gk);
    SymState s0 = at(zero, false);
    SymRun r0 = run(j, s0);

    // Privileged (the literature's reading): it traps at every level a guest runs at.
    SymRun rg = run(j, at(lv, true));
    auto guest_pair = [&](const z3::model& m) {
      return ProvedWitness{snap(m, lv, true), snap(m, zero, false), 0};
    };
    bool completes = k.completes;  // a state on which it completes is known
    if (k.not_privileged) {
      pr.privileged = false;
    } else if (auto m = ask(j, guest_level && !memory_trap(rg) && !priv_trap(rg), "privileged")) {
      pr.privileged = false;
      pr.not_privileged = guest_pair(*m);
      completes = completes || m->eval(rg.trapped, true).is_false();
    } else {
      pr.privileged =
          k.user_state || ask(j, guest_level && !memory_trap(rg), "privileged (some state without a memory trap)").has_value();
    }
    // Privileged, P&G's strict reading: and it never traps at level 0.
    z3::expr both = guest_level && !memory_trap(rg) && !memory_trap(r0);
    if (k.not_strict) {
      pr.strictly_privileged = false;
    } else if (auto m = ask(j, both && !(rg.trapped && !r0.trapped), "strictly privileged")) {
      pr.strictly_privileged = false;
      pr.not_strictly_privileged = guest_pair(*m);
    } else {
      pr.strictly_privileged = k.strict_pair || ask(j, both, "strictly privileged (some pair without memory traps)").has_value();
    }
    // Every sensitivity below needs a run that completes (from a state at some level, the
    // controls free): when the tests saw none, ask once whether any state completes. Where none
    // does (a CSR number that no hart implements traps at every level), all are answered "no".
    SymState sl = at(lv, false);
    SymRun rl = run(j, sl);
    const z3::expr any_level = z3::ult(lv, bv(N));
    const bool some_known = completes || k.control || k.control_user || k.mode || k.trap_mode || k.location ||
                            k.location_user || k.owned || k.owned_user || k.timing;
    if (!some_known) {
      // (Capped: an instruction that completes only on rare states, x86 far RET, can cost more
      // to show it than the question saves; unanswered, the questions below are asked anyway.)
      bool gave_up = false;
      auto m = ask(j, any_level && !rl.trapped, "completion", kCompletionUnits, &gave_up);
      if (!m && !gave_up) return;
    }
    // Mode sensitivity between a level the guest's kernel believes it has (below g) and g.
    if (g > 0) {
      const SymRun& rv = rl;  // the run from the same state (at(lv, false)), executed above
      SymRun rk = run(j, at(gk, false));
      auto kernel_pair = [&](const z3::model& m) { return ProvedWitness{snap(m, lv, false), snap(m, gk, false), 0}; };
      if (k.trap_mode) {
        pr.trap_mode.holds = true;
      } else if (auto m = ask(j, kernel_level && !memory_trap(rv) && !memory_trap(rk) && rv.trapped != rk.trapped &&
                                     !priv_trap(rk),
                              "mode (trap)")) {
        pr.trap_mode = {true, false, kernel_pair(*m)};
      }
      if (k.mode) {
        pr.mode.holds = true;
      } else if (auto m = ask(j, kernel_level && !rv.trapped && !rk.trapped &&
                                     differ(rv, rk, v.n, zero, v.bound, true, "mode_"),
                              "mode")) {
        pr.mode = {true, false, kernel_pair(*m)};
      }
    }
    // Control, location and owned-state sensitivity. One question over every level first: most
    // instructions have no witness at all, and one proof covers both readings. When its witness
    // starts below g, a second question asks for one from a guest level (user sensitive: Theorem 3).
    auto readings = [&](bool known_user, bool known_any, const z3::expr& q, const std::string& what,
                        auto make) -> ProvedProperty {
      if (known_user) return {true, true, std::nullopt};
      std::optional<z3::model> m;
      if (!known_any) {
        m = ask(j, any_level && q, what.c_str());
        if (!m) return {};
        if (value(*m, lv) >= g) return {true, true, make(*m)};
      }
      if (auto mu = ask(j, guest_level && q, (what + " (from a guest level)").c_str())) return {true, true, make(*mu)};
      if (!m) return {true, false, std::nullopt};
      return {true, false, make(*m)};
    };
    pr.control = readings(k.control_user, k.control, !rl.trapped && control_change(sl, rl), "control",
                          [&](const z3::model& m) { return ProvedWitness{snap(m, lv, false), std::nullopt, 0}; });
    z3::expr x = ctx.bv_const("shift", vw());
    {
      SymState moved = sl;
      z3::expr E = v.E, nb = v.base + x, bound = v.bound, xx = x, ob = v.base;
      moved.base = nb;
      moved.storage = [E, nb, bound, xx](const z3::expr& i) {
        return z3::ite(z3::uge(i, nb) && z3::ult(i, nb + bound), z3::select(E, i - xx), z3::select(E, i));
      };
      moved.virtual_storage = [E, ob](const z3::expr& a) { return z3::select(E, ob + a); };
      SymRun rb = run(j, moved);
      z3::expr fits = z3::uge(x, bv(1)) &&
                      z3::ule(z3::zext(v.base, 2) + z3::zext(v.bound, 2) + z3::zext(x, 2), z3::zext(v.n, 2));
      z3::expr q = fits && !rl.trapped && !rb.trapped && differ(rl, rb, v.n, x, v.bound, false, "loc_");
      pr.location = readings(k.location_user, k.location, q, "location", [&](const z3::model& m) {
        ProvedWitness w;
        w.a = snap(m, lv, false);
        w.shift = static_cast<isa::Word>(value(m, x));
        Snap t = w.a;
        t.base = w.a.base + w.shift;
        for (isa::Word a = 0; a < w.a.bound; ++a) t.E[t.base + a] = w.a.E[w.a.base + a];
        w.b = std::move(t);
        return w;
      });
    }
    // Owned state: every owned register in one question (another value of any one of them).
    {
      std::vector<std::size_t> regs;
      std::vector<z3::expr> other_value, differs;
      for (std::size_t reg = 0; reg < isa->controls.size(); ++reg) {
        if (!isa->controls[reg].owned) continue;
        SymState other = sl;
        z3::expr c2 = ctx.bv_const(("owned_" + isa->controls[reg].name).c_str(), vw());
        other.controls[reg] = c2;
        SymRun rb = run(j, other);
        // The register itself counts only when one of the runs wrote it (neither did when both
        // left it as the term it started as).
        SymRun rb2 = rb;
        if (z3::eq(rl.controls[reg], sl.controls[reg]) && z3::eq(rb.controls[reg], c2)) {
          rb2.controls[reg] = rl.controls[reg];
        } else {
          z3::expr written = rl.controls[reg] != sl.controls[reg] || rb.controls[reg] != c2;
          rb2.controls[reg] = z3::ite(written, rb.controls[reg], rl.controls[reg]);
        }
        z3::expr d = differ(rl, rb2, v.n, zero, v.bound, false, "own_");
        if (d.is_false()) continue;  // the semantics never read it: no other value can show
        regs.push_back(reg);
        other_value.push_back(c2);
        differs.push_back(c2 != sl.controls[reg] && z3::ule(c2, bv(isa->controls[reg].mask())) && !rl.trapped &&
                          !rb.trapped && d);
      }
      if (!owned.empty()) {
        AnyOf any{ctx, {}};
        for (const auto& d : differs) any.add(d);
        pr.owned = readings(k.owned_user, k.owned, any.any(), "owned", [&](const z3::model& m) {
          ProvedWitness w;
          w.a = snap(m, lv, false);
          w.b = w.a;
          for (std::size_t i = 0; i < regs.size(); ++i)
            if (m.eval(differs[i], true).is_true()) {
              w.b->controls[regs[i]] = static_cast<isa::Word>(value(m, other_value[i]));
              break;
            }
          return w;
        });
      }
    }
    // Timing source: the same level-0 state at another time.
    if (k.timing) {
      pr.timing.holds = true;
    } else {
      SymState later = s0;
      z3::expr c2 = ctx.bv_const("later_cycles", vw());
      later.cycles = c2;
      SymRun rt = run(j, later);
      z3::expr q = c2 != v.cycles && !r0.trapped && !rt.trapped && differ(r0, rt, v.n, zero, v.bound, false, "time_");
      if (auto m = ask(j, q, "timing")) {
        ProvedWitness w;
        w.a = snapshot(*m, v, 0);
        w.b = w.a;
        w.b->cycles = value(*m, c2);
        pr.timing = {true, false, std::move(w)};
      }
    }
  }
};

Prover::Prover(std::shared_ptr<const isa::IsaModel> isa, ProverOptions options)
    : impl_(std::make_unique<Impl>(std::move(isa), options)) {}
Prover::~Prover() = default;

InstructionProof Prover::prove(const isa::Instruction& ins, isa::Word selector_mask,
                               const std::vector<isa::Word>* selector_values, const Known& known,
                               unsigned time_ms, std::uint64_t rlimit) {
  unsigned budget = impl_->o.instruction_ms;
  if (time_ms) budget = std::min(budget, time_ms);
  std::uint64_t units = impl_->o.instruction_rlimit;
  if (rlimit) units = units ? std::min(units, rlimit) : rlimit;
  return impl_->prove(ins, selector_mask, selector_values, known, budget, units);
}

std::uint64_t Prover::resources_used() const { return impl_->used; }

}  // namespace pgsim::analysis
