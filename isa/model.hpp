#pragma once
// The ISA model: what an ISA description file declares, in the form the machine executes
// and the assembler reads. Built by isa::load_isa() (isa/loader.hpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "isa/bytecode.hpp"
#include "isa/source.hpp"
#include "isa/word.hpp"

namespace pgsim::isa {

/// A mask of the low `width` bits of a word (all ones for 64 or more), without shifting by >= 64.
constexpr Word low_bits(unsigned width) {
  return width >= kMaxWordBits ? ~Word{0} : (Word{1} << width) - 1u;
}

/// Most cycles an instruction or the trap sequence may declare (the loader checks 1 to this),
/// so that a cost with the cycles the semantics add (saturated, see the machine) never wraps.
inline constexpr unsigned kMaxDeclaredCycles = 1'000'000;

/// Most privilege levels an ISA may declare (`levels a, b, ...;`): the mode field then has at
/// most 3 bits.
inline constexpr std::size_t kMaxLevels = 8;

/// Most levels of interpretive execution an ISA's assist may declare (`levels N`).
inline constexpr unsigned kMaxAssistLevels = 256;

/// Kinds of instruction-word fields.
enum class FieldKind : std::uint8_t {
  Opcode,    ///< the opcode (every format has exactly one, at the same bits)
  Register,  ///< a register number
  Signed,    ///< a signed immediate (sign-extended to the word)
  Unsigned,  ///< an unsigned immediate (zero-extended)
  Zero,      ///< must be zero (else the word does not decode: ILLEGAL)
};

/// One bit field of an instruction format.
struct Field {
  std::string name;    ///< e.g. "rd", "imm"; empty for Zero fields
  FieldKind kind{};
  unsigned shift = 0;  ///< position of the field's least significant bit
  unsigned width = 0;  ///< bits
  /// The field's raw bits taken out of an instruction word (the loader guarantees
  /// 1 <= width, shift + width <= the word's bits <= kMaxWordBits).
  Word extract(Word word) const { return (word >> shift) & low_bits(width); }
  /// The field's value as the semantics see it (sign-extended when Signed).
  Word value(Word word) const {
    Word v = extract(word);
    if (kind == FieldKind::Signed && width < kMaxWordBits) {
      Word sign = Word{1} << (width - 1);
      v = (v ^ sign) - sign;
    }
    return v;
  }
};

/// An instruction format: fields from the most significant bit down (P&G-era "format R/I").
struct Format {
  std::string name;
  std::vector<Field> fields;
  /// The field named `name`, or nullptr.
  const Field* find(const std::string& name) const;
};

/// One operand slot of an instruction's assembly syntax.
struct SyntaxOperand {
  int field = -1;         ///< index into the format's fields (the value or the register)
  int base_field = -1;    ///< for "imm(rs)": the register field in parentheses, else -1
  bool pc_relative = false;  ///< "@imm": the field holds target - (P + 1)
};

/// One instruction of the ISA.
struct Instruction {
  std::string mnemonic;             ///< lower case
  std::string syntax;               ///< operand syntax as declared, e.g. "rd, imm(rs)"
  std::vector<SyntaxOperand> operands;
  int format = -1;                  ///< index into IsaModel::formats
  Word opcode = 0;         ///< value of the opcode field
  Word mask = 0, match = 0;  ///< word decodes to this instruction iff (w & mask) == match
  unsigned cycles = 1;              ///< declared cost in cycles (semantics may add more)
  bool privileged = false;          ///< traps PRIV before any effect at a level less privileged than max_level
  /// The least privileged level that may execute it, as a level number (0 = the most
  /// privileged; `privileged ring1` gives 1, plain `privileged` 0). At a level whose number is
  /// greater (less privileged), it traps with the privileged cause before any effect (info =
  /// the word). All ones for an instruction that is not privileged.
  std::uint32_t max_level = 0xffffffffu;
  /// Its intercept control under interpretive execution (`intercept N` in the ISA file): the
  /// mask bit 1 << N of the state description's intercept word, or 0 when it has none. When the
  /// running guest's SD has this bit set, the instruction causes a VM exit (reason intercept,
  /// info = the word) before any effect instead of executing (docs/pg1-assist.md).
  std::uint32_t intercept = 0;
  int intercept_bit = -1;           ///< N, or -1
  Program semantics;                ///< compiled semantics
  std::size_t decl_offset = 0;      ///< where it was declared (for diagnostics)
  std::string decl_file;
};

/// True when `where` fixes the field `fl` of `ins`'s format (a sub-opcode): its value is part of
/// the instruction's encoding, not an operand.
inline bool fixed_by_where(const Instruction& ins, const Field& fl) {
  const Word fm = low_bits(fl.width) << fl.shift;
  return fl.kind != FieldKind::Zero && fl.kind != FieldKind::Opcode && (ins.mask & fm) == fm;
}

/// A pseudo-instruction: assembly-level alias expanding to one or more real instructions.
struct Pseudo {
  std::string mnemonic;                  ///< lower case
  std::vector<std::string> params;       ///< operand placeholder names, in order
  std::string syntax;                    ///< as declared, e.g. "rd, imm"
  std::vector<std::string> expansion;    ///< instruction texts with placeholders
};

/// A declared control register (besides mode and R, which every machine has).
struct ControlRegister {
  std::string name;
  unsigned width = 32;
  Word reset = 0;
  /// Declared `owned`: control state a VMM must keep for itself and give its guest another
  /// (virtual) value of, as it does for M and R (x86 GDTR, IDTR, CR0; RISC-V satp). An
  /// instruction whose result depends on it without a trap is behavior sensitive: a guest
  /// would see the VMM's value (Robin & Irvine 2000, "sensitive register" instructions).
  bool owned = false;
  /// Declared `owned guest = V`: while a guest runs, a VMM keeps the real register at V (x86:
  /// IOPL 0, so that CLI/STI trap in the guest; Robin & Irvine 2000). The classifier tests
  /// "privileged" (does it trap at every level a guest runs at?) with this value.
  bool has_guest_value = false;
  Word guest_value = 0;
  Word mask() const { return low_bits(width); }
};

/// What a word of the PSW holds.
enum class PswSlot : std::uint8_t { Mode, Pc, Base, Bound, Control };
struct PswWord {
  PswSlot slot{};
  int control = -1;  ///< index into control registers when slot == Control
};

/// Trap causes with a role the machine itself raises.
struct Causes {
  int privileged = -1;  ///< raised by a privileged instruction in user mode (info = word)
  int memory = -1;      ///< raised by an address outside R or E (info = address)
  int illegal = -1;     ///< raised by a word that decodes to no instruction (info = word)
  int timer = -1;       ///< raised by the interval timer (info = 0)
};

/// Interpretive execution, the ISA's hardware assist: what its `assist { ... }` block declares
/// (docs/isa-language.md, docs/pg1-assist.md). The machine runs a guest against a *state
/// description* (SD) in storage -- IBM's SIE (Osisek, Jackson & Gum, "ESA/390 interpretive-
/// execution architecture", IBM Systems Journal 30(1), 1991), Intel's VMCS (SDM Vol. 3C) -- and
/// composes nested levels in hardware (Goldberg, "Architecture of virtual machines", 1973).
/// Word offsets are relative to the SD's first word; cycles are machine cycles.
struct Assist {
  bool present = false;  ///< the ISA declares an assist block
  /// Word offsets of the SD's fields: the guest's PSW (as many words as the ISA's PSW), its
  /// registers (one word per register), its virtual CPU timer (cycles, 0 = off), its pending
  /// timer interrupt (0/1), its region of the host's storage (origin: a host real address;
  /// size: words = the guest's machine size), the intercept mask, the exit reason and info.
  std::uint32_t psw = 0, regs = 0, timer = 0, pending = 0, origin = 0, size = 0, intercepts = 0, reason = 0, info = 0;
  std::uint32_t words = 0;  ///< the SD's length in words (one past its last field)
  /// Exit reasons by role (the values VM exit writes into the SD's reason field).
  Word intercept = 1, validity = 2, nesting = 3, preempted = 4;
  std::vector<std::pair<std::string, Word>> reason_names;  ///< for messages
  unsigned exit_cycles = 10;      ///< cost of one VM exit, charged to the host
  unsigned interpret_cycles = 0;  ///< added to each privileged instruction the hardware interprets for a guest
  unsigned levels = 64;           ///< the hardware's nesting limit: most active levels of interpretive execution
  /// The name of an exit reason value ("EXIT_INTERCEPT"), or the number as text.
  std::string reason_name(Word reason) const {
    for (auto& [n, v] : reason_names)
      if (v == reason) return n;
    return std::to_string(reason);
  }
};

/// A trap-delivery block, `trap cycles = N { ... }` (docs/isa-language.md "Trap delivery"): the
/// statements that run in place of the PSW swap when a trap is taken, as x86 reads a gate from
/// the IDT (Intel SDM Vol. 3A 6.12), RISC-V writes sepc/scause/stval and jumps to stvec (Privileged
/// Architecture 20211203, 4.1) and ARM saves the CPSR in the SPSR and the return address in LR and
/// jumps to the vector table (ARM DDI 0406C, B1.8). The code reads `cause`, `info` and `epc` (the
/// saved P) and the machine's state as the block has left it so far (`mode` before any assignment
/// is the pre-trap mode); it writes the new P to `pc` (unassigned: the machine resumes at `epc`).
/// A fault inside the block is delivered once more through the block with that fault's cause and
/// info (a double fault); a fault while delivering that stops the machine (a triple fault).
struct TrapBlock {
  bool present = false;  ///< the ISA declares one (the PSW swap is not used then)
  Program code;          ///< compiled like an instruction's semantics, with the trap's values
  std::string file;      ///< where it was declared (for diagnostics)
  std::size_t offset = 0;
};

/// The whole ISA. Addresses are in words; cycles are machine cycles.
struct IsaModel {
  std::string name = "unnamed";
  std::string path;                    ///< file it was loaded from
  unsigned word_bits = 32;             ///< kMinWordBits..kMaxWordBits (8..64)
  std::uint32_t memory_words = 65536;  ///< default size of E
  std::vector<std::string> registers;  ///< general registers, by number
  int zero_register = -1;              ///< reads 0, ignores writes; -1 = none
  std::vector<ControlRegister> controls;
  std::vector<PswWord> psw;            ///< PSW layout, word by word
  /// The PSW swap's real low-storage addresses (meaningful only without a trap block).
  std::uint32_t trap_old_psw = 0, trap_cause = 5, trap_info = 6, trap_new_psw = 8;
  unsigned trap_cycles = 10;           ///< cost of the trap sequence (the PSW swap or the trap block)
  /// The ISA's own trap delivery, when it declares `trap { ... }`; else the PSW swap.
  TrapBlock trap_block;
  std::uint32_t reset_pc = 16;
  int timer_enable = -1;               ///< control register gating the timer interrupt (-1: always)
  Causes causes;
  /// Privilege levels by name, most privileged first (`levels ring0, ring1, ring2, ring3;`); the
  /// PSW's mode holds the level's number. P&G's two modes by default: supervisor (0), user (1).
  std::vector<std::string> levels{"supervisor", "user"};
  /// The level a VMM runs a guest's kernel at (`guest_kernel ring1;`: deprivileging, ring
  /// compression); by default 1, the level after the most privileged (P&G: user mode). The
  /// classifier's theorems compare what the guest's kernel sees at level 0 with what it does here.
  std::uint32_t guest_kernel = 1;
  /// The bits of the mode (the PSW's level field): enough for the highest level number (1 bit for
  /// two levels). The machine keeps only these bits of a value written to the mode.
  Word mode_mask() const {
    Word m = 1;
    while (m < levels.size() - 1) m = (m << 1) | 1u;
    return m;
  }
  /// The number of a level by name (case-sensitive), or -1.
  int find_level(const std::string& name) const {
    for (std::size_t i = 0; i < levels.size(); ++i)
      if (levels[i] == name) return static_cast<int>(i);
    return -1;
  }
  /// The name of level `l`, or its number as text when it names no level.
  std::string level_name(Word l) const { return l < levels.size() ? levels[l] : std::to_string(l); }
  Assist assist;                       ///< interpretive execution, if the ISA declares it
  std::vector<std::pair<std::string, Word>> cause_names;  ///< for messages
  std::map<std::string, Word> constants;  ///< exported to the assembler (causes too)
  std::vector<Format> formats;
  std::vector<Instruction> instructions;
  std::vector<Pseudo> pseudos;
  unsigned opcode_shift = 24, opcode_width = 8;  ///< common opcode field position
  std::vector<std::int16_t> decode_table;        ///< opcode value -> its first instruction's index, or -1
  /// Instruction index -> the next instruction with the same opcode (told apart by their `where`
  /// fields: sub-opcodes), or -1.
  std::vector<std::int16_t> decode_next;
  /// Warnings found while loading (Diagnostic::warning set): constructs that are accepted but
  /// probably not what was meant, e.g. `mode == 3`. Tools print them (pgsim on stderr).
  Diagnostics warnings;

  Word word_mask() const { return low_bits(word_bits); }
  /// The instruction a word decodes to, or nullptr (ILLEGAL).
  const Instruction* decode(Word word) const {
    Word op = (word >> opcode_shift) & low_bits(opcode_width);
    for (int i = decode_table[op]; i >= 0; i = decode_next[static_cast<std::size_t>(i)]) {
      const Instruction& ins = instructions[static_cast<std::size_t>(i)];
      if ((word & ins.mask) == ins.match) return &ins;
    }
    return nullptr;
  }
  /// Index of an instruction by mnemonic (case-insensitive), or -1.
  int find_instruction(const std::string& mnemonic) const;
  /// Index of a pseudo by mnemonic (case-insensitive), or -1.
  int find_pseudo(const std::string& mnemonic) const;
  /// Register number of a register name (case-insensitive), or -1.
  int find_register(const std::string& name) const;
  /// Name of a cause value ("PRIV"), or the number as text.
  std::string cause_name(Word cause) const;
};

}  // namespace pgsim::isa
