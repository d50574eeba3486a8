// Sub-opcodes (issue 12): `where FIELD = VALUE` after an instruction's opcode fixes fields of its
// format, so that several instructions share one opcode and are told apart by the others
// (RISC-V's funct3 and funct7, the SYSTEM opcode's immediate). The assembler encodes them, the
// machine decodes them, the disassembler names them, and the classifier classifies each
// instruction on its own and never varies a fixed field.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "isa/disasm.hpp"
#include "vmm/classifier.hpp"

using namespace pgsim;
using namespace pgsim::test;

namespace {

// A RISC-V-like machine in miniature: OP-IMM (0x13) holds addi and xori, told apart by funct3;
// OP (0x33) holds add and sub, told apart by funct7; SYSTEM (0x73) holds a privileged `wfi`-like
// instruction and a user `ecall`-like one, told apart by the 12-bit immediate.
const char* kIsa = R"(
name "subop";
word 32;
memory 1024;
registers x 32;
zero x0;
psw mode, pc, base, bound;
trap old_psw = 0, cause = 5, info = 6, new_psw = 8, cycles = 10;
reset 16;
cause PRIV = 1 (privileged);
cause MEMORY = 2 (memory);
cause ILLEGAL = 3 (illegal);
cause ECALL = 8;
format I { simm imm 12; reg rs1 5; uimm funct3 3; reg rd 5; op 7; }
format R { uimm funct7 7; reg rs2 5; reg rs1 5; uimm funct3 3; reg rd 5; op 7; }
instruction addi  "rd, rs1, imm" I 0x13 where funct3 = 0 cycles 1 { rd = rs1 + imm; }
instruction xori  "rd, rs1, imm" I 0x13 where funct3 = 4 cycles 1 { rd = rs1 ^ imm; }
instruction add   "rd, rs1, rs2" R 0x33 where funct3 = 0, funct7 = 0 cycles 1 { rd = rs1 + rs2; }
instruction sub   "rd, rs1, rs2" R 0x33 where funct3 = 0, funct7 = 0x20 cycles 1 { rd = rs1 - rs2; }
instruction ecall ""             I 0x73 where funct3 = 0, imm = 0, rs1 = 0, rd = 0 cycles 1 { trap_after(ECALL, 0); }
instruction sleep ""             I 0x73 where funct3 = 0, imm = 0x105, rs1 = 0, rd = 0 cycles 1 privileged { }
instruction halt  ""             I 0x73 where funct3 = 0, imm = 0x7ff, rs1 = 0, rd = 0 cycles 1 privileged { halt; }
)";

std::shared_ptr<const isa::IsaModel> subop() { return isa::load_isa_text("subop.isa", kIsa); }

std::string load_error(const std::string& text) {
  try {
    isa::load_isa_text("bad.isa", text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("where: instructions that share an opcode are encoded, decoded, executed and disassembled apart",
          "[isa][subopcode]") {
  auto m = subop();
  auto img = *assemble(R"(
        .org 16
        addi x1, x0, 40
        xori x2, x1, 3
        add  x3, x1, x2
        sub  x4, x1, x2
        halt
)", m);
  // The encodings are RISC-V's: funct3 at bits 12-14, funct7 at 25-31.
  CHECK(img.words[16] == ((40u << 20) | (1u << 7) | 0x13u));
  CHECK(img.words[17] == ((3u << 20) | (1u << 15) | (4u << 12) | (2u << 7) | 0x13u));
  CHECK(img.words[18] == ((2u << 20) | (1u << 15) | (3u << 7) | 0x33u));
  CHECK(img.words[19] == ((0x20u << 25) | (2u << 20) | (1u << 15) | (4u << 7) | 0x33u));
  CHECK(img.words[20] == ((0x7ffu << 20) | 0x73u));
  machine::Machine mach(m, 1024);
  mach.load(0, img.words);
  CHECK(mach.run(1000) == machine::StopReason::Halted);
  CHECK(mach.reg(1) == 40);
  CHECK(mach.reg(2) == 43);
  CHECK(mach.reg(3) == 83);
  CHECK(mach.reg(4) == static_cast<std::uint32_t>(-3));
  CHECK(isa::disassemble(*m, img.words[17], 17) == "xori x2, x1, 3");
  CHECK(isa::disassemble(*m, img.words[19], 19) == "sub x4, x1, x2");
  // A word with the opcode of OP but a funct7 that no instruction fixes is no instruction.
  CHECK(m->decode((0x01u << 25) | 0x33u) == nullptr);
  CHECK(m->decode((0x105u << 20) | 0x73u)->mnemonic == "sleep");
  CHECK(m->decode((0x104u << 20) | 0x73u) == nullptr);
}

TEST_CASE("where: the classifier classifies each instruction of a shared opcode on its own and keeps its fixed fields",
          "[isa][subopcode][analysis]") {
  auto m = subop();
  auto a = vmm::classify(m, {});
  auto find = [&](const std::string& mn) -> const vmm::Classification& {
    for (const auto& c : a.instructions)
      if (c.mnemonic == mn) return c;
    FAIL("no row for " << mn);
    throw std::logic_error("unreachable");
  };
  CHECK(find("sleep").privileged);
  CHECK(find("halt").privileged);
  CHECK_FALSE(find("ecall").privileged);
  CHECK_FALSE(find("ecall").sensitive());
  CHECK_FALSE(find("sub").sensitive());
  CHECK(find("sub").states >= 1000);
  CHECK(a.theorem1.holds);
}

TEST_CASE("where: mistakes in fixed fields are errors that name the field and say what to do", "[isa][subopcode]") {
  std::string head = std::string(kIsa).substr(0, std::string(kIsa).find("instruction addi"));
  CHECK_THAT(load_error(head + "instruction a \"rd\" I 0x13 where funct9 = 1 cycles 1 { rd = 1; }\n"),
             Catch::Contains("where funct9: format I has no field of that name (its named fields: imm, rs1, funct3, rd)"));
  CHECK_THAT(load_error(head + "instruction a \"rd, rs1, imm\" I 0x13 where rd = 1 cycles 1 { rd = 1; }\n"),
             Catch::Contains("a fixed field cannot also be written by the program"));
  CHECK_THAT(load_error(head + "instruction a \"rd\" I 0x13 where funct3 = 8 cycles 1 { rd = 1; }\n"),
             Catch::Contains("the value 8 does not fit the 3-bit field (0 to 7)"));
  CHECK_THAT(load_error(head + "instruction a \"rd\" I 0x13 where funct3 = 1, funct3 = 1 cycles 1 { rd = 1; }\n"),
             Catch::Contains("its bits are already fixed"));
  // Two instructions that no fixed bit tells apart.
  CHECK_THAT(load_error(head + "instruction a \"rd\" I 0x13 where funct3 = 1 cycles 1 { rd = 1; }\n"
                               "instruction b \"rd\" I 0x13 cycles 1 { rd = 2; }\n"),
             Catch::Contains("instruction b: encoding overlaps a (both have opcode 0x13"));
  CHECK_THAT(load_error(head + "instruction a \"rd\" I 0x13 where funct3 cycles 1 { rd = 1; }\n"),
             Catch::Contains("expected '=' and the field's value (where funct3 = 1)"));
  // No C++ type name in any of them.
  for (const char* bad : {"where = 1", "where funct3 =", "where funct3 = 1,"})
    CHECK_THAT(load_error(head + "instruction a \"rd\" I 0x13 " + bad + " cycles 1 { rd = 1; }\n"),
               !Catch::Contains("std::") && !Catch::Contains("boost"));
}
