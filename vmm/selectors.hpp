#pragma once
// Selector fields: small immediate fields whose *value* selects what an instruction does (a CSR
// number, a sub-function), found in the compiled semantics, with their values partitioned into
// classes that the semantics cannot tell apart. The classifier tests each class on its own and
// reports one row per group of classes that classify alike (`csrrw[csr=0x180]`).
#include <cstdint>
#include <string>
#include <vector>

#include "isa/model.hpp"

namespace pgsim::vmm {

/// Most bits of selector fields enumerated together (2^12 = 4096 value combinations).
inline constexpr unsigned kMaxSelectorBits = 12;

/// The selector fields of one instruction and the classes of their values.
struct SelectorPlan {
  std::vector<const isa::Field*> fields;  ///< the selector fields (immediates), format order
  /// Each class: the selector bits of its values, already placed at the fields' positions in
  /// the instruction word (OR them into a word that has zeros there). Values in one class give
  /// the same result for every condition of the semantics that depends only on the selectors.
  std::vector<std::vector<isa::Word>> classes;
  bool empty() const { return classes.size() < 2; }
};

/// Finds the selector fields of `ins` (of `isa`) and partitions their values.
///
/// A field is a selector when it is an immediate of at most kMaxSelectorBits bits and some
/// condition of the semantics (an `if`, an operand of `&&`/`||`), or one side of a comparison,
/// is computed from selector fields and constants only: `if (csr == 0x180)`,
/// `ltu(mode, (csr >> 8) & 3)`. Every combination of the selector fields' values (at most
/// 2^kMaxSelectorBits) is evaluated against those expressions; values with the same results
/// form a class. Expressions with more than 16 distinct values are not used (an operand used
/// as a number is not a selector), and at most 256 classes are kept. Returns an empty plan
/// (fewer than two classes) when the instruction has no selector. Never throws for a model
/// that the loader accepted.
SelectorPlan plan_selectors(const isa::IsaModel& isa, const isa::Instruction& ins);

/// Text for the selector values of a group of classes, as in `csr=0x180` or
/// `k=0..12,14,15` (hex with as many digits as the field for fields of 8 bits or more:
/// `csr=0x001`; long lists are cut with "... (N values)"). Several fields: up to three value
/// tuples (`c1=0,c3=1 | c1=2,c3=2`), else their names and the count (`c1,c3: 49 values`).
std::string selector_label(const SelectorPlan& plan, const std::vector<isa::Word>& values);

}  // namespace pgsim::vmm
