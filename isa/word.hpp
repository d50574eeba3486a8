#pragma once
// The machine word: one type for every value that is a word of some ISA (storage E, registers,
// PSW words, control registers, P, R's base and bound, trap cause and info, instruction words,
// immediates and the semantics' evaluation stack).
#include <cstdint>

namespace pgsim::isa {

/// A machine word, unsigned: an ISA declares `word N;` with 8 <= N <= kMaxWordBits, and every
/// value the machine holds is kept masked to its low N bits (IsaModel::word_mask). Arithmetic is
/// carried out in 64 bits and masked, so it wraps modulo 2^N (two's complement) for every N.
using Word = std::uint64_t;
/// A machine word read as a two's-complement signed number (after sign extension from N bits).
using SWord = std::int64_t;

/// Fewest bits a word may have (`word N;`).
inline constexpr unsigned kMinWordBits = 8;
/// Most bits a word may have (`word N;`): the width of isa::Word.
inline constexpr unsigned kMaxWordBits = 64;

}  // namespace pgsim::isa
