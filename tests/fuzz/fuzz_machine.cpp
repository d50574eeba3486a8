// Fuzz target: the machine running an arbitrary image, on the bare machine (depth 0) and under
// a stack of monitors (depths 1-3: the ISA's own -- pgvmm.s, or assist.s under interpretive
// execution on pg1-assist -- or the hybrid VMM, bt or pv), for PG-1 and its variants; optionally with the VMM
// image or its symbols corrupted (a student's broken VMM), and through the stepping session
// (reverse execution, level views) as the GUI and the lessons use it.
//
// Input layout (little-endian; missing bytes read as 0):
//   byte 0   bits 0-1 depth (0-3), bits 2-4 ISA (index into fuzz::isa_choices(), modulo),
//            bit 5 patch the VMM, bit 6 feed console input, bit 7 use a Session instead of a Stack
//   byte 1   guest machine size: 32 + 16 * byte words (32 .. 4112)
//   byte 2   number of VMM patches (when bit 5): each 6 bytes, u16 target + u32 value;
//            target < 0x8000 sets VMM word (target mod size) ^= value, else sets the value of
//            symbol number (target mod symbol count) to value (VMM_SIZE, the control block ...)
//   byte 3   bits 0-5 number of console input words (when bit 6), 4 bytes each; bits 6-7 the
//            monitor (index into fuzz::monitor_choices(): the ISA's own, hybrid, bt, pv)
//   rest     the guest image, from guest address 0 (the machine resets to PC 16)
// Every run is bounded: 20,000 cycles for a Stack, 2,000 steps for a Session, VMM_SIZE <= 2^14 words.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <iterator>

#include "fuzz_support.hpp"
#include "vmm/session.hpp"
#include "vmm/stack.hpp"

namespace {
using namespace pgsim;

void inspect(const vmm::Stack& s) {
  (void)s.guest_state();
  for (unsigned k = 0; k < s.depth(); ++k) {
    (void)s.virtual_state_of_guest_of(k);
    (void)s.would_emulate(k, static_cast<std::uint32_t>(s.machine().isa().causes.privileged));
  }
  (void)s.describe_chain(s.depth(), 0);
  (void)s.code_at(s.machine().base() + s.machine().pc());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& choices = fuzz::isa_choices();
  const std::uint8_t h0 = fuzz::take_byte(data, size);
  const std::uint8_t h1 = fuzz::take_byte(data, size);
  const std::uint8_t npatch = fuzz::take_byte(data, size);
  const std::uint8_t ninput = fuzz::take_byte(data, size);
  unsigned depth = h0 & 3u;
  const auto& choice = choices[((h0 >> 2) & 7u) % choices.size()];
  auto vmm_image = choice.monitors[(ninput >> 6) % choice.monitors.size()];
  if (!vmm_image) depth = 0;
  std::uint32_t memory = 32u + 16u * h1;
  if ((h0 & 0x20u) && vmm_image) {
    auto patched = std::make_shared<assembler::Image>(*vmm_image);
    for (unsigned i = 0; i < npatch; ++i) {
      std::uint32_t target = fuzz::take_byte(data, size);
      target |= static_cast<std::uint32_t>(fuzz::take_byte(data, size)) << 8;
      std::uint32_t value = fuzz::take_word(data, size);
      if (target < 0x8000u) {
        if (!patched->words.empty()) patched->words[target % patched->words.size()] ^= value;
      } else if (!patched->symbols.empty()) {
        auto it = patched->symbols.begin();
        std::advance(it, static_cast<long>(target % patched->symbols.size()));
        it->second = value;
      }
    }
    // Budget: a patched VMM_SIZE may ask for a real machine of up to 2^26 words (256 MB, within
    // pgsim's limits but seconds per input to build, snapshot and copy); keep machines small.
    auto size = patched->symbols.find("VMM_SIZE");
    if (size != patched->symbols.end() && size->second > (1u << 14)) size->second = 1u << 14;
    vmm_image = patched;
  }
  std::vector<isa::Word> input;
  if (h0 & 0x40u)
    for (unsigned i = 0; i < (ninput & 63u); ++i) input.push_back(fuzz::take_word(data, size));
  auto guest = fuzz::raw_image(fuzz::words_of(data, size));
  try {
    if (h0 & 0x80u) {
      vmm::Session s(choice.isa, depth ? vmm_image : nullptr, guest, depth, memory);
      for (auto w : input) s.push_input(w);
      s.run_until([](const machine::Event&) { return false; }, 1500);
      for (unsigned k = 0; k <= depth; ++k) (void)s.view(k);
      s.step_back(700);
      s.step_over_trap(500);
      for (unsigned k = 0; k <= depth; ++k) (void)s.view(k);
      (void)s.next_micro_steps();
      inspect(s.stack());
    } else {
      vmm::Stack s(choice.isa, depth ? vmm_image : nullptr, guest, depth, memory);
      for (auto w : input) s.machine().push_input(w);
      std::vector<vmm::LevelStats> stats;
      s.run(20000, stats);
      inspect(s);
    }
  } catch (const std::invalid_argument&) {
    // sizes the stack refuses (documented: Stack's constructor)
  } catch (const std::out_of_range&) {
    // an image that does not fit, a VMM without its control-block symbols (documented)
  }
  return 0;
}
